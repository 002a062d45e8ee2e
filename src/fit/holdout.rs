//! `--holdout K` with controls of the spontaneous rate (`--strata`, `--covariates`): each
//! model with a constant α and its controls refitted on periods `≤ K` (adoptions after `K`
//! censored at `K`) and scored on periods `K+1..T` at the early fit's network parameters and
//! control coefficients. As without controls, the cells of periods `≤ K` are the same in
//! both data sets, so the score is `LL_full(θ̂_K) − LL_K(θ̂_K)`. Models with one α per period
//! have no rate for the held-out periods and are not scored (as without controls).

use super::data::{self, AtRisk, Cell, Design, Event, NEVER};
use super::hazard::{self, Controlled, Spont};
use super::models::Candidate;
use super::{FitReport, Method, Prepared, maximum, optim};
use rayon::prelude::*;

/// One data set's cells, adoption events and person-periods at risk.
type Owned = (Vec<Cell>, Vec<Event>, Vec<AtRisk>);

/// The controlled-fit view of an [`Owned`] data set.
fn view(d: &Owned) -> Controlled<'_> {
    Controlled {
        cells: &d.0,
        events: &d.1,
        risk: &d.2,
    }
}

/// The holdout score of one model: fitted on `early`, scored on `full` (`None` when the early
/// fit is impossible).
fn score(
    c: Candidate,
    early: &Controlled<'_>,
    full: &Controlled<'_>,
    s: &Spont<'_>,
    psi0: &[f64],
) -> Option<f64> {
    if c.p_index().is_none() {
        // No spontaneous channel: fitted without controls.
        let (th, ll_k) = maximum(c, early.cells, 0.0);
        let ll = data::log_likelihood(full.cells, |x| c.hazard(&th, x));
        return ll_k.is_finite().then_some(ll - ll_k);
    }
    let cand = (!c.is_null()).then_some(c);
    let prof = hazard::Profiled::new(cand, early, s);
    let f = |x: &[f64]| prof.value(x);
    let (_, b) = hazard::network_params(cand);
    let (psi, ll_k) = if b.is_empty() {
        (Vec::new(), f(&[]))
    } else {
        let starts = [psi0.to_vec(), vec![0.0; b.len()]];
        optim::maximize(&f, &starts, &b, c.rough())
    };
    if !ll_k.is_finite() {
        return None;
    }
    let (_, beta) = prof.solve(&psi);
    let ll = hazard::Profiled::new(cand, full, s).loglik_at(&psi, &beta);
    Some(ll - ll_k)
}

/// Scores the holdout of every exact model with a constant α under the controls (nothing
/// without controls or without `--holdout`: [`super::fit_models`] scores those).
pub fn score_controlled(prep: &Prepared, r: &mut FitReport) {
    let (Some(ctl), Some(net), Some(k)) = (&prep.controls, &prep.net, r.holdout) else {
        return;
    };
    let periods = prep.facts.periods;
    let tau_k: Vec<u32> = prep
        .tau
        .iter()
        .map(|&t| if t != NEVER && t > k { NEVER } else { t })
        .collect();
    let s = Spont {
        rows: &ctl.rows,
        names: &ctl.names,
        by_period: false,
    };
    let todo: Vec<(usize, Candidate, Vec<f64>)> = r
        .models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.method == Method::Exact && !m.period_effects && m.loglik.is_finite())
        .filter_map(|(i, m)| Some((i, m.candidate?, m.params.iter().map(|e| e.value).collect())))
        .filter(|(_, c, _)| !c.needs_covariates())
        .collect();
    let scores: Vec<(usize, Option<f64>)> = todo
        .par_iter()
        .map(|(i, c, psi0)| {
            let on = match c.design() {
                Design::Similar => prep.similar.as_ref().ok(),
                _ => Some(net),
            };
            let score = on.and_then(|on| {
                let data = |tau: &[u32], t: u32| {
                    let (cells, events) =
                        data::cells_and_events(on, tau, t, &[c.design()], &prep.z).remove(0);
                    (cells, events, data::at_risk(tau, &prep.z, t))
                };
                let (early, full) = (data(&tau_k, k), data(&prep.tau, periods));
                let psi0 = if c.p_index().is_some() {
                    psi0.clone()
                } else {
                    Vec::new()
                };
                score(*c, &view(&early), &view(&full), &s, &psi0)
            });
            (*i, score)
        })
        .collect();
    for (i, s) in scores {
        r.models[i].holdout_log_score = s;
    }
}
