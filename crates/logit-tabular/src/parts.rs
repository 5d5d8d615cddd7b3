//! [`Parts`]: the rows of a table split three ways — training, validation (early stopping,
//! model choice, calibration, threshold) and a test part held out from every choice — each
//! stratified by the label, with a fallback said out loud when a class is too rare to split.

use logit_core::{Error, Result};
use logit_data::{quote, split_indices, Table};

use crate::options::TabularOptions;

/// Row indices of the three parts, and what was decided about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    /// Rows the model is fitted on.
    pub train: Vec<usize>,
    /// Rows that choose the epoch, the model, the calibration and the threshold.
    pub validation: Vec<usize>,
    /// Rows only scored, for honest metrics.
    pub test: Vec<usize>,
    /// Fallbacks taken (a part dropped because a class is too rare).
    pub notes: Vec<String>,
}

/// Rows each class needs in a part for its metrics to mean something.
const MIN_PER_PART: f64 = 1.0;

impl Parts {
    /// Splits `table`'s rows by `o.test_split` (of all rows), then `o.val_split` (of all rows)
    /// from the rest, both stratified by `target`. A part that would get under one row of
    /// some class is dropped, with a note.
    ///
    /// # Errors
    /// A missing target column, or a class with a single row.
    pub fn split(table: &Table, target: &str, o: &TabularOptions) -> Result<Parts> {
        let (names, index) = table.classes(target)?;
        let mut counts = std::collections::BTreeMap::new();
        for &i in &index {
            counts.entry(i).or_insert((0usize, names[i].clone())).0 += 1;
        }
        // in place: a million-row split keeps one per-row vector alive, not two
        let strata: Vec<f64> = index.into_iter().map(|i| i as f64).collect();
        let (rarest, label) = counts
            .values()
            .min_by_key(|c| c.0)
            .cloned()
            .unwrap_or_default();
        if counts.len() >= 2 && rarest < 2 {
            return Err(Error::invalid(
                format!("target column {}", quote(target)),
                "at least two rows of each class",
                format!("one row of {}", quote(&label)),
            ));
        }
        let mut notes = Vec::new();
        let mut fits = |share: f64, part: &str| {
            let ok = share == 0.0 || rarest as f64 * share >= MIN_PER_PART;
            if !ok {
                notes.push(format!(
                    "no {part} split: {rarest} rows of {} are too few to hold out {share}",
                    quote(&label)
                ));
            }
            ok && share > 0.0
        };
        let (test_share, val_share) = (o.test_split, o.val_split);
        let test_on = fits(test_share, "test");
        let val_on = fits(val_share, "validation");
        let (rest, test) = part(
            None,
            table.len(),
            &strata,
            test_on.then_some(test_share),
            o.seed,
        )?;
        let rest_share = val_share / (1.0 - if test_on { test_share } else { 0.0 });
        let (train, validation) = part(
            Some(&rest),
            rest.len(),
            &strata,
            val_on.then_some(rest_share),
            o.seed,
        )?;
        Ok(Parts {
            train,
            validation,
            test,
            notes,
        })
    }
}

/// `rows` (all `n` rows when `None`) split into (kept, held out) with `share` held out,
/// stratified; all kept without a share.
fn part(
    rows: Option<&[usize]>,
    n: usize,
    strata: &[f64],
    share: Option<f64>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let Some(share) = share else {
        return Ok((
            rows.map_or_else(|| (0..n).collect(), <[usize]>::to_vec),
            Vec::new(),
        ));
    };
    let Some(rows) = rows else {
        let s = split_indices(n, share, seed, Some(strata))?;
        return Ok((s.train, s.test));
    };
    let sub: Vec<f64> = rows.iter().map(|&i| strata[i]).collect();
    let s = split_indices(rows.len(), share, seed, Some(&sub))?;
    drop(sub);
    let pick = |v: Vec<usize>| v.into_iter().map(|i| rows[i]).collect();
    Ok((pick(s.train), pick(s.test)))
}
