//! Streaming the rows of one edge-list file into the network being read (the ids, the arcs and
//! the bounds on them); [`super::edge_list`] holds the specification, the node file and the
//! assembly.

use super::ArcList;
use super::columns::{Columns, columns_of};
use super::fast_csv::Next;
use super::hash::IdIndex;
use super::rows::{Row, Rows};
use super::spec::{
    Dropped, EdgeListSpec, InputError, InputReport, UnknownIds, did_you_mean, err, normalize_id,
    number_hint,
};
use crate::limits;
use std::path::Path;

/// The network being read: ids, arcs and counts so far.
pub(super) struct State {
    pub(super) ids: Vec<String>,
    pub(super) index: IdIndex,
    /// Total incoming weight of each physician so far, for the bound on merged weights: the
    /// weights of the first `heard_upto` arcs of `arcs` (self-loops left out).
    pub(super) heard: Vec<f64>,
    pub(super) heard_upto: usize,
    /// A bound on every physician's total incoming weight, `heard` or not yet.
    pub(super) heard_bound: f64,
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
    if let Some(n) = lines.lines_hint() {
        // At most one row a line, one arc a row (two undirected) but for wide survey sheets.
        st.arcs
            .reserve(n.saturating_mul(if spec.directed { 1 } else { 2 }));
    }
    let decimal_comma = spec.decimal.comma(lines.delimiter());
    let mut header: Option<Vec<String>> = None;
    let mut columns: Option<Columns> = None;
    let mut rows = 0u64;
    let mut row = Row::default();
    let (mut srcs, mut dsts) = (Vec::new(), Vec::new());
    let arcs_before = st.arcs.len();
    // Whether the bound on incoming weights needs checking row by row in this file; if not,
    // its arcs are added to `heard` only when a later file needs the totals.
    let mut check = true;
    // Whether rows of small integer ids come as their values (`Next::Pair`).
    let mut pairs = false;
    loop {
        let next = next_row(&mut lines, &mut row, pairs, columns.as_ref(), &st.index)?;
        match next {
            Next::End => break,
            Next::Row => {}
            Next::Pair(line, a, b) => {
                if let (Some(s), Some(d)) = (st.small_node(a), st.small_node(b)) {
                    rows += 1;
                    st.arc(spec, (s, d, scale), check, p, line)?;
                    continue;
                }
                lines.fill_last(&mut row); // an id that cannot be added: the general path
            }
        }
        let line = row.line;
        if spec.header && header.is_none() {
            header = Some(row.to_vec());
            continue;
        }
        rows += 1;
        let c = match &columns {
            Some(c) => c,
            None => {
                let c = columns_of(spec, p, header.as_ref(), &mut st.report, decimal_comma)?;
                check = st.check_heard(c.weight.is_some(), scale);
                pairs = plain_pairs(spec, &c, st)
                    && lines.pair_columns(c.sources[0], c.targets[0], c.need);
                columns.insert(c)
            }
        };
        if row.len() < c.need {
            return Err(short_row(p, line, &row, c));
        }
        let single = |cols: &[usize]| (cols.len() == 1).then(|| &row[cols[0]]);
        let marked = |cell: Option<&str>| cell.is_some_and(|v| spec.missing.iter().any(|m| m == v));
        if marked(single(&c.sources)) || marked(single(&c.targets)) {
            st.report.missing_rows_dropped += 1;
            continue;
        }
        let dropped = st.report.dropped.len();
        st.side(spec, p, &row, &c.sources, &mut srcs)?;
        st.side(spec, p, &row, &c.targets, &mut dsts)?;
        if srcs.is_empty() || dsts.is_empty() {
            if st.report.dropped.len() > dropped {
                st.report.unknown_ids_dropped += 1;
            }
            continue;
        }
        let w = match c.weight {
            None => scale,
            Some(k) => weight_of(&row[k], scale, (p, line, &c.weight_label), c.decimal_comma)?,
        };
        for &s in &srcs {
            for &d in &dsts {
                st.arc(spec, (s, d, w), check, p, line)?;
            }
        }
    }
    st.heard_bound = match check {
        true => limits::MAX_DATA_IN_WEIGHT,
        false => st.heard_bound + scale as f64 * (st.arcs.len() - arcs_before) as f64,
    };
    if rows == 0 {
        return Err(err(
            p,
            None,
            "edge list has no arcs: it needs at least one row `source target`, besides blank lines, # comments and the header",
        ));
    }
    Ok(())
}

/// The error for a row of fewer fields than `c` needs.
fn short_row(p: &Path, line: usize, row: &Row, c: &Columns) -> InputError {
    err(
        p,
        Some(line),
        format!(
            "malformed row \"{}\": {} field(s), at least {} expected (source, target{})",
            limits::quote(&row.join(" ")),
            row.len(),
            c.need,
            if c.weight.is_some() { ", weight" } else { "" }
        ),
    )
}

/// The next row of `lines` (with `pairs`, as id values where it can: [`Rows::next_pair`]),
/// showing [`IdIndex`] where the ids of a row to come will be looked up (a hint: the lookups
/// are random).
fn next_row(
    lines: &mut Rows,
    row: &mut Row,
    pairs: bool,
    columns: Option<&Columns>,
    index: &IdIndex,
) -> Result<Next, InputError> {
    if pairs {
        return lines.next_pair(row, &mut |a, b| {
            index.prefetch_small(a);
            index.prefetch_small(b);
        });
    }
    let more = lines.next_row_ahead(row, &mut |k, f| {
        if let Some(c) = columns
            && (c.sources.contains(&k) || c.targets.contains(&k))
        {
            index.prefetch(f);
        }
    })?;
    Ok(if more { Next::Row } else { Next::End })
}

