//! Shape arithmetic: broadcasting, dim normalisation and the un-broadcast (`sum_to`) that every
//! binary backward needs.

use crate::{Error, Result};

/// Number of elements of a shape (1 for a scalar).
///
/// # Panics
/// When the count overflows or could not be allocated (see [`checked_numel`]), with a message
/// naming the shape: the infallible constructors (`Tensor::zeros`, `Tensor::randn`) panic
/// clearly instead of wrapping to an empty tensor. Their `try_` forms return the error.
pub fn numel(shape: &[usize]) -> usize {
    match checked_numel("shape", shape) {
        Ok(n) => n,
        Err(_) => panic!(
            "shape {shape:?}: the element count does not fit in memory (a constructor that \
             returns Result, such as Tensor::try_full_dtype, reports this as an error)"
        ),
    }
}

/// Number of elements of a shape, or an error when it overflows or could not be allocated
/// (more than `isize::MAX` bytes of 8-byte elements): `[1 << 62, 4]` is refused, not wrapped
/// to 0.
///
/// # Errors
/// When the element count overflows.
pub fn checked_numel(op: &'static str, shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= isize::MAX as usize / 8)
        .ok_or_else(|| {
            Error::invalid(
                op,
                "a shape whose element count fits in memory",
                format!("{shape:?}"),
            )
        })
}

/// Row-major strides of a contiguous tensor.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The shape two operands broadcast to, under NumPy/PyTorch rules.
///
/// ```
/// use logit_core::shape::broadcast_shapes;
/// assert_eq!(broadcast_shapes("add", &[4, 1], &[3]).unwrap(), vec![4, 3]);
/// assert!(broadcast_shapes("add", &[4, 2], &[3]).is_err());
/// ```
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    if a == b {
        return Ok(a.to_vec());
    }
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::ShapeMismatch {
                op,
                lhs: a.to_vec(),
                rhs: b.to_vec(),
            });
        };
    }
    Ok(out)
}

/// Turns a possibly negative dim into an index in `0..rank`.
pub fn normalize_dim(op: &'static str, dim: isize, rank: usize) -> Result<usize> {
    // a scalar accepts dim 0 and -1, as in PyTorch
    let r = rank.max(1) as isize;
    let d = if dim < 0 { dim + r } else { dim };
    if d < 0 || d >= r {
        return Err(Error::DimOutOfRange { op, dim, rank });
    }
    Ok(d as usize)
}

/// Strides for reading a tensor of `shape` as if it had `out_shape` (0 on broadcast dims).
pub(crate) fn broadcast_strides(shape: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let off = out_shape.len() - shape.len();
    let st = strides(shape);
    (0..out_shape.len())
        .map(|i| {
            if i < off || shape[i - off] == 1 {
                0
            } else {
                st[i - off]
            }
        })
        .collect()
}

/// Calls `f(out_index, a_index, b_index)` for every element of `out_shape`, innermost dim
/// fastest. Written as an odometer over the outer dims and a tight inner loop, so the common
/// `[N, C] op [C]` case costs no index arithmetic per element.
pub(crate) fn for_each_broadcast(
    out_shape: &[usize],
    sa: &[usize],
    sb: &[usize],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = numel(out_shape);
    if n == 0 {
        return;
    }
    let rank = out_shape.len();
    if rank == 0 {
        f(0, 0, 0);
        return;
    }
    let inner = out_shape[rank - 1];
    let (ia, ib) = (sa[rank - 1], sb[rank - 1]);
    let mut idx = vec![0usize; rank];
    let (mut oa, mut ob) = (0usize, 0usize);
    let mut o = 0;
    while o < n {
        for j in 0..inner {
            f(o + j, oa + j * ia, ob + j * ib);
        }
        o += inner;
        // advance the odometer over dims 0..rank-1
        let mut d = rank - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            oa += sa[d];
            ob += sb[d];
            if idx[d] < out_shape[d] {
                break;
            }
            oa -= sa[d] * idx[d];
            ob -= sb[d] * idx[d];
            idx[d] = 0;
        }
    }
}

/// Splits `shape` around `dim` into `(outer, size, inner)` element counts.
pub(crate) fn split_at_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    if shape.is_empty() {
        return (1, 1, 1);
    }
    (numel(&shape[..dim]), shape[dim], numel(&shape[dim + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_follows_numpy_rules() {
        assert_eq!(
            broadcast_shapes("t", &[2, 1, 4], &[3, 1]).unwrap(),
            vec![2, 3, 4]
        );
        assert_eq!(broadcast_shapes("t", &[], &[3]).unwrap(), vec![3]);
        let e = broadcast_shapes("add", &[4, 3], &[4])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "add: shapes [4, 3] and [4] are not compatible");
    }

    #[test]
    fn negative_dims_count_from_the_end() {
        assert_eq!(normalize_dim("t", -1, 3).unwrap(), 2);
        assert!(normalize_dim("t", 3, 3).is_err());
        assert!(normalize_dim("t", -4, 3).is_err());
    }

    #[test]
    fn odometer_visits_every_pair() {
        let out = [2, 3];
        let sa = broadcast_strides(&[2, 1], &out);
        let sb = broadcast_strides(&[3], &out);
        let mut seen = vec![];
        for_each_broadcast(&out, &sa, &sb, |o, a, b| seen.push((o, a, b)));
        assert_eq!(
            seen,
            vec![
                (0, 0, 0),
                (1, 0, 1),
                (2, 0, 2),
                (3, 1, 0),
                (4, 1, 1),
                (5, 1, 2)
            ]
        );
    }
}
