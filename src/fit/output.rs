//! What `kolsim fit` writes and prints: `fit.csv`, `models.csv`, the terminal ranking table
//! (the verdict: [`super::verdict`]; `fitted.toml`: [`super::fitted`]). Writers are pure (they
//! return bytes or text).

use super::lrtest::{format_p, num, short};
use super::wording::{KappaShape, ci_high, kappa_shape, kappa_text, weight_text, with_ci};
use super::{Estimate, FitReport, Method, ModelFit, TIME_CONVENTION};
use crate::scenario::Scenario;
use std::fmt::Write as _;

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// `fit.csv`: one row per model and parameter; period-effect variants add one `p_<t>` row per
/// period (the per-period rate, profiled out, so without standard error or interval).
pub fn fit_csv(r: &FitReport) -> Vec<u8> {
    let mut o = String::from("model,parameter,estimate,se,ci_low,ci_high,method\n");
    for m in &r.models {
        let mut rows: Vec<Estimate> = m.params.clone();
        // κ with no network effect to split has no estimate (its value would be the start).
        rows.extend(m.kappa.iter().map(|k| {
            let mut k = k.clone();
            if kappa_shape(m, &k) == KappaShape::NotIdentified {
                (k.value, k.se, k.ci) = (f64::NAN, None, (f64::NAN, f64::NAN));
            }
            k
        }));
        for e in &rows {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{}",
                m.name,
                e.name,
                num(e.value),
                opt(e.se),
                num(e.ci.0),
                num(ci_high(e)),
                m.method.as_str()
            );
        }
        for (t, p) in &m.period_rates {
            let _ = writeln!(o, "{},p_{t},{},,,,exact (profiled)", m.name, num(*p));
        }
        super::odds::csv_rows(m, &mut o);
    }
    o.into_bytes()
}

/// `models.csv`: one row per model; `lr_*`: the test of the model's network term against the
/// same controls without it (`lr_p` boundary-corrected, `lr_p_chi2` under χ²_df).
pub fn models_csv(r: &FitReport) -> Vec<u8> {
    let holdout = r.holdout.is_some();
    let boot = r
        .models
        .iter()
        .any(|m| m.lr.as_ref().is_some_and(|t| t.p_bootstrap.is_some()));
    let mut o = String::from(
        "model,n_params,loglik,aic,bic,delta_aic,akaike_weight,lr_against,lr_stat,lr_df,lr_p,lr_p_chi2",
    );
    if boot {
        o.push_str(",lr_p_bootstrap");
    }
    if holdout {
        o.push_str(",holdout_log_score");
    }
    o.push_str(",method\n");
    for m in &r.models {
        let _ = write!(
            o,
            "{},{},{},{},{},{},{}",
            m.name,
            m.k,
            num(m.loglik),
            num(m.aic),
            num(m.bic),
            num(m.delta_aic),
            num(m.weight),
        );
        match &m.lr {
            Some(t) => {
                let _ = write!(
                    o,
                    ",{},{},{},{},{}",
                    t.against,
                    num(t.stat),
                    t.df,
                    num(t.p),
                    num(t.p_chi2)
                );
            }
            None => o.push_str(",,,,,"),
        }
        if boot {
            let _ = write!(o, ",{}", opt(m.lr.as_ref().and_then(|t| t.p_bootstrap)));
        }
        if holdout {
            let _ = write!(o, ",{}", opt(m.holdout_log_score));
        }
        let _ = writeln!(o, ",{}", m.method.as_str());
    }
    o.into_bytes()
}

/// The exact fits, best AIC first.
fn ranked(r: &FitReport) -> Vec<&ModelFit> {
    ranked_by(r, Method::Exact)
}

fn ranked_by(r: &FitReport, method: Method) -> Vec<&ModelFit> {
    let mut v: Vec<&ModelFit> = r.models.iter().filter(|m| m.method == method).collect();
    v.sort_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)));
    v
}

fn params_text(m: &ModelFit) -> String {
    let mut parts: Vec<String> = m
        .params
        .iter()
        .map(|e| format!("{} = {}", e.name, with_ci(e)))
        .collect();
    if let Some(k) = &m.kappa {
        let text = kappa_text(m, k);
        parts.push(if kappa_shape(m, k) == KappaShape::NotIdentified {
            format!("κ̂ {text}")
        } else {
            format!("κ̂ = {text}")
        });
    }
    if m.period_effects {
        parts.push("one p per period".to_string());
    }
    if !m.coefficients.is_empty() {
        parts.push("controls".to_string());
    }
    if m.method == Method::Simulated {
        parts.push(if m.params.iter().any(|e| e.ci.0.is_nan()) {
            "cannot reproduce the launch".to_string()
        } else {
            "intervals approximate".to_string()
        });
    }
    if let Some(n) = &m.note
        && !m.loglik.is_finite()
    {
        return n.replace(
            "log-likelihood −∞: ",
            "this family cannot produce the data: ",
        );
    }
    parts.join(", ")
}

