//! A convolution with its eval-mode batch norm, residual add and ReLU applied inside the GEMM
//! (oneDNN's post-ops): each block of the output is finished while it is still in cache,
//! instead of three more passes over memory and three more tensors. For inference only; with a
//! graph to record it is the plain composition of the four ops.

use super::batch_norm::{invstd, scale_shift};
use super::conv::{forward, Conv2dOptions, Geom};
use super::BatchNormOptions;
use crate::{Float, Result, Storage, Tensor};
use std::sync::Arc;

/// An eval-mode batch norm (`F.batch_norm(..., training=False)`) over a convolution's output.
#[derive(Debug, Clone, Copy)]
pub struct EvalBatchNorm<'a> {
    /// `[O]` running mean.
    pub running_mean: &'a Tensor,
    /// `[O]` running variance.
    pub running_var: &'a Tensor,
    /// `[O]` scale γ, if affine.
    pub weight: Option<&'a Tensor>,
    /// `[O]` shift β, if affine.
    pub bias: Option<&'a Tensor>,
    /// Added to the variance (PyTorch's default is 1e-5).
    pub eps: f64,
}

/// What [`Tensor::conv2d_fused`] applies after the convolution, in this order.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConvEpilogue<'a> {
    /// Batch norm with running statistics.
    pub batch_norm: Option<EvalBatchNorm<'a>>,
    /// A tensor of the output's shape added next (a ResNet block's skip connection).
    pub residual: Option<&'a Tensor>,
    /// `max(x, 0)` last.
    pub relu: bool,
}

/// The post-ops as slices of the output's float type.
pub(super) struct Post<'a, T> {
    /// Per output channel; empty without batch norm.
    scale: Vec<T>,
    shift: Vec<T>,
    /// `[N, O, H', W']`, like the output.
    residual: Option<&'a [T]>,
    relu: bool,
}

/// Adds the bias to and applies the post-ops on rows `i0..i0 + rows`, columns `j0..j0 + cols`
/// of group `gi`'s `og × l` output of image `ni`, which starts at `dst`.
///
/// # Safety
/// `dst` points at that output, and no one else touches the block meanwhile.
pub(super) unsafe fn finish_block<T: Float>(
    dst: *mut T,
    (ni, gi): (usize, usize),
    (i0, rows, j0, cols): (usize, usize, usize, usize),
    g: &Geom,
    bias: Option<&[T]>,
    post: Option<&Post<T>>,
) {
    let l = g.l();
    // SAFETY: the block lies inside the group's output (the caller's promise).
    let tile = unsafe { dst.add(i0 * l + j0) };
    let first = gi * g.og() + i0;
    let residual = post
        .and_then(|p| p.residual)
        .map(|r| &r[(ni * g.o + first) * l + j0..]);
    finish_rows(tile, (rows, cols, l), first, bias, post, residual)
}

// Compiled for the widest SIMD the CPU has (without FMA contraction: the same bits as the
// ops it replaces).
crate::simd_dispatch!(
    fn finish_rows<T: Float>(
        tile: *mut T,
        shape: (usize, usize, usize),
        first: usize,
        bias: Option<&[T]>,
        post: Option<&Post<T>>,
        residual: Option<&[T]>,
    ) {
        let (rows, cols, l) = shape;
        for r in 0..rows {
            let oc = first + r;
            // SAFETY: `finish_block`'s caller vouches for the tile.
            let row = unsafe { std::slice::from_raw_parts_mut(tile.add(r * l), cols) };
            if let Some(b) = bias {
                row.iter_mut().for_each(|v| *v += b[oc]);
            }
            let Some(p) = post else { continue };
            let (k, t) = match p.scale.is_empty() {
                true => (T::one(), T::zero()),
                false => (p.scale[oc], p.shift[oc]),
            };
            let res = residual.map(|res| &res[r * l..][..cols]);
            let bn = !p.scale.is_empty();
            // one load and one full store per element, each combination a loop of its own
            match (bn, res, p.relu) {
                (true, Some(s), true) => row_ops::<T, true, true, true>(row, (k, t), s),
                (true, Some(s), false) => row_ops::<T, true, true, false>(row, (k, t), s),
                (true, None, true) => row_ops::<T, true, false, true>(row, (k, t), &[]),
                (true, None, false) => row_ops::<T, true, false, false>(row, (k, t), &[]),
                (false, Some(s), true) => row_ops::<T, false, true, true>(row, (k, t), s),
                (false, Some(s), false) => row_ops::<T, false, true, false>(row, (k, t), s),
                (false, None, true) => row_ops::<T, false, false, true>(row, (k, t), &[]),
                (false, None, false) => {}
            }
        }
    }
);

/// `relu(x·k + t + s)` on one row, each part when its flag is set: the batch norm's formula,
/// the add and `Tensor::relu`'s comparison.
#[inline(always)]
fn row_ops<T: Float, const BN: bool, const RES: bool, const RELU: bool>(
    row: &mut [T],
    (k, t): (T, T),
    res: &[T],
) {
    let f = |mut x: T, s: T| {
        if BN {
            x = x * k + t;
        }
        if RES {
            x += s;
        }
        if RELU {
            x = if x > T::zero() { x } else { T::zero() };
        }
        x
    };
    // zipped, not indexed: a bounds check per element keeps the loop scalar
    if RES {
        row.iter_mut().zip(res).for_each(|(v, &s)| *v = f(*v, s));
    } else {
        row.iter_mut().for_each(|v| *v = f(*v, T::zero()));
    }
}

