//! Fitting every exact-likelihood model: the cells of each design, each model with a
//! constant spontaneous rate and (by default) with one rate per period, the KOL premium κ̂,
//! the null correlations of the boundary tests, the holdout score and the detailing
//! covariates.

use super::data::{self, Cell, Design, FitNet, NEVER};
use super::estimate::{fit_period, fit_pooled, kappa_estimate, maximum, new_fit, slot};
use super::models::{Candidate, Candidates, Start};
use super::{FitOptions, FitReport, ModelFit, Prepared, covariates, lrtest, permutation, rank};
use rayon::prelude::*;

mod controlled;
use controlled::fit_controlled;

/// The cells of every design from one pass each: `[Influence, KolSplit, Cascade, Threshold]`
/// and the similarity network's.
struct Designs {
    v: Vec<Vec<Cell>>,
    sim: Option<Vec<Cell>>,
}

impl Designs {
    fn build(prep: &Prepared, net: &FitNet, tau: &[u32], periods: u32, by_period: bool) -> Self {
        let pass_on = |n: &FitNet, d: &[Design]| data::cells(n, tau, periods, d, by_period);
        let pass = |d: &[Design]| pass_on(net, d);
        let ((mut v, b), sim) = rayon::join(
            || {
                rayon::join(
                    || pass(&[Design::Influence, Design::KolSplit]),
                    || pass(&[Design::Cascade, Design::Threshold]),
                )
            },
            || {
                prep.similar
                    .as_ref()
                    .ok()
                    .map(|s| pass_on(s, &[Design::Similar]).remove(0))
            },
        );
        v.extend(b);
        Designs { v, sim }
    }

    fn of(&self, c: Candidate) -> Option<&[Cell]> {
        slot(&self.v, self.sim.as_ref(), c).map(Vec::as_slice)
    }

    /// Innovation only's estimate: adoptions / person-periods at risk.
    fn p0(&self) -> f64 {
        let (r, y) = self.v[0]
            .iter()
            .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
        if r > 0.0 { y / r } else { 0.0 }
    }
}

/// Innovation only (and period effects) on aggregate data.
fn fit_aggregate(
    candidates: &Candidates,
    pooled: &[Cell],
    by_t: &[Cell],
    opts: &FitOptions,
    fits: &mut Vec<ModelFit>,
    not_fitted: &mut Vec<(String, String)>,
) {
    let p0 = pooled[0].y / pooled[0].r;
    let c = Candidate::null();
    let (est, ll) = fit_pooled(c, pooled, p0);
    fits.push(new_fit(c.name().into(), Some(c), false, est, 1, ll, pooled));
    if opts.period_effects {
        let (est, ll, rates) = fit_period(None, by_t);
        let mut m = new_fit(
            "period_effects".into(),
            None,
            true,
            est,
            by_t.len(),
            ll,
            by_t,
        );
        m.period_rates = rates;
        fits.push(m);
    }
    let names: Vec<&str> = candidates
        .all()
        .iter()
        .filter(|c| !c.is_null())
        .map(|c| c.name())
        .collect();
    not_fitted.push((
        names.join(", "),
        "no exact likelihood on aggregate data (only innovation only and period effects have one); the scenario's models are fitted by simulation instead (method = simulated)".into(),
    ));
}

/// The correlation of the two boundary parameters' estimators at the null, for the χ̄²
/// weights (`None` for models with one boundary parameter).
pub fn null_rho(c: Candidate, cells: &[Cell], p0: f64, by_period: bool) -> Option<f64> {
    if c.boundary_params() != 2 {
        return None;
    }
    let mut b = c.bounds();
    if by_period {
        b.remove(c.p_index()?);
        let f = |psi: &[f64]| super::estimate::period_profile(Some(c), psi, cells, None);
        return lrtest::boundary_rho(&f, &[0.0, 0.0], &b, 0, 1);
    }
    let f = |th: &[f64]| data::log_likelihood(cells, |x| c.hazard(th, x));
    let (x0, _) = maximum(Candidate::null(), cells, p0);
    let mut x = vec![0.0; c.params().len()];
    let (s, start) = c.spontaneous()?;
    x[s] = match start {
        Start::SpontaneousRate => -(1.0 - x0[0]).ln(),
        _ => x0[0],
    };
    let free: Vec<usize> = (0..x.len()).filter(|&k| k != s).collect();
    lrtest::boundary_rho(&f, &x, &b, free[0], free[1])
}

