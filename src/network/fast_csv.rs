//! The byte-level fast path behind [`super::rows::Rows`] for the common delimited file: no
//! quote character anywhere, lines ended by `\n` or `\r\n`, valid UTF-8, no line over
//! [`limits::MAX_LINE_BYTES`], at most [`FAST_MAX_BYTES`] in all. Such a file is read whole,
//! checked and split in chunks that end at line ends, the chunks in parallel (`rayon`) and
//! handed out in file order, so the rows are the same for any thread count. Lines and fields
//! are split with `memchr`, each field trimmed of ASCII whitespace, with no per-row allocation
//! and no copy through the `csv` crate's buffers.
//!
//! It yields exactly the rows, fields and line numbers the general reader (the `csv` crate,
//! `flexible`, `#` comments, `Trim::All`, as [`super::rows`] configures it) yields for the same
//! file: a line that is empty (or only `\r`) is skipped; every other line is a record, split at
//! each delimiter; the first record's first field loses a byte-order mark and is trimmed again
//! (as the general reader does). Anything else — a `"`, a lone `\r` (the `csv` crate ends a
//! record there), a `#` comment or an empty line (the general reader numbers the record after
//! some of them one short), invalid UTF-8 (the general reader names the field), a byte-order
//! mark followed by `#` or whitespace, an over-long line or a file too large to hold — makes
//! [`FastRows::open`] answer `None`, and the general reader takes the file, errors and all.
//! `tests` below check the equivalence over generated files, chunk sizes and thread counts.

use super::row::Row;
use super::rows::Rows;
use super::spec::{InputError, err};
use crate::limits;
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;

/// Largest file read whole by the fast path (larger ones stream through the general reader,
/// so that the file's text is never held in memory beside a large network). Offsets into it
/// fit in `u32`.
pub const FAST_MAX_BYTES: u64 = 256 << 20;

/// Bytes of a chunk split on one thread (a chunk ends just after a line end, so it may be
/// longer by a line).
const CHUNK: usize = 64 << 10;

/// Chunks split at a time: only their field offsets are held, not the whole file's.
const WINDOW: usize = 64;

/// How many rows ahead [`FastRows::next_row`] shows the fields to come.
pub(super) const AHEAD: usize = 16;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// Whether a line the `csv` crate skips (a `#` comment, an empty line) starts at `at`.
fn skipped_line(text: &[u8], at: usize) -> bool {
    matches!(text.get(at), Some(b'#' | b'\n')) || text.get(at..at + 2) == Some(b"\r\n")
}

/// The ranges of the chunks of `text` from `from`, each of about `chunk` bytes and ending just
/// after a `\n` (or at the end), at most `max` of them.
fn chunks(text: &[u8], from: usize, chunk: usize, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < text.len() && out.len() < max {
        let at = start + chunk.max(1) - 1;
        let end = match text.get(at..) {
            Some(rest) => memchr::memchr(b'\n', rest).map_or(text.len(), |k| at + k + 1),
            None => text.len(),
        };
        out.push((start, end));
        start = end;
    }
    out
}

/// The number of lines of chunk `s..e` of `text` when the fast path can read it (see the
/// module docs), else `None`. Chunks end after a `\n`, so every line lies in one chunk and the
/// UTF-8 check of the parts is the check of the whole.
fn plain_lines(text: &[u8], (s, e): (usize, usize)) -> Option<usize> {
    let part = &text[s..e];
    if memchr::memchr(b'"', part).is_some()
        || memchr::memchr_iter(b'\r', part).any(|i| text.get(s + i + 1) != Some(&b'\n'))
        || std::str::from_utf8(part).is_err()
    {
        return None;
    }
    let (mut start, mut lines) = (s, 0);
    for i in memchr::memchr_iter(b'\n', part).map(|i| s + i) {
        // The general reader numbers the record after a `#` comment or after two empty lines
        // one short: keep its numbers by leaving files with comments or empty lines to it.
        if i - start > limits::MAX_LINE_BYTES || skipped_line(text, i + 1) {
            return None;
        }
        start = i + 1;
        lines += 1;
    }
    (e - start <= limits::MAX_LINE_BYTES).then_some(lines + usize::from(e > start))
}

/// The rows of one chunk: their fields as offsets into the file's text.
#[derive(Debug, Default)]
struct Chunk {
    /// Lines before the chunk in the file.
    lines_before: usize,
    /// Each row's line within the chunk (0-based) and the end of its fields in `fields`.
    rows: Vec<(u32, u32)>,
    /// Start and end of each field (trimmed) in the text.
    fields: Vec<(u32, u32)>,
    /// Lines in the chunk.
    lines: usize,
    /// Each row's two id fields as small integers (see [`FastRows::pair_columns`]), or
    /// [`NO_PAIR`]; empty until the columns are set.
    pairs: Vec<(u32, u32)>,
}

