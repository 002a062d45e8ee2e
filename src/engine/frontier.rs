//! The frontier engine for one-shot arc cascades (the independent cascade).
//!
//! When a hazard is a constant spontaneous probability `p` plus one-shot arc conversions
//! ([`Hazard::constant_prob`] and [`Hazard::arc_prob`]), nothing about a physician changes
//! unless a neighbour adopted in the previous step, so only the frontier (last step's new
//! adopters) is visited — as CyNetDiff does — and there is no per-physician hazard state at
//! all:
//! - each new adopter `j` tries its out-arcs once, in the step after it adopted. The arcs that
//!   succeed are found by **geometric skipping** (SUBSIM's trick): with `p_max` the largest
//!   conversion probability among `j`'s arcs, the next candidate arc is `Geometric(p_max)`
//!   arcs ahead and is accepted with probability `p(w) / p_max`. With equal weights that
//!   visits about `p · out-degree` arcs of `j` instead of all of them, and only those targets'
//!   state is read (the random memory access is the cost of a cascade step);
//! - each physician's spontaneous adoption step is one `Geometric(p)` draw, bucketed by step
//!   once per replicate (skipped when `p = 0`);
//! - once the frontier is empty and no spontaneous adoption is due any more (always, after the
//!   last wave, when `p = 0`), nothing can change: the remaining steps are filled
//!   ([`fill_idle`]), so a long horizon costs nothing after the cascade has died out.
//!
//! `P(i adopts in t | not before) = 1 − (1 − p) Π_{j new in t−1} (1 − p(w_ji))`, exactly the
//! per-step Bernoulli process of the reference engine (tested in distribution).
//!
//! Randomness is counter-based and keyed by the replicate's `Dynamics` stream: the draws of
//! source `j` come from `(key, j)` and the spontaneous clock of `i` from `(key', i)`, so the
//! result does not depend on the order in which the frontier is processed.

use super::{Hazard, NEVER, Observer, Replicate, Scratch, fill_idle, finish_step, start};
use crate::rng::{Purpose, keyed_unit, mix64};
use rand::RngExt;

/// Above this `p_max` every arc gets its own draw (skipping saves little).
const SKIP_BELOW: f64 = 0.5;

/// How many frontier members ahead the walk prefetches offsets (rows: half as far).
const AHEAD: usize = 16;

/// Per-worker state of the frontier engine, reused across replicates.
#[derive(Debug, Default)]
pub struct FrontierState {
    /// Spontaneous adoptions due at each step (only when `p > 0`).
    buckets: Vec<Vec<u32>>,
    /// Buckets `..used` may hold entries (of this or an earlier replicate): a replicate
    /// clears those, not all `steps + 1`, so that with `p = 0` a long horizon costs nothing.
    used: usize,
    /// Last step's new adopters (the frontier).
    frontier: Vec<u32>,
    /// This step's successful arc tries (their targets), checked in a second pass with the
    /// targets' state prefetched.
    tried: Vec<u32>,
}

/// The number of failures before the first success of a Bernoulli(`p`) sequence, from the
/// uniform `u` ∈ (0, 1]; `u64::MAX` when it is effectively never.
#[inline]
fn geometric(u: f64, ln_q: f64) -> u64 {
    // ln_q = ln(1 − p) < 0.
    let k = (u.ln() / ln_q).floor();
    if k < u64::MAX as f64 {
        k as u64
    } else {
        u64::MAX
    }
}

/// Buckets every non-adopter's spontaneous adoption step (its first `Bernoulli(p)` success,
/// one counter-based draw each) and returns the last step with one due (0 when none): after
/// it, with an empty frontier, the state is absorbing.
fn spontaneous_clocks(
    st: &mut FrontierState,
    adopted_at: &[u32],
    p: f64,
    steps: u32,
    clock_key: u64,
) -> u32 {
    for b in &mut st.buckets[..st.used] {
        b.clear();
    }
    st.used = 0;
    let mut last = 0;
    if p > 0.0 && steps > 0 {
        st.buckets.resize_with(steps as usize + 1, Vec::new);
        let ln_q = (-p).ln_1p();
        for (i, &a) in adopted_at.iter().enumerate() {
            if a != NEVER {
                continue;
            }
            let at = if p >= 1.0 {
                1
            } else {
                geometric(keyed_unit(clock_key, i as u64), ln_q).saturating_add(1)
            };
            if at <= steps as u64 {
                st.buckets[at as usize].push(i as u32);
                last = last.max(at as u32);
            }
        }
        st.used = last as usize + 1;
    }
    last
}

