//! Collections of RR sets and greedy max-coverage over them (the building blocks of
//! [`super::opim`], [`super::budget`] and [`super::sentinel`]).
//!
//! # Determinism
//! RR sets come in batches; batch `b` of collection `c ∈ {0, 1}` draws from
//! `rng::stream(seed, purpose, 2b + c)`. Batches run in parallel and are concatenated in index
//! order, and memory caps are checked only between fixed chunks of batches, so every
//! collection is identical for any number of threads.

use super::mixture::Mixture;
use super::objective::Objective;
use super::rr::{Outcome, ReverseGraph, Sampler};
use crate::rng::{Purpose, stream};
use rand::RngExt;
use rayon::prelude::*;

/// RR sets per batch (one random stream each) of the certificate's collections.
pub const BATCH: u64 = 256;

/// Batches sampled between two checks of a memory cap ([`Source::sample_capped`]).
pub const CHUNK: u64 = 8;

/// A flat collection of RR sets (pre-covered and stop-set-hit ones counted, not stored).
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// The members of every stored set, set after set.
    pub nodes: Vec<u32>,
    /// `offsets[s]..offsets[s+1]` indexes set `s` in `nodes`.
    pub offsets: Vec<usize>,
    /// Sets sampled, stored or not (`θ`).
    pub theta: u64,
    /// Pre-covered sets (spontaneous adoption reaches the root whatever the seeds).
    pub precovered: u64,
    /// Sets whose search reached the stop (sentinel) set.
    pub hits: u64,
}

impl Collection {
    /// An empty collection.
    pub fn new() -> Self {
        Collection {
            offsets: vec![0],
            ..Default::default()
        }
    }

    /// A collection of the given sets, members in search order (unit tests).
    #[cfg(test)]
    pub(crate) fn of_sets(sets: &[&[u32]]) -> Self {
        let mut c = Collection::new();
        for s in sets {
            c.nodes.extend_from_slice(s);
            c.offsets.push(c.nodes.len());
            c.theta += 1;
        }
        c
    }

    /// Number of stored sets.
    pub fn stored(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Set `s`.
    pub fn set(&self, s: usize) -> &[u32] {
        &self.nodes[self.offsets[s]..self.offsets[s + 1]]
    }

    /// Appends `b`'s sets after this collection's.
    pub fn append(&mut self, b: Collection) {
        let base = self.nodes.len();
        self.nodes.extend_from_slice(&b.nodes);
        self.offsets.extend(b.offsets[1..].iter().map(|o| o + base));
        self.theta += b.theta;
        self.precovered += b.precovered;
        self.hits += b.hits;
    }

    /// Stored sets covered by `seeds` (pre-covered and hit ones excluded).
    pub fn coverage(&self, seeds: &[u32], n: usize) -> u64 {
        let mut is = vec![false; n];
        for &s in seeds {
            is[s as usize] = true;
        }
        (0..self.stored())
            .filter(|&s| self.set(s).iter().any(|&v| is[v as usize]))
            .count() as u64
    }

    /// For each prefix `seeds[..=i]`, the number of stored sets it covers.
    pub fn prefix_coverage(&self, seeds: &[u32], n: usize) -> Vec<u64> {
        let mut rank = vec![u32::MAX; n];
        for (i, &s) in seeds.iter().enumerate() {
            rank[s as usize] = rank[s as usize].min(i as u32);
        }
        let mut first = vec![0u64; seeds.len()];
        for s in 0..self.stored() {
            let r = self.set(s).iter().map(|&v| rank[v as usize]).min();
            if let Some(r) = r
                && r != u32::MAX
            {
                first[r as usize] += 1;
            }
        }
        first
            .iter()
            .scan(0, |a, &x| {
                *a += x;
                Some(*a)
            })
            .collect()
    }

    /// Mean size of the stored sets.
    pub fn mean_size(&self) -> f64 {
        self.nodes.len() as f64 / self.stored().max(1) as f64
    }
}

/// Where the sets of one collection come from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The reverse graph (or the mixture of several theories' graphs).
    pub g: &'a Mixture<'a>,
    /// The objective (fixed or uniform deadline).
    pub objective: Objective,
    /// Master seed.
    pub seed: u64,
    /// Stream purpose.
    pub purpose: Purpose,
    /// Collection index `c ∈ {0, 1}`.
    pub c: u64,
    /// Sets per batch.
    pub batch: u64,
    /// Stop set (the search ends at its first member: [`Outcome::Hit`]).
    pub stop: Option<&'a [bool]>,
    /// Most members per set (0: none; see [`Sampler::limited`] — pilot sets only).
    pub limit: usize,
}

