//! Batch normalisation as one op (`F.batch_norm`): statistics per channel over every other dim,
//! with a fused backward instead of a chain of mean/var/sub/div nodes.

use crate::autograd::{Backward, Grad, SavedTensor};
use crate::trace::Attr;
use crate::{Error, Float, Result, Tensor};

/// Options of [`Tensor::batch_norm`], PyTorch's defaults.
#[derive(Debug, Clone, Copy)]
pub struct BatchNormOptions {
    /// Use batch statistics (and update the running ones) rather than the running statistics.
    pub training: bool,
    /// Weight of the new batch in the running estimate; `None` for a cumulative average.
    pub momentum: Option<f64>,
    /// Added to the variance before the square root.
    pub eps: f64,
}

impl Default for BatchNormOptions {
    fn default() -> Self {
        BatchNormOptions {
            training: true,
            momentum: Some(0.1),
            eps: 1e-5,
        }
    }
}

/// `(outer, channels, inner)`: channel `c` of element `(o, c, i)` sits at `(o·C + c)·inner + i`.
fn layout(shape: &[usize]) -> (usize, usize, usize) {
    (shape[0], shape[1], shape[2..].iter().product())
}

/// Per-channel mean and biased variance (two-pass, for accuracy).
fn stats<T: Float>(x: &[T], (n, c, l): (usize, usize, usize)) -> (Vec<T>, Vec<T>) {
    let count = T::c((n * l) as f64);
    let mut mean = crate::memory::full(c, T::zero());
    let mut var = crate::memory::full(c, T::zero());
    if l == 1 {
        // [N, C]: walk rows, so the inner loop runs over contiguous channels and vectorises
        for row in x.chunks_exact(c) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= count);
        for row in x.chunks_exact(c) {
            for ((s, &v), &m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        var.iter_mut().for_each(|v| *v /= count);
        return (mean, var);
    }
    let parallel = x.len() >= crate::parallel::PARALLEL_MIN;
    crate::parallel::for_each_chunk_mut2(&mut mean, 1, &mut var, 1, parallel, |ch, m, v| {
        let planes = || (0..n).map(|o| &x[(o * c + ch) * l..][..l]);
        m[0] = planes().fold(T::zero(), |acc, p| acc + sum8(p, p, |v, _| v)) / count;
        let mu = m[0];
        v[0] = planes().fold(T::zero(), |acc, p| {
            acc + sum8(p, p, |v, _| (v - mu) * (v - mu))
        }) / count;
    });
    (mean, var)
}

/// `Σ f(a[i], b[i])` in 8 interleaved partial sums (so the adds need not wait on each other
/// and vectorise), combined in a fixed order: the same bits whatever the thread count.
fn sum8<T: Float>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T {
    let mut acc = [T::zero(); 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (a8, b8) in ac.zip(bc) {
        for t in 0..8 {
            acc[t] += f(a8[t], b8[t]);
        }
    }
    for (t, (&x, &y)) in ar.iter().zip(br).enumerate() {
        acc[t] += f(x, y);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Channel `ch`'s `(scale, shift)` with `y = x·scale + shift = (x − mean)·invstd·γ + β`: the
/// one formula batch norm and a convolution's fused epilogue both apply.
pub(super) fn scale_shift<T: Float>(
    ch: usize,
    mean: &[T],
    invstd: &[T],
    w: Option<&[T]>,
    b: Option<&[T]>,
) -> (T, T) {
    let scale = invstd[ch] * w.map_or(T::one(), |w| w[ch]);
    (scale, b.map_or(T::zero(), |b| b[ch]) - mean[ch] * scale)
}

/// `1/√(var + eps)` per channel.
pub(super) fn invstd<T: Float>(var: &[T], eps: f64) -> Vec<T> {
    let eps = T::c(eps);
    var.iter().map(|&v| (v + eps).sqrt().recip()).collect()
}

/// `y = (x − mean)·invstd·γ + β` per channel.
fn normalize<T: Float>(
    x: &[T],
    dims: (usize, usize, usize),
    mean: &[T],
    invstd: &[T],
    w: Option<&[T]>,
    b: Option<&[T]>,
) -> Vec<T> {
    let (n, c, l) = dims;
    let mut y = crate::memory::scratch(x.len());
    if l == 1 {
        let (scale, shift): (Vec<T>, Vec<T>) =
            (0..c).map(|ch| scale_shift(ch, mean, invstd, w, b)).unzip();
        for (yr, xr) in y.chunks_exact_mut(c).zip(x.chunks_exact(c)) {
            for (((yv, &xv), &k), &t) in yr.iter_mut().zip(xr).zip(&scale).zip(&shift) {
                *yv = xv * k + t;
            }
        }
        return y;
    }
    // channels are independent: one task per (image, channel) plane when the input is large
    let plane = |t: usize, out: &mut [T]| {
        let (scale, shift) = scale_shift(t % c, mean, invstd, w, b);
        for (yv, &xv) in out.iter_mut().zip(&x[t * l..(t + 1) * l]) {
            *yv = xv * scale + shift;
        }
    };
    let parallel = y.len() >= crate::parallel::PARALLEL_MIN;
    crate::parallel::for_each_chunk_mut(&mut y[..n * c * l], l, parallel, |t, out| plane(t, out));
    y
}

struct Saved<T> {
    mean: Vec<T>,
    invstd: Vec<T>,
}

impl Tensor {
    /// Batch normalisation over dim 1 of an `[N, C]` or `[N, C, *]` input, like `F.batch_norm`.
    ///
    /// In training mode the batch statistics normalise (biased variance) and the running
    /// statistics, when given, are updated in place: `running = (1 − m)·running + m·batch`, with
    /// the *unbiased* batch variance, as PyTorch does. In eval mode the running statistics
    /// normalise.
    ///
    /// # Errors
    /// When the input has fewer than 2 dims, a statistic or affine tensor is not `[C]`, eval
    /// mode has no running statistics, or training sees one value per channel.
    pub fn batch_norm(
        &self,
        running_mean: Option<&Tensor>,
        running_var: Option<&Tensor>,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        opts: BatchNormOptions,
    ) -> Result<Tensor> {
        if self.dim() < 2 {
            return Err(Error::invalid(
                "batch_norm",
                "an input of shape [N, C] or [N, C, *]",
                format!("shape {:?}", self.shape()),
            ));
        }
        let dims = layout(self.shape());
        let c = dims.1;
        for (name, t) in [
            ("running_mean", running_mean),
            ("running_var", running_var),
            ("weight", weight),
            ("bias", bias),
        ] {
            if let Some(t) = t {
                if t.shape() != [c] {
                    return Err(Error::invalid(
                        format!("batch_norm {name}"),
                        format!("shape [{c}] (one per channel)"),
                        format!("shape {:?}", t.shape()),
                    ));
                }
                if t.dtype() != self.dtype() {
                    return Err(Error::DTypeMismatch {
                        op: "batch_norm",
                        expected: self.dtype(),
                        got: t.dtype(),
                    });
                }
            }
        }
        let count = dims.0 * dims.2;
        if opts.training && count <= 1 {
            return Err(Error::invalid(
                "batch_norm",
                "more than 1 value per channel when training",
                format!("input shape {:?}", self.shape()),
            ));
        }
        let (rm, rv) = match (running_mean, running_var, opts.training) {
            (Some(m), Some(v), _) => (Some(m), Some(v)),
            (None, None, true) => (None, None),
            _ => {
                return Err(Error::invalid(
                    "batch_norm",
                    "running_mean and running_var (both, or neither when training)",
                    "only one, or neither in eval mode",
                ))
            }
        };
        let x = self.float_storage();
        let (ws, bs) = (weight.map(|w| w.storage()), bias.map(|b| b.storage()));
        let (y, saved) = crate::with_float!(x.dtype(), |E| {
            let xv: &[E] = x.as_float::<E>();
            let wv = ws.as_deref().and_then(E::slice);
            let bv = bs.as_deref().and_then(E::slice);
            let (mean, var) = if opts.training {
                let (mean, var) = stats(xv, dims);
                if let (Some(rm), Some(rv)) = (rm, rv) {
                    update_running(rm, rv, &mean, &var, count, opts.momentum);
                }
                (mean, var)
            } else {
                (rm.unwrap().to_vec::<E>(), rv.unwrap().to_vec::<E>())
            };
            let invstd = invstd(&var, opts.eps);
            let y = normalize(xv, dims, &mean, &invstd, wv, bv);
            (
                E::wrap(y),
                Box::new(Saved { mean, invstd }) as Box<dyn std::any::Any + Send + Sync>,
            )
        });
        let mut inputs = vec![self];
        inputs.extend(weight);
        inputs.extend(bias);
        let out = Tensor::from_op(y, self.shape().to_vec(), &inputs, |_| BatchNormBackward {
            x: self.save_for_backward(),
            weight: weight.map(Tensor::save_for_backward),
            has_b: bias.is_some(),
            saved,
            training: opts.training,
        });
        Ok(crate::trace::with_attrs(out, || {
            let mut attrs = vec![
                ("epsilon", Attr::Float(opts.eps)),
                ("training", Attr::Int(opts.training as i64)),
                ("has_weight", Attr::Int(weight.is_some() as i64)),
                ("has_bias", Attr::Int(bias.is_some() as i64)),
            ];
            attrs.extend(rm.map(|t| ("running_mean", Attr::Tensor(t.clone()))));
            attrs.extend(rv.map(|t| ("running_var", Attr::Tensor(t.clone()))));
            attrs
        }))
    }
}

fn update_running<T: Float>(
    rm: &Tensor,
    rv: &Tensor,
    mean: &[T],
    var: &[T],
    count: usize,
    momentum: Option<f64>,
) {
    let bessel = T::c(count as f64 / (count as f64 - 1.0));
    let m = T::c(momentum.unwrap_or(0.0));
    // cumulative average (momentum None) needs the batch count, which the module tracks; it
    // passes momentum = 1/num_batches_tracked then, so None here only means "use 0".
    rm.update_(|s| {
        for (r, &b) in T::slice_mut(s).expect("dtype checked").iter_mut().zip(mean) {
            *r = (T::one() - m) * *r + m * b;
        }
    });
    rv.update_(|s| {
        for (r, &b) in T::slice_mut(s).expect("dtype checked").iter_mut().zip(var) {
            *r = (T::one() - m) * *r + m * b * bessel;
        }
    });
}

/// Saves the input, the weight (the input gradient is scaled by it) and the batch statistics.
struct BatchNormBackward {
    x: SavedTensor,
    weight: Option<SavedTensor>,
    has_b: bool,
    saved: Box<dyn std::any::Any + Send + Sync>,
    training: bool,
}

fn bn_grads<T: Float>(
    x: &[T],
    g: &[T],
    w: Option<&[T]>,
    s: &Saved<T>,
    (n, c, l): (usize, usize, usize),
    training: bool,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    if l == 1 {
        return bn_grads_rows(x, g, w, s, c, training);
    }
    let mut sum_g = crate::memory::full(c, T::zero());
    let mut sum_gx = crate::memory::full(c, T::zero());
    let parallel = x.len() >= crate::parallel::PARALLEL_MIN;
    // per channel, in a fixed order: the planes of every image, each in partial sums
    crate::parallel::for_each_chunk_mut2(&mut sum_g, 1, &mut sum_gx, 1, parallel, |ch, sg, sgx| {
        let (mu, is) = (s.mean[ch], s.invstd[ch]);
        for o in 0..n {
            let r = (o * c + ch) * l..(o * c + ch + 1) * l;
            sg[0] += sum8(&g[r.clone()], &g[r.clone()], |gv, _| gv);
            sgx[0] += sum8(&g[r.clone()], &x[r], |gv, xv| gv * (xv - mu) * is);
        }
    });
    let count = T::c((n * l) as f64);
    let mut gx = crate::memory::scratch(x.len());
    // one task per (image, channel) plane
    crate::parallel::for_each_chunk_mut(&mut gx, l, parallel, |t, d| {
        let ch = t % c;
        let k = s.invstd[ch] * w.map_or(T::one(), |w| w[ch]);
        let r = t * l..(t + 1) * l;
        for ((d, &gv), &xv) in d.iter_mut().zip(&g[r.clone()]).zip(&x[r]) {
            *d = if training {
                let xhat = (xv - s.mean[ch]) * s.invstd[ch];
                k * (gv - sum_g[ch] / count - xhat * sum_gx[ch] / count)
            } else {
                k * gv
            };
        }
    });
    (gx, sum_gx, sum_g)
}

/// [`bn_grads`] for `[N, C]` inputs: row-wise loops over contiguous channels.
fn bn_grads_rows<T: Float>(
    x: &[T],
    g: &[T],
    w: Option<&[T]>,
    s: &Saved<T>,
    c: usize,
    training: bool,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let mut sum_g = crate::memory::full(c, T::zero());
    let mut sum_gx = crate::memory::full(c, T::zero());
    for (xr, gr) in x.chunks_exact(c).zip(g.chunks_exact(c)) {
        for ch in 0..c {
            sum_g[ch] += gr[ch];
            sum_gx[ch] += gr[ch] * (xr[ch] - s.mean[ch]) * s.invstd[ch];
        }
    }
    let count = T::c((x.len() / c) as f64);
    let k: Vec<T> = (0..c)
        .map(|ch| s.invstd[ch] * w.map_or(T::one(), |w| w[ch]))
        .collect();
    let mut gx = crate::memory::scratch(x.len());
    for ((dr, gr), xr) in gx
        .chunks_exact_mut(c)
        .zip(g.chunks_exact(c))
        .zip(x.chunks_exact(c))
    {
        for ch in 0..c {
            dr[ch] = if training {
                let xhat = (xr[ch] - s.mean[ch]) * s.invstd[ch];
                k[ch] * (gr[ch] - sum_g[ch] / count - xhat * sum_gx[ch] / count)
            } else {
                k[ch] * gr[ch]
            };
        }
    }
    (gx, sum_gx, sum_g)
}

impl Backward for BatchNormBackward {
    fn name(&self) -> &'static str {
        "NativeBatchNormBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let x = &self.x;
        let dims = layout(x.shape());
        let (xs, gs) = (x.float_storage(), g.to_dense().storage());
        let ws = self.weight.as_ref().map(|w| w.storage());
        let (gx, gw, gb) = crate::with_float!(gs.dtype(), |E| {
            let s = self.saved.downcast_ref::<Saved<E>>().expect("saved dtype");
            let (gx, gw, gb) = bn_grads(
                xs.as_float::<E>(),
                gs.as_float::<E>(),
                ws.as_deref().and_then(E::slice),
                s,
                dims,
                self.training,
            );
            (E::wrap(gx), E::wrap(gw), E::wrap(gb))
        });
        let c = dims.1;
        let mut out = vec![Some(Tensor::leaf(gx, x.shape().to_vec()).into())];
        if self.weight.is_some() {
            out.push(Some(Tensor::leaf(gw, vec![c]).into()));
        }
        if self.has_b {
            out.push(Some(Tensor::leaf(gb, vec![c]).into()));
        }
        Ok(out)
    }
}
