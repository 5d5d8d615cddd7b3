//! Metric values against scikit-learn 1.x on the same inputs (ties included). The expected
//! numbers were printed by scikit-learn's `accuracy_score`, `precision_score`, `recall_score`,
//! `f1_score`, `confusion_matrix` (at p >= 0.5), `roc_auc_score`, `average_precision_score`,
//! `log_loss`, `brier_score_loss` and `roc_curve(drop_intermediate=False)`.

use logit_data::metrics::*;

const P: [f64; 15] = [
    0.9, 0.8, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.4, 0.3, 0.2, 0.1, 0.05, 0.95, 0.65,
];
const Y: [f64; 15] = [
    1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0,
];

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs scikit-learn {b}");
}

#[test]
fn threshold_metrics_match_scikit_learn() {
    close(accuracy(&P, &Y, 0.5).unwrap(), 0.7333333333333333);
    close(precision(&P, &Y, 0.5).unwrap(), 0.6666666666666666);
    close(recall(&P, &Y, 0.5).unwrap(), 0.8571428571428571);
    close(f1_score(&P, &Y, 0.5).unwrap(), 0.75);
    assert_eq!(confusion_matrix(&P, &Y, 0.5).unwrap(), [[5, 3], [1, 6]]);
}

#[test]
fn ranking_and_probability_metrics_match_scikit_learn() {
    close(roc_auc(&P, &Y).unwrap(), 0.8571428571428572);
    close(pr_auc(&P, &Y).unwrap(), 0.8242424242424242);
    close(log_loss(&P, &Y).unwrap(), 0.47650378053020387);
    close(brier_score(&P, &Y).unwrap(), 0.15866666666666665);
    let (fpr, tpr, _) = roc_curve(&P, &Y).unwrap();
    let want_fpr = [
        0.0, 0.0, 0.0, 0.125, 0.125, 0.125, 0.25, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0,
    ];
    let want_tpr = [
        0.0,
        1.0 / 7.0,
        2.0 / 7.0,
        3.0 / 7.0,
        4.0 / 7.0,
        5.0 / 7.0,
        5.0 / 7.0,
        6.0 / 7.0,
        6.0 / 7.0,
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
    ];
    assert_eq!(fpr.len(), want_fpr.len());
    fpr.iter().zip(want_fpr).for_each(|(a, b)| close(*a, b));
    tpr.iter().zip(want_tpr).for_each(|(a, b)| close(*a, b));
}

#[test]
fn bad_metric_inputs_are_errors() {
    assert!(roc_auc(&[0.1, 0.2], &[1.0, 1.0])
        .unwrap_err()
        .to_string()
        .contains("both classes"));
    assert!(accuracy(&[0.1], &[1.0, 0.0], 0.5).is_err());
    assert!(accuracy(&[0.1], &[2.0], 0.5)
        .unwrap_err()
        .to_string()
        .contains("labels 0 or 1"));
    assert!(log_loss(&[1.5], &[1.0]).is_err());
    assert!(brier_score(&[], &[]).is_err());
}

#[test]
fn expected_calibration_error_by_hand() {
    // bins of width 0.5: {0.2, 0.4} with labels {0, 1} -> |0.3 - 0.5| = 0.2; {0.9} with {1} -> 0.1
    let e = expected_calibration_error(&[0.2, 0.4, 0.9], &[0.0, 1.0, 1.0], 2).unwrap();
    close(e, (2.0 / 3.0) * 0.2 + (1.0 / 3.0) * 0.1);
    assert!(expected_calibration_error(&[0.5], &[1.0], 0).is_err());
}
