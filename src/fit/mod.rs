//! `kolsim fit`: which theory do the observed adoption times support?
//!
//! The exact discrete-time hazard likelihood of MODELS.md (*Fitting to an observed launch*):
//! period 1 is the initial condition (its adopters are the seeds of step 0), the likelihood
//! covers periods `2..=T` with `T` the last observed period, never-adopters are censored at
//! `T`, and each model's hazard is its own per-step adoption rule ([`models::Likelihood`]) on
//! the observed state at the end of the previous period. Maximum likelihood with box
//! constraints ([`optim`]), standard errors from the observed information, 95% profile
//! likelihood intervals, likelihood-ratio tests against innovation only (and against period
//! effects alone), AIC, BIC (n = adoptions) and Akaike weights.
//!
//! Also: each period's rate with `--period-effects`, a holdout score (`--holdout K`: refit on
//! periods `≤ K`, log-likelihood of the later periods), and the model-free exposure
//! [`permutation`] test.
//!
//! Pipeline: [`observed::read`] → [`prepare`] (network restricted to the physicians with known
//! adoption, [`data::cells`]) → [`fit_models`] → [`output`] (files, table, verdict) and
//! [`report`] (`fit.svg`: the fitted theories simulated through `fitted.toml`; `report.html`).
//!
//! Layering: `fit` imports `models` (each model's [`crate::models::Likelihood`]); models never
//! import `fit`.

pub mod covariates;
pub mod data;
pub mod fitted;
pub mod models;
pub mod observed;
pub mod optim;
pub mod output;
pub mod permutation;
pub mod rank;
pub mod report;
pub mod simulated;

use crate::error::Error;
use crate::scenario::Scenario;
use data::{Cell, Design, FitNet, NEVER};
use models::Candidate;
use observed::{Layout, Observed, ReadOptions, Status};
pub use rank::{Method, add_simulated, rank};
use rayon::prelude::*;
use std::path::Path;

/// The time convention, stated in every output.
pub const TIME_CONVENTION: &str = "Time: period 1 (step 0) is the initial condition — its adopters are the seeds and are not modelled; the likelihood covers periods 2..T (period t = step t-1), T = last observed period; physicians not adopted by T are censored at T.";

/// Default replicates per parameter value of the simulation-based fits.
pub const DEFAULT_SIM_REPLICATES: u32 = 30;

/// What to do with physicians whose adoption is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unobserved {
    /// Drop them (and their arcs) from every network the fit uses.
    Exclude,
    /// Treat them as never adopting (censored at `T`).
    Never,
}

/// Options of a fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// How to read the observed file.
    pub read: ReadOptions,
    /// Unknown adoption: exclude or never.
    pub unobserved: Unobserved,
    /// Also fit one `p_t` per period (period effects), alone and under each model with `p`.
    pub period_effects: bool,
    /// Permutations of the model-free exposure test (0: no test).
    pub permutations: u32,
    /// Fit on periods `≤ K` and score periods `K+1..T` (`2 ≤ K < T`; per-physician data).
    pub holdout: Option<u32>,
    /// Marketing covariates of the `detailing` likelihood (per-physician data).
    pub covariates: covariates::CovariateFiles,
    /// Replicates per parameter value of the simulation-based fits.
    pub sim_replicates: u32,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            read: ReadOptions::default(),
            unobserved: Unobserved::Exclude,
            period_effects: false,
            permutations: permutation::DEFAULT_PERMUTATIONS,
            holdout: None,
            covariates: covariates::CovariateFiles::default(),
            sim_replicates: DEFAULT_SIM_REPLICATES,
        }
    }
}

/// Facts about the data fitted.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Per physician or aggregate.
    pub aggregate: bool,
    /// Physicians in the scenario's network.
    pub network_physicians: usize,
    /// Physicians fitted.
    pub physicians: usize,
    /// Physicians excluded for unknown adoption.
    pub excluded: usize,
    /// Arcs removed with them.
    pub arcs_removed: u64,
    /// Arcs among the physicians fitted.
    pub arcs: u64,
    /// Unknown adoption: listed with a missing code.
    pub unknown_in_file: usize,
    /// Unknown adoption: not listed.
    pub not_in_file: usize,
    /// Unknown adoption treated as never adopted.
    pub unknown_as_never: bool,
    /// The last observed period `T`.
    pub periods: u32,
    /// Adopters in period 1 (the seeds).
    pub seeds: u64,
    /// Adoptions in periods `2..=T` (BIC's n).
    pub adoptions: u64,
    /// Physicians not adopted by `T`.
    pub censored: u64,
    /// Person-periods at risk.
    pub person_periods: u64,
    /// KOLs among the physicians fitted.
    pub kols: usize,
    /// The scenario's KOL weight κ.
    pub kappa: f64,
    /// Most-similar peers of the structural-equivalence network.
    pub top_k: usize,
    /// The `kind` of each of the scenario's models (empty when not from a scenario).
    pub model_kinds: Vec<String>,
}

