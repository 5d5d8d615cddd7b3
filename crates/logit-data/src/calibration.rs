//! Probability calibration: [`calibration_curve`] (scikit-learn's, the one binning behind the
//! reliability diagram and the ECE) and [`Calibrator`]s that map a model's scores (logits) to
//! calibrated probabilities: temperature scaling, Platt scaling and isotonic regression.

use logit_core::ops::sigmoid_scalar;
use logit_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::metrics::check;

/// Observed frequency against mean predicted probability per bin, from [`calibration_curve`].
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationCurve {
    /// Share of positives in each non-empty bin (`prob_true`).
    pub prob_true: Vec<f64>,
    /// Mean predicted probability in each non-empty bin (`prob_pred`).
    pub prob_pred: Vec<f64>,
    /// Rows in each non-empty bin.
    pub counts: Vec<usize>,
}

/// scikit-learn's `calibration_curve(y_true, y_prob, n_bins=n_bins, strategy="uniform")`:
/// `n_bins` equal-width bins over `[0, 1]`, a probability on an inner edge counted in the
/// lower bin (NumPy's `searchsorted`), empty bins left out.
///
/// ```
/// use logit_data::calibration_curve;
/// let c = calibration_curve(&[0.1, 0.2, 0.8, 0.9], &[0.0, 1.0, 1.0, 1.0], 2)?;
/// assert_eq!(c.prob_true, [0.5, 1.0]);
/// assert_eq!(c.counts, [2, 2]);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// As [`metrics::confusion_matrix`](crate::metrics::confusion_matrix), a probability outside
/// `[0, 1]`, or `n_bins == 0`.
pub fn calibration_curve(probs: &[f64], labels: &[f64], n_bins: usize) -> Result<CalibrationCurve> {
    check("calibration_curve", probs, labels)?;
    if n_bins == 0 {
        return Err(Error::invalid("calibration_curve", "n_bins > 0", "0"));
    }
    if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(Error::invalid(
            "calibration_curve",
            "probabilities in [0, 1]",
            p.to_string(),
        ));
    }
    // np.linspace(0, 1, n_bins + 1)[1:-1]: i·step, as NumPy computes it
    let step = 1.0 / n_bins as f64;
    let inner: Vec<f64> = (1..n_bins).map(|i| i as f64 * step).collect();
    let mut sums = vec![(0.0, 0.0, 0usize); n_bins];
    for (&p, &y) in probs.iter().zip(labels) {
        let bin = inner.partition_point(|&edge| edge < p);
        sums[bin].0 += p;
        sums[bin].1 += y;
        sums[bin].2 += 1;
    }
    let mut curve = CalibrationCurve {
        prob_true: Vec::new(),
        prob_pred: Vec::new(),
        counts: Vec::new(),
    };
    for (p, y, n) in sums.into_iter().filter(|s| s.2 > 0) {
        curve.prob_true.push(y / n as f64);
        curve.prob_pred.push(p / n as f64);
        curve.counts.push(n);
    }
    Ok(curve)
}

/// How scores (logits) become probabilities; fitted on a validation split, saved with a model.
///
/// ```
/// use logit_data::Calibrator;
/// let logits = [-3.0, -1.0, -0.5, 0.5, 1.0, 3.0];
/// let labels = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
/// let platt = Calibrator::platt(&logits, &labels)?;
/// let p = platt.transform(&logits);
/// assert!(p.windows(2).all(|w| w[0] <= w[1]));
/// let json = serde_json::to_string(&platt).unwrap();
/// assert!(json.starts_with(r#"{"method":"platt","#));
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Calibrator {
    /// `σ(z)`.
    None,
    /// `σ(z / temperature)`: one parameter, keeps the ranking and the 0.5 point.
    Temperature {
        /// `T > 0`; above 1 softens over-confident probabilities.
        temperature: f64,
    },
    /// `σ(a·z + b)`, Platt's sigmoid (scikit-learn's `method="sigmoid"`).
    Platt {
        /// Slope.
        a: f64,
        /// Intercept.
        b: f64,
    },
    /// A non-decreasing step-free curve through `(x, y)`, interpolated linearly and clipped at
    /// the ends (scikit-learn's `method="isotonic"`, `IsotonicRegression(out_of_bounds="clip")`).
    Isotonic {
        /// Scores, increasing.
        x: Vec<f64>,
        /// Fitted probabilities, non-decreasing.
        y: Vec<f64>,
    },
}

