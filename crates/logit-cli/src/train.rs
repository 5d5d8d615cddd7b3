//! `logit train`: fits the MLP on a CSV and writes a model folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use logit_core::{manual_seed, no_grad, Error, Result, Tensor};
use logit_data::{
    fit_encoding, metrics, split_indices, Calibrator, DataLoader, IndexSplit, StandardScaler,
    Table, ThresholdRule,
};
use logit_losses::{
    binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid_focal_loss,
    BceWithLogitsOptions, FocalOptions, Reduction,
};
use logit_models::Mlp;
use logit_nn::Module;
use logit_optim::{Adam, AdamW, Optimizer, SGDConfig, SGD};
use logit_train::{Callback, Control, EpochLog, Fit, History};

use crate::config::{ModelConfig, FORMAT};
use crate::folder::write_model_folder;

/// The breast-cancer data bundled into the binary, used when `train` gets no CSV.
pub const BUNDLED: &str = include_str!("../../../data/breast_cancer.csv");

/// Options of `logit train`; the doc comments are the `--help` text.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainOptions {
    /// The CSV (a header row, one 0/1 or two-valued label column). Without it, the bundled
    /// breast-cancer data trains (target `malignant`).
    pub data: Option<PathBuf>,
    /// The label column.
    #[arg(long)]
    pub target: Option<String>,
    /// The label value that means 1 (default: 1, true, or the rarer of two strings).
    #[arg(long)]
    pub positive: Option<String>,
    /// Columns to ignore (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub drop: Vec<String>,
    /// Fail on empty cells instead of imputing the training median (numbers) or most frequent
    /// value (text).
    #[arg(long)]
    pub no_impute: bool,
    /// Hidden layer sizes (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "16,8")]
    pub hidden: Vec<usize>,
    /// The training loss.
    #[arg(long, value_enum, default_value_t = LossKind::BceWithLogits)]
    pub loss: LossKind,
    /// Weight of positives for bce-with-logits: a number, or `auto` (negatives/positives).
    #[arg(long)]
    pub pos_weight: Option<String>,
    /// The optimizer (SGD with momentum 0.9).
    #[arg(long, value_enum, default_value_t = OptimizerKind::Adam)]
    pub optimizer: OptimizerKind,
    /// Learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Mini-batch size.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Share of rows held out for validation (threshold, calibration, early stopping).
    #[arg(long, default_value_t = 0.2)]
    pub val_split: f64,
    /// Seed of the split, initialisation and shuffling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stop after this many epochs without a better validation loss (0: never).
    #[arg(long, default_value_t = 20)]
    pub patience: usize,
    /// 0.5 | youden | precision=P | recall=R, chosen on the validation split.
    #[arg(long, default_value = "0.5")]
    pub threshold: String,
    /// The calibration fitted on the validation split.
    #[arg(long, value_enum, default_value_t = CalibrateKind::None)]
    pub calibrate: CalibrateKind,
    /// Output model folder.
    #[arg(long, default_value = "model")]
    pub out: PathBuf,
    /// Print one JSON line per epoch on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `--loss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OptimizerKind {
    /// SGD with momentum 0.9.
    Sgd,
    /// Adam.
    Adam,
    /// AdamW (weight decay 0.01).
    Adamw,
}

/// `--calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

/// What training measured on the validation split.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// `(name, value)` rows of the final table.
    pub metrics: Vec<(String, f64)>,
    /// Notes printed before the table (e.g. the picked positive class).
    pub notes: Vec<String>,
}

fn check(o: &TrainOptions) -> Result<()> {
    let bad = |what: &str, expected: &str, got: String| Err(Error::invalid(what, expected, got));
    if !(o.val_split > 0.0 && o.val_split < 1.0) {
        return bad(
            "--val-split",
            "a fraction in (0, 1)",
            o.val_split.to_string(),
        );
    }
    if o.epochs == 0 || o.batch_size == 0 || o.hidden.is_empty() || o.hidden.contains(&0) {
        return bad(
            "--epochs/--batch-size/--hidden",
            "positive values",
            format!(
                "epochs {}, batch size {}, hidden {:?}",
                o.epochs, o.batch_size, o.hidden
            ),
        );
    }
    if o.pos_weight.is_some() && o.loss != LossKind::BceWithLogits {
        return bad(
            "--pos-weight",
            "--loss bce-with-logits",
            o.loss.name().into(),
        );
    }
    Ok(())
}

