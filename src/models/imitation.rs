//! `imitation` — pure imitation: the "KOL influence is simple copying" hypothesis.
//!
//! `P(i adopts in t) = q · e_i(t-1)`, with `e_i` the weighted share of adopted in-neighbours.
//! With `exposure = "count"`: `P = 1 - (1 - q)^{c_i(t-1)}` (per-contact transmission, as in SI
//! epidemic models; a KOL arc of weight κ counts as κ contacts). No spontaneous adoption:
//! without initial adopters nothing happens.
//!
//! # Parameters
//! - `q` ∈ [0, 1], per step: imitation probability at full exposure (or per contact).
//! - `exposure` ∈ {`share`, `count`}, default `share`.
//!
//! # Randomness
//! One Bernoulli (reference engine) or one resistance draw (event engine) per exposed node.
//!
//! # Reference
//! Bass (1969) imitation term; Rand & Rust (2011); Valente (1995).
//!
//! # Complexity
//! `O(1)` per hazard evaluation.

use super::exact_fit::{Counted, Design, ExactFit, FitParam, Impossible, num};
use super::likelihood::{Exposure, Likelihood};
use super::{
    Default, ExposureKind, Hazard, HazardModel, Kind, Model, ModelInfo, Param, ParamTable,
    ParamValue, Prepared, ReverseReachable, Rule, Setting, share,
};
use crate::attribution::{Attribute, Channel, Trace};
use crate::source::ScenarioError;
use std::sync::Arc;

/// Pure imitation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Imitation {
    /// Imitation probability per step at full exposure.
    pub q: f64,
    /// Share or count exposure.
    pub exposure: ExposureKind,
}

/// Declaration of `imitation`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "imitation",
    summary: "P = q·e_i(t-1): adopt by copying adopted peers (exposure = \"count\": 1-(1-q)^c_i)",
    plain: "Physicians adopt by copying their advisers: the larger the share of a physician's advisers who prescribe, the likelier they start this month.",
    reference: "Bass 1969 (imitation term); Rand & Rust 2011",
    params: &[
        Param {
            name: "q",
            meaning: "imitation probability at full exposure (or per contact with count exposure)",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Required,
            what: "imitation probability per step",
        },
        Param {
            name: "exposure",
            meaning: "\"share\" of weighted in-neighbours adopted, or weighted \"count\"",
            unit: "-",
            rule: Rule::Choice(ExposureKind::CHOICES),
            default: Default::Text("share"),
            what: "exposure",
        },
    ],
};

/// The registry entry of `imitation`: share and count exposure are fitted apart.
pub const KIND: Kind = Kind::new(
    &INFO,
    parse,
    &[fit(ExposureKind::Share), fit(ExposureKind::Count)],
);

/// The exact fit of imitation with `exposure`: no spontaneous channel, so an adoption with
/// no adopted adviser is impossible.
const fn fit(exposure: ExposureKind) -> ExactFit {
    let (name, describe, hazard): (_, _, fn(&[f64], &Exposure) -> f64) = match exposure {
        ExposureKind::Share => (
            "imitation",
            "h = q·e (share of advisers adopted)",
            |th, x| {
                Imitation {
                    q: th[0],
                    exposure: ExposureKind::Share,
                }
                .hazard(x)
            },
        ),
        ExposureKind::Count => (
            "imitation_count",
            "h = 1-(1-q)^c (per adopted adviser)",
            |th, x| {
                Imitation {
                    q: th[0],
                    exposure: ExposureKind::Count,
                }
                .hazard(x)
            },
        ),
    };
    ExactFit {
        impossible: Some(Impossible {
            counted: Counted::Adoptions,
            when: |x| x.c == 0.0,
            says: "adoption(s) happened with no adopted peers, and this family has no spontaneous channel",
        }),
        as_model: Some(match exposure {
            ExposureKind::Share => |v, _| Some((INFO.kind, as_model(v, "share"))),
            ExposureKind::Count => |v, _| Some((INFO.kind, as_model(v, "count"))),
        }),
        ..ExactFit::new(name, describe, Q, Design::Influence, hazard)
    }
}

/// Imitation's one fitted parameter.
const Q: &[FitParam] = &[FitParam::prob("q")];

/// The `[[model]]` values of a fitted imitation.
fn as_model(v: &dyn Fn(&str) -> f64, exposure: &str) -> Vec<(&'static str, ParamValue)> {
    vec![num("q", v), ("exposure", ParamValue::Text(exposure.into()))]
}

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    let exposure = ExposureKind::parse(t.choice("exposure")?).unwrap_or(ExposureKind::Share);
    Ok(Arc::new(Imitation {
        q: t.number("q")?,
        exposure,
    }))
}

impl Hazard for Imitation {
    #[inline]
    fn prob(&self, _i: usize, c: f64, w: f64) -> f64 {
        match self.exposure {
            ExposureKind::Share => (self.q * share(c, w)).min(1.0),
            ExposureKind::Count => 1.0 - (1.0 - self.q).powf(c),
        }
    }
}

impl Model for Imitation {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        vec![
            ("q", ParamValue::Num(self.q)),
            ("exposure", ParamValue::Text(self.exposure.name().into())),
        ]
    }

    fn prepare(&self, _: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(*self))
    }

    /// Share form: listening to one in-neighbour by weight with probability `q` per step;
    /// count form: geometric delays per arc (see [`crate::seed`]).
    fn reverse_reachable(&self) -> Option<ReverseReachable> {
        Some(match self.exposure {
            ExposureKind::Share => ReverseReachable::Listening { q: self.q, p: 0.0 },
            ExposureKind::Count => ReverseReachable::Delays { q: self.q },
        })
    }

    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("q", 0.0, 1.0)]
    }
}

impl HazardModel for Imitation {
    type Attributor<'s> = PeerOnly;

    fn attributor(&self) -> PeerOnly {
        PeerOnly
    }
}

/// Attribution when peers are the only channel: every adoption is a peer adoption, the
/// influencer drawn among the adopted in-neighbours in proportion to arc weight.
#[derive(Debug, Clone, Copy)]
pub struct PeerOnly;

impl Attribute for PeerOnly {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        trace.gather(i, t, false);
        (Channel::Peer, trace.pick(|w| w))
    }
}

/// The exact likelihood's hazard: the model's own rule on the observed exposure.
impl Likelihood for Imitation {
    fn hazard(&self, x: &Exposure) -> f64 {
        self.prob(0, x.c, x.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula() {
        let m = Imitation {
            q: 0.4,
            exposure: ExposureKind::Share,
        };
        assert_eq!(m.prob(0, 1.0, 4.0), 0.1);
        assert_eq!(m.prob(0, 0.0, 0.0), 0.0);
        let c = Imitation {
            q: 0.5,
            exposure: ExposureKind::Count,
        };
        assert!((c.prob(0, 2.0, 10.0) - 0.75).abs() < 1e-15);
    }
}
