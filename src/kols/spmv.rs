//! The sparse matrix–vector product `y = A x` behind the eigenvector rule.
//!
//! `y_j = Σ_{j → i} w_ji x_i`, each row summed serially in arc order, starting from `-0.0`
//! (as `Iterator::sum` starts: an empty row's sum stays `-0.0`). On a network whose weights are
//! all 1 the products are skipped (`1 · x_i = x_i` exactly, so the sums are the same).
//!
//! The gathers `x_i` are random reads and bound the time. On large networks the product is
//! *column-blocked*: the nodes are cut into blocks of [`TILE`] consecutive indices and the
//! product runs one block at a time, each row adding the arcs that end in the block to its
//! running sum, so the part of `x` being read stays in cache. Rows are sorted by the arc's
//! other end, so a row's arcs meet the blocks in arc order: every row performs the very same
//! additions in the same order as the unblocked product, and the result is bit for bit the
//! same (tested). Rows are cut into fixed chunks of [`ROWS`], so the result does not depend on
//! the number of threads either.

use crate::network::Network;
use rayon::prelude::*;

/// Nodes per column block (`2¹⁸`: 2 MiB of `f64`, a cache-sized share of `x`).
const TILE: usize = 1 << 18;

/// Rows per chunk of parallel work.
const ROWS: usize = 4096;

/// How many arcs ahead the unblocked product prefetches `x` at the arc's other end.
const AHEAD: usize = 16;

/// `A` ready for repeated products `y = A x`.
pub(super) struct Product<'a> {
    offsets: &'a [usize],
    nodes: &'a [u32],
    weights: &'a [f32],
    /// Every weight is 1.
    unit: bool,
    /// Column blocks (empty: the unblocked product): for each chunk of [`ROWS`] rows and
    /// each block, the rows of the chunk with arcs in the block and where those arcs start.
    tiles: Vec<Vec<Vec<(u32, u32)>>>,
}

impl<'a> Product<'a> {
    /// The product of `net`'s out-arcs. Networks of more than two column blocks whose arc
    /// count fits `u32` are blocked, if their rows are sorted by the other end (as the
    /// network builders leave them; otherwise the blocked sums would add in another order).
    ///
    /// # Complexity
    /// `O(n + arcs)`, parallel over rows; the blocks take 8 bytes per (row, block) pair met.
    pub(super) fn new(net: &'a Network) -> Self {
        let out = net.out_arcs();
        let (offsets, nodes, weights) = (&out.offsets[..], &out.nodes[..], &out.weights[..]);
        let unit = weights.par_iter().all(|&w| w == 1.0);
        let n = offsets.len().saturating_sub(1);
        let blocked =
            n > 2 * TILE && nodes.len() < u32::MAX as usize && sorted_rows(offsets, nodes);
        let tiles = if blocked {
            tile(offsets, nodes)
        } else {
            Vec::new()
        };
        Product {
            offsets,
            nodes,
            weights,
            unit,
            tiles,
        }
    }

    /// `y = A x`.
    pub(super) fn apply(&self, x: &[f64], y: &mut [f64]) {
        match (self.tiles.is_empty(), self.unit) {
            (true, true) => self.plain(x, y, |_, xi| xi),
            (true, false) => self.plain(x, y, |k, xi| self.weights[k] as f64 * xi),
            (false, true) => self.blocked(x, y, |_, xi| xi),
            (false, false) => self.blocked(x, y, |k, xi| self.weights[k] as f64 * xi),
        }
    }

    /// The unblocked product: each chunk of rows walks its arcs in one run, prefetching `x`
    /// [`AHEAD`] arcs ahead. `term(k, x_i)` is arc `k`'s term.
    fn plain(&self, x: &[f64], y: &mut [f64], term: impl Fn(usize, f64) -> f64 + Sync) {
        let (off, nodes) = (self.offsets, self.nodes);
        y.par_chunks_mut(ROWS).enumerate().for_each(|(c, ys)| {
            let j0 = c * ROWS;
            let end = off[j0 + ys.len()];
            for (dj, yj) in ys.iter_mut().enumerate() {
                let mut t = -0.0;
                for k in off[j0 + dj]..off[j0 + dj + 1] {
                    if k + AHEAD < end {
                        crate::network::prefetch(
                            x.as_ptr().wrapping_add(nodes[k + AHEAD] as usize),
                        );
                    }
                    t += term(k, x[nodes[k] as usize]);
                }
                *yj = t;
            }
        });
    }

