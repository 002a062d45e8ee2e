//! The consultants' deliverables: `adoption.svg`, `new_adopters.svg` and `report.html`, one
//! self-contained HTML page (inline CSS and SVG, no scripts, no external resources) with the
//! scenario, the figures, the comparison tables, the manifest and the scenario text.
//!
//! Like [`crate::output`], everything here is pure: functions return text or bytes and the
//! caller writes them (with [`crate::output::write_folder`]).

use crate::output::{self, Comparison};
use crate::plot;
use crate::run::RunResult;
use crate::scenario::{Scenario, SeedingSpec};
use crate::stats::{Metrics, StepSummary};
use crate::table::{diff_cell, share_cell, steps_cell};
use std::fmt::Write as _;

/// The files this module adds to a run folder, in the order [`files`] returns them.
pub const FILES: [&str; 3] = ["adoption.svg", "new_adopters.svg", "report.html"];

/// One figure of the report.
#[derive(Debug, Clone, Copy)]
pub struct Figure<'a> {
    /// File name of the figure in the run folder (shown in the caption).
    pub file: &'a str,
    /// Caption text (plain text; escaped when rendered).
    pub caption: &'a str,
    /// The SVG document, embedded as is (it must be a trusted, well-formed SVG such as the
    /// output of [`crate::plot`]).
    pub svg: &'a str,
}

/// Everything the report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The scenario as run (after command-line overrides).
    pub scenario: &'a Scenario,
    /// The run's results.
    pub result: &'a RunResult,
    /// Per-replicate metrics, `[arm][model][replicate]` ([`output::all_metrics`]).
    pub metrics: &'a [Vec<Vec<Metrics>>],
    /// Paired comparisons ([`output::comparisons`]).
    pub comparisons: &'a [Comparison],
    /// Figures, in display order.
    pub figures: &'a [Figure<'a>],
    /// `manifest.json`, shown verbatim.
    pub manifest_json: &'a str,
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Plain-language description of a seeding arm.
fn seeding_text(s: &SeedingSpec) -> String {
    match s {
        SeedingSpec::None => "no initial adopters".into(),
        SeedingSpec::Random(n) => format!("{n} physicians at random"),
        SeedingSpec::Kols(n) => format!("the top {n} KOLs"),
        SeedingSpec::TopBy(rule, n) => format!("the top {n} physicians by {}", rule.name()),
        SeedingSpec::Explicit(list) => format!("{} listed physicians", list.ids.len()),
        SeedingSpec::Attribute(attr, n, _) => {
            format!("the {n} physicians with the highest \u{201c}{attr}\u{201d}")
        }
    }
}

