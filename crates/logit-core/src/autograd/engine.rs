//! The only graph code: an iterative reverse pass over recorded ops. It knows no op.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use super::anomaly;
use super::grad_mode::no_grad;
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
        let grad = match options.gradient {
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
        let _g = no_grad();
        let order = topo_order(self);
        if let Some(t) = order
            .iter()
            .find(|t| node_of(t).freed.load(Ordering::Relaxed))
        {
            return Err(Error::GraphFreed {
                op: node_of(t).backward.name(),
            });
        }
        let mut pending: HashMap<u64, Tensor> = HashMap::with_capacity(order.len() * 2);
        pending.insert(self.id(), grad.detach());
        let mut leaves: Vec<Tensor> = Vec::new();
        if self.is_leaf() {
            leaves.push(self.clone());
        }
        for t in &order {
            let Some(g) = pending.remove(&t.id()) else {
                continue;
            };
            let node = node_of(t);
            // a uniform (0-dim) gradient from sum/mean is expanded only for ops that need it
            let g = if g.shape() != t.shape() && !node.backward.accepts_uniform_grad() {
                g.expand(t.shape())?
            } else {
                g
            };
            let grads = node.backward.backward(&node.inputs, t, &g)?;
            if anomaly::is_anomaly_enabled() {
                anomaly::check_backward(node.backward.name(), &grads)?;
            }
            for (input, ig) in node.inputs.iter().zip(grads) {
                let Some(ig) = ig else { continue };
                if !input.requires_grad() {
                    continue;
                }
                debug_assert!(
                    ig.shape() == input.shape() || ig.dim() == 0,
                    "{}",
                    node.backward.name()
                );
                match pending.get_mut(&input.id()) {
                    Some(acc) => *acc = acc.add(&ig)?,
                    None => {
                        if input.is_leaf() {
                            leaves.push(input.clone());
                        }
                        pending.insert(input.id(), ig);
                    }
                }
            }
        }
        for leaf in leaves {
            if let Some(g) = pending.remove(&leaf.id()) {
                let g = if g.shape() != leaf.shape() {
                    g.expand(leaf.shape())?
                } else {
                    g
                };
                leaf.accumulate_grad(g);
            }
        }
        if !options.retain_graph {
            for t in &order {
                node_of(t).freed.store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

fn node_of(t: &Tensor) -> &super::Node {
    t.0.node
        .as_ref()
        .expect("topo_order holds only recorded ops")
}

/// The recorded ops reachable from `root`, outputs before inputs. Iterative (no recursion), and
/// ordered by creation id, which is a valid reverse topological order because an op's inputs
/// always exist before its output.
fn topo_order(root: &Tensor) -> Vec<Tensor> {
    let mut seen = HashSet::new();
    let mut stack = vec![root.clone()];
    let mut order = Vec::new();
    while let Some(t) = stack.pop() {
        if !seen.insert(t.id()) {
            continue;
        }
        if let Some(node) = &t.0.node {
            stack.extend(node.inputs.iter().filter(|i| i.requires_grad()).cloned());
            order.push(t);
        }
    }
    order.sort_unstable_by_key(|t| std::cmp::Reverse(t.id()));
    order
}
