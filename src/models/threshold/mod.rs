//! `threshold` — linear threshold / complex contagion (Granovetter 1978; Valente 1995;
//! Centola & Macy 2007).
//!
//! Each physician draws a threshold `θ_i` once per replicate. `i` adopts in step `t` iff
//! `e_i(t-1) ≥ θ_i` (with `exposure = "count"`: iff `c_i(t-1) ≥ θ_i`, an absolute weighted
//! number of adopters), otherwise spontaneously with probability `p`. A physician who listens
//! to nobody has exposure 0, so `θ = 0` means everyone adopts in step 1.
//!
//! # Parameters
//! - `theta`: a number (everyone), or `{ dist = "uniform", low, high }`,
//!   `{ dist = "beta", a, b }`, `{ dist = "normal", mean, sd }` (truncated to [0, 1], or to
//!   [0, ∞) with count exposure), or `{ attribute = "column" }` (from the node file).
//! - `p` ∈ [0, 1], per step, default 0.
//! - `exposure` ∈ {`share`, `count`}, default `share`.
//!
//! # Randomness
//! Thresholds come from the replicate's `Thresholds` stream (one draw per physician, shared by
//! all threshold models of the scenario); adoption is deterministic unless `p > 0`.
//!
//! # Reference
//! Granovetter, M. (1978) AJS 83(6); Valente, T. (1995) *Network Models of the Diffusion of
//! Innovations*; Centola, D. & Macy, M. (2007) AJS 113(3).
//!
//! # Complexity
//! `O(1)` per hazard evaluation; `O(n)` draws per replicate for the thresholds.

mod theta;

use self::theta::{check_theta, parse_theta};
use super::exact_fit::{Counted, Design, ExactFit, FitParam, Impossible, Start, num};
use super::likelihood::{Exposure, Likelihood};
use super::{
    Default, Dynamics, ExposureKind, Hazard, Kind, Model, ModelInfo, Param, ParamTable, ParamValue,
    Prepared, ReverseReachable, Rule, Setting, share,
};
use crate::attribution::{Attribute, Channel, Trace};
use crate::engine::{self, EngineKind, Observer, Replicate, Scratch};
use crate::network::{Attribute as NodeAttribute, Network};
use crate::rng::Purpose;
use crate::source::ScenarioError;
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Normal};
use std::sync::Arc;

/// How thresholds are assigned.
#[derive(Debug, Clone, PartialEq)]
pub enum Theta {
    /// The same threshold for everyone.
    Fixed(f64),
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Beta(a, b).
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
    },
    /// Normal(mean, sd), truncated to `[0, upper]` by redrawing.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Upper truncation point (1 for share exposure, infinite for count).
        upper: f64,
    },
    /// Per-physician values given directly (`theta = [..]`, one per physician in node order).
    PerNode(Vec<f64>),
    /// Per-physician values from a numeric node attribute; a missing value is never reached.
    Attribute(String),
}

impl Theta {
    /// Fills `out` with one threshold per physician. Randomness only from `rng`.
    pub fn draw<R: Rng + ?Sized>(&self, out: &mut Vec<f64>, net: &Network, rng: &mut R) {
        let n = net.n();
        out.clear();
        match self {
            Theta::Fixed(x) => out.resize(n, *x),
            Theta::Uniform { low, high } => {
                out.extend((0..n).map(|_| low + (high - low) * rng.random::<f64>()))
            }
            Theta::Beta { a, b } => {
                let d = Beta::new(*a, *b).expect("validated beta parameters");
                out.extend((0..n).map(|_| d.sample(rng)))
            }
            Theta::Normal { mean, sd, upper } => {
                let d = Normal::new(*mean, *sd).expect("validated normal parameters");
                out.extend((0..n).map(|_| {
                    loop {
                        let x: f64 = d.sample(rng);
                        if (0.0..=*upper).contains(&x) {
                            break x;
                        }
                    }
                }))
            }
            Theta::PerNode(v) => out.extend_from_slice(v),
            Theta::Attribute(name) => match net.attribute(name) {
                Some(NodeAttribute::Numeric(v)) => {
                    out.extend(v.iter().map(|x| x.unwrap_or(f64::INFINITY)))
                }
                _ => out.resize(n, f64::INFINITY),
            },
        }
    }

