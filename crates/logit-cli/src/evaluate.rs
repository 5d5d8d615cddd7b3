//! `logit evaluate MODEL DATA.csv`: metrics of a saved model on labelled data.

use std::path::Path;

use logit_core::Result;
use logit_data::metrics;

use crate::config::LoadedModel;
use logit_data::{csv_reader, headers, next_row};

/// Rows encoded per forward pass, so files of any size stream through.
pub const CHUNK: usize = 4096;

/// Streams `data` through the model and returns the metric table rows.
///
/// # Errors
/// A missing or invalid model folder or file, a CSV without the model's columns or the label
/// column, or a bad cell (named by line and column).
pub fn evaluate(model_dir: &Path, data: &Path) -> Result<Vec<(String, f64)>> {
    let m = LoadedModel::open(model_dir)?;
    let file = std::fs::File::open(data).map_err(|e| logit_core::Error::io(data, e))?;
    let mut rdr = csv_reader(file);
    let head = headers(&mut rdr, data)?;
    let at = m.config.encoding.locate(&head, data)?;
    let tc = head
        .iter()
        .position(|h| *h == m.config.encoding.target)
        .ok_or_else(|| {
            logit_core::Error::invalid(
                format!("{}", data.display()),
                format!("the label column '{}'", m.config.encoding.target),
                format!("columns {head:?}"),
            )
        })?;
    let (mut probs, mut labels) = (Vec::new(), Vec::new());
    let mut x = Vec::new();
    let mut rows = 0;
    loop {
        let row = next_row(&mut rdr, head.len(), data)?;
        if let Some((cells, line)) = &row {
            m.config
                .encoding
                .encode_row(cells, &at, data, *line, &mut x)?;
            labels.push(m.config.encoding.label(cells, tc, data, *line)? as f64);
            rows += 1;
        }
        if rows == CHUNK || (row.is_none() && rows > 0) {
            probs.extend(m.predict(&x, rows)?);
            x.clear();
            rows = 0;
        }
        if row.is_none() {
            break;
        }
    }
    if probs.is_empty() {
        return Err(logit_core::Error::Parse {
            path: data.to_path_buf(),
            line: 2,
            column: 0,
            message: "no data rows after the header".into(),
        });
    }
    let t = m.config.threshold;
    let mut rows = vec![("rows".to_string(), probs.len() as f64)];
    rows.extend(metrics::report(&probs, &labels, t)?);
    rows.push(("threshold".into(), t));
    Ok(rows)
}
