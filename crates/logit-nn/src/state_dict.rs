//! [`StateDict`]: named tensors in registration order (PyTorch's `OrderedDict`).

use logit_core::Tensor;

/// Parameters and buffers by dotted name, in the order the module registered them.
#[derive(Clone, Default)]
pub struct StateDict {
    entries: Vec<(String, Tensor)>,
}

impl StateDict {
    /// An empty state dict.
    pub fn new() -> StateDict {
        StateDict::default()
    }

    /// Adds or replaces an entry.
    pub fn insert(&mut self, name: &str, t: Tensor) {
        match self.entries.iter_mut().find(|(k, _)| k == name) {
            Some(e) => e.1 = t,
            None => self.entries.push((name.to_string(), t)),
        }
    }

    /// The tensor under `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, t)| t)
    }

    /// Removes and returns the tensor under `name`.
    pub fn remove(&mut self, name: &str) -> Option<Tensor> {
        let i = self.entries.iter().position(|(k, _)| k == name)?;
        Some(self.entries.remove(i).1)
    }

    /// The keys in order.
    pub fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// `(key, tensor)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(k, t)| (k.as_str(), t))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for StateDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (k, t) in &self.entries {
            m.entry(k, &format_args!("{:?} {:?}", t.dtype(), t.shape()));
        }
        m.finish()
    }
}

impl FromIterator<(String, Tensor)> for StateDict {
    fn from_iter<I: IntoIterator<Item = (String, Tensor)>>(iter: I) -> Self {
        let mut sd = StateDict::new();
        for (k, t) in iter {
            sd.insert(&k, t);
        }
        sd
    }
}
