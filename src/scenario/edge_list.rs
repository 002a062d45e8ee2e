//! `[network]` with `kind = "edge_list"`: the edge-list file, its columns and the optional
//! `[network.nodes]` file, validated into an [`EdgeListSpec`].

use super::raw::{Opt, RawColumn, RawNetwork};
use super::{Ctx, ScenarioError};
use crate::network::Decimal;
use crate::network::edge_list::{Column, EdgeListSpec, Layer, NodeFileSpec, UnknownIds};
use std::ops::Range;

/// Validates the edge-list keys of `[network]`, whose span is `span`.
pub(super) fn parse_edge_list(
    cx: &Ctx,
    r: &RawNetwork,
    span: Range<usize>,
) -> Result<EdgeListSpec, ScenarioError> {
    let layers = parse_layers(cx, r)?;
    let p = match (&r.path, layers.first()) {
        (Some(path), None) => cx.data_file(path, "network.path", "edge-list file")?,
        (None, Some(first)) => first.path.clone(),
        (Some(path), Some(_)) => {
            return Err(cx.err(
                path.span(),
                "network.path",
                "set either `path` (one edge list) or `[[network.layer]]` tables (several), not both",
            ));
        }
        (None, None) => {
            return Err(cx.missing(
                span,
                "network.path",
                "the edge-list file, relative to the scenario (or `[[network.layer]]` tables)",
            ));
        }
    };
    let is_csv = matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("csv") | Some("tsv")
    );
    let nodes = match &r.nodes {
        Some(nd) => Some(NodeFileSpec {
            path: cx.data_file(&nd.get_ref().path, "network.nodes.path", "node file")?,
            id: match &nd.get_ref().id {
                Some(c) => column(c.get_ref()),
                None => Column::Name("id".into()),
            },
            delimiter: delimiter(cx, &nd.get_ref().delimiter, "network.nodes.delimiter")?,
        }),
        None => None,
    };
    Ok(EdgeListSpec {
        path: p,
        directed: r.directed.as_ref().map(|d| *d.get_ref()).unwrap_or(true),
        header: r.header.as_ref().map(|d| *d.get_ref()).unwrap_or(is_csv),
        source: checked_column(cx, &r.source, "source", 1)?,
        target: checked_column(cx, &r.target, "target", 2)?,
        weight: match &r.weight {
            Some(_) => Some(checked_column(cx, &r.weight, "weight", 3)?),
            None => None,
        },
        nodes,
        delimiter: delimiter(cx, &r.delimiter, "network.delimiter")?,
        decimal: cx.one_of(
            &r.decimal,
            "network.decimal",
            &[(".", Decimal::Point), (",", Decimal::Comma)],
            Decimal::Detect,
        )?,
        unknown_ids: cx.one_of(
            &r.unknown_ids,
            "network.unknown_ids",
            &[("error", UnknownIds::Error), ("drop", UnknownIds::Drop)],
            UnknownIds::Error,
        )?,
        missing: r
            .missing
            .as_ref()
            .map(|m| m.get_ref().iter().map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
        normalize_ids: r
            .normalize_ids
            .as_ref()
            .map(|d| *d.get_ref())
            .unwrap_or(false),
        layers,
    })
}

/// `[[network.layer]]` tables: each a file and a positive weight multiplier (default 1);
/// names default to `layer1`, `layer2`, … and must be distinct.
fn parse_layers(cx: &Ctx, r: &RawNetwork) -> Result<Vec<Layer>, ScenarioError> {
    let Some(list) = &r.layers else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Layer> = Vec::new();
    for (k, l) in list.get_ref().iter().enumerate() {
        let l = l.get_ref();
        let key = format!("network.layer[{k}]");
        let path = cx.data_file(&l.path, &format!("{key}.path"), "edge-list file")?;
        let name = match &l.name {
            Some(n) => {
                if out.iter().any(|o| &o.name == n.get_ref()) {
                    return Err(cx.err(
                        n.span(),
                        &format!("{key}.name"),
                        format!("layer name \"{}\" is used twice", n.get_ref()),
                    ));
                }
                n.get_ref().clone()
            }
            None => format!("layer{}", k + 1),
        };
        let weight = match &l.weight {
            Some(w) => {
                let x = *w.get_ref();
                if !(x > 0.0 && x <= 1.0e6) {
                    return Err(cx.err(
                        w.span(),
                        &format!("{key}.weight"),
                        format!("{x} is not a layer weight: it multiplies the layer's tie weights and must be in (0, 1e6]"),
                    ));
                }
                x as f32
            }
            None => 1.0,
        };
        out.push(Layer { name, path, weight });
    }
    if out.is_empty() {
        return Err(cx.err(
            list.span(),
            "network.layer",
            "is empty: give at least one `[[network.layer]]` with a `path`",
        ));
    }
    Ok(out)
}

/// A `delimiter` key: `","`, `";"` or a tab (`"\t"` or `"tab"`); `None` (detected) when absent.
fn delimiter(cx: &Ctx, v: &Opt<String>, key: &str) -> Result<Option<u8>, ScenarioError> {
    let Some(d) = v else { return Ok(None) };
    match d.get_ref().as_str() {
        "," | "comma" => Ok(Some(b',')),
        ";" | "semicolon" => Ok(Some(b';')),
        "\t" | "tab" => Ok(Some(b'\t')),
        "|" | "pipe" => Ok(Some(b'|')),
        other => Err(cx.err(
            d.span(),
            key,
            format!(
                "\"{}\" is not a delimiter kolsim reads (allowed: \",\", \";\", \"\\t\" (tab), \"|\"; detected from the first row when absent)",
                crate::limits::quote(other)
            ),
        )),
    }
}

/// A column key of `[network]`, numbered from 1; `default` when absent.
fn checked_column(
    cx: &Ctx,
    v: &Opt<RawColumn>,
    key: &str,
    default: usize,
) -> Result<Column, ScenarioError> {
    match v {
        Some(c) => match c.get_ref() {
            RawColumn::Position(x) if *x < 1 => Err(cx.err(
                c.span(),
                &format!("network.{key}"),
                format!("{x} is not a column number: columns are numbered from 1"),
            )),
            RawColumn::List(list)
                if key == "weight"
                    || list.is_empty()
                    || list.iter().any(|x| !matches!(x, RawColumn::Name(_))) =>
            {
                Err(cx.err(
                    c.span(),
                    &format!("network.{key}"),
                    "a list of columns must be a non-empty list of header names, and is allowed for `source` or `target` only (a wide survey sheet: one column per physician named)",
                ))
            }
            other => Ok(column(other)),
        },
        None => Ok(Column::Position(default)),
    }
}

/// A column as written to a [`Column`] (positions are not checked here).
fn column(c: &RawColumn) -> Column {
    match c {
        RawColumn::Position(p) => Column::Position((*p).max(0) as usize),
        RawColumn::Name(s) => Column::Name(s.clone()),
        RawColumn::List(list) => Column::Several(list.iter().map(column).collect()),
    }
}