/// A row of [`Chunk::pairs`] to hand out as a [`Row`].
const NO_PAIR: (u32, u32) = (u32::MAX, u32::MAX);

/// The id pairs of chunk `c` of `text`: for each row with at least `need` fields whose fields
/// `a` and `b` are both small canonical integers ([`small_integer`]), their values.
fn pairs_of(text: &str, c: &Chunk, (a, b, need): (usize, usize, usize)) -> Vec<(u32, u32)> {
    let b_ = text.as_bytes();
    let mut start = 0;
    c.rows
        .iter()
        .map(|&(_, end)| {
            let f = &c.fields[start as usize..end as usize];
            start = end;
            if f.len() < need {
                return NO_PAIR;
            }
            let id = |(s, e): (u32, u32)| small_integer(&b_[s as usize..e as usize]);
            match (id(f[a]), id(f[b])) {
                (Some(x), Some(y)) => (x, y),
                _ => NO_PAIR,
            }
        })
        .collect()
}

/// What [`FastRows::next_pair`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// The end of the file.
    End,
    /// A row, in the `row` given.
    Row,
    /// A row whose id fields are small integers: its 1-based line and their values (the row
    /// itself is not copied; [`FastRows::fill_last`] copies it where needed).
    Pair(usize, u32, u32),
}

/// The first `byte` in `hay`: a plain loop on the short rest of a line (ids of a few digits,
/// where `memchr`'s setup costs more than the search), `memchr` on longer ones.
#[inline]
fn find(byte: u8, hay: &[u8]) -> Option<usize> {
    if hay.len() <= 24 {
        hay.iter().position(|&c| c == byte)
    } else {
        memchr::memchr(byte, hay)
    }
}