/// Every candidate with a constant spontaneous rate (and its holdout score).
fn fit_constant(
    prep: &Prepared,
    net: &FitNet,
    opts: &FitOptions,
    todo: &[Candidate],
    fits: &mut Vec<ModelFit>,
) {
    let cells = Designs::build(prep, net, &prep.tau, prep.facts.periods, false);
    let p0 = cells.p0();
    let work: Vec<(Candidate, &[Cell])> = todo
        .iter()
        .filter_map(|&c| cells.of(c).map(|v| (c, v)))
        .collect();
    // Models are fitted in parallel; each fit is deterministic, results kept in order.
    let done: Vec<ModelFit> = work
        .par_iter()
        .map(|&(c, v)| {
            let (est, ll) = fit_pooled(c, v, p0);
            let mut m = new_fit(
                c.name().into(),
                Some(c),
                false,
                est,
                c.params().len(),
                ll,
                v,
            );
            if let (Some(r), true) = (c.ratio(), ll.is_finite()) {
                m.kappa = Some(kappa_estimate(r, v, &m.params, false));
            }
            m.boundary_rho = null_rho(c, v, p0, false);
            m
        })
        .collect();
    let holdout = holdout_scores(prep, net, opts, &work);
    fits.extend(done.into_iter().zip(holdout).map(|(mut m, h)| {
        m.holdout_log_score = h;
        m
    }));
}

/// Holdout: each model refitted on periods ≤ K (adoptions after K censored at K), scored on
/// periods K+1..T. The cells of periods ≤ K are the same in both data sets (exposure at t
/// reads the state at t − 1), so the holdout log score is `LL_full(θ̂_K) − LL_K(θ̂_K)`.
fn holdout_scores(
    prep: &Prepared,
    net: &FitNet,
    opts: &FitOptions,
    work: &[(Candidate, &[Cell])],
) -> Vec<Option<f64>> {
    let Some(k) = opts.holdout.filter(|&k| k >= 2 && k < prep.facts.periods) else {
        return vec![None; work.len()];
    };
    let tau_k: Vec<u32> = prep
        .tau
        .iter()
        .map(|&t| if t != NEVER && t > k { NEVER } else { t })
        .collect();
    let early = Designs::build(prep, net, &tau_k, k, false);
    let p0_k = early.p0();
    work.par_iter()
        .map(|&(c, cells)| {
            let early = early.of(c)?;
            let (th, ll_k) = maximum(c, early, p0_k);
            let ll = data::log_likelihood(cells, |x| c.hazard(&th, x));
            ll_k.is_finite().then_some(ll - ll_k)
        })
        .collect()
}

/// Period effects alone and every candidate with a spontaneous rate, with one rate per period.
fn fit_periods(prep: &Prepared, net: &FitNet, todo: &[Candidate], fits: &mut Vec<ModelFit>) {
    let per_t = Designs::build(prep, net, &prep.tau, prep.facts.periods, true);
    let n_pt = prep.facts.periods as usize - 1;
    let mut work: Vec<(Option<Candidate>, &[Cell])> = vec![(None, &per_t.v[0])];
    for &c in todo {
        if c.nests_innovation()
            && let Some(v) = per_t.of(c)
        {
            work.push((Some(c), v));
        }
    }
    let done: Vec<ModelFit> = work
        .par_iter()
        .map(|&(c, cells)| {
            let (est, ll, rates) = fit_period(c, cells);
            let (name, k) = match c {
                None => ("period_effects".to_string(), n_pt),
                Some(c) => (format!("{}+period", c.name()), c.params().len() - 1 + n_pt),
            };
            let mut m = new_fit(name, c, true, est, k, ll, cells);
            if ll.is_finite() {
                m.period_rates = rates;
            }
            if let Some(c) = c {
                if let (Some(r), true) = (c.ratio(), ll.is_finite()) {
                    m.kappa = Some(kappa_estimate(r, cells, &m.params, true));
                }
                m.boundary_rho = null_rho(c, cells, 0.0, true);
            }
            m
        })
        .collect();
    fits.extend(done);
}

