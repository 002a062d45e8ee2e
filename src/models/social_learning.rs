//! `social_learning` — physicians learn the drug's unknown quality from patient outcomes
//! (Bayesian learning; Coscelli & Shum 2004; Chintagunta, Jiang & Jin 2009; Ching 2010).
//!
//! True quality `Q`. Every physician holds a normal belief `N(m_i, s_i²)`, prior
//! `N(m0, s0²)`. The initial adopters use the drug in step 0 and their outcomes are observed
//! then (step 2 below). In each later step:
//! 1. Decisions use beliefs at the end of the previous step: a non-user adopts when
//!    `m_i - ρ·s_i ≥ u0`; a user discontinues when `m_i - ρ·s_i < u0 - δ`. A physician who
//!    discontinued may adopt again later (counted as a user, not as a new adopter).
//! 2. Each current user observes `k` patient outcomes `x ~ N(Q, σ²)` (`k_kol` for KOLs),
//!    summarised by their mean `x̄ ~ N(Q, σ²/k)`.
//! 3. Each physician updates on its own outcomes and on those of the users it listens to,
//!    a peer's evidence weighted by the arc weight (so a KOL's weight κ makes its evidence
//!    κ times as precise) — the conjugate normal update
//!    `τ' = τ + Σ w·k/σ²`, `m' = (τ·m + Σ w·k·x̄/σ²) / τ'`, `s = τ^{-1/2}`.
//!
//! Unlike imitation, adoption depends on whether the product is actually good: with
//! `Q < u0` it stalls or reverses.
//!
//! # Parameters
//! `quality` (Q), `prior_mean` (m0), `prior_sd` (s0 > 0), `signal_sd` (σ > 0),
//! `signals_per_step` (k ≥ 0), `kol_signals_per_step` (k_kol ≥ 0), `u0`,
//! `risk_aversion` (ρ ≥ 0), `discontinue_margin` (δ ≥ 0). Outcomes are in the units of `u0`.
//!
//! # Randomness
//! One normal draw per current user per step (in physician order), from the replicate's
//! dynamics stream.
//!
//! # Complexity
//! `O(n)` per step plus the current users' out-degrees (evidence is pushed from users).

use super::{
    Default, Dynamics, Kind, Model, ModelInfo, Param, ParamTable, ParamValue, Prepared, Rule,
    Setting,
};
use crate::attribution::{Attribute, Channel, Trace};
use crate::engine::{EngineKind, NEVER, Observer, Replicate, Scratch, StepCounts};
use crate::rng::Purpose;
use crate::source::ScenarioError;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// Bayesian social learning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SocialLearning {
    /// True quality Q.
    pub quality: f64,
    /// Prior mean m0.
    pub prior_mean: f64,
    /// Prior standard deviation s0.
    pub prior_sd: f64,
    /// Outcome noise σ.
    pub signal_sd: f64,
    /// Outcomes seen per step by a user.
    pub signals_per_step: u32,
    /// Outcomes seen per step by a KOL user.
    pub kol_signals_per_step: u32,
    /// Value of the incumbent therapy.
    pub u0: f64,
    /// Risk aversion ρ.
    pub risk_aversion: f64,
    /// Discontinuation margin δ.
    pub discontinue_margin: f64,
}

/// Declaration of `social_learning`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "social_learning",
    summary: "Bayesian learning of quality from own and peers' patient outcomes; adopt when m - ρ·s >= u0, stop when below u0 - δ",
    plain: "Physicians learn how good the drug is from their own and their advisers' patients, start prescribing once they are confident enough that it beats the current treatment, and may stop if the evidence turns.",
    reference: "Coscelli & Shum 2004; Chintagunta, Jiang & Jin 2009; Ching 2010",
    params: &[
        Param {
            name: "quality",
            meaning: "true quality Q of the drug (mean patient outcome)",
            unit: "outcome units",
            rule: Rule::Any,
            default: Default::Required,
            what: "true quality of the drug",
        },
        Param {
            name: "u0",
            meaning: "value of the incumbent therapy",
            unit: "outcome units",
            rule: Rule::Any,
            default: Default::Required,
            what: "value of the incumbent therapy",
        },
        Param {
            name: "prior_mean",
            meaning: "prior belief about quality, m0",
            unit: "outcome units",
            rule: Rule::Any,
            default: Default::Num(0.0),
            what: "prior mean belief",
        },
        Param {
            name: "prior_sd",
            meaning: "prior uncertainty s0",
            unit: "outcome units",
            rule: Rule::Positive,
            default: Default::Num(1.0),
            what: "prior standard deviation, > 0",
        },
        Param {
            name: "signal_sd",
            meaning: "noise σ of one patient outcome",
            unit: "outcome units",
            rule: Rule::Positive,
            default: Default::Num(1.0),
            what: "outcome noise, > 0",
        },
        Param {
            name: "signals_per_step",
            meaning: "patient outcomes a user sees per step",
            unit: "per step",
            rule: Rule::Int {
                min: 0,
                max: 1_000_000,
            },
            default: Default::Num(1.0),
            what: "patient outcomes per user per step",
        },
        Param {
            name: "kol_signals_per_step",
            meaning: "patient outcomes a KOL user sees per step",
            unit: "per step",
            rule: Rule::Int {
                min: 0,
                max: 1_000_000,
            },
            default: Default::Derived("signals_per_step"),
            what: "patient outcomes per KOL user per step",
        },
        Param {
            name: "risk_aversion",
            meaning: "ρ: adopt when m - ρ·s >= u0",
            unit: "-",
            rule: Rule::NonNegative,
            default: Default::Num(1.0),
            what: "risk aversion, >= 0",
        },
        Param {
            name: "discontinue_margin",
            meaning: "δ: a user stops when m - ρ·s < u0 - δ",
            unit: "outcome units",
            rule: Rule::NonNegative,
            default: Default::Num(0.1),
            what: "discontinuation margin, >= 0",
        },
    ],
};

