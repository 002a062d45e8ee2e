//! Ranking the fitted models: AIC, BIC, Akaike weights and likelihood-ratio tests, with the
//! exact and the simulation-based fits ([`super::simulated`]) ranked apart, and how a model
//! was fitted ([`Method`]).

use super::{FitReport, ModelFit, lrtest, simulated};

/// How a model was fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact maximum likelihood.
    Exact,
    /// Simulation-based: an approximate likelihood of the per-period counts
    /// ([`simulated`]).
    Simulated,
}

impl Method {
    /// As written in `fit.csv` and `models.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Simulated => "simulated",
        }
    }
}

/// AIC, BIC, Akaike weights and likelihood-ratio tests. Exact fits are ranked among
/// themselves; simulation-based fits among themselves, against innovation only's AIC (whose
/// exact likelihood equals the simulated objective's at `q = 0`, so the two are comparable,
/// approximately); their Akaike weights are over the simulated fits and innovation only.
pub fn rank(fits: &mut [ModelFit], adoptions: u64) {
    let n = (adoptions.max(1)) as f64;
    for m in fits.iter_mut() {
        if m.loglik.is_finite() {
            m.aic = 2.0 * m.k as f64 - 2.0 * m.loglik;
            m.bic = m.k as f64 * n.ln() - 2.0 * m.loglik;
        }
    }
    let innov_aic = fits
        .iter()
        .find(|m| m.is_null() && !m.period_effects)
        .map(|m| m.aic);
    for group in [Method::Exact, Method::Simulated] {
        let reference = if group == Method::Simulated {
            innov_aic.filter(|a| a.is_finite())
        } else {
            None
        };
        let best = fits
            .iter()
            .filter(|m| m.method == group)
            .map(|m| m.aic)
            .chain(reference)
            .fold(f64::INFINITY, f64::min);
        let total: f64 = fits
            .iter()
            .filter(|m| m.method == group)
            .map(|m| m.aic)
            .chain(reference)
            .filter(|a| a.is_finite())
            .map(|a| (-(a - best) / 2.0).exp())
            .sum();
        for m in fits.iter_mut().filter(|m| m.method == group) {
            if m.aic.is_finite() {
                m.delta_aic = m.aic - best;
                m.weight = (-(m.delta_aic) / 2.0).exp() / total;
            }
        }
    }
    lr_tests(fits);
}

/// Each exact model's likelihood-ratio test against the same controls without its network
/// term: innovation only for a constant rate, period effects alone for one rate per period
/// (and period effects alone against innovation only, a regular χ² test).
fn lr_tests(fits: &mut [ModelFit]) {
    let null = |pe: bool| {
        fits.iter()
            .find(|m| m.is_null() && m.period_effects == pe)
            .map(|m| (m.name.clone(), m.loglik, m.k))
    };
    let (innov, pe) = (null(false), null(true));
    for m in fits.iter_mut().filter(|m| m.method == Method::Exact) {
        // Ranking again (after the simulation-based fits) keeps a bootstrap p-value.
        let boot =
            m.lr.as_ref()
                .and_then(|t| Some((t.p_bootstrap?, t.bootstrap)));
        m.lr = match m.candidate {
            Some(c) if c.nests_innovation() && c.boundary_params() > 0 => {
                let base = if m.period_effects { &pe } else { &innov };
                base.as_ref().and_then(|(name, ll0, k0)| {
                    lrtest::test(
                        m.loglik,
                        m.k,
                        (name, *ll0, *k0),
                        c.boundary_params(),
                        m.boundary_rho,
                    )
                })
            }
            // Period effects alone against innovation only: a regular χ² test.
            None if m.is_null() => innov.as_ref().and_then(|(name, ll0, k0)| {
                lrtest::test(m.loglik, m.k, (name, *ll0, *k0), 0, None)
            }),
            _ => None,
        };
        if let (Some(t), Some((p, n))) = (m.lr.as_mut(), boot) {
            (t.p_bootstrap, t.bootstrap) = (Some(p), n);
        }
    }
}

/// Adds the simulation-based fits (and the models they could not fit) to a report and ranks
/// again. A simulated fit whose name is taken by an exact one is called `<name>~sim`.
pub fn add_simulated(
    r: &mut FitReport,
    fits: Vec<simulated::SimFit>,
    failed: Vec<(String, String)>,
) {
    for f in fits {
        let name = if r.models.iter().any(|m| m.name == f.name) {
            format!("{}~sim", f.name)
        } else {
            f.name
        };
        r.models.push(ModelFit {
            method: Method::Simulated,
            warnings: f.warnings,
            sim_model: Some(f.model),
            name,
            candidate: None,
            period_effects: false,
            k: f.estimates.len(),
            params: f.estimates,
            loglik: f.loglik,
            aic: f64::INFINITY,
            bic: f64::INFINITY,
            delta_aic: f64::INFINITY,
            weight: 0.0,
            lr: None,
            boundary_rho: None,
            kappa: None,
            note: None,
            period_rates: Vec::new(),
            holdout_log_score: None,
            coefficients: Vec::new(),
        });
    }
    r.not_fitted.extend(failed);
    rank(&mut r.models, r.facts.adoptions);
}
