//! The report page of a merged sweep: [`sweep_report_html`].

use super::page::{escape, page_head};
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
