//! `cat` and `stack`: joining tensors along a dim.

use crate::autograd::{Backward, Grad};
use crate::shape::{normalize_dim, split_at_dim};
use crate::trace::Attr;
use crate::{Error, Result, Storage, Tensor};

impl Tensor {
    /// Concatenates along an existing `dim`, like `torch.cat(tensors, dim)`.
    ///
    /// # Errors
    /// When the list is empty, ranks or other dims differ, or dtypes differ.
    pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::invalid("cat", "a non-empty list of tensors", "an empty list"))?;
        let r = first.dim();
        let d = normalize_dim("cat", dim, r)?;
        for t in &tensors[1..] {
            let same_other_dims =
                t.dim() == r && (0..r).all(|i| i == d || t.shape()[i] == first.shape()[i]);
            if !same_other_dims {
                return Err(Error::ShapeMismatch {
                    op: "cat",
                    lhs: first.shape().to_vec(),
                    rhs: t.shape().to_vec(),
                });
            }
            if t.dtype() != first.dtype() {
                return Err(Error::DTypeMismatch {
                    op: "cat",
                    expected: first.dtype(),
                    got: t.dtype(),
                });
            }
        }
        if r == 0 {
            return Err(Error::invalid(
                "cat",
                "tensors with at least 1 dim",
                "0-dim tensors",
            ));
        }
        let (outer, _, inner) = split_at_dim(first.shape(), d);
        let storages: Vec<_> = tensors.iter().map(|t| t.storage()).collect();
        let sizes: Vec<usize> = tensors.iter().map(|t| t.shape()[d]).collect();
        macro_rules! join {
            ($w:ident) => {{
                let mut v = Vec::with_capacity(outer * inner * sizes.iter().sum::<usize>());
                for o in 0..outer {
                    for (s, &n) in storages.iter().zip(&sizes) {
                        let Storage::$w(src) = &**s else {
                            unreachable!()
                        };
                        v.extend_from_slice(&src[o * n * inner..(o + 1) * n * inner]);
                    }
                }
                Storage::$w(v)
            }};
        }
        let out = match first.dtype() {
            crate::DType::F32 => join!(F32),
            crate::DType::F64 => join!(F64),
            crate::DType::I64 => join!(I64),
            crate::DType::Bool => join!(Bool),
        };
        let mut shape = first.shape().to_vec();
        shape[d] = sizes.iter().sum();
        let refs: Vec<&Tensor> = tensors.iter().collect();
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, shape, &refs, |_| CatBackward { dim: d, sizes }),
            || vec![("axis", Attr::Int(d as i64))],
        ))
    }

    /// Stacks along a new `dim`, like `torch.stack(tensors, dim)`.
    ///
    /// # Errors
    /// When the list is empty or the shapes differ.
    pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| {
            Error::invalid("stack", "a non-empty list of tensors", "an empty list")
        })?;
        for t in tensors {
            if t.shape() != first.shape() {
                return Err(Error::ShapeMismatch {
                    op: "stack",
                    lhs: first.shape().to_vec(),
                    rhs: t.shape().to_vec(),
                });
            }
        }
        let d = normalize_dim("stack", dim, first.dim() + 1)? as isize;
        let us: Vec<Tensor> = tensors
            .iter()
            .map(|t| t.unsqueeze(d))
            .collect::<Result<_>>()?;
        Tensor::cat(&us, d)
    }
}

struct CatBackward {
    dim: usize,
    sizes: Vec<usize>,
}

impl Backward for CatBackward {
    fn name(&self) -> &'static str {
        "CatBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let g = g.to_dense();
        let mut start = 0;
        let mut out = Vec::with_capacity(self.sizes.len());
        for &n in &self.sizes {
            out.push(Some(g.narrow(self.dim as isize, start, n)?.into()));
            start += n;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn cat_and_stack_join_along_dims() {
        let a = Tensor::new([[1.0], [2.0]]).unwrap();
        let b = Tensor::new([[3.0, 4.0], [5.0, 6.0]]).unwrap();
        let c = Tensor::cat(&[a.clone(), b], 1).unwrap();
        assert_eq!(c.to_vec::<f32>(), vec![1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
        assert_eq!(
            Tensor::stack(&[a.clone(), a], 0).unwrap().shape(),
            &[2, 2, 1]
        );
        assert!(Tensor::cat(&[], 0)
            .unwrap_err()
            .to_string()
            .contains("empty list"));
    }
}
