//! [`History`]: what each epoch of a fit measured, kept so a later fit can resume it.

use serde::{Deserialize, Serialize};

/// One epoch's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// 1-based, counted across resumed fits.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Loss on the validation split after the epoch, if there is one.
    pub val_loss: Option<f64>,
    /// Validation metrics by name, in the order they were added to the fit.
    pub metrics: Vec<(String, f64)>,
    /// The first parameter group's learning rate during the epoch.
    pub lr: f64,
}

/// Every epoch of one or more fits; [`Fit::history`](crate::Fit::history) continues one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One entry per epoch, oldest first.
    pub epochs: Vec<EpochLog>,
    /// The epoch whose weights the model holds after early stopping restored them.
    pub best_epoch: Option<usize>,
    /// Whether the last fit stopped before its epoch budget.
    pub stopped_early: bool,
}

impl History {
    /// The number of epochs run so far.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// True before the first epoch.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// The training losses, one per epoch.
    pub fn train_losses(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// The validation losses of the epochs that had one.
    pub fn val_losses(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.val_loss).collect()
    }

    /// A metric's value per epoch, where it was measured.
    pub fn metric(&self, name: &str) -> Vec<f64> {
        self.epochs
            .iter()
            .filter_map(|e| e.metrics.iter().find(|(n, _)| n == name).map(|(_, v)| *v))
            .collect()
    }
}
