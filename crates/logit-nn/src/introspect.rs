//! Walking a module tree as PyTorch users do: `named_modules`, `get_submodule`, `apply`, and
//! asking a `dyn Module` for its concrete type (`resnet.fc.in_features`).

use std::any::Any;

use logit_core::{Error, Result};

use crate::visitor::{Entry, Visitor};
use crate::Module;

/// Any module seen as `&dyn Module`, so that [`Module`]'s provided methods can hand the module
/// itself to a tree walk (`named_modules` starts with the root). Implemented for every module.
#[doc(hidden)]
pub trait AsModule {
    /// `self` as a trait object.
    fn as_module(&self) -> &dyn Module;
}

impl<M: Module> AsModule for M {
    fn as_module(&self) -> &dyn Module {
        self
    }
}

fn collect<'m>(root: &'m dyn Module, recurse: bool, out: &mut Vec<(String, &'m dyn Module)>) {
    root.visit(&mut Visitor::new(
        &mut |name, e| {
            if let Entry::Module(m) = e {
                out.push((name.to_string(), m));
            }
        },
        recurse,
    ));
}

pub(crate) fn named_children(root: &dyn Module) -> Vec<(String, &dyn Module)> {
    let mut out = Vec::new();
    collect(root, false, &mut out);
    out
}

pub(crate) fn named_modules(root: &dyn Module) -> Vec<(String, &dyn Module)> {
    let mut out = vec![(String::new(), root)];
    collect(root, true, &mut out);
    out
}

pub(crate) fn get_submodule<'m>(root: &'m dyn Module, path: &str) -> Result<&'m dyn Module> {
    let mut current = root;
    let mut walked = String::new();
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let next = named_children(current)
            .into_iter()
            .find(|(name, _)| name == seg)
            .map(|(_, m)| m);
        current = next.ok_or_else(|| {
            let owner = if walked.is_empty() {
                current.type_name()
            } else {
                format!("`{walked}` ({})", current.type_name())
            };
            Error::invalid(
                "get_submodule",
                format!("a path of child names such as `layer1.0.conv1` (in {path:?})"),
                format!("{owner} has no child `{seg}`"),
            )
        })?;
        walked = if walked.is_empty() {
            seg.to_string()
        } else {
            format!("{walked}.{seg}")
        };
    }
    Ok(current)
}

pub(crate) fn apply(root: &dyn Module, f: &mut dyn FnMut(&dyn Module)) {
    for (_, child) in named_children(root) {
        apply(child, f);
    }
    f(root);
}

impl dyn Module {
    /// The module as its concrete type, or `None` when it is another one.
    ///
    /// ```
    /// use logit_nn::{Linear, Module, Sigmoid};
    /// let fc: Box<dyn Module> = Box::new(Linear::new(512, 1000)?);
    /// assert_eq!(fc.downcast_ref::<Linear>().map(Linear::in_features), Some(512));
    /// assert!(fc.downcast_ref::<Sigmoid>().is_none());
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    pub fn downcast_ref<T: Module>(&self) -> Option<&T> {
        (self as &dyn Any).downcast_ref::<T>()
    }

    /// The module as its concrete type, like reading an attribute that only that type has
    /// (`resnet.fc.in_features` is `resnet.fc.downcast::<Linear>()?.in_features()`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming both types when the module is another one.
    pub fn downcast<T: Module>(&self) -> Result<&T> {
        self.downcast_ref::<T>().ok_or_else(|| {
            let want = std::any::type_name::<T>();
            Error::invalid(
                "downcast",
                format!("a {}", want.rsplit("::").next().unwrap_or(want)),
                format!("a {}", self.type_name()),
            )
        })
    }
}
