//! The recorded graph: one [`Node`] per op, with edges to the nodes (or leaves) of its inputs.
//! Tensors point at their node; nodes never point at tensors that are not leaves, so the data
//! of an intermediate tensor lives only as long as a handle or a backward that saved it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{anomaly, is_grad_enabled, Backward, Output};
use crate::{Storage, Tensor};

/// Node ids come in creation order: an op's inputs always have smaller ids than its output, so
/// sorting by id is a topological order.
static NEXT_NODE: AtomicU64 = AtomicU64::new(0);

/// Where the gradient of one input of a node goes.
pub(crate) enum Edge {
    /// To the node that produced the input.
    Op(Arc<Node>),
    /// Into the `.grad` of a leaf (PyTorch's AccumulateGrad).
    Leaf(Tensor),
}

pub(crate) struct Node {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    /// One per input, `None` for an input that needed no gradient when the op ran.
    pub(crate) edges: Vec<Option<Edge>>,
    /// Taken out (with everything it saved) once a backward ran through it without
    /// `retain_graph`: a second backward is then an error, as in PyTorch.
    backward: Mutex<Option<Box<dyn Backward>>>,
}

impl Node {
    pub(crate) fn backward_fn(&self) -> MutexGuard<'_, Option<Box<dyn Backward>>> {
        self.backward.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Node {
    // Releases a long chain of recorded ops with a loop instead of recursion, so dropping the
    // output of a 100,000-op chain cannot overflow the stack. Saved tensors hold no node (see
    // `SavedTensor`), so the edges are the only way down.
    fn drop(&mut self) {
        let mut stack = take_ops(&mut self.edges);
        while let Some(node) = stack.pop() {
            if let Some(mut node) = Arc::into_inner(node) {
                stack.extend(take_ops(&mut node.edges));
            }
        }
    }
}

fn take_ops(edges: &mut Vec<Option<Edge>>) -> Vec<Arc<Node>> {
    std::mem::take(edges)
        .into_iter()
        .filter_map(|e| match e {
            Some(Edge::Op(n)) => Some(n),
            _ => None,
        })
        .collect()
}

impl Tensor {
    /// Wraps the result of an op, recording its backward when grad mode is on and an input
    /// requires grad. `backward` is a closure so that nothing is built or saved under `no_grad`
    /// or for inputs that need no gradient; it gets the op's [`Output`] in case the formula
    /// reads it, and saves whatever inputs the formula reads with
    /// [`Tensor::save_for_backward`].
    ///
    /// ```
    /// use logit_core::autograd::{Backward, Grad, SavedTensor};
    /// use logit_core::{Result, Tensor};
    /// // A custom op: y = x², with its backward beside it saving only x.
    /// struct Square(SavedTensor);
    /// impl Backward for Square {
    ///     fn name(&self) -> &'static str { "SquareBackward" }
    ///     fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
    ///         Ok(vec![Some(g.to_dense().mul(&self.0)?.mul_scalar(2.0).into())])
    ///     }
    /// }
    /// let x = Tensor::new([1.0, 2.0])?.requires_grad_(true);
    /// let value = x.detach().square();
    /// let y = Tensor::from_op(value.storage().as_ref().clone(), vec![2], &[&x], |_| {
    ///     Square(x.save_for_backward())
    /// });
    /// y.sum().backward()?;
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![2.0, 4.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    pub fn from_op<B: Backward + 'static>(
        storage: Storage,
        shape: Vec<usize>,
        inputs: &[&Tensor],
        backward: impl FnOnce(&Output<'_>) -> B,
    ) -> Tensor {
        Tensor::from_op_arc(Arc::new(storage), shape, inputs, backward)
    }

    pub(crate) fn from_op_arc<B: Backward + 'static>(
        storage: Arc<Storage>,
        shape: Vec<usize>,
        inputs: &[&Tensor],
        backward: impl FnOnce(&Output<'_>) -> B,
    ) -> Tensor {
        let record = is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
        // a trace needs the op's name even when nothing is recorded
        let tracing = crate::trace::is_tracing();
        let out = if record || tracing {
            let output = Output {
                storage: &storage,
                shape: &shape,
            };
            let backward = backward(&output);
            let name = backward.name();
            let node = record.then(|| {
                Arc::new(Node {
                    id: NEXT_NODE.fetch_add(1, Ordering::Relaxed),
                    name,
                    edges: inputs.iter().map(|t| edge_to(t)).collect(),
                    backward: Mutex::new(Some(Box::new(backward))),
                })
            });
            let out = Tensor::make(storage, shape, node);
            if tracing {
                crate::trace::record(name, inputs, &out);
            }
            out
        } else {
            Tensor::make(storage, shape, None)
        };
        if anomaly::is_anomaly_enabled() {
            anomaly::check_forward(&out);
        }
        out
    }
}

fn edge_to(t: &Tensor) -> Option<Edge> {
    match &t.0.node {
        Some(node) => Some(Edge::Op(node.clone())),
        None if t.requires_grad() => Some(Edge::Leaf(t.clone())),
        None => None,
    }
}
