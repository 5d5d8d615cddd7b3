//! [`FraudDetectionModel`]: the tutorial's fraud classifier with batch norm and dropout.

use logit_core::{Result, Tensor};
use logit_nn::{BatchNorm1d, Dropout, Linear, Module, ReLU, Sequential, Sigmoid};

/// The tutorial's `FraudDetectionModel(input_features=20)`:
///
/// ```text
/// feature_extractor: Linear(in, 64) BatchNorm1d(64) ReLU Dropout(0.3)
///                    Linear(64, 32) BatchNorm1d(32) ReLU Dropout(0.2)
/// classifier:        Linear(32, 16) ReLU Linear(16, 1) Sigmoid
/// ```
///
/// Keys follow PyTorch: `feature_extractor.0.weight`, `feature_extractor.1.running_mean`,
/// `classifier.2.bias`, …. Call `eval()` before predicting, so batch norm uses its running
/// statistics and dropout is off.
#[derive(Module)]
pub struct FraudDetectionModel {
    /// Two Linear-BatchNorm-ReLU-Dropout blocks.
    pub feature_extractor: Sequential,
    /// Linear-ReLU-Linear-Sigmoid head.
    pub classifier: Sequential,
}

impl FraudDetectionModel {
    /// The tutorial's default `input_features=20`.
    pub const DEFAULT_INPUT_FEATURES: usize = 20;

    /// The tutorial's sizes (64, 32, 16) and dropout 0.3, then 0.2;
    /// `FraudDetectionModel::new(FraudDetectionModel::DEFAULT_INPUT_FEATURES)` is the
    /// tutorial's `FraudDetectionModel()`.
    ///
    /// # Errors
    /// When `input_features` is 0.
    pub fn new(input_features: usize) -> Result<FraudDetectionModel> {
        FraudDetectionModel::with_sizes(input_features, [64, 32, 16], [0.3, 0.2])
    }

    /// Other hidden sizes and dropout probabilities (one per feature block).
    ///
    /// # Errors
    /// When a size is 0 or a dropout probability is outside `[0, 1]`.
    pub fn with_sizes(
        input_features: usize,
        hidden: [usize; 3],
        dropout: [f64; 2],
    ) -> Result<FraudDetectionModel> {
        let [h1, h2, h3] = hidden;
        let feature_extractor = Sequential::new()
            .add(Linear::new(input_features, h1)?)
            .add(BatchNorm1d::new(h1)?)
            .add(ReLU)
            .add(Dropout::new(dropout[0])?)
            .add(Linear::new(h1, h2)?)
            .add(BatchNorm1d::new(h2)?)
            .add(ReLU)
            .add(Dropout::new(dropout[1])?);
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
}
