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

use super::rate::{RateMemo, wait_steps};
use super::{Hazard, NEVER, Observer, Replicate, Scratch, fill_idle, finish_step, start};
use crate::network::{Adjacency, prefetch};
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
    /// Remaining resistance at the end of step `mark` (after that step's impulse), NaN until
    /// first needed. Extrapolated to step 0 at the current rate it is
    /// `rho0 + rate·mark` (see [`resistance_at`]), and the remaining resistance at the end of
    /// a later step `t` is that minus `rate·t`.
    rho0: f64,
    /// Current cumulative-hazard rate per step, `-ln(1 - P)`.
    rate: f64,
    /// Scheduled adoption step, NEVER, or ADOPTED.
    sched: u32,
    /// The step `rho0` refers to: the last step in which the node was touched or
    /// rescheduled (also the dedup of the touched list). NEVER before.
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
const ROWS_AHEAD: usize = 16;

/// Per-worker state of the event engine, reused across replicates.
#[derive(Debug, Default)]
pub struct EventState {
    nodes: Vec<Node>,
    /// Bit `i` is set once physician `i` has adopted (a copy of `sched == ADOPTED`). About
    /// half the arcs a diffusion walks lead to a physician who adopted before the arc's
    /// source did; this `n/8`-byte copy stays in cache, so those arcs are skipped without
    /// fetching the target's record from memory.
    adopted: Vec<u64>,
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
    /// The rates of recently seen probabilities (kept across replicates: a pure function).
    rates: RateMemo,
}

impl EventState {
    fn reset(&mut self, net: &crate::network::Network, steps: u32, cascade: bool) {
        let n = net.n();
        self.nodes.clear();
        super::pages::reserve_huge(&mut self.nodes, n);
        self.nodes.extend((0..n).map(|i| Node {
            w: net.in_weight(i) as f32,
            ..FRESH
        }));
        // The buffer may reuse pages freed earlier (already mapped small): move them too.
        super::pages::collapse(&self.nodes);
        self.adopted.clear();
        self.adopted.resize(n.div_ceil(64), 0);
        self.impulse.clear();
        if cascade {
            self.impulse.resize(n, 0.0);
        }
        self.touched.clear();
        // Only buckets up to the last replicate's `last_due` can hold entries: clearing just
        // those keeps a long horizon from costing a pass over all its steps per replicate.
        for b in self.buckets.iter_mut().take(self.last_due as usize + 1) {
            b.clear();
        }
        self.buckets.resize_with(steps as usize + 2, Vec::new);
        self.last_due = 0;
    }
}

/// Whether bit `i` of `bits` is set.
#[inline(always)]
fn has(bits: &[u64], i: u32) -> bool {
    (bits[(i >> 6) as usize] >> (i & 63)) & 1 != 0
}

/// Marks physician `i` adopted: its record and its bit.
#[inline]
fn adopt(node: &mut Node, bits: &mut [u64], i: u32) {
    node.sched = ADOPTED;
    bits[(i >> 6) as usize] |= 1 << (i & 63);
}

/// The remaining resistance of `node` at the end of step `t`, before any change made in `t`
/// (or, when `node` was already touched in `t`, as that touch left it). The arithmetic is
/// exactly that of storing `rho0 + rate·mark` and subtracting `rate·t` later, so the bytes of
/// every run are those of the engine that stored the extrapolated value.
#[inline]
fn resistance_at(node: &Node, i: usize, t: u32, key: u64) -> f64 {
    if node.rho0.is_nan() {
        return -keyed_unit(key, i as u64).ln();
    }
    if node.mark == t {
        return node.rho0;
    }
    let rate = node.rate;
    let at_zero = if rate > 0.0 && rate.is_finite() {
        node.rho0 + rate * node.mark as f64
    } else {
        node.rho0
    };
    if rate > 0.0 {
        at_zero - rate * t as f64
    } else {
        at_zero
    }
}

