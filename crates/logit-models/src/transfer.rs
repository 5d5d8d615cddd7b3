//! [`TransferHead`]: a frozen pretrained backbone with a new binary head.

use logit_core::{no_grad, Result, Tensor};
use logit_nn::{Linear, Module, Sequential, Sigmoid};

use crate::ResNet;

/// What the new head outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadOutput {
    /// `Linear(num_features, 1) + Sigmoid`: probabilities, for BCELoss (the tutorial's head).
    Probability,
    /// `Linear(num_features, 1)`: logits, for BCEWithLogitsLoss.
    Logits,
}

/// The tutorial's transfer learning: freeze every backbone parameter, put the backbone in eval
/// mode (batch norm uses its running statistics), and replace `fc` with
/// `Sequential(Linear(num_features, 1), Sigmoid)`. Only the head trains; the state dict keeps
/// torchvision's keys with the head as `fc.0.weight`, `fc.0.bias`.
///
/// Because the backbone is frozen and in eval mode, its features are a fixed function of the
/// image: compute them once with [`TransferHead::features`] (under `no_grad`) and train the
/// head on them with [`TransferHead::head_forward`] — much faster than a full forward per step.
#[derive(Module)]
pub struct TransferHead {
    // the keys stay torchvision's (`fc.0.weight`), not `model.fc.0.weight`
    #[module(flatten)]
    model: ResNet,
}

impl TransferHead {
    /// Freezes `backbone` and swaps its classifier for a binary head.
    ///
    /// # Errors
    /// Never for a valid backbone (the head's sizes come from it).
    pub fn new(mut backbone: ResNet, output: HeadOutput) -> Result<TransferHead> {
        backbone.requires_grad_(false);
        backbone.eval();
        let mut head = Sequential::new().add(Linear::new(backbone.num_features(), 1)?);
        if output == HeadOutput::Probability {
            head.push(Sigmoid);
        }
        // the head computes in the backbone's dtype
        if let Some(p) = backbone.parameters().first() {
            head.to_dtype(p.dtype());
        }
        backbone.fc = Box::new(head);
        Ok(TransferHead { model: backbone })
    }

    /// Pooled backbone features `[N, num_features]`, computed without recording a graph.
    ///
    /// # Errors
    /// As [`ResNet::forward_features`].
    pub fn features(&self, images: &Tensor) -> Result<Tensor> {
        let _g = no_grad();
        self.model.forward_features(images)
    }

    /// The head alone, on features from [`TransferHead::features`].
    ///
    /// # Errors
    /// When the features are not `[N, num_features]`.
    pub fn head_forward(&self, features: &Tensor) -> Result<Tensor> {
        self.model.fc.forward(features)
    }

    /// The trainable parameters: the head's weight and bias.
    pub fn head_parameters(&self) -> Vec<Tensor> {
        self.model.fc.parameters()
    }

    /// The backbone with its new head.
    pub fn model(&self) -> &ResNet {
        &self.model
    }
}

impl Module for TransferHead {
    fn forward(&self, images: &Tensor) -> Result<Tensor> {
        self.head_forward(&self.features(images)?)
    }
    // The backbone stays in eval mode: `train()` only reaches the head.
    fn train(&self) {
        self.model.fc.train();
    }
}
