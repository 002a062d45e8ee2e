//! The `fit` report ([`fit_report_html`]): page 1 is the verdict (the sentences of
//! `verdict.txt`) and a headline table generated from the results (each fitted theory's
//! simulated adopters by the last period against the observed launch, beside its AIC rank);
//! then the figure, the AIC ranking, the estimates (odds ratios for controls) and the data, all
//! as HTML tables. Pure: returns the page's text.

use super::page::{escape, page_head, table};
use crate::fit::lrtest::short;
use crate::fit::output::{self, RANKING_HEAD};
use crate::fit::report::FitCurves;
use crate::fit::{Estimate, FitReport, Method, ModelFit, TIME_CONVENTION, odds, verdict, wording};
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// What the fit page shows besides the fit itself.
#[derive(Debug, Clone, Copy)]
pub struct FitPage<'a> {
    /// The scenario fitted.
    pub scenario: &'a Scenario,
    /// The fit.
    pub report: &'a FitReport,
    /// The observed launch's file.
    pub observed: &'a std::path::Path,
    /// The fitted theories simulated on the fitted physicians (`None`: not drawn).
    pub curves: Option<&'a FitCurves>,
    /// The figure of `curves` (inline SVG).
    pub svg: Option<&'a str>,
    /// Further plain-text sections `(title, text)`, e.g. the permutation test.
    pub extra: &'a [(String, String)],
}