impl Source<'_> {
    /// Samples batches `batches`.
    pub fn sample(&self, batches: std::ops::Range<u64>) -> Collection {
        let mix = self.g;
        let parts: Vec<Collection> = batches
            .into_par_iter()
            .map_init(
                || {
                    match self.stop {
                        Some(s) => Sampler::with_stop(mix.first(), s),
                        None => Sampler::new(mix.first()),
                    }
                    .limited(self.limit)
                },
                |s, b| {
                    let mut rng = stream(self.seed, self.purpose, 2 * b + self.c);
                    let mut out = Collection::new();
                    let n = mix.n() as u32;
                    let h = mix.horizon();
                    for _ in 0..self.batch {
                        let root = rng.random_range(0..n);
                        let d = match self.objective {
                            Objective::Adopters => h,
                            Objective::AdopterSteps => rng.random_range(0..=h),
                        };
                        out.theta += 1;
                        let g = mix.pick(&mut rng);
                        match s.sample_outcome(g, root, d, &mut rng) {
                            Outcome::Stored => {
                                out.nodes.extend_from_slice(&s.set);
                                out.offsets.push(out.nodes.len());
                            }
                            Outcome::Precovered => out.precovered += 1,
                            Outcome::Hit => out.hits += 1,
                        }
                    }
                    out
                },
            )
            .collect();
        let mut all = Collection::new();
        for p in parts {
            all.append(p);
        }
        all
    }

    /// Samples batches `batches` in chunks of [`CHUNK`], stopping after the first chunk that
    /// brings the stored members to `cap` or more. Returns the sets and the end of the batch
    /// range actually sampled.
    pub fn sample_capped(&self, batches: std::ops::Range<u64>, cap: u64) -> (Collection, u64) {
        let mut all = Collection::new();
        let mut b = batches.start;
        while b < batches.end {
            let e = (b + CHUNK).min(batches.end);
            all.append(self.sample(b..e));
            b = e;
            if all.nodes.len() as u64 >= cap {
                break;
            }
        }
        (all, b)
    }
}

/// Samples batches `batches` of collection `c` (0 or 1) of the certificate's RR sets
/// ([`BATCH`] sets per batch, [`Purpose::RrSets`] streams, no stop set).
pub fn sample_batches(
    g: &ReverseGraph,
    objective: Objective,
    seed: u64,
    c: u64,
    batches: std::ops::Range<u64>,
) -> Collection {
    Source {
        g: &Mixture::single(g),
        objective,
        seed,
        purpose: Purpose::RrSets,
        c,
        batch: BATCH,
        stop: None,
        limit: 0,
    }
    .sample(batches)
}

/// Physician → stored sets containing it (counting sort).
#[derive(Debug, Clone)]
pub struct Inverse {
    /// Number of stored sets containing each physician.
    pub cov: Vec<u32>,
    /// `start[v]..start[v+1]` indexes `v`'s sets in `sets_of`.
    pub start: Vec<usize>,
    /// Set indices, physician after physician.
    pub sets_of: Vec<u32>,
}

