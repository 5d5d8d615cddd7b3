//! The tutorial's churn data.

use logit_core::{Error, Generator, Result, Tensor};

/// `n` customers with `features` standard-normal features and labels `Bernoulli(0.5)`,
/// independent of the features, drawn as the tutorial's `torch.randn(n, features)` then
/// `torch.randint(0, 2, (n, 1)).float()` from `torch.Generator().manual_seed(seed)`: a model can
/// only learn noise here, so the loss hovers near `ln 2`.
///
/// Returns `(x [n, features], y [n, 1])` as `f32`.
///
/// # Errors
/// When `n` or `features` is 0.
pub fn churn(n: usize, features: usize, seed: u64) -> Result<(Tensor, Tensor)> {
    if n == 0 || features == 0 {
        return Err(Error::invalid(
            "churn",
            "n > 0 and features > 0",
            format!("n {n}, features {features}"),
        ));
    }
    let mut g = Generator::new(seed);
    let x = Tensor::randn_with(&[n, features], &mut g).float();
    let y = Tensor::randint_with(0, 2, &[n, 1], &mut g)?.float();
    Ok((x, y))
}