/// Splits chunk `s..e` of `text` into rows and fields with `delimiter`, as
/// [`FastRows::next_row`] hands them out.
fn split_chunk(text: &str, (s, e): (usize, usize), delimiter: u8) -> Chunk {
    let b = text.as_bytes();
    let mut c = Chunk::default();
    let mut pos = s;
    while pos < e {
        let end = memchr::memchr(b'\n', &b[pos..e]).map_or(e, |k| pos + k);
        let (start, line) = (pos, c.lines as u32);
        pos = end + 1;
        c.lines += 1;
        let raw_end = if end > start && b[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        if raw_end == start {
            continue;
        }
        let first = c.fields.len();
        let mut from = start;
        loop {
            let to = find(delimiter, &b[from..raw_end]).map_or(raw_end, |j| from + j);
            // Checked as UTF-8 whole, and split at ASCII bytes.
            let mut f = text[from..to].trim_ascii();
            if start == 0 && c.fields.len() == first {
                // The first record's first field, as the general reader gives it.
                f = f.strip_prefix('\u{feff}').unwrap_or(f).trim();
            }
            let at = f.as_ptr() as usize - text.as_ptr() as usize;
            c.fields.push((at as u32, (at + f.len()) as u32));
            if to == raw_end {
                break;
            }
            from = to + 1;
        }
        if c.fields[first..].iter().all(|&(a, z)| a == z) {
            c.fields.truncate(first);
            continue;
        }
        c.rows.push((line, c.fields.len() as u32));
    }
    c
}

/// A delimited file held in memory, split row by row.
#[derive(Debug)]
pub(super) struct FastRows {
    text: String,
    delimiter: u8,
    /// Bytes of a chunk, and chunks split at a time.
    split: (usize, usize),
    /// Lines in the file (for capacity hints).
    lines: usize,
    /// Start of the text not yet split, and the lines before it.
    next: (usize, usize),
    /// The chunks split, and the next row: its chunk and its place there.
    window: Vec<Chunk>,
    at: (usize, usize),
    /// The id columns and the fields a row needs, once set ([`FastRows::pair_columns`]).
    pair_cols: Option<(usize, usize, usize)>,
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
        Ok(Self::from_bytes(text, delimiter, (CHUNK, WINDOW)))
    }

    /// The fast path over `text` split in chunks of `split.0` bytes, `split.1` chunks at a
    /// time, or `None` when it needs the general reader.
    fn from_bytes(text: Vec<u8>, delimiter: u8, split: (usize, usize)) -> Option<Self> {
        if skipped_line(&text, 0)
            || text.starts_with(BOM)
                && text
                    .get(BOM.len())
                    .is_none_or(|b| b.is_ascii_whitespace() || *b == b'#')
        {
            return None;
        }
        let parts = chunks(&text, 0, split.0, usize::MAX);
        let lines = parts
            .par_iter()
            .map(|&p| plain_lines(&text, p))
            .collect::<Option<Vec<usize>>>()?
            .iter()
            .sum();
        Some(FastRows {
            text: String::from_utf8(text).ok()?,
            delimiter,
            split,
            lines,
            next: (0, 0),
            window: Vec::new(),
            at: (0, 0),
            pair_cols: None,
        })
    }

    /// The number of lines in the file: at least the number of rows.
    pub(super) fn lines(&self) -> usize {
        self.lines
    }

    /// Splits the next chunks of the text, in parallel.
    fn split_window(&mut self) {
        let parts = chunks(
            self.text.as_bytes(),
            self.next.0,
            self.split.0,
            self.split.1,
        );
        let (text, delimiter, cols) = (&self.text, self.delimiter, self.pair_cols);
        self.window = parts
            .par_iter()
            .map(|&p| {
                let mut c = split_chunk(text, p, delimiter);
                if let Some(cols) = cols {
                    c.pairs = pairs_of(text, &c, cols);
                }
                c
            })
            .collect();
        for c in &mut self.window {
            c.lines_before = self.next.1;
            self.next.1 += c.lines;
        }
        self.next.0 = parts.last().map_or(self.text.len(), |p| p.1);
        self.at = (0, 0);
    }

    /// The next row's chunk and place (splitting more of the text where needed), moving past
    /// it; `None` at the end.
    fn advance(&mut self) -> Option<(usize, usize)> {
        loop {
            let Some(c) = self.window.get(self.at.0) else {
                if self.next.0 >= self.text.len() {
                    return None;
                }
                self.split_window();
                continue;
            };
            if self.at.1 >= c.rows.len() {
                self.at = (self.at.0 + 1, 0);
                continue;
            }
            let at = self.at;
            self.at.1 += 1;
            return Some(at);
        }
    }

    /// The 1-based line of row `k` of chunk `c`.
    fn line_of(&self, (c, k): (usize, usize)) -> usize {
        let c = &self.window[c];
        c.lines_before + c.rows[k].0 as usize + 1
    }

    /// Copies row `k` of chunk `c` into `row`.
    fn fill(&self, (c, k): (usize, usize), row: &mut Row) {
        let c = &self.window[c];
        let start = match k {
            0 => 0,
            k => c.rows[k - 1].1,
        };
        row.clear();
        row.line = c.lines_before + c.rows[k].0 as usize + 1;
        for &(s, e) in &c.fields[start as usize..c.rows[k].1 as usize] {
            row.push(&self.text[s as usize..e as usize]);
        }
    }

    /// Reads the next data row into `row` (as the general reader does), then shows `ahead`
    /// the fields (column, text) of the row [`AHEAD`] rows later where it is split already (to
    /// prefetch what they will look up); `false` at the end.
    pub(super) fn next_row(&mut self, row: &mut Row, ahead: &mut dyn FnMut(usize, &str)) -> bool {
        let Some((ci, k)) = self.advance() else {
            return false;
        };
        self.fill((ci, k), row);
        let c = &self.window[ci];
        if let Some(&(_, end)) = c.rows.get(k + AHEAD) {
            let start = c.rows[k + AHEAD - 1].1 as usize;
            for (j, &(s, e)) in c.fields[start..end as usize].iter().enumerate() {
                ahead(j, &self.text[s as usize..e as usize]);
            }
        }
        true
    }

    /// From now on, rows with at least `need` fields whose fields `a` and `b` are small
    /// canonical integers ([`small_integer`]) come from [`FastRows::next_pair`] as their values,
    /// found while the chunks are split (in parallel), with no copy of the row.
    pub(super) fn pair_columns(&mut self, a: usize, b: usize, need: usize) {
        let cols = (a, b, need.max(a + 1).max(b + 1));
        self.pair_cols = Some(cols);
        let text = &self.text;
        self.window
            .par_iter_mut()
            .for_each(|c| c.pairs = pairs_of(text, c, cols));
    }

    /// The next data row: as [`FastRows::next_row`] (into `row`, [`Next::Row`]), or, for a row
    /// of small integer ids once [`FastRows::pair_columns`] is set, their values alone.
    /// `ahead` is shown the pair [`AHEAD`] rows later where it is split already (to prefetch
    /// what it will look up).
    pub(super) fn next_pair(&mut self, row: &mut Row, ahead: &mut dyn FnMut(u32, u32)) -> Next {
        let Some((ci, k)) = self.advance() else {
            return Next::End;
        };
        if let Some(&(a, b)) = self.window[ci].pairs.get(k + AHEAD)
            && (a, b) != NO_PAIR
        {
            ahead(a, b);
        }
        match self.window[ci].pairs.get(k) {
            Some(&(a, b)) if (a, b) != NO_PAIR => Next::Pair(self.line_of((ci, k)), a, b),
            _ => {
                self.fill((ci, k), row);
                Next::Row
            }
        }
    }

    /// Copies the row [`FastRows::next_pair`] last handed out as [`Next::Pair`] into `row`.
    pub(super) fn fill_last(&self, row: &mut Row) {
        let (c, k) = self.at;
        self.fill((c, k - 1), row);
    }
}