/// The columns of the ranking table ([`ranking_rows`]).
pub const RANKING_HEAD: [&str; 7] = [
    "model",
    "logL",
    "ΔAIC",
    "weight",
    "BIC",
    "LR p",
    "estimates [95% profile CI]",
];

/// The rows of the ranking (best AIC first): the exact fits, and the simulation-based fits
/// with innovation only as their reference (empty when there are none).
pub fn ranking_rows(r: &FitReport) -> (Vec<[String; 7]>, Vec<[String; 7]>) {
    let exact = cells(ranked(r));
    let sims = ranked_by(r, Method::Simulated);
    if sims.is_empty() {
        return (exact, Vec::new());
    }
    let mut rows: Vec<ModelFit> = sims.into_iter().cloned().collect();
    if let Some(innov) = r
        .models
        .iter()
        .find(|m| m.is_null() && !m.period_effects && m.aic.is_finite())
    {
        let best = rows.iter().map(|m| m.aic).fold(innov.aic, f64::min);
        let total: f64 = rows
            .iter()
            .map(|m| m.aic)
            .chain([innov.aic])
            .filter(|a| a.is_finite())
            .map(|a| (-(a - best) / 2.0).exp())
            .sum();
        let mut reference = innov.clone();
        reference.name = format!("{} (exact, reference)", innov.name);
        reference.delta_aic = innov.aic - best;
        reference.weight = (-(reference.delta_aic) / 2.0).exp() / total;
        reference.lr = None;
        rows.push(reference);
        rows.sort_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)));
    }
    (exact, cells(rows.iter().collect()))
}

/// The terminal ranking table (best AIC first): the exact fits, then (when there are any)
/// the simulation-based fits in their own block, with innovation only as their reference.
pub fn table(r: &FitReport) -> String {
    let (exact, sims) = ranking_rows(r);
    let mut o = rows_table(&exact);
    if sims.is_empty() {
        return o;
    }
    o.push_str(
        "\nSimulation-based fits (method = simulated: approximate likelihood of the per-period adoption counts; ranked only among themselves and against innovation only):\n",
    );
    o.push_str(&rows_table(&sims));
    o
}

/// The ranking cells of `models`, in order.
fn cells(models: Vec<&ModelFit>) -> Vec<[String; 7]> {
    models
        .into_iter()
        .map(|m| {
            [
                m.name.clone(),
                short(m.loglik),
                short(m.delta_aic),
                weight_text(m.weight),
                short(m.bic),
                m.lr.as_ref()
                    .map(|t| format_p(t.p))
                    .unwrap_or_else(|| "–".into()),
                params_text(m),
            ]
        })
        .collect()
}

