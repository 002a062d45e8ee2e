//! `detailing` — marketing effort as the alternative explanation (Van den Bulte & Lilien 2001;
//! Manchanda, Xie & Youn 2008).
//!
//! A schedule gives detailing visits per step; a targeting policy allocates them:
//! - `kols_first`: each KOL (in rank order) gets one visit while the budget lasts; the rest of
//!   the budget is spread evenly over the other physicians;
//! - `by_volume`: the `round(budget)` physicians with the highest value of a node attribute
//!   (`volume_attribute`, default `volume`) get one visit each;
//! - `uniform`: every physician gets `budget / n` visits;
//! - `random`: `round(budget)` distinct physicians drawn at random each step get one visit.
//!
//! Detailing stock `D_i(t) = λ·D_i(t-1) + visits_i(t)`; hazard
//! `P = 1 - exp(-(α + β·D_i(t) + γ·e_i(t-1)))`. With `γ = 0` it is marketing-only, and can
//! still produce S-curves — and a KOL "lift" — that look like contagion.
//!
//! # Parameters
//! `alpha` (α ≥ 0, per step), `beta` (β ≥ 0, per visit of stock), `gamma` (γ ≥ 0, per unit of
//! exposure), `decay` (λ ∈ [0, 1]), `budget` (visits per step: a number, or a list for steps
//! 1, 2, …, later steps getting none), `policy`, `volume_attribute`.
//!
//! # Randomness
//! One uniform draw per non-adopter with `0 < P < 1` per step (dynamics stream); the `random`
//! policy draws its targets from a separate stream, so changing the policy leaves the
//! adoption draws aligned (common random numbers).
//!
//! # Complexity
//! `O(n)` per step plus `O(arcs)` per replicate (exposure counters are pushed along the
//! out-arcs of each new adopter).

use super::exact_fit::{Design, ExactFit, FitParam, Role, Start};
use super::{
    Default, Dynamics, Kind, Model, ModelInfo, Param, ParamTable, ParamValue, Prepared, Rule,
    Setting, share,
};
use crate::attribution::{Attribute, Channel, Trace};
use crate::engine::{EngineKind, NEVER, Observer, Replicate, Scratch, finish_step, start};
use crate::rng::Purpose;
use crate::source::ScenarioError;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::sync::Arc;

mod targeted;
pub use targeted::{DetailingAttribution, Targeted};

/// How visits are targeted.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// KOLs first, remainder spread evenly.
    KolsFirst,
    /// Highest values of a numeric attribute first.
    ByVolume(String),
    /// Evenly over everyone.
    Uniform,
    /// Random physicians each step.
    Random,
}

/// Marketing effort with an optional contagion term.
#[derive(Debug, Clone, PartialEq)]
pub struct Detailing {
    /// Baseline hazard α per step.
    pub alpha: f64,
    /// Hazard per unit of detailing stock.
    pub beta: f64,
    /// Hazard per unit of exposure share.
    pub gamma: f64,
    /// Stock retention λ per step.
    pub decay: f64,
    /// Visits per step, for steps 1, 2, …; one value means every step.
    pub budget: Vec<f64>,
    /// Targeting policy.
    pub policy: Policy,
}

/// Declaration of `detailing`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "detailing",
    summary: "P = 1 - exp(-(α + β·D_i(t) + γ·e_i(t-1))), D_i(t) = λ·D_i(t-1) + visits_i(t): marketing effort (γ = 0: no contagion at all)",
    plain: "Adoption is driven by sales-rep visits: each visit raises a physician's chance of adopting, that effect fades from month to month, and peers may add to it.",
    reference: "Van den Bulte & Lilien 2001; Manchanda, Xie & Youn 2008",
    params: &[
        Param {
            name: "alpha",
            meaning: "baseline adoption hazard",
            unit: "per step",
            rule: Rule::NonNegative,
            default: Default::Num(0.0),
            what: "baseline hazard per step, >= 0",
        },
        Param {
            name: "beta",
            meaning: "hazard per unit of detailing stock",
            unit: "per visit",
            rule: Rule::NonNegative,
            default: Default::Required,
            what: "hazard per unit of detailing stock, >= 0",
        },
        Param {
            name: "gamma",
            meaning: "hazard per unit of exposure share (0 = marketing only)",
            unit: "per step",
            rule: Rule::NonNegative,
            default: Default::Num(0.0),
            what: "hazard per unit of exposure, >= 0",
        },
        Param {
            name: "decay",
            meaning: "λ: share of the detailing stock kept from one step to the next",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Num(0.7),
            what: "share of the detailing stock kept per step",
        },
        Param {
            name: "budget",
            meaning: "visits per step: a number, or a list for steps 1, 2, ... (later steps none)",
            unit: "visits per step",
            rule: Rule::Custom {
                range: ">= 0",
                check: check_budget,
            },
            default: Default::Required,
            what: "detailing visits per step: a number or a list per step",
        },
        Param {
            name: "policy",
            meaning: "targeting: kols_first | by_volume | uniform | random",
            unit: "-",
            rule: Rule::Choice(POLICIES),
            default: Default::Text("kols_first"),
            what: "targeting policy",
        },
        Param {
            name: "volume_attribute",
            meaning: "node attribute used by policy = \"by_volume\"",
            unit: "-",
            rule: Rule::Text {
                range: "a numeric node-file column",
            },
            default: Default::Text("volume"),
            what: "node attribute for policy = \"by_volume\"",
        },
    ],
};

