//! [`Values`]: what a series can be drawn from — tensors, slices, vectors and arrays.

use logit_core::Tensor;

/// Numbers a figure can plot: a [`Tensor`] (any shape, read in order, like `x.numpy()`), or
/// a slice, `Vec` or array of `f64`/`f32`.
pub trait Values {
    /// The values as `f64`.
    fn to_f64s(&self) -> Vec<f64>;
}

impl Values for Tensor {
    fn to_f64s(&self) -> Vec<f64> {
        self.to_vec_f64()
    }
}

impl Values for [f64] {
    fn to_f64s(&self) -> Vec<f64> {
        self.to_vec()
    }
}

impl Values for [f32] {
    fn to_f64s(&self) -> Vec<f64> {
        self.iter().map(|&v| f64::from(v)).collect()
    }
}

impl<T: Values + ?Sized> Values for &T {
    fn to_f64s(&self) -> Vec<f64> {
        (**self).to_f64s()
    }
}

impl Values for Vec<f64> {
    fn to_f64s(&self) -> Vec<f64> {
        self.clone()
    }
}

impl Values for Vec<f32> {
    fn to_f64s(&self) -> Vec<f64> {
        self.as_slice().to_f64s()
    }
}

impl<const N: usize> Values for [f64; N] {
    fn to_f64s(&self) -> Vec<f64> {
        self.to_vec()
    }
}

impl<const N: usize> Values for [f32; N] {
    fn to_f64s(&self) -> Vec<f64> {
        self.as_slice().to_f64s()
    }
}
