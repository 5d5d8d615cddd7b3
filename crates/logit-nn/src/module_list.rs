//! `Vec<M>` as PyTorch's `nn.ModuleList`: children named `0`, `1`, … and no forward of its own.

use logit_core::{Error, Result, Tensor};

use crate::{Module, Visit, Visitor};

impl<M: Module> Visit for Vec<M> {
    fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        for (i, m) in self.iter().enumerate() {
            v.module(&i.to_string(), m);
        }
    }
}

/// A list of layers the owner calls one by one, like `nn.ModuleList`: a `Vec<Linear>` field
/// gives the keys `blocks.0.weight`, `blocks.1.weight`, … and prints as `ModuleList`.
impl<M: Module> Module for Vec<M> {
    /// A list has no forward of its own (PyTorch raises `NotImplementedError`); its owner
    /// iterates over it.
    fn forward(&self, _input: &Tensor) -> Result<Tensor> {
        Err(Error::invalid(
            "ModuleList",
            "the owning module to call each layer (a ModuleList has no forward)",
            "forward called on the list itself",
        ))
    }
    fn type_name(&self) -> String {
        "ModuleList".to_string()
    }
    /// As PyTorch prints a `ModuleList`: runs of equal layers folded into `(0-2): 3 x Linear(..)`.
    fn repr(&self) -> String {
        let reprs: Vec<String> = self.iter().map(|m| m.repr()).collect();
        let mut entries = Vec::new();
        let mut start = 0;
        while start < reprs.len() {
            let end = (start..reprs.len())
                .take_while(|&i| reprs[i] == reprs[start])
                .last()
                .unwrap_or(start);
            entries.push(if end == start {
                format!("({start}): {}", reprs[start])
            } else {
                format!("({start}-{end}): {} x {}", end - start + 1, reprs[start])
            });
            start = end + 1;
        }
        crate::module::nest("ModuleList(".to_string(), entries)
    }
}
