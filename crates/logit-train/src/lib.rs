//! # logit-train
//!
//! The epoch loop every training script writes, once: [`Fit`] runs a model over a
//! [`DataLoader`](logit_data::DataLoader) for some epochs, evaluates a validation split after
//! each, stops early when the validation loss stops improving and puts back the best weights,
//! calls [`Callback`]s (progress bars, logging, [`Checkpoint`]s), and returns a [`History`]
//! that a later run can resume.
//!
//! ```
//! use logit_core::{Result, Tensor};
//! use logit_data::DataLoader;
//! use logit_losses::BCEWithLogitsLoss;
//! use logit_nn::{Linear, Module};
//! use logit_optim::Adam;
//! use logit_train::Fit;
//!
//! let x = Tensor::randn(&[256, 4]);
//! let y = x.narrow(1, 0, 1)?.gt_scalar(0.0).float();
//! let model = Linear::new(4, 1)?;
//! let mut optimizer = Adam::new(model.parameters(), 0.05)?;
//! let criterion = BCEWithLogitsLoss::new();
//! let mut loader = DataLoader::new(&x, &y, 32)?.shuffle(0);
//! let history = Fit::new(&model, &mut optimizer, |out: &Tensor, y: &Tensor| criterion.forward(out, y))
//!     .epochs(50)
//!     .validation(&x, &y)
//!     .early_stopping(5)
//!     .run(&mut loader)?;
//! assert!(history.epochs.last().unwrap().train_loss < 0.5);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod callback;
mod fit;
mod history;

pub use callback::{Callback, Checkpoint, Control};
pub use fit::{Fit, VALIDATION_CHUNK};
pub use history::{EpochLog, History};
