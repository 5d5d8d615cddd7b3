//! Metrics for predicted probabilities against 0/1 labels, defined as scikit-learn's.
//! Every function takes `probs` and `labels` as slices of equal length.

use logit_core::{Error, Result};

pub(crate) fn check(what: &str, probs: &[f64], labels: &[f64]) -> Result<()> {
    if probs.len() != labels.len() {
        return Err(Error::invalid(
            what,
            format!("{} labels, one per probability", probs.len()),
            format!("{}", labels.len()),
        ));
    }
    if probs.is_empty() {
        return Err(Error::invalid(what, "at least one prediction", "none"));
    }
    if let Some(l) = labels.iter().find(|&&l| l != 0.0 && l != 1.0) {
        return Err(Error::invalid(what, "labels 0 or 1", l.to_string()));
    }
    if let Some(p) = probs.iter().find(|p| !p.is_finite()) {
        return Err(Error::invalid(what, "finite scores", p.to_string()));
    }
    Ok(())
}

/// Counts at a threshold (`p >= threshold` is a positive prediction), in scikit-learn's
/// `confusion_matrix` order `[[tn, fp], [fn, tp]]`.
///
/// # Errors
/// On mismatched lengths, no predictions, or labels other than 0/1.
pub fn confusion_matrix(probs: &[f64], labels: &[f64], threshold: f64) -> Result<[[usize; 2]; 2]> {
    check("confusion_matrix", probs, labels)?;
    let mut m = [[0usize; 2]; 2];
    for (&p, &l) in probs.iter().zip(labels) {
        m[l as usize][usize::from(p >= threshold)] += 1;
    }
    Ok(m)
}

/// Share of correct predictions at `threshold`.
///
/// # Errors
/// As [`confusion_matrix`].
pub fn accuracy(probs: &[f64], labels: &[f64], threshold: f64) -> Result<f64> {
    let [[tn, _], [_, tp]] = confusion_matrix(probs, labels, threshold)?;
    Ok((tn + tp) as f64 / probs.len() as f64)
}

/// `tp / (tp + fp)` at `threshold` (0 when nothing is predicted positive, as scikit-learn's
/// `zero_division=0`).
///
/// # Errors
/// As [`confusion_matrix`].
pub fn precision(probs: &[f64], labels: &[f64], threshold: f64) -> Result<f64> {
    let [[_, fp], [_, tp]] = confusion_matrix(probs, labels, threshold)?;
    Ok(if tp + fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    })
}

/// `tp / (tp + fn)` at `threshold` (0 without positives).
///
/// # Errors
/// As [`confusion_matrix`].
pub fn recall(probs: &[f64], labels: &[f64], threshold: f64) -> Result<f64> {
    let [_, [fn_, tp]] = confusion_matrix(probs, labels, threshold)?;
    Ok(if tp + fn_ == 0 {
        0.0
    } else {
        tp as f64 / (tp + fn_) as f64
    })
}

/// Harmonic mean of precision and recall at `threshold`.
///
/// # Errors
/// As [`confusion_matrix`].
pub fn f1_score(probs: &[f64], labels: &[f64], threshold: f64) -> Result<f64> {
    let (p, r) = (
        precision(probs, labels, threshold)?,
        recall(probs, labels, threshold)?,
    );
    Ok(if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    })
}

/// Distinct scores in decreasing order with the cumulative true and false positives at each,
/// the points of the ROC and precision-recall curves; lazily, so a curve's area needs only
/// the sorted order, not the curve.
pub(crate) fn sweep<'a>(
    probs: &'a [f64],
    labels: &'a [f64],
) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
    let mut idx: Vec<usize> = (0..probs.len()).collect();
    idx.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    (0..idx.len()).filter_map(move |k| {
        let i = idx[k];
        if labels[i] == 1.0 {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = k + 1 == idx.len() || probs[idx[k + 1]] != probs[i];
        last_of_tie.then_some((probs[i], tp, fp))
    })
}

fn both_classes(what: &str, labels: &[f64]) -> Result<(f64, f64)> {
    let pos = labels.iter().filter(|&&l| l == 1.0).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return Err(Error::invalid(
            what,
            "labels of both classes",
            format!("only class {}", if pos == 0.0 { 0 } else { 1 }),
        ));
    }
    Ok((pos, neg))
}

/// The ROC curve: `(false positive rates, true positive rates, thresholds)`, starting at
/// `(0, 0)` with threshold `+∞`, as scikit-learn's `roc_curve(drop_intermediate=False)`.
///
/// # Errors
/// As [`confusion_matrix`], or when only one class is present.
pub fn roc_curve(probs: &[f64], labels: &[f64]) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    check("roc_curve", probs, labels)?;
    let (pos, neg) = both_classes("roc_curve", labels)?;
    let (mut fpr, mut tpr, mut thr) = (vec![0.0], vec![0.0], vec![f64::INFINITY]);
    for (s, tp, fp) in sweep(probs, labels) {
        fpr.push(fp / neg);
        tpr.push(tp / pos);
        thr.push(s);
    }
    Ok((fpr, tpr, thr))
}

