//! Betweenness centrality behind the `betweenness` KOL rule: exact (Brandes 2001) on small
//! networks, and above the exact limit either random pivots (Brandes & Pich 2007, when the
//! scenario sets `pivots`) or shortest-path sampling with an (ε, δ) guarantee
//! ([`super::path_sampling`]).

use super::path_sampling::{self, SampledBetweenness};
use crate::network::Network;
use rand::{Rng, RngExt};
use rayon::prelude::*;

/// Default largest `n` for which betweenness is computed exactly (from every source).
pub const BETWEENNESS_EXACT_LIMIT: usize = 5_000;

/// Default additive error ε of sampled betweenness, on the normalised scale
/// `b(v) / (n(n − 1))`.
pub const BETWEENNESS_EPSILON: f64 = 0.01;

/// Default failure probability δ of sampled betweenness: with probability at least `1 − δ`
/// every node's normalised estimate is within ε.
pub const BETWEENNESS_DELTA: f64 = 0.1;

/// Budget for the per-chunk betweenness accumulators (8 bytes a node a chunk).
const ACCUMULATOR_BYTES: usize = 256 << 20;

/// Most source chunks betweenness is split into.
const MAX_CHUNKS: usize = 256;

/// How betweenness scores were obtained (for the manifest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BetweennessMethod {
    /// Exact: a BFS from every node.
    Exact,
    /// Brandes–Pich estimate from `pivots` random sources (no error bound).
    Pivots {
        /// BFS sources used.
        pivots: usize,
    },
    /// Riondato–Kornaropoulos estimate from `samples` random shortest paths: with probability
    /// at least `1 − delta`, every node's `|estimate − b(v)| / (n(n − 1)) ≤ epsilon`.
    Sampled {
        /// Shortest paths sampled.
        samples: usize,
        /// Additive error bound on the normalised scale.
        epsilon: f64,
        /// Failure probability of the bound.
        delta: f64,
        /// Upper bound on the vertex diameter used to size the sample.
        vertex_diameter: usize,
    },
}

/// Betweenness scores and how they were obtained (for the manifest).
#[derive(Debug, Clone, PartialEq)]
pub struct BetweennessScores {
    /// Score of each node: exact betweenness, or an estimate on the same (unnormalised)
    /// scale.
    pub scores: Vec<f64>,
    /// How they were computed.
    pub method: BetweennessMethod,
}

impl BetweennessScores {
    /// Whether the scores are exact.
    pub fn exact(&self) -> bool {
        self.method == BetweennessMethod::Exact
    }
}