    /// Whether thresholds are random (need the RNG).
    pub fn is_random(&self) -> bool {
        !matches!(
            self,
            Theta::Fixed(_) | Theta::PerNode(_) | Theta::Attribute(_)
        )
    }
}

/// Linear threshold model.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Threshold assignment.
    pub theta: Theta,
    /// Spontaneous adoption per step.
    pub p: f64,
    /// Share or count exposure.
    pub exposure: ExposureKind,
}

/// Declaration of `threshold`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "threshold",
    summary: "adopt iff e_i(t-1) >= θ_i (or c_i >= θ_i with count exposure); else spontaneously with p",
    plain: "Each physician has a personal tipping point: they adopt once the share of their advisers who prescribe reaches it (and a few adopt on their own).",
    reference: "Granovetter 1978; Valente 1995; Centola & Macy 2007",
    params: &[
        Param {
            name: "theta",
            meaning: "threshold: a number, a list (one per physician), or {dist=\"uniform\",low,high} | {dist=\"beta\",a,b} | {dist=\"normal\",mean,sd} | {attribute=\"column\"}",
            unit: "share of weighted in-neighbours (count: weighted adopters)",
            rule: Rule::Custom {
                range: "[0, 1] for share; >= 0 for count",
                check: check_theta,
            },
            default: Default::Required,
            what: "adoption threshold: a number or a distribution table",
        },
        Param {
            name: "p",
            meaning: "spontaneous adoption probability",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Num(0.0),
            what: "spontaneous adoption probability per step",
        },
        Param {
            name: "exposure",
            meaning: "\"share\" or \"count\" (absolute number of adopters)",
            unit: "-",
            rule: Rule::Choice(ExposureKind::CHOICES),
            default: Default::Text("share"),
            what: "exposure",
        },
    ],
};

/// The registry entry of `threshold`.
pub const KIND: Kind = Kind::new(&INFO, parse, &[FIT]);

/// Largest `high` of the fitted family (θ ~ U(0, high)): a share `1 − 1/high` of the
/// physicians never adopts through the network.
pub const HIGH_MAX: f64 = 1000.0;

/// The exact fit: `θ ~ U(0, high)` and spontaneous `p`, share exposure; `high` may exceed 1,
/// so a share `1 − 1/high` of physicians never adopts through the network (θ > 1) and the
/// family can fit launches where some never follow their advisers (no simulation model then).
pub const FIT: ExactFit = ExactFit {
    rough: true,
    impossible: Some(Impossible {
        counted: Counted::NonAdoptions,
        when: |x| x.w > 0.0 && x.c >= x.w && x.m < x.c,
        says: "physician-period(s) at full exposure (all advisers adopted) without adopting, which this family does not allow",
    }),
    as_model: Some(|v, _| {
        if v("high") > 1.0 {
            return None;
        }
        let theta = ParamValue::Table(vec![
            ("dist".into(), ParamValue::Text("uniform".into())),
            ("low".into(), ParamValue::Num(0.0)),
            ("high".into(), ParamValue::Num(v("high"))),
        ]);
        Some((INFO.kind, vec![("theta", theta), num("p", v)]))
    }),
    ..ExactFit::new(
        "threshold",
        "h = p + (1-p)·P(θ ≤ e | θ > e_prev), θ ~ U(0, high), share 1-1/high never",
        &[
            FitParam {
                name: "high",
                bounds: (1e-3, HIGH_MAX),
                start: Start::Grid(&[0.05, 0.3, 0.8, 5.0]),
            },
            FitParam::spontaneous("p"),
        ],
        Design::Threshold,
        |th, x| {
            Threshold {
                theta: Theta::Uniform {
                    low: 0.0,
                    high: th[0],
                },
                p: th[1],
                exposure: ExposureKind::Share,
            }
            .hazard(x)
        },
    )
};

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    let exposure = ExposureKind::parse(t.choice("exposure")?).unwrap_or(ExposureKind::Share);
    let v = t
        .value("theta")
        .ok_or_else(|| t.missing("theta", INFO.params[0].what))?;
    Ok(Arc::new(Threshold {
        theta: parse_theta(t, v, exposure)?,
        p: t.number("p")?,
        exposure,
    }))
}

