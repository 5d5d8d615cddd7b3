//! `index_select`: picking entries (e.g. a batch of rows) along a dim by index.

use crate::autograd::{Backward, Grad};
use crate::shape::{normalize_dim, split_at_dim};
use crate::{float_map, DType, Error, Result, Storage, Tensor};

impl Tensor {
    /// The entries of `dim` at `indices` (a 1-D `i64` tensor), like
    /// `torch.index_select(x, dim, indices)`. `x.index_select(0, &rows)` takes a batch of rows.
    ///
    /// # Errors
    /// When `indices` is not a 1-D integer tensor or an index is out of range.
    pub fn index_select(&self, dim: isize, indices: &Tensor) -> Result<Tensor> {
        if indices.dtype() != DType::I64 || indices.dim() != 1 {
            return Err(Error::invalid(
                "index_select",
                "indices as a 1-D int64 tensor",
                format!("{:?} of shape {:?}", indices.dtype(), indices.shape()),
            ));
        }
        let idx = indices.to_vec::<i64>();
        let d = normalize_dim("index_select", dim, self.dim())?;
        let (outer, size, inner) = split_at_dim(self.shape(), d);
        if let Some(&bad) = idx.iter().find(|&&i| i < 0 || i as usize >= size) {
            return Err(Error::invalid(
                "index_select",
                format!("indices in 0..{size}"),
                format!("index {bad}"),
            ));
        }
        let s = self.storage();
        let out = s.gather((0..outer).flat_map(|o| {
            idx.iter()
                .map(move |&i| ((o * size + i as usize) * inner, inner))
        }));
        let mut shape = self.shape().to_vec();
        if !shape.is_empty() {
            shape[d] = idx.len();
        }
        let idx: Vec<usize> = idx.into_iter().map(|i| i as usize).collect();
        Ok(Tensor::from_op(out, shape, &[self], |_| {
            IndexSelectBackward {
                shape: self.shape().to_vec(),
                dim: d,
                idx,
            }
        }))
    }
}

struct IndexSelectBackward {
    shape: Vec<usize>,
    dim: usize,
    idx: Vec<usize>,
}

impl Backward for IndexSelectBackward {
    fn name(&self) -> &'static str {
        "IndexSelectBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let (outer, size, inner) = split_at_dim(&self.shape, self.dim);
        let n = self.idx.len();
        let gs = g.to_dense().storage();
        let numel = crate::shape::numel(&self.shape);
        // index_add: repeated indices accumulate
        let out: Storage = float_map!(&*gs, |gv| {
            let mut out = crate::memory::full(numel, Default::default());
            for o in 0..outer {
                for (k, &ix) in self.idx.iter().enumerate() {
                    let src = &gv[(o * n + k) * inner..(o * n + k + 1) * inner];
                    let dst = &mut out[(o * size + ix) * inner..(o * size + ix + 1) * inner];
                    for (d, &s) in dst.iter_mut().zip(src) {
                        *d += s;
                    }
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
    fn selected_rows_and_repeated_index_gradients() {
        let x = Tensor::new([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
            .unwrap()
            .requires_grad_(true);
        let idx = Tensor::new([2i64, 0, 2]).unwrap();
        let y = x.index_select(0, &idx).unwrap();
        assert_eq!(y.to_vec::<f32>(), vec![5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
        y.sum().backward().unwrap();
        assert_eq!(
            x.grad().unwrap().to_vec::<f32>(),
            vec![1.0, 1.0, 0.0, 0.0, 2.0, 2.0]
        );
        assert!(x.index_select(0, &Tensor::new([3i64]).unwrap()).is_err());
    }
}
