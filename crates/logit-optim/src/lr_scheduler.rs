//! Learning-rate schedulers: [`StepLR`], [`ExponentialLR`], [`CosineAnnealingLR`] and
//! [`crate::ReduceLROnPlateau`]. Each keeps one rate per parameter group, like PyTorch's.

use logit_core::checkpoint::Value;
use logit_core::{Error, Result};

use crate::Optimizer;

/// A scheduler stepped once per epoch, after `optimizer.step()`.
pub trait LrScheduler {
    /// Advances one epoch and writes the new rates into the optimizer.
    fn step(&mut self, opt: &mut dyn Optimizer);
    /// The rates set by the last step, like `get_last_lr()`.
    fn get_last_lr(&self) -> Vec<f64>;
    /// The schedule's position and settings in PyTorch's layout (`last_epoch`, `base_lrs`,
    /// `_last_lr` and the scheduler's own fields), like `scheduler.state_dict()`.
    fn state_dict(&self) -> Value;
    /// Resumes from a state saved here or by PyTorch, like `scheduler.load_state_dict(sd)`.
    ///
    /// # Errors
    /// When an entry is missing or of the wrong type, or a setting is out of range.
    fn load_state_dict(&mut self, state_dict: &Value) -> Result<()>;
}

pub(crate) fn floats(v: &[f64]) -> Value {
    Value::List(v.iter().map(|&x| x.into()).collect())
}

pub(crate) fn read_floats(sd: &Value, key: &str) -> Result<Vec<f64>> {
    sd.get(key)?.as_list()?.iter().map(Value::as_f64).collect()
}

pub(crate) fn read_count(sd: &Value, key: &str) -> Result<usize> {
    let v = sd.get(key)?.as_i64()?;
    usize::try_from(v)
        .map_err(|_| Error::invalid("scheduler state", format!("{key} >= 0"), v.to_string()))
}

pub(crate) fn base_lrs(opt: &dyn Optimizer) -> Vec<f64> {
    opt.param_groups().iter().map(|g| g.lr).collect()
}

pub(crate) fn set(opt: &mut dyn Optimizer, lrs: &[f64]) {
    for (g, &lr) in opt.param_groups_mut().iter_mut().zip(lrs) {
        g.lr = lr;
    }
}

/// Where a schedule stands: epochs stepped, the rates it started from, the rates it set last.
#[derive(Debug, Clone)]
struct Position {
    epoch: usize,
    base: Vec<f64>,
    last: Vec<f64>,
}

impl Position {
    fn start(opt: &dyn Optimizer) -> Position {
        Position {
            epoch: 0,
            base: base_lrs(opt),
            last: base_lrs(opt),
        }
    }

    /// The entries every PyTorch `LRScheduler` saves, after a scheduler's own fields.
    fn state_dict(&self, own: Vec<(&str, Value)>) -> Value {
        let mut entries = own;
        entries.extend([
            ("base_lrs", floats(&self.base)),
            ("last_epoch", Value::Int(self.epoch as i64)),
            ("_step_count", Value::Int(self.epoch as i64 + 1)),
            ("_is_initial", false.into()),
            ("_get_lr_called_within_step", false.into()),
            ("_last_lr", floats(&self.last)),
        ]);
        Value::dict(entries)
    }

    fn load(sd: &Value) -> Result<Position> {
        Ok(Position {
            epoch: read_count(sd, "last_epoch")?,
            base: read_floats(sd, "base_lrs")?,
            last: read_floats(sd, "_last_lr")?,
        })
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
    at: Position,
}

impl StepLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `step_size` is 0 or `gamma` is negative.
    pub fn new(opt: &dyn Optimizer, step_size: usize, gamma: f64) -> Result<StepLR> {
        StepLR::at(Position::start(opt), step_size, gamma)
    }

    fn at(at: Position, step_size: usize, gamma: f64) -> Result<StepLR> {
        if step_size == 0 {
            return Err(Error::hyperparameter("StepLR", "step_size", "> 0", "0"));
        }
        if !(gamma >= 0.0) {
            return Err(Error::hyperparameter(
                "StepLR",
                "gamma",
                ">= 0",
                gamma.to_string(),
            ));
        }
        Ok(StepLR {
            step_size,
            gamma,
            at,
        })
    }
}

