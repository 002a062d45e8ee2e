//! The fast engine: incremental exposure and cumulative-hazard event scheduling.
//!
//! Each physician `i` gets one resistance `R_i ~ Exp(1)` per replicate and adopts in the
//! first step `s` where its cumulative hazard `Λ_i(s) = Σ_{u ≤ s} -ln(1 - P_i(u))` reaches
//! `R_i`. Then `P(adopt in s | not before) = 1 - e^{-(Λ(s) - Λ(s-1))} = P_i(s)`: exactly the
//! per-step Bernoulli process of the reference engine. Between changes of `i`'s exposure its
//! hazard is constant, so its adoption step is found by one division and is recomputed only
//! when a neighbour adopts. Pending adoptions sit in one bucket per step (stale entries are
//! skipped on pop).
//!
//! Per replicate: `O(n)` to start, `O(out-degree)` per adoption to push exposure, `O(1)` per
//! exposure change to reschedule. No step allocates once the buckets have grown.
//!
//! Resistances come from a counter-based hash of `(replicate key, i)`, so node `i` has the same
//! `R_i` under every model of the replicate (common random numbers) in whatever order nodes
//! are touched.

use super::{NEVER, Observer, Replicate, Scratch, finish_step, start};
use crate::models::Hazard;
use crate::rng::{Purpose, keyed_unit, stream};
use rand::RngExt;

/// Per-worker state of the event engine, reused across replicates.
#[derive(Debug, Default)]
pub struct EventState {
    /// Weighted count of adopted in-neighbours.
    c: Vec<f64>,
    /// Remaining resistance `R_i - Λ_i(t_base)`; NaN until first needed.
    rho: Vec<f64>,
    /// Current cumulative-hazard rate per step.
    rate: Vec<f64>,
    /// One-shot hazard from last step's adopters (independent cascade).
    impulse: Vec<f64>,
    /// Step at which `rho` was last brought up to date.
    t_base: Vec<u32>,
    /// Scheduled adoption step, or NEVER.
    sched: Vec<u32>,
    /// Last step in which the node was touched (dedup of the touched list).
    mark: Vec<u32>,
    touched: Vec<u32>,
    buckets: Vec<Vec<u32>>,
}

impl EventState {
    fn reset(&mut self, n: usize, steps: u32) {
        fn fill<T: Copy>(v: &mut Vec<T>, n: usize, x: T) {
            v.clear();
            v.resize(n, x);
        }
        fill(&mut self.c, n, 0.0);
        fill(&mut self.rho, n, f64::NAN);
        fill(&mut self.rate, n, 0.0);
        fill(&mut self.impulse, n, 0.0);
        fill(&mut self.t_base, n, 0);
        fill(&mut self.sched, n, NEVER);
        fill(&mut self.mark, n, NEVER);
        self.touched.clear();
        self.buckets.resize_with(steps as usize + 2, Vec::new);
        for b in &mut self.buckets {
            b.clear();
        }
    }

    /// Brings `i`'s hazard up to date at the end of step `t` and reschedules it.
    #[inline]
    fn reschedule(&mut self, i: usize, t: u32, prob: f64, key: u64, steps: u32) {
        let rate = if prob >= 1.0 {
            f64::INFINITY
        } else {
            -(-prob).ln_1p()
        };
        let mut rho = self.rho[i];
        if rho.is_nan() {
            rho = -keyed_unit(key, i as u64).ln();
        } else if self.rate[i] > 0.0 {
            rho -= self.rate[i] * (t - self.t_base[i]) as f64;
        }
        rho -= self.impulse[i];
        self.impulse[i] = 0.0;
        self.rho[i] = rho;
        self.rate[i] = rate;
        self.t_base[i] = t;
        // First s > t with rho - rate (s - t) <= 0.
        let wait = if rho <= 0.0 || rate == f64::INFINITY {
            1.0
        } else if rate > 0.0 {
            (rho / rate).ceil().max(1.0)
        } else {
            f64::INFINITY
        };
        let s = if wait <= (steps - t) as f64 {
            t + wait as u32
        } else {
            NEVER
        };
        self.sched[i] = s;
        if s != NEVER {
            self.buckets[s as usize].push(i as u32);
        }
    }
}

/// Runs one replicate with the event engine.
pub fn run<H: Hazard, O: Observer>(model: &H, rep: &Replicate<'_>, s: &mut Scratch, obs: &mut O) {
    let net = rep.net;
    let n = net.n();
    let steps = rep.steps;
    let key: u64 = stream(rep.seed, Purpose::Dynamics, rep.replicate).random();
    let st = &mut s.event;
    st.reset(n, steps);
    s.adopted_at.clear();
    s.adopted_at.resize(n, NEVER);
    let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);
    let out = net.out_arcs();
    let has_arc = model.arc_prob(1.0).is_some();

    // Push exposure from a set of adopters; collects touched non-adopters.
    let push = |st: &mut EventState, adopted_at: &[u32], from: &[u32], t: u32| {
        for &j in from {
            let (dst, w) = out.arcs(j as usize);
            for (&i, &wi) in dst.iter().zip(w) {
                let iu = i as usize;
                if adopted_at[iu] != NEVER {
                    continue;
                }
                st.c[iu] += wi as f64;
                if has_arc {
                    let pa = model.arc_prob(wi).unwrap_or(0.0);
                    st.impulse[iu] += if pa >= 1.0 {
                        f64::INFINITY
                    } else {
                        -(-pa).ln_1p()
                    };
                }
                if st.mark[iu] != t {
                    st.mark[iu] = t;
                    st.touched.push(i);
                }
            }
        }
    };

    // Step 0: exposure from the initial adopters, then every node's starting hazard.
    push(st, &s.adopted_at, rep.initial, 0);
    st.touched.clear();
    for i in 0..n {
        if s.adopted_at[i] == NEVER {
            let p = model.prob(st.c[i], net.in_weight(i), rep.theta(i));
            if p > 0.0 || st.impulse[i] > 0.0 {
                st.reschedule(i, 0, p, key, steps);
            }
        }
    }

    for t in 1..=steps {
        if !go {
            return;
        }
        s.new.clear();
        let mut bucket = std::mem::take(&mut st.buckets[t as usize]);
        for &i in &bucket {
            if st.sched[i as usize] == t && s.adopted_at[i as usize] == NEVER {
                st.sched[i as usize] = NEVER;
                s.new.push(i);
            }
        }
        bucket.clear();
        st.buckets[t as usize] = bucket;
        // Order of adoption within a step does not matter to the process; sort so that the
        // on_adopt order and the push order are canonical.
        s.new.sort_unstable();
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
        if t == steps {
            break;
        }
        push(st, &s.adopted_at, &s.new, t);
        let mut touched = std::mem::take(&mut st.touched);
        for &i in &touched {
            let iu = i as usize;
            let p = model.prob(st.c[iu], net.in_weight(iu), rep.theta(iu));
            st.reschedule(iu, t, p, key, steps);
        }
        touched.clear();
        st.touched = touched;
    }
}
