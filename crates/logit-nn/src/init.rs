//! `torch.nn.init`: in-place initialisers with PyTorch's fan and gain arithmetic, drawing from
//! the same stream as PyTorch (the global generator, or `generator=g`).
//!
//! ```
//! use logit_core::{manual_seed, Tensor};
//! use logit_nn::init::{self, FanMode, Nonlinearity};
//! manual_seed(0);
//! let w = Tensor::zeros(&[64, 3, 7, 7]);
//! // nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
//! init::kaiming_normal_(&w, 0.0, FanMode::FanOut, Nonlinearity::Relu, None)?;
//! # Ok::<(), logit_core::Error>(())
//! ```

use logit_core::{default_dtype, Error, Generator, Result, Tensor};

/// The `nonlinearity` argument of [`calculate_gain`] and the Kaiming initialisers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nonlinearity {
    /// `"linear"` and the convolutions (`"conv2d"`, …): gain 1.
    Linear,
    /// `"sigmoid"`: gain 1.
    Sigmoid,
    /// `"tanh"`: gain 5/3.
    Tanh,
    /// `"relu"`: gain √2.
    Relu,
    /// `"leaky_relu"` with the initialiser's `a` as its negative slope: `√(2 / (1 + a²))`.
    LeakyRelu,
    /// `"selu"`: gain 3/4.
    Selu,
}

/// The `mode` of the Kaiming initialisers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanMode {
    /// Preserve the variance of the forward pass (`"fan_in"`, the default).
    FanIn,
    /// Preserve the variance of the backward pass (`"fan_out"`).
    FanOut,
}

/// `nn.init.calculate_gain(nonlinearity, param)`; `param` is the leaky ReLU slope (PyTorch's
/// default 0.01 when `None`).
pub fn calculate_gain(nonlinearity: Nonlinearity, param: Option<f64>) -> f64 {
    match nonlinearity {
        Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
        Nonlinearity::Tanh => 5.0 / 3.0,
        Nonlinearity::Relu => 2f64.sqrt(),
        Nonlinearity::LeakyRelu => {
            let slope = param.unwrap_or(0.01);
            (2.0 / (1.0 + slope.powi(2))).sqrt()
        }
        Nonlinearity::Selu => 3.0 / 4.0,
    }
}

/// `(fan_in, fan_out)` of a weight, as `_calculate_fan_in_and_fan_out`: dims 1 and 0 times the
/// product of the remaining (receptive field) dims.
///
/// # Errors
/// When the tensor has fewer than 2 dims.
pub fn calculate_fan_in_and_fan_out(shape: &[usize]) -> Result<(usize, usize)> {
    if shape.len() < 2 {
        return Err(Error::invalid(
            "calculate_fan_in_and_fan_out",
            "a tensor with at least 2 dims",
            format!("shape {shape:?}"),
        ));
    }
    let receptive: usize = shape[2..].iter().product();
    Ok((shape[1] * receptive, shape[0] * receptive))
}

fn fan(shape: &[usize], mode: FanMode) -> Result<f64> {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(shape)?;
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    if fan == 0 {
        return Err(Error::invalid(
            "kaiming init",
            "a non-empty tensor",
            format!("shape {shape:?}"),
        ));
    }
    Ok(fan as f64)
}

/// `gain / √fan`, the standard deviation both Kaiming initialisers aim at.
fn kaiming_std(t: &Tensor, a: f64, mode: FanMode, nonlinearity: Nonlinearity) -> Result<f64> {
    Ok(calculate_gain(nonlinearity, Some(a)) / fan(t.shape(), mode)?.sqrt())
}

/// `nn.init.uniform_(tensor, a, b)`.
///
/// # Errors
/// When `a > b` or the tensor is not float.
pub fn uniform_(t: &Tensor, a: f64, b: f64, g: Option<&mut Generator>) -> Result<()> {
    t.uniform_(a, b, g)
}

/// `nn.init.normal_(tensor, mean, std)`.
///
/// # Errors
/// When `std` is invalid or the tensor is not float.
pub fn normal_(t: &Tensor, mean: f64, std: f64, g: Option<&mut Generator>) -> Result<()> {
    t.normal_(mean, std, g)
}

