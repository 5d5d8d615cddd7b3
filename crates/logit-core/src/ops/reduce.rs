//! Reductions: sum and mean over everything or over one dim (keepdim), max/min over a dim,
//! argmax.

use crate::autograd::{Backward, Grad};
use crate::shape::{normalize_dim, numel, split_at_dim};
use crate::trace::Attr;
use crate::{float_map, Float, Result, Storage, Tensor};

/// Sum with eight independent accumulators: vectorizes, and rounds less than a running sum.
pub fn fast_sum<T: Float>(v: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for &x in rest {
        s += x;
    }
    s
}

/// [`fast_sum`] for small inputs; for large ones, partial sums over fixed chunks (in parallel)
/// added in order, so the result does not depend on the thread count.
pub fn chunked_sum<T: Float>(v: &[T]) -> T {
    if v.len() < crate::parallel::PARALLEL_MIN {
        return fast_sum(v);
    }
    let chunks: Vec<&[T]> = v.chunks(crate::parallel::CHUNK).collect();
    let mut partial = crate::memory::full(chunks.len(), T::zero());
    crate::parallel::for_each_chunk_mut(&mut partial, 1, true, |i, p| p[0] = fast_sum(chunks[i]));
    partial.into_iter().fold(T::zero(), |a, b| a + b)
}

fn sum_dim_kernel<T: Float>(v: &[T], outer: usize, size: usize, inner: usize, scale: T) -> Vec<T> {
    let mut out = crate::memory::full(outer * inner, T::zero());
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for k in 0..size {
            let src = &v[(o * size + k) * inner..(o * size + k + 1) * inner];
            for (d, &s) in dst.iter_mut().zip(src) {
                *d += s;
            }
        }
        for d in dst.iter_mut() {
            *d *= scale;
        }
    }
    out
}

fn reduced_shape(shape: &[usize], dim: usize, keepdim: bool) -> Vec<usize> {
    let mut s = shape.to_vec();
    if s.is_empty() {
        return s;
    }
    if keepdim {
        s[dim] = 1;
    } else {
        s.remove(dim);
    }
    s
}

impl Tensor {
    /// Sum of all elements as a 0-dim tensor, like `tensor.sum()`.
    pub fn sum(&self) -> Tensor {
        let s = self.float_storage();
        let out = float_map!(&*s, |v| vec![chunked_sum(v)]);
        Tensor::from_op(out, vec![], &[self], |_| SumBackward {
            shape: self.shape().to_vec(),
            mean: false,
        })
    }

    /// Mean of all elements as a 0-dim tensor, like `tensor.mean()`.
    pub fn mean(&self) -> Tensor {
        let s = self.float_storage();
        let n = self.numel();
        let out = float_map!(&*s, |v| vec![chunked_sum(v) / E::c(n as f64)]);
        Tensor::from_op(out, vec![], &[self], |_| SumBackward {
            shape: self.shape().to_vec(),
            mean: true,
        })
    }

    /// Sum over `dim`, like `tensor.sum(dim, keepdim)`.
    ///
    /// # Errors
    /// When `dim` is out of range.
    pub fn sum_dim(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        self.reduce_dim("sum", dim, keepdim, false)
    }

    /// Mean over `dim`, like `tensor.mean(dim, keepdim)`.
    ///
    /// # Errors
    /// When `dim` is out of range.
    pub fn mean_dim(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        self.reduce_dim("mean", dim, keepdim, true)
    }

