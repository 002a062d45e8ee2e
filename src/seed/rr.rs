//! Reverse-reachable (RR) sets: the sampler behind `kolsim seed` (issue 13).
//!
//! An RR set for a root `v` and a deadline `h` is the set of physicians `u` such that seeding
//! `u` at step 0 would make `v` an adopter by step `h`, in one random realisation of the
//! model's *triggering* randomness (Borgs et al. 2014; Tang et al. 2014). With `v` uniform
//! and `h` fixed (or uniform on `0..=H` for the adopter-steps objective), `n · P(S ∩ RR ≠ ∅)`
//! is the expected number of adopters by `h` that seeding `S` produces, so the expected
//! spread is a coverage function and greedy max-coverage over many RR sets is
//! `(1 − 1/e − ε)`-optimal.
//!
//! # One search for every triggering model
//! Every supported model is sampled by one reverse search over `(physician, deadline)`:
//! physician `u` with deadline `d` (it must adopt by step `d`) names the in-neighbours `j`
//! whose adoption by step `d' < d` would make `u` adopt by `d`, each with its own `d'`.
//! Physicians are expanded in decreasing deadline order (a bucket queue of `H + 1` buckets for
//! small horizons, a binary heap above [`HEAP_ABOVE`], two stacks by level for the rules that
//! always step back by one — the same order, last pushed first among equal deadlines), each
//! once, at the largest deadline it is reached with, as in Dijkstra's
//! algorithm: every quantity a physician draws
//! is drawn once per RR set, at that deadline, which is what the forward process needs
//! (randomness memoised within one RR set). The rules ([`crate::models::ReverseReachable`];
//! the equivalences with the forward models are worked out in [`super`]):
//!
//! - **live arcs** (independent cascade): each in-arc `j → u` is live with probability
//!   `π = min(1, β·w_ju)`; live arcs give `d' = d − 1` (hop distance: a seed adopts at 0,
//!   its live out-neighbours at 1, ...).
//! - **one parent** (linear threshold, `θ ~ U(0, 1)`, share exposure): `u` picks one
//!   in-neighbour with probability `w_ju / W_u`; `d' = d − 1`.
//! - **delays** (count-form imitation): arc `j → u` carries a delay `D ~ Geometric(1 −
//!   (1 − q)^{w_ju})` on `{1, 2, ...}`, drawn lazily: the arc is kept iff `D ≤ d`
//!   (probability `1 − (1 − q)^{w·d}`), then `D` is drawn from the geometric truncated to
//!   `1..=d`; `d' = d − D` (reverse Dijkstra on integer delays).
//! - **listening** (share-form imitation and Bass): in each step `t ≤ d`, `u` listens with
//!   probability `q` to one in-neighbour picked with probability `w_ju / W_u`, who then needs
//!   `d' = t − 1`. The listening steps are found by geometric skips over `d, d − 1, ..., 1`.
//!
//! **Spontaneous adoption** `p` (cascade, threshold, Bass) is a virtual source `z`: each
//! physician's spontaneous step is Geometric(p), drawn (as the event "spontaneous by `d`",
//! probability `1 − (1 − p)^d`) when the physician is expanded. If it is, the whole RR set is
//! *pre-covered*: the root adopts by `h` whatever the seeds are. Pre-covered sets are counted,
//! not stored; they carry the baseline `σ(∅)` and give seeds no credit.
//!
//! # Subset sampling (SUBSIM-style)
//! Live arcs and kept delays are "each in-arc independently with its own probability". In-arcs
//! are stored sorted by probability, highest first; the sampler jumps over arcs with
//! geometric skips at the current bound `b` (the highest remaining probability) and keeps a
//! landed arc with probability `p_arc / b` (thinning), then continues past it with the bound
//! of the next arc. Skipping with `b ≥ p` then thinning gives each arc exactly its own
//! independent probability, and costs `O(1 + Σ p)` expected draws per physician when the
//! probabilities of one physician are equal (unit weights, weighted cascade) (Guo et al. 2020).
//!
//! # Randomness
//! Every draw comes from the generator the caller hands in; the driver ([`super::opim`])
//! keys one ChaCha8 stream per batch of RR sets, never per thread.
//!
//! # Complexity
//! Building: `O(arcs · log(max in-degree))` (per-physician sorts). One RR set: `O(size +
//! arcs examined)` plus, for `H ≤` [`HEAP_ABOVE`], `O(H)` bucket scans at most; above it
//! `O(pushes · log pushes)`: bounded by the reachable set, not by the horizon.

