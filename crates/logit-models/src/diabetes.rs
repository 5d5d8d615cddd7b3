//! [`DiabetesPredictor`]: the tutorial's 8-12-8-1 ReLU network with a sigmoid output.

use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module, ReLU, Sigmoid};

/// `σ(layer3(relu(layer2(relu(layer1(x))))))`, the tutorial's
/// `DiabetesPredictor(input_features=8)` with hidden sizes 12 and 8. State-dict keys:
/// `layer1.weight`, `layer1.bias`, …, `layer3.bias`, so PyTorch's weights load directly.
#[derive(Module)]
pub struct DiabetesPredictor {
    /// `Linear(input_features, 12)`.
    pub layer1: Linear,
    /// `Linear(12, 8)`.
    pub layer2: Linear,
    /// `Linear(8, 1)`.
    pub layer3: Linear,
    /// Hidden activation.
    pub relu: ReLU,
    /// Output activation.
    pub sigmoid: Sigmoid,
}

impl DiabetesPredictor {
    /// The tutorial's sizes: `input_features → 12 → 8 → 1`.
    ///
    /// # Errors
    /// When `input_features` is 0.
    pub fn new(input_features: usize) -> Result<DiabetesPredictor> {
        DiabetesPredictor::with_sizes(input_features, 12, 8)
    }

    /// Other hidden sizes: `input_features → hidden1 → hidden2 → 1`.
    ///
    /// # Errors
    /// When a size is 0.
    pub fn with_sizes(
        input_features: usize,
        hidden1: usize,
        hidden2: usize,
    ) -> Result<DiabetesPredictor> {
        Ok(DiabetesPredictor {
            layer1: Linear::new(input_features, hidden1)?,
            layer2: Linear::new(hidden1, hidden2)?,
            layer3: Linear::new(hidden2, 1)?,
            relu: ReLU,
            sigmoid: Sigmoid,
        })
    }
}

impl Module for DiabetesPredictor {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.relu.forward(&self.layer1.forward(x)?)?;
        let x = self.relu.forward(&self.layer2.forward(&x)?)?;
        self.sigmoid.forward(&self.layer3.forward(&x)?)
    }
}
