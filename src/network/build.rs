//! Turning a list of arcs into the in/out CSR pair, in parallel: count each row's arcs,
//! place the arcs into their rows, sort each (short) row by a total order, merge duplicates.
//! The result is the same for any number of threads.

use super::{Adjacency, BuildReport};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

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

    /// Makes room for `more` arcs beyond those held, where memory allows (a hint: nothing
    /// changes when it does not).
    pub fn reserve(&mut self, more: usize) {
        let more = more.min(crate::limits::MAX_ARCS as usize);
        let _ = self
            .src
            .try_reserve(more)
            .and_then(|()| self.dst.try_reserve(more));
        let _ = self.w.try_reserve(more);
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

/// Arcs per parallel work group of the row passes (rows are never split between groups).
const GROUP_ARCS: usize = 1 << 15;

/// Splits `0..n` rows into groups of about [`GROUP_ARCS`] arcs: the row boundaries.
fn row_groups(offsets: &[usize]) -> Vec<usize> {
    let n = offsets.len() - 1;
    let mut bounds = vec![0];
    let mut next = GROUP_ARCS;
    for i in 0..n {
        if offsets[i + 1] >= next {
            bounds.push(i + 1);
            next = offsets[i + 1] + GROUP_ARCS;
        }
    }
    if *bounds.last().expect("non-empty") != n {
        bounds.push(n);
    }
    bounds
}

/// Splits `data` into one mutable slice per row group (`bounds` from [`row_groups`]).
fn split_groups<'a, T>(
    mut data: &'a mut [T],
    offsets: &[usize],
    bounds: &[usize],
) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(bounds.len());
    for g in bounds.windows(2) {
        let (head, tail) = data.split_at_mut(offsets[g[1]] - offsets[g[0]]);
        parts.push(head);
        data = tail;
    }
    parts
}

/// Row offsets from per-row counts (an exclusive prefix sum with the total last).
pub(crate) fn offsets_of(counts: impl Iterator<Item = u32>, n: usize) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(n + 1);
    let mut acc = 0usize;
    offsets.push(0);
    for c in counts {
        acc += c as usize;
        offsets.push(acc);
    }
    offsets
}

/// Places `value` (for each item `k` with `place(k)` = `Some((row, value))`) into its row of a
/// CSR with `offsets`, in parallel. The order *within* a row depends on scheduling: callers sort rows
/// by a total order afterwards, so the result does not.
fn scatter(
    len: usize,
    offsets: &[usize],
    place: impl Fn(usize) -> Option<(u32, usize)> + Sync,
) -> Vec<u32> {
    let cursor: Vec<AtomicUsize> = offsets[..offsets.len() - 1]
        .par_iter()
        .map(|&o| AtomicUsize::new(o))
        .collect();
    let slots: Vec<AtomicU32> = (0..offsets[offsets.len() - 1])
        .into_par_iter()
        .map(|_| AtomicU32::new(0))
        .collect();
    (0..len).into_par_iter().for_each(|k| {
        if let Some((r, value)) = place(k) {
            let at = cursor[r as usize].fetch_add(1, Ordering::Relaxed);
            slots[at].store(value as u32, Ordering::Relaxed);
        }
    });
    slots.into_par_iter().map(AtomicU32::into_inner).collect()
}

/// Threads from which the parallel build is used (measured on BA 10^6, the same 2-core VM in
/// the same minutes: generation + build 3.1 s with the parallel build on 2 threads, 5.2 s with
/// the serial one; 0.64 s on 16 cores).
const PARALLEL_FROM_THREADS: usize = 2;

/// Builds in-arcs (sorted by target, then source) and out-arcs (sorted by source, then
/// target), dropping self-loops and merging duplicates by summing their weights in the order
/// of the list. With two or more rayon threads and a large list it runs
/// in parallel; both builds give the same network (tested against the definition). A list of
/// simple undirected ties of weight 1 (each tie's two arcs pushed together, as an undirected
/// edge list without weights reads) takes [`csr_pair_simple_ties`], which gives the same.
pub fn csr_pair(n: usize, arcs: ArcList) -> (Adjacency, Adjacency, BuildReport) {
    if let Some(ends) = unit_tie_ends(&arcs)
        && let Some(built) = csr_pair_simple_ties(n, &ends)
    {
        return built;
    }
    if rayon::current_num_threads() >= PARALLEL_FROM_THREADS && arcs.len() >= 1 << 16 {
        csr_pair_parallel(n, arcs)
    } else {
        csr_pair_serial(n, arcs)
    }
}