/// The id-pair reading of [`Rows`], here beside the fast path it serves.
impl Rows {
    /// On the fast path, from now on rows with at least `need` fields whose fields `a` and `b`
    /// are small canonical integers come from [`Rows::next_pair`] as their values
    /// ([`super::fast_csv::FastRows::pair_columns`]); `false` (nothing set) off it.
    pub(super) fn pair_columns(&mut self, a: usize, b: usize, need: usize) -> bool {
        match self {
            Rows::Fast(f, _) => {
                f.pair_columns(a, b, need);
                true
            }
            _ => false,
        }
    }

    /// The next data row: into `row` ([`Next::Row`]) as [`Rows::next_row`] reads it, or, once
    /// [`Rows::pair_columns`] is set, the line and the two id values of a row of small integer
    /// ids ([`Next::Pair`]).
    /// `ahead` is shown the id values of a row some rows later (a hint, as in
    /// [`Rows::next_row_ahead`]).
    pub(super) fn next_pair(
        &mut self,
        row: &mut Row,
        ahead: &mut dyn FnMut(u32, u32),
    ) -> Result<Next, InputError> {
        match self {
            Rows::Fast(f, _) => Ok(f.next_pair(row, ahead)),
            _ => Ok(match self.next_row(row)? {
                true => Next::Row,
                false => Next::End,
            }),
        }
    }

    /// Copies the row last handed out as [`Next::Pair`] into `row`.
    pub(super) fn fill_last(&self, row: &mut Row) {
        if let Rows::Fast(f, _) = self {
            f.fill_last(row);
        }
    }
}

/// The value of `id` when it is a canonical non-negative integer (no sign, no leading zero)
/// below [`super::hash::DENSE_BELOW`]: the ids [`super::hash::IdIndex`] keeps in its vector.
#[inline]
pub(super) fn small_integer(id: &[u8]) -> Option<u32> {
    if id.is_empty() || id.len() > 8 || (id[0] == b'0' && id.len() > 1) {
        return None;
    }
    let mut v = 0u32;
    for &c in id {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    (u64::from(v) < super::hash::DENSE_BELOW).then_some(v)
}

#[cfg(test)]
mod tests {
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

    /// The rows `FastRows` splits from `text` with `delimiter`, in chunks of `chunk` bytes,
    /// `window` chunks at a time, on a pool of `threads`.
    fn split_rows(
        text: &[u8],
        delimiter: u8,
        (chunk, window): (usize, usize),
        threads: usize,
    ) -> Vec<(usize, Vec<String>)> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut f = FastRows::from_bytes(text.to_vec(), delimiter, (chunk, window)).unwrap();
            let mut row = Row::default();
            let mut out = Vec::new();
            while f.next_row(&mut row, &mut |_, _| {}) {
                out.push((row.line, row.to_vec()));
            }
            assert!(f.lines() >= out.len());
            out
        })
    }

    #[test]
    fn any_chunk_size_and_thread_count_reads_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut checked = 0;
        for seed in 0..3000u64 {
            let mut text = generated(seed);
            if seed % 10 == 0 {
                // Longer files, so that rows span many chunks and windows.
                let more = generated(seed + 7919);
                for _ in 0..4 {
                    text.extend_from_slice(b"\n");
                    text.extend_from_slice(&more);
                }
            }
            let p = dir.path().join(format!("f{seed}.csv"));
            std::fs::write(&p, &text).unwrap();
            let Rows::Fast(_, d) = Rows::open_as(&p, None, false).unwrap() else {
                continue;
            };
            let want = all(Rows::open_general(&p, None, false).unwrap()).unwrap();
            for split in [(1, 1), (2, 3), (5, 2), (17, 64), (CHUNK, WINDOW)] {
                for threads in [1, 3] {
                    assert_eq!(
                        split_rows(&text, d, split, threads),
                        want,
                        "seed {seed}, {split:?}, {threads} threads: {:?}",
                        String::from_utf8_lossy(&text)
                    );
                }
            }
            checked += 1;
        }
        assert!(checked > 100, "{checked}");
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
            for split in [(CHUNK, WINDOW), (1, 1), (3, 2)] {
                assert_eq!(
                    FastRows::from_bytes(text.to_vec(), b',', split).is_some(),
                    ok,
                    "{text:?}"
                );
            }
        }
    }
}
