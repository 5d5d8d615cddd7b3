//! [`Adam`] and [`AdamW`]: adaptive moment estimation, with L2 or decoupled weight decay.

use logit_core::checkpoint::Value;
use logit_core::{Error, Float, Result};

use crate::optimizer::{check_nonneg, lerp, ParamGroup};
use crate::state_dict::{flag, number};
use crate::{Optim, UpdateRule};

/// The step's scalars, cast once to the parameters' type.
#[derive(Clone, Copy)]
struct Scalars<T> {
    one_m_b1: T,
    b2: T,
    one_m_b2: T,
    bc2_sqrt: T,
    eps: T,
    step_size: T,
}

// Adam without weight decay or AMSGrad (the usual case), branch-free per element so it runs
// 16 (f32) or 8 (f64) parameters per instruction: the same operations in the same order as the
// general loop, so the same bits as PyTorch's.
logit_core::simd_dispatch!(
    fn plain_update<T: Float>(p: &mut [T], grad: &[T], m: &mut [T], v: &mut [T], s: Scalars<T>) {
        let n = p.len().min(grad.len()).min(m.len()).min(v.len());
        let (p, grad, m, v) = (&mut p[..n], &grad[..n], &mut m[..n], &mut v[..n]);
        for i in 0..n {
            let d = grad[i];
            m[i] = lerp(m[i], d, s.one_m_b1);
            v[i] = v[i] * s.b2 + s.one_m_b2 * d * d;
            let denom = v[i].sqrt() / s.bc2_sqrt + s.eps;
            p[i] -= s.step_size * (m[i] / denom);
        }
    }
);

/// Options of [`Adam`] and [`AdamW`]; defaults are PyTorch's (`lr 1e-3`, `betas (0.9, 0.999)`,
/// `eps 1e-8`, weight decay 0 for Adam and 0.01 for AdamW).
#[derive(Debug, Clone, Copy)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator for stability.
    pub eps: f64,
    /// Weight decay: added to the gradient (Adam) or applied to the weights (AdamW). `None` is
    /// the optimizer's own default, 0 for Adam and 0.01 for AdamW, as in PyTorch; `Some(0.0)`
    /// turns AdamW's off.
    pub weight_decay: Option<f64>,
    /// Use the maximum of past second moments (AMSGrad).
    pub amsgrad: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: None,
            amsgrad: false,
        }
    }
}

/// `torch.optim.Adam`: `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`,
/// `p −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`, with weight decay added to the gradient.
///
/// ```
/// use logit_core::Tensor;
/// use logit_optim::{Adam, AdamConfig, Optimizer};
/// let w = Tensor::new([1.0])?.requires_grad_(true);
/// let mut opt = Adam::new(vec![w.clone()], AdamConfig { lr: 0.1, ..Default::default() })?;
/// w.mul(&w)?.sum().backward()?;
/// opt.step()?;   // the first Adam step moves by about lr
/// assert!((w.item()? - 0.9).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
pub type Adam = Optim<AdamRule<false>>;

/// `torch.optim.AdamW`: Adam with decoupled weight decay, `p *= 1 − lr·wd` before the Adam
/// update, PyTorch's default decay of 0.01 unless the config sets another.
pub type AdamW = Optim<AdamRule<true>>;

/// The Adam update, with weight decay added to the gradient (`DECOUPLED = false`, Adam) or
/// applied to the weights (`true`, AdamW).
#[derive(Debug, Clone, Copy)]
pub struct AdamRule<const DECOUPLED: bool> {
    c: AdamConfig,
}

impl<const DECOUPLED: bool> AdamRule<DECOUPLED> {
    /// The config's weight decay, or this optimizer's default.
    fn weight_decay(c: &AdamConfig) -> f64 {
        c.weight_decay.unwrap_or(if DECOUPLED { 1e-2 } else { 0.0 })
    }
}

impl<const DECOUPLED: bool> crate::IntoConfig<AdamRule<DECOUPLED>> for AdamConfig {
    fn into_config(self) -> AdamConfig {
        self
    }
}

