//! [`Visit`] and [`Visitor`]: how a module names its parameters, buffers and children, joining
//! attribute names with `.` as PyTorch does.

use logit_core::Tensor;

use crate::Module;

/// One item a module registers.
pub enum Entry<'m> {
    /// A trainable parameter (PyTorch `register_parameter`).
    Param(&'m Tensor),
    /// A buffer saved in the state dict but not trained (PyTorch `register_buffer`).
    Buffer(&'m Tensor),
    /// A child module.
    Module(&'m dyn Module),
}

/// The registration half of a module: hands each direct parameter, buffer and child to the
/// visitor under its attribute name, as assigning `self.name = ...` does in PyTorch.
///
/// `#[derive(Module)]` writes it from the struct's fields; write it by hand for anything the
/// derive cannot see (a list of layers built at run time, names computed from an index):
///
/// ```
/// use logit_core::{Result, Tensor};
/// use logit_nn::{Linear, Module, Visit, Visitor};
///
/// struct Stack { layers: Vec<Linear> }
///
/// impl Visit for Stack {
///     fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
///         for (i, layer) in self.layers.iter().enumerate() {
///             v.module(&format!("layer{}", i + 1), layer);
///         }
///     }
/// }
///
/// impl Module for Stack {
///     fn forward(&self, x: &Tensor) -> Result<Tensor> {
///         self.layers.iter().try_fold(x.clone(), |h, l| l.forward(&h))
///     }
/// }
///
/// let s = Stack { layers: vec![Linear::new(4, 3)?, Linear::new(3, 1)?] };
/// assert_eq!(s.state_dict().keys(), ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say what its fields are",
    label = "needs `#[derive(Module)]` or an `impl Visit`",
    note = "put `#[derive(Module)]` on the struct (a layer without fields gets an empty `impl Visit for {Self} {{}}`)"
)]
pub trait Visit {
    /// Registers each direct parameter, buffer and child module; modules without any
    /// (activations) keep the default.
    fn visit<'m>(&'m self, _v: &mut Visitor<'_, 'm>) {}
}

/// Passed to [`Visit::visit`]; each call registers one field under its attribute name.
pub struct Visitor<'f, 'm> {
    prefix: String,
    recurse: bool,
    f: &'f mut dyn FnMut(&str, Entry<'m>),
}

impl<'f, 'm> Visitor<'f, 'm> {
    /// A visitor that calls `f(full_name, entry)`; with `recurse`, it descends into children.
    pub fn new(f: &'f mut dyn FnMut(&str, Entry<'m>), recurse: bool) -> Visitor<'f, 'm> {
        Visitor {
            prefix: String::new(),
            recurse,
            f,
        }
    }

    fn full(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Registers a parameter.
    pub fn param(&mut self, name: &str, t: &'m Tensor) {
        let full = self.full(name);
        (self.f)(&full, Entry::Param(t));
    }

    /// Registers a buffer.
    pub fn buffer(&mut self, name: &str, t: &'m Tensor) {
        let full = self.full(name);
        (self.f)(&full, Entry::Buffer(t));
    }

    /// Registers a child module; its own entries get `name.` in front.
    pub fn module(&mut self, name: &str, m: &'m dyn Module) {
        let full = self.full(name);
        (self.f)(&full, Entry::Module(m));
        if self.recurse {
            let saved = std::mem::replace(&mut self.prefix, full);
            m.visit(self);
            self.prefix = saved;
        }
    }

    /// Registers `m`'s own entries as if they were the caller's (no prefix), for a wrapper
    /// that keeps the wrapped model's keys (`#[module(flatten)]`).
    pub fn flatten(&mut self, m: &'m dyn Module) {
        m.visit(self);
    }
}
