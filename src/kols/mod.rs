//! Key Opinion Leader identification: rank physicians by a rule, take the top `count`.
//!
//! Rankings are by score, highest first, ties broken by node index (the order of the node
//! file, or generation order). "Naming" follows the nomination reading of an arc: `j → i` (i
//! listens to j) is i naming j as an adviser, so `in_degree` counts how many name `j`.
//!
//! Rules that need randomness (sampled betweenness on large networks) take it from the
//! generator the caller hands in ([`rank_with`], [`select_with`]): in a run, the realisation's
//! `Kols` stream, `rng::stream(seed, Purpose::Kols, realisation)`. The deterministic attribute
//! ranking is also available without one ([`by_attribute`]). The centrality scores themselves
//! are in [`eigenvector`](mod@eigenvector), [`betweenness`](mod@betweenness) (with
//! [`path_sampling`]) and [`centrality`] (k-core); [`rank_with_note`] also says how a
//! centrality ranking was computed ([`RankingNote`], for the manifest).

pub mod betweenness;
pub mod centrality;
pub mod eigenvector;
pub mod path_sampling;
mod spmv;

pub use betweenness::{
    BETWEENNESS_DELTA, BETWEENNESS_EPSILON, BETWEENNESS_EXACT_LIMIT, BetweennessMethod,
    BetweennessScores, betweenness, betweenness_from, betweenness_pivots,
};
pub use centrality::core_numbers;
pub use eigenvector::{EigenSolver, EigenvectorScores, eigenvector, is_symmetric};

use crate::network::{Attribute, Network};
use rand::Rng;
use rayon::prelude::*;

/// A KOL ranking rule.
#[derive(Debug, Clone, PartialEq)]
pub enum KolRule {
    /// How many physicians name them as advisers: the number of arcs leaving them (unweighted;
    /// duplicate nominations were merged into one arc when building).
    InDegree,
    /// Named-by plus naming: total number of ties.
    Degree,
    /// PageRank of the nomination graph (damping 0.85), by sparse power iteration.
    PageRank,
    /// Eigenvector centrality of the nomination graph (named by central physicians)
    /// ([`eigenvector()`]: LOBPCG on symmetric networks, power iteration on `A + I`
    /// otherwise; tolerance [`EIGENVECTOR_TOL`], at most [`EIGENVECTOR_MAX_ITER`]
    /// iterations).
    Eigenvector,
    /// Betweenness on the directed influence graph, hop-count shortest paths
    /// ([`betweenness()`]): exact when `n ≤ exact_limit`, otherwise estimated from `pivots`
    /// random sources when given (Brandes & Pich 2007), or by shortest-path sampling with
    /// error bound ([`BETWEENNESS_EPSILON`], [`BETWEENNESS_DELTA`]). Defaults:
    /// [`BETWEENNESS_EXACT_LIMIT`], no pivots (see [`KolRule::betweenness`]).
    Betweenness {
        /// Largest `n` computed exactly.
        exact_limit: usize,
        /// Sampled sources above the limit (`None`: sample shortest paths instead).
        pivots: Option<usize>,
    },
    /// Core number on the undirected view (k-core decomposition, [`core_numbers`]).
    KCore,
    /// Highest value of a numeric node attribute (missing values never qualify).
    Attribute(String),
    /// Listed node indices, in the given order.
    Explicit(Vec<u32>),
}

/// The rules computed from the network, in the order messages and `kolsim seed`'s comparison
/// list them: a rule's one registration (its name comes from [`KolRule::name`], its score from
/// [`scores`]).
pub const RANKED: [KolRule; 6] = [
    KolRule::InDegree,
    KolRule::Degree,
    KolRule::PageRank,
    KolRule::Eigenvector,
    KolRule::KCore,
    KolRule::betweenness(),
];

impl KolRule {
    /// The rule computed from the network named `name` in scenario files ([`RANKED`]).
    pub fn ranked(name: &str) -> Option<KolRule> {
        RANKED.iter().find(|r| r.name() == name).cloned()
    }

