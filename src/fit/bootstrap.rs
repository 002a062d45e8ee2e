//! `--bootstrap N`: a parametric bootstrap of the verdict's likelihood-ratio test, for when the
//! asymptotic (boundary-corrected) reference is in doubt — few adoptions, many periods.
//!
//! The launch is simulated `N` times under the fitted null (the same controls without the
//! network term: the constant rate p̂, or the per-period rates p̂_t) from the observed period-1
//! adopters — under the null a physician at risk adopts with the period's rate, whatever
//! its advisers do — and both models are refitted to each: `p = (1 + #{LR* ≥ LR}) / (N + 1)`.
//! With controls of the spontaneous rate (`--strata`, `--covariates`) the null is the fitted
//! controls alone, each physician adopting with its own `logistic(α_t + z_iᵀβ)`, and both
//! models are refitted with the controls.
//! Replicate `b` draws from its own random stream of the scenario's seed, so the p-value
//! depends on the scenario only, not on the number of threads.

use super::data::{self, Cell, Design, NEVER};
use super::estimate::period_maximum;
use super::hazard::{self, Spont};
use super::models::Candidate;
use super::newton::BOUND;
use super::{FitReport, ModelFit, Prepared, controls, maximum, optim};
use crate::rng::{Purpose, stream};
use rand::RngExt;
use rayon::prelude::*;

/// Stream indices of the bootstrap's replicates start here (apart from the permutation
/// test's).
const STREAM_BASE: u64 = 1 << 40;

/// Adoption periods of one launch simulated under the null: the observed initial adopters
/// adopt in period 1; anyone else in period t ≥ 2 with probability `rates[t]`.
pub fn simulate_null(tau: &[u32], rates: &[f64], periods: u32, seed: u64, b: u64) -> Vec<u32> {
    simulate_null_with(tau, |_, t| rates[t as usize], periods, seed, b)
}

/// [`simulate_null`] with a rate per physician and period, `rate(i, t)` (the controls'
/// `logistic(α_t + z_iᵀβ)`).
pub fn simulate_null_with(
    tau: &[u32],
    rate: impl Fn(usize, u32) -> f64,
    periods: u32,
    seed: u64,
    b: u64,
) -> Vec<u32> {
    let mut rng = stream(seed, Purpose::Dynamics, STREAM_BASE + b);
    tau.iter()
        .enumerate()
        .map(|(i, &t)| {
            if t == 1 {
                return 1;
            }
            (2..=periods)
                .find(|&s| rng.random::<f64>() < rate(i, s))
                .unwrap_or(NEVER)
        })
        .collect()
}

/// The fitted null with controls: per physician and period, `logistic(α_t + z_iᵀβ)` from
/// the null model's coefficients (`alpha` or `alpha_<t>`, then the groups' and covariates').
struct ControlledNull {
    /// `α_t` by period (index `t`; one value repeated for a constant α).
    alpha: Vec<f64>,
    /// `z_pᵀβ` by control pattern.
    shift: Vec<f64>,
}

impl ControlledNull {
    fn new(m0: &ModelFit, ctl: &controls::Controls, periods: u32) -> Self {
        let coef = |name: &str| {
            m0.coefficients
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.value)
        };
        let alpha = (0..=periods)
            .map(|t| {
                coef("alpha")
                    .or_else(|| coef(&format!("alpha_{t}")))
                    .unwrap_or(-BOUND)
            })
            .collect();
        let beta: Vec<f64> = ctl.names.iter().map(|n| coef(n).unwrap_or(0.0)).collect();
        let shift = ctl
            .rows
            .iter()
            .map(|row| row.iter().zip(&beta).map(|(x, b)| x * b).sum())
            .collect();
        ControlledNull { alpha, shift }
    }

    fn rate(&self, z: u32, t: u32) -> f64 {
        let eta = self.alpha[t as usize] + self.shift[z as usize];
        1.0 / (1.0 + (-eta).exp())
    }
}

/// `2 (logL₁ − logL₀)` on one simulated launch's `cells`, both models refitted with the
/// controls `s`; the alternative started from the observed fit's network parameters `psi`
/// and from 0.
fn controlled_stat(c: Candidate, d: &hazard::Controlled<'_>, s: &Spont<'_>, psi: &[f64]) -> f64 {
    let ll0 = hazard::Profiled::new(None, d, s).value(&[]);
    let prof = hazard::Profiled::new(Some(c), d, s);
    let f = |x: &[f64]| prof.value(x);
    let (_, b) = hazard::network_params(Some(c));
    let starts = [psi.to_vec(), vec![0.0; b.len()]];
    let (_, ll1) = optim::maximize(&f, &starts, &b, false);
    (2.0 * (ll1 - ll0)).max(0.0)
}

