//! Learning-rate schedulers: [`StepLR`], [`ExponentialLR`], [`CosineAnnealingLR`] and
//! [`ReduceLROnPlateau`]. Each keeps one rate per parameter group, like PyTorch's.

use logit_core::{Error, Result};

use crate::Optimizer;

/// A scheduler stepped once per epoch, after `optimizer.step()`.
pub trait LrScheduler {
    /// Advances one epoch and writes the new rates into the optimizer.
    fn step(&mut self, opt: &mut dyn Optimizer);
    /// The rates set by the last step, like `get_last_lr()`.
    fn get_last_lr(&self) -> Vec<f64>;
}

fn base_lrs(opt: &dyn Optimizer) -> Vec<f64> {
    opt.param_groups().iter().map(|g| g.lr).collect()
}

fn set(opt: &mut dyn Optimizer, lrs: &[f64]) {
    for (g, &lr) in opt.param_groups_mut().iter_mut().zip(lrs) {
        g.lr = lr;
    }
}

/// Multiplies the rate by `gamma` every `step_size` epochs, like `StepLR`.
///
/// ```
/// use logit_core::Tensor;
/// use logit_optim::{LrScheduler, Optimizer, StepLR, SGD, SGDConfig};
/// let w = Tensor::zeros(&[1]).requires_grad_(true);
/// let mut opt = SGD::new(vec![w], SGDConfig { lr: 1.0, ..Default::default() })?;
/// let mut sched = StepLR::new(&opt, 2, 0.5)?;
/// for _ in 0..4 { sched.step(&mut opt); }
/// assert_eq!(opt.lr(), 0.25);
/// # Ok::<(), logit_core::Error>(())
/// ```
pub struct StepLR {
    step_size: usize,
    gamma: f64,
    epoch: usize,
    last: Vec<f64>,
}

impl StepLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `step_size` is 0 or `gamma` is negative.
    pub fn new(opt: &dyn Optimizer, step_size: usize, gamma: f64) -> Result<StepLR> {
        if step_size == 0 || !(gamma >= 0.0) {
            return Err(Error::invalid(
                "StepLR",
                "step_size > 0 and gamma >= 0",
                format!("step_size {step_size}, gamma {gamma}"),
            ));
        }
        Ok(StepLR {
            step_size,
            gamma,
            epoch: 0,
            last: base_lrs(opt),
        })
    }
}

impl LrScheduler for StepLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.epoch += 1;
        if self.epoch % self.step_size == 0 {
            self.last = base_lrs(opt).iter().map(|lr| lr * self.gamma).collect();
            set(opt, &self.last);
        }
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.last.clone()
    }
}

/// Multiplies the rate by `gamma` every epoch, like `ExponentialLR`.
pub struct ExponentialLR {
    gamma: f64,
    last: Vec<f64>,
}

impl ExponentialLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `gamma` is negative.
    pub fn new(opt: &dyn Optimizer, gamma: f64) -> Result<ExponentialLR> {
        if !(gamma >= 0.0) {
            return Err(Error::invalid(
                "ExponentialLR",
                "gamma >= 0",
                gamma.to_string(),
            ));
        }
        Ok(ExponentialLR {
            gamma,
            last: base_lrs(opt),
        })
    }
}

impl LrScheduler for ExponentialLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.last = base_lrs(opt).iter().map(|lr| lr * self.gamma).collect();
        set(opt, &self.last);
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.last.clone()
    }
}

/// Anneals from the initial rate to `eta_min` along a half cosine over `t_max` epochs:
/// `η = η_min + (η₀ − η_min)(1 + cos(π·t/T_max))/2`, like `CosineAnnealingLR`.
pub struct CosineAnnealingLR {
    t_max: usize,
    eta_min: f64,
    epoch: usize,
    base: Vec<f64>,
    last: Vec<f64>,
}

