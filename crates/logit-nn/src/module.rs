//! The [`Module`] trait: a forward pass on top of [`Visit`], which names parameters, buffers and
//! children the way PyTorch's attributes do. Everything else (parameters, state dicts,
//! train/eval, freezing, printing) is provided on top of `visit`.

use std::any::Any;
use std::fmt;

use logit_core::{DType, Error, Result, Tensor};

use crate::introspect::{self, AsModule};
use crate::state_dict::StateDict;
use crate::visitor::{Entry, Visit, Visitor};

/// A layer or a model, like `torch.nn.Module`.
///
/// A model is a struct of layers. `#[derive(Module)]` registers each field under its name (the
/// [`Visit`] half, as PyTorch's attribute assignment does) and prints it as PyTorch does; the
/// model itself writes `forward`:
///
/// ```
/// use logit_core::{Result, Tensor};
/// use logit_nn::{Linear, Module, Sigmoid};
///
/// #[derive(Module)]
/// struct ChurnPredictor { linear: Linear, sigmoid: Sigmoid }
///
/// impl Module for ChurnPredictor {
///     fn forward(&self, x: &Tensor) -> Result<Tensor> {
///         self.sigmoid.forward(&self.linear.forward(x)?)
///     }
/// }
///
/// let model = ChurnPredictor { linear: Linear::new(10, 1)?, sigmoid: Sigmoid };
/// assert_eq!(model.state_dict().keys(), ["linear.weight", "linear.bias"]);
/// println!("{model}");
/// # Ok::<(), logit_core::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a logit Module",
    label = "not a Module, a Tensor or an Option of one",
    note = "mark a field that is not a layer (a size, a flag, a name) `#[module(skip)]`"
)]
pub trait Module: Visit + AsModule + Any + Send + Sync {
    /// Runs the module. Errors name the module and the shapes, e.g.
    /// `Linear(8 -> 12) expects 8 input features, got 5`.
    fn forward(&self, input: &Tensor) -> Result<Tensor>;

    /// Switches this module alone between training and evaluation; overridden by modules whose
    /// behaviour depends on the mode (Dropout, BatchNorm). Use [`Module::train`]/[`Module::eval`].
    fn set_training(&self, _training: bool) {}

    /// This module alone's mode; modules with a mode flag override it.
    fn training_flag(&self) -> Option<bool> {
        None
    }

    /// The type name shown by [`Module::repr`] (defaults to the Rust type's name).
    fn type_name(&self) -> String {
        let full = std::any::type_name::<Self>();
        let base = full.split('<').next().unwrap_or(full);
        base.rsplit("::").next().unwrap_or(base).to_string()
    }

    /// What goes between the parentheses in [`Module::repr`], like PyTorch's `extra_repr`.
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// Calls `f(full_name, entry)` for every parameter, buffer and module below this one, in
    /// registration order, with PyTorch's dotted names.
    fn walk<'m>(&'m self, f: &mut dyn FnMut(&str, Entry<'m>)) {
        let mut v = Visitor::new(f, true);
        self.visit(&mut v);
    }

