//! The logistic sigmoid, exact at the extremes, with a backward from the saved output.

use std::mem::MaybeUninit;

use crate::autograd::{Backward, Grad, SavedTensor};
use crate::{float_map, Float, Result, Storage, Tensor};

/// `σ(x) = 1 / (1 + e^{−x})` for one value, without overflow: `e^{−|x|}` never exceeds 1, and
/// for `x < 0` the form `e^{x} / (1 + e^{x})` keeps tiny results exact instead of rounding
/// `1 − σ(|x|)` to 0.
#[inline(always)]
pub fn sigmoid_scalar<T: Float>(x: T) -> T {
    let one = T::one();
    let e = (-x.abs()).exp();
    let r = one / (one + e);
    if x >= T::zero() {
        r
    } else {
        e * r
    }
}

/// Writes `σ(x)` for every element of `x` into `out` (same length).
pub fn sigmoid_slice<T: Float>(x: &[T], out: &mut [T]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = sigmoid_scalar(v);
    }
}

fn sigmoid_vec<T: Float>(x: &[T]) -> Vec<T> {
    crate::parallel::map(x, |x: &[T], out: &mut [MaybeUninit<T>]| {
        for (o, &v) in out.iter_mut().zip(x) {
            o.write(sigmoid_scalar(v));
        }
    })
}

impl Tensor {
    /// Logistic sigmoid, `σ(x) = 1 / (1 + e^{−x})`, like `torch.sigmoid`: finite for any input
    /// (σ(±1000) is exactly 1 or 0, never NaN) and symmetric, `σ(−x) = 1 − σ(x)`.
    ///
    /// The derivative is `σ(x)·(1 − σ(x))`, computed from the saved output.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// let p = Tensor::new([-1000.0, 0.0, 1000.0])?.sigmoid();
    /// assert_eq!(p.to_vec::<f32>(), vec![0.0, 0.5, 1.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    pub fn sigmoid(&self) -> Tensor {
        let s = self.float_storage();
        let out = match &*s {
            // f32 takes the vectorised polynomial path; f64 keeps libm for 1e-15 accuracy
            Storage::F32(v) => {
                Storage::F32(crate::parallel::map(v, super::fastmath::sigmoid_f32_slice))
            }
            other => float_map!(other, |v| sigmoid_vec(v)),
        };
        Tensor::from_op(out, self.shape().to_vec(), &[self], |y| SigmoidBackward {
            y: y.save(),
        })
    }
}

/// Saves the output: the derivative is `y·(1 − y)`.
struct SigmoidBackward {
    y: SavedTensor,
}

impl Backward for SigmoidBackward {
    fn name(&self) -> &'static str {
        "SigmoidBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let ys = self.y.storage();
        let out = match g {
            // a uniform gradient (from sum/mean): scale y·(1 − y) without reading a full tensor
            Grad::Uniform { value, .. } => {
                crate::with_float!(ys.dtype(), |E| E::wrap(uniform_grad(
                    E::c(*value),
                    ys.as_float::<E>()
                )))
            }
            Grad::Dense(g) => crate::float_zip!(&*g.storage(), &*ys, |g, y| grad(g, y)),
        };
        Ok(vec![Some(
            Tensor::leaf(out, self.y.shape().to_vec()).into(),
        )])
    }
}

fn uniform_grad<T: Float>(g: T, y: &[T]) -> Vec<T> {
    crate::parallel::map(y, |yc: &[T], out: &mut [MaybeUninit<T>]| {
        for (o, &y) in out.iter_mut().zip(yc) {
            o.write(g * y * (T::one() - y));
        }
    })
}

fn grad<T: Float>(g: &[T], y: &[T]) -> Vec<T> {
    crate::parallel::map2(g, y, |gc: &[T], yc: &[T], out: &mut [MaybeUninit<T>]| {
        for ((o, &g), &y) in out.iter_mut().zip(gc).zip(yc) {
            o.write(g * y * (T::one() - y));
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn sigmoid_is_finite_at_pm_1000() {
        for t in [
            Tensor::new([-1000.0, 1000.0]).unwrap(),
            Tensor::new([-1000.0, 1000.0]).unwrap().double(),
        ] {
            let x = t.requires_grad_(true);
            let y = x.sigmoid();
            assert_eq!(y.to_vec::<f64>(), vec![0.0, 1.0]);
            y.sum().backward().unwrap();
            assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0.0, 0.0]);
        }
    }

    #[test]
    fn tiny_probabilities_stay_exact() {
        let y = Tensor::new([-100.0])
            .unwrap()
            .double()
            .sigmoid()
            .item()
            .unwrap();
        assert!((y - 3.720_075_976_020_836e-44).abs() < 1e-57);
    }
}
