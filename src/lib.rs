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
pub use logit_optim as optim;
pub use logit_plot as plot;

/// The names a training script needs, in one `use`.
pub mod prelude {
    pub use logit_core::{manual_seed, no_grad, DType, Error, Result, Tensor};
    pub use logit_losses::{BCELoss, BCEWithLogitsLoss, Reduction, SigmoidFocalLoss};
    pub use logit_nn::{
        BatchNorm1d, Dropout, Linear, Module, ModuleIo, ReLU, Sequential, Sigmoid, Visitor,
    };
    pub use logit_optim::{Adam, AdamConfig, AdamW, LrScheduler, Optimizer, SGDConfig, SGD};
}

/// The README's code blocks run as doctests, so the first example there stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