/// The test the bootstrap refits: the model's name, candidate, controls family, statistic
/// and network parameters.
type Tested = (String, Candidate, bool, f64, Vec<f64>);

/// Adds the bootstrap p-value to the test the verdict reports (none when that test is not
/// a likelihood-ratio test or `n` is 0). With controls of the spontaneous rate, the launches
/// are simulated under the fitted null with its controls (each physician's own rate) and
/// both models are refitted with them.
pub fn apply(prep: &Prepared, r: &mut FitReport, n: u32) {
    let Some((name, c, pe, stat, psi)) = super::verdict::tested_model(r).and_then(|m| {
        Some::<Tested>((
            m.name.clone(),
            m.candidate?,
            m.period_effects,
            m.lr.as_ref()?.stat,
            m.params.iter().map(|e| e.value).collect(),
        ))
    }) else {
        return;
    };
    let (Some(net), true) = (&prep.net, n > 0 && !c.needs_covariates()) else {
        return;
    };
    let periods = prep.facts.periods;
    let Some(m0) = r
        .models
        .iter()
        .find(|m| m.is_null() && m.period_effects == pe)
    else {
        return;
    };
    let design_net = match c.design() {
        Design::Similar => match &prep.similar {
            Ok(s) => s,
            Err(_) => return,
        },
        _ => net,
    };
    let stats: Vec<f64> = if let Some(ctl) = &prep.controls {
        let null = ControlledNull::new(m0, ctl, periods);
        let s = Spont {
            rows: &ctl.rows,
            names: &ctl.names,
            by_period: pe,
        };
        (0..u64::from(n))
            .into_par_iter()
            .map(|b| {
                let rate = |i: usize, t: u32| null.rate(prep.z[i], t);
                let tau = simulate_null_with(&prep.tau, rate, periods, prep.seed, b);
                let (cells, events) =
                    data::cells_and_events(design_net, &tau, periods, &[c.design()], &prep.z)
                        .remove(0);
                let risk = data::at_risk(&tau, &prep.z, periods);
                let d = hazard::Controlled {
                    cells: &cells,
                    events: &events,
                    risk: &risk,
                };
                controlled_stat(c, &d, &s, &psi)
            })
            .collect()
    } else {
        let rates = null_rates(m0, pe, periods);
        (0..u64::from(n))
            .into_par_iter()
            .map(|b| {
                let tau = simulate_null(&prep.tau, &rates, periods, prep.seed, b);
                let cells = data::cells(design_net, &tau, periods, &[c.design()], pe).remove(0);
                plain_stat(c, &cells, pe)
            })
            .collect()
    };
    let exceed = stats.iter().filter(|&&s| s >= stat - 1e-9).count();
    if let Some(t) = r
        .models
        .iter_mut()
        .find(|m| m.name == name)
        .and_then(|m| m.lr.as_mut())
    {
        t.p_bootstrap = Some((1 + exceed) as f64 / (f64::from(n) + 1.0));
        t.bootstrap = n;
    }
}

/// The fitted null's rate of each period `0..=periods` without controls: the constant p̂ or
/// the per-period p̂_t.
fn null_rates(m0: &ModelFit, pe: bool, periods: u32) -> Vec<f64> {
    let mut rates = vec![0.0; periods as usize + 1];
    if pe {
        for &(t, p) in &m0.period_rates {
            rates[t as usize] = p;
        }
    } else if let Some(p) = m0.params.first() {
        rates.iter_mut().for_each(|x| *x = p.value);
    }
    rates
}

/// `2 (logL₁ − logL₀)` on one simulated launch's `cells`, both models refitted without
/// controls.
fn plain_stat(c: Candidate, cells: &[Cell], pe: bool) -> f64 {
    let (ll0, ll1) = if pe {
        (
            period_maximum(None, cells).1,
            period_maximum(Some(c), cells).1,
        )
    } else {
        let (r, y) = cells.iter().fold((0.0, 0.0), |a, x| (a.0 + x.r, a.1 + x.y));
        let p0 = if r > 0.0 { y / r } else { 0.0 };
        (
            maximum(Candidate::null(), cells, p0).1,
            maximum(c, cells, p0).1,
        )
    };
    (2.0 * (ll1 - ll0)).max(0.0)
}