impl Inverse {
    /// The inverse index of `coll` over `n` physicians.
    pub fn new(coll: &Collection, n: usize) -> Self {
        let mut cov = vec![0u32; n];
        for &v in &coll.nodes {
            cov[v as usize] += 1;
        }
        // `start[v]` first holds the end of v's range and is moved down to its start as the
        // sets are placed (last set first, so each physician's sets end up in index order);
        // `start[n]` is the total.
        let mut start = vec![0usize; n + 1];
        let mut acc = 0usize;
        for (v, &c) in cov.iter().enumerate() {
            acc += c as usize;
            start[v] = acc;
        }
        start[n] = acc;
        let mut sets_of = vec![0u32; coll.nodes.len()];
        for s in (0..coll.stored()).rev() {
            for &v in coll.set(s) {
                start[v as usize] -= 1;
                sets_of[start[v as usize]] = s as u32;
            }
        }
        Inverse {
            cov,
            start,
            sets_of,
        }
    }

    /// The inverse index with the coverage of every physician `ok` rejects set to 0, and the
    /// physicians left that cover at least one set (the greedy's starting candidates).
    pub fn restricted(coll: &Collection, n: usize, ok: impl Fn(usize) -> bool) -> (Self, Vec<u32>) {
        let mut inv = Inverse::new(coll, n);
        let mut active = Vec::new();
        for (v, c) in inv.cov.iter_mut().enumerate() {
            if !ok(v) {
                *c = 0;
            } else if *c > 0 {
                active.push(v as u32);
            }
        }
        (inv, active)
    }

    /// The sets containing `v`.
    pub fn sets(&self, v: u32) -> &[u32] {
        &self.sets_of[self.start[v as usize]..self.start[v as usize + 1]]
    }
}

/// Greedy max-coverage of `k` candidates on a collection.
#[derive(Debug, Clone)]
pub struct Greedy {
    /// Seeds in the order chosen.
    pub seeds: Vec<u32>,
    /// Sets newly covered by each seed.
    pub gains: Vec<u64>,
    /// Upper bound on the best coverage by any `k` candidates (Λ₁ᵘ), counting the sets
    /// covered in advance (`base` of [`greedy_from`]).
    pub upper: f64,
}

/// Greedy max-coverage of `k` candidates (see [`greedy_from`]; nothing covered in advance).
pub fn greedy(coll: &Collection, n: usize, k: usize, candidates: Option<&[bool]>) -> Greedy {
    greedy_from(coll, n, k, k, candidates, 0)
}

