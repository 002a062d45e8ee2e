//! Betweenness by shortest-path sampling (Riondato & Kornaropoulos 2016), each path found by
//! a balanced bidirectional BFS (as in KADABRA, Borassi & Natale 2016).
//!
//! A sample is an ordered pair `(s, t)`, `s ≠ t`, drawn uniformly, and one shortest path
//! `s → … → t` drawn uniformly among the `σ_st`; every node strictly inside the path gets one
//! hit. `hits(v) / samples` estimates the normalised betweenness `b(v) / (n(n − 1))`, and with
//! `samples = ⌈(c / ε²)(⌊log₂(VD − 2)⌋ + 1 + ln(1/δ))⌉` (`c = 0.5`, VD the vertex diameter:
//! the most nodes on a shortest path) every node's estimate is within `ε` with probability at
//! least `1 − δ` (the VC-dimension bound of their Theorem 2). VD is bounded from above: on a
//! symmetric network by `2 · ecc + 1` per connected component (a BFS from its first node), on
//! a directed one by the size of the largest weakly connected component.
//!
//! Samples come in batches of [`BATCH`], batch `b` from the stream
//! `(key, Purpose::BetweennessPaths, b)`; hits are integer counts, so the estimate is the same
//! whatever the number of threads.

use super::eigenvector::is_symmetric;
use crate::network::{Adjacency, Network};
use crate::rng::{Purpose, stream};
use rand::RngExt;
use rayon::prelude::*;

/// Paths per random-number stream.
pub const BATCH: usize = 1024;

/// The constant `c` of the sample-size bound.
const C: f64 = 0.5;

/// A sampled betweenness estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledBetweenness {
    /// Estimated betweenness of each node, on the unnormalised scale of the exact one:
    /// `hits(v) · n(n − 1) / samples`.
    pub scores: Vec<f64>,
    /// Paths sampled.
    pub samples: usize,
    /// The vertex-diameter bound used.
    pub vertex_diameter: usize,
}

/// Number of sampled paths for guarantee `(epsilon, delta)` on a network of vertex diameter
/// at most `vd` (0 when no shortest path has an inner node, `vd < 3`).
///
/// # Complexity
/// `O(1)`.
pub fn sample_size(vd: usize, epsilon: f64, delta: f64) -> usize {
    if vd < 3 {
        return 0;
    }
    let log = (vd - 2).ilog2() as f64;
    (C / (epsilon * epsilon) * (log + 1.0 + (1.0 / delta).ln())).ceil() as usize
}

