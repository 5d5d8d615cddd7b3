//! Elementwise unary ops: neg, exp, log, log1p, sqrt, abs, pow, clamp, tanh, relu, leaky_relu.
//! They cannot fail, so they return `Tensor` and chain like PyTorch: `x.exp().log()`.

use crate::autograd::{Backward, Grad, SavedTensor};
use crate::trace::Attr;
use crate::{float_map, Float, Result, Storage, Tensor};

/// Applies `$f` to every element of `$x` (converted to float if needed) and records the
/// backward `$bw` builds from the op's output.
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
        Tensor::from_op(out, $x.shape().to_vec(), &[$x], $bw)
    }};
}

/// `g ⊙ f(v)` for a gradient `g` and the saved tensor `v` (of the same shape) that the
/// derivative reads: the input for `log`, the output for `exp`.
fn grad_map<T: Float>(g: &[T], v: &[T], f: impl Fn(T) -> T + Sync + Send) -> Vec<T> {
    crate::parallel::map2(g, v, |g, v, out: &mut [std::mem::MaybeUninit<T>]| {
        for (o, (&g, &v)) in out.iter_mut().zip(g.iter().zip(v)) {
            o.write(g * f(v));
        }
    })
}

/// Runs `grad_map` for the gradient `$g` and the saved tensor `$v`.
macro_rules! local_grad {
    ($g:expr, $v:expr, |$a:ident| $f:expr) => {{
        let g = $g.to_dense();
        let (gs, vs) = (g.storage(), $v.float_storage());
        let out = $crate::with_float!(gs.dtype(), |E| {
            E::wrap(grad_map(gs.as_float::<E>(), vs.as_float::<E>(), |$a| $f))
        });
        Ok(vec![Some(Tensor::leaf(out, g.shape().to_vec()).into())])
    }};
}

impl Tensor {
    /// `-x`, like `torch.neg`.
    pub fn neg(&self) -> Tensor {
        unary!(self, |x| -x, |_| NegBackward)
    }

    /// `eˣ`, like `torch.exp`. The derivative is `eˣ`, taken from the saved output.
    pub fn exp(&self) -> Tensor {
        let s = self.float_storage();
        if let Storage::F32(v) = &*s {
            let out = crate::parallel::map(v, super::fastmath::exp_f32_slice);
            return Tensor::from_op(Storage::F32(out), self.shape().to_vec(), &[self], |y| {
                ExpBackward(y.save())
            });
        }
        unary!(self, |x| x.exp(), |y| ExpBackward(y.save()))
    }

    /// Natural logarithm, like `torch.log`. The derivative is `1/x`.
    pub fn log(&self) -> Tensor {
        unary!(self, |x| x.ln(), |_| LogBackward(self.save_for_backward()))
    }

    /// `ln(1 + x)`, accurate for small `x`, like `torch.log1p`. The derivative is `1/(1+x)`.
    pub fn log1p(&self) -> Tensor {
        unary!(self, |x| x.ln_1p(), |_| {
            Log1pBackward(self.save_for_backward())
        })
    }

    /// Square root, like `torch.sqrt`. The derivative is `1/(2√x)`.
    pub fn sqrt(&self) -> Tensor {
        unary!(self, |x| x.sqrt(), |y| SqrtBackward(y.save()))
    }

    /// Absolute value, like `torch.abs`. The derivative is `sign(x)` (0 at 0, as PyTorch).
    pub fn abs(&self) -> Tensor {
        unary!(self, |x| x.abs(), |_| AbsBackward(self.save_for_backward()))
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
        crate::trace::with_attrs(
            Tensor::from_op(out, self.shape().to_vec(), &[self], |_| PowBackward {
                x: self.save_for_backward(),
                p,
            }),
            || vec![("exponent", Attr::Float(p))],
        )
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
        crate::trace::with_attrs(
            Tensor::from_op(out, self.shape().to_vec(), &[self], |_| ClampBackward {
                x: self.save_for_backward(),
                lo,
                hi,
            }),
            || vec![("min", Attr::Float(lo)), ("max", Attr::Float(hi))],
        )
    }

