//! [`Reduction`] and the one fused autograd node every elementwise loss shares: the loss
//! computes each element's value and local derivative in one pass, and this node reduces them
//! and, in backward, scales the saved derivative by the incoming gradient.

use logit_core::autograd::{Backward, Grad};
use logit_core::ops::chunked_sum;
use logit_core::shape::broadcast_shapes;
use logit_core::{Error, Float, Result, Storage, Tensor};

/// How a loss turns per-element values into its output, like PyTorch's `reduction=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// One loss per element (`'none'`).
    None,
    /// The mean over all elements (`'mean'`, the default).
    #[default]
    Mean,
    /// The sum over all elements (`'sum'`).
    Sum,
}

impl std::str::FromStr for Reduction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Reduction> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => Err(Error::invalid(
                "reduction",
                "'none', 'mean' or 'sum'",
                format!("'{other}'"),
            )),
        }
    }
}

/// Values and local derivatives of an elementwise loss, as plain vectors of the input's type.
pub(crate) struct Pointwise<T> {
    pub loss: Vec<T>,
    pub dloss: Vec<T>,
}

/// Reduces the per-element losses and records one node whose backward is `g·dloss` (times
/// `1/n` for the mean).
pub(crate) fn finish<T: Float>(
    input: &Tensor,
    p: Pointwise<T>,
    reduction: Reduction,
    name: &'static str,
) -> Tensor {
    let n = p.loss.len();
    let (value, shape, scale) = match reduction {
        Reduction::None => (p.loss, input.shape().to_vec(), 1.0),
        Reduction::Sum => (vec![chunked_sum(&p.loss)], vec![], 1.0),
        Reduction::Mean => (
            vec![chunked_sum(&p.loss) / T::c(n as f64)],
            vec![],
            1.0 / n as f64,
        ),
    };
    let dloss = p.dloss;
    Tensor::from_op(T::wrap(value), shape, &[input], move |_| {
        PointwiseBackward {
            shape: input.shape().to_vec(),
            dloss: T::wrap(dloss),
            scale,
            name,
        }
    })
}

/// Saves the elementwise derivative the forward computed, so nothing of the input is kept.
struct PointwiseBackward {
    shape: Vec<usize>,
    dloss: Storage,
    scale: f64,
    name: &'static str,
}

impl Backward for PointwiseBackward {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        // `g` and the mean's `1/n` multiply in the loss's dtype, as PyTorch's kernel does
        fn scaled<T: Float>(d: &[T], g: f64, scale: f64) -> Vec<T> {
            let k = T::c(g) * T::c(scale);
            d.iter().map(|&x| x * k).collect()
        }
        let s = self.scale;
        let out = match g {
            // after a reduction the gradient is one number
            Grad::Uniform { value, .. } => {
                logit_core::float_map!(&self.dloss, |d| scaled(d, *value, s))
            }
            Grad::Dense(t) if t.numel() == 1 => {
                let g = t.item()?;
                logit_core::float_map!(&self.dloss, |d| scaled(d, g, s))
            }
            Grad::Dense(t) => logit_core::float_zip!(&self.dloss, &*t.storage(), |d, g| d
                .iter()
                .zip(g)
                .map(|(&x, &g)| x * g)
                .collect()),
        };
        Ok(vec![Some(Tensor::from_storage(out, &self.shape)?.into())])
    }
}

/// Checks that `target` has the input's shape and a float dtype, and returns it in the input's
/// dtype.
pub(crate) fn check_target(loss: &str, input: &Tensor, target: &Tensor) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(Error::TargetShape {
            loss: loss.to_string(),
            input: input.shape().to_vec(),
            target: target.shape().to_vec(),
        });
    }
    if !input.dtype().is_float() {
        return Err(Error::invalid(
            loss,
            "a float input",
            format!("{:?}", input.dtype()),
        ));
    }
    if input.numel() == 0 {
        // PyTorch returns NaN for the mean of nothing; an empty batch is a bug upstream
        return Err(Error::invalid(
            loss,
            "a non-empty batch",
            format!("input shape {:?}", input.shape()),
        ));
    }
    if target.dtype().is_float() && target.dtype() != input.dtype() {
        return Err(Error::DTypeMismatch {
            op: "loss target",
            expected: input.dtype(),
            got: target.dtype(),
        });
    }
    Ok(target.detach().to_dtype(input.dtype()))
}

/// An optional weight broadcast to the input's shape, in the input's dtype.
pub(crate) fn expand_weight(
    loss: &str,
    what: &str,
    input: &Tensor,
    w: Option<&Tensor>,
) -> Result<Option<Tensor>> {
    let Some(w) = w else { return Ok(None) };
    let ok = broadcast_shapes("weight", w.shape(), input.shape()).is_ok_and(|s| s == input.shape());
    if !ok {
        return Err(Error::invalid(
            format!("{loss} {what}"),
            format!("a shape that broadcasts to the input's {:?}", input.shape()),
            format!("{:?}", w.shape()),
        ));
    }
    if w.dtype() != input.dtype() {
        return Err(Error::DTypeMismatch {
            op: "loss weight",
            expected: input.dtype(),
            got: w.dtype(),
        });
    }
    Ok(Some(w.detach().expand(input.shape())?))
}

/// A float storage's values as `T` (the input's type, checked by the callers): a borrow, not
/// a copy.
pub(crate) fn values<T: Float>(s: &Storage) -> &[T] {
    T::slice(s).expect("dtype checked by the loss")
}
