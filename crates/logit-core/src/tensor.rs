//! The [`Tensor`] handle: shape, data, and the autograd slots (requires_grad, grad, grad_fn).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::autograd::{Grad, Node};
use crate::shape::numel;
use crate::{DType, Element, Error, Float, Result, Storage};

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A cheap handle (one `Arc` clone) to an n-dimensional array that may record its history.
///
/// Data is contiguous and row-major. Cloning a `Tensor` clones the handle, not the data, like
/// assigning a tensor to another variable in Python.
///
/// ```
/// use logit_core::Tensor;
/// let x = Tensor::new([[1.0, 2.0], [3.0, 4.0]])?;
/// assert_eq!(x.shape(), &[2, 2]);
/// assert_eq!(x.sum().item()?, 10.0);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Tensor(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// Unique per handle (a `detach` gets a new one); the engine tells leaves apart by it.
    pub(crate) id: u64,
    pub(crate) shape: Vec<usize>,
    /// The `Arc` makes reshapes and saved-for-backward copies free; `update_` writes through
    /// `Arc::make_mut`, so a value saved by a pending backward is copied, never overwritten.
    pub(crate) data: RwLock<Arc<Storage>>,
    pub(crate) requires_grad: AtomicBool,
    pub(crate) grad: Mutex<Option<Tensor>>,
    /// The op that produced this tensor; `None` for a leaf.
    pub(crate) node: Option<Arc<Node>>,
}

impl Tensor {
    /// Builds a tensor from a storage and a shape, with no history.
    ///
    /// # Errors
    /// When the number of elements does not match the shape.
    pub fn from_storage(storage: Storage, shape: &[usize]) -> Result<Tensor> {
        if storage.len() != numel(shape) {
            return Err(Error::invalid(
                "Tensor::from_storage",
                format!("{} elements for shape {:?}", numel(shape), shape),
                format!("{} elements", storage.len()),
            ));
        }
        Ok(Tensor::leaf(storage, shape.to_vec()))
    }

    pub(crate) fn leaf(storage: Storage, shape: Vec<usize>) -> Tensor {
        Tensor::make(Arc::new(storage), shape, None)
    }