pub use super::queue::HEAP_ABOVE;
use super::queue::Queue;
use crate::models::ReverseReachable;
use crate::network::Network;
use rand::RngExt;

mod arcs;
mod draw;
use arcs::{InArc, Offsets, first_above};
use draw::{open01, skip, subset};

/// How a physician's in-arcs are explored (the internal form of [`ReverseReachable`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Independent live arcs; `val` holds `π`, sorted descending.
    LiveArcs,
    /// One parent by weight; `val` holds cumulative weight shares.
    OneParent,
    /// Geometric delays; `val` holds the per-step meeting probability, sorted descending.
    Delays,
    /// Listening with probability `q` per step; `val` holds cumulative weight shares.
    Listening {
        /// Listening probability per step.
        q: f64,
    },
}

/// The reverse graph of a model: each physician's in-arcs with the per-arc quantity the
/// model's rule needs, ready for sampling.
#[derive(Debug, Clone)]
pub struct ReverseGraph {
    n: usize,
    rule: Rule,
    offsets: Offsets,
    /// In-arcs, one record each (source and the rule's value side by side: one cache line
    /// per expansion, not two).
    arcs: Vec<InArc>,
    /// Spontaneous adoption per step (0: none).
    p: f64,
    /// `1 − (1 − p)^d` for `d = 0..=H`.
    spont: Vec<f64>,
    horizon: u32,
}

impl ReverseGraph {
    /// Prepares `net` (KOL weights applied) for sampling RR sets of `rule` with deadlines up to
    /// `horizon`. `Err` for the implicit complete graph (no arcs to sample; every physician is
    /// equivalent there, so any `k` seeds are optimal).
    pub fn new(net: &Network, rule: ReverseReachable, horizon: u32) -> Result<Self, String> {
        if net.is_complete() {
            return Err("the complete graph has no structure to optimise over: every set of k physicians spreads the same".into());
        }
        let n = net.n();
        let (rule_i, p) = match rule {
            ReverseReachable::LiveArcs { p, .. } => (Rule::LiveArcs, p),
            ReverseReachable::OneParent { p } => (Rule::OneParent, p),
            ReverseReachable::Delays { .. } => (Rule::Delays, 0.0),
            ReverseReachable::Listening { q, p } => (Rule::Listening { q }, p),
        };
        let inn = net.in_arcs();
        let mut offsets = Offsets::new(n, inn.nodes.len());
        let mut arcs: Vec<InArc> = Vec::with_capacity(inn.nodes.len());
        let mut buf: Vec<(f32, u32)> = Vec::new();
        offsets.push(0);
        for i in 0..n {
            let (js, ws) = inn.arcs(i);
            match rule {
                ReverseReachable::LiveArcs { beta, .. } | ReverseReachable::Delays { q: beta } => {
                    buf.clear();
                    for (&j, &w) in js.iter().zip(ws) {
                        let pr = match rule {
                            ReverseReachable::LiveArcs { .. } => (beta * w as f64).min(1.0),
                            _ => 1.0 - (1.0 - beta).powf(w as f64),
                        };
                        if pr > 0.0 {
                            buf.push((pr as f32, j));
                        }
                    }
                    // Highest probability first; ties by source index (deterministic).
                    buf.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                    arcs.extend(buf.iter().map(|&(val, src)| InArc { src, val }));
                }
                ReverseReachable::OneParent { .. } | ReverseReachable::Listening { .. } => {
                    let total: f64 = ws.iter().map(|&w| w as f64).sum();
                    let mut acc = 0.0;
                    for (&j, &w) in js.iter().zip(ws) {
                        acc += w as f64;
                        arcs.push(InArc {
                            src: j,
                            val: (acc / total) as f32,
                        });
                    }
                    if let Some(last) = arcs.last_mut()
                        && !js.is_empty()
                    {
                        last.val = 1.0;
                    }
                }
            }
            offsets.push(arcs.len());
        }
        let spont = (0..=horizon)
            .map(|d| 1.0 - (1.0 - p).powi(d as i32))
            .collect();
        Ok(ReverseGraph {
            n,
            rule: rule_i,
            offsets,
            arcs,
            p,
            spont,
            horizon,
        })
    }

