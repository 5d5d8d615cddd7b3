//! The tutorial's diabetes generator.

use logit_core::{Error, Generator, Result, Tensor};
use rand::Rng;

use super::{from_columns, normal};

/// `n` patients from the tutorial's `generate_sample_data`: age `N(0.5, 0.15)`, BMI
/// `N(0.45, 0.2)`, blood pressure `N(0.5, 0.15)`, glucose `N(0.45, 0.17)` and four other
/// features `N(0.5, 0.15)` (columns in that order), and a label
/// `y ~ Bernoulli(clip(0.3 + 0.4·glucose + 0.3·BMI, 0.1, 0.9))`.
///
/// Returns `(x [n, 8], y [n, 1])` as `f32`. The stream differs from NumPy's (ChaCha8 here),
/// so values differ from the tutorial's, with the same distribution.
///
/// # Errors
/// When `n` is 0.
pub fn diabetes(n: usize, seed: u64) -> Result<(Tensor, Tensor)> {
    if n == 0 {
        return Err(Error::invalid("diabetes", "n > 0", "0"));
    }
    let mut g = Generator::new(seed);
    let age = normal(&mut g, n, 0.5, 0.15);
    let bmi = normal(&mut g, n, 0.45, 0.2);
    let bp = normal(&mut g, n, 0.5, 0.15);
    let glucose = normal(&mut g, n, 0.45, 0.17);
    let mut cols = vec![age, bmi.clone(), bp, glucose.clone()];
    let other = normal(&mut g, 4 * n, 0.5, 0.15);
    for k in 0..4 {
        cols.push((0..n).map(|i| other[i * 4 + k]).collect());
    }
    let y: Vec<f32> = (0..n)
        .map(|i| {
            let p = (0.3 + 0.4 * glucose[i] + 0.3 * bmi[i]).clamp(0.1, 0.9);
            f32::from(g.rng().gen_bool(p))
        })
        .collect();
    Ok((from_columns(&cols)?, Tensor::from_vec(y, &[n, 1])?))
}
