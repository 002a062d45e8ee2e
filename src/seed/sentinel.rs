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
//!    [`PILOT_LIMIT`]` · max(`[`AUTO_MIN_SIZE`]`, n/100)` members, or after a tenth of that
//!    on large networks where the searches are large: [`STAGE_DIV`]); greedy on it picks up to
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
//! # Adaptive size of the sentinel set and of the sampling
//! Where the pilot sets are large, the greedy's prefix is then **filled** (`fill`) with
//! the physicians in the most pilot sets, one at a time, while each cuts the estimated
//! members a search explores before it stops by at least [`FILL_GAIN`], up to
//! `max(1, k/4)` sentinels. On a BA graph of 10⁶ with β = 0.1, one hub leaves the third of
//! the searches that reach the giant component exploring about 1,100 members before they
//! stop; eight hubs, about 190. The pilot sets cannot tell these hubs apart by marginal
//! gain (the first covers every pilot set of the giant component), so this is measured on
//! cost, as HIST fills its sentinel set with high-degree nodes when the pilot sets are all
//! covered.
//!
//! The pilot also sizes the certificate's sampling ([`Scouting`]): where its sets are large
//! ([`Scouting::large`]), the certificate starts from the theory's own number of sets rather
//! than [`OpimOptions::min_sets`] and grows on a grid of ratio `√2` instead of doubling
//! ([`super::opim::FINE_GROWTH`]), so that the sets sampled stay close to what the bound
//! needs. Elsewhere, where a search explores many members (counted up to the first
//! sentinel, where the search will stop), [`OpimOptions::min_sets`] is lowered to what
//! [`super::options::FIRST_ROUND_WORK`] allows ([`Scouting::cost`]) and the rounds double,
//! as in OPIM-C.
//!
//! HIST picks the sentinel set with its own ratio test; kolsim's rule above is simpler. With
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

/// Least relative cut in the estimated members explored per search for `fill` to add one
/// more physician to the sentinel set.
pub const FILL_GAIN: f64 = 0.1;

/// The pilot is sampled first with searches stopped after `PILOT_LIMIT · max(AUTO_MIN_SIZE,
/// n/STAGE_DIV)` members (a tenth of the full limit on large networks; the same limit below
/// `n = 25,600`). If at least [`AUTO_SHARE`] of them reach it, the pilot is large and these
/// sets choose the sentinel set: the hubs near every root are among the first members
/// reached, and exploring ten times more members per giant search (the old pilot, 0.6 s of
/// the 1.15 s RR phase at β = 0.1 on 10⁶) told the fill little more. If none reaches it,
/// every search ended on its own and the pilot is exactly the full-limit one. Otherwise the
/// pilot is sampled again at the full limit. Any sentinel set chosen on the pilot's own
/// streams keeps the certificate valid (module docs).
pub const STAGE_DIV: f64 = 1000.0;

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
    /// The pilot sets are large (high influence): the certificate then starts from the
    /// theory's own number of sets and grows on the finer grid ([`super::opim`]), instead of
    /// starting from [`OpimOptions::min_sets`].
    pub large: bool,
}

/// Phase 1: samples the pilot collection, picks the sentinel set (none: use plain OPIM-C)
/// and estimates the cost of one certificate search. `k` is the number of seeds, `delta` the
/// failure probability, `norm` the objective's scale (`n` or `n·(H+1)`), `cap` the most pilot
/// members to store. No pilot (an empty [`Scouting`]) with [`Sentinel::Off`] or `k < 2`.
pub fn choose(g: &Mixture, o: &OpimOptions, k: usize, delta: f64, norm: f64, cap: u64) -> Scouting {
    if o.sentinel == Sentinel::Off || k < 2 {
        return Scouting::default();
    }
    let n = g.n();
    let first = (PILOT_LIMIT * AUTO_MIN_SIZE.max(n as f64 / STAGE_DIV)) as usize;
    choose_staged(g, o, k, delta, norm, cap, first)
}