    /// Clamps from below, like `torch.clamp_min`.
    pub fn clamp_min(&self, min: f64) -> Tensor {
        self.clamp(Some(min), None)
    }

    /// Hyperbolic tangent, like `torch.tanh`. The derivative is `1 − y²` from the saved output.
    pub fn tanh(&self) -> Tensor {
        unary!(self, |x| x.tanh(), |y| TanhBackward(y.save()))
    }

    /// `max(x, 0)`, like `torch.relu`. The derivative is 1 where `x > 0`, else 0.
    pub fn relu(&self) -> Tensor {
        unary!(self, |x| if x > E::c(0.0) { x } else { E::c(0.0) }, |y| {
            ReluBackward(y.save())
        })
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
        crate::trace::with_attrs(
            Tensor::from_op(out, self.shape().to_vec(), &[self], |_| LeakyReluBackward {
                x: self.save_for_backward(),
                slope,
            }),
            || vec![("alpha", Attr::Float(slope))],
        )
    }
}

/// The backward of an elementwise op whose derivative is `f(v)` of the one tensor it saved.
macro_rules! local_backward {
    ($name:ident, $torch:literal, |$v:ident| $d:expr) => {
        struct $name(SavedTensor);
        impl Backward for $name {
            fn name(&self) -> &'static str {
                $torch
            }
            fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
                local_grad!(g, &self.0, |$v| $d)
            }
        }
    };
}

struct NegBackward;
impl Backward for NegBackward {
    fn name(&self) -> &'static str {
        "NegBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        Ok(vec![Some(match g {
            Grad::Dense(g) => g.neg().into(),
            Grad::Uniform {
                value,
                shape,
                dtype,
            } => Grad::uniform(-value, shape, *dtype),
        })])
    }
}

// each saves the output (y) or the input (x), whichever its derivative reads
local_backward!(ExpBackward, "ExpBackward0", |y| y);
local_backward!(LogBackward, "LogBackward0", |x| x.recip());
local_backward!(Log1pBackward, "Log1PBackward0", |x| (x + E::c(1.0)).recip());
local_backward!(SqrtBackward, "SqrtBackward0", |y| (y * E::c(2.0)).recip());
local_backward!(AbsBackward, "AbsBackward0", |x| {
    if x > E::c(0.0) {
        E::c(1.0)
    } else if x < E::c(0.0) {
        E::c(-1.0)
    } else {
        E::c(0.0)
    }
});
local_backward!(TanhBackward, "TanhBackward0", |y| E::c(1.0) - y * y);
local_backward!(ReluBackward, "ReluBackward0", |y| {
    if y > E::c(0.0) {
        E::c(1.0)
    } else {
        E::c(0.0)
    }
});

struct PowBackward {
    x: SavedTensor,
    p: f64,
}
impl Backward for PowBackward {
    fn name(&self) -> &'static str {
        "PowBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let p = self.p;
        if p == 0.0 {
            return Ok(vec![Some(Grad::uniform(0.0, g.shape(), g.dtype()))]);
        }
        local_grad!(g, &self.x, |x| {
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
    x: SavedTensor,
    lo: f64,
    hi: f64,
}
impl Backward for ClampBackward {
    fn name(&self) -> &'static str {
        "ClampBackward1"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let (lo, hi) = (self.lo, self.hi);
        local_grad!(g, &self.x, |x| {
            if x >= E::c(lo) && x <= E::c(hi) {
                E::c(1.0)
            } else {
                E::c(0.0)
            }
        })
    }
}

struct LeakyReluBackward {
    x: SavedTensor,
    slope: f64,
}
impl Backward for LeakyReluBackward {
    fn name(&self) -> &'static str {
        "LeakyReluBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let k = self.slope;
        local_grad!(g, &self.x, |x| if x > E::c(0.0) {
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
