//! [`Table`]: a CSV in memory by column — numbers as `f64` (NaN for a missing cell), text as
//! codes into the column's distinct values — so a million-row file costs about what its
//! numbers do, not a string per cell.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use logit_core::{Error, Result};

use crate::reader::{csv_reader, headers, is_missing, quote, read_record, CsvFormat};

/// The code of a missing cell in a [`Column::Text`].
pub const MISSING_CODE: u32 = u32::MAX;

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Every present cell is a finite number; missing cells are NaN.
    Numeric(Vec<f64>),
    /// Text: `codes[row]` indexes `values` ([`MISSING_CODE`] for a missing cell).
    Text {
        /// One code per row.
        codes: Vec<u32>,
        /// The distinct values, in order of first appearance.
        values: Vec<String>,
        /// When the column also holds numbers: the line and text of its first non-number.
        mixed: Option<(u64, String)>,
    },
}

impl Column {
    /// The cell of `row` as text (a number as Rust prints it, `""` when missing).
    pub fn cell(&self, row: usize) -> Cow<'_, str> {
        match self {
            Column::Numeric(v) if v[row].is_nan() => Cow::Borrowed(""),
            Column::Numeric(v) => Cow::Owned(v[row].to_string()),
            Column::Text { codes, values, .. } => match codes[row] {
                MISSING_CODE => Cow::Borrowed(""),
                c => Cow::Borrowed(values[c as usize].as_str()),
            },
        }
    }

    /// Whether the cell of `row` is missing.
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Column::Numeric(v) => v[row].is_nan(),
            Column::Text { codes, .. } => codes[row] == MISSING_CODE,
        }
    }
}

/// A CSV read into memory by column, with the line of each row for messages.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it came from (for errors).
    pub source: PathBuf,
    /// Column names.
    pub headers: Vec<String>,
    /// The columns, in header order.
    pub columns: Vec<Column>,
    /// The 1-based line of each row, when some record spans lines (otherwise row `i` is on
    /// line `i + first_line`).
    lines: Option<Vec<u64>>,
    /// The line of the first row: 2 in a CSV (after its header), 1 in a Parquet file (whose
    /// "lines" are its row numbers).
    first_line: u64,
    rows: usize,
}

/// A column being read: numeric until its first text cell.
pub(crate) enum Builder {
    Numeric(Vec<f64>),
    Text {
        codes: Vec<u32>,
        index: HashMap<String, u32>,
        values: Vec<String>,
        mixed: Option<(u64, String)>,
        numbers: bool,
    },
}

impl Builder {
    /// A typed number (from a Parquet column): NaN is missing.
    pub(crate) fn push_number(&mut self, x: f64, line: u64) {
        match self {
            Builder::Numeric(v) => v.push(if x.is_finite() { x } else { f64::NAN }),
            Builder::Text { .. } if x.is_finite() => self.push(&x.to_string(), line),
            Builder::Text { .. } => self.push("", line),
        }
    }

    pub(crate) fn push(&mut self, cell: &str, line: u64) {
        let number = if is_missing(cell) {
            Some(f64::NAN)
        } else {
            cell.parse::<f64>().ok().filter(|v| v.is_finite())
        };
        if let (Builder::Numeric(v), Some(x)) = (&mut *self, number) {
            v.push(x);
            return;
        }
        if let Builder::Numeric(v) = self {
            // the first text cell: the numbers so far become text
            let mut text = Builder::Text {
                codes: Vec::with_capacity(v.capacity()),
                index: HashMap::new(),
                values: Vec::new(),
                mixed: None,
                numbers: false,
            };
            for x in v.iter() {
                let s = if x.is_nan() {
                    String::new()
                } else {
                    x.to_string()
                };
                text.push(&s, 0);
            }
            *self = text;
        }
        if let Builder::Text {
            codes,
            index,
            values,
            mixed,
            numbers,
        } = self
        {
            if cell.is_empty() || number.is_some_and(f64::is_nan) {
                codes.push(MISSING_CODE);
                return;
            }
            *numbers |= number.is_some();
            if number.is_none() && mixed.is_none() && line > 0 {
                *mixed = Some((line, cell.to_string()));
            }
            let code = match index.get(cell) {
                Some(&c) => c,
                None => {
                    let c = values.len() as u32;
                    index.insert(cell.to_string(), c);
                    values.push(cell.to_string());
                    c
                }
            };
            codes.push(code);
        }
    }

    pub(crate) fn new() -> Builder {
        Builder::Numeric(Vec::new())
    }

    pub(crate) fn finish(self) -> Column {
        match self {
            Builder::Numeric(mut v) => {
                v.shrink_to_fit();
                Column::Numeric(v)
            }
            Builder::Text {
                codes,
                values,
                mixed,
                numbers,
                ..
            } => Column::Text {
                codes: {
                    let mut c = codes;
                    c.shrink_to_fit();
                    c
                },
                values,
                mixed: mixed.filter(|_| numbers),
            },
        }
    }
}

