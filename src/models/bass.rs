//! `bass` — Bass (1969) mixed influence on a network, agent-based form (Rand & Rust 2011).
//!
//! Two independent channels each step: external (marketing, journals) with probability `p`
//! and imitation with probability `q · e_i(t-1)`:
//! `P = 1 - (1 - p)(1 - q·e_i(t-1)) = p + (1 - p)·q·e_i(t-1)`.
//! On a complete graph the mean share follows `F(t) = F(t-1) + (1-F(t-1))(p + (1-p) q F(t-1))`
//! up to `O(1/n)` (tested).
//!
//! # Parameters
//! - `p` ∈ [0, 1], per step: external (innovation) probability.
//! - `q` ∈ [0, 1], per step: imitation probability at full exposure.
//!
//! # Randomness
//! One Bernoulli per non-adopter and step (reference engine) or one resistance draw per node
//! (event engine).
//!
//! # Reference
//! Bass, F. M. (1969) Management Science 15(5); Rand, W. & Rust, R. T. (2011) IJRM 28(3).
//!
//! # Complexity
//! `O(1)` per hazard evaluation.

use super::likelihood::{Exposure, Likelihood};
use super::{
    Default, Hazard, HazardModel, Kind, Model, ModelInfo, Param, ParamTable, ParamValue, Prepared,
    ReverseReachable, Rule, Setting, share,
};
use crate::attribution::{Attribute, Channel, Trace, rate};
use crate::source::ScenarioError;
use std::sync::Arc;

/// Bass mixed influence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bass {
    /// External influence per step.
    pub p: f64,
    /// Imitation per step at full exposure.
    pub q: f64,
}

/// Declaration of `bass`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "bass",
    summary: "P = p + (1-p)·q·e_i(t-1): external influence plus imitation",
    plain: "Physicians adopt for two reasons: outside influence (marketing, journals) that reaches everyone at the same rate, and imitation of the advisers who already prescribe.",
    reference: "Bass 1969; Rand & Rust 2011 (agent-based form)",
    params: &[
        Param {
            name: "p",
            meaning: "external (innovation) probability: marketing, journals",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Required,
            what: "external influence probability per step",
        },
        Param {
            name: "q",
            meaning: "imitation probability at full exposure",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Required,
            what: "imitation probability per step",
        },
    ],
};

/// The registry entry of `bass`.
pub const KIND: Kind = Kind { info: &INFO, parse };

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    Ok(Arc::new(Bass {
        p: t.number("p")?,
        q: t.number("q")?,
    }))
}

impl Bass {
    /// The imitation channel's probability alone, `q·e`.
    #[inline]
    fn imitation(&self, c: f64, w: f64) -> f64 {
        self.q * share(c, w)
    }
}

impl Hazard for Bass {
    #[inline]
    fn prob(&self, _i: usize, c: f64, w: f64) -> f64 {
        // Written out (not via `imitation`) to keep the floating-point evaluation order.
        (self.p + (1.0 - self.p) * self.q * share(c, w)).min(1.0)
    }
}

impl Model for Bass {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        vec![
            ("p", ParamValue::Num(self.p)),
            ("q", ParamValue::Num(self.q)),
        ]
    }

    fn prepare(&self, _: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(*self))
    }

    /// Listening to one in-neighbour by weight with probability `q` per step, spontaneous
    /// `p` as a virtual source (see [`crate::seed`]).
    fn reverse_reachable(&self) -> Option<ReverseReachable> {
        Some(ReverseReachable::Listening {
            q: self.q,
            p: self.p,
        })
    }

    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("p", 0.0, 1.0), FP::new("q", 0.0, 1.0)]
    }
}

impl HazardModel for Bass {
    type Attributor<'s> = &'s Bass;

    fn attributor(&self) -> &Bass {
        self
    }
}

/// External with rate `-ln(1-p)`, peer with rate `-ln(1-q·e)`.
impl Attribute for &Bass {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        let c = trace.gather(i, t, false);
        let peer = rate(self.imitation(c, trace.net().in_weight(i)));
        if trace.choose(rate(self.p), peer) {
            (Channel::Peer, trace.pick(|w| w))
        } else {
            (Channel::External, None)
        }
    }
}

/// The exact likelihood's hazard: the model's own rule on the observed exposure.
impl Likelihood for Bass {
    fn hazard(&self, x: &Exposure) -> f64 {
        self.prob(0, x.c, x.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula() {
        let m = Bass { p: 0.1, q: 0.5 };
        assert!((m.prob(0, 1.0, 2.0) - (0.1 + 0.9 * 0.25)).abs() < 1e-15);
        assert_eq!(m.prob(0, 0.0, 0.0), 0.1);
    }
}
