//! Recording one forward pass op by op, for exporters (`logit-onnx`): while [`trace`] runs a
//! closure, every op that goes through [`Tensor::from_op`] is listed with PyTorch's name for
//! it, its inputs, its output and the attributes an exporter needs (a convolution's stride, a
//! softmax's dim). Outside a trace this costs one thread-local flag check per op.
//!
//! ```
//! use logit_core::{trace, Tensor};
//! let x = Tensor::new([[1.0, -2.0]])?;
//! let (y, t) = trace::trace(|| x.mul_scalar(3.0).sigmoid());
//! let names: Vec<_> = t.ops.iter().map(|op| op.name).collect();
//! assert_eq!(names, ["MulBackward1", "SigmoidBackward0"]);
//! assert_eq!(t.ops[1].output.id(), y.id());
//! # Ok::<(), logit_core::Error>(())
//! ```

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use crate::Tensor;

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
}

/// An attribute of a traced op.
#[derive(Debug, Clone)]
pub enum Attr {
    /// One integer (an axis, a flag).
    Int(i64),
    /// Integers (strides, padding, a permutation).
    Ints(Vec<i64>),
    /// One number (a slope, an epsilon, a scalar operand).
    Float(f64),
    /// A tensor the op reads that is not one of its inputs (batch norm's running statistics).
    Tensor(Tensor),
}

/// One op of a traced forward pass.
#[derive(Debug, Clone)]
pub struct TracedOp {
    /// PyTorch's `grad_fn` name, e.g. `"ConvolutionBackward0"`.
    pub name: &'static str,
    /// The op's inputs, in the order its forward takes them.
    pub inputs: Vec<Tensor>,
    /// The op's output.
    pub output: Tensor,
    /// What an exporter needs besides the inputs, by name.
    pub attrs: Vec<(&'static str, Attr)>,
}

impl TracedOp {
    /// The attribute `key`, if the op set it.
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, a)| a)
    }
}

/// The ops of one forward pass, in execution order.
#[derive(Debug, Default)]
pub struct Trace {
    /// The recorded ops.
    pub ops: Vec<TracedOp>,
    created: HashSet<u64>,
}

impl Trace {
    /// True when `t` was made while the trace ran. A tensor made during the pass that is no
    /// op's output came from something the trace cannot see (a comparison, a tensor built
    /// inside `forward`), so an exporter must not treat it as a constant.
    pub fn created_during(&self, t: &Tensor) -> bool {
        self.created.contains(&t.id())
    }
}

/// Runs `f` and returns its result with the ops it ran on this thread. Traces do not nest:
/// an inner `trace` records on its own and the outer one resumes afterwards.
pub fn trace<R>(f: impl FnOnce() -> R) -> (R, Trace) {
    // puts the outer trace back even if `f` panics
    struct Outer {
        trace: Option<Trace>,
        active: bool,
    }
    impl Drop for Outer {
        fn drop(&mut self) {
            TRACE.with(|t| *t.borrow_mut() = self.trace.take());
            ACTIVE.with(|a| a.set(self.active));
        }
    }
    let outer = Outer {
        trace: TRACE.with(|t| t.replace(Some(Trace::default()))),
        active: ACTIVE.with(|a| a.replace(true)),
    };
    let out = f();
    let recorded = TRACE.with(|t| t.borrow_mut().take()).unwrap_or_default();
    drop(outer);
    (out, recorded)
}

/// True while a trace runs on this thread.
pub(crate) fn is_tracing() -> bool {
    ACTIVE.with(|a| a.get())
}

pub(crate) fn created(t: &Tensor) {
    TRACE.with(|tr| {
        if let Some(tr) = tr.borrow_mut().as_mut() {
            tr.created.insert(t.id());
        }
    });
}

pub(crate) fn record(name: &'static str, inputs: &[&Tensor], output: &Tensor) {
    TRACE.with(|tr| {
        if let Some(tr) = tr.borrow_mut().as_mut() {
            tr.ops.push(TracedOp {
                name,
                inputs: inputs.iter().map(|&t| t.clone()).collect(),
                output: output.clone(),
                attrs: Vec::new(),
            });
        }
    });
}

/// Attaches attributes to the op that made `output` and returns it; `attrs` runs only inside
/// a trace.
pub(crate) fn with_attrs(
    output: Tensor,
    attrs: impl FnOnce() -> Vec<(&'static str, Attr)>,
) -> Tensor {
    if is_tracing() {
        TRACE.with(|tr| {
            if let Some(tr) = tr.borrow_mut().as_mut() {
                let id = output.id();
                if let Some(op) = tr.ops.iter_mut().rev().find(|op| op.output.id() == id) {
                    op.attrs.extend(attrs());
                }
            }
        });
    }
    output
}
