//! Parameter initialisation with PyTorch's defaults (`torch.nn.init`).

use logit_core::{default_dtype, DType, Error, Result, Tensor};

/// A leaf parameter (`requires_grad = true`) of `shape`, uniform in `[-bound, bound)`, drawn
/// from the global generator (reproducible after `manual_seed`).
///
/// # Errors
/// When `bound` is not finite.
pub fn uniform_param(shape: &[usize], bound: f64, dtype: DType) -> Result<Tensor> {
    Ok(Tensor::uniform(shape, -bound, bound, dtype, None)?.requires_grad_(true))
}

/// PyTorch's default for Linear and Conv weights, `kaiming_uniform_(w, a=√5)`: the bound
/// `gain·√(3/fan_in)` with `gain = √(2/(1+a²))` simplifies to `1/√fan_in`; biases use the same
/// bound.
///
/// # Errors
/// When `fan_in` is 0.
pub fn kaiming_uniform(shape: &[usize], fan_in: usize) -> Result<Tensor> {
    if fan_in == 0 {
        return Err(Error::invalid("kaiming_uniform", "fan_in > 0", "0"));
    }
    uniform_param(shape, 1.0 / (fan_in as f64).sqrt(), default_dtype())
}
