//! `train` end to end: the logistic regression against statsmodels' formula API on a table
//! with a text column, a test split that chooses nothing, and the model choice.

use logit_data::{Column, Table};
use logit_nn::Module;
use logit_tabular::{train, ModelKind, TabularOptions};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(key: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let v: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/statsmodels/logit.json"
    ))?;
    Ok(v[key].clone())
}

fn formula() -> Result<Value, Box<dyn std::error::Error>> {
    fixture("formula")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

#[test]
fn a_logistic_fit_on_all_rows_is_statsmodels_formula_logit() -> TestResult {
    let f = formula()?;
    let csv = f["csv"].as_str().ok_or("csv")?;
    let table = Table::read(csv.as_bytes(), "credit.csv".as_ref())?;
    let o = TabularOptions {
        model: ModelKind::Logistic,
        val_split: 0.0,
        test_split: 0.0,
        positive: Some("Yes".into()),
        ..Default::default()
    };
    let t = train(table, "default", &o, None)?;
    let c = t.coefficients.ok_or("a coefficient table")?;
    let names: Vec<&str> = c.terms.iter().map(|t| t.term.as_str()).collect();
    assert_eq!(names, strings(&f["terms"]));
    for (key, got) in [
        ("coef", c.terms.iter().map(|t| t.coef).collect::<Vec<_>>()),
        ("std_err", c.terms.iter().map(|t| t.std_err).collect()),
        ("z", c.terms.iter().map(|t| t.z).collect()),
        ("p_value", c.terms.iter().map(|t| t.p_value).collect()),
        ("ci_low", c.terms.iter().map(|t| t.ci_low).collect()),
        ("ci_high", c.terms.iter().map(|t| t.ci_high).collect()),
    ] {
        for (g, w) in got.iter().zip(floats(&f[key])) {
            assert!((g - w).abs() <= 1e-6 * w.abs(), "{key}: {g} vs {w}");
        }
    }
    for (g, key) in [
        (c.log_likelihood, "llf"),
        (c.ll_null, "llnull"),
        (c.pseudo_r2, "prsquared"),
        (c.aic, "aic"),
        (c.bic, "bic"),
    ] {
        let w = f[key].as_f64().ok_or(key)?;
        // the encoded features are f32 (cents of a balance round at 1e-4), which moves the
        // likelihood by ~2e-8 relative; the f64 design gives 1e-9 (logit-models' test)
        assert!((g - w).abs() <= 1e-7 * w.abs(), "{key}: {g} vs {w}");
    }
    let csv_table = c.to_csv();
    assert!(
        csv_table.starts_with("term,coef,std_err,z,p_value,ci_low,ci_high,odds_ratio\nIntercept,")
    );
    assert!(csv_table.contains("\nstudent[T.Yes],"));
    Ok(())
}

#[test]
fn a_penalised_fit_sees_every_level_as_scikit_learn_does() -> TestResult {
    let want = &fixture("credit_l2")?;
    let csv = formula()?["csv"].as_str().ok_or("csv")?.to_string();
    let table = Table::read(csv.as_bytes(), "credit.csv".as_ref())?;
    let o = TabularOptions {
        model: ModelKind::Logistic,
        l2: want["c"].as_f64(),
        val_split: 0.0,
        test_split: 0.0,
        positive: Some("Yes".into()),
        ..Default::default()
    };
    let c = train(table, "default", &o, None)?
        .coefficients
        .ok_or("a coefficient table")?;
    let names: Vec<&str> = c.terms.iter().map(|t| t.term.as_str()).collect();
    assert_eq!(names, strings(&want["terms"]));
    for (t, w) in c.terms.iter().zip(floats(&want["coef"])) {
        assert!(
            (t.coef - w).abs() <= 1e-6 * w.abs(),
            "{}: {} vs {w}",
            t.term,
            t.coef
        );
    }
    Ok(())
}

#[test]
fn auto_fits_the_unpenalised_regression_beside_every_level() -> TestResult {
    // with every level one-hot, an unpenalised fit that did not leave the reference out
    // would be collinear and dropped from the candidates
    let csv = formula()?["csv"].as_str().ok_or("csv")?.to_string();
    let table = Table::read(csv.as_bytes(), "credit.csv".as_ref())?;
    let o = TabularOptions {
        positive: Some("Yes".into()),
        epochs: Some(5),
        ..Default::default()
    };
    let t = train(table, "default", &o, None)?;
    let names: Vec<&str> = t.candidates.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"logistic"), "{names:?} {:?}", t.notes);
    assert!(names.contains(&"logistic C=1"), "{names:?}");
    Ok(())
}

/// The credit table with the numbers of the rows `train` holds out as its test split
/// replaced by wild values.
fn with_wild_test_rows(table: &Table, test: &[usize]) -> Table {
    let mut t = table.clone();
    for &i in test {
        if let Column::Numeric(balance) = &mut t.columns[1] {
            balance[i] = 987654.5;
        }
        if let Column::Numeric(income) = &mut t.columns[2] {
            income[i] = f64::NAN; // imputed
        }
    }
    t
}

