//! [`Conv2d`]: a 2-D convolution layer with PyTorch's layout and default initialisation.

use logit_core::ops::Conv2dOptions;
use logit_core::{Error, Result, Tensor};

use crate::init::{default_bias, default_weight};
use crate::summary::record;
use crate::{Module, Visit, Visitor};

/// Options of [`Conv2d`] beyond the channel counts and kernel size; PyTorch's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Conv2dConfig {
    /// Stride `(h, w)`.
    pub stride: (usize, usize),
    /// Zero padding `(h, w)`.
    pub padding: (usize, usize),
    /// Dilation `(h, w)`.
    pub dilation: (usize, usize),
    /// Channel groups.
    pub groups: usize,
    /// Whether the layer has a bias.
    pub bias: bool,
}

impl Default for Conv2dConfig {
    fn default() -> Self {
        Conv2dConfig {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
            bias: true,
        }
    }
}

/// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)`.
/// Weight `[out, in/groups, kh, kw]` and bias `[out]`, uniform in `±1/√fan_in` with
/// `fan_in = in/groups·kh·kw` (PyTorch's `kaiming_uniform_(a=√5)`).
///
/// # Shapes
/// input `[N, in_channels, H, W]` → output `[N, out_channels, H', W']`.
pub struct Conv2d {
    /// `[out_channels, in_channels/groups, kh, kw]`.
    pub weight: Tensor,
    /// `[out_channels]`, if any.
    pub bias: Option<Tensor>,
    in_channels: usize,
    out_channels: usize,
    kernel: (usize, usize),
    config: Conv2dConfig,
}

impl Conv2d {
    /// A convolution with a square kernel and the given options.
    ///
    /// # Errors
    /// When a size, stride, dilation or group count is 0, or the channels do not divide by
    /// `groups`.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        config: Conv2dConfig,
    ) -> Result<Conv2d> {
        let c = config;
        if in_channels == 0
            || out_channels == 0
            || kernel_size == 0
            || c.groups == 0
            || !in_channels.is_multiple_of(c.groups)
            || !out_channels.is_multiple_of(c.groups)
            || c.stride.0 * c.stride.1 * c.dilation.0 * c.dilation.1 == 0
        {
            return Err(Error::invalid(
                "Conv2d",
                "positive sizes, strides and dilations, channels divisible by groups",
                format!("Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}, {c:?})"),
            ));
        }
        let shape = [
            out_channels,
            in_channels / c.groups,
            kernel_size,
            kernel_size,
        ];
        let weight = default_weight(&shape)?;
        let bias = if c.bias {
            Some(default_bias(out_channels, &shape)?)
        } else {
            None
        };
        Ok(Conv2d {
            weight,
            bias,
            in_channels,
            out_channels,
            kernel: (kernel_size, kernel_size),
            config: c,
        })
    }
}

impl Conv2d {
    /// The input must be `[N, in_channels, H, W]`.
    pub(crate) fn check(&self, x: &Tensor) -> Result<()> {
        if x.dim() != 4 || x.shape()[1] != self.in_channels {
            return Err(Error::invalid(
                format!("Conv2d({}, {})", self.in_channels, self.out_channels),
                format!("input [N, {}, H, W]", self.in_channels),
                format!("shape {:?}", x.shape()),
            ));
        }
        Ok(())
    }

    /// The functional form's options.
    pub(crate) fn options(&self) -> Conv2dOptions {
        let c = self.config;
        Conv2dOptions {
            stride: c.stride,
            padding: c.padding,
            dilation: c.dilation,
            groups: c.groups,
        }
    }
}

impl Visit for Conv2d {
    fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        v.param("weight", &self.weight);
        if let Some(b) = &self.bias {
            v.param("bias", b);
        }
    }
}

impl Module for Conv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.check(x)?;
        let out = x.conv2d(&self.weight, self.bias.as_ref(), self.options());
        record(self, out)
    }
    fn extra_repr(&self) -> String {
        let c = self.config;
        let mut s = format!(
            "{}, {}, kernel_size={:?}, stride={:?}",
            self.in_channels, self.out_channels, self.kernel, c.stride
        );
        if c.padding != (0, 0) {
            s += &format!(", padding={:?}", c.padding);
        }
        if c.dilation != (1, 1) {
            s += &format!(", dilation={:?}", c.dilation);
        }
        if c.groups != 1 {
            s += &format!(", groups={}", c.groups);
        }
        if !c.bias {
            s += ", bias=False";
        }
        s
    }
}
