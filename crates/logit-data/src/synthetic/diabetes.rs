//! The tutorial's diabetes generator.

use logit_core::{Error, Result, Tensor};

use super::from_columns;
use crate::RandomState;

/// The tutorial's `generate_sample_data(n)`, value for value: `np.random.seed(seed)`, then age
/// `N(0.5, 0.15)`, BMI `N(0.45, 0.2)`, blood pressure `N(0.5, 0.15)`, glucose `N(0.45, 0.17)`
/// and four other features `N(0.5, 0.15)` (columns in that order, drawn in that order), and a
/// label `y ~ Binomial(1, clip(0.3 + 0.4·glucose + 0.3·BMI, 0.1, 0.9))`. The tutorial seeds
/// with 42.
///
/// Returns `(x [n, 8], y [n, 1])` as `f32` (`torch.FloatTensor`).
///
/// # Errors
/// When `n` is 0.
pub fn diabetes(n: usize, seed: u32) -> Result<(Tensor, Tensor)> {
    if n == 0 {
        return Err(Error::invalid("diabetes", "n > 0", "0"));
    }
    let mut rs = RandomState::new(seed);
    let age = rs.normal(0.5, 0.15, n)?;
    let bmi = rs.normal(0.45, 0.2, n)?;
    let bp = rs.normal(0.5, 0.15, n)?;
    let glucose = rs.normal(0.45, 0.17, n)?;
    let other = rs.normal(0.5, 0.15, 4 * n)?;
    let mut cols = vec![age, bmi.clone(), bp, glucose.clone()];
    for k in 0..4 {
        cols.push((0..n).map(|i| other[i * 4 + k]).collect());
    }
    let p: Vec<f64> = (0..n)
        .map(|i| (0.3 + 0.4 * glucose[i] + 0.3 * bmi[i]).clamp(0.1, 0.9))
        .collect();
    let y: Vec<f32> = rs.binomial(1, &p)?.into_iter().map(|v| v as f32).collect();
    Ok((from_columns(&cols)?, Tensor::from_vec(y, &[n, 1])?))
}
