//! 2-D convolution through im2col and GEMM (`F.conv2d`): stride, padding, dilation, groups.

use super::conv_fused::{finish_block, Post};
use super::gemm::{gemm, Lhs, SendPtr, SMALL_GEMM};
use super::im2col::{col2im, im2col};
use super::sgemm::Epilogue;
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
pub(super) struct Geom {
    pub(super) n: usize,
    pub(super) c: usize,
    pub(super) h: usize,
    pub(super) w: usize,
    pub(super) o: usize,
    pub(super) kh: usize,
    pub(super) kw: usize,
    pub(super) oh: usize,
    pub(super) ow: usize,
    pub(super) opt: Conv2dOptions,
}

impl Geom {
    pub(super) fn cg(&self) -> usize {
        self.c / self.opt.groups
    }
    pub(super) fn og(&self) -> usize {
        self.o / self.opt.groups
    }
    /// Rows of the column matrix of one group: `C/g · kh · kw`.
    pub(super) fn k(&self) -> usize {
        self.cg() * self.kh * self.kw
    }
    pub(super) fn l(&self) -> usize {
        self.oh * self.ow
    }
}

fn is_pointwise(g: &Geom) -> bool {
    g.kh == 1 && g.kw == 1 && g.opt.stride == (1, 1) && g.opt.padding == (0, 0)
}

/// The convolution's output with its bias and, when given, fused post-ops.
pub(super) fn forward<T: Float>(
    x: &[T],
    w: &[T],
    b: Option<&[T]>,
    g: &Geom,
    post: Option<&Post<T>>,
) -> Vec<T> {
    let (k, l, og) = (g.k(), g.l(), g.og());
    // the GEMMs (β = 0) and im2col write every element of both
    let mut out = crate::memory::scratch(g.n * g.o * l);
    let columns = || match is_pointwise(g) {
        true => Vec::new(),
        false => crate::memory::scratch(k * l),
    };
    // each group's weight is packed once for all the images
    let weights: Vec<Lhs<T>> = (0..g.opt.groups)
        .map(|gi| Lhs::new((og, k, l), &w[gi * og * k..], (k, 1), g.n))
        .collect();
    let image = |ni: usize, out: &mut [T], cols: &mut Vec<T>| {
        let img = &x[ni * g.c * g.h * g.w..][..g.c * g.h * g.w];
        for (gi, weight) in weights.iter().enumerate() {
            // a 1×1, stride-1 convolution reads the image itself as its column matrix
            let src: &[T] = if is_pointwise(g) {
                &img[gi * g.cg() * l..][..k * l]
            } else {
                im2col(x, (ni, 1), g, gi, cols);
                cols
            };
            let dst = &mut out[gi * og * l..][..og * l];
            let at = SendPtr(dst.as_mut_ptr());
            // bias and post-ops on each block as the GEMM finishes it, while it is in cache
            let finish = |i0, rows, j0, cols| {
                // SAFETY: the GEMM hands each block of this image's `og × l` output once.
                unsafe { finish_block(at.get(), (ni, gi), (i0, rows, j0, cols), g, b, post) }
            };
            let epilogue = (b.is_some() || post.is_some()).then_some(&finish as Epilogue);
            weight.gemm((og, k, l), src, (l, 1), dst, (l, 1), false, epilogue);
        }
    };
    // with at least two images per thread, each thread takes whole images (its products and
    // im2col then run on it alone): no split and join per product, no operand packed twice
    let threads = crate::parallel::threads_here();
    let by_image = threads > 1 && g.n >= 2 * threads && og * k * l > SMALL_GEMM;
    if by_image {
        crate::parallel::for_each_chunk_mut(&mut out, g.o * l, true, |ni, out| {
            let mut cols = columns();
            image(ni, out, &mut cols);
            // the thread's next image takes it back
            crate::memory::recycle(cols);
        });
    } else if !out.is_empty() {
        let mut cols = columns();
        for (ni, out) in out.chunks_exact_mut(g.o * l).enumerate() {
            image(ni, out, &mut cols);
        }
    }
    out
}

/// At most this many elements in the backward's column matrix of several images.
const BACKWARD_COLS: usize = 1 << 21;

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
    // several images side by side in one column matrix: the weight gradient (read and
    // written by each product) and the packed Wᵀ stream through memory once per chunk
    let chunk = (BACKWARD_COLS / (k * l)).clamp(1, g.n.max(1));
    let mut cols = crate::memory::scratch(k * l * chunk);
    let mut dy = if chunk > 1 {
        crate::memory::scratch(og * l * chunk)
    } else {
        Vec::new()
    };
    // each group's Wᵀ is packed once for all the chunks
    let weights_t: Vec<Lhs<T>> = if need.0 {
        (0..g.opt.groups)
            .map(|gi| {
                Lhs::new(
                    (k, og, l * chunk),
                    &w[gi * og * k..],
                    (1, k),
                    g.n.div_ceil(chunk),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    for n0 in (0..g.n).step_by(chunk) {
        let c = chunk.min(g.n - n0);
        let ld = c * l;
        for gi in 0..g.opt.groups {
            // dY_g of the chunk's images side by side, `og × ld`
            let gout: &[T] = if c == 1 {
                &go[(n0 * g.o + gi * og) * l..][..og * l]
            } else {
                for (oc, row) in dy[..og * ld].chunks_exact_mut(ld).enumerate() {
                    for (ci, part) in row.chunks_exact_mut(l).enumerate() {
                        part.copy_from_slice(&go[((n0 + ci) * g.o + gi * og + oc) * l..][..l]);
                    }
                }
                &dy[..og * ld]
            };
            if let Some(gw) = gw.as_mut() {
                im2col(x, (n0, c), g, gi, &mut cols);
                // dW_g += dY_g · colsᵀ
                gemm(
                    (og, ld, k),
                    gout,
                    (ld, 1),
                    &cols,
                    (1, ld),
                    &mut gw[gi * og * k..],
                    (k, 1),
                    true,
                );
            }
            if let Some(gx) = gx.as_mut() {
                // dcols = W_gᵀ · dY_g, folded back into each image
                weights_t[gi].gemm((k, og, ld), gout, (ld, 1), &mut cols, (ld, 1), false, None);
                col2im(&cols, (n0, c), g, gi, gx);
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
        let g = self.conv_geometry(weight, bias, opt)?;
        let (sx, sw) = super::promote("conv2d", self, weight)?;
        let sb = bias.map(|b| b.storage());
        let out = crate::float_zip!(&*sx, &*sw, |x, wv| {
            forward(x, wv, sb.as_deref().and_then(E::slice), &g, None)
        });
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, vec![g.n, g.o, g.oh, g.ow], &inputs, |_| {
                Conv2dBackward {
                    x: self.save_for_backward(),
                    w: weight.save_for_backward(),
                    g,
                }
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

    /// The sizes of `self.conv2d(weight, bias, opt)`, or what is wrong with its arguments.
    pub(super) fn conv_geometry(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opt: Conv2dOptions,
    ) -> Result<Geom> {
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
        Ok(Geom {
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
        })
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
