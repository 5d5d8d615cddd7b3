//! [`ChurnPredictor`]: the tutorial's logistic-regression churn model.

use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module, Sigmoid};

/// `σ(Linear(x))`: one linear layer and a sigmoid, the tutorial's
/// `ChurnPredictor(input_features)`. State-dict keys: `linear.weight`, `linear.bias`.
///
/// ```
/// use logit_core::Tensor;
/// use logit_models::ChurnPredictor;
/// use logit_nn::Module;
/// let model = ChurnPredictor::new(10)?;
/// let p = model.forward(&Tensor::randn(&[5, 10]))?;
/// assert!(p.to_vec::<f32>().iter().all(|v| (0.0..=1.0).contains(v)));
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Module)]
pub struct ChurnPredictor {
    /// `Linear(input_features, 1)`.
    pub linear: Linear,
    /// The output sigmoid.
    pub sigmoid: Sigmoid,
}

impl ChurnPredictor {
    /// A model for `input_features` features (the tutorial uses 10).
    ///
    /// # Errors
    /// When `input_features` is 0.
    pub fn new(input_features: usize) -> Result<ChurnPredictor> {
        Ok(ChurnPredictor {
            linear: Linear::new(input_features, 1)?,
            sigmoid: Sigmoid,
        })
    }
}

impl Module for ChurnPredictor {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.sigmoid.forward(&self.linear.forward(x)?)
    }
}
