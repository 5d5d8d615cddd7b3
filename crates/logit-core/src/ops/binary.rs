//! add, sub, mul, div with NumPy/PyTorch broadcasting, their scalar forms and the `std::ops`
//! operators; plus `expand` and `sum_to_size`, the broadcast and un-broadcast they need.

use std::mem::MaybeUninit;
use std::ops;

use super::promote;
use crate::autograd::{Backward, Grad, SavedTensor};
use crate::shape::{broadcast_shapes, broadcast_strides, for_each_broadcast, numel, strides};
use crate::trace::Attr;
use crate::{float_map, float_zip, Error, Float, Result, Tensor};

/// The four broadcasting arithmetic ops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
}

impl BinaryOp {
    fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
        }
    }
}

fn zip_broadcast<T: Float>(
    a: &[T],
    ash: &[usize],
    b: &[T],
    bsh: &[usize],
    out_shape: &[usize],
    f: impl Fn(T, T) -> T + Sync + Send,
) -> Vec<T> {
    if ash == bsh {
        return crate::parallel::map2(a, b, |a, b, o: &mut [MaybeUninit<T>]| {
            for ((o, &x), &y) in o.iter_mut().zip(a).zip(b) {
                o.write(f(x, y));
            }
        });
    }
    if b.len() == 1 {
        let y = b[0];
        return crate::parallel::map(a, |a, o: &mut [MaybeUninit<T>]| {
            for (o, &x) in o.iter_mut().zip(a) {
                o.write(f(x, y));
            }
        });
    }
    if a.len() == 1 {
        let x = a[0];
        return crate::parallel::map(b, |b, o: &mut [MaybeUninit<T>]| {
            for (o, &y) in o.iter_mut().zip(b) {
                o.write(f(x, y));
            }
        });
    }
    let mut out = crate::memory::scratch(numel(out_shape));
    let (sa, sb) = (
        broadcast_strides(ash, out_shape),
        broadcast_strides(bsh, out_shape),
    );
    for_each_broadcast(out_shape, &sa, &sb, |o, i, j| out[o] = f(a[i], b[j]));
    out
}

fn apply<T: Float>(
    op: BinaryOp,
    a: &[T],
    ash: &[usize],
    b: &[T],
    bsh: &[usize],
    out: &[usize],
) -> Vec<T> {
    match op {
        BinaryOp::Add => zip_broadcast(a, ash, b, bsh, out, |x, y| x + y),
        BinaryOp::Sub => zip_broadcast(a, ash, b, bsh, out, |x, y| x - y),
        BinaryOp::Mul => zip_broadcast(a, ash, b, bsh, out, |x, y| x * y),
        BinaryOp::Div => zip_broadcast(a, ash, b, bsh, out, |x, y| x / y),
    }
}

impl Tensor {
    /// Elementwise `op` with broadcasting; the fallible form behind `+ - * /`.
    ///
    /// # Errors
    /// When the shapes do not broadcast, or one operand is `f32` and the other `f64`.
    pub fn binary(&self, other: &Tensor, op: BinaryOp) -> Result<Tensor> {
        let out_shape = broadcast_shapes(op.name(), self.shape(), other.shape())?;
        let (sa, sb) = promote(op.name(), self, other)?;
        let (ash, bsh) = (self.shape(), other.shape());
        let out = float_zip!(&*sa, &*sb, |x, y| apply(op, x, ash, y, bsh, &out_shape));
        Ok(Tensor::from_op(out, out_shape, &[self, other], |_| {
            BinaryBackward::new(op, self, other)
        }))
    }

