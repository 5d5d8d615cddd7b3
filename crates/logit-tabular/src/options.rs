//! [`TabularOptions`]: every choice [`train`](crate::train) makes, with the defaults of
//! `logit train` (the command line is this struct, through the `clap` feature).

use logit_core::{Error, Result};
use logit_data::{Calibrator, ThresholdRule};

/// How `train` fits a table; `Default` is `logit train` without flags.
///
/// ```
/// use logit_tabular::{LossKind, TabularOptions};
/// let o = TabularOptions { loss: LossKind::Focal, epochs: Some(50), ..Default::default() };
/// assert_eq!(o.hidden, [16, 8]);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct TabularOptions {
    /// The label value that means 1 (default: 1, true, or the rarer of two strings).
    #[cfg_attr(feature = "clap", arg(long))]
    pub positive: Option<String>,
    /// Columns to ignore (comma-separated).
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    pub drop: Vec<String>,
    /// Impute empty cells with the training median (numbers) or most frequent value (text);
    /// otherwise they are errors (`--no-impute`).
    #[cfg_attr(
        feature = "clap",
        arg(
            long = "no-impute",
            action = clap::ArgAction::SetFalse,
            help = "Fail on empty cells instead of imputing the training median (numbers) or most frequent value (text)"
        )
    )]
    pub impute: bool,
    /// The model: `auto` fits a logistic regression and MLPs and keeps the best by
    /// validation log loss.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = defaults().model))]
    pub model: ModelKind,
    /// L2 penalty of the logistic regression as scikit-learn's C (smaller is stronger; on the
    /// standardised features); unpenalised without it.
    #[cfg_attr(feature = "clap", arg(long))]
    pub l2: Option<f64>,
    /// Hidden layer sizes (comma-separated).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_delimiter = ',', default_value = "16,8")
    )]
    pub hidden: Vec<usize>,
    /// The training loss.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = defaults().loss))]
    pub loss: LossKind,
    /// Weight of positives for bce-with-logits: a number, or `auto` (negatives/positives).
    #[cfg_attr(feature = "clap", arg(long))]
    pub pos_weight: Option<PosWeight>,
    /// The optimizer.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = defaults().optimizer))]
    pub optimizer: OptimizerKind,
    /// Learning rate.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().lr))]
    pub lr: f64,
    /// Maximum number of epochs [default: 200, fewer on a large table: about
    /// `ROW_BUDGET` (two million) training rows' worth, at least 3].
    #[cfg_attr(feature = "clap", arg(long))]
    pub epochs: Option<usize>,
    /// Mini-batch size [default: 32, or a two-thousandth of the training rows on a large
    /// table, at most 1024].
    #[cfg_attr(feature = "clap", arg(long))]
    pub batch_size: Option<usize>,
    /// Share of all rows held out for validation (early stopping, model choice, calibration,
    /// threshold); without one, those are fitted on the training rows.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().val_split))]
    pub val_split: f64,
    /// Share of all rows held out as a test split that chooses nothing: the metrics reported
    /// are its metrics (0: none).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().test_split))]
    pub test_split: f64,
    /// Folds for choosing the model under `--model auto` on tables of up to 20,000 training
    /// and validation rows (out-of-fold log loss, which a small validation split is too noisy
    /// for); 0 or 1: the validation split chooses.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().cv))]
    pub cv: usize,
    /// After measuring, fit a chosen logistic regression again on every row (training,
    /// validation and test) with its penalty, so the saved model uses all the data; the
    /// reported metrics stay those of the fit on the training rows. Not an MLP (its early
    /// stopping was validated for its own fit), not with a calibration, which belongs to the
    /// fit it was made for, nor on tables over `REFIT_MAX_ROWS` (100,000) rows. `--no-refit`
    /// keeps the training rows' fit.
    #[cfg_attr(
        feature = "clap",
        arg(
            long = "no-refit",
            action = clap::ArgAction::SetFalse,
            help = "Save the fit on the training rows instead of refitting a chosen logistic regression on every row after measuring it"
        )
    )]
    pub refit: bool,
    /// Seed of the split, initialisation and shuffling.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().seed))]
    pub seed: u64,
    /// Stop after this many epochs without a better validation loss (0: never).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().patience))]
    pub patience: usize,
    /// 0.5 | youden | precision=P | recall=R, chosen on the validation split.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = defaults().threshold))]
    pub threshold: ThresholdRule,
    /// The calibration fitted on the validation split.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = defaults().calibrate))]
    pub calibrate: CalibrateKind,
}

#[cfg(feature = "clap")]
fn defaults() -> TabularOptions {
    TabularOptions::default()
}

impl Default for TabularOptions {
    fn default() -> TabularOptions {
        TabularOptions {
            positive: None,
            drop: Vec::new(),
            impute: true,
            model: ModelKind::Auto,
            l2: None,
            hidden: vec![16, 8],
            loss: LossKind::BceWithLogits,
            pos_weight: None,
            optimizer: OptimizerKind::Adam,
            lr: 1e-3,
            epochs: None,
            batch_size: None,
            val_split: 0.2,
            test_split: 0.2,
            refit: true,
            cv: 5,
            seed: 0,
            patience: 20,
            threshold: ThresholdRule::Fixed(0.5),
            calibrate: CalibrateKind::None,
        }
    }
}

