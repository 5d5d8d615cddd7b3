//! # logit-models
//!
//! The `nn.Sigmoid` tutorial's models as named types, with PyTorch's attribute names so state
//! dicts move between logit and PyTorch unchanged.
//!
//! ```
//! use logit_models::DiabetesPredictor;
//! use logit_nn::Module;
//! let model = DiabetesPredictor::new(8)?;
//! assert_eq!(
//!     model.state_dict().keys(),
//!     ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "layer3.weight", "layer3.bias"]
//! );
//! # Ok::<(), logit_core::Error>(())
//! ```

mod churn;
mod diabetes;
mod fraud;
mod improved;
mod logistic;
mod mlp;
mod resnet;
mod transfer;

pub use churn::ChurnPredictor;
pub use diabetes::DiabetesPredictor;
pub use fraud::FraudDetectionModel;
pub use improved::ImprovedModel;
pub use logistic::{LogisticFit, LogisticRegression};
pub use mlp::{Activation, Mlp};
pub use resnet::{BasicBlock, Bottleneck, ResNet};
pub use transfer::{HeadOutput, TransferHead};
