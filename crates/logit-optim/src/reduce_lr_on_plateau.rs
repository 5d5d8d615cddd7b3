//! [`ReduceLROnPlateau`]: lowers the rate when a validation metric stops improving.

use logit_core::checkpoint::Value;
use logit_core::{Error, Result};

use crate::lr_scheduler::{base_lrs, floats, read_count, read_floats, set};
use crate::Optimizer;

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
    epoch: usize,
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
            epoch: 0,
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
        self.epoch += 1;
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

    /// The state in PyTorch's layout, like `ReduceLROnPlateau.state_dict()`.
    pub fn state_dict(&self) -> Value {
        let (mode, worse) = match self.mode {
            PlateauMode::Min => ("min", f64::INFINITY),
            PlateauMode::Max => ("max", f64::NEG_INFINITY),
        };
        Value::dict([
            ("factor", self.factor.into()),
            ("default_min_lr", self.min_lr.into()),
            ("min_lrs", floats(&vec![self.min_lr; self.last.len()])),
            ("patience", Value::Int(self.patience as i64)),
            ("cooldown", Value::Int(self.cooldown as i64)),
            ("eps", 1e-8.into()),
            ("last_epoch", Value::Int(self.epoch as i64)),
            ("_last_lr", floats(&self.last)),
            ("mode_worse", worse.into()),
            ("mode", mode.into()),
            ("threshold", self.threshold.into()),
            ("threshold_mode", "rel".into()),
            ("best", self.best.into()),
            ("cooldown_counter", Value::Int(self.cooldown_left as i64)),
            ("num_bad_epochs", Value::Int(self.bad_epochs as i64)),
        ])
    }

    /// Resumes from a state saved here or by PyTorch.
    ///
    /// # Errors
    /// When an entry is missing or of the wrong type, or the state uses settings logit does
    /// not implement (absolute threshold mode, a different `min_lr` per group).
    pub fn load_state_dict(&mut self, sd: &Value) -> Result<()> {
        let bad =
            |expected: &str, got: String| Error::invalid("ReduceLROnPlateau state", expected, got);
        self.mode = match sd.get("mode")?.as_str()? {
            "min" => PlateauMode::Min,
            "max" => PlateauMode::Max,
            m => return Err(bad("mode 'min' or 'max'", m.to_string())),
        };
        if sd.get("threshold_mode")?.as_str()? != "rel" {
            return Err(bad(
                "threshold_mode 'rel'",
                format!("{}", sd.get("threshold_mode")?),
            ));
        }
        let min_lrs = read_floats(sd, "min_lrs")?;
        if min_lrs.windows(2).any(|w| w[0] != w[1]) {
            return Err(bad("one min_lr for every group", format!("{min_lrs:?}")));
        }
        self.min_lr = min_lrs.first().copied().unwrap_or(0.0);
        self.factor = sd.get("factor")?.as_f64()?;
        self.patience = read_count(sd, "patience")?;
        self.cooldown = read_count(sd, "cooldown")?;
        self.threshold = sd.get("threshold")?.as_f64()?;
        self.best = sd.get("best")?.as_f64()?;
        self.cooldown_left = read_count(sd, "cooldown_counter")?;
        self.bad_epochs = read_count(sd, "num_bad_epochs")?;
        self.epoch = read_count(sd, "last_epoch")?;
        self.last = read_floats(sd, "_last_lr")?;
        Ok(())
    }
}
