//! Reading a network from an edge-list file and an optional node file.
//!
//! Formats: CSV (`.csv`, comma), TSV (`.tsv`, tab) or whitespace-separated (anything else).
//! Lines starting with `#` and blank lines are ignored. Columns are chosen by header name or by
//! 1-based position. Node ids may be any strings; they map to dense indices in order of the node
//! file (or of first appearance in the edge list) and are reported back under their ids.

use super::{ArcList, Attribute, Network};
use crate::limits;
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// A column chosen by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// A header name.
    Name(String),
    /// A 1-based column number.
    Position(usize),
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Column::Name(s) => write!(f, "\"{s}\""),
            Column::Position(p) => write!(f, "{p}"),
        }
    }
}

/// How to read an edge list.
#[derive(Debug, Clone)]
pub struct EdgeListSpec {
    /// The edge-list file (already resolved against the scenario's folder).
    pub path: PathBuf,
    /// Whether each row is one arc `source → target` (true) or an undirected tie (false).
    pub directed: bool,
    /// Whether the first non-comment row is a header.
    pub header: bool,
    /// The column of the influencer (`j` in `j → i`).
    pub source: Column,
    /// The column of the listener.
    pub target: Column,
    /// Optional weight column; weights must be positive. Default weight 1.
    pub weight: Option<Column>,
    /// Optional node file.
    pub nodes: Option<NodeFileSpec>,
    /// The field delimiter (`,`, `;` or tab); detected from the first data line when `None`.
    pub delimiter: Option<u8>,
    /// What to do with an endpoint that is not in the node file.
    pub unknown_ids: UnknownIds,
    /// Endpoint cells that mark a missing value (e.g. `NA`, `0`, ``): such rows are dropped.
    pub missing: Vec<String>,
    /// Whether ids are normalised (`2.0` → `2`) in the node file and the edge list.
    pub normalize_ids: bool,
    /// Layers: several edge lists over the same physicians, read with these columns, each
    /// weight multiplied by the layer's `weight`, combined by summing. Empty: `path` alone.
    pub layers: Vec<Layer>,
}

/// One `[[network.layer]]`: an edge-list file and the multiplier on its weights.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The layer's name (reported with its arc count).
    pub name: String,
    /// Its edge-list file.
    pub path: PathBuf,
    /// Multiplier on its arcs' weights (positive).
    pub weight: f32,
}

/// What to do with an edge endpoint absent from the node file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownIds {
    /// Refuse the file, naming the row (default).
    #[default]
    Error,
    /// Drop the row, and count it.
    Drop,
}

/// How to read a node file: an id column plus attribute columns (header required).
#[derive(Debug, Clone)]
pub struct NodeFileSpec {
    /// The node file.
    pub path: PathBuf,
    /// The id column.
    pub id: Column,
    /// The field delimiter; detected from the first data line when `None`.
    pub delimiter: Option<u8>,
}

/// A problem with an input data file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {}", limits::quote(&path.display().to_string()), line.map(|l| format!(":{l}")).unwrap_or_default(), limits::cut(message, 1000))]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, where one applies.
    pub line: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
}

fn err(path: &Path, line: Option<usize>, message: impl Into<String>) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// A parsed table: optional header and rows with their line numbers.
struct Table {
    header: Option<Vec<String>>,
    rows: Vec<(usize, Vec<String>)>,
}

/// The lines of a data file, read with bounds: at most [`limits::MAX_DATA_BYTES`] in all and
/// [`limits::MAX_LINE_BYTES`] a line, so that a huge file or a device such as `/dev/zero` is
/// refused without being held in memory.
struct Lines {
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

    /// The next data row (blank lines and `#` comments skipped), split into fields, with its
    /// line number; `None` at the end of the file.
    fn next_row(&mut self) -> Result<Option<(usize, Vec<String>)>, InputError> {
        while self.advance()? {
            // Checked as UTF-8 in `advance`.
            let raw = std::str::from_utf8(&self.buf).unwrap_or_default();
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            return Ok(Some((self.line, fields)));
        }
        Ok(None)
    }
}

