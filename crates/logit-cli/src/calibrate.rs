//! Post-hoc calibration on the validation split: temperature scaling and Platt scaling.

use crate::config::Calibration;

fn nll(logits: &[f64], labels: &[f64], a: f64, b: f64) -> f64 {
    logits
        .iter()
        .zip(labels)
        .map(|(&z, &y)| {
            let s = a * z + b;
            // −log σ(s) = log(1 + e^{−s}), written stably
            let softplus = |t: f64| t.max(0.0) + (-t.abs()).exp().ln_1p();
            y * softplus(-s) + (1.0 - y) * softplus(s)
        })
        .sum::<f64>()
        / logits.len().max(1) as f64
}

/// Temperature scaling: the `T > 0` minimising validation log loss of `σ(z / T)`, by golden
/// section search over `log T ∈ [−4, 4]` (the loss is convex in `1/T`).
pub fn temperature(logits: &[f64], labels: &[f64]) -> Calibration {
    let f = |lt: f64| nll(logits, labels, (-lt).exp(), 0.0);
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
    Calibration {
        method: "temperature".into(),
        a: (-(lo + hi) / 2.0).exp(),
        b: 0.0,
    }
}

/// Platt scaling: `σ(a·z + b)` fitted by Newton's method on the validation log loss, with
/// Platt's smoothed targets `(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)` against overfitting.
pub fn platt(logits: &[f64], labels: &[f64]) -> Calibration {
    let npos = labels.iter().filter(|&&y| y == 1.0).count() as f64;
    let nneg = labels.len() as f64 - npos;
    let (hi, lo) = ((npos + 1.0) / (npos + 2.0), 1.0 / (nneg + 2.0));
    let t: Vec<f64> = labels
        .iter()
        .map(|&y| if y == 1.0 { hi } else { lo })
        .collect();
    let (mut a, mut b) = (1.0, 0.0);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
        for (&z, &y) in logits.iter().zip(&t) {
            let p = logit_core::ops::sigmoid_scalar(a * z + b);
            let (d, w) = (p - y, p * (1.0 - p));
            ga += d * z;
            gb += d;
            haa += w * z * z;
            hab += w * z;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        // damped Newton: halve the step until the smoothed log loss goes down
        let here = nll(logits, &t, a, b);
        let mut step = 1.0;
        while step > 1e-10 && nll(logits, &t, a - step * da, b - step * db) > here {
            step /= 2.0;
        }
        a -= step * da;
        b -= step * db;
        if (step * da).abs() + (step * db).abs() < 1e-12 {
            break;
        }
    }
    // a non-positive slope would invert the ranking: keep the identity then
    if !(a > 0.0 && a.is_finite() && b.is_finite()) {
        return Calibration::none();
    }
    Calibration {
        method: "platt".into(),
        a,
        b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_recovers_an_overconfident_scale() {
        // labels drawn so that σ(z/3) is calibrated; logits inflated 3×
        let logits: Vec<f64> = (0..2000)
            .map(|i| (i as f64 / 2000.0 - 0.5) * 12.0)
            .collect();
        let labels: Vec<f64> = logits
            .iter()
            .enumerate()
            .map(|(i, &z)| {
                f64::from(
                    ((i * 7919) % 1000) as f64 / 1000.0 < logit_core::ops::sigmoid_scalar(z / 3.0),
                )
            })
            .collect();
        let t = temperature(&logits, &labels);
        assert!((1.0 / t.a - 3.0).abs() < 0.4, "T = {}", 1.0 / t.a);
        let p = platt(&logits, &labels);
        assert!((p.a - 1.0 / 3.0).abs() < 0.05 && p.b.abs() < 0.15, "{p:?}");
    }
}
