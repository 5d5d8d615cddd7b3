//! Parquet input: a file's flat columns read into a [`Table`] — numbers as numbers, strings,
//! booleans and other values (dates, decimals) as text (a string cell such as `NA` is missing,
//! as in a CSV), nulls and NaN as missing.

use std::path::Path;

use logit_core::{Error, Result};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::table::{Builder, Table};

/// The column pandas writes for a non-default index: not data.
const PANDAS_INDEX: &str = "__index_level_0__";

/// Whether `path` is a Parquet file: a `.parquet` extension or the `PAR1` magic.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened.
pub fn is_parquet(path: &Path) -> Result<bool> {
    let by_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if by_name {
        return Ok(true);
    }
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut magic))
        .map_err(|e| Error::io(path, e))?;
    Ok(read == 4 && &magic == b"PAR1")
}

impl Table {
    /// Reads a Parquet file's bytes (flat columns: numbers, strings, booleans; SNAPPY or
    /// uncompressed). Messages name a cell by its 1-based row and column.
    ///
    /// # Errors
    /// [`Error::Parse`] for bytes that are not Parquet, an unsupported compression, nested
    /// columns, or a file without rows. Dates, times, decimals and binary values are read as
    /// their text.
    pub fn from_parquet(bytes: Vec<u8>, source: &Path) -> Result<Table> {
        // the parquet crate can panic on corrupt pages (found by fuzzing: an RLE run past the
        // end of its buffer); a corrupt file is the caller's bad input, not a crash
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Table::read_parquet(bytes, source)
        }));
        read.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("corrupt data");
            Err(Error::Parse {
                path: source.to_path_buf(),
                line: 0,
                column: 0,
                message: format!("corrupt Parquet data: {}", crate::quote(what)),
            })
        })
    }

    fn read_parquet(bytes: Vec<u8>, source: &Path) -> Result<Table> {
        let bad = |row: usize, col: usize, message: String| Error::Parse {
            path: source.to_path_buf(),
            line: row,
            column: col,
            message,
        };
        let reader = SerializedFileReader::new(bytes::Bytes::from(bytes))
            .map_err(|e| bad(0, 0, format!("not a readable Parquet file: {e}")))?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        if schema.columns().iter().any(|c| c.path().parts().len() != 1) {
            return Err(bad(
                0,
                0,
                "nested Parquet columns; expected flat ones".into(),
            ));
        }
        let headers: Vec<String> = schema
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let keep: Vec<bool> = headers.iter().map(|h| h != PANDAS_INDEX).collect();
        let mut builders: Vec<Builder> = headers.iter().map(|_| Builder::new()).collect();
        let rows_iter = reader
            .get_row_iter(None)
            .map_err(|e| bad(0, 0, format!("cannot read the rows: {e}")))?;
        let mut rows = 0usize;
        for row in rows_iter {
            let row = row.map_err(|e| bad(rows + 1, 0, format!("cannot read the row: {e}")))?;
            let line = rows as u64 + 1;
            for (c, (_, field)) in row.get_column_iter().enumerate() {
                let Some(b) = builders.get_mut(c) else {
                    return Err(bad(rows + 1, c + 1, "more fields than columns".into()));
                };
                push(b, field, line);
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(bad(1, 0, "no rows".into()));
        }
        let (headers, builders): (Vec<String>, Vec<Builder>) = headers
            .into_iter()
            .zip(builders)
            .zip(keep)
            .filter_map(|(hb, k)| k.then_some(hb))
            .unzip();
        Ok(Table::from_columns(source, headers, builders, rows, 1))
    }
}

fn push(b: &mut Builder, field: &Field, line: u64) {
    match field {
        Field::Null => b.push("", line),
        Field::Bool(v) => b.push(if *v { "true" } else { "false" }, line),
        Field::Byte(v) => b.push_number(f64::from(*v), line),
        Field::Short(v) => b.push_number(f64::from(*v), line),
        Field::Int(v) => b.push_number(f64::from(*v), line),
        Field::Long(v) => b.push_number(*v as f64, line),
        Field::UByte(v) => b.push_number(f64::from(*v), line),
        Field::UShort(v) => b.push_number(f64::from(*v), line),
        Field::UInt(v) => b.push_number(f64::from(*v), line),
        Field::ULong(v) => b.push_number(*v as f64, line),
        Field::Float16(v) => b.push_number(f64::from(*v), line),
        Field::Float(v) => b.push_number(f64::from(*v), line),
        Field::Double(v) => b.push_number(*v, line),
        Field::Str(s) => b.push(s.trim(), line),
        // dates, times, decimals, binary: their text, so such a column is one more text
        // column (which `--drop` removes, or the encoder refuses by name if it is kept)
        other => b.push(&other.to_string(), line),
    }
}
