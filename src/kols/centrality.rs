//! Centrality scores behind the `eigenvector`, `betweenness` and `kcore` KOL rules.
//!
//! All three are deterministic: parallel loops either compute each node's value serially or
//! sum per-source contributions in a fixed order, so results do not depend on the number of
//! threads. The only randomness (betweenness pivots on large networks) comes from an explicit
//! `rng` argument.

use crate::network::Network;
use crate::network::similarity::undirected_neighbours;
use rand::Rng;
use rayon::prelude::*;

/// Eigenvector centrality of the nomination graph: a physician is central when named by
/// central physicians, `x_j ∝ Σ_{i listens to j} w_ji x_i` (the orientation PageRank uses;
/// arc weights count).
///
/// Computed by power iteration on `A + I` (the shift keeps the dominant eigenvector but stops
/// the oscillation of bipartite graphs such as stars), starting from the uniform vector and
/// normalising to unit Euclidean length after each step. Stops when the L1 change is below
/// `tol` or after `max_iter` iterations. Scores are non-negative with `Σ x² = 1`.
///
/// On a network that is not strongly connected, the limit concentrates on the strongly
/// connected components that nobody upstream outranks (physicians only named from outside
/// them tend to 0), and on acyclic parts convergence is only algebraic, so `max_iter` bounds
/// the work; the ranking is still well defined and deterministic.
///
/// # Complexity
/// `O(n + arcs)` time per iteration (parallel over nodes, each node's sum serial), `O(n)`
/// extra memory. The implicit complete graph takes `O(n)` per iteration.
pub fn eigenvector(net: &Network, tol: f64, max_iter: usize) -> Vec<f64> {
    let n = net.n();
    if n == 0 {
        return Vec::new();
    }
    let mut x = vec![1.0 / (n as f64).sqrt(); n];
    let mut y = vec![0.0; n];
    for _ in 0..max_iter {
        if net.is_complete() {
            // Arcs j → i of weight s_j for every i ≠ j: y_j = x_j + s_j (X - x_j).
            let total: f64 = x.iter().sum();
            y.par_iter_mut().enumerate().for_each(|(j, yj)| {
                *yj = x[j] + net.source_scale(j) as f64 * (total - x[j]);
            });
        } else {
            let out = net.out_arcs();
            y.par_iter_mut().enumerate().for_each(|(j, yj)| {
                let (listeners, w) = out.arcs(j);
                let inflow: f64 = listeners
                    .iter()
                    .zip(w)
                    .map(|(&i, &wi)| wi as f64 * x[i as usize])
                    .sum();
                *yj = x[j] + inflow;
            });
        }
        let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            y.par_iter_mut().for_each(|v| *v /= norm);
        }
        let diff: f64 = y.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut y);
        if diff < tol {
            break;
        }
    }
    x
}

/// Default largest `n` for which betweenness is computed exactly (from every source).
pub const BETWEENNESS_EXACT_LIMIT: usize = 5_000;

/// Default number of pivots (sampled sources) for betweenness above the exact limit.
pub const BETWEENNESS_PIVOTS: usize = 1_000;

/// Budget for the per-chunk betweenness accumulators (8 bytes a node a chunk).
const ACCUMULATOR_BYTES: usize = 256 << 20;

/// Most source chunks betweenness is split into.
const MAX_CHUNKS: usize = 256;

/// Betweenness scores and how they were obtained (for the manifest).
#[derive(Debug, Clone, PartialEq)]
pub struct BetweennessScores {
    /// Score of each node: exact betweenness, or the pivot estimate scaled to the same total.
    pub scores: Vec<f64>,
    /// Number of BFS sources used (`n` when exact).
    pub pivots: usize,
    /// Whether every node was a source (no sampling).
    pub exact: bool,
}

/// How many BFS sources [`betweenness`] uses on `n` nodes: all `n` (exact) when
/// `n ≤ exact_limit` or `pivots ≥ n`, otherwise `pivots` (at least 1).
///
/// # Complexity
/// `O(1)`.
pub fn betweenness_pivots(n: usize, exact_limit: usize, pivots: usize) -> usize {
    if n <= exact_limit || pivots >= n {
        n
    } else {
        pivots.max(1)
    }
}