/// A storage's values when it holds `E`.
fn floats<E: Float>(s: &Option<Arc<Storage>>) -> Option<&[E]> {
    s.as_deref().and_then(E::slice)
}

impl Tensor {
    /// `relu(batch_norm(conv2d(x, w, b)) + residual)`, each part as `epilogue` asks, for
    /// inference: the same values as the four ops one after another, computed in one pass
    /// over the output while the GEMM has each block in cache. What a ResNet block in eval
    /// mode runs.
    ///
    /// When a graph is recorded (an input requires grad with grad enabled), during a
    /// [`trace`](crate::trace), or when the epilogue's tensors do not fit the output (other
    /// shapes, other dtypes), it runs the four ops themselves, with their graph and errors.
    ///
    /// ```
    /// use logit_core::{ops::{ConvEpilogue, Conv2dOptions}, Tensor};
    /// let x = Tensor::randn(&[1, 2, 5, 5]);
    /// let w = Tensor::randn(&[3, 2, 3, 3]);
    /// let opt = Conv2dOptions { padding: (1, 1), ..Default::default() };
    /// let fused = x.conv2d_fused(&w, None, opt, ConvEpilogue { relu: true, ..Default::default() })?;
    /// let plain = x.conv2d(&w, None, opt)?.relu();
    /// assert_eq!(fused.to_vec::<f32>(), plain.to_vec::<f32>());
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Tensor::conv2d`], [`Tensor::batch_norm`] and [`Tensor::add`].
    pub fn conv2d_fused(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opt: Conv2dOptions,
        epilogue: ConvEpilogue,
    ) -> Result<Tensor> {
        let g = self.conv_geometry(weight, bias, opt)?;
        if !self.fits(weight, bias, &g, &epilogue) {
            return self.conv2d_unfused(weight, bias, opt, epilogue);
        }
        let storage = |t: Option<&Tensor>| t.map(Tensor::storage);
        let (sx, sw, sb) = (self.storage(), weight.storage(), storage(bias));
        let bn = epilogue.batch_norm;
        let bn_params = bn.map(|bn| {
            let [m, v, w, b] = [
                Some(bn.running_mean),
                Some(bn.running_var),
                bn.weight,
                bn.bias,
            ]
            .map(storage);
            (m, v, w, b, bn.eps)
        });
        let sr = storage(epilogue.residual);
        let out = crate::with_float!(sx.dtype(), |E| {
            let (scale, shift) = match &bn_params {
                Some((m, v, w, b, eps)) => {
                    let (mean, var) =
                        (floats::<E>(m).unwrap_or(&[]), floats::<E>(v).unwrap_or(&[]));
                    let invstd = invstd(var, *eps);
                    (0..g.o)
                        .map(|ch| scale_shift(ch, mean, &invstd, floats::<E>(w), floats::<E>(b)))
                        .unzip()
                }
                None => (Vec::new(), Vec::new()),
            };
            let post = Post {
                scale,
                shift,
                residual: floats::<E>(&sr),
                relu: epilogue.relu,
            };
            let (x, w) = (sx.as_float::<E>(), sw.as_float::<E>());
            E::wrap(forward(x, w, floats::<E>(&sb), &g, Some(&post)))
        });
        Ok(Tensor::leaf(out, vec![g.n, g.o, g.oh, g.ow]))
    }

    /// Whether the fused kernel can run: nothing to record or trace, and every tensor of the
    /// epilogue of the input's float dtype and the shape the output needs.
    fn fits(&self, w: &Tensor, b: Option<&Tensor>, g: &Geom, e: &ConvEpilogue) -> bool {
        let bn = e.batch_norm;
        let mut all = vec![self, w];
        all.extend(b);
        all.extend(e.residual);
        if let Some(bn) = bn {
            all.extend([bn.running_mean, bn.running_var]);
            all.extend(bn.weight);
            all.extend(bn.bias);
        }
        let graph = crate::autograd::is_grad_enabled() && all.iter().any(|t| t.requires_grad());
        let dtype = self.dtype();
        let per_channel = |t: &Tensor| t.shape() == [g.o];
        !graph
            && !crate::trace::is_tracing()
            && dtype.is_float()
            && all.iter().all(|t| t.dtype() == dtype)
            && b.is_none_or(per_channel)
            && e.residual
                .is_none_or(|r| r.shape() == [g.n, g.o, g.oh, g.ow])
            && bn.is_none_or(|bn| {
                [bn.running_mean, bn.running_var]
                    .into_iter()
                    .chain(bn.weight)
                    .chain(bn.bias)
                    .all(per_channel)
            })
    }

    /// The four ops one after another.
    fn conv2d_unfused(
        &self,
        w: &Tensor,
        b: Option<&Tensor>,
        opt: Conv2dOptions,
        e: ConvEpilogue,
    ) -> Result<Tensor> {
        let mut y = self.conv2d(w, b, opt)?;
        if let Some(bn) = e.batch_norm {
            let opts = BatchNormOptions {
                training: false,
                eps: bn.eps,
                ..Default::default()
            };
            y = y.batch_norm(
                Some(bn.running_mean),
                Some(bn.running_var),
                bn.weight,
                bn.bias,
                opts,
            )?;
        }
        if let Some(r) = e.residual {
            y = y.add(r)?;
        }
        Ok(if e.relu { y.relu() } else { y })
    }
}