fn rows_table(rows: &[[String; 7]]) -> String {
    let head = RANKING_HEAD;
    let width: Vec<usize> = (0..7)
        .map(|k| {
            rows.iter()
                .map(|r| r[k].chars().count())
                .chain([head[k].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (k, c) in cells.iter().enumerate() {
            if k + 1 == cells.len() {
                s.push_str(c);
            } else {
                let pad = width[k] - c.chars().count();
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut o = line(&head.map(String::from));
    o.push_str(&line(
        &width.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>(),
    ));
    for r in rows {
        o.push_str(&line(r));
    }
    o
}

/// What the ranking table's columns mean, printed under it.
pub fn ranking_note(r: &FitReport) -> String {
    format!(
        "Ranked by AIC over all rows (weight: Akaike weight; BIC with n = {} adoptions); `+period`: one spontaneous rate per period (period effects). LR p: likelihood-ratio test of the model's network term against the same controls without it (innovation, or period_effects), boundary-corrected (½χ²₀ + ½χ²₁ for one parameter at 0, χ̄² for two; none for threshold, whose network term vanishes only at high → ∞).",
        r.facts.adoptions
    )
}

/// The holdout line: each model's log score on periods `K+1..T`, best first.
pub fn holdout_text(r: &FitReport) -> Option<String> {
    let k = r.holdout?;
    let mut scored: Vec<(&str, f64)> = r
        .models
        .iter()
        .filter_map(|m| m.holdout_log_score.map(|s| (m.name.as_str(), s)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = scored
        .iter()
        .map(|(n, s)| format!("{n} {}", short(*s)))
        .collect();
    Some(format!(
        "Holdout: fitted on periods 1..{k}, log score on periods {}..{} (higher is better): {}.",
        k + 1,
        r.facts.periods,
        if list.is_empty() {
            "no model could be scored".to_string()
        } else {
            list.join(", ")
        }
    ))
}

/// What the simulation-based block means, printed under the table.
pub const SIMULATED_NOTE: &str = "Simulated: each model simulated from the observed seeds with common random numbers (the same replicate streams at every parameter value); objective = binomial log-likelihood of each period's new adopters given the simulated mean curve, maximised by Nelder-Mead; its AIC and profile intervals are approximate (Monte Carlo), and it uses the per-period counts only, so it is not comparable with the exact per-physician likelihoods above (innovation only's likelihood is the same on both scales).";

/// The note on the simulation-based fits with their warnings, when there are any.
pub fn simulated_text(r: &FitReport) -> Option<String> {
    let sims: Vec<&ModelFit> = r
        .models
        .iter()
        .filter(|m| m.method == Method::Simulated)
        .collect();
    if sims.is_empty() {
        return None;
    }
    let mut o = SIMULATED_NOTE.to_string();
    for w in sims.iter().flat_map(|m| &m.warnings) {
        let _ = write!(o, " Warning: {w}.");
    }
    Some(o)
}

/// The facts line(s) printed above the table.
pub fn facts_text(sc: &Scenario, r: &FitReport, observed: &std::path::Path) -> String {
    let f = &r.facts;
    let mut o = String::new();
    let layout = if f.aggregate {
        "aggregate cumulative adopters by step (detected from the header)"
    } else {
        "per-physician adoption periods (detected from the header)"
    };
    let _ = writeln!(o, "{}: fit to {} — {layout}", sc.name, observed.display());
    if !f.aggregate {
        let unknown = f.unknown_in_file + f.not_in_file;
        if f.unknown_as_never {
            let _ = writeln!(
                o,
                "{} physicians, {} arcs, {} KOLs (κ = {}); {} with unknown adoption ({} coded missing, {} not listed) treated as never adopting",
                f.physicians, f.arcs, f.kols, f.kappa, unknown, f.unknown_in_file, f.not_in_file
            );
        } else {
            let _ = writeln!(
                o,
                "{} of {} physicians fitted, {} arcs, {} KOLs (κ = {}); excluded {} physicians with unknown adoption ({} coded missing, {} not listed){} and their {} arcs",
                f.physicians,
                f.network_physicians,
                f.arcs,
                f.kols,
                f.kappa,
                f.excluded - f.missing_controls,
                f.unknown_in_file,
                f.not_in_file,
                missing_text(f),
                f.arcs_removed
            );
        }
        if let Some(c) = &f.controls {
            let _ = writeln!(o, "Controls of the spontaneous rate: {c}");
        }
    } else {
        let _ = writeln!(o, "{} physicians (the scenario's network)", f.physicians);
    }
    let _ = writeln!(
        o,
        "T = {} periods: {} seeds in period 1, {} adoptions in periods 2..{}, {} censored, {} person-periods at risk",
        f.periods, f.initial_adopters, f.adoptions, f.periods, f.censored, f.person_periods
    );
    let _ = writeln!(o, "{TIME_CONVENTION}");
    o
}

/// `, 8 with a missing group or covariate` when controls excluded physicians.
fn missing_text(f: &super::Facts) -> String {
    if f.missing_controls > 0 {
        format!(
            ", {} with a missing group or covariate value",
            f.missing_controls
        )
    } else {
        String::new()
    }
}

/// The whole terminal text.
pub fn terminal_text(
    sc: &Scenario,
    r: &FitReport,
    observed: &std::path::Path,
    dir: &std::path::Path,
) -> String {
    let mut o = format!("{}\n\n", super::verdict::verdict(r));
    o.push_str(&facts_text(sc, r, observed));
    o.push('\n');
    o.push_str(&table(r));
    o.push('\n');
    let _ = writeln!(o, "{}", ranking_note(r));
    if r.models.iter().any(|m| m.method == Method::Simulated) {
        let _ = writeln!(o, "{SIMULATED_NOTE}");
    }
    for m in &r.models {
        for w in &m.warnings {
            let _ = writeln!(o, "Warning: {w}.");
        }
    }
    for (name, why) in &r.not_fitted {
        let _ = writeln!(o, "Not fitted: {name}: {why}.");
    }
    if let Some(t) = &r.permutation {
        let _ = writeln!(o, "{}", super::permutation::text(t));
    }
    if let Some(text) = super::odds::text(r) {
        let _ = writeln!(o, "{text}");
    }
    if let Some(text) = holdout_text(r) {
        let _ = writeln!(o, "{text}");
    }
    let _ = writeln!(
        o,
        "Results in {} (verdict.txt, fit.csv, models.csv, fitted.toml, fit.svg, curves.csv, report.html{}, manifest.json).",
        dir.display(),
        if r.permutation.is_some() {
            ", permutation.csv"
        } else {
            ""
        }
    );
    o
}
