//! Elementwise unary ops: neg, exp, log, log1p, sqrt, abs, pow, clamp, tanh, relu, leaky_relu.
//! They cannot fail, so they return `Tensor` and chain like PyTorch: `x.exp().log()`.

use crate::autograd::Backward;
use crate::{float_map, Float, Result, Storage, Tensor};

/// Applies `$f` to every element of `$x` (converted to float if needed) and records `$bw`.
macro_rules! unary {
    ($x:expr, |$e:ident| $f:expr, $bw:expr) => {{
        let s = $x.float_storage();
        let out = float_map!(&*s, |v| crate::parallel::map(
            v,
            |c: &[E], o: &mut [std::mem::MaybeUninit<E>]| {
                for (o, &$e) in o.iter_mut().zip(c) {
                    o.write($f);
                }
            }
        ));
        Tensor::from_op(out, $x.shape().to_vec(), &[$x], || $bw)
    }};
}

/// `g ⊙ f(x, y)` for a gradient `g`, the saved input `x` and output `y` (all the same shape).
fn grad_map<T: Float>(g: &[T], x: &[T], y: &[T], f: impl Fn(T, T) -> T + Sync + Send) -> Vec<T> {
    crate::parallel::map3(g, x, y, |g, x, y, out: &mut [std::mem::MaybeUninit<T>]| {
        for (o, (&g, (&x, &y))) in out.iter_mut().zip(g.iter().zip(x.iter().zip(y))) {
            o.write(g * f(x, y));
        }
    })
}

/// Runs `grad_map` over storages; `$x`/`$y` are the input and output tensors.
macro_rules! local_grad {
    ($g:expr, $x:expr, $y:expr, |$a:ident, $b:ident| $f:expr) => {{
        let (gs, xs, ys) = ($g.storage(), $x.float_storage(), $y.storage());
        let out = $crate::with_float!(gs.dtype(), |E| {
            let (g, x, y) = (gs.as_float::<E>(), xs.as_float::<E>(), ys.as_float::<E>());
            E::wrap(grad_map(g, x, y, |$a, $b| $f))
        });
        Ok(vec![Some(Tensor::leaf(out, $g.shape().to_vec()))])
    }};
}

impl Tensor {
    /// `-x`, like `torch.neg`.
    pub fn neg(&self) -> Tensor {
        unary!(self, |x| -x, NegBackward)
    }

    /// `eˣ`, like `torch.exp`. The derivative is `eˣ`, taken from the saved output.
    pub fn exp(&self) -> Tensor {
        let s = self.float_storage();
        if let Storage::F32(v) = &*s {
            let out = crate::parallel::map(v, super::fastmath::exp_f32_slice);
            return Tensor::from_op(Storage::F32(out), self.shape().to_vec(), &[self], || {
                ExpBackward
            });
        }
        unary!(self, |x| x.exp(), ExpBackward)
    }

    /// Natural logarithm, like `torch.log`. The derivative is `1/x`.
    pub fn log(&self) -> Tensor {
        unary!(self, |x| x.ln(), LogBackward)
    }

    /// `ln(1 + x)`, accurate for small `x`, like `torch.log1p`. The derivative is `1/(1+x)`.
    pub fn log1p(&self) -> Tensor {
        unary!(self, |x| x.ln_1p(), Log1pBackward)
    }

    /// Square root, like `torch.sqrt`. The derivative is `1/(2√x)`.
    pub fn sqrt(&self) -> Tensor {
        unary!(self, |x| x.sqrt(), SqrtBackward)
    }

    /// Absolute value, like `torch.abs`. The derivative is `sign(x)` (0 at 0, as PyTorch).
    pub fn abs(&self) -> Tensor {
        unary!(self, |x| x.abs(), AbsBackward)
    }

    /// `xᵖ` for a scalar exponent, like `torch.pow(x, p)`. The derivative is `p·xᵖ⁻¹`.
    pub fn pow(&self, p: f64) -> Tensor {
        let s = self.float_storage();
        let out = float_map!(&*s, |v| {
            let e = E::c(p);
            if p == 2.0 {
                v.iter().map(|&x| x * x).collect()
            } else {
                v.iter().map(|&x| x.powf(e)).collect()
            }
        });
        Tensor::from_op(out, self.shape().to_vec(), &[self], || PowBackward { p })
    }

    /// `x²`, like `torch.square`.
    pub fn square(&self) -> Tensor {
        self.pow(2.0)
    }

    /// Clamps into `[min, max]` (either bound optional), like `torch.clamp`. The gradient passes
    /// where the input is inside the bounds (inclusive, as PyTorch) and is 0 elsewhere.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Tensor {
        let (lo, hi) = (
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        let s = self.float_storage();
        let out = float_map!(&*s, |v| {
            let (l, h) = (E::c(lo), E::c(hi));
            // NaN stays NaN, as in PyTorch.
            v.iter()
                .map(|&x| {
                    if x < l {
                        l
                    } else if x > h {
                        h
                    } else {
                        x
                    }
                })
                .collect()
        });
        Tensor::from_op(out, self.shape().to_vec(), &[self], || ClampBackward {
            lo,
            hi,
        })
    }

