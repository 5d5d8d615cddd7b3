//! Choosing the model by k-fold cross-validation on small tables: one validation split of a
//! few hundred rows is too noisy to tell a logistic regression from an MLP, so on tables up to
//! [`CV_MAX_ROWS`] training rows every candidate is scored on out-of-fold rows instead.

use logit_core::{Result, Tensor};
use logit_data::RandomState;
use logit_nn::Module;

use crate::candidate::{fit_logistic, fit_mlp, val_log_loss, Candidate, Kind};
use crate::coefficients::Design;
use crate::options::TabularOptions;
use crate::prepared::PartData;

/// Tables with more training and validation rows than this choose on the validation split.
pub const CV_MAX_ROWS: usize = 20_000;

/// Replaces each candidate's validation losses with its out-of-fold losses over `rows` and
/// records its per-fold log loss and ROC-AUC
/// (`o.cv` stratified folds): a logistic regression as chosen, an MLP for the epochs its own
/// fit chose, without early stopping (the held-out fold must not pick anything). Returns
/// whether it did; a candidate that cannot be fitted on some fold scores infinity.
///
/// # Errors
/// A fold's data that cannot be gathered or a non-finite MLP loss.
pub(crate) fn cross_validate(
    o: &TabularOptions,
    rows: &PartData,
    candidates: &mut [Candidate],
    design: &Design,
) -> Result<bool> {
    let n = rows.y.shape()[0];
    if o.cv < 2 || n > CV_MAX_ROWS || n < 2 * o.cv {
        return Ok(false);
    }
    let fold = stratified_folds(&rows.y.to_vec_f64(), o.cv, o.seed);
    let mut oof = vec![vec![0.0; n]; candidates.len()];
    let mut folds: Vec<Vec<(f64, f64)>> = vec![Vec::new(); candidates.len()];
    for f in 0..o.cv {
        let (tr, va): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| fold[i] != f);
        let take = |idx: &[usize]| -> Result<PartData> {
            let t = Tensor::from_vec(idx.iter().map(|&i| i as i64).collect(), &[idx.len()])?;
            Ok(PartData {
                x: rows.x.index_select(0, &t)?,
                y: rows.y.index_select(0, &t)?,
            })
        };
        let (train, held) = (take(&tr)?, take(&va)?);
        for (c, cand) in candidates.iter().enumerate() {
            let fitted = match &cand.kind {
                Kind::Logistic(pen) => fit_logistic(*pen, &train, Some(&held), design).ok(),
                Kind::Mlp(spec) => {
                    let epochs = cand.history.best_epoch.unwrap_or(cand.history.len()).max(1);
                    let width = rows.x.shape()[1];
                    Some(fit_mlp(o, spec, width, (&train, None), Some(epochs), None)?)
                }
            };
            let (losses, score) = match fitted {
                Some(k) => {
                    let (loss, losses) = val_log_loss(&k.net, Some(&held))?;
                    (losses, (loss, fold_auc(&k, &held)?))
                }
                None => (vec![f64::INFINITY; va.len()], (f64::INFINITY, f64::NAN)),
            };
            for (j, &i) in va.iter().enumerate() {
                oof[c][i] = losses[j];
            }
            folds[c].push(score);
        }
    }
    for ((cand, losses), scores) in candidates.iter_mut().zip(oof).zip(folds) {
        cand.val_log_loss = losses.iter().sum::<f64>() / n as f64;
        cand.row_losses = losses;
        let (ll, auc): (Vec<f64>, Vec<f64>) = scores.into_iter().unzip();
        cand.cv = Some(CvScore {
            log_loss: spread(&ll),
            roc_auc: spread(&auc),
        });
    }
    Ok(true)
}

/// A candidate's cross-validated metrics: mean and standard deviation over the folds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvScore {
    /// Log loss of the uncalibrated probabilities, (mean, sd).
    pub log_loss: (f64, f64),
    /// ROC-AUC, (mean, sd).
    pub roc_auc: (f64, f64),
}

fn spread(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn fold_auc(k: &Candidate, held: &PartData) -> Result<f64> {
    let _g = logit_core::no_grad();
    let p = k
        .net
        .forward_chunked(&held.x, logit_train::VALIDATION_CHUNK)?
        .sigmoid()
        .to_vec_f64();
    Ok(logit_data::metrics::roc_auc(&p, &held.y.to_vec_f64()).unwrap_or(f64::NAN))
}

/// A fold in `0..k` for each row: each class's rows shuffled, then dealt out in turn, so every
/// fold has each class's share.
fn stratified_folds(labels: &[f64], k: usize, seed: u64) -> Vec<usize> {
    let mut g = RandomState::new((seed & 0xffff_ffff) as u32);
    let mut fold = vec![0; labels.len()];
    let mut next = 0;
    for class in [0.0, 1.0] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        g.shuffle(&mut idx);
        for i in idx {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}
