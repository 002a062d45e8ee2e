//! Simulation-based fits (`method = simulated`): for the scenario's models without a
//! tractable likelihood on the data given — `social_learning`, `threshold` with thresholds
//! other than `θ ~ U(0, high)` on per-physician data, and every model on an aggregate curve.
//!
//! # Objective
//! At parameters `θ` the model (the scenario's model with `θ` set, [`Scenario::model_with`],
//! built by the registry as a scenario would be; the free parameters are the model's own,
//! [`Model::free_params`]) is simulated `R` times (`--sim-replicates`) from the observed
//! initial adopters over the observed window, replicate `r` always on the same streams
//! `(seed, purpose, r)` (**common random numbers**: the objective changes with `θ`, not with
//! the draws). With `F̄(t)` the mean simulated cumulative adopters, the implied hazard among
//! those at risk is `h̄_t = (F̄(t) − F̄(t−1)) / (n − F̄(t−1))`, and the objective is the
//! binomial log-likelihood of the observed new adopters per period given those at risk:
//! `Σ_t y_t ln h̄_t + (r_t − y_t) ln(1 − h̄_t)` (no binomial coefficients, so innovation only
//! has exactly its exact likelihood here). `h̄_t` is kept within half an adoption of 0 and 1
//! (`0.5 / (R (n − F̄(t−1)))`) so a period the simulations never fill is a large but finite
//! penalty. Per-physician data enter through their counts only.
//!
//! # Optimisation and intervals
//! Nelder–Mead on the box from the best of a small grid and the scenario's own values, two
//! restarts; 95% intervals from the profile of the objective (the other parameters
//! re-optimised by Nelder–Mead), **approximate**: the objective is a Monte Carlo estimate,
//! piecewise constant in `θ` at the scale of one simulated adoption. Warnings: a parameter
//! whose profile stays within the 95% drop over its whole range (not identified), and a
//! launch whose final count no replicate reaches at the estimate (unreachable from the
//! initial adopters).
//!
//! # Initial adopters
//! Per-physician data: the observed period-1 adopters, on the network of the physicians
//! fitted. Aggregate data: as many random physicians as the period-1 count, drawn per
//! replicate from `stream(seed, InitialAdopters, r)` (the same at every `θ`).

use super::optim::PROFILE_DROP;
use super::sim_search::{optimise, profile, starts};
use super::{Estimate, FitOptions, Prepared};
use crate::adopters::AdopterRule;
use crate::engine::{Curve, EngineKind, Replicate, Scratch};
use crate::error::Error;
use crate::models::{Model, Setting};
use crate::network::{ArcList, Network};
use crate::rng::{Purpose, stream};
use crate::scenario::{NamedModel, Scenario};
use rayon::prelude::*;

/// What the simulations run on.
pub struct Setup {
    base: Network,
    net: Network,
    kols: Vec<u32>,
    is_kol: Vec<bool>,
    kol_weight: f32,
    /// Initial adopters per replicate.
    initial_adopters: Vec<Vec<u32>>,
    /// Observed cumulative adopters at the end of periods `1..=T`.
    pub observed: Vec<f64>,
    seed: u64,
}

/// The simulation-based fits, and the models that could not be fitted with the reason.
pub type SimFits = (Vec<SimFit>, Vec<(String, String)>);

/// One simulation-based fit.
#[derive(Debug, Clone)]
pub struct SimFit {
    /// The scenario model's name.
    pub name: String,
    /// The scenario's model with the fitted parameters.
    pub model: NamedModel,
    /// The free parameters with approximate profile intervals (no standard errors).
    pub estimates: Vec<Estimate>,
    /// The simulated log-likelihood at the estimate.
    pub loglik: f64,
    /// Identification and reachability warnings.
    pub warnings: Vec<String>,
}

/// The scenario's network restricted to the physicians with `keep[i]`, renumbered in order
/// (ids kept, attributes dropped).
fn restrict(net: &Network, keep: &[bool]) -> Network {
    let mut map = vec![u32::MAX; net.n()];
    let mut ids = Vec::new();
    for (i, &k) in keep.iter().enumerate() {
        if k {
            map[i] = ids.len() as u32;
            ids.push(net.id(i));
        }
    }
    let mut arcs = ArcList::default();
    for j in 0..net.n() {
        if map[j] == u32::MAX {
            continue;
        }
        if net.is_complete() {
            for i in 0..net.n() {
                if i != j && map[i] != u32::MAX {
                    arcs.push(map[j], map[i], 1.0);
                }
            }
            continue;
        }
        let (dst, w) = net.out_arcs().arcs(j);
        for (&i, &x) in dst.iter().zip(w) {
            if map[i as usize] != u32::MAX {
                arcs.push(map[j], map[i as usize], x);
            }
        }
    }
    Network::from_arcs(ids.len(), arcs).with_ids(ids)
}

