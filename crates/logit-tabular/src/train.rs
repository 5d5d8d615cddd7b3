//! [`train`]: a table to a [`TabularModel`] — encode, split stratified, standardise, fit the
//! network with early stopping, calibrate and choose the threshold on the validation split.

use logit_core::{manual_seed, no_grad, Result, Tensor};
use logit_data::{
    fit_encoding, metrics, split_indices, Calibrator, DataLoader, IndexSplit, StandardScaler, Table,
};
use logit_losses::{
    binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid_focal_loss,
    BceWithLogitsOptions, FocalOptions, Reduction,
};
use logit_models::Mlp;
use logit_nn::Module;
use logit_optim::{Adam, AdamW, Optimizer, SGDConfig, SGD};
use logit_train::{Callback, Fit, History};

use crate::config::{ModelConfig, FORMAT};
use crate::model::TabularModel;
use crate::options::{LossKind, OptimizerKind, TabularOptions};

/// What [`train`] returns: the model and what training measured.
pub struct Trained {
    /// The trained model.
    pub model: TabularModel,
    /// Losses and the validation ROC-AUC per epoch.
    pub history: History,
    /// The validation split as the model scores it.
    pub validation: Scored,
    /// `(name, value)` rows: the validation metrics, ECE before calibration, threshold, epochs.
    pub metrics: Vec<(String, f64)>,
    /// Decisions worth telling the user (the picked positive class, the split sizes).
    pub notes: Vec<String>,
}

/// Calibrated probabilities and 0/1 labels of a split.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Calibrated probabilities.
    pub probs: Vec<f64>,
    /// 0/1 labels.
    pub labels: Vec<f64>,
}

/// Fits `table` to predict `target` as `o` says. `callback` sees every epoch (a progress bar).
///
/// ```
/// use logit_data::Table;
/// use logit_tabular::{train, TabularOptions};
/// let csv = (0..200).map(|i| format!("{},{}\n", i % 10, u8::from(i % 10 > 4)));
/// let text = format!("x,y\n{}", csv.collect::<String>());
/// let table = Table::read(text.as_bytes(), "xy.csv".as_ref())?;
/// let trained = train(&table, "y", &TabularOptions { epochs: 30, ..Default::default() }, None)?;
/// assert!(trained.model.predict(&[9.0], 1)?[0] > 0.5);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// Options that make no sense, data the encoder refuses, a split without both classes, or a
/// non-finite loss.
pub fn train(
    table: &Table,
    target: &str,
    o: &TabularOptions,
    callback: Option<&mut dyn Callback>,
) -> Result<Trained> {
    o.check()?;
    manual_seed(o.seed);
    let strata = table.strata(target)?;
    let IndexSplit {
        train: tr,
        test: va,
    } = split_indices(table.rows.len(), o.val_split, o.seed, Some(&strata))?;
    let (encoding, note) =
        fit_encoding(table, target, o.positive.as_deref(), &o.drop, o.impute, &tr)?;
    let (x_tr, y_tr) = encoding.transform(table, &tr)?;
    let (x_va, y_va) = encoding.transform(table, &va)?;
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
        threshold_rule: o.threshold.to_string(),
    };
    let net = config.build_model()?;
    let (xs_tr, xs_va) = (scaler.transform(&x_tr)?, scaler.transform(&x_va)?);
    let history = fit_net(o, &net, (&xs_tr, &y_tr), (&xs_va, &y_va), callback)?;

    let logits = {
        let _g = no_grad();
        net.forward(&xs_va)?.to_vec_f64()
    };
    let labels = y_va.to_vec_f64();
    config.calibration = o.calibrate.fit(&logits, &labels)?;
    let probs = config.calibration.transform(&logits);
    config.threshold = o.threshold.choose(&probs, &labels)?;
    let mut rows = metrics::report(&probs, &labels, config.threshold)?;
    let raw = Calibrator::None.transform(&logits);
    let ece_before = metrics::expected_calibration_error(&raw, &labels, 10)?;
    rows.insert(
        rows.len() - 1,
        ("ece_before_calibration".into(), ece_before),
    );
    rows.push(("threshold".into(), config.threshold));
    rows.push(("epochs".into(), history.len() as f64));
    let mut notes: Vec<String> = note.into_iter().collect();
    notes.push(format!(
        "trained on {} rows, validated on {} ({} features)",
        tr.len(),
        va.len(),
        config.encoding.width()
    ));
    Ok(Trained {
        model: TabularModel::with_net(config, net)?,
        history,
        validation: Scored { probs, labels },
        metrics: rows,
        notes,
    })
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

/// The optimizer `o.optimizer` names, with `o.lr`.
fn optimizer(o: &TabularOptions, params: Vec<Tensor>) -> Result<Box<dyn Optimizer>> {
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
    o: &TabularOptions,
    net: &Mlp,
    (x_tr, y_tr): (&Tensor, &Tensor),
    (x_va, y_va): (&Tensor, &Tensor),
    callback: Option<&mut dyn Callback>,
) -> Result<History> {
    let pos_weight = o
        .pos_weight
        .map(|w| Tensor::full(&[1], w.value(&y_tr.to_vec::<f32>())));
    let mut opt = optimizer(o, net.parameters())?;
    let mut loader = DataLoader::new(x_tr, y_tr, o.batch_size)?.shuffle(o.seed);
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
    .restore_best(true);
    if let Some(c) = callback {
        fit = fit.callback(c);
    }
    if o.patience > 0 {
        fit = fit.early_stopping(o.patience);
    }
    fit.run(&mut loader)
}
