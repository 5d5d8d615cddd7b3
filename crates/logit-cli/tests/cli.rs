//! The `logit` command end to end, on CSVs the tests write, the bundled data, and the user
//! mistakes the command must report with one clear line and a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn logit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logit"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The one error line of a failed run.
fn fails(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected a failure, got stdout {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err}"
    );
    assert!(err.starts_with("error: "), "{err}");
    err
}

/// A messy credit-default CSV: a Yes/No label, a Yes/No `student` text column, an id to drop,
/// empty cells; the default rate rises with balance.
fn messy_csv(dir: &Path, rows: usize) -> PathBuf {
    let mut s = String::from("id,student,balance,income,default\n");
    for i in 0..rows {
        let balance = (i * 37 % 100) as f64 * 25.0;
        let student = if i % 3 == 0 { "Yes" } else { "No" };
        let income = if i % 17 == 0 {
            String::new()
        } else {
            format!("{}", 20000 + (i * 7919) % 40000)
        };
        let default = if balance > 1800.0 || (balance > 1400.0 && student == "Yes") {
            "Yes"
        } else {
            "No"
        };
        s += &format!("{i},{student},{balance},{income},{default}\n");
    }
    let p = dir.join("credit.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn train_evaluate_predict_on_a_messy_csv() {
    let d = tempfile::tempdir().unwrap();
    messy_csv(d.path(), 400);
    let out = logit(
        &[
            "train",
            "credit.csv",
            "--target",
            "default",
            "--drop",
            "id",
            "--threshold",
            "youden",
            "--calibrate",
            "temperature",
            "--epochs",
            "60",
            "--out",
            "m",
        ],
        d.path(),
    );
    let stdout = ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("positive class: 'Yes'"),
        "the picked class is reported: {stderr}"
    );
    for m in [
        "accuracy",
        "roc_auc",
        "pr_auc",
        "brier",
        "threshold",
        "ece_before_calibration",
    ] {
        assert!(stdout.contains(m), "{m} missing from {stdout}");
    }
    let auc: f64 = stdout
        .lines()
        .find(|l| l.starts_with("| roc_auc"))
        .unwrap()
        .split('|')
        .nth(2)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(auc > 0.9, "validation ROC-AUC {auc}");
    for f in [
        "model.json",
        "weights.safetensors",
        "report/metrics.md",
        "report/loss.png",
        "report/roc.png",
        "report/reliability.png",
    ] {
        assert!(d.path().join("m").join(f).exists(), "{f}");
    }
    let cfg = std::fs::read_to_string(d.path().join("m/model.json")).unwrap();
    assert!(
        cfg.contains("\"student\"")
            && cfg.contains("\"categorical\"")
            && cfg.contains("\"median\""),
        "{cfg}"
    );
    assert!(cfg.contains("\"method\": \"temperature\""));

    let eval = ok(&logit(&["evaluate", "m", "credit.csv"], d.path()));
    for m in [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "pr_auc",
        "log_loss",
        "brier",
        "ece",
    ] {
        assert!(eval.contains(&format!("| {m} ")), "{m} missing from {eval}");
    }
    ok(&logit(
        &["predict", "m", "credit.csv", "-o", "pred.csv"],
        d.path(),
    ));
    let pred = std::fs::read_to_string(d.path().join("pred.csv")).unwrap();
    let mut lines = pred.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,student,balance,income,default,probability,decision"
    );
    assert_eq!(lines.clone().count(), 400);
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let p: f64 = f[5].parse().unwrap();
        assert!((0.0..=1.0).contains(&p) && (f[6] == "0" || f[6] == "1"));
    }
    // predicting to stdout streams the same rows
    let stdout = ok(&logit(&["predict", "m", "credit.csv"], d.path()));
    assert_eq!(stdout.lines().count(), 401);
}

