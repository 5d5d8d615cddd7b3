//! [`RMSprop`]: scales each step by a running root mean square of the gradients.

use logit_core::checkpoint::Value;
use logit_core::{Float, Result};

use crate::optimizer::{check_nonneg, lerp, ParamGroup};
use crate::state_dict::{flag, number};
use crate::{Optim, UpdateRule};

/// Options of [`RMSprop`]; defaults are PyTorch's (`lr 0.01`, `alpha 0.99`, `eps 1e-8`).
#[derive(Debug, Clone, Copy)]
pub struct RMSpropConfig {
    /// Learning rate.
    pub lr: f64,
    /// Smoothing constant of the squared-gradient average.
    pub alpha: f64,
    /// Added to the denominator for stability.
    pub eps: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Momentum factor.
    pub momentum: f64,
    /// Normalise by the estimated variance instead of the raw second moment.
    pub centered: bool,
}

impl Default for RMSpropConfig {
    fn default() -> Self {
        RMSpropConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
        }
    }
}

/// `torch.optim.RMSprop`: `s = αs + (1−α)g²`; centered: `avg = √(s − ḡ²)`, else `√s`;
/// `p −= lr·g/(avg + ε)`, or through a momentum buffer `b = μb + g/(avg + ε)`.
pub type RMSprop = Optim<RMSpropConfig>;

impl RMSpropConfig {
    fn validate(&self) -> Result<()> {
        check_nonneg("RMSprop", "alpha", self.alpha)?;
        check_nonneg("RMSprop", "epsilon", self.eps)?;
        check_nonneg("RMSprop", "momentum", self.momentum)
    }
}

impl UpdateRule for RMSpropConfig {
    type Config = RMSpropConfig;
    const NAME: &'static str = "RMSprop";
    fn from_config(config: RMSpropConfig) -> Result<RMSpropConfig> {
        config.validate()?;
        Ok(config)
    }
    fn config(&self) -> RMSpropConfig {
        *self
    }
    fn group_defaults(c: &RMSpropConfig) -> (f64, f64) {
        (c.lr, c.weight_decay)
    }
    fn with_lr(lr: f64) -> RMSpropConfig {
        RMSpropConfig {
            lr,
            ..Default::default()
        }
    }
    // torch.optim.rmsprop._single_tensor_rmsprop
    fn update<T: Float>(
        &self,
        g: &ParamGroup,
        p: &mut [T],
        grad: &[T],
        _step: u64,
        bufs: &mut [&mut [T]],
    ) {
        let (alpha, one_m_alpha) = (T::c(self.alpha), T::c(1.0 - self.alpha));
        let (eps, mu) = (T::c(self.eps), T::c(self.momentum));
        let (lr, wd) = (T::c(g.lr), T::c(g.weight_decay));
        let [sq, gavg, buf] = bufs else {
            unreachable!("three buffers")
        };
        for i in 0..p.len() {
            let mut d = grad[i];
            if g.weight_decay != 0.0 {
                d += wd * p[i];
            }
            sq[i] = sq[i] * alpha + one_m_alpha * d * d;
            let avg = if self.centered {
                gavg[i] = lerp(gavg[i], d, one_m_alpha);
                (sq[i] - gavg[i] * gavg[i]).sqrt() + eps
            } else {
                sq[i].sqrt() + eps
            };
            if self.momentum > 0.0 {
                buf[i] = buf[i] * mu + d / avg;
                p[i] -= lr * buf[i];
            } else {
                p[i] -= lr * (d / avg);
            }
        }
    }

    fn saves_step(&self) -> bool {
        true
    }
    fn buffer_names(&self) -> Vec<Option<&'static str>> {
        vec![
            Some("square_avg"),
            self.centered.then_some("grad_avg"),
            (self.momentum > 0.0).then_some("momentum_buffer"),
        ]
    }
    fn save_order(&self) -> Vec<usize> {
        vec![0, 2, 1]
    }
    fn hyperparameters(&self, g: &ParamGroup) -> Vec<(&'static str, Value)> {
        vec![
            ("momentum", self.momentum.into()),
            ("alpha", self.alpha.into()),
            ("eps", self.eps.into()),
            ("centered", self.centered.into()),
            ("weight_decay", g.weight_decay.into()),
            ("capturable", false.into()),
            ("foreach", Value::None),
            ("maximize", false.into()),
            ("differentiable", false.into()),
        ]
    }
    fn load_hyperparameters(&mut self, g: &Value) -> Result<()> {
        self.lr = number(g, "lr", "RMSprop")?;
        self.weight_decay = number(g, "weight_decay", "RMSprop")?;
        self.momentum = number(g, "momentum", "RMSprop")?;
        self.alpha = number(g, "alpha", "RMSprop")?;
        self.eps = number(g, "eps", "RMSprop")?;
        self.centered = flag(g, "centered", false)?;
        self.validate()
    }
}

impl crate::IntoConfig<RMSpropConfig> for RMSpropConfig {
    fn into_config(self) -> RMSpropConfig {
        self
    }
}
