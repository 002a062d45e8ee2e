//! The sentinel-set variant for high-influence settings (after HIST, Guo, Wang, Wei & Chen
//! 2020, "Influence maximization revisited: efficient reverse reachable set generation with
//! bound tightened").
//!
//! When one cascade reaches a large share of the network (independent cascade with β = 0.1 on
//! a BA graph: a third of it), every RR set is huge and plain OPIM-C needs gigabytes. The
//! sets are huge because they are explored to the end although a good seed set covers them
//! after a few steps. The variant:
//!
//! 1. **Sentinel set.** A small pilot collection of RR sets (`max(64, ⌈3 ln(1/δ)⌉)`
//!    sets, own [`crate::rng::Purpose::RrSentinel`] streams, each search stopped after
//!    [`PILOT_LIMIT`]` · max(`[`AUTO_MIN_SIZE`]`, n/100)` members); greedy on it picks up to
//!    `max(1, k/4)` physicians and keeps the prefix whose seeds each cover at least
//!    [`MIN_GAIN`] pilot sets (the hubs every good set contains; a seed that covers one pilot
//!    set is noise). This set `T` is part of the answer.
//! 2. **Truncated RR sets.** The certificate's two collections are sampled with searches that
//!    stop at the first member of `T` they reach ([`super::rr::Outcome::Hit`]): such a set is
//!    covered by every `S ⊇ T`, whatever the rest of it is. For `S ⊇ T` the coverage of a
//!    truncated collection therefore equals the coverage of the full one, set by set.
//! 3. **The rest**: greedy picks `k − |T|` more seeds on the truncated sets, with the hits
//!    counted as covered in advance.
//!
//! # The combined certificate
//! Lower bound: `S = T ∪ S'` and `S ⊇ T`, so the validation collection's coverage of `S`
//! (hits plus stored sets covered by `S'`) is the full-set coverage — the OPIM-C lower bound
//! applies unchanged. Upper bound on the best `k`-set `O` (which need not contain `T`):
//! `Cov(O) ≤ Cov(O ∪ A) ≤ Cov(A) + Σ_{v∈O} Δ(v | A)` for `A = T ∪ S'_i`, and both terms are
//! exact on truncated sets because `A ⊇ T`. So the certified ratio is the same statement as
//! plain OPIM-C's, with the same `δ` (the choice of `T` uses independent streams and needs no
//! probability). What is lost is only tightness: the bound cannot use `A = ∅`.
//!
//! With spontaneous adoption (`p > 0`) a truncated set that hits `T` may also contain the
//! virtual source, which the search no longer sees; the certificate is then stated on `σ`
//! itself (baseline included, pre-covered sets count as covered in both bounds) rather than on
//! the seeds' own addition, and says so.
//!
//! The pilot also sizes the certificate's first round: where its sets say that a search
//! explores many members (counted up to the first sentinel, where the search will stop),
//! [`OpimOptions::min_sets`] is lowered to what [`super::options::FIRST_ROUND_WORK`] allows
//! ([`Scouting::cost`]); the rounds then double from there, as in OPIM-C.
//!
//! HIST picks the sentinel set with its own ratio test and fills it with high out-degree
//! nodes when the pilot sets are all covered; kolsim's rule above is simpler. With
//! [`Sentinel::Auto`] the variant runs only when the pilot sets are large (on average
//! `≥ max(`[`AUTO_MIN_SIZE`]`, n/100)` members, or at least [`AUTO_SHARE`] of them stopped at
//! the member limit) and some seed covers [`MIN_GAIN`] pilot sets.

use super::collection::{Collection, Source, greedy};
use super::mixture::Mixture;
use super::options::OpimOptions;
pub use super::options::Sentinel;
use crate::rng::Purpose;

/// Pilot sets per stream batch.
pub const PILOT_BATCH: u64 = 8;

/// Fewest pilot sets a sentinel must cover (marginally) to be kept.
pub const MIN_GAIN: u64 = 2;

/// Smallest mean pilot-set size for [`Sentinel::Auto`] to use the variant.
pub const AUTO_MIN_SIZE: f64 = 256.0;

/// Share of pilot searches reaching the member limit that makes [`Sentinel::Auto`] use the
/// variant (whatever the mean size).
pub const AUTO_SHARE: f64 = 0.05;

/// Pilot searches stop after `PILOT_LIMIT · max(AUTO_MIN_SIZE, n/100)` members (the members
/// nearest the root): a full search can cover the whole network (count-form imitation over 24
/// steps does), and the pilot only has to find the hubs near every root.
pub const PILOT_LIMIT: f64 = 1.0;

