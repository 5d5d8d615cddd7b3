//! Keyword arguments of the functional losses. PyTorch passes them by name
//! (`F.binary_cross_entropy_with_logits(x, y, pos_weight=w, reduction="sum")`); here they are
//! an options value, built from a [`Reduction`] alone for the common case:
//!
//! ```
//! use logit_core::Tensor;
//! use logit_losses::{functional as F, BceWithLogitsOptions, Reduction};
//! let x = Tensor::new([[2.0], [-1.0]])?;
//! let y = Tensor::new([[1.0], [0.0]])?;
//! let w = Tensor::new([3.0])?;
//! let per_element = F::binary_cross_entropy_with_logits(&x, &y, Reduction::None)?;
//! let weighted = F::binary_cross_entropy_with_logits(
//!     &x,
//!     &y,
//!     BceWithLogitsOptions::default().pos_weight(&w).reduction(Reduction::Sum),
//! )?;
//! assert_eq!(per_element.shape(), &[2, 1]);
//! assert_eq!(weighted.shape(), &[] as &[usize]);
//! # Ok::<(), logit_core::Error>(())
//! ```

use logit_core::Tensor;

use crate::Reduction;

/// `F.binary_cross_entropy`'s `weight=` and `reduction=` (default: none, `"mean"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BceOptions<'a> {
    /// Per-element rescaling weight, broadcast to the input.
    pub weight: Option<&'a Tensor>,
    /// How to reduce.
    pub reduction: Reduction,
}

impl<'a> BceOptions<'a> {
    /// With a per-element weight.
    pub fn weight(mut self, weight: &'a Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With a reduction.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
}

impl From<Reduction> for BceOptions<'_> {
    fn from(reduction: Reduction) -> Self {
        BceOptions {
            reduction,
            ..Default::default()
        }
    }
}

/// `F.binary_cross_entropy_with_logits`'s `weight=`, `pos_weight=` and `reduction=`
/// (default: none, none, `"mean"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BceWithLogitsOptions<'a> {
    /// Per-element rescaling weight, broadcast to the input.
    pub weight: Option<&'a Tensor>,
    /// Weight of positive examples, one per class (last dim).
    pub pos_weight: Option<&'a Tensor>,
    /// How to reduce.
    pub reduction: Reduction,
}

impl<'a> BceWithLogitsOptions<'a> {
    /// With a per-element weight.
    pub fn weight(mut self, weight: &'a Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With a positive-class weight.
    pub fn pos_weight(mut self, pos_weight: &'a Tensor) -> Self {
        self.pos_weight = Some(pos_weight);
        self
    }
    /// With a reduction.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
}

impl From<Reduction> for BceWithLogitsOptions<'_> {
    fn from(reduction: Reduction) -> Self {
        BceWithLogitsOptions {
            reduction,
            ..Default::default()
        }
    }
}

/// torchvision's `sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none")`
/// keyword arguments, with torchvision's defaults (note: `"none"`, unlike the losses above).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FocalOptions {
    /// Weight of the positive class in `[0, 1]`, or negative for none.
    pub alpha: f64,
    /// Focusing exponent `γ >= 0`; 0 gives α-weighted BCE.
    pub gamma: f64,
    /// How to reduce.
    pub reduction: Reduction,
}

impl Default for FocalOptions {
    fn default() -> Self {
        FocalOptions {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::None,
        }
    }
}

impl FocalOptions {
    /// With another α.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// With another γ.
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }
    /// With a reduction.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
}

impl From<Reduction> for FocalOptions {
    fn from(reduction: Reduction) -> Self {
        FocalOptions {
            reduction,
            ..Default::default()
        }
    }
}
