//! [`Callback`]: code that runs after every batch and epoch of a fit (progress bars, logging,
//! [`Checkpoint`]s), and may stop it.

use std::path::PathBuf;

use logit_core::checkpoint::{self, Value};
use logit_core::Result;
use logit_nn::Module;
use logit_optim::Optimizer;

use crate::EpochLog;

/// What a callback tells the loop after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this epoch (early stopping still restores the best weights).
    Stop,
}

/// Hooks into [`Fit::run`](crate::Fit::run); every method has a default that does nothing.
pub trait Callback {
    /// After each training batch, with its loss.
    fn on_batch_end(&mut self, _epoch: usize, _batch: usize, _loss: f64) {}

    /// After each epoch's validation, with the model and optimizer as they are then.
    ///
    /// # Errors
    /// An error ends the fit with it (a checkpoint that cannot be written).
    fn on_epoch_end(
        &mut self,
        _log: &EpochLog,
        _model: &dyn Module,
        _optimizer: &dyn Optimizer,
    ) -> Result<Control> {
        Ok(Control::Continue)
    }
}

impl<F: FnMut(&EpochLog)> Callback for F {
    fn on_epoch_end(
        &mut self,
        log: &EpochLog,
        _: &dyn Module,
        _: &dyn Optimizer,
    ) -> Result<Control> {
        self(log);
        Ok(Control::Continue)
    }
}

/// Saves `{"model", "optimizer", "epoch"}` with `torch.save`'s format every `every` epochs,
/// as PyTorch scripts do by hand, so `checkpoint::load` (or `torch.load`) resumes the run.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    path: PathBuf,
    every: usize,
}

impl Checkpoint {
    /// A checkpoint written (atomically, replacing the last) to `path` every `every` epochs
    /// (at least 1).
    pub fn new(path: impl Into<PathBuf>, every: usize) -> Checkpoint {
        Checkpoint {
            path: path.into(),
            every: every.max(1),
        }
    }
}

impl Callback for Checkpoint {
    fn on_epoch_end(
        &mut self,
        log: &EpochLog,
        model: &dyn Module,
        optimizer: &dyn Optimizer,
    ) -> Result<Control> {
        if log.epoch.is_multiple_of(self.every) {
            let value = Value::dict([
                ("model", Value::from(&model.state_dict())),
                ("optimizer", optimizer.state_dict()),
                ("epoch", Value::Int(log.epoch as i64)),
            ]);
            checkpoint::save(&value, &self.path)?;
        }
        Ok(Control::Continue)
    }
}
