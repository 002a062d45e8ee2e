//! The edge-list specification (columns, layers, node file), its error type and the helpers
//! that the edge-list, node-file and row readers share ([`super::edge_list`] reads the files).

use crate::limits;
use std::path::{Path, PathBuf};

/// A column chosen by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// A header name.
    Name(String),
    /// A 1-based column number.
    Position(usize),
    /// Several columns (a source or target only): a wide survey sheet, one row per nominating
    /// physician and one column per physician named (`adviser1`, `adviser2`, …), one arc per
    /// filled cell, as netdiffuseR's `survey_to_diffnet` reads it.
    Several(Vec<Column>),
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Column::Name(s) => write!(f, "\"{s}\""),
            Column::Position(p) => write!(f, "{p}"),
            Column::Several(list) => {
                let parts: Vec<String> = list.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(", "))
            }
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
    /// The decimal separator of the numbers of the edge lists, layers and node file.
    pub decimal: Decimal,
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

/// An [`InputError`] on `path` (at `line`, where one applies).
pub(super) fn err(path: &Path, line: Option<usize>, message: impl Into<String>) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// The 0-based indices of `col` (several for [`Column::Several`]) in `header`.
pub(super) fn column_indices(
    path: &Path,
    header: Option<&Vec<String>>,
    col: &Column,
    key: &str,
) -> Result<Vec<usize>, InputError> {
    match col {
        Column::Several(list) if list.is_empty() => Err(err(
            path,
            None,
            format!("`{key}` is an empty list: give at least one column"),
        )),
        Column::Several(list) => list
            .iter()
            .map(|c| column_index(path, header, c, key))
            .collect(),
        one => Ok(vec![column_index(path, header, one, key)?]),
    }
}

/// The 0-based index of the one column `col` in `header`.
pub(super) fn column_index(
    path: &Path,
    header: Option<&Vec<String>>,
    col: &Column,
    key: &str,
) -> Result<usize, InputError> {
    match col {
        Column::Several(_) => Err(err(
            path,
            None,
            format!(
                "`{key}` takes one column (a list of columns is allowed for `source` or `target` only)"
            ),
        )),
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
pub(super) fn number_hint(s: &str) -> Option<String> {
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
            "\"{}\" looks like a number written with a thousands separator or a decimal comma; kolsim reads plain numbers such as 1296 or 0.5 (in Excel, format the column as General or Number without the 1000 separator, and save with \".\" as the decimal symbol; or, for a decimal comma, set decimal = \",\" in [network])",
            limits::quote(t)
        )
    })
}

/// Whether a cell means "no value" (blank, `NA`, `na`, `NaN`, `nan`, `null`, `.`).
pub(crate) fn is_missing(s: &str) -> bool {
    matches!(s, "" | "NA" | "na" | "NaN" | "nan" | "null" | ".")
}

/// One edge-list endpoint dropped because it is not in the node file (`unknown_ids = "drop"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The edge-list file.
    pub path: PathBuf,
    /// The row's 1-based line.
    pub line: usize,
    /// The id, as read (normalised with `normalize_ids`).
    pub id: String,
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
    /// Every endpoint dropped as not in the node file, in the order read.
    pub dropped: Vec<Dropped>,
    /// What reading found suspicious but read (a column of decimal-comma numbers read as
    /// text, a single nomination column of a wide sheet), for `validate` to print.
    pub warnings: Vec<String>,
}

impl InputReport {
    /// The distinct ids dropped, in the order first read.
    pub fn dropped_ids(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.dropped
            .iter()
            .map(|d| d.id.as_str())
            .filter(|id| seen.insert(*id))
            .collect()
    }
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
pub(super) fn did_you_mean(ids: &[String], id: &str, normalize: bool) -> String {
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

/// How the numbers of a data file write their decimal separator: the `[network]` key
/// `decimal` (edge lists, layers and the node file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decimal {
    /// Detected: a decimal comma in a file delimited by `;` (as a European Excel writes it),
    /// else a decimal point (the default).
    #[default]
    Detect,
    /// A decimal point, whatever the delimiter (`decimal = "."`): `0,5` is not a number.
    Point,
    /// A decimal comma, whatever the delimiter (`decimal = ","`): `0,5` is 0.5 (quoted in a
    /// comma-delimited file); `0.5` still reads as 0.5.
    Comma,
}

impl Decimal {
    /// Whether a decimal comma is read in a file delimited by `delimiter` (`None`: split on
    /// whitespace).
    pub fn comma(self, delimiter: Option<u8>) -> bool {
        match self {
            Decimal::Detect => delimiter == Some(b';'),
            Decimal::Point => false,
            Decimal::Comma => true,
        }
    }
}