    /// `self + other` with broadcasting, like `torch.add`.
    ///
    /// # Errors
    /// As [`Tensor::binary`].
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinaryOp::Add)
    }

    /// `self - other` with broadcasting, like `torch.sub`.
    ///
    /// # Errors
    /// As [`Tensor::binary`].
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinaryOp::Sub)
    }

    /// `self * other` elementwise with broadcasting, like `torch.mul`.
    ///
    /// # Errors
    /// As [`Tensor::binary`].
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinaryOp::Mul)
    }

    /// `self / other` elementwise with broadcasting, like `torch.div`.
    ///
    /// # Errors
    /// As [`Tensor::binary`].
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinaryOp::Div)
    }

    /// `self + s`.
    pub fn add_scalar(&self, s: f64) -> Tensor {
        scalar_op(self, ScalarOp::Add(s))
    }

    /// `self - s`.
    pub fn sub_scalar(&self, s: f64) -> Tensor {
        scalar_op(self, ScalarOp::Add(-s))
    }

    /// `self * s`.
    pub fn mul_scalar(&self, s: f64) -> Tensor {
        scalar_op(self, ScalarOp::Mul(s))
    }

    /// `self / s`.
    pub fn div_scalar(&self, s: f64) -> Tensor {
        scalar_op(self, ScalarOp::Mul(1.0 / s))
    }

    /// `s - self`, like `1 - p` in Python.
    pub fn rsub_scalar(&self, s: f64) -> Tensor {
        scalar_op(self, ScalarOp::RSub(s))
    }

    /// Broadcasts to `shape` (a copy), like `tensor.expand(shape)`.
    ///
    /// # Errors
    /// When this shape does not broadcast to `shape`.
    pub fn expand(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let out_shape = broadcast_shapes("expand", self.shape(), shape)?;
        if out_shape != shape {
            return Err(Error::ShapeMismatch {
                op: "expand",
                lhs: self.shape().to_vec(),
                rhs: shape.to_vec(),
            });
        }
        if self.numel() == 1 && self.dtype().is_float() {
            // one value (the common case: a uniform gradient) is a parallel fill
            let fill = Tensor::full_dtype(shape, self.storage().get_f64(0), self.dtype());
            return Ok(Tensor::from_op_arc(
                fill.storage(),
                shape.to_vec(),
                &[self],
                |_| ExpandBackward {
                    shape: self.shape().to_vec(),
                },
            ));
        }
        let s = self.storage();
        let sa = broadcast_strides(self.shape(), shape);
        let zeros = vec![0; shape.len()];
        let out = match &*s {
            crate::Storage::F32(v) => crate::Storage::F32(expand_kernel(v, shape, &sa, &zeros)),
            crate::Storage::F64(v) => crate::Storage::F64(expand_kernel(v, shape, &sa, &zeros)),
            crate::Storage::I64(v) => crate::Storage::I64(expand_kernel(v, shape, &sa, &zeros)),
            crate::Storage::Bool(v) => crate::Storage::Bool(expand_kernel(v, shape, &sa, &zeros)),
        };
        Ok(Tensor::from_op(out, shape.to_vec(), &[self], |_| {
            ExpandBackward {
                shape: self.shape().to_vec(),
            }
        }))
    }

    /// Sums broadcast dims away so the result has `shape`, like `tensor.sum_to_size(shape)`:
    /// the un-broadcast every binary backward applies to its gradient.
    ///
    /// # Errors
    /// When `shape` does not broadcast to this tensor's shape.
    pub fn sum_to_size(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let full = broadcast_shapes("sum_to_size", shape, self.shape())?;
        if full != self.shape() {
            return Err(Error::ShapeMismatch {
                op: "sum_to_size",
                lhs: self.shape().to_vec(),
                rhs: shape.to_vec(),
            });
        }
        let s = self.float_storage();
        let st = broadcast_strides(shape, self.shape());
        let own = strides(self.shape());
        let n = numel(shape);
        let out = float_map!(&*s, |v| {
            let mut out = crate::memory::full(n, Default::default());
            for_each_broadcast(self.shape(), &st, &own, |_, o, i| out[o] += v[i]);
            out
        });
        Ok(Tensor::from_op(out, shape.to_vec(), &[self], |_| {
            SumToBackward {
                shape: self.shape().to_vec(),
            }
        }))
    }
}

fn expand_kernel<T: Copy + Default + Send + Sync + 'static>(
    v: &[T],
    shape: &[usize],
    sa: &[usize],
    zeros: &[usize],
) -> Vec<T> {
    let mut out = crate::memory::full(numel(shape), T::default());
    for_each_broadcast(shape, sa, zeros, |o, i, _| out[o] = v[i]);
    out
}

/// Saves the operand shapes (to undo broadcasting) and only the operands the formulas read:
/// for `a·b`, `b` when `a` needs a gradient and `a` when `b` does; for `a/b`, `b` always and
/// `a` when `b` needs a gradient.
struct BinaryBackward {
    op: BinaryOp,
    shapes: [Vec<usize>; 2],
    a: Option<SavedTensor>,
    b: Option<SavedTensor>,
}

