//! The byte-level fast path behind [`super::rows::Rows`] for the common delimited file: no
//! quote character anywhere, lines ended by `\n` or `\r\n`, valid UTF-8, no line over
//! [`limits::MAX_LINE_BYTES`], at most [`FAST_MAX_BYTES`] in all. Such a file is read whole and
//! split with `memchr` (lines, then fields), each field trimmed of ASCII whitespace, with no
//! per-row allocation and no copy through the `csv` crate's buffers.
//!
//! It yields exactly the rows, fields and line numbers the general reader (the `csv` crate,
//! `flexible`, `#` comments, `Trim::All`, as [`super::rows`] configures it) yields for the same
//! file: a line that is empty (or only `\r`) is skipped; every other line is a record, split at each delimiter; the first record's first
//! field loses a byte-order mark and is trimmed again (as the general reader does). Anything
//! else — a `"`, a lone `\r` (the `csv` crate ends a record there), a `#` comment or an empty
//! line (the general reader numbers the record after some of them one short), invalid UTF-8 (the general
//! reader names the field), a byte-order mark followed by `#` or whitespace, an over-long line or a file too
//! large to hold — makes [`FastRows::open`] answer `None`, and the general reader takes the
//! file, errors and all. `tests` below check the equivalence over generated files.

use super::row::Row;
use super::spec::{InputError, err};
use crate::limits;
use std::io::Read;
use std::path::Path;

/// Largest file read whole by the fast path (larger ones stream through the general reader,
/// so that the file's text is never held in memory beside a large network).
pub const FAST_MAX_BYTES: u64 = 256 << 20;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// Whether a line the `csv` crate skips (a `#` comment, an empty line) starts at `at`.
fn skipped_line(text: &[u8], at: usize) -> bool {
    matches!(text.get(at), Some(b'#' | b'\n')) || text.get(at..at + 2) == Some(b"\r\n")
}

/// A delimited file held in memory, split row by row.
#[derive(Debug)]
pub(super) struct FastRows {
    text: Vec<u8>,
    /// Start of the next line.
    pos: usize,
    /// 1-based line number of the line at `pos`.
    line: usize,
    delimiter: u8,
    /// No record has been returned yet.
    first: bool,
}

impl FastRows {
    /// Reads `path` for the fast path with `delimiter`; `None` when the file needs the general
    /// reader (see the module docs). Errors only where the general reader would fail the same
    /// way (the file cannot be opened or read).
    pub(super) fn open(path: &Path, delimiter: u8) -> Result<Option<Self>, InputError> {
        if delimiter == b'"' || delimiter == b'#' || delimiter == b'\r' || delimiter == b'\n' {
            return Ok(None);
        }
        let mut file = limits::open_capped(path, limits::MAX_DATA_BYTES)
            .map_err(|e| err(path, None, e.to_string()))?;
        match file.metadata() {
            Ok(m) if m.is_file() && m.len() <= FAST_MAX_BYTES => {}
            _ => return Ok(None),
        }
        let mut text = Vec::new();
        if (&mut file)
            .take(FAST_MAX_BYTES + 1)
            .read_to_end(&mut text)
            .is_err()
            || text.len() as u64 > FAST_MAX_BYTES
        {
            return Ok(None);
        }
        Ok(Self::from_bytes(text, delimiter))
    }

