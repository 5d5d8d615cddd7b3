//! 2-D convolution through im2col and GEMM (`F.conv2d`): stride, padding, dilation, groups.

use super::gemm::gemm;
use crate::autograd::{Backward, Grad, SavedTensor};
use crate::trace::Attr;
use crate::{Error, Float, Result, Storage, Tensor};

/// Options of [`Tensor::conv2d`], PyTorch's defaults (stride 1, no padding, dilation 1, one
/// group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dOptions {
    /// Step between windows, `(height, width)`.
    pub stride: (usize, usize),
    /// Zero padding on each side, `(height, width)`.
    pub padding: (usize, usize),
    /// Spacing between kernel taps, `(height, width)`.
    pub dilation: (usize, usize),
    /// Number of channel groups (input and output channels must divide by it).
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
        }
    }
}

/// Every size one pass needs.
#[derive(Debug, Clone, Copy)]
struct Geom {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
    opt: Conv2dOptions,
}

impl Geom {
    fn cg(&self) -> usize {
        self.c / self.opt.groups
    }
    fn og(&self) -> usize {
        self.o / self.opt.groups
    }
    /// Rows of the column matrix of one group: `C/g · kh · kw`.
    fn k(&self) -> usize {
        self.cg() * self.kh * self.kw
    }
    fn l(&self) -> usize {
        self.oh * self.ow
    }
}

/// Unfolds group `gi` of image `img` (`[C, H, W]`) into `cols` (`[C/g·kh·kw, oh·ow]`), one
/// input channel per task when the matrix is large (each channel fills its own rows).
fn im2col<T: Float>(img: &[T], g: &Geom, gi: usize, cols: &mut [T]) {
    let rows = g.kh * g.kw * g.l();
    let parallel = cols.len() >= crate::parallel::PARALLEL_MIN;
    crate::parallel::for_each_chunk_mut(&mut cols[..g.cg() * rows], rows, parallel, |cc, out| {
        im2col_channel(img, g, gi, cc, out)
    });
}

