//! The physician influence network: a compact, immutable pair of CSR adjacency arrays.
//!
//! An arc `j → i` with weight `w_ji > 0` means *i listens to j*. The engine needs in-arcs (the
//! reference sweep sums over them) and out-arcs (the event engine pushes along them), so both
//! are stored, with `u32` node indices and `f32` weights. A complete graph is kept implicit:
//! storing its `n(n-1)` arcs would be wasteful, and every node's exposure is then a function of
//! the global adopter weight.

pub mod build;
mod columns;
pub(crate) mod earlier_ties;
pub mod edge_list;
mod edges;
mod fast_csv;
pub mod generators;
mod hash;
pub mod in_memory;
mod row;
mod rows;
mod sheet;
pub mod similarity;
mod spec;

pub use build::ArcList;
pub use sheet::{Decimal, Sheet, parse_number, read_sheet};
use std::sync::Arc;

/// Hints the CPU to fetch `p`'s cache line ahead of a random access (the builders and the
/// engine's push loops are bound by memory latency, not by work).
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never dereferences `p` architecturally and cannot
    // fault, whatever the address.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Largest supported number of physicians (node indices are `u32`).
pub const MAX_NODES: u64 = (u32::MAX - 1) as u64;

/// One direction of adjacency in compressed sparse row form.
///
/// The arrays are shared (`Arc`): an undirected generated network's in- and out-rows are the
/// same arrays, held once; [`Network::scale_sources`] copies the weights on write.
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    /// `offsets[i]..offsets[i+1]` indexes the arcs of node `i`; length `n + 1`.
    pub offsets: Arc<Vec<usize>>,
    /// The other end of each arc.
    pub nodes: Arc<Vec<u32>>,
    /// The weight of each arc.
    pub weights: Arc<Vec<f32>>,
}

impl Adjacency {
    /// Neighbours of `i` with their arc weights.
    #[inline]
    pub fn arcs(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.nodes[r.clone()], &self.weights[r])
    }

    /// Number of arcs of `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }
}

/// What was dropped or merged while building, reported in the manifest and by `validate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BuildReport {
    /// Self-loops removed.
    pub self_loops_dropped: u64,
    /// Duplicate arcs merged (their weights summed).
    pub duplicates_merged: u64,
}

/// A column of node attributes read from a node file.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// Numeric values; `None` where missing.
    Numeric(Vec<Option<f64>>),
    /// Text values (e.g. a town name).
    Text(Vec<String>),
}

/// A physician network ready for simulation.
#[derive(Debug, Clone)]
pub struct Network {
    n: usize,
    complete: bool,
    in_arcs: Adjacency,
    out_arcs: Adjacency,
    /// Multiplier on arcs leaving each node (KOL weight κ); used by the implicit complete graph.
    source_scale: Vec<f32>,
    /// `Σ_j w_ji`, total incoming weight of each node.
    in_weight: Vec<f64>,
    ids: Option<Vec<String>>,
    /// Id → index for [`Network::index_of`], built on first use.
    id_index: std::sync::OnceLock<hash::IdIndex>,
    attributes: Vec<(String, Attribute)>,
    report: BuildReport,
    input: edge_list::InputReport,
    /// Known to be one weakly connected component by construction (a growth generator whose
    /// every newcomer ties to an earlier node), so [`Network::component_labels`] need not search.
    connected: bool,
}

impl Network {
    /// The complete directed graph on `n` nodes (every physician listens to every other), kept
    /// implicit.
    pub fn complete(n: usize) -> Self {
        Network {
            n,
            complete: true,
            in_arcs: Adjacency::default(),
            out_arcs: Adjacency::default(),
            source_scale: vec![1.0; n],
            in_weight: vec![n.saturating_sub(1) as f64; n],
            ids: None,
            id_index: std::sync::OnceLock::new(),
            attributes: Vec::new(),
            report: BuildReport::default(),
            input: Default::default(),
            connected: false,
        }
    }

    /// Builds a network from arcs; self-loops are dropped and duplicate arcs merged.
    pub fn from_arcs(n: usize, arcs: ArcList) -> Self {
        let (in_arcs, out_arcs, report) = build::csr_pair(n, arcs);
        Self::assemble(n, in_arcs, out_arcs, report)
    }

    /// Builds a network from undirected ties `ends[2k]`–`ends[2k+1]` of weight 1: the same
    /// network as [`Network::from_arcs`] with both arcs of every tie, built without an arc list
    /// when the ties are simple (no self-loop, no tie twice), as the generators draw them.
    pub fn from_ties(n: usize, ends: &[u32]) -> Self {
        match build::csr_pair_simple_ties(n, ends) {
            Some((in_arcs, out_arcs, report)) => Self::assemble(n, in_arcs, out_arcs, report),
            None => {
                let mut arcs = ArcList::with_capacity(ends.len());
                for t in ends.chunks_exact(2) {
                    arcs.push_undirected(t[0], t[1], 1.0);
                }
                Self::from_arcs(n, arcs)
            }
        }
    }