/// Upper bound on the vertex diameter (see the module docs).
///
/// # Complexity
/// `O(n + arcs)`, serial BFS.
pub fn vertex_diameter_bound(net: &Network) -> usize {
    let n = net.n();
    if n == 0 {
        return 0;
    }
    if net.is_complete() {
        return n.min(2);
    }
    let (labels, count) = net.component_labels();
    if !is_symmetric(net) {
        let mut size = vec![0usize; count];
        for &l in &labels {
            size[l as usize] += 1;
        }
        return size.into_iter().max().unwrap_or(0);
    }
    let out = net.out_arcs();
    let mut dist = vec![u32::MAX; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    let mut best = 1;
    for s in 0..n {
        if dist[s] != u32::MAX {
            continue;
        }
        // First node of a new component: BFS gives its eccentricity.
        dist[s] = 0;
        queue.clear();
        queue.push(s as u32);
        let mut head = 0;
        let mut ecc = 0;
        while head < queue.len() {
            let v = queue[head] as usize;
            head += 1;
            ecc = ecc.max(dist[v]);
            for &w in out.arcs(v).0 {
                if dist[w as usize] == u32::MAX {
                    dist[w as usize] = dist[v] + 1;
                    queue.push(w);
                }
            }
        }
        best = best.max((2 * ecc as usize + 1).min(queue.len()));
    }
    best
}

/// Betweenness estimated from random shortest paths with guarantee `(epsilon, delta)`, the
/// streams keyed by `key` (see the module docs).
///
/// # Complexity
/// `O(n + arcs)` for the diameter bound, then [`sample_size`] bidirectional BFS runs, each
/// touching far fewer than `arcs` arcs on small-world networks; parallel over batches;
/// memory `24n` bytes per worker plus 4 bytes per inner node hit.
pub fn sample(net: &Network, epsilon: f64, delta: f64, key: u64) -> SampledBetweenness {
    let n = net.n();
    let vd = vertex_diameter_bound(net);
    let samples = if n < 3 || net.is_complete() {
        0
    } else {
        sample_size(vd, epsilon, delta)
    };
    let batches = samples.div_ceil(BATCH);
    let hits: Vec<Vec<u32>> = (0..batches)
        .into_par_iter()
        .map_init(
            || Scratch::new(n),
            |sc, b| {
                let mut rng = stream(key, Purpose::BetweennessPaths, b as u64);
                let len = BATCH.min(samples - b * BATCH);
                let mut hits = Vec::new();
                for _ in 0..len {
                    let s = rng.random_range(0..n as u32);
                    let mut t = rng.random_range(0..n as u32 - 1);
                    if t >= s {
                        t += 1;
                    }
                    sc.path(net, s, t, &mut rng, &mut hits);
                }
                hits
            },
        )
        .collect();
    let mut count = vec![0u64; n];
    for h in &hits {
        for &v in h {
            count[v as usize] += 1;
        }
    }
    let scale = if samples == 0 {
        0.0
    } else {
        n as f64 * (n as f64 - 1.0) / samples as f64
    };
    SampledBetweenness {
        scores: count.into_iter().map(|c| c as f64 * scale).collect(),
        samples,
        vertex_diameter: vd,
    }
}

/// One worker's BFS state, reset after each path (only the touched nodes).
struct Scratch {
    dist: [Vec<u32>; 2],
    sigma: [Vec<f64>; 2],
    touched: Vec<u32>,
    frontier: [Vec<u32>; 2],
    next: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch {
            dist: [vec![u32::MAX; n], vec![u32::MAX; n]],
            sigma: [vec![0.0; n], vec![0.0; n]],
            touched: Vec::new(),
            frontier: [Vec::new(), Vec::new()],
            next: Vec::new(),
        }
    }

    /// Draws one shortest path `s → … → t` uniformly (if `t` is reachable) and appends its
    /// inner nodes to `hits`. Side 0 searches forward from `s` along out-arcs, side 1
    /// backward from `t` along in-arcs; the side whose frontier has fewer arcs expands one
    /// whole level at a time.
    fn path<R: rand::Rng + ?Sized>(
        &mut self,
        net: &Network,
        s: u32,
        t: u32,
        rng: &mut R,
        hits: &mut Vec<u32>,
    ) {
        let adj: [&Adjacency; 2] = [net.out_arcs(), net.in_arcs()];
        for (side, v) in [(0, s), (1, t)] {
            self.dist[side][v as usize] = 0;
            self.sigma[side][v as usize] = 1.0;
            self.touched.push(v);
            self.frontier[side].clear();
            self.frontier[side].push(v);
        }
        let mut depth = [0u32; 2];
        let mut cost = [adj[0].degree(s as usize), adj[1].degree(t as usize)];
        loop {
            if self.frontier[0].is_empty() || self.frontier[1].is_empty() {
                break; // t is not reachable from s
            }
            let side = usize::from(cost[1] < cost[0]);
            let other = 1 - side;
            let d = depth[side] + 1;
            self.next.clear();
            let mut next_cost = 0;
            for k in 0..self.frontier[side].len() {
                let u = self.frontier[side][k] as usize;
                let su = self.sigma[side][u];
                for &w in adj[side].arcs(u).0 {
                    let w = w as usize;
                    if self.dist[side][w] == u32::MAX {
                        self.dist[side][w] = d;
                        self.touched.push(w as u32);
                        self.next.push(w as u32);
                        next_cost += adj[side].degree(w);
                    }
                    if self.dist[side][w] == d {
                        self.sigma[side][w] += su;
                    }
                }
            }
            depth[side] = d;
            std::mem::swap(&mut self.frontier[side], &mut self.next);
            cost[side] = next_cost;
            // Every node reached by both searches now lies on a shortest path, at the same
            // position: the paths through it number σ_s(w) σ_t(w).
            let total: f64 = self.frontier[side]
                .iter()
                .filter(|&&w| self.dist[other][w as usize] != u32::MAX)
                .map(|&w| self.sigma[0][w as usize] * self.sigma[1][w as usize])
                .sum();
            if total > 0.0 {
                self.trace(adj, side, (s, t), total, rng, hits);
                break;
            }
        }
        for &v in &self.touched {
            let v = v as usize;
            self.dist[0][v] = u32::MAX;
            self.dist[1][v] = u32::MAX;
            self.sigma[0][v] = 0.0;
            self.sigma[1][v] = 0.0;
        }
        self.touched.clear();
    }

    /// Draws the meeting node of the searches (on `side`'s new frontier, weighted by the
    /// paths through it, which total `total`) and walks from it back to `s` and on to `t` of
    /// `ends`, appending the inner nodes to `hits`.
    fn trace<R: rand::Rng + ?Sized>(
        &self,
        adj: [&Adjacency; 2],
        side: usize,
        ends: (u32, u32),
        total: f64,
        rng: &mut R,
        hits: &mut Vec<u32>,
    ) {
        let (s, t) = ends;
        let mut u = rng.random::<f64>() * total;
        let mut meet = None;
        for &w in &self.frontier[side] {
            let wu = w as usize;
            if self.dist[1 - side][wu] != u32::MAX {
                meet = Some(wu);
                u -= self.sigma[0][wu] * self.sigma[1][wu];
                if u < 0.0 {
                    break;
                }
            }
        }
        let w = meet.expect("a meeting node");
        if w != s as usize && w != t as usize {
            hits.push(w as u32);
        }
        // Walk back to s (predecessors by σ_s) and on to t (successors by σ_t).
        for side in 0..2 {
            let end = if side == 0 { s } else { t } as usize;
            let mut x = w;
            while self.dist[side][x] > 0 {
                let dx = self.dist[side][x];
                let mut u = rng.random::<f64>() * self.sigma[side][x];
                let mut pick = None;
                for &y in adj[1 - side].arcs(x).0 {
                    let y = y as usize;
                    if self.dist[side][y] == dx - 1 {
                        pick = Some(y);
                        u -= self.sigma[side][y];
                        if u < 0.0 {
                            break;
                        }
                    }
                }
                x = pick.expect("a predecessor on a shortest path");
                if x != end {
                    hits.push(x as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kols::betweenness_from;
    use crate::network::{ArcList, generators};

    fn exact(net: &Network) -> Vec<f64> {
        let all: Vec<u32> = (0..net.n() as u32).collect();
        betweenness_from(net, &all)
    }

    /// Largest normalised error of the sampled estimate.
    fn worst_error(net: &Network, epsilon: f64, key: u64) -> (f64, SampledBetweenness) {
        let n = net.n() as f64;
        let s = sample(net, epsilon, 0.01, key);
        let worst = exact(net)
            .iter()
            .zip(&s.scores)
            .map(|(e, x)| (e - x).abs() / (n * (n - 1.0)))
            .fold(0.0, f64::max);
        (worst, s)
    }

    fn top(scores: &[f64], k: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        order.truncate(k);
        order
    }

    #[test]
    fn sample_size_and_diameter_bounds() {
        assert_eq!(sample_size(2, 0.1, 0.1), 0);
        // VD = 10: ⌊log₂ 8⌋ + 1 = 4.
        let r = sample_size(10, 0.01, 0.1);
        assert_eq!(r, (0.5e4 * (4.0 + 10f64.ln())).ceil() as usize);
        // Path of 7 nodes: BFS from node 0 has eccentricity 6, bound min(13, 7) = 7.
        let mut a = ArcList::default();
        for i in 0..6 {
            a.push_undirected(i, i + 1, 1.0);
        }
        assert_eq!(vertex_diameter_bound(&Network::from_arcs(7, a)), 7);
        // Directed: the largest weakly connected component (4 nodes here).
        let mut d = ArcList::default();
        for (x, y) in [(0, 1), (1, 2), (2, 3), (4, 5)] {
            d.push(x, y, 1.0);
        }
        assert_eq!(vertex_diameter_bound(&Network::from_arcs(6, d)), 4);
    }

    #[test]
    fn estimate_is_within_epsilon_of_exact() {
        // With probability ≥ 1 − δ = 0.99 every normalised error is ≤ ε; a fixed key.
        let ba = generators::barabasi_albert(300, 2, &mut stream(5, Purpose::Network, 0));
        let (worst, s) = worst_error(&ba, 0.02, 17);
        assert!(s.samples > 5_000 && worst <= 0.02, "{worst} {}", s.samples);
        // Directed (not symmetric), with unreachable pairs.
        let er = generators::erdos_renyi(200, 3.0, &mut stream(6, Purpose::Network, 0));
        let mut a = ArcList::default();
        for j in 0..200 {
            for &i in er.out_arcs().arcs(j).0 {
                if i as usize > j {
                    a.push(j as u32, i, 1.0);
                }
            }
        }
        let dag = Network::from_arcs(200, a);
        let (worst, _) = worst_error(&dag, 0.02, 18);
        assert!(worst <= 0.02, "{worst}");
    }

    #[test]
    fn clear_hubs_come_first() {
        // Ten hubs in a ring, each with 30 leaves: every path between leaves of different
        // hubs runs through hubs, so the hubs are the top 10 (leaves have betweenness 0).
        let mut a = ArcList::default();
        for h in 0..10u32 {
            a.push_undirected(h, (h + 1) % 10, 1.0);
            for l in 0..30 {
                a.push_undirected(h, 10 + h * 30 + l, 1.0);
            }
        }
        let net = Network::from_arcs(310, a);
        let s = sample(&net, 0.01, 0.1, 3);
        let mut hubs = top(&s.scores, 10);
        hubs.sort_unstable();
        assert_eq!(hubs, (0..10).collect::<Vec<_>>());
        // A scale-free network: the sampled top 10 mostly agree with the exact top 10.
        let ba = generators::barabasi_albert(2_000, 3, &mut stream(8, Purpose::Network, 0));
        let (e, s) = (exact(&ba), sample(&ba, 0.005, 0.1, 4));
        let (te, ts) = (top(&e, 10), top(&s.scores, 10));
        let overlap = ts.iter().filter(|v| te.contains(v)).count();
        assert!(overlap >= 8, "{te:?} {ts:?}");
    }

    #[test]
    fn same_estimate_for_any_thread_count() {
        let ba = generators::barabasi_albert(1_000, 3, &mut stream(9, Purpose::Network, 0));
        let go = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| sample(&ba, 0.01, 0.1, 5))
        };
        let one = go(1);
        assert!(one.samples > 3 * BATCH);
        assert_eq!(one, go(2));
        assert_eq!(one, go(3));
    }
}