/// Whether a row whose source and target cells are small canonical integers is read the same
/// from their values alone ([`Next::Pair`], [`State::small_node`]): one source and one target
/// column, no weight column, no `missing` marker written as digits (it could equal a cell),
/// and no node file (an id outside it needs the general path's error or drop).
fn plain_pairs(spec: &EdgeListSpec, c: &Columns, st: &State) -> bool {
    c.sources.len() == 1
        && c.targets.len() == 1
        && c.weight.is_none()
        && !st.fixed
        && !spec
            .missing
            .iter()
            .any(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

impl State {
    /// The index of the id written as the small canonical integer `v`, given one if it is
    /// new, as [`State::node`] would for that text (canonical integers are their own
    /// normal form); `None` where [`State::node`] would refuse or drop it.
    fn small_node(&mut self, v: u32) -> Option<u32> {
        if let Some(k) = self.index.get_small(v) {
            return Some(k);
        }
        if self.fixed || self.ids.len() as u64 >= super::MAX_NODES {
            return None;
        }
        let k = self.ids.len() as u32;
        let id = v.to_string();
        self.index.insert(&id, k);
        self.ids.push(id);
        self.heard.push(0.0);
        Some(k)
    }

    /// Whether a file whose arcs weigh `scale` each (or are read from a weight column:
    /// `weighted`) needs the bound on incoming weights checked arc by arc: not when no total
    /// can reach it, whatever the rows. When it does, `heard` is brought up to date first.
    fn check_heard(&mut self, weighted: bool, scale: f32) -> bool {
        let most = self.heard_bound + scale as f64 * limits::MAX_ARCS as f64;
        if !weighted && most <= limits::MAX_DATA_IN_WEIGHT / 2.0 {
            return false;
        }
        let a = &self.arcs;
        for k in self.heard_upto..a.len() {
            if a.src[k] != a.dst[k] {
                self.heard[a.dst[k] as usize] += a.w[k] as f64;
            }
        }
        self.heard_upto = a.len();
        true
    }

    /// The arc `s → d` of weight `w` (two arcs when undirected), read on `line` of `p`; with
    /// `check`, the bound on incoming weights checked (see [`State::check_heard`]).
    fn arc(
        &mut self,
        spec: &EdgeListSpec,
        (s, d, w): (u32, u32, f32),
        check: bool,
        p: &Path,
        line: usize,
    ) -> Result<(), InputError> {
        let per_row = if spec.directed { 1 } else { 2 };
        if (self.arcs.len() + per_row) as u64 > limits::MAX_ARCS {
            return Err(err(
                p,
                Some(line),
                format!(
                    "more than {} arcs: kolsim indexes them with 32 bits",
                    limits::MAX_ARCS
                ),
            ));
        }
        if check && s != d {
            let targets: &[u32] = if spec.directed { &[d] } else { &[d, s] };
            for &t in targets {
                self.hear(t, w, p, line)?;
            }
        }
        if spec.directed {
            self.arcs.push(s, d, w);
        } else {
            self.arcs.push_undirected(s, d, w);
        }
        if check {
            self.heard_upto = self.arcs.len();
        }
        Ok(())
    }

    /// The physicians named in `cols` of `row` into `out`: one column's cell (an error when
    /// empty), or, for a wide survey sheet, every filled cell of several columns (blank cells and
    /// `missing` markers name no one). Ids dropped (`unknown_ids = "drop"`) are recorded.
    fn side(
        &mut self,
        spec: &EdgeListSpec,
        p: &Path,
        row: &Row,
        cols: &[usize],
        out: &mut Vec<u32>,
    ) -> Result<(), InputError> {
        out.clear();
        for &c in cols {
            let cell = &row[c];
            if cols.len() > 1 && (cell.is_empty() || spec.missing.iter().any(|m| m == cell)) {
                continue;
            }
            if let Some(k) = self.node(spec, p, row.line, cell)? {
                out.push(k);
            }
        }
        Ok(())
    }

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
                self.report.dropped.push(Dropped {
                    path: p.to_path_buf(),
                    line,
                    id: id.into_owned(),
                });
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

/// The weight in `cell`, times `scale`: a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], or an error located by file `p`, `line` and `column`.
fn weight_of(
    cell: &str,
    scale: f32,
    (p, line, column): (&Path, usize, &str),
    decimal_comma: bool,
) -> Result<f32, InputError> {
    let max_w = limits::MAX_DATA_IN_WEIGHT;
    let parsed = match cell.parse::<f32>() {
        Ok(w) => Some(w),
        Err(_) => super::sheet::parse_number(cell, decimal_comma).map(|w| w as f32),
    };
    match parsed {
        Some(w) if w > 0.0 && w.is_finite() && w as f64 * scale as f64 <= max_w => Ok(w * scale),
        _ => {
            let message = match number_hint(cell) {
                Some(h) => format!("malformed row: weight in {column}: {h}"),
                None => format!(
                    "malformed row: weight \"{}\" must be a positive number at most {max_w:e} ({column})",
                    limits::quote(cell)
                ),
            };
            Err(err(p, Some(line), message))
        }
    }
}