    /// The column-blocked product (see the module docs).
    fn blocked(&self, x: &[f64], y: &mut [f64], term: impl Fn(usize, f64) -> f64 + Sync) {
        let (off, nodes) = (self.offsets, self.nodes);
        y.par_iter_mut().for_each(|v| *v = -0.0);
        let blocks = self.tiles.first().map_or(0, Vec::len);
        for b in 0..blocks {
            let lim = ((b + 1) * TILE).min(u32::MAX as usize) as u32;
            y.par_chunks_mut(ROWS)
                .zip(&self.tiles)
                .enumerate()
                .for_each(|(c, (ys, tiles))| {
                    for &(j, start) in &tiles[b] {
                        let j = j as usize;
                        let (mut k, e) = (start as usize, off[j + 1]);
                        let mut t = ys[j - c * ROWS];
                        while k < e && nodes[k] < lim {
                            t += term(k, x[nodes[k] as usize]);
                            k += 1;
                        }
                        ys[j - c * ROWS] = t;
                    }
                });
        }
    }
}

/// Whether every row's arcs are sorted by their other end (ties allowed).
fn sorted_rows(offsets: &[usize], nodes: &[u32]) -> bool {
    (0..offsets.len() - 1)
        .into_par_iter()
        .all(|j| nodes[offsets[j]..offsets[j + 1]].is_sorted())
}

/// The column blocks of sorted rows: for each chunk of [`ROWS`] rows, for each block of
/// [`TILE`] nodes, `(row, first arc in the block)` of the rows that have arcs there.
fn tile(offsets: &[usize], nodes: &[u32]) -> Vec<Vec<Vec<(u32, u32)>>> {
    let n = offsets.len() - 1;
    let blocks = n.div_ceil(TILE);
    (0..n.div_ceil(ROWS))
        .into_par_iter()
        .map(|c| {
            let mut t = vec![Vec::new(); blocks];
            for j in c * ROWS..((c + 1) * ROWS).min(n) {
                let mut last = usize::MAX;
                let r = offsets[j]..offsets[j + 1];
                for (k, &i) in r.clone().zip(&nodes[r]) {
                    let b = i as usize / TILE;
                    if b != last {
                        t[b].push((j as u32, k as u32));
                        last = b;
                    }
                }
            }
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{ArcList, generators};
    use crate::rng::{Purpose, stream};

    /// The blocked product equals the unblocked one bit for bit, for unit and other weights,
    /// on 1 and 3 threads.
    #[test]
    fn blocked_product_is_bit_identical() {
        let ba = generators::barabasi_albert(3 * TILE, 2, &mut stream(5, Purpose::Network, 0));
        let n = ba.n();
        let mut a = ArcList::default();
        for j in 0..n as u32 {
            for s in [1u32, 977, 300_007] {
                a.push(j, (j * 7 + s) % n as u32, 1.0 + (j % 5) as f32 * 0.37);
            }
        }
        let weighted = Network::from_arcs(n, a);
        let x: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1013) as f64 / 1013.0 - 0.3)
            .collect();
        for net in [&ba, &weighted] {
            let p = Product::new(net);
            assert!(!p.tiles.is_empty());
            assert_eq!(p.unit, std::ptr::eq(net, &ba));
            let mut want = vec![0.0; n];
            p.plain(&x, &mut want, |k, xi| {
                if p.unit { xi } else { p.weights[k] as f64 * xi }
            });
            for threads in [1, 3] {
                let mut got = vec![1.0; n];
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool")
                    .install(|| p.apply(&x, &mut got));
                assert!(
                    got.iter()
                        .zip(&want)
                        .all(|(a, b)| a.to_bits() == b.to_bits())
                );
            }
        }
        // Small networks are not blocked.
        let small = generators::barabasi_albert(1000, 2, &mut stream(5, Purpose::Network, 0));
        assert!(Product::new(&small).tiles.is_empty());
    }
}