/// Training rows an MLP sees in all its epochs on a large table: the default epochs shrink
/// so that `epochs × rows` stays near this (a million-row table trains in seconds).
pub const ROW_BUDGET: usize = 2_000_000;

impl TabularOptions {
    /// The epochs for `rows` training rows: `--epochs`, or 200 capped by [`ROW_BUDGET`].
    pub fn epochs_for(&self, rows: usize) -> usize {
        self.epochs
            .unwrap_or_else(|| (ROW_BUDGET / rows.max(1)).clamp(3, 200))
    }

    /// The batch size for `rows` training rows: `--batch-size`, or 32 growing to
    /// `rows / 2000` (at most 1024).
    pub fn batch_size_for(&self, rows: usize) -> usize {
        self.batch_size
            .unwrap_or_else(|| (rows / 2000).clamp(32, 1024))
    }

    /// Checks the options that do not depend on the data.
    ///
    /// # Errors
    /// Splits outside [0, 1) or leaving under 10% to train on, auto without a validation
    /// split, a non-positive `l2`, zero epochs, batch size or width, or a positive weight for a
    /// loss that has none.
    pub fn check(&self) -> Result<()> {
        let bad =
            |what: &str, expected: &str, got: String| Err(Error::invalid(what, expected, got));
        let (v, t) = (self.val_split, self.test_split);
        if !((0.0..1.0).contains(&v) && (0.0..1.0).contains(&t) && v + t < 0.9) {
            return bad(
                "--val-split/--test-split",
                "fractions in [0, 1) leaving at least 10% of the rows to train on",
                format!("{v} and {t}"),
            );
        }
        if v == 0.0 && self.model == ModelKind::Auto {
            return bad(
                "--val-split",
                "a validation split for --model auto to choose on (or --model logistic/mlp)",
                "0".into(),
            );
        }
        if self.l2.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
            return bad("--l2", "a positive C", format!("{:?}", self.l2));
        }
        if self.epochs == Some(0) || self.batch_size == Some(0) || self.hidden.contains(&0) {
            return bad(
                "--epochs/--batch-size/--hidden",
                "positive values",
                format!(
                    "epochs {:?}, batch size {:?}, hidden {:?}",
                    self.epochs, self.batch_size, self.hidden
                ),
            );
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad("--lr", "a positive learning rate", self.lr.to_string());
        }
        if self.pos_weight.is_some() && self.loss != LossKind::BceWithLogits {
            return bad(
                "--pos-weight",
                "--loss bce-with-logits",
                self.loss.name().into(),
            );
        }
        Ok(())
    }
}

/// `--model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ModelKind {
    /// Logistic regression and MLP candidates; the best validation log loss wins.
    Auto,
    /// Maximum-likelihood logistic regression (IRLS), with a coefficient table.
    Logistic,
    /// An MLP with `--hidden` layers.
    Mlp,
}

/// `--loss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LossKind {
    /// BCELoss on the sigmoid of the logits.
    Bce,
    /// BCEWithLogitsLoss (with `--pos-weight`).
    BceWithLogits,
    /// Sigmoid focal loss, α = 0.25, γ = 2.
    Focal,
}

impl LossKind {
    /// The name `--loss` and `model.json` use.
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Bce => "bce",
            LossKind::BceWithLogits => "bce-with-logits",
            LossKind::Focal => "focal",
        }
    }
}

/// `--optimizer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum OptimizerKind {
    /// SGD with momentum 0.9.
    Sgd,
    /// Adam.
    Adam,
    /// AdamW (weight decay 0.01).
    Adamw,
}

/// `--calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum CalibrateKind {
    /// Probabilities are the sigmoid of the logits.
    None,
    /// Temperature scaling.
    Temperature,
    /// Platt scaling.
    Platt,
    /// Isotonic regression.
    Isotonic,
}

impl CalibrateKind {
    /// The calibrator of this kind fitted to validation logits and labels.
    ///
    /// # Errors
    /// As [`Calibrator::platt`].
    pub fn fit(self, logits: &[f64], labels: &[f64]) -> Result<Calibrator> {
        match self {
            CalibrateKind::Temperature => Calibrator::temperature(logits, labels),
            CalibrateKind::Platt => Calibrator::platt(logits, labels),
            CalibrateKind::Isotonic => Calibrator::isotonic(logits, labels),
            CalibrateKind::None => Ok(Calibrator::None),
        }
    }
}

/// `--pos-weight`: the weight of positive rows in the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PosWeight {
    /// Negatives per positive in the training split.
    Auto,
    /// A fixed positive weight.
    Value(f64),
}

impl std::str::FromStr for PosWeight {
    type Err = Error;
    fn from_str(s: &str) -> Result<PosWeight> {
        if s == "auto" {
            return Ok(PosWeight::Auto);
        }
        s.parse::<f64>()
            .ok()
            .filter(|w| *w > 0.0 && w.is_finite())
            .map(PosWeight::Value)
            .ok_or_else(|| {
                Error::invalid(
                    "--pos-weight",
                    "a positive number or auto",
                    format!("'{s}'"),
                )
            })
    }
}

impl PosWeight {
    /// The weight for a split with these 0/1 labels.
    pub fn value(self, labels: &[f32]) -> f64 {
        match self {
            PosWeight::Value(w) => w,
            PosWeight::Auto => {
                let pos = labels.iter().filter(|&&l| l == 1.0).count() as f64;
                (labels.len() as f64 - pos) / pos.max(1.0)
            }
        }
    }
}