/// The threshold rule with one replicate's thresholds: what the kernel steps.
#[derive(Debug, Clone, Copy)]
pub struct ThresholdHazard<'a> {
    /// Spontaneous adoption per step.
    pub p: f64,
    /// Share or count exposure.
    pub exposure: ExposureKind,
    /// `θ_i` per physician.
    pub theta: &'a [f64],
}

impl Hazard for ThresholdHazard<'_> {
    #[inline]
    fn prob(&self, i: usize, c: f64, w: f64) -> f64 {
        if self.exposure.of(c, w) >= self.theta[i] {
            1.0
        } else {
            self.p
        }
    }
}

impl Model for Threshold {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        let table = |dist: &str, a: (&str, f64), b: (&str, f64)| {
            ParamValue::Table(vec![
                ("dist".into(), ParamValue::Text(dist.into())),
                (a.0.into(), ParamValue::Num(a.1)),
                (b.0.into(), ParamValue::Num(b.1)),
            ])
        };
        let theta = match &self.theta {
            Theta::Fixed(x) => ParamValue::Num(*x),
            Theta::Uniform { low, high } => table("uniform", ("low", *low), ("high", *high)),
            Theta::Beta { a, b } => table("beta", ("a", *a), ("b", *b)),
            Theta::Normal { mean, sd, .. } => table("normal", ("mean", *mean), ("sd", *sd)),
            Theta::Attribute(a) => {
                ParamValue::Table(vec![("attribute".into(), ParamValue::Text(a.clone()))])
            }
            // `theta = [..]`: one value per physician, in node order.
            Theta::PerNode(v) => ParamValue::List(v.iter().map(|&x| ParamValue::Num(x)).collect()),
        };
        vec![
            ("theta", theta),
            ("p", ParamValue::Num(self.p)),
            ("exposure", ParamValue::Text(self.exposure.name().into())),
        ]
    }

    fn attributes(&self) -> Vec<(&'static str, String)> {
        match &self.theta {
            Theta::Attribute(name) => vec![("theta", name.clone())],
            _ => Vec::new(),
        }
    }

    fn prepare(&self, s: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        if let Theta::PerNode(v) = &self.theta
            && v.len() != s.net.n()
        {
            return Err(format!(
                "theta lists {} values but the network has {} physicians (one value per \
                 physician, in node order)",
                v.len(),
                s.net.n()
            ));
        }
        Ok(Box::new(self.clone()))
    }

    /// Only `θ ~ U(0, 1)` with share exposure is a triggering model (linear threshold: one
    /// parent by weight, see [`crate::seed`]); any other threshold law is not submodular in
    /// general and has none.
    fn reverse_reachable(&self) -> Option<ReverseReachable> {
        match (&self.theta, self.exposure) {
            (Theta::Uniform { low, high }, ExposureKind::Share) if *low == 0.0 && *high == 1.0 => {
                Some(ReverseReachable::OneParent { p: self.p })
            }
            _ => None,
        }
    }

    /// The simulation-based fit frees θ when it is one number, the upper end of a uniform θ
    /// (above its lower end), and `p`; θ of another law or from an attribute stays as given.
    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        match self.theta {
            Theta::Fixed(_) => vec![FP::new("theta", 0.0, 1.0), FP::new("p", 0.0, 1.0)],
            Theta::Uniform { low, .. } => {
                vec![
                    FP::new("theta.high", low + 1e-6, 1.0),
                    FP::new("p", 0.0, 1.0),
                ]
            }
            _ => vec![FP::new("p", 0.0, 1.0)],
        }
    }

    /// The exact likelihood covers `θ ~ U(0, high)` only.
    fn needs_simulation(&self) -> bool {
        !matches!(self.theta, Theta::Uniform { low, .. } if low == 0.0)
    }
}

impl Dynamics for Threshold {
    /// The replicate's thresholds, from its `Thresholds` stream (the same for every threshold
    /// model of the scenario).
    type State = Vec<f64>;
    type Attributor<'s> = ThresholdAttribution<'s>;

    fn replicate(&self, rep: &Replicate<'_>) -> Vec<f64> {
        let mut theta = Vec::new();
        self.theta
            .draw(&mut theta, rep.net, &mut rep.stream(Purpose::Thresholds));
        theta
    }