/// Bounds on a delimited file being read: at most [`limits::MAX_DATA_BYTES`] in all and
/// [`limits::MAX_LINE_BYTES`] a line. The CSV parser sees an I/O error when a bound is passed;
/// the located reason is kept in `refused`.
struct Capped<R> {
    inner: R,
    total: u64,
    /// Bytes since the last line ending.
    since_newline: usize,
    /// Line endings seen.
    newlines: usize,
    refused: Option<(Option<usize>, String)>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > limits::MAX_DATA_BYTES {
            self.refused = Some((
                None,
                limits::ReadError::TooLarge(limits::MAX_DATA_BYTES).to_string(),
            ));
            return Err(std::io::Error::other("file too large"));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.newlines += 1;
                self.since_newline = 0;
            } else {
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
enum Rows {
    Whitespace(Lines),
    Delimited {
        path: PathBuf,
        reader: Box<csv::Reader<Capped<std::io::BufReader<std::fs::File>>>>,
        record: csv::ByteRecord,
        /// Whether no record has been read yet (a byte-order mark is stripped from it).
        first: bool,
    },
}

/// The UTF-8 byte-order mark Excel puts at the start of "CSV UTF-8" files.
const BOM: &str = "\u{feff}";

/// The delimiter of a delimited file: `set` if given; else, for `.csv`/`.tsv` files (and any
/// file whose first data line holds a `,`, `;` or tab but no space-separated fields), the one
/// of comma, semicolon and tab that occurs most often (outside quotes) in the first data line;
/// `None` for whitespace-separated files.
fn sniff_delimiter(path: &Path, set: Option<u8>) -> Result<Option<u8>, InputError> {
    if set.is_some() {
        return Ok(set);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let default = match ext.as_str() {
        "csv" => b',',
        "tsv" => b'\t',
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
    fn open(path: &Path, delimiter: Option<u8>) -> Result<Self, InputError> {
        match sniff_delimiter(path, delimiter)? {
            None => Ok(Rows::Whitespace(Lines::open(path)?)),
            Some(d) => {
                let file = limits::open_capped(path, limits::MAX_DATA_BYTES)
                    .map_err(|e| err(path, None, e.to_string()))?;
                let capped = Capped {
                    inner: std::io::BufReader::with_capacity(1 << 16, file),
                    total: 0,
                    since_newline: 0,
                    newlines: 0,
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
                })
            }
        }
    }

    /// The next data row (blank lines and `#` comments skipped), split into fields, with its
    /// line number; `None` at the end of the file.
    fn next_row(&mut self) -> Result<Option<(usize, Vec<String>)>, InputError> {
        match self {
            Rows::Whitespace(lines) => lines.next_row(),
            Rows::Delimited {
                path,
                reader,
                record,
                first,
            } => loop {
                let more = match reader.read_byte_record(record) {
                    Ok(more) => more,
                    Err(e) => {
                        if let Some((line, message)) = reader.get_mut().get_mut_refused() {
                            return Err(err(path, line, message));
                        }
                        let line = e.position().map(|p| p.line() as usize);
                        return Err(err(path, line, format!("cannot read file: {e}")));
                    }
                };
                if !more {
                    return Ok(None);
                }
                let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
                let mut fields = Vec::with_capacity(record.len());
                for (k, f) in record.iter().enumerate() {
                    match std::str::from_utf8(f) {
                        Ok(s) => {
                            let s = if *first && k == 0 {
                                s.strip_prefix(BOM).unwrap_or(s).trim()
                            } else {
                                s
                            };
                            fields.push(s.to_string())
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
                if fields.iter().all(|f| f.is_empty()) {
                    continue;
                }
                if fields.iter().map(|f| f.len()).sum::<usize>() > limits::MAX_LINE_BYTES {
                    return Err(err(path, Some(line), line_too_long()));
                }
                return Ok(Some((line, fields)));
            },
        }
    }
}

impl<R> Capped<R> {
    fn get_mut_refused(&mut self) -> Option<(Option<usize>, String)> {
        self.refused.take()
    }
}

fn read_table(path: &Path, header: bool, delimiter: Option<u8>) -> Result<Table, InputError> {
    let mut lines = Rows::open(path, delimiter)?;
    let mut table = Table {
        header: None,
        rows: Vec::new(),
    };
    while let Some((line, fields)) = lines.next_row()? {
        if header && table.header.is_none() {
            table.header = Some(fields);
        } else {
            table.rows.push((line, fields));
        }
    }
    Ok(table)
}

fn column_index(
    path: &Path,
    header: Option<&Vec<String>>,
    col: &Column,
    key: &str,
) -> Result<usize, InputError> {
    match col {
        Column::Position(p) if *p >= 1 => Ok(p - 1),
        Column::Position(_) => Err(err(
            path,
            None,
            format!("`{key}`: column numbers start at 1"),
        )),
        Column::Name(name) => match header {
            None => Err(err(
                path,
                None,
                format!(
                    "`{key}` = \"{}\" names a column, but the file has no header (set `header = true` or give a column number)",
                    limits::quote(name)
                ),
            )),
            Some(h) => h.iter().position(|x| x == name).ok_or_else(|| {
                err(
                    path,
                    None,
                    format!(
                        "`{key}`: no column \"{}\" in the header (columns: {})",
                        limits::quote(name),
                        limits::quote(&h.join(", "))
                    ),
                )
            }),
        },
    }
}

/// When `s` is not a plain number but reads as one written with thousands separators or a
/// decimal comma (`1,296`, `1.296,5`, `0,5`, `1 296`), a hint saying how to save it instead.
fn number_hint(s: &str) -> Option<String> {
    let t = s.trim();
    if t.parse::<f64>().is_ok() || !t.chars().any(|c| matches!(c, ',' | ' ' | '\'' | '\u{a0}')) {
        return None;
    }
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let ok = body.chars().next().is_some_and(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\'' | '\u{a0}'));
    ok.then(|| {
        format!(
            "\"{}\" looks like a number written with a thousands separator or a decimal comma; kolsim reads plain numbers such as 1296 or 0.5 (in Excel, format the column as General or Number without the 1000 separator, and save with \".\" as the decimal symbol)",
            limits::quote(t)
        )
    })
}

/// Whether a cell means "no value" (blank, `NA`, `na`, `NaN`, `nan`, `null`, `.`).
pub(crate) fn is_missing(s: &str) -> bool {
    matches!(s, "" | "NA" | "na" | "NaN" | "nan" | "null" | ".")
}

/// Node ids and attribute columns of a node file.
type NodeTable = (Vec<String>, Vec<(String, Attribute)>);

fn read_nodes(spec: &NodeFileSpec) -> Result<NodeTable, InputError> {
    let t = read_table(&spec.path, true, spec.delimiter)?;
    let header = t.header.ok_or_else(|| {
        err(
            &spec.path,
            None,
            "node file is empty (a header row is required)",
        )
    })?;
    let id_col = column_index(&spec.path, Some(&header), &spec.id, "network.nodes.id")?;
    if id_col >= header.len() {
        return Err(err(
            &spec.path,
            None,
            format!(
                "`network.nodes.id` = {}: the node file has only {} column(s)",
                spec.id,
                header.len()
            ),
        ));
    }
    let mut ids = Vec::with_capacity(t.rows.len());
    let mut seen = HashMap::new();
    for (line, row) in &t.rows {
        if row.len() != header.len() {
            return Err(err(
                &spec.path,
                Some(*line),
                format!(
                    "row has {} fields, the header has {}",
                    row.len(),
                    header.len()
                ),
            ));
        }
        let id = row[id_col].clone();
        if let Some(first) = seen.insert(id.clone(), *line) {
            return Err(err(
                &spec.path,
                Some(*line),
                format!(
                    "duplicate node id \"{}\" (first on line {first})",
                    limits::quote(&id)
                ),
            ));
        }
        ids.push(id);
    }
    let mut attributes = Vec::new();
    for (c, name) in header.iter().enumerate() {
        if c == id_col {
            continue;
        }
        let values: Vec<&str> = t.rows.iter().map(|(_, r)| r[c].as_str()).collect();
        let numeric: Option<Vec<Option<f64>>> = values
            .iter()
            .map(|v| {
                if is_missing(v) {
                    Some(None)
                } else {
                    v.parse::<f64>().ok().filter(|x| x.is_finite()).map(Some)
                }
            })
            .collect();
        if numeric.is_none() {
            let formatted = values
                .iter()
                .all(|v| is_missing(v) || v.parse::<f64>().is_ok() || number_hint(v).is_some());
            if formatted && let Some(k) = values.iter().position(|v| number_hint(v).is_some()) {
                return Err(err(
                    &spec.path,
                    Some(t.rows[k].0),
                    format!(
                        "column \"{}\": {}",
                        limits::quote(name),
                        number_hint(values[k]).unwrap_or_default()
                    ),
                ));
            }
        }
        let attr = match numeric {
            Some(v) => Attribute::Numeric(v),
            None => Attribute::Text(values.iter().map(|s| s.to_string()).collect()),
        };
        attributes.push((name.clone(), attr));
    }
    Ok((ids, attributes))
}

/// What reading the input files dropped or combined, reported by `validate` and in the
/// manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputReport {
    /// Edge rows dropped because an endpoint is not in the node file (`unknown_ids = "drop"`).
    pub unknown_ids_dropped: u64,
    /// Edge rows dropped because an endpoint cell is a `missing` marker.
    pub missing_rows_dropped: u64,
    /// Arcs read from each `[[network.layer]]` (before merging duplicates), in order.
    pub layers: Vec<(String, u64)>,
    /// The weight column found by its header `weight` (not named in the scenario), if any.
    pub weight_column_from_header: bool,
}

/// `2.0` → `2`, `1e3` → `1000`: an id that reads as a whole number, written as one; other ids
/// unchanged.
pub fn normalize_id(id: &str) -> std::borrow::Cow<'_, str> {
    if id.bytes().all(|b| b.is_ascii_digit()) {
        return id.into();
    }
    match id.parse::<f64>() {
        Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => {
            format!("{}", x as i64).into()
        }
        _ => id.into(),
    }
}

/// For an id not found among `ids`: a " (did you mean \"…\"?)" hint naming an id that differs
/// only in number format (`2.0` vs `2`), case or surrounding spaces; empty when none does.
fn did_you_mean(ids: &[String], id: &str, normalize: bool) -> String {
    let n = normalize_id(id);
    let found = ids
        .iter()
        .find(|k| normalize_id(k) == n || k.trim().eq_ignore_ascii_case(id.trim()));
    match found {
        Some(k) if !normalize && normalize_id(k) == n => format!(
            " (did you mean \"{}\"? set `normalize_ids = true` in [network] to read 2.0 as 2)",
            limits::quote(k)
        ),
        Some(k) => format!(" (did you mean \"{}\"?)", limits::quote(k)),
        None => String::new(),
    }
}

/// Reads the network described by `spec`, streaming the edge list row by row (memory: the arcs
/// and ids, not the file's text).
///
/// Refused with the file and line: a weight that is not a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], a physician whose in-arcs (duplicates merged by summing)
/// weigh more than that in total, more than [`super::MAX_NODES`] physicians or
/// [`limits::MAX_ARCS`] arcs.
pub fn read(spec: &EdgeListSpec) -> Result<Network, InputError> {
    let (ids, attributes, fixed) = match &spec.nodes {
        Some(n) => {
            let (mut ids, attrs) = read_nodes(n)?;
            if spec.normalize_ids {
                let mut seen: HashMap<String, usize> = HashMap::new();
                for (k, id) in ids.iter_mut().enumerate() {
                    let norm = normalize_id(id).into_owned();
                    if let Some(first) = seen.insert(norm.clone(), k) {
                        return Err(err(
                            &n.path,
                            None,
                            format!(
                                "node ids \"{}\" (row {}) and \"{}\" (row {}) are the same id once normalised (`normalize_ids = true`)",
                                limits::quote(&norm),
                                first + 1,
                                limits::quote(id),
                                k + 1
                            ),
                        ));
                    }
                    *id = norm;
                }
            }
            (ids, attrs, true)
        }
        None => (Vec::new(), Vec::new(), false),
    };
    let mut st = State {
        index: ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect(),
        heard: vec![0.0; ids.len()],
        ids,
        fixed,
        arcs: ArcList::default(),
        report: InputReport::default(),
    };
    if spec.layers.is_empty() {
        read_edges(spec, &spec.path, 1.0, &mut st)?;
    } else {
        for layer in &spec.layers {
            let before = st.arcs.len() as u64;
            read_edges(spec, &layer.path, layer.weight, &mut st)?;
            let arcs = st.arcs.len() as u64 - before;
            st.report.layers.push((layer.name.clone(), arcs));
        }
    }
    let State {
        ids,
        arcs,
        report,
        index,
        heard,
        ..
    } = st;
    drop(index);
    drop(heard);
    let n = ids.len();
    Ok(Network::from_arcs(n, arcs)
        .with_ids(ids)
        .with_attributes(attributes)
        .with_input(report))
}

/// The network being read: ids, arcs and counts so far.
struct State {
    ids: Vec<String>,
    index: HashMap<String, u32>,
    /// Total incoming weight of each physician so far, for the bound on merged weights.
    heard: Vec<f64>,
    /// Whether the ids are fixed by a node file.
    fixed: bool,
    arcs: ArcList,
    report: InputReport,
}

/// Streams one edge-list file `p` into `st`, each weight multiplied by `scale`.
fn read_edges(spec: &EdgeListSpec, p: &Path, scale: f32, st: &mut State) -> Result<(), InputError> {
    let mut lines = Rows::open(p, spec.delimiter)?;
    let mut header: Option<Vec<String>> = None;
    let mut columns: Option<(usize, usize, Option<usize>, usize)> = None;
    let max_w = limits::MAX_DATA_IN_WEIGHT;
    let mut rows = 0u64;
    while let Some((line, row)) = lines.next_row()? {
        if spec.header && header.is_none() {
            header = Some(row);
            continue;
        }
        rows += 1;
        let (src_c, dst_c, w_c, need) = match columns {
            Some(c) => c,
            None => {
                let src_c = column_index(p, header.as_ref(), &spec.source, "network.source")?;
                let dst_c = column_index(p, header.as_ref(), &spec.target, "network.target")?;
                let w_c = match &spec.weight {
                    Some(c) => Some(column_index(p, header.as_ref(), c, "network.weight")?),
                    // A header column named `weight` is the weight unless `weight` is set.
                    None => header.as_ref().and_then(|h| {
                        h.iter().enumerate().position(|(k, name)| {
                            k != src_c && k != dst_c && name.eq_ignore_ascii_case("weight")
                        })
                    }),
                };
                if spec.weight.is_none() && w_c.is_some() {
                    st.report.weight_column_from_header = true;
                }
                let need = src_c.max(dst_c).max(w_c.unwrap_or(0)) + 1;
                *columns.insert((src_c, dst_c, w_c, need))
            }
        };
        if row.len() < need {
            return Err(err(
                p,
                Some(line),
                format!(
                    "malformed row \"{}\": {} field(s), at least {need} expected (source, target{})",
                    limits::quote(&row.join(" ")),
                    row.len(),
                    if w_c.is_some() { ", weight" } else { "" }
                ),
            ));
        }
        if spec
            .missing
            .iter()
            .any(|m| *m == row[src_c] || *m == row[dst_c])
        {
            st.report.missing_rows_dropped += 1;
            continue;
        }
        let s = st.node(spec, p, line, &row[src_c])?;
        let d = st.node(spec, p, line, &row[dst_c])?;
        let (Some(s), Some(d)) = (s, d) else {
            st.report.unknown_ids_dropped += 1;
            continue;
        };
        let w = match w_c {
            None => scale,
            Some(c) => match row[c].parse::<f32>() {
                Ok(w) if w > 0.0 && w.is_finite() && w as f64 * scale as f64 <= max_w => w * scale,
                _ => {
                    let message = match number_hint(&row[c]) {
                        Some(h) => format!("malformed row: weight {h}"),
                        None => format!(
                            "malformed row: weight \"{}\" must be a positive number at most {max_w:e}",
                            limits::quote(&row[c])
                        ),
                    };
                    return Err(err(p, Some(line), message));
                }
            },
        };
        let per_row = if spec.directed { 1 } else { 2 };
        if (st.arcs.len() + per_row) as u64 > limits::MAX_ARCS {
            return Err(err(
                p,
                Some(line),
                format!(
                    "more than {} arcs: kolsim indexes them with 32 bits",
                    limits::MAX_ARCS
                ),
            ));
        }
        if s != d {
            let targets: &[u32] = if spec.directed { &[d] } else { &[d, s] };
            for &t in targets {
                st.heard[t as usize] += w as f64;
                if st.heard[t as usize] > max_w {
                    return Err(err(
                        p,
                        Some(line),
                        format!(
                            "the arcs into \"{}\" up to this row weigh {:.3e} in all (duplicate arcs are merged by summing their weights), more than the {max_w:e} one physician may hear",
                            limits::quote(&st.ids[t as usize]),
                            st.heard[t as usize]
                        ),
                    ));
                }
            }
        }
        if spec.directed {
            st.arcs.push(s, d, w);
        } else {
            st.arcs.push_undirected(s, d, w);
        }
    }
    if rows == 0 {
        return Err(err(
            p,
            None,
            "edge list has no arcs: it needs at least one row `source target`, besides blank lines, # comments and the header",
        ));
    }
    Ok(())
}

impl State {
    /// The index of endpoint `id` on `line` of `p`; `None` when it is not in the node file and
    /// `unknown_ids = "drop"`.
    fn node(
        &mut self,
        spec: &EdgeListSpec,
        p: &Path,
        line: usize,
        id: &str,
    ) -> Result<Option<u32>, InputError> {
        if id.is_empty() {
            return Err(err(
                p,
                Some(line),
                "malformed row: empty node id (to drop such rows, set `missing = [\"\"]` in [network])",
            ));
        }
        let id = if spec.normalize_ids {
            normalize_id(id)
        } else {
            id.into()
        };
        if let Some(&k) = self.index.get(id.as_ref()) {
            return Ok(Some(k));
        }
        if self.fixed {
            if spec.unknown_ids == UnknownIds::Drop {
                return Ok(None);
            }
            let file = spec.nodes.as_ref().map(|n| n.path.display().to_string());
            return Err(err(
                p,
                Some(line),
                format!(
                    "node id \"{}\" is not in the node file {}{} (to drop rows naming physicians outside the node file, set `unknown_ids = \"drop\"` in [network])",
                    limits::quote(&id),
                    file.unwrap_or_default(),
                    did_you_mean(&self.ids, &id, spec.normalize_ids)
                ),
            ));
        }
        if self.ids.len() as u64 >= super::MAX_NODES {
            return Err(err(
                p,
                Some(line),
                format!(
                    "more than {} physicians: kolsim indexes them with 32 bits",
                    super::MAX_NODES
                ),
            ));
        }
        let k = self.ids.len() as u32;
        self.ids.push(id.to_string());
        self.index.insert(id.into_owned(), k);
        self.heard.push(0.0);
        Ok(Some(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(dir: &tempfile::TempDir, name: &str, body: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(body).unwrap();
        p
    }

    fn spec(path: PathBuf) -> EdgeListSpec {
        EdgeListSpec {
            path,
            directed: true,
            header: false,
            source: Column::Position(1),
            target: Column::Position(2),
            weight: None,
            nodes: None,
            delimiter: None,
            unknown_ids: UnknownIds::Error,
            missing: Vec::new(),
            normalize_ids: false,
            layers: Vec::new(),
        }
    }

    #[test]
    fn reads_string_ids_comments_and_cleans() {
        let d = tempfile::tempdir().unwrap();
        let p = file(
            &d,
            "e.txt",
            b"# comment\nann bob\nbob ann\nann bob\ncid cid\n\n",
        );
        let net = read(&spec(p)).unwrap();
        assert_eq!(net.n(), 3);
        assert_eq!(net.arc_count(), 2);
        assert_eq!(net.report().duplicates_merged, 1);
        assert_eq!(net.report().self_loops_dropped, 1);
        assert_eq!(net.id(2), "cid");
        assert_eq!(net.index_of("bob"), Some(1));
    }

    #[test]
    fn csv_with_header_weights_and_nodes() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"from,to,w\na,b,2\nb,c,0.5\n");
        let n = file(
            &d,
            "n.csv",
            b"id,volume,town\nc,3,Quincy\nb,,Peoria\na,10,Peoria\nz,1,Quincy\n",
        );
        let mut s = spec(e);
        s.header = true;
        s.source = Column::Name("from".into());
        s.target = Column::Name("to".into());
        s.weight = Some(Column::Name("w".into()));
        s.directed = false;
        s.nodes = Some(NodeFileSpec {
            path: n,
            id: Column::Name("id".into()),
            delimiter: None,
        });
        let net = read(&s).unwrap();
        assert_eq!(net.n(), 4); // z is isolated but kept
        assert_eq!(net.id(0), "c");
        assert_eq!(net.arc_count(), 4);
        assert_eq!(net.in_weight(1), 2.5); // b hears a (2) and c (0.5)
        assert_eq!(
            net.attribute("volume"),
            Some(&Attribute::Numeric(vec![
                Some(3.0),
                None,
                Some(10.0),
                Some(1.0)
            ]))
        );
        assert!(matches!(net.attribute("town"), Some(Attribute::Text(_))));
    }

    #[test]
    fn tsv_keeps_empty_trailing_fields() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.tsv", b"from\tto\na\tb\n");
        let n = file(&d, "n.tsv", b"id\tx\ty\na\t1\t\nb\t\t2\n");
        let mut s = spec(e);
        s.header = true;
        s.nodes = Some(NodeFileSpec {
            path: n,
            id: Column::Name("id".into()),
            delimiter: None,
        });
        let net = read(&s).unwrap();
        assert_eq!(
            net.attribute("y"),
            Some(&Attribute::Numeric(vec![None, Some(2.0)]))
        );
    }

    #[test]
    fn errors_name_file_and_row() {
        let d = tempfile::tempdir().unwrap();
        let missing = read(&spec(d.path().join("nope.txt"))).unwrap_err();
        assert!(
            missing.to_string().ends_with("nope.txt: file not found"),
            "{missing}"
        );
        let empty = read(&spec(file(&d, "empty.txt", b"# nothing\n"))).unwrap_err();
        assert!(empty.message.contains("no arcs"));
        let bad = read(&spec(file(&d, "bad.txt", b"a b\nc\n"))).unwrap_err();
        assert_eq!(bad.line, Some(2));
        assert!(bad.message.contains("malformed row"), "{bad}");
        let utf = read(&spec(file(&d, "u.txt", b"a b\n\xff\xfe c\n"))).unwrap_err();
        assert_eq!(utf.line, Some(2));
        assert!(utf.message.contains("UTF-8"));
        let mut s = spec(file(&d, "e2.txt", b"a b\nb q\n"));
        s.nodes = Some(NodeFileSpec {
            path: file(&d, "n2.csv", b"id\na\nb\n"),
            id: Column::Name("id".into()),
            delimiter: None,
        });
        let absent = read(&s).unwrap_err();
        assert_eq!(absent.line, Some(2));
        assert!(
            absent.message.contains("\"q\" is not in the node file"),
            "{absent}"
        );
        let mut w = spec(file(&d, "w.txt", b"a b -1\n"));
        w.weight = Some(Column::Position(3));
        assert!(read(&w).unwrap_err().message.contains("positive"));
    }

    #[test]
    fn bom_is_stripped_from_node_files_and_headerless_edge_lists() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"\xef\xbb\xbfphysician_id,nominee\r\n1,2\r\n");
        let n = file(
            &d,
            "n.csv",
            b"\xef\xbb\xbfphysician_id,city\r\n1,Peoria\r\n2,Quincy\r\n",
        );
        let mut s = spec(e.clone());
        s.header = true;
        s.nodes = Some(NodeFileSpec {
            path: n,
            id: Column::Name("physician_id".into()),
            delimiter: None,
        });
        let net = read(&s).unwrap();
        assert_eq!(net.n(), 2);
        assert_eq!(net.id(0), "1");
        // Header-less: no phantom "\u{feff}1" physician.
        let h = file(&d, "h.csv", b"\xef\xbb\xbf1,2\n2,1\n");
        let net = read(&spec(h)).unwrap();
        assert_eq!(net.n(), 2);
        assert_eq!(net.index_of("1"), Some(0));
        let w = file(&d, "h.txt", b"\xef\xbb\xbf1 2\n2 1\n");
        assert_eq!(read(&spec(w)).unwrap().n(), 2);
    }

    #[test]
    fn semicolon_tab_quotes_and_crlf() {
        let d = tempfile::tempdir().unwrap();
        let e = file(
            &d,
            "e.csv",
            b"from;to;w\r\n\"a;1\";b;\"2\"\r\n\r\nb;c;0.5\r\n",
        );
        let mut s = spec(e);
        s.header = true;
        s.weight = Some(Column::Name("w".into()));
        let net = read(&s).unwrap();
        assert_eq!(net.n(), 3);
        assert_eq!(net.id(0), "a;1");
        assert_eq!(net.in_weight(1), 2.0);
        // A delimiter that is set wins over detection, for any extension.
        let t = file(&d, "e.txt", b"a|b c\nb c|d\n");
        let mut s = spec(t);
        s.delimiter = Some(b'|');
        let net = read(&s).unwrap();
        assert_eq!(net.id(1), "b c");
        // A .tsv whose first line has no tab falls back to tabs.
        let t = file(&d, "e.tsv", b"a\tb\n");
        assert_eq!(read(&spec(t)).unwrap().n(), 2);
    }

    #[test]
    fn thousands_separators_are_refused_with_a_hint() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"a,b,\"1,296\"\n");
        let mut s = spec(e);
        s.weight = Some(Column::Position(3));
        let bad = read(&s).unwrap_err();
        assert_eq!(bad.line, Some(1));
        assert!(bad.message.contains("thousands separator"), "{bad}");
        let e = file(&d, "e2.csv", b"from,to\na,b\n");
        let n = file(&d, "n.csv", b"id,patients\na,12\nb,\"1,296\"\n");
        let mut s = spec(e);
        s.header = true;
        s.nodes = Some(NodeFileSpec {
            path: n,
            id: Column::Name("id".into()),
            delimiter: None,
        });
        let bad = read(&s).unwrap_err();
        assert_eq!(bad.line, Some(3));
        assert!(bad.message.contains("\"patients\""), "{bad}");
        assert!(bad.message.contains("thousands separator"), "{bad}");
    }

    #[test]
    fn a_weight_header_is_the_weight() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"from,to,weight\na,b,3\n");
        let mut s = spec(e);
        s.header = true;
        assert_eq!(read(&s).unwrap().in_weight(1), 3.0);
        // An explicit `weight` column wins.
        let e = file(&d, "e2.csv", b"from,to,weight,w2\na,b,3,5\n");
        let mut s = spec(e);
        s.header = true;
        s.weight = Some(Column::Name("w2".into()));
        assert_eq!(read(&s).unwrap().in_weight(1), 5.0);
    }

    fn with_nodes(e: PathBuf, n: PathBuf) -> EdgeListSpec {
        let mut s = spec(e);
        s.header = true;
        s.nodes = Some(NodeFileSpec {
            path: n,
            id: Column::Name("id".into()),
            delimiter: None,
        });
        s
    }

    #[test]
    fn out_of_sample_nominee_error_or_drop() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"from,to\n1,2\n2,99\n3,1\n");
        let n = file(&d, "n.csv", b"id\n1\n2\n3\n");
        let mut s = with_nodes(e, n);
        let bad = read(&s).unwrap_err();
        assert_eq!(bad.line, Some(3));
        assert!(
            bad.message.contains("\"99\" is not in the node file"),
            "{bad}"
        );
        assert!(bad.message.contains("unknown_ids = \"drop\""), "{bad}");
        s.unknown_ids = UnknownIds::Drop;
        let net = read(&s).unwrap();
        assert_eq!(net.n(), 3);
        assert_eq!(net.arc_count(), 2);
        assert_eq!(net.input().unknown_ids_dropped, 1);
    }

    #[test]
    fn missing_markers_drop_rows() {
        let d = tempfile::tempdir().unwrap();
        let e = file(&d, "e.csv", b"from,to\n1,2\n2,NA\n0,1\n3,\n");
        let mut s = spec(e);
        s.header = true;
        assert!(read(&s).unwrap_err().message.contains("missing = [\"\"]"));
        s.missing = vec!["NA".into(), "0".into(), "".into()];
        let net = read(&s).unwrap();
        assert_eq!(net.n(), 2);
        assert_eq!(net.input().missing_rows_dropped, 3);
    }

    #[test]
    fn float_ids_hint_or_normalise() {
        let d = tempfile::tempdir().unwrap();
        // R's write.csv of a numeric column: 2.0 in the edge list, 2 in the node file.
        let e = file(&d, "e.csv", b"from,to\n1.0,2.0\n");
        let n = file(&d, "n.csv", b"id\n1\n2\n");
        let mut s = with_nodes(e, n);
        let bad = read(&s).unwrap_err();
        assert!(bad.message.contains("did you mean \"1\"?"), "{bad}");
        assert!(bad.message.contains("normalize_ids = true"), "{bad}");
        s.normalize_ids = true;
        let net = read(&s).unwrap();
        assert_eq!(net.arc_count(), 1);
        assert_eq!(net.index_of("2"), Some(1));
        assert_eq!(normalize_id("2.0"), "2");
        assert_eq!(normalize_id("1e3"), "1000");
        assert_eq!(normalize_id("007"), "007");
        assert_eq!(normalize_id("ann"), "ann");
        assert_eq!(normalize_id("2.5"), "2.5");
    }

    #[test]
    fn two_layers_sum_with_multipliers() {
        let d = tempfile::tempdir().unwrap();
        let a = file(&d, "advice.csv", b"from,to\n1,2\n2,3\n");
        let f = file(&d, "friends.csv", b"from,to\n1,2\n3,1\n");
        let n = file(&d, "n.csv", b"id\n1\n2\n3\n");
        let mut s = with_nodes(a.clone(), n);
        s.layers = vec![
            Layer {
                name: "advice".into(),
                path: a,
                weight: 1.0,
            },
            Layer {
                name: "friends".into(),
                path: f,
                weight: 0.5,
            },
        ];
        let net = read(&s).unwrap();
        assert_eq!(net.arc_count(), 3); // 1→2 in both layers, merged
        assert_eq!(net.in_weight(1), 1.5);
        assert_eq!(net.in_weight(0), 0.5);
        assert_eq!(
            net.input().layers,
            vec![("advice".to_string(), 2), ("friends".to_string(), 2)]
        );
        assert_eq!(net.report().duplicates_merged, 1);
    }
}
