//! Inverted dropout as one op (`F.dropout`): one pass draws the mask and scales.

use rand::Rng;

use crate::autograd::Backward;
use crate::random::with_global_rng;
use crate::{Error, Float, Result, Storage, Tensor};

/// Keeps an element when its uniform draw `u ∈ [0, 1)` (24 random bits, as `rand`'s `f32`)
/// is at least `p`. Drawing all bits in one `fill` and comparing integers keeps this a
/// vectorised loop instead of one generator call per element.
fn mask<T: Float>(n: usize, p: f64) -> Vec<T> {
    let scale = T::c(1.0 / (1.0 - p));
    let threshold = (p * (1u32 << 24) as f64).ceil() as u32;
    let mut bits = vec![0u32; n];
    with_global_rng(|r| r.fill(&mut bits[..]));
    bits.iter()
        .map(|&u| {
            if (u >> 8) >= threshold {
                scale
            } else {
                T::zero()
            }
        })
        .collect()
}

fn apply<T: Float>(x: &[T], m: &[T]) -> Vec<T> {
    x.iter().zip(m).map(|(&a, &b)| a * b).collect()
}

impl Tensor {
    /// Zeroes each element with probability `p` and scales the rest by `1/(1 − p)` when
    /// `training`, like `F.dropout(x, p, training)`; the identity otherwise. The mask comes from
    /// the global generator (reproducible after `manual_seed`); the gradient is `g ⊙ mask`.
    ///
    /// # Errors
    /// When `p` is outside `[0, 1)`.
    pub fn dropout(&self, p: f64, training: bool) -> Result<Tensor> {
        if !(0.0..1.0).contains(&p) {
            return Err(Error::invalid("dropout", "p in [0, 1)", format!("p = {p}")));
        }
        if !training || p == 0.0 {
            return Ok(self.clone());
        }
        let s = self.float_storage();
        let n = self.numel();
        let (out, m) = match &*s {
            Storage::F32(x) => {
                let m = mask::<f32>(n, p);
                (Storage::F32(apply(x, &m)), Storage::F32(m))
            }
            Storage::F64(x) => {
                let m = mask::<f64>(n, p);
                (Storage::F64(apply(x, &m)), Storage::F64(m))
            }
            _ => unreachable!("float_storage"),
        };
        Ok(Tensor::from_op(out, self.shape().to_vec(), &[self], || {
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
    fn backward(&self, i: &[Tensor], _: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gs = g.storage();
        let out = crate::float_zip!(&*gs, &self.mask, |a, b| apply(a, b));
        Ok(vec![Some(Tensor::from_storage(out, i[0].shape())?)])
    }
}
