//! Pooling over the spatial dims of `[N, C, H, W]` inputs: `max_pool2d` and
//! `adaptive_avg_pool2d`.

use crate::autograd::{Backward, Grad};
use crate::trace::Attr;
use crate::{float_map, Error, Float, Result, Storage, Tensor};

fn spatial(op: &str, t: &Tensor) -> Result<(usize, usize, usize)> {
    let s = t.shape();
    if s.len() != 4 {
        return Err(Error::invalid(
            op,
            "an input [N, C, H, W]",
            format!("shape {s:?}"),
        ));
    }
    Ok((s[0] * s[1], s[2], s[3]))
}

impl Tensor {
    /// Max over `kernel` windows moved by `stride`, with `-∞` padding, like
    /// `F.max_pool2d(x, kernel, stride, padding)`. The gradient goes to each window's maximum.
    ///
    /// # Errors
    /// When the input is not 4-D, a size is 0, or padding exceeds half the kernel (as PyTorch).
    pub fn max_pool2d(
        &self,
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> Result<Tensor> {
        let (planes, h, w) = spatial("max_pool2d", self)?;
        if kernel.0 == 0
            || kernel.1 == 0
            || stride.0 == 0
            || stride.1 == 0
            || 2 * padding.0 > kernel.0
            || 2 * padding.1 > kernel.1
            || h + 2 * padding.0 < kernel.0
            || w + 2 * padding.1 < kernel.1
        {
            return Err(Error::invalid(
                "max_pool2d",
                "positive kernel and stride, padding <= kernel / 2, kernel within the padded input",
                format!(
                    "kernel {kernel:?}, stride {stride:?}, padding {padding:?}, input {:?}",
                    self.shape()
                ),
            ));
        }
        let oh = (h + 2 * padding.0 - kernel.0) / stride.0 + 1;
        let ow = (w + 2 * padding.1 - kernel.1) / stride.1 + 1;
        let win = Window {
            h,
            w,
            oh,
            ow,
            kernel,
            stride,
            padding,
        };
        let s = self.float_storage();
        // the argmaxes are only for the backward: inference (eval, no_grad) skips them
        let record = crate::autograd::is_grad_enabled() && self.requires_grad();
        let mut arg = if record {
            vec![0usize; planes * oh * ow]
        } else {
            Vec::new()
        };
        let parallel = planes * oh * ow >= crate::parallel::PARALLEL_MIN / 4;
        let out = float_map!(&*s, |v| {
            let mut out = crate::memory::scratch(planes * oh * ow);
            let plane = |p: usize| &v[p * h * w..][..h * w];
            if record {
                crate::parallel::for_each_chunk_mut2(
                    &mut out,
                    oh * ow,
                    &mut arg,
                    oh * ow,
                    parallel,
                    |p, out, arg| win.argmax(plane(p), p * h * w, out, arg),
                );
            } else {
                crate::parallel::for_each_chunk_mut(&mut out, oh * ow, parallel, |p, out| {
                    win.max(plane(p), out)
                });
            }
            out
        });
        let shape = vec![self.shape()[0], self.shape()[1], oh, ow];
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, shape, &[self], |_| MaxPoolBackward {
                shape: self.shape().to_vec(),
                arg,
            }),
            || {
                vec![
                    (
                        "kernel_shape",
                        Attr::Ints(vec![kernel.0 as i64, kernel.1 as i64]),
                    ),
                    (
                        "strides",
                        Attr::Ints(vec![stride.0 as i64, stride.1 as i64]),
                    ),
                    ("pads", Attr::Ints(vec![padding.0 as i64, padding.1 as i64])),
                ]
            },
        ))
    }

    /// Averages over PyTorch's adaptive bins so the output is `[N, C, oh, ow]`, like
    /// `F.adaptive_avg_pool2d(x, (oh, ow))`; bin `i` spans `⌊i·H/oh⌋ .. ⌈(i+1)·H/oh⌉`.
    ///
    /// # Errors
    /// When the input is not 4-D or an output size is 0.
    pub fn adaptive_avg_pool2d(&self, output: (usize, usize)) -> Result<Tensor> {
        let (planes, h, w) = spatial("adaptive_avg_pool2d", self)?;
        if output.0 == 0 || output.1 == 0 || h == 0 || w == 0 {
            return Err(Error::invalid(
                "adaptive_avg_pool2d",
                "positive output and input sizes",
                format!("output {output:?}, input {:?}", self.shape()),
            ));
        }
        let (oh, ow) = output;
        let s = self.float_storage();
        let out = float_map!(&*s, |v| {
            let mut out = crate::memory::scratch(planes * oh * ow);
            for p in 0..planes {
                let plane = &v[p * h * w..][..h * w];
                for y in 0..oh {
                    let (y0, y1) = bin(y, oh, h);
                    for x in 0..ow {
                        let (x0, x1) = bin(x, ow, w);
                        let mut sum = E::c(0.0);
                        for iy in y0..y1 {
                            for ix in x0..x1 {
                                sum += plane[iy * w + ix];
                            }
                        }
                        out[(p * oh + y) * ow + x] = sum / E::c(((y1 - y0) * (x1 - x0)) as f64);
                    }
                }
            }
            out
        });
        let shape = vec![self.shape()[0], self.shape()[1], oh, ow];
        Ok(Tensor::from_op(out, shape, &[self], |_| {
            AdaptiveAvgBackward {
                shape: self.shape().to_vec(),
                hw: (h, w),
                out: output,
            }
        }))
    }
}

