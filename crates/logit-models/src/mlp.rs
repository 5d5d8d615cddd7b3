//! [`Mlp`]: a multilayer perceptron for tabular data, sized by a list of hidden widths.

use logit_core::{Error, Result, Tensor};
use logit_nn::{Dropout, LeakyReLU, Linear, Module, ReLU, Sequential, Sigmoid, Tanh};

/// The hidden layers' activation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Activation {
    /// `nn.ReLU()`.
    #[default]
    ReLU,
    /// `nn.Tanh()`.
    Tanh,
    /// `nn.LeakyReLU(negative_slope)`.
    LeakyReLU(f64),
    /// `nn.Sigmoid()`.
    Sigmoid,
}

/// `Linear → activation → [Dropout]` per hidden width, then `Linear(last, out_features)`
/// with no output activation: it returns logits, for `BCEWithLogitsLoss` (apply a sigmoid to
/// read probabilities). The layers are numbered as one `nn.Sequential` (`0.weight`, `2.bias`,
/// …), so the same PyTorch `Sequential` loads its state dict.
///
/// ```
/// use logit_core::Tensor;
/// use logit_models::{Activation, Mlp};
/// use logit_nn::Module;
/// let mlp = Mlp::new(8, &[32, 16], Activation::ReLU, 0.1)?;
/// assert_eq!(mlp.forward(&Tensor::zeros(&[4, 8]))?.shape(), &[4, 1]);
/// assert_eq!(mlp.state_dict().keys()[2], "3.weight"); // Linear, ReLU, Dropout, Linear, …
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Module)]
pub struct Mlp {
    #[module(flatten)]
    layers: Sequential,
}

impl Mlp {
    /// A network from `in_features` through `hidden` widths to one logit.
    ///
    /// # Errors
    /// When a width is 0 or `dropout` is outside `[0, 1]`.
    pub fn new(
        in_features: usize,
        hidden: &[usize],
        activation: Activation,
        dropout: f64,
    ) -> Result<Mlp> {
        Mlp::with_outputs(in_features, hidden, 1, activation, dropout)
    }

    /// As [`Mlp::new`] with `out_features` logits.
    ///
    /// # Errors
    /// As [`Mlp::new`].
    pub fn with_outputs(
        in_features: usize,
        hidden: &[usize],
        out_features: usize,
        activation: Activation,
        dropout: f64,
    ) -> Result<Mlp> {
        if !(0.0..=1.0).contains(&dropout) {
            return Err(Error::invalid(
                "Mlp",
                "dropout in [0, 1]",
                dropout.to_string(),
            ));
        }
        let mut layers = Sequential::new();
        let mut width = in_features;
        for &h in hidden {
            layers.push(Linear::new(width, h)?);
            match activation {
                Activation::ReLU => layers.push(ReLU),
                Activation::Tanh => layers.push(Tanh),
                Activation::LeakyReLU(slope) => layers.push(LeakyReLU::new(slope)),
                Activation::Sigmoid => layers.push(Sigmoid),
            }
            if dropout > 0.0 {
                layers.push(Dropout::new(dropout)?);
            }
            width = h;
        }
        layers.push(Linear::new(width, out_features)?);
        Ok(Mlp { layers })
    }

    /// The layers, in order.
    pub fn layers(&self) -> &Sequential {
        &self.layers
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.layers.forward(x)
    }
}