/// Betweenness centrality on the directed influence graph with hop-count (unweighted) shortest
/// paths: `b(v) = Σ_{s ≠ v ≠ t} σ_st(v) / σ_st` over *ordered* pairs `(s, t)`, where `σ_st` is
/// the number of shortest paths `s → … → t` along arcs (influence paths) and `σ_st(v)` those
/// through `v`. Arc weights are ignored. Not normalised; an undirected tie (two arcs) makes
/// each unordered pair count twice. (Reversing every arc leaves betweenness unchanged, so it
/// does not matter whether paths follow influence or nomination.)
///
/// Exact (Brandes 2001, one BFS from every node) when `n ≤ exact_limit` or `pivots ≥ n`;
/// otherwise estimated from `pivots` sources drawn uniformly without replacement from `rng`
/// and scaled by `n / pivots` (Brandes & Pich 2007, random pivots: an unbiased estimate).
/// `rng` is used only for that draw. The number of sources used is returned (and given in
/// advance by [`betweenness_pivots`]). The implicit complete graph has betweenness 0
/// everywhere (every pair is adjacent) and consumes no randomness.
///
/// # Complexity
/// `O(p · (n + arcs))` time with `p` the number of sources (`n` if exact), parallel over
/// sources; deterministic for a given `rng` state whatever the thread count (see
/// [`betweenness_from`]). Memory `O(n)` per chunk of sources, bounded as in
/// [`betweenness_from`].
pub fn betweenness<R: Rng + ?Sized>(
    net: &Network,
    exact_limit: usize,
    pivots: usize,
    rng: &mut R,
) -> BetweennessScores {
    let n = net.n();
    let used = betweenness_pivots(n, exact_limit, pivots);
    let exact = used == n;
    if net.is_complete() || n == 0 {
        return BetweennessScores {
            scores: vec![0.0; n],
            pivots: used,
            exact,
        };
    }
    let scores = if exact {
        let all: Vec<u32> = (0..n as u32).collect();
        betweenness_from(net, &all)
    } else {
        let mut sources: Vec<u32> = rand::seq::index::sample(rng, n, used)
            .into_iter()
            .map(|i| i as u32)
            .collect();
        sources.sort_unstable();
        let mut s = betweenness_from(net, &sources);
        let scale = n as f64 / used as f64;
        s.iter_mut().for_each(|v| *v *= scale);
        s
    };
    BetweennessScores {
        scores,
        pivots: used,
        exact,
    }
}

/// Sum of the Brandes dependencies `δ_s(v) = Σ_t σ_st(v)/σ_st` over the given sources `s`
/// (unweighted BFS along arcs), unscaled. With every node as a source this is exact
/// betweenness.
///
/// Sources are split into consecutive chunks whose number depends only on `n` and
/// `sources.len()`; each chunk is processed serially into its own accumulator, in the order
/// given, and the chunk accumulators are added in chunk order. The result is therefore the
/// same, bit for bit, whatever the number of threads.
///
/// # Complexity
/// `O(|sources| · (n + arcs))` time (one BFS and one backward sweep over in-arcs per source;
/// only the nodes a source reaches are reset). Memory: at most
/// `max(8n, 256 MiB)` bytes of chunk accumulators (at most 256 chunks, fewer when `n` is
/// large, which then also caps the parallelism), plus `24n` bytes of BFS scratch per running
/// chunk.
pub fn betweenness_from(net: &Network, sources: &[u32]) -> Vec<f64> {
    let n = net.n();
    let mut total = vec![0.0; n];
    if n == 0 || sources.is_empty() || net.is_complete() {
        return total;
    }
    let chunks = (ACCUMULATOR_BYTES / (8 * n))
        .clamp(1, MAX_CHUNKS)
        .min(sources.len());
    let per = sources.len().div_ceil(chunks);
    let partials: Vec<Vec<f64>> = sources
        .par_chunks(per)
        .map(|chunk| dependencies(net, chunk))
        .collect();
    for p in &partials {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    total
}

/// Brandes' single-source dependency accumulation for each source in turn, serially.
fn dependencies(net: &Network, sources: &[u32]) -> Vec<f64> {
    let n = net.n();
    let (out, inn) = (net.out_arcs(), net.in_arcs());
    let mut acc = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut sigma = vec![0.0f64; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for &s in sources {
        let s = s as usize;
        dist[s] = 0;
        sigma[s] = 1.0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let next = dist[v] + 1;
            for &w in out.arcs(v).0 {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = next;
                    order.push(w as u32);
                }
                if dist[w] == next {
                    sigma[w] += sigma[v];
                }
            }
        }
        // Reverse BFS order: every successor of w is final before w is used.
        for &w in order.iter().rev() {
            let w = w as usize;
            let dw = dist[w];
            if dw == 0 {
                continue;
            }
            let coeff = (1.0 + delta[w]) / sigma[w];
            for &v in inn.arcs(w).0 {
                let v = v as usize;
                if dist[v] == dw - 1 {
                    delta[v] += sigma[v] * coeff;
                }
            }
            acc[w] += delta[w];
        }
        for &v in &order {
            let v = v as usize;
            dist[v] = u32::MAX;
            sigma[v] = 0.0;
            delta[v] = 0.0;
        }
        order.clear();
    }
    acc
}

