"""`logit train` on a million rows against pandas + scikit-learn in the same run.

    cargo build --release -p logit-cli
    PYTHON=/work/venv/bin/python; $PYTHON benches/tabular/million.py target/release/logit

Makes target/bench-data/million.csv once (the bundled Pima data's glucose, bmi and age,
resampled to 1,000,000 rows with a little Gaussian noise, label `test`), then runs, two rounds
interleaved: `logit train` with its defaults (pinned to one core with taskset); pandas `read_csv` + HistGradientBoostingClassifier
(one thread); pandas + LogisticRegression. Each in a fresh process, timed wall-clock, peak
memory from getrusage. Prints a Markdown table with the ratios to logit.
"""
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "target/bench-data/million.csv"

FIT = {
    "hgb": "from sklearn.ensemble import HistGradientBoostingClassifier as M; m = M()",
    "logreg": "from sklearn.linear_model import LogisticRegression as M; m = M()",
}
SCRIPT = """
import pandas as pd
{fit}
d = pd.read_csv({path!r})
m.fit(d.drop(columns="test").values, d["test"].values)
"""


def make_data():
    if DATA.exists():
        return
    import numpy as np
    import pandas as pd

    DATA.parent.mkdir(parents=True, exist_ok=True)
    pima = pd.read_csv(ROOT / "data/pima_diabetes.csv")[["glucose", "bmi", "age", "test"]]
    rng = np.random.RandomState(0)
    rows = pima.iloc[rng.randint(0, len(pima), 1_000_000)].reset_index(drop=True)
    for c in ["glucose", "bmi", "age"]:
        rows[c] = (rows[c] + rng.normal(0, 0.05 * pima[c].std(), len(rows))).round(2)
    rows.to_csv(DATA, index=False)


def run(cmd, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=DATA.parent)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest so far: only a new maximum is this run's own
    return seconds, peak if peak > before else None


def main():
    logit = str(Path(sys.argv[1]).resolve())
    make_data()
    one = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    systems = {
        # pinned to one core as well, so neither side gets the second one
        "logit train (defaults)": (["taskset", "-c", "0", logit, "train", DATA.name, "--target", "test", "--out", "million-model"], one),
        "pandas + HistGradientBoosting": ([sys.executable, "-c", SCRIPT.format(fit=FIT["hgb"], path=str(DATA))], one),
        "pandas + LogisticRegression": ([sys.executable, "-c", SCRIPT.format(fit=FIT["logreg"], path=str(DATA))], one),
    }
    times = {k: [] for k in systems}
    for _ in range(2):
        for name, (cmd, env) in systems.items():
            times[name].append(run(cmd, env)[0])
    # peak memory, one process at a time (getrusage keeps the children's maximum)
    peaks = {}
    for name, (cmd, env) in systems.items():
        code = f"import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True, cwd={str(DATA.parent)!r}); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True, env=env, text=True)
        peaks[name] = int(out.stdout.strip()) / 1024
    size = DATA.stat().st_size / 2**20
    base = min(times["logit train (defaults)"])
    print(f"CSV: {DATA.name}, {size:.1f} MiB, 1,000,000 rows, 4 columns; everything on one core.\n")
    print("| system | best of 2, s | time / logit's | peak memory, MiB | memory / CSV size |")
    print("| --- | --- | --- | --- | --- |")
    for name in systems:
        t = min(times[name])
        print(f"| {name} | {t:.2f} | {t / base:.2f} | {peaks[name]:.0f} | {peaks[name] / size:.1f} |")


if __name__ == "__main__":
    main()
