//! Tensors from ndarray arrays and back for every dtype: values and shapes survive, owned
//! standard-layout arrays hand their buffer over without a copy, and views in any layout
//! (transposed, reversed, sliced) arrive in logical order.

use logit_core::{DType, Error, Result, Storage, Tensor};
use ndarray::{s, Array, ArrayD, IxDyn};

fn data_ptr(t: &Tensor) -> *const u8 {
    match &*t.storage() {
        Storage::F32(v) => v.as_ptr() as *const u8,
        Storage::F64(v) => v.as_ptr() as *const u8,
        Storage::I64(v) => v.as_ptr() as *const u8,
        Storage::Bool(v) => v.as_ptr() as *const u8,
    }
}

fn round_trip<T: logit_core::Element + PartialEq + std::fmt::Debug>(
    values: Vec<T>,
    dtype: DType,
) -> Result<()> {
    let a = Array::from_shape_vec((2, 3), values.clone()).expect("2x3");
    let ptr = a.as_ptr() as *const u8;
    let t = Tensor::from_array(a)?;
    assert_eq!((t.dtype(), t.shape()), (dtype, &[2usize, 3][..]));
    assert_eq!(
        data_ptr(&t),
        ptr,
        "{dtype:?}: the buffer was handed over, not copied"
    );
    assert_eq!(t.to_vec::<T>(), values);
    // back to an array, owned and borrowed
    let back: ArrayD<T> = t.to_array()?;
    assert_eq!(back.shape(), &[2, 3]);
    assert_eq!(back.iter().copied().collect::<Vec<_>>(), values);
    let r = t.array_ref::<T>()?;
    let view = r.view();
    assert_eq!(
        view.as_ptr() as *const u8,
        data_ptr(&t),
        "{dtype:?}: the view borrows"
    );
    assert_eq!(view[[1, 2]], values[5]);
    // a transposed view arrives in logical order
    let a = Array::from_shape_vec((2, 3), values.clone()).expect("2x3");
    let tt = Tensor::from_array_view(a.t())?;
    assert_eq!(tt.shape(), &[3, 2]);
    let expect: Vec<T> = [0, 3, 1, 4, 2, 5].iter().map(|&i| values[i]).collect();
    assert_eq!(tt.to_vec::<T>(), expect);
    // and so does an owned array in another layout
    let to = Tensor::from_array(a.t().to_owned())?;
    assert_eq!(to.to_vec::<T>(), expect);
    Ok(())
}

#[test]
fn every_dtype_round_trips_without_a_copy_where_it_can() -> Result<()> {
    round_trip(vec![1.5f32, -2.0, 3.25, 0.0, 5.0, -6.5], DType::F32)?;
    round_trip(vec![1.5f64, -2.0, 3.25, 0.0, 5.0, 1e-300], DType::F64)?;
    round_trip(vec![1i64, -2, 3, 0, i64::MAX, i64::MIN], DType::I64)?;
    round_trip(vec![true, false, true, true, false, false], DType::Bool)?;
    Ok(())
}

#[test]
fn reversed_sliced_empty_and_0d_arrays() -> Result<()> {
    let a = Array::from_shape_vec((4, 3), (0..12).map(|i| i as f64).collect()).expect("4x3");
    let rev = Tensor::from_array_view(a.slice(s![..;-1, 1..]))?;
    assert_eq!(rev.shape(), &[4, 2]);
    assert_eq!(
        rev.to_vec::<f64>(),
        vec![10.0, 11.0, 7.0, 8.0, 4.0, 5.0, 1.0, 2.0]
    );
    // an owned array that is a slice of its buffer (offset 3)
    let mut owned = a.clone();
    owned.slice_collapse(s![1.., ..]);
    let t = Tensor::from_array(owned)?;
    assert_eq!(t.shape(), &[3, 3]);
    assert_eq!(t.to_vec::<f64>()[0], 3.0);
    let empty = Tensor::from_array(ArrayD::<f32>::zeros(IxDyn(&[0, 4])))?;
    assert_eq!((empty.shape(), empty.numel()), (&[0usize, 4][..], 0));
    let scalar = Tensor::try_from(ArrayD::from_elem(IxDyn(&[]), 2.5f32))?;
    assert_eq!((scalar.shape(), scalar.item()?), (&[][..], 2.5));
    assert_eq!(scalar.to_array::<f32>()?.ndim(), 0);
    Ok(())
}

#[test]
fn a_view_of_the_wrong_dtype_is_an_error() -> Result<()> {
    let t = Tensor::from_vec(vec![1.0f32, 2.0], &[2])?;
    assert!(matches!(
        t.array_ref::<f64>(),
        Err(Error::DTypeMismatch {
            expected: DType::F64,
            got: DType::F32,
            ..
        })
    ));
    // to_array converts, as to_vec does
    assert_eq!(
        t.to_array::<f64>()?.iter().copied().collect::<Vec<_>>(),
        vec![1.0, 2.0]
    );
    Ok(())
}
