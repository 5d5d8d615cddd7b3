//! Choosing the model by k-fold cross-validation on small tables: one validation split of a
//! few hundred rows is too noisy to tell a logistic regression from an MLP, so on tables up to
//! [`CV_MAX_ROWS`] training rows every candidate is scored on out-of-fold rows instead.

use logit_core::{Result, Tensor};
use logit_data::RandomState;

use crate::candidate::{fit_logistic, fit_mlp, val_log_loss, Candidate, Kind};
use crate::options::TabularOptions;
use crate::train::PartData;

/// Tables with more training and validation rows than this choose on the validation split.
pub const CV_MAX_ROWS: usize = 20_000;

/// Replaces each candidate's validation losses with its out-of-fold losses over `rows`
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
    names: &[String],
) -> Result<bool> {
    let n = rows.y.shape()[0];
    if o.cv < 2 || candidates.len() < 2 || n > CV_MAX_ROWS || n < 2 * o.cv {
        return Ok(false);
    }
    let fold = stratified_folds(&rows.y.to_vec_f64(), o.cv, o.seed);
    let mut oof = vec![vec![0.0; n]; candidates.len()];
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
            let losses = match &cand.kind {
                Kind::Logistic(pen) => fit_logistic(*pen, &train, Some(&held), names)
                    .map_or_else(|_| vec![f64::INFINITY; va.len()], |k| k.row_losses),
                Kind::Mlp(spec) => {
                    let epochs = cand.history.best_epoch.unwrap_or(cand.history.len()).max(1);
                    let width = rows.x.shape()[1];
                    let k = fit_mlp(o, spec, width, (&train, None), Some(epochs), None)?;
                    val_log_loss(&k.net, Some(&held))?.1
                }
            };
            for (j, &i) in va.iter().enumerate() {
                oof[c][i] = losses[j];
            }
        }
    }
    for (cand, losses) in candidates.iter_mut().zip(oof) {
        cand.val_log_loss = losses.iter().sum::<f64>() / n as f64;
        cand.row_losses = losses;
    }
    Ok(true)
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
