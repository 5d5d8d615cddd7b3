//! Comparisons that return boolean masks (gt, lt, ge, le, eq, ne), `where_` and `masked_fill`.

use super::promote;
use crate::autograd::{Backward, Grad};
use crate::shape::{broadcast_shapes, broadcast_strides, for_each_broadcast, numel};
use crate::{float_zip, Result, Storage, Tensor};

#[derive(Clone, Copy)]
enum Cmp {
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
}

fn compare(a: &Tensor, b: &Tensor, op: &'static str, cmp: Cmp) -> Result<Tensor> {
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    let (sa, sb) = promote(op, a, b)?;
    let (st_a, st_b) = (
        broadcast_strides(a.shape(), &shape),
        broadcast_strides(b.shape(), &shape),
    );
    let mut out = vec![false; numel(&shape)];
    // the float_zip arms build a dummy storage; only `out` matters
    let _ = float_zip!(&*sa, &*sb, |x, y| {
        for_each_broadcast(&shape, &st_a, &st_b, |o, i, j| {
            let (p, q) = (x[i], y[j]);
            out[o] = match cmp {
                Cmp::Gt => p > q,
                Cmp::Lt => p < q,
                Cmp::Ge => p >= q,
                Cmp::Le => p <= q,
                Cmp::Eq => p == q,
                Cmp::Ne => p != q,
            };
        });
        Vec::new()
    });
    Ok(Tensor::leaf(Storage::Bool(out), shape))
}

macro_rules! cmp_methods {
    ($($name:ident, $scalar:ident, $cmp:ident, $doc:literal;)*) => {$(
        #[doc = concat!("Elementwise `", $doc, "` with broadcasting, as a bool mask, like `torch.", stringify!($name), "`.")]
        ///
        /// # Errors
        /// When the shapes do not broadcast.
        pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
            compare(self, other, stringify!($name), Cmp::$cmp)
        }

        #[doc = concat!("Elementwise `", $doc, "` against a scalar, as a bool mask.")]
        pub fn $scalar(&self, value: f64) -> Tensor {
            let s = Tensor::full_dtype(&[], value, if self.dtype().is_float() { self.dtype() } else { crate::DType::F64 });
            compare(self, &s, stringify!($name), Cmp::$cmp).expect("a scalar broadcasts")
        }
    )*};
}

impl Tensor {
    cmp_methods! {
        gt, gt_scalar, Gt, "self > other";
        lt, lt_scalar, Lt, "self < other";
        ge, ge_scalar, Ge, "self >= other";
        le, le_scalar, Le, "self <= other";
        eq, eq_scalar, Eq, "self == other";
        ne, ne_scalar, Ne, "self != other";
    }

    /// `x` where `cond` is true, else `y`, with broadcasting, like `torch.where(cond, x, y)`.
    /// The gradient flows to `x` where `cond` holds and to `y` elsewhere.
    ///
    /// # Errors
    /// When the shapes do not broadcast or `x` and `y` have different float dtypes.
    pub fn where_(cond: &Tensor, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        let shape = broadcast_shapes(
            "where",
            cond.shape(),
            &broadcast_shapes("where", x.shape(), y.shape())?,
        )?;
        let mask = cond.to_dtype(crate::DType::Bool).expand(&shape)?;
        let (xe, ye) = (x.expand(&shape)?, y.expand(&shape)?);
        let m = mask.to_vec::<bool>();
        let (sx, sy) = promote("where", &xe, &ye)?;
        let out = float_zip!(&*sx, &*sy, |a, b| {
            m.iter()
                .zip(a.iter().zip(b))
                .map(|(&c, (&p, &q))| if c { p } else { q })
                .collect()
        });
        Ok(Tensor::from_op(out, shape, &[&xe, &ye], |_| {
            WhereBackward { mask: m }
        }))
    }

    /// Replaces entries where `mask` is true by `value`, like `tensor.masked_fill(mask, value)`.
    ///
    /// # Errors
    /// When `mask` does not broadcast to this tensor's shape.
    pub fn masked_fill(&self, mask: &Tensor, value: f64) -> Result<Tensor> {
        let fill = Tensor::full_dtype(
            &[],
            value,
            if self.dtype().is_float() {
                self.dtype()
            } else {
                crate::default_dtype()
            },
        );
        Tensor::where_(mask, &fill, self)
    }
}

struct WhereBackward {
    mask: Vec<bool>,
}

impl Backward for WhereBackward {
    fn name(&self) -> &'static str {
        "WhereBackward0"
    }
    fn backward(&self, g: &Grad, needs: &[bool]) -> Result<Vec<Option<Grad>>> {
        let g = g.to_dense();
        let m = Tensor::leaf(Storage::Bool(self.mask.clone()), g.shape().to_vec());
        let zero = Tensor::zeros_dtype(&[], g.dtype());
        let pick = |need: bool, x: &Tensor, y: &Tensor| -> Result<Option<Grad>> {
            Ok(need
                .then(|| Tensor::where_(&m, x, y))
                .transpose()?
                .map(Grad::from))
        };
        Ok(vec![pick(needs[0], &g, &zero)?, pick(needs[1], &zero, &g)?])
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn masks_and_where() {
        let p = Tensor::new([0.2, 0.7, 0.5]).unwrap();
        assert_eq!(p.gt_scalar(0.5).to_vec::<bool>(), vec![false, true, false]);
        assert_eq!(p.ge_scalar(0.5).to_vec::<f32>(), vec![0.0, 1.0, 1.0]);
        let x = Tensor::new([1.0, 2.0, 3.0]).unwrap().requires_grad_(true);
        let y = Tensor::where_(&p.gt_scalar(0.5), &x, &Tensor::zeros(&[3])).unwrap();
        assert_eq!(y.to_vec::<f32>(), vec![0.0, 2.0, 0.0]);
        y.sum().backward().unwrap();
        assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0, 1.0, 0.0]);
    }
}
