//! softmax and log_softmax over a dim, stable (the max is subtracted first).

use crate::autograd::{Backward, Grad, SavedTensor};
use crate::shape::{normalize_dim, split_at_dim};
use crate::trace::Attr;
use crate::{float_map, float_zip, Float, Result, Tensor};

fn softmax_kernel<T: Float>(v: &[T], outer: usize, size: usize, inner: usize, log: bool) -> Vec<T> {
    let mut out = crate::memory::full(v.len(), T::zero());
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| (o * size + k) * inner + i;
            let mut m = T::neg_infinity();
            for k in 0..size {
                m = m.max(v[at(k)]);
            }
            if !m.is_finite() {
                m = T::zero();
            }
            let mut sum = T::zero();
            for k in 0..size {
                let e = (v[at(k)] - m).exp();
                out[at(k)] = e;
                sum += e;
            }
            if log {
                let ls = sum.ln();
                for k in 0..size {
                    out[at(k)] = v[at(k)] - m - ls;
                }
            } else {
                // PyTorch's CPU kernel multiplies by the reciprocal; dividing differs from it
                // in the last bit
                let r = T::one() / sum;
                for k in 0..size {
                    out[at(k)] *= r;
                }
            }
        }
    }
    out
}

/// softmax: `y ⊙ (g − Σ g⊙y)`; log_softmax: `g − eʸ ⊙ Σ g`.
fn softmax_grad<T: Float>(
    g: &[T],
    y: &[T],
    outer: usize,
    size: usize,
    inner: usize,
    log: bool,
) -> Vec<T> {
    let mut out = crate::memory::full(g.len(), T::zero());
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| (o * size + k) * inner + i;
            let mut s = T::zero();
            for k in 0..size {
                s += if log { g[at(k)] } else { g[at(k)] * y[at(k)] };
            }
            for k in 0..size {
                let (gk, yk) = (g[at(k)], y[at(k)]);
                out[at(k)] = if log {
                    gk - yk.exp() * s
                } else {
                    yk * (gk - s)
                };
            }
        }
    }
    out
}

impl Tensor {
    /// `exp(xᵢ) / Σⱼ exp(xⱼ)` over `dim`, like `torch.softmax`. Subtracting the max first keeps
    /// inputs like 1000 finite.
    ///
    /// # Errors
    /// When `dim` is out of range.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        self.softmax_impl("softmax", dim, false)
    }

    /// `log(softmax(x))` over `dim`, computed as `x − max − log Σ exp(x − max)`, like
    /// `torch.log_softmax`.
    ///
    /// # Errors
    /// When `dim` is out of range.
    pub fn log_softmax(&self, dim: isize) -> Result<Tensor> {
        self.softmax_impl("log_softmax", dim, true)
    }

    fn softmax_impl(&self, op: &'static str, dim: isize, log: bool) -> Result<Tensor> {
        let d = normalize_dim(op, dim, self.dim())?;
        let (outer, size, inner) = split_at_dim(self.shape(), d);
        let s = self.float_storage();
        let out = float_map!(&*s, |v| softmax_kernel(v, outer, size, inner, log));
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, self.shape().to_vec(), &[self], |y| SoftmaxBackward {
                y: y.save(),
                dim: d,
                log,
            }),
            || vec![("axis", Attr::Int(d as i64))],
        ))
    }
}

/// Saves the output: both derivatives are written in `y` (for log_softmax, `exp(y)`).
struct SoftmaxBackward {
    y: SavedTensor,
    dim: usize,
    log: bool,
}

impl Backward for SoftmaxBackward {
    fn name(&self) -> &'static str {
        if self.log {
            "LogSoftmaxBackward0"
        } else {
            "SoftmaxBackward0"
        }
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let y = &self.y;
        let (outer, size, inner) = split_at_dim(y.shape(), self.dim);
        let (gs, ys) = (g.to_dense().storage(), y.storage());
        let out = float_zip!(&*gs, &*ys, |gv, yv| softmax_grad(
            gv, yv, outer, size, inner, self.log
        ));
        Ok(vec![Some(Tensor::from_storage(out, y.shape())?.into())])
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn softmax_is_stable_for_huge_inputs() {
        let y = Tensor::new([[1000.0, 0.0, -1000.0]])
            .unwrap()
            .softmax(1)
            .unwrap();
        assert_eq!(y.to_vec::<f32>(), vec![1.0, 0.0, 0.0]);
        let l = Tensor::new([[1000.0, 0.0]])
            .unwrap()
            .log_softmax(-1)
            .unwrap();
        assert_eq!(l.to_vec::<f32>(), vec![0.0, -1000.0]);
    }
}
