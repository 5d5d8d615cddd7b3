//! Sigmoid focal loss as `torchvision.ops.sigmoid_focal_loss` defines it, fused:
//! [`sigmoid_focal_loss`] and [`SigmoidFocalLoss`].

use std::mem::MaybeUninit;

use logit_core::memory::with_capacity;
use logit_core::ops::sigmoid_scalar;
use logit_core::{DType, Error, Float, Result, Tensor};

use crate::options::FocalOptions;
use crate::reduction::{check_target, finish, values, Pointwise, Reduction};

/// The f64 kernel, with libm's functions for full double precision.
fn kernel<T: Float>(x: &[T], y: &[T], alpha: f64, gamma: f64) -> Pointwise<T> {
    let n = x.len();
    let (mut loss, mut dloss) = (with_capacity(n), with_capacity(n));
    let (one, zero) = (T::one(), T::zero());
    let (a, g) = (T::c(alpha), T::c(gamma));
    for i in 0..n {
        let (xi, yi) = (x[i], y[i]);
        let p = sigmoid_scalar(xi);
        let ce = xi.max(zero) - xi * yi + (-xi.abs()).exp().ln_1p();
        let p_t = p * yi + (one - p) * (one - yi);
        let q = one - p_t;
        let mod_factor = if gamma == 0.0 { one } else { q.powf(g) };
        let alpha_t = if alpha >= 0.0 {
            a * yi + (one - a) * (one - yi)
        } else {
            one
        };
        loss.push(alpha_t * ce * mod_factor);
        // d/dx [ce·q^γ] = (p − y)·q^γ − ce·γ·q^{γ−1}·p(1 − p)(2y − 1); the second term is 0 when
        // γ = 0 or q = 0 (where q^{γ−1} would be infinite for γ < 1)
        let dq = if gamma == 0.0 || q == zero {
            zero
        } else {
            ce * g * q.powf(g - one) * p * (one - p) * (yi + yi - one)
        };
        dloss.push(alpha_t * ((p - yi) * mod_factor - dq));
    }
    Pointwise { loss, dloss }
}

/// The f32 kernel: the same formula through the vectorised `exp` and `log1p`, with `γ = 2`
/// (torchvision's default) as `q·q` instead of `powf`.
#[inline(always)]
fn focal_f32_body<const GAMMA2: bool>(
    x: &[f32],
    y: &[f32],
    loss: &mut [MaybeUninit<f32>],
    dloss: &mut [MaybeUninit<f32>],
    alpha: f32,
    gamma: f32,
) {
    use logit_core::ops::{exp_neg_f32, log1p_unit_f32};
    let use_alpha = alpha >= 0.0;
    for (((&xi, &yi), l), d) in x.iter().zip(y).zip(loss.iter_mut()).zip(dloss.iter_mut()) {
        let e = exp_neg_f32(-xi.abs());
        let r = 1.0 / (1.0 + e);
        let p = if xi >= 0.0 { r } else { e * r };
        let ce = xi.max(0.0) - xi * yi + log1p_unit_f32(e);
        let q: f32 = 1.0 - (p * yi + (1.0 - p) * (1.0 - yi));
        let (m, dm) = if GAMMA2 {
            (q * q, 2.0 * q)
        } else if gamma == 0.0 {
            (1.0, 0.0)
        } else if q == 0.0 {
            (q.powf(gamma), 0.0)
        } else {
            (q.powf(gamma), gamma * q.powf(gamma - 1.0))
        };
        let alpha_t = if use_alpha {
            alpha * yi + (1.0 - alpha) * (1.0 - yi)
        } else {
            1.0
        };
        l.write(alpha_t * ce * m);
        d.write(alpha_t * ((p - yi) * m - ce * dm * p * (1.0 - p) * (yi + yi - 1.0)));
    }
}

logit_core::simd_dispatch! {
    fn focal_f32_gamma2(x: &[f32], y: &[f32], loss: &mut [MaybeUninit<f32>], dloss: &mut [MaybeUninit<f32>], alpha: f32) {
        focal_f32_body::<true>(x, y, loss, dloss, alpha, 2.0)
    }
}

logit_core::simd_dispatch! {
    fn focal_f32_general(x: &[f32], y: &[f32], loss: &mut [MaybeUninit<f32>], dloss: &mut [MaybeUninit<f32>], alpha: f32, gamma: f32) {
        focal_f32_body::<false>(x, y, loss, dloss, alpha, gamma)
    }
}

