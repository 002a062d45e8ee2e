//! Streaming the rows of one edge-list file into the network being read (the ids, the arcs and
//! the bounds on them); [`super::edge_list`] holds the specification, the node file and the
//! assembly.

use super::ArcList;
use super::edge_list::{
    EdgeListSpec, InputError, InputReport, UnknownIds, column_index, did_you_mean, err,
    normalize_id, number_hint,
};
use super::hash::IdIndex;
use super::rows::{Row, Rows};
use crate::limits;
use std::path::Path;

/// The network being read: ids, arcs and counts so far.
pub(super) struct State {
    pub(super) ids: Vec<String>,
    pub(super) index: IdIndex,
    /// Total incoming weight of each physician so far, for the bound on merged weights.
    pub(super) heard: Vec<f64>,
    /// Whether the ids are fixed by a node file.
    pub(super) fixed: bool,
    pub(super) arcs: ArcList,
    pub(super) report: InputReport,
}

/// Streams one edge-list file `p` into `st`, each weight multiplied by `scale`.
pub(super) fn read_edges(
    spec: &EdgeListSpec,
    p: &Path,
    scale: f32,
    st: &mut State,
) -> Result<(), InputError> {
    let mut lines = Rows::open(p, spec.delimiter)?;
    let mut header: Option<Vec<String>> = None;
    let mut columns: Option<(usize, usize, Option<usize>, usize)> = None;
    let mut rows = 0u64;
    let mut row = Row::default();
    while lines.next_row(&mut row)? {
        let line = row.line;
        if spec.header && header.is_none() {
            header = Some(row.to_vec());
            continue;
        }
        rows += 1;
        let (src_c, dst_c, w_c, need) = match columns {
            Some(c) => c,
            None => *columns.insert(columns_of(spec, p, header.as_ref(), st)?),
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
            Some(c) => weight_of(&row[c], scale, p, line)?,
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
                st.hear(t, w, p, line)?;
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
    /// Adds `w` to what physician `t` hears, refusing a total above
    /// [`limits::MAX_DATA_IN_WEIGHT`] (duplicates are merged by summing).
    fn hear(&mut self, t: u32, w: f32, p: &Path, line: usize) -> Result<(), InputError> {
        let max_w = limits::MAX_DATA_IN_WEIGHT;
        self.heard[t as usize] += w as f64;
        if self.heard[t as usize] > max_w {
            return Err(err(
                p,
                Some(line),
                format!(
                    "the arcs into \"{}\" up to this row weigh {:.3e} in all (duplicate arcs are merged by summing their weights), more than the {max_w:e} one physician may hear",
                    limits::quote(&self.ids[t as usize]),
                    self.heard[t as usize]
                ),
            ));
        }
        Ok(())
    }

    /// The index of endpoint `id` on `line` of `p`; `None` when it is not in the node file and
    /// `unknown_ids = "drop"`.
    pub(super) fn node(
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
        if let Some(k) = self.index.get(id.as_ref()) {
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
        self.index.insert(&id, k);
        self.heard.push(0.0);
        Ok(Some(k))
    }
}

/// The columns of the source, target and (optional) weight, and how many fields a row needs.
fn columns_of(
    spec: &EdgeListSpec,
    p: &Path,
    header: Option<&Vec<String>>,
    st: &mut State,
) -> Result<(usize, usize, Option<usize>, usize), InputError> {
    let src_c = column_index(p, header, &spec.source, "network.source")?;
    let dst_c = column_index(p, header, &spec.target, "network.target")?;
    let w_c = match &spec.weight {
        Some(c) => Some(column_index(p, header, c, "network.weight")?),
        // A header column named `weight` is the weight unless `weight` is set.
        None => header.and_then(|h| {
            h.iter().enumerate().position(|(k, name)| {
                k != src_c && k != dst_c && name.eq_ignore_ascii_case("weight")
            })
        }),
    };
    if spec.weight.is_none() && w_c.is_some() {
        st.report.weight_column_from_header = true;
    }
    let need = src_c.max(dst_c).max(w_c.unwrap_or(0)) + 1;
    Ok((src_c, dst_c, w_c, need))
}

/// The weight in `cell`, times `scale`: a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], or an error located on `line` of `p`.
fn weight_of(cell: &str, scale: f32, p: &Path, line: usize) -> Result<f32, InputError> {
    let max_w = limits::MAX_DATA_IN_WEIGHT;
    match cell.parse::<f32>() {
        Ok(w) if w > 0.0 && w.is_finite() && w as f64 * scale as f64 <= max_w => Ok(w * scale),
        _ => {
            let message = match number_hint(cell) {
                Some(h) => format!("malformed row: weight {h}"),
                None => format!(
                    "malformed row: weight \"{}\" must be a positive number at most {max_w:e}",
                    limits::quote(cell)
                ),
            };
            Err(err(p, Some(line), message))
        }
    }
}
