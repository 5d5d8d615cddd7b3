//! [`Encoding`]: turning a messy table into model inputs — the label mapping, numeric and
//! one-hot columns, median/mode imputation — fitted once ([`fit_encoding`]) and replayed row
//! by row when predicting; serde, so a model folder stores it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use logit_core::{Error, Result, Tensor};
use serde::{Deserialize, Serialize};

use crate::table::Table;

/// Text columns with at most this many distinct values are one-hot encoded.
pub const MAX_CATEGORIES: usize = 20;

/// One input column and how it becomes features.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnSpec {
    /// A number; empty cells become the training median.
    Numeric {
        /// Column name.
        name: String,
        /// Training median, used for empty cells.
        median: f64,
    },
    /// A text column one-hot encoded over `categories`; empty cells become `mode`, unknown
    /// values encode as all zeros.
    Categorical {
        /// Column name.
        name: String,
        /// The categories in feature order.
        categories: Vec<String>,
        /// Most frequent training category, used for empty cells.
        mode: String,
    },
}

impl ColumnSpec {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnSpec::Numeric { name, .. } | ColumnSpec::Categorical { name, .. } => name,
        }
    }

    /// Number of features this column becomes.
    pub fn width(&self) -> usize {
        match self {
            ColumnSpec::Numeric { .. } => 1,
            ColumnSpec::Categorical { categories, .. } => categories.len(),
        }
    }
}

/// How a CSV row becomes a feature vector and a label.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Encoding {
    /// The label column.
    pub target: String,
    /// The label text that means 1.
    pub positive: String,
    /// The label text that means 0.
    pub negative: String,
    /// Input columns in feature order.
    pub columns: Vec<ColumnSpec>,
    /// Whether empty cells are imputed (otherwise they are errors).
    pub impute: bool,
}

impl Encoding {
    /// Feature names: a numeric column's name, or `name=category` for one-hot features.
    pub fn feature_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(|c| match c {
                ColumnSpec::Numeric { name, .. } => vec![name.clone()],
                ColumnSpec::Categorical {
                    name, categories, ..
                } => categories.iter().map(|k| format!("{name}={k}")).collect(),
            })
            .collect()
    }

    /// Number of features.
    pub fn width(&self) -> usize {
        self.columns.iter().map(ColumnSpec::width).sum()
    }

    /// Where each input column sits in a file with these `headers`.
    ///
    /// # Errors
    /// When the file lacks a column the model needs.
    pub fn locate(&self, headers: &[String], source: &Path) -> Result<Vec<usize>> {
        let index: HashMap<&str, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();
        self.columns
            .iter()
            .map(|c| {
                index.get(c.name()).copied().ok_or_else(|| {
                    Error::invalid(
                        format!("{}", source.display()),
                        format!(
                            "a column '{}' (the model was trained on columns {:?})",
                            c.name(),
                            self.columns
                                .iter()
                                .map(ColumnSpec::name)
                                .collect::<Vec<_>>()
                        ),
                        format!("columns {headers:?}"),
                    )
                })
            })
            .collect()
    }

    /// Features `[rows, width]` and 0/1 labels `[rows, 1]` of the given rows of `table`.
    ///
    /// # Errors
    /// As [`Encoding::locate`], [`Encoding::encode_row`] and [`Encoding::label`].
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<(Tensor, Tensor)> {
        let at = self.locate(&table.headers, &table.source)?;
        let tc = table.column(&self.target)?;
        let (mut x, mut y) = (Vec::with_capacity(rows.len() * self.width()), Vec::new());
        for &i in rows {
            let (row, line) = (&table.rows[i], table.lines[i]);
            self.encode_row(row, &at, &table.source, line, &mut x)?;
            y.push(self.label(row, tc, &table.source, line)?);
        }
        Ok((
            Tensor::from_vec(x, &[rows.len(), self.width()])?,
            Tensor::from_vec(y, &[rows.len(), 1])?,
        ))
    }

    /// Appends the features of one row to `out`.
    ///
    /// # Errors
    /// A non-numeric cell in a numeric column, or an empty cell without imputation, named by
    /// file, line and column.
    pub fn encode_row(
        &self,
        row: &[String],
        at: &[usize],
        source: &Path,
        line: u64,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        for (spec, &col) in self.columns.iter().zip(at) {
            let cell = row.get(col).map(String::as_str).unwrap_or("");
            let err = |msg: String| Error::Parse {
                path: source.to_path_buf(),
                line: line as usize,
                column: col + 1,
                message: msg,
            };
            if cell.is_empty() && !self.impute {
                return Err(err(format!(
                    "empty cell in column '{}' (imputation is off: --no-impute)",
                    spec.name()
                )));
            }
            match spec {
                ColumnSpec::Numeric { median, name } => {
                    let v = if cell.is_empty() {
                        *median
                    } else {
                        let v: f64 = cell.parse().map_err(|_| {
                            err(format!(
                                "expected a number in column '{name}', got '{cell}'"
                            ))
                        })?;
                        if !v.is_finite() {
                            return Err(err(format!(
                                "expected a finite number in column '{name}', got '{cell}'"
                            )));
                        }
                        v
                    };
                    out.push(v as f32);
                }
                ColumnSpec::Categorical {
                    categories, mode, ..
                } => {
                    let value = if cell.is_empty() { mode.as_str() } else { cell };
                    out.extend(categories.iter().map(|k| f32::from(k == value)));
                }
            }
        }
        Ok(())
    }

    /// The label of one row: 1, 0, or an error naming the cell.
    ///
    /// # Errors
    /// When the cell is empty or not one of the two label values.
    pub fn label(&self, row: &[String], col: usize, source: &Path, line: u64) -> Result<f32> {
        let cell = row.get(col).map(String::as_str).unwrap_or("");
        if eq_label(cell, &self.positive) {
            Ok(1.0)
        } else if eq_label(cell, &self.negative) {
            Ok(0.0)
        } else {
            Err(Error::Parse {
                path: source.to_path_buf(),
                line: line as usize,
                column: col + 1,
                message: format!(
                    "expected a label '{}' or '{}' in column '{}', got '{cell}'",
                    self.positive, self.negative, self.target
                ),
            })
        }
    }
}

