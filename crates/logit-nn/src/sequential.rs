//! [`Sequential`]: modules applied in order, numbered `0`, `1`, … in the state dict.

use std::ops::Index;

use logit_core::{Error, Result, Tensor};

use crate::{Module, Visit, Visitor};

/// A chain of modules, like `nn.Sequential`.
///
/// ```
/// use logit_nn::{Linear, Module, ReLU, Sequential, Sigmoid};
/// let model = Sequential::new()
///     .add(Linear::new(8, 12)?)
///     .add(ReLU)
///     .add(Linear::new(12, 1)?)
///     .add(Sigmoid);
/// assert_eq!(model.state_dict().keys(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    /// An empty chain (the identity).
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends a module and returns the chain, for building in one expression.
    #[allow(clippy::should_implement_trait)] // a builder step, not `+`
    pub fn add(mut self, m: impl Module + 'static) -> Sequential {
        self.layers.push(Box::new(m));
        self
    }

    /// Appends a module, like `seq.append(m)`.
    pub fn push(&mut self, m: impl Module + 'static) {
        self.layers.push(Box::new(m));
    }

    /// Appends a boxed module.
    pub fn push_boxed(&mut self, m: Box<dyn Module>) {
        self.layers.push(m);
    }

    /// Inserts a module at `index`, like `seq.insert(index, m)`.
    ///
    /// # Errors
    /// When `index > len()`.
    pub fn insert(&mut self, index: usize, m: impl Module + 'static) -> Result<()> {
        if index > self.layers.len() {
            return Err(Error::invalid(
                "Sequential::insert",
                format!("index <= {}", self.layers.len()),
                index.to_string(),
            ));
        }
        self.layers.insert(index, Box::new(m));
        Ok(())
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The module at `index`.
    pub fn get(&self, index: usize) -> Option<&dyn Module> {
        self.layers.get(index).map(|m| m.as_ref())
    }
}

impl Index<usize> for Sequential {
    type Output = dyn Module + 'static;
    /// **Panics** when out of range, like indexing a `Vec`; [`Sequential::get`] returns an
    /// `Option`.
    fn index(&self, index: usize) -> &(dyn Module + 'static) {
        self.layers[index].as_ref()
    }
}

impl Visit for Sequential {
    fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        for (i, m) in self.layers.iter().enumerate() {
            v.module(&i.to_string(), m.as_ref());
        }
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for m in &self.layers {
            h = m.forward(&h)?;
        }
        Ok(h)
    }
}
