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
//! exposure change to reschedule. No step allocates once the buckets have grown. Once no
//! physician is scheduled any more and nobody adopted in the step, the state is absorbing: the
//! remaining steps are filled ([`super::fill_idle`]), not stepped.
//!
//! Resistances come from a counter-based hash of `(replicate key, i)`, so node `i` has the same
//! `R_i` under every model of the replicate (common random numbers) in whatever order nodes
//! are touched.

use super::{Hazard, NEVER, Observer, Replicate, Scratch, fill_idle, finish_step, start};
use crate::network::Adjacency;
use crate::rng::{Purpose, keyed_unit};
use rand::RngExt;

/// Everything the event engine keeps about one physician, packed into 32 bytes so that a
/// touched physician costs exactly one cache line (half of one), not one line per array.
///
/// `c` and `w` are `f32`: they are sums of `f32` arc weights, exact for integer weights up to
/// 2^24. The hazard bookkeeping is `f64`.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct Node {
    /// Weighted count of adopted in-neighbours.
    c: f32,
    /// Total in-weight (copied from the network so a touch reads one record).
    w: f32,
    /// Remaining resistance extrapolated to step 0 at the current rate: the remaining
    /// resistance at the end of step `t` is `rho0 - rate·t`. NaN until first needed.
    rho0: f64,
    /// Current cumulative-hazard rate per step, `-ln(1 - P)`.
    rate: f64,
    /// Scheduled adoption step, NEVER, or ADOPTED.
    sched: u32,
    /// Last step in which the node was touched (dedup of the touched list).
    mark: u32,
}

/// `sched` value of a physician who has adopted.
const ADOPTED: u32 = NEVER - 1;

const FRESH: Node = Node {
    c: 0.0,
    w: 0.0,
    rho0: f64::NAN,
    rate: 0.0,
    sched: NEVER,
    mark: NEVER,
};

/// How many records ahead to prefetch in the random-access loops.
const PREFETCH: usize = 16;

/// How many adopters' CSR rows ahead [`push`] prefetches (the rows are random accesses too).
const ROWS_AHEAD: usize = 4;

/// Hints the CPU to fetch `p`'s cache line: the push and update loops visit physicians in
/// random order and are bound by memory latency, not by work.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never dereferences `p` architecturally and cannot
    // fault, whatever the address.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Per-worker state of the event engine, reused across replicates.
#[derive(Debug, Default)]
pub struct EventState {
    nodes: Vec<Node>,
    /// One-shot hazard from last step's adopters (independent cascade only).
    impulse: Vec<f64>,
    /// Arc ranges (`start..end` in the out-CSR) of this step's adopters, so that the
    /// random-access pass can prefetch ahead across adopters without copying their arcs.
    ranges: Vec<(usize, usize)>,
    touched: Vec<u32>,
    buckets: Vec<Vec<u32>>,
    /// The latest step any physician was ever scheduled for in this replicate: after it,
    /// with no new adopters, nothing can change (stale entries make it an upper bound).
    last_due: u32,
}

impl EventState {
    fn reset(&mut self, net: &crate::network::Network, steps: u32, cascade: bool) {
        let n = net.n();
        self.nodes.clear();
        self.nodes.extend((0..n).map(|i| Node {
            w: net.in_weight(i) as f32,
            ..FRESH
        }));
        self.impulse.clear();
        if cascade {
            self.impulse.resize(n, 0.0);
        }
        self.touched.clear();
        self.buckets.resize_with(steps as usize + 2, Vec::new);
        for b in &mut self.buckets {
            b.clear();
        }
        self.last_due = 0;
    }
}

/// Brings a node's hazard up to date at the end of step `t` and returns its new adoption
/// step (NEVER if after `steps`). `impulse` is the one-shot hazard for step `t + 1`.
#[inline]
fn reschedule(
    node: &mut Node,
    i: usize,
    t: u32,
    prob: f64,
    impulse: f64,
    key: u64,
    steps: u32,
) -> u32 {
    let rate = if prob >= 1.0 {
        f64::INFINITY
    } else {
        -(-prob).ln_1p()
    };
    let tf = t as f64;
    let mut rho = if node.rho0.is_nan() {
        -keyed_unit(key, i as u64).ln()
    } else if node.rate > 0.0 {
        node.rho0 - node.rate * tf
    } else {
        node.rho0
    };
    rho -= impulse;
    node.rate = rate;
    // First s > t with rho - rate (s - t) <= 0.
    let wait = if rho <= 0.0 || rate == f64::INFINITY {
        1.0
    } else if rate > 0.0 {
        (rho / rate).ceil().max(1.0)
    } else {
        f64::INFINITY
    };
    node.rho0 = if rate > 0.0 && rate.is_finite() {
        rho + rate * tf
    } else {
        rho
    };
    let s = if wait <= (steps - t) as f64 {
        t + wait as u32
    } else {
        NEVER
    };
    node.sched = s;
    s
}