/// Greedy max-coverage: `picks` times the candidate covering most uncovered stored sets (ties:
/// lower index), found with a lazy max-heap (coverages only fall, so a stale entry is an upper
/// bound and a fresh top is the true argmax). `base` sets count as covered in advance (the
/// hits of a sentinel set already chosen, which are no stored set's members).
///
/// Also the OPIM-C upper bound on the best coverage by any `bound_k` candidates:
/// `min_i (base + Cov(S_i) + Σ top-bound_k marginal coverages at step i)` — for any set `O`,
/// `Cov(O) ≤ Cov(O ∪ A) ≤ Cov(A) + Σ_{v ∈ O} Δ(v | A)` (submodularity), with `A` the sentinel
/// set plus the greedy prefix `S_i`. Taken over the steps `i ∈ {0, 1, 2, 4, 8, ...} ∪
/// {picks−4, ..., picks}` (a minimum over fewer steps is still an upper bound, and each term
/// costs an `O(c)` selection).
///
/// # Complexity
/// `O(Σ|R| + c log c)` for the `c` physicians appearing in some set, plus `O(c log k)`
/// selections for the bound.
pub fn greedy_from(
    coll: &Collection,
    n: usize,
    picks: usize,
    bound_k: usize,
    candidates: Option<&[bool]>,
    base: u64,
) -> Greedy {
    let ok = |v: usize| candidates.is_none_or(|c| c[v]);
    let (
        Inverse {
            mut cov,
            start,
            sets_of,
        },
        active,
    ) = Inverse::restricted(coll, n, ok);
    let mut heap: std::collections::BinaryHeap<(u32, std::cmp::Reverse<u32>)> = active
        .iter()
        .map(|&v| (cov[v as usize], std::cmp::Reverse(v)))
        .collect();
    let mut covered = vec![false; coll.stored()];
    let mut seeds = Vec::with_capacity(picks);
    let mut gains = Vec::with_capacity(picks);
    let mut is_seed = vec![false; n];
    let mut total = base;
    let mut upper = f64::INFINITY;
    let mut buf: Vec<u32> = Vec::with_capacity(active.len());
    for step in 0..=picks {
        if step == 0 || step.is_power_of_two() || step + 4 >= picks {
            // Bound: current coverage + the bound_k largest marginal coverages.
            buf.clear();
            buf.extend(active.iter().map(|&v| cov[v as usize]));
            let top: u64 = if buf.len() > bound_k {
                let idx = buf.len() - bound_k;
                buf.select_nth_unstable(idx);
                buf[idx..].iter().map(|&c| c as u64).sum()
            } else {
                buf.iter().map(|&c| c as u64).sum()
            };
            upper = upper.min((total + top) as f64);
        }
        if step == picks {
            break;
        }
        let mut pick = None;
        while let Some((c, std::cmp::Reverse(v))) = heap.pop() {
            if is_seed[v as usize] {
                continue;
            }
            if c == cov[v as usize] {
                pick = Some(v);
                break;
            }
            heap.push((cov[v as usize], std::cmp::Reverse(v)));
        }
        // With every set covered, any unchosen candidate (gain 0), lowest index first.
        let v = match pick.filter(|&v| cov[v as usize] > 0) {
            Some(v) => v,
            None => match (0..n as u32).find(|&v| ok(v as usize) && !is_seed[v as usize]) {
                Some(v) => v,
                None => break,
            },
        };
        let g = cov[v as usize] as u64;
        is_seed[v as usize] = true;
        seeds.push(v);
        gains.push(g);
        total += g;
        for &s in &sets_of[start[v as usize]..start[v as usize + 1]] {
            if !covered[s as usize] {
                covered[s as usize] = true;
                for &u in coll.set(s as usize) {
                    if ok(u as usize) {
                        cov[u as usize] -= 1;
                    }
                }
            }
        }
    }
    Greedy {
        seeds,
        gains,
        upper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_lists_each_physicians_sets_in_order() {
        let sets: [&[u32]; 5] = [&[0, 1], &[1], &[2], &[2, 3, 1], &[1, 3]];
        let c = Collection::of_sets(&sets);
        let inv = Inverse::new(&c, 6);
        for v in 0..6u32 {
            let want: Vec<u32> = (0..sets.len() as u32)
                .filter(|&s| sets[s as usize].contains(&v))
                .collect();
            assert_eq!(inv.sets(v), want.as_slice(), "physician {v}");
            assert_eq!(inv.cov[v as usize] as usize, want.len());
        }
        assert_eq!(inv.start[6], 9);
    }

    #[test]
    fn greedy_covers_and_bounds() {
        // Sets {0,1}, {1}, {2}, {2,3}, {1,3}: greedy picks 1 (3 sets) then 2 (2 sets).
        let mut c = Collection::new();
        for s in [&[0u32, 1][..], &[1], &[2], &[2, 3], &[1, 3]] {
            c.nodes.extend_from_slice(s);
            c.offsets.push(c.nodes.len());
            c.theta += 1;
        }
        let g = greedy(&c, 4, 2, None);
        assert_eq!(g.seeds, vec![1, 2]);
        assert_eq!(g.gains, vec![3, 2]);
        assert!(g.upper >= 5.0 && g.upper <= 6.0);
        assert_eq!(c.prefix_coverage(&g.seeds, 4), vec![3, 5]);
        // Two sets covered in advance: the bound counts them.
        let h = greedy_from(&c, 4, 1, 2, None, 2);
        assert_eq!(h.seeds, vec![1]);
        assert!(h.upper >= 7.0 && h.upper <= 8.0, "{}", h.upper);
    }
}
