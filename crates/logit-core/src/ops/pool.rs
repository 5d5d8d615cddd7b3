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
        let s = self.float_storage();
        let mut arg = vec![0usize; planes * oh * ow];
        let out = float_map!(&*s, |v| {
            let mut out = crate::memory::full(planes * oh * ow, E::c(0.0));
            // one task per (image, channel) plane, writing its own outputs and argmaxes
            let run = |p: usize, out: &mut [E], arg: &mut [usize]| {
                let plane = &v[p * h * w..][..h * w];
                for y in 0..oh {
                    for x in 0..ow {
                        let (mut best, mut at) = (E::c(f64::NEG_INFINITY), usize::MAX);
                        for ki in 0..kernel.0 {
                            let iy = (y * stride.0 + ki) as isize - padding.0 as isize;
                            if iy < 0 || iy >= h as isize {
                                continue;
                            }
                            for kj in 0..kernel.1 {
                                let ix = (x * stride.1 + kj) as isize - padding.1 as isize;
                                if ix < 0 || ix >= w as isize {
                                    continue;
                                }
                                let idx = iy as usize * w + ix as usize;
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
                        out[y * ow + x] = best;
                        arg[y * ow + x] = p * h * w + at;
                    }
                }
            };
            let parallel = planes * oh * ow >= crate::parallel::PARALLEL_MIN / 4;
            let per_plane = oh * ow;
            crate::parallel::for_each_chunk_mut2(
                &mut out, per_plane, &mut arg, per_plane, parallel, run,
            );
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
            let mut out = crate::memory::full(planes * oh * ow, E::c(0.0));
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