/// The `policy` choices.
const POLICIES: &[&str] = &["kols_first", "by_volume", "uniform", "random"];

/// The registry entry of `detailing`.
pub const KIND: Kind = Kind::new(&INFO, parse, &[FIT]);

/// The exact fit with the observed marketing covariates (the stock `D_i` at the scenario's
/// decay λ): fitted only when a marketing series or detailing file is given; no simulation
/// model (no targeting policy of the scenario reproduces the observed visits).
pub const FIT: ExactFit = {
    const RATE: (f64, f64) = (0.0, 20.0);
    ExactFit {
        role: Role::Covariates,
        boundary_params: 2,
        ..ExactFit::new(
            "detailing",
            "h = 1-exp(-(alpha + beta·D + gamma·e)), D = detailing stock",
            &[
                FitParam {
                    name: "alpha",
                    bounds: RATE,
                    start: Start::SpontaneousRate,
                },
                FitParam {
                    bounds: RATE,
                    ..FitParam::prob("beta")
                },
                FitParam {
                    bounds: RATE,
                    ..FitParam::prob("gamma")
                },
            ],
            Design::Detailing,
            |th, x| {
                let m = Detailing {
                    alpha: th[0],
                    beta: th[1],
                    gamma: th[2],
                    decay: 0.0,
                    budget: Vec::new(),
                    policy: Policy::Uniform,
                };
                super::Likelihood::hazard(&m, x)
            },
        )
    }
};

/// `budget` as written: one number or a list of numbers per step (`None`: neither).
fn read_budget(value: &ParamValue) -> Option<Vec<f64>> {
    match value {
        ParamValue::List(v) => v.iter().map(ParamValue::as_number).collect(),
        x => x.as_number().map(|x| vec![x]),
    }
}

fn check_budget(value: &ParamValue, written: &str) -> Result<(), String> {
    read_budget(value).map(drop).ok_or_else(|| {
        format!("invalid value `{written}`: expected a number or a list of numbers per step")
    })
}

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    let b = t
        .value("budget")
        .ok_or_else(|| t.missing("budget", INFO.params[4].what))?;
    let budget = read_budget(&b.value).unwrap_or_default();
    if budget.is_empty() || budget.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(t.error(
            b.span.clone(),
            "budget",
            "visits per step must be numbers >= 0 (a number, or a non-empty list per step)",
        ));
    }
    let policy = match t.choice("policy")? {
        "uniform" => Policy::Uniform,
        "random" => Policy::Random,
        "by_volume" => Policy::ByVolume(
            t.text("volume_attribute")
                .map(|(a, _)| a)
                .unwrap_or_else(|| "volume".into()),
        ),
        _ => Policy::KolsFirst,
    };
    if let (Some((_, span)), false) = (
        t.text("volume_attribute"),
        matches!(policy, Policy::ByVolume(_)),
    ) {
        return Err(t.error(
            span,
            "volume_attribute",
            "applies only with policy = \"by_volume\"",
        ));
    }
    Ok(Arc::new(Detailing {
        alpha: t.number("alpha")?,
        beta: t.number("beta")?,
        gamma: t.number("gamma")?,
        decay: t.number("decay")?,
        budget,
        policy,
    }))
}