/// The fit's inputs: networks restricted to the physicians fitted, adoption periods.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Influence network.
    pub net: Option<FitNet>,
    /// Similarity network (structural equivalence), or why there is none.
    pub similar: Result<FitNet, String>,
    /// Adoption period per physician fitted (or [`NEVER`]).
    pub tau: Vec<u32>,
    /// Original ids of the physicians fitted.
    pub ids: Vec<String>,
    /// Aggregate data: cells built directly (innovation only).
    pub aggregate_cells: Option<(Vec<Cell>, Vec<Cell>)>,
    /// Facts.
    pub facts: Facts,
    /// The observed file's layout.
    pub layout: Layout,
    /// The observed cumulative adoption share by step, of all the network's physicians
    /// (drawn over the fitted models' simulations in `fit.svg`); empty when not read from a
    /// file.
    pub observed_share: Vec<(f64, f64)>,
    /// The scenario's seed (the permutation test's streams); 0 when not from a scenario.
    pub seed: u64,
    /// The detailing likelihood's covariates, when files were given (per-physician data).
    pub covariates: Option<covariates::Covariates>,
    /// Per physician of the scenario's network: whether it is fitted (empty for aggregate
    /// data).
    pub keep: Vec<bool>,
}

/// Default `top_k` of the similarity network when the scenario has no structural model.
pub const DEFAULT_TOP_K: usize = 10;

/// Reads `observed` against realisation 0 of `sc` and prepares the fit.
pub fn prepare(sc: &Scenario, path: &Path, opts: &FitOptions) -> Result<Prepared, Error> {
    let real = crate::realise::realise(sc, 0)?;
    let obs: Observed = observed::read(path, &real.net, &opts.read)?;
    let n0 = real.net.n();
    let mut facts = Facts {
        network_physicians: n0,
        periods: obs.periods,
        kappa: sc.kols.weight as f64,
        model_kinds: sc
            .models
            .iter()
            .map(|m| m.model.kind().to_string())
            .collect(),
        ..Facts::default()
    };
    if obs.layout == Layout::Aggregate {
        facts.aggregate = true;
        facts.physicians = n0;
        facts.arcs = real.net.arc_count();
        facts.seeds = obs.cumulative[0];
        let (mut pooled, mut by_t) = (
            Cell {
                x: Default::default(),
                r: 0.0,
                y: 0.0,
            },
            Vec::new(),
        );
        for t in 2..=obs.periods as usize {
            let r = (n0 as u64 - obs.cumulative[t - 2]) as f64;
            let y = (obs.cumulative[t - 1] - obs.cumulative[t - 2]) as f64;
            let mut c = Cell {
                x: Default::default(),
                r,
                y,
            };
            c.x.t = t as u32;
            by_t.push(c);
            pooled.r += r;
            pooled.y += y;
        }
        facts.adoptions = pooled.y as u64;
        facts.person_periods = pooled.r as u64;
        facts.censored = n0 as u64 - obs.cumulative[obs.periods as usize - 1];
        return Ok(Prepared {
            net: None,
            similar: Err("aggregate data".into()),
            tau: Vec::new(),
            ids: Vec::new(),
            aggregate_cells: Some((vec![pooled], by_t)),
            facts,
            observed_share: obs.cumulative_share(n0),
            layout: obs.layout,
            seed: sc.seed,
            covariates: None,
            keep: Vec::new(),
        });
    }
    facts.unknown_in_file = obs.unknown_in_file;
    facts.not_in_file = obs.not_in_file;
    // The similarity network: the scenario's own (built by `realise`) or the default top-k.
    let top_k = scenario_top_k(sc).unwrap_or(DEFAULT_TOP_K);
    facts.top_k = top_k;
    let similar = crate::realise::build_network(sc, 0)
        .map_err(|e| e.to_string())
        .and_then(|base| crate::models::structural::similarity_network(&base, top_k))
        .map(|mut s| {
            s.scale_sources(&real.kols, sc.kols.weight);
            s
        });
    let mut prep = prepare_network(
        &real.net,
        &real.is_kol,
        &obs.status,
        obs.periods,
        opts.unobserved,
        similar.as_ref().map_err(Clone::clone),
    )
    .map_err(Error::Other)?;
    prep.facts.unknown_in_file = facts.unknown_in_file;
    prep.facts.not_in_file = facts.not_in_file;
    prep.facts.kappa = facts.kappa;
    prep.facts.top_k = facts.top_k;
    prep.facts.model_kinds = facts.model_kinds.clone();
    prep.observed_share = obs.cumulative_share(n0);
    prep.seed = sc.seed;
    if opts.covariates.any() {
        let keep: Vec<bool> = obs
            .status
            .iter()
            .map(|s| opts.unobserved == Unobserved::Never || *s != Status::Unknown)
            .collect();
        prep.covariates = Some(covariates::read(
            &opts.covariates,
            &real.net,
            &keep,
            &opts.read.id_column,
            obs.periods,
            scenario_decay(sc).unwrap_or(covariates::DEFAULT_DECAY),
        )?);
    }
    Ok(prep)
}

