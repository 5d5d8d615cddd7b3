//! [`ImprovedModel`]: the tutorial's logits model, trained with `BCEWithLogitsLoss`.

use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module};

/// A linear layer that returns raw logits, the tutorial's `ImprovedModel(input_size)`: train it
/// with [`BCEWithLogitsLoss`](https://docs.rs/logit-losses) (stable for any logit) and apply
/// the sigmoid only to read probabilities, with [`ImprovedModel::predict_proba`].
/// State-dict keys: `linear.weight`, `linear.bias`.
#[derive(Module)]
pub struct ImprovedModel {
    /// `Linear(input_size, 1)`.
    pub linear: Linear,
}

impl ImprovedModel {
    /// A model for `input_size` features.
    ///
    /// # Errors
    /// When `input_size` is 0.
    pub fn new(input_size: usize) -> Result<ImprovedModel> {
        Ok(ImprovedModel {
            linear: Linear::new(input_size, 1)?,
        })
    }

    /// `σ(forward(x))`: probabilities, computed without recording a graph.
    ///
    /// # Errors
    /// As `forward`.
    pub fn predict_proba(&self, x: &Tensor) -> Result<Tensor> {
        let _g = logit_core::no_grad();
        Ok(self.forward(x)?.sigmoid())
    }
}

impl Module for ImprovedModel {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.linear.forward(x)
    }
}