    pub(crate) fn make(data: Arc<Storage>, shape: Vec<usize>, node: Option<Arc<Node>>) -> Tensor {
        debug_assert_eq!(data.len(), numel(&shape));
        let t = Tensor(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            shape,
            data: RwLock::new(data),
            requires_grad: AtomicBool::new(false),
            grad: Mutex::new(None),
            node,
        }));
        if crate::trace::is_tracing() {
            crate::trace::created(&t);
        }
        t
    }

    /// A unique id, increasing in creation order.
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The shape, like `tensor.shape`.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The shape, like `tensor.size()`.
    pub fn size(&self) -> &[usize] {
        &self.0.shape
    }

    /// The number of dims (rank), like `tensor.dim()`.
    pub fn dim(&self) -> usize {
        self.0.shape.len()
    }

    /// The number of elements, like `tensor.numel()`.
    pub fn numel(&self) -> usize {
        numel(&self.0.shape)
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        // read under the lock: no Arc clone and drop (two atomic writes) for a tag
        self.0
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .dtype()
    }

    /// A shared handle to the elements (no copy).
    pub fn storage(&self) -> Arc<Storage> {
        self.0
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The storage as a float type: itself when already float, otherwise converted to the
    /// default dtype, as PyTorch does for `sigmoid` or `exp` of an integer tensor.
    pub(crate) fn float_storage(&self) -> Arc<Storage> {
        let s = self.storage();
        if s.dtype().is_float() {
            s
        } else {
            Arc::new(s.to_dtype(crate::default_dtype()))
        }
    }

    /// The single value of a one-element tensor, like `tensor.item()`.
    ///
    /// # Errors
    /// When the tensor has more or fewer than one element.
    pub fn item(&self) -> Result<f64> {
        if self.numel() != 1 {
            return Err(Error::invalid(
                "item",
                "a tensor with one element",
                format!("shape {:?}", self.shape()),
            ));
        }
        Ok(self.storage().get_f64(0))
    }

    /// The elements as a flat `Vec`, converted to `T`, like `tensor.flatten().tolist()`.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        T::from_storage(&self.storage())
    }

    /// The elements as a flat `Vec<f64>`.
    pub fn to_vec_f64(&self) -> Vec<f64> {
        self.to_vec::<f64>()
    }

    /// Rows of a 2-D tensor as `Vec<Vec<f64>>`, like `tensor.tolist()`.
    ///
    /// # Errors
    /// When the tensor is not 2-D.
    pub fn to_vec2(&self) -> Result<Vec<Vec<f64>>> {
        if self.dim() != 2 {
            return Err(Error::invalid(
                "to_vec2",
                "a 2-D tensor",
                format!("shape {:?}", self.shape()),
            ));
        }
        let v = self.to_vec_f64();
        let c = self.shape()[1].max(1);
        Ok(v.chunks(c).map(|r| r.to_vec()).collect())
    }

    /// Converts to another dtype, like `tensor.to(dtype)`. Differentiable between float types.
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        let s = self.storage();
        if s.dtype() == dtype {
            return self.clone();
        }
        let out = s.to_dtype(dtype);
        let differentiable = s.dtype().is_float() && dtype.is_float();
        if !differentiable {
            return Tensor::leaf(out, self.shape().to_vec());
        }
        let from = s.dtype();
        Tensor::from_op(out, self.shape().to_vec(), &[self], |_| ToDTypeBackward {
            from,
        })
    }

    /// Shorthand for `to_dtype(DType::F32)`, like `tensor.float()`.
    pub fn float(&self) -> Tensor {
        self.to_dtype(DType::F32)
    }

    /// Shorthand for `to_dtype(DType::F64)`, like `tensor.double()`.
    pub fn double(&self) -> Tensor {
        self.to_dtype(DType::F64)
    }

    /// True when a gradient will be computed for this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.node.is_some() || self.0.requires_grad.load(Ordering::Relaxed)
    }

    /// Sets `requires_grad` on a leaf and returns the same handle, like `tensor.requires_grad_()`.
    /// Setting `false` freezes a parameter. On a non-leaf it has no effect, as only leaves own
    /// this flag.
    pub fn requires_grad_(&self, requires_grad: bool) -> Tensor {
        self.0.requires_grad.store(requires_grad, Ordering::Relaxed);
        self.clone()
    }

    /// True for tensors not produced by a recorded op (user-created tensors and parameters).
    pub fn is_leaf(&self) -> bool {
        self.0.node.is_none()
    }

    /// PyTorch's name of the op that produced this tensor (e.g. `SigmoidBackward0`), if recorded.
    pub fn grad_fn(&self) -> Option<&'static str> {
        self.0.node.as_ref().map(|n| n.name)
    }

    /// The accumulated gradient of a leaf, like `tensor.grad`.
    pub fn grad(&self) -> Option<Tensor> {
        self.0
            .grad
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the gradient (`tensor.grad = g`), e.g. to feed an optimizer a known gradient.
    ///
    /// # Errors
    /// When the gradient's shape or dtype differs from the tensor's.
    pub fn set_grad(&self, grad: Option<Tensor>) -> Result<()> {
        if let Some(g) = &grad {
            if g.shape() != self.shape() {
                return Err(Error::ShapeMismatch {
                    op: "set_grad",
                    lhs: self.shape().to_vec(),
                    rhs: g.shape().to_vec(),
                });
            }
            if g.dtype() != self.dtype() {
                return Err(Error::DTypeMismatch {
                    op: "set_grad",
                    expected: self.dtype(),
                    got: g.dtype(),
                });
            }
        }
        *self.0.grad.lock().unwrap_or_else(|e| e.into_inner()) = grad.map(|g| g.fresh());
        Ok(())
    }

    /// Drops the gradient, like `tensor.grad = None` (what `optimizer.zero_grad()` does).
    pub fn zero_grad(&self) {
        *self.0.grad.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Adds `g` into the gradient slot (PyTorch's AccumulateGrad).
    pub(crate) fn accumulate_grad(&self, g: Tensor) {
        let mut slot = self.0.grad.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            // a handle of its own: accumulating later must not write into a tensor the caller holds
            None => *slot = Some(g.fresh()),
            Some(old) => {
                let add = g.storage();
                old.update_(|s| add_assign(s, &add));
            }
        }
    }

    /// A new handle (own slots, no history) sharing this tensor's data; writes through
    /// `update_` on either copy the data first.
    pub(crate) fn fresh(&self) -> Tensor {
        Tensor::make(self.storage(), self.shape().to_vec(), None)
    }

    /// A new handle to the same data with no history, like `tensor.detach()`.
    pub fn detach(&self) -> Tensor {
        if self.is_leaf() && !self.0.requires_grad.load(Ordering::Relaxed) {
            return self.clone();
        }
        Tensor::make(self.storage(), self.shape().to_vec(), None)
    }

    /// Writes into this tensor's data in place without recording anything: the hook that
    /// optimizers and `load_state_dict` use (PyTorch's `with torch.no_grad(): p.add_(...)`).
    /// A value saved by a pending backward is copied first, never overwritten.
    pub fn update_(&self, f: impl FnOnce(&mut Storage)) {
        let mut guard = self.0.data.write().unwrap_or_else(|e| e.into_inner());
        let storage = Arc::make_mut(&mut guard);
        let len = storage.len();
        f(storage);
        // the dtype may change (`module.double()`), the shape may not
        assert_eq!(
            len,
            storage.len(),
            "update_ must keep the number of elements"
        );
    }

    /// Copies `src`'s values into this tensor in place, like `tensor.copy_(src)` under no_grad.
    ///
    /// # Errors
    /// When the shapes differ. A different dtype is converted.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        if src.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: "copy_",
                lhs: self.shape().to_vec(),
                rhs: src.shape().to_vec(),
            });
        }
        let new = src.storage().to_dtype(self.dtype());
        self.update_(|s| *s = new);
        Ok(())
    }

    /// A float view of this tensor's data for kernels of type `T`, if it holds `T`.
    pub fn with_slice<T: Float, R>(&self, f: impl FnOnce(&[T]) -> R) -> Option<R> {
        let s = self.storage();
        T::slice(&s).map(f)
    }
}

/// `a += b` elementwise for two float storages of the same type.
pub(crate) fn add_assign(a: &mut Storage, b: &Storage) {
    assert_eq!(
        a.dtype(),
        b.dtype(),
        "accumulate into a gradient of another dtype"
    );
    crate::with_float!(a.dtype(), |E| {
        let b = b.as_float::<E>();
        let a = E::slice_mut(a).expect("the dtypes were checked");
        a.iter_mut().zip(b).for_each(|(x, &y)| *x += y)
    })
}

struct ToDTypeBackward {
    from: DType,
}

impl crate::autograd::Backward for ToDTypeBackward {
    fn name(&self) -> &'static str {
        "ToCopyBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(match g {
            Grad::Dense(g) => g.to_dtype(self.from).into(),
            Grad::Uniform { value, shape, .. } => Grad::uniform(*value, shape, self.from),
        })])
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