fn eq_label(cell: &str, label: &str) -> bool {
    cell == label || (cell.eq_ignore_ascii_case(label) && ["true", "false"].contains(&label))
}

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
    let src = |line: u64, col: usize, msg: String| Error::Parse {
        path: t.source.clone(),
        line: line as usize,
        column: col + 1,
        message: msg,
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (row, &line) in t.rows.iter().zip(&t.lines) {
        let v = row[tc].as_str();
        if v.is_empty() {
            return Err(src(line, tc, format!("empty label in column '{target}'")));
        }
        *counts.entry(v).or_default() += 1;
    }
    let values: Vec<&str> = counts.keys().copied().collect();
    let lower: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
    let mut note = None;
    let (pos, neg) = if values.iter().all(|v| ["0", "1"].contains(v)) && positive.is_none() {
        ("1".to_string(), "0".to_string())
    } else if lower.iter().all(|v| v == "true" || v == "false") && positive.is_none() {
        ("true".to_string(), "false".to_string())
    } else {
        if values.len() != 2 {
            return Err(Error::invalid(
                format!("target column '{target}'"),
                "exactly two label values",
                format!(
                    "{} values {:?}",
                    values.len(),
                    values.iter().take(6).collect::<Vec<_>>()
                ),
            ));
        }
        let p = match positive {
            Some(p) if values.contains(&p) => p.to_string(),
            Some(p) => {
                return Err(Error::invalid(
                    "--positive",
                    format!("one of the labels {values:?}"),
                    format!("'{p}'"),
                ))
            }
            None => {
                // the rarer value is usually the event of interest (churn, fraud, disease)
                let p = if counts[values[1]] <= counts[values[0]] {
                    values[1]
                } else {
                    values[0]
                };
                note = Some(format!(
                    "positive class: '{p}' (the rarer label; choose with --positive)"
                ));
                p.to_string()
            }
        };
        let n = values
            .iter()
            .find(|v| **v != p)
            .expect("two values")
            .to_string();
        (p, n)
    };
    if values.len() < 2 {
        return Err(Error::invalid(
            format!("target column '{target}'"),
            "two classes",
            format!("only '{}'", values[0]),
        ));
    }
    let mut columns = Vec::new();
    for (c, name) in t.headers.iter().enumerate() {
        if c == tc || drop.contains(name) {
            continue;
        }
        let mut first_text: Option<(u64, &str)> = None;
        let mut any_number = false;
        for (row, &line) in t.rows.iter().zip(&t.lines) {
            let cell = row[c].as_str();
            if cell.is_empty() {
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
                .filter(|s| !s.is_empty())
        };
        let spec = match (any_number, first_text) {
            (_, None) => {
                let mut v: Vec<f64> = fit_cells()
                    .map(|s| s.parse().expect("numeric column"))
                    .collect();
                v.sort_by(f64::total_cmp);
                let median = match v.len() {
                    0 => 0.0,
                    n if n % 2 == 1 => v[n / 2],
                    n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
                };
                ColumnSpec::Numeric {
                    name: name.clone(),
                    median,
                }
            }
            (true, Some((line, cell))) => {
                return Err(src(line, c, format!("column '{name}' mixes numbers and text: expected a number, got '{cell}' (fix the cell or drop the column with --drop {name})")));
            }
            (false, Some(_)) => {
                let mut freq: BTreeMap<&str, usize> = BTreeMap::new();
                for row in &t.rows {
                    if !row[c].is_empty() {
                        *freq.entry(row[c].as_str()).or_default() += 1;
                    }
                }
                if freq.len() > MAX_CATEGORIES {
                    return Err(Error::invalid(
                        format!("column '{name}'"),
                        format!("numbers, or text with at most {MAX_CATEGORIES} distinct values"),
                        format!(
                            "{} distinct text values (drop it with --drop {name})",
                            freq.len()
                        ),
                    ));
                }
                let mut train_freq: BTreeMap<&str, usize> = BTreeMap::new();
                for s in fit_cells() {
                    *train_freq.entry(s).or_default() += 1;
                }
                let mode = train_freq
                    .iter()
                    .max_by_key(|(k, n)| (**n, std::cmp::Reverse(*k)))
                    .map_or_else(
                        || freq.keys().next().expect("a value").to_string(),
                        |(k, _)| k.to_string(),
                    );
                ColumnSpec::Categorical {
                    name: name.clone(),
                    categories: freq.keys().map(|k| k.to_string()).collect(),
                    mode,
                }
            }
        };
        columns.push(spec);
    }
    if columns.is_empty() {
        return Err(Error::invalid(
            "features",
            "at least one input column besides the target",
            "none",
        ));
    }
    Ok((
        Encoding {
            target: target.to_string(),
            positive: pos,
            negative: neg,
            columns,
            impute,
        },
        note,
    ))
}
