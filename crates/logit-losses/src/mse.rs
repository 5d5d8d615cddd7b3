//! Mean squared error: [`mse_loss`] and [`MSELoss`].

use logit_core::{DType, Float, Result, Tensor};

use crate::reduction::{check_target, finish, values, Pointwise, Reduction};

fn kernel<T: Float>(x: &[T], y: &[T]) -> Pointwise<T> {
    let d: Vec<T> = x.iter().zip(y).map(|(&a, &b)| a - b).collect();
    Pointwise {
        loss: d.iter().map(|&v| v * v).collect(),
        dloss: d.iter().map(|&v| v + v).collect(),
    }
}

/// `(x − y)²`, reduced, like `F.mse_loss`.
///
/// # Errors
/// When the target's shape differs.
pub fn mse_loss(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    let y = check_target("mse_loss", input, target)?;
    let (xs, ys) = (input.storage(), y.storage());
    Ok(match input.dtype() {
        DType::F64 => finish(
            input,
            kernel::<f64>(values(&xs), values(&ys)),
            reduction,
            "MseLossBackward0",
        ),
        _ => finish(
            input,
            kernel::<f32>(values(&xs), values(&ys)),
            reduction,
            "MseLossBackward0",
        ),
    })
}

/// `nn.MSELoss`: the struct form of [`mse_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MSELoss {
    /// How to reduce.
    pub reduction: Reduction,
}

impl MSELoss {
    /// Mean reduction.
    pub fn new() -> MSELoss {
        MSELoss::default()
    }

    /// The loss of `input` against `target`.
    ///
    /// # Errors
    /// As [`mse_loss`].
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        mse_loss(input, target, self.reduction)
    }
}