    fn run<O: Observer + ?Sized>(
        &self,
        theta: &Vec<f64>,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    ) {
        let hazard = ThresholdHazard {
            p: self.p,
            exposure: self.exposure,
            theta,
        };
        engine::run(engine, &hazard, rep, scratch, obs)
    }

    fn attributor<'s>(
        &'s self,
        theta: &'s Vec<f64>,
        _: &Replicate<'s>,
    ) -> ThresholdAttribution<'s> {
        ThresholdAttribution { model: self, theta }
    }
}

/// A threshold adoption with `e >= θ` (and an adopted in-neighbour) is a peer adoption, the
/// influencer drawn in proportion to arc weight; any other is external (spontaneous).
pub struct ThresholdAttribution<'s> {
    model: &'s Threshold,
    theta: &'s [f64],
}

impl Attribute for ThresholdAttribution<'_> {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        let c = trace.gather(i, t, false);
        let x = self.model.exposure.of(c, trace.net().in_weight(i));
        let theta = self.theta.get(i).copied().unwrap_or(0.0);
        if x >= theta && !trace.candidates().is_empty() {
            (Channel::Peer, trace.pick(|w| w))
        } else {
            (Channel::External, None)
        }
    }
}

/// The threshold distribution's CDF, where the likelihood supports it (uniform).
pub fn theta_cdf(theta: &Theta, v: f64) -> Option<f64> {
    match theta {
        Theta::Uniform { low, high } => Some(if v < *low {
            0.0
        } else if v >= *high {
            1.0
        } else {
            (v - low) / (high - low)
        }),
        _ => None,
    }
}

impl Likelihood for Threshold {
    /// With random thresholds `θ ~ F`, a physician at risk has survived exposure `m` (so
    /// `θ > m`); it adopts through the threshold rule with probability
    /// `g = [F(e) − F(m)]⁺ / (1 − F(m))`, else through the rule's spontaneous channel. The
    /// hazard is the model's own rule ([`ThresholdHazard`]) averaged over θ:
    /// `g · prob(θ ≤ e) + (1 − g) · prob(θ > e)`. Only uniform θ is supported (else NaN).
    fn hazard(&self, x: &Exposure) -> f64 {
        let (e, m) = match self.exposure {
            ExposureKind::Share => (share(x.c, x.w), share(x.m, x.w)),
            ExposureKind::Count => (x.c, x.m),
        };
        let Some(fe) = theta_cdf(&self.theta, e) else {
            return f64::NAN;
        };
        let fm = if x.m == f64::NEG_INFINITY {
            0.0
        } else {
            theta_cdf(&self.theta, m).unwrap_or(0.0)
        };
        let g = if x.m != f64::NEG_INFINITY && e <= m || fm >= 1.0 {
            0.0
        } else {
            ((fe - fm) / (1.0 - fm)).clamp(0.0, 1.0)
        };
        // The model's own rule with a threshold below (reached) and above (not reached) `e`.
        let rule = |theta: f64| {
            ThresholdHazard {
                p: self.p,
                exposure: self.exposure,
                theta: &[theta],
            }
            .prob(0, x.c, x.w)
        };
        let (reached, not_reached) = (rule(f64::NEG_INFINITY), rule(f64::INFINITY));
        g * reached + (1.0 - g) * not_reached
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn rule() {
        let m = ThresholdHazard {
            theta: &[0.5, 0.0],
            p: 0.01,
            exposure: ExposureKind::Share,
        };
        assert_eq!(m.prob(0, 1.0, 2.0), 1.0);
        assert_eq!(m.prob(0, 0.9, 2.0), 0.01);
        assert_eq!(m.prob(1, 0.0, 0.0), 1.0); // isolated node, θ = 0
    }

    #[test]
    fn truncated_normal_stays_in_range() {
        let mut v = Vec::new();
        let t = Theta::Normal {
            mean: 0.9,
            sd: 0.5,
            upper: 1.0,
        };
        t.draw(
            &mut v,
            &Network::complete(10_000),
            &mut stream(1, Purpose::Thresholds, 0),
        );
        assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
    }
}
