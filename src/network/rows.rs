//! Rows of a text data file: whitespace-separated lines, or a delimited (CSV) file read with
//! the `csv` crate (quoted fields, CRLF, a UTF-8 byte-order mark, the delimiter detected), with
//! bounds on the file and line sizes. A [`Row`] is one reusable buffer, so reading a large edge
//! list allocates nothing per row.

pub(super) use super::row::Row;
use super::spec::{InputError, err};
use crate::limits;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// A parsed table: optional header and rows with their line numbers.
pub(super) struct Table {
    pub header: Option<Vec<String>>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// The field delimiter (`None`: split on whitespace).
    pub delimiter: Option<u8>,
}

/// The lines of a data file, read with bounds: at most [`limits::MAX_DATA_BYTES`] in all and
/// [`limits::MAX_LINE_BYTES`] a line, so that a huge file or a device such as `/dev/zero` is
/// refused without being held in memory.
pub(super) struct Lines {
    reader: std::io::BufReader<std::fs::File>,
    path: PathBuf,
    /// 1-based number of the line in `buf`.
    line: usize,
    total: u64,
    buf: Vec<u8>,
}

impl Lines {
    fn open(path: &Path) -> Result<Self, InputError> {
        let file = limits::open_capped(path, limits::MAX_DATA_BYTES)
            .map_err(|e| err(path, None, e.to_string()))?;
        Ok(Lines {
            reader: std::io::BufReader::with_capacity(1 << 16, file),
            path: path.to_path_buf(),
            line: 0,
            total: 0,
            buf: Vec::new(),
        })
    }

    /// Reads the next line into `buf` (without its line ending); `false` at the end.
    fn advance(&mut self) -> Result<bool, InputError> {
        self.buf.clear();
        let n = (&mut self.reader)
            .take(limits::MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| err(&self.path, None, format!("cannot read file: {e}")))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        self.total += n as u64;
        if self.line == 1 && self.buf.starts_with(BOM.as_bytes()) {
            self.buf.drain(..BOM.len());
        }
        if self.total > limits::MAX_DATA_BYTES {
            return Err(err(
                &self.path,
                None,
                limits::ReadError::TooLarge(limits::MAX_DATA_BYTES).to_string(),
            ));
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        } else if self.buf.len() > limits::MAX_LINE_BYTES {
            return Err(err(
                &self.path,
                Some(self.line),
                format!(
                    "line is longer than {} (the most kolsim reads in one row): is this really a table of text rows?",
                    limits::size_text(limits::MAX_LINE_BYTES as u64)
                ),
            ));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if let Err(e) = std::str::from_utf8(&self.buf) {
            let at = e.valid_up_to();
            return Err(err(
                &self.path,
                Some(self.line),
                format!(
                    "file is not valid UTF-8 (byte 0x{:02X} at column {}; save it as UTF-8)",
                    self.buf[at],
                    at + 1
                ),
            ));
        }
        Ok(true)
    }

    /// Reads the next data row (blank lines and `#` comments skipped) into `row`, split on
    /// whitespace; `false` at the end of the file.
    fn next_row(&mut self, row: &mut Row) -> Result<bool, InputError> {
        while self.advance()? {
            // Checked as UTF-8 in `advance`.
            let raw = std::str::from_utf8(&self.buf).unwrap_or_default();
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            row.clear();
            for f in line.split_whitespace() {
                row.push(f);
            }
            row.line = self.line;
            return Ok(true);
        }
        Ok(false)
    }
}

/// Bounds on a delimited file being read: at most [`limits::MAX_DATA_BYTES`] in all and
/// [`limits::MAX_LINE_BYTES`] a line. The CSV parser sees an I/O error when a bound is passed;
/// the located reason is kept in `refused`.
pub(super) struct Capped<R> {
    inner: R,
    total: u64,
    /// Bytes since the last line ending.
    since_newline: usize,
    /// Line endings seen.
    newlines: usize,
    /// The line endings read but not yet passed by a record (see [`Capped::line_at`]): each
    /// one's byte offset and whether the line it ends is one the `csv` parser skips before a
    /// record (empty, or starting with `#`). The parser's own line count is one short per
    /// CRLF row.
    pending: std::collections::VecDeque<(u64, bool)>,
    /// The first bytes of the line being read (to tell a line the parser skips).
    head: [u8; 4],
    /// Line endings before the first offset in `pending`.
    passed: usize,
    refused: Option<(Option<usize>, String)>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.total;
        self.total += n as u64;
        if self.total > limits::MAX_DATA_BYTES {
            self.refused = Some((
                None,
                limits::ReadError::TooLarge(limits::MAX_DATA_BYTES).to_string(),
            ));
            return Err(std::io::Error::other("file too large"));
        }
        for (k, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                let skipped = self.skipped_line();
                self.pending.push_back((start + k as u64, skipped));
                self.newlines += 1;
                self.since_newline = 0;
            } else {
                if let Some(h) = self.head.get_mut(self.since_newline) {
                    *h = b;
                }
                self.since_newline += 1;
                if self.since_newline > limits::MAX_LINE_BYTES {
                    self.refused = Some((Some(self.newlines + 1), line_too_long()));
                    return Err(std::io::Error::other("line too long"));
                }
            }
        }
        Ok(n)
    }
}

