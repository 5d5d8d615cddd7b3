//! # logit-losses
//!
//! Losses for probability models, each as a function (`F.*` in PyTorch) and a struct
//! (`nn.*Loss`) that stores options and calls the function. The binary losses are single fused
//! autograd nodes: one pass computes every element's loss and derivative.
//!
//! ```
//! use logit_core::Tensor;
//! use logit_losses::BCEWithLogitsLoss;
//! let logits = Tensor::new([[2.0], [-1.0]])?.requires_grad_(true);
//! let target = Tensor::new([[1.0], [0.0]])?;
//! let loss = BCEWithLogitsLoss::new().forward(&logits, &target)?;
//! loss.backward()?;
//! assert!(logits.grad().is_some());
//! # Ok::<(), logit_core::Error>(())
//! ```

mod bce;
mod bce_with_logits;
mod cross_entropy;
mod focal;
mod mse;
mod options;
mod reduction;

pub use bce::{binary_cross_entropy, BCELoss};
pub use bce_with_logits::{binary_cross_entropy_with_logits, BCEWithLogitsLoss};
pub use cross_entropy::{cross_entropy, CrossEntropyLoss};
pub use focal::{sigmoid_focal_loss, SigmoidFocalLoss};
pub use mse::{mse_loss, MSELoss};
pub use options::{BceOptions, BceWithLogitsOptions, FocalOptions};
pub use reduction::Reduction;

/// The functional losses under the name PyTorch users import them by:
/// `use logit_losses::functional as F;` then `F::binary_cross_entropy_with_logits(&x, &y,
/// Reduction::None)?`, as `torch.nn.functional as F`.
pub mod functional {
    pub use crate::{
        binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse_loss,
        sigmoid_focal_loss,
    };
}
