//! [`train`]: a table to a [`TabularModel`] — split three ways, encode, standardise, fit the
//! candidate models (logistic regression, MLPs), keep the best by validation log loss,
//! calibrate and choose the threshold on the validation split, and score the held-out test
//! split, which chose nothing.

use logit_core::{manual_seed, no_grad, Result};
use logit_data::{fit_encoding, metrics, Calibrator, Table};
use logit_nn::Module;
use logit_train::{Callback, History, VALIDATION_CHUNK};

use crate::candidate::{
    choose, fit_logistic, fit_mlp, logistic_candidates, mlp_candidates, Candidate,
};
use crate::coefficients::Coefficients;
use crate::config::{ModelConfig, FORMAT};
use crate::model::TabularModel;
use crate::options::{ModelKind, TabularOptions};
use crate::parts::Parts;
use crate::prepared::{concat, PartData, Prepared};
use crate::refit::refit_on_every_row;

/// What [`train`] returns: the model and what training measured.
pub struct Trained {
    /// The trained model.
    pub model: TabularModel,
    /// Losses and the validation ROC-AUC per epoch of the chosen MLP (empty for a logistic
    /// regression).
    pub history: History,
    /// The validation split as the final model scores it (the training rows when there is
    /// no validation split).
    pub validation: Scored,
    /// The test split as the final model scores it, when there is one.
    pub test: Option<Scored>,
    /// The validation metrics, ECE before calibration, threshold, epochs.
    pub validation_metrics: Vec<(String, f64)>,
    /// The test metrics, when there is a test split.
    pub test_metrics: Option<Vec<(String, f64)>>,
    /// Every candidate fitted, the chosen one first.
    pub candidates: Vec<CandidateScore>,
    /// The coefficient table, when the chosen model is the logistic regression.
    pub coefficients: Option<Coefficients>,
    /// Decisions worth telling the user (the picked positive class, the split sizes, the
    /// chosen model, fallbacks).
    pub notes: Vec<String>,
}

/// One fitted candidate: its name (`logistic`, `mlp 16,8 adam`, …), validation log loss of
/// its uncalibrated probabilities (NaN without a validation split) and epochs (none for the
/// logistic regression).
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateScore {
    /// The candidate's name.
    pub name: String,
    /// Its validation log loss.
    pub val_log_loss: f64,
    /// Its epochs.
    pub history: History,
    /// Its cross-validated log loss and ROC-AUC (mean, sd over the folds), on tables up to
    /// [`CV_MAX_ROWS`](crate::CV_MAX_ROWS) training and validation rows.
    pub cv: Option<crate::cv::CvScore>,
}

/// Calibrated probabilities and 0/1 labels of a split.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Calibrated probabilities.
    pub probs: Vec<f64>,
    /// 0/1 labels.
    pub labels: Vec<f64>,
}