/// Mean log loss of `σ(a·z + b)` against (possibly smoothed) targets, written stably.
fn nll(scores: &[f64], targets: &[f64], a: f64, b: f64) -> f64 {
    let softplus = |t: f64| t.max(0.0) + (-t.abs()).exp().ln_1p();
    scores
        .iter()
        .zip(targets)
        .map(|(&z, &y)| {
            let s = a * z + b;
            y * softplus(-s) + (1.0 - y) * softplus(s)
        })
        .sum::<f64>()
        / scores.len() as f64
}

impl Calibrator {
    /// Temperature scaling: the `T` minimising the log loss of `σ(z / T)`, by golden-section
    /// search over `log T ∈ [−4, 4]` (the loss is convex in `1/T`).
    ///
    /// # Errors
    /// Empty or mismatched inputs, values that are not finite, labels other than 0 and 1.
    pub fn temperature(scores: &[f64], labels: &[f64]) -> Result<Calibrator> {
        check("Calibrator::temperature", scores, labels)?;
        let f = |lt: f64| nll(scores, labels, (-lt).exp(), 0.0);
        let (mut lo, mut hi) = (-4.0f64, 4.0f64);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..100 {
            let (m1, m2) = (hi - g * (hi - lo), lo + g * (hi - lo));
            if f(m1) < f(m2) {
                hi = m2;
            } else {
                lo = m1;
            }
        }
        Ok(Calibrator::Temperature {
            temperature: ((lo + hi) / 2.0).exp(),
        })
    }

    /// Platt scaling as scikit-learn's `_sigmoid_calibration`: `σ(a·z + b)` fitted to Platt's
    /// smoothed targets `(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)`, here by damped Newton steps to
    /// the exact optimum. A fit whose slope is not positive would invert the ranking; the
    /// identity is returned then.
    ///
    /// # Errors
    /// As [`Calibrator::temperature`].
    pub fn platt(scores: &[f64], labels: &[f64]) -> Result<Calibrator> {
        check("Calibrator::platt", scores, labels)?;
        let npos = labels.iter().filter(|&&y| y == 1.0).count() as f64;
        let nneg = labels.len() as f64 - npos;
        let (hi, lo) = ((npos + 1.0) / (npos + 2.0), 1.0 / (nneg + 2.0));
        let t: Vec<f64> = labels
            .iter()
            .map(|&y| if y == 1.0 { hi } else { lo })
            .collect();
        // sklearn's start: slope 0, intercept log((N₋ + 1)/(N₊ + 1)) in its sign convention
        let (mut a, mut b) = (0.0, ((npos + 1.0) / (nneg + 1.0)).ln());
        for _ in 0..200 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for (&z, &y) in scores.iter().zip(&t) {
                let p = sigmoid_scalar(a * z + b);
                let (d, w) = (p - y, p * (1.0 - p));
                ga += d * z;
                gb += d;
                haa += w * z * z;
                hab += w * z;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-300 {
                break;
            }
            let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
            let here = nll(scores, &t, a, b);
            let mut step = 1.0;
            while step > 1e-12 && nll(scores, &t, a - step * da, b - step * db) > here {
                step /= 2.0;
            }
            a -= step * da;
            b -= step * db;
            if (step * da).abs() + (step * db).abs() < 1e-14 {
                break;
            }
        }
        if !(a > 0.0 && a.is_finite() && b.is_finite()) {
            return Ok(Calibrator::None);
        }
        Ok(Calibrator::Platt { a, b })
    }

