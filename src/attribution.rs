//! Who influenced whom: an [`Observer`] that records every adoption with its channel and,
//! for peer adoptions, the influencing neighbour.
//!
//! Attribution follows the models' own hazard decomposition. A physician who adopts in step
//! `t` had channel hazards (as cumulative-hazard rates, which add): external/marketing
//! `-ln(1-p)` (Bass, threshold, cascade spontaneous adoption) or `α + β·D_i(t)` (detailing),
//! and peer `-ln(1 - q·e)` (imitation, Bass, structural equivalence), `γ·e` (detailing), or the
//! one-shot arc chances of last step's adopters (cascade). The channel is drawn in proportion
//! to these rates, and a peer adoption's influencer among the adopted in-neighbours in
//! proportion to their contribution (arc weight, or arc hazard for the cascade). A threshold
//! adoption with `e ≥ θ` is a peer adoption. Social-learning adoptions are `learning`.
//!
//! The draws come from a separate stream (`Attribution`), so recording never changes results.

use crate::engine::{Curve, NEVER, Observer, Replicate, StepCounts};
use crate::models::{ExposureKind, ModelKind, share};
use crate::network::Network;
use crate::rng::{Purpose, stream};
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

/// Records adoptions (and the curve) of one replicate of one model.
pub struct Recorder<'a> {
    /// The curve, as [`Curve`] records it.
    pub curve: Curve,
    /// The adoptions, in order.
    pub records: Vec<Record>,
    model: &'a ModelKind,
    net: &'a Network,
    theta: &'a [f64],
    is_kol: &'a [bool],
    priority: &'a [u32],
    adopted_at: Vec<u32>,
    pending: Vec<u32>,
    stock: Vec<f64>,
    stock_step: u32,
    detail_rng: ChaCha8Rng,
    rng: ChaCha8Rng,
    picks: Vec<usize>,
    candidates: Vec<(u32, f64)>,
}

impl<'a> Recorder<'a> {
    /// A recorder for `model` running on replicate `rep` (whose `net` is the network the
    /// model runs on).
    pub fn new(model: &'a ModelKind, rep: &Replicate<'a>) -> Self {
        let n = rep.net.n();
        Recorder {
            curve: Curve::with_steps(rep.steps),
            records: Vec::new(),
            model,
            net: rep.net,
            theta: rep.theta,
            is_kol: rep.is_kol,
            priority: rep.priority,
            adopted_at: vec![NEVER; n],
            pending: Vec::new(),
            stock: vec![0.0; n],
            stock_step: 0,
            detail_rng: stream(rep.seed, Purpose::Detailing, rep.replicate),
            rng: stream(rep.seed, Purpose::Attribution, rep.replicate),
            picks: Vec::new(),
            candidates: Vec::new(),
        }
    }

    /// Adopted in-neighbours of `i` before step `t` with their weights (`only_last`: adopted
    /// exactly in `t - 1`), and the weighted count.
    fn gather(&mut self, i: usize, t: u32, only_last: bool) -> f64 {
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

    /// Draws an influencer from the candidates in proportion to `score`.
    fn pick(&mut self, score: impl Fn(f64) -> f64) -> Option<u32> {
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
    fn choose(&mut self, outside: f64, peer: f64) -> bool {
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

    fn attribute(&mut self, i: usize, t: u32) -> (Channel, Option<u32>) {
        let rate = |p: f64| {
            if p >= 1.0 {
                f64::INFINITY
            } else {
                -(-p).ln_1p()
            }
        };
        let w_i = self.net.in_weight(i);
        match self.model {
            ModelKind::SocialLearning(_) => (Channel::Learning, None),
            ModelKind::Imitation(_) | ModelKind::StructuralEquivalence(_) => {
                self.gather(i, t, false);
                (Channel::Peer, self.pick(|w| w))
            }
            ModelKind::Bass(m) => {
                let c = self.gather(i, t, false);
                let peer = rate(m.q * share(c, w_i));
                if self.choose(rate(m.p), peer) {
                    (Channel::Peer, self.pick(|w| w))
                } else {
                    (Channel::External, None)
                }
            }
            ModelKind::Threshold(m) => {
                let c = self.gather(i, t, false);
                let x = match m.exposure {
                    ExposureKind::Share => share(c, w_i),
                    ExposureKind::Count => c,
                };
                let theta = self.theta.get(i).copied().unwrap_or(0.0);
                if x >= theta && !self.candidates.is_empty() {
                    (Channel::Peer, self.pick(|w| w))
                } else {
                    (Channel::External, None)
                }
            }
            ModelKind::IndependentCascade(m) => {
                self.gather(i, t, true);
                let arc = |w: f64| rate((m.beta * w).min(1.0));
                let peer: f64 = self.candidates.iter().map(|&(_, w)| arc(w)).sum();
                if self.choose(rate(m.p), peer) {
                    (Channel::Peer, self.pick(arc))
                } else {
                    (Channel::External, None)
                }
            }
            ModelKind::Detailing(m) => {
                while self.stock_step < t {
                    self.stock_step += 1;
                    m.detail(
                        self.stock_step,
                        &mut self.stock,
                        self.priority,
                        self.is_kol,
                        &mut self.detail_rng,
                        &mut self.picks,
                    );
                }
                let c = self.gather(i, t, false);
                let peer = m.gamma * share(c, w_i);
                let outside = m.alpha + m.beta * self.stock[i];
                if self.choose(outside, peer) {
                    (Channel::Peer, self.pick(|w| w))
                } else {
                    (Channel::Marketing, None)
                }
            }
        }
    }
}

impl Observer for Recorder<'_> {
    fn on_adopt(&mut self, node: u32, step: u32) {
        let (channel, influencer) = if step == 0 {
            (Channel::Initial, None)
        } else {
            self.attribute(node as usize, step)
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
            self.adopted_at[i as usize] = step;
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
