//! `logit predict MODEL DATA.csv [-o out.csv]`: the input rows with a probability and a 0/1
//! decision, streamed in chunks so a file larger than memory works.

use std::io::Write;
use std::path::Path;

use logit_core::{Error, Result};

use crate::config::LoadedModel;
use crate::evaluate::CHUNK;
use logit_data::{csv_reader, headers, next_row};

/// Writes predictions for `data` to `out` (stdout when `None`); a file output is written to a
/// temporary file and renamed, so it is never half-written.
///
/// # Errors
/// As [`crate::evaluate::evaluate`], or an output that cannot be written.
pub fn predict(model_dir: &Path, data: &Path, out: Option<&Path>) -> Result<usize> {
    let m = LoadedModel::open(model_dir)?;
    let file = std::fs::File::open(data).map_err(|e| Error::io(data, e))?;
    let mut rdr = csv_reader(file);
    let head = headers(&mut rdr, data)?;
    let at = m.config.encoding.locate(&head, data)?;
    let tmp = out.map(|o| {
        let name = o
            .file_name()
            .map_or("predictions".into(), |n| n.to_string_lossy().to_string());
        o.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
    });
    let sink: Box<dyn Write> = match &tmp {
        Some(t) => Box::new(std::fs::File::create(t).map_err(|e| Error::io(out.unwrap_or(t), e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    let werr =
        |e: csv::Error| Error::invalid("writing predictions", "a writable output", e.to_string());
    let result = (|| -> Result<usize> {
        let mut h = head.clone();
        h.extend(["probability".to_string(), "decision".to_string()]);
        w.write_record(&h).map_err(werr)?;
        let (mut x, mut pending) = (Vec::new(), Vec::new());
        let mut total = 0;
        loop {
            let row = next_row(&mut rdr, head.len(), data)?;
            if let Some((cells, line)) = row.as_ref() {
                m.config
                    .encoding
                    .encode_row(cells, &at, data, *line, &mut x)?;
                pending.push(cells.clone());
            }
            if pending.len() == CHUNK || (row.is_none() && !pending.is_empty()) {
                let probs = m.predict(&x, pending.len())?;
                for (cells, p) in pending.iter().zip(probs) {
                    let mut rec = cells.clone();
                    rec.push(format!("{p:.6}"));
                    rec.push(if p >= m.config.threshold {
                        "1".into()
                    } else {
                        "0".into()
                    });
                    w.write_record(&rec).map_err(werr)?;
                }
                total += pending.len();
                x.clear();
                pending.clear();
            }
            if row.is_none() {
                break;
            }
        }
        w.flush().map_err(|e| {
            Error::invalid("writing predictions", "a writable output", e.to_string())
        })?;
        Ok(total)
    })();
    drop(w);
    if let (Some(t), Some(o)) = (&tmp, out) {
        if result.is_ok() {
            std::fs::rename(t, o).map_err(|e| Error::io(o, e))?;
        } else {
            let _ = std::fs::remove_file(t);
        }
    }
    result
}
