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

use super::exact_fit::{Design, ExactFit, FitParam, Role, Start, num};
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

/// The registry entry of `bass`: its exact fits are innovation only (`q = 0`, the null),
/// Bass, and the KOL term.
pub const KIND: Kind = Kind::new(&INFO, parse, &[INNOVATION, FIT, KOL_FIT]);

/// Innovation only: `bass` with `q = 0` (`h = p`), the baseline of every test.
pub const INNOVATION: ExactFit = ExactFit {
    role: Role::Null,
    as_model: Some(|v, _| Some(("bass", vec![num("p", v), ("q", ParamValue::Num(0.0))]))),
    ..ExactFit::new(
        "innovation",
        "h = p (constant adoption rate; bass with q = 0)",
        &[FitParam::spontaneous("p")],
        Design::Influence,
        |th, x| Bass { p: th[0], q: 0.0 }.hazard(x),
    )
};

/// Bass's exact fit.
pub const FIT: ExactFit = ExactFit {
    boundary_params: 1,
    linear: true,
    as_model: Some(|v, _| Some(("bass", vec![num("p", v), num("q", v)]))),
    ..ExactFit::new(
        "bass",
        "h = p + (1-p)·q·e",
        &[FitParam::spontaneous("p"), FitParam::prob("q")],
        Design::Influence,
        |th, x| Bass { p: th[0], q: th[1] }.hazard(x),
    )
};

/// The KOL term's describe line.
const KOL_SAYS: &str = "h = p + (1-p)·(q_kol·e_kol + q_other·e_other)";

/// The KOL term ([`KolContagion`]): fitted only, no simulation model.
pub const KOL_FIT: ExactFit = ExactFit {
    boundary_params: 2,
    linear: true,
    ratio: Some(&KOL_RATIO),
    ..ExactFit::new(
        "kol_contagion",
        KOL_SAYS,
        &[
            FitParam::spontaneous("p"),
            FitParam::prob("q_kol"),
            FitParam::prob("q_other"),
        ],
        Design::KolSplit,
        |th, x| {
            KolContagion {
                p: th[0],
                q_kol: th[1],
                q_other: th[2],
            }
            .hazard(x)
        },
    )
};

/// [`KOL_FIT`] parametrised by `(p, q_other, κ = q_kol / q_other)`, for κ̂'s interval.
pub const KOL_RATIO: ExactFit = ExactFit {
    role: Role::Internal,
    ..ExactFit::new(
        "kol_contagion",
        KOL_SAYS,
        &[
            FitParam::spontaneous("p"),
            FitParam::prob("q_other"),
            FitParam {
                name: "kappa",
                bounds: (0.0, 1000.0),
                start: Start::Grid(&[0.5, 1.0, 3.0]),
            },
        ],
        Design::KolSplit,
        |th, x| {
            KolContagion {
                p: th[0],
                q_kol: th[2] * th[1],
                q_other: th[1],
            }
            .hazard(x)
        },
    )
};

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

/// The KOL term (MODELS.md): exposure split by source, each over the total in-weight with
/// κ = 1, with its own coefficient: Bass with imitation `q_K e^K + q_O e^O`. `q_K / q_O` is
/// the estimated KOL weight κ̂. Not a simulation model; fitted only ([`KOL_FIT`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KolContagion {
    /// External influence per step.
    pub p: f64,
    /// Imitation coefficient of exposure to KOL adopters.
    pub q_kol: f64,
    /// Imitation coefficient of exposure to other adopters.
    pub q_other: f64,
}

impl Likelihood for KolContagion {
    /// Bass's rule with the weighted count `q_K c^K + q_O c^O` (so `q = 1` in Bass's formula).
    fn hazard(&self, x: &Exposure) -> f64 {
        Bass { p: self.p, q: 1.0 }.prob(0, self.q_kol * x.kol + self.q_other * x.other, x.w_raw)
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
