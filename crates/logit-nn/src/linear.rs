//! [`Linear`]: `y = x·Wᵀ + b`, PyTorch's layout and default initialisation.

use logit_core::{Error, Result, Tensor};

use crate::init::{default_bias, default_weight};
use crate::summary::record;
use crate::{Module, Visit, Visitor};

/// A fully connected layer, like `nn.Linear(in_features, out_features, bias=True)`.
///
/// The weight is `[out_features, in_features]` and the bias `[out_features]`, both uniform in
/// `±1/√in_features` (PyTorch's `kaiming_uniform_(a=√5)` default), drawn in PyTorch's order
/// (weight, then bias) so a seeded layer equals PyTorch's.
///
/// # Shapes
/// input `[*, in_features]` → output `[*, out_features]`.
///
/// ```
/// use logit_core::Tensor;
/// use logit_nn::{Linear, Module};
/// let fc = Linear::new(8, 12)?;
/// assert_eq!(fc.forward(&Tensor::zeros(&[32, 8]))?.shape(), &[32, 12]);
/// let err = fc.forward(&Tensor::zeros(&[32, 5])).unwrap_err();
/// assert_eq!(err.to_string(), "Linear(8 -> 12): expected 8 input features, got 5 (input shape [32, 5])");
/// # Ok::<(), logit_core::Error>(())
/// ```
pub struct Linear {
    /// `[out_features, in_features]`.
    pub weight: Tensor,
    /// `[out_features]`, if the layer has a bias.
    pub bias: Option<Tensor>,
    in_features: usize,
    out_features: usize,
}

impl Linear {
    /// A layer with a bias.
    ///
    /// # Errors
    /// When a size is 0.
    pub fn new(in_features: usize, out_features: usize) -> Result<Linear> {
        Linear::with_bias(in_features, out_features, true)
    }

    /// A layer with or without a bias (`bias=False`).
    ///
    /// # Errors
    /// When a size is 0.
    pub fn with_bias(in_features: usize, out_features: usize, bias: bool) -> Result<Linear> {
        if in_features == 0 || out_features == 0 {
            return Err(Error::invalid(
                "Linear",
                "in_features > 0 and out_features > 0",
                format!("Linear({in_features} -> {out_features})"),
            ));
        }
        let weight = default_weight(&[out_features, in_features])?;
        let bias = if bias {
            Some(default_bias(out_features, weight.shape())?)
        } else {
            None
        };
        Ok(Linear {
            weight,
            bias,
            in_features,
            out_features,
        })
    }

    /// Number of input features.
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Number of output features.
    pub fn out_features(&self) -> usize {
        self.out_features
    }
}

impl Visit for Linear {
    fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        v.param("weight", &self.weight);
        if let Some(b) = &self.bias {
            v.param("bias", b);
        }
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let got = x.shape().last().copied();
        if got != Some(self.in_features) {
            return Err(Error::FeatureCount {
                layer: format!("Linear({} -> {})", self.in_features, self.out_features),
                expected: self.in_features,
                got: got.unwrap_or(0),
                shape: x.shape().to_vec(),
            });
        }
        record(self, x.linear(&self.weight, self.bias.as_ref()))
    }

    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            self.in_features,
            self.out_features,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }
}