impl Table {
    /// Reads a whole CSV, sniffing its delimiter.
    ///
    /// ```
    /// use logit_data::{Column, Table};
    /// let t = Table::read("x;colour\n1,5;red\n2;NA\n".as_bytes(), "t.csv".as_ref())?;
    /// assert_eq!(t.len(), 2);
    /// assert!(matches!(t.columns[0], Column::Text { .. })); // "1,5" is not a number
    /// assert!(t.columns[1].is_missing(1));
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`headers`] and [`read_record`], or a file without data rows.
    pub fn read(r: impl std::io::Read, source: &Path) -> Result<Table> {
        Table::read_as(r, source, CsvFormat::default())
    }

    /// As [`Table::read`] with a given delimiter.
    ///
    /// # Errors
    /// As [`Table::read`].
    pub fn read_as(r: impl std::io::Read, source: &Path, format: CsvFormat) -> Result<Table> {
        let mut rdr = csv_reader(r, source, format)?;
        let headers = headers(&mut rdr, source)?;
        let mut builders: Vec<Builder> = headers.iter().map(|_| Builder::new()).collect();
        let mut rec = csv::StringRecord::new();
        let (mut rows, mut lines) = (0usize, None::<Vec<u64>>);
        while let Some(line) = read_record(&mut rdr, &mut rec, headers.len(), source)? {
            for (b, cell) in builders.iter_mut().zip(rec.iter()) {
                b.push(cell, line);
            }
            // lines are kept only once a record is not where its row number puts it
            let expected = rows as u64 + 2;
            match &mut lines {
                Some(l) => l.push(line),
                None if line != expected => {
                    let mut l: Vec<u64> = (0..rows as u64).map(|i| i + 2).collect();
                    l.push(line);
                    lines = Some(l);
                }
                None => {}
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(Error::Parse {
                path: source.to_path_buf(),
                line: 2,
                column: 0,
                message: "no data rows after the header".into(),
            });
        }
        Ok(Table {
            source: source.to_path_buf(),
            headers,
            columns: builders.into_iter().map(Builder::finish).collect(),
            lines,
            first_line: 2,
            rows,
        })
    }

    /// Reads a CSV file, or a Parquet file (by its `.parquet` extension or its `PAR1` magic,
    /// with the `parquet` feature).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file, or as [`Table::read`] and [`Table::from_parquet`].
    pub fn open(path: &Path) -> Result<Table> {
        Table::open_as(path, CsvFormat::default())
    }

    /// As [`Table::open`] with a given delimiter.
    ///
    /// # Errors
    /// As [`Table::open`].
    pub fn open_as(path: &Path, format: CsvFormat) -> Result<Table> {
        #[cfg(feature = "parquet")]
        if crate::parquet::is_parquet(path)? {
            return Table::from_parquet(logit_core::io::read(path)?, path);
        }
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Table::read_as(std::io::BufReader::with_capacity(1 << 16, f), path, format)
    }

    /// A table from finished columns (the Parquet reader's way in).
    pub(crate) fn from_columns(
        source: &Path,
        headers: Vec<String>,
        builders: Vec<Builder>,
        rows: usize,
        first_line: u64,
    ) -> Table {
        Table {
            source: source.to_path_buf(),
            headers,
            columns: builders.into_iter().map(Builder::finish).collect(),
            lines: None,
            first_line,
            rows,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows (never, for a table that was read).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The 1-based line of row `row` in the file.
    pub fn line(&self, row: usize) -> u64 {
        self.lines
            .as_ref()
            .map_or(row as u64 + self.first_line, |l| l[row])
    }

    /// The cell at `row` of column `col` as text (see [`Column::cell`]).
    pub fn cell(&self, row: usize, col: usize) -> Cow<'_, str> {
        self.columns[col].cell(row)
    }

    /// The distinct values of `column` (sorted as text) and each row's index among them, for
    /// a split stratified by a label.
    ///
    /// # Errors
    /// As [`Table::column`].
    pub fn classes(&self, column: &str) -> Result<(Vec<String>, Vec<usize>)> {
        let c = &self.columns[self.column(column)?];
        let mut names: Vec<String> = match c {
            Column::Text { values, .. } => values.clone(),
            Column::Numeric(v) => {
                let mut d: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                d.sort_by(f64::total_cmp);
                d.dedup();
                d.iter().map(f64::to_string).collect()
            }
        };
        if (0..self.rows).any(|i| c.is_missing(i)) {
            names.push(String::new());
        }
        names.sort_unstable();
        names.dedup();
        let of = |i: usize| {
            names
                .binary_search_by(|n| n.as_str().cmp(&c.cell(i)))
                .unwrap_or(0)
        };
        let idx = (0..self.rows).map(of).collect();
        Ok((names, idx))
    }

    /// One number per row naming its value in `column` (its index in [`Table::classes`]).
    ///
    /// # Errors
    /// As [`Table::column`].
    pub fn strata(&self, column: &str) -> Result<Vec<f64>> {
        Ok(self
            .classes(column)?
            .1
            .into_iter()
            .map(|i| i as f64)
            .collect())
    }

    /// Index of a column.
    ///
    /// # Errors
    /// When there is no such column; the error lists the columns.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::invalid(
                format!("{}", self.source.display()),
                format!("a column named {}", quote(name)),
                format!("columns {:?}", self.headers),
            )
        })
    }
}