/// The `kh·kw` rows of input channel `cc` (of group `gi`) in the column matrix. Each output
/// row splits into a zero head and tail (the padding) and a middle read from one input row: a
/// plain copy at stride 1, a strided gather otherwise.
fn im2col_channel<T: Float>(img: &[T], g: &Geom, gi: usize, cc: usize, cols: &mut [T]) {
    let (s, p, d) = (g.opt.stride, g.opt.padding, g.opt.dilation);
    let l = g.l();
    let ch = &img[(gi * g.cg() + cc) * g.h * g.w..][..g.h * g.w];
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &mut cols[(ki * g.kw + kj) * l..][..l];
            let span = Span::new(g, kj);
            for y in 0..g.oh {
                let iy = (y * s.0 + ki * d.0) as isize - p.0 as isize;
                let out = &mut row[y * g.ow..(y + 1) * g.ow];
                if iy < 0 || iy >= g.h as isize {
                    out.fill(T::zero());
                    continue;
                }
                let Some(Span { x0, x1, first }) = span else {
                    out.fill(T::zero());
                    continue;
                };
                let src = &ch[iy as usize * g.w..][..g.w];
                out[..x0].fill(T::zero());
                out[x1..].fill(T::zero());
                if s.1 == 1 {
                    out[x0..x1].copy_from_slice(&src[first..first + (x1 - x0)]);
                } else {
                    for (v, &x) in out[x0..x1].iter_mut().zip(src[first..].iter().step_by(s.1)) {
                        *v = x;
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds `cols` back into group `gi` of `img`, over the same
/// in-bounds spans ([`Span`]).
fn col2im<T: Float>(cols: &[T], g: &Geom, gi: usize, img: &mut [T]) {
    let plane = g.h * g.w;
    let group = &mut img[gi * g.cg() * plane..][..g.cg() * plane];
    // each input channel gathers from its own rows of `cols`: one task per channel
    let parallel = cols.len() >= crate::parallel::PARALLEL_MIN;
    crate::parallel::for_each_chunk_mut(group, plane, parallel, |cc, ch| {
        col2im_channel(cols, g, cc, ch)
    });
}

/// Channel `cc`'s rows of `cols`, added back into its plane `ch`.
fn col2im_channel<T: Float>(cols: &[T], g: &Geom, cc: usize, ch: &mut [T]) {
    let (s, d) = (g.opt.stride, g.opt.dilation);
    let l = g.l();
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &cols[((cc * g.kh + ki) * g.kw + kj) * l..][..l];
            let Some(span) = Span::new(g, kj) else {
                continue;
            };
            for y in 0..g.oh {
                let iy = (y * s.0 + ki * d.0) as isize - g.opt.padding.0 as isize;
                if iy < 0 || iy >= g.h as isize {
                    continue;
                }
                let dst = &mut ch[iy as usize * g.w + span.first..];
                let src = &row[y * g.ow + span.x0..y * g.ow + span.x1];
                if s.1 == 1 {
                    for (o, &v) in dst.iter_mut().zip(src) {
                        *o += v;
                    }
                } else {
                    for (o, &v) in dst.iter_mut().step_by(s.1).zip(src) {
                        *o += v;
                    }
                }
            }
        }
    }
}

/// The output columns `x0..x1` of kernel column `kj` whose input column `x·s + kj·d − p`
/// lies inside the image, and the input column `first` that `x0` reads.
#[derive(Clone, Copy)]
struct Span {
    x0: usize,
    x1: usize,
    first: usize,
}

impl Span {
    /// `None` when no output column of this kernel column reads the image.
    fn new(g: &Geom, kj: usize) -> Option<Span> {
        let (s, p) = (g.opt.stride.1, g.opt.padding.1);
        let off = kj * g.opt.dilation.1;
        let x0 = p.saturating_sub(off).div_ceil(s).min(g.ow);
        let x1 = (g.w + p)
            .checked_sub(off)
            .map_or(0, |e| e.div_ceil(s))
            .clamp(x0, g.ow);
        (x1 > x0).then(|| Span {
            x0,
            x1,
            first: x0 * s + off - p,
        })
    }
}

fn is_pointwise(g: &Geom) -> bool {
    g.kh == 1 && g.kw == 1 && g.opt.stride == (1, 1) && g.opt.padding == (0, 0)
}

fn forward<T: Float>(x: &[T], w: &[T], b: Option<&[T]>, g: &Geom) -> Vec<T> {
    let (k, l, og) = (g.k(), g.l(), g.og());
    // the GEMMs (β = 0) and im2col write every element of both
    let mut out = crate::memory::scratch(g.n * g.o * l);
    let mut cols = if is_pointwise(g) {
        Vec::new()
    } else {
        crate::memory::scratch(k * l)
    };
    for ni in 0..g.n {
        let img = &x[ni * g.c * g.h * g.w..][..g.c * g.h * g.w];
        for gi in 0..g.opt.groups {
            // a 1×1, stride-1 convolution reads the image itself as its column matrix
            let src: &[T] = if is_pointwise(g) {
                &img[gi * g.cg() * l..][..k * l]
            } else {
                im2col(img, g, gi, &mut cols);
                &cols
            };
            let dst = &mut out[(ni * g.o + gi * og) * l..][..og * l];
            gemm(
                (og, k, l),
                &w[gi * og * k..],
                (k, 1),
                src,
                (l, 1),
                dst,
                (l, 1),
                false,
            );
        }
        if let Some(b) = b {
            for oc in 0..g.o {
                out[(ni * g.o + oc) * l..][..l]
                    .iter_mut()
                    .for_each(|v| *v += b[oc]);
            }
        }
    }
    out
}

type ConvGrads<T> = (Option<Vec<T>>, Option<Vec<T>>, Option<Vec<T>>);

fn backward<T: Float>(
    x: &[T],
    w: &[T],
    go: &[T],
    g: &Geom,
    need: (bool, bool, bool),
) -> ConvGrads<T> {
    let (k, l, og) = (g.k(), g.l(), g.og());
    let mut gx = need.0.then(|| crate::memory::full(x.len(), T::zero()));
    let mut gw = need.1.then(|| crate::memory::full(w.len(), T::zero()));
    let gb = need.2.then(|| {
        (0..g.o)
            .map(|oc| {
                (0..g.n)
                    .map(|ni| go[(ni * g.o + oc) * l..][..l].iter().copied().sum::<T>())
                    .sum()
            })
            .collect()
    });
    let mut cols = crate::memory::scratch(k * l);
    for ni in 0..g.n {
        let img = &x[ni * g.c * g.h * g.w..][..g.c * g.h * g.w];
        for gi in 0..g.opt.groups {
            let gout = &go[(ni * g.o + gi * og) * l..][..og * l];
            if let Some(gw) = gw.as_mut() {
                im2col(img, g, gi, &mut cols);
                // dW_g += dY_g · colsᵀ
                gemm(
                    (og, l, k),
                    gout,
                    (l, 1),
                    &cols,
                    (1, l),
                    &mut gw[gi * og * k..],
                    (k, 1),
                    true,
                );
            }
            if let Some(gx) = gx.as_mut() {
                // dcols = W_gᵀ · dY_g, folded back into the image
                gemm(
                    (k, og, l),
                    &w[gi * og * k..],
                    (1, k),
                    gout,
                    (l, 1),
                    &mut cols,
                    (l, 1),
                    false,
                );
                col2im(&cols, g, gi, &mut gx[ni * g.c * g.h * g.w..]);
            }
        }
    }
    (gx, gw, gb)
}

impl Tensor {
    /// 2-D convolution of an `[N, C, H, W]` input with a `[O, C/groups, kh, kw]` weight and an
    /// optional `[O]` bias, like `F.conv2d`. Output `[N, O, H', W']` with
    /// `H' = (H + 2·pad − dil·(kh − 1) − 1) / stride + 1`.
    ///
    /// ```
    /// use logit_core::{ops::Conv2dOptions, Tensor};
    /// let x = Tensor::ones(&[1, 1, 4, 4]);
    /// let w = Tensor::ones(&[1, 1, 3, 3]);
    /// let y = x.conv2d(&w, None, Conv2dOptions { padding: (1, 1), ..Default::default() })?;
    /// assert_eq!(y.shape(), &[1, 1, 4, 4]);
    /// assert_eq!(y.to_vec::<f32>()[5], 9.0); // an inner pixel sees the whole kernel
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the input is not 4-D, channels do not match the weight or divide by `groups`, a
    /// stride, dilation or group count is 0, or the kernel is larger than the padded input.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opt: Conv2dOptions,
    ) -> Result<Tensor> {
        let (xs, ws) = (self.shape(), weight.shape());
        let bad = |why: &str| {
            Error::invalid(
                format!("conv2d ({why})"),
                format!("input [N, C, H, W] and weight [O, C/groups, kh, kw] with {opt:?}"),
                format!("input {xs:?}, weight {ws:?}"),
            )
        };
        if xs.len() != 4 || ws.len() != 4 {
            return Err(bad("4-D tensors"));
        }
        if opt.groups == 0
            || opt.stride.0 == 0
            || opt.stride.1 == 0
            || opt.dilation.0 == 0
            || opt.dilation.1 == 0
        {
            return Err(bad("stride, dilation and groups must be positive"));
        }
        let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3]);
        let (o, kh, kw) = (ws[0], ws[2], ws[3]);
        if c % opt.groups != 0 || o % opt.groups != 0 || ws[1] * opt.groups != c {
            return Err(bad("channels"));
        }
        let eff = |k: usize, d: usize| d * (k - 1) + 1;
        let (hp, wp) = (h + 2 * opt.padding.0, w + 2 * opt.padding.1);
        if kh == 0 || kw == 0 || eff(kh, opt.dilation.0) > hp || eff(kw, opt.dilation.1) > wp {
            return Err(bad("kernel larger than the padded input"));
        }
        if let Some(b) = bias {
            if b.shape() != [o] {
                return Err(bad("bias must be [O]"));
            }
        }
        let oh = (hp - eff(kh, opt.dilation.0)) / opt.stride.0 + 1;
        let ow = (wp - eff(kw, opt.dilation.1)) / opt.stride.1 + 1;
        let g = Geom {
            n,
            c,
            h,
            w,
            o,
            kh,
            kw,
            oh,
            ow,
            opt,
        };
        let (sx, sw) = super::promote("conv2d", self, weight)?;
        let sb = bias.map(|b| b.storage());
        let out = crate::float_zip!(&*sx, &*sw, |x, wv| {
            forward(x, wv, sb.as_deref().and_then(E::slice), &g)
        });
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, vec![n, o, oh, ow], &inputs, |_| Conv2dBackward {
                x: self.save_for_backward(),
                w: weight.save_for_backward(),
                g,
            }),
            || {
                vec![
                    (
                        "strides",
                        Attr::Ints(vec![opt.stride.0 as i64, opt.stride.1 as i64]),
                    ),
                    (
                        "pads",
                        Attr::Ints(vec![opt.padding.0 as i64, opt.padding.1 as i64]),
                    ),
                    (
                        "dilations",
                        Attr::Ints(vec![opt.dilation.0 as i64, opt.dilation.1 as i64]),
                    ),
                    ("group", Attr::Int(opt.groups as i64)),
                ]
            },
        ))
    }
}

