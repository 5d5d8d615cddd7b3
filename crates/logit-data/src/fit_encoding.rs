//! [`fit_encoding`]: deciding an [`Encoding`] from a table — the label mapping, each column's
//! kind, and the imputation values from the training rows.

use std::collections::BTreeMap;

use logit_core::{Error, Result};

use crate::encoding::{ColumnSpec, Encoding, MAX_CATEGORIES};
use crate::table::{is_missing, quote, Table};

/// Decides the label mapping and the kind of every input column from the whole table, and the
/// imputation values from the rows in `fit_rows` only. Returns the encoding and a note when
/// the positive class was picked automatically.
///
/// # Errors
/// Unknown target or dropped column, a target without exactly two values, a column mixing
/// numbers and text, or a text column with too many values.
pub fn fit_encoding(
    t: &Table,
    target: &str,
    positive: Option<&str>,
    drop: &[String],
    impute: bool,
    fit_rows: &[usize],
) -> Result<(Encoding, Option<String>)> {
    let tc = t.column(target)?;
    for d in drop {
        t.column(d)?;
    }
    let (pos, neg, note) = label_mapping(t, tc, target, positive)?;
    let mut columns = Vec::new();
    for (c, name) in t.headers.iter().enumerate() {
        if c != tc && !drop.contains(name) {
            columns.push(column_spec(t, c, fit_rows)?);
        }
    }
    if columns.is_empty() {
        return Err(Error::invalid(
            "features",
            "at least one input column besides the target",
            "none",
        ));
    }
    let encoding = Encoding {
        target: target.to_string(),
        positive: pos,
        negative: neg,
        columns,
        impute,
    };
    Ok((encoding, note))
}

fn parse_error(t: &Table, line: u64, col: usize, message: String) -> Error {
    Error::Parse {
        path: t.source.clone(),
        line: line as usize,
        column: col + 1,
        message,
    }
}

/// The positive and negative label texts: `1`/`0`, `true`/`false`, `--positive`, or else the
/// rarer of two values, with a note saying so.
fn label_mapping(
    t: &Table,
    tc: usize,
    target: &str,
    positive: Option<&str>,
) -> Result<(String, String, Option<String>)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (row, &line) in t.rows.iter().zip(&t.lines) {
        let v = row[tc].as_str();
        if is_missing(v) {
            let msg = format!("missing label in column {}", quote(target));
            return Err(parse_error(t, line, tc, msg));
        }
        *counts.entry(v).or_default() += 1;
    }
    let values: Vec<&str> = counts.keys().copied().collect();
    let lower: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
    if values.len() < 2 {
        let only = values.first().copied().unwrap_or("");
        return Err(Error::invalid(
            format!("target column {}", quote(target)),
            "two classes",
            format!("only {}", quote(only)),
        ));
    }
    if positive.is_none() && values.iter().all(|v| ["0", "1"].contains(v)) {
        return Ok(("1".into(), "0".into(), None));
    }
    if positive.is_none() && lower.iter().all(|v| v == "true" || v == "false") {
        return Ok(("true".into(), "false".into(), None));
    }
    if values.len() != 2 {
        return Err(Error::invalid(
            format!("target column {}", quote(target)),
            "exactly two label values",
            format!(
                "{} values {:?}",
                values.len(),
                values.iter().take(6).collect::<Vec<_>>()
            ),
        ));
    }
    let (p, note) = match positive {
        Some(p) if values.contains(&p) => (p, None),
        Some(p) => {
            return Err(Error::invalid(
                "--positive",
                format!("one of the labels {values:?}"),
                quote(p),
            ))
        }
        None => {
            // the rarer value is usually the event of interest (churn, fraud, disease)
            let p = if counts[values[1]] <= counts[values[0]] {
                values[1]
            } else {
                values[0]
            };
            let note = format!(
                "positive class: {} (the rarer label; choose with --positive)",
                quote(p)
            );
            (p, Some(note))
        }
    };
    let n = if values[0] == p { values[1] } else { values[0] };
    Ok((p.to_string(), n.to_string(), note))
}

/// Column `c` as a number (median of the training rows for gaps) or as text one-hot over its
/// values (mode of the training rows for gaps).
fn column_spec(t: &Table, c: usize, fit_rows: &[usize]) -> Result<ColumnSpec> {
    let name = &t.headers[c];
    let mut first_text: Option<(u64, &str)> = None;
    let mut any_number = false;
    for (row, &line) in t.rows.iter().zip(&t.lines) {
        let cell = row[c].as_str();
        if is_missing(cell) {
            continue;
        }
        if cell.parse::<f64>().is_ok_and(f64::is_finite) {
            any_number = true;
        } else if first_text.is_none() {
            first_text = Some((line, cell));
        }
    }
    let fit_cells = || {
        fit_rows
            .iter()
            .map(|&i| t.rows[i][c].as_str())
            .filter(|s| !is_missing(s))
    };
    match (any_number, first_text) {
        (_, None) => {
            let mut v: Vec<f64> = fit_cells().filter_map(|s| s.parse().ok()).collect();
            v.sort_by(f64::total_cmp);
            let median = match v.len() {
                0 => 0.0,
                n if n % 2 == 1 => v[n / 2],
                n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
            };
            Ok(ColumnSpec::Numeric {
                name: name.clone(),
                median,
            })
        }
        (true, Some((line, cell))) => Err(parse_error(t, line, c, format!("column {} mixes numbers and text: expected a number, got {} (fix the cell or drop the column with --drop {})", quote(name), quote(cell), quote(name)))),
        (false, Some(_)) => categorical(t, c, fit_cells()),
    }
}

fn categorical<'t>(
    t: &'t Table,
    c: usize,
    fit_cells: impl Iterator<Item = &'t str>,
) -> Result<ColumnSpec> {
    let name = &t.headers[c];
    let mut freq: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &t.rows {
        if !is_missing(&row[c]) {
            *freq.entry(row[c].as_str()).or_default() += 1;
        }
    }
    if freq.len() > MAX_CATEGORIES {
        return Err(Error::invalid(
            format!("column {}", quote(name)),
            format!("numbers, or text with at most {MAX_CATEGORIES} distinct values"),
            format!(
                "{} distinct text values (drop it with --drop {})",
                freq.len(),
                quote(name)
            ),
        ));
    }
    let mut train_freq: BTreeMap<&str, usize> = BTreeMap::new();
    for s in fit_cells {
        *train_freq.entry(s).or_default() += 1;
    }
    // the most frequent training value, the smallest on a tie (SimpleImputer's rule)
    let mode = train_freq
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(*k)))
        .or_else(|| freq.iter().next())
        .map_or_else(String::new, |(k, _)| k.to_string());
    Ok(ColumnSpec::Categorical {
        name: name.clone(),
        categories: freq.keys().map(|k| k.to_string()).collect(),
        mode,
        drop_first: false,
    })
}
