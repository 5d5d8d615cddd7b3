//! The column matrix of a convolution: `im2col` unfolds an image so that a convolution is one
//! GEMM, and `col2im`, its adjoint, folds column gradients back into the image.

use super::conv::Geom;
use crate::Float;

/// Unfolds group `gi` of images `first..first + count` of the batch `x` (`[N, C, H, W]`) into
/// the `C/g·kh·kw × count·oh·ow` matrix `cols`, the images side by side, one input channel per
/// task when the matrix is large (each channel fills its own rows for every image).
pub(super) fn im2col<T: Float>(
    x: &[T],
    (first, count): (usize, usize),
    g: &Geom,
    gi: usize,
    cols: &mut [T],
) {
    let (image, ld) = (g.c * g.h * g.w, count * g.l());
    let rows = g.kh * g.kw * ld;
    let parallel = g.k() * ld >= crate::parallel::PARALLEL_MIN;
    crate::parallel::for_each_chunk_mut(&mut cols[..g.cg() * rows], rows, parallel, |cc, out| {
        for ci in 0..count {
            let img = &x[(first + ci) * image..][..image];
            im2col_channel(img, g, (gi, cc), out, (ci * g.l(), ld));
        }
    });
}

/// The `kh·kw` rows of input channel `cc` (of group `gi`) in the column matrix. Each output
/// row splits into a zero head and tail (the padding) and a middle read from one input row: a
/// plain copy at stride 1, a strided gather otherwise.
fn im2col_channel<T: Float>(
    img: &[T],
    g: &Geom,
    (gi, cc): (usize, usize),
    cols: &mut [T],
    (c0, ld): (usize, usize),
) {
    let (s, p, d) = (g.opt.stride, g.opt.padding, g.opt.dilation);
    let l = g.l();
    let ch = &img[(gi * g.cg() + cc) * g.h * g.w..][..g.h * g.w];
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &mut cols[(ki * g.kw + kj) * ld + c0..][..l];
            let span = Span::new(g, kj);
            if let (Some(span), true) = (span, s == (1, 1) && g.ow == g.w) {
                shifted_plane(ch, g, ki, span, row);
                continue;
            }
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

/// Kernel row `ki`'s row of the column matrix when the convolution keeps the width at stride 1
/// (a "same" 3×3): its in-bounds rows are the channel shifted by a constant offset, so one copy
/// fills them (an output row's padding columns read the neighbouring input row's edge and are
/// zeroed after), instead of a short copy per output row.
fn shifted_plane<T: Float>(ch: &[T], g: &Geom, ki: usize, span: Span, row: &mut [T]) {
    let (p, w, ow) = (g.opt.padding.0, g.w, g.ow);
    let shift = ki * g.opt.dilation.0;
    // output rows whose input row `y + shift − p` lies inside the image
    let y0 = p.saturating_sub(shift).min(g.oh);
    let y1 = (g.h + p).saturating_sub(shift).clamp(y0, g.oh);
    if y1 > y0 {
        let Span { x0, x1, first } = span;
        let len = (y1 - y0 - 1) * ow + (x1 - x0);
        let src = (y0 + shift - p) * w + first;
        row[y0 * ow + x0..][..len].copy_from_slice(&ch[src..][..len]);
    }
    row[..y0 * ow].fill(T::zero());
    row[y1 * ow..].fill(T::zero());
    for out in row[y0 * ow..y1 * ow].chunks_exact_mut(ow) {
        out[..span.x0].fill(T::zero());
        out[span.x1..].fill(T::zero());
    }
}

/// The adjoint of [`im2col`]: adds `cols` back into group `gi` of images `first..first +
/// count` of the batch gradient `gx`, over the same in-bounds spans ([`Span`]). One task per
/// image, or per input channel for a single image, when the matrix is large.
pub(super) fn col2im<T: Float>(
    cols: &[T],
    (first, count): (usize, usize),
    g: &Geom,
    gi: usize,
    gx: &mut [T],
) {
    let (plane, image, ld) = (g.h * g.w, g.c * g.h * g.w, count * g.l());
    let parallel = g.k() * ld >= crate::parallel::PARALLEL_MIN;
    let images = &mut gx[first * image..][..count * image];
    // group gi's channels within an image
    let (at, len) = (gi * g.cg() * plane, g.cg() * plane);
    if count == 1 {
        let channels = &mut images[at..][..len];
        crate::parallel::for_each_chunk_mut(channels, plane, parallel, |cc, ch| {
            col2im_channel(cols, g, cc, ch, (0, ld))
        });
        return;
    }
    crate::parallel::for_each_chunk_mut(images, image, parallel, |ci, img| {
        for (cc, ch) in img[at..][..len].chunks_exact_mut(plane).enumerate() {
            col2im_channel(cols, g, cc, ch, (ci * g.l(), ld));
        }
    });
}

/// Channel `cc`'s rows of `cols`, added back into its plane `ch`.
fn col2im_channel<T: Float>(
    cols: &[T],
    g: &Geom,
    cc: usize,
    ch: &mut [T],
    (c0, ld): (usize, usize),
) {
    let (s, d) = (g.opt.stride, g.opt.dilation);
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &cols[((cc * g.kh + ki) * g.kw + kj) * ld + c0..][..g.l()];
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
