//! The report page of a merged sweep: [`sweep_report_html`].

use super::page::{escape, page_head, table};
use std::fmt::Write as _;

/// The report page of a merged sweep: the grid, one plot per metric inline, the `sweep.csv`
/// table of final shares and t50, and the scenario text. Self-contained like
/// [`report_html`](super::report_html), and deterministic (a merged sweep is byte-identical to a single run).
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
            "<dt>{} <code>{}</code></dt><dd>{}</dd>",
            escape(&crate::plot::key_label(&a.key)),
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
    o.push_str("</section>\n<section id=\"table\">\n<h2>Results per point</h2>\n");
    let (header, rows) = point_rows(grid, sweep_csv);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table(&mut o, "points", &header, &rows, grid.axes.len() + 2);
    o.push_str("<p class=\"note\">Final share: mean share of physicians who adopted by the last step, with the 5th–95th percentiles over replicates. t50: mean months to 50% adoption over the replicates that reached it, with the share of replicates that did. All columns, including sd and the 5–95% ranges of t10, t90 and the peak step, are in sweep.csv.</p>\n</section>\n");
    let _ = writeln!(
        o,
        "<section id=\"scenario-text\">\n<h2>Scenario</h2>\n<details><summary>scenario file</summary><pre>{}</pre></details>\n</section>\n</main>\n</body>\n</html>",
        escape(&grid.scenario_text)
    );
    o
}

/// The per-point table of the report: one row per point × model × arm with the swept values
/// (headed by their human labels), the final share and t50 (mean [5–95%]) and how often
/// 50% was reached, from `sweep.csv`.
fn point_rows(grid: &crate::sweep::Grid, sweep_csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = sweep_csv.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name);
    let na = grid.axes.len();
    let mut header: Vec<String> = grid
        .axes
        .iter()
        .map(|a| crate::plot::key_label(&a.key))
        .collect();
    header.extend(
        [
            "model",
            "arm",
            "final share [5–95%]",
            "t50, months [5–95%]",
            "reached 50%",
        ]
        .map(String::from),
    );
    let num = |cells: &[&str], c: Option<usize>| -> Option<f64> {
        c.and_then(|c| cells.get(c))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let pct = |x: f64| format!("{:.1}", x * 100.0);
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let mut row: Vec<String> = (1..=na + 2)
                .map(|k| cells.get(k).copied().unwrap_or("").to_string())
                .collect();
            row.push(
                match (
                    num(&cells, col("final_share_mean")),
                    num(&cells, col("final_share_p05")),
                    num(&cells, col("final_share_p95")),
                ) {
                    (Some(m), Some(lo), Some(hi)) => {
                        format!("{}% [{}–{}]", pct(m), pct(lo), pct(hi))
                    }
                    _ => "-".into(),
                },
            );
            row.push(
                match (
                    num(&cells, col("t50_mean")),
                    num(&cells, col("t50_p05")),
                    num(&cells, col("t50_p95")),
                ) {
                    (Some(m), Some(lo), Some(hi)) => format!("{m:.1} [{lo:.0}–{hi:.0}]"),
                    _ => "not reached".into(),
                },
            );
            row.push(
                num(&cells, col("t50_reached")).map_or("-".into(), |r| format!("{}%", pct(r))),
            );
            row
        })
        .collect();
    (header, rows)
}