/// Prepares a fit on a given network (KOL weight applied) and observed statuses: physicians
/// with unknown adoption are dropped or treated as never adopting, and `similar` (the
/// similarity network, KOL weight applied) is restricted the same way.
pub fn prepare_network(
    net0: &crate::network::Network,
    is_kol: &[bool],
    status: &[Status],
    periods: u32,
    unobserved: Unobserved,
    similar: Result<&crate::network::Network, String>,
) -> Result<Prepared, String> {
    let n0 = net0.n();
    let keep: Vec<bool> = status
        .iter()
        .map(|s| unobserved == Unobserved::Never || *s != Status::Unknown)
        .collect();
    let net = FitNet::restrict(net0, &keep, is_kol)?;
    let mut facts = Facts {
        network_physicians: n0,
        periods,
        unknown_as_never: unobserved == Unobserved::Never,
        physicians: net.n(),
        excluded: n0 - net.n(),
        arcs: net.arcs() as u64,
        arcs_removed: net0.arc_count() - net.arcs() as u64,
        kols: (0..n0).filter(|&i| keep[i] && is_kol[i]).count(),
        top_k: DEFAULT_TOP_K,
        kappa: 1.0,
        ..Facts::default()
    };
    let mut tau = Vec::with_capacity(net.n());
    let mut ids = Vec::with_capacity(net.n());
    for i in 0..n0 {
        if !keep[i] {
            continue;
        }
        ids.push(net0.id(i));
        tau.push(match status[i] {
            Status::Adopted(t) => t,
            _ => NEVER,
        });
    }
    facts.seeds = tau.iter().filter(|&&t| t == 1).count() as u64;
    facts.adoptions = tau.iter().filter(|&&t| t != NEVER && t >= 2).count() as u64;
    facts.censored = tau.iter().filter(|&&t| t == NEVER).count() as u64;
    facts.person_periods = tau
        .iter()
        .map(|&t| {
            if t == NEVER {
                (periods - 1) as u64
            } else {
                (t - 1) as u64
            }
        })
        .sum();
    let similar = similar.and_then(|s| FitNet::restrict(s, &keep, is_kol));
    Ok(Prepared {
        net: Some(net),
        similar,
        tau,
        ids,
        aggregate_cells: None,
        facts,
        layout: Layout::PerPhysician,
        observed_share: Vec::new(),
        seed: 0,
        covariates: None,
        keep,
    })
}

/// One parameter's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Parameter name.
    pub name: String,
    /// Maximum-likelihood estimate.
    pub value: f64,
    /// Standard error from the observed information (`None` at a bound).
    pub se: Option<f64>,
    /// 95% profile-likelihood interval.
    pub ci: (f64, f64),
}