    /// Number of physicians.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The largest deadline.
    pub fn horizon(&self) -> u32 {
        self.horizon
    }

    /// Spontaneous adoption probability per step (the virtual source; 0 if none).
    pub fn spontaneous(&self) -> f64 {
        self.p
    }

    /// Stored arcs (memory check).
    pub fn arcs(&self) -> usize {
        self.arcs.len()
    }

    #[inline]
    fn range(&self, u: usize) -> std::ops::Range<usize> {
        self.offsets.range(u)
    }

    /// The in-neighbour of `u` picked with probability proportional to its weight, from a
    /// uniform `x ∈ [0, 1)`: the first arc whose cumulative share exceeds `x`
    /// ([`first_above`]).
    #[inline]
    fn pick(&self, u: usize, x: f64) -> u32 {
        let r = self.range(u);
        let cum = &self.arcs[r];
        cum[first_above(cum, x as f32).min(cum.len() - 1)].src
    }
}

/// How one RR-set search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The whole set was found; it is in [`Sampler::set`].
    Stored,
    /// Pre-covered: the root adopts by its deadline through spontaneous adoption, whatever
    /// the seeds ([`Sampler::set`] is incomplete).
    Precovered,
    /// The search reached a physician of the stop set (the sentinel set of the HIST
    /// variant) and stopped there: every seed set containing the stop set covers this RR set,
    /// so the rest of it is not needed ([`Sampler::set`] is incomplete).
    Hit,
}

/// Per-worker memory for sampling RR sets: reused, so sampling does not allocate once warm.
#[derive(Debug, Clone, Default)]
pub struct Sampler {
    /// Best deadline + 1 per physician (0: not reached).
    best: Vec<u32>,
    touched: Vec<u32>,
    queue: Queue,
    /// The other form of queue: [`Queue::levels`] for the unit-step rules (live arcs, one
    /// parent), the horizon's form for the others; swapped in when a search's rule needs it
    /// (a mixture's theories differ).
    spare: Queue,
    /// Never use [`Queue::levels`] (tests of the equivalence of the forms).
    heap_only: bool,
    /// Stop set (empty: none): the search ends as soon as it reaches one of these.
    stop: Vec<bool>,
    /// The search reached the stop set.
    hit: bool,
    /// Most members per set (0: no limit): a search that reaches it stops, and the set is
    /// returned incomplete as [`Outcome::Stored`] (pilot sets only; never for estimates).
    limit: usize,
    /// The last RR set sampled (valid when [`Sampler::sample`] returned `true`).
    pub set: Vec<u32>,
}

impl Sampler {
    /// Memory for graph `g`.
    pub fn new(g: &ReverseGraph) -> Self {
        Sampler {
            best: vec![0; g.n],
            touched: Vec::new(),
            queue: Queue::for_horizon(g.horizon, false),
            spare: Queue::levels(),
            heap_only: false,
            stop: Vec::new(),
            hit: false,
            limit: 0,
            set: Vec::new(),
        }
    }

    /// Memory for graph `g` that keeps the pending pairs in a heap whatever the horizon (the
    /// same sets as [`Sampler::new`]; for tests of that equivalence).
    pub fn with_heap(g: &ReverseGraph) -> Self {
        let mut s = Sampler::new(g);
        s.queue = Queue::for_horizon(g.horizon, true);
        s.heap_only = true;
        s
    }

    /// Memory for graph `g`, with searches that stop at the first physician `v` with
    /// `stop[v]` ([`Outcome::Hit`]).
    pub fn with_stop(g: &ReverseGraph, stop: &[bool]) -> Self {
        let mut s = Sampler::new(g);
        s.stop = stop.to_vec();
        s
    }