/// The registry entry of `social_learning`.
pub const KIND: Kind = Kind::new(&INFO, parse, &[]);

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    let signals = t.int("signals_per_step")?;
    Ok(Arc::new(SocialLearning {
        quality: t.number("quality")?,
        prior_mean: t.number("prior_mean")?,
        prior_sd: t.number("prior_sd")?,
        signal_sd: t.number("signal_sd")?,
        signals_per_step: signals as u32,
        kol_signals_per_step: t.int_or("kol_signals_per_step", signals)? as u32,
        u0: t.number("u0")?,
        risk_aversion: t.number("risk_aversion")?,
        discontinue_margin: t.number("discontinue_margin")?,
    }))
}

/// The conjugate normal update of a belief with precision `tau` and mean `m` by evidence of
/// total precision `prec` and precision-weighted sum `wsum` (`Σ precision·value`).
/// Returns the new `(m, tau)`.
#[inline]
pub fn update(m: f64, tau: f64, prec: f64, wsum: f64) -> (f64, f64) {
    if prec <= 0.0 {
        return (m, tau);
    }
    let t = tau + prec;
    ((tau * m + wsum) / t, t)
}

impl SocialLearning {
    fn score(&self, m: f64, tau: f64) -> f64 {
        m - self.risk_aversion / tau.sqrt()
    }

    /// Runs one replicate.
    ///
    /// Evidence is pushed from the current users along their out-arcs, and only physicians
    /// whose beliefs changed are reconsidered (a decision on an unchanged belief cannot
    /// change), so a step costs `O(n)` plus the users' out-degrees, not `O(arcs)`.
    fn sweep<O: Observer + ?Sized>(&self, rep: &Replicate<'_>, s: &mut Scratch, obs: &mut O) {
        let net = rep.net;
        let n = net.n();
        let mut rng = rep.stream(Purpose::Dynamics);
        s.adopted_at.clear();
        s.adopted_at.resize(n, NEVER);
        let mut kol = 0;
        for &i in rep.initial {
            s.adopted_at[i as usize] = 0;
            kol += u32::from(rep.is_kol[i as usize]);
            obs.on_adopt(i, 0);
        }
        let mut st = Beliefs {
            user: vec![false; n],
            m: vec![self.prior_mean; n],
            tau: vec![1.0 / (self.prior_sd * self.prior_sd); n],
            own: vec![[0.0; 2]; n],
            prec_in: vec![0.0; n],
            wsum_in: vec![0.0; n],
            touched: vec![false; n],
            changed: Vec::new(),
        };
        for &i in rep.initial {
            st.user[i as usize] = true;
        }
        let (mut ever, mut users) = (rep.initial.len() as u32, rep.initial.len() as u32);
        let mut go = obs.on_step(
            0,
            StepCounts {
                new_adopters: ever,
                new_kol_adopters: kol,
                adopters: ever,
                discontinued: 0,
                users,
            },
        );
        // The initial adopters use the drug during step 0: their outcomes inform step 1.
        self.observe(rep, &mut st, &mut rng);
        // In step 1 everyone decides on their prior (or updated) belief; later, only those
        // whose belief changed.
        let mut candidates: Vec<u32> = (0..n as u32).collect();
        for t in 1..=rep.steps {
            if !go {
                return;
            }
            // 1. Decisions on beliefs at the end of t-1.
            let (mut new, mut new_kol, mut stopped) = (0u32, 0u32, 0u32);
            for &i in &candidates {
                let i = i as usize;
                let sc = self.score(st.m[i], st.tau[i]);
                if !st.user[i] && sc >= self.u0 {
                    st.user[i] = true;
                    users += 1;
                    if s.adopted_at[i] == NEVER {
                        s.adopted_at[i] = t;
                        new += 1;
                        new_kol += u32::from(rep.is_kol[i]);
                        obs.on_adopt(i as u32, t);
                    }
                } else if st.user[i] && sc < self.u0 - self.discontinue_margin {
                    st.user[i] = false;
                    users -= 1;
                    stopped += 1;
                }
            }
            ever += new;
            go = obs.on_step(
                t,
                StepCounts {
                    new_adopters: new,
                    new_kol_adopters: new_kol,
                    adopters: ever,
                    discontinued: stopped,
                    users,
                },
            );
            if t < rep.steps {
                self.observe(rep, &mut st, &mut rng);
                candidates.clear();
                candidates.extend_from_slice(&st.changed);
            }
        }
    }

