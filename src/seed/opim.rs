//! The OPIM-C driver (Tang, Tang, Xiao & Yuan 2018): two independent collections of RR sets,
//! greedy max-coverage on the first, a lower bound on the chosen set's spread from the second,
//! an upper bound on the optimum from the first, doubling until the certified ratio reaches
//! `1 − 1/e − ε` (or the worst-case number of sets is reached).
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

use super::budget::{BestOfTwo, Budget, budget_greedy};
use super::collection::Source;
pub use super::collection::{BATCH, Collection, Greedy, greedy, greedy_from, sample_batches};
use super::rr::ReverseGraph;
use super::sentinel::{self, Pilot, Sentinel};
use crate::rng::Purpose;

/// What is maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Expected adopters by step `H` (seeds included).
    Adopters,
    /// Expected adopter-steps `Σ_{t=0}^{H} adopters(t)`: the area under the adoption curve,
    /// rewarding speed (RR sets with a deadline uniform on `0..=H`).
    AdopterSteps,
}

impl Objective {
    /// Parses `adopters` or `adopter-steps`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "adopters" => Some(Objective::Adopters),
            "adopter-steps" | "adopter_steps" | "auc" => Some(Objective::AdopterSteps),
            _ => None,
        }
    }

    /// How the objective is named in outputs.
    pub fn label(self, h: u32) -> String {
        match self {
            Objective::Adopters => format!("adopters by step {h}"),
            Objective::AdopterSteps => format!("adopter-steps over steps 0..{h}"),
        }
    }
}

/// Settings of one optimisation.
#[derive(Debug, Clone)]
pub struct OpimOptions {
    /// Number of seeds (ignored with a budget).
    pub k: usize,
    /// ε in the target ratio `1 − 1/e − ε`.
    pub epsilon: f64,
    /// Failure probability δ (`None`: `1/n`).
    pub delta: Option<f64>,
    /// The objective.
    pub objective: Objective,
    /// Master seed (RR-set streams).
    pub seed: u64,
    /// Physicians allowed as seeds (`None`: everyone).
    pub candidates: Option<Vec<bool>>,
    /// Fewest RR sets per collection in the first round ([`MIN_SETS`] by default): small
    /// networks reach the certificate with a few hundred sets, but more sets cost little
    /// there and give better seeds. Starting higher keeps the bounds valid (the number of
    /// rounds in the union bound is computed from it).
    pub min_sets: u64,
    /// Per-physician costs and a budget instead of `k` ([`super::budget`]).
    pub budget: Option<Budget>,
    /// The sentinel-set variant ([`super::sentinel`]; not with a budget).
    pub sentinel: Sentinel,
    /// Most RR-set members stored by the two collections together ([`MAX_NODES`] by default).
    pub max_nodes: u64,
}

impl Default for OpimOptions {
    /// One seed, ε = 0.1, δ = 1/n, adopters, seed 0, everyone a candidate, [`MIN_SETS`],
    /// no budget, [`Sentinel::Auto`], [`MAX_NODES`].
    fn default() -> Self {
        OpimOptions {
            k: 1,
            epsilon: 0.1,
            delta: None,
            objective: Objective::Adopters,
            seed: 0,
            candidates: None,
            min_sets: MIN_SETS,
            budget: None,
            sentinel: Sentinel::Auto,
            max_nodes: MAX_NODES,
        }
    }
}

/// Default [`OpimOptions::min_sets`].
pub const MIN_SETS: u64 = 1 << 14;

/// Default [`OpimOptions::max_nodes`]: 2^27 members (512 MiB of `u32`, plus the greedy's
/// inverse index of the first collection, 256 MiB).
pub const MAX_NODES: u64 = 1 << 27;

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
    /// inside the sentinel set are rough estimates from the pilot sets.
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