impl CosineAnnealingLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `t_max` is 0 or `eta_min` is negative.
    pub fn new(opt: &dyn Optimizer, t_max: usize, eta_min: f64) -> Result<CosineAnnealingLR> {
        if t_max == 0 || !(eta_min >= 0.0) {
            return Err(Error::invalid(
                "CosineAnnealingLR",
                "T_max > 0 and eta_min >= 0",
                format!("T_max {t_max}, eta_min {eta_min}"),
            ));
        }
        let base = base_lrs(opt);
        Ok(CosineAnnealingLR {
            t_max,
            eta_min,
            epoch: 0,
            last: base.clone(),
            base,
        })
    }
}

impl LrScheduler for CosineAnnealingLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.epoch += 1;
        let c = (1.0 + (std::f64::consts::PI * self.epoch as f64 / self.t_max as f64).cos()) / 2.0;
        self.last = self
            .base
            .iter()
            .map(|b| self.eta_min + (b - self.eta_min) * c)
            .collect();
        set(opt, &self.last);
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.last.clone()
    }
}

/// Whether a smaller or a larger metric is better, for [`ReduceLROnPlateau`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better (a loss).
    Min,
    /// Higher is better (accuracy, ROC-AUC).
    Max,
}

/// Divides the rate by `1/factor` when a metric has not improved (relatively, by more than
/// `threshold`) for `patience` epochs, like `ReduceLROnPlateau` with its defaults
/// (`factor 0.1`, `patience 10`, `threshold 1e-4`, relative mode, no cooldown, `min_lr 0`).
pub struct ReduceLROnPlateau {
    /// Min or max.
    pub mode: PlateauMode,
    /// Multiplier applied on a plateau, in `[0, 1)`.
    pub factor: f64,
    /// Epochs without improvement before reducing.
    pub patience: usize,
    /// Relative improvement that counts.
    pub threshold: f64,
    /// Epochs to wait after a reduction.
    pub cooldown: usize,
    /// Lower bound of the rate.
    pub min_lr: f64,
    best: f64,
    bad_epochs: usize,
    cooldown_left: usize,
    last: Vec<f64>,
}

impl ReduceLROnPlateau {
    /// PyTorch's defaults for `mode`.
    ///
    /// # Errors
    /// Never with these defaults; the fields can be changed afterwards.
    pub fn new(opt: &dyn Optimizer, mode: PlateauMode) -> Result<ReduceLROnPlateau> {
        Ok(ReduceLROnPlateau {
            mode,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            best: if mode == PlateauMode::Min {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
            bad_epochs: 0,
            cooldown_left: 0,
            last: base_lrs(opt),
        })
    }

    /// Records this epoch's metric and reduces the rate on a plateau.
    ///
    /// # Errors
    /// When `factor` is outside `[0, 1)`, or the metric is NaN.
    pub fn step_with(&mut self, opt: &mut dyn Optimizer, metric: f64) -> Result<()> {
        if !(0.0..1.0).contains(&self.factor) || metric.is_nan() {
            return Err(Error::invalid(
                "ReduceLROnPlateau",
                "factor in [0, 1) and a metric that is a number",
                format!("factor {}, metric {metric}", self.factor),
            ));
        }
        let better = match self.mode {
            PlateauMode::Min => metric < self.best * (1.0 - self.threshold),
            PlateauMode::Max => metric > self.best * (1.0 + self.threshold),
        };
        if better {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.patience {
            let eps = 1e-8;
            let lrs: Vec<f64> = base_lrs(opt)
                .into_iter()
                .map(|lr| {
                    let new = (lr * self.factor).max(self.min_lr);
                    if lr - new > eps {
                        new
                    } else {
                        lr
                    }
                })
                .collect();
            set(opt, &lrs);
            self.cooldown_left = self.cooldown;
            self.bad_epochs = 0;
        }
        self.last = base_lrs(opt);
        Ok(())
    }

    /// The rates after the last step.
    pub fn get_last_lr(&self) -> Vec<f64> {
        self.last.clone()
    }
}