/// The fit folder's `report.html` (self-contained: inline style, the figure inline).
pub fn fit_report_html(p: &FitPage) -> String {
    let (sc, r) = (p.scenario, p.report);
    let mut o = String::with_capacity(32 << 10);
    let title = format!("{}: which theory fits?", sc.name);
    page_head(&mut o, &title);
    let _ = writeln!(
        o,
        "<header><h1>{}</h1><p class=\"meta\">kolsim fit: exact discrete-time hazard likelihood (and simulation-based fits where marked), fitted to {}</p></header>",
        escape(&title),
        escape(&p.observed.display().to_string())
    );
    let _ = writeln!(
        o,
        "<section id=\"summary\">\n<h2>Verdict</h2>\n<p class=\"lead\">{}</p>",
        escape(&verdict::verdict(r))
    );
    if let Some(c) = p.curves {
        headline(&mut o, r, c);
    }
    o.push_str("</section>\n");
    if let Some(svg) = p.svg {
        let _ = writeln!(
            o,
            "<section id=\"figure\">\n<h2>Fitted theories against the launch</h2>\n<figure>\n{svg}\n<figcaption>Each fitted theory (<code>fitted.toml</code>) simulated with its maximum-likelihood parameters on exactly the physicians the likelihood used, seeded with the observed period-1 adopters: mean share of those physicians who have adopted (line) and 5–95% of replicates (shaded); the observed launch of the same physicians as black points. A theory that cannot reproduce the launch has no band. The plotted numbers are in <code>curves.csv</code>; theories without a simulation model (kol_contagion, period effects) are not drawn.</figcaption>\n</figure>\n</section>"
        );
    }
    if let Some(c) = p.curves.filter(|c| !c.left_out.is_empty()) {
        let list: Vec<String> = c
            .left_out
            .iter()
            .map(|(m, why)| format!("{m} ({why})"))
            .collect();
        let _ = writeln!(
            o,
            "<p class=\"note\">Not drawn: {}.</p>",
            escape(&list.join("; "))
        );
    }
    ranking(&mut o, r);
    estimates(&mut o, r);
    for (head, text) in p.extra {
        let _ = writeln!(
            o,
            "<section>\n<h2>{}</h2>\n<p>{}</p>\n</section>",
            escape(head),
            escape(text)
        );
    }
    data(&mut o, sc, r, p.observed);
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// `x` of `n` as a percentage with one decimal.
fn pct(x: f64, n: usize) -> String {
    format!("{:.1}%", 100.0 * x / n.max(1) as f64)
}

/// The headline table: per simulated theory, best AIC first, its fit and its simulated
/// adopters by the last period against the observed ones.
fn headline(o: &mut String, r: &FitReport, c: &FitCurves) {
    let n = c.population;
    let t = c.observed.len();
    let obs = c.observed.last().copied().unwrap_or(0.0);
    let fit_of = |name: &str| r.models.iter().find(|m| m.name == name);
    let mut rows: Vec<(f64, Vec<String>)> = c
        .curves
        .iter()
        .map(|f| {
            let m = fit_of(&f.model);
            let rank = match m {
                Some(m) if m.method == Method::Exact => {
                    format!(
                        "{} ({})",
                        short(m.delta_aic),
                        wording::weight_text(m.weight)
                    )
                }
                _ => "simulation-based fit (ranked apart)".into(),
            };
            let k = t.saturating_sub(1);
            let sim = if f.reproduces {
                format!(
                    "{} [{}–{}]",
                    pct(f.mean[k], n),
                    pct(f.p05[k], n),
                    pct(f.p95[k], n)
                )
            } else {
                format!("{}, {}", pct(f.mean[k], n), crate::plot::CANNOT_REPRODUCE)
            };
            let key = m.map_or(f64::INFINITY, |m| match m.method {
                Method::Exact => m.delta_aic,
                Method::Simulated => f64::MAX,
            });
            (key, vec![f.model.clone(), rank, sim])
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let _ = writeln!(
        o,
        "<h3>Summary: each fitted theory against the observed launch</h3>\n<p>Observed: {} of the {n} physicians fitted had adopted by period {t} ({}). Each theory below is simulated {} times on the same physicians from the same seeds.</p>",
        obs,
        pct(obs, n),
        c.replicates
    );
    let sim_head = format!("adopters by period {t}, simulated mean [5–95%]");
    table(
        o,
        "headline",
        &["theory", "ΔAIC (Akaike weight)", &sim_head],
        &rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        1,
    );
}

/// The AIC ranking: the exact fits, then the simulation-based ones (without the estimates
/// column: the estimates have their own table).
fn ranking(o: &mut String, r: &FitReport) {
    let (exact, sims) = output::ranking_rows(r);
    let head = &RANKING_HEAD[..6];
    let cut = |rows: Vec<[String; 7]>| -> Vec<Vec<String>> {
        rows.into_iter().map(|row| row[..6].to_vec()).collect()
    };
    o.push_str("<section id=\"ranking\">\n<h2>Ranking by AIC</h2>\n");
    table(o, "ranking", head, &cut(exact), 1);
    let _ = writeln!(
        o,
        "<p class=\"note\">{}</p>",
        escape(&output::ranking_note(r))
    );
    if !sims.is_empty() {
        o.push_str("<h3>Simulation-based fits</h3>\n");
        table(o, "ranking", head, &cut(sims), 1);
        o.push_str("<p class=\"note\">Ranked only among themselves and against innovation only (see “Simulation-based fits” below).</p>\n");
    }
    for (name, why) in &r.not_fitted {
        let _ = writeln!(
            o,
            "<p class=\"note\">Not fitted: {}: {}.</p>",
            escape(name),
            escape(why)
        );
    }
    o.push_str("</section>\n");
}

/// An odds ratio with its Wald interval: `1.19 [1.058, 1.338]`.
fn odds_with_ci(e: &Estimate) -> String {
    wording::with_ci(&Estimate {
        name: "odds ratio".into(),
        value: e.value.exp(),
        se: None,
        ci: (e.ci.0.exp(), e.ci.1.exp()),
    })
}

/// The rows of one model in the estimates table.
fn estimate_rows(m: &ModelFit) -> Vec<Vec<String>> {
    let method = m.method.as_str().to_string();
    if !m.loglik.is_finite() {
        let why = m.note.clone().unwrap_or_else(|| "not fitted".into());
        return vec![vec![m.name.clone(), "–".into(), why, "–".into(), method]];
    }
    let se = |e: &Estimate| e.se.map_or_else(|| "–".into(), short);
    let mut rows: Vec<Vec<String>> = m
        .params
        .iter()
        .map(|e| (e, false))
        .chain(m.kappa.iter().map(|k| (k, true)))
        .map(|(e, kappa)| {
            let (name, value) = if kappa {
                ("κ̂", wording::kappa_text(m, e))
            } else {
                (e.name.as_str(), wording::with_ci(e))
            };
            vec![
                m.name.clone(),
                name.to_string(),
                value,
                se(e),
                method.clone(),
            ]
        })
        .collect();
    for e in m.coefficients.iter().filter(|e| !odds::is_alpha(e)) {
        rows.push(vec![
            m.name.clone(),
            format!("odds ratio, {}", e.name),
            odds_with_ci(e),
            "Wald".into(),
            method.clone(),
        ]);
    }
    if m.period_effects {
        rows.push(vec![
            m.name.clone(),
            "p per period".into(),
            format!("{} rates, in fit.csv", m.period_rates.len()),
            "–".into(),
            method,
        ]);
    }
    rows
}

/// The estimates: one row per model and parameter (odds ratios of the controls included).
fn estimates(o: &mut String, r: &FitReport) {
    let mut models: Vec<&ModelFit> = r.models.iter().collect();
    models.sort_by(|a, b| {
        (a.method != Method::Exact)
            .cmp(&(b.method != Method::Exact))
            .then(a.aic.total_cmp(&b.aic))
            .then(a.name.cmp(&b.name))
    });
    let rows: Vec<Vec<String>> = models.into_iter().flat_map(estimate_rows).collect();
    o.push_str("<section id=\"estimates\">\n<h2>Estimates</h2>\n");
    table(
        o,
        "estimates",
        &[
            "model",
            "parameter",
            "estimate [95% CI]",
            "standard error",
            "method",
        ],
        &rows,
        2,
    );
    o.push_str("<p class=\"note\">Intervals: 95% profile likelihood (exact fits), approximate profiles (simulation-based fits), Wald (odds ratios of the controls: a group against the first group, a covariate per unit). Every value, with each period's rate under period effects, is in <code>fit.csv</code>.</p>\n</section>\n");
}

/// The data fitted, as a table of facts.
fn data(o: &mut String, sc: &Scenario, r: &FitReport, observed: &std::path::Path) {
    let f = &r.facts;
    let mut rows: Vec<[String; 2]> = vec![
        ["scenario".into(), sc.name.clone()],
        ["observed launch".into(), observed.display().to_string()],
        [
            "layout".into(),
            if f.aggregate {
                "aggregate cumulative adopters by step".into()
            } else {
                "per-physician adoption periods".into()
            },
        ],
        [
            "physicians fitted".into(),
            format!("{} of {}", f.physicians, f.network_physicians),
        ],
    ];
    if !f.aggregate {
        let unknown = f.unknown_in_file + f.not_in_file;
        let what = if f.unknown_as_never {
            format!("{unknown} with unknown adoption, treated as never adopting")
        } else {
            format!(
                "{} with unknown adoption ({} coded missing, {} not listed), {} with a missing group or covariate, and their {} arcs",
                f.excluded - f.missing_controls,
                f.unknown_in_file,
                f.not_in_file,
                f.missing_controls,
                f.arcs_removed
            )
        };
        rows.push(["excluded".into(), what]);
        rows.push(["arcs among them".into(), f.arcs.to_string()]);
        rows.push([
            "KOLs among them".into(),
            format!("{} (κ = {})", f.kols, f.kappa),
        ]);
    }
    if let Some(c) = &f.controls {
        rows.push(["controls of the spontaneous rate".into(), c.clone()]);
    }
    rows.extend([
        ["last observed period T".into(), f.periods.to_string()],
        [
            "seeds (period-1 adopters)".into(),
            f.initial_adopters.to_string(),
        ],
        [
            format!("adoptions in periods 2..{}", f.periods),
            f.adoptions.to_string(),
        ],
        [
            format!("not adopted by {}", f.periods),
            f.censored.to_string(),
        ],
        [
            "person-periods at risk".into(),
            f.person_periods.to_string(),
        ],
    ]);
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    o.push_str("<section id=\"data\">\n<h2>Data</h2>\n");
    table(o, "facts", &["", "value"], &rows, 2);
    let _ = writeln!(
        o,
        "<p class=\"note\">{}</p>\n</section>",
        escape(TIME_CONVENTION)
    );
}