/// `nn.init.constant_(tensor, val)`.
pub fn constant_(t: &Tensor, val: f64) {
    let v = Tensor::full_dtype(t.shape(), val, t.dtype());
    t.copy_(&v).expect("same shape");
}

/// `nn.init.zeros_(tensor)`.
pub fn zeros_(t: &Tensor) {
    constant_(t, 0.0);
}

/// `nn.init.ones_(tensor)`.
pub fn ones_(t: &Tensor) {
    constant_(t, 1.0);
}

/// `nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)`: uniform in `±√3·gain/√fan`.
///
/// # Errors
/// When the tensor has fewer than 2 dims or no elements.
pub fn kaiming_uniform_(
    t: &Tensor,
    a: f64,
    mode: FanMode,
    nonlinearity: Nonlinearity,
    g: Option<&mut Generator>,
) -> Result<()> {
    let bound = 3f64.sqrt() * kaiming_std(t, a, mode, nonlinearity)?;
    t.uniform_(-bound, bound, g)
}

/// `nn.init.kaiming_normal_(tensor, a, mode, nonlinearity)`: `N(0, gain²/fan)`.
///
/// # Errors
/// When the tensor has fewer than 2 dims or no elements.
pub fn kaiming_normal_(
    t: &Tensor,
    a: f64,
    mode: FanMode,
    nonlinearity: Nonlinearity,
    g: Option<&mut Generator>,
) -> Result<()> {
    t.normal_(0.0, kaiming_std(t, a, mode, nonlinearity)?, g)
}

fn xavier_std(t: &Tensor, gain: f64) -> Result<f64> {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(t.shape())?;
    Ok(gain * (2.0 / (fan_in + fan_out) as f64).sqrt())
}

/// `nn.init.xavier_uniform_(tensor, gain)`: uniform in `±gain·√(6/(fan_in + fan_out))`.
///
/// # Errors
/// When the tensor has fewer than 2 dims.
pub fn xavier_uniform_(t: &Tensor, gain: f64, g: Option<&mut Generator>) -> Result<()> {
    let a = 3f64.sqrt() * xavier_std(t, gain)?;
    t.uniform_(-a, a, g)
}

/// `nn.init.xavier_normal_(tensor, gain)`: `N(0, gain²·2/(fan_in + fan_out))`.
///
/// # Errors
/// When the tensor has fewer than 2 dims.
pub fn xavier_normal_(t: &Tensor, gain: f64, g: Option<&mut Generator>) -> Result<()> {
    let std = xavier_std(t, gain)?;
    t.normal_(0.0, std, g)
}

/// A weight of `shape` initialised as Linear and Conv layers do in `reset_parameters`:
/// `kaiming_uniform_(w, a=√5)`, as a parameter.
///
/// # Errors
/// When the shape has fewer than 2 dims or no elements.
pub fn default_weight(shape: &[usize]) -> Result<Tensor> {
    let w = Tensor::try_full_dtype(shape, 0.0, default_dtype())?;
    kaiming_uniform_(
        &w,
        5f64.sqrt(),
        FanMode::FanIn,
        Nonlinearity::LeakyRelu,
        None,
    )?;
    Ok(w.requires_grad_(true))
}

/// The bias that goes with [`default_weight`]: uniform in `±1/√fan_in` of the weight, drawn
/// after it, as a parameter.
///
/// # Errors
/// When the weight shape has fewer than 2 dims.
pub fn default_bias(len: usize, weight_shape: &[usize]) -> Result<Tensor> {
    let (fan_in, _) = calculate_fan_in_and_fan_out(weight_shape)?;
    let bound = if fan_in > 0 {
        1.0 / (fan_in as f64).sqrt()
    } else {
        0.0
    };
    let b = Tensor::try_full_dtype(&[len], 0.0, default_dtype())?;
    b.uniform_(-bound, bound, None)?;
    Ok(b.requires_grad_(true))
}