fn kernel_f32(x: &[f32], y: &[f32], alpha: f64, gamma: f64) -> Pointwise<f32> {
    let (loss, dloss) = logit_core::parallel::map2_pair(x, y, |x, y, l, d| {
        if gamma == 2.0 {
            focal_f32_gamma2(x, y, l, d, alpha as f32);
        } else {
            focal_f32_general(x, y, l, d, alpha as f32, gamma as f32);
        }
    });
    Pointwise { loss, dloss }
}

/// Sigmoid focal loss on logits, as `torchvision.ops.sigmoid_focal_loss`:
/// `ℓ = α_t · BCEWithLogits(x, y) · (1 − p_t)^γ` with `p = σ(x)`,
/// `p_t = p·y + (1 − p)(1 − y)` and `α_t = α·y + (1 − α)(1 − y)`; `alpha < 0` turns the α
/// weighting off.
///
/// Why: on imbalanced data (fraud, rare disease) most examples are easy negatives; the
/// `(1 − p_t)^γ` factor shrinks their loss so the rare positives drive training.
///
/// ```
/// use logit_core::Tensor;
/// use logit_losses::{sigmoid_focal_loss, FocalOptions};
/// let x = Tensor::new([3.0, -1.0])?;
/// let y = Tensor::new([1.0, 1.0])?;
/// let l = sigmoid_focal_loss(&x, &y, FocalOptions::default())?.to_vec::<f32>();
/// assert!(l[0] < l[1]); // the easy example counts far less
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When the target's shape differs or `gamma` is negative or not finite.
pub fn sigmoid_focal_loss(
    input: &Tensor,
    target: &Tensor,
    options: impl Into<FocalOptions>,
) -> Result<Tensor> {
    let FocalOptions {
        alpha,
        gamma,
        reduction,
    } = options.into();
    let y = check_target("sigmoid_focal_loss", input, target)?;
    if !(gamma >= 0.0 && gamma.is_finite() && alpha.is_finite()) || alpha > 1.0 {
        return Err(Error::invalid(
            "sigmoid_focal_loss",
            "gamma >= 0 and alpha <= 1 (alpha < 0 disables the weighting)",
            format!("alpha {alpha}, gamma {gamma}"),
        ));
    }
    let (xs, ys) = (input.storage(), y.storage());
    let name = "SigmoidFocalLossBackward";
    Ok(match input.dtype() {
        DType::F64 => finish(
            input,
            kernel::<f64>(values(&xs), values(&ys), alpha, gamma),
            reduction,
            name,
        ),
        _ => finish(
            input,
            kernel_f32(values(&xs), values(&ys), alpha, gamma),
            reduction,
            name,
        ),
    })
}

/// The struct form of [`sigmoid_focal_loss`] (torchvision's defaults: α = 0.25, γ = 2, mean
/// here as the tutorial's `CustomSigmoidFocalLoss` uses).
#[derive(Debug, Clone, Copy)]
pub struct SigmoidFocalLoss {
    /// Weight of the positive class in `[0, 1]`, or negative for none.
    pub alpha: f64,
    /// Focusing exponent `γ >= 0`; 0 gives α-weighted BCE.
    pub gamma: f64,
    /// How to reduce.
    pub reduction: Reduction,
}

impl Default for SigmoidFocalLoss {
    fn default() -> Self {
        SigmoidFocalLoss {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::Mean,
        }
    }
}

impl SigmoidFocalLoss {
    /// A focal loss with the given α and γ and mean reduction.
    ///
    /// # Errors
    /// When `gamma < 0` or `alpha > 1`.
    pub fn new(alpha: f64, gamma: f64) -> Result<SigmoidFocalLoss> {
        if !(gamma >= 0.0 && gamma.is_finite() && alpha.is_finite()) || alpha > 1.0 {
            return Err(Error::invalid(
                "SigmoidFocalLoss",
                "gamma >= 0 and alpha <= 1",
                format!("alpha {alpha}, gamma {gamma}"),
            ));
        }
        Ok(SigmoidFocalLoss {
            alpha,
            gamma,
            reduction: Reduction::Mean,
        })
    }

    /// With a reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> SigmoidFocalLoss {
        self.reduction = reduction;
        self
    }

    /// The loss of `input` logits against `target`.
    ///
    /// # Errors
    /// As [`sigmoid_focal_loss`].
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let options = FocalOptions {
            alpha: self.alpha,
            gamma: self.gamma,
            reduction: self.reduction,
        };
        sigmoid_focal_loss(input, target, options)
    }
}