const CSS: &str = r#"
:root { --ink: #1d2329; --muted: #5b6670; --line: #d9dee3; --band: #f4f6f8; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 64px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 6px 0 10px; }
.lead { font-size: 17px; margin: 6px 0; }
.meta, .note, figcaption { color: var(--muted); font-size: 13.5px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
figure { margin: 18px 0 28px; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 8px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
table { font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; }
td { white-space: nowrap; }
th { background: var(--band); font-weight: 600; border-bottom: 2px solid #b9c1c8; vertical-align: bottom; }
th .qual { font-weight: 400; color: var(--muted); white-space: nowrap; }
table.results { width: 100%; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.baseline td:first-child { font-weight: 600; }
tr.baseline td { color: #39424a; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
pre { overflow-x: auto; background: var(--band); padding: 12px; border-radius: 4px;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media print { main { max-width: none; padding: 0; } details { break-inside: avoid; } }
"#;

/// A `<table>` (of CSS class `class`) with a header row; cells are plain text (escaped
/// here). A header's bracketed qualifier (` [95% CI]`, ` (share / t10 / t50)`) goes on its
/// own line. Rows with the baseline marker get the `baseline` class.
fn table(out: &mut String, class: &str, header: &[&str], rows: &[Vec<String>], text_cols: usize) {
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table class=\"{}\">\n<thead><tr>",
        escape(class)
    );
    for (k, h) in header.iter().enumerate() {
        let class = if k < text_cols { " class=\"text\"" } else { "" };
        let cell = match h.rfind(" [").or_else(|| h.rfind(" (")) {
            Some(i) => format!(
                "{}<br><span class=\"qual\">{}</span>",
                escape(&h[..i]),
                escape(&h[i + 1..])
            ),
            None => escape(h),
        };
        let _ = write!(out, "<th{class}>{cell}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let base = r.iter().any(|c| c == "(baseline)");
        out.push_str(if base {
            "<tr class=\"baseline\">"
        } else {
            "<tr>"
        });
        for (k, c) in r.iter().enumerate() {
            let class = if k < text_cols { " class=\"text\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// Opens a page: doctype, head with the inline style sheet, `<body><main>`.
fn page_head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"kolsim {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    );
}

/// Renders the report: one self-contained HTML document (UTF-8, inline CSS and SVG, no
/// scripts, nothing loaded from elsewhere). Sections: the scenario (description, network,
/// KOLs, arms, models, steps, replicates, seed); the figures; per arm, each model's final
/// share [5–95%], users at the end, KOLs adopted, t10/t50/t90 and the paired difference to the
/// baseline model; with several arms, the KOL lift (each arm minus the reference arm, per
/// model, with 95% intervals); the manifest and the scenario file. All text is escaped.
pub fn report_html(r: &Report) -> String {
    let (sc, res) = (r.scenario, r.result);
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("{} — kolsim report", sc.name);
    page_head(&mut o, &title);

    // Header.
    let _ = writeln!(o, "<header>\n<h1>{}</h1>", escape(&sc.name));
    if let Some(d) = sc.description.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(o, "<p class=\"lead\">{}</p>", escape(d));
    }
    let replicates = res
        .curves
        .first()
        .and_then(|m| m.first())
        .map_or(0, Vec::len);
    let _ = writeln!(
        o,
        "<p class=\"meta\">kolsim {} (commit {}) · scenario file <code>{}</code> · seed {} · {} replicates per model and arm</p>\n</header>",
        escape(env!("CARGO_PKG_VERSION")),
        escape(crate::manifest::GIT_COMMIT),
        escape(&sc.source.path.display().to_string()),
        sc.seed,
        replicates
    );

    // Scenario summary.
    o.push_str("<section id=\"scenario\">\n<h2>Scenario</h2>\n<dl class=\"facts\">\n");
    let net = &res.network;
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    };
    fact("Physicians", res.n.to_string());
    let mut network = format!(
        "{}; {} arcs (ties along which influence flows), {} weakly connected component{}",
        net.kind,
        net.arcs,
        net.components,
        if net.components == 1 { "" } else { "s" }
    );
    if net.self_loops_dropped > 0 || net.duplicates_merged > 0 {
        let _ = write!(
            network,
            "; {} self-loops dropped, {} duplicate arcs merged",
            net.self_loops_dropped, net.duplicates_merged
        );
    }
    if net.redrawn_per_replicate {
        network.push_str("; a new network is drawn for each replicate (facts shown for the first)");
    }
    fact("Network", network);
    let mut kols = format!(
        "{} KOLs ranked by {}; a KOL's word counts ×{} (κ)",
        res.kols, net.kol_rule, sc.kols.weight
    );
    if let Some(p) = net.betweenness_pivots {
        let _ = write!(kols, "; betweenness estimated from {p} sources");
    }
    fact("Key opinion leaders", kols);
    let arms: Vec<String> = sc
        .arms
        .iter()
        .map(|a| format!("{}: {}", a.name, seeding_text(&a.seeding)))
        .collect();
    fact(
        if sc.arms.len() > 1 {
            "Seeding arms"
        } else {
            "Initial adopters"
        },
        if sc.arms.len() > 1 {
            arms.join("; ")
        } else {
            sc.arms
                .first()
                .map_or_else(|| "none".to_string(), |a| seeding_text(&a.seeding))
        },
    );
    fact(
        "Models",
        sc.models
            .iter()
            .map(|m| format!("{} ({})", m.name, m.model.kind()))
            .collect::<Vec<_>>()
            .join(", "),
    );
    fact("Baseline model", sc.baseline.clone());
    if sc.arms.len() > 1 {
        fact("Reference arm", sc.reference_arm.clone());
    }
    fact("Steps", format!("{} (months after month 0)", sc.steps));
    fact("Replicates", format!("{replicates} per model and arm"));
    fact("Seed", sc.seed.to_string());
    fact(
        "Computation",
        format!(
            "{:.2} s simulating on {} thread{}",
            res.timings.simulate_s,
            res.threads,
            if res.threads == 1 { "" } else { "s" }
        ),
    );
    o.push_str("</dl>\n</section>\n");

    // Figures.
    if !r.figures.is_empty() {
        o.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
        for f in r.figures {
            let _ = write!(
                o,
                "<figure>\n{}\n<figcaption>{} <span class=\"file\">({})</span></figcaption>\n</figure>\n",
                f.svg.trim(),
                escape(f.caption),
                escape(f.file)
            );
        }
        o.push_str("</section>\n");
    }

    // Comparison tables.
    o.push_str("<section id=\"results\">\n<h2>Results</h2>\n");
    let users = output::final_users(res);
    let recorded = res.kol_tie_share.iter().flatten().any(|v| !v.is_empty());
    let mut header = vec![
        "model",
        "final share [5–95%]",
        "users at end",
        "KOLs adopted",
        "t10",
        "t50",
        "t90",
        "Δ final share vs baseline [95% CI]",
        "Δ t50 vs baseline [95% CI]",
    ];
    if recorded {
        header.push("adoptions via KOL ties");
    }
    for (a, arm) in res.arms.iter().enumerate() {
        if res.arms.len() > 1 {
            let _ = writeln!(o, "<h3>Arm “{}”</h3>", escape(arm));
        }
        let mut rows = Vec::new();
        for (m, name) in res.models.iter().enumerate() {
            let ms = &r.metrics[a][m];
            let c = r
                .comparisons
                .iter()
                .find(|c| c.kind == "model_vs_baseline" && &c.arm == arm && &c.model == name);
            let (d_share, d_t50) = match c {
                Some(c) if c.model == c.reference => ("(baseline)".into(), "(baseline)".into()),
                Some(c) => (
                    diff_cell(&c.final_share, 100.0, " pp"),
                    diff_cell(&c.t50, 1.0, ""),
                ),
                None => ("-".into(), "-".into()),
            };
            let kols_adopted = if ms.is_empty() {
                "-".into()
            } else {
                let mean =
                    ms.iter().map(|x| f64::from(x.kols_adopted)).sum::<f64>() / ms.len() as f64;
                format!("{mean:.1} of {}", res.kols)
            };
            let mut row = vec![
                name.clone(),
                share_cell(ms),
                users
                    .get(a)
                    .and_then(|u| u.get(m))
                    .map_or("-".into(), |u| format!("{:.1}%", u * 100.0)),
                kols_adopted,
                steps_cell(ms.iter().map(|x| x.t10), sc.steps),
                steps_cell(ms.iter().map(|x| x.t50), sc.steps),
                steps_cell(ms.iter().map(|x| x.t90), sc.steps),
                d_share,
                d_t50,
            ];
            if recorded {
                let v: Vec<f64> = res
                    .kol_tie_share
                    .get(a)
                    .and_then(|x| x.get(m))
                    .map(|x| x.iter().flatten().copied().collect())
                    .unwrap_or_default();
                row.push(if v.is_empty() {
                    "-".into()
                } else {
                    format!("{:.1}%", v.iter().sum::<f64>() / v.len() as f64 * 100.0)
                });
            }
            rows.push(row);
        }
        table(&mut o, "results", &header, &rows, 1);
    }
    let _ = writeln!(
        o,
        "<p class=\"note\">Final share: mean share of physicians who adopted by month {steps}, with the 5th–95th percentiles over replicates. \
         Users at end: mean share still using it (lower when physicians discontinue). \
         t10/t50/t90: months to reach 10/50/90% adoption, median [5th–95th percentile] over replicates; “&gt;{steps}” means not reached. \
         Δ: paired difference to the baseline model “{}” on the same replicates (same network and random numbers), mean [95% t-interval]; \
         pp = percentage points; Δ t50 uses the replicates where both reached 50%.</p>",
        escape(&sc.baseline),
        steps = sc.steps
    );
    let lift: Vec<&Comparison> = r
        .comparisons
        .iter()
        .filter(|c| c.kind == "arm_vs_reference" && c.arm != c.reference)
        .collect();
    if !lift.is_empty() {
        let _ = writeln!(
            o,
            "<h3 id=\"kol-lift\">KOL lift: each arm minus the reference arm “{}”</h3>",
            escape(&lift[0].reference)
        );
        let rows: Vec<Vec<String>> = lift
            .iter()
            .map(|c| {
                vec![
                    c.model.clone(),
                    c.arm.clone(),
                    diff_cell(&c.final_share, 100.0, " pp"),
                    diff_cell(&c.t10, 1.0, ""),
                    diff_cell(&c.t50, 1.0, ""),
                    format!(
                        "{} / {} / {}",
                        c.final_share.pairs, c.t10.pairs, c.t50.pairs
                    ),
                ]
            })
            .collect();
        table(
            &mut o,
            "lift",
            &[
                "model",
                "arm",
                "Δ final share [95% CI]",
                "Δ t10, months [95% CI]",
                "Δ t50, months [95% CI]",
                "pairs (share / t10 / t50)",
            ],
            &rows,
            2,
        );
        o.push_str(
            "<p class=\"note\">Paired over replicates: the arms share each replicate's network and random numbers, so the difference isolates the seeding strategy. \
             A negative Δ t10/t50 means the arm reaches the level sooner; Δ t uses only the replicates where both arms reached the level.</p>\n",
        );
    }
    o.push_str("</section>\n");

    // Reproducibility.
    o.push_str("<section id=\"reproduce\">\n<h2>Reproducibility</h2>\n");
    o.push_str(
        "<p>The run folder holds every number behind this page: <code>curves.csv</code>, <code>summary.csv</code>, <code>metrics.csv</code> and <code>comparison.csv</code>.</p>\n",
    );
    let _ = writeln!(
        o,
        "<details>\n<summary>Manifest (manifest.json)</summary>\n<pre>{}</pre>\n</details>",
        escape(r.manifest_json.trim_end())
    );
    let _ = writeln!(
        o,
        "<details>\n<summary>Scenario file ({})</summary>\n<pre>{}</pre>\n</details>",
        escape(&sc.source.path.display().to_string()),
        escape(sc.source.text.trim_end())
    );
    o.push_str("</section>\n</main>\n</body>\n</html>\n");
    o
}

/// Builds the three deliverables of a run, named as in [`FILES`]: the adoption figure, the
/// new-adopters figure and the report that embeds both. `sums`, `metrics` and `cmp` are the
/// run's [`output::summaries`], [`output::all_metrics`] and [`output::comparisons`];
/// `manifest_json` is the bytes of `manifest.json`.
pub fn files(
    sc: &Scenario,
    res: &RunResult,
    sums: &[Vec<Vec<StepSummary>>],
    metrics: &[Vec<Vec<Metrics>>],
    cmp: &[Comparison],
    manifest_json: &[u8],
) -> Vec<(&'static str, Vec<u8>)> {
    let adoption = plot::adoption_svg(&sc.name, &res.arms, &res.models, sums);
    let new_adopters = plot::new_adopters_svg(
        &sc.name,
        &res.arms,
        &res.models,
        &plot::mean_new_adopters(res),
    );
    let manifest = String::from_utf8_lossy(manifest_json);
    let figures = [
        Figure {
            file: FILES[0],
            caption: "Cumulative adoption: the mean share of physicians who have adopted (line) and the range of 90% of replicates (shaded, 5th to 95th percentile). Physicians who later discontinue still count as adopters here.",
            svg: &adoption,
        },
        Figure {
            file: FILES[1],
            caption: "New adopters per month: the mean number of physicians adopting in each month, over replicates.",
            svg: &new_adopters,
        },
    ];
    let html = report_html(&Report {
        scenario: sc,
        result: res,
        metrics,
        comparisons: cmp,
        figures: &figures,
        manifest_json: &manifest,
    });
    vec![
        (FILES[0], adoption.clone().into_bytes()),
        (FILES[1], new_adopters.clone().into_bytes()),
        (FILES[2], html.into_bytes()),
    ]
}

/// The report page of a merged sweep: the grid, one plot per metric inline, the `sweep.csv`
/// table of final shares and t50, and the scenario text. Self-contained like
/// [`report_html`], and deterministic (a merged sweep is byte-identical to a single run).
pub fn sweep_report_html(
    grid: &crate::sweep::Grid,
    plots: &[(String, Vec<u8>)],
    sweep_csv: &str,
) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("{} sweep — kolsim report", grid.scenario);
    page_head(&mut o, &title);
    let _ = writeln!(
        o,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">kolsim {} · {} points × {} replicates · seed {} (every point uses the same random streams)</p>\n</header>",
        escape(&title),
        escape(env!("CARGO_PKG_VERSION")),
        grid.len(),
        grid.replicates,
        grid.seed
    );
    o.push_str("<section id=\"grid\">\n<h2>Grid</h2>\n<dl class=\"facts\">\n");
    for a in &grid.axes {
        let values: Vec<String> = a.values.iter().map(|v| v.to_string()).collect();
        let _ = writeln!(
            o,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            escape(&a.key),
            escape(&values.join(", "))
        );
    }
    o.push_str(
        "</dl>\n</section>\n<section id=\"plots\">\n<h2>Metrics against the first key</h2>\n",
    );
    for (name, svg) in plots {
        let _ = writeln!(
            o,
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
            String::from_utf8_lossy(svg),
            escape(name)
        );
    }
    o.push_str("</section>\n<section id=\"table\">\n<h2>Results per point</h2>\n<div class=\"table-wrap\"><table>\n");
    let mut lines = sweep_csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(k, h)| {
            *k <= grid.axes.len() + 3 || h.starts_with("final_share_") || h.starts_with("t50_")
        })
        .map(|(k, _)| k)
        .collect();
    o.push_str("<tr>");
    for &k in &keep {
        let _ = write!(o, "<th>{}</th>", escape(header[k]));
    }
    o.push_str("</tr>\n");
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        o.push_str("<tr>");
        for &k in &keep {
            let c = cells.get(k).copied().unwrap_or("");
            let shown = match c.parse::<f64>() {
                Ok(x) if c.contains('.') => format!("{x:.4}"),
                _ => c.to_string(),
            };
            let _ = write!(o, "<td>{}</td>", escape(&shown));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table></div>\n<p class=\"note\">All columns, including sd and 5–95% ranges of t10, t90 and the peak step, are in sweep.csv.</p>\n</section>\n");
    let _ = writeln!(
        o,
        "<section id=\"scenario-text\">\n<h2>Scenario</h2>\n<details><summary>scenario file</summary><pre>{}</pre></details>\n</section>\n</main>\n</body>\n</html>",
        escape(&grid.scenario_text)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markup_sensitive() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn step_cells() {
        assert_eq!(
            steps_cell([Some(3), Some(5), None].into_iter(), 36),
            "5 [3–>36]"
        );
        assert_eq!(steps_cell(std::iter::empty(), 36), "-");
    }
}
