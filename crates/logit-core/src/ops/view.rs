//! Shape changes: reshape/view/flatten/unsqueeze/squeeze share the data (no copy);
//! transpose/t/permute and narrow copy into a new contiguous buffer.

use crate::autograd::{Backward, Grad};
use crate::shape::{normalize_dim, numel, strides};
use crate::trace::Attr;
use crate::{Error, Result, Storage, Tensor};

/// A shape argument: `[2, 3]`, `[-1, 4]` (one `-1` is inferred), `&[usize]` or `Vec<usize>`.
pub trait IntoShape {
    /// The dims, with `-1` for an inferred one.
    fn dims(self) -> Vec<isize>;
}
impl IntoShape for &[usize] {
    fn dims(self) -> Vec<isize> {
        self.iter().map(|&d| d as isize).collect()
    }
}
impl IntoShape for Vec<usize> {
    fn dims(self) -> Vec<isize> {
        self.as_slice().dims()
    }
}
impl IntoShape for &Vec<usize> {
    fn dims(self) -> Vec<isize> {
        self.as_slice().dims()
    }
}
impl<const N: usize> IntoShape for [usize; N] {
    fn dims(self) -> Vec<isize> {
        self.as_slice().dims()
    }
}
impl IntoShape for &[isize] {
    fn dims(self) -> Vec<isize> {
        self.to_vec()
    }
}
impl<const N: usize> IntoShape for [isize; N] {
    fn dims(self) -> Vec<isize> {
        self.to_vec()
    }
}
impl<const N: usize> IntoShape for [i32; N] {
    fn dims(self) -> Vec<isize> {
        self.iter().map(|&d| d as isize).collect()
    }
}

impl Tensor {
    /// The same data under a new shape (one dim may be `-1`), like `tensor.reshape(...)`.
    /// Costs no copy.
    ///
    /// # Errors
    /// When the element count differs, more than one dim is `-1`, or a dim is negative.
    pub fn reshape(&self, shape: impl IntoShape) -> Result<Tensor> {
        let dims = shape.dims();
        let bad = || {
            Error::invalid(
                "reshape",
                format!("a shape with {} elements", self.numel()),
                format!("{dims:?} for a tensor of shape {:?}", self.shape()),
            )
        };
        let known: usize = dims
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .product();
        let inferred = dims.iter().filter(|&&d| d == -1).count();
        if inferred > 1 || dims.iter().any(|&d| d < -1) {
            return Err(bad());
        }
        let new: Vec<usize> = if inferred == 1 {
            if known == 0 || !self.numel().is_multiple_of(known) {
                return Err(bad());
            }
            dims.iter()
                .map(|&d| {
                    if d == -1 {
                        self.numel() / known
                    } else {
                        d as usize
                    }
                })
                .collect()
        } else {
            dims.iter().map(|&d| d as usize).collect()
        };
        if numel(&new) != self.numel() {
            return Err(bad());
        }
        if new == self.shape() {
            return Ok(self.clone());
        }
        Ok(Tensor::from_op_arc(self.storage(), new, &[self], |_| {
            ReshapeBackward {
                shape: self.shape().to_vec(),
            }
        }))
    }

    /// Alias of [`Tensor::reshape`], like `tensor.view(...)`.
    ///
    /// # Errors
    /// As [`Tensor::reshape`].
    pub fn view(&self, shape: impl IntoShape) -> Result<Tensor> {
        self.reshape(shape)
    }

