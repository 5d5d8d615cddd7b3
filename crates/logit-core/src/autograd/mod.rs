//! Reverse-mode automatic differentiation: the [`Backward`] trait every op implements beside its
//! forward, the recording hook [`Tensor::from_op`], the engine, `no_grad` and `gradcheck`.

mod anomaly;
mod engine;
mod grad_mode;
mod gradcheck;

pub use anomaly::{detect_anomaly, is_anomaly_enabled, set_detect_anomaly, AnomalyGuard};
pub use engine::BackwardOptions;
pub use grad_mode::{enable_grad, is_grad_enabled, no_grad, no_grad_scope, GradModeGuard};
pub use gradcheck::{gradcheck, GradcheckOptions};

use crate::{Result, Storage, Tensor};

/// The backward half of one recorded op (PyTorch: a `grad_fn`).
///
/// Implemented by a struct written directly below the op's forward; public so that other
/// crates (fused losses) can define their own differentiable ops.
pub trait Backward: Send + Sync {
    /// PyTorch's name for this node, e.g. `"SigmoidBackward0"`; shown by `grad_fn()` and
    /// anomaly mode.
    fn name(&self) -> &'static str;

    /// Given the op's `inputs`, its `output` and `dL/d(output)`, returns `dL/d(input_i)` for
    /// each input in order (`None` when an input gets no gradient). Runs under `no_grad`.
    fn backward(
        &self,
        inputs: &[Tensor],
        output: &Tensor,
        grad_output: &Tensor,
    ) -> Result<Vec<Option<Tensor>>>;

    /// True when `backward` also takes a 0-dim `grad_output` standing for a gradient that is
    /// the same everywhere (what `sum()` and `mean()` hand back). The engine expands such a
    /// gradient to the output's shape for every other op; elementwise backwards that say yes
    /// skip materialising it.
    fn accepts_uniform_grad(&self) -> bool {
        false
    }
}

pub(crate) struct Node {
    pub(crate) inputs: Vec<Tensor>,
    pub(crate) backward: Box<dyn Backward>,
    /// Set when a backward went through this op without `retain_graph`: a second backward
    /// is an error, as in PyTorch, instead of silently accumulating again.
    pub(crate) freed: std::sync::atomic::AtomicBool,
}

impl Tensor {
    /// Wraps the result of an op, recording `backward` when grad mode is on and an input
    /// requires grad. `backward` is a closure so that nothing is built or saved under `no_grad`
    /// or for inputs that need no gradient.
    ///
    /// ```
    /// use logit_core::{autograd::Backward, Result, Storage, Tensor};
    /// // A custom op: y = 3x, with its backward beside it.
    /// struct Triple;
    /// impl Backward for Triple {
    ///     fn name(&self) -> &'static str { "TripleBackward" }
    ///     fn backward(&self, _: &[Tensor], _: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
    ///         Ok(vec![Some(g * 3.0)])
    ///     }
    /// }
    /// let x = Tensor::new([1.0, 2.0])?.requires_grad_(true);
    /// let y = Tensor::from_op(x.mul_scalar(3.0).storage().as_ref().clone(), x.shape().to_vec(), &[&x], || Triple);
    /// y.sum().backward()?;
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![3.0, 3.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    pub fn from_op<B: Backward + 'static>(
        storage: Storage,
        shape: Vec<usize>,
        inputs: &[&Tensor],
        backward: impl FnOnce() -> B,
    ) -> Tensor {
        Tensor::from_op_arc(std::sync::Arc::new(storage), shape, inputs, backward)
    }

    pub(crate) fn from_op_arc<B: Backward + 'static>(
        storage: std::sync::Arc<Storage>,
        shape: Vec<usize>,
        inputs: &[&Tensor],
        backward: impl FnOnce() -> B,
    ) -> Tensor {
        let record = is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
        let node = record.then(|| Node {
            inputs: inputs.iter().map(|&t| t.clone()).collect(),
            backward: Box::new(backward()),
            freed: std::sync::atomic::AtomicBool::new(false),
        });
        let out = Tensor::make(storage, shape, node);
        if is_anomaly_enabled() {
            anomaly::check_forward(&out);
        }
        out
    }
}