    /// The names of the [`RANKED`] rules, comma-separated, for messages.
    pub fn ranked_names() -> String {
        let names: Vec<&str> = RANKED.iter().map(KolRule::name).collect();
        names.join(", ")
    }

    /// Betweenness with the default exact limit and shortest-path sampling above it.
    pub const fn betweenness() -> Self {
        KolRule::Betweenness {
            exact_limit: BETWEENNESS_EXACT_LIMIT,
            pivots: None,
        }
    }

    /// Name used in scenario files and the manifest.
    pub fn name(&self) -> &'static str {
        match self {
            KolRule::InDegree => "in_degree",
            KolRule::Degree => "degree",
            KolRule::PageRank => "pagerank",
            KolRule::Eigenvector => "eigenvector",
            KolRule::Betweenness { .. } => "betweenness",
            KolRule::KCore => "kcore",
            KolRule::Attribute(_) => "attribute",
            KolRule::Explicit(_) => "explicit",
        }
    }
}

/// Convergence tolerance of the `eigenvector` rule: relative residual on symmetric networks
/// (LOBPCG), L1 change otherwise (power iteration); see [`eigenvector()`].
pub const EIGENVECTOR_TOL: f64 = 1e-10;

/// Iteration cap of the `eigenvector` rule.
pub const EIGENVECTOR_MAX_ITER: usize = 1_000;

/// How a centrality ranking was computed, for the manifest (`network.kol_ranking`) and the
/// run summary: the eigenvector solver's convergence, or how betweenness was obtained and
/// with what error bound.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum RankingNote {
    /// Eigenvector centrality.
    Eigenvector {
        /// `lobpcg` (symmetric networks) or `power_iteration`.
        solver: &'static str,
        /// Iterations run.
        iterations: usize,
        /// Stopping tolerance: relative residual (LOBPCG) or L1 change (power iteration).
        tolerance: f64,
        /// The final relative residual or L1 change.
        error: f64,
        /// Whether the tolerance was reached within [`EIGENVECTOR_MAX_ITER`].
        converged: bool,
    },
    /// Exact betweenness (a BFS from every physician).
    BetweennessExact,
    /// Betweenness estimated from random BFS sources (no error bound).
    BetweennessPivots {
        /// BFS sources used.
        pivots: usize,
    },
    /// Betweenness estimated from random shortest paths: with probability at least
    /// `1 − delta`, every physician's estimate is within `epsilon · n(n − 1)` of the exact
    /// betweenness.
    BetweennessSampled {
        /// Shortest paths sampled.
        samples: usize,
        /// Additive error bound on betweenness / (n(n − 1)).
        epsilon: f64,
        /// Failure probability of the bound.
        delta: f64,
        /// Upper bound on the vertex diameter used to size the sample.
        vertex_diameter: usize,
    },
}

impl RankingNote {
    /// The note of eigenvector scores.
    pub fn of_eigenvector(e: &EigenvectorScores) -> Self {
        RankingNote::Eigenvector {
            solver: e.solver.name(),
            iterations: e.iterations,
            tolerance: e.tolerance,
            error: e.error,
            converged: e.converged,
        }
    }

    /// The note of betweenness scores.
    pub fn of_betweenness(b: &BetweennessScores) -> Self {
        match b.method {
            BetweennessMethod::Exact => RankingNote::BetweennessExact,
            BetweennessMethod::Pivots { pivots } => RankingNote::BetweennessPivots { pivots },
            BetweennessMethod::Sampled {
                samples,
                epsilon,
                delta,
                vertex_diameter,
            } => RankingNote::BetweennessSampled {
                samples,
                epsilon,
                delta,
                vertex_diameter,
            },
        }
    }
}

impl std::fmt::Display for RankingNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RankingNote::Eigenvector {
                solver,
                iterations,
                tolerance,
                error,
                converged,
            } => {
                let what = if *solver == "lobpcg" {
                    "relative residual"
                } else {
                    "L1 change"
                };
                write!(
                    f,
                    "eigenvector by {solver}: {iterations} iterations, {what} {error:.1e} ({} tolerance {tolerance:.0e})",
                    if *converged { "within" } else { "NOT within" }
                )
            }
            RankingNote::BetweennessExact => write!(f, "betweenness exact"),
            RankingNote::BetweennessPivots { pivots } => {
                write!(f, "betweenness estimated from {pivots} sources")
            }
            RankingNote::BetweennessSampled {
                samples,
                epsilon,
                delta,
                ..
            } => write!(
                f,
                "betweenness estimated from {samples} sampled shortest paths: with probability ≥ {}, every estimate is within {epsilon} · n(n − 1) of the exact value",
                1.0 - delta
            ),
        }
    }
}

