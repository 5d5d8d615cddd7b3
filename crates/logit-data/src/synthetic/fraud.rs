//! An imbalanced fraud data set whose rare positives depend on the features.

use logit_core::{Error, Generator, Result, Tensor};

use super::normal;

/// Options of [`fraud`].
#[derive(Debug, Clone, Copy)]
pub struct FraudConfig {
    /// Number of transactions.
    pub n: usize,
    /// Number of features (the tutorial's 20).
    pub features: usize,
    /// Fraction of fraudulent transactions (2% by default).
    pub fraud_rate: f64,
    /// Standard deviation of the noise added to the hidden risk score (0.5): larger makes the
    /// task harder.
    pub noise: f64,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for FraudConfig {
    fn default() -> Self {
        FraudConfig {
            n: 10_000,
            features: 20,
            fraud_rate: 0.02,
            noise: 0.5,
            seed: 0,
        }
    }
}

/// Transactions with standard-normal features; the hidden risk score is
/// `s = x·w + 0.5·x₀·x₁ + noise` with `w` a fixed unit vector drawn from the seed, and the
/// `round(fraud_rate·n)` transactions with the highest scores are fraud (label 1). So the rate
/// is exact and a model can learn the pattern, mostly linear with one interaction.
///
/// Returns `(x [n, features], y [n, 1])` as `f32`.
///
/// # Errors
/// When `n` is 0, `features < 2`, or the rate is outside `(0, 1)`.
pub fn fraud(c: FraudConfig) -> Result<(Tensor, Tensor)> {
    if c.n == 0
        || c.features < 2
        || !(c.fraud_rate > 0.0 && c.fraud_rate < 1.0)
        || !(c.noise >= 0.0)
    {
        return Err(Error::invalid(
            "fraud",
            "n > 0, features >= 2, fraud_rate in (0, 1), noise >= 0",
            format!(
                "n {}, features {}, fraud_rate {}, noise {}",
                c.n, c.features, c.fraud_rate, c.noise
            ),
        ));
    }
    let (n, f) = (c.n, c.features);
    let mut g = Generator::new(c.seed);
    let mut w = normal(&mut g, f, 0.0, 1.0)?;
    let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    w.iter_mut().for_each(|v| *v /= norm);
    let x = normal(&mut g, n * f, 0.0, 1.0)?;
    let noise = normal(&mut g, n, 0.0, c.noise.max(0.0))?;
    let score: Vec<f64> = (0..n)
        .map(|i| {
            let row = &x[i * f..(i + 1) * f];
            row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + 0.5 * row[0] * row[1] + noise[i]
        })
        .collect();
    let k = ((c.fraud_rate * n as f64).round() as usize).max(1);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let mut y = vec![0f32; n];
    for &i in &order[..k] {
        y[i] = 1.0;
    }
    let xf: Vec<f32> = x.into_iter().map(|v| v as f32).collect();
    Ok((
        Tensor::from_vec(xf, &[n, f])?,
        Tensor::from_vec(y, &[n, 1])?,
    ))
}