    /// Flattens dims `start..=end` into one, like `torch.flatten(x, start, end)`.
    ///
    /// # Errors
    /// When a dim is out of range or `start > end`.
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        let r = self.dim();
        let (s, e) = (
            normalize_dim("flatten", start, r)?,
            normalize_dim("flatten", end, r)?,
        );
        if r == 0 {
            return self.reshape([1usize]);
        }
        if s > e {
            return Err(Error::invalid(
                "flatten",
                "start_dim <= end_dim",
                format!("{start} > {end}"),
            ));
        }
        let sh = self.shape();
        let mut new = sh[..s].to_vec();
        new.push(numel(&sh[s..=e]));
        new.extend_from_slice(&sh[e + 1..]);
        self.reshape(new)
    }

    /// Inserts a dim of size 1 at `dim`, like `tensor.unsqueeze(dim)`.
    ///
    /// # Errors
    /// When `dim` is outside `-(rank+1)..=rank`.
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        let d = normalize_dim("unsqueeze", dim, self.dim() + 1)?;
        let mut new = self.shape().to_vec();
        new.insert(d, 1);
        self.reshape(new)
    }

    /// Removes `dim` if its size is 1 (otherwise returns the tensor unchanged), like
    /// `tensor.squeeze(dim)`.
    ///
    /// # Errors
    /// When `dim` is out of range.
    pub fn squeeze(&self, dim: isize) -> Result<Tensor> {
        if self.dim() == 0 {
            return Ok(self.clone());
        }
        let d = normalize_dim("squeeze", dim, self.dim())?;
        if self.shape()[d] != 1 {
            return Ok(self.clone());
        }
        let mut new = self.shape().to_vec();
        new.remove(d);
        self.reshape(new)
    }

    /// Reorders the dims, like `tensor.permute(dims)` (a copy here, since data is contiguous).
    ///
    /// # Errors
    /// When `dims` is not a permutation of `0..rank`.
    pub fn permute(&self, dims: &[usize]) -> Result<Tensor> {
        let r = self.dim();
        let mut seen = vec![false; r];
        if dims.len() != r
            || dims
                .iter()
                .any(|&d| d >= r || std::mem::replace(&mut seen[d], true))
        {
            return Err(Error::invalid(
                "permute",
                format!("a permutation of 0..{r}"),
                format!("{dims:?}"),
            ));
        }
        let out = permute_storage(&self.storage(), self.shape(), dims);
        let shape: Vec<usize> = dims.iter().map(|&d| self.shape()[d]).collect();
        let mut inverse = vec![0; r];
        for (i, &d) in dims.iter().enumerate() {
            inverse[d] = i;
        }
        Ok(crate::trace::with_attrs(
            Tensor::from_op(out, shape, &[self], |_| PermuteBackward { inverse }),
            || vec![("perm", Attr::Ints(dims.iter().map(|&d| d as i64).collect()))],
        ))
    }

    /// Swaps two dims, like `tensor.transpose(d0, d1)`.
    ///
    /// # Errors
    /// When a dim is out of range.
    pub fn transpose(&self, d0: isize, d1: isize) -> Result<Tensor> {
        let r = self.dim();
        if r < 2 {
            return Ok(self.clone());
        }
        let (a, b) = (
            normalize_dim("transpose", d0, r)?,
            normalize_dim("transpose", d1, r)?,
        );
        let mut dims: Vec<usize> = (0..r).collect();
        dims.swap(a, b);
        self.permute(&dims)
    }

    /// Transpose of a tensor with at most 2 dims, like `tensor.t()`.
    ///
    /// # Errors
    /// When the tensor has more than 2 dims.
    pub fn t(&self) -> Result<Tensor> {
        if self.dim() > 2 {
            return Err(Error::invalid(
                "t",
                "a tensor with at most 2 dims",
                format!("shape {:?}", self.shape()),
            ));
        }
        self.transpose(0, 1)
    }

    /// `len` entries of `dim` starting at `start`, like `tensor.narrow(dim, start, len)`.
    ///
    /// # Errors
    /// When `dim` is out of range or `start + len` exceeds the dim.
    pub fn narrow(&self, dim: isize, start: usize, len: usize) -> Result<Tensor> {
        let d = normalize_dim("narrow", dim, self.dim())?;
        let size = self.shape().get(d).copied().unwrap_or(1);
        if start + len > size {
            return Err(Error::invalid(
                "narrow",
                format!("start + length <= {size} (size of dim {d})"),
                format!("start {start}, length {len}"),
            ));
        }
        let (outer, _, inner) = crate::shape::split_at_dim(self.shape(), d);
        let s = self.storage();
        let out = s.gather((0..outer).map(|o| ((o * size + start) * inner, len * inner)));
        let mut shape = self.shape().to_vec();
        if !shape.is_empty() {
            shape[d] = len;
        }
        Ok(Tensor::from_op(out, shape, &[self], |_| NarrowBackward {
            shape: self.shape().to_vec(),
            dim: d,
            start,
        }))
    }
}

fn permute_storage(s: &Storage, shape: &[usize], dims: &[usize]) -> Storage {
    let st = strides(shape);
    let new_shape: Vec<usize> = dims.iter().map(|&d| shape[d]).collect();
    let src: Vec<usize> = dims.iter().map(|&d| st[d]).collect();
    let zeros = vec![0; shape.len()];
    let mut idx = Vec::with_capacity(s.len());
    crate::shape::for_each_broadcast(&new_shape, &src, &zeros, |_, i, _| idx.push(i));
    macro_rules! p {
        ($v:expr, $w:ident) => {
            Storage::$w(idx.iter().map(|&i| $v[i]).collect())
        };
    }
    match s {
        Storage::F32(v) => p!(v, F32),
        Storage::F64(v) => p!(v, F64),
        Storage::I64(v) => p!(v, I64),
        Storage::Bool(v) => p!(v, Bool),
    }
}

struct ReshapeBackward {
    shape: Vec<usize>,
}

impl Backward for ReshapeBackward {
    fn name(&self) -> &'static str {
        "ViewBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(match g {
            Grad::Dense(g) => g.reshape(&self.shape)?.into(),
            Grad::Uniform { value, dtype, .. } => Grad::uniform(*value, &self.shape, *dtype),
        })])
    }
}

struct PermuteBackward {
    inverse: Vec<usize>,
}

impl Backward for PermuteBackward {
    fn name(&self) -> &'static str {
        "PermuteBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(g.to_dense().permute(&self.inverse)?.into())])
    }
}

struct NarrowBackward {
    shape: Vec<usize>,
    dim: usize,
    start: usize,
}

impl Backward for NarrowBackward {
    fn name(&self) -> &'static str {
        "SliceBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let g = g.to_dense();
        let size = self.shape[self.dim];
        let len = g.shape()[self.dim];
        let mut parts = Vec::new();
        let zeros = |n: usize| {
            let mut s = self.shape.clone();
            s[self.dim] = n;
            Tensor::zeros_dtype(&s, g.dtype())
        };
        if self.start > 0 {
            parts.push(zeros(self.start));
        }
        parts.push(g.clone());
        if self.start + len < size {
            parts.push(zeros(size - self.start - len));
        }
        Ok(vec![Some(Tensor::cat(&parts, self.dim as isize)?.into())])
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn reshape_infers_minus_one_and_rejects_bad_counts() {
        let x = Tensor::zeros(&[3, 4]);
        assert_eq!(x.reshape([2, -1]).unwrap().shape(), &[2, 6]);
        let e = x.reshape([5, 2]).unwrap_err().to_string();
        assert!(e.contains("12 elements") && e.contains("[5, 2]"), "{e}");
    }

    #[test]
    fn transpose_moves_elements() {
        let x = Tensor::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).unwrap();
        assert_eq!(
            x.t().unwrap().to_vec::<f32>(),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
        assert_eq!(
            x.narrow(1, 1, 2).unwrap().to_vec::<f32>(),
            vec![2.0, 3.0, 5.0, 6.0]
        );
    }
}
