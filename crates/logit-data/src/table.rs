//! [`Table`]: a CSV read as text with the line of every row, and the reader functions behind
//! every CSV logit reads (trimmed cells, ragged rows reported by line and column).

use std::path::{Path, PathBuf};

use logit_core::{Error, Result};

/// A CSV read into memory as text, with the line of each row.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it came from (for errors).
    pub source: PathBuf,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of trimmed cells.
    pub rows: Vec<Vec<String>>,
    /// 1-based line of each row.
    pub lines: Vec<u64>,
}

/// A CSV reader with the settings every command shares (trimmed cells, ragged rows allowed so
/// they can be reported with their line).
pub fn csv_reader<R: std::io::Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(r)
}

/// Reads the header of a CSV reader.
///
/// # Errors
/// When the header cannot be read or is empty.
pub fn headers<R: std::io::Read>(rdr: &mut csv::Reader<R>, source: &Path) -> Result<Vec<String>> {
    let h = rdr.headers().map_err(|e| Error::Parse {
        path: source.to_path_buf(),
        line: 1,
        column: 0,
        message: format!("cannot read the header: {e}"),
    })?;
    if h.is_empty() || h.iter().all(str::is_empty) {
        return Err(Error::Parse {
            path: source.to_path_buf(),
            line: 1,
            column: 0,
            message: "empty header row".into(),
        });
    }
    Ok(h.iter().map(String::from).collect())
}

/// The next record as cells and its line, checking its length against the header.
///
/// # Errors
/// A malformed or ragged row, named by line.
pub fn next_row<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    width: usize,
    source: &Path,
) -> Result<Option<(Vec<String>, u64)>> {
    let mut rec = csv::StringRecord::new();
    let more = rdr.read_record(&mut rec).map_err(|e| Error::Parse {
        path: source.to_path_buf(),
        line: e.position().map_or(0, |p| p.line() as usize),
        column: 0,
        message: format!("malformed row: {e}"),
    })?;
    if !more {
        return Ok(None);
    }
    let line = rec.position().map_or(0, |p| p.line());
    if rec.len() != width {
        return Err(Error::Parse {
            path: source.to_path_buf(),
            line: line as usize,
            column: rec.len().min(width) + 1,
            message: format!(
                "expected {width} fields as in the header, got {}",
                rec.len()
            ),
        });
    }
    Ok(Some((rec.iter().map(String::from).collect(), line)))
}

impl Table {
    /// Reads a whole CSV.
    ///
    /// # Errors
    /// As [`headers`] and [`next_row`], or a file without data rows.
    pub fn read(r: impl std::io::Read, source: &Path) -> Result<Table> {
        let mut rdr = csv_reader(r);
        let headers = headers(&mut rdr, source)?;
        let (mut rows, mut lines) = (Vec::new(), Vec::new());
        while let Some((row, line)) = next_row(&mut rdr, headers.len(), source)? {
            rows.push(row);
            lines.push(line);
        }
        if rows.is_empty() {
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
            rows,
            lines,
        })
    }

    /// Reads a CSV file.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file, or as [`Table::read`].
    pub fn open(path: &Path) -> Result<Table> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Table::read(f, path)
    }

    /// One number per row naming its value in `column` (the index of its text among the
    /// column's sorted distinct values), for a split stratified by a text label.
    ///
    /// # Errors
    /// As [`Table::column`].
    pub fn strata(&self, column: &str) -> Result<Vec<f64>> {
        let c = self.column(column)?;
        let mut values: Vec<&str> = self.rows.iter().map(|r| r[c].as_str()).collect();
        values.sort_unstable();
        values.dedup();
        Ok(self
            .rows
            .iter()
            .map(|r| values.binary_search(&r[c].as_str()).unwrap_or(0) as f64)
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
                format!("a column named '{name}'"),
                format!("columns {:?}", self.headers),
            )
        })
    }
}
