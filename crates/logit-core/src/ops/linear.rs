//! `linear(x, W, b) = x·Wᵀ + b` as one op: no transpose copy, bias added in the same pass,
//! and a backward of two GEMMs and a column sum.

use super::gemm::gemm;
use crate::autograd::{Backward, Grad, SavedTensor};
use crate::{float_zip, with_float, Error, Float, Result, Storage, Tensor};

fn forward<T: Float>(
    x: &[T],
    w: &[T],
    b: Option<&[T]>,
    rows: usize,
    fin: usize,
    fout: usize,
) -> Vec<T> {
    // the bias rows or the GEMM (β = 0) write every element
    let mut out = crate::memory::scratch(rows * fout);
    if let Some(b) = b {
        for r in out.chunks_exact_mut(fout) {
            r.copy_from_slice(b);
        }
    }
    gemm(
        (rows, fin, fout),
        x,
        (fin, 1),
        w,
        (1, fin),
        &mut out,
        (fout, 1),
        b.is_some(),
    );
    out
}

type Grads<T> = (Option<Vec<T>>, Option<Vec<T>>, Option<Vec<T>>);

fn backward<T: Float>(
    x: &[T],
    w: &[T],
    g: &[T],
    (rows, fin, fout): (usize, usize, usize),
    need: (bool, bool, bool),
) -> Grads<T> {
    let gx = need.0.then(|| {
        // the GEMM (β = 0) writes every element
        let mut gx = crate::memory::scratch(rows * fin);
        gemm(
            (rows, fout, fin),
            g,
            (fout, 1),
            w,
            (fin, 1),
            &mut gx,
            (fin, 1),
            false,
        );
        gx
    });
    let gw = need.1.then(|| {
        let mut gw = crate::memory::scratch(fout * fin);
        gemm(
            (fout, rows, fin),
            g,
            (1, fout),
            x,
            (fin, 1),
            &mut gw,
            (fin, 1),
            false,
        );
        gw
    });
    let gb = need.2.then(|| {
        let mut gb = crate::memory::full(fout, T::zero());
        for r in g.chunks_exact(fout) {
            for (a, &v) in gb.iter_mut().zip(r) {
                *a += v;
            }
        }
        gb
    });
    (gx, gw, gb)
}

impl Tensor {
    /// `x·Wᵀ + b` over the last dim, like `F.linear(x, weight, bias)`: `x` is `[*, in]`, the
    /// weight `[out, in]` (PyTorch's layout), the bias `[out]`.
    ///
    /// # Errors
    /// When the shapes do not fit (`x`'s last dim must equal the weight's second) or the dtypes
    /// differ.
    pub fn linear(&self, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
        let (xs, ws) = (self.shape(), weight.shape());
        if ws.len() != 2 || xs.is_empty() || xs[xs.len() - 1] != ws[1] {
            return Err(Error::ShapeMismatch {
                op: "linear (input [*, in] with weight [out, in])",
                lhs: xs.to_vec(),
                rhs: ws.to_vec(),
            });
        }
        let (fout, fin) = (ws[0], ws[1]);
        if let Some(b) = bias {
            if b.shape() != [fout] {
                return Err(Error::ShapeMismatch {
                    op: "linear (bias [out])",
                    lhs: ws.to_vec(),
                    rhs: b.shape().to_vec(),
                });
            }
        }
        let rows = self.numel() / fin.max(1);
        let (sx, sw) = super::promote("linear", self, weight)?;
        let sb = bias.map(|b| b.storage());
        if let Some(b) = sb.as_deref().filter(|b| b.dtype() != sw.dtype()) {
            return Err(Error::DTypeMismatch {
                op: "linear (bias)",
                expected: sw.dtype(),
                got: b.dtype(),
            });
        }
        let out = float_zip!(&*sx, &*sw, |x, w| {
            let b = sb.as_deref().map(Storage::as_float::<E>);
            forward(x, w, b, rows, fin, fout)
        });
        let mut shape = xs.to_vec();
        *shape.last_mut().expect("non-empty") = fout;
        let dims = (rows, fin, fout);
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Ok(Tensor::from_op(out, shape, &inputs, |_| LinearBackward {
            x: self.save_for_backward(),
            w: weight.save_for_backward(),
            dims,
        }))
    }
}

/// Saves `x` and `w`: `dx = g·w` and `dw = gᵀ·x`; `db = Σg` needs nothing.
struct LinearBackward {
    x: SavedTensor,
    w: SavedTensor,
    dims: (usize, usize, usize),
}

impl Backward for LinearBackward {
    fn name(&self) -> &'static str {
        "AddmmBackward0"
    }
    fn backward(&self, g: &Grad, needs: &[bool]) -> Result<Vec<Option<Grad>>> {
        let need = (needs[0], needs[1], needs.get(2) == Some(&true));
        let (sx, sw) = super::promote("linear", &self.x, &self.w)?;
        let gs = g.to_dense().storage();
        let (gx, gw, gb) = with_float!(sx.dtype(), |E| {
            let (x, w, g) = (sx.as_float::<E>(), sw.as_float::<E>(), gs.as_float::<E>());
            let (a, b, c) = backward(x, w, g, self.dims, need);
            (a.map(E::wrap), b.map(E::wrap), c.map(E::wrap))
        });
        let wrap = |s: Option<Storage>, shape: &[usize]| {
            s.map(|s| Grad::from(Tensor::leaf(s, shape.to_vec())))
        };
        let mut out = vec![wrap(gx, self.x.shape()), wrap(gw, self.w.shape())];
        if needs.len() == 3 {
            out.push(wrap(gb, &[self.dims.2]));
        }
        Ok(out)
    }
}