    /// Clamps from below, like `torch.clamp_min`.
    pub fn clamp_min(&self, min: f64) -> Tensor {
        self.clamp(Some(min), None)
    }

    /// Hyperbolic tangent, like `torch.tanh`. The derivative is `1 − y²` from the saved output.
    pub fn tanh(&self) -> Tensor {
        unary!(self, |x| x.tanh(), TanhBackward)
    }

    /// `max(x, 0)`, like `torch.relu`. The derivative is 1 where `x > 0`, else 0.
    pub fn relu(&self) -> Tensor {
        unary!(
            self,
            |x| if x > E::c(0.0) { x } else { E::c(0.0) },
            ReluBackward
        )
    }

    /// `x` where `x > 0`, else `slope·x`, like `F.leaky_relu`.
    pub fn leaky_relu(&self, slope: f64) -> Tensor {
        let s = self.float_storage();
        let out = float_map!(&*s, |v| {
            let k = E::c(slope);
            v.iter()
                .map(|&x| if x > E::c(0.0) { x } else { x * k })
                .collect()
        });
        Tensor::from_op(out, self.shape().to_vec(), &[self], || LeakyReluBackward {
            slope,
        })
    }
}

macro_rules! backward {
    ($name:ident, $torch:literal, |$g:ident, $x:ident, $y:ident| $body:expr) => {
        struct $name;
        impl Backward for $name {
            fn name(&self) -> &'static str {
                $torch
            }
            fn backward(
                &self,
                i: &[Tensor],
                out: &Tensor,
                g: &Tensor,
            ) -> Result<Vec<Option<Tensor>>> {
                let ($g, $x, $y) = (g, &i[0], out);
                $body
            }
        }
    };
}

backward!(NegBackward, "NegBackward0", |g, _x, _y| Ok(vec![Some(
    g.neg()
)]));
backward!(ExpBackward, "ExpBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |_x, y| y
));
backward!(LogBackward, "LogBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |x, _y| x.recip()
));
backward!(Log1pBackward, "Log1PBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |x, _y| (x + E::c(1.0)).recip()
));
backward!(SqrtBackward, "SqrtBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |_x, y| (y * E::c(2.0)).recip()
));
backward!(AbsBackward, "AbsBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |x, _y| {
        if x > E::c(0.0) {
            E::c(1.0)
        } else if x < E::c(0.0) {
            E::c(-1.0)
        } else {
            E::c(0.0)
        }
    }
));
backward!(TanhBackward, "TanhBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |_x, y| E::c(1.0) - y * y
));
backward!(ReluBackward, "ReluBackward0", |g, x, y| local_grad!(
    g,
    x,
    y,
    |_x, y| {
        if y > E::c(0.0) {
            E::c(1.0)
        } else {
            E::c(0.0)
        }
    }
));

struct PowBackward {
    p: f64,
}
impl Backward for PowBackward {
    fn name(&self) -> &'static str {
        "PowBackward0"
    }
    fn backward(&self, i: &[Tensor], out: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let p = self.p;
        if p == 0.0 {
            return Ok(vec![Some(Tensor::zeros_like(g))]);
        }
        local_grad!(g, &i[0], out, |x, _y| {
            let pc = E::c(p);
            if p == 2.0 {
                x * pc
            } else {
                pc * x.powf(E::c(p - 1.0))
            }
        })
    }
}

struct ClampBackward {
    lo: f64,
    hi: f64,
}
impl Backward for ClampBackward {
    fn name(&self) -> &'static str {
        "ClampBackward1"
    }
    fn backward(&self, i: &[Tensor], out: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (lo, hi) = (self.lo, self.hi);
        local_grad!(g, &i[0], out, |x, _y| {
            if x >= E::c(lo) && x <= E::c(hi) {
                E::c(1.0)
            } else {
                E::c(0.0)
            }
        })
    }
}

struct LeakyReluBackward {
    slope: f64,
}
impl Backward for LeakyReluBackward {
    fn name(&self) -> &'static str {
        "LeakyReluBackward0"
    }
    fn backward(&self, i: &[Tensor], out: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let k = self.slope;
        local_grad!(g, &i[0], out, |x, _y| if x > E::c(0.0) {
            E::c(1.0)
        } else {
            E::c(k)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn relu_gradient_is_zero_at_and_below_zero() {
        let x = Tensor::new([-1.0, 0.0, 2.0]).unwrap().requires_grad_(true);
        x.relu().sum().backward().unwrap();
        assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn clamp_passes_gradient_on_the_bounds() {
        let x = Tensor::new([-1.0, -0.5, 0.0, 0.5, 1.0])
            .unwrap()
            .requires_grad_(true);
        let y = x.clamp(Some(-0.5), Some(0.5));
        assert_eq!(y.to_vec::<f32>(), vec![-0.5, -0.5, 0.0, 0.5, 0.5]);
        y.sum().backward().unwrap();
        assert_eq!(
            x.grad().unwrap().to_vec::<f32>(),
            vec![0.0, 1.0, 1.0, 1.0, 0.0]
        );
    }

    #[test]
    fn integer_input_becomes_float() {
        let x = Tensor::new([0i64, 1]).unwrap();
        assert_eq!(x.exp().to_vec::<f32>(), vec![1.0, std::f32::consts::E]);
    }
}
