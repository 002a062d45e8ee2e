//! The report page of a merged sweep: [`sweep_report_html`].

use super::page::{escape, page_head, table};
use std::fmt::Write as _;

/// The report page of a merged sweep: the grid, one plot per metric inline, the `sweep.csv`
/// table of final shares and t50, and the scenario text. Self-contained like
/// [`report_html`](super::report_html), and deterministic (a merged sweep is byte-identical to a single run).
pub fn sweep_report_html(
    grid: &crate::sweep::Grid,
    plots: &[(String, Vec<u8>)],
    rows: &[crate::sweep::SweepRow],
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
    summary(&mut o, grid, rows);
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
    let _ = writeln!(
        o,
        "</dl>\n</section>\n<section id=\"plots\">\n<h2>Metrics against {}</h2>",
        escape(&crate::plot::key_label(&grid.axes[0].key))
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
    let (header, cells) = point_rows(grid, rows);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table(&mut o, "points", &header, &cells, grid.axes.len() + 2);
    let _ = writeln!(
        o,
        "<p class=\"note\">Final share: mean share of physicians who adopted by the last step, with the 5th–95th percentiles over replicates. t50: mean {unit} to 50% adoption over the replicates that reached it (“not reached” where none did), with the share of replicates that did.{} All columns, including sd and the 5–95% ranges of t10, t90 and the peak step, are in sweep.csv.</p>\n</section>",
        if crate::sweep::row::several_arms(rows) {
            " KOL lift: the arm's final share minus the reference arm's, paired over the same replicates (same network and random numbers), mean [95% t-interval]; columns kol_lift_mean, kol_lift_lo and kol_lift_hi of sweep.csv."
        } else {
            ""
        },
        unit = grid.time_unit().plural()
    );
    let _ = writeln!(
        o,
        "<section id=\"scenario-text\">\n<h2>Scenario</h2>\n<details><summary>scenario file</summary><pre>{}</pre></details>\n</section>\n</main>\n</body>\n</html>",
        escape(&grid.scenario_text)
    );
    o
}

/// The per-point table of the report: one row per point × model × arm with the swept values
/// (headed by their human labels), the final share and t50 (mean [5–95%]), how often 50% was
/// reached, and, with several arms, the KOL lift.
fn point_rows(
    grid: &crate::sweep::Grid,
    rows: &[crate::sweep::SweepRow],
) -> (Vec<String>, Vec<Vec<String>>) {
    let lift = crate::sweep::row::several_arms(rows);
    let mut header: Vec<String> = grid
        .axes
        .iter()
        .map(|a| crate::plot::key_label(&a.key))
        .collect();
    header.extend(["model".to_string(), "arm".to_string()]);
    header.push("final share [5–95%]".into());
    header.push(format!("t50, {} [5–95%]", grid.time_unit().plural()));
    header.push("reached 50%".into());
    if lift {
        header.push("KOL lift [95% CI]".into());
    }
    let pct = |x: f64| format!("{:.1}", x * 100.0);
    let cells = rows
        .iter()
        .map(|r| {
            let mut row: Vec<String> = r.values.iter().map(|v| v.to_string()).collect();
            row.push(r.model.clone());
            row.push(r.arm.clone());
            row.push(r.final_share.map_or("-".into(), |s| {
                format!("{}% [{}–{}]", pct(s.mean), pct(s.p05), pct(s.p95))
            }));
            row.push(r.t50.stats.map_or("not reached".into(), |s| {
                format!("{:.1} [{:.0}–{:.0}]", s.mean, s.p05, s.p95)
            }));
            row.push(format!("{}%", pct(r.t50.reached)));
            if lift {
                row.push(match (r.lift.mean, r.lift.lo, r.lift.hi) {
                    (Some(m), Some(lo), Some(hi)) => format!(
                        "{:+.1} pp [{:+.1}, {:+.1}]",
                        m * 100.0,
                        lo * 100.0,
                        hi * 100.0
                    ),
                    (Some(m), _, _) => format!("{:+.1} pp", m * 100.0),
                    _ => "reference".into(),
                });
            }
            row
        })
        .collect();
    (header, cells)
}

/// The point of `r` in words: `KOL share 0.01, imitation q 0.4`.
fn point_words(grid: &crate::sweep::Grid, r: &crate::sweep::SweepRow) -> String {
    grid.axes
        .iter()
        .zip(&r.values)
        .map(|(a, v)| format!("{} {v}", crate::plot::key_label(&a.key)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The executive summary of a sweep: what was swept, the range of the mean final share (and
/// of the KOL lift, with how many of its intervals exclude zero), and a headline table of the
/// lowest and highest mean final share per model and arm, generated from the rows.
fn summary(o: &mut String, grid: &crate::sweep::Grid, rows: &[crate::sweep::SweepRow]) {
    let share = |r: &crate::sweep::SweepRow| r.final_share.map(|s| s.mean);
    let mut sentences = vec![format!(
        "The sweep simulated {} points × {} replicates over {}; shares are means over replicates.",
        grid.len(),
        grid.replicates,
        grid.axes
            .iter()
            .map(|a| crate::plot::key_label(&a.key))
            .collect::<Vec<_>>()
            .join(" and ")
    )];
    let with_share: Vec<(&crate::sweep::SweepRow, f64)> = rows
        .iter()
        .filter_map(|r| share(r).map(|s| (r, s)))
        .collect();
    let lo = with_share.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let hi = with_share.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        sentences.push(format!(
            "The final share ranges from {:.1}% ({}, {}, {}) to {:.1}% ({}, {}, {}).",
            lo.1 * 100.0,
            lo.0.model,
            lo.0.arm,
            point_words(grid, lo.0),
            hi.1 * 100.0,
            hi.0.model,
            hi.0.arm,
            point_words(grid, hi.0)
        ));
    }
    let lifts: Vec<&crate::sweep::SweepRow> =
        rows.iter().filter(|r| r.lift.mean.is_some()).collect();
    if !lifts.is_empty() {
        let sure = lifts
            .iter()
            .filter(|r| matches!((r.lift.lo, r.lift.hi), (Some(l), Some(h)) if l > 0.0 || h < 0.0))
            .count();
        let pp: Vec<f64> = lifts
            .iter()
            .filter_map(|r| r.lift.mean)
            .map(|m| m * 100.0)
            .collect();
        let (min, max) = pp
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        sentences.push(format!(
            "The KOL lift ranges from {min:+.1} to {max:+.1} percentage points; its 95% interval excludes zero in {sure} of {} rows.",
            lifts.len()
        ));
    }
    let _ = writeln!(
        o,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"lead\">{}</p>",
        escape(&sentences.join(" "))
    );
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !keys.contains(&(r.model.as_str(), r.arm.as_str())) {
            keys.push((r.model.as_str(), r.arm.as_str()));
        }
    }
    let cells: Vec<Vec<String>> = keys
        .iter()
        .map(|&(m, a)| {
            let of: Vec<&(&crate::sweep::SweepRow, f64)> = with_share
                .iter()
                .filter(|(r, _)| r.model == m && r.arm == a)
                .collect();
            let at = |x: Option<&&(&crate::sweep::SweepRow, f64)>| {
                x.map_or("-".into(), |(r, s)| {
                    format!("{:.1}% ({})", s * 100.0, point_words(grid, r))
                })
            };
            vec![
                m.to_string(),
                a.to_string(),
                at(of.iter().min_by(|x, y| x.1.total_cmp(&y.1))),
                at(of.iter().max_by(|x, y| x.1.total_cmp(&y.1))),
            ]
        })
        .collect();
    table(
        o,
        "headline",
        &[
            "model",
            "arm",
            "lowest mean final share (at)",
            "highest mean final share (at)",
        ],
        &cells,
        2,
    );
    o.push_str("</section>\n");
}
