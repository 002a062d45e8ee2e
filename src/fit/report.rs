//! `fit.svg` and the fit folder's `report.html`.
//!
//! `fit.svg`: each fitted theory simulated from the observed seeds with its fitted
//! parameters (the scenario of `fitted.toml`, run through the library's [`crate::run::run`]),
//! one panel per model with its mean cumulative adoption share and 5–95% band across
//! replicates, and the observed launch as points on every panel (drawn by the public plotting
//! API, [`crate::plot::adoption_svg`]). `report.html`: a self-contained page with the facts,
//! the ranking with intervals, the tests and the plain-language verdict, and the figure.

use super::FitReport;
use super::output;
use crate::error::Error;
use crate::plot::{MONTHS, RunPlotOptions, adoption_svg};
use crate::report::escape;
use crate::run::{RunOptions, run};
use crate::scenario::Scenario;
use crate::scenario::error::Source;
use std::fmt::Write as _;

/// Most replicates simulated per model for `fit.svg`.
pub const MAX_REPLICATES: u32 = 200;

/// Simulates the theories of `fitted` (the bytes of `fitted.toml`, read as if at `path`) and
/// draws them under the observed cumulative share `observed`. `None` when `fitted.toml` holds
/// no simulation model (e.g. none could be fitted).
pub fn fit_svg(
    fitted: &[u8],
    path: &std::path::Path,
    observed: &[(f64, f64)],
) -> Result<Option<String>, Error> {
    let text = String::from_utf8_lossy(fitted).into_owned();
    let sc = crate::scenario::parse(Source {
        path: path.to_path_buf(),
        text,
    })?;
    if sc.models.is_empty() {
        return Ok(None);
    }
    let replicates: Vec<u64> = (0..u64::from(sc.replicates.min(MAX_REPLICATES))).collect();
    let res = run(
        &sc,
        &replicates,
        RunOptions {
            threads: 0,
            record: false,
        },
        &|| {},
    )?;
    let sums = crate::output::summaries(&res);
    Ok(Some(adoption_svg(
        &sc.name,
        &res.arms,
        &res.models,
        &sums,
        &RunPlotOptions {
            unit: MONTHS,
            observed: (!observed.is_empty()).then_some(observed),
        },
    )))
}

const CSS: &str = "body{margin:0;color:#1d2329;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}main{max-width:1240px;margin:0 auto;padding:28px 32px 64px}header{border-bottom:3px solid #0072b2;margin-bottom:24px}h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 10px;border-bottom:1px solid #d9dee3}.lead{font-size:17px}.note{color:#5b6670;font-size:13.5px}pre{white-space:pre;overflow-x:auto;background:#f4f6f8;padding:12px;border-radius:4px;font:12.5px/1.45 ui-monospace,Menlo,Consolas,monospace}figure{margin:18px 0;padding:12px;border:1px solid #d9dee3;border-radius:6px}figure svg{display:block;max-width:100%;height:auto;margin:0 auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}th,td{padding:4px 8px;border-bottom:1px solid #d9dee3;text-align:right}th:first-child,td:first-child{text-align:left}";

/// The fit folder's `report.html` (self-contained: inline style, the figure inline).
/// `extra` are further plain-text sections (title, text), e.g. the permutation test.
pub fn report_html(
    sc: &Scenario,
    r: &FitReport,
    observed: &std::path::Path,
    svg: Option<&str>,
    extra: &[(String, String)],
) -> String {
    let mut o = String::new();
    let title = format!("{}: which theory fits?", sc.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<header><h1>{}</h1><p class=\"note\">kolsim fit: exact discrete-time hazard likelihood (and simulation-based fits where marked)</p></header>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        o,
        "<h2>Verdict</h2>\n<p class=\"lead\">{}</p>",
        escape(&super::verdict::verdict(r))
    );
    for (head, text) in extra {
        let _ = writeln!(o, "<h2>{}</h2>\n<p>{}</p>", escape(head), escape(text));
    }
    let _ = writeln!(
        o,
        "<h2>Ranking</h2>\n<pre>{}</pre>\n<p class=\"note\">{} Intervals: 95% profile likelihood.</p>",
        escape(&output::table(r)),
        escape(&output::ranking_note(r))
    );
    for (name, why) in &r.not_fitted {
        let _ = writeln!(
            o,
            "<p class=\"note\">Not fitted: {}: {}.</p>",
            escape(name),
            escape(why)
        );
    }
    if let Some(svg) = svg {
        let _ = writeln!(
            o,
            "<h2>Fitted theories against the launch</h2>\n<figure>\n{svg}\n<figcaption class=\"note\">Each fitted theory simulated from the observed period-1 adopters with its maximum-likelihood parameters (<code>fitted.toml</code>): mean share of the network's physicians who have adopted (line) and 5–95% of replicates (shaded); the observed launch as black points (adopters over all physicians, so unknown adoption counts as not adopted). kol_contagion has no simulation model and is not drawn.</figcaption>\n</figure>"
        );
    }
    let _ = writeln!(
        o,
        "<h2>Data</h2>\n<pre>{}</pre>",
        escape(&output::facts_text(sc, r, observed))
    );
    o.push_str("</main>\n</body>\n</html>\n");
    o
}