impl BinaryBackward {
    fn new(op: BinaryOp, a: &Tensor, b: &Tensor) -> BinaryBackward {
        let (need_a, need_b) = (a.requires_grad(), b.requires_grad());
        let (save_a, save_b) = match op {
            BinaryOp::Add | BinaryOp::Sub => (false, false),
            BinaryOp::Mul => (need_b, need_a),
            BinaryOp::Div => (need_b, true),
        };
        BinaryBackward {
            op,
            shapes: [a.shape().to_vec(), b.shape().to_vec()],
            a: save_a.then(|| a.save_for_backward()),
            b: save_b.then(|| b.save_for_backward()),
        }
    }

    fn saved(t: &Option<SavedTensor>) -> &Tensor {
        t.as_ref()
            .expect("saved when the op ran, because the gradient needs it")
    }
}

impl Backward for BinaryBackward {
    fn name(&self) -> &'static str {
        match self.op {
            BinaryOp::Add => "AddBackward0",
            BinaryOp::Sub => "SubBackward0",
            BinaryOp::Mul => "MulBackward0",
            BinaryOp::Div => "DivBackward0",
        }
    }
    fn backward(&self, grad: &Grad, needs: &[bool]) -> Result<Vec<Option<Grad>>> {
        let same = |i: usize| self.shapes[i] == grad.shape();
        match self.op {
            // no broadcast to undo: the gradient passes through, uniform or not
            BinaryOp::Add if same(0) && same(1) => {
                return Ok(vec![Some(grad.clone()), Some(grad.clone())])
            }
            _ => {}
        }
        let g = grad.to_dense();
        let grad = |i: usize, f: &dyn Fn() -> Result<Tensor>| -> Result<Option<Grad>> {
            if needs[i] {
                Ok(Some(f()?.sum_to_size(&self.shapes[i])?.into()))
            } else {
                Ok(None)
            }
        };
        let (a, b) = (&self.a, &self.b);
        Ok(match self.op {
            BinaryOp::Add => vec![grad(0, &|| Ok(g.clone()))?, grad(1, &|| Ok(g.clone()))?],
            BinaryOp::Sub => vec![grad(0, &|| Ok(g.clone()))?, grad(1, &|| Ok(g.neg()))?],
            BinaryOp::Mul => vec![
                grad(0, &|| g.mul(Self::saved(b)))?,
                grad(1, &|| g.mul(Self::saved(a)))?,
            ],
            BinaryOp::Div => {
                let (a, b) = (|| Self::saved(a), || Self::saved(b));
                vec![
                    grad(0, &|| g.div(b()))?,
                    // PyTorch: -grad * a / (b * b)
                    grad(1, &|| g.neg().mul(a())?.div(&b().mul(b())?))?,
                ]
            }
        })
    }
}

#[derive(Clone, Copy)]
enum ScalarOp {
    Add(f64),
    Mul(f64),
    RSub(f64),
}

impl ScalarOp {
    /// The scalar operand.
    fn value(self) -> f64 {
        match self {
            ScalarOp::Add(c) | ScalarOp::Mul(c) | ScalarOp::RSub(c) => c,
        }
    }
}

fn scalar_op(x: &Tensor, op: ScalarOp) -> Tensor {
    let s = x.float_storage();
    let out = float_map!(&*s, |v| {
        match op {
            ScalarOp::Add(c) => {
                let c = E::c(c);
                v.iter().map(|&x| x + c).collect()
            }
            ScalarOp::Mul(c) => {
                let c = E::c(c);
                v.iter().map(|&x| x * c).collect()
            }
            ScalarOp::RSub(c) => {
                let c = E::c(c);
                v.iter().map(|&x| c - x).collect()
            }
        }
    });
    crate::trace::with_attrs(
        Tensor::from_op(out, x.shape().to_vec(), &[x], |_| ScalarBackward { op }),
        || vec![("value", Attr::Float(op.value()))],
    )
}

struct ScalarBackward {
    op: ScalarOp,
}

impl Backward for ScalarBackward {
    fn name(&self) -> &'static str {
        match self.op {
            ScalarOp::Add(_) => "AddBackward1",
            ScalarOp::Mul(_) => "MulBackward1",
            ScalarOp::RSub(_) => "RsubBackward1",
        }
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let g = g.to_dense();
        Ok(vec![Some(
            match self.op {
                ScalarOp::Add(_) => g,
                ScalarOp::Mul(c) => g.mul_scalar(c),
                ScalarOp::RSub(_) => g.neg(),
            }
            .into(),
        )])
    }
}

