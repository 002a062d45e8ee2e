//! The columns of one edge-list file: which hold the source, the target and the weight, found
//! from the specification and the header, with a warning where the header has more
//! nomination columns than the specification reads.

use super::spec::{
    Column, EdgeListSpec, InputError, InputReport, column_index, column_indices, err,
};
use crate::limits;
use std::path::Path;

/// The columns of one edge list: the source and target columns (several for a wide survey
/// sheet, one arc per filled cell), the optional weight column, how many fields a row needs,
/// and whether weights are written with a decimal comma.
pub(super) struct Columns {
    pub(super) sources: Vec<usize>,
    pub(super) targets: Vec<usize>,
    pub(super) weight: Option<usize>,
    /// The weight column as messages name it (`column "contacts"`, `column 3`).
    pub(super) weight_label: String,
    pub(super) need: usize,
    pub(super) decimal_comma: bool,
}

/// The columns of the source, target and (optional) weight, and how many fields a row needs.
pub(super) fn columns_of(
    spec: &EdgeListSpec,
    p: &Path,
    header: Option<&Vec<String>>,
    report: &mut InputReport,
    decimal_comma: bool,
) -> Result<Columns, InputError> {
    let sources = column_indices(p, header, &spec.source, "network.source")?;
    let targets = column_indices(p, header, &spec.target, "network.target")?;
    if sources.len() > 1 && targets.len() > 1 {
        return Err(err(
            p,
            None,
            "`network.source` and `network.target` both list several columns: a wide survey sheet has one column of the nominating physician and several of the physicians named",
        ));
    }
    let weight = match &spec.weight {
        Some(c) => Some(column_index(p, header, c, "network.weight")?),
        // A header column named `weight` is the weight unless `weight` is set.
        None => header.and_then(|h| {
            h.iter().enumerate().position(|(k, name)| {
                !sources.contains(&k)
                    && !targets.contains(&k)
                    && name.eq_ignore_ascii_case("weight")
            })
        }),
    };
    if spec.weight.is_none() && weight.is_some() {
        report.weight_column_from_header = true;
    }
    if let Some(h) = header {
        for (key, col, list) in [
            ("source", &spec.source, &sources),
            ("target", &spec.target, &targets),
        ] {
            if let Some(w) = more_nominations(h, col, list) {
                report.warnings.push(format!("{}: {key} = {col} reads one column, but the header also has {w}, which look like more nominations; to read them all, set {key} = [{}]", p.display(), similar_columns(h, col).join(", ")));
            }
        }
    }
    let need = sources
        .iter()
        .chain(&targets)
        .chain(&weight)
        .max()
        .copied()
        .unwrap_or(0)
        + 1;
    let weight_label = weight.map_or_else(String::new, |k| match header.and_then(|h| h.get(k)) {
        Some(name) => format!("column \"{}\"", limits::quote(name)),
        None => format!("column {}", k + 1),
    });
    Ok(Columns {
        sources,
        targets,
        weight,
        weight_label,
        need,
        decimal_comma,
    })
}

/// The header name's stem without trailing digits (`adviser2` → `adviser`), when it has both.
fn stem(name: &str) -> Option<&str> {
    let s = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == ' ');
    (s.len() < name.len() && !s.is_empty()).then_some(s)
}

/// The quoted header columns of the same stem as the one column `col` (all of them, `col`
/// included), in header order.
fn similar_columns(header: &[String], col: &Column) -> Vec<String> {
    let Column::Name(name) = col else {
        return Vec::new();
    };
    let Some(st) = stem(name) else {
        return Vec::new();
    };
    header
        .iter()
        .filter(|h| stem(h) == Some(st))
        .map(|h| format!("\"{}\"", limits::quote(h)))
        .collect()
}

/// When `col` names one column and the header holds others of the same stem (`adviser1` read,
/// `adviser2`, `adviser3` not), those others, for a warning.
fn more_nominations(header: &[String], col: &Column, read: &[usize]) -> Option<String> {
    if read.len() != 1 {
        return None;
    }
    let all = similar_columns(header, col);
    let others: Vec<String> = all
        .into_iter()
        .filter(|h| h.trim_matches('"') != header[read[0]])
        .collect();
    (!others.is_empty()).then(|| others.join(", "))
}
