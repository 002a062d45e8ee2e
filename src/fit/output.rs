//! What `kolsim fit` writes and prints: `fit.csv`, `models.csv`, the terminal ranking table
//! and the verdict line (`fitted.toml`: [`super::fitted`]). Writers are pure (they return
//! bytes or text).

use super::{Estimate, FitReport, Method, ModelFit, TIME_CONVENTION};
use crate::scenario::Scenario;
use std::fmt::Write as _;

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else if x == f64::INFINITY {
        "inf".into()
    } else if x == f64::NEG_INFINITY {
        "-inf".into()
    } else {
        String::new()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// Estimates with at most 4 significant digits, for the terminal.
fn short(x: f64) -> String {
    if !x.is_finite() {
        return num(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (3 - mag).clamp(0, 8) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Upper interval end of κ̂ at its search bound is reported as unbounded.
fn ci_high(e: &Estimate) -> f64 {
    if e.name == "kappa" && e.ci.1 >= 1000.0 {
        f64::INFINITY
    } else {
        e.ci.1
    }
}

/// `fit.csv`: one row per model and parameter; period-effect variants add one `p_<t>` row per
/// period (the per-period rate, profiled out, so without standard error or interval).
pub fn fit_csv(r: &FitReport) -> Vec<u8> {
    let mut o = String::from("model,parameter,estimate,se,ci_low,ci_high,method\n");
    for m in &r.models {
        let mut rows: Vec<&Estimate> = m.params.iter().collect();
        if m.name == "kol_contagion"
            && let Some(k) = &r.kappa
        {
            rows.push(k);
        }
        for e in rows {
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
    }
    o.into_bytes()
}

/// `models.csv`: one row per model.
pub fn models_csv(r: &FitReport) -> Vec<u8> {
    let pe = r.models.iter().any(|m| m.period_effects);
    let holdout = r.holdout.is_some();
    let mut o =
        String::from("model,n_params,loglik,aic,bic,delta_aic,akaike_weight,lr_p_vs_innovation");
    if pe {
        o.push_str(",lr_p_vs_period_effects");
    }
    if holdout {
        o.push_str(",holdout_log_score");
    }
    o.push_str(",method\n");
    for m in &r.models {
        let _ = write!(
            o,
            "{},{},{},{},{},{},{},{}",
            m.name,
            m.k,
            num(m.loglik),
            num(m.aic),
            num(m.bic),
            num(m.delta_aic),
            num(m.weight),
            opt(m.lr_p_innovation)
        );
        if pe {
            let _ = write!(o, ",{}", opt(m.lr_p_period));
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

fn params_text(m: &ModelFit, kappa: Option<&Estimate>) -> String {
    let mut parts: Vec<String> = m
        .params
        .iter()
        .map(|e| {
            format!(
                "{} = {} [{}, {}]",
                e.name,
                short(e.value),
                short(e.ci.0),
                short(ci_high(e))
            )
        })
        .collect();
    if m.name == "kol_contagion"
        && let Some(k) = kappa
    {
        parts.push(format!(
            "κ̂ = {} [{}, {}]",
            short(k.value),
            short(k.ci.0),
            short(ci_high(k))
        ));
    }
    if m.period_effects {
        parts.push("one p per period".to_string());
    }
    if m.method == Method::Simulated {
        parts.push("intervals approximate".to_string());
    }
    if let Some(n) = &m.note
        && !m.loglik.is_finite()
    {
        return n.replace("log-likelihood −∞: ", "impossible: ");
    }
    parts.join(", ")
}

/// The terminal ranking table (best AIC first): the exact fits, then (when there are any)
/// the simulation-based fits in their own block, with innovation only as their reference.
pub fn table(r: &FitReport) -> String {
    let mut o = rows_table(ranked(r), r.kappa.as_ref());
    let sims = ranked_by(r, Method::Simulated);
    if sims.is_empty() {
        return o;
    }
    let mut rows: Vec<ModelFit> = sims.into_iter().cloned().collect();
    if let Some(innov) = r
        .models
        .iter()
        .find(|m| m.name == "innovation" && m.method == Method::Exact && m.aic.is_finite())
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
        reference.name = "innovation (exact, reference)".into();
        reference.delta_aic = innov.aic - best;
        reference.weight = (-(reference.delta_aic) / 2.0).exp() / total;
        reference.lr_p_innovation = None;
        rows.push(reference);
        rows.sort_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)));
    }
    o.push_str(
        "\nSimulation-based fits (method = simulated: approximate likelihood of the per-period adoption counts; ranked only among themselves and against innovation only):\n",
    );
    o.push_str(&rows_table(rows.iter().collect(), None));
    o
}

fn rows_table(models: Vec<&ModelFit>, kappa: Option<&Estimate>) -> String {
    let rows: Vec<[String; 7]> = models
        .into_iter()
        .map(|m| {
            [
                m.name.clone(),
                short(m.loglik),
                short(m.delta_aic),
                if m.weight > 0.0 && m.weight < 0.0005 {
                    "<0.001".into()
                } else {
                    format!("{:.3}", m.weight)
                },
                short(m.bic),
                m.lr_p_innovation
                    .or(m.lr_p_period)
                    .map(|p| format!("{}{p:.3}", if m.lr_p_period.is_some() { "PE " } else { "" }))
                    .unwrap_or_else(|| "–".into()),
                params_text(m, kappa),
            ]
        })
        .collect();
    let head = [
        "model",
        "logL",
        "ΔAIC",
        "weight",
        "BIC",
        "LR p",
        "estimates [95% profile CI]",
    ];
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
    for r in &rows {
        o.push_str(&line(r));
    }
    o
}

/// The plain-language verdict: the best nested contagion model against a constant adoption
/// rate (and against period effects when fitted). Never claims more than the test shows.
pub fn verdict(r: &FitReport) -> String {
    let innov = r.models.iter().find(|m| m.name == "innovation");
    let Some(innov) = innov else {
        return "No model could be fitted.".into();
    };
    let contagion: Vec<&ModelFit> = r
        .models
        .iter()
        .filter(|m| !m.period_effects && m.lr_p_innovation.is_some())
        .collect();
    let Some(best) = contagion
        .iter()
        .max_by(|a, b| a.loglik.total_cmp(&b.loglik))
    else {
        let mut s = String::from(
            "Only innovation-only has an exact likelihood here (aggregate data): the data cannot separate contagion from a constant adoption rate.",
        );
        if let Some(best) = ranked_by(r, Method::Simulated).first() {
            let _ = write!(
                s,
                " Of the simulation-based fits (approximate), {} fits the curve best, {:.2} log-likelihood units {} innovation only; a curve fit cannot tell contagion from a common shock.",
                best.name,
                (best.loglik - innov.loglik).abs(),
                if best.loglik >= innov.loglik {
                    "above"
                } else {
                    "below"
                }
            );
        }
        return s;
    };
    let gain = best.loglik - innov.loglik;
    let p = best.lr_p_innovation.unwrap_or(1.0);
    let top = ranked(r)[0];
    let mut s = format!(
        "Best contagion model: {} adds {:.2} log-likelihood units over a constant adoption rate (LR p = {:.3})",
        best.name, gain, p
    );
    if p >= 0.05 {
        s.push_str(": the data do not distinguish it from a constant adoption rate");
        if top.name == "innovation" {
            s.push_str(", which AIC ranks first.");
        } else {
            let _ = write!(
                s,
                " (AIC ranks {} first, Akaike weight {:.2}).",
                top.name, top.weight
            );
        }
    } else {
        let _ = write!(
            s,
            ": contagion fits better than a constant adoption rate at the 5% level; AIC ranks {} first (Akaike weight {:.2}).",
            top.name, top.weight
        );
    }
    if let Some(pe) = r.models.iter().find(|m| m.name == "period_effects") {
        let beyond = r
            .models
            .iter()
            .filter(|m| m.period_effects && m.lr_p_period.is_some())
            .max_by(|a, b| a.loglik.total_cmp(&b.loglik));
        if let Some(b) = beyond {
            let pp = b.lr_p_period.unwrap_or(1.0);
            let _ = write!(
                s,
                " Net of period effects (one rate per period), {} adds {:.2} units (p = {:.3}){}",
                b.name,
                b.loglik - pe.loglik,
                pp,
                if pp >= 0.05 {
                    ": no evidence of contagion beyond common shocks."
                } else {
                    ": evidence of contagion beyond common shocks."
                }
            );
        }
    }
    s
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
                "{} of {} physicians fitted, {} arcs, {} KOLs (κ = {}); excluded {} physicians with unknown adoption ({} coded missing, {} not listed) and their {} arcs",
                f.physicians,
                f.network_physicians,
                f.arcs,
                f.kols,
                f.kappa,
                f.excluded,
                f.unknown_in_file,
                f.not_in_file,
                f.arcs_removed
            );
        }
    } else {
        let _ = writeln!(o, "{} physicians (the scenario's network)", f.physicians);
    }
    let _ = writeln!(
        o,
        "T = {} periods: {} seeds in period 1, {} adoptions in periods 2..{}, {} censored, {} person-periods at risk",
        f.periods, f.seeds, f.adoptions, f.periods, f.censored, f.person_periods
    );
    let _ = writeln!(o, "{TIME_CONVENTION}");
    o
}

/// The whole terminal text.
pub fn terminal_text(
    sc: &Scenario,
    r: &FitReport,
    observed: &std::path::Path,
    dir: &std::path::Path,
) -> String {
    let mut o = facts_text(sc, r, observed);
    o.push('\n');
    o.push_str(&table(r));
    o.push('\n');
    let _ = writeln!(
        o,
        "Ranked by AIC (weight: Akaike weight; BIC with n = {} adoptions). LR p: likelihood-ratio test against innovation only (PE: against period effects alone); χ² reference, conservative when the contagion parameter is at 0.",
        r.facts.adoptions
    );
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
    if let Some(text) = holdout_text(r) {
        let _ = writeln!(o, "{text}");
    }
    let _ = writeln!(o, "{}", verdict(r));
    let _ = writeln!(
        o,
        "Results in {} (fit.csv, models.csv, fitted.toml, fit.svg, report.html{}).",
        dir.display(),
        if r.permutation.is_some() {
            ", permutation.csv"
        } else {
            ""
        }
    );
    o
}