/// The simulations' network, KOLs and initial adopters for the prepared data.
pub fn setup(sc: &Scenario, prep: &Prepared, replicates: u32) -> Result<Setup, Error> {
    let real = crate::realise::kolled(sc, 0)?;
    let full = crate::realise::build_network(sc, 0)?;
    let periods = prep.facts.periods as usize;
    let r = u64::from(replicates);
    if prep.facts.aggregate {
        let (_, by_t) = prep.aggregate_cells.as_ref().ok_or_else(|| {
            Error::Other("aggregate data without their counts (a bug in fit::prepare)".into())
        })?;
        let mut observed = vec![prep.facts.initial_adopters as f64];
        for c in by_t {
            observed.push(observed[observed.len() - 1] + c.y);
        }
        let count = prep.facts.initial_adopters as usize;
        let initial_adopters = (0..r)
            .map(|k| {
                AdopterRule::Random(count).choose(
                    &full,
                    &[],
                    &mut stream(sc.seed, Purpose::InitialAdopters, k),
                )
            })
            .collect();
        return Ok(Setup {
            base: full,
            net: real.net,
            kols: real.kols,
            is_kol: real.is_kol,
            kol_weight: sc.kols.weight,
            initial_adopters,
            observed,
            seed: sc.seed,
        });
    }
    let keep = &prep.keep;
    let base = restrict(&full, keep);
    let mut map = vec![u32::MAX; keep.len()];
    let mut k = 0;
    for (i, &kept) in keep.iter().enumerate() {
        if kept {
            map[i] = k;
            k += 1;
        }
    }
    let kols: Vec<u32> = real
        .kols
        .iter()
        .filter_map(|&j| Some(map[j as usize]).filter(|&m| m != u32::MAX))
        .collect();
    let mut is_kol = vec![false; base.n()];
    for &j in &kols {
        is_kol[j as usize] = true;
    }
    let mut net = base.clone();
    net.scale_sources(&kols, sc.kols.weight);
    let initial: Vec<u32> = (0..prep.tau.len() as u32)
        .filter(|&i| prep.tau[i as usize] == 1)
        .collect();
    let observed = (1..=periods as u32)
        .map(|t| prep.tau.iter().filter(|&&a| a <= t).count() as f64)
        .collect();
    Ok(Setup {
        base,
        net,
        kols,
        is_kol,
        kol_weight: sc.kols.weight,
        initial_adopters: vec![initial; r as usize],
        observed,
        seed: sc.seed,
    })
}

impl Setup {
    /// Physicians simulated (the binomial's population).
    pub fn n(&self) -> usize {
        self.net.n()
    }

    /// Mean cumulative adopters per step `0..T−1` over the replicates, and the largest final
    /// count of any replicate. `Err` if the model cannot run on this network.
    pub fn simulate(&self, model: &dyn Model) -> Result<(Vec<f64>, u64), String> {
        let curves = self.curves(model)?;
        let steps = self.observed.len() - 1;
        let mut sum = vec![0u64; steps + 1];
        for c in &curves {
            for (s, &a) in sum.iter_mut().zip(c) {
                *s += u64::from(a);
            }
        }
        let reps = curves.len().max(1) as f64;
        let most = curves
            .iter()
            .map(|c| u64::from(c[steps]))
            .max()
            .unwrap_or(0);
        Ok((sum.iter().map(|&s| s as f64 / reps).collect(), most))
    }

    /// Cumulative adopters per step `0..T−1` of each replicate (in replicate order; the fit
    /// report's figure draws their mean and 5–95% band). `Err` if the model cannot run on
    /// this network.
    pub fn curves(&self, model: &dyn Model) -> Result<Vec<Vec<u32>>, String> {
        let prepared = model.prepare(&Setting {
            net: &self.base,
            kols: &self.kols,
            is_kol: &self.is_kol,
            kol_weight: self.kol_weight,
        })?;
        let steps = self.observed.len() as u32 - 1;
        let curves: Vec<Vec<u32>> = (0..self.initial_adopters.len())
            .into_par_iter()
            // One engine scratch per worker, reused across replicates (and its buffers grown
            // once), not allocated per replicate and evaluation.
            .map_init(Scratch::default, |scratch, r| {
                let rep = Replicate {
                    net: &self.net,
                    is_kol: &self.is_kol,
                    initial: &self.initial_adopters[r],
                    steps,
                    seed: self.seed,
                    replicate: r as u64,
                };
                let mut curve = Curve::with_steps(steps);
                prepared.run(EngineKind::Event, &rep, scratch, &mut curve);
                let mut a = curve.adopters();
                let last = a
                    .last()
                    .copied()
                    .unwrap_or(self.initial_adopters[r].len() as u32);
                a.resize(steps as usize + 1, last);
                a
            })
            .collect();
        Ok(curves)
    }

    /// The number of replicates simulated.
    pub fn replicates(&self) -> usize {
        self.initial_adopters.len()
    }