/// Fits `table` to predict `target` as `o` says, consuming it (its memory is released once
/// it is encoded). `callback` sees every epoch of every MLP
/// fitted (a progress bar).
///
/// ```
/// use logit_data::Table;
/// use logit_tabular::{train, TabularOptions};
/// let csv = (0..200).map(|i| format!("{},{}\n", i % 10, u8::from(i % 10 > 4 || i % 7 == 0)));
/// let text = format!("x,y\n{}", csv.collect::<String>());
/// let table = Table::read(text.as_bytes(), "xy.csv".as_ref())?;
/// let trained = train(table, "y", &TabularOptions { epochs: Some(30), ..Default::default() }, None)?;
/// assert!(trained.model.predict(&[9.0], 1)?[0] > 0.5);
/// assert!(trained.test_metrics.is_some()); // 20% held out from every choice
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// Options that make no sense, data the encoder refuses, a class with one row, a logistic
/// regression on separated or collinear data, or a non-finite loss.
pub fn train(
    table: Table,
    target: &str,
    o: &TabularOptions,
    callback: Option<&mut (dyn Callback + '_)>,
) -> Result<Trained> {
    o.check()?;
    manual_seed(o.seed);
    // the table's problems (a bad cell, a third label) come before the split's: a pass with
    // no rows to fit statistics on decides the columns and the labels
    fit_encoding(
        &table,
        target,
        o.positive.as_deref(),
        &o.drop,
        o.impute,
        &[],
    )?;
    let mut parts = Parts::split(&table, target, o)?;
    let data = Prepared::new(&table, target, o, &parts)?;
    // the table is encoded: a million rows of it need not wait for the fit
    drop(table);
    // the one-off copies of the encoding and scaling would otherwise stay in the tensor
    // buffer cache for the whole fit (a million-row table's raw features)
    logit_core::memory::empty_cache();
    let (mut candidates, notes) = fit_candidates(o, &data, callback)?;
    parts.notes.extend(notes);
    let pooled_rows = parts.train.len() + parts.validation.len();
    if o.cv >= 2 && pooled_rows <= crate::cv::CV_MAX_ROWS {
        let design = crate::coefficients::Design::of(&data.encoding);
        let pooled = concat([Some(data.train.clone()), data.val.clone(), None])?;
        if crate::cv::cross_validate(o, &pooled, &mut candidates, &design)? {
            let what = if candidates.len() > 1 {
                "candidates compared"
            } else {
                "scored"
            };
            parts.notes.push(format!(
                "{what} by {}-fold cross-validation on the {pooled_rows} training and validation rows",
                o.cv
            ));
        }
    }
    if candidates.is_empty() {
        return Err(logit_core::Error::invalid(
            "train",
            "a model that fits",
            parts.notes.join("; "),
        ));
    }
    let (best, others) = choose(candidates);
    let scores: Vec<CandidateScore> = std::iter::once(&best)
        .chain(&others)
        .map(|c| CandidateScore {
            name: c.name.clone(),
            val_log_loss: c.val_log_loss,
            history: c.history.clone(),
            cv: c.cv,
        })
        .collect();
    drop(others);
    finish(o, best, data, scores, parts)
}

/// Every candidate `o.model` asks for; under auto a logistic fit that fails is left out with
/// a note.
fn fit_candidates(
    o: &TabularOptions,
    data: &Prepared,
    mut callback: Option<&mut (dyn Callback + '_)>,
) -> Result<(Vec<Candidate>, Vec<String>)> {
    let (encoding, train_part, val_part) = (&data.encoding, &data.train, data.val.as_ref());
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut notes = Vec::new();
    if o.model != ModelKind::Mlp {
        let design = crate::coefficients::Design::of(encoding);
        for c in logistic_candidates(o) {
            match fit_logistic(c, train_part, val_part, &design) {
                Ok(fit) => candidates.push(fit),
                // under auto, another candidate takes over
                Err(e) if o.model == ModelKind::Auto => {
                    let name = c.map_or("logistic".into(), |c| format!("logistic C={c}"));
                    notes.push(format!("candidate {name} left out: {e}"));
                }
                Err(e) => return Err(e),
            }
        }
    }
    if o.model != ModelKind::Logistic {
        for spec in mlp_candidates(o) {
            let c = fit_mlp(
                o,
                &spec,
                encoding.width(),
                (train_part, val_part),
                None,
                callback.as_deref_mut(),
            )?;
            candidates.push(c);
        }
    }
    Ok((candidates, notes))
}

/// Calibration, threshold and metrics of the chosen candidate.
fn finish(
    o: &TabularOptions,
    best: Candidate,
    data: Prepared,
    candidates: Vec<CandidateScore>,
    parts: Parts,
) -> Result<Trained> {
    let logits = |p: &PartData| -> Result<(Vec<f64>, Vec<f64>)> {
        let _g = no_grad();
        Ok((
            best.net
                .forward_chunked(&p.x, VALIDATION_CHUNK)?
                .to_vec_f64(),
            p.y.to_vec_f64(),
        ))
    };
    let Prepared {
        encoding,
        mut scaler,
        note,
        train,
        val,
        test,
    } = data;
    let (val_logits, val_labels) = logits(val.as_ref().unwrap_or(&train))?;
    let calibration = o.calibrate.fit(&val_logits, &val_labels)?;
    let validation = Scored {
        probs: calibration.transform(&val_logits),
        labels: val_labels,
    };
    let threshold = o.threshold.choose(&validation.probs, &validation.labels)?;
    let ece_before = metrics::expected_calibration_error(
        &Calibrator::None.transform(&val_logits),
        &validation.labels,
        10,
    )?;
    let mut val_rows = validation.report(threshold)?;
    val_rows.insert(
        val_rows.len() - 1,
        ("ece_before_calibration".into(), ece_before),
    );
    val_rows.push(("epochs".into(), best.history.len() as f64));
    let test_part = test;
    let test = test_part
        .as_ref()
        .map(|p| -> Result<Scored> {
            let (z, labels) = logits(p)?;
            let probs = calibration.transform(&z);
            Ok(Scored { probs, labels })
        })
        .transpose()?;
    let test_metrics = test.as_ref().map(|t| t.report(threshold)).transpose()?;
    let mut notes = summary_notes(note, &parts, &best.name, &candidates, encoding.width());
    // the metrics above are the training rows' fit's; the saved model may use every row
    let parts3 = [Some(train), val, test_part];
    let (best, history) = match refit_on_every_row(o, &best, parts3, &mut scaler, &encoding)? {
        Some((again, rows)) => {
            notes.push(format!(
                "refit on all {rows} rows with what was chosen; the metrics are of the fit on the {} training rows",
                parts.train.len()
            ));
            (again, best.history)
        }
        None => {
            let history = best.history.clone();
            (best, history)
        }
    };
    let coefficients = best
        .logistic
        .as_ref()
        .map(|fit| Coefficients::new(fit, &encoding, &scaler.mean, &scaler.scale));
    let config = ModelConfig {
        format: FORMAT.into(),
        hidden: best.hidden.clone(),
        loss: best.loss.clone(),
        encoding,
        scaler_mean: scaler.mean,
        scaler_scale: scaler.scale,
        calibration,
        threshold,
        threshold_rule: o.threshold.to_string(),
    };
    Ok(Trained {
        model: TabularModel::with_net(config, best.net)?,
        history,
        validation,
        test,
        validation_metrics: val_rows,
        test_metrics,
        candidates,
        coefficients,
        notes,
    })
}

impl Scored {
    /// scikit-learn's metrics at `threshold`, then the threshold.
    ///
    /// # Errors
    /// As [`metrics::report`].
    pub fn report(&self, threshold: f64) -> Result<Vec<(String, f64)>> {
        let mut rows = metrics::report(&self.probs, &self.labels, threshold)?;
        rows.push(("threshold".into(), threshold));
        Ok(rows)
    }
}

/// The notes of a run: the encoder's, the split's, the sizes and the model choice.
fn summary_notes(
    note: Option<String>,
    parts: &Parts,
    best: &str,
    candidates: &[CandidateScore],
    width: usize,
) -> Vec<String> {
    let mut notes: Vec<String> = note
        .into_iter()
        .chain(parts.notes.iter().cloned())
        .collect();
    notes.push(format!(
        "trained on {} rows, validated on {}, tested on {} ({width} features)",
        parts.train.len(),
        parts.validation.len(),
        parts.test.len(),
    ));
    if candidates.len() > 1 {
        let list: Vec<String> = candidates
            .iter()
            .map(|c| format!("{} {:.4}", c.name, c.val_log_loss))
            .collect();
        notes.push(format!(
            "model: {best} (log loss it was chosen by: {})",
            list.join(", ")
        ));
    }
    notes
}