#[test]
fn the_test_split_chooses_nothing() -> TestResult {
    let f = formula()?;
    let csv = f["csv"].as_str().ok_or("csv")?;
    let table = Table::read(csv.as_bytes(), "credit.csv".as_ref())?;
    let o = TabularOptions {
        epochs: Some(15),
        calibrate: logit_tabular::CalibrateKind::Platt,
        threshold: "youden".parse()?,
        // the saved model is the training rows' fit, so its weights can be compared
        refit: false,
        ..Default::default()
    };
    let parts = logit_tabular::Parts::split(&table, "default", &o)?;
    assert_eq!(parts.test.len(), 80);
    let a = train(table.clone(), "default", &o, None)?;
    let b = train(
        with_wild_test_rows(&table, &parts.test),
        "default",
        &o,
        None,
    )?;
    // everything chosen (imputation, scaling, weights, model, calibration, threshold) and
    // everything measured on validation is the same; only the test metrics move
    assert_eq!(a.model.config, b.model.config);
    assert_eq!(a.validation_metrics, b.validation_metrics);
    let (sa, sb) = (a.model.net.state_dict(), b.model.net.state_dict());
    assert_eq!(sa.keys(), sb.keys());
    for ((_, x), (_, y)) in sa.iter().zip(sb.iter()) {
        assert_eq!(x.to_vec::<f32>(), y.to_vec::<f32>());
    }
    assert_ne!(a.test_metrics, b.test_metrics);
    // a refit uses the test rows only after everything is chosen and measured
    let r = TabularOptions {
        refit: true,
        calibrate: logit_tabular::CalibrateKind::None,
        ..o
    };
    let (a, b) = (
        train(table.clone(), "default", &r, None)?,
        train(
            with_wild_test_rows(&table, &parts.test),
            "default",
            &r,
            None,
        )?,
    );
    assert_eq!(a.validation_metrics, b.validation_metrics);
    // what was chosen is the same; the refit's standardisation sees the test rows
    let chosen = |t: &logit_tabular::Trained| {
        let c = &t.model.config;
        let names: Vec<String> = t.candidates.iter().map(|k| k.name.clone()).collect();
        (c.encoding.clone(), c.threshold, c.hidden.clone(), names)
    };
    assert_eq!(chosen(&a), chosen(&b));
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("refit on all 400 rows")),
        "{:?}",
        a.notes
    );
    let names: Vec<&str> = a.candidates.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&"logistic") && names.iter().any(|n| n.starts_with("mlp")),
        "{names:?}"
    );
    assert!(a
        .candidates
        .windows(2)
        .all(|w| w[0].val_log_loss <= w[1].val_log_loss));
    Ok(())
}

#[test]
fn a_class_too_rare_to_split_falls_back_with_a_note() -> TestResult {
    let mut csv = String::from("x,y\n");
    for i in 0..40 {
        csv += &format!("{i},{}\n", u8::from(i == 3 || i == 30));
    }
    let table = Table::read(csv.as_bytes(), "rare.csv".as_ref())?;
    let o = TabularOptions {
        model: ModelKind::Logistic,
        val_split: 0.0,
        ..Default::default()
    };
    let t = train(table, "y", &o, None)?;
    assert!(t.test_metrics.is_none());
    assert!(
        t.notes.iter().any(|n| n.contains("no test split")),
        "{:?}",
        t.notes
    );
    let one = Table::read("x,y\n1,0\n2,0\n3,1\n".as_bytes(), "one.csv".as_ref())?;
    let err = train(one, "y", &o, None)
        .err()
        .ok_or("an error")?
        .to_string();
    assert!(err.contains("at least two rows of each class"), "{err}");
    Ok(())
}

#[test]
fn cross_validation_reports_each_candidates_spread() -> TestResult {
    let f = formula()?;
    let csv = f["csv"].as_str().ok_or("csv")?;
    let table = Table::read(csv.as_bytes(), "credit.csv".as_ref())?;
    let o = TabularOptions {
        model: ModelKind::Logistic,
        ..Default::default()
    };
    let t = train(table.clone(), "default", &o, None)?;
    let cv = t.candidates[0].cv.ok_or("cross-validated scores")?;
    assert!(cv.log_loss.0 > 0.0 && cv.log_loss.1 > 0.0, "{cv:?}");
    assert!(
        cv.roc_auc.0 > 0.8 && cv.roc_auc.0 <= 1.0 && cv.roc_auc.1 > 0.0,
        "{cv:?}"
    );
    // the pooled out-of-fold log loss is what the candidate is compared by
    assert!((t.candidates[0].val_log_loss - cv.log_loss.0).abs() < 0.05);
    let off = train(table, "default", &TabularOptions { cv: 0, ..o }, None)?;
    assert!(off.candidates[0].cv.is_none());
    Ok(())
}