impl LrScheduler for StepLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.at.epoch += 1;
        if self.at.epoch.is_multiple_of(self.step_size) {
            self.at.last = base_lrs(opt).iter().map(|lr| lr * self.gamma).collect();
            set(opt, &self.at.last);
        }
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.at.last.clone()
    }
    fn state_dict(&self) -> Value {
        self.at.state_dict(vec![
            ("step_size", Value::Int(self.step_size as i64)),
            ("gamma", self.gamma.into()),
        ])
    }
    fn load_state_dict(&mut self, sd: &Value) -> Result<()> {
        let (step_size, gamma) = (read_count(sd, "step_size")?, sd.get("gamma")?.as_f64()?);
        *self = StepLR::at(Position::load(sd)?, step_size, gamma)?;
        Ok(())
    }
}

/// Multiplies the rate by `gamma` every epoch, like `ExponentialLR`.
pub struct ExponentialLR {
    gamma: f64,
    at: Position,
}

impl ExponentialLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `gamma` is negative.
    pub fn new(opt: &dyn Optimizer, gamma: f64) -> Result<ExponentialLR> {
        ExponentialLR::at(Position::start(opt), gamma)
    }

    fn at(at: Position, gamma: f64) -> Result<ExponentialLR> {
        if !(gamma >= 0.0) {
            return Err(Error::hyperparameter(
                "ExponentialLR",
                "gamma",
                ">= 0",
                gamma.to_string(),
            ));
        }
        Ok(ExponentialLR { gamma, at })
    }
}

impl LrScheduler for ExponentialLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.at.epoch += 1;
        self.at.last = base_lrs(opt).iter().map(|lr| lr * self.gamma).collect();
        set(opt, &self.at.last);
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.at.last.clone()
    }
    fn state_dict(&self) -> Value {
        self.at.state_dict(vec![("gamma", self.gamma.into())])
    }
    fn load_state_dict(&mut self, sd: &Value) -> Result<()> {
        *self = ExponentialLR::at(Position::load(sd)?, sd.get("gamma")?.as_f64()?)?;
        Ok(())
    }
}

/// Anneals from the initial rate to `eta_min` along a half cosine over `t_max` epochs:
/// `η = η_min + (η₀ − η_min)(1 + cos(π·t/T_max))/2`, like `CosineAnnealingLR`.
pub struct CosineAnnealingLR {
    t_max: usize,
    eta_min: f64,
    at: Position,
}

impl CosineAnnealingLR {
    /// A schedule from the optimizer's current rates.
    ///
    /// # Errors
    /// When `t_max` is 0 or `eta_min` is negative.
    pub fn new(opt: &dyn Optimizer, t_max: usize, eta_min: f64) -> Result<CosineAnnealingLR> {
        CosineAnnealingLR::at(Position::start(opt), t_max, eta_min)
    }

    fn at(at: Position, t_max: usize, eta_min: f64) -> Result<CosineAnnealingLR> {
        if t_max == 0 {
            return Err(Error::hyperparameter(
                "CosineAnnealingLR",
                "T_max",
                "> 0",
                "0",
            ));
        }
        if !(eta_min >= 0.0) {
            return Err(Error::hyperparameter(
                "CosineAnnealingLR",
                "eta_min",
                ">= 0",
                eta_min.to_string(),
            ));
        }
        Ok(CosineAnnealingLR { t_max, eta_min, at })
    }
}

impl LrScheduler for CosineAnnealingLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.at.epoch += 1;
        let c =
            (1.0 + (std::f64::consts::PI * self.at.epoch as f64 / self.t_max as f64).cos()) / 2.0;
        let eta_min = self.eta_min;
        self.at.last = self
            .at
            .base
            .iter()
            .map(|b| eta_min + (b - eta_min) * c)
            .collect();
        set(opt, &self.at.last);
    }
    fn get_last_lr(&self) -> Vec<f64> {
        self.at.last.clone()
    }
    fn state_dict(&self) -> Value {
        self.at.state_dict(vec![
            ("T_max", Value::Int(self.t_max as i64)),
            ("eta_min", self.eta_min.into()),
        ])
    }
    fn load_state_dict(&mut self, sd: &Value) -> Result<()> {
        let (t_max, eta_min) = (read_count(sd, "T_max")?, sd.get("eta_min")?.as_f64()?);
        *self = CosineAnnealingLR::at(Position::load(sd)?, t_max, eta_min)?;
        Ok(())
    }
}
