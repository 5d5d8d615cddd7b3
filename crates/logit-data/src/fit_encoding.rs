//! [`fit_encoding`]: deciding an [`Encoding`] from a table — the label mapping, each column's
//! kind, and the imputation values from the training rows.

use logit_core::{Error, Result};

use crate::encoding::{ColumnSpec, Encoding, MAX_CATEGORIES};
use crate::reader::quote;
use crate::table::{Column, Table, MISSING_CODE};

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
    if let Some(i) = (0..t.len()).find(|&i| t.columns[tc].is_missing(i)) {
        let msg = format!("missing label in column {}", quote(target));
        return Err(parse_error(t, t.line(i), tc, msg));
    }
    let (names, index) = t.classes(target)?;
    let mut counts = vec![0usize; names.len()];
    for i in index {
        counts[i] += 1;
    }
    let values: Vec<&str> = names.iter().map(String::as_str).collect();
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
            let p = if counts[1] <= counts[0] {
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
    match &t.columns[c] {
        Column::Numeric(v) => {
            let mut present: Vec<f64> = fit_rows.iter().map(|&i| v[i]).filter(|x| !x.is_nan()).collect();
            present.sort_by(f64::total_cmp);
            let median = match present.len() {
                0 => 0.0,
                n if n % 2 == 1 => present[n / 2],
                n => (present[n / 2 - 1] + present[n / 2]) / 2.0,
            };
            Ok(ColumnSpec::Numeric {
                name: name.clone(),
                median,
            })
        }
        Column::Text { mixed: Some((line, cell)), .. } => Err(parse_error(t, *line, c, format!("column {} mixes numbers and text: expected a number, got {} (fix the cell or drop the column with --drop {})", quote(name), quote(cell), quote(name)))),
        Column::Text { codes, values, .. } => categorical(name, codes, values, fit_rows),
    }
}

fn categorical(
    name: &str,
    codes: &[u32],
    values: &[String],
    fit_rows: &[usize],
) -> Result<ColumnSpec> {
    if values.len() > MAX_CATEGORIES {
        return Err(Error::invalid(
            format!("column {}", quote(name)),
            format!("numbers, or text with at most {MAX_CATEGORIES} distinct values"),
            format!(
                "{} distinct text values (drop it with --drop {})",
                values.len(),
                quote(name)
            ),
        ));
    }
    let mut train_freq = vec![0usize; values.len()];
    for &i in fit_rows {
        if codes[i] != MISSING_CODE {
            train_freq[codes[i] as usize] += 1;
        }
    }
    let mut categories: Vec<String> = values.to_vec();
    categories.sort();
    // the most frequent training value, the smallest on a tie (SimpleImputer's rule); with
    // no training value, the smallest
    let mode = (0..values.len())
        .max_by(|&a, &b| {
            train_freq[a]
                .cmp(&train_freq[b])
                .then(values[b].cmp(&values[a]))
        })
        .filter(|&k| train_freq[k] > 0)
        .map_or_else(
            || categories.first().cloned().unwrap_or_default(),
            |k| values[k].clone(),
        );
    Ok(ColumnSpec::Categorical {
        name: name.to_string(),
        categories,
        mode,
        drop_first: false,
    })
}
