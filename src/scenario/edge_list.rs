//! `[network]` with `kind = "edge_list"`: the edge-list file, its columns and the optional
//! `[network.nodes]` file, validated into an [`EdgeListSpec`].

use super::raw::{Opt, RawColumn, RawNetwork};
use super::{Ctx, ScenarioError};
use crate::network::edge_list::{Column, EdgeListSpec, NodeFileSpec};
use std::ops::Range;

/// Validates the edge-list keys of `[network]`, whose span is `span`.
pub(super) fn parse_edge_list(
    cx: &Ctx,
    r: &RawNetwork,
    span: Range<usize>,
) -> Result<EdgeListSpec, ScenarioError> {
    let path = r.path.as_ref().ok_or_else(|| {
        cx.missing(
            span,
            "network.path",
            "the edge-list file, relative to the scenario",
        )
    })?;
    let p = cx.data_file(path, "network.path", "edge-list file")?;
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
    })
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
    }
}