    /// The simple undirected network on `0..n` with weight-1 ties `{v, u}` for every `u` in
    /// `earlier(v)` (distinct nodes below `v`): what growth generators draw, built in parallel
    /// without an arc list (the same network as [`Network::from_ties`] on those ties).
    pub(crate) fn from_earlier_ties<'a>(
        n: usize,
        earlier: impl Fn(usize) -> &'a [u32] + Sync,
    ) -> Self {
        let connected = (1..n).all(|v| !earlier(v).is_empty());
        let (in_arcs, out_arcs, report) = earlier_ties::csr_from_earlier(n, earlier);
        let mut net = Self::assemble(n, in_arcs, out_arcs, report);
        net.connected = connected;
        net
    }

    /// A sparse network from its CSR pair: in-weights summed, no ids or attributes.
    fn assemble(n: usize, in_arcs: Adjacency, out_arcs: Adjacency, report: BuildReport) -> Self {
        let in_weight = {
            use rayon::prelude::*;
            (0..n)
                .into_par_iter()
                .map(|i| in_arcs.arcs(i).1.iter().map(|&w| w as f64).sum())
                .collect()
        };
        Network {
            n,
            complete: false,
            in_arcs,
            out_arcs,
            source_scale: vec![1.0; n],
            in_weight,
            ids: None,
            id_index: std::sync::OnceLock::new(),
            attributes: Vec::new(),
            report,
            input: Default::default(),
            connected: false,
        }
    }

    /// Attaches original node ids (reported back in outputs).
    pub fn with_ids(mut self, ids: Vec<String>) -> Self {
        debug_assert_eq!(ids.len(), self.n);
        self.ids = Some(ids);
        self.id_index = std::sync::OnceLock::new();
        self
    }

    /// Attaches node attributes (columns of a node file, or generator labels such as `block`).
    pub fn with_attributes(mut self, attributes: Vec<(String, Attribute)>) -> Self {
        self.attributes = attributes;
        self
    }

    /// Number of physicians.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Whether this is the implicit complete graph.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Number of arcs (for the complete graph, `n(n-1)`).
    pub fn arc_count(&self) -> u64 {
        if self.complete {
            (self.n as u64) * (self.n.saturating_sub(1) as u64)
        } else {
            self.in_arcs.nodes.len() as u64
        }
    }

    /// In-arcs (who each physician listens to). Empty for the complete graph.
    pub fn in_arcs(&self) -> &Adjacency {
        &self.in_arcs
    }

    /// Out-arcs (who listens to each physician). Empty for the complete graph.
    pub fn out_arcs(&self) -> &Adjacency {
        &self.out_arcs
    }

    /// Number of physicians `i` listens to.
    pub fn in_degree(&self, i: usize) -> usize {
        if self.complete {
            self.n - 1
        } else {
            self.in_arcs.degree(i)
        }
    }

    /// Number of physicians listening to `i`.
    pub fn out_degree(&self, i: usize) -> usize {
        if self.complete {
            self.n - 1
        } else {
            self.out_arcs.degree(i)
        }
    }

    /// Total incoming weight `Σ_j w_ji` of node `i`.
    #[inline]
    pub fn in_weight(&self, i: usize) -> f64 {
        self.in_weight[i]
    }

    /// Weight multiplier of arcs leaving `j` (κ for KOLs, else 1).
    #[inline]
    pub fn source_scale(&self, j: usize) -> f32 {
        self.source_scale[j]
    }

    /// Multiplies the weight of every arc leaving a node in `sources` by `factor` (the KOL
    /// weight κ), updating the in-weight totals.
    pub fn scale_sources(&mut self, sources: &[u32], factor: f32) {
        if factor == 1.0 {
            return;
        }
        let mut is_source = vec![false; self.n];
        for &s in sources {
            is_source[s as usize] = true;
            self.source_scale[s as usize] *= factor;
        }
        if self.complete {
            let total: f64 = self.source_scale.iter().map(|&w| w as f64).sum();
            for i in 0..self.n {
                self.in_weight[i] = total - self.source_scale[i] as f64;
            }
            return;
        }
        for (j, w) in self
            .in_arcs
            .nodes
            .iter()
            .zip(Arc::make_mut(&mut self.in_arcs.weights).iter_mut())
        {
            if is_source[*j as usize] {
                *w *= factor;
            }
        }
        for j in sources {
            let r = self.out_arcs.offsets[*j as usize]..self.out_arcs.offsets[*j as usize + 1];
            for w in &mut Arc::make_mut(&mut self.out_arcs.weights)[r] {
                *w *= factor;
            }
        }
        for i in 0..self.n {
            self.in_weight[i] = self.in_arcs.arcs(i).1.iter().map(|&w| w as f64).sum();
        }
    }

    /// Checks that every physician's total incoming weight (KOL weight applied) is finite and
    /// at most [`crate::limits::MAX_IN_WEIGHT`], so that the engines' sums cannot overflow.
    /// Returns a message naming the first physician over the bound.
    ///
    /// # Complexity
    /// `O(n)`.
    pub fn check_weights(&self) -> Result<(), String> {
        let max = crate::limits::MAX_IN_WEIGHT;
        match self
            .in_weight
            .iter()
            .position(|w| !(w.is_finite() && *w <= max))
        {
            None => Ok(()),
            Some(i) => Err(format!(
                "physician \"{}\" would hear a total arc weight of {:e} (KOL weight κ applied), more than the {max:e} kolsim can sum exactly enough: use a smaller κ or smaller arc weights",
                crate::limits::quote(&self.id(i)),
                self.in_weight[i]
            )),
        }
    }

    /// The original id of node `i` (its index when the network was generated).
    pub fn id(&self, i: usize) -> String {
        match &self.ids {
            Some(ids) => ids[i].clone(),
            None => i.to_string(),
        }
    }

    /// The original node ids, if attached (see [`Network::with_ids`]).
    pub fn ids(&self) -> Option<&[String]> {
        self.ids.as_deref()
    }

    /// All node attributes, in node-file column order.
    pub fn attributes(&self) -> &[(String, Attribute)] {
        &self.attributes
    }

    /// Index of the node with original id `id`, if any (O(1) after a first call that indexes
    /// the ids).
    pub fn index_of(&self, id: &str) -> Option<u32> {
        match &self.ids {
            Some(ids) => self
                .id_index
                .get_or_init(|| {
                    let mut index = hash::IdIndex::default();
                    // The first of duplicated ids wins, as a scan would find it.
                    for (i, x) in ids.iter().enumerate().rev() {
                        index.insert(x, i as u32);
                    }
                    index
                })
                .get(id),
            None => id.parse::<u32>().ok().filter(|&i| (i as usize) < self.n),
        }
    }

    /// A node attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, a)| a)
    }

    /// Attaches what reading the input files dropped or combined.
    pub fn with_input(mut self, input: edge_list::InputReport) -> Self {
        self.input = input;
        self
    }

    /// What reading the input files dropped or combined (empty for generated networks).
    pub fn input(&self) -> &edge_list::InputReport {
        &self.input
    }

    /// Names of all node attributes.
    pub fn attribute_names(&self) -> Vec<&str> {
        self.attributes.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// Self-loops and duplicates removed while building.
    pub fn report(&self) -> BuildReport {
        self.report
    }

    /// Number of weakly connected components.
    pub fn components(&self) -> usize {
        self.component_labels().1
    }

    /// Each physician's weakly connected component, numbered densely from 0 in order of first
    /// physician, and the number of components.
    pub fn component_labels(&self) -> (Vec<u32>, usize) {
        if self.complete || self.connected || self.n == 0 {
            return (vec![0; self.n], usize::from(self.n > 0));
        }
        // Union–find, linking the larger root under the smaller and halving paths: a root is
        // the smallest physician of its component, found once per row.
        let mut parent: Vec<u32> = (0..self.n as u32).collect();
        for i in 0..self.n {
            let mut ri = root(&mut parent, i as u32);
            for &j in self.in_arcs.arcs(i).0 {
                let rj = root(&mut parent, j);
                if rj != ri {
                    let (lo, hi) = (ri.min(rj), ri.max(rj));
                    parent[hi as usize] = lo;
                    ri = lo;
                }
            }
        }
        // A component's root is its first physician, so it is labelled before the others.
        let mut out = vec![0u32; self.n];
        let mut count = 0u32;
        for i in 0..self.n {
            let r = root(&mut parent, i as u32) as usize;
            if r == i {
                out[i] = count;
                count += 1;
            } else {
                out[i] = out[r];
            }
        }
        (out, count as usize)
    }
}