/// One fitted model.
#[derive(Debug, Clone)]
pub struct ModelFit {
    /// Exact or simulation-based.
    pub method: Method,
    /// Warnings of the fit (a parameter not identified, a launch not reachable).
    pub warnings: Vec<String>,
    /// Simulation-based fits: the scenario's `[[model]]` table with the fitted parameters.
    pub sim_table: Option<toml::Table>,
    /// Name (`bass`, `bass+period`, `period_effects`, …).
    pub name: String,
    /// The candidate (None for `period_effects`).
    pub candidate: Option<Candidate>,
    /// Whether `p` is one `p_t` per period.
    pub period_effects: bool,
    /// Estimates (for period-effect variants, the contagion parameters only).
    pub params: Vec<Estimate>,
    /// Number of free parameters.
    pub k: usize,
    /// Maximum log-likelihood (`−∞` if the model cannot produce the data).
    pub loglik: f64,
    /// AIC.
    pub aic: f64,
    /// BIC (n = adoptions).
    pub bic: f64,
    /// AIC minus the smallest AIC.
    pub delta_aic: f64,
    /// Akaike weight.
    pub weight: f64,
    /// Likelihood-ratio p-value against innovation only (nested models).
    pub lr_p_innovation: Option<f64>,
    /// Likelihood-ratio p-value against period effects alone (period-effect variants).
    pub lr_p_period: Option<f64>,
    /// Why the likelihood is −∞, if it is.
    pub note: Option<String>,
    /// Period-effect variants: `(t, p̂_t)`, the estimated spontaneous rate of each period
    /// (profiled out of the likelihood, so no interval).
    pub period_rates: Vec<(u32, f64)>,
    /// With `--holdout K`: the log-likelihood of periods `K+1..T` at the parameters fitted to
    /// periods `≤ K` (higher is better; `None` where not computed or −∞ on the fit periods).
    pub holdout_log_score: Option<f64>,
}

/// Everything a fit found.
#[derive(Debug, Clone)]
pub struct FitReport {
    /// The data.
    pub facts: Facts,
    /// Models fitted, in output order.
    pub models: Vec<ModelFit>,
    /// κ̂ = q_kol / q_other with its interval, when the KOL term was fitted.
    pub kappa: Option<Estimate>,
    /// Models not fitted, with the reason.
    pub not_fitted: Vec<(String, String)>,
    /// Original ids of the seeds (period-1 adopters), for `fitted.toml`.
    pub seeds: Vec<String>,
    /// The model-free exposure permutation test (per-physician data only).
    pub permutation: Option<permutation::PermutationTest>,
    /// `K` of `--holdout K`, when the holdout was scored.
    pub holdout: Option<u32>,
}

fn estimates(
    c: Option<Candidate>,
    names: &[&str],
    f: &optim::Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
) -> Vec<Estimate> {
    let se = optim::standard_errors(f, x, b, fx);
    let _ = c;
    names
        .iter()
        .enumerate()
        .map(|(k, name)| Estimate {
            name: name.to_string(),
            value: x[k],
            se: se[k],
            ci: optim::profile_interval(f, x, b, fx, k, se[k]),
        })
        .collect()
}

/// The maximum-likelihood estimate of candidate `c` on pooled cells and the maximum
/// log-likelihood, without standard errors or intervals. `p0`: the innovation-only estimate
/// (adoptions / person-periods at risk), used as the start and, for innovation only, as the
/// estimate itself (closed form).
pub fn maximum(c: Candidate, cells: &[Cell], p0: f64) -> (Vec<f64>, f64) {
    let f = |th: &[f64]| data::log_likelihood(cells, |x| c.hazard(th, x));
    if c == Candidate::Innovation {
        return (vec![p0], f(&[p0]));
    }
    optim::maximize(&f, &c.starts(p0), &c.bounds(), c == Candidate::Threshold)
}

/// Fits candidate `c` to pooled cells: estimates with standard errors and profile intervals,
/// and the maximum log-likelihood (`−∞`, with no estimates, if the model cannot produce the
/// data).
pub fn fit_pooled(c: Candidate, cells: &[Cell], p0: f64) -> (Vec<Estimate>, f64) {
    let f = |th: &[f64]| data::log_likelihood(cells, |x| c.hazard(th, x));
    let b = c.bounds();
    let (x, fx) = maximum(c, cells, p0);
    if !fx.is_finite() {
        return (Vec::new(), f64::NEG_INFINITY);
    }
    (estimates(Some(c), c.params(), &f, &x, &b, fx), fx)
}

