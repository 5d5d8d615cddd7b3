//! [`Flatten`]: merges dims `start_dim..=end_dim`, like `nn.Flatten()`.

use logit_core::{Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit};

/// Flattens dims `start_dim..=end_dim` (default `1..=-1`: everything but the batch dim).
#[derive(Debug, Clone, Copy)]
pub struct Flatten {
    /// First dim to merge.
    pub start_dim: isize,
    /// Last dim to merge.
    pub end_dim: isize,
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten {
            start_dim: 1,
            end_dim: -1,
        }
    }
}

impl Flatten {
    /// `nn.Flatten()`: keeps the batch dim.
    pub fn new() -> Flatten {
        Flatten::default()
    }
}

impl Visit for Flatten {}

impl Module for Flatten {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, x.flatten(self.start_dim, self.end_dim))
    }
    fn extra_repr(&self) -> String {
        format!("start_dim={}, end_dim={}", self.start_dim, self.end_dim)
    }
}
