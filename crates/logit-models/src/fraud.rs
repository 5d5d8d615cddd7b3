//! [`FraudDetectionModel`]: the tutorial's fraud classifier with batch norm and dropout.

use logit_core::{Result, Tensor};
use logit_nn::{BatchNorm1d, Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Visitor};

/// The tutorial's `FraudDetectionModel(input_dim)`:
///
/// ```text
/// feature_extractor: Linear(in, 64) BatchNorm1d(64) ReLU Dropout(0.3)
///                    Linear(64, 32) BatchNorm1d(32) ReLU Dropout(0.3)
/// classifier:        Linear(32, 16) ReLU Linear(16, 1) Sigmoid
/// ```
///
/// Keys follow PyTorch: `feature_extractor.0.weight`, `feature_extractor.1.running_mean`,
/// `classifier.2.bias`, …. Call `eval()` before predicting, so batch norm uses its running
/// statistics and dropout is off.
pub struct FraudDetectionModel {
    /// Two Linear-BatchNorm-ReLU-Dropout blocks.
    pub feature_extractor: Sequential,
    /// Linear-ReLU-Linear-Sigmoid head.
    pub classifier: Sequential,
}

impl FraudDetectionModel {
    /// The tutorial's sizes (64, 32, 16) and dropout 0.3.
    ///
    /// # Errors
    /// When `input_dim` is 0.
    pub fn new(input_dim: usize) -> Result<FraudDetectionModel> {
        FraudDetectionModel::with_sizes(input_dim, [64, 32, 16], 0.3)
    }

    /// Other hidden sizes and dropout probability.
    ///
    /// # Errors
    /// When a size is 0 or `dropout` is outside `[0, 1)`.
    pub fn with_sizes(
        input_dim: usize,
        hidden: [usize; 3],
        dropout: f64,
    ) -> Result<FraudDetectionModel> {
        let [h1, h2, h3] = hidden;
        let feature_extractor = Sequential::new()
            .add(Linear::new(input_dim, h1)?)
            .add(BatchNorm1d::new(h1)?)
            .add(ReLU)
            .add(Dropout::new(dropout)?)
            .add(Linear::new(h1, h2)?)
            .add(BatchNorm1d::new(h2)?)
            .add(ReLU)
            .add(Dropout::new(dropout)?);
        let classifier = Sequential::new()
            .add(Linear::new(h2, h3)?)
            .add(ReLU)
            .add(Linear::new(h3, 1)?)
            .add(Sigmoid);
        Ok(FraudDetectionModel {
            feature_extractor,
            classifier,
        })
    }
}

impl Module for FraudDetectionModel {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.classifier.forward(&self.feature_extractor.forward(x)?)
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        v.module("feature_extractor", &self.feature_extractor);
        v.module("classifier", &self.classifier);
    }
}