/// The per-period maximum over `p_t ∈ [0, 1]` of `Σ y ln h + (r − y) ln(1 − h)` with
/// `h = h0 + (h1 − h0) p` (every model's hazard is affine in its spontaneous `p`: two
/// independent channels). Concave: Newton with a bisection safeguard.
fn max_p(cells: &[(f64, f64, f64, f64)]) -> (f64, f64) {
    let ll = |p: f64| {
        let mut s = 0.0;
        for &(h0, h1, r, y) in cells {
            let h = h0 + (h1 - h0) * p;
            if y > 0.0 {
                s += y * h.ln();
            }
            if r > y {
                s += (r - y) * (-h).ln_1p();
            }
        }
        if s.is_nan() { f64::NEG_INFINITY } else { s }
    };
    let deriv = |p: f64| {
        let (mut d1, mut d2) = (0.0, 0.0);
        for &(h0, h1, r, y) in cells {
            let d = h1 - h0;
            let h = h0 + d * p;
            if y > 0.0 {
                d1 += y * d / h;
                d2 -= y * d * d / (h * h);
            }
            if r > y {
                d1 -= (r - y) * d / (1.0 - h);
                d2 -= (r - y) * d * d / ((1.0 - h) * (1.0 - h));
            }
        }
        (d1, d2)
    };
    let (g0, _) = deriv(0.0);
    if g0 <= 0.0 {
        return (0.0, ll(0.0));
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let total_r: f64 = cells.iter().map(|c| c.2).sum();
    let total_y: f64 = cells.iter().map(|c| c.3).sum();
    let mut p = if total_r > 0.0 {
        (total_y / total_r).clamp(1e-9, 1.0 - 1e-9)
    } else {
        0.5
    };
    for _ in 0..100 {
        let (d1, d2) = deriv(p);
        if d1.is_nan() || d1 > 0.0 {
            lo = p;
        } else {
            hi = p;
        }
        let mut next = p - d1 / d2;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - p).abs() <= 1e-14 * (1.0 + p) || hi - lo < 1e-15 {
            p = next;
            break;
        }
        p = next;
    }
    (p, ll(p))
}

/// The period-effects profile: for contagion parameters `psi`, the sum over periods of the
/// log-likelihood maximised over that period's `p_t`. `by_t`: cells sorted by period.
fn period_profile(
    c: Option<Candidate>,
    psi: &[f64],
    by_t: &[Cell],
    p_t: Option<&mut Vec<(u32, f64)>>,
) -> f64 {
    let full = |p: f64| -> Vec<f64> {
        match c {
            None => vec![p],
            Some(c) => {
                let pi = c.p_index().unwrap_or(0);
                let mut v = psi.to_vec();
                v.insert(pi, p);
                v
            }
        }
    };
    let (t0, t1) = (full(0.0), full(1.0));
    let cand = c.unwrap_or(Candidate::Innovation);
    let mut total = 0.0;
    let mut ps = Vec::new();
    let mut start = 0;
    let mut buf = Vec::new();
    while start < by_t.len() {
        let t = by_t[start].x.t;
        let mut end = start;
        buf.clear();
        while end < by_t.len() && by_t[end].x.t == t {
            let x = &by_t[end].x;
            buf.push((
                cand.hazard(&t0, x),
                cand.hazard(&t1, x),
                by_t[end].r,
                by_t[end].y,
            ));
            end += 1;
        }
        let (p, l) = max_p(&buf);
        total += l;
        ps.push((t, p));
        start = end;
    }
    if let Some(out) = p_t {
        *out = ps;
    }
    total
}

/// A period-effects fit: estimates, maximum log-likelihood, `(t, p̂_t)` per period.
pub type PeriodFit = (Vec<Estimate>, f64, Vec<(u32, f64)>);

/// Fits `c` (or period effects alone, `None`) with one `p_t` per period: the estimates of
/// the other parameters, the maximum log-likelihood and `(t, p̂_t)` per period.
pub fn fit_period(c: Option<Candidate>, by_t: &[Cell]) -> PeriodFit {
    let (names, b): (Vec<&str>, Vec<(f64, f64)>) = match c {
        None => (Vec::new(), Vec::new()),
        Some(c) => {
            let pi = c.p_index().unwrap_or(0);
            let b = c.bounds();
            c.params()
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != pi)
                .map(|(k, n)| (*n, b[k]))
                .unzip()
        }
    };
    let f = |psi: &[f64]| period_profile(c, psi, by_t, None);
    let (x, fx) = if names.is_empty() {
        (Vec::new(), f(&[]))
    } else {
        let starts: Vec<Vec<f64>> = c
            .map(|c| {
                let pi = c.p_index().unwrap_or(0);
                c.starts(0.05)
                    .into_iter()
                    .map(|mut s| {
                        s.remove(pi);
                        s
                    })
                    .collect()
            })
            .unwrap_or_default();
        optim::maximize(&f, &starts, &b, c == Some(Candidate::Threshold))
    };
    let mut p_t = Vec::new();
    period_profile(c, &x, by_t, Some(&mut p_t));
    if !fx.is_finite() {
        return (Vec::new(), f64::NEG_INFINITY, p_t);
    }
    (estimates(c, &names, &f, &x, &b, fx), fx, p_t)
}

