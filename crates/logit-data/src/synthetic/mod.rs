//! Seeded synthetic data sets, each documented with its distribution: the tutorial's churn and
//! diabetes generators, an imbalanced fraud set, and image batches for the transfer head.

mod churn;
mod diabetes;
mod fraud;
mod images;

pub use churn::churn;
pub use diabetes::diabetes;
pub use fraud::{fraud, FraudConfig};
pub use images::image_batch;

use logit_core::{DType, Generator, Result, Tensor};

/// `n` samples of `N(mean, std)` from `g` (`torch.normal(mean, std, (n,), dtype=float64)`).
pub(crate) fn normal(g: &mut Generator, n: usize, mean: f64, std: f64) -> Result<Vec<f64>> {
    Ok(Tensor::normal(&[n], mean, std, DType::F64, Some(g))?.to_vec::<f64>())
}

/// A column-major list of feature columns as an `[n, columns]` f32 tensor.
pub(crate) fn from_columns(cols: &[Vec<f64>]) -> Result<Tensor> {
    let n = cols.first().map_or(0, |c| c.len());
    let mut v = Vec::with_capacity(n * cols.len());
    for i in 0..n {
        for c in cols {
            v.push(c[i] as f32);
        }
    }
    Tensor::from_vec(v, &[n, cols.len()])
}
