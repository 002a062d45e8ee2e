//! The CSR pair of a simple undirected graph given, for every node, its ties to earlier nodes
//! (what growth generators draw: Barabási–Albert's newcomer ties to `m` older nodes), built in
//! parallel without atomics and without sorting long rows.
//!
//! Row `v` of the result is `v`'s earlier neighbours (its own list, sorted) followed by the later
//! nodes that tied to `v`, in increasing order. The later part is placed by scanning the nodes
//! in increasing order: the scan is split into contiguous blocks, each with its own write
//! cursor per row that starts after the rows' entries of the blocks before it, so every row
//! comes out sorted whatever the number of blocks, and the arrays are the same for any thread
//! count (tested against [`super::build::csr_pair`]).

use super::build::offsets_of;
use super::{Adjacency, BuildReport, prefetch};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// Most blocks the scan is split into (each holds a `u32` per node while building).
const MAX_BLOCKS: usize = 8;

/// Nodes ahead whose random accesses are prefetched.
const AHEAD: usize = 8;

/// Nodes below which one block is used whatever the thread count.
const PARALLEL_FROM_NODES: usize = 1 << 15;

/// The blocks the build uses on the current rayon pool.
fn blocks(n: usize) -> usize {
    if n < PARALLEL_FROM_NODES {
        1
    } else {
        rayon::current_num_threads().clamp(1, MAX_BLOCKS)
    }
}

/// The in- and out-adjacency (the same arrays) of the simple undirected graph on `0..n` whose
/// ties are `{v, u}` for every `u` in `earlier(v)`. Each `earlier(v)` must hold distinct nodes
/// below `v` (any order); the graph has no self-loop and no tie twice by construction.
pub fn csr_from_earlier<'a, F>(n: usize, earlier: F) -> (Adjacency, Adjacency, BuildReport)
where
    F: Fn(usize) -> &'a [u32] + Sync,
{
    let nb = blocks(n);
    let bounds: Vec<usize> = (0..=nb).map(|b| b * n / nb).collect();
    // Per block, how many of its nodes tie to each earlier node.
    let mut later: Vec<Vec<u32>> = (0..nb)
        .into_par_iter()
        .map(|b| {
            let mut counts = vec![0u32; n];
            for v in bounds[b]..bounds[b + 1] {
                for &u in earlier(v) {
                    debug_assert!((u as usize) < v);
                    counts[u as usize] += 1;
                }
            }
            counts
        })
        .collect();
    // Block `b`'s counts become its cursors: the place of its first entry within each row,
    // after the row's earlier list and the entries of the blocks before it.
    let mut at: Vec<u32> = (0..n)
        .into_par_iter()
        .map(|v| earlier(v).len() as u32)
        .collect();
    for counts in later.iter_mut() {
        counts
            .par_iter_mut()
            .zip(at.par_iter_mut())
            .for_each(|(c, a)| {
                let k = *c;
                *c = *a;
                *a += k;
            });
    }
    // `at` now holds each row's length.
    let offsets = offsets_of(at.into_iter(), n);
    let nodes = place(&bounds, &offsets, &earlier, later);
    let weights = vec![1.0f32; nodes.len()];
    let adj = Adjacency {
        offsets: offsets.into(),
        nodes: nodes.into(),
        weights: weights.into(),
    };
    (adj.clone(), adj, BuildReport::default())
}

/// Writes every row: block `b` writes its nodes' sorted earlier lists, and each of its nodes
/// `v` into the rows of `earlier(v)` at the block's cursors (`cursors[b]`, relative to the row
/// start), in increasing `v`. Blocks write disjoint places.
fn place<'a>(
    bounds: &[usize],
    offsets: &[usize],
    earlier: &(impl Fn(usize) -> &'a [u32] + Sync),
    cursors: Vec<Vec<u32>>,
) -> Vec<u32> {
    let slots: Vec<AtomicU32> = (0..offsets[offsets.len() - 1])
        .map(|_| AtomicU32::new(0))
        .collect();
    cursors
        .into_par_iter()
        .enumerate()
        .for_each(|(b, mut cursor)| {
            let (lo, hi) = (bounds[b], bounds[b + 1]);
            let mut own: Vec<u32> = Vec::new();
            for v in lo..hi {
                // Two stages ahead: the rows' offsets and cursors, then the places written.
                if v + 2 * AHEAD < hi {
                    for &u in earlier(v + 2 * AHEAD) {
                        prefetch(&offsets[u as usize]);
                        prefetch(&cursor[u as usize]);
                    }
                }
                if v + AHEAD < hi {
                    for &u in earlier(v + AHEAD) {
                        let at = offsets[u as usize] + cursor[u as usize] as usize;
                        prefetch(slots.as_ptr().wrapping_add(at));
                    }
                }
                let list = earlier(v);
                own.clear();
                own.extend_from_slice(list);
                own.sort_unstable();
                for (k, &u) in own.iter().enumerate() {
                    slots[offsets[v] + k].store(u, Ordering::Relaxed);
                }
                for &u in list {
                    let at = &mut cursor[u as usize];
                    slots[offsets[u as usize] + *at as usize].store(v as u32, Ordering::Relaxed);
                    *at += 1;
                }
            }
        });
    slots.into_iter().map(AtomicU32::into_inner).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ArcList;
    use crate::network::build::csr_pair;

    /// Ties of a random growth graph: node v picks up to 3 distinct earlier nodes.
    fn lists(n: usize) -> Vec<Vec<u32>> {
        let mut s = 7u64;
        (0..n)
            .map(|v| {
                let mut l: Vec<u32> = Vec::new();
                for _ in 0..3.min(v) {
                    s = crate::rng::mix64(s);
                    let u = (s % v as u64) as u32;
                    if !l.contains(&u) {
                        l.push(u);
                    }
                }
                l
            })
            .collect()
    }

    #[test]
    fn equals_the_general_build_for_any_thread_count() {
        for n in [1, 2, 10, 1000, 40_000] {
            let l = lists(n);
            let mut arcs = ArcList::default();
            for (v, list) in l.iter().enumerate() {
                for &u in list {
                    arcs.push_undirected(v as u32, u, 1.0);
                }
            }
            let (want, _, _) = csr_pair(n, arcs);
            for threads in [1, 2, 3, 8] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (inn, out, report) = pool.install(|| csr_from_earlier(n, |v| &l[v][..]));
                assert_eq!(inn.offsets, want.offsets, "n = {n}, {threads} threads");
                assert_eq!(inn.nodes, want.nodes, "n = {n}, {threads} threads");
                assert_eq!(inn.weights, want.weights);
                assert_eq!(out.nodes, want.nodes);
                assert_eq!(report, BuildReport::default());
            }
        }
    }
}
