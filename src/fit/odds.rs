//! The control coefficients in the outputs ([`super::hazard`]): `fit.csv` rows (one per
//! `α`, `δ_g` and `γ`), the odds-ratio line of the terminal and report, and the verdict's
//! phrase on them.

use super::lrtest::{num, short};
use super::{Estimate, FitReport, Method, ModelFit};
use std::fmt::Write as _;

/// Whether a coefficient is an intercept (`alpha`, `alpha_<t>`) rather than a group's or a
/// covariate's.
pub fn is_alpha(e: &Estimate) -> bool {
    e.name == "alpha" || e.name.starts_with("alpha_")
}

/// `fit.csv` rows of a model's control coefficients: `alpha` / `alpha_<t>` as log-odds
/// (Wald), each group and covariate as an odds ratio `odds_ratio[name]` with its delta-method
/// standard error and the exponentiated Wald interval.
pub fn csv_rows(m: &ModelFit, o: &mut String) {
    for e in &m.coefficients {
        let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
        if is_alpha(e) {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},exact (Wald)",
                m.name,
                e.name,
                num(e.value),
                opt(e.se),
                num(e.ci.0),
                num(e.ci.1)
            );
        } else {
            let or = e.value.exp();
            let _ = writeln!(
                o,
                "{},odds_ratio[{}],{},{},{},{},exact (Wald)",
                m.name,
                e.name,
                num(or),
                opt(e.se.map(|s| s * or)),
                num(e.ci.0.exp()),
                num(e.ci.1.exp())
            );
        }
    }
}

/// The best-ranked exact model with control coefficients.
pub fn best_controlled(r: &FitReport) -> Option<&ModelFit> {
    r.models
        .iter()
        .filter(|m| m.method == Method::Exact && !m.coefficients.is_empty())
        .min_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)))
}

/// A group's or covariate's odds ratio with its interval: `jours 1.31 [1.05, 1.63]`.
fn odds_text(e: &Estimate) -> String {
    if e.ci.0.is_nan() {
        format!("{} {} (not identified)", e.name, short(e.value.exp()))
    } else {
        format!(
            "{} {} [{}, {}]",
            e.name,
            short(e.value.exp()),
            short(e.ci.0.exp()),
            short(e.ci.1.exp())
        )
    }
}

/// The controls line of the terminal and the report: what was controlled and the odds
/// ratios under the best model.
pub fn text(r: &FitReport) -> Option<String> {
    let what = r.facts.controls.as_ref()?;
    let m = best_controlled(r)?;
    let list: Vec<String> = m
        .coefficients
        .iter()
        .filter(|e| !is_alpha(e))
        .map(odds_text)
        .collect();
    Some(format!(
        "Controls of the spontaneous adoption rate in every model with one: {what}. Odds ratios of spontaneous adoption under {} (the best model; 95% Wald intervals; a group against the first group, a covariate per unit, a factor level against the first level): {}. All coefficients, with the log-odds α of every period, are in fit.csv.",
        m.name,
        list.join(", ")
    ))
}

/// A control in the verdict's words: `higher jours (odds ratio 1.19 per unit, 95% interval
/// 1.06–1.34)` or `city_name=Peoria (odds ratio 1.4 against the first group, …)`.
fn plain(e: &Estimate) -> String {
    let (what, per) = match e.name.split_once('=') {
        Some(_) => (e.name.clone(), "against the first level"),
        None => (format!("higher {}", e.name), "per unit"),
    };
    format!(
        "{what} (odds ratio {} {per}, 95% interval {}–{})",
        short(e.value.exp()),
        short(e.ci.0.exp()),
        short(e.ci.1.exp())
    )
}

/// The verdict's clause on the controls under model `m` (lower case, no final stop, joined
/// to the verdict's first sentence): what was controlled, and which controls go with faster
/// or slower spontaneous adoption (interval excluding 1), or that none does.
pub fn verdict_phrase(r: &FitReport, m: &ModelFit) -> Option<String> {
    let what = r.facts.controls.as_ref()?;
    let clear: Vec<(&Estimate, bool)> = m
        .coefficients
        .iter()
        .filter(|e| !is_alpha(e) && !e.ci.0.is_nan())
        .filter(|e| e.ci.0 > 0.0 || e.ci.1 < 0.0)
        .map(|e| (e, e.ci.0 > 0.0))
        .collect();
    let listed = |up: bool| -> Vec<String> {
        clear
            .iter()
            .filter(|(_, u)| *u == up)
            .map(|(e, _)| plain(e))
            .collect()
    };
    let (faster, slower) = (listed(true), listed(false));
    let mut parts = Vec::new();
    if !faster.is_empty() {
        parts.push(format!("more likely with {}", faster.join(" and ")));
    }
    if !slower.is_empty() {
        parts.push(format!("less likely with {}", slower.join(" and ")));
    }
    let found = if parts.is_empty() {
        "none of them clearly changes the spontaneous adoption rate (every odds-ratio interval contains 1)".to_string()
    } else {
        format!(
            "adopting on one's own is {} (the others show no clear difference)",
            parts.join(", and ")
        )
    };
    Some(format!("every model controls for {what}, and {found}"))
}