/// Sorts node indices by descending score (in `f64::total_cmp`'s order), ties by index. Each
/// node is sorted as one 128-bit key (the score's bits mapped to an order-preserving integer,
/// then the index), so comparisons read no scores at random.
fn rank_by(scores: &[f64]) -> Vec<u32> {
    let mut keys: Vec<u128> = scores
        .par_iter()
        .enumerate()
        .map(|(i, &x)| (u128::from(!total_order_bits(x)) << 32) | i as u128)
        .collect();
    keys.par_sort_unstable();
    keys.into_par_iter().map(|k| k as u32).collect()
}

/// `x`'s bits as an unsigned integer ordered as [`f64::total_cmp`] orders the values.
fn total_order_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// PageRank of the nomination graph: rank flows from each physician to the advisers it names,
/// in proportion to arc weight. Dangling physicians (who name nobody) spread uniformly.
/// Stops when the L1 change is below `tol` or after `max_iter` iterations. `O(arcs)` per
/// iteration; deterministic (each node's sum is serial).
pub fn pagerank(net: &Network, damping: f64, tol: f64, max_iter: usize) -> Vec<f64> {
    let n = net.n();
    if n == 0 {
        return Vec::new();
    }
    if net.is_complete() {
        // Weighted complete graph: solve by iteration on the implicit structure.
        let s: Vec<f64> = (0..n).map(|j| net.source_scale(j) as f64).collect();
        let mut pr = vec![1.0 / n as f64; n];
        for _ in 0..max_iter {
            // rank into j from i: pr_i * s_j / (S - s_i)
            let total: f64 = s.iter().sum();
            let flow: f64 = (0..n).map(|i| pr[i] / (total - s[i])).sum();
            let next: Vec<f64> = (0..n)
                .map(|j| {
                    (1.0 - damping) / n as f64 + damping * s[j] * (flow - pr[j] / (total - s[j]))
                })
                .collect();
            let diff: f64 = next.iter().zip(&pr).map(|(a, b)| (a - b).abs()).sum();
            pr = next;
            if diff < tol {
                break;
            }
        }
        return pr;
    }
    let out = net.out_arcs();
    let mut pr = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..max_iter {
        // Share of each physician's rank sent per unit weight of the advisers it names.
        let per_weight: Vec<f64> = (0..n)
            .map(|i| {
                let w = net.in_weight(i);
                if w > 0.0 { pr[i] / w } else { 0.0 }
            })
            .collect();
        let dangling: f64 = (0..n)
            .filter(|&i| net.in_weight(i) <= 0.0)
            .map(|i| pr[i])
            .sum();
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        next.par_iter_mut().enumerate().for_each(|(j, x)| {
            let (listeners, w) = out.arcs(j);
            let inflow: f64 = listeners
                .iter()
                .zip(w)
                .map(|(&i, &wi)| per_weight[i as usize] * wi as f64)
                .sum();
            *x = base + damping * inflow;
        });
        let diff: f64 = next.iter().zip(&pr).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut pr, &mut next);
        if diff < tol {
            break;
        }
    }
    pr
}

/// All physicians ranked by `rule`, best first (for `Explicit`: the listed ones only; for
/// `Attribute`: those with a value only), ties by node index. `rng` is used only by sampled
/// betweenness (`n` above its exact limit).
///
/// # Complexity
/// Ranking adds `O(n log n)` (parallel sort) to the score: `O(n)` for degrees and attributes,
/// `O(iterations · arcs)` for `PageRank` and `Eigenvector`, `O(n + arcs)` for `KCore`,
/// `O(p · (n + arcs))` for `Betweenness` with `p` pivots (`n` when exact), or the sampled
/// paths' bidirectional searches ([`path_sampling::sample`]). Memory `O(n)`, plus the
/// betweenness accumulators (see [`betweenness_from`]).
pub fn rank_with<R: Rng + ?Sized>(net: &Network, rule: &KolRule, rng: &mut R) -> Vec<u32> {
    rank_with_note(net, rule, rng).0
}