/// How many BFS sources the pivot estimate uses on `n` nodes: all `n` (exact) when
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
/// * `n ≤ exact_limit` (or `pivots ≥ n`): exact (Brandes 2001, one BFS from every node);
///   consumes no randomness.
/// * `pivots = Some(p)`: estimated from `p` sources drawn uniformly without replacement from
///   `rng` and scaled by `n / p` (Brandes & Pich 2007: unbiased, no error bound).
/// * `pivots = None`: shortest-path sampling with guarantee `(epsilon, delta)`
///   ([`path_sampling::sample`]); one `u64` is drawn from `rng` as the key of its streams.
///
/// The implicit complete graph has betweenness 0 everywhere (every pair is adjacent) and
/// consumes no randomness.
///
/// # Complexity
/// Exact and pivots: `O(p · (n + arcs))` time with `p` the number of sources, parallel over
/// sources, memory as in [`betweenness_from`]. Sampling: see [`path_sampling::sample`].
/// Deterministic for a given `rng` state whatever the thread count.
pub fn betweenness<R: Rng + ?Sized>(
    net: &Network,
    exact_limit: usize,
    pivots: Option<usize>,
    epsilon: f64,
    delta: f64,
    rng: &mut R,
) -> BetweennessScores {
    let n = net.n();
    let exact = n <= exact_limit || pivots.is_some_and(|p| p >= n);
    if net.is_complete() || n == 0 {
        return BetweennessScores {
            scores: vec![0.0; n],
            method: match pivots {
                Some(p) if !exact => BetweennessMethod::Pivots { pivots: p.max(1) },
                _ => BetweennessMethod::Exact,
            },
        };
    }
    if exact {
        let all: Vec<u32> = (0..n as u32).collect();
        return BetweennessScores {
            scores: betweenness_from(net, &all),
            method: BetweennessMethod::Exact,
        };
    }
    match pivots {
        Some(p) => {
            let used = betweenness_pivots(n, exact_limit, p);
            let mut sources: Vec<u32> = rand::seq::index::sample(rng, n, used)
                .into_iter()
                .map(|i| i as u32)
                .collect();
            sources.sort_unstable();
            let mut s = betweenness_from(net, &sources);
            let scale = n as f64 / used as f64;
            s.iter_mut().for_each(|v| *v *= scale);
            BetweennessScores {
                scores: s,
                method: BetweennessMethod::Pivots { pivots: used },
            }
        }
        None => {
            let key: u64 = rng.random();
            let SampledBetweenness {
                scores,
                samples,
                vertex_diameter,
            } = path_sampling::sample(net, epsilon, delta, key);
            BetweennessScores {
                scores,
                method: BetweennessMethod::Sampled {
                    samples,
                    epsilon,
                    delta,
                    vertex_diameter,
                },
            }
        }
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

    fn run<R: Rng + ?Sized>(
        net: &Network,
        limit: usize,
        pivots: Option<usize>,
        rng: &mut R,
    ) -> BetweennessScores {
        betweenness(
            net,
            limit,
            pivots,
            BETWEENNESS_EPSILON,
            BETWEENNESS_DELTA,
            rng,
        )
    }

    fn exact(net: &Network) -> Vec<f64> {
        run(
            net,
            usize::MAX,
            None,
            &mut stream(0, Purpose::InitialAdopters, 0),
        )
        .scores
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
        let c = run(
            &Network::complete(6),
            0,
            Some(2),
            &mut stream(0, Purpose::InitialAdopters, 0),
        );
        assert_eq!(c.scores, vec![0.0; 6]);
        assert_eq!(c.method, BetweennessMethod::Pivots { pivots: 2 });
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
    fn pivot_betweenness_with_all_pivots_is_exact() {
        let net = generators::barabasi_albert(300, 2, &mut stream(5, Purpose::Network, 0));
        let ex = run(
            &net,
            usize::MAX,
            None,
            &mut stream(1, Purpose::InitialAdopters, 0),
        );
        assert!(ex.exact());
        // Limit below n but pivots = n: every node is a source, same arithmetic.
        let all = run(
            &net,
            10,
            Some(300),
            &mut stream(1, Purpose::InitialAdopters, 0),
        );
        assert!(all.exact());
        assert_eq!(all.scores, ex.scores);
        // Pivots: reports them, depends only on the rng state, roughly tracks exact.
        let s1 = run(
            &net,
            10,
            Some(100),
            &mut stream(1, Purpose::InitialAdopters, 0),
        );
        let s2 = run(
            &net,
            10,
            Some(100),
            &mut stream(1, Purpose::InitialAdopters, 0),
        );
        assert_eq!(s1.method, BetweennessMethod::Pivots { pivots: 100 });
        assert_eq!(s1, s2);
        assert_eq!(betweenness_pivots(300, 10, 100), 100);
        assert_eq!(betweenness_pivots(300, 10, 0), 1);
        assert_eq!(betweenness_pivots(300, 300, 5), 300);
        let sum = |v: &[f64]| v.iter().sum::<f64>();
        let ratio = sum(&s1.scores) / sum(&ex.scores);
        assert!((0.7..1.3).contains(&ratio), "{ratio}");
    }

    #[test]
    fn betweenness_is_thread_count_independent() {
        let net = generators::erdos_renyi(500, 4.0, &mut stream(7, Purpose::Network, 0));
        let go = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    (
                        run(
                            &net,
                            usize::MAX,
                            None,
                            &mut stream(2, Purpose::InitialAdopters, 0),
                        ),
                        run(
                            &net,
                            10,
                            Some(37),
                            &mut stream(2, Purpose::InitialAdopters, 0),
                        ),
                        betweenness(
                            &net,
                            10,
                            None,
                            0.05,
                            0.1,
                            &mut stream(2, Purpose::InitialAdopters, 0),
                        ),
                    )
                })
        };
        let one = go(1);
        assert!(matches!(one.2.method, BetweennessMethod::Sampled { .. }));
        assert_eq!(one, go(2));
        assert_eq!(one, go(4));
    }
}
