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

/// Runs `$body` with `$v` bound to the float slice of `$s` and the type `E` to its element type,
/// wrapping the resulting `Vec<T>` back into a `Storage`. Panics on non-float storage: callers
/// convert first (see `Tensor::float_storage`).
#[macro_export]
#[doc(hidden)]
macro_rules! float_map {
    ($s:expr, |$v:ident| $body:expr) => {
        match $s {
            $crate::Storage::F32($v) => {
                #[allow(dead_code)]
                type E = f32;
                $crate::Storage::F32($body)
            }
            $crate::Storage::F64($v) => {
                #[allow(dead_code)]
                type E = f64;
                $crate::Storage::F64($body)
            }
            other => unreachable!("float kernel on {:?} storage", other.dtype()),
        }
    };
}

/// Like `float_map!` for two storages of the same float type.
#[macro_export]
#[doc(hidden)]
macro_rules! float_zip {
    ($a:expr, $b:expr, |$x:ident, $y:ident| $body:expr) => {
        match ($a, $b) {
            ($crate::Storage::F32($x), $crate::Storage::F32($y)) => {
                #[allow(dead_code)]
                type E = f32;
                $crate::Storage::F32($body)
            }
            ($crate::Storage::F64($x), $crate::Storage::F64($y)) => {
                #[allow(dead_code)]
                type E = f64;
                $crate::Storage::F64($body)
            }
            (a, b) => unreachable!("float kernel on {:?} and {:?}", a.dtype(), b.dtype()),
        }
    };
}
