//! Matrix products: `matmul` (1-D, 2-D and batched with broadcasting batch dims) on one GEMM
//! helper that takes strides, so transposes in backward cost no copy.

use super::gemm::gemm;
use crate::autograd::{Backward, Grad, SavedTensor};
use crate::shape::{broadcast_shapes, broadcast_strides, for_each_broadcast, numel};
use crate::{Error, Float, Result, Storage, Tensor};

/// Shapes and batch offsets of one batched product `[..., m, k] @ [..., k, n]`.
struct Plan {
    m: usize,
    k: usize,
    n: usize,
    out_shape: Vec<usize>,
    /// (out batch, a batch, b batch) in units of matrices.
    batches: Vec<(usize, usize, usize)>,
    /// b is a single matrix shared by every batch of a: fold a's batches into rows.
    fold: bool,
}

fn plan(ash: &[usize], bsh: &[usize]) -> Result<Plan> {
    let (ra, rb) = (ash.len(), bsh.len());
    let (m, k) = (ash[ra - 2], ash[ra - 1]);
    let (k2, n) = (bsh[rb - 2], bsh[rb - 1]);
    if k != k2 {
        return Err(Error::ShapeMismatch {
            op: "matmul",
            lhs: ash.to_vec(),
            rhs: bsh.to_vec(),
        });
    }
    let (ba, bb) = (&ash[..ra - 2], &bsh[..rb - 2]);
    let bo = broadcast_shapes("matmul", ba, bb).map_err(|_| Error::ShapeMismatch {
        op: "matmul",
        lhs: ash.to_vec(),
        rhs: bsh.to_vec(),
    })?;
    let mut batches = Vec::with_capacity(numel(&bo));
    let (sa, sb) = (broadcast_strides(ba, &bo), broadcast_strides(bb, &bo));
    for_each_broadcast(&bo, &sa, &sb, |o, i, j| batches.push((o, i, j)));
    let mut out_shape = bo;
    out_shape.extend([m, n]);
    Ok(Plan {
        m,
        k,
        n,
        out_shape,
        batches,
        fold: bb.is_empty(),
    })
}

fn forward<T: Float>(p: &Plan, a: &[T], b: &[T]) -> Vec<T> {
    let (m, k, n) = (p.m, p.k, p.n);
    // every batch's GEMM (β = 0) writes its whole block, and the blocks cover the output
    let mut c = crate::memory::scratch(numel(&p.out_shape));
    if p.fold {
        let rows = a.len() / k.max(1);
        gemm((rows, k, n), a, (k, 1), b, (n, 1), &mut c, (n, 1), false);
        return c;
    }
    for &(o, i, j) in &p.batches {
        gemm(
            (m, k, n),
            &a[i * m * k..],
            (k, 1),
            &b[j * k * n..],
            (n, 1),
            &mut c[o * m * n..],
            (n, 1),
            false,
        );
    }
    c
}

/// `dA = dC·Bᵀ`, `dB = Aᵀ·dC`, summed over broadcast batches by accumulating GEMMs.
fn backward<T: Float>(
    p: &Plan,
    a: &[T],
    b: &[T],
    g: &[T],
    need: (bool, bool),
) -> (Option<Vec<T>>, Option<Vec<T>>) {
    let (m, k, n) = (p.m, p.k, p.n);
    if p.fold {
        // one GEMM each (β = 0) writes the whole gradient
        let mut ga = need.0.then(|| crate::memory::scratch(a.len()));
        let mut gb = need.1.then(|| crate::memory::scratch(b.len()));
        let rows = a.len() / k.max(1);
        if let Some(ga) = ga.as_mut() {
            gemm((rows, n, k), g, (n, 1), b, (1, n), ga, (k, 1), false);
        }
        if let Some(gb) = gb.as_mut() {
            gemm((k, rows, n), a, (1, k), g, (n, 1), gb, (n, 1), false);
        }
        return (ga, gb);
    }
    // broadcast batches add into the same gradient
    let mut ga = need.0.then(|| crate::memory::full(a.len(), T::zero()));
    let mut gb = need.1.then(|| crate::memory::full(b.len(), T::zero()));
    for &(o, i, j) in &p.batches {
        let gc = &g[o * m * n..];
        if let Some(ga) = ga.as_mut() {
            gemm(
                (m, n, k),
                gc,
                (n, 1),
                &b[j * k * n..],
                (1, n),
                &mut ga[i * m * k..],
                (k, 1),
                true,
            );
        }
        if let Some(gb) = gb.as_mut() {
            gemm(
                (k, m, n),
                &a[i * m * k..],
                (1, k),
                gc,
                (n, 1),
                &mut gb[j * k * n..],
                (n, 1),
                true,
            );
        }
    }
    (ga, gb)
}

