//! Inverted dropout as one op (`F.dropout`): one pass draws the mask and scales.

use crate::autograd::{Backward, Grad};
use crate::random::{bernoulli_scalar, with_global_rng};
use crate::{Error, Float, Result, Storage, Tensor};

/// PyTorch's CPU mask, `empty_like(x).bernoulli_(1 - p).div_(1 - p)`: one 53-bit double
/// uniform per element, kept where `u < 1 − p`, the kept ones `1 / (1 − p)` computed in `T`.
fn mask<T: Float>(n: usize, p: f64) -> Vec<T> {
    let keep = 1.0 - p;
    let scale = T::one() / T::c(keep);
    with_global_rng(|g| bernoulli_scalar(g, n, keep, scale, T::zero()))
}

fn apply<T: Float>(x: &[T], m: &[T]) -> Vec<T> {
    crate::parallel::map2(x, m, |x, m, out: &mut [std::mem::MaybeUninit<T>]| {
        for (o, (&a, &b)) in out.iter_mut().zip(x.iter().zip(m)) {
            o.write(a * b);
        }
    })
}

impl Tensor {
    /// Zeroes each element with probability `p` and scales the rest by `1/(1 − p)` when
    /// `training`, like `F.dropout(x, p, training)`; the identity otherwise. The mask comes from
    /// the global generator (reproducible after `manual_seed`); the gradient is `g ⊙ mask`.
    ///
    /// # Errors
    /// When `p` is outside `[0, 1]`.
    pub fn dropout(&self, p: f64, training: bool) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid("dropout", "p in [0, 1]", format!("p = {p}")));
        }
        if !training || p == 0.0 {
            return Ok(self.clone());
        }
        if p == 1.0 {
            // PyTorch multiplies by a zero scalar here and draws nothing
            return Ok(self.mul_scalar(0.0));
        }
        let s = self.float_storage();
        let n = self.numel();
        let (out, m) = crate::with_float!(s.dtype(), |E| {
            let m = mask::<E>(n, p);
            (E::wrap(apply(s.as_float::<E>(), &m)), E::wrap(m))
        });
        Ok(Tensor::from_op(out, self.shape().to_vec(), &[self], |_| {
            DropoutBackward { mask: m }
        }))
    }
}

struct DropoutBackward {
    mask: Storage,
}

impl Backward for DropoutBackward {
    fn name(&self) -> &'static str {
        "NativeDropoutBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let g = g.to_dense();
        let out = crate::float_zip!(&*g.storage(), &self.mask, |a, b| apply(a, b));
        Ok(vec![Some(Tensor::from_storage(out, g.shape())?.into())])
    }
}
