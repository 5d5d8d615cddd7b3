//! The reverse pass over the recorded graph (the nodes are in `node.rs`). It knows no op.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::grad_mode::no_grad;
use super::{anomaly, Edge, Grad, Node};
use crate::{Error, Result, Tensor};

/// Options of [`Tensor::backward_with_options`], like the arguments of `tensor.backward(...)`.
#[derive(Debug, Clone, Default)]
pub struct BackwardOptions {
    /// `dL/d(self)`; `None` means ones, which needs a one-element tensor.
    pub gradient: Option<Tensor>,
    /// Keep the graph for another backward through it (PyTorch's `retain_graph=True`).
    pub retain_graph: bool,
}

impl Tensor {
    /// Computes the gradient of this scalar with respect to every leaf that requires grad and
    /// adds it into their `.grad`, like `loss.backward()`. Gradients accumulate across calls
    /// until `zero_grad()`.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// let x = Tensor::new([1.0, 2.0, 3.0])?.requires_grad_(true);
    /// x.mul(&x)?.sum().backward()?;          // d(Σx²)/dx = 2x
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![2.0, 4.0, 6.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// The graph is freed as in PyTorch: a second `backward()` through the same ops is
    /// [`Error::GraphFreed`] unless the first one kept it
    /// ([`BackwardOptions::retain_graph`]).
    ///
    /// # Errors
    /// When the tensor has more than one element ([`Error::NonScalarBackward`]), does not
    /// require grad, its graph was freed, or (in anomaly mode) a backward produced a NaN.
    pub fn backward(&self) -> Result<()> {
        self.backward_with_options(BackwardOptions::default())
    }

    /// Backward from any tensor given `dL/d(self)`, like `y.backward(grad)`.
    ///
    /// # Errors
    /// When `grad`'s shape or dtype differs from this tensor's, or as [`Tensor::backward`].
    pub fn backward_with(&self, grad: &Tensor) -> Result<()> {
        self.backward_with_options(BackwardOptions {
            gradient: Some(grad.clone()),
            retain_graph: false,
        })
    }

    /// `tensor.backward(gradient=…, retain_graph=…)`.
    ///
    /// ```
    /// use logit_core::{autograd::BackwardOptions, Tensor};
    /// let x = Tensor::new([3.0])?.requires_grad_(true);
    /// let y = x.mul(&x)?.sum();
    /// y.backward_with_options(BackwardOptions { retain_graph: true, ..Default::default() })?;
    /// y.backward()?;                         // allowed once more, then freed
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![12.0]);
    /// assert!(y.backward().is_err());
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Tensor::backward`] and [`Tensor::backward_with`].
    pub fn backward_with_options(&self, options: BackwardOptions) -> Result<()> {
        let grad = self.root_grad(options.gradient)?;
        let _g = no_grad();
        let grad = Grad::Dense(grad.detach());
        let Some(root) = self.0.node.clone() else {
            // backward from a leaf: its gradient is the given one
            self.accumulate_grad(grad.to_dense());
            return Ok(());
        };
        let order = topo_order(root.clone());
        if let Some(n) = order.iter().find(|n| n.backward_fn().is_none()) {
            return Err(Error::GraphFreed { op: n.name });
        }
        // the gradient flowing into each node, by its place in `order` (the root is first)
        let mut pending: Vec<Option<Grad>> = Vec::with_capacity(order.len());
        pending.resize_with(order.len(), || None);
        pending[0] = Some(grad);
        let mut leaves = Leaves::default();
        for (at, node) in order.iter().enumerate() {
            let Some(g) = pending[at].take() else {
                continue;
            };
            let grads = run_node(node, g, options.retain_graph)?;
            for (edge, ig) in node.edges.iter().zip(grads) {
                let (Some(edge), Some(ig)) = (edge, ig) else {
                    continue;
                };
                match edge {
                    Edge::Op(n) => {
                        let slot = &mut pending[position(&order, n.id)];
                        *slot = Some(match slot.take() {
                            Some(acc) => acc.accumulate(ig)?,
                            None => ig,
                        });
                    }
                    Edge::Leaf(t) => leaves.add(t, ig)?,
                }
            }
        }
        leaves.flush();
        Ok(())
    }

    /// `dL/d(self)` to start from: the given one, checked, or ones for a one-element tensor.
    fn root_grad(&self, gradient: Option<Tensor>) -> Result<Tensor> {
        let grad = match gradient {
            Some(g) => g,
            None if self.numel() != 1 => {
                return Err(Error::NonScalarBackward {
                    shape: self.shape().to_vec(),
                })
            }
            None => Tensor::ones_like(self),
        };
        if !self.requires_grad() {
            return Err(Error::NoGradFn);
        }
        if grad.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: "backward_with",
                lhs: self.shape().to_vec(),
                rhs: grad.shape().to_vec(),
            });
        }
        if grad.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch {
                op: "backward_with",
                expected: self.dtype(),
                got: grad.dtype(),
            });
        }
        Ok(grad)
    }
}

/// Runs one node's backward on its gradient; without `retain_graph` the node drops its backward
/// (and so its saved tensors) right away, as PyTorch frees a graph while walking it.
fn run_node(node: &Node, grad: Grad, retain_graph: bool) -> Result<Vec<Option<Grad>>> {
    let need = |e: &Option<Edge>| match e {
        None => false,
        Some(Edge::Op(_)) => true,
        Some(Edge::Leaf(t)) => t.requires_grad(),
    };
    // most ops have at most three inputs: their flags stay on the stack
    let mut few = [false; 4];
    let many: Vec<bool>;
    let needs: &[bool] = if node.edges.len() <= few.len() {
        for (f, e) in few.iter_mut().zip(&node.edges) {
            *f = need(e);
        }
        &few[..node.edges.len()]
    } else {
        many = node.edges.iter().map(need).collect();
        &many
    };
    let mut slot = node.backward_fn();
    let backward = slot.as_ref().ok_or(Error::GraphFreed { op: node.name })?;
    let grads = backward.backward(&grad, needs)?;
    if !retain_graph {
        *slot = None;
    }
    if anomaly::is_anomaly_enabled() {
        anomaly::check_backward(node.name, &grads)?;
    }
    Ok(grads)
}

/// The gradients bound for leaves, summed over every path and written once at the end in the
/// order the leaves were reached.
#[derive(Default)]
struct Leaves {
    order: Vec<(Tensor, Option<Grad>)>,
    index: HashMap<u64, usize, Ids>,
}

impl Leaves {
    fn add(&mut self, leaf: &Tensor, g: Grad) -> Result<()> {
        if !leaf.requires_grad() {
            return Ok(());
        }
        debug_assert_eq!(g.shape(), leaf.shape(), "a backward returned a wrong shape");
        match self.index.get(&leaf.id()) {
            Some(&i) => {
                let slot = &mut self.order[i].1;
                *slot = Some(match slot.take() {
                    Some(acc) => acc.accumulate(g)?,
                    None => g,
                });
            }
            None => {
                self.index.insert(leaf.id(), self.order.len());
                self.order.push((leaf.clone(), Some(g)));
            }
        }
        Ok(())
    }

    fn flush(self) {
        for (leaf, g) in self.order {
            if let Some(g) = g {
                leaf.accumulate_grad(g.to_dense());
            }
        }
    }
}

/// The recorded ops reachable from `root`, outputs before inputs. Iterative (no recursion), and
/// ordered by node id, which is a valid reverse topological order because an op's inputs
/// always exist before its output.
fn topo_order(root: Arc<Node>) -> Vec<Arc<Node>> {
    let mut seen = HashSet::<u64, Ids>::default();
    let mut stack = vec![root];
    let mut order = Vec::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.id) {
            continue;
        }
        stack.extend(n.edges.iter().filter_map(|e| match e {
            Some(Edge::Op(n)) => Some(n.clone()),
            _ => None,
        }));
        order.push(n);
    }
    order.sort_unstable_by_key(|n| std::cmp::Reverse(n.id));
    order
}

/// The place of node `id` in `order` (sorted by id, largest first); every node an edge of
/// a node in `order` reaches is in it.
fn position(order: &[Arc<Node>], id: u64) -> usize {
    order
        .binary_search_by(|n| id.cmp(&n.id))
        .expect("topo_order holds every node reachable from the root")
}

/// Hashing for the engine's sets of tensor and node ids: the ids are distinct counters, so one
/// multiply spreads them over the table, where the default SipHash was a visible share of a
/// tiny model's backward.
type Ids = BuildHasherDefault<IdHasher>;

#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, id: u64) {
        // Fibonacci hashing: the table's index and tag bits both come from the high bits
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