/// Why a model's likelihood is −∞ on these cells.
fn impossible_note(c: Option<Candidate>, cells: &[Cell]) -> String {
    let count = |pred: &dyn Fn(&Cell) -> f64| cells.iter().map(pred).sum::<f64>() as u64;
    match c {
        Some(Candidate::Imitation | Candidate::ImitationCount | Candidate::Structural) => {
            let k = count(&|c| if c.x.c == 0.0 { c.y } else { 0.0 });
            format!(
                "log-likelihood −∞: {k} adoption(s) happened with no adopted peers, and the model has no spontaneous channel"
            )
        }
        Some(Candidate::Threshold) => {
            let k = count(&|c| {
                let full = c.x.w > 0.0 && c.x.c >= c.x.w && c.x.m < c.x.c;
                if full { c.r - c.y } else { 0.0 }
            });
            format!(
                "log-likelihood −∞: {k} physician-period(s) at full exposure (all advisers adopted) without adopting, which no threshold θ ≤ 1 allows"
            )
        }
        _ => "log-likelihood −∞: the model gives probability 0 to some observed event".into(),
    }
}

/// κ̂ = q_kol / q_other with its profile interval, from the KOL term reparametrised as
/// `(p, q_other, κ)`, started at the fitted `(p, q_kol, q_other)`.
fn kappa_estimate(cells: &[Cell], est: &[Estimate]) -> Estimate {
    let (qk, qo) = (est[1].value, est[2].value);
    let start = vec![
        est[0].value,
        qo,
        if qo > 0.0 { (qk / qo).min(999.0) } else { 1.0 },
    ];
    let f = |th: &[f64]| data::log_likelihood(cells, |x| Candidate::KolRatio.hazard(th, x));
    let b = Candidate::KolRatio.bounds();
    let (x, fx) = optim::newton(&f, &start, &b);
    let se = optim::standard_errors(&f, &x, &b, fx);
    let ci = optim::profile_interval(&f, &x, &b, fx, 2, se[2]);
    Estimate {
        name: "kappa".into(),
        value: x[2],
        se: se[2],
        ci,
    }
}

