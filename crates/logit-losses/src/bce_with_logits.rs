//! Binary cross-entropy on logits, fused and stable: [`binary_cross_entropy_with_logits`] and
//! [`BCEWithLogitsLoss`].

use logit_core::memory::with_capacity;
use logit_core::ops::sigmoid_scalar;
use logit_core::{DType, Float, Result, Tensor};

use crate::options::BceWithLogitsOptions;
use crate::reduction::{check_target, expand_weight, finish, values, Pointwise, Reduction};

fn kernel<T: Float>(x: &[T], y: &[T], w: Option<&[T]>, pw: Option<&[T]>) -> Pointwise<T> {
    let n = x.len();
    let (mut loss, mut dloss) = (with_capacity(n), with_capacity(n));
    let one = T::one();
    for i in 0..n {
        let (xi, yi) = (x[i], y[i]);
        // log σ(x) = min(x, 0) − log(1 + e^{−|x|}): never exponentiates a positive number
        let log_sig = xi.min(T::zero()) - (-xi.abs()).exp().ln_1p();
        let lw = pw.map_or(one, |pw| (pw[i] - one) * yi + one);
        let wi = w.map_or(one, |w| w[i]);
        loss.push(wi * ((one - yi) * xi - lw * log_sig));
        // d/dx = (1 − y) − lw·(1 − σ(x)); without pos_weight this is σ(x) − y
        let s = sigmoid_scalar(xi);
        dloss.push(wi * ((one - yi) - lw * (one - s)));
    }
    Pointwise { loss, dloss }
}

/// Binary cross-entropy on logits, like `F.binary_cross_entropy_with_logits`:
/// `ℓ = w·[(1 − y)·x − (1 + (pw − 1)·y)·log σ(x)]`, which without `pos_weight` is
/// `max(x, 0) − x·y + log(1 + e^{−|x|})`.
///
/// Why it exists: `BCE(σ(x))` loses everything once `σ(x)` rounds to 1 (x ≳ 17 in f32), and
/// the −100 clamp then caps the loss; here a logit of 1000 still gives the exact loss 1000 and
/// the gradient `σ(x) − y`, computed in one fused pass.
///
/// `pos_weight` (broadcast over the last dim, one per class) weighs positive examples: with 100
/// positives and 300 negatives, `pos_weight = 3` makes them count as much as the negatives.
///
/// # Shapes
/// input and target: the same shape; weight and pos_weight: broadcast to it.
///
/// ```
/// use logit_core::Tensor;
/// use logit_losses::{binary_cross_entropy_with_logits, Reduction};
/// let x = Tensor::new([1000.0, -1000.0])?;
/// let y = Tensor::new([0.0, 0.0])?;
/// let l = binary_cross_entropy_with_logits(&x, &y, Reduction::None)?;
/// assert_eq!(l.to_vec::<f32>(), vec![1000.0, 0.0]);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When the target's shape differs or a weight does not broadcast to the input.
pub fn binary_cross_entropy_with_logits<'a>(
    input: &Tensor,
    target: &Tensor,
    options: impl Into<BceWithLogitsOptions<'a>>,
) -> Result<Tensor> {
    let BceWithLogitsOptions {
        weight,
        pos_weight,
        reduction,
    } = options.into();
    let name = "binary_cross_entropy_with_logits";
    let y = check_target(name, input, target)?;
    let w = expand_weight(name, "weight", input, weight)?;
    let pw = expand_weight(name, "pos_weight", input, pos_weight)?;
    let (xs, ys) = (input.storage(), y.storage());
    let (ws, pws) = (
        w.as_ref().map(|t| t.storage()),
        pw.as_ref().map(|t| t.storage()),
    );
    macro_rules! run {
        ($t:ty) => {{
            let k = kernel::<$t>(
                values(&xs),
                values(&ys),
                ws.as_deref().map(values),
                pws.as_deref().map(values),
            );
            finish(input, k, reduction, "BinaryCrossEntropyWithLogitsBackward0")
        }};
    }
    Ok(match input.dtype() {
        DType::F64 => run!(f64),
        _ => run!(f32),
    })
}

/// `nn.BCEWithLogitsLoss`: the struct form of [`binary_cross_entropy_with_logits`].
#[derive(Debug, Clone, Default)]
pub struct BCEWithLogitsLoss {
    /// Per-element rescaling weight.
    pub weight: Option<Tensor>,
    /// Weight of positive examples, one per class (last dim).
    pub pos_weight: Option<Tensor>,
    /// How to reduce.
    pub reduction: Reduction,
}

impl BCEWithLogitsLoss {
    /// Mean reduction, no weights.
    pub fn new() -> BCEWithLogitsLoss {
        BCEWithLogitsLoss::default()
    }

    /// With a per-element weight.
    pub fn with_weight(mut self, weight: Tensor) -> BCEWithLogitsLoss {
        self.weight = Some(weight);
        self
    }

    /// With a positive-class weight.
    pub fn with_pos_weight(mut self, pos_weight: Tensor) -> BCEWithLogitsLoss {
        self.pos_weight = Some(pos_weight);
        self
    }

    /// With a reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> BCEWithLogitsLoss {
        self.reduction = reduction;
        self
    }

    /// The loss of `input` logits against `target`.
    ///
    /// # Errors
    /// As [`binary_cross_entropy_with_logits`].
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let options = BceWithLogitsOptions {
            weight: self.weight.as_ref(),
            pos_weight: self.pos_weight.as_ref(),
            reduction: self.reduction,
        };
        binary_cross_entropy_with_logits(input, target, options)
    }
}