/// [`choose`] with the first stage's member limit `first` (see [`STAGE_DIV`]; at least the
/// full limit: one stage, the pilot as before staging).
fn choose_staged(
    g: &Mixture,
    o: &OpimOptions,
    k: usize,
    delta: f64,
    norm: f64,
    cap: u64,
    first: usize,
) -> Scouting {
    let t0 = std::time::Instant::now();
    let n = g.n();
    let want = ((3.0 * (1.0 / delta).ln()).ceil() as u64).max(64);
    let large = AUTO_MIN_SIZE.max(n as f64 / 100.0);
    let full = (PILOT_LIMIT * large) as usize;
    let src = |limit: usize| Source {
        g,
        objective: o.objective,
        seed: o.seed,
        purpose: Purpose::RrSentinel,
        c: 0,
        batch: PILOT_BATCH,
        stop: None,
        limit,
    };
    let batches = 0..want.div_ceil(PILOT_BATCH);
    let at = |coll: &Collection, limit: usize| {
        (0..coll.stored())
            .filter(|&s| coll.set(s).len() >= limit)
            .count()
    };
    let mut limit = first.min(full);
    let (mut coll, _) = src(limit).sample_capped(batches.clone(), cap);
    // Stage 1 at the smaller limit: large if enough searches reach it; if none does, every
    // search ended on its own and the pilot is the one of the full limit, set by set;
    // otherwise the pilot is sampled again at the full limit (as before staging).
    let staged = limit < full && at(&coll, limit) as f64 >= AUTO_SHARE * coll.stored() as f64;
    if limit < full && !staged && at(&coll, limit) > 0 {
        limit = full;
        coll = src(limit).sample_capped(batches, cap).0;
    }
    let mean = coll.mean_size();
    // Large: on average, or a sizeable share of the searches ran into the member limit
    // (a third of the roots reach a giant cascade, the rest tiny ones: the mean misleads).
    let at_limit = at(&coll, limit);
    let is_large = staged || mean >= large || at_limit as f64 >= AUTO_SHARE * coll.stored() as f64;
    let plain = Scouting {
        pilot: None,
        cost: Some(mean),
        large: is_large,
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
    let mut set = gr.seeds[..b].to_vec();
    if is_large {
        fill(&coll, &mut set, n, bmax, o.candidates.as_deref());
    }
    let per = norm / coll.theta as f64;
    let prefix = prefix_estimates(&coll, &set, n, per);
    Scouting {
        large: is_large,
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

/// Fills the sentinel set `set` (the greedy's prefix) up to `bmax` physicians, taking the
/// candidates in the most pilot sets first (at least [`MIN_GAIN`] of them; ties by the lower
/// index), as long as each one cuts the estimated members explored per search
/// ([`cost_with_stop`]) by at least [`FILL_GAIN`]. Searches that reach the giant component
/// of a high-influence cascade explore hundreds to thousands of members before the first hub
/// of the sentinel set; every further hub of that component stops them sooner, while the
/// greedy's marginal gains on the pilot can no longer tell these hubs apart (the first one
/// covers every such pilot set). As in HIST, which fills its sentinel set with high-degree
/// nodes, this trades a few seeds of small marginal value for faster sampling; the
/// certificate is unaffected in validity (any sentinel set chosen on the pilot's own
/// streams keeps it, see the module docs).
fn fill(coll: &Collection, set: &mut Vec<u32>, n: usize, bmax: usize, cands: Option<&[bool]>) {
    if set.len() >= bmax {
        return;
    }
    let mut cov = vec![0u32; n];
    for &v in &coll.nodes {
        cov[v as usize] += 1;
    }
    for &v in set.iter() {
        cov[v as usize] = 0;
    }
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&v| cov[v as usize] as u64 >= MIN_GAIN && cands.is_none_or(|c| c[v as usize]))
        .collect();
    order.sort_unstable_by_key(|&v| (std::cmp::Reverse(cov[v as usize]), v));
    let mut cost = cost_with_stop(coll, set, n);
    for v in order {
        if set.len() >= bmax {
            break;
        }
        set.push(v);
        let c = cost_with_stop(coll, set, n);
        if c > (1.0 - FILL_GAIN) * cost {
            set.pop();
            break;
        }
        cost = c;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ReverseReachable;
    use crate::network::generators;
    use crate::rng::stream;
    use crate::seed::rr::ReverseGraph;

    #[test]
    fn staged_pilot_is_the_full_one_unless_large() {
        let net = generators::barabasi_albert(3000, 3, &mut stream(8, Purpose::Network, 0));
        let o = OpimOptions {
            k: 8,
            ..OpimOptions::default()
        };
        let run = |beta: f64, first: usize| {
            let rule = ReverseReachable::LiveArcs { beta, p: 0.0 };
            let g = ReverseGraph::new(&net, rule, 1000).expect("sparse");
            choose_staged(&Mixture::single(&g), &o, 8, 1e-3, 3000.0, 1 << 30, first)
        };
        let key = |s: &Scouting| {
            let p = s.pilot.as_ref();
            (
                s.large,
                s.cost,
                p.map(|p| p.set.clone()),
                p.map(|p| p.mean_size),
            )
        };
        // Small sets: the same pilot whatever the first stage's limit, set by set, unless
        // that stage found the sets large (the only case where staging changes anything).
        let mut same = 0;
        for beta in [0.02, 0.05, 0.1] {
            let full = key(&run(beta, 256));
            for first in [8, 16, 32, 64] {
                let staged = run(beta, first);
                if key(&staged) == full {
                    same += 1;
                } else {
                    assert!(staged.large, "beta {beta}, first {first}");
                }
            }
        }
        assert!(same >= 6, "{same}");
        // High influence: the first stage (64 members) already says large and picks the
        // sentinel set from its shorter searches.
        let (staged, full) = (run(0.3, 64), run(0.3, 256));
        assert!(staged.large && full.large);
        let (ps, pf) = (staged.pilot.expect("staged"), full.pilot.expect("full"));
        assert!(
            !ps.set.is_empty() && ps.set[0] == pf.set[0],
            "{ps:?} vs {pf:?}"
        );
        assert!(ps.mean_size < pf.mean_size);
    }

    /// A collection of the given sets (members in search order).
    fn coll(sets: &[&[u32]]) -> Collection {
        Collection::of_sets(sets)
    }

    #[test]
    fn fill_adds_hubs_while_they_cut_the_search_cost() {
        // Four long searches through hubs 1, 2, 3 (in different orders) and two short ones.
        let long: Vec<Vec<u32>> = vec![
            vec![10, 11, 12, 1, 13, 14, 2, 15, 3, 16],
            vec![20, 2, 21, 22, 23, 1, 24, 25, 3, 26],
            vec![30, 31, 3, 32, 33, 34, 2, 35, 1, 36],
            vec![40, 41, 42, 43, 44, 45, 3, 1, 2, 46],
        ];
        let mut sets: Vec<&[u32]> = long.iter().map(|v| v.as_slice()).collect();
        sets.push(&[50, 51]);
        sets.push(&[52]);
        let c = coll(&sets);
        let n = 60;
        let mut set = vec![1];
        let before = cost_with_stop(&c, &set, n);
        fill(&c, &mut set, n, 3, None);
        // 2 and 3 are in 4 sets each (ties: lower index first); each cuts the cost by more
        // than 10%, and the set stops at bmax = 3.
        assert_eq!(set, vec![1, 2, 3]);
        assert!(cost_with_stop(&c, &set, n) < 0.7 * before);
        // Not a candidate: skipped.
        let mut set = vec![1];
        let cands: Vec<bool> = (0..n).map(|v| v != 2).collect();
        fill(&c, &mut set, n, 3, Some(&cands));
        assert_eq!(set, vec![1, 3]);
        // Nothing in two or more sets beyond the set itself: unchanged.
        let c = coll(&[&[1, 5], &[1, 6], &[7]]);
        let mut set = vec![1];
        fill(&c, &mut set, 8, 4, None);
        assert_eq!(set, vec![1]);
    }
}