/// The tie ends `a, b` of a list whose arcs come in pairs `a → b`, `b → a`, all of weight 1;
/// `None` for any other list.
fn unit_tie_ends(arcs: &ArcList) -> Option<Vec<u32>> {
    let len = arcs.len();
    if len == 0 || !len.is_multiple_of(2) {
        return None;
    }
    let paired = (0..len / 2).into_par_iter().all(|t| {
        let (k, l) = (2 * t, 2 * t + 1);
        arcs.src[k] == arcs.dst[l]
            && arcs.dst[k] == arcs.src[l]
            && arcs.w[k] == 1.0
            && arcs.w[l] == 1.0
    });
    paired.then(|| {
        (0..len)
            .into_par_iter()
            .map(|k| {
                if k % 2 == 0 {
                    arcs.src[k]
                } else {
                    arcs.dst[k - 1]
                }
            })
            .collect()
    })
}

/// [`csr_pair`] in parallel: rows are filled in any order (atomic cursors), then each row is
/// sorted by a total order, so the result does not depend on the number of threads.
fn csr_pair_parallel(n: usize, arcs: ArcList) -> (Adjacency, Adjacency, BuildReport) {
    let (mut report, len) = (BuildReport::default(), arcs.len());
    let (asrc, adst, aw) = (&arcs.src, &arcs.dst, &arcs.w);
    let counts: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(0)).collect();
    report.self_loops_dropped = (0..len)
        .into_par_iter()
        .filter(|&k| {
            if asrc[k] == adst[k] {
                return true;
            }
            counts[adst[k] as usize].fetch_add(1, Ordering::Relaxed);
            false
        })
        .count() as u64;
    let offsets = offsets_of(counts.into_iter().map(AtomicU32::into_inner), n);
    // In-rows: every arc into i, sorted by (source, index); duplicates merged in index order.
    let into = |k: usize| (asrc[k] != adst[k]).then_some((adst[k], k));
    let mut order = scatter(len, &offsets, into);
    let bounds = row_groups(&offsets);
    let merged: Vec<(Vec<u32>, Vec<f32>, Vec<u32>)> = split_groups(&mut order, &offsets, &bounds)
        .into_par_iter()
        .zip(bounds.par_windows(2))
        .map(|(part, g)| {
            let (mut nodes, mut weights, mut lens) = (
                Vec::with_capacity(part.len()),
                Vec::with_capacity(part.len()),
                Vec::with_capacity(g[1] - g[0]),
            );
            let base = offsets[g[0]];
            for i in g[0]..g[1] {
                let row = &mut part[offsets[i] - base..offsets[i + 1] - base];
                row.sort_unstable_by_key(|&k| (asrc[k as usize], k));
                let start = nodes.len();
                for &k in row.iter() {
                    let (s, wk) = (asrc[k as usize], aw[k as usize]);
                    if nodes.len() > start && nodes.last() == Some(&s) {
                        *weights.last_mut().expect("non-empty") += wk;
                    } else {
                        nodes.push(s);
                        weights.push(wk);
                    }
                }
                lens.push((nodes.len() - start) as u32);
            }
            (nodes, weights, lens)
        })
        .collect();
    drop((order, arcs));
    let kept: usize = merged.iter().map(|g| g.0.len()).sum();
    report.duplicates_merged = (offsets[n] - kept) as u64;
    let in_offsets = offsets_of(merged.iter().flat_map(|g| g.2.iter().copied()), n);
    let mut in_nodes = Vec::with_capacity(kept);
    let mut in_weights = Vec::with_capacity(kept);
    for (nodes, weights, _) in merged {
        in_nodes.extend_from_slice(&nodes);
        in_weights.extend_from_slice(&weights);
    }
    // The target of in-arc position k, for the out-rows.
    let target: Vec<u32> = (0..n as u32)
        .into_par_iter()
        .flat_map_iter(|i| {
            let r = in_offsets[i as usize + 1] - in_offsets[i as usize];
            std::iter::repeat_n(i, r)
        })
        .collect();
    // Out-rows: every arc leaving j, sorted by target (unique after merging).
    let counts: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(0)).collect();
    in_nodes.par_iter().for_each(|&s| {
        counts[s as usize].fetch_add(1, Ordering::Relaxed);
    });
    let out_offsets = offsets_of(counts.into_iter().map(AtomicU32::into_inner), n);
    let mut out_order = scatter(kept, &out_offsets, |k| Some((in_nodes[k], k)));
    let bounds = row_groups(&out_offsets);
    split_groups(&mut out_order, &out_offsets, &bounds)
        .into_par_iter()
        .zip(bounds.par_windows(2))
        .for_each(|(part, g)| {
            let base = out_offsets[g[0]];
            for j in g[0]..g[1] {
                part[out_offsets[j] - base..out_offsets[j + 1] - base]
                    .sort_unstable_by_key(|&k| target[k as usize]);
            }
        });
    let out_nodes: Vec<u32> = out_order.par_iter().map(|&k| target[k as usize]).collect();
    let out_weights: Vec<f32> = out_order
        .par_iter()
        .map(|&k| in_weights[k as usize])
        .collect();
    let out = Adjacency {
        offsets: out_offsets.into(),
        nodes: out_nodes.into(),
        weights: out_weights.into(),
    };
    let inn = Adjacency {
        offsets: in_offsets.into(),
        nodes: in_nodes.into(),
        weights: in_weights.into(),
    };
    (inn, out, report)
}

