//! Gradient checking against central finite differences, like `torch.autograd.gradcheck`.

use crate::{no_grad, DType, Error, Result, Tensor};

/// Tolerances and step for [`gradcheck`]; defaults are PyTorch's (`eps=1e-6`, `atol=1e-5`,
/// `rtol=1e-3`).
#[derive(Debug, Clone, Copy)]
pub struct GradcheckOptions {
    /// Finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// Checks the gradients autograd computes for `f` at `inputs` against central finite
/// differences. Inputs must be `f64`; those with `requires_grad` are checked.
///
/// The output is reduced to a scalar with fixed pseudo-random weights, `L = Σ wᵢ·f(x)ᵢ`, so one
/// backward pass checks a random projection of the whole Jacobian (every row contributes with a
/// distinct weight, so a wrong entry cannot cancel out except by coincidence).
///
/// ```
/// use logit_core::{autograd::{gradcheck, GradcheckOptions}, Tensor};
/// let x = Tensor::new([0.3, -1.2, 2.0])?.double().requires_grad_(true);
/// gradcheck(|xs| Ok(xs[0].sigmoid()), &[x], GradcheckOptions::default())?;
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When an input is not `f64`, when `f` fails, or when a gradient entry differs from its
/// finite-difference estimate by more than `atol + rtol·|estimate|`; the error names the
/// input, the flat index and both values.
pub fn gradcheck(
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
    inputs: &[Tensor],
    opts: GradcheckOptions,
) -> Result<()> {
    for (i, x) in inputs.iter().enumerate() {
        if x.dtype() != DType::F64 {
            return Err(Error::invalid(
                "gradcheck",
                format!("float64 input {i}"),
                format!("{:?}", x.dtype()),
            ));
        }
        x.zero_grad();
    }
    let out = f(inputs)?;
    let weights: Vec<f64> = (0..out.numel())
        .map(|j| 0.5 + ((j as f64 + 1.0) * 0.618_033_988_749_895).fract())
        .collect();
    let w = Tensor::from_vec(weights, out.shape())?;
    let loss = |o: &Tensor| -> Result<f64> { o.mul(&w)?.sum().item() };
    if out.requires_grad() {
        out.mul(&w)?.sum().backward()?;
    }
    for (i, x) in inputs.iter().enumerate() {
        if !x.requires_grad() {
            continue;
        }
        let analytic = x
            .grad()
            .map(|g| g.to_vec_f64())
            .unwrap_or_else(|| vec![0.0; x.numel()]);
        let base = x.to_vec_f64();
        for k in 0..base.len() {
            let eval = |delta: f64| -> Result<f64> {
                let mut v = base.clone();
                v[k] += delta;
                let xs: Vec<Tensor> = inputs
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        if j == i {
                            Tensor::from_vec(v.clone(), t.shape())
                        } else {
                            Ok(t.detach())
                        }
                    })
                    .collect::<Result<_>>()?;
                let _g = no_grad();
                loss(&f(&xs)?)
            };
            let numeric = (eval(opts.eps)? - eval(-opts.eps)?) / (2.0 * opts.eps);
            let a = analytic[k];
            let close = (a - numeric).abs() <= opts.atol + opts.rtol * numeric.abs();
            if !close {
                return Err(Error::invalid(
                    format!("gradcheck: input {i}, element {k}"),
                    format!("numerical gradient {numeric:.10e}"),
                    format!("analytical {a:.10e}"),
                ));
            }
        }
    }
    Ok(())
}
