//! Reading a network from an edge-list file and an optional node file.
//!
//! Formats: CSV (`.csv`, comma), TSV (`.tsv`, tab) or whitespace-separated (anything else).
//! Lines starting with `#` and blank lines are ignored. Columns are chosen by header name or by
//! 1-based position. Node ids may be any strings; they map to dense indices in order of the node
//! file (or of first appearance in the edge list) and are reported back under their ids.

use super::edges::{State, read_edges};
use super::hash::IdIndex;
use super::rows::read_table;
use super::{ArcList, Attribute, Network};
use crate::limits;
use std::collections::HashMap;
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
    pub decimal: super::sheet::Decimal,
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

/// Node ids, attribute columns and warnings of a node file.
type NodeTable = (Vec<String>, Vec<(String, Attribute)>, Vec<String>);

fn read_nodes(
    spec: &NodeFileSpec,
    decimal: super::sheet::Decimal,
) -> Result<NodeTable, InputError> {
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
    let mut warnings = Vec::new();
    let decimal_comma = decimal.comma(t.delimiter);
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
                    super::sheet::parse_number(v, decimal_comma).map(Some)
                }
            })
            .collect();
        if numeric.is_none() {
            // A column of formatted numbers is read as text: refused only where the scenario
            // uses it as a number (a KOL score, a cost, …), with this warning from `validate`.
            let formatted = values
                .iter()
                .all(|v| is_missing(v) || v.parse::<f64>().is_ok() || number_hint(v).is_some());
            if formatted && let Some(k) = values.iter().position(|v| number_hint(v).is_some()) {
                warnings.push(format!(
                    "{}:{}: column \"{}\" is read as text: {}",
                    spec.path.display(),
                    t.rows[k].0,
                    limits::quote(name),
                    number_hint(values[k]).unwrap_or_default()
                ));
            }
        }
        let attr = match numeric {
            Some(v) => Attribute::Numeric(v),
            None => Attribute::Text(values.iter().map(|s| s.to_string()).collect()),
        };
        attributes.push((name.clone(), attr));
    }
    Ok((ids, attributes, warnings))
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

/// Reads the network described by `spec`, streaming the edge list row by row (memory: the arcs
/// and ids, not the file's text).
///
/// Refused with the file and line: a weight that is not a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], a physician whose in-arcs (duplicates merged by summing)
/// weigh more than that in total, more than [`super::MAX_NODES`] physicians or
/// [`limits::MAX_ARCS`] arcs.
pub fn read(spec: &EdgeListSpec) -> Result<Network, InputError> {
    let mut report = InputReport::default();
    let (ids, attributes, fixed) = match &spec.nodes {
        Some(n) => {
            let (mut ids, attrs, warnings) = read_nodes(n, spec.decimal)?;
            report.warnings = warnings;
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
        index: {
            let mut index = IdIndex::default();
            for (i, s) in ids.iter().enumerate() {
                index.insert(s, i as u32);
            }
            index
        },
        heard: vec![0.0; ids.len()],
        ids,
        fixed,
        arcs: ArcList::default(),
        report,
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
            decimal: Default::default(),
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
        // A node-file column is read as text, with a warning naming the row: refused only
        // where the scenario uses it as a number.
        let net = read(&s).unwrap();
        assert!(matches!(
            net.attribute("patients"),
            Some(Attribute::Text(_))
        ));
        let w = &net.input().warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("n.csv:3: column \"patients\""), "{w:?}");
        assert!(w[0].contains("thousands separator"), "{w:?}");
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
