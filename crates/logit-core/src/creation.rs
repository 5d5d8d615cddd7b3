//! Creating tensors: from Rust data, zeros/ones/full, arange/linspace/eye, and the default dtype.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::shape::numel;
use crate::{DType, Element, Error, Result, Storage, Tensor};

static DEFAULT_DTYPE: AtomicU8 = AtomicU8::new(0);

/// The dtype that float data without an explicit type becomes (`f32` unless changed), like
/// `torch.get_default_dtype()`.
pub fn default_dtype() -> DType {
    if DEFAULT_DTYPE.load(Ordering::Relaxed) == 1 {
        DType::F64
    } else {
        DType::F32
    }
}

/// Sets the default float dtype, like `torch.set_default_dtype`.
///
/// # Errors
/// When `dtype` is not a float type.
pub fn set_default_dtype(dtype: DType) -> Result<()> {
    let code = match dtype {
        DType::F32 => 0,
        DType::F64 => 1,
        other => {
            return Err(Error::invalid(
                "set_default_dtype",
                "F32 or F64",
                format!("{other:?}"),
            ))
        }
    };
    DEFAULT_DTYPE.store(code, Ordering::Relaxed);
    Ok(())
}

/// An element accepted by [`Tensor::new`]. Like Python floats in `torch.tensor`, `f64` values
/// become the default dtype (`f32`); `f32` stays `f32`, integers become `i64`.
pub trait NewElement: Copy {
    /// Builds the storage for these values.
    fn storage(v: Vec<Self>) -> Storage;
}
impl NewElement for f64 {
    fn storage(v: Vec<Self>) -> Storage {
        match default_dtype() {
            DType::F64 => Storage::F64(v),
            _ => Storage::F32(v.into_iter().map(|x| x as f32).collect()),
        }
    }
}
impl NewElement for f32 {
    fn storage(v: Vec<Self>) -> Storage {
        Storage::F32(v)
    }
}
impl NewElement for i64 {
    fn storage(v: Vec<Self>) -> Storage {
        Storage::I64(v)
    }
}
impl NewElement for i32 {
    fn storage(v: Vec<Self>) -> Storage {
        Storage::I64(v.into_iter().map(i64::from).collect())
    }
}
impl NewElement for bool {
    fn storage(v: Vec<Self>) -> Storage {
        Storage::Bool(v)
    }
}

/// Rust data that [`Tensor::new`] accepts: a scalar, a 1-D array/slice/`Vec`, or a 2-D array or
/// `Vec<Vec<_>>`.
pub trait TensorData {
    /// Flattens into a storage and a shape.
    fn into_parts(self) -> Result<(Storage, Vec<usize>)>;
}

macro_rules! impl_data {
    ($($t:ty),*) => {$(
        impl TensorData for $t {
            fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
                Ok((<$t>::storage(vec![self]), vec![]))
            }
        }
    )*};
}
impl_data!(f64, f32, i64, i32, bool);

impl<T: NewElement, const N: usize> TensorData for [T; N] {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        Ok((T::storage(self.to_vec()), vec![N]))
    }
}
impl<T: NewElement> TensorData for &[T] {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        Ok((T::storage(self.to_vec()), vec![self.len()]))
    }
}
impl<T: NewElement> TensorData for Vec<T> {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        let n = self.len();
        Ok((T::storage(self), vec![n]))
    }
}
impl<T: NewElement, const N: usize, const M: usize> TensorData for [[T; N]; M] {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        let flat: Vec<T> = self.iter().flatten().copied().collect();
        Ok((T::storage(flat), vec![M, N]))
    }
}
impl<T: NewElement, const N: usize> TensorData for &[[T; N]] {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        let flat: Vec<T> = self.iter().flatten().copied().collect();
        Ok((T::storage(flat), vec![self.len(), N]))
    }
}
impl<T: NewElement> TensorData for Vec<Vec<T>> {
    fn into_parts(self) -> Result<(Storage, Vec<usize>)> {
        let cols = self.first().map_or(0, |r| r.len());
        if let Some((i, r)) = self.iter().enumerate().find(|(_, r)| r.len() != cols) {
            return Err(Error::invalid(
                "Tensor::new",
                format!("every row with {cols} elements (as row 0)"),
                format!("row {i} with {}", r.len()),
            ));
        }
        let rows = self.len();
        Ok((T::storage(self.concat()), vec![rows, cols]))
    }
}

