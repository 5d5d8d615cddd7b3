//! # logit
//!
//! A PyTorch-style deep-learning library for models that output probabilities. This facade
//! re-exports the member crates; depend on them one by one for a smaller build.
//!
//! ```
//! use logit::prelude::*;
//! let p = Tensor::new([-2.0, 0.0, 2.0])?.sigmoid();
//! assert!((p.to_vec::<f32>()[1] - 0.5).abs() < 1e-7);
//! # Ok::<(), logit::Error>(())
//! ```

pub use logit_core as core;
pub use logit_core::{
    get_num_threads, manual_seed, no_grad, set_num_threads, DType, Error, Result, Tensor,
};
pub use logit_data as data;
pub use logit_losses as losses;
pub use logit_models as models;
pub use logit_nn as nn;
pub use logit_onnx as onnx;
pub use logit_optim as optim;
pub use logit_plot as plot;
pub use logit_tabular as tabular;
pub use logit_train as train;

/// The names a training script needs, in one `use`.
pub mod prelude {
    pub use logit_core::{manual_seed, no_grad, DType, Error, Result, Tensor};
    pub use logit_losses::{BCELoss, BCEWithLogitsLoss, Reduction, SigmoidFocalLoss};
    pub use logit_nn::{
        BatchNorm1d, Dropout, Linear, Module, ModuleIo, ReLU, Sequential, Sigmoid, Visit, Visitor,
    };
    pub use logit_optim::{Adam, AdamConfig, AdamW, LrScheduler, Optimizer, SGDConfig, SGD};
}

/// The README's code blocks run as doctests, so the first example there stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Runs a tutorial example: `run(seed, out)` with the seed from the first command-line argument
/// (42 when there is none, the equivalent of editing `torch.manual_seed(seed)` at the top of
/// the snippet), then prints the lines it wrote to `out`. Returns what `run` returns.
///
/// # Errors
/// When the argument is not a non-negative integer, or `run` fails.
pub fn run_example<T>(
    run: impl FnOnce(u64, &mut Vec<String>) -> core::Result<T>,
) -> core::Result<T> {
    let seed = std::env::args().nth(1).map_or(Ok(42), |s| {
        s.parse()
            .map_err(|_| core::Error::invalid("seed argument", "a non-negative integer", s))
    })?;
    let mut out = Vec::new();
    let value = run(seed, &mut out)?;
    println!("{}", out.join("\n"));
    Ok(value)
}

/// docs/pytorch-to-logit.md, so that every complete Rust block in it compiles and runs as a
/// doctest (fragments there are marked `ignore`).
#[cfg(doctest)]
#[doc = include_str!("../docs/pytorch-to-logit.md")]
pub struct PytorchToLogitDoc;