/// Every physician's score under `rule`, the one place each rule's score is computed (the
/// ranking, [`rank_with_note`], and `kols.csv` read it): `None` for a physician without one
/// (a missing attribute value); with, for the `eigenvector` and `betweenness` rules, how the
/// scores were computed. `None` for `Explicit`, which lists physicians without scores. `rng` as
/// in [`rank_with`].
///
/// # Complexity
/// As [`rank_with`], without the sort.
pub fn scores<R: Rng + ?Sized>(net: &Network, rule: &KolRule, rng: &mut R) -> Option<Scores> {
    let n = net.n();
    let all = |v: Vec<f64>, note: Option<RankingNote>| Scores {
        values: v.into_iter().map(Some).collect(),
        note,
    };
    Some(match rule {
        KolRule::InDegree => all((0..n).map(|i| net.out_degree(i) as f64).collect(), None),
        KolRule::Degree => all(
            (0..n)
                .map(|i| (net.out_degree(i) + net.in_degree(i)) as f64)
                .collect(),
            None,
        ),
        KolRule::PageRank => all(pagerank(net, 0.85, 1e-10, 200), None),
        KolRule::Eigenvector => {
            let e = eigenvector(net, EIGENVECTOR_TOL, EIGENVECTOR_MAX_ITER);
            let note = RankingNote::of_eigenvector(&e);
            all(e.scores, Some(note))
        }
        KolRule::Betweenness {
            exact_limit,
            pivots,
        } => {
            let b = betweenness(
                net,
                *exact_limit,
                *pivots,
                BETWEENNESS_EPSILON,
                BETWEENNESS_DELTA,
                rng,
            );
            let note = RankingNote::of_betweenness(&b);
            all(b.scores, Some(note))
        }
        KolRule::KCore => all(core_numbers(net).into_iter().map(f64::from).collect(), None),
        KolRule::Attribute(name) => Scores {
            values: match net.attribute(name) {
                Some(Attribute::Numeric(v)) => v.clone(),
                _ => vec![None; n],
            },
            note: None,
        },
        KolRule::Explicit(_) => return None,
    })
}

/// The physicians' scores under a KOL rule ([`scores`]).
#[derive(Debug, Clone)]
pub struct Scores {
    /// Per physician, its score (`None`: no value, never ranked).
    pub values: Vec<Option<f64>>,
    /// How the scores were computed (eigenvector and betweenness rules).
    pub note: Option<RankingNote>,
}

impl Scores {
    /// The physicians with a score, highest first, ties by node index.
    pub fn ranking(&self) -> Vec<u32> {
        let s: Vec<f64> = self
            .values
            .iter()
            .map(|v| v.unwrap_or(f64::NEG_INFINITY))
            .collect();
        rank_by(&s)
            .into_iter()
            .filter(|&i| self.values[i as usize].is_some())
            .collect()
    }
}

/// [`rank_with`], and for the `eigenvector` and `betweenness` rules how the scores were
/// computed.
///
/// # Complexity
/// As [`rank_with`].
pub fn rank_with_note<R: Rng + ?Sized>(
    net: &Network,
    rule: &KolRule,
    rng: &mut R,
) -> (Vec<u32>, Option<RankingNote>) {
    match (rule, scores(net, rule, rng)) {
        (_, Some(s)) => (s.ranking(), s.note),
        (KolRule::Explicit(ids), None) => (ids.clone(), None),
        _ => (Vec::new(), None),
    }
}

/// Physicians with a value of the numeric attribute `name`, highest first (ties by index);
/// empty if there is no such numeric attribute. The `attribute` rule; it draws nothing.
///
/// # Complexity
/// `O(n log n)`.
pub fn by_attribute(net: &Network, name: &str) -> Vec<u32> {
    match net.attribute(name) {
        Some(Attribute::Numeric(v)) => Scores {
            values: v.clone(),
            note: None,
        }
        .ranking(),
        _ => Vec::new(),
    }
}