/// PyTorch's adaptive pooling bin `[start, end)` of output index `i` of `out` over `len`.
fn bin(i: usize, out: usize, len: usize) -> (usize, usize) {
    (i * len / out, ((i + 1) * len).div_ceil(out))
}

/// The geometry of one max-pooling plane.
#[derive(Clone, Copy)]
struct Window {
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
}

impl Window {
    /// The input rows of output row `y` (padding clipped away; never empty, as padding is at
    /// most half the kernel).
    fn rows(&self, y: usize) -> std::ops::Range<usize> {
        let start = (y * self.stride.0).saturating_sub(self.padding.0);
        start..(y * self.stride.0 + self.kernel.0 - self.padding.0).min(self.h)
    }
    fn cols(&self, x: usize) -> std::ops::Range<usize> {
        let start = (x * self.stride.1).saturating_sub(self.padding.1);
        start..(x * self.stride.1 + self.kernel.1 - self.padding.1).min(self.w)
    }

    /// Each window's maximum (NaN if the window holds one, as PyTorch): per output row, the
    /// window's input rows are first reduced to one row (a loop over whole rows, which
    /// vectorises), then each window takes the maximum of its columns there.
    fn max<E: Float>(&self, plane: &[E], out: &mut [E]) {
        let keep = |best: E, val: E| {
            if val > best || val.is_nan() {
                val
            } else {
                best
            }
        };
        let mut row = vec![E::c(f64::NEG_INFINITY); self.w];
        for y in 0..self.oh {
            row.fill(E::c(f64::NEG_INFINITY));
            for iy in self.rows(y) {
                for (r, &v) in row.iter_mut().zip(&plane[iy * self.w..][..self.w]) {
                    *r = keep(*r, v);
                }
            }
            for (x, o) in out[y * self.ow..][..self.ow].iter_mut().enumerate() {
                *o = row[self.cols(x)]
                    .iter()
                    .fold(E::c(f64::NEG_INFINITY), |b, &v| keep(b, v));
            }
        }
    }

    /// Each window's maximum and where it is (`offset` + its index in the plane): the first
    /// maximum in scan order, or a NaN.
    fn argmax<E: Float>(&self, plane: &[E], offset: usize, out: &mut [E], arg: &mut [usize]) {
        for y in 0..self.oh {
            for x in 0..self.ow {
                let (mut best, mut at) = (E::c(f64::NEG_INFINITY), usize::MAX);
                for iy in self.rows(y) {
                    for ix in self.cols(x) {
                        let idx = iy * self.w + ix;
                        let val = plane[idx];
                        if val > best || val.is_nan() || at == usize::MAX {
                            best = val;
                            at = idx;
                            if val.is_nan() {
                                break;
                            }
                        }
                    }
                }
                out[y * self.ow + x] = best;
                arg[y * self.ow + x] = offset + at;
            }
        }
    }
}

struct MaxPoolBackward {
    shape: Vec<usize>,
    arg: Vec<usize>,
}

impl Backward for MaxPoolBackward {
    fn name(&self) -> &'static str {
        "MaxPool2DWithIndicesBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let gs = g.to_dense().storage();
        let n = crate::shape::numel(&self.shape);
        let out = float_map!(&*gs, |gv| {
            let mut out = crate::memory::full(n, E::c(0.0));
            for (k, &a) in self.arg.iter().enumerate() {
                out[a] += gv[k];
            }
            out
        });
        Ok(vec![Some(Tensor::leaf(out, self.shape.clone()).into())])
    }
}

struct AdaptiveAvgBackward {
    shape: Vec<usize>,
    hw: (usize, usize),
    out: (usize, usize),
}

impl Backward for AdaptiveAvgBackward {
    fn name(&self) -> &'static str {
        "AdaptiveAvgPool2DBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let ((h, w), (oh, ow)) = (self.hw, self.out);
        let planes = crate::shape::numel(&self.shape) / (h * w);
        let gs = g.to_dense().storage();
        let out: Storage = float_map!(&*gs, |gv| {
            let mut out = crate::memory::full(planes * h * w, E::c(0.0));
            for p in 0..planes {
                for y in 0..oh {
                    let (y0, y1) = bin(y, oh, h);
                    for x in 0..ow {
                        let (x0, x1) = bin(x, ow, w);
                        let share =
                            gv[(p * oh + y) * ow + x] / E::c(((y1 - y0) * (x1 - x0)) as f64);
                        for iy in y0..y1 {
                            for ix in x0..x1 {
                                out[p * h * w + iy * w + ix] += share;
                            }
                        }
                    }
                }
            }
            out
        });
        Ok(vec![Some(Tensor::leaf(out, self.shape.clone()).into())])
    }
}
