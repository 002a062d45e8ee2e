//! `fitted.toml`: the scenario with the fitted theories as simulation models, so that
//! `kolsim run fitted.toml` simulates them from the observed initial adopters. Pure: returns bytes.

use super::data::NEVER;
use super::models::Candidate;
use super::{FitReport, ModelFit, Prepared, TIME_CONVENTION};
use crate::scenario::{Derived, IdList, InitialAdopters, NamedModel, Scenario};

use std::path::Path;

/// The spontaneous probability of a model fitted with controls (`p_i = logistic(α + z_iᵀβ)`,
/// constant α), averaged over the at-risk person-periods of the physicians fitted: the one
/// rate a simulation model can carry. It reproduces the fitted expected number of spontaneous
/// adoptions over those person-periods. `None` for a model without controls (or one per
/// period), or when `prep` has none.
pub fn mean_spontaneous(m: &ModelFit, prep: &Prepared) -> Option<f64> {
    let ctl = prep.controls.as_ref()?;
    if m.period_effects || m.coefficients.is_empty() {
        return None;
    }
    let coef = |name: &str| {
        m.coefficients
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
    };
    let alpha = coef("alpha")?;
    let beta: Vec<f64> = ctl.names.iter().map(|n| coef(n).unwrap_or(0.0)).collect();
    let p_of: Vec<f64> = ctl
        .rows
        .iter()
        .map(|row| {
            let eta = alpha + row.iter().zip(&beta).map(|(x, b)| x * b).sum::<f64>();
            1.0 / (1.0 + (-eta).exp())
        })
        .collect();
    let periods = prep.facts.periods;
    let (mut sum, mut n) = (0.0, 0.0);
    for (&t, &z) in prep.tau.iter().zip(&prep.z) {
        let at_risk = if t == NEVER { periods - 1 } else { t - 1 };
        sum += f64::from(at_risk) * p_of.get(z as usize).copied().unwrap_or(0.0);
        n += f64::from(at_risk);
    }
    (n > 0.0).then(|| sum / n)
}

/// `fitted.toml`: the scenario with the fitted models, the observed initial adopters
/// and `steps = T − 1`, so `kolsim run fitted.toml` simulates the fitted theories on the same
/// network. Data paths are written relative to `dir`, the folder that holds `fitted.toml`.
/// A model fitted with controls of the spontaneous rate gets `p` = [`mean_spontaneous`]
/// (from `prep`, the fit's inputs; without them its `p` is 0), said in a comment.
/// Left out: kol_contagion (no simulation model), detailing fitted to observed visits,
/// structural equivalence with a spontaneous rate and threshold with `high > 1` (the
/// simulation models have neither), and the models with one rate per period (the scenario
/// format cannot express a rate per period: said in the file's header).
pub fn fitted_toml(sc: &Scenario, r: &FitReport, dir: &Path, prep: Option<&Prepared>) -> Vec<u8> {
    let description = format!(
        "{}: the theories fitted by `kolsim fit`, seeded with the {} observed period-1 adopters{}, over the {} observed periods",
        sc.name,
        r.facts.initial_adopters,
        if r.facts.aggregate {
            " (random physicians: the aggregate data do not say who)"
        } else {
            ""
        },
        r.facts.periods
    );
    let initial_adopters = if r.facts.aggregate && r.facts.initial_adopters > 0 {
        // Who adopted first is unknown: as many random physicians, as the simulated fits did.
        InitialAdopters::Random(r.facts.initial_adopters as usize)
    } else if r.initial_adopters.is_empty() {
        InitialAdopters::None
    } else {
        InitialAdopters::Explicit(IdList {
            ids: r.initial_adopters.clone(),
            key: "initial_adopters.ids".into(),
            span: 0..0,
            spans: Vec::new(),
            path: None,
        })
    };
    let mut averaged = false;
    let mut models: Vec<NamedModel> = r
        .models
        .iter()
        .filter_map(|m| {
            let p = prep.and_then(|prep| mean_spontaneous(m, prep));
            let t = exact_model(sc, m, r.facts.top_k, p)?;
            averaged |= p.is_some();
            Some(t)
        })
        .collect();
    for m in &r.models {
        if let Some(f) = &m.sim_model {
            let mut f = f.clone();
            f.name = m.name.clone();
            models.push(f);
        }
    }
    let derived = Derived {
        name: format!("{}-fitted", sc.name),
        description,
        steps: r.facts.periods.saturating_sub(1),
        initial_adopters,
        models,
        baseline: Candidate::null().name().into(),
        dir,
    };
    let mut o = format!(
        "# Written by `kolsim fit` from {}.\n# The fitted theories as simulation models (left out: kol_contagion, which has no simulation model; detailing fitted to observed visits, which no targeting policy reproduces; structural_equivalence with a spontaneous rate p > 0 and threshold with high > 1, which the simulation models cannot express). Paths are relative to this file.\n# {}\n",
        sc.source.path.display(),
        TIME_CONVENTION
    );
    if r.models.iter().any(|m| m.period_effects) {
        o.push_str("# Period effects: the models fitted with one spontaneous rate per period (logistic(alpha_t ...), alpha_t in fit.csv) are left out: a scenario model has one constant spontaneous rate p, and the scenario format cannot express a rate per period.\n");
    }
    if averaged {
        o.push_str(&format!(
            "# Controls: the models were fitted with a spontaneous rate per physician, logistic(alpha + groups + covariates): {}. A simulation model has one rate for everyone, so each model's p here is its fitted spontaneous probability averaged over the {} at-risk person-periods of the physicians fitted (it reproduces the fitted number of spontaneous adoptions; the differences between physicians are averaged out).\n",
            r.facts.controls.as_deref().unwrap_or("controls"),
            r.facts.person_periods
        ));
    }
    o.push_str(&sc.derived_toml(&derived));
    o.into_bytes()
}

/// The simulation model of one exact fit (with a constant spontaneous rate and a simulation
/// counterpart), built as a `[[model]]` table with these values would be; `p`: the averaged
/// spontaneous rate of a model fitted with controls. `None` also where the fitted values are
/// not a valid model (a non-finite estimate).
fn exact_model(sc: &Scenario, m: &ModelFit, top_k: usize, p: Option<f64>) -> Option<NamedModel> {
    let c = m.candidate?;
    if m.period_effects || !m.loglik.is_finite() {
        return None;
    }
    let spontaneous = c.p_index().map(|k| c.params()[k]);
    let v = |name: &str| {
        m.params
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
            .or(p.filter(|_| Some(name) == spontaneous))
            .unwrap_or(0.0)
    };
    let (kind, values) = (c.fit().as_model?)(&v, top_k)?;
    sc.model_from_values(&m.name, kind, &values).ok()
}