/// Saves `x` and `w`, which the input and weight gradients read.
struct Conv2dBackward {
    x: SavedTensor,
    w: SavedTensor,
    g: Geom,
}

impl Backward for Conv2dBackward {
    fn name(&self) -> &'static str {
        "ConvolutionBackward0"
    }
    fn backward(&self, go: &Grad, needs: &[bool]) -> Result<Vec<Option<Grad>>> {
        let need = (needs[0], needs[1], needs.get(2) == Some(&true));
        let (sx, sw) = super::promote("conv2d", &self.x, &self.w)?;
        let gs = go.to_dense().storage();
        let (gx, gw, gb) = crate::with_float!(gs.dtype(), |E| {
            let (x, w, g) = (sx.as_float::<E>(), sw.as_float::<E>(), gs.as_float::<E>());
            let (a, b, c) = backward(x, w, g, &self.g, need);
            (a.map(E::wrap), b.map(E::wrap), c.map(E::wrap))
        });
        let wrap = |s: Option<Storage>, shape: &[usize]| {
            s.map(|s| Grad::from(Tensor::leaf(s, shape.to_vec())))
        };
        let mut out = vec![wrap(gx, self.x.shape()), wrap(gw, self.w.shape())];
        if needs.len() == 3 {
            out.push(wrap(gb, &[self.g.o]));
        }
        Ok(out)
    }
}
