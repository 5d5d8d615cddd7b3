//! [`Dropout`]: inverted dropout, active only in training mode.

use std::sync::atomic::{AtomicBool, Ordering};

use logit_core::{Error, Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit};

/// Zeroes each element with probability `p` during training and scales the rest by
/// `1/(1−p)`, so evaluation needs no rescaling; like `nn.Dropout(p)`. Draws from the global
/// generator, so `manual_seed` makes it reproducible.
#[derive(Debug)]
pub struct Dropout {
    p: f64,
    training: AtomicBool,
}

impl Dropout {
    /// A dropout layer, in training mode like every new PyTorch module.
    ///
    /// # Errors
    /// When `p` is outside `[0, 1)`.
    pub fn new(p: f64) -> Result<Dropout> {
        if !(0.0..1.0).contains(&p) {
            return Err(Error::invalid("Dropout", "p in [0, 1)", format!("p = {p}")));
        }
        Ok(Dropout {
            p,
            training: AtomicBool::new(true),
        })
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl Visit for Dropout {}

impl Module for Dropout {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(
            self,
            x.dropout(self.p, self.training.load(Ordering::Relaxed)),
        )
    }
    fn set_training(&self, training: bool) {
        self.training.store(training, Ordering::Relaxed);
    }
    fn training_flag(&self) -> Option<bool> {
        Some(self.training.load(Ordering::Relaxed))
    }
    fn extra_repr(&self) -> String {
        format!("p={}, inplace=False", self.p)
    }
}
