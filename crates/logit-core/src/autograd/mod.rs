//! Reverse-mode automatic differentiation: the [`Backward`] trait every op implements beside its
//! forward, the graph of recorded ops ([`Tensor::from_op`](crate::Tensor::from_op)), the engine, `no_grad` and
//! `gradcheck`.

mod anomaly;
mod engine;
mod grad;
mod grad_mode;
mod gradcheck;
mod node;

pub use anomaly::{detect_anomaly, is_anomaly_enabled, set_detect_anomaly, AnomalyGuard};
pub use engine::BackwardOptions;
pub use grad::{Grad, Output, SavedTensor};
pub use grad_mode::{enable_grad, is_grad_enabled, no_grad, no_grad_scope, GradModeGuard};
pub use gradcheck::{gradcheck, GradcheckOptions};
pub(crate) use node::{Edge, Node};

use crate::Result;

/// The backward half of one recorded op (PyTorch: a `grad_fn`).
///
/// Implemented by a struct written directly below the op's forward, holding exactly what its
/// formula reads: shapes, indices, and the [`SavedTensor`]s of the inputs or the output it needs.
/// Public so that other crates (fused losses) can define their own differentiable ops.
pub trait Backward: Send + Sync {
    /// PyTorch's name for this node, e.g. `"SigmoidBackward0"`; shown by `grad_fn()` and
    /// anomaly mode.
    fn name(&self) -> &'static str;

    /// Given `dL/d(output)`, returns `dL/d(input_i)` for each input in order. `needs_grad[i]`
    /// says whether input `i` wants a gradient (PyTorch's `ctx.needs_input_grad`); `None` is
    /// the answer for one that does not. Runs under `no_grad`.
    ///
    /// A returned gradient must have its input's shape; [`Grad::Uniform`] is allowed anywhere.
    fn backward(&self, grad: &Grad, needs_grad: &[bool]) -> Result<Vec<Option<Grad>>>;
}