/// Fits every model to the prepared data.
pub fn fit_models(prep: &Prepared, opts: &FitOptions) -> FitReport {
    let mut fits: Vec<ModelFit> = Vec::new();
    let mut not_fitted: Vec<(String, String)> = Vec::new();
    let mut kappa = None;
    let push = |fits: &mut Vec<ModelFit>,
                name: String,
                cand: Option<Candidate>,
                pe: bool,
                params: Vec<Estimate>,
                k: usize,
                ll: f64,
                cells: &[Cell]| {
        fits.push(ModelFit {
            method: Method::Exact,
            warnings: Vec::new(),
            sim_table: None,
            note: (!ll.is_finite()).then(|| impossible_note(cand, cells)),
            name,
            candidate: cand,
            period_effects: pe,
            params,
            k,
            loglik: ll,
            aic: f64::INFINITY,
            bic: f64::INFINITY,
            delta_aic: f64::INFINITY,
            weight: 0.0,
            lr_p_innovation: None,
            lr_p_period: None,
            period_rates: Vec::new(),
            holdout_log_score: None,
        });
    };
    let periods = prep.facts.periods as usize;
    let n_pt = periods - 1;
    if let Some((pooled, by_t)) = &prep.aggregate_cells {
        let p0 = pooled[0].y / pooled[0].r;
        let (est, ll) = fit_pooled(Candidate::Innovation, pooled, p0);
        push(
            &mut fits,
            "innovation".into(),
            Some(Candidate::Innovation),
            false,
            est,
            1,
            ll,
            pooled,
        );
        if opts.period_effects {
            let (est, ll, rates) = fit_period(None, by_t);
            push(
                &mut fits,
                "period_effects".into(),
                None,
                true,
                est,
                n_pt,
                ll,
                by_t,
            );
            if let Some(m) = fits.last_mut() {
                m.period_rates = rates;
            }
        }
        let names: Vec<&str> = Candidate::ALL.iter().skip(1).map(|c| c.name()).collect();
        not_fitted.push((
            names.join(", "),
            "no exact likelihood on aggregate data (only innovation only and period effects have one); the scenario's models are fitted by simulation instead (method = simulated)".into(),
        ));
    } else if let Some(net) = &prep.net {
        // Every design's cells, in two passes run side by side, plus the similarity network's.
        let build =
            |tau: &[u32], periods: u32, by_period: bool| -> (Vec<Vec<Cell>>, Option<Vec<Cell>>) {
                let ((mut a, b), sim) = rayon::join(
                    || {
                        rayon::join(
                            || {
                                data::cells(
                                    net,
                                    tau,
                                    periods,
                                    &[Design::Influence, Design::KolSplit],
                                    by_period,
                                )
                            },
                            || {
                                data::cells(
                                    net,
                                    tau,
                                    periods,
                                    &[Design::Cascade, Design::Threshold],
                                    by_period,
                                )
                            },
                        )
                    },
                    || {
                        prep.similar.as_ref().ok().map(|s| {
                            data::cells(s, tau, periods, &[Design::Similar], by_period).remove(0)
                        })
                    },
                );
                a.extend(b);
                (a, sim)
            };
        let index = |d: Design| match d {
            Design::Influence => 0,
            Design::KolSplit => 1,
            Design::Cascade => 2,
            _ => 3,
        };
        if let Err(why) = &prep.similar {
            not_fitted.push((Candidate::Structural.name().into(), why.clone()));
        }
        let (pooled, sim_pooled) = build(&prep.tau, prep.facts.periods, false);
        let (r, y) = pooled[0]
            .iter()
            .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
        let p0 = if r > 0.0 { y / r } else { 0.0 };
        let cells_of =
            |v: &'_ [Vec<Cell>], sim: Option<&'_ Vec<Cell>>, c: Candidate| -> Option<Vec<Cell>> {
                match c.design() {
                    Design::Similar => sim.cloned(),
                    d => Some(v[index(d)].clone()),
                }
            };
        let cascade_ok = net.cascade_classes().is_some();
        if !cascade_ok {
            not_fitted.push((
                Candidate::Cascade.name().into(),
                format!(
                    "the network has {} distinct arc weights (at most {} supported by the cascade likelihood)",
                    net.distinct_weights(),
                    data::MAX_CLASSES
                ),
            ));
        }
        let todo: Vec<(Candidate, Vec<Cell>)> = Candidate::ALL
            .into_iter()
            .filter(|&c| c != Candidate::Cascade || cascade_ok)
            .filter_map(|c| cells_of(&pooled, sim_pooled.as_ref(), c).map(|v| (c, v)))
            .collect();
        // Models are fitted in parallel; each fit is deterministic, results kept in order.
        let done: Vec<(Candidate, Vec<Estimate>, f64, Option<Estimate>)> = todo
            .par_iter()
            .map(|(c, cells)| {
                let (est, ll) = fit_pooled(*c, cells, p0);
                let kappa = (*c == Candidate::KolContagion && ll.is_finite())
                    .then(|| kappa_estimate(cells, &est));
                (*c, est, ll, kappa)
            })
            .collect();
        // Holdout: each model refitted on periods ≤ K (adoptions after K censored at K),
        // scored on periods K+1..T. The cells of periods ≤ K are the same in both data sets
        // (exposure at t reads the state at t − 1), so the holdout log score is
        // LL_full(θ̂_K) − LL_K(θ̂_K).
        let holdout: Vec<Option<f64>> = match opts.holdout {
            Some(k) if k >= 2 && k < prep.facts.periods => {
                let tau_k: Vec<u32> = prep
                    .tau
                    .iter()
                    .map(|&t| if t != NEVER && t > k { NEVER } else { t })
                    .collect();
                let (early, sim_early) = build(&tau_k, k, false);
                let (r, y) = early[0]
                    .iter()
                    .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
                let p0_k = if r > 0.0 { y / r } else { 0.0 };
                todo.par_iter()
                    .map(|(c, cells)| {
                        let early = cells_of(&early, sim_early.as_ref(), *c)?;
                        let (th, ll_k) = maximum(*c, &early, p0_k);
                        let ll = data::log_likelihood(cells, |x| c.hazard(&th, x));
                        (ll_k.is_finite()).then_some(ll - ll_k)
                    })
                    .collect()
            }
            _ => vec![None; todo.len()],
        };
        for (((c, est, ll, k), (_, cells)), h) in done.into_iter().zip(&todo).zip(holdout) {
            if k.is_some() {
                kappa = k;
            }
            push(
                &mut fits,
                c.name().into(),
                Some(c),
                false,
                est,
                c.params().len(),
                ll,
                cells,
            );
            if let Some(m) = fits.last_mut() {
                m.holdout_log_score = h;
            }
        }
        if let Some(cov) = &prep.covariates {
            let d = covariates::fit(net, &prep.tau, prep.facts.periods, cov, opts.holdout);
            let c = Candidate::Detailing;
            let k = c.params().len();
            push(
                &mut fits,
                c.name().into(),
                Some(c),
                false,
                d.estimates,
                k,
                d.loglik,
                &d.cells,
            );
            if let Some(m) = fits.last_mut() {
                m.holdout_log_score = d.holdout;
            }
        } else if prep.facts.model_kinds.iter().any(|k| k == "detailing") {
            not_fitted.push((
                Candidate::Detailing.name().into(),
                "needs its covariates: a marketing series (--marketing, step,effort) or per-physician visits (--detailing, id,step,visits), or the [observed] keys marketing / detailing".into(),
            ));
        }
        if opts.period_effects {
            let (per_t, sim_t) = build(&prep.tau, prep.facts.periods, true);
            let mut todo: Vec<(Option<Candidate>, Vec<Cell>)> = vec![(None, per_t[0].clone())];
            for c in Candidate::ALL {
                if !c.nests_innovation() || (c == Candidate::Cascade && !cascade_ok) {
                    continue;
                }
                if let Some(v) = cells_of(&per_t, sim_t.as_ref(), c) {
                    todo.push((Some(c), v));
                }
            }
            let done: Vec<PeriodFit> = todo
                .par_iter()
                .map(|(c, cells)| fit_period(*c, cells))
                .collect();
            for ((est, ll, rates), (c, cells)) in done.into_iter().zip(&todo) {
                let (name, k) = match c {
                    None => ("period_effects".to_string(), n_pt),
                    Some(c) => (format!("{}+period", c.name()), c.params().len() - 1 + n_pt),
                };
                push(&mut fits, name, *c, true, est, k, ll, cells);
                if let Some(m) = fits.last_mut() {
                    m.period_rates = rates;
                }
            }
        }
    }
    rank(&mut fits, prep.facts.adoptions);
    let permutation = prep
        .net
        .as_ref()
        .and_then(|net| permutation::test(net, &prep.tau, opts.permutations, prep.seed));
    let seeds = prep
        .ids
        .iter()
        .zip(&prep.tau)
        .filter(|(_, t)| **t == 1)
        .map(|(id, _)| id.clone())
        .collect();
    FitReport {
        facts: prep.facts.clone(),
        models: fits,
        kappa,
        not_fitted,
        seeds,
        permutation,
        holdout: opts
            .holdout
            .filter(|&k| prep.net.is_some() && k >= 2 && k < prep.facts.periods),
    }
}

/// `decay` of the scenario's first `detailing` model (its declared default when not written).
fn scenario_decay(sc: &Scenario) -> Option<f64> {
    let doc: toml::Table = toml::from_str(&sc.source.text).ok()?;
    let models = doc.get("model")?.as_array()?;
    let m = models
        .iter()
        .find(|m| m.get("kind").and_then(|k| k.as_str()) == Some("detailing"))?;
    Some(match m.get("decay") {
        Some(toml::Value::Float(x)) => *x,
        Some(toml::Value::Integer(i)) => *i as f64,
        _ => covariates::DEFAULT_DECAY,
    })
}

/// `top_k` of the scenario's first `structural_equivalence` model, read from the scenario text
/// (models are held behind the `Model` trait, which exposes no parameters).
fn scenario_top_k(sc: &Scenario) -> Option<usize> {
    let doc: toml::Table = toml::from_str(&sc.source.text).ok()?;
    let models = doc.get("model")?.as_array()?;
    let m = models
        .iter()
        .find(|m| m.get("kind").and_then(|k| k.as_str()) == Some("structural_equivalence"))?;
    Some(
        m.get("top_k")
            .and_then(|v| v.as_integer())
            .map_or(DEFAULT_TOP_K, |k| k as usize),
    )
}