    /// Users observe this step's outcomes; their evidence is pushed to the physicians who
    /// listen to them, and every physician who received evidence updates its belief.
    /// `st.changed` lists them, ascending.
    fn observe<R: rand::Rng + ?Sized>(&self, rep: &Replicate<'_>, st: &mut Beliefs, rng: &mut R) {
        let net = rep.net;
        let n = net.n();
        let var = self.signal_sd * self.signal_sd;
        st.changed.clear();
        // Own outcomes, drawn in physician order.
        let mut total_prec = 0.0;
        let mut total_wsum = 0.0;
        for i in 0..n {
            st.own[i] = [0.0; 2];
            if !st.user[i] {
                continue;
            }
            let k = if rep.is_kol[i] {
                self.kol_signals_per_step
            } else {
                self.signals_per_step
            };
            if k == 0 {
                continue;
            }
            let z: f64 = StandardNormal.sample(rng);
            let mean = self.quality + self.signal_sd * z / (k as f64).sqrt();
            let prec = k as f64 / var;
            st.own[i] = [prec, prec * mean];
            st.prec_in[i] += st.own[i][0];
            st.wsum_in[i] += st.own[i][1];
            touch(&mut st.touched, &mut st.changed, i);
            if net.is_complete() {
                let w = net.source_scale(i) as f64;
                total_prec += w * st.own[i][0];
                total_wsum += w * st.own[i][1];
            }
        }
        if net.is_complete() {
            // Everyone hears every other user: the total minus their own contribution.
            if total_prec > 0.0 {
                for i in 0..n {
                    let w = net.source_scale(i) as f64;
                    st.prec_in[i] += total_prec - w * st.own[i][0];
                    st.wsum_in[i] += total_wsum - w * st.own[i][1];
                    touch(&mut st.touched, &mut st.changed, i);
                }
            }
        } else {
            spread(net, st);
        }
        st.changed.sort_unstable();
        for &i in &st.changed {
            let i = i as usize;
            (st.m[i], st.tau[i]) = update(st.m[i], st.tau[i], st.prec_in[i], st.wsum_in[i]);
            st.prec_in[i] = 0.0;
            st.wsum_in[i] = 0.0;
            st.touched[i] = false;
        }
    }
}

/// Marks physician `i` as having received evidence this step.
fn touch(touched: &mut [bool], changed: &mut Vec<u32>, i: usize) {
    if !touched[i] {
        touched[i] = true;
        changed.push(i as u32);
    }
}

/// The users' evidence (`st.own`) pushed along the arcs of a sparse network to the physicians
/// who listen to them, adding to their incoming precision and weighted sum.
fn spread(net: &crate::network::Network, st: &mut Beliefs) {
    let n = net.n();
    // Push from the users when they are few; when their ties cover a good part of the
    // network, a sequential gather over every physician's in-arcs is cheaper.
    let out = net.out_arcs();
    let volume: usize = (0..n)
        .filter(|&j| st.own[j][0] > 0.0)
        .map(|j| out.degree(j))
        .sum();
    if volume * 4 < out.nodes.len() {
        for j in 0..n {
            if st.own[j][0] <= 0.0 {
                continue;
            }
            let (dst, w) = out.arcs(j);
            for (&i, &wi) in dst.iter().zip(w) {
                let i = i as usize;
                st.prec_in[i] += wi as f64 * st.own[j][0];
                st.wsum_in[i] += wi as f64 * st.own[j][1];
                touch(&mut st.touched, &mut st.changed, i);
            }
        }
    } else {
        let inn = net.in_arcs();
        st.changed.clear();
        for i in 0..n {
            let (src, w) = inn.arcs(i);
            // Branch-free: non-users contribute exact zeros.
            let (mut p, mut ws) = (0.0f64, 0.0f64);
            for (&j, &wj) in src.iter().zip(w) {
                let j = j as usize;
                let [pj, wsj] = st.own[j];
                p += wj as f64 * pj;
                ws += wj as f64 * wsj;
            }
            st.prec_in[i] += p;
            st.wsum_in[i] += ws;
            if p > 0.0 || st.touched[i] {
                st.touched[i] = true;
                st.changed.push(i as u32);
            }
        }
    }
}

