//! The worst-case objective over several theories (issue 23): seeds whose spread under every
//! theory is as large a share as possible of that theory's own best set.
//!
//! # Saturate greedy
//! For theories `t = 1..T` with RR collections `R_t` and the estimated value `D_t` of each
//! theory's own optimized set, the ratio of a set `S` is `r_t(S) = σ̂_t(S) / D_t`, and the
//! objective `min_t r_t(S)`. The minimum of submodular functions is not submodular and, with
//! exactly `k` seeds, has no constant-factor approximation in general (He & Kempe, KDD 2016;
//! Chen, Lin, Tan, Zhao & Zhou, KDD 2016). Saturate (Krause, McMahan, Guestrin & Gupta 2008),
//! the method of both robust-IM papers, searches the level `c` by bisection: for each `c` the
//! truncated sum `F_c(S) = Σ_t min(c, r_t(S))` is monotone submodular, greedy maximises it,
//! and `c` is reachable when `F_c(S) = T·c`. With `k·(1 + ln(T·Θ))` seeds (`Θ` the largest
//! number of RR sets of one theory) that greedy is guaranteed to reach the best `k`-set's
//! worst-case ratio (bicriteria); kolsim keeps exactly `k` seeds, so the set comes with **no
//! guarantee**, and every set it is compared with is measured by forward simulation instead
//! (the job recommends the best one).
//!
//! # Determinism
//! Pure functions of the collections; ties go to the lower physician index.

use super::collection::{Collection, Inverse};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One theory's RR sets and the value its own optimized set reaches on them.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    /// The theory's RR sets.
    pub coll: &'a Collection,
    /// Sets the theory's own optimized set covers, pre-covered ones included (`> 0`).
    pub best: f64,
}

impl Scored<'_> {
    /// `r_t(S)`: sets covered by `seeds` (pre-covered included) over [`Scored::best`].
    pub fn ratio(&self, seeds: &[u32], n: usize) -> f64 {
        (self.coll.coverage(seeds, n) + self.coll.precovered) as f64 / self.best.max(1.0)
    }
}

/// The saturate greedy's set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Saturated {
    /// Seeds in the order chosen at the best level.
    pub seeds: Vec<u32>,
    /// `r_t(seeds)` per theory, on the collections.
    pub ratios: Vec<f64>,
    /// The largest level `c` found reachable.
    pub level: f64,
    /// Bisection steps run.
    pub steps: u32,
    /// The bicriteria number of seeds that would carry the guarantee, `⌈k (1 + ln(T Θ))⌉`.
    pub bicriteria_k: usize,
}

/// A candidate's (possibly stale) gain.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    gain: f64,
    v: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        self.gain.total_cmp(&o.gain).then(o.v.cmp(&self.v))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Per-theory state of one greedy run.
struct State<'a> {
    t: &'a Scored<'a>,
    inv: &'a Inverse,
    cov: Vec<u32>,
    covered: Vec<bool>,
    /// Sets covered so far, pre-covered included.
    got: f64,
}

impl State<'_> {
    fn gain(&self, v: u32, c: f64) -> f64 {
        let now = (self.got / self.t.best).min(c);
        let then = ((self.got + self.cov[v as usize] as f64) / self.t.best).min(c);
        then - now
    }

    fn take(&mut self, v: u32) {
        self.got += self.cov[v as usize] as f64;
        for &s in self.inv.sets(v) {
            if !self.covered[s as usize] {
                self.covered[s as usize] = true;
                for &u in self.t.coll.set(s as usize) {
                    let c = &mut self.cov[u as usize];
                    *c = c.saturating_sub(1);
                }
            }
        }
    }
}

