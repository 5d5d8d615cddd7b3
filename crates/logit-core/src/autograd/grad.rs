//! [`Grad`], the gradient that flows backward through the graph, and [`SavedTensor`], what a
//! backward keeps of the forward pass.

use std::ops::Deref;
use std::sync::Arc;

use crate::{DType, Result, Storage, Tensor};

/// `dL/d(tensor)` as the engine hands it from one backward to the next.
///
/// `sum()` and `mean()` give the same value to every element; that gradient stays one number
/// ([`Grad::Uniform`]) until a backward needs the full tensor, so an elementwise backward after a
/// reduction (the sigmoid under a loss) never reads or writes a tensor of ones.
#[derive(Debug, Clone)]
pub enum Grad {
    /// A full gradient of the tensor's shape.
    Dense(Tensor),
    /// `value` everywhere in `shape`, in `dtype`.
    Uniform {
        /// The one value (already rounded to `dtype` when that is f32).
        value: f64,
        /// The shape it stands for.
        shape: Vec<usize>,
        /// The element type of the gradient.
        dtype: DType,
    },
}

impl Grad {
    /// `value` everywhere in `shape`.
    pub fn uniform(value: f64, shape: &[usize], dtype: DType) -> Grad {
        // rounded once here so that the uniform and the filled-out forms agree bit for bit
        let value = round_to(dtype, value);
        Grad::Uniform {
            value,
            shape: shape.to_vec(),
            dtype,
        }
    }

    /// The shape of the tensor this is the gradient of.
    pub fn shape(&self) -> &[usize] {
        match self {
            Grad::Dense(t) => t.shape(),
            Grad::Uniform { shape, .. } => shape,
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Grad::Dense(t) => t.dtype(),
            Grad::Uniform { dtype, .. } => *dtype,
        }
    }

    /// The gradient as a full tensor (a uniform one is filled out).
    pub fn to_dense(&self) -> Tensor {
        match self {
            Grad::Dense(t) => t.clone(),
            Grad::Uniform {
                value,
                shape,
                dtype,
            } => Tensor::full_dtype(shape, *value, *dtype),
        }
    }

    /// True when every element is finite (what anomaly mode checks).
    pub(crate) fn is_finite(&self) -> bool {
        match self {
            Grad::Dense(t) => super::anomaly::storage_is_finite(&t.storage()),
            Grad::Uniform { value, .. } => value.is_finite(),
        }
    }

    /// `self + other`, two gradients of the same tensor reaching it along different paths.
    pub(crate) fn accumulate(self, other: Grad) -> Result<Grad> {
        match (self, other) {
            (
                Grad::Uniform {
                    value: a,
                    shape,
                    dtype,
                },
                Grad::Uniform { value: b, .. },
            ) => {
                // add in the gradient's own dtype, as a dense add would
                Ok(Grad::Uniform {
                    value: round_to(dtype, a + b),
                    shape,
                    dtype,
                })
            }
            (a, b) => Ok(Grad::Dense(a.to_dense().add(&b.to_dense())?)),
        }
    }
}

/// `v` as the nearest value of `dtype` (f32 rounds; a sum of two f32s rounded once is the f32 sum).
fn round_to(dtype: DType, v: f64) -> f64 {
    match dtype {
        DType::F32 => v as f32 as f64,
        _ => v,
    }
}

impl From<Tensor> for Grad {
    fn from(t: Tensor) -> Grad {
        Grad::Dense(t)
    }
}

/// A tensor a [`Backward`](super::Backward) keeps for its formula (PyTorch's
/// `ctx.save_for_backward`).
///
/// Saving a leaf keeps the leaf itself, so an optimizer step still updates a parameter in place.
/// Saving an op's output keeps its data but not its history: a saved tensor never holds the
/// graph above it alive, and never makes a cycle between a node and its own output.
/// It derefs to the saved [`Tensor`].
#[derive(Clone)]
pub struct SavedTensor(Tensor);

impl Deref for SavedTensor {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        &self.0
    }
}

impl Tensor {
    /// This tensor as a [`Backward`](super::Backward) should keep it; see [`SavedTensor`].
    pub fn save_for_backward(&self) -> SavedTensor {
        if self.is_leaf() {
            SavedTensor(self.clone())
        } else {
            SavedTensor(self.detach())
        }
    }
}

/// The output of the op being recorded, handed to the closure that builds its backward, so an
/// op whose derivative reads its own output (`sigmoid`, `exp`, `relu`) can save it.
pub struct Output<'a> {
    pub(crate) storage: &'a Arc<Storage>,
    pub(crate) shape: &'a [usize],
}

impl Output<'_> {
    /// Keeps the output's data for the backward (no history, no copy).
    pub fn save(&self) -> SavedTensor {
        SavedTensor(Tensor::make(
            self.storage.clone(),
            self.shape.to_vec(),
            None,
        ))
    }

    /// The output's shape.
    pub fn shape(&self) -> &[usize] {
        self.shape
    }
}
