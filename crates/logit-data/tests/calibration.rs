//! Calibrators, the calibration curve and threshold rules against scikit-learn 1.9
//! (tests/fixtures/sklearn/calibration.json, made by calibration.py beside it).

use logit_data::{calibration_curve, metrics, Calibrator, ThresholdRule};
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn/calibration.json"
    ))
    .expect("fixture JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn platt_and_isotonic_match_calibrated_classifier_cv() -> logit_core::Result<()> {
    let f = fixture();
    let (scores, labels, test) = (
        floats(&f["scores"]),
        floats(&f["labels"]),
        floats(&f["test_scores"]),
    );
    let platt = Calibrator::platt(&scores, &labels)?;
    let Calibrator::Platt { a, b } = platt else {
        panic!("a Platt fit, got {platt:?}")
    };
    // scikit-learn stops L-BFGS at its tolerance; the exact optimum is within 1e-5 of it
    close(
        &[a, b],
        &[
            f["sigmoid_a"].as_f64().unwrap(),
            f["sigmoid_b"].as_f64().unwrap(),
        ],
        1e-5,
        "platt a, b",
    );
    close(
        &platt.transform(&test),
        &floats(&f["sigmoid"]),
        1e-5,
        "sigmoid probabilities",
    );
    let iso = Calibrator::isotonic(&scores, &labels)?;
    assert!(iso.is_valid());
    close(
        &iso.transform(&test),
        &floats(&f["isotonic"]),
        1e-12,
        "isotonic probabilities",
    );
    close(
        &iso.transform(&test),
        &floats(&f["isotonic_direct"]),
        1e-12,
        "IsotonicRegression",
    );
    Ok(())
}

#[test]
fn temperature_undoes_an_overconfident_scale() -> logit_core::Result<()> {
    let f = fixture();
    // the scores are 3x the log-odds the labels were drawn from: T is well above 1, and
    // equals scipy's minimiser of the log loss
    let t = Calibrator::temperature(&floats(&f["scores"]), &floats(&f["labels"]))?;
    let Calibrator::Temperature { temperature } = t else {
        panic!("{t:?}")
    };
    close(
        &[temperature],
        &[f["temperature"].as_f64().unwrap()],
        1e-6,
        "temperature",
    );
    assert!(temperature > 1.5);
    assert_eq!(t.affine(), Some((1.0 / temperature, 0.0)));
    Ok(())
}

#[test]
fn calibration_curve_and_ece_use_scikit_learns_bins() -> logit_core::Result<()> {
    let f = fixture();
    let (probs, labels) = (floats(&f["curve_probs"]), floats(&f["curve_labels"]));
    let c = calibration_curve(&probs, &labels, 10)?;
    close(&c.prob_true, &floats(&f["prob_true"]), 1e-12, "prob_true");
    close(&c.prob_pred, &floats(&f["prob_pred"]), 1e-12, "prob_pred");
    assert_eq!(c.counts.iter().sum::<usize>(), probs.len());
    let ece = metrics::expected_calibration_error(&probs, &labels, 10)?;
    let by_hand: f64 = c
        .prob_true
        .iter()
        .zip(&c.prob_pred)
        .zip(&c.counts)
        .map(|((t, p), &n)| n as f64 * (t - p).abs())
        .sum::<f64>()
        / probs.len() as f64;
    assert!((ece - by_hand).abs() < 1e-15);
    assert!(calibration_curve(&[1.2], &[1.0], 10).is_err());
    assert!(calibration_curve(&[0.5], &[1.0], 0).is_err());
    Ok(())
}

#[test]
fn threshold_rules_pick_scikit_learns_thresholds() -> logit_core::Result<()> {
    let f = fixture();
    let labels = floats(&f["labels"]);
    let probs: Vec<f64> = floats(&f["curve_probs"])[..labels.len()].to_vec();
    let pick = |rule: &str| -> logit_core::Result<f64> {
        rule.parse::<ThresholdRule>()?.choose(&probs, &labels)
    };
    assert_eq!(pick("youden")?, f["youden"].as_f64().unwrap());
    assert_eq!(pick("precision=0.8")?, f["precision_0.8"].as_f64().unwrap());
    assert_eq!(pick("recall=0.9")?, f["recall_0.9"].as_f64().unwrap());
    assert_eq!(pick("0.3")?, 0.3);
    let e = "recall=2".parse::<ThresholdRule>().unwrap_err().to_string();
    assert!(
        e.contains("youden, precision=P or recall=R") && e.contains("'recall=2'"),
        "{e}"
    );
    Ok(())
}

#[test]
fn calibrators_and_rules_round_trip_through_serde() -> logit_core::Result<()> {
    let f = fixture();
    let (scores, labels) = (floats(&f["scores"]), floats(&f["labels"]));
    for c in [
        Calibrator::None,
        Calibrator::temperature(&scores, &labels)?,
        Calibrator::platt(&scores, &labels)?,
        Calibrator::isotonic(&scores, &labels)?,
    ] {
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(&format!("\"method\":\"{}\"", c.name())),
            "{json}"
        );
        let back: Calibrator = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
    for rule in ["youden", "precision=0.9", "recall=0.8", "0.5"] {
        let r: ThresholdRule = rule.parse()?;
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, format!("\"{rule}\""));
        assert_eq!(serde_json::from_str::<ThresholdRule>(&json).unwrap(), r);
    }
    assert!(serde_json::from_str::<ThresholdRule>("\"median\"").is_err());
    assert!(Calibrator::platt(&[0.0, 1.0], &[0.0]).is_err());
    assert!(Calibrator::isotonic(&[0.0, f64::NAN], &[0.0, 1.0]).is_err());
    assert!(Calibrator::temperature(&[0.0, 1.0], &[0.0, 2.0]).is_err());
    Ok(())
}
