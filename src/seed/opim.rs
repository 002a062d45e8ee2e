//! The OPIM-C driver (Tang, Tang, Xiao & Yuan 2018): two independent collections of RR sets,
//! greedy max-coverage on the first, a lower bound on the chosen set's spread from the second,
//! an upper bound on the optimum from the first, doubling until the certified ratio reaches
//! `1 − 1/e − ε` (or the worst-case number of sets is reached). Where the pilot of
//! [`super::sentinel`] says the sets are large, the sampling starts from the theory's own
//! size and grows by `√2` per round instead ([`FINE_GROWTH`]); `i_max` then counts the
//! points of that grid.
//!
//! # What is certified
//! The ratio is certified for the seeds' **own** contribution `g(S) = σ(S ∪ {z}) − σ({z})`,
//! where `z` is the virtual source of spontaneous adoption (`g = σ` when the model has none):
//! pre-covered RR sets count in `θ` but never as covered. This is the stricter statement (the
//! ratio on `σ` itself, which includes the baseline `σ({z})`, is higher).
//!
//! With probability at least `1 − δ` (default `δ = 1/n`), `g(S) ≥ ratio · g(S°)` for the best
//! set `S°` of `k` candidates. Bounds, with `Λ₂ = Cov_{R₂}(S)`, `Λ₁ᵘ` the greedy upper bound on
//! the best coverage of `R₁` (the minimum over greedy steps `i` of `Cov(S_i)` plus the `k`
//! largest marginal coverages), `a = ln(3·i_max/δ)`:
//! `g_lo = ((√(Λ₂ + 2a/9) − √(a/2))² − a/18) · N/θ₂`,
//! `g_up = (√(Λ₁ᵘ + a/2) + √(a/2))² · N/θ₁`, ratio `= g_lo / g_up`. `N` is `n` (adopters by
//! `H`) or `n·(H+1)` (adopter-steps).
//!
//! # Budgets, sentinel sets, memory
//! With [`OpimOptions::budget`] the greedy is the budgeted best-of-two of [`super::budget`]
//! and the upper bound a fractional knapsack; the target is `(1 − 1/e − ε)/2`. With
//! [`OpimOptions::sentinel`] the collections are truncated at a sentinel set
//! ([`super::sentinel`]; `k` seeds only). Sampling stops once the two collections store
//! [`OpimOptions::max_nodes`] members together (checked between fixed chunks of batches),
//! and the certificate then says it stopped at the memory cap.
//!
//! # Determinism
//! RR sets come in batches of [`BATCH`]; batch `b` of collection `c ∈ {0, 1}` draws from
//! `rng::stream(seed, Purpose::RrSets, 2b + c)`. Batches run in parallel and are concatenated
//! in index order, so the collections, the seeds and every printed number are identical for
//! any number of threads. The greedy breaks ties by the lower physician index.

use super::budget::{BestOfTwo, budget_greedy};
use super::collection::Source;
pub use super::collection::{BATCH, Collection, Greedy, greedy, greedy_from, sample_batches};
use super::mixture::Mixture;
pub use super::objective::Objective;
pub use super::options::{FIRST_ROUND_WORK, MAX_NODES, MIN_SETS, OpimOptions};
use super::rr::ReverseGraph;
use super::sentinel::{self, Pilot, Scouting};
use crate::rng::Purpose;

/// The budgeted selection, in objective units.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BudgetReport {
    /// The budget `B`.
    pub budget: f64,
    /// The chosen seeds' total cost.
    pub spent: f64,
    /// Best of two, values as objective estimates from the selection collection
    /// (baseline included).
    pub best_of_two: BestOfTwo,
}

