//! ndarray interop: tensors from `ndarray` arrays and back, for f32, f64, i64 and bool, with
//! no copy where the layout allows (an owned array in standard layout becomes the tensor's
//! buffer as it is; a borrowed view of a tensor points into its storage).

use std::sync::Arc;

use ndarray::{Array, ArrayD, ArrayView, ArrayViewD, Dimension, IxDyn};

use crate::{Element, Error, Result, Storage, Tensor};

impl Tensor {
    /// A tensor that takes over an owned array, like `torch.from_numpy`. An array in standard
    /// (row-major, contiguous) layout gives its buffer to the tensor without a copy; any other
    /// layout (a transposed or sliced array) is copied in logical order.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// let a = ndarray::array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
    /// let t = Tensor::from_array(a.t().to_owned())?;     // the transpose, copied once
    /// assert_eq!(t.shape(), &[3, 2]);
    /// assert_eq!(t.to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Only when the element count does not fit in memory (never for an array that exists).
    pub fn from_array<T: Element, D: Dimension>(a: Array<T, D>) -> Result<Tensor> {
        let shape = a.shape().to_vec();
        let n = crate::shape::checked_numel("Tensor::from_array", &shape)?;
        let data = if a.is_standard_layout() {
            // the elements are in order in the buffer, from `offset` on: hand the buffer over,
            // trimmed in place when the array was a slice of a larger one
            let (mut v, offset) = a.into_raw_vec_and_offset();
            v.drain(..offset.unwrap_or(0).min(v.len()));
            v.truncate(n);
            v
        } else {
            a.iter().copied().collect()
        };
        Tensor::from_storage(T::into_storage(data), &shape)
    }

    /// A tensor copied from a borrowed array view, in logical order, whatever its strides
    /// (a transposed or sliced view works).
    ///
    /// # Errors
    /// Only when the element count does not fit in memory.
    pub fn from_array_view<T: Element, D: Dimension>(a: ArrayView<'_, T, D>) -> Result<Tensor> {
        let shape = a.shape().to_vec();
        let data: Vec<T> = match a.as_slice() {
            Some(s) => s.to_vec(),
            None => a.iter().copied().collect(),
        };
        Tensor::from_storage(T::into_storage(data), &shape)
    }

    /// The elements as an owned n-dimensional array of `T` (a copy; other dtypes convert, as
    /// [`Tensor::to_vec`] does), like `tensor.numpy()`.
    ///
    /// # Errors
    /// Never for a valid tensor; the shape always matches the element count.
    pub fn to_array<T: Element>(&self) -> Result<ArrayD<T>> {
        ArrayD::from_shape_vec(IxDyn(self.shape()), self.to_vec::<T>()).map_err(|e| {
            Error::invalid(
                "Tensor::to_array",
                "a shape that fits the data",
                e.to_string(),
            )
        })
    }

    /// A handle that lends this tensor's elements as an [`ArrayViewD`] without copying.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2])?;
    /// let data = t.array_ref::<f64>()?;
    /// let view = data.view();
    /// assert_eq!(view[[1, 0]], 3.0);
    /// assert_eq!(view.t()[[0, 1]], 3.0);                  // ndarray's own transposed view
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::DTypeMismatch`] when the tensor's dtype is not `T`'s.
    pub fn array_ref<T: Element>(&self) -> Result<ArrayRef<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::DTypeMismatch {
                op: "Tensor::array_ref",
                expected: T::DTYPE,
                got: self.dtype(),
            });
        }
        Ok(ArrayRef {
            storage: self.storage(),
            shape: self.shape().to_vec(),
            _elem: std::marker::PhantomData,
        })
    }
}

/// A tensor's elements kept alive for borrowing as an ndarray view (see
/// [`Tensor::array_ref`]). The view reflects the values at the time the handle was taken.
pub struct ArrayRef<T: Element> {
    storage: Arc<Storage>,
    shape: Vec<usize>,
    _elem: std::marker::PhantomData<T>,
}

impl<T: Element> ArrayRef<T> {
    /// The elements as a row-major n-dimensional view, no copy.
    pub fn view(&self) -> ArrayViewD<'_, T> {
        let data =
            T::as_slice(&self.storage).expect("the dtype was checked when the handle was made");
        ArrayViewD::from_shape(IxDyn(&self.shape), data).expect("a tensor's shape fits its storage")
    }
}

impl<T: Element> TryFrom<ArrayD<T>> for Tensor {
    type Error = Error;

    /// As [`Tensor::from_array`].
    fn try_from(a: ArrayD<T>) -> Result<Tensor> {
        Tensor::from_array(a)
    }
}