    /// The binomial log-likelihood of the observed new adopters per period given the mean
    /// simulated curve `mean` (module docs).
    pub fn log_likelihood(&self, mean: &[f64]) -> f64 {
        let n = self.n() as f64;
        let reps = self.initial_adopters.len().max(1) as f64;
        let obs = &self.observed;
        let mut ll = 0.0;
        for t in 1..obs.len() {
            let at_risk = (n - mean[t - 1]).max(0.0);
            let floor = 0.5 / (reps * at_risk.max(1.0));
            let h = if at_risk > 0.0 {
                (mean[t] - mean[t - 1]) / at_risk
            } else {
                0.0
            };
            let h = h.clamp(floor, 1.0 - floor);
            let y = obs[t] - obs[t - 1];
            let r = n - obs[t - 1];
            ll += y * h.ln() + (r - y) * (-h).ln_1p();
        }
        ll
    }
}

/// Fits the scenario's model `index` (named `name`) by simulation.
pub fn fit_model(setup: &Setup, sc: &Scenario, index: usize, name: &str) -> Result<SimFit, String> {
    let own_model = &sc.models[index];
    let params = own_model.model.free_params();
    if params.is_empty() {
        return Err("no free parameter is defined for this kind".into());
    }
    let b: Vec<(f64, f64)> = params.iter().map(|p| p.bounds).collect();
    let with = |th: &[f64]| -> Result<NamedModel, String> {
        let values: Vec<(&str, f64)> = params
            .iter()
            .map(|p| p.key)
            .zip(th.iter().copied())
            .collect();
        sc.model_with(index, &values).map_err(|e| e.to_string())
    };
    let f = |th: &[f64]| -> f64 {
        with(th)
            .and_then(|m| setup.simulate(m.model.as_ref()))
            .map_or(f64::NEG_INFINITY, |(mean, _)| setup.log_likelihood(&mean))
    };
    // The model must run at all (e.g. an attribute it reads may be missing).
    let own = starts(&params, own_model).remove(0);
    with(&own).and_then(|m| setup.simulate(m.model.as_ref()))?;
    let (x, fx) = optimise(&f, &starts(&params, own_model), &b);
    let fitted = with(&x)?;
    let mut warnings = Vec::new();
    let estimates: Vec<Estimate> = params
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let ci = profile(&f, &x, &b, fx, k);
            if ci.0 <= b[k].0 && ci.1 >= b[k].1 {
                warnings.push(format!(
                    "{name}: `{}` is not identified: the simulated profile log-likelihood stays within {PROFILE_DROP:.2} of its maximum over its whole range [{}, {}]",
                    p.key, b[k].0, b[k].1
                ));
            }
            Estimate {
                name: p.key.to_string(),
                value: x[k],
                se: None,
                ci,
            }
        })
        .collect();
    let (_, most) = setup.simulate(fitted.model.as_ref())?;
    let want = setup.observed.last().copied().unwrap_or(0.0);
    let mut estimates = estimates;
    if (most as f64) < want {
        // No interval for a fit that cannot reproduce the launch: it would look like a
        // precise estimate of a model that does not describe the data.
        for e in &mut estimates {
            e.ci = (f64::NAN, f64::NAN);
        }
        warnings.push(format!(
            "{name}: the observed {want} adopters by T are not reached from the initial adopters in any of the {} replicates at the estimate (at most {most}): the model cannot reproduce this launch",
            setup.initial_adopters.len()
        ));
    }
    Ok(SimFit {
        name: name.to_string(),
        model: fitted,
        estimates,
        loglik: fx,
        warnings,
    })
}

/// Whether a scenario model needs the simulation-based fit on these data: every model on
/// aggregate data; on per-physician data, those whose exact likelihood does not cover them
/// ([`Model::needs_simulation`]: `social_learning`, and `threshold` unless its θ is the
/// `U(0, high)` form).
pub fn needs_simulation(model: &NamedModel, aggregate: bool) -> bool {
    aggregate || model.model.needs_simulation()
}

/// Fits by simulation every scenario model that needs it ([`needs_simulation`]), in scenario
/// order; models that cannot be fitted are returned with the reason.
pub fn fit_all(sc: &Scenario, prep: &Prepared, opts: &FitOptions) -> Result<SimFits, Error> {
    let todo: Vec<(usize, &str)> = sc
        .models
        .iter()
        .enumerate()
        .filter(|(_, m)| needs_simulation(m, prep.facts.aggregate))
        .map(|(k, m)| (k, m.name.as_str()))
        .collect();
    if todo.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let setup = setup(sc, prep, opts.sim_replicates.max(2))?;
    let done: Vec<Result<SimFit, String>> = todo
        .par_iter()
        .map(|&(k, name)| fit_model(&setup, sc, k, name))
        .collect();
    let mut fits = Vec::new();
    let mut failed = Vec::new();
    for ((_, name), r) in todo.iter().zip(done) {
        match r {
            Ok(f) => fits.push(f),
            Err(why) => failed.push((
                name.to_string(),
                format!("simulation-based fit failed: {why}"),
            )),
        }
    }
    Ok((fits, failed))
}
