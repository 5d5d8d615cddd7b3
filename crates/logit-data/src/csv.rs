//! Loading a numeric CSV with a 0/1 label column, with errors that name file, line and column.

use std::path::Path;

use logit_core::{Error, Result, Tensor};

/// Features and labels read from a CSV file.
#[derive(Debug, Clone)]
pub struct CsvData {
    /// `[rows, features]` as `f32`, columns in file order without the label.
    pub features: Tensor,
    /// `[rows, 1]` labels (0 or 1) as `f32`.
    pub labels: Tensor,
    /// The feature columns' names.
    pub feature_names: Vec<String>,
}

fn parse_err(path: &Path, line: u64, column: usize, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: line as usize,
        column,
        message,
    }
}

/// Reads a CSV file with a header row: every column but `label` is a numeric feature; `label`
/// holds 0 or 1.
///
/// ```no_run
/// let data = logit_data::load_csv("data/pima_diabetes.csv", "test")?;
/// assert_eq!(data.features.shape(), &[768, 8]);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] with the 1-based line and
/// column for an unknown label column, a ragged row, an empty cell, a non-numeric cell or a
/// label outside {0, 1}; an error for a file with no data rows.
pub fn load_csv(path: impl AsRef<Path>, label: &str) -> Result<CsvData> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_csv(file, path, label)
}

/// Like [`load_csv`] from any reader; `source` names it in errors.
///
/// # Errors
/// As [`load_csv`].
pub fn read_csv(
    reader: impl std::io::Read,
    source: impl AsRef<Path>,
    label: &str,
) -> Result<CsvData> {
    let path = source.as_ref();
    let mut rdr = crate::csv_reader(reader, path, crate::CsvFormat::default())?;
    let names = crate::headers(&mut rdr, path)?;
    let label_col = names.iter().position(|h| h == label).ok_or_else(|| {
        parse_err(
            path,
            1,
            0,
            format!("no column named '{label}' (columns: {})", names.join(", ")),
        )
    })?;
    let mut features = Vec::new();
    let mut labels = Vec::new();
    while let Some((rec, line)) = crate::next_row(&mut rdr, names.len(), path)? {
        for (c, cell) in rec.iter().enumerate() {
            let col = || format!("column '{}'", names[c]);
            if crate::is_missing(cell) {
                return Err(parse_err(
                    path,
                    line,
                    c + 1,
                    format!("missing value in {}", col()),
                ));
            }
            let v: f64 = cell.parse().map_err(|_| {
                parse_err(
                    path,
                    line,
                    c + 1,
                    format!("expected a number in {}, got '{cell}'", col()),
                )
            })?;
            if !v.is_finite() {
                return Err(parse_err(
                    path,
                    line,
                    c + 1,
                    format!("expected a finite number in {}, got '{cell}'", col()),
                ));
            }
            if c == label_col {
                if v != 0.0 && v != 1.0 {
                    return Err(parse_err(
                        path,
                        line,
                        c + 1,
                        format!("expected a label 0 or 1 in {}, got '{cell}'", col()),
                    ));
                }
                labels.push(v as f32);
            } else {
                features.push(v as f32);
            }
        }
    }
    let rows = labels.len();
    if rows == 0 {
        return Err(parse_err(
            path,
            2,
            0,
            "no data rows after the header".into(),
        ));
    }
    let f = names.len() - 1;
    Ok(CsvData {
        features: Tensor::from_vec(features, &[rows, f])?,
        labels: Tensor::from_vec(labels, &[rows, 1])?,
        feature_names: names
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != label_col)
            .map(|(_, n)| n)
            .collect(),
    })
}
