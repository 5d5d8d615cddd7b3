//! Pooling layers: [`MaxPool2d`] and [`AdaptiveAvgPool2d`].

use logit_core::{Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit};

/// `nn.MaxPool2d(kernel_size, stride, padding)` with square windows.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d {
    /// Window size.
    pub kernel_size: usize,
    /// Step (PyTorch's default is the kernel size).
    pub stride: usize,
    /// `-∞` padding on each side.
    pub padding: usize,
}

impl MaxPool2d {
    /// Windows of `kernel_size` moved by `stride`, with `padding`.
    pub fn new(kernel_size: usize, stride: usize, padding: usize) -> MaxPool2d {
        MaxPool2d {
            kernel_size,
            stride,
            padding,
        }
    }
}

impl Visit for MaxPool2d {}

impl Module for MaxPool2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (k, s, p) = (self.kernel_size, self.stride, self.padding);
        record(self, x.max_pool2d((k, k), (s, s), (p, p)))
    }
    fn extra_repr(&self) -> String {
        format!(
            "kernel_size={}, stride={}, padding={}, dilation=1, ceil_mode=False",
            self.kernel_size, self.stride, self.padding
        )
    }
}

/// `nn.AdaptiveAvgPool2d(output_size)`: averages into a fixed `(h, w)` grid, whatever the
/// input size.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveAvgPool2d {
    /// Output `(h, w)`.
    pub output_size: (usize, usize),
}

impl AdaptiveAvgPool2d {
    /// Pools to `output_size`.
    pub fn new(output_size: (usize, usize)) -> AdaptiveAvgPool2d {
        AdaptiveAvgPool2d { output_size }
    }
}

impl Visit for AdaptiveAvgPool2d {}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        record(self, x.adaptive_avg_pool2d(self.output_size))
    }
    fn extra_repr(&self) -> String {
        format!("output_size={:?}", self.output_size)
    }
}