impl<const DECOUPLED: bool> UpdateRule for AdamRule<DECOUPLED> {
    type Config = AdamConfig;
    const NAME: &'static str = if DECOUPLED { "AdamW" } else { "Adam" };
    fn from_config(c: AdamConfig) -> Result<Self> {
        let c = AdamConfig {
            weight_decay: Some(Self::weight_decay(&c)),
            ..c
        };
        validate(Self::NAME, &c)?;
        Ok(AdamRule { c })
    }
    fn config(&self) -> AdamConfig {
        self.c
    }
    fn group_defaults(c: &AdamConfig) -> (f64, f64) {
        (c.lr, Self::weight_decay(c))
    }
    fn with_lr(lr: f64) -> AdamConfig {
        AdamConfig {
            lr,
            ..Default::default()
        }
    }
    // torch.optim.adam._single_tensor_adam, line for line
    fn update<T: Float>(
        &self,
        g: &ParamGroup,
        p: &mut [T],
        grad: &[T],
        step: u64,
        bufs: &mut [&mut [T]],
    ) {
        // scalars are computed in f64 and cast once, as Python does before calling the kernels
        let (b2, one_m_b1, one_m_b2) = (
            T::c(self.c.betas.1),
            T::c(1.0 - self.c.betas.0),
            T::c(1.0 - self.c.betas.1),
        );
        let decay = T::c(1.0 - g.lr * g.weight_decay);
        let bc1 = 1.0 - self.c.betas.0.powi(step as i32);
        let bc2 = 1.0 - self.c.betas.1.powi(step as i32);
        let step_size = T::c(g.lr / bc1);
        let bc2_sqrt = T::c(bc2.sqrt());
        let (eps, wd) = (T::c(self.c.eps), T::c(g.weight_decay));
        let (m, rest) = bufs.split_at_mut(1);
        let (v, vmax) = rest.split_at_mut(1);
        let (m, v) = (&mut *m[0], &mut *v[0]);
        if g.weight_decay == 0.0 && !self.c.amsgrad {
            let s = Scalars {
                one_m_b1,
                b2,
                one_m_b2,
                bc2_sqrt,
                eps,
                step_size,
            };
            plain_update(p, grad, m, v, s);
            return;
        }
        for i in 0..p.len() {
            let mut d = grad[i];
            if g.weight_decay != 0.0 {
                if DECOUPLED {
                    p[i] *= decay;
                } else {
                    d += wd * p[i];
                }
            }
            m[i] = lerp(m[i], d, one_m_b1);
            v[i] = v[i] * b2 + one_m_b2 * d * d;
            let second = if self.c.amsgrad {
                let vm = &mut vmax[0][i];
                *vm = vm.max(v[i]);
                *vm
            } else {
                v[i]
            };
            let denom = second.sqrt() / bc2_sqrt + eps;
            p[i] -= step_size * (m[i] / denom);
        }
    }

    fn saves_step(&self) -> bool {
        true
    }
    fn buffer_names(&self) -> Vec<Option<&'static str>> {
        let mut names = vec![Some("exp_avg"), Some("exp_avg_sq")];
        if self.c.amsgrad {
            names.push(Some("max_exp_avg_sq"));
        }
        names
    }
    fn hyperparameters(&self, g: &ParamGroup) -> Vec<(&'static str, Value)> {
        vec![
            (
                "betas",
                Value::Tuple(vec![self.c.betas.0.into(), self.c.betas.1.into()]),
            ),
            ("eps", self.c.eps.into()),
            ("weight_decay", g.weight_decay.into()),
            ("amsgrad", self.c.amsgrad.into()),
            ("maximize", false.into()),
            ("foreach", Value::None),
            ("capturable", false.into()),
            ("differentiable", false.into()),
            ("fused", Value::None),
            ("decoupled_weight_decay", DECOUPLED.into()),
        ]
    }
    fn load_hyperparameters(&mut self, g: &Value) -> Result<()> {
        let name = Self::NAME;
        if flag(g, "decoupled_weight_decay", DECOUPLED)? != DECOUPLED {
            return Err(Error::invalid(
                format!("{name}.load_state_dict"),
                format!("decoupled_weight_decay={}", DECOUPLED),
                format!("the state of {}", if DECOUPLED { "Adam" } else { "AdamW" }),
            ));
        }
        let betas = g.get("betas")?.as_list()?;
        let [b1, b2] = betas else {
            return Err(Error::invalid(
                name,
                "two betas",
                format!("{}", betas.len()),
            ));
        };
        self.c = AdamConfig {
            lr: number(g, "lr", name)?,
            betas: (b1.as_f64()?, b2.as_f64()?),
            eps: number(g, "eps", name)?,
            weight_decay: Some(number(g, "weight_decay", name)?),
            amsgrad: flag(g, "amsgrad", false)?,
        };
        validate(name, &self.c)
    }
}

fn validate(name: &str, c: &AdamConfig) -> Result<()> {
    check_nonneg(name, "epsilon", c.eps)?;
    for (i, b) in [c.betas.0, c.betas.1].into_iter().enumerate() {
        if !(0.0..1.0).contains(&b) {
            return Err(Error::hyperparameter(
                name,
                format!("beta {i}"),
                "in [0, 1)",
                format!("Invalid beta parameter at index {i}: {b}"),
            ));
        }
    }
    Ok(())
}