/// The root of `x` in the union–find forest `parent`, halving the path on the way.
fn root(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let g = parent[parent[x as usize] as usize];
        parent[x as usize] = g;
        x = g;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_pair_matches_arcs_and_reports_cleaning() {
        let mut arcs = ArcList::default();
        arcs.push(0, 1, 1.0);
        arcs.push(0, 1, 2.0); // duplicate: merged, weight 3
        arcs.push(2, 2, 1.0); // self-loop: dropped
        arcs.push(2, 1, 1.0);
        arcs.push(1, 0, 0.5);
        let net = Network::from_arcs(3, arcs);
        assert_eq!(net.arc_count(), 3);
        assert_eq!(
            net.report(),
            BuildReport {
                self_loops_dropped: 1,
                duplicates_merged: 1
            }
        );
        assert_eq!(net.in_arcs().arcs(1), (&[0u32, 2][..], &[3.0f32, 1.0][..]));
        assert_eq!(net.out_arcs().arcs(0), (&[1u32][..], &[3.0f32][..]));
        assert_eq!(net.in_weight(1), 4.0);
        assert_eq!(net.in_weight(2), 0.0);
        assert_eq!(net.components(), 1);
    }

    #[test]
    fn kol_scaling_multiplies_outgoing_arcs() {
        let mut arcs = ArcList::default();
        arcs.push(0, 1, 1.0);
        arcs.push(2, 1, 1.0);
        arcs.push(1, 0, 1.0);
        let mut net = Network::from_arcs(3, arcs);
        net.scale_sources(&[0], 2.0);
        assert_eq!(net.in_arcs().arcs(1).1, &[2.0, 1.0]);
        assert_eq!(net.out_arcs().arcs(0).1, &[2.0]);
        assert_eq!(net.in_weight(1), 3.0);
        assert_eq!(net.in_weight(0), 1.0);
    }

    #[test]
    fn weights_past_the_bound_are_reported() {
        let mut arcs = ArcList::default();
        arcs.push(0, 1, 3e38);
        arcs.push(0, 1, 3e38); // merged: infinite in f32
        arcs.push(1, 0, 1.0);
        let net = Network::from_arcs(2, arcs);
        assert!(net.check_weights().unwrap_err().contains("physician \"1\""));
        let mut k = Network::complete(4);
        assert!(k.check_weights().is_ok());
        k.scale_sources(&[0], f32::INFINITY);
        assert!(k.check_weights().is_err());
        let mut arcs = ArcList::default();
        arcs.push(0, 1, 1.0);
        let mut net = Network::from_arcs(2, arcs);
        net.scale_sources(&[0], 1e31);
        assert!(net.check_weights().is_err());
    }

    #[test]
    fn complete_graph_is_implicit() {
        let mut net = Network::complete(5);
        assert_eq!(net.arc_count(), 20);
        assert_eq!(net.in_degree(3), 4);
        net.scale_sources(&[0], 3.0);
        assert_eq!(net.in_weight(1), 3.0 + 3.0);
        assert_eq!(net.in_weight(0), 4.0);
    }

    #[test]
    fn component_labels_match_petgraph_union_find() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
        for (n, ties) in [(50, 20), (500, 300), (2000, 1900), (300, 2000)] {
            let mut arcs = ArcList::default();
            for _ in 0..ties {
                arcs.push(rng.random_range(0..n), rng.random_range(0..n), 1.0);
            }
            let net = Network::from_arcs(n as usize, arcs);
            let mut uf = petgraph::unionfind::UnionFind::<u32>::new(net.n());
            for i in 0..net.n() {
                for &j in net.in_arcs().arcs(i).0 {
                    uf.union(i as u32, j);
                }
            }
            let want = uf.into_labeling();
            let (got, count) = net.component_labels();
            let mut first = std::collections::HashMap::new();
            for (i, (&w, &g)) in want.iter().zip(&got).enumerate() {
                let l = *first.entry(w).or_insert_with(|| {
                    assert_eq!(
                        g as usize,
                        first_count(&got[..i]),
                        "new component numbered next"
                    );
                    g
                });
                assert_eq!(l, g, "physician {i} of n = {n}");
            }
            assert_eq!(count, first.len());
        }
    }

    #[test]
    fn earlier_ties_components_are_known_only_when_connected() {
        // Node 3 ties to nobody earlier and nobody later: two components.
        let lists: [&[u32]; 5] = [&[], &[0], &[0, 1], &[], &[2]];
        let net = Network::from_earlier_ties(5, |v| lists[v]);
        assert!(!net.connected);
        assert_eq!(net.component_labels(), (vec![0, 0, 0, 1, 0], 2));
        let lists: [&[u32]; 4] = [&[], &[0], &[1], &[0, 2]];
        let net = Network::from_earlier_ties(4, |v| lists[v]);
        assert!(net.connected);
        assert_eq!(net.component_labels(), (vec![0; 4], 1));
    }

    /// Distinct labels among `seen` (dense labels: one more than the largest).
    fn first_count(seen: &[u32]) -> usize {
        seen.iter().max().map_or(0, |&m| m as usize + 1)
    }
}