fn line_too_long() -> String {
    format!(
        "line is longer than {} (the most kolsim reads in one row): is this really a table of text rows?",
        limits::size_text(limits::MAX_LINE_BYTES as u64)
    )
}

/// The rows of a data file: whitespace-separated lines, or a delimited (CSV) file read with the
/// `csv` crate (quoted fields, CRLF, a UTF-8 byte-order mark).
pub(super) enum Rows {
    Whitespace(Lines),
    /// A plain delimited file on the byte-level fast path ([`super::fast_csv`]).
    Fast(super::fast_csv::FastRows, u8),
    Delimited {
        path: PathBuf,
        reader: Box<csv::Reader<Capped<std::io::BufReader<std::fs::File>>>>,
        record: csv::ByteRecord,
        /// Whether no record has been read yet (a byte-order mark is stripped from it).
        first: bool,
        /// The field delimiter.
        delimiter: u8,
    },
}

/// The UTF-8 byte-order mark Excel puts at the start of "CSV UTF-8" files.
const BOM: &str = "\u{feff}";

/// The delimiter of a delimited file: `set` if given; else, for `.csv`/`.tsv` files (and any
/// file whose first data line holds a `,`, `;` or tab but no space-separated fields), the one
/// of comma, semicolon and tab that occurs most often (outside quotes) in the first data line;
/// `None` for whitespace-separated files. With `always`, every file is delimited (comma by
/// default, detected as for `.csv`).
fn sniff_delimiter(path: &Path, set: Option<u8>, always: bool) -> Result<Option<u8>, InputError> {
    if set.is_some() {
        return Ok(set);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let default = match ext.as_str() {
        "tsv" => b'\t',
        "csv" => b',',
        _ if always => b',',
        _ => return Ok(None),
    };
    let mut lines = Lines::open(path)?;
    let mut first = None;
    while lines.advance()? {
        let raw = std::str::from_utf8(&lines.buf).unwrap_or_default();
        let raw = raw.strip_prefix(BOM).unwrap_or(raw);
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        first = Some(raw.to_string());
        break;
    }
    let Some(line) = first else {
        return Ok(Some(default));
    };
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&k| (counts[k], candidates[k] == default));
    Ok(Some(match best {
        Some(k) if counts[k] > 0 => candidates[k],
        _ => default,
    }))
}

impl Rows {
    /// Opens `path`, delimited by `delimiter` (detected when `None`, see [`sniff_delimiter`]).
    pub fn open(path: &Path, delimiter: Option<u8>) -> Result<Self, InputError> {
        Self::open_as(path, delimiter, false)
    }

    /// The delimiter of a delimited file (`None`: split on whitespace).
    pub fn delimiter(&self) -> Option<u8> {
        match self {
            Rows::Whitespace(_) => None,
            Rows::Fast(_, delimiter) | Rows::Delimited { delimiter, .. } => Some(*delimiter),
        }
    }

    /// The number of lines of a file read on the fast path (at least its rows), for capacity
    /// hints; `None` for other files.
    pub fn lines_hint(&self) -> Option<usize> {
        match self {
            Rows::Fast(f, _) => Some(f.lines()),
            _ => None,
        }
    }

