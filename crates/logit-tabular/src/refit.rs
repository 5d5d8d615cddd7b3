//! Refitting the chosen logistic regression on every row once it is measured, as
//! scikit-learn's fit on the whole data does: the standardisation is fitted again, then the
//! regression with the chosen penalty.

use logit_core::{Result, Tensor};
use logit_data::{Encoding, StandardScaler};

use crate::candidate::{fit_logistic, Candidate, Kind};
use crate::options::{CalibrateKind, TabularOptions};
use crate::prepared::{concat, keep_one_hot, PartData};

/// Tables up to this many rows are refit on every row after measuring; on larger ones the
/// training rows already say what more rows would, and a refit would double the time.
pub const REFIT_MAX_ROWS: usize = 100_000;

/// `best`, a logistic regression, fitted again on all `parts` (training, validation, test)
/// with `scaler` refitted on them, and the number of rows; `None` when `o` or the table says
/// not to (`--no-refit`, a calibration, which belongs to the fit it was made for, an MLP, more
/// than [`REFIT_MAX_ROWS`] rows, or no rows besides the training ones).
///
/// # Errors
/// As the candidate's fit.
pub(crate) fn refit_on_every_row(
    o: &TabularOptions,
    best: &Candidate,
    parts: [Option<PartData>; 3],
    scaler: &mut StandardScaler,
    encoding: &Encoding,
) -> Result<Option<(Candidate, usize)>> {
    let held_out = parts[1].is_some() || parts[2].is_some();
    let rows: usize = parts.iter().flatten().map(|p| p.y.shape()[0]).sum();
    // an MLP's epoch count was chosen for its own rows and initialisation: a network trained
    // again on more rows is one nothing validated (and did worse in docs/tabular-quality.md)
    let Kind::Logistic(penalty) = best.kind else {
        return Ok(None);
    };
    if !o.refit || o.calibrate != CalibrateKind::None || rows > REFIT_MAX_ROWS || !held_out {
        return Ok(None);
    }
    let all = concat(parts)?;
    let stat = |v: &[f64]| Tensor::from_vec(v.to_vec(), &[v.len()]).map(|t| t.float());
    let raw = all
        .x
        .mul(&stat(&scaler.scale)?)?
        .add(&stat(&scaler.mean)?)?;
    *scaler = keep_one_hot(StandardScaler::fit(&raw)?, encoding);
    let all = PartData {
        x: scaler.transform(&raw)?,
        y: all.y,
    };
    drop(raw);
    let design = crate::coefficients::Design::of(encoding);
    Ok(Some((fit_logistic(penalty, &all, None, &design)?, rows)))
}
