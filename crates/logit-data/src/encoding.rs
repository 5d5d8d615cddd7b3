//! [`Encoding`]: turning a messy table into model inputs — the label mapping, numeric and
//! one-hot columns, median/mode imputation — fitted once ([`fit_encoding`](crate::fit_encoding)) and replayed row
//! by row when predicting; serde, so a model folder stores it.

use std::collections::HashMap;
use std::path::Path;

use logit_core::{Error, Result, Tensor};
use serde::{Deserialize, Serialize};

use crate::reader::{is_missing, quote};
use crate::table::{Column, Table, MISSING_CODE};

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
        /// The categories in order.
        categories: Vec<String>,
        /// Most frequent training category, used for empty cells.
        mode: String,
        /// Treatment coding: the first category is the reference and gets no feature (as
        /// statsmodels' formulas and `OneHotEncoder(drop="first")`), so a model with an
        /// intercept has no collinear columns.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        drop_first: bool,
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
            ColumnSpec::Categorical { .. } => self.levels().len(),
        }
    }

    /// The categories that get a feature, in feature order (all but the reference under
    /// treatment coding); none for a numeric column.
    pub fn levels(&self) -> &[String] {
        match self {
            ColumnSpec::Numeric { .. } => &[],
            ColumnSpec::Categorical {
                categories,
                drop_first,
                ..
            } => &categories[usize::from(*drop_first).min(categories.len())..],
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
                ColumnSpec::Categorical { name, .. } => {
                    c.levels().iter().map(|k| format!("{name}={k}")).collect()
                }
            })
            .collect()
    }

    /// Number of features.
    pub fn width(&self) -> usize {
        self.columns.iter().map(ColumnSpec::width).sum()
    }

    /// This encoding with treatment coding for every text column (its first category is the
    /// reference, without a feature), as a model with an intercept needs.
    pub fn with_reference_levels(mut self) -> Encoding {
        for c in &mut self.columns {
            if let ColumnSpec::Categorical { drop_first, .. } = c {
                *drop_first = true;
            }
        }
        self
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
                            "a column {} (the model was trained on columns {:?})",
                            quote(c.name()),
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

    /// Features `[rows, width]` and 0/1 labels `[rows, 1]` of the given rows of `table`,
    /// filled column by column from its storage.
    ///
    /// # Errors
    /// As [`Encoding::locate`], [`Encoding::encode_row`] and [`Encoding::label`].
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<(Tensor, Tensor)> {
        let x = self.features(table, rows)?;
        let y = self.labels(table, rows)?;
        Ok((x, Tensor::from_vec(y, &[rows.len(), 1])?))
    }

    /// Features `[rows, width]` of the given rows of `table`, which needs no label column.
    ///
    /// # Errors
    /// As [`Encoding::locate`] and [`Encoding::encode_row`].
    pub fn features(&self, table: &Table, rows: &[usize]) -> Result<Tensor> {
        let at = self.locate(&table.headers, &table.source)?;
        let width = self.width();
        let mut x = vec![0f32; rows.len() * width];
        let mut offset = 0;
        for (spec, &col) in self.columns.iter().zip(&at) {
            let cells = Cells { table, col, rows };
            let out = Out {
                x: &mut x,
                offset,
                width,
            };
            match spec {
                ColumnSpec::Numeric { median, name } => {
                    self.fill_numeric(cells, name, *median, out)?
                }
                ColumnSpec::Categorical { mode, .. } => self.fill_levels(cells, spec, mode, out)?,
            }
            offset += spec.width();
        }
        Tensor::from_vec(x, &[rows.len(), width])
    }

    fn fill_numeric(&self, c: Cells<'_>, name: &str, median: f64, out: Out<'_>) -> Result<()> {
        for (k, &i) in c.rows.iter().enumerate() {
            let column = &c.table.columns[c.col];
            let v = if column.is_missing(i) {
                if !self.impute {
                    return Err(c.error(i, empty_cell(name)));
                }
                median
            } else {
                match column {
                    Column::Numeric(v) => v[i],
                    Column::Text { .. } => {
                        let cell = column.cell(i);
                        cell.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| c.error(i, not_a_number(name, &cell)))?
                    }
                }
            };
            out.x[k * out.width + out.offset] = v as f32;
        }
        Ok(())
    }

    fn fill_levels(&self, c: Cells<'_>, spec: &ColumnSpec, mode: &str, out: Out<'_>) -> Result<()> {
        let levels = spec.levels();
        let level = |cell: &str| levels.iter().position(|l| l == cell);
        let column = &c.table.columns[c.col];
        // a text column's level per code, looked up once
        let by_code: Vec<Option<usize>> = match column {
            Column::Text { values, .. } => values.iter().map(|v| level(v)).collect(),
            Column::Numeric(_) => Vec::new(),
        };
        for (k, &i) in c.rows.iter().enumerate() {
            let hit = if column.is_missing(i) {
                if !self.impute {
                    return Err(c.error(i, empty_cell(spec.name())));
                }
                level(mode)
            } else {
                match column {
                    Column::Text { codes, .. } => by_code[codes[i] as usize],
                    Column::Numeric(_) => level(&column.cell(i)),
                }
            };
            if let Some(h) = hit {
                out.x[k * out.width + out.offset + h] = 1.0;
            }
        }
        Ok(())
    }

    /// The 0/1 labels of `rows`.
    fn labels(&self, table: &Table, rows: &[usize]) -> Result<Vec<f32>> {
        let tc = table.column(&self.target)?;
        let column = &table.columns[tc];
        let by_code: Vec<Option<f32>> = match column {
            Column::Text { values, .. } => values.iter().map(|v| self.label_of(v)).collect(),
            Column::Numeric(_) => Vec::new(),
        };
        rows.iter()
            .map(|&i| {
                let hit = match column {
                    Column::Text { codes, .. } if codes[i] != MISSING_CODE => {
                        by_code[codes[i] as usize]
                    }
                    _ => self.label_of(&column.cell(i)),
                };
                hit.ok_or_else(|| {
                    let c = Cells {
                        table,
                        col: tc,
                        rows,
                    };
                    c.error(i, self.bad_label(&column.cell(i)))
                })
            })
            .collect()
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
            let missing = is_missing(cell);
            if missing && !self.impute {
                return Err(err(empty_cell(spec.name())));
            }
            match spec {
                ColumnSpec::Numeric { median, name } => {
                    let v = if missing {
                        *median
                    } else {
                        cell.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| err(not_a_number(name, cell)))?
                    };
                    out.push(v as f32);
                }
                ColumnSpec::Categorical { mode, .. } => {
                    let value = if missing { mode.as_str() } else { cell };
                    out.extend(spec.levels().iter().map(|k| f32::from(k == value)));
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
        self.label_of(cell).ok_or_else(|| Error::Parse {
            path: source.to_path_buf(),
            line: line as usize,
            column: col + 1,
            message: self.bad_label(cell),
        })
    }

    /// 1 for the positive label, 0 for the negative one.
    fn label_of(&self, cell: &str) -> Option<f32> {
        if eq_label(cell, &self.positive) {
            Some(1.0)
        } else if eq_label(cell, &self.negative) {
            Some(0.0)
        } else {
            None
        }
    }

    fn bad_label(&self, cell: &str) -> String {
        format!(
            "expected a label {} or {} in column {}, got {}",
            quote(&self.positive),
            quote(&self.negative),
            quote(&self.target),
            quote(cell)
        )
    }
}

/// The cells of one column at some rows, for messages naming file, line and column.
#[derive(Clone, Copy)]
struct Cells<'t> {
    table: &'t Table,
    col: usize,
    rows: &'t [usize],
}

impl Cells<'_> {
    fn error(&self, row: usize, message: String) -> Error {
        Error::Parse {
            path: self.table.source.clone(),
            line: self.table.line(row) as usize,
            column: self.col + 1,
            message,
        }
    }
}

/// Where a column's features go in a row-major batch.
struct Out<'x> {
    x: &'x mut [f32],
    offset: usize,
    width: usize,
}

fn empty_cell(name: &str) -> String {
    format!(
        "empty cell in column {} (imputation is off: --no-impute)",
        quote(name)
    )
}

fn not_a_number(name: &str, cell: &str) -> String {
    format!(
        "expected a finite number in column {}, got {}",
        quote(name),
        quote(cell)
    )
}

/// Label texts match exactly, as numbers (`1.0` is `1`), or as `true`/`false` in any case.
fn eq_label(cell: &str, label: &str) -> bool {
    let number = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    cell == label
        || (cell.eq_ignore_ascii_case(label) && ["true", "false"].contains(&label))
        || number(cell).is_some_and(|c| number(label) == Some(c))
}
