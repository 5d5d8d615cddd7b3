//! [`EncodedStream`]: a fitted [`Encoding`] applied to a CSV reader chunk by chunk, so files
//! larger than memory can be scored or evaluated.

use std::path::{Path, PathBuf};

use logit_core::{Error, Result};

use crate::encoding::Encoding;
use crate::reader::{csv_reader, headers, next_row, CsvFormat, Sniffed};

/// One chunk of a stream: the raw cells of its rows, their features and, when the file has
/// the label column, their labels.
#[derive(Debug, Clone, Default)]
pub struct EncodedChunk {
    /// The rows' cells as read (trimmed).
    pub cells: Vec<Vec<String>>,
    /// `[rows × width]` features, row-major.
    pub features: Vec<f32>,
    /// 0/1 labels, one per row, or empty when the file has no label column.
    pub labels: Vec<f32>,
}

impl EncodedChunk {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// An iterator of [`EncodedChunk`]s over a CSV, from [`Encoding::stream`].
pub struct EncodedStream<'e, R: std::io::Read> {
    encoding: &'e Encoding,
    reader: csv::Reader<Sniffed<R>>,
    source: PathBuf,
    headers: Vec<String>,
    at: Vec<usize>,
    label_column: Option<usize>,
    chunk: usize,
    done: bool,
}

impl Encoding {
    /// Streams `reader` (a CSV with at least this encoding's input columns) in chunks of
    /// `chunk` rows. Labels are read when the file has the target column.
    ///
    /// ```
    /// use logit_data::{fit_encoding, Table};
    /// let csv = "x,colour,y\n1,red,0\n2,blue,1\n3,,1\n";
    /// let table = Table::read(csv.as_bytes(), "t.csv".as_ref())?;
    /// let (encoding, _) = fit_encoding(&table, "y", None, &[], true, &[0, 1, 2])?;
    /// let chunks: Vec<_> = encoding
    ///     .stream(csv.as_bytes(), "t.csv".as_ref(), 2)?
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(chunks.len(), 2);
    /// assert_eq!(chunks[0].features, [1.0, 0.0, 1.0, 2.0, 1.0, 0.0]); // x, blue, red
    /// assert_eq!(chunks[1].labels, [1.0]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// An unreadable header or a file without one of the input columns; later rows' errors
    /// come from the iterator, named by line and column.
    pub fn stream<R: std::io::Read>(
        &self,
        reader: R,
        source: &Path,
        chunk: usize,
    ) -> Result<EncodedStream<'_, R>> {
        self.stream_as(reader, source, chunk, CsvFormat::default())
    }

    /// As [`Encoding::stream`] with a given delimiter.
    ///
    /// # Errors
    /// As [`Encoding::stream`].
    pub fn stream_as<R: std::io::Read>(
        &self,
        reader: R,
        source: &Path,
        chunk: usize,
        format: CsvFormat,
    ) -> Result<EncodedStream<'_, R>> {
        if chunk == 0 {
            return Err(Error::invalid("stream", "a chunk of at least one row", "0"));
        }
        let mut reader = csv_reader(reader, source, format)?;
        let headers = headers(&mut reader, source)?;
        let at = self.locate(&headers, source)?;
        let label_column = headers.iter().position(|h| *h == self.target);
        Ok(EncodedStream {
            encoding: self,
            reader,
            source: source.to_path_buf(),
            headers,
            at,
            label_column,
            chunk,
            done: false,
        })
    }
}

impl<R: std::io::Read> EncodedStream<'_, R> {
    /// The file's column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Whether the file has the label column (so chunks carry labels).
    pub fn has_labels(&self) -> bool {
        self.label_column.is_some()
    }

    fn fill(&mut self) -> Result<EncodedChunk> {
        let mut out = EncodedChunk::default();
        while out.len() < self.chunk {
            let Some((cells, line)) = next_row(&mut self.reader, self.headers.len(), &self.source)?
            else {
                self.done = true;
                break;
            };
            let e = self.encoding;
            e.encode_row(&cells, &self.at, &self.source, line, &mut out.features)?;
            if let Some(c) = self.label_column {
                out.labels.push(e.label(&cells, c, &self.source, line)?);
            }
            out.cells.push(cells);
        }
        Ok(out)
    }
}

impl<R: std::io::Read> Iterator for EncodedStream<'_, R> {
    type Item = Result<EncodedChunk>;

    fn next(&mut self) -> Option<Result<EncodedChunk>> {
        if self.done {
            return None;
        }
        match self.fill() {
            Ok(c) if c.is_empty() => None,
            Ok(c) => Some(Ok(c)),
            Err(e) => {
                // a bad row ends the stream: what follows it cannot be trusted to line up
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
