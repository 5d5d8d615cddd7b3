//! The reader behind every CSV logit reads: a sniffed delimiter, a byte-order mark skipped,
//! trimmed cells, ragged rows reported by line and column, the spellings of a missing cell,
//! and how names and cells are quoted in messages.

use std::path::Path;

use logit_core::{Error, Result};

/// Cells that mean "missing", besides the empty cell (the R, pandas and UCI spellings).
pub const MISSING: [&str; 6] = ["NA", "NaN", "nan", "null", "NULL", "?"];

/// Whether a (trimmed) cell is missing: empty, or one of [`MISSING`].
pub fn is_missing(cell: &str) -> bool {
    cell.is_empty() || MISSING.contains(&cell)
}

/// A name or cell as an error message shows it: quoted, control characters escaped (so a
/// message stays one line) and cut to 40 characters.
///
/// ```
/// assert_eq!(logit_data::quote("a\nb"), "'a\\nb'");
/// assert_eq!(logit_data::quote(&"x".repeat(50)).chars().count(), 43);
/// ```
pub fn quote(s: &str) -> String {
    let escaped: String = s.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(40) {
        Some((cut, _)) => format!("'{}…'", &escaped[..cut]),
        None => format!("'{escaped}'"),
    }
}

/// How a CSV is read: its delimiter, sniffed from the header line when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvFormat {
    /// `,`, `;`, tab, `|`, …; `None` picks the most frequent of those in the header line.
    pub delimiter: Option<u8>,
}

impl std::str::FromStr for CsvFormat {
    type Err = Error;

    /// `auto` (sniff), `tab` (or `\t`), or the delimiter itself, one ASCII character.
    fn from_str(s: &str) -> Result<CsvFormat> {
        let delimiter = match s {
            "auto" => None,
            "tab" | "\\t" | "\t" => Some(b'\t'),
            c if c.len() == 1 && c.is_ascii() && c != "\"" && c != "\n" => Some(c.as_bytes()[0]),
            other => {
                return Err(Error::invalid(
                    "--delimiter",
                    "auto, tab, or one ASCII character such as , or ;",
                    quote(other),
                ))
            }
        };
        Ok(CsvFormat { delimiter })
    }
}

impl std::fmt::Display for CsvFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.delimiter {
            None => write!(f, "auto"),
            Some(b'\t') => write!(f, "tab"),
            Some(d) => write!(f, "{}", d as char),
        }
    }
}

/// The stream a [`csv_reader`] reads: the bytes it peeked at to sniff the format, then the
/// rest.
pub type Sniffed<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, R>;

/// A CSV reader with the settings every command shares: trimmed cells, ragged rows allowed
/// (so they can be reported with their line), a UTF-8 byte-order mark skipped, and the
/// delimiter `format` gives or sniffed from the header line.
///
/// # Errors
/// [`Error::Io`] naming `source` when the start of the input cannot be read.
pub fn csv_reader<R: std::io::Read>(
    mut r: R,
    source: &Path,
    format: CsvFormat,
) -> Result<csv::Reader<Sniffed<R>>> {
    use std::io::Read;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    // the header line, or 64 KiB of it
    while !head.contains(&b'\n') && head.len() < 1 << 16 {
        let n = r.read(&mut buf).map_err(|e| Error::io(source, e))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    let delimiter = format.delimiter.unwrap_or_else(|| sniff(&head));
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(std::io::Cursor::new(head).chain(r)))
}

/// The most frequent of `,`, `;`, tab and `|` outside quotes in the first line (`,` on a tie
/// or when none appears).
fn sniff(head: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(k) = candidates.iter().position(|&c| c == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4)
        .max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
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
    Ok(read_record(rdr, &mut rec, width, source)?
        .map(|line| (rec.iter().map(String::from).collect(), line)))
}

/// As [`next_row`] into a record the caller reuses (no allocation per row); returns the
/// record's line.
///
/// # Errors
/// As [`next_row`].
pub fn read_record<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::StringRecord,
    width: usize,
    source: &Path,
) -> Result<Option<u64>> {
    let more = rdr.read_record(rec).map_err(|e| Error::Parse {
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
    Ok(Some(line))
}