    /// `(name, parameter)` pairs with PyTorch's dotted names, like `named_parameters()`.
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        self.walk(&mut |name, e| {
            if let Entry::Param(t) = e {
                out.push((name.to_string(), t.clone()));
            }
        });
        out
    }

    /// Handles to every parameter (sharing data with the module), like `parameters()`.
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// `(name, buffer)` pairs (e.g. BatchNorm running statistics), like `named_buffers()`.
    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        self.walk(&mut |name, e| {
            if let Entry::Buffer(t) = e {
                out.push((name.to_string(), t.clone()));
            }
        });
        out
    }

    /// The direct children with their attribute names, like `named_children()`.
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        introspect::named_children(self.as_module())
    }

    /// The direct children, like `children()`.
    fn children(&self) -> Vec<&dyn Module> {
        self.named_children().into_iter().map(|(_, m)| m).collect()
    }

    /// This module (named `""`) and every module below it with its dotted path, in
    /// registration order, like `named_modules()`.
    fn named_modules(&self) -> Vec<(String, &dyn Module)> {
        introspect::named_modules(self.as_module())
    }

    /// This module and every module below it, like `modules()`.
    fn modules(&self) -> Vec<&dyn Module> {
        self.named_modules().into_iter().map(|(_, m)| m).collect()
    }

    /// The submodule at a dotted path such as `"fc"` or `"layer1.0.conv1"`, like
    /// `get_submodule()`; `""` is the module itself.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first path segment that does not exist.
    fn get_submodule(&self, path: &str) -> Result<&dyn Module> {
        introspect::get_submodule(self.as_module(), path)
    }

    /// Calls `f` on every submodule and then on this module (children first, as PyTorch's
    /// `apply` does), e.g. to re-initialise every `Linear`.
    fn apply(&self, f: &mut dyn FnMut(&dyn Module)) {
        introspect::apply(self.as_module(), f)
    }

    /// `forward` over `x` in chunks of `rows` rows along the first dimension, joined again:
    /// the same output with the intermediate activations of one chunk alive at a time (scoring
    /// a large split without a graph). Call it under `no_grad` and in eval mode for
    /// prediction; a module whose rows interact in training (BatchNorm) would see chunks.
    ///
    /// # Errors
    /// As `forward`, or `rows == 0`.
    fn forward_chunked(&self, x: &Tensor, rows: usize) -> Result<Tensor> {
        if rows == 0 {
            return Err(logit_core::Error::invalid(
                "forward_chunked",
                "a chunk of at least one row",
                "0",
            ));
        }
        let n = x.shape().first().copied().unwrap_or(0);
        if n <= rows {
            return self.forward(x);
        }
        let outs = (0..n)
            .step_by(rows)
            .map(|start| self.forward(&x.narrow(0, start, rows.min(n - start))?))
            .collect::<Result<Vec<_>>>()?;
        Tensor::cat(&outs, 0)
    }

    /// Total number of parameter elements.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.numel()).sum()
    }

    /// Parameters and buffers by name, in PyTorch's order, like `state_dict()`.
    fn state_dict(&self) -> StateDict {
        let mut sd = StateDict::new();
        self.walk(&mut |name, e| match e {
            Entry::Param(t) | Entry::Buffer(t) => sd.insert(name, t.detach()),
            Entry::Module(_) => {}
        });
        sd
    }

    /// Copies a state dict's values into this module, like `load_state_dict(sd, strict=True)`.
    ///
    /// # Errors
    /// [`Error::StateDict`] listing every missing key, unexpected key and shape mismatch; the
    /// module is left unchanged then.
    fn load_state_dict(&self, sd: &StateDict) -> Result<()> {
        let own = self.state_dict();
        let mut missing = Vec::new();
        let mut mismatched = Vec::new();
        for (k, t) in own.iter() {
            match sd.get(k) {
                None => missing.push(k.to_string()),
                Some(v) if v.shape() != t.shape() => mismatched.push(format!(
                    "{k}: expected shape {:?}, got {:?}",
                    t.shape(),
                    v.shape()
                )),
                Some(_) => {}
            }
        }
        let unexpected: Vec<String> = sd
            .keys()
            .into_iter()
            .filter(|k| own.get(k).is_none())
            .map(String::from)
            .collect();
        if !(missing.is_empty() && unexpected.is_empty() && mismatched.is_empty()) {
            return Err(Error::StateDict {
                missing,
                unexpected,
                mismatched,
            });
        }
        let mut result = Ok(());
        self.walk(&mut |name, e| {
            if let Entry::Param(t) | Entry::Buffer(t) = e {
                if let Some(src) = sd.get(name) {
                    if let Err(e) = t.copy_(src) {
                        result = Err(e);
                    }
                }
            }
        });
        result
    }

    /// Puts this module and every child in training mode, like `model.train()`.
    fn train(&self) {
        self.set_training(true);
        self.walk(&mut |_, e| {
            if let Entry::Module(m) = e {
                m.set_training(true);
            }
        });
    }

    /// Puts this module and every child in evaluation mode, like `model.eval()`.
    fn eval(&self) {
        self.set_training(false);
        self.walk(&mut |_, e| {
            if let Entry::Module(m) = e {
                m.set_training(false);
            }
        });
    }

    /// True unless some part of the module is in evaluation mode (PyTorch's `training`).
    fn is_training(&self) -> bool {
        let mut training = self.training_flag().unwrap_or(true);
        self.walk(&mut |_, e| {
            if let Entry::Module(m) = e {
                training &= m.training_flag().unwrap_or(true);
            }
        });
        training
    }

    /// Drops every parameter's gradient, like `model.zero_grad()`.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// Sets `requires_grad` on every parameter; `false` freezes the module, like
    /// `model.requires_grad_(False)`.
    fn requires_grad_(&self, requires_grad: bool) {
        for p in self.parameters() {
            p.requires_grad_(requires_grad);
            if !requires_grad {
                p.zero_grad();
            }
        }
    }

    /// Converts every float parameter and buffer to `dtype` in place, like `model.double()`.
    fn to_dtype(&self, dtype: DType) {
        self.walk(&mut |_, e| {
            if let Entry::Param(t) | Entry::Buffer(t) = e {
                if t.dtype().is_float() && dtype.is_float() {
                    t.zero_grad();
                    t.update_(|s| *s = s.to_dtype(dtype));
                }
            }
        });
    }

    /// The module's structure as PyTorch prints it.
    fn repr(&self) -> String {
        let children = self
            .named_children()
            .into_iter()
            .map(|(name, m)| format!("({name}): {}", m.repr()))
            .collect();
        nest(
            format!("{}({}", self.type_name(), self.extra_repr()),
            children,
        )
    }
}

/// `head` closed by `)`, with each entry on its own lines indented by two spaces between, as
/// PyTorch's `__repr__` lays out children.
pub(crate) fn nest(head: String, entries: Vec<String>) -> String {
    if entries.is_empty() {
        return head + ")";
    }
    let mut s = head + "\n";
    for e in entries {
        for line in e.lines() {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
    s + ")"
}

impl fmt::Display for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl fmt::Debug for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl<M: Visit + ?Sized> Visit for Box<M> {
    fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        (**self).visit(v)
    }
}

impl<M: Module + ?Sized> Module for Box<M> {
    fn forward(&self, input: &Tensor) -> Result<Tensor> {
        (**self).forward(input)
    }
    fn set_training(&self, training: bool) {
        (**self).set_training(training)
    }
    fn training_flag(&self) -> Option<bool> {
        (**self).training_flag()
    }
    fn type_name(&self) -> String {
        (**self).type_name()
    }
    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }
    fn repr(&self) -> String {
        (**self).repr()
    }
}