/// The sentinel set and what the pilot collection says about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pilot {
    /// The sentinel set, in greedy order.
    pub set: Vec<u32>,
    /// Estimated objective of each prefix of the sentinel set (baseline included), from the
    /// pilot sets: a rough estimate (few sets, searches stopped at the member limit, which
    /// can only under-count).
    pub prefix: Vec<f64>,
    /// Estimated objective with no seed, from the pilot sets (rough, as `prefix`).
    pub baseline: f64,
    /// Pilot sets sampled.
    pub sets: u64,
    /// Their mean size (stored ones).
    pub mean_size: f64,
    /// Seconds.
    pub seconds: f64,
}

/// What the pilot collection says before the certificate's sampling starts.
#[derive(Debug, Clone, Default)]
pub struct Scouting {
    /// The sentinel set (`None`: plain OPIM-C).
    pub pilot: Option<Pilot>,
    /// Estimated members one certificate search explores (`None`: no pilot was sampled):
    /// the pilot sets' mean size, each counted only up to its first sentinel when there is
    /// a sentinel set (searches stop there). An under-estimate where pilot searches ran into
    /// their member limit.
    pub cost: Option<f64>,
}

/// Phase 1: samples the pilot collection, picks the sentinel set (none: use plain OPIM-C)
/// and estimates the cost of one certificate search. `k` is the number of seeds, `delta` the
/// failure probability, `norm` the objective's scale (`n` or `n·(H+1)`), `cap` the most pilot
/// members to store. No pilot (an empty [`Scouting`]) with [`Sentinel::Off`] or `k < 2`.
pub fn choose(g: &Mixture, o: &OpimOptions, k: usize, delta: f64, norm: f64, cap: u64) -> Scouting {
    if o.sentinel == Sentinel::Off || k < 2 {
        return Scouting::default();
    }
    let t0 = std::time::Instant::now();
    let n = g.n();
    let want = ((3.0 * (1.0 / delta).ln()).ceil() as u64).max(64);
    let large = AUTO_MIN_SIZE.max(n as f64 / 100.0);
    let src = Source {
        g,
        objective: o.objective,
        seed: o.seed,
        purpose: Purpose::RrSentinel,
        c: 0,
        batch: PILOT_BATCH,
        stop: None,
        limit: (PILOT_LIMIT * large) as usize,
    };
    let (coll, _) = src.sample_capped(0..want.div_ceil(PILOT_BATCH), cap);
    let mean = coll.mean_size();
    // Large: on average, or a sizeable share of the searches ran into the member limit
    // (a third of the roots reach a giant cascade, the rest tiny ones: the mean misleads).
    let at_limit = (0..coll.stored())
        .filter(|&s| coll.set(s).len() >= src.limit)
        .count();
    let is_large = mean >= large || at_limit as f64 >= AUTO_SHARE * coll.stored() as f64;
    let plain = Scouting {
        pilot: None,
        cost: Some(mean),
    };
    if o.sentinel == Sentinel::Auto && !is_large {
        return plain;
    }
    let bmax = (k / 4).max(1);
    let gr = greedy(&coll, n, bmax, o.candidates.as_deref());
    let b = gr.gains.iter().take_while(|&&x| x >= MIN_GAIN).count();
    if b == 0 {
        return plain;
    }
    let set = gr.seeds[..b].to_vec();
    let per = norm / coll.theta as f64;
    let prefix = prefix_estimates(&coll, &set, n, per);
    Scouting {
        cost: Some(cost_with_stop(&coll, &set, n)),
        pilot: Some(Pilot {
            set,
            prefix,
            baseline: coll.precovered as f64 * per,
            sets: coll.theta,
            mean_size: mean,
            seconds: t0.elapsed().as_secs_f64(),
        }),
    }
}

/// Mean members a search explores when it stops at the first member of `stop`: each stored
/// pilot set counted up to and including its first member of `stop` (sets are stored in the
/// order the search settles them).
fn cost_with_stop(coll: &Collection, stop: &[u32], n: usize) -> f64 {
    let mut is = vec![false; n];
    for &v in stop {
        is[v as usize] = true;
    }
    let explored: usize = (0..coll.stored())
        .map(|s| {
            let set = coll.set(s);
            set.iter()
                .position(|&v| is[v as usize])
                .map_or(set.len(), |i| i + 1)
        })
        .sum();
    explored as f64 / coll.stored().max(1) as f64
}

/// Objective estimates of each prefix of `set` from full sets (baseline included).
fn prefix_estimates(coll: &Collection, set: &[u32], n: usize, per: f64) -> Vec<f64> {
    coll.prefix_coverage(set, n)
        .iter()
        .map(|&c| (c + coll.precovered) as f64 * per)
        .collect()
}