/// Core number of every node on the undirected view (an arc either way is one tie): the
/// largest `k` such that the node belongs to a subgraph in which everyone has at least `k`
/// ties (k-core decomposition, Batagelj & Zaversnik 2003). Isolated nodes have core 0; on the
/// implicit complete graph every node has core `n - 1`.
///
/// # Complexity
/// `O(n + arcs)` time (bin sort by degree, each node and tie processed once), serial; `O(n)`
/// memory (three `u32` arrays and one bin per degree value).
pub fn core_numbers(net: &Network) -> Vec<u32> {
    let n = net.n();
    if net.is_complete() {
        return vec![n.saturating_sub(1) as u32; n];
    }
    let mut deg: Vec<u32> = (0..n)
        .into_par_iter()
        .map(|i| undirected_neighbours(net, i).count() as u32)
        .collect();
    let max_deg = deg.iter().copied().max().unwrap_or(0) as usize;
    // bin[d]: start of the block of degree-d nodes in `vert`.
    let mut bin = vec![0u32; max_deg + 1];
    for &d in &deg {
        bin[d as usize] += 1;
    }
    let mut start = 0u32;
    for b in bin.iter_mut() {
        let count = *b;
        *b = start;
        start += count;
    }
    let mut pos = vec![0u32; n];
    let mut vert = vec![0u32; n];
    for v in 0..n {
        let d = deg[v] as usize;
        pos[v] = bin[d];
        vert[bin[d] as usize] = v as u32;
        bin[d] += 1;
    }
    for d in (1..=max_deg).rev() {
        bin[d] = bin[d - 1];
    }
    bin[0] = 0;
    for i in 0..n {
        let v = vert[i] as usize;
        for u in undirected_neighbours(net, v) {
            let u = u as usize;
            if deg[u] > deg[v] {
                // Move u to the front of its degree block, then shrink the block.
                let du = deg[u] as usize;
                let pu = pos[u] as usize;
                let pw = bin[du] as usize;
                let w = vert[pw] as usize;
                if u != w {
                    pos[u] = pw as u32;
                    vert[pu] = w as u32;
                    pos[w] = pu as u32;
                    vert[pw] = u as u32;
                }
                bin[du] += 1;
                deg[u] -= 1;
            }
        }
    }
    deg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ArcList;
    use crate::network::generators;
    use crate::rng::{Purpose, stream};

    fn undirected(n: usize, ties: &[(u32, u32)]) -> Network {
        let mut a = ArcList::default();
        for &(x, y) in ties {
            a.push_undirected(x, y, 1.0);
        }
        Network::from_arcs(n, a)
    }

    fn exact(net: &Network) -> Vec<f64> {
        betweenness(net, usize::MAX, 0, &mut stream(0, Purpose::Seeding, 0)).scores
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn betweenness_of_paths_stars_and_bridges() {
        // Undirected path 0-1-2-3-4: node 1 separates {0} from {2,3,4} (3 pairs, both ways).
        let path = undirected(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert!(close(&exact(&path), &[0.0, 6.0, 8.0, 6.0, 0.0]));
        // Directed path 0 → 1 → 2 → 3 → 4: each pair once.
        let mut a = ArcList::default();
        for i in 0..4 {
            a.push(i, i + 1, 1.0);
        }
        assert!(close(
            &exact(&Network::from_arcs(5, a)),
            &[0.0, 3.0, 4.0, 3.0, 0.0]
        ));
        // Star: the centre is on every leaf-to-leaf path, 4·3 ordered pairs.
        let star = undirected(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert!(close(&exact(&star), &[12.0, 0.0, 0.0, 0.0, 0.0]));
        // Two triangles joined by the bridge 2-3: each bridge end separates 2·3 pairs.
        let bridged = undirected(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]);
        assert!(close(&exact(&bridged), &[0.0, 0.0, 12.0, 12.0, 0.0, 0.0]));
        // Diamond 0 → {1, 2} → 3: two shortest paths, half through each.
        let mut d = ArcList::default();
        for (x, y) in [(0, 1), (0, 2), (1, 3), (2, 3)] {
            d.push(x, y, 1.0);
        }
        assert!(close(
            &exact(&Network::from_arcs(4, d)),
            &[0.0, 0.5, 0.5, 0.0]
        ));
        // Complete graph: nobody is between anybody.
        let c = betweenness(
            &Network::complete(6),
            0,
            2,
            &mut stream(0, Purpose::Seeding, 0),
        );
        assert_eq!(c.scores, vec![0.0; 6]);
        assert_eq!((c.pivots, c.exact), (2, false));
    }

    #[test]
    fn betweenness_matches_all_pairs_counting() {
        // Random directed graph; b(v) = Σ_{s,t} σ_sv σ_vt / σ_st over d(s,v) + d(v,t) = d(s,t).
        use rand::RngExt;
        let n = 40;
        let mut rng = stream(13, Purpose::Network, 0);
        let mut a = ArcList::default();
        for _ in 0..90 {
            a.push(
                rng.random_range(0..n as u32),
                rng.random_range(0..n as u32),
                1.0,
            );
        }
        let net = Network::from_arcs(n, a);
        let bfs = |s: usize| {
            let (mut d, mut sg) = (vec![usize::MAX; n], vec![0.0f64; n]);
            d[s] = 0;
            sg[s] = 1.0;
            let mut q = std::collections::VecDeque::from([s]);
            while let Some(v) = q.pop_front() {
                for &w in net.out_arcs().arcs(v).0 {
                    let w = w as usize;
                    if d[w] == usize::MAX {
                        d[w] = d[v] + 1;
                        q.push_back(w);
                    }
                    if d[w] == d[v] + 1 {
                        sg[w] += sg[v];
                    }
                }
            }
            (d, sg)
        };
        let all: Vec<_> = (0..n).map(bfs).collect();
        let mut expect = vec![0.0; n];
        for s in 0..n {
            for t in 0..n {
                let dst = all[s].0[t];
                if s == t || dst == usize::MAX {
                    continue;
                }
                for v in (0..n).filter(|&v| v != s && v != t) {
                    let (dsv, dvt) = (all[s].0[v], all[v].0[t]);
                    if dsv != usize::MAX && dvt != usize::MAX && dsv + dvt == dst {
                        expect[v] += all[s].1[v] * all[v].1[t] / all[s].1[t];
                    }
                }
            }
        }
        assert!(expect.iter().any(|&x| x > 0.0));
        assert!(close(&exact(&net), &expect));
    }

    #[test]
    fn sampled_betweenness_with_all_pivots_is_exact() {
        let net = generators::barabasi_albert(300, 2, &mut stream(5, Purpose::Network, 0));
        let ex = betweenness(&net, usize::MAX, 0, &mut stream(1, Purpose::Seeding, 0));
        assert!(ex.exact && ex.pivots == 300);
        // Limit below n but pivots = n: every node is a source, same arithmetic.
        let all = betweenness(&net, 10, 300, &mut stream(1, Purpose::Seeding, 0));
        assert!(all.exact && all.pivots == 300);
        assert_eq!(all.scores, ex.scores);
        // Sampled: reports its pivots, depends only on the rng state, roughly tracks exact.
        let s1 = betweenness(&net, 10, 100, &mut stream(1, Purpose::Seeding, 0));
        let s2 = betweenness(&net, 10, 100, &mut stream(1, Purpose::Seeding, 0));
        assert_eq!((s1.pivots, s1.exact), (100, false));
        assert_eq!(s1, s2);
        assert_eq!(betweenness_pivots(300, 10, 100), 100);
        assert_eq!(betweenness_pivots(300, 10, 0), 1);
        assert_eq!(betweenness_pivots(300, 300, 5), 300);
        let sum = |v: &[f64]| v.iter().sum::<f64>();
        let ratio = sum(&s1.scores) / sum(&ex.scores);
        assert!((0.7..1.3).contains(&ratio), "{ratio}");
    }

    #[test]
    fn betweenness_and_eigenvector_are_thread_count_independent() {
        let net = generators::erdos_renyi(500, 4.0, &mut stream(7, Purpose::Network, 0));
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    (
                        betweenness(&net, usize::MAX, 0, &mut stream(2, Purpose::Seeding, 0)),
                        betweenness(&net, 10, 37, &mut stream(2, Purpose::Seeding, 0)),
                        eigenvector(&net, 1e-12, 300),
                        core_numbers(&net),
                    )
                })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(4));
    }

    #[test]
    fn eigenvector_on_stars() {
        // Undirected star with 4 leaves: A + I has top eigenvalue 3, centre = 2 × leaf.
        let star = undirected(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        let x = eigenvector(&star, 1e-15, 1000);
        let leaf = 1.0 / 8f64.sqrt();
        assert!(close(&x, &[2.0 * leaf, leaf, leaf, leaf, leaf]), "{x:?}");
        // Directed: 0 advises 1..4 (named by all, names nobody): the centre dominates.
        let mut a = ArcList::default();
        for i in 1..5 {
            a.push(0, i, 1.0);
        }
        let x = eigenvector(&Network::from_arcs(5, a), 1e-12, 200);
        assert!(
            x[0] > 0.99 && x[1..].iter().all(|&v| v < 0.02 && v == x[1]),
            "{x:?}"
        );
        // Complete graph: uniform.
        let x = eigenvector(&Network::complete(4), 1e-15, 100);
        assert!(close(&x, &[0.5; 4]));
    }

    #[test]
    fn core_numbers_of_clique_with_pendants() {
        // 4-clique {0,1,2,3}; pendants 4 (on 0) and 5 (on 4); 6 isolated; 7 tied to 1 by a
        // single directed arc (still a tie in the undirected view).
        let mut a = ArcList::default();
        for x in 0..4 {
            for y in x + 1..4 {
                a.push_undirected(x, y, 1.0);
            }
        }
        a.push_undirected(0, 4, 1.0);
        a.push_undirected(4, 5, 1.0);
        a.push(7, 1, 1.0);
        let net = Network::from_arcs(8, a);
        assert_eq!(core_numbers(&net), vec![3, 3, 3, 3, 1, 1, 0, 1]);
        assert_eq!(core_numbers(&Network::complete(5)), vec![4; 5]);
        // Two triangles and a bridge: everyone is in the 2-core.
        let bridged = undirected(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]);
        assert_eq!(core_numbers(&bridged), vec![2; 6]);
    }

    #[test]
    fn core_numbers_match_peeling() {
        let net = generators::erdos_renyi(200, 5.0, &mut stream(11, Purpose::Network, 0));
        let n = net.n();
        let nb: Vec<Vec<u32>> = (0..n)
            .map(|i| undirected_neighbours(&net, i).collect())
            .collect();
        // Naive peeling: repeatedly remove a minimum-degree node; core = running max.
        let mut alive = vec![true; n];
        let mut deg: Vec<usize> = nb.iter().map(|v| v.len()).collect();
        let mut core = vec![0u32; n];
        let mut k = 0;
        for _ in 0..n {
            let v = (0..n)
                .filter(|&v| alive[v])
                .min_by_key(|&v| deg[v])
                .expect("alive");
            k = k.max(deg[v]);
            core[v] = k as u32;
            alive[v] = false;
            for &u in &nb[v] {
                if alive[u as usize] {
                    deg[u as usize] -= 1;
                }
            }
        }
        assert_eq!(core_numbers(&net), core);
    }
}
