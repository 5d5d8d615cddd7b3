//! # logit-optim
//!
//! Optimizers with `torch.optim`'s exact update rules, learning-rate schedulers and gradient
//! clipping. Optimizers hold handles to the model's parameters and update them in place
//! through `Tensor::update_`, recording nothing.
//!
//! ```
//! use logit_core::Tensor;
//! use logit_optim::{Adam, AdamConfig, Optimizer};
//! let w = Tensor::new([2.0])?.requires_grad_(true);
//! let mut opt = Adam::new(vec![w.clone()], AdamConfig { lr: 0.1, ..Default::default() })?;
//! for _ in 0..100 {
//!     opt.zero_grad();
//!     w.mul(&w)?.sum().backward()?;   // minimise w²
//!     opt.step()?;
//! }
//! assert!(w.item()?.abs() < 0.1);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod adam;
mod clip_grad;
mod lr_scheduler;
mod optimizer;
mod reduce_lr_on_plateau;
mod rmsprop;
mod sgd;
mod state_dict;
mod update_rule;

pub use adam::{Adam, AdamConfig, AdamRule, AdamW};
pub use clip_grad::{clip_grad_norm_, clip_grad_value_};
pub use lr_scheduler::{CosineAnnealingLR, ExponentialLR, LrScheduler, StepLR};
pub use optimizer::{Optimizer, ParamGroup};
pub use reduce_lr_on_plateau::{PlateauMode, ReduceLROnPlateau};
pub use rmsprop::{RMSprop, RMSpropConfig};
pub use sgd::{SGDConfig, SGD};
pub use update_rule::{IntoConfig, Optim, UpdateRule, MAX_BUFFERS};