impl Detailing {
    /// The per-step adoption probability `1 − exp(−(α + β·D + γ·e))` of a physician with
    /// detailing stock `D` and exposure share `e` (the stepping rule; the likelihood uses it
    /// too).
    #[inline]
    pub fn prob(&self, stock: f64, e: f64) -> f64 {
        let h = self.alpha + self.beta * stock + self.gamma * e;
        -(-h).exp_m1()
    }

    /// Visits available in step `t` (1-based).
    pub fn budget_at(&self, t: u32) -> f64 {
        match self.budget.as_slice() {
            [b] => *b,
            list => list.get(t as usize - 1).copied().unwrap_or(0.0),
        }
    }

    /// Adds step `t`'s visits to `stock` (after decaying it). `priority` is the policy's
    /// ranking (KOLs for `kols_first`, attribute order for `by_volume`).
    pub fn detail<R: rand::Rng + ?Sized>(
        &self,
        t: u32,
        stock: &mut [f64],
        priority: &[u32],
        is_kol: &[bool],
        rng: &mut R,
        picks: &mut Vec<usize>,
    ) {
        let n = stock.len();
        for d in stock.iter_mut() {
            *d *= self.decay;
        }
        let b = self.budget_at(t).max(0.0);
        if n == 0 || b <= 0.0 {
            return;
        }
        match &self.policy {
            Policy::Uniform => stock.iter_mut().for_each(|d| *d += b / n as f64),
            Policy::KolsFirst => {
                let k = priority.len().min(b.floor() as usize);
                for &i in &priority[..k] {
                    stock[i as usize] += 1.0;
                }
                let rest = b - k as f64;
                let others = n - priority.len();
                if rest > 0.0 && others > 0 {
                    for (i, d) in stock.iter_mut().enumerate() {
                        if !is_kol[i] {
                            *d += rest / others as f64;
                        }
                    }
                }
            }
            Policy::ByVolume(_) => {
                for &i in priority.iter().take(b.round() as usize) {
                    stock[i as usize] += 1.0;
                }
            }
            Policy::Random => {
                picks.clear();
                picks.extend(rand::seq::index::sample(
                    rng,
                    n,
                    (b.round() as usize).min(n),
                ));
                for &i in picks.iter() {
                    stock[i] += 1.0;
                }
            }
        }
    }

    /// Runs one replicate. `priority` as in [`Detailing::detail`]. (Range loops: several
    /// per-physician arrays are indexed together.)
    #[allow(clippy::needless_range_loop)]
    fn sweep<O: Observer + ?Sized>(
        &self,
        rep: &Replicate<'_>,
        priority: &[u32],
        s: &mut Scratch,
        obs: &mut O,
    ) {
        let net = rep.net;
        let n = net.n();
        let mut rng = rep.stream(Purpose::Dynamics);
        let mut target_rng = rep.stream(Purpose::Detailing);
        s.adopted_at.clear();
        s.adopted_at.resize(n, NEVER);
        let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);
        let mut stock = vec![0.0f64; n];
        let mut picks = Vec::new();
        let total: f64 = (0..n).map(|j| net.source_scale(j) as f64).sum();
        let mut adopted_weight: f64 = rep
            .initial
            .iter()
            .map(|&j| net.source_scale(j as usize) as f64)
            .sum();
        // Weighted count of adopted in-neighbours, kept up to date by pushing along the
        // out-arcs of each new adopter: O(arcs) per replicate instead of per step.
        let mut c = vec![0.0f64; n];
        let out = net.out_arcs();
        let push = |c: &mut [f64], from: &[u32]| {
            if self.gamma > 0.0 && !net.is_complete() {
                for &j in from {
                    let (dst, w) = out.arcs(j as usize);
                    for (&i, &wi) in dst.iter().zip(w) {
                        c[i as usize] += wi as f64;
                    }
                }
            }
        };
        push(&mut c, rep.initial);
        for t in 1..=rep.steps {
            if !go {
                return;
            }
            self.detail(
                t,
                &mut stock,
                priority,
                rep.is_kol,
                &mut target_rng,
                &mut picks,
            );
            s.new.clear();
            for i in 0..n {
                if s.adopted_at[i] != NEVER {
                    continue;
                }
                let e = if self.gamma <= 0.0 {
                    0.0
                } else if net.is_complete() {
                    share(adopted_weight, total - net.source_scale(i) as f64)
                } else {
                    share(c[i], net.in_weight(i))
                };
                let p = self.prob(stock[i], e);
                if p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p) {
                    s.new.push(i as u32);
                }
            }
            push(&mut c, &s.new);
            adopted_weight += s
                .new
                .iter()
                .map(|&j| net.source_scale(j as usize) as f64)
                .sum::<f64>();
            (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
        }
    }
}

