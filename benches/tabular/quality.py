"""Held-out quality of `logit train` with its defaults against scikit-learn's default
LogisticRegression on standardised one-hot features, as a data person would compare them.

    PYTHON=/work/venv/bin/python; cargo build --release -p logit-cli
    $PYTHON benches/tabular/quality.py target/release/logit > docs/tabular-quality.md

Each data set is split 75/25 (stratified, seed 0). `logit train` sees the 75% as a CSV,
`logit predict` scores the 25%; scikit-learn fits the same 75% and scores the same 25%.
Needs scikit-learn, statsmodels, pandas. The data sets are the two bundled ones and binary
data sets that ship inside statsmodels.
"""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import statsmodels.api as sm
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parents[2]


def datasets():
    pima = pd.read_csv(ROOT / "data/pima_diabetes.csv")
    yield "Pima diabetes (bundled)", pima, "test"
    cancer = pd.read_csv(ROOT / "data/breast_cancer.csv")
    yield "Breast cancer (bundled)", cancer, "malignant"
    fair = sm.datasets.fair.load_pandas().data
    fair["affair"] = (fair.pop("affairs") > 0).astype(int)
    yield "Fair affairs (statsmodels)", fair, "affair"
    anes = sm.datasets.anes96.load_pandas().data
    anes = anes.drop(columns=["popul", "TVnews", "logpopul"])  # popul has a log twin
    anes["PID"] = anes["PID"].map(lambda v: f"pid{int(v)}")  # party id as a category
    yield "ANES 1996 vote (statsmodels)", anes, "vote"
    star = sm.datasets.star98.load_pandas().data
    star["above"] = (star["NABOVE"] / (star["NABOVE"] + star["NBELOW"]) > 0.5).astype(int)
    star = star.drop(columns=["NABOVE", "NBELOW"])
    yield "STAR98 math above median (statsmodels)", star, "above"


def sklearn_baseline(train, test, target):
    x_tr, y_tr = train.drop(columns=target), train[target]
    text = [c for c in x_tr.columns if not pd.api.types.is_numeric_dtype(x_tr[c])]
    nums = [c for c in x_tr.columns if c not in text]
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), text),
        ]
    )
    model = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(x_tr, y_tr)
    return model.predict_proba(test.drop(columns=target))[:, 1]


def logit_run(binary, train, test, target, folder):
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns=target).to_csv(folder / "test.csv", index=False)
    t0 = time.perf_counter()
    subprocess.run([binary, "train", "train.csv", "--target", target, "--positive", "1", "--out", "m"],
                   cwd=folder, check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    subprocess.run([binary, "predict", "m", "test.csv", "-o", "p.csv"], cwd=folder, check=True,
                   capture_output=True)
    report = (folder / "m/report/metrics.md").read_text()
    chosen = report.split("model `")[1].split("`")[0]
    return pd.read_csv(folder / "p.csv")["probability"].values, seconds, chosen


def main():
    binary = str(Path(sys.argv[1]).resolve())
    rows = []
    for name, df, target in datasets():
        df = df.copy()
        df[target] = df[target].astype(int)
        train, test = train_test_split(df, test_size=0.25, random_state=0, stratify=df[target])
        y = test[target].values
        with tempfile.TemporaryDirectory() as d:
            p_logit, seconds, chosen = logit_run(binary, train, test, target, Path(d))
        p_sk = sklearn_baseline(train, test, target)
        rows.append((name, len(df), df.shape[1] - 1, roc_auc_score(y, p_logit), roc_auc_score(y, p_sk),
                     log_loss(y, p_logit), log_loss(y, p_sk), chosen, seconds))
    print("| data set | rows | columns | ROC-AUC logit | ROC-AUC sklearn | log loss logit | log loss sklearn | logit at least as good | logit's model | logit train s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        auc_ok, ll_ok = r[3] >= r[4] - 5e-5, r[5] <= r[6] + 5e-5
        verdict = "yes" if auc_ok and ll_ok else ("AUC only" if auc_ok else ("log loss only" if ll_ok else "no"))
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.4f} | {r[4]:.4f} | {r[5]:.4f} | {r[6]:.4f} | {verdict} | {r[7]} | {r[8]:.2f} |")
    print(f"\nscikit-learn {sklearn.__version__}, NumPy {np.__version__}; 75/25 stratified split, seed 0; "
          "\"at least as good\" allows the last printed digit (5e-5).")


if __name__ == "__main__":
    main()