/// The seeds OPIM-C chose, with the certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Certified {
    /// Seeds in greedy order (the sentinel set first, if any).
    pub seeds: Vec<u32>,
    /// Estimated objective after each prefix of the seeds, from the validation collection
    /// (unbiased), including the baseline `σ(∅)` of spontaneous adoption. Prefixes strictly
    /// inside the sentinel set come from the pilot sets, scaled so that the whole sentinel set
    /// has its validation value (one sample, non-negative gains).
    pub spread_so_far: Vec<f64>,
    /// Estimated objective with no seed at all (spontaneous adoption only).
    pub baseline: f64,
    /// Estimated objective of the seeds, `σ(S)` (baseline included).
    pub spread: f64,
    /// Lower bound on the certified quantity of the seeds ([`Certified::certified_on`]),
    /// with probability ≥ 1 − δ.
    pub lower: f64,
    /// Upper bound on the same quantity for the best `k`-set (or best set within the budget).
    pub upper_opt: f64,
    /// Certified ratio `lower / upper_opt`.
    pub ratio: f64,
    /// What the ratio is about.
    pub certified_on: &'static str,
    /// The target: `1 − 1/e − ε`, or `(1 − 1/e − ε)/2` with a budget.
    pub target: f64,
    /// Whether the ratio reached the target.
    pub reached: bool,
    /// Why sampling stopped.
    pub stopped: &'static str,
    /// δ.
    pub delta: f64,
    /// ε.
    pub epsilon: f64,
    /// RR sets in the selection collection (θ₁).
    pub rr_sets: u64,
    /// Of the validation collection's sets, pre-covered.
    pub precovered: u64,
    /// Mean stored RR-set size (selection collection; truncated sets with a sentinel set).
    pub mean_rr_size: f64,
    /// RR-set members stored, both collections.
    pub stored_nodes: u64,
    /// Doubling rounds run.
    pub rounds: u32,
    /// Seconds sampling RR sets and selecting (the pilot phase included).
    pub seconds: f64,
    /// The budgeted selection (`None`: `k` seeds).
    pub budget: Option<BudgetReport>,
    /// The sentinel set and its pilot phase (`None`: plain OPIM-C).
    pub sentinel: Option<Pilot>,
    /// With a sentinel set: the share of the selection collection's sets that hit it.
    pub sentinel_hits: f64,
}

/// `ln C(n, k)`.
fn ln_choose(n: usize, k: usize) -> f64 {
    let k = k.min(n.saturating_sub(k));
    (0..k).map(|i| ((n - i) as f64 / (k - i) as f64).ln()).sum()
}

/// What the certificate is about, by case.
const ON_ADDITION: &str =
    "the seeds' own addition sigma(S) - sigma(empty) (spontaneous adoption is a virtual source)";
const ON_SIGMA: &str =
    "sigma(S) itself, spontaneous baseline included (sentinel sets hide the virtual source)";

/// The first round's floor on RR sets per collection: `min_sets`, lowered where the pilot
/// estimates that many searches would explore more than [`FIRST_ROUND_WORK`] members (large
/// searches: the extra sets only cost time there; the theory's own start still applies). The
/// estimate comes from the pilot's own random streams, so the number of rounds in the union
/// bound is fixed before the certificate's sets are drawn.
fn affordable(min_sets: u64, cost: Option<f64>) -> u64 {
    match cost {
        Some(c) if c * min_sets as f64 > FIRST_ROUND_WORK => (FIRST_ROUND_WORK / c) as u64,
        _ => min_sets,
    }
}

/// Growth per round of the finer grid (high influence): `√2`, so that the last round
/// samples at most about 41% more sets than the first size that certifies, instead of up
/// to twice as many. The union bound counts every point of the grid up to the worst case
/// (`fine_rounds`), which costs a little in `a = ln(3·i_max/δ)` (about 1 in 18 at
/// `δ = 10⁻⁶`).
pub const FINE_GROWTH: f64 = std::f64::consts::SQRT_2;

/// Batches per collection after round `i` (0-based) of the finer grid from `b0` batches:
/// `max(w(i−1) + 1, ⌈b0 · FINE_GROWTH^i⌉)` (even powers exact), strictly increasing and
/// fixed in advance.
fn fine_batches(b0: u64, i: u32) -> u64 {
    let mut w = b0;
    for j in 1..=i.min(120) {
        let even = b0.saturating_mul(1u64 << (j / 2).min(62));
        let point = if j % 2 == 0 {
            even
        } else {
            (even as f64 * FINE_GROWTH).ceil() as u64
        };
        w = (w + 1).max(point);
    }
    w
}