/// The top `count` physicians by `rule` (fewer if the ranking is shorter); `rng` as in
/// [`rank_with`].
///
/// # Complexity
/// As [`rank_with`].
pub fn select_with<R: Rng + ?Sized>(
    net: &Network,
    rule: &KolRule,
    count: usize,
    rng: &mut R,
) -> Vec<u32> {
    let mut r = rank_with(net, rule, rng);
    r.truncate(count);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ArcList;
    use crate::rng::{Purpose, stream};

    /// [`rank_with`] on the `Kols` stream of `(seed, 0)`.
    fn rank_seeded(net: &Network, rule: &KolRule, seed: u64) -> Vec<u32> {
        rank_with(net, rule, &mut stream(seed, Purpose::Kols, 0))
    }

    fn rank(net: &Network, rule: &KolRule) -> Vec<u32> {
        rank_seeded(net, rule, 0)
    }

    fn select(net: &Network, rule: &KolRule, count: usize) -> Vec<u32> {
        select_with(net, rule, count, &mut stream(0, Purpose::Kols, 0))
    }

    /// 0 is named by 1, 2, 3; 1 is named by 2; 3 names 0 only. Arcs: adviser → asker.
    fn star() -> Network {
        let mut a = ArcList::default();
        for i in [1, 2, 3] {
            a.push(0, i, 1.0);
        }
        a.push(1, 2, 1.0);
        a.push(2, 1, 1.0);
        Network::from_arcs(5, a)
    }

    #[test]
    fn in_degree_ranking_with_ties_by_id() {
        let net = star();
        // named-by counts: 0:3, 1:1, 2:1, 3:0, 4:0
        assert_eq!(rank(&net, &KolRule::InDegree), vec![0, 1, 2, 3, 4]);
        // degree: 0:3, 1:3 (named by 2, names 0 and 2), 2:3, 3:1, 4:0
        assert_eq!(rank(&net, &KolRule::Degree), vec![0, 1, 2, 3, 4]);
        assert_eq!(select(&net, &KolRule::InDegree, 2), vec![0, 1]);
    }

    #[test]
    fn pagerank_sums_to_one_and_matches_hand_solution() {
        // Two physicians naming each other: symmetric, 0.5 each.
        let mut a = ArcList::default();
        a.push_undirected(0, 1, 1.0);
        let pr = pagerank(&Network::from_arcs(2, a), 0.85, 1e-14, 500);
        assert!((pr[0] - 0.5).abs() < 1e-12 && (pr[1] - 0.5).abs() < 1e-12);
        // Physician 1 names 0; 0 names nobody (dangling). Hand solution with d = 0.85:
        // x0 = 0.075 + 0.85 (x1 + x0/2), x1 = 0.075 + 0.85 x0/2, x0 + x1 = 1.
        let mut b = ArcList::default();
        b.push(0, 1, 1.0);
        let pr = pagerank(&Network::from_arcs(2, b), 0.85, 1e-14, 500);
        let x1 = (0.075 + 0.425) / (1.0 + 0.425);
        assert!((pr[1] - x1).abs() < 1e-9, "{pr:?}");
        assert!((pr[0] + pr[1] - 1.0).abs() < 1e-12);
        let star = pagerank(&star(), 0.85, 1e-12, 500);
        assert!((star.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(rank(&super::tests::star(), &KolRule::PageRank)[0], 0);
    }

    #[test]
    fn attribute_ranking_skips_missing() {
        let net = Network::from_arcs(3, ArcList::default()).with_attributes(vec![(
            "volume".into(),
            Attribute::Numeric(vec![Some(1.0), None, Some(5.0)]),
        )]);
        assert_eq!(rank(&net, &KolRule::Attribute("volume".into())), vec![2, 0]);
    }

    fn undirected(n: usize, ties: &[(u32, u32)]) -> Network {
        let mut a = ArcList::default();
        for &(x, y) in ties {
            a.push_undirected(x, y, 1.0);
        }
        Network::from_arcs(n, a)
    }

    #[test]
    fn rule_names() {
        assert_eq!(KolRule::Eigenvector.name(), "eigenvector");
        assert_eq!(KolRule::betweenness().name(), "betweenness");
        assert_eq!(KolRule::KCore.name(), "kcore");
        assert_eq!(
            KolRule::betweenness(),
            KolRule::Betweenness {
                exact_limit: BETWEENNESS_EXACT_LIMIT,
                pivots: None
            }
        );
    }

    #[test]
    fn betweenness_rankings() {
        let path = undirected(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(rank(&path, &KolRule::betweenness()), vec![2, 1, 3, 0, 4]);
        let star = undirected(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(rank(&star, &KolRule::betweenness()), vec![0, 1, 2, 3, 4]);
        // Bridge ends first (tied, by index), then the rest (all 0, by index).
        let bridged = undirected(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]);
        assert_eq!(
            rank(&bridged, &KolRule::betweenness()),
            vec![2, 3, 0, 1, 4, 5]
        );
        assert_eq!(select(&bridged, &KolRule::betweenness(), 2), vec![2, 3]);
        // Sampled (limit below n): depends on the seed only, and pivots = n is exact.
        let sampled = KolRule::Betweenness {
            exact_limit: 2,
            pivots: Some(3),
        };
        assert_eq!(
            rank_seeded(&bridged, &sampled, 9),
            rank_seeded(&bridged, &sampled, 9)
        );
        let all = KolRule::Betweenness {
            exact_limit: 2,
            pivots: Some(6),
        };
        assert_eq!(rank_seeded(&bridged, &all, 9), vec![2, 3, 0, 1, 4, 5]);
        let mut rng = crate::rng::stream(4, crate::rng::Purpose::InitialAdopters, 0);
        assert_eq!(select_with(&bridged, &all, 1, &mut rng), vec![2]);
        assert_eq!(
            select_with(&bridged, &all, 3, &mut stream(1, Purpose::Kols, 0)),
            vec![2, 3, 0]
        );
    }

    #[test]
    fn eigenvector_and_kcore_rankings() {
        let star = undirected(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(rank(&star, &KolRule::Eigenvector), vec![0, 1, 2, 3, 4]);
        // Path 0-1-2-3-4: the middle is most central, then its neighbours, then the ends.
        let path = undirected(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(rank(&path, &KolRule::Eigenvector), vec![2, 1, 3, 0, 4]);
        // Directed: the star of `star()` has 0 named by 1, 2, 3; 1 and 2 name each other.
        assert_eq!(rank(&super::tests::star(), &KolRule::Eigenvector)[0], 0);
        // Clique {3,4,5,6} with pendants 0 (on 3) and 1 (on 0); 2 isolated.
        let mut ties = vec![(0, 3), (1, 0)];
        for x in 3..7 {
            for y in x + 1..7 {
                ties.push((x, y));
            }
        }
        let net = undirected(7, &ties);
        assert_eq!(rank(&net, &KolRule::KCore), vec![3, 4, 5, 6, 0, 1, 2]);
        assert_eq!(select(&net, &KolRule::KCore, 5), vec![3, 4, 5, 6, 0]);
    }

    #[test]
    fn complete_graph_pagerank_is_uniform() {
        let pr = pagerank(&Network::complete(10), 0.85, 1e-14, 100);
        assert!(pr.iter().all(|x| (x - 0.1).abs() < 1e-12));
    }

    #[test]
    fn rank_by_orders_as_total_cmp_then_index() {
        let v = [
            1.0,
            f64::NAN,
            -0.0,
            0.0,
            f64::INFINITY,
            -f64::NAN,
            f64::NEG_INFINITY,
            1.0,
            -2.5,
            1e-300,
            -1e-300,
            2.0,
            1.0,
        ];
        let mut want: Vec<u32> = (0..v.len() as u32).collect();
        want.sort_by(|&a, &b| v[b as usize].total_cmp(&v[a as usize]).then(a.cmp(&b)));
        assert_eq!(rank_by(&v), want);
    }
}