impl Model for SocialLearning {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        let mut v = vec![
            ("quality", ParamValue::Num(self.quality)),
            ("u0", ParamValue::Num(self.u0)),
            ("prior_mean", ParamValue::Num(self.prior_mean)),
            ("prior_sd", ParamValue::Num(self.prior_sd)),
            ("signal_sd", ParamValue::Num(self.signal_sd)),
            (
                "signals_per_step",
                ParamValue::Int(self.signals_per_step.into()),
            ),
            ("risk_aversion", ParamValue::Num(self.risk_aversion)),
            (
                "discontinue_margin",
                ParamValue::Num(self.discontinue_margin),
            ),
        ];
        // Its default copies `signals_per_step`: listed only where it differs.
        if self.kol_signals_per_step != self.signals_per_step {
            let k = ParamValue::Int(self.kol_signals_per_step.into());
            v.insert(6, ("kol_signals_per_step", k));
        }
        v
    }

    fn prepare(&self, _: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(*self))
    }

    /// The simulation-based fit frees the drug's quality only.
    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("quality", -5.0, 5.0)]
    }

    /// Social learning has no exact likelihood: it is always fitted by simulation.
    fn needs_simulation(&self) -> bool {
        true
    }
}

impl Dynamics for SocialLearning {
    type State = ();
    type Attributor<'s> = Learning;

    fn replicate(&self, _: &Replicate<'_>) {}

    /// Its own sweep: beliefs change every step, so the engine choice does not apply.
    fn run<O: Observer + ?Sized>(
        &self,
        _: &(),
        _: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    ) {
        self.sweep(rep, scratch, obs)
    }

    fn attributor<'s>(&'s self, _: &'s (), _: &Replicate<'s>) -> Learning {
        Learning
    }
}

/// Every social-learning adoption is `learning`: own and peers' evidence, no single
/// influencer.
#[derive(Debug, Clone, Copy)]
pub struct Learning;

impl Attribute for Learning {
    fn attribute(&mut self, _: usize, _: u32, _: &mut Trace<'_>) -> (Channel, Option<u32>) {
        (Channel::Learning, None)
    }
}

/// Beliefs and this step's evidence, per physician.
struct Beliefs {
    user: Vec<bool>,
    m: Vec<f64>,
    tau: Vec<f64>,
    /// This step's own evidence of each user: [precision, precision × mean outcome].
    own: Vec<[f64; 2]>,
    /// Evidence received this step (own plus listened-to users').
    prec_in: Vec<f64>,
    wsum_in: Vec<f64>,
    touched: Vec<bool>,
    /// Physicians whose belief changed in the last `observe`, ascending.
    changed: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posterior_matches_closed_form_after_k_signals() {
        // Prior N(m0, s0²), k signals x_1..x_k with variance σ²:
        // posterior precision 1/s0² + k/σ², mean (m0/s0² + Σx/σ²) / precision.
        let (m0, s0, sd) = (0.2, 0.5, 2.0);
        let xs = [1.0, -0.5, 3.0, 0.25];
        let (mut m, mut tau) = (m0, 1.0 / (s0 * s0));
        for x in xs {
            (m, tau) = update(m, tau, 1.0 / (sd * sd), x / (sd * sd));
        }
        let prec = 1.0 / (s0 * s0) + xs.len() as f64 / (sd * sd);
        let mean = (m0 / (s0 * s0) + xs.iter().sum::<f64>() / (sd * sd)) / prec;
        assert!((tau - prec).abs() < 1e-12);
        assert!((m - mean).abs() < 1e-12);
        // Batch update equals sequential.
        let (mb, tb) = update(
            m0,
            1.0 / (s0 * s0),
            xs.len() as f64 / (sd * sd),
            xs.iter().sum::<f64>() / (sd * sd),
        );
        assert!((mb - m).abs() < 1e-12 && (tb - tau).abs() < 1e-12);
    }
}