#[test]
fn main_command_trains_on_the_bundled_data_with_json_progress() {
    let d = tempfile::tempdir().unwrap();
    let out = ok(&logit(
        &[
            "train",
            "--json",
            "--epochs",
            "30",
            "--pos-weight",
            "auto",
            "--threshold",
            "recall=0.95",
        ],
        d.path(),
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("{\"epoch\":1,\"train_loss\":"),
        "{}",
        lines[0]
    );
    let last = lines.last().unwrap();
    assert!(last.starts_with("{\"validation\":{\"accuracy\":"), "{last}");
    assert!(d.path().join("model/model.json").exists());
}

#[test]
fn user_mistakes_end_with_one_clear_line() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    messy_csv(p, 200);
    std::fs::write(p.join("bad_cell.csv"), "a,b,y\n1,2,0\n2,x,1\n3,4,0\n").unwrap();
    std::fs::write(p.join("three.csv"), "a,y\n1,a\n2,b\n3,c\n").unwrap();
    std::fs::write(p.join("other.csv"), "x,z,default\n1,2,Yes\n").unwrap();
    std::fs::write(p.join("ragged.csv"), "a,y\n1,0\n2\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["train", "missing.csv", "--target", "y"], "missing.csv"),
        (
            vec!["train", "credit.csv", "--target", "nope"],
            "a column named 'nope'",
        ),
        (
            vec!["train", "bad_cell.csv", "--target", "y"],
            "bad_cell.csv:3:2: column 'b' mixes numbers and text: expected a number, got 'x'",
        ),
        (
            vec!["train", "three.csv", "--target", "y"],
            "exactly two label values",
        ),
        (
            vec!["train", "ragged.csv", "--target", "y"],
            "ragged.csv:3:2: expected 2 fields",
        ),
        (
            vec![
                "train",
                "credit.csv",
                "--target",
                "default",
                "--no-impute",
                "--drop",
                "id",
            ],
            "empty cell in column 'income'",
        ),
        (
            vec![
                "train",
                "credit.csv",
                "--target",
                "default",
                "--positive",
                "Maybe",
            ],
            "--positive",
        ),
        (
            vec![
                "train",
                "credit.csv",
                "--target",
                "default",
                "--loss",
                "hinge",
            ],
            "bce, bce-with-logits or focal",
        ),
        (
            vec![
                "train",
                "credit.csv",
                "--target",
                "default",
                "--threshold",
                "precision=2",
            ],
            "--threshold",
        ),
        (
            vec![
                "train",
                "credit.csv",
                "--target",
                "default",
                "--lr",
                "1e30",
                "--out",
                "nan_model",
                "--drop",
                "id",
            ],
            "non-finite",
        ),
        (vec!["evaluate", "no_model", "credit.csv"], "no_model"),
        (vec!["plot", "tanh"], "sigmoid"),
    ];
    for (args, expect) in cases {
        let err = fails(&logit(&args, p));
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    assert!(
        !p.join("nan_model").exists(),
        "a failed training leaves no model folder"
    );
    assert!(
        std::fs::read_dir(p).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp-")),
        "no temporary folder left"
    );

    // a model folder from another feature set
    ok(&logit(
        &[
            "train",
            "credit.csv",
            "--target",
            "default",
            "--drop",
            "id",
            "--epochs",
            "5",
            "--out",
            "m",
        ],
        p,
    ));
    let err = fails(&logit(&["predict", "m", "other.csv"], p));
    assert!(err.contains("a column 'student'"), "{err}");
    // a corrupted model.json
    std::fs::write(p.join("m/model.json"), "{\"format\": 3}").unwrap();
    let err = fails(&logit(&["evaluate", "m", "credit.csv"], p));
    assert!(
        err.contains("model.json") && err.contains("not a logit model.json"),
        "{err}"
    );
}

#[test]
fn plot_sigmoid_writes_the_figure() {
    let d = tempfile::tempdir().unwrap();
    let o = logit(&["plot", "sigmoid", "-o", "s.svg"], d.path());
    assert!(o.status.success());
    assert!(std::fs::read_to_string(d.path().join("s.svg"))
        .unwrap()
        .contains("<svg"));
}

#[test]
fn malformed_flags_also_end_with_one_line() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        vec!["train", "--lr", "fast"],
        vec!["train", "--epochs", "-3"],
        vec!["frobnicate"],
    ] {
        let err = fails(&logit(&args, d.path()));
        assert!(err.contains("error:"), "{args:?}: {err}");
    }
    assert!(logit(&["--help"], d.path()).status.success());
}