/// Pushes exposure from the new adopters `from` along their out-arcs (and, for cascades, the
/// one-shot impulse); collects the touched non-adopters in `st.touched`.
///
/// The arcs are walked in place, row after row, with a second cursor [`PREFETCH`] arcs ahead
/// prefetching the target's record (copying the rows into one flat buffer first cost 14% of
/// the national benchmark in `memmove`).
fn push<H: Hazard>(
    st: &mut EventState,
    out: &Adjacency,
    model: &H,
    cascade: bool,
    from: &[u32],
    t: u32,
) {
    st.ranges.clear();
    st.ranges.extend(from.iter().filter_map(|&j| {
        let (a, b) = (out.offsets[j as usize], out.offsets[j as usize + 1]);
        (b > a).then_some((a, b))
    }));
    let (dst, wts) = (&out.nodes[..], &out.weights[..]);
    let ranges = &st.ranges[..];
    let records = st.nodes.as_ptr();
    let (dst_ptr, w_ptr) = (dst.as_ptr(), wts.as_ptr());
    for &(a, b) in ranges.iter().take(ROWS_AHEAD) {
        prefetch(dst_ptr.wrapping_add(a));
        prefetch(dst_ptr.wrapping_add(b - 1));
        prefetch(w_ptr.wrapping_add(a));
        prefetch(w_ptr.wrapping_add(b - 1));
    }
    // The prefetching cursor: range `lr`, arc `lk`.
    let (mut lr, mut lk) = (0usize, ranges.first().map_or(0, |r| r.0));
    let mut ahead = || {
        if lr < ranges.len() {
            prefetch(records.wrapping_add(dst[lk] as usize));
            lk += 1;
            if lk == ranges[lr].1 {
                lr += 1;
                if let Some(r) = ranges.get(lr) {
                    lk = r.0;
                }
                // The rows themselves sit at random places in the CSR: fetch a few ahead.
                if let Some(&(a, b)) = ranges.get(lr + ROWS_AHEAD) {
                    prefetch(dst_ptr.wrapping_add(a));
                    prefetch(dst_ptr.wrapping_add(b - 1));
                    prefetch(w_ptr.wrapping_add(a));
                    prefetch(w_ptr.wrapping_add(b - 1));
                }
            }
        }
    };
    for _ in 0..PREFETCH {
        ahead();
    }
    for &(a, b) in ranges {
        for k in a..b {
            ahead();
            let (i, wi) = (dst[k], wts[k]);
            let node = &mut st.nodes[i as usize];
            if node.sched == ADOPTED {
                continue;
            }
            node.c += wi;
            if node.mark != t {
                node.mark = t;
                st.touched.push(i);
            }
            if cascade {
                let pa = model.arc_prob(wi).unwrap_or(0.0);
                st.impulse[i as usize] += if pa >= 1.0 {
                    f64::INFINITY
                } else {
                    -(-pa).ln_1p()
                };
            }
        }
    }
}

/// Runs one replicate with the event engine.
pub fn run<H: Hazard, O: Observer + ?Sized>(
    model: &H,
    rep: &Replicate<'_>,
    s: &mut Scratch,
    obs: &mut O,
) {
    let net = rep.net;
    let n = net.n();
    let steps = rep.steps;
    let key: u64 = rep.stream(Purpose::Dynamics).random();
    let cascade = model.arc_prob(1.0).is_some();
    let st = &mut s.event;
    st.reset(net, steps, cascade);
    s.adopted_at.clear();
    s.adopted_at.resize(n, NEVER);
    let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);
    for &i in rep.initial {
        st.nodes[i as usize].sched = ADOPTED;
    }
    let out = net.out_arcs();

    let update = |st: &mut EventState, i: usize, t: u32| {
        let imp = if cascade {
            std::mem::take(&mut st.impulse[i])
        } else {
            0.0
        };
        let node = &mut st.nodes[i];
        let p = model.prob(i, node.c as f64, node.w as f64);
        if t == 0 && p <= 0.0 && imp <= 0.0 {
            return;
        }
        let due = reschedule(node, i, t, p, imp, key, steps);
        if due != NEVER {
            st.buckets[due as usize].push(i as u32);
            st.last_due = st.last_due.max(due);
        }
    };

    // Step 0: exposure from the initial adopters, then every node's starting hazard.
    push(st, out, model, cascade, rep.initial, 0);
    st.touched.clear();
    for i in 0..n {
        if st.nodes[i].sched != ADOPTED {
            update(st, i, 0);
        }
    }

    if st.last_due == 0 {
        // Nobody will ever adopt (e.g. no seeds and no spontaneous adoption).
        if go {
            fill_idle(rep, 1, adopters, obs);
        }
        return;
    }
    for t in 1..=steps {
        if !go {
            return;
        }
        s.new.clear();
        let mut bucket = std::mem::take(&mut st.buckets[t as usize]);
        for (k, &i) in bucket.iter().enumerate() {
            if let Some(&ahead) = bucket.get(k + PREFETCH) {
                prefetch(&st.nodes[ahead as usize]);
            }
            let node = &mut st.nodes[i as usize];
            if node.sched == t {
                node.sched = ADOPTED;
                s.new.push(i);
            }
        }
        bucket.clear();
        st.buckets[t as usize] = bucket;
        // The order of adoptions within a step does not matter to the process; sorting makes
        // the on_adopt and push orders canonical.
        s.new.sort_unstable();
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
        if t == steps {
            break;
        }
        push(st, out, model, cascade, &s.new, t);
        let touched = std::mem::take(&mut st.touched);
        for (k, &i) in touched.iter().enumerate() {
            if let Some(&ahead) = touched.get(k + PREFETCH) {
                prefetch(&st.nodes[ahead as usize]);
            }
            update(st, i as usize, t);
        }
        st.touched = touched;
        st.touched.clear();
        if t >= st.last_due {
            // Nothing is scheduled after t and the exposure is settled: absorbing.
            if go {
                fill_idle(rep, t + 1, adopters, obs);
            }
            return;
        }
    }
}