    fn reduce_dim(
        &self,
        op: &'static str,
        dim: isize,
        keepdim: bool,
        mean: bool,
    ) -> Result<Tensor> {
        let d = normalize_dim(op, dim, self.dim())?;
        let (outer, size, inner) = split_at_dim(self.shape(), d);
        let s = self.float_storage();
        let scale = if mean { 1.0 / size as f64 } else { 1.0 };
        let out = float_map!(&*s, |v| sum_dim_kernel(v, outer, size, inner, E::c(scale)));
        let shape = reduced_shape(self.shape(), d, keepdim);
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, shape, &[self], |_| SumDimBackward {
                shape: self.shape().to_vec(),
                dim: d,
                scale,
            }),
            || {
                vec![
                    ("axis", Attr::Int(d as i64)),
                    ("keepdim", Attr::Int(keepdim as i64)),
                ]
            },
        ))
    }

    /// Maximum over `dim` and the index of its first occurrence, like `torch.max(x, dim)`.
    /// The gradient flows to that index.
    ///
    /// # Errors
    /// When `dim` is out of range or the dim is empty.
    pub fn max_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("max", dim, keepdim, true)
    }

    /// Minimum over `dim` and its index, like `torch.min(x, dim)`.
    ///
    /// # Errors
    /// When `dim` is out of range or the dim is empty.
    pub fn min_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("min", dim, keepdim, false)
    }

    /// Index of the maximum over `dim` as `i64`, like `torch.argmax`.
    ///
    /// # Errors
    /// When `dim` is out of range or the dim is empty.
    pub fn argmax(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        Ok(self.extreme_dim("argmax", dim, keepdim, true)?.1)
    }

    /// Largest element as a 0-dim tensor, like `tensor.max()`.
    ///
    /// # Errors
    /// When the tensor is empty.
    pub fn max(&self) -> Result<Tensor> {
        Ok(self.reshape([-1])?.max_dim(0, false)?.0)
    }

    /// Smallest element as a 0-dim tensor, like `tensor.min()`.
    ///
    /// # Errors
    /// When the tensor is empty.
    pub fn min(&self) -> Result<Tensor> {
        Ok(self.reshape([-1])?.min_dim(0, false)?.0)
    }

    fn extreme_dim(
        &self,
        op: &'static str,
        dim: isize,
        keepdim: bool,
        max: bool,
    ) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(op, dim, self.dim())?;
        let (outer, size, inner) = split_at_dim(self.shape(), d);
        if size == 0 {
            return Err(crate::Error::invalid(
                op,
                "a non-empty dim",
                format!("shape {:?}", self.shape()),
            ));
        }
        let s = self.float_storage();
        let mut idx = vec![0i64; outer * inner];
        let vals = float_map!(&*s, |v| {
            let mut out = Vec::with_capacity(outer * inner);
            for o in 0..outer {
                for i in 0..inner {
                    let mut best = v[o * size * inner + i];
                    let mut bi = 0;
                    for k in 1..size {
                        let x = v[(o * size + k) * inner + i];
                        // NaN wins, as in PyTorch
                        let better = if max { x > best } else { x < best };
                        if (better || x.is_nan()) && !best.is_nan() {
                            best = x;
                            bi = k;
                        }
                    }
                    idx[o * inner + i] = bi as i64;
                    out.push(best);
                }
            }
            out
        });
        let shape = reduced_shape(self.shape(), d, keepdim);
        let indices = Tensor::leaf(Storage::I64(idx.clone()), shape.clone());
        let values = Tensor::from_op(vals, shape, &[self], |_| MaxDimBackward {
            shape: self.shape().to_vec(),
            dim: d,
            idx,
        });
        Ok((values, indices))
    }
}

struct SumBackward {
    shape: Vec<usize>,
    mean: bool,
}

impl Backward for SumBackward {
    fn name(&self) -> &'static str {
        if self.mean {
            "MeanBackward0"
        } else {
            "SumBackward0"
        }
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let gv = match g {
            Grad::Uniform { value, .. } => *value,
            Grad::Dense(g) => g.item()?,
        };
        let v = if self.mean {
            gv / numel(&self.shape) as f64
        } else {
            gv
        };
        // the same value everywhere: later backwards fill it out only if they need to
        Ok(vec![Some(Grad::uniform(v, &self.shape, g.dtype()))])
    }
}

struct SumDimBackward {
    shape: Vec<usize>,
    dim: usize,
    scale: f64,
}

impl Backward for SumDimBackward {
    fn name(&self) -> &'static str {
        if self.scale == 1.0 {
            "SumBackward1"
        } else {
            "MeanBackward1"
        }
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let keep = reduced_shape(&self.shape, self.dim, true);
        let g = g.to_dense().reshape(keep.as_slice())?;
        let g = if self.scale == 1.0 {
            g
        } else {
            g.mul_scalar(self.scale)
        };
        Ok(vec![Some(g.expand(&self.shape)?.into())])
    }
}

struct MaxDimBackward {
    shape: Vec<usize>,
    dim: usize,
    idx: Vec<i64>,
}

impl Backward for MaxDimBackward {
    fn name(&self) -> &'static str {
        "MaxBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let (outer, size, inner) = split_at_dim(&self.shape, self.dim);
        let gs = g.to_dense().storage();
        let n = numel(&self.shape);
        let out = float_map!(&*gs, |gv| {
            let mut out = crate::memory::full(n, Default::default());
            for o in 0..outer {
                for j in 0..inner {
                    let k = self.idx[o * inner + j] as usize;
                    out[(o * size + k) * inner + j] = gv[o * inner + j];
                }
            }
            out
        });
        Ok(vec![Some(Tensor::leaf(out, self.shape.clone()).into())])
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn sum_and_mean_over_dims() {
        let x = Tensor::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).unwrap();
        assert_eq!(
            x.sum_dim(0, false).unwrap().to_vec::<f32>(),
            vec![5.0, 7.0, 9.0]
        );
        assert_eq!(x.mean_dim(-1, true).unwrap().shape(), &[2, 1]);
        assert_eq!(x.mean().item().unwrap(), 3.5);
        assert!(x.sum_dim(2, false).is_err());
    }

    #[test]
    fn max_returns_values_indices_and_routes_the_gradient() {
        let x = Tensor::new([[1.0, 5.0, 3.0], [7.0, 2.0, 7.0]])
            .unwrap()
            .requires_grad_(true);
        let (v, i) = x.max_dim(1, false).unwrap();
        assert_eq!(v.to_vec::<f32>(), vec![5.0, 7.0]);
        assert_eq!(i.to_vec::<i64>(), vec![1, 0]);
        v.sum().backward().unwrap();
        assert_eq!(
            x.grad().unwrap().to_vec::<f32>(),
            vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
        );
    }
}