    /// Opens `path` as [`Rows::open`] does; with `always`, as a delimited file whatever its
    /// extension. A plain delimited file takes the fast path ([`super::fast_csv`]: the same
    /// rows, read several times faster).
    pub(super) fn open_as(
        path: &Path,
        delimiter: Option<u8>,
        always: bool,
    ) -> Result<Self, InputError> {
        if let Some(d) = sniff_delimiter(path, delimiter, always)?
            && let Some(f) = super::fast_csv::FastRows::open(path, d)?
        {
            return Ok(Rows::Fast(f, d));
        }
        Self::open_general(path, delimiter, always)
    }

    /// [`Rows::open_as`] without the fast path.
    pub(super) fn open_general(
        path: &Path,
        delimiter: Option<u8>,
        always: bool,
    ) -> Result<Self, InputError> {
        match sniff_delimiter(path, delimiter, always)? {
            None => Ok(Rows::Whitespace(Lines::open(path)?)),
            Some(d) => {
                let file = limits::open_capped(path, limits::MAX_DATA_BYTES)
                    .map_err(|e| err(path, None, e.to_string()))?;
                let capped = Capped {
                    inner: std::io::BufReader::with_capacity(1 << 16, file),
                    total: 0,
                    since_newline: 0,
                    newlines: 0,
                    pending: Default::default(),
                    head: [0; 4],
                    passed: 0,
                    refused: None,
                };
                let reader = csv::ReaderBuilder::new()
                    .delimiter(d)
                    .has_headers(false)
                    .flexible(true)
                    .comment(Some(b'#'))
                    .trim(csv::Trim::All)
                    .from_reader(capped);
                Ok(Rows::Delimited {
                    path: path.to_path_buf(),
                    reader: Box::new(reader),
                    record: csv::ByteRecord::new(),
                    first: true,
                    delimiter: d,
                })
            }
        }
    }

    /// Reads the next data row (blank lines and `#` comments skipped) into `row`; `false` at
    /// the end of the file.
    pub fn next_row(&mut self, row: &mut Row) -> Result<bool, InputError> {
        self.next_row_ahead(row, &mut |_, _| {})
    }

    /// [`Rows::next_row`], showing `ahead` the fields (column, text) of a row some rows
    /// later where the reader has it already (on the fast path), so that the caller can
    /// prefetch what they will look up: a hint, with no effect on the rows.
    pub fn next_row_ahead(
        &mut self,
        row: &mut Row,
        ahead: &mut dyn FnMut(usize, &str),
    ) -> Result<bool, InputError> {
        match self {
            Rows::Whitespace(lines) => lines.next_row(row),
            Rows::Fast(f, _) => Ok(f.next_row(row, ahead)),
            Rows::Delimited {
                path,
                reader,
                record,
                first,
                ..
            } => loop {
                let more = match reader.read_byte_record(record) {
                    Ok(more) => more,
                    Err(e) => {
                        if let Some((line, message)) = reader.get_mut().get_mut_refused() {
                            return Err(err(path, line, message));
                        }
                        let line = e.position().map(|p| reader.get_mut().line_at(p.byte()));
                        return Err(err(path, line, format!("cannot read file: {e}")));
                    }
                };
                if !more {
                    return Ok(false);
                }
                let offset = record.position().map_or(0, |p| p.byte());
                let line = reader.get_mut().line_at(offset);
                row.clear();
                row.line = line;
                for (k, f) in record.iter().enumerate() {
                    match std::str::from_utf8(f) {
                        Ok(s) => {
                            let s = if *first && k == 0 {
                                s.strip_prefix(BOM).unwrap_or(s).trim()
                            } else {
                                s
                            };
                            row.push(s)
                        }
                        Err(e) => {
                            let at = e.valid_up_to();
                            return Err(err(
                                path,
                                Some(line),
                                format!(
                                    "file is not valid UTF-8 (byte 0x{:02X} in field {}; save it as UTF-8)",
                                    f[at],
                                    k + 1
                                ),
                            ));
                        }
                    }
                }
                *first = false;
                if row.is_blank() {
                    continue;
                }
                if row.bytes() > limits::MAX_LINE_BYTES {
                    return Err(err(path, Some(line), line_too_long()));
                }
                return Ok(true);
            },
        }
    }
}