    /// The fast path over `text`, or `None` when it needs the general reader.
    fn from_bytes(text: Vec<u8>, delimiter: u8) -> Option<Self> {
        if memchr::memchr(b'"', &text).is_some()
            || memchr::memchr_iter(b'\r', &text).any(|i| text.get(i + 1) != Some(&b'\n'))
            || std::str::from_utf8(&text).is_err()
            // The general reader numbers the record after a `#` comment or after two empty lines
            // one short: keep its numbers by leaving files with comments or empty lines to it.
            || skipped_line(&text, 0)
            || memchr::memchr_iter(b'\n', &text).any(|i| skipped_line(&text, i + 1))
            || text.starts_with(BOM) && text.get(BOM.len()).is_none_or(|b| b.is_ascii_whitespace() || *b == b'#')
        {
            return None;
        }
        if text.len() > limits::MAX_LINE_BYTES {
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', &text).chain([text.len()]) {
                if end - start > limits::MAX_LINE_BYTES {
                    return None;
                }
                start = end + 1;
            }
        }
        Some(FastRows {
            text,
            pos: 0,
            line: 1,
            delimiter,
            first: true,
        })
    }

    /// Reads the next data row into `row` (as the general reader does); `false` at the end.
    pub(super) fn next_row(&mut self, row: &mut Row) -> bool {
        while self.pos < self.text.len() {
            let start = self.pos;
            let end =
                memchr::memchr(b'\n', &self.text[start..]).map_or(self.text.len(), |k| start + k);
            let line = self.line;
            self.pos = end + 1;
            self.line += 1;
            let mut raw = &self.text[start..end];
            if let [rest @ .., b'\r'] = raw {
                raw = rest;
            }
            if raw.is_empty() {
                continue;
            }
            row.clear();
            row.line = line;
            let mut from = 0;
            let mut k = 0;
            loop {
                let to =
                    memchr::memchr(self.delimiter, &raw[from..]).map_or(raw.len(), |j| from + j);
                let mut f = raw[from..to].trim_ascii();
                if self.first && k == 0 {
                    f = f.strip_prefix(BOM).unwrap_or(f);
                }
                // Checked as UTF-8 whole in `from_bytes`, and split at ASCII bytes.
                let s = std::str::from_utf8(f).unwrap_or_default();
                row.push(if self.first && k == 0 { s.trim() } else { s });
                k += 1;
                if to == raw.len() {
                    break;
                }
                from = to + 1;
            }
            self.first = false;
            if row.is_blank() {
                continue;
            }
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::Rows;
    use super::*;

    /// Every row (line and fields) of `path` read by `rows`, or the error text.
    fn all(mut rows: Rows) -> Result<Vec<(usize, Vec<String>)>, String> {
        let mut row = Row::default();
        let mut out = Vec::new();
        while rows.next_row(&mut row).map_err(|e| e.to_string())? {
            out.push((row.line, row.to_vec()));
        }
        Ok(out)
    }

    /// A small deterministic generator of awkward delimited files.
    fn generated(seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let delim = [b',', b';', b'\t'][next(3) as usize];
        let mut t = Vec::new();
        if next(3) == 0 {
            t.extend_from_slice(BOM);
        }
        let pieces: [&[u8]; 14] = [
            b"12",
            b"a b",
            b" 7 ",
            b"",
            b"#x",
            b"x#",
            b"\xc3\xa9t\xc3\xa9",
            b"0.5",
            b"1,5",
            b"\"q\"",
            b"\"a,b\"",
            b" ",
            b"-3",
            b"\xe2\x80\x83",
        ];
        for _ in 0..next(30) {
            match next(10) {
                0 => {}
                1 => t.extend_from_slice(b"# comment, with; delims"),
                2 => t.extend_from_slice(b"   "),
                _ => {
                    for f in 0..1 + next(4) {
                        if f > 0 {
                            t.push(delim);
                        }
                        // Quotes rarely, so that most files take the fast path.
                        let p = next(pieces.len() as u64) as usize;
                        let p = if pieces[p].contains(&b'"') && next(40) != 0 {
                            0
                        } else {
                            p
                        };
                        t.extend_from_slice(pieces[p]);
                    }
                }
            }
            t.extend_from_slice(match next(8) {
                0 => b"\r\n",
                1 if next(40) == 0 => b"\r",
                _ => b"\n",
            });
        }
        if next(2) == 0 {
            t.extend_from_slice(b"9,10");
        }
        t
    }

    #[test]
    fn fast_path_reads_exactly_what_the_general_reader_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (mut fast, mut general) = (0, 0);
        for seed in 0..3000u64 {
            let text = generated(seed);
            for (ext, delim) in [("csv", None), ("txt", Some(b';')), ("csv", Some(b'\t'))] {
                let p = dir.path().join(format!("f{seed}.{ext}"));
                std::fs::write(&p, &text).unwrap();
                let want = all(Rows::open_general(&p, delim, ext == "txt").unwrap());
                let got = all(Rows::open_as(&p, delim, ext == "txt").unwrap());
                assert_eq!(
                    got,
                    want,
                    "seed {seed}, {ext}: {:?}",
                    String::from_utf8_lossy(&text)
                );
                match Rows::open_as(&p, delim, ext == "txt").unwrap() {
                    Rows::Fast(..) => fast += 1,
                    _ => general += 1,
                }
            }
        }
        // Both paths are exercised.
        assert!(
            fast > 600 && general > 500,
            "fast {fast}, general {general}"
        );
    }

    #[test]
    fn refuses_what_only_the_general_reader_handles() {
        for (text, ok) in [
            (&b"a,b\n1,2\r\n"[..], true),
            (b"a,b\r1,2\n", false),
            (b"a,\"b\"\n", false),
            (b"\xef\xbb\xbf#c\n1,2\n", false),
            (b"\xef\xbb\xbfa,b\n1,2\n", true),
            (b"a,\xff\n", false),
            (b"a,b\n# c\n1,2\n", false),
            (b"a,b\n\n1,2\n", false),
            (b"a,b\r\n\r\n1,2\n", false),
            (b"a,b#\n1,#2\n", true),
        ] {
            assert_eq!(
                FastRows::from_bytes(text.to_vec(), b',').is_some(),
                ok,
                "{text:?}"
            );
        }
    }
}
