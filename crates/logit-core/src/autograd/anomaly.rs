//! Anomaly detection (PyTorch's `torch.autograd.detect_anomaly`): an opt-in mode that names the
//! op that first produced a NaN or an infinity, in the forward or the backward pass.

use std::cell::{Cell, RefCell};

use crate::{Error, Storage, Tensor};

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static FIRST_FORWARD: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// True inside a [`detect_anomaly`] scope on this thread.
pub fn is_anomaly_enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Restores the previous anomaly mode when dropped.
#[must_use = "anomaly mode ends as soon as the guard is dropped"]
pub struct AnomalyGuard {
    prev: bool,
}

impl Drop for AnomalyGuard {
    fn drop(&mut self) {
        ENABLED.with(|e| e.set(self.prev));
    }
}

/// Turns anomaly detection on or off on this thread.
pub fn set_detect_anomaly(enabled: bool) -> AnomalyGuard {
    let prev = ENABLED.with(|e| e.replace(enabled));
    if enabled {
        FIRST_FORWARD.with(|f| *f.borrow_mut() = None);
    }
    AnomalyGuard { prev }
}

/// Turns anomaly detection on until the guard is dropped. In this mode every recorded op's
/// output is checked for NaN or infinity; the first offender is remembered and reported by
/// [`Tensor::check_finite`](crate::Tensor::check_finite), and `backward` fails with
/// [`Error::NonFinite`] naming the backward node that first produced a non-finite gradient.
///
/// ```
/// use logit_core::{autograd::detect_anomaly, Tensor};
/// let _a = detect_anomaly();
/// let x = Tensor::new([0.0, 1.0])?.requires_grad_(true);
/// let err = x.sqrt().sum().backward().unwrap_err();
/// assert!(err.to_string().contains("SqrtBackward0"), "{err}");
/// # Ok::<(), logit_core::Error>(())
/// ```
pub fn detect_anomaly() -> AnomalyGuard {
    set_detect_anomaly(true)
}

pub(crate) fn storage_is_finite(s: &Storage) -> bool {
    if !s.dtype().is_float() {
        return true;
    }
    crate::with_float!(s.dtype(), |E| s
        .as_float::<E>()
        .iter()
        .all(|x| x.is_finite()))
}

pub(crate) fn check_forward(out: &Tensor) {
    if let Some(name) = out.grad_fn() {
        if !storage_is_finite(&out.storage()) {
            FIRST_FORWARD.with(|f| {
                f.borrow_mut().get_or_insert_with(|| name.to_string());
            });
        }
    }
}

pub(crate) fn check_backward(name: &str, grads: &[Option<super::Grad>]) -> Result<(), Error> {
    for g in grads.iter().flatten() {
        if !g.is_finite() {
            return Err(Error::NonFinite {
                op: name.to_string(),
                phase: "backward",
            });
        }
    }
    Ok(())
}

impl Tensor {
    /// Returns an error when this tensor holds a NaN or an infinity. Under anomaly mode the
    /// error names the first recorded op whose forward output was non-finite; otherwise `what`.
    ///
    /// # Errors
    /// [`Error::NonFinite`] on any NaN or infinity.
    pub fn check_finite(&self, what: &str) -> Result<(), Error> {
        if storage_is_finite(&self.storage()) {
            return Ok(());
        }
        let op = FIRST_FORWARD
            .with(|f| f.borrow().clone())
            .filter(|_| is_anomaly_enabled())
            .unwrap_or_else(|| what.to_string());
        Err(Error::NonFinite {
            op,
            phase: "forward",
        })
    }
}
