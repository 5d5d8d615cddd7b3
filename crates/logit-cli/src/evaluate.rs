//! `logit evaluate MODEL DATA.csv`: metrics of a saved model on labelled data.

use std::path::Path;

use logit_core::{Error, Result};
use logit_data::CsvFormat;

/// Rows encoded per forward pass, so files of any size stream through.
pub const CHUNK: usize = 4096;

/// Streams `data` through the model and returns the metric table rows.
///
/// # Errors
/// A missing or invalid model folder or file, a CSV without the model's columns or the label
/// column, or a bad cell (named by line and column).
pub fn evaluate(model_dir: &Path, data: &Path, format: CsvFormat) -> Result<Vec<(String, f64)>> {
    let m = crate::folder::open(model_dir)?;
    if logit_data::is_parquet(data)? {
        return m.evaluate_table(&logit_data::Table::open(data)?);
    }
    let file = std::fs::File::open(data).map_err(|e| Error::io(data, e))?;
    m.evaluate(m.config.encoding.stream_as(file, data, CHUNK, format)?)
}