impl Tensor {
    /// Builds a tensor from Rust data, like `torch.tensor(data)`.
    ///
    /// ```
    /// use logit_core::{DType, Tensor};
    /// let x = Tensor::new([[0.62, 0.75], [0.45, 0.42]])?;
    /// assert_eq!((x.shape(), x.dtype()), (&[2usize, 2][..], DType::F32));
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When rows of a `Vec<Vec<_>>` differ in length.
    pub fn new(data: impl TensorData) -> Result<Tensor> {
        let (s, shape) = data.into_parts()?;
        Ok(Tensor::leaf(s, shape))
    }

    /// Builds a tensor of `T`'s dtype from a flat row-major `Vec` and a shape.
    ///
    /// # Errors
    /// When `data.len()` is not the product of `shape`.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        if data.len() != numel(shape) {
            return Err(Error::invalid(
                "Tensor::from_vec",
                format!("{} elements for shape {:?}", numel(shape), shape),
                format!("{} elements", data.len()),
            ));
        }
        Ok(Tensor::leaf(T::into_storage(data), shape.to_vec()))
    }

    /// Like [`Tensor::from_vec`] from a slice.
    ///
    /// # Errors
    /// When `data.len()` is not the product of `shape`.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(data.to_vec(), shape)
    }

    /// A 0-dim tensor of the default dtype.
    pub fn scalar(v: f64) -> Tensor {
        Tensor::full(&[], v)
    }

    /// A tensor filled with `value`, of the default dtype, like `torch.full`.
    pub fn full(shape: &[usize], value: f64) -> Tensor {
        Tensor::full_dtype(shape, value, default_dtype())
    }

    /// A tensor filled with `value` of the given dtype.
    pub fn full_dtype(shape: &[usize], value: f64, dtype: DType) -> Tensor {
        let n = numel(shape);
        let s = match dtype {
            DType::F32 => Storage::F32(crate::parallel::splat(n, value as f32)),
            DType::F64 => Storage::F64(crate::parallel::splat(n, value)),
            DType::I64 => Storage::I64(vec![value as i64; n]),
            DType::Bool => Storage::Bool(vec![value != 0.0; n]),
        };
        Tensor::leaf(s, shape.to_vec())
    }

    /// [`Tensor::full_dtype`] for sizes that come from users: an error instead of a panic or
    /// an abort when the element count overflows or the memory cannot be allocated.
    ///
    /// ```
    /// use logit_core::{DType, Tensor};
    /// assert!(Tensor::try_full_dtype(&[1 << 62, 4], 0.0, DType::F32).is_err());
    /// assert_eq!(Tensor::try_full_dtype(&[2], 1.5, DType::F64)?.to_vec::<f64>(), vec![1.5, 1.5]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the shape.
    pub fn try_full_dtype(shape: &[usize], value: f64, dtype: DType) -> Result<Tensor> {
        let n = crate::shape::checked_numel("Tensor::try_full_dtype", shape)?;
        fn filled<T: Clone>(n: usize, v: T, shape: &[usize]) -> Result<Vec<T>> {
            let mut out = Vec::new();
            out.try_reserve_exact(n).map_err(|_| {
                Error::invalid(
                    "Tensor::try_full_dtype",
                    "a shape whose elements can be allocated",
                    format!("{shape:?} ({n} elements)"),
                )
            })?;
            out.resize(n, v);
            Ok(out)
        }
        let s = match dtype {
            DType::F32 => Storage::F32(filled(n, value as f32, shape)?),
            DType::F64 => Storage::F64(filled(n, value, shape)?),
            DType::I64 => Storage::I64(filled(n, value as i64, shape)?),
            DType::Bool => Storage::Bool(filled(n, value != 0.0, shape)?),
        };
        Ok(Tensor::leaf(s, shape.to_vec()))
    }

    /// Zeros of the default dtype, like `torch.zeros`.
    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// Zeros of the given dtype.
    pub fn zeros_dtype(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full_dtype(shape, 0.0, dtype)
    }

    /// Ones of the default dtype, like `torch.ones`.
    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// Ones of the given dtype.
    pub fn ones_dtype(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full_dtype(shape, 1.0, dtype)
    }

    /// Zeros with the shape and dtype of `t`, like `torch.zeros_like`.
    pub fn zeros_like(t: &Tensor) -> Tensor {
        Tensor::full_dtype(t.shape(), 0.0, t.dtype())
    }

    /// Ones with the shape and dtype of `t`, like `torch.ones_like`.
    pub fn ones_like(t: &Tensor) -> Tensor {
        Tensor::full_dtype(t.shape(), 1.0, t.dtype())
    }

    /// `start, start+step, …` up to but excluding `end`, of the default dtype, like
    /// `torch.arange`.
    ///
    /// # Errors
    /// When `step` is zero or has the wrong sign for the range.
    pub fn arange(start: f64, end: f64, step: f64) -> Result<Tensor> {
        if step == 0.0 || (end - start) * step < 0.0 || !step.is_finite() {
            return Err(Error::invalid(
                "arange",
                "a non-zero step with the sign of end - start",
                format!("start {start}, end {end}, step {step}"),
            ));
        }
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let v: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
        Tensor::new(v)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive, like `torch.linspace`.
    pub fn linspace(start: f64, end: f64, steps: usize) -> Tensor {
        let v: Vec<f64> = match steps {
            0 => vec![],
            1 => vec![start],
            _ => {
                let step = (end - start) / (steps - 1) as f64;
                // PyTorch fills the second half from the end so both endpoints are exact.
                let half = steps / 2;
                (0..steps)
                    .map(|i| {
                        if i < half {
                            start + step * i as f64
                        } else {
                            end - step * (steps - 1 - i) as f64
                        }
                    })
                    .collect()
            }
        };
        let n = v.len();
        Tensor::leaf(f64::storage(v), vec![n])
    }

    /// The `n×n` identity matrix, like `torch.eye`.
    pub fn eye(n: usize) -> Tensor {
        let mut v = vec![0.0; n * n];
        for i in 0..n {
            v[i * n + i] = 1.0;
        }
        Tensor::leaf(f64::storage(v), vec![n, n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_infers_shape_and_default_dtype() {
        let t = Tensor::new(vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]).unwrap();
        assert_eq!(t.shape(), &[2, 3]);
        assert_eq!(t.dtype(), DType::F32);
        assert!(Tensor::new(vec![vec![1.0], vec![1.0, 2.0]]).is_err());
        assert_eq!(Tensor::new([1i64, 2]).unwrap().dtype(), DType::I64);
    }

    #[test]
    fn arange_linspace_eye_match_pytorch() {
        assert_eq!(
            Tensor::arange(0.0, 5.0, 2.0).unwrap().to_vec::<f64>(),
            vec![0.0, 2.0, 4.0]
        );
        assert!(Tensor::arange(0.0, 5.0, -1.0).is_err());
        assert_eq!(
            Tensor::linspace(-1.0, 1.0, 5).to_vec::<f64>(),
            vec![-1.0, -0.5, 0.0, 0.5, 1.0]
        );
        assert_eq!(Tensor::eye(2).to_vec::<f64>(), vec![1.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn from_vec_checks_the_element_count() {
        let e = Tensor::from_vec(vec![1.0f32; 5], &[2, 3])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("6 elements for shape [2, 3]") && e.contains("got 5"),
            "{e}"
        );
    }
}
