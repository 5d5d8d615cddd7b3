//! Activation layers: Sigmoid, ReLU, LeakyReLU, Tanh, Softmax, LogSoftmax. Each wraps the
//! tensor op of the same name; they have no parameters, so they add no state-dict keys.

use logit_core::{Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit};

/// `σ(x) = 1 / (1 + e^{−x})`, like `nn.Sigmoid()`: turns a logit into a probability.
///
/// ```
/// use logit_core::Tensor;
/// use logit_nn::{Module, Sigmoid};
/// let p = Sigmoid.forward(&Tensor::new([0.0, 2.0])?)?;
/// assert!((p.to_vec::<f32>()[1] - 0.880797).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Sigmoid;

impl Visit for Sigmoid {}

impl Module for Sigmoid {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, Ok(x.sigmoid()))
    }
}

/// `max(x, 0)`, like `nn.ReLU()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReLU;

impl Visit for ReLU {}

impl Module for ReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, Ok(x.relu()))
    }
}

/// `x` for `x > 0`, else `negative_slope·x`, like `nn.LeakyReLU(negative_slope=0.01)`.
#[derive(Debug, Clone, Copy)]
pub struct LeakyReLU {
    /// Slope for negative inputs.
    pub negative_slope: f64,
}

impl Default for LeakyReLU {
    fn default() -> Self {
        LeakyReLU {
            negative_slope: 0.01,
        }
    }
}

impl LeakyReLU {
    /// A LeakyReLU with the given slope.
    pub fn new(negative_slope: f64) -> LeakyReLU {
        LeakyReLU { negative_slope }
    }
}

impl Visit for LeakyReLU {}

impl Module for LeakyReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, Ok(x.leaky_relu(self.negative_slope)))
    }
    fn extra_repr(&self) -> String {
        format!("negative_slope={}", self.negative_slope)
    }
}

/// `tanh(x)`, like `nn.Tanh()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tanh;

impl Visit for Tanh {}

impl Module for Tanh {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, Ok(x.tanh()))
    }
}

/// Softmax over `dim`, like `nn.Softmax(dim)`.
#[derive(Debug, Clone, Copy)]
pub struct Softmax {
    /// The dim that sums to 1.
    pub dim: isize,
}

impl Softmax {
    /// A softmax over `dim`.
    pub fn new(dim: isize) -> Softmax {
        Softmax { dim }
    }
}

impl Visit for Softmax {}

impl Module for Softmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, x.softmax(self.dim))
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

/// Log-softmax over `dim`, like `nn.LogSoftmax(dim)`.
#[derive(Debug, Clone, Copy)]
pub struct LogSoftmax {
    /// The dim to normalise over.
    pub dim: isize,
}

impl LogSoftmax {
    /// A log-softmax over `dim`.
    pub fn new(dim: isize) -> LogSoftmax {
        LogSoftmax { dim }
    }
}

impl Visit for LogSoftmax {}

impl Module for LogSoftmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, x.log_softmax(self.dim))
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}