/// The CSR pair of a simple undirected graph given as its ties, `ends[2k]`–`ends[2k+1]`, each
/// two arcs of weight 1 (what the generators draw): in- and out-rows are then the same sorted
/// neighbour lists, so one counting pass places every neighbour into its row and each row is
/// sorted by value — no arc list, no per-arc sort keys, no merge pass. `None` when a tie is a
/// self-loop or appears twice (callers then use [`csr_pair`], which merges them); otherwise
/// the result is exactly [`csr_pair`]'s on the same arcs (tested).
pub fn csr_pair_simple_ties(n: usize, ends: &[u32]) -> Option<(Adjacency, Adjacency, BuildReport)> {
    debug_assert!(ends.len().is_multiple_of(2));
    let (offsets, mut nodes) = if rayon::current_num_threads() >= PARALLEL_FROM_THREADS
        && ends.len() >= 1 << 16
    {
        if ends.par_chunks_exact(2).any(|t| t[0] == t[1]) {
            return None;
        }
        // Each end is counted and placed by atomics; the order within a row depends on the
        // schedule, and the rows are sorted below.
        let counts: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(0)).collect();
        ends.par_iter().for_each(|&e| {
            counts[e as usize].fetch_add(1, Ordering::Relaxed);
        });
        let offsets = offsets_of(counts.into_iter().map(AtomicU32::into_inner), n);
        // Item k is tie end k: it goes into its own row, holding the tie's other end.
        let nodes = scatter(ends.len(), &offsets, |k| {
            Some((ends[k], ends[k ^ 1] as usize))
        });
        (offsets, nodes)
    } else {
        simple_ties_serial(n, ends)?
    };
    let bounds = row_groups(&offsets);
    let simple = split_groups(&mut nodes, &offsets, &bounds)
        .into_par_iter()
        .zip(bounds.par_windows(2))
        .all(|(part, g)| {
            let base = offsets[g[0]];
            (g[0]..g[1]).all(|i| {
                let row = &mut part[offsets[i] - base..offsets[i + 1] - base];
                row.sort_unstable();
                row.windows(2).all(|w| w[0] != w[1])
            })
        });
    if !simple {
        return None;
    }
    let weights = vec![1.0f32; nodes.len()];
    let adj = Adjacency {
        offsets: offsets.into(),
        nodes: nodes.into(),
        weights: weights.into(),
    };
    // In- and out-rows share the arrays (a clone of `Arc`s, not of the arcs).
    Some((adj.clone(), adj, BuildReport::default()))
}