impl<R> Capped<R> {
    /// The 1-based line of the record whose read started at byte `offset` (offsets must not
    /// decrease between calls): one more than the line endings before it, then past the lines
    /// the parser skipped before the record (empty lines and `#` comments: the read starts
    /// where they do). After a CRLF the `csv` crate places the next read at the `\n`, and
    /// after an empty line at its `\n`, so a line ending at `offset` itself counts as before.
    fn line_at(&mut self, offset: u64) -> usize {
        while self.pending.front().is_some_and(|&(o, _)| o <= offset) {
            self.pending.pop_front();
            self.passed += 1;
        }
        while self.pending.front().is_some_and(|&(_, skipped)| skipped) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }

    /// Whether the line just read (up to its `\n`) is one the parser skips before a record:
    /// empty (or `\r` alone), or starting with `#`; on the first line, after a byte-order mark
    /// (the parser strips it).
    fn skipped_line(&self) -> bool {
        let mut len = self.since_newline;
        let mut head = &self.head[..len.min(self.head.len())];
        if self.newlines == 0 && head.starts_with(BOM.as_bytes()) {
            head = &head[BOM.len()..];
            len -= BOM.len();
        }
        match head.first() {
            None => true,
            Some(b'#') => true,
            Some(b'\r') => len == 1,
            Some(_) => false,
        }
    }

    fn get_mut_refused(&mut self) -> Option<(Option<usize>, String)> {
        self.refused.take()
    }
}

pub(super) fn read_table(
    path: &Path,
    header: bool,
    delimiter: Option<u8>,
) -> Result<Table, InputError> {
    let mut lines = Rows::open(path, delimiter)?;
    let mut table = Table {
        header: None,
        rows: Vec::new(),
        delimiter: lines.delimiter(),
    };
    let mut row = Row::default();
    while lines.next_row(&mut row)? {
        if header && table.header.is_none() {
            table.header = Some(row.to_vec());
        } else {
            table.rows.push((row.line, row.to_vec()));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 1-based lines of the data rows of `text`, counted by hand: a byte-order mark at
    /// the start dropped, blank lines and lines starting with `#` skipped.
    fn data_lines(text: &str) -> Vec<usize> {
        let text = text.strip_prefix(BOM).unwrap_or(text);
        text.split('\n')
            .enumerate()
            .filter(|(_, l)| {
                let l = l.trim();
                !l.is_empty() && !l.starts_with('#')
            })
            .map(|(k, _)| k + 1)
            .collect()
    }

    /// The lines the reader gives the rows of `text` (general reader, or the fast path where it
    /// takes the file).
    fn read_lines(text: &str, general: bool) -> Vec<usize> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, text).unwrap();
        let mut rows = if general {
            Rows::open_general(&path, None, false).unwrap()
        } else {
            Rows::open(&path, None).unwrap()
        };
        let mut row = Row::default();
        let mut lines = Vec::new();
        while rows.next_row(&mut row).unwrap() {
            lines.push(row.line);
        }
        lines
    }

    #[test]
    fn rows_name_their_lines_after_comments_blank_lines_and_a_lone_byte_order_mark() {
        let cases = [
            "a,b\n# comment\nc,d\n",
            "a,b\n\nc,d\n",
            "a,b\n\n\nc,d\n",
            "a,b\n\n\n\n# x\n\n# y\n# z\nc,d\ne,f",
            "# first\n# second\na,b\nc,d\n",
            "\u{feff}\na,b\nc,d\n",
            "\u{feff}\n\n# c\na,b\n\n\nc,d\n",
            "\u{feff}a,b\n\n\nc,d\n",
            "a,b\r\n# comment\r\n\r\n\r\nc,d\r\n",
            "\u{feff}\r\n\r\na,b\r\nc,d\r\n",
            "a,b\n   \n\t\nc,d\n",
            "a;b\n#\n\n\nc;d\n",
        ];
        for text in cases {
            let want = data_lines(text);
            assert_eq!(read_lines(text, true), want, "general reader: {text:?}");
            assert_eq!(read_lines(text, false), want, "fast path: {text:?}");
        }
    }

    #[test]
    fn a_bad_field_after_comments_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, b"a,b\n# note\n\n\nc,\xff\n").unwrap();
        let e = Rows::open_general(&path, None, false)
            .and_then(|mut rows| {
                let mut row = Row::default();
                while rows.next_row(&mut row)? {}
                Ok(())
            })
            .unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
    }
}