impl Tensor {
    /// Matrix product with PyTorch's `torch.matmul` rules: 1-D operands are treated as a row or
    /// column vector, and batch dims (all but the last two) broadcast.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// let a = Tensor::new([[1.0, 2.0], [3.0, 4.0]])?;
    /// let b = Tensor::new([[1.0], [1.0]])?;
    /// assert_eq!(a.matmul(&b)?.to_vec::<f32>(), vec![3.0, 7.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When an operand is 0-dim, the inner dims differ, or batch dims do not broadcast.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        match (self.dim(), other.dim()) {
            (0, _) | (_, 0) => Err(Error::ShapeMismatch {
                op: "matmul (both operands need at least 1 dim)",
                lhs: self.shape().to_vec(),
                rhs: other.shape().to_vec(),
            }),
            (1, 1) => self
                .unsqueeze(0)?
                .matmul(&other.unsqueeze(1)?)?
                .reshape(Vec::<usize>::new()),
            (1, _) => self.unsqueeze(0)?.matmul(other)?.squeeze(-2),
            (_, 1) => self.matmul(&other.unsqueeze(1)?)?.squeeze(-1),
            _ => {
                let p = plan(self.shape(), other.shape()).map_err(|_| Error::ShapeMismatch {
                    op: "matmul",
                    lhs: self.shape().to_vec(),
                    rhs: other.shape().to_vec(),
                })?;
                let (sa, sb) = super::promote("matmul", self, other)?;
                let out = crate::float_zip!(&*sa, &*sb, |a, b| forward(&p, a, b));
                let shape = p.out_shape.clone();
                Ok(Tensor::from_op(out, shape, &[self, other], |_| {
                    MatmulBackward {
                        a: self.save_for_backward(),
                        b: other.save_for_backward(),
                        plan: p,
                    }
                }))
            }
        }
    }

    /// 2-D matrix product, like `torch.mm`.
    ///
    /// # Errors
    /// When either operand is not 2-D or the inner dims differ.
    pub fn mm(&self, other: &Tensor) -> Result<Tensor> {
        if self.dim() != 2 || other.dim() != 2 {
            return Err(Error::ShapeMismatch {
                op: "mm (expects two 2-D tensors)",
                lhs: self.shape().to_vec(),
                rhs: other.shape().to_vec(),
            });
        }
        self.matmul(other)
    }
}

struct MatmulBackward {
    a: SavedTensor,
    b: SavedTensor,
    plan: Plan,
}

impl Backward for MatmulBackward {
    fn name(&self) -> &'static str {
        if self.plan.out_shape.len() == 2 {
            "MmBackward0"
        } else {
            "BmmBackward0"
        }
    }
    fn backward(&self, g: &Grad, needs: &[bool]) -> Result<Vec<Option<Grad>>> {
        let need = (needs[0], needs[1]);
        let (sa, sb) = super::promote("matmul", &self.a, &self.b)?;
        let gs = g.to_dense().storage();
        let wrap = |v: Option<Storage>, t: &Tensor| {
            v.map(|s| Grad::from(Tensor::leaf(s, t.shape().to_vec())))
        };
        let (ga, gb) = crate::with_float!(gs.dtype(), |E| {
            let (x, y, g) = (sa.as_float::<E>(), sb.as_float::<E>(), gs.as_float::<E>());
            let (x, y) = backward(&self.plan, x, y, g, need);
            (x.map(E::wrap), y.map(E::wrap))
        });
        Ok(vec![wrap(ga, &self.a), wrap(gb, &self.b)])
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn large_and_small_paths_agree() {
        crate::manual_seed(3);
        let a = Tensor::randn(&[40, 50]).double();
        let b = Tensor::randn(&[50, 30]).double();
        let big = a.matmul(&b).unwrap().to_vec::<f64>();
        // the same product as 40 separate row products takes the small path
        for r in 0..40 {
            let row = a
                .narrow(0, r, 1)
                .unwrap()
                .matmul(&b)
                .unwrap()
                .to_vec::<f64>();
            for (x, y) in row.iter().zip(&big[r * 30..(r + 1) * 30]) {
                assert!((x - y).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn vector_and_batched_forms() {
        let a = Tensor::ones(&[2, 3, 4]);
        let b = Tensor::ones(&[4]);
        assert_eq!(a.matmul(&b).unwrap().shape(), &[2, 3]);
        assert_eq!(b.matmul(&b).unwrap().item().unwrap(), 4.0);
        let e = a.matmul(&Tensor::ones(&[3, 2])).unwrap_err().to_string();
        assert_eq!(e, "matmul: shapes [2, 3, 4] and [3, 2] are not compatible");
    }
}
