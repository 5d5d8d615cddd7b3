//! Binary cross-entropy on probabilities: [`binary_cross_entropy`] and [`BCELoss`].

use logit_core::memory::with_capacity;
use logit_core::{DType, Error, Float, Result, Tensor};

use crate::options::BceOptions;
use crate::reduction::{check_target, expand_weight, finish, values, Pointwise, Reduction};

fn kernel<T: Float>(p: &[T], y: &[T], w: Option<&[T]>) -> Pointwise<T> {
    let n = p.len();
    let (mut loss, mut dloss) = (with_capacity(n), with_capacity(n));
    let floor = T::c(-100.0);
    let eps = T::c(1e-12);
    for i in 0..n {
        let (pi, yi) = (p[i], y[i]);
        let wi = w.map_or(T::one(), |w| w[i]);
        // PyTorch clamps each log at -100, so p = 0 or 1 gives a finite loss
        let lp = pi.ln().max(floor);
        let l1p = (T::one() - pi).ln().max(floor);
        loss.push(-wi * (yi * lp + (T::one() - yi) * l1p));
        // PyTorch's backward: (p − y) / max(p·(1 − p), 1e-12)
        dloss.push(wi * (pi - yi) / ((T::one() - pi) * pi).max(eps));
    }
    Pointwise { loss, dloss }
}

/// Binary cross-entropy between probabilities and targets, like `F.binary_cross_entropy`:
/// `ℓ = −w·[y·log p + (1 − y)·log(1 − p)]`, each log clamped at −100 as PyTorch does.
///
/// Prefer [`binary_cross_entropy_with_logits`](crate::binary_cross_entropy_with_logits) on
/// logits: it is exact where `σ(x)` rounds to 0 or 1.
///
/// # Shapes
/// input and target: the same shape; weight: broadcasts to it; output: scalar, or the input's
/// shape for [`Reduction::None`].
///
/// ```
/// use logit_core::Tensor;
/// use logit_losses::{binary_cross_entropy, Reduction};
/// let p = Tensor::new([[0.9], [0.2]])?;
/// let y = Tensor::new([[1.0], [0.0]])?;
/// let loss = binary_cross_entropy(&p, &y, Reduction::Mean)?;
/// assert!((loss.item()? - 0.164252).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When the target's shape differs, the weight does not broadcast, or an input is outside
/// `[0, 1]` (as PyTorch's "all elements of input should be between 0 and 1").
pub fn binary_cross_entropy<'a>(
    input: &Tensor,
    target: &Tensor,
    options: impl Into<BceOptions<'a>>,
) -> Result<Tensor> {
    let BceOptions { weight, reduction } = options.into();
    let y = check_target("binary_cross_entropy", input, target)?;
    let w = expand_weight("binary_cross_entropy", "weight", input, weight)?;
    let (ps, ys) = (input.storage(), y.storage());
    let ws = w.as_ref().map(|t| t.storage());
    macro_rules! run {
        ($t:ty) => {{
            // checked on the input's own elements: a copy as f64 cost a heap allocation per step
            let p = values::<$t>(&ps);
            if let Some(bad) = p.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                return Err(Error::invalid(
                    "binary_cross_entropy",
                    "all elements of input between 0 and 1 (apply sigmoid, or use binary_cross_entropy_with_logits)",
                    format!("{bad}"),
                ));
            }
            let k = kernel::<$t>(p, values(&ys), ws.as_deref().map(values));
            finish(input, k, reduction, "BinaryCrossEntropyBackward0")
        }};
    }
    Ok(match input.dtype() {
        DType::F64 => run!(f64),
        _ => run!(f32),
    })
}

/// `nn.BCELoss`: the struct form of [`binary_cross_entropy`].
///
/// ```
/// use logit_core::Tensor;
/// use logit_losses::BCELoss;
/// let criterion = BCELoss::new();
/// let loss = criterion.forward(&Tensor::new([0.5])?, &Tensor::new([1.0])?)?;
/// assert!((loss.item()? - std::f64::consts::LN_2).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct BCELoss {
    /// Per-element rescaling weight (broadcast to the input).
    pub weight: Option<Tensor>,
    /// How to reduce.
    pub reduction: Reduction,
}

impl BCELoss {
    /// Mean reduction, no weight.
    pub fn new() -> BCELoss {
        BCELoss::default()
    }

    /// With a per-element weight.
    pub fn with_weight(mut self, weight: Tensor) -> BCELoss {
        self.weight = Some(weight);
        self
    }

    /// With a reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> BCELoss {
        self.reduction = reduction;
        self
    }

    /// The loss of `input` probabilities against `target`.
    ///
    /// # Errors
    /// As [`binary_cross_entropy`].
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let options = BceOptions {
            weight: self.weight.as_ref(),
            reduction: self.reduction,
        };
        binary_cross_entropy(input, target, options)
    }
}