/// [`csr_pair_simple_ties`]'s offsets and unsorted rows on one thread; `None` on a self-loop.
fn simple_ties_serial(n: usize, ends: &[u32]) -> Option<(Vec<usize>, Vec<u32>)> {
    let mut offsets = vec![0usize; n + 1];
    for &e in ends {
        offsets[e as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut cursor = offsets[..n].to_vec();
    let mut nodes = vec![0u32; ends.len()];
    for t in ends.chunks_exact(2) {
        let (a, b) = (t[0], t[1]);
        if a == b {
            return None;
        }
        nodes[cursor[a as usize]] = b;
        cursor[a as usize] += 1;
        nodes[cursor[b as usize]] = a;
        cursor[b as usize] += 1;
    }
    Some((offsets, nodes))
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

/// [`csr_pair`] on one thread: a counting sort by target, each physician's (short) run of
/// in-arcs sorted by source, then a stable counting sort by source for the out-arcs. Faster
/// than the parallel build on a few cores (no atomics).
fn csr_pair_serial(n: usize, arcs: ArcList) -> (Adjacency, Adjacency, BuildReport) {
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
        offsets: offsets_from(src.iter().copied(), n, m).into(),
        nodes: Arc::new(out_order.iter().map(|&k| dst[k as usize]).collect()),
        weights: Arc::new(out_order.iter().map(|&k| w[k as usize]).collect()),
    };
    let inn = Adjacency {
        offsets: offsets_from(dst.iter().copied(), n, m).into(),
        nodes: src.into(),
        weights: w.into(),
    };
    (inn, out, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};
    use rand::RngExt;

    /// Simple ties build exactly what `csr_pair` builds from their two arcs each (serial and
    /// parallel), and ties with a self-loop or a repeat are refused (the general path takes
    /// them).
    #[test]
    fn simple_ties_match_the_general_build() {
        let mut rng = stream(17, Purpose::Network, 0);
        let n = 3000usize;
        let mut seen = std::collections::HashSet::new();
        let mut ends = Vec::new();
        // Above 2^16 ends: the parallel placement runs on two threads.
        while ends.len() < 80_000 {
            let (a, b) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
            if a != b && seen.insert((a.min(b), a.max(b))) {
                ends.extend([a, b]);
            }
        }
        let mut arcs = ArcList::default();
        for t in ends.chunks_exact(2) {
            arcs.push_undirected(t[0], t[1], 1.0);
        }
        let mut dup = ends.clone();
        dup.extend([ends[1], ends[0]]);
        let mut looped = ends.clone();
        looped.extend([5, 5]);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (si, so, sr) = pool.install(|| csr_pair_simple_ties(n, &ends).expect("simple"));
            assert_eq!(unit_tie_ends(&arcs).as_deref(), Some(&ends[..]));
            for (gi, go, gr) in [
                csr_pair_serial(n, arcs.clone()),
                csr_pair_parallel(n, arcs.clone()),
                pool.install(|| csr_pair(n, arcs.clone())),
            ] {
                assert_eq!(sr, gr);
                for (a, b) in [(&si, &gi), (&so, &go)] {
                    assert_eq!(a.offsets, b.offsets);
                    assert_eq!(a.nodes, b.nodes);
                    assert_eq!(a.weights, b.weights);
                }
            }
            assert!(pool.install(|| csr_pair_simple_ties(n, &dup)).is_none());
            assert!(pool.install(|| csr_pair_simple_ties(n, &looped)).is_none());
        }
    }

    /// The plain definition: sort by (target, source, position), merge duplicates in order.
    fn reference(n: usize, a: &ArcList) -> (Vec<usize>, Vec<u32>, Vec<f32>, u64, u64) {
        let mut v: Vec<(u32, u32, usize)> = (0..a.len())
            .filter(|&k| a.src[k] != a.dst[k])
            .map(|k| (a.dst[k], a.src[k], k))
            .collect();
        let loops = (a.len() - v.len()) as u64;
        v.sort();
        let (mut counts, mut nodes, mut w) = (vec![0u32; n], Vec::new(), Vec::<f32>::new());
        let mut last = None;
        for &(d, s, k) in &v {
            if last == Some((d, s)) {
                *w.last_mut().unwrap() += a.w[k];
            } else {
                counts[d as usize] += 1;
                nodes.push(s);
                w.push(a.w[k]);
                last = Some((d, s));
            }
        }
        let dups = (v.len() - nodes.len()) as u64;
        (offsets_of(counts.into_iter(), n), nodes, w, loops, dups)
    }

    #[test]
    fn serial_and_parallel_builds_equal_the_definition_for_any_thread_count() {
        let mut rng = stream(3, Purpose::Network, 0);
        for (n, len) in [(1usize, 3usize), (7, 60), (300, 5_000), (5_000, 200_000)] {
            let mut a = ArcList::default();
            for _ in 0..len {
                let (s, d) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
                a.push(s, d, rng.random_range(0.5f32..2.0));
            }
            let (offsets, nodes, w, loops, dups) = reference(n, &a);
            let mut first = None;
            for threads in [0, 1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads.max(1))
                    .build()
                    .unwrap();
                let (inn, out, rep) = if threads == 0 {
                    csr_pair_serial(n, a.clone())
                } else {
                    pool.install(|| csr_pair_parallel(n, a.clone()))
                };
                assert_eq!(*inn.offsets, offsets);
                assert_eq!(*inn.nodes, nodes);
                assert_eq!(*inn.weights, w);
                assert_eq!(
                    (rep.self_loops_dropped, rep.duplicates_merged),
                    (loops, dups)
                );
                // Out-rows: the same arcs by source, targets ascending.
                for j in 0..n {
                    let (dst, ww) = out.arcs(j);
                    assert!(dst.windows(2).all(|p| p[0] < p[1]));
                    for (&i, &x) in dst.iter().zip(ww) {
                        let (src, sw) = inn.arcs(i as usize);
                        let at = src.binary_search(&(j as u32)).unwrap();
                        assert_eq!(sw[at], x);
                    }
                }
                assert_eq!(out.nodes.len(), nodes.len());
                let key = (out.offsets.clone(), out.nodes.clone(), out.weights.clone());
                if let Some(f) = &first {
                    assert_eq!(f, &key);
                }
                first = Some(key);
            }
        }
    }
}
