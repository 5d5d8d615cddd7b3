//! [`Visitor`]: walks a module tree, joining attribute names with `.` as PyTorch does.

use logit_core::Tensor;

use crate::Module;

/// One item a module registers.
pub enum Entry<'a> {
    /// A trainable parameter (PyTorch `register_parameter`).
    Param(&'a Tensor),
    /// A buffer saved in the state dict but not trained (PyTorch `register_buffer`).
    Buffer(&'a Tensor),
    /// A child module.
    Module(&'a dyn Module),
}

/// Passed to [`Module::visit`]; each call registers one field under its attribute name.
pub struct Visitor<'a> {
    prefix: String,
    recurse: bool,
    f: &'a mut dyn FnMut(&str, Entry<'_>),
}

impl<'a> Visitor<'a> {
    /// A visitor that calls `f(full_name, entry)`; with `recurse`, it descends into children.
    pub fn new(f: &'a mut dyn FnMut(&str, Entry<'_>), recurse: bool) -> Visitor<'a> {
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
    pub fn param(&mut self, name: &str, t: &Tensor) {
        let full = self.full(name);
        (self.f)(&full, Entry::Param(t));
    }

    /// Registers a buffer.
    pub fn buffer(&mut self, name: &str, t: &Tensor) {
        let full = self.full(name);
        (self.f)(&full, Entry::Buffer(t));
    }

    /// Registers a child module; its own entries get `name.` in front.
    pub fn module(&mut self, name: &str, m: &dyn Module) {
        let full = self.full(name);
        (self.f)(&full, Entry::Module(m));
        if self.recurse {
            let saved = std::mem::replace(&mut self.prefix, full);
            m.visit(self);
            self.prefix = saved;
        }
    }
}
