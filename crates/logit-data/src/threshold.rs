//! [`ThresholdRule`]: how the decision threshold is chosen on a validation split — a fixed
//! probability, Youden's J, a target precision or a target recall.

use logit_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::metrics;

/// A threshold rule, written as a number, `youden`, `precision=P` or `recall=R` (its
/// `FromStr`/`Display` and serde form).
///
/// ```
/// use logit_data::ThresholdRule;
/// let rule: ThresholdRule = "recall=0.8".parse()?;
/// let t = rule.choose(&[0.1, 0.4, 0.35, 0.8], &[0.0, 0.0, 1.0, 1.0])?;
/// assert_eq!(t, 0.35); // the highest threshold that still finds 80% of the positives
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ThresholdRule {
    /// A fixed probability.
    Fixed(f64),
    /// Maximise Youden's J = TPR − FPR.
    Youden,
    /// The lowest threshold reaching this precision (most recall at that precision).
    Precision(f64),
    /// The highest threshold reaching this recall (fewest false alarms at that recall).
    Recall(f64),
}

impl std::str::FromStr for ThresholdRule {
    type Err = Error;
    fn from_str(s: &str) -> Result<ThresholdRule> {
        let bad = || {
            Error::invalid(
                "threshold rule",
                "a number in [0, 1], youden, precision=P or recall=R",
                format!("'{s}'"),
            )
        };
        let unit = |v: &str| {
            v.parse::<f64>()
                .ok()
                .filter(|v| (0.0..=1.0).contains(v))
                .ok_or_else(bad)
        };
        if s == "youden" {
            Ok(ThresholdRule::Youden)
        } else if let Some(v) = s.strip_prefix("precision=") {
            Ok(ThresholdRule::Precision(unit(v)?))
        } else if let Some(v) = s.strip_prefix("recall=") {
            Ok(ThresholdRule::Recall(unit(v)?))
        } else {
            Ok(ThresholdRule::Fixed(unit(s)?))
        }
    }
}

impl std::fmt::Display for ThresholdRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThresholdRule::Fixed(v) => write!(f, "{v}"),
            ThresholdRule::Youden => write!(f, "youden"),
            ThresholdRule::Precision(v) => write!(f, "precision={v}"),
            ThresholdRule::Recall(v) => write!(f, "recall={v}"),
        }
    }
}

impl TryFrom<String> for ThresholdRule {
    type Error = Error;
    fn try_from(s: String) -> Result<ThresholdRule> {
        s.parse()
    }
}

impl From<ThresholdRule> for String {
    fn from(rule: ThresholdRule) -> String {
        rule.to_string()
    }
}

impl ThresholdRule {
    /// The threshold this rule picks on `(probs, labels)`. Youden's J is maximised over
    /// `roc_curve`'s thresholds (the highest on a tie, as `argmax` over scikit-learn's).
    ///
    /// # Errors
    /// When the validation split lacks a class, or no threshold reaches the precision.
    pub fn choose(&self, probs: &[f64], labels: &[f64]) -> Result<f64> {
        metrics::check("threshold rule", probs, labels)?;
        // the candidates are the distinct scores, visited in decreasing order with the
        // cumulative counts at each: one sort, one pass
        let sweep = || metrics::sweep(probs, labels);
        match *self {
            ThresholdRule::Fixed(v) => Ok(v),
            ThresholdRule::Youden => {
                let (fpr, tpr, thr) = metrics::roc_curve(probs, labels)?;
                let best = (1..thr.len())
                    .max_by(|&i, &j| {
                        (tpr[i] - fpr[i])
                            .total_cmp(&(tpr[j] - fpr[j]))
                            .then(j.cmp(&i))
                    })
                    .unwrap_or(1);
                Ok(thr[best].min(1.0))
            }
            ThresholdRule::Precision(p) => sweep()
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .find(|&(_, tp, fp)| tp / (tp + fp) >= p)
                .map(|(t, _, _)| t)
                .ok_or_else(|| {
                    Error::invalid(
                        "threshold rule",
                        format!("a threshold reaching precision {p} on the validation split"),
                        "none reaches it",
                    )
                }),
            ThresholdRule::Recall(r) => {
                let positives = labels.iter().filter(|&&l| l == 1.0).count() as f64;
                let recall = |tp: f64| {
                    if positives == 0.0 {
                        0.0
                    } else {
                        tp / positives
                    }
                };
                Ok(sweep()
                    .find(|&(_, tp, _)| recall(tp) >= r)
                    .map_or(0.0, |(t, _, _)| t))
            }
        }
    }
}