/// The number of rounds of the finer grid from `b0` batches until one holds `max_r` sets
/// (the `i_max` of the union bound).
fn fine_rounds(b0: u64, max_r: f64) -> u32 {
    let mut i = 0;
    while i < 120 && (fine_batches(b0, i).saturating_mul(BATCH) as f64) < max_r {
        i += 1;
    }
    i + 1
}

/// Runs OPIM-C on `g` (see the module docs).
pub fn opim_c(g: &ReverseGraph, o: &OpimOptions) -> Certified {
    opim_mix(&Mixture::single(g), o)
}

/// The sampling plan: sizes, the number of rounds, the sentinel set.
struct Plan {
    n: usize,
    k: usize,
    norm: f64,
    delta: f64,
    target: f64,
    batches0: u64,
    /// Rounds grow on the grid of ratio [`FINE_GROWTH`] ([`fine_batches`]) instead of
    /// doubling.
    fine: bool,
    i_max: u32,
    /// `ln(3 i_max / δ)`.
    a: f64,
    pilot: Option<Pilot>,
    /// The sentinel set (empty: none), and its mask.
    fixed: Vec<u32>,
    stop: Option<Vec<bool>>,
    /// Candidates for the greedy after the sentinel set.
    rest_cands: Option<Vec<bool>>,
    /// Certificate on `σ` itself (sentinel set with spontaneous adoption).
    on_sigma: bool,
}

impl Plan {
    fn new(g: &Mixture, o: &OpimOptions) -> Self {
        let n = g.n();
        let cands = o.candidates.as_deref();
        let nc = cands.map_or(n, |c| c.iter().filter(|&&x| x).count());
        // The size of the largest feasible set: k, or as many of the cheapest as fit.
        let k = match &o.budget {
            None => o.k.min(nc).max(1),
            Some(b) => b.max_count(cands).max(1),
        };
        let norm = match o.objective {
            Objective::Adopters => n as f64,
            Objective::AdopterSteps => n as f64 * (g.horizon() as f64 + 1.0),
        };
        let delta = o.delta.unwrap_or(1.0 / n.max(2) as f64);
        let eps = o.epsilon;
        let e1 = 1.0 - (-1.0f64).exp();
        let target = if o.budget.is_some() {
            (e1 - eps) / 2.0
        } else {
            e1 - eps
        };
        let scout = match o.budget {
            None => sentinel::choose(g, o, k, delta, norm, o.max_nodes / 4),
            Some(_) => Scouting::default(),
        };
        // High influence: the theory's own start and the finer grid, so that the sets
        // sampled stay close to what the certificate needs (each set is costly).
        let fine = scout.large;
        let min_sets = if fine {
            0
        } else {
            affordable(o.min_sets, scout.cost)
        };
        let pilot = scout.pilot;
        let fixed: Vec<u32> = pilot.as_ref().map(|p| p.set.clone()).unwrap_or_default();
        let stop: Option<Vec<bool>> = (!fixed.is_empty()).then(|| {
            let mut m = vec![false; n];
            for &v in &fixed {
                m[v as usize] = true;
            }
            m
        });
        let rest_cands = stop.as_ref().map(|s| {
            (0..n)
                .map(|v| !s[v] && cands.is_none_or(|c| c[v]))
                .collect()
        });
        let alpha = (6.0 / delta).ln().sqrt();
        let beta = (e1 * (ln_choose(nc, k) + (6.0 / delta).ln())).sqrt();
        let base = 2.0 * (e1 * alpha + beta).powi(2);
        let max_r = base * norm / (k as f64 * eps * eps);
        let batches0 = (base.max(min_sets.min(max_r.ceil() as u64) as f64) / BATCH as f64)
            .ceil()
            .max(1.0) as u64;
        let i_max = if fine {
            fine_rounds(batches0, max_r)
        } else {
            ((max_r / (batches0 * BATCH) as f64).log2().ceil().max(0.0) as u32) + 1
        };
        Plan {
            n,
            k,
            norm,
            delta,
            target,
            batches0,
            fine,
            i_max,
            a: (3.0 * i_max as f64 / delta).ln(),
            on_sigma: !fixed.is_empty() && g.spontaneous(),
            pilot,
            fixed,
            stop,
            rest_cands,
        }
    }
}