/// Brings a node's hazard up to date at the end of step `t` and returns its new adoption
/// step (NEVER if after `steps`). `rate` is the new hazard rate, `-ln(1 - P)` of the node's
/// probability ([`RateMemo::rate`]); `impulse` is the one-shot hazard for step `t + 1`.
#[inline]
fn reschedule(
    node: &mut Node,
    i: usize,
    t: u32,
    rate: f64,
    impulse: f64,
    key: u64,
    steps: u32,
) -> u32 {
    let rho = resistance_at(node, i, t, key) - impulse;
    node.rate = rate;
    // First s > t with rho - rate (s - t) <= 0.
    let wait = if rho <= 0.0 || rate == f64::INFINITY {
        1.0
    } else if rate > 0.0 {
        wait_steps(rho / rate)
    } else {
        f64::INFINITY
    };
    node.rho0 = rho;
    node.mark = t;
    let s = if wait <= (steps - t) as f64 {
        t + wait as u32
    } else {
        NEVER
    };
    node.sched = s;
    s
}

/// Files `i` under its new adoption step `due` unless it is already there (`old`, its step
/// before the reschedule: that bucket still holds it) or it never adopts.
#[inline]
fn file(buckets: &mut [Vec<u32>], last_due: &mut u32, i: u32, old: u32, due: u32) {
    if due != NEVER && due != old {
        buckets[due as usize].push(i);
        *last_due = (*last_due).max(due);
    }
}