impl super::Likelihood for Detailing {
    /// The stepping rule on the observed covariates: the stock `D_i` of the period's step
    /// (from the observed visits, [`Exposure::d`](super::Exposure::d)) and the share of
    /// advisers adopted at the end of the previous period.
    fn hazard(&self, x: &super::Exposure) -> f64 {
        self.prob(x.d, share(x.c, x.w))
    }
}

impl Model for Detailing {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        let budget = match self.budget[..] {
            [x] => ParamValue::Num(x),
            _ => ParamValue::List(self.budget.iter().map(|&x| ParamValue::Num(x)).collect()),
        };
        let policy = match &self.policy {
            Policy::KolsFirst => "kols_first",
            Policy::ByVolume(_) => "by_volume",
            Policy::Uniform => "uniform",
            Policy::Random => "random",
        };
        let mut v = vec![
            ("alpha", ParamValue::Num(self.alpha)),
            ("beta", ParamValue::Num(self.beta)),
            ("gamma", ParamValue::Num(self.gamma)),
            ("decay", ParamValue::Num(self.decay)),
            ("budget", budget),
            ("policy", ParamValue::Text(policy.into())),
        ];
        if let Policy::ByVolume(a) = &self.policy {
            v.push(("volume_attribute", ParamValue::Text(a.clone())));
        }
        v
    }

    fn attributes(&self) -> Vec<(&'static str, String)> {
        match &self.policy {
            Policy::ByVolume(name) => vec![("volume_attribute", name.clone())],
            _ => Vec::new(),
        }
    }

    fn prepare(&self, setting: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        let priority = match &self.policy {
            Policy::KolsFirst => setting.kols.to_vec(),
            Policy::ByVolume(attr) => crate::kols::by_attribute(setting.net, attr),
            Policy::Uniform | Policy::Random => Vec::new(),
        };
        Ok(Box::new(Targeted {
            model: self.clone(),
            priority,
        }))
    }

    /// The simulation-based fit frees α and β (γ, the decay, budget and policy as in the
    /// scenario).
    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("alpha", 0.0, 1.0), FP::new("beta", 0.0, 2.0)]
    }

    /// The fit's detailing stock decays as the model's does.
    fn design_input(&self) -> Option<super::DesignInput> {
        Some(super::DesignInput::Decay(self.decay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn model(policy: Policy, budget: Vec<f64>) -> Detailing {
        Detailing {
            alpha: 0.0,
            beta: 0.1,
            gamma: 0.0,
            decay: 0.5,
            budget,
            policy,
        }
    }

    #[test]
    fn stock_follows_the_recursion() {
        let m = model(Policy::KolsFirst, vec![3.0]);
        let is_kol = [true, true, false, false, false];
        let mut d = vec![0.0; 5];
        let mut rng = stream(1, Purpose::Detailing, 0);
        let mut picks = Vec::new();
        m.detail(1, &mut d, &[1, 0], &is_kol, &mut rng, &mut picks);
        // KOLs get one each; 1 visit left spread over 3 others.
        assert_eq!(d[0], 1.0);
        assert!((d[2] - 1.0 / 3.0).abs() < 1e-12);
        m.detail(2, &mut d, &[1, 0], &is_kol, &mut rng, &mut picks);
        assert_eq!(d[0], 1.5);
        let sched = model(Policy::Uniform, vec![5.0, 0.0]);
        let mut u = vec![0.0; 5];
        sched.detail(1, &mut u, &[], &is_kol, &mut rng, &mut picks);
        sched.detail(2, &mut u, &[], &is_kol, &mut rng, &mut picks);
        sched.detail(3, &mut u, &[], &is_kol, &mut rng, &mut picks);
        assert!((u[4] - 0.25).abs() < 1e-12);
        let mut r = vec![0.0; 5];
        model(Policy::Random, vec![2.0]).detail(1, &mut r, &[], &is_kol, &mut rng, &mut picks);
        assert_eq!(r.iter().sum::<f64>(), 2.0);
    }
}
