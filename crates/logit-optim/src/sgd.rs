//! [`SGD`]: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

use logit_core::checkpoint::Value;
use logit_core::{Error, Float, Result};

use crate::optimizer::{check_nonneg, ParamGroup};
use crate::state_dict::{flag, number};
use crate::{Optim, UpdateRule};

/// Options of [`SGD`], PyTorch's defaults except `lr`, which PyTorch requires.
#[derive(Debug, Clone, Copy)]
pub struct SGDConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor (0: plain SGD).
    pub momentum: f64,
    /// Dampening of the momentum's gradient term.
    pub dampening: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Nesterov momentum (needs momentum > 0 and dampening 0).
    pub nesterov: bool,
}

impl Default for SGDConfig {
    fn default() -> Self {
        SGDConfig {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
        }
    }
}

/// `torch.optim.SGD`, with the same update order:
/// `g += wd·p; buf = μ·buf + (1 − τ)·g (buf = g at the first step); g = nesterov ? g + μ·buf : buf; p −= lr·g`.
///
/// ```
/// use logit_core::Tensor;
/// use logit_optim::{Optimizer, SGD, SGDConfig};
/// let w = Tensor::new([1.0])?.requires_grad_(true);
/// let mut opt = SGD::new(vec![w.clone()], SGDConfig { lr: 0.1, ..Default::default() })?;
/// w.mul(&w)?.sum().backward()?;   // grad 2
/// opt.step()?;
/// assert!((w.item()? - 0.8).abs() < 1e-7);
/// # Ok::<(), logit_core::Error>(())
/// ```
pub type SGD = Optim<SGDConfig>;

impl SGDConfig {
    fn validate(&self) -> Result<()> {
        let config = self;
        check_nonneg("SGD", "momentum", config.momentum)?;
        check_nonneg("SGD", "dampening", config.dampening)?;
        if config.nesterov && (config.momentum <= 0.0 || config.dampening != 0.0) {
            return Err(Error::hyperparameter(
                "SGD",
                "Nesterov momentum",
                "with momentum > 0 and dampening 0",
                format!(
                    "momentum {}, dampening {}",
                    config.momentum, config.dampening
                ),
            ));
        }
        Ok(())
    }
}

impl UpdateRule for SGDConfig {
    type Config = SGDConfig;
    const NAME: &'static str = "SGD";
    fn from_config(config: SGDConfig) -> Result<SGDConfig> {
        config.validate()?;
        Ok(config)
    }
    fn config(&self) -> SGDConfig {
        *self
    }
    fn group_defaults(c: &SGDConfig) -> (f64, f64) {
        (c.lr, c.weight_decay)
    }
    fn with_lr(lr: f64) -> SGDConfig {
        SGDConfig {
            lr,
            ..Default::default()
        }
    }
    fn update<T: Float>(
        &self,
        g: &ParamGroup,
        p: &mut [T],
        grad: &[T],
        step: u64,
        bufs: &mut [&mut [T]],
    ) {
        let (lr, wd) = (T::c(g.lr), T::c(g.weight_decay));
        let (mu, one_m_damp) = (T::c(self.momentum), T::c(1.0 - self.dampening));
        for i in 0..p.len() {
            let mut d = grad[i];
            if g.weight_decay != 0.0 {
                d += wd * p[i];
            }
            if self.momentum != 0.0 {
                // the buffer starts as the first gradient, undampened
                let b = &mut bufs[0][i];
                *b = if step == 1 {
                    d
                } else {
                    mu * *b + one_m_damp * d
                };
                d = if self.nesterov { d + mu * *b } else { *b };
            }
            p[i] -= lr * d;
        }
    }

    fn saves_step(&self) -> bool {
        false
    }
    fn buffer_names(&self) -> Vec<Option<&'static str>> {
        if self.momentum != 0.0 {
            vec![Some("momentum_buffer")]
        } else {
            Vec::new()
        }
    }
    fn none_keys(&self) -> &'static [&'static str] {
        if self.momentum != 0.0 {
            &[]
        } else {
            &["momentum_buffer"]
        }
    }
    fn hyperparameters(&self, g: &ParamGroup) -> Vec<(&'static str, Value)> {
        vec![
            ("momentum", self.momentum.into()),
            ("dampening", self.dampening.into()),
            ("weight_decay", g.weight_decay.into()),
            ("nesterov", self.nesterov.into()),
            ("maximize", false.into()),
            ("foreach", Value::None),
            ("differentiable", false.into()),
            ("fused", Value::None),
        ]
    }
    fn load_hyperparameters(&mut self, g: &Value) -> Result<()> {
        self.lr = number(g, "lr", "SGD")?;
        self.weight_decay = number(g, "weight_decay", "SGD")?;
        self.momentum = number(g, "momentum", "SGD")?;
        self.dampening = number(g, "dampening", "SGD")?;
        self.nesterov = flag(g, "nesterov", false)?;
        self.validate()
    }
}

impl crate::IntoConfig<SGDConfig> for SGDConfig {
    fn into_config(self) -> SGDConfig {
        self
    }
}
