//! [`Identity`]: returns its input, like `nn.Identity()` (a placeholder when swapping heads).

use logit_core::{Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit};

/// Returns its input unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl Visit for Identity {}

impl Module for Identity {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, Ok(x.clone()))
    }
}
