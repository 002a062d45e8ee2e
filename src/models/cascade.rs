//! `independent_cascade` — Kempe, Kleinberg & Tardos (2003).
//!
//! A physician `j` who adopted in step `t-1` gets one chance, in `t`, to convert each
//! out-neighbour `i` with probability `min(1, β · w_ji)`; optionally plus spontaneous adoption
//! with probability `p`. Hence
//! `P(i adopts in t) = 1 - (1 - p) · Π_{j new in t-1} (1 - min(1, β·w_ji))`.
//!
//! # Parameters
//! - `beta` ∈ [0, 1]: conversion probability per arc of weight 1 (one chance).
//! - `p` ∈ [0, 1], per step, default 0: spontaneous adoption.
//!
//! # Randomness
//! As the other models: the channels are combined into one per-step hazard.
//!
//! # Reference
//! Kempe, D., Kleinberg, J. & Tardos, É. (2003) KDD.
//!
//! # Complexity
//! `O(1)` per hazard evaluation, `O(1)` per arc from a new adopter.

use super::exact_fit::{Design, ExactFit, FitParam, num};
use super::likelihood::{Exposure, Likelihood, MAX_CLASSES};
use super::{
    Default, Hazard, HazardModel, Kind, Model, ModelInfo, Param, ParamTable, ParamValue, Prepared,
    ReverseReachable, Rule, Setting,
};
use crate::attribution::{Attribute, Channel, Trace, rate};
use crate::source::ScenarioError;
use std::sync::Arc;

/// Independent cascade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndependentCascade {
    /// Conversion probability per unit of arc weight.
    pub beta: f64,
    /// Spontaneous adoption per step.
    pub p: f64,
}

/// Declaration of `independent_cascade`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "independent_cascade",
    summary: "each new adopter j gets one chance to convert each listener i with min(1, β·w_ji); plus p",
    plain: "Each new prescriber gets one chance to convince each physician who listens to them; after that month their influence is spent, and a few physicians adopt on their own.",
    reference: "Kempe, Kleinberg & Tardos 2003",
    params: &[
        Param {
            name: "beta",
            meaning: "one-shot conversion probability along an arc of weight 1",
            unit: "per arc",
            rule: Rule::Prob,
            default: Default::Required,
            what: "conversion probability per arc",
        },
        Param {
            name: "p",
            meaning: "spontaneous adoption probability",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Num(0.0),
            what: "spontaneous adoption probability per step",
        },
    ],
};

/// The registry entry of `independent_cascade`.
pub const KIND: Kind = Kind::new(&INFO, parse, &[FIT]);

/// The cascade's exact fit (exposure from last period's adopters only).
pub const FIT: ExactFit = ExactFit {
    boundary_params: 1,
    as_model: Some(|v, _| Some((INFO.kind, vec![num("beta", v), num("p", v)]))),
    ..ExactFit::new(
        "cascade",
        "h = 1-(1-p)·Π(1-β·w) over last period's adopters",
        &[FitParam::prob("beta"), FitParam::spontaneous("p")],
        Design::Cascade,
        |th, x| {
            IndependentCascade {
                beta: th[0],
                p: th[1],
            }
            .hazard(x)
        },
    )
};

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    Ok(Arc::new(IndependentCascade {
        beta: t.number("beta")?,
        p: t.number("p")?,
    }))
}

impl Hazard for IndependentCascade {
    #[inline]
    fn prob(&self, _i: usize, _c: f64, _w: f64) -> f64 {
        self.p
    }

    #[inline]
    fn arc_prob(&self, w: f32) -> Option<f64> {
        Some((self.beta * w as f64).min(1.0))
    }

    #[inline]
    fn constant_prob(&self) -> Option<f64> {
        Some(self.p)
    }
}

impl Model for IndependentCascade {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        vec![
            ("beta", ParamValue::Num(self.beta)),
            ("p", ParamValue::Num(self.p)),
        ]
    }

    fn prepare(&self, _: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(*self))
    }

    fn reverse_reachable(&self) -> Option<ReverseReachable> {
        Some(ReverseReachable::LiveArcs {
            beta: self.beta,
            p: self.p,
        })
    }

    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("beta", 0.0, 1.0), FP::new("p", 0.0, 1.0)]
    }
}

impl HazardModel for IndependentCascade {
    type Attributor<'s> = &'s IndependentCascade;

    fn attributor(&self) -> &IndependentCascade {
        self
    }
}

/// External with rate `-ln(1-p)`; peer with the sum of the arc rates `-ln(1 - min(1, β·w))`
/// of last step's adopters, the influencer drawn in proportion to them.
impl Attribute for &IndependentCascade {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        trace.gather(i, t, true);
        let beta = self.beta;
        let arc = |w: f64| rate((beta * w).min(1.0));
        let peer: f64 = trace.candidates().iter().map(|&(_, w)| arc(w)).sum();
        if trace.choose(rate(self.p), peer) {
            (Channel::Peer, trace.pick(arc))
        } else {
            (Channel::External, None)
        }
    }
}

impl Likelihood for IndependentCascade {
    /// `1 − (1 − p) Π_{j adopted in t−1} (1 − min(1, β w_ji))`: the model's spontaneous
    /// channel and its own arc rule ([`Hazard::arc_prob`]) over last period's adopters.
    fn hazard(&self, x: &Exposure) -> f64 {
        let mut survive = 1.0 - self.prob(0, x.c, x.w);
        for k in 0..MAX_CLASSES {
            if x.new[k] > 0 {
                let a = self.arc_prob(x.class_w[k]).unwrap_or(0.0);
                survive *= (1.0 - a).powi(x.new[k] as i32);
            }
        }
        1.0 - survive
    }
}
