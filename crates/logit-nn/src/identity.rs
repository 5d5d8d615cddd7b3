//! [`Identity`]: returns its input, like `nn.Identity()` (a placeholder when swapping heads).

use logit_core::{Result, Tensor};

use crate::Module;

/// Returns its input unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl Module for Identity {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.clone())
    }
}