/// Lazy greedy on `F_c` with `k` picks; returns the seeds.
fn greedy_level(
    theories: &[Scored],
    invs: &[(Inverse, Vec<u32>)],
    n: usize,
    k: usize,
    c: f64,
    ok: &dyn Fn(usize) -> bool,
) -> Vec<u32> {
    let mut st: Vec<State> = theories
        .iter()
        .zip(invs)
        .map(|(t, (inv, _))| State {
            t,
            inv,
            cov: inv.cov.clone(),
            covered: vec![false; t.coll.stored()],
            got: t.coll.precovered as f64,
        })
        .collect();
    let gain = |st: &[State], v: u32| st.iter().map(|s| s.gain(v, c)).sum::<f64>();
    let mut active: Vec<u32> = invs.iter().flat_map(|(_, a)| a.iter().copied()).collect();
    active.sort_unstable();
    active.dedup();
    let mut heap: BinaryHeap<Entry> = active
        .iter()
        .map(|&v| Entry {
            gain: gain(&st, v),
            v,
        })
        .collect();
    let mut is_seed = vec![false; n];
    let mut seeds = Vec::with_capacity(k);
    while seeds.len() < k {
        let Some(top) = heap.pop() else { break };
        if is_seed[top.v as usize] {
            continue;
        }
        let g = gain(&st, top.v);
        if heap.peek().is_some_and(|next| g < next.gain) {
            heap.push(Entry { gain: g, v: top.v });
            continue;
        }
        if g <= 0.0 {
            break;
        }
        is_seed[top.v as usize] = true;
        seeds.push(top.v);
        for s in &mut st {
            s.take(top.v);
        }
    }
    // Nothing left to gain: the lowest unchosen candidates.
    for (v, taken) in is_seed.iter_mut().enumerate() {
        if seeds.len() >= k {
            break;
        }
        if ok(v) && !*taken {
            *taken = true;
            seeds.push(v as u32);
        }
    }
    seeds
}

/// Saturate greedy for `k` seeds over `theories` (see the module docs); `candidates`
/// restricts the seeds. The returned set is the one with the largest `min_t r_t` among the
/// greedy sets of every level tried.
pub fn saturate(theories: &[Scored], n: usize, k: usize, candidates: Option<&[bool]>) -> Saturated {
    let ok = |v: usize| candidates.is_none_or(|c| c[v]);
    let invs: Vec<(Inverse, Vec<u32>)> = theories
        .iter()
        .map(|t| Inverse::restricted(t.coll, n, ok))
        .collect();
    let worst = |s: &[u32]| -> (f64, Vec<f64>) {
        let r: Vec<f64> = theories.iter().map(|t| t.ratio(s, n)).collect();
        (r.iter().copied().fold(f64::INFINITY, f64::min), r)
    };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut best: Option<(f64, Vec<u32>, Vec<f64>)> = None;
    let mut steps = 0;
    while steps < 12 && hi - lo > 1e-3 {
        steps += 1;
        let c = if steps == 1 { hi } else { 0.5 * (lo + hi) };
        let s = greedy_level(theories, &invs, n, k, c, &ok);
        let (w, r) = worst(&s);
        if w >= c * (1.0 - 1e-9) {
            lo = c;
        } else {
            hi = c;
        }
        if best.as_ref().is_none_or(|b| w > b.0) {
            best = Some((w, s, r));
        }
    }
    let (_, seeds, ratios) = best.unwrap_or_default();
    let theta = theories.iter().map(|t| t.coll.theta).max().unwrap_or(1) as f64;
    Saturated {
        seeds,
        ratios,
        level: lo,
        steps,
        bicriteria_k: (k as f64 * (1.0 + (theories.len() as f64 * theta).ln())).ceil() as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coll(sets: &[&[u32]]) -> Collection {
        Collection::of_sets(sets)
    }

    #[test]
    fn saturate_balances_two_theories() {
        // Theory A is covered by 0 (4 sets) or 2 (3 sets); theory B by 1 (4 sets) or 2 (3 sets).
        // One seed: 0 or 1 leaves the other theory at 0; 2 reaches 3/4 of both bests.
        let a = coll(&[&[0, 2], &[0, 2], &[0, 2], &[0]]);
        let b = coll(&[&[1, 2], &[1, 2], &[1, 2], &[1]]);
        let t = [
            Scored {
                coll: &a,
                best: 4.0,
            },
            Scored {
                coll: &b,
                best: 4.0,
            },
        ];
        let s = saturate(&t, 3, 1, None);
        assert_eq!(s.seeds, vec![2]);
        assert!((s.ratios[0] - 0.75).abs() < 1e-12 && (s.ratios[1] - 0.75).abs() < 1e-12);
        // Two seeds: {0, 1} reaches both bests, but greedy on F_c takes 2 first at every
        // level, so with exactly k seeds saturate stops at a worst case of 3/4 (the gap the
        // bicriteria seeds close; the job then compares it with each theory's own set).
        let s = saturate(&t, 3, 2, None);
        assert!(s.seeds.contains(&2) && s.seeds.len() == 2);
        let worst = s.ratios.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((worst - 0.75).abs() < 1e-12, "{worst}");
        assert!(s.level >= 0.5 && s.level <= 0.75 + 1e-3, "{}", s.level);
    }
}