/// One round's selection and bounds.
struct Round {
    picked: Vec<u32>,
    choice: Option<BestOfTwo>,
    lower: f64,
    upper: f64,
    ratio: f64,
}

/// Greedy on `r1`, lower bound from `r2`, upper bound from `r1`.
fn select(p: &Plan, o: &OpimOptions, r1: &Collection, r2: &Collection) -> Round {
    let base1 = r1.hits + if p.on_sigma { r1.precovered } else { 0 };
    let base2 = r2.hits + if p.on_sigma { r2.precovered } else { 0 };
    let sel_cands = p.rest_cands.as_deref().or(o.candidates.as_deref());
    let (picked, upper_cov, choice) = match &o.budget {
        None => {
            let gr = greedy_from(r1, p.n, p.k - p.fixed.len(), p.k, sel_cands, base1);
            (gr.seeds, gr.upper, None)
        }
        Some(b) => {
            let bg = budget_greedy(r1, p.n, b, o.candidates.as_deref());
            (bg.seeds, bg.upper, Some(bg.choice))
        }
    };
    let a = p.a;
    let lam2 = (base2 + r2.coverage(&picked, p.n)) as f64;
    let lower = (((lam2 + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt()).powi(2) - a / 18.0).max(0.0)
        * p.norm
        / r2.theta as f64;
    let upper =
        ((upper_cov + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2) * p.norm / r1.theta as f64;
    let ratio = if upper > 0.0 { lower / upper } else { 1.0 };
    Round {
        picked,
        choice,
        lower,
        upper,
        ratio,
    }
}

/// Runs OPIM-C on the mixture `g` (one theory: [`opim_c`]; see the module docs).
pub fn opim_mix(g: &Mixture, o: &OpimOptions) -> Certified {
    let t0 = std::time::Instant::now();
    let p = Plan::new(g, o);
    let src = |c| Source {
        g,
        objective: o.objective,
        seed: o.seed,
        purpose: Purpose::RrSets,
        c,
        batch: BATCH,
        stop: p.stop.as_deref(),
        limit: 0,
    };
    let (mut r1, mut r2) = (Collection::new(), Collection::new());
    let mut have = 0u64;
    let mut rounds = 0;
    loop {
        let want = if p.fine {
            fine_batches(p.batches0, rounds)
        } else {
            p.batches0 << rounds
        };
        let cap = o.max_nodes / 2;
        let (c1, end) = src(0).sample_capped(have..want, cap.saturating_sub(r1.nodes.len() as u64));
        r1.append(c1);
        let (c2, _) = src(1).sample_capped(have..end, cap.saturating_sub(r2.nodes.len() as u64));
        r2.append(c2);
        let capped = end < want || r2.theta < r1.theta;
        have = end;
        rounds += 1;
        let round = select(&p, o, &r1, &r2);
        if round.ratio >= p.target || rounds >= p.i_max || capped {
            let stopped = if round.ratio >= p.target {
                "target reached"
            } else if capped {
                "memory cap on stored RR-set members"
            } else {
                "worst-case number of RR sets"
            };
            let mut c = finish(p, o, &r1, &r2, round, stopped);
            c.rounds = rounds;
            c.seconds = t0.elapsed().as_secs_f64();
            return c;
        }
    }
}

/// The certificate of the last round.
fn finish(
    p: Plan,
    o: &OpimOptions,
    r1: &Collection,
    r2: &Collection,
    round: Round,
    stopped: &'static str,
) -> Certified {
    let theta = r1.theta as f64;
    let per = p.norm / r2.theta as f64;
    let known = r2.hits + r2.precovered;
    let mut spread_so_far: Vec<f64> = p
        .pilot
        .as_ref()
        .map(|p| p.prefix.clone())
        .unwrap_or_default();
    // The whole sentinel set's value is known exactly from the validation sets; its prefixes
    // (and the baseline) only from the pilot sets, which under-count: they are scaled by the
    // same factor, so that every prefix comes from one sample and the gains stay positive.
    let mut scale = 1.0;
    if let Some(&last) = spread_so_far.last()
        && last > 0.0
    {
        scale = known as f64 * per / last;
        for x in &mut spread_so_far {
            *x *= scale;
        }
    }
    spread_so_far.extend(
        r2.prefix_coverage(&round.picked, p.n)
            .iter()
            .map(|&c| (c + known) as f64 * per),
    );
    let baseline = match &p.pilot {
        Some(pl) => pl.baseline * scale,
        None => r2.precovered as f64 * per,
    };
    let budget = o.budget.as_ref().zip(round.choice).map(|(b, mut c)| {
        let per1 = p.norm / theta;
        c.greedy_value = (c.greedy_value + r1.precovered as f64) * per1;
        c.single_value = (c.single_value + r1.precovered as f64) * per1;
        BudgetReport {
            budget: b.budget,
            spent: b.cost_of(&round.picked),
            best_of_two: c,
        }
    });
    let mut seeds = p.fixed;
    seeds.extend_from_slice(&round.picked);
    Certified {
        spread: spread_so_far.last().copied().unwrap_or(baseline),
        spread_so_far,
        baseline,
        seeds,
        lower: round.lower,
        upper_opt: round.upper,
        ratio: round.ratio,
        certified_on: if p.on_sigma { ON_SIGMA } else { ON_ADDITION },
        target: p.target,
        reached: round.ratio >= p.target,
        stopped,
        delta: p.delta,
        epsilon: o.epsilon,
        rr_sets: r1.theta,
        precovered: r2.precovered,
        mean_rr_size: r1.mean_size(),
        stored_nodes: (r1.nodes.len() + r2.nodes.len()) as u64,
        rounds: 0,
        seconds: 0.0,
        budget,
        sentinel_hits: r1.hits as f64 / theta,
        sentinel: p.pilot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_round_keeps_min_sets_for_small_searches_only() {
        assert_eq!(affordable(MIN_SETS, None), MIN_SETS);
        assert_eq!(affordable(MIN_SETS, Some(10.9)), MIN_SETS);
        // Searches of 1,024 members: 2^21 / 2^10 = 2,048 sets in the first round.
        assert_eq!(affordable(MIN_SETS, Some(1024.0)), 2048);
        assert_eq!(affordable(0, Some(1e9)), 0);
    }

    #[test]
    fn fine_grid_grows_by_sqrt2_and_counts_its_rounds() {
        let w: Vec<u64> = (0..6).map(|i| fine_batches(4, i)).collect();
        assert_eq!(w, vec![4, 6, 8, 12, 16, 23]);
        // Strictly increasing even from one batch.
        let w: Vec<u64> = (0..4).map(|i| fine_batches(1, i)).collect();
        assert_eq!(w, vec![1, 2, 3, 4]);
        // 4 batches = 1,024 sets already hold 1,000: one round.
        assert_eq!(fine_rounds(4, 1000.0), 1);
        // 6,144 sets need the round of 24 batches or more: 4, 6, 8, 12, 16, 23, 32.
        assert_eq!(fine_rounds(4, 6144.0), 7);
        // About twice the rounds of doubling.
        let doubling = ((1e9f64 / 1024.0).log2().ceil() as u32) + 1;
        let fine = fine_rounds(4, 1e9);
        assert!(
            fine >= 2 * doubling - 3 && fine <= 2 * doubling + 1,
            "{fine} vs {doubling}"
        );
    }

    #[test]
    fn ln_choose_small() {
        assert!((ln_choose(5, 2) - 10f64.ln()).abs() < 1e-12);
        assert_eq!(ln_choose(5, 0), 0.0);
    }
}