struct ExpandBackward {
    shape: Vec<usize>,
}

impl Backward for ExpandBackward {
    fn name(&self) -> &'static str {
        "ExpandBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(g.to_dense().sum_to_size(&self.shape)?.into())])
    }
}

struct SumToBackward {
    shape: Vec<usize>,
}

impl Backward for SumToBackward {
    fn name(&self) -> &'static str {
        "SumToSizeBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(g.to_dense().expand(&self.shape)?.into())])
    }
}

macro_rules! impl_op {
    ($trait:ident, $method:ident, $op:expr, $scalar:ident) => {
        impl ops::$trait<&Tensor> for &Tensor {
            type Output = Tensor;
            /// **Panics** if the shapes do not broadcast or the dtypes differ; the named method
            /// returns a `Result` instead.
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.binary(rhs, $op).unwrap_or_else(|e| panic!("{e}"))
            }
        }
        impl ops::$trait<Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                ops::$trait::$method(&self, &rhs)
            }
        }
        impl ops::$trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                ops::$trait::$method(&self, rhs)
            }
        }
        impl ops::$trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                ops::$trait::$method(self, &rhs)
            }
        }
        impl ops::$trait<f64> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f64) -> Tensor {
                self.$scalar(rhs)
            }
        }
        impl ops::$trait<f64> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f64) -> Tensor {
                self.$scalar(rhs)
            }
        }
    };
}
impl_op!(Add, add, BinaryOp::Add, add_scalar);
impl_op!(Sub, sub, BinaryOp::Sub, sub_scalar);
impl_op!(Mul, mul, BinaryOp::Mul, mul_scalar);
impl_op!(Div, div, BinaryOp::Div, div_scalar);

impl ops::Add<&Tensor> for f64 {
    type Output = Tensor;
    fn add(self, rhs: &Tensor) -> Tensor {
        rhs.add_scalar(self)
    }
}
impl ops::Sub<&Tensor> for f64 {
    type Output = Tensor;
    fn sub(self, rhs: &Tensor) -> Tensor {
        rhs.rsub_scalar(self)
    }
}
impl ops::Sub<Tensor> for f64 {
    type Output = Tensor;
    fn sub(self, rhs: Tensor) -> Tensor {
        rhs.rsub_scalar(self)
    }
}
impl ops::Mul<&Tensor> for f64 {
    type Output = Tensor;
    fn mul(self, rhs: &Tensor) -> Tensor {
        rhs.mul_scalar(self)
    }
}
impl ops::Mul<Tensor> for f64 {
    type Output = Tensor;
    fn mul(self, rhs: Tensor) -> Tensor {
        rhs.mul_scalar(self)
    }
}
impl ops::Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}
impl ops::Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn broadcasting_add_and_its_gradient() {
        let a = Tensor::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
            .unwrap()
            .requires_grad_(true);
        let b = Tensor::new([10.0, 20.0, 30.0])
            .unwrap()
            .requires_grad_(true);
        let c = &a + &b;
        assert_eq!(c.to_vec::<f32>(), vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        c.sum().backward().unwrap();
        assert_eq!(b.grad().unwrap().to_vec::<f32>(), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn mismatched_shapes_name_the_op_and_both_shapes() {
        let a = Tensor::zeros(&[4, 3]);
        let e = a.mul(&Tensor::zeros(&[4])).unwrap_err().to_string();
        assert_eq!(e, "mul: shapes [4, 3] and [4] are not compatible");
        let e = a
            .add(&Tensor::zeros(&[3]).double())
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected dtype F32, got F64"), "{e}");
    }

    #[test]
    #[should_panic(expected = "sub: shapes [2] and [3] are not compatible")]
    fn operators_panic_with_the_same_message() {
        let _ = &Tensor::zeros(&[2]) - &Tensor::zeros(&[3]);
    }

    #[test]
    fn scalar_forms_read_like_python() {
        let p = Tensor::new([0.25]).unwrap();
        assert_eq!((1.0 - &p).to_vec::<f32>(), vec![0.75]);
        assert_eq!((&p * 2.0 + 1.0).to_vec::<f32>(), vec![1.5]);
    }
}