    /// Caps the number of members per set at `limit` (0: none): searches stop there and
    /// return the members found so far, in the order of decreasing deadline (the physicians
    /// nearest the root first). Such truncated sets are *not* unbiased RR sets; they serve
    /// only to pick a sentinel set.
    pub fn limited(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Offers physician `v` with deadline `d`; queues it if that beats its best so far.
    #[inline]
    fn offer(&mut self, v: u32, d: u32) {
        if !self.stop.is_empty() && self.stop[v as usize] {
            self.hit = true;
            return;
        }
        let b = &mut self.best[v as usize];
        if d + 1 > *b {
            if *b == 0 {
                self.touched.push(v);
            }
            *b = d + 1;
            self.queue.push(v, d);
        }
    }

    /// Forgets the last search (the queue clears only what it used).
    fn reset(&mut self) {
        for &v in &self.touched {
            self.best[v as usize] = 0;
        }
        self.touched.clear();
        self.queue.clear();
    }

    /// Samples the RR set of `root` with deadline `h ≤ horizon` into [`Sampler::set`].
    /// Returns `false` when the set is pre-covered (the root adopts by `h` through spontaneous
    /// adoption, whatever the seeds); [`Sampler::set`] is then incomplete.
    pub fn sample<R: rand::Rng + ?Sized>(
        &mut self,
        g: &ReverseGraph,
        root: u32,
        h: u32,
        rng: &mut R,
    ) -> bool {
        self.sample_outcome(g, root, h, rng) == Outcome::Stored
    }

    /// Samples the RR set of `root` with deadline `h ≤ horizon`; says how the search ended
    /// (with no stop set, never [`Outcome::Hit`]).
    pub fn sample_outcome<R: rand::Rng + ?Sized>(
        &mut self,
        g: &ReverseGraph,
        root: u32,
        h: u32,
        rng: &mut R,
    ) -> Outcome {
        debug_assert!(h <= g.horizon);
        self.set.clear();
        self.hit = false;
        let unit = !self.heap_only && matches!(g.rule, Rule::LiveArcs | Rule::OneParent);
        if unit != matches!(self.queue, Queue::Levels { .. }) {
            std::mem::swap(&mut self.queue, &mut self.spare);
        }
        self.queue.start(h);
        self.offer(root, h);
        let mut covered = false;
        while !self.hit
            && let Some((u, d)) = self.queue.pop()
        {
            if self.best[u as usize] != d + 1 {
                continue; // reached later with a larger deadline: already expanded
            }
            self.set.push(u);
            if self.limit > 0 && self.set.len() >= self.limit {
                break;
            }
            if g.p > 0.0 && d > 0 && rng.random::<f64>() < g.spont[d as usize] {
                covered = true;
                break;
            }
            if d > 0 {
                self.expand(g, u as usize, d, rng);
            }
        }
        self.reset();
        if covered {
            Outcome::Precovered
        } else if self.hit {
            Outcome::Hit
        } else {
            Outcome::Stored
        }
    }

    /// Offers the in-neighbours of `u` (deadline `d ≥ 1`) that the rule makes relevant.
    #[inline]
    fn expand<R: rand::Rng + ?Sized>(&mut self, g: &ReverseGraph, u: usize, d: u32, rng: &mut R) {
        let r = g.range(u);
        if r.is_empty() {
            return;
        }
        match g.rule {
            Rule::LiveArcs => {
                let arcs = &g.arcs[r];
                subset(
                    arcs,
                    |p| p as f64,
                    rng,
                    |k, _, _| self.offer(arcs[k].src, d - 1),
                );
            }
            Rule::OneParent => {
                let j = g.pick(u, rng.random::<f64>());
                self.offer(j, d - 1);
            }
            Rule::Delays => {
                let arcs = &g.arcs[r];
                let df = d as f64;
                subset(
                    arcs,
                    |p| 1.0 - (1.0 - p as f64).powf(df),
                    rng,
                    |k, keep, rng| {
                        // Already needed by a deadline this arc cannot beat: its delay does
                        // not matter (each arc is examined once, so skipping it is exact).
                        if self.best[arcs[k].src as usize] >= d {
                            return;
                        }
                        let q = arcs[k].val as f64;
                        let delay = if q >= 1.0 {
                            1
                        } else {
                            let x = (-(open01(rng) * keep)).ln_1p() / (-q).ln_1p();
                            (x.ceil().max(1.0) as u32).min(d)
                        };
                        self.offer(arcs[k].src, d - delay);
                    },
                );
            }
            Rule::Listening { q } => {
                if q <= 0.0 {
                    return;
                }
                // Listening steps t = d, d-1, ..., 1, each with probability q.
                let mut t = d as i64;
                loop {
                    if q < 1.0 {
                        t -= skip(q, rng).min(i64::MAX as usize) as i64;
                    }
                    if t < 1 {
                        break;
                    }
                    let j = g.pick(u, rng.random::<f64>());
                    self.offer(j, t as u32 - 1);
                    t -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ArcList;
    use crate::rng::{Purpose, stream};

    #[test]
    fn subset_sampling_gives_each_arc_its_probability() {
        let probs = [0.9f32, 0.5, 0.5, 0.2, 0.05, 0.05, 0.01].map(|val| InArc { src: 0, val });
        let mut hits = [0u32; 7];
        let mut rng = stream(1, Purpose::RrSets, 0);
        let trials = 200_000;
        for _ in 0..trials {
            subset(&probs, |p| p as f64, &mut rng, |k, _, _| hits[k] += 1);
        }
        for (k, p) in probs.iter().map(|a| a.val).enumerate() {
            let f = hits[k] as f64 / trials as f64;
            let se = (p as f64 * (1.0 - p as f64) / trials as f64).sqrt();
            assert!(
                (f - p as f64).abs() < 5.0 * se + 1e-9,
                "arc {k}: {f} vs {p}"
            );
        }
    }

    #[test]
    fn path_with_certain_arcs_reaches_back_by_the_deadline() {
        // 0 -> 1 -> 2 -> 3 (i listens to i-1), β = 1: root 3 with deadline 2 reaches 1, 2, 3.
        let mut arcs = ArcList::default();
        for i in 0..3 {
            arcs.push(i, i + 1, 1.0);
        }
        let net = Network::from_arcs(4, arcs);
        let g = ReverseGraph::new(&net, ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 }, 5)
            .expect("sparse");
        let mut s = Sampler::new(&g);
        let mut rng = stream(1, Purpose::RrSets, 0);
        assert!(s.sample(&g, 3, 2, &mut rng));
        let mut set = s.set.clone();
        set.sort_unstable();
        assert_eq!(set, vec![1, 2, 3]);
        assert!(s.sample(&g, 3, 5, &mut rng));
        assert_eq!(s.set.len(), 4);
    }

    #[test]
    fn heap_and_buckets_sample_the_same_sets_for_every_rule() {
        let mut arcs = ArcList::default();
        let mut x = 7u64;
        for _ in 0..600 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let (a, b) = ((x >> 33) as u32 % 80, (x >> 13) as u32 % 80);
            if a != b {
                arcs.push(a, b, 1.0 + (x % 3) as f32);
            }
        }
        let net = Network::from_arcs(80, arcs);
        for rule in [
            ReverseReachable::LiveArcs { beta: 0.2, p: 0.01 },
            ReverseReachable::OneParent { p: 0.02 },
            ReverseReachable::Delays { q: 0.05 },
            ReverseReachable::Listening { q: 0.3, p: 0.01 },
        ] {
            let g = ReverseGraph::new(&net, rule, 40).expect("sparse");
            let (mut a, mut b) = (Sampler::new(&g), Sampler::with_heap(&g));
            let (mut ra, mut rb) = (stream(5, Purpose::RrSets, 0), stream(5, Purpose::RrSets, 0));
            let mut sizes = 0;
            for i in 0..400u32 {
                let (root, h) = (i % 80, i % 41);
                let oa = a.sample_outcome(&g, root, h, &mut ra);
                let ob = b.sample_outcome(&g, root, h, &mut rb);
                assert_eq!((oa, &a.set), (ob, &b.set), "{rule:?}, set {i}");
                sizes += a.set.len();
            }
            assert!(sizes > 800, "{rule:?}: sets too small to test ({sizes})");
        }
    }
}
