//! Flat, contiguous, row-major element buffers, one variant per [`DType`].

use crate::DType;

/// The elements of a tensor: always contiguous and row-major, so every kernel is a plain loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// `f32` elements.
    F32(Vec<f32>),
    /// `f64` elements.
    F64(Vec<f64>),
    /// `i64` elements.
    I64(Vec<i64>),
    /// `bool` elements.
    Bool(Vec<bool>),
}

impl Storage {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Storage::F32(_) => DType::F32,
            Storage::F64(_) => DType::F64,
            Storage::I64(_) => DType::I64,
            Storage::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Storage::F32(v) => v.len(),
            Storage::F64(v) => v.len(),
            Storage::I64(v) => v.len(),
            Storage::Bool(v) => v.len(),
        }
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Converts to another element type (a copy, even to the same type).
    pub fn to_dtype(&self, dtype: DType) -> Storage {
        match dtype {
            DType::F32 => Storage::F32(<f32 as crate::Element>::from_storage(self)),
            DType::F64 => Storage::F64(<f64 as crate::Element>::from_storage(self)),
            DType::I64 => Storage::I64(<i64 as crate::Element>::from_storage(self)),
            DType::Bool => Storage::Bool(<bool as crate::Element>::from_storage(self)),
        }
    }

    /// The elements as little-endian bytes (booleans as one byte each), the layout safetensors
    /// and `torch.save` store.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Storage::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Storage::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Storage::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Storage::Bool(v) => v.iter().map(|&x| u8::from(x)).collect(),
        }
    }

    /// Elements of `dtype` from their little-endian bytes (booleans one byte each, nonzero is
    /// true), the inverse of [`Storage::to_le_bytes`]; `None` when the length is not a whole
    /// number of elements.
    pub fn from_le_bytes(dtype: DType, bytes: &[u8]) -> Option<Storage> {
        fn le<const N: usize>(b: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
            b.chunks_exact(N)
                .map(|c| c.try_into().expect("exact chunk"))
        }
        if !bytes.len().is_multiple_of(dtype.size_in_bytes()) {
            return None;
        }
        Some(match dtype {
            DType::F32 => Storage::F32(le::<4>(bytes).map(f32::from_le_bytes).collect()),
            DType::F64 => Storage::F64(le::<8>(bytes).map(f64::from_le_bytes).collect()),
            DType::I64 => Storage::I64(le::<8>(bytes).map(i64::from_le_bytes).collect()),
            DType::Bool => Storage::Bool(bytes.iter().map(|&b| b != 0).collect()),
        })
    }

    /// The elements as `T` inside a [`with_float!`](crate::with_float) arm, where `T` is this storage's type.
    ///
    /// # Panics
    /// When the storage holds another type (a bug in the dispatching kernel).
    pub fn as_float<T: crate::Float>(&self) -> &[T] {
        T::slice(self)
            .unwrap_or_else(|| panic!("a {:?} kernel on a {:?} storage", T::DTYPE, self.dtype()))
    }

    /// Zeros of the given type and length.
    pub fn zeros(dtype: DType, n: usize) -> Storage {
        match dtype {
            DType::F32 => Storage::F32(vec![0.0; n]),
            DType::F64 => Storage::F64(vec![0.0; n]),
            DType::I64 => Storage::I64(vec![0; n]),
            DType::Bool => Storage::Bool(vec![false; n]),
        }
    }

    /// Element `i` as `f64` (booleans as 0 or 1).
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            Storage::F32(v) => v[i] as f64,
            Storage::F64(v) => v[i],
            Storage::I64(v) => v[i] as f64,
            Storage::Bool(v) => v[i] as u8 as f64,
        }
    }

    /// Copies out elements `[start, start+len)` (used by narrow, cat and batching).
    pub(crate) fn gather(&self, ranges: impl Iterator<Item = (usize, usize)>) -> Storage {
        macro_rules! g {
            ($v:expr, $w:ident) => {{
                let mut out = Vec::new();
                for (s, l) in ranges {
                    out.extend_from_slice(&$v[s..s + l]);
                }
                Storage::$w(out)
            }};
        }
        match self {
            Storage::F32(v) => g!(v, F32),
            Storage::F64(v) => g!(v, F64),
            Storage::I64(v) => g!(v, I64),
            Storage::Bool(v) => g!(v, Bool),
        }
    }
}

/// The one dtype dispatch: runs `$body` with the type alias `$E` set to the element type of
/// float dtype `$dtype` (`f32` or `f64`). Kernels are generic over [`crate::Float`] and borrow
/// their storages with `$E::slice`, wrap results with `$E::wrap`; a new float dtype is one arm
/// here plus its `Float` impl. Panics on a non-float dtype: callers convert first (see
/// `Tensor::float_storage`).
///
/// ```
/// use logit_core::{with_float, DType, Float, Storage};
/// let s = Storage::F64(vec![1.0, 2.0]);
/// let doubled = with_float!(s.dtype(), |E| {
///     let v = E::slice(&s).expect("the dtype matches");
///     E::wrap(v.iter().map(|&x| x + x).collect())
/// });
/// assert_eq!(doubled, Storage::F64(vec![2.0, 4.0]));
/// ```
#[macro_export]
macro_rules! with_float {
    ($dtype:expr, |$E:ident| $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                #[allow(dead_code)]
                type $E = f32;
                $body
            }
            $crate::DType::F64 => {
                #[allow(dead_code)]
                type $E = f64;
                $body
            }
            other => unreachable!("a float kernel on {:?}", other),
        }
    };
}

/// Runs `$body` with `$v` bound to the float slice of `$s` and the type `E` to its element type,
/// wrapping the resulting `Vec<T>` back into a `Storage` (a shorthand over [`with_float!`](crate::with_float)).
#[macro_export]
#[doc(hidden)]
macro_rules! float_map {
    ($s:expr, |$v:ident| $body:expr) => {{
        let s: &$crate::Storage = $s;
        $crate::with_float!(s.dtype(), |E| {
            let $v = <E as $crate::Float>::slice(s).expect("the dtype matches");
            <E as $crate::Float>::wrap($body)
        })
    }};
}

/// Like `float_map!` for two storages of the same float type.
#[macro_export]
#[doc(hidden)]
macro_rules! float_zip {
    ($a:expr, $b:expr, |$x:ident, $y:ident| $body:expr) => {{
        let (a, b): (&$crate::Storage, &$crate::Storage) = ($a, $b);
        assert_eq!(a.dtype(), b.dtype(), "a float kernel on two dtypes");
        $crate::with_float!(a.dtype(), |E| {
            let $x = <E as $crate::Float>::slice(a).expect("the dtype matches");
            let $y = <E as $crate::Float>::slice(b).expect("the dtype matches");
            <E as $crate::Float>::wrap($body)
        })
    }};
}

impl Drop for Storage {
    // Large float buffers go back to logit's cache for the next op of the same size, instead
    // of back to the system (see `memory.rs`).
    fn drop(&mut self) {
        match self {
            Storage::F32(v) => crate::memory::recycle(std::mem::take(v)),
            Storage::F64(v) => crate::memory::recycle(std::mem::take(v)),
            Storage::I64(_) | Storage::Bool(_) => {}
        }
    }
}