/// Prefetches the offsets of frontier member `at + AHEAD` and the row of `at + AHEAD / 2`.
#[inline]
fn prefetch_rows(out: &crate::network::Adjacency, fr: &[u32], at: usize) {
    if let Some(&f) = fr.get(at + AHEAD) {
        crate::network::prefetch(out.offsets.as_ptr().wrapping_add(f as usize));
    }
    if let Some(&f) = fr.get(at + AHEAD / 2) {
        let o = out.offsets[f as usize];
        crate::network::prefetch(out.nodes.as_ptr().wrapping_add(o));
        crate::network::prefetch(out.weights.as_ptr().wrapping_add(o));
    }
}

/// Each target of `tried` that has not adopted adopts at `t` (pushed to `new` once), its state
/// prefetched [`AHEAD`] tries ahead.
#[inline]
fn adopt_tried(tried: &[u32], adopted_at: &mut [u32], t: u32, new: &mut Vec<u32>) {
    for (at, &i) in tried.iter().enumerate() {
        if let Some(&f) = tried.get(at + AHEAD) {
            crate::network::prefetch(adopted_at.as_ptr().wrapping_add(f as usize));
        }
        let a = &mut adopted_at[i as usize];
        if *a == NEVER {
            *a = t;
            new.push(i);
        }
    }
}

/// Runs one replicate of a one-shot cascade with constant spontaneous probability `p`.
pub fn run<H: Hazard, O: Observer + ?Sized>(
    model: &H,
    p: f64,
    rep: &Replicate<'_>,
    s: &mut Scratch,
    obs: &mut O,
) {
    let net = rep.net;
    let n = net.n();
    let steps = rep.steps;
    let key: u64 = rep.stream(Purpose::Dynamics).random();
    let (arc_key, clock_key) = (mix64(key ^ 0xA5A5), mix64(key ^ 0x5A5A));
    let st = &mut s.frontier;
    super::pages::fill_huge(&mut s.adopted_at, n, NEVER);
    let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);

    let last_due = spontaneous_clocks(st, &s.adopted_at, p, steps, clock_key);
    let out = net.out_arcs();
    super::pages::collapse_arcs(out);
    st.frontier.clear();
    st.frontier.extend_from_slice(rep.initial);
    // The last `p_max` (bits) and its `ln(1 - p_max)`.
    let mut memo = (f64::NAN.to_bits(), f64::NAN);
    for t in 1..=steps {
        if !go {
            return;
        }
        if st.frontier.is_empty() && t > last_due {
            return fill_idle(rep, t, adopters, obs);
        }
        s.new.clear();
        st.tried.clear();
        // One-shot tries of last step's adopters, their offsets fetched [`AHEAD`] ahead and
        // their rows half as far (hints only: the frontier is sorted but sparse, and these
        // loads were two thirds of a cascade's time).
        let fr = &st.frontier;
        for (at, &j) in fr.iter().enumerate() {
            prefetch_rows(out, fr, at);
            let (dst, w) = out.arcs(j as usize);
            if dst.is_empty() {
                continue;
            }
            let pmax = w
                .iter()
                .map(|&x| model.arc_prob(x).unwrap_or(0.0))
                .fold(0.0f64, f64::max);
            if pmax <= 0.0 {
                continue;
            }
            let src_key = mix64(arc_key ^ mix64(j as u64));
            let mut draw = 0u64;
            let mut u = || {
                draw += 1;
                keyed_unit(src_key, draw)
            };
            if pmax >= SKIP_BELOW {
                for (&i, &wi) in dst.iter().zip(w) {
                    let pa = model.arc_prob(wi).unwrap_or(0.0);
                    if u() <= pa {
                        st.tried.push(i);
                    }
                }
            } else {
                // Equal weights give every row the same `p_max`: one logarithm.
                if pmax.to_bits() != memo.0 {
                    memo = (pmax.to_bits(), (-pmax).ln_1p());
                }
                let ln_q = memo.1;
                let mut k = 0usize;
                loop {
                    let skip = geometric(u(), ln_q);
                    if skip >= (dst.len() - k) as u64 {
                        break;
                    }
                    k += skip as usize;
                    let pa = model.arc_prob(w[k]).unwrap_or(0.0);
                    if pa >= pmax || u() * pmax <= pa {
                        st.tried.push(dst[k]);
                    }
                    k += 1;
                }
            }
        }
        // The successful tries: a target adopts once (the set, not the order, matters: the
        // new adopters are sorted below), its state prefetched `AHEAD` tries ahead.
        adopt_tried(&st.tried, &mut s.adopted_at, t, &mut s.new);
        // Spontaneous adoptions due now.
        if let Some(due) = st.buckets.get(t as usize).filter(|_| t <= last_due) {
            adopt_tried(due, &mut s.adopted_at, t, &mut s.new);
        }
        // The order within a step does not matter to the process; sorting makes the
        // on_adopt order (and the next frontier) canonical.
        s.new.sort_unstable();
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
        std::mem::swap(&mut st.frontier, &mut s.new);
    }
}