fn loss_of(
    kind: LossKind,
    logits: &Tensor,
    y: &Tensor,
    pos_weight: Option<&Tensor>,
) -> Result<Tensor> {
    match kind {
        LossKind::Bce => binary_cross_entropy(&logits.sigmoid(), y, Reduction::Mean),
        LossKind::Focal => sigmoid_focal_loss(
            logits,
            y,
            FocalOptions {
                alpha: 0.25,
                gamma: 2.0,
                reduction: Reduction::Mean,
            },
        ),
        LossKind::BceWithLogits => binary_cross_entropy_with_logits(
            logits,
            y,
            BceWithLogitsOptions {
                pos_weight,
                reduction: Reduction::Mean,
                ..Default::default()
            },
        ),
    }
}

/// Trains, chooses the threshold and calibration on the validation split, and writes the model
/// folder (atomically: it appears whole or not at all).
///
/// # Errors
/// Any data, option or I/O problem, or a non-finite loss during training.
pub fn train(o: &TrainOptions, progress: &mut dyn FnMut(&str)) -> Result<TrainSummary> {
    check(o)?;
    let rule: ThresholdRule = o.threshold.parse().map_err(|_| {
        Error::invalid(
            "--threshold",
            "a number in [0, 1], youden, precision=P or recall=R",
            format!("'{}'", o.threshold),
        )
    })?;
    let (table, target) = load(o)?;
    manual_seed(o.seed);
    let strata = table.strata(&target)?;
    let IndexSplit {
        train: tr,
        test: va,
    } = split_indices(table.rows.len(), o.val_split, o.seed, Some(&strata))?;
    let (encoding, note) = fit_encoding(
        &table,
        &target,
        o.positive.as_deref(),
        &o.drop,
        !o.no_impute,
        &tr,
    )?;
    let width = encoding.width();
    let (x_tr, y_tr) = encoding.transform(&table, &tr)?;
    let (x_va, y_va) = encoding.transform(&table, &va)?;
    let scaler = StandardScaler::fit(&x_tr)?;
    let mut config = ModelConfig {
        format: FORMAT.into(),
        hidden: o.hidden.clone(),
        loss: o.loss.name().into(),
        encoding,
        scaler_mean: scaler.mean.clone(),
        scaler_scale: scaler.scale.clone(),
        calibration: Calibrator::None,
        threshold: 0.5,
        threshold_rule: rule.to_string(),
    };
    let (x_tr, x_va) = (scaler.transform(&x_tr)?, scaler.transform(&x_va)?);
    let net = config.build_model()?;
    let history = fit_net(o, &net, (&x_tr, &y_tr), (&x_va, &y_va), progress)?;

    let logits = {
        let _g = no_grad();
        net.forward(&x_va)?.to_vec_f64()
    };
    let val_labels = y_va.to_vec_f64();
    config.calibration = o.calibrate.fit(&logits, &val_labels)?;
    let probs = config.calibration.transform(&logits);
    config.threshold = rule.choose(&probs, &val_labels)?;
    let raw = Calibrator::None.transform(&logits);
    let mut table_rows = metrics::report(&probs, &val_labels, config.threshold)?;
    let ece_before = metrics::expected_calibration_error(&raw, &val_labels, 10)?;
    table_rows.insert(
        table_rows.len() - 1,
        ("ece_before_calibration".into(), ece_before),
    );
    table_rows.push(("threshold".into(), config.threshold));
    table_rows.push(("epochs".into(), history.len() as f64));
    let report = crate::folder::Report {
        metrics: &table_rows,
        train_curve: &history.train_losses(),
        val_curve: &history.val_losses(),
        probs: &probs,
        labels: &val_labels,
        config: &config,
    };
    write_model_folder(&o.out, &net, &config, &report)?;
    let mut notes: Vec<String> = note.into_iter().collect();
    notes.push(format!(
        "trained on {} rows, validated on {} ({width} features); model written to {}",
        tr.len(),
        va.len(),
        o.out.display()
    ));
    Ok(TrainSummary {
        metrics: table_rows,
        notes,
    })
}

/// The CSV (or the bundled data) and the label column's name.
fn load(o: &TrainOptions) -> Result<(Table, String)> {
    let (table, default_target) = match &o.data {
        Some(p) => (Table::open(p)?, None),
        None => (
            Table::read(BUNDLED.as_bytes(), Path::new("bundled breast_cancer.csv"))?,
            Some("malignant"),
        ),
    };
    let target =
        o.target.as_deref().or(default_target).ok_or_else(|| {
            Error::invalid("--target", "the name of the 0/1 label column", "nothing")
        })?;
    Ok((table, target.to_string()))
}