/// Walks the out-arcs of the adopters `from` row after row in place, calling
/// `visit(target, weight)` for each target not in `adopted` (see [`EventState::adopted`]),
/// with a second cursor [`PREFETCH`] arcs ahead prefetching the target's record in `records` (copying the rows into one flat buffer first cost 14% of
/// the national benchmark in `memmove`) and the rows of the adopters [`ROWS_AHEAD`] ahead.
fn walk_arcs<T>(
    ranges: &mut Vec<(usize, usize)>,
    out: &Adjacency,
    from: &[u32],
    (records, adopted): (*const T, &[u64]),
    mut visit: impl FnMut(u32, f32),
) {
    ranges.clear();
    // The adopters are sorted, but far apart: their offsets are random accesses too.
    let offsets = out.offsets.as_ptr();
    ranges.extend(from.iter().enumerate().filter_map(|(k, &j)| {
        if let Some(&ahead) = from.get(k + PREFETCH) {
            prefetch(offsets.wrapping_add(ahead as usize));
        }
        let (a, b) = (out.offsets[j as usize], out.offsets[j as usize + 1]);
        (b > a).then_some((a, b))
    }));
    let (dst, wts) = (&out.nodes[..], &out.weights[..]);
    let ranges = &ranges[..];
    let (dst_ptr, w_ptr) = (dst.as_ptr(), wts.as_ptr());
    let fetch_row = |(a, b): (usize, usize)| {
        prefetch(dst_ptr.wrapping_add(a));
        prefetch(dst_ptr.wrapping_add(b - 1));
        prefetch(w_ptr.wrapping_add(a));
        prefetch(w_ptr.wrapping_add(b - 1));
    };
    ranges.iter().take(ROWS_AHEAD).for_each(|&r| fetch_row(r));
    // The prefetching cursor: range `lr`, arc `lk`.
    let (mut lr, mut lk) = (0usize, ranges.first().map_or(0, |r| r.0));
    let mut ahead = || {
        if lr < ranges.len() {
            let i = dst[lk];
            if !has(adopted, i) {
                prefetch(records.wrapping_add(i as usize));
            }
            lk += 1;
            if lk == ranges[lr].1 {
                lr += 1;
                if let Some(r) = ranges.get(lr) {
                    lk = r.0;
                }
                // The rows themselves sit at random places in the CSR: fetch a few ahead.
                if let Some(&r) = ranges.get(lr + ROWS_AHEAD) {
                    fetch_row(r);
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
            let i = dst[k];
            if !has(adopted, i) {
                visit(i, wts[k]);
            }
        }
    }
}

/// Pushes exposure from the new adopters `from` along their out-arcs (and, for cascades, the
/// one-shot impulse); collects the touched non-adopters in `st.touched`, each brought to its
/// resistance at the end of `t` on its first touch (so that `mark == t` means touched).
fn push<H: Hazard>(
    st: &mut EventState,
    out: &Adjacency,
    model: &H,
    cascade: bool,
    from: &[u32],
    t: u32,
    key: u64,
) {
    let records = st.nodes.as_ptr();
    let (nodes, touched, impulse) = (&mut st.nodes, &mut st.touched, &mut st.impulse);
    let rates = &mut st.rates;
    let skip = (records, &st.adopted[..]);
    walk_arcs(&mut st.ranges, out, from, skip, |i, wi| {
        let node = &mut nodes[i as usize];
        if node.sched == ADOPTED {
            return;
        }
        node.c += wi;
        if node.mark != t {
            node.rho0 = resistance_at(node, i as usize, t, key);
            node.mark = t;
            touched.push(i);
        }
        if cascade {
            impulse[i as usize] += rates.rate(model.arc_prob(wi).unwrap_or(0.0));
        }
    });
}

/// [`push`] and the reschedule of every touched physician in one pass, for models without
/// a one-shot impulse: a physician is rescheduled at each touch from its resistance at the end
/// of `t` (kept in the record from the first touch), so after the last touch of the step its
/// record and schedule are exactly what one reschedule after all pushes gives, without a
/// second random access to it (intermediate schedules only leave stale bucket entries).
fn push_and_reschedule<H: Hazard>(
    st: &mut EventState,
    out: &Adjacency,
    model: &H,
    from: &[u32],
    t: u32,
    (key, steps): (u64, u32),
) {
    let records = st.nodes.as_ptr();
    let (nodes, buckets, last_due) = (&mut st.nodes, &mut st.buckets, &mut st.last_due);
    let rates = &mut st.rates;
    let skip = (records, &st.adopted[..]);
    walk_arcs(&mut st.ranges, out, from, skip, |i, wi| {
        let node = &mut nodes[i as usize];
        if node.sched == ADOPTED {
            return;
        }
        node.c += wi;
        let rate = rates.rate(model.prob(i as usize, node.c as f64, node.w as f64));
        let old = node.sched;
        let due = reschedule(node, i as usize, t, rate, 0.0, key, steps);
        file(buckets, last_due, i, old, due);
    });
}

/// Empties step `t`'s bucket into `new`: the physicians still scheduled for `t` (the others
/// are stale entries of a physician rescheduled since), marked adopted.
///
/// A stale entry is left behind whenever a touch moves a physician's step, and exposure
/// mostly moves it earlier: on the national benchmark nearly three in four entries belong to
/// a physician who has adopted since (2.7 of 3.7 million per model and replicate). The
/// adopted bitset (in cache) skips those without fetching the record from memory.
fn pop_due(st: &mut EventState, t: u32, new: &mut Vec<u32>) {
    new.clear();
    let mut bucket = std::mem::take(&mut st.buckets[t as usize]);
    for (k, &i) in bucket.iter().enumerate() {
        if let Some(&ahead) = bucket.get(k + PREFETCH)
            && !has(&st.adopted, ahead)
        {
            prefetch(&st.nodes[ahead as usize]);
        }
        if has(&st.adopted, i) {
            continue;
        }
        let node = &mut st.nodes[i as usize];
        if node.sched == t {
            adopt(node, &mut st.adopted, i);
            new.push(i);
        }
    }
    bucket.clear();
    st.buckets[t as usize] = bucket;
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
    super::pages::fill_huge(&mut s.adopted_at, n, NEVER);
    let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);
    for &i in rep.initial {
        adopt(&mut st.nodes[i as usize], &mut st.adopted, i);
    }
    let out = net.out_arcs();
    super::pages::collapse_arcs(out);

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
        let old = node.sched;
        let due = reschedule(node, i, t, st.rates.rate(p), imp, key, steps);
        file(&mut st.buckets, &mut st.last_due, i as u32, old, due);
    };

    // Step 0: exposure from the initial adopters, then every node's starting hazard.
    push(st, out, model, cascade, rep.initial, 0, key);
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
        pop_due(st, t, &mut s.new);
        // The order of adoptions within a step does not matter to the process; sorting makes
        // the on_adopt and push orders canonical.
        s.new.sort_unstable();
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
        if t == steps {
            break;
        }
        if !cascade {
            push_and_reschedule(st, out, model, &s.new, t, (key, steps));
        } else {
            push(st, out, model, cascade, &s.new, t, key);
        }
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