/// Area under the ROC curve (trapezoidal, ties counted half), as `roc_auc_score`.
///
/// # Errors
/// As [`roc_curve`].
pub fn roc_auc(probs: &[f64], labels: &[f64]) -> Result<f64> {
    check("roc_curve", probs, labels)?;
    let (pos, neg) = both_classes("roc_curve", labels)?;
    // the trapezoids of roc_curve's points, walked without building the curve
    let (mut area, mut prev) = (0.0, (0.0, 0.0));
    for (_, tp, fp) in sweep(probs, labels) {
        let (f, t) = (fp / neg, tp / pos);
        area += (f - prev.0) * (t + prev.1) / 2.0;
        prev = (f, t);
    }
    Ok(area)
}

/// Area under the precision-recall curve as scikit-learn's `average_precision_score`:
/// `Σ (Rₙ − Rₙ₋₁)·Pₙ` over decreasing thresholds.
///
/// # Errors
/// As [`roc_curve`].
pub fn pr_auc(probs: &[f64], labels: &[f64]) -> Result<f64> {
    check("pr_auc", probs, labels)?;
    let (pos, _) = both_classes("pr_auc", labels)?;
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    for (_, tp, fp) in sweep(probs, labels) {
        let r = tp / pos;
        ap += (r - prev_recall) * tp / (tp + fp);
        prev_recall = r;
    }
    Ok(ap)
}

/// Mean negative log-likelihood with probabilities clipped to `[ε, 1 − ε]` (ε = f64's machine
/// epsilon), as `log_loss`.
///
/// # Errors
/// As [`confusion_matrix`], or a probability outside `[0, 1]`.
pub fn log_loss(probs: &[f64], labels: &[f64]) -> Result<f64> {
    check("log_loss", probs, labels)?;
    if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(Error::invalid(
            "log_loss",
            "probabilities in [0, 1]",
            p.to_string(),
        ));
    }
    let eps = f64::EPSILON;
    let s: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(eps, 1.0 - eps);
            -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
        })
        .sum();
    Ok(s / probs.len() as f64)
}

/// Mean squared difference between probability and label, as `brier_score_loss`.
///
/// # Errors
/// As [`confusion_matrix`].
pub fn brier_score(probs: &[f64], labels: &[f64]) -> Result<f64> {
    check("brier_score", probs, labels)?;
    Ok(probs
        .iter()
        .zip(labels)
        .map(|(p, y)| (p - y) * (p - y))
        .sum::<f64>()
        / probs.len() as f64)
}

/// Expected calibration error over `bins` equal-width probability bins:
/// `Σ_b (n_b / n)·|mean(p in b) − mean(y in b)|`, on the bins of
/// [`calibration_curve`](crate::calibration_curve).
///
/// # Errors
/// As [`calibration_curve`](crate::calibration_curve).
pub fn expected_calibration_error(probs: &[f64], labels: &[f64], bins: usize) -> Result<f64> {
    let curve = crate::calibration_curve(probs, labels, bins)?;
    let n = probs.len() as f64;
    Ok(curve
        .prob_true
        .iter()
        .zip(&curve.prob_pred)
        .zip(&curve.counts)
        .map(|((t, p), &c)| (c as f64 / n) * (p - t).abs())
        .sum())
}

/// The metrics `logit train` and `logit evaluate` print, by name: accuracy, precision, recall
/// and F1 at `threshold`, ROC-AUC and PR-AUC (NaN when a class is missing), log loss, Brier
/// score and the ECE over 10 bins.
///
/// # Errors
/// As [`confusion_matrix`].
pub fn report(probs: &[f64], labels: &[f64], threshold: f64) -> Result<Vec<(String, f64)>> {
    let t = threshold;
    Ok(vec![
        ("accuracy".into(), accuracy(probs, labels, t)?),
        ("precision".into(), precision(probs, labels, t)?),
        ("recall".into(), recall(probs, labels, t)?),
        ("f1".into(), f1_score(probs, labels, t)?),
        ("roc_auc".into(), roc_auc(probs, labels).unwrap_or(f64::NAN)),
        ("pr_auc".into(), pr_auc(probs, labels).unwrap_or(f64::NAN)),
        ("log_loss".into(), log_loss(probs, labels)?),
        ("brier".into(), brier_score(probs, labels)?),
        ("ece".into(), expected_calibration_error(probs, labels, 10)?),
    ])
}