#[test]
fn a_logistic_model_writes_statsmodels_style_coefficients() {
    let d = tempfile::tempdir().unwrap();
    let mut s = String::from("student,balance,default\n");
    for i in 0..300 {
        let student = if i % 4 == 0 { "Yes" } else { "No" };
        let balance = (i * 37 % 100) as f64 * 25.0;
        let noise = ((i * 7919) % 1000) as f64 / 1000.0;
        let p = 0.8 * balance / 2500.0 + if student == "Yes" { 0.1 } else { 0.0 };
        let default = if noise < p { "Yes" } else { "No" };
        s += &format!("{student},{balance},{default}\n");
    }
    std::fs::write(d.path().join("c.csv"), s).unwrap();
    let out = ok(&logit(
        &[
            "train", "c.csv", "--target", "default", "--model", "logistic",
        ],
        d.path(),
    ));
    assert!(
        out.contains("Test metrics (held out from every choice)"),
        "{out}"
    );
    assert!(out.contains("Validation metrics"), "{out}");
    let coef = std::fs::read_to_string(d.path().join("model/report/coefficients.csv")).unwrap();
    let lines: Vec<&str> = coef.lines().collect();
    assert_eq!(
        lines[0],
        "term,coef,std_err,z,p_value,ci_low,ci_high,odds_ratio"
    );
    assert!(lines[1].starts_with("Intercept,"));
    assert!(lines[2].starts_with("student[T.Yes],"));
    let balance: Vec<f64> = lines[3]
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        balance[0] > 0.0 && balance[3] < 0.05,
        "balance raises the odds: {coef}"
    );
    let md = std::fs::read_to_string(d.path().join("model/report/metrics.md")).unwrap();
    assert!(md.contains("pseudo_r2") && md.contains("aic"), "{md}");
    // the saved model predicts as it was trained
    let pred = ok(&logit(&["predict", "model", "c.csv"], d.path()));
    assert_eq!(pred.lines().count(), 301);
    // a logistic regression (a network without hidden layers) exports like an MLP
    let said = String::from_utf8_lossy(&logit(&["export", "model", "m.onnx"], d.path()).stderr)
        .to_string();
    assert!(said.contains("student=Yes, balance"), "{said}");
    assert!(d.path().join("m.onnx").exists());
    // separable data is a clear error for the unpenalised fit, and --l2 fits it
    std::fs::write(
        d.path().join("sep.csv"),
        "x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n",
    )
    .unwrap();
    let sep = [
        "train",
        "sep.csv",
        "--target",
        "y",
        "--model",
        "logistic",
        "--test-split",
        "0",
        "--val-split",
        "0",
    ];
    let err = fails(&logit(&sep, d.path()));
    assert!(err.contains("perfect separation"), "{err}");
    let penalised = [&sep[..], &["--l2", "1", "--out", "m2"]].concat();
    ok(&logit(&penalised, d.path()));
}

#[test]
fn a_semicolon_csv_with_a_bom_and_na_cells_trains_and_predicts() {
    let d = tempfile::tempdir().unwrap();
    let mut s = String::from("\u{feff}plan;usage;churn\n");
    for i in 0..200 {
        let usage = if i % 13 == 0 {
            "NA".to_string()
        } else {
            format!("{}", i * 37 % 100)
        };
        let plan = if i % 11 == 0 { "?" } else { ["a", "b"][i % 2] };
        let churn = u8::from((i * 37 % 100) < 40 || (i % 7 == 0));
        s += &format!("{plan};{usage};{churn}\n");
    }
    std::fs::write(d.path().join("s.csv"), s).unwrap();
    ok(&logit(
        &[
            "train", "s.csv", "--target", "churn", "--model", "mlp", "--epochs", "5",
        ],
        d.path(),
    ));
    let cfg = std::fs::read_to_string(d.path().join("model/model.json")).unwrap();
    assert!(cfg.contains("\"plan\"") && !cfg.contains("\"?\""), "{cfg}");
    let pred = ok(&logit(&["predict", "model", "s.csv"], d.path()));
    let mut lines = pred.lines();
    assert_eq!(
        lines.next().unwrap(),
        "plan,usage,churn,probability,decision"
    );
    // full precision: more digits than predict's old six decimals
    let p = lines.next().unwrap().split(',').nth(3).unwrap();
    assert!(p.len() > 8 && p.parse::<f64>().is_ok(), "{p}");
    let forced = fails(&logit(
        &["predict", "model", "s.csv", "--delimiter", ","],
        d.path(),
    ));
    assert!(forced.contains("a column 'plan'"), "{forced}");
}

#[test]
fn a_parquet_file_trains_predicts_and_evaluates() {
    let d = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/parquet/churn.parquet");
    std::fs::copy(&fixture, d.path().join("churn.parquet")).unwrap();
    ok(&logit(
        &[
            "train",
            "churn.parquet",
            "--target",
            "churn",
            "--epochs",
            "10",
        ],
        d.path(),
    ));
    let pred = ok(&logit(&["predict", "model", "churn.parquet"], d.path()));
    let mut lines = pred.lines();
    assert_eq!(
        lines.next().unwrap(),
        "plan,usage,tenure,churn,probability,decision"
    );
    assert_eq!(lines.count(), 120);
    let eval = ok(&logit(&["evaluate", "model", "churn.parquet"], d.path()));
    assert!(eval.contains("| rows | 120.0000 |"), "{eval}");
}