/// Runs OPIM-C on `g` (see the module docs).
pub fn opim_c(g: &ReverseGraph, o: &OpimOptions) -> Certified {
    let t0 = std::time::Instant::now();
    let n = g.n();
    let cands = o.candidates.as_deref();
    let nc = cands.map_or(n, |c| c.iter().filter(|&&x| x).count());
    let budget = o.budget.as_ref();
    // The size of the largest feasible set: k, or as many of the cheapest as fit.
    let k = match budget {
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
    let target = if budget.is_some() {
        (e1 - eps) / 2.0
    } else {
        e1 - eps
    };
    let pilot = match budget {
        None => sentinel::choose(g, o, k, delta, norm, o.max_nodes / 4),
        Some(_) => None,
    };
    let fixed: Vec<u32> = pilot.as_ref().map(|p| p.set.clone()).unwrap_or_default();
    let stop: Option<Vec<bool>> = (!fixed.is_empty()).then(|| {
        let mut m = vec![false; n];
        for &v in &fixed {
            m[v as usize] = true;
        }
        m
    });
    // Candidates for the rest: the sentinels are chosen already.
    let rest_cands: Option<Vec<bool>> = match (&stop, cands) {
        (None, _) => None,
        (Some(s), c) => Some((0..n).map(|v| !s[v] && c.is_none_or(|c| c[v])).collect()),
    };
    let sel_cands = rest_cands.as_deref().or(cands);
    let on_sigma = !fixed.is_empty() && g.spontaneous() > 0.0;
    let alpha = (6.0 / delta).ln().sqrt();
    let beta = (e1 * (ln_choose(nc, k) + (6.0 / delta).ln())).sqrt();
    let base = 2.0 * (e1 * alpha + beta).powi(2);
    let max_r = base * norm / (k as f64 * eps * eps);
    let batches0 = (base.max(o.min_sets.min(max_r.ceil() as u64) as f64) / BATCH as f64)
        .ceil()
        .max(1.0) as u64;
    let i_max = ((max_r / (batches0 * BATCH) as f64).log2().ceil().max(0.0) as u32) + 1;
    let a = (3.0 * i_max as f64 / delta).ln();
    let src = |c| Source {
        g,
        objective: o.objective,
        seed: o.seed,
        purpose: Purpose::RrSets,
        c,
        batch: BATCH,
        stop: stop.as_deref(),
        limit: 0,
    };
    let (mut r1, mut r2) = (Collection::new(), Collection::new());
    let mut have = 0u64;
    let mut round = 0;
    loop {
        let want = batches0 << round;
        let cap = o.max_nodes / 2;
        let (c1, end) = src(0).sample_capped(have..want, cap.saturating_sub(r1.nodes.len() as u64));
        r1.append(c1);
        let (c2, _) = src(1).sample_capped(have..end, cap.saturating_sub(r2.nodes.len() as u64));
        r2.append(c2);
        let capped = end < want || r2.theta < r1.theta;
        have = end;
        round += 1;
        let base1 = r1.hits + if on_sigma { r1.precovered } else { 0 };
        let base2 = r2.hits + if on_sigma { r2.precovered } else { 0 };
        let (picked, upper_cov, choice) = match budget {
            None => {
                let gr = greedy_from(&r1, n, k - fixed.len(), k, sel_cands, base1);
                (gr.seeds, gr.upper, None)
            }
            Some(b) => {
                let bg = budget_greedy(&r1, n, b, cands);
                (bg.seeds, bg.upper, Some(bg.choice))
            }
        };
        let theta = r1.theta as f64;
        let lam2 = (base2 + r2.coverage(&picked, n)) as f64;
        let lower =
            (((lam2 + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt()).powi(2) - a / 18.0).max(0.0) * norm
                / r2.theta as f64;
        let upper = ((upper_cov + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2) * norm / theta;
        let ratio = if upper > 0.0 { lower / upper } else { 1.0 };
        if ratio >= target || round >= i_max || capped {
            let per = norm / r2.theta as f64;
            let known = r2.hits + r2.precovered;
            let mut spread_so_far: Vec<f64> =
                pilot.as_ref().map(|p| p.prefix.clone()).unwrap_or_default();
            // The whole sentinel set's value is known exactly from the validation sets.
            if let Some(last) = spread_so_far.last_mut() {
                *last = known as f64 * per;
            }
            spread_so_far.extend(
                r2.prefix_coverage(&picked, n)
                    .iter()
                    .map(|&c| (c + known) as f64 * per),
            );
            let baseline = match &pilot {
                Some(p) => p.baseline,
                None => r2.precovered as f64 * per,
            };
            let budget = budget.zip(choice).map(|(b, mut c)| {
                let per1 = norm / theta;
                c.greedy_value = (c.greedy_value + r1.precovered as f64) * per1;
                c.single_value = (c.single_value + r1.precovered as f64) * per1;
                BudgetReport {
                    budget: b.budget,
                    spent: b.cost_of(&picked),
                    best_of_two: c,
                }
            });
            let mut seeds = fixed;
            seeds.extend_from_slice(&picked);
            return Certified {
                spread: spread_so_far.last().copied().unwrap_or(baseline),
                spread_so_far,
                baseline,
                seeds,
                lower,
                upper_opt: upper,
                ratio,
                certified_on: if on_sigma { ON_SIGMA } else { ON_ADDITION },
                target,
                reached: ratio >= target,
                stopped: if ratio >= target {
                    "target reached"
                } else if capped {
                    "memory cap on stored RR-set members"
                } else {
                    "worst-case number of RR sets"
                },
                delta,
                epsilon: eps,
                rr_sets: r1.theta,
                precovered: r2.precovered,
                mean_rr_size: r1.mean_size(),
                stored_nodes: (r1.nodes.len() + r2.nodes.len()) as u64,
                rounds: round,
                seconds: t0.elapsed().as_secs_f64(),
                budget,
                sentinel_hits: r1.hits as f64 / theta,
                sentinel: pilot,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_choose_small() {
        assert!((ln_choose(5, 2) - 10f64.ln()).abs() < 1e-12);
        assert_eq!(ln_choose(5, 0), 0.0);
    }
}
