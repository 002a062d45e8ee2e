//! Reading a network from an edge-list file and an optional node file.
//!
//! Formats: CSV (`.csv`, comma), TSV (`.tsv`, tab) or whitespace-separated (anything else).
//! Lines starting with `#` and blank lines are ignored. Columns are chosen by header name or by
//! 1-based position. Node ids may be any strings; they map to dense indices in order of the node
//! file (or of first appearance in the edge list) and are reported back under their ids.

use super::edges::{State, read_edges};
use super::hash::IdIndex;
use super::rows::read_table;
pub(crate) use super::spec::is_missing;
pub use super::spec::{
    Column, Dropped, EdgeListSpec, InputError, InputReport, Layer, NodeFileSpec, UnknownIds,
    normalize_id,
};
use super::spec::{column_index, err, number_hint};
use super::{ArcList, Attribute, Network};
use crate::limits;
use std::collections::HashMap;

/// Node ids, attribute columns and warnings of a node file.
type NodeTable = (Vec<String>, Vec<(String, Attribute)>, Vec<String>);

fn read_nodes(spec: &NodeFileSpec, decimal: super::spec::Decimal) -> Result<NodeTable, InputError> {
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

/// Edge-list files read so far in this process, with how often each was read.
static READS: std::sync::Mutex<Vec<(std::path::PathBuf, u64)>> = std::sync::Mutex::new(Vec::new());

fn note_read(path: &std::path::Path) {
    let mut reads = READS.lock().unwrap_or_else(|e| e.into_inner());
    match reads.iter_mut().find(|(p, _)| p == path) {
        Some((_, n)) => *n += 1,
        None => reads.push((path.to_path_buf(), 1)),
    }
}

/// How many times this process has read the edge list at `path` (each command reads its
/// network once; the tests check it).
pub fn times_read(path: &std::path::Path) -> u64 {
    let reads = READS.lock().unwrap_or_else(|e| e.into_inner());
    reads.iter().find(|(p, _)| p == path).map_or(0, |(_, n)| *n)
}

/// Reads the network described by `spec`, streaming the edge list row by row (memory: the arcs
/// and ids, not the file's text).
///
/// Refused with the file and line: a weight that is not a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], a physician whose in-arcs (duplicates merged by summing)
/// weigh more than that in total, more than [`super::MAX_NODES`] physicians or
/// [`limits::MAX_ARCS`] arcs.
pub fn read(spec: &EdgeListSpec) -> Result<Network, InputError> {
    note_read(&spec.path);
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
        heard_upto: 0,
        heard_bound: 0.0,
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
    use std::path::PathBuf;

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
    fn a_large_file_reads_as_through_the_general_reader_and_names_error_lines() {
        let d = tempfile::tempdir().unwrap();
        // About 250 kB: many chunks of the fast path.
        let mut text = String::from("from,to\n");
        for k in 0..20_000u32 {
            text.push_str(&format!("{},{}\r\n", k * 7 % 5003, (k * 13 + 1) % 4999));
        }
        let with_header = |path| EdgeListSpec {
            header: true,
            ..spec(path)
        };
        let fast = read(&with_header(file(&d, "e.csv", text.as_bytes()))).unwrap();
        // A quote sends the file to the general reader: the same network.
        let quoted = text.replacen("from", "\"from\"", 1);
        let general = read(&with_header(file(&d, "q.csv", quoted.as_bytes()))).unwrap();
        assert_eq!(fast.n(), general.n());
        assert_eq!(fast.ids(), general.ids());
        for i in 0..fast.n() {
            assert_eq!(fast.in_arcs().arcs(i), general.in_arcs().arcs(i));
        }
        // An empty id on line 15,001 (after the header) is named there.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[15_000] = "12,";
        let bad = read(&with_header(file(&d, "b.csv", lines.join("\n").as_bytes()))).unwrap_err();
        assert_eq!(bad.line, Some(15_001), "{bad}");
        assert!(bad.message.contains("empty node id"), "{bad}");
    }

    #[test]
    fn integer_id_pairs_read_as_through_the_general_reader() {
        let d = tempfile::tempdir().unwrap();
        // Small canonical integers (the values path) mixed with ids that are not: a leading
        // zero, a letter, values at and past the dense bound, an extra column, a missing marker.
        let odd = [
            "017",
            "x",
            "16777216",
            "16777215",
            "99999999999",
            "NA",
            "0",
            " 5 ",
        ];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let mut text = String::from("from,to,note\n");
        for _ in 0..30_000 {
            let id = |next: &mut dyn FnMut(u64) -> u64| match next(50) {
                0 => odd[next(odd.len() as u64) as usize].to_string(),
                _ => next(3000).to_string(),
            };
            let (a, b) = (id(&mut next), id(&mut next));
            match next(20) {
                0 => text.push_str(&format!("{a},{b},x,y\n")),
                _ => text.push_str(&format!("{a},{b}\n")),
            }
        }
        for directed in [true, false] {
            let with = |path| EdgeListSpec {
                header: true,
                directed,
                missing: vec!["NA".into()],
                ..spec(path)
            };
            let fast = read(&with(file(&d, "e.csv", text.as_bytes()))).unwrap();
            let quoted = text.replacen("from", "\"from\"", 1);
            let general = read(&with(file(&d, "q.csv", quoted.as_bytes()))).unwrap();
            assert_eq!(fast.ids(), general.ids());
            for i in 0..fast.n() {
                assert_eq!(fast.in_arcs().arcs(i), general.in_arcs().arcs(i));
                assert_eq!(fast.out_arcs().arcs(i), general.out_arcs().arcs(i));
            }
            let (f, g) = (fast.report(), general.report());
            assert_eq!(f.duplicates_merged, g.duplicates_merged);
            assert_eq!(f.self_loops_dropped, g.self_loops_dropped);
            let (f, g) = (fast.input(), general.input());
            assert_eq!(f.missing_rows_dropped, g.missing_rows_dropped);
            assert!(f.missing_rows_dropped > 0);
        }
        // A short row after many integer rows: the same error on the same line either way.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[20_000] = "12";
        let bad = lines.join("\n");
        let fast = read(&spec_h(file(&d, "b.csv", bad.as_bytes()))).unwrap_err();
        let quoted = bad.replacen("from", "\"from\"", 1);
        let general = read(&spec_h(file(&d, "c.csv", quoted.as_bytes()))).unwrap_err();
        assert_eq!(fast.line, Some(20_001), "{fast}");
        assert_eq!((fast.line, &fast.message), (general.line, &general.message));
    }

    fn spec_h(path: PathBuf) -> EdgeListSpec {
        EdgeListSpec {
            header: true,
            ..spec(path)
        }
    }

    #[test]
    fn heavy_physicians_are_refused_at_their_row_across_layers() {
        let d = tempfile::tempdir().unwrap();
        let light = file(&d, "light.csv", b"from,to\na,b\na,b\nc,b\n");
        let heavy = file(&d, "heavy.csv", b"from,to,weight\nc,b,9e14\nd,b,9e14\n");
        let n = file(&d, "n.csv", b"id\na\nb\nc\nd\n");
        let mut s = with_nodes(light.clone(), n);
        s.layers = vec![
            Layer {
                name: "light".into(),
                path: light.clone(),
                weight: 1.0,
            },
            Layer {
                name: "heavy".into(),
                path: heavy,
                weight: 1.0,
            },
        ];
        let bad = read(&s).unwrap_err();
        assert_eq!(bad.line, Some(3), "{bad}");
        assert!(bad.path.ends_with("heavy.csv"), "{bad}");
        assert!(
            bad.message.contains("\"b\" up to this row weigh 1.800e15"),
            "{bad}"
        );
        // A heavy multiplier on a file without weights: refused on its row too.
        s.layers.truncate(1);
        s.layers[0].weight = 4e14;
        let bad = read(&s).unwrap_err();
        assert_eq!(bad.line, Some(4), "{bad}");
        assert!(bad.message.contains("weigh 1.200e15"), "{bad}");
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
