//! Who influenced whom: an [`Observer`] that records every adoption with its channel and,
//! for peer adoptions, the influencing neighbour.
//!
//! This module knows no model. Each model decomposes its own hazard (in its file, as an
//! [`Attribute`] implementation): a physician who adopts in step `t` had channel hazards (as
//! cumulative-hazard rates, which add, see [`rate`]), e.g. external `-ln(1-p)`, marketing
//! `α + β·D_i(t)`, or peer `-ln(1 - q·e)`. The channel is drawn in proportion to these rates
//! ([`Trace::choose`]), and a peer adoption's influencer among the adopted in-neighbours in
//! proportion to their contribution ([`Trace::gather`], [`Trace::pick`]).
//!
//! The draws come from a separate stream (`Attribution`), so recording never changes results.

use crate::engine::{Curve, NEVER, Observer, Replicate, StepCounts};
use crate::network::Network;
use crate::rng::Purpose;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// How an adoption came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Seeded at step 0.
    Initial,
    /// External influence (journals, conferences) or spontaneous adoption.
    External,
    /// Detailing visits.
    Marketing,
    /// A peer's influence.
    Peer,
    /// Own and peers' evidence (social learning).
    Learning,
}

impl Channel {
    /// Name in `adoptions.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Initial => "initial",
            Channel::External => "external",
            Channel::Marketing => "marketing",
            Channel::Peer => "peer",
            Channel::Learning => "learning",
        }
    }
}

/// One adoption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Physician (dense index).
    pub node: u32,
    /// Step of adoption.
    pub step: u32,
    /// Channel.
    pub channel: Channel,
    /// The influencing neighbour of a peer adoption.
    pub influencer: Option<u32>,
}

/// A model's decomposition of an adoption into a channel (and influencer): one value per
/// replicate, created by the model ([`crate::models::Dynamics::attributor`]).
pub trait Attribute {
    /// Channel and influencer of physician `i` adopting in step `t >= 1`. `trace` knows who
    /// adopted before `t` and draws from the attribution stream.
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>);
}

/// The cumulative-hazard rate `-ln(1 - p)` of a per-step probability (infinite at `p >= 1`).
#[inline]
pub fn rate(p: f64) -> f64 {
    if p >= 1.0 {
        f64::INFINITY
    } else {
        -(-p).ln_1p()
    }
}

/// What an [`Attribute`] may look at: the network the model runs on, who adopted when, and
/// the attribution stream.
pub struct Trace<'a> {
    net: &'a Network,
    adopted_at: Vec<u32>,
    rng: ChaCha8Rng,
    candidates: Vec<(u32, f64)>,
}

impl<'a> Trace<'a> {
    fn new(rep: &Replicate<'a>) -> Self {
        Trace {
            net: rep.net,
            adopted_at: vec![NEVER; rep.net.n()],
            rng: rep.stream(Purpose::Attribution),
            candidates: Vec::new(),
        }
    }

    /// The network the model runs on.
    pub fn net(&self) -> &'a Network {
        self.net
    }

    /// The candidates of the last [`Trace::gather`]: `(neighbour, arc weight)`.
    pub fn candidates(&self) -> &[(u32, f64)] {
        &self.candidates
    }

    /// Collects the adopted in-neighbours of `i` before step `t` with their weights
    /// (`only_last`: adopted exactly in `t - 1`) as the candidates, and returns their weighted
    /// count.
    pub fn gather(&mut self, i: usize, t: u32, only_last: bool) -> f64 {
        self.candidates.clear();
        if self.net.is_complete() {
            for j in 0..self.net.n() {
                let a = self.adopted_at[j];
                if j != i && a < t && (!only_last || a == t - 1) {
                    self.candidates
                        .push((j as u32, self.net.source_scale(j) as f64));
                }
            }
        } else {
            let (src, w) = self.net.in_arcs().arcs(i);
            for (&j, &wj) in src.iter().zip(w) {
                let a = self.adopted_at[j as usize];
                if a < t && (!only_last || a == t - 1) {
                    self.candidates.push((j, wj as f64));
                }
            }
        }
        self.candidates.iter().map(|(_, w)| w).sum()
    }

    /// Draws an influencer from the candidates in proportion to `score(weight)`.
    pub fn pick(&mut self, score: impl Fn(f64) -> f64) -> Option<u32> {
        let total: f64 = self.candidates.iter().map(|&(_, w)| score(w)).sum();
        if total <= 0.0 {
            return None;
        }
        let mut x = self.rng.random::<f64>() * total;
        for &(j, w) in &self.candidates {
            x -= score(w);
            if x < 0.0 {
                return Some(j);
            }
        }
        self.candidates.last().map(|&(j, _)| j)
    }

    /// Chooses between an outside channel and the peer channel in proportion to their rates
    /// (an infinite peer rate wins; `true` means peer).
    pub fn choose(&mut self, outside: f64, peer: f64) -> bool {
        if peer <= 0.0 {
            false
        } else if outside <= 0.0 || peer.is_infinite() {
            true
        } else if outside.is_infinite() {
            false
        } else {
            self.rng.random::<f64>() * (outside + peer) < peer
        }
    }
}

/// Records adoptions (and the curve) of one replicate of one model.
pub struct Recorder<'a, A> {
    /// The curve, as [`Curve`] records it.
    pub curve: Curve,
    /// The adoptions, in order.
    pub records: Vec<Record>,
    attribution: A,
    trace: Trace<'a>,
    pending: Vec<u32>,
}

impl<'a, A: Attribute> Recorder<'a, A> {
    /// A recorder for a model running on replicate `rep` (whose `net` is the network the
    /// model runs on), attributing with `attribution`.
    pub fn new(rep: &Replicate<'a>, attribution: A) -> Self {
        Recorder {
            curve: Curve::with_steps(rep.steps),
            records: Vec::new(),
            attribution,
            trace: Trace::new(rep),
            pending: Vec::new(),
        }
    }
}

impl<A: Attribute> Observer for Recorder<'_, A> {
    fn on_adopt(&mut self, node: u32, step: u32) {
        let (channel, influencer) = if step == 0 {
            (Channel::Initial, None)
        } else {
            self.attribution
                .attribute(node as usize, step, &mut self.trace)
        };
        self.records.push(Record {
            node,
            step,
            channel,
            influencer,
        });
        self.pending.push(node);
    }

    fn on_step(&mut self, step: u32, counts: StepCounts) -> bool {
        for &i in &self.pending {
            self.trace.adopted_at[i as usize] = step;
        }
        self.pending.clear();
        self.curve.on_step(step, counts)
    }
}

/// Share of adoptions after step 0 that came through a tie from a KOL (`None` if there were
/// none).
pub fn kol_tie_share(records: &[Record], is_kol: &[bool]) -> Option<f64> {
    let later = records.iter().filter(|r| r.step > 0).count();
    if later == 0 {
        return None;
    }
    let via_kol = records
        .iter()
        .filter(|r| r.step > 0 && r.influencer.is_some_and(|j| is_kol[j as usize]))
        .count();
    Some(via_kol as f64 / later as f64)
}
