//! [`summary`]: a per-layer table of a model (name, type, output shape, parameters), like
//! torchinfo's `summary(model, input_size=...)`.
//!
//! PyTorch fills the output-shape column with forward hooks. Here every built-in layer reports
//! its output through [`record`] while a summary runs (one thread-local check otherwise). A
//! module of your own, made of layers, shows the shape of the last layer it ran, which is its
//! output unless it computes more after that layer.

use std::cell::RefCell;
use std::fmt;

use logit_core::{no_grad, Result, Tensor};

use crate::Module;

thread_local! {
    /// `Some` while a summary runs: (module address, type name, output shape) per layer call.
    static CALLS: RefCell<Option<Vec<Call>>> = const { RefCell::new(None) };
}

struct Call {
    addr: usize,
    type_name: String,
    shape: Vec<usize>,
}

/// Whether a [`summary`] is listing module calls now (a fused forward then runs its modules
/// one by one, so each is listed).
pub(crate) fn is_recording() -> bool {
    CALLS.with(|c| c.borrow().is_some())
}

/// Reports a layer's output to a running [`summary`]; returns `out` unchanged. Built-in
/// layers call it at the end of `forward`; a hand-written leaf layer may too.
pub fn record<M: Module>(layer: &M, out: Result<Tensor>) -> Result<Tensor> {
    if let Ok(t) = &out {
        CALLS.with(|c| {
            if let Some(calls) = c.borrow_mut().as_mut() {
                calls.push(Call {
                    addr: layer as *const M as *const () as usize,
                    type_name: layer.type_name(),
                    shape: t.shape().to_vec(),
                });
            }
        });
    }
    out
}

/// One module of a [`Summary`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Dotted path (`layer1.0.conv1`; `""` for the model itself).
    pub name: String,
    /// Type name as printed (`Conv2d`).
    pub type_name: String,
    /// Shape of its output for the summarised input; `None` when it did not run.
    pub output_shape: Option<Vec<usize>>,
    /// Parameter elements in it and below it.
    pub params: usize,
    /// How many of those require a gradient.
    pub trainable: usize,
    /// Depth below the model (0 for the model itself).
    pub depth: usize,
}

/// A per-layer table of a model for one input, from [`summary`]; `Display` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// One row per module, in `named_modules()` order.
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Parameter elements in the whole model.
    pub fn total_params(&self) -> usize {
        self.rows.first().map_or(0, |r| r.params)
    }

    /// Trainable parameter elements in the whole model.
    pub fn trainable_params(&self) -> usize {
        self.rows.first().map_or(0, |r| r.trainable)
    }
}

/// Runs `model` once on `input` (under `no_grad`, mode unchanged) and tabulates every module:
/// name, type, output shape, parameters and trainable parameters.
///
/// ```
/// use logit_core::Tensor;
/// use logit_nn::{summary, Linear, ReLU, Sequential, Sigmoid};
/// let model = Sequential::new().add(Linear::new(8, 12)?).add(ReLU).add(Linear::new(12, 1)?).add(Sigmoid);
/// let s = summary(&model, &Tensor::zeros(&[4, 8]))?;
/// assert_eq!(s.rows[1].output_shape, Some(vec![4, 12]));
/// assert_eq!(s.total_params(), 8 * 12 + 12 + 12 + 1);
/// println!("{s}");
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// Whatever the model's forward returns for this input.
pub fn summary(model: &dyn Module, input: &Tensor) -> Result<Summary> {
    CALLS.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let result = {
        let _g = no_grad();
        model.forward(input)
    };
    let calls = CALLS.with(|c| c.borrow_mut().take()).unwrap_or_default();
    let out = result?;
    let modules = model.named_modules();
    // each call belongs to the module at its address (zero-sized layers may share one, so the
    // type must match too); a module's row keeps the last call made inside its subtree
    let mut shapes: Vec<Option<Vec<usize>>> = vec![None; modules.len()];
    for call in &calls {
        let Some(owner) = modules.iter().position(|(_, m)| {
            *m as *const dyn Module as *const () as usize == call.addr
                && m.type_name() == call.type_name
        }) else {
            continue;
        };
        let owner_name = &modules[owner].0;
        for (i, (name, _)) in modules.iter().enumerate() {
            if i == owner || is_ancestor(name, owner_name) {
                shapes[i] = Some(call.shape.clone());
            }
        }
    }
    shapes[0] = Some(out.shape().to_vec());
    let rows = modules
        .iter()
        .zip(shapes)
        .map(|((name, m), output_shape)| {
            let params = m.parameters();
            SummaryRow {
                name: name.clone(),
                type_name: m.type_name(),
                output_shape,
                params: params.iter().map(Tensor::numel).sum(),
                trainable: params
                    .iter()
                    .filter(|p| p.requires_grad())
                    .map(Tensor::numel)
                    .sum(),
                depth: if name.is_empty() {
                    0
                } else {
                    name.split('.').count()
                },
            }
        })
        .collect();
    Ok(Summary { rows })
}

fn is_ancestor(name: &str, of: &str) -> bool {
    name.is_empty()
        || (of.len() > name.len() && of.starts_with(name) && of[name.len()..].starts_with('.'))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer = |r: &SummaryRow| {
            let label = r.name.rsplit('.').next().unwrap_or("");
            let indent = "  ".repeat(r.depth);
            if r.depth == 0 {
                r.type_name.clone()
            } else {
                format!("{indent}({label}) {}", r.type_name)
            }
        };
        let shape = |r: &SummaryRow| {
            r.output_shape
                .as_ref()
                .map_or("--".into(), |s| format!("{s:?}"))
        };
        let width = self
            .rows
            .iter()
            .map(|r| layer(r).len())
            .max()
            .unwrap_or(0)
            .max(5);
        let line = "=".repeat(width + 46);
        writeln!(f, "{line}")?;
        writeln!(
            f,
            "{:<width$}  {:<22} {:>10} {:>10}",
            "Layer", "Output shape", "Params", "Trainable"
        )?;
        writeln!(f, "{line}")?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<width$}  {:<22} {:>10} {:>10}",
                layer(r),
                shape(r),
                r.params,
                r.trainable
            )?;
        }
        writeln!(f, "{line}")?;
        writeln!(f, "Total params: {}", self.total_params())?;
        writeln!(f, "Trainable params: {}", self.trainable_params())?;
        write!(
            f,
            "Non-trainable params: {}",
            self.total_params() - self.trainable_params()
        )
    }
}