/// `--pos-weight` as a tensor: a number, or `auto` (negatives per positive in `y`).
fn pos_weight(o: &TrainOptions, y: &Tensor) -> Result<Option<Tensor>> {
    let pos = y.sum().item()?;
    let rows = y.shape()[0] as f64;
    let w = match o.pos_weight.as_deref() {
        None => return Ok(None),
        Some("auto") => (rows - pos) / pos.max(1.0),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|w| *w > 0.0 && w.is_finite())
            .ok_or_else(|| {
                Error::invalid(
                    "--pos-weight",
                    "a positive number or auto",
                    format!("'{v}'"),
                )
            })?,
    };
    Ok(Some(Tensor::full(&[1], w)))
}

/// The optimizer `--optimizer` names, with `--lr`.
fn optimizer(o: &TrainOptions, params: Vec<Tensor>) -> Result<Box<dyn Optimizer>> {
    Ok(match o.optimizer {
        OptimizerKind::Sgd => Box::new(SGD::new(
            params,
            SGDConfig {
                lr: o.lr,
                momentum: 0.9,
                ..Default::default()
            },
        )?),
        OptimizerKind::Adamw => Box::new(AdamW::new(params, o.lr)?),
        OptimizerKind::Adam => Box::new(Adam::new(params, o.lr)?),
    })
}

/// Trains `net` with early stopping on the validation log loss, ending with the best weights.
fn fit_net(
    o: &TrainOptions,
    net: &Mlp,
    (x_tr, y_tr): (&Tensor, &Tensor),
    (x_va, y_va): (&Tensor, &Tensor),
    progress: &mut dyn FnMut(&str),
) -> Result<History> {
    let pos_weight = pos_weight(o, y_tr)?;
    let mut opt = optimizer(o, net.parameters())?;
    let mut loader = DataLoader::new(x_tr, y_tr, o.batch_size)?.shuffle(o.seed);
    let mut bar = Progress::new(o.epochs, o.json, progress);
    let mut fit = Fit::new(net, opt.as_mut(), |out: &Tensor, y: &Tensor| {
        loss_of(o.loss, out, y, pos_weight.as_ref())
    })
    .epochs(o.epochs)
    .validation(x_va, y_va)
    // every loss is judged by the same log loss, so runs with different losses compare
    .val_loss(|out, y| binary_cross_entropy_with_logits(out, y, Reduction::Mean))
    .metric("roc_auc", |out, y| {
        Ok(metrics::roc_auc(&out.sigmoid().to_vec_f64(), &y.to_vec_f64()).unwrap_or(f64::NAN))
    })
    .restore_best(true)
    .callback(&mut bar);
    if o.patience > 0 {
        fit = fit.early_stopping(o.patience);
    }
    let history = fit.run(&mut loader)?;
    bar.finish();
    Ok(history)
}

/// The CLI's view of a fit: an indicatif bar on a terminal, or one JSON line per epoch.
struct Progress<'p> {
    bar: Option<ProgressBar>,
    json: bool,
    emit: &'p mut dyn FnMut(&str),
}

impl<'p> Progress<'p> {
    fn new(epochs: usize, json: bool, emit: &'p mut dyn FnMut(&str)) -> Progress<'p> {
        let bar = (!json && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(epochs as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")
                    .expect("valid template"),
            );
            b
        });
        Progress { bar, json, emit }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Callback for Progress<'_> {
    fn on_epoch_end(
        &mut self,
        log: &EpochLog,
        _: &dyn Module,
        _: &dyn Optimizer,
    ) -> Result<Control> {
        let (epoch, train_loss) = (log.epoch, log.train_loss);
        let val_loss = log.val_loss.unwrap_or(f64::NAN);
        let val_auc = log.metrics.first().map_or(f64::NAN, |m| m.1);
        if self.json {
            (self.emit)(&format!("{{\"epoch\":{epoch},\"train_loss\":{train_loss},\"val_loss\":{val_loss},\"val_roc_auc\":{val_auc}}}"));
        }
        if let Some(b) = &self.bar {
            b.set_position(epoch as u64);
            b.set_message(format!(
                "loss {train_loss:.4} val_loss {val_loss:.4} val_roc_auc {val_auc:.4}"
            ));
        }
        Ok(Control::Continue)
    }
}
