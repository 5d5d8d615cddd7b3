//! Element types: the runtime [`DType`] tag and the [`Float`] trait that kernels are written against.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use crate::storage::Storage;

/// The element type of a tensor, like `torch.dtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit float, the default (`torch.float32`).
    F32,
    /// 64-bit float (`torch.float64`), for gradient checks and users who want it.
    F64,
    /// 64-bit integer (`torch.int64`), for indices and class labels.
    I64,
    /// Boolean (`torch.bool`), for masks.
    Bool,
}

impl DType {
    /// True for `F32` and `F64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// Size of one element in bytes.
    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 | DType::I64 => 8,
            DType::Bool => 1,
        }
    }

    /// PyTorch's name, e.g. `torch.float32`.
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::F32 => "torch.float32",
            DType::F64 => "torch.float64",
            DType::I64 => "torch.int64",
            DType::Bool => "torch.bool",
        }
    }
}

/// A float element type (`f32` or `f64`); every float kernel is written once against it.
pub trait Float:
    num_traits::Float
    + num_traits::FromPrimitive
    + Sum
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
{
    /// The runtime tag of this type.
    const DTYPE: DType;
    /// Wraps a vector in a [`Storage`].
    fn wrap(v: Vec<Self>) -> Storage;
    /// Borrows the elements of a storage of this type (`None` for another type).
    fn slice(s: &Storage) -> Option<&[Self]>;
    /// Mutably borrows the elements of a storage of this type.
    fn slice_mut(s: &mut Storage) -> Option<&mut [Self]>;
    /// Converts from `f64` (rounding for `f32`).
    fn c(v: f64) -> Self;
    /// Converts to `f64` (exact).
    fn f64(self) -> f64;
    /// `C = A·B + beta·C` on strided row/column layouts: logit's AVX-512 kernel for `f32` on
    /// CPUs that have it, matrixmultiply otherwise.
    ///
    /// # Safety
    /// The pointers and strides must describe valid `m×k`, `k×n` and `m×n` matrices.
    #[allow(clippy::missing_safety_doc)]
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

macro_rules! impl_float {
    ($t:ty, $variant:ident, $gemm:path) => {
        impl Float for $t {
            const DTYPE: DType = <$t as Element>::DTYPE;
            fn wrap(v: Vec<Self>) -> Storage {
                <$t as Element>::into_storage(v)
            }
            fn slice(s: &Storage) -> Option<&[Self]> {
                <$t as Element>::as_slice(s)
            }
            fn slice_mut(s: &mut Storage) -> Option<&mut [Self]> {
                <$t as Element>::as_mut_slice(s)
            }
            #[inline(always)]
            fn c(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn f64(self) -> f64 {
                self as f64
            }
            unsafe fn gemm(
                m: usize,
                k: usize,
                n: usize,
                a: *const Self,
                rsa: isize,
                csa: isize,
                b: *const Self,
                rsb: isize,
                csb: isize,
                beta: Self,
                c: *mut Self,
                rsc: isize,
                csc: isize,
            ) {
                $gemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
            }
        }
    };
}
impl_float!(f32, F32, crate::ops::sgemm::sgemm);
impl_float!(f64, F64, matrixmultiply::dgemm);

/// A Rust type that can be stored in a tensor: `f32`, `f64`, `i64` or `bool`.
pub trait Element: Copy + Send + Sync + 'static {
    /// The runtime tag of this type.
    const DTYPE: DType;
    /// Wraps a vector in a [`Storage`].
    fn into_storage(v: Vec<Self>) -> Storage;
    /// Reads the elements of a storage of this type, converting from other types.
    fn from_storage(s: &Storage) -> Vec<Self>;
    /// Borrows the elements of a storage of exactly this type (`None` for another type).
    fn as_slice(s: &Storage) -> Option<&[Self]>;
    /// Mutably borrows the elements of a storage of exactly this type.
    fn as_mut_slice(s: &mut Storage) -> Option<&mut [Self]>;
}

macro_rules! impl_element {
    ($t:ty, $variant:ident, $conv:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn into_storage(v: Vec<Self>) -> Storage {
                Storage::$variant(v)
            }
            fn from_storage(s: &Storage) -> Vec<Self> {
                let conv = $conv;
                match s {
                    Storage::F32(v) => v.iter().map(|&x| conv(x as f64)).collect(),
                    Storage::F64(v) => v.iter().map(|&x| conv(x)).collect(),
                    Storage::I64(v) => v.iter().map(|&x| conv(x as f64)).collect(),
                    Storage::Bool(v) => v.iter().map(|&x| conv(x as u8 as f64)).collect(),
                }
            }
            fn as_slice(s: &Storage) -> Option<&[Self]> {
                match s {
                    Storage::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn as_mut_slice(s: &mut Storage) -> Option<&mut [Self]> {
                match s {
                    Storage::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
impl_element!(f32, F32, |x: f64| x as f32);
impl_element!(f64, F64, |x: f64| x);
impl_element!(i64, I64, |x: f64| x as i64);
impl_element!(bool, Bool, |x: f64| x != 0.0);