/// A model fitted on its covariates (detailing), or why it is not fitted.
fn fit_on_covariates(
    c: Candidate,
    prep: &Prepared,
    net: &FitNet,
    opts: &FitOptions,
    fits: &mut Vec<ModelFit>,
    not_fitted: &mut Vec<(String, String)>,
) {
    if let Some(cov) = &prep.covariates {
        let d = covariates::fit(c, net, &prep.tau, prep.facts.periods, cov, opts.holdout);
        let mut m = new_fit(
            c.name().into(),
            Some(c),
            false,
            d.estimates,
            c.params().len(),
            d.loglik,
            &d.cells,
        );
        m.holdout_log_score = d.holdout;
        let p0 = {
            let (r, y) = d
                .cells
                .iter()
                .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
            if r > 0.0 { y / r } else { 0.0 }
        };
        m.boundary_rho = null_rho(c, &d.cells, p0, false);
        fits.push(m);
    } else if prep.facts.model_kinds.iter().any(|k| k == c.kind()) {
        not_fitted.push((
            c.name().into(),
            "needs its covariates: a marketing series (--marketing, step,effort) or per-physician visits (--detailing, id,step,visits), or the [observed] keys marketing / detailing".into(),
        ));
    }
}

/// Every exact model on per-physician data.
fn fit_network(
    prep: &Prepared,
    net: &FitNet,
    opts: &FitOptions,
    fits: &mut Vec<ModelFit>,
    not_fitted: &mut Vec<(String, String)>,
) {
    let cascade_why = net.cascade_classes().is_none().then(|| {
        format!(
            "the network has {} distinct arc weights (at most {} supported by the cascade likelihood)",
            net.distinct_weights(),
            data::MAX_CLASSES
        )
    });
    // The designs this network cannot give, and why.
    let missing = [
        (Design::Similar, prep.similar.as_ref().err().cloned()),
        (Design::Cascade, cascade_why),
    ];
    let why_not = |c: &Candidate| {
        missing
            .iter()
            .find(|(d, why)| *d == c.design() && why.is_some())
            .and_then(|(_, why)| why.clone())
    };
    let all = prep.candidates.all();
    for (d, _) in &missing {
        for c in all.iter().filter(|c| c.design() == *d) {
            if let Some(why) = why_not(c) {
                not_fitted.push((c.name().into(), why));
            }
        }
    }
    let todo: Vec<Candidate> = all.into_iter().filter(|c| why_not(c).is_none()).collect();
    if let Some(ctl) = &prep.controls {
        fit_controlled(prep, net, ctl, opts.period_effects, &todo, fits);
        for c in prep.candidates.on_covariates() {
            if prep.covariates.is_some() || prep.facts.model_kinds.iter().any(|k| k == c.kind()) {
                not_fitted.push((
                    c.name().into(),
                    "not fitted with --strata / --covariates (its spontaneous channel is a hazard rate, not the controlled logistic rate)".into(),
                ));
            }
        }
        return;
    }
    fit_constant(prep, net, opts, &todo, fits);
    for c in prep.candidates.on_covariates() {
        fit_on_covariates(c, prep, net, opts, fits, not_fitted);
    }
    if opts.period_effects {
        fit_periods(prep, net, &todo, fits);
    }
}

/// Fits every model to the prepared data and ranks them.
pub fn fit_models(prep: &Prepared, opts: &FitOptions) -> FitReport {
    let mut fits: Vec<ModelFit> = Vec::new();
    let mut not_fitted: Vec<(String, String)> = Vec::new();
    if let Some((pooled, by_t)) = &prep.aggregate_cells {
        fit_aggregate(
            &prep.candidates,
            pooled,
            by_t,
            opts,
            &mut fits,
            &mut not_fitted,
        );
    } else if let Some(net) = &prep.net {
        fit_network(prep, net, opts, &mut fits, &mut not_fitted);
    }
    rank(&mut fits, prep.facts.adoptions);
    let permutation = prep
        .net
        .as_ref()
        .and_then(|net| permutation::test(net, &prep.tau, opts.permutations, prep.seed));
    let initial_adopters = prep
        .ids
        .iter()
        .zip(&prep.tau)
        .filter(|(_, t)| **t == 1)
        .map(|(id, _)| id.clone())
        .collect();
    let mut report = FitReport {
        facts: prep.facts.clone(),
        models: fits,
        not_fitted,
        initial_adopters,
        permutation,
        holdout: opts
            .holdout
            .filter(|&k| prep.net.is_some() && k >= 2 && k < prep.facts.periods),
    };
    super::bootstrap::apply(prep, &mut report, opts.bootstrap);
    report
}
