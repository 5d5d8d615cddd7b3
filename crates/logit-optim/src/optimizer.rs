//! The [`Optimizer`] trait and [`ParamGroup`], plus the checks and helpers every update rule
//! shares.

use logit_core::checkpoint::Value;
use logit_core::{Error, Float, Result, Storage, Tensor};

/// Parameters that share a learning rate and weight decay, like an entry of PyTorch's
/// `optimizer.param_groups`.
#[derive(Debug, Clone)]
pub struct ParamGroup {
    /// Handles to the parameters (they share data with the model).
    pub params: Vec<Tensor>,
    /// Learning rate.
    pub lr: f64,
    /// L2 penalty (decoupled for AdamW).
    pub weight_decay: f64,
    /// Entries of a group loaded from a PyTorch state dict that logit does not use (such as
    /// `initial_lr`, which PyTorch's schedulers add), written back by `state_dict()` so that a
    /// checkpoint passes through logit unchanged.
    pub extra: Vec<(String, Value)>,
}

/// An optimizer, like `torch.optim.Optimizer`: `zero_grad()`, `backward()`, `step()`.
pub trait Optimizer {
    /// Updates every parameter that has a gradient (frozen ones are skipped), in place and
    /// without recording.
    ///
    /// # Errors
    /// When a gradient's dtype differs from its parameter's.
    fn step(&mut self) -> Result<()>;

    /// The parameter groups.
    fn param_groups(&self) -> &[ParamGroup];

    /// The parameter groups, to change a group's `lr` or `weight_decay`.
    fn param_groups_mut(&mut self) -> &mut [ParamGroup];

    /// Drops every parameter's gradient (PyTorch's `set_to_none=True` default).
    fn zero_grad(&mut self) {
        for g in self.param_groups() {
            for p in &g.params {
                p.zero_grad();
            }
        }
    }

    /// The state in PyTorch's layout, like `optimizer.state_dict()`: `state` keyed by
    /// parameter index (step counts and buffers such as `exp_avg`), `param_groups` with their
    /// hyperparameters. Save it in a checkpoint with `logit_core::checkpoint::save`.
    fn state_dict(&self) -> Value;

    /// Restores a state saved by [`Optimizer::state_dict`] here or by PyTorch, like
    /// `optimizer.load_state_dict(sd)`: hyperparameters and buffers are taken over, so training
    /// resumes exactly where it stopped.
    ///
    /// # Errors
    /// When the groups differ in number or size from this optimizer's, a buffer's shape differs
    /// from its parameter's, or an entry is missing or of the wrong type.
    fn load_state_dict(&mut self, state_dict: &Value) -> Result<()>;

    /// The first group's learning rate.
    fn lr(&self) -> f64 {
        self.param_groups().first().map_or(0.0, |g| g.lr)
    }

    /// Sets every group's learning rate.
    fn set_lr(&mut self, lr: f64) {
        for g in self.param_groups_mut() {
            g.lr = lr;
        }
    }
}

pub(crate) fn check_lr(name: &str, lr: f64) -> Result<()> {
    if !(lr >= 0.0 && lr.is_finite()) {
        return Err(Error::hyperparameter(
            name,
            "lr",
            ">= 0",
            format!("Invalid learning rate: {lr}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_nonneg(name: &str, what: &str, v: f64) -> Result<()> {
    if !(v >= 0.0 && v.is_finite()) {
        return Err(Error::hyperparameter(
            name,
            what,
            ">= 0",
            format!("Invalid {what} value: {v}"),
        ));
    }
    Ok(())
}

pub(crate) fn group(
    name: &str,
    params: Vec<Tensor>,
    lr: f64,
    weight_decay: f64,
) -> Result<ParamGroup> {
    check_lr(name, lr)?;
    check_nonneg(name, "weight_decay", weight_decay)?;
    if params.is_empty() {
        return Err(Error::invalid(
            name,
            "a non-empty list of parameters",
            "an empty list",
        ));
    }
    if let Some(p) = params.iter().find(|p| !p.dtype().is_float()) {
        return Err(Error::invalid(
            name,
            "float parameters",
            format!("{:?}", p.dtype()),
        ));
    }
    Ok(ParamGroup {
        params,
        lr,
        weight_decay,
        extra: Vec::new(),
    })
}

/// Per-parameter optimizer state: a step count and buffers of the parameter's dtype and size
/// (momentum, first and second moments, …), created as zeros at the first update.
pub(crate) struct Buffers {
    pub step: u64,
    pub bufs: Vec<Storage>,
}

/// `a + w·(b − a)` as `torch.lerp` computes it (the form depends on `w`), so exponential
/// averages round exactly like PyTorch's.
#[inline(always)]
pub(crate) fn lerp<T: Float>(a: T, b: T, w: T) -> T {
    if w.abs() < T::c(0.5) {
        a + w * (b - a)
    } else {
        b - (b - a) * (T::one() - w)
    }
}