    /// Isotonic regression of the labels on the scores (pool adjacent violators, equal scores
    /// averaged first), as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`.
    ///
    /// # Errors
    /// As [`Calibrator::temperature`].
    pub fn isotonic(scores: &[f64], labels: &[f64]) -> Result<Calibrator> {
        check("Calibrator::isotonic", scores, labels)?;
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]));
        // (x, mean y, weight) per distinct score
        let mut pts: Vec<(f64, f64, f64)> = Vec::new();
        for i in order {
            match pts.last_mut() {
                Some(last) if last.0 == scores[i] => {
                    last.1 = (last.1 * last.2 + labels[i]) / (last.2 + 1.0);
                    last.2 += 1.0;
                }
                _ => pts.push((scores[i], labels[i], 1.0)),
            }
        }
        // blocks of (mean, weight, how many points), merged while they decrease
        let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
        for &(_, y, w) in &pts {
            blocks.push((y, w, 1));
            while blocks.len() > 1 && blocks[blocks.len() - 2].0 > blocks[blocks.len() - 1].0 {
                let (y2, w2, n2) = blocks.pop().expect("two blocks");
                let last = blocks.last_mut().expect("two blocks");
                last.0 = (last.0 * last.1 + y2 * w2) / (last.1 + w2);
                last.1 += w2;
                last.2 += n2;
            }
        }
        let y: Vec<f64> = blocks
            .iter()
            .flat_map(|&(v, _, n)| std::iter::repeat_n(v, n))
            .collect();
        Ok(Calibrator::Isotonic {
            x: pts.iter().map(|p| p.0).collect(),
            y,
        })
    }

    /// Calibrated probabilities of `scores`.
    pub fn transform(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&z| self.probability(z)).collect()
    }

    /// The calibrated probability of one score.
    pub fn probability(&self, z: f64) -> f64 {
        match self {
            Calibrator::None => sigmoid_scalar(z),
            Calibrator::Temperature { temperature } => sigmoid_scalar(z / temperature),
            Calibrator::Platt { a, b } => sigmoid_scalar(a * z + b),
            Calibrator::Isotonic { x, y } => interpolate(x, y, z),
        }
    }

    /// `(a, b)` with `p = σ(a·z + b)`, for the calibrators of that form (not isotonic).
    pub fn affine(&self) -> Option<(f64, f64)> {
        match *self {
            Calibrator::None => Some((1.0, 0.0)),
            Calibrator::Temperature { temperature } => Some((1.0 / temperature, 0.0)),
            Calibrator::Platt { a, b } => Some((a, b)),
            Calibrator::Isotonic { .. } => None,
        }
    }

    /// The method's name as `--calibrate` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Calibrator::None => "none",
            Calibrator::Temperature { .. } => "temperature",
            Calibrator::Platt { .. } => "platt",
            Calibrator::Isotonic { .. } => "isotonic",
        }
    }

    /// Whether the parameters can be used: finite, a positive temperature or slope, an
    /// isotonic curve with increasing scores and non-decreasing probabilities in `[0, 1]`.
    pub fn is_valid(&self) -> bool {
        match self {
            Calibrator::None => true,
            Calibrator::Temperature { temperature } => {
                temperature.is_finite() && *temperature > 0.0
            }
            Calibrator::Platt { a, b } => a.is_finite() && b.is_finite() && *a > 0.0,
            Calibrator::Isotonic { x, y } => {
                !x.is_empty()
                    && x.len() == y.len()
                    && x.windows(2).all(|w| w[0] < w[1])
                    && y.windows(2).all(|w| w[0] <= w[1])
                    && y.iter().all(|v| (0.0..=1.0).contains(v))
                    && x.iter().all(|v| v.is_finite())
            }
        }
    }
}

/// Linear interpolation through `(x, y)`, clipped at both ends (`np.interp`).
fn interpolate(x: &[f64], y: &[f64], z: f64) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    if z <= x[0] {
        return y[0];
    }
    if z >= x[n - 1] {
        return y[n - 1];
    }
    let i = x.partition_point(|&v| v <= z);
    let (x0, x1, y0, y1) = (x[i - 1], x[i], y[i - 1], y[i]);
    y0 + (y1 - y0) * (z - x0) / (x1 - x0)
}
