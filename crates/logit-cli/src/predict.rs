//! `logit predict MODEL DATA.csv [-o out.csv]`: the input rows with a probability and a 0/1
//! decision, streamed in chunks so a file larger than memory works.

use std::io::Write;
use std::path::Path;

use logit_core::{Error, Result};
use logit_data::CsvFormat;

use crate::evaluate::CHUNK;

/// Writes predictions for `data` to `out` (stdout when `None`); a file output is written
/// atomically, so it is never half-written. Probabilities keep full precision (a rare-event
/// score is not `0.000000`).
///
/// # Errors
/// As [`crate::evaluate::evaluate`], or an output that cannot be written.
pub fn predict(
    model_dir: &Path,
    data: &Path,
    out: Option<&Path>,
    format: CsvFormat,
) -> Result<usize> {
    let m = crate::folder::open(model_dir)?;
    let file = std::fs::File::open(data).map_err(|e| Error::io(data, e))?;
    let stream = m.config.encoding.stream_as(file, data, CHUNK, format)?;
    let target = out.unwrap_or(Path::new("<stdout>"));
    let werr = |e: std::io::Error| Error::io(target, e);
    let write = |sink: Box<dyn Write>| -> Result<usize> {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
        let mut head = stream.headers().to_vec();
        head.extend(["probability".to_string(), "decision".to_string()]);
        w.write_record(&head).map_err(|e| werr(io_of(e)))?;
        let mut total = 0;
        for chunk in stream {
            let chunk = chunk?;
            let probs = m.predict(&chunk.features, chunk.len())?;
            total += chunk.len();
            for (mut rec, p) in chunk.cells.into_iter().zip(probs) {
                rec.push(p.to_string());
                rec.push(if p >= m.config.threshold { "1" } else { "0" }.into());
                w.write_record(&rec).map_err(|e| werr(io_of(e)))?;
            }
        }
        w.flush().map_err(werr)?;
        Ok(total)
    };
    // a closed pipe (`logit predict … | head`) is the reader being done, not a failure
    let quiet = |r: Result<usize>| match r {
        Err(Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(0)
        }
        r => r,
    };
    match out {
        Some(o) => logit_core::io::atomic_with(o, |tmp| {
            write(Box::new(
                std::fs::File::create(tmp).map_err(|e| Error::io(o, e))?,
            ))
        }),
        None => quiet(write(Box::new(std::io::stdout().lock()))),
    }
}

/// The I/O error inside a CSV write error, so a closed pipe keeps its kind.
fn io_of(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
