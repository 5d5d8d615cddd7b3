//! `logit predict MODEL DATA.csv [-o out.csv]`: the input rows with a probability and a 0/1
//! decision, streamed in chunks so a CSV larger than memory works (a Parquet file is read
//! whole).

use std::io::Write;
use std::path::Path;

use logit_core::{Error, Result};
use logit_data::{CsvFormat, Table};
use logit_tabular::TabularModel;

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
    let (head, rows) = scored_rows(&m, data, format)?;
    let target = out.unwrap_or(Path::new("<stdout>"));
    let werr = |e: std::io::Error| Error::io(target, e);
    let write = |sink: Box<dyn Write>| -> Result<usize> {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
        let mut head = head;
        head.extend(["probability".to_string(), "decision".to_string()]);
        w.write_record(&head).map_err(|e| werr(io_of(e)))?;
        let mut total = 0;
        for row in rows {
            let (mut rec, p) = row?;
            rec.push(p.to_string());
            rec.push(if p >= m.config.threshold { "1" } else { "0" }.into());
            w.write_record(&rec).map_err(|e| werr(io_of(e)))?;
            total += 1;
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

/// Every row of `data` as its cells and probability with the file's header: a CSV streamed in
/// chunks, a Parquet file read whole.
type Rows<'m> = Box<dyn Iterator<Item = Result<(Vec<String>, f64)>> + 'm>;

fn scored_rows<'m>(
    m: &'m TabularModel,
    data: &Path,
    format: CsvFormat,
) -> Result<(Vec<String>, Rows<'m>)> {
    if logit_data::is_parquet(data)? {
        let t = Table::open(data)?;
        let probs = m.predict_table(&t)?;
        let head = t.headers.clone();
        let rows = probs.into_iter().enumerate().map(move |(i, p)| {
            let cells = (0..t.headers.len()).map(|c| t.cell(i, c).into_owned());
            Ok((cells.collect(), p))
        });
        return Ok((head, Box::new(rows)));
    }
    let file = std::fs::File::open(data).map_err(|e| Error::io(data, e))?;
    let stream = m.config.encoding.stream_as(file, data, CHUNK, format)?;
    let head = stream.headers().to_vec();
    let rows = stream.flat_map(move |chunk| {
        let scored = chunk.and_then(|c| Ok((m.predict(&c.features, c.len())?, c.cells)));
        match scored {
            Ok((probs, cells)) => cells.into_iter().zip(probs).map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }
    });
    Ok((head, Box::new(rows)))
}

/// The I/O error inside a CSV write error, so a closed pipe keeps its kind.
fn io_of(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
