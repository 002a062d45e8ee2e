//! Turning a list of arcs into the in/out CSR pair: counting sorts, plus a sort of each
//! physician's short run of in-arcs by source.

use super::{Adjacency, BuildReport};

/// Arcs `(source, target, weight)` collected by a generator or a file reader.
#[derive(Debug, Clone, Default)]
pub struct ArcList {
    /// Source (influencer) of each arc.
    pub src: Vec<u32>,
    /// Target (listener) of each arc.
    pub dst: Vec<u32>,
    /// Weight of each arc.
    pub w: Vec<f32>,
}

impl ArcList {
    /// An empty list with room for `cap` arcs.
    pub fn with_capacity(cap: usize) -> Self {
        ArcList {
            src: Vec::with_capacity(cap),
            dst: Vec::with_capacity(cap),
            w: Vec::with_capacity(cap),
        }
    }

    /// Adds the arc `src → dst`.
    #[inline]
    pub fn push(&mut self, src: u32, dst: u32, w: f32) {
        self.src.push(src);
        self.dst.push(dst);
        self.w.push(w);
    }

    /// Adds both arcs of an undirected tie.
    #[inline]
    pub fn push_undirected(&mut self, a: u32, b: u32, w: f32) {
        self.push(a, b, w);
        self.push(b, a, w);
    }

    /// Number of arcs.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// Whether there are no arcs.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }
}

/// Stable counting sort of `order` by `key[order[k]]`, keys in `0..n`.
fn counting_sort(order: &[u32], key: &[u32], n: usize) -> Vec<u32> {
    let mut counts = vec![0usize; n + 1];
    for &k in order {
        counts[key[k as usize] as usize + 1] += 1;
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    let mut out = vec![0u32; order.len()];
    for &k in order {
        let slot = &mut counts[key[k as usize] as usize];
        out[*slot] = k;
        *slot += 1;
    }
    out
}

fn offsets_from(keys: impl Iterator<Item = u32>, n: usize, len: usize) -> Vec<usize> {
    let mut offsets = vec![0usize; n + 1];
    for k in keys {
        offsets[k as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    debug_assert_eq!(offsets[n], len);
    offsets
}

/// Builds in-arcs (sorted by target, then source) and out-arcs (sorted by source, then
/// target), dropping self-loops and merging duplicates by summing weights.
pub fn csr_pair(n: usize, arcs: ArcList) -> (Adjacency, Adjacency, BuildReport) {
    let mut report = BuildReport::default();
    let identity: Vec<u32> = (0..arcs.len() as u32)
        .filter(|&k| {
            let keep = arcs.src[k as usize] != arcs.dst[k as usize];
            if !keep {
                report.self_loops_dropped += 1;
            }
            keep
        })
        .collect();
    // Sort by (dst, src): one counting sort by dst, then each physician's (short) run of
    // in-arcs by src. Runs are sorted by (src, index), so the result is fully determined.
    let mut order = counting_sort(&identity, &arcs.dst, n);
    drop(identity);
    let mut start = 0;
    while start < order.len() {
        let d = arcs.dst[order[start] as usize];
        let mut end = start + 1;
        while end < order.len() && arcs.dst[order[end] as usize] == d {
            end += 1;
        }
        order[start..end].sort_unstable_by_key(|&k| (arcs.src[k as usize], k));
        start = end;
    }
    let mut src = Vec::with_capacity(order.len());
    let mut dst = Vec::with_capacity(order.len());
    let mut w: Vec<f32> = Vec::with_capacity(order.len());
    for &k in &order {
        let (s, d, wk) = (
            arcs.src[k as usize],
            arcs.dst[k as usize],
            arcs.w[k as usize],
        );
        if src.last() == Some(&s) && dst.last() == Some(&d) {
            *w.last_mut().expect("non-empty") += wk;
            report.duplicates_merged += 1;
        } else {
            src.push(s);
            dst.push(d);
            w.push(wk);
        }
    }
    drop(order);
    drop(arcs);
    let m = src.len();
    // Out-arcs: stable sort of the (dst, src)-sorted arcs by src keeps dst ascending.
    let identity: Vec<u32> = (0..m as u32).collect();
    let out_order = counting_sort(&identity, &src, n);
    drop(identity);
    let out = Adjacency {
        offsets: offsets_from(src.iter().copied(), n, m),
        nodes: out_order.iter().map(|&k| dst[k as usize]).collect(),
        weights: out_order.iter().map(|&k| w[k as usize]).collect(),
    };
    let inn = Adjacency {
        offsets: offsets_from(dst.iter().copied(), n, m),
        nodes: src,
        weights: w,
    };
    (inn, out, report)
}
