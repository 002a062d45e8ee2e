//! The report's "Results per segment" section (with `segment = "<attribute>"`): the figure
//! faceted by segment, each segment's outcomes per arm and model, and the KOL lift within
//! each segment.

use super::page::{escape, table};
use super::{Figure, Report};
use crate::groups::Segments;
use crate::segments;
use crate::table::{diff_cell, share_cell, steps_cell};
use std::fmt::Write as _;

/// File name of the per-segment figure.
pub(super) const SVG: &str = segments::FILES[4];

/// Writes the section when the run has segments (nothing otherwise). `figure` is the
/// per-segment figure, if drawn.
pub(super) fn section(o: &mut String, r: &Report, figure: Option<&Figure>) {
    let (sc, res) = (r.scenario, r.result);
    let Some(seg) = &res.segments else {
        return;
    };
    let an = segments::analyse(res, seg, &sc.baseline, &sc.reference_arm);
    let (months, month) = (sc.time_unit.plural(), sc.time_unit.singular());
    let _ = writeln!(
        o,
        "<section id=\"segments\">\n<h2>Results {} (<code>{}</code>)</h2>",
        escape(&crate::plot::segment_title(&seg.attribute).to_lowercase()),
        escape(&seg.attribute)
    );
    let _ = writeln!(
        o,
        "<p>Every physician counts in the segment of their “{}” value ({} segment{}{}). Shares below are of the segment’s physicians; the numbers are in <code>segment_summary.csv</code>, <code>segment_metrics.csv</code> and <code>segment_comparison.csv</code>.</p>",
        escape(&seg.attribute),
        seg.labels.len(),
        if seg.labels.len() == 1 { "" } else { "s" },
        if seg.labels.last().map(String::as_str) == Some(crate::groups::MISSING) {
            "; “(missing)” holds the physicians whose cell is blank or NA"
        } else {
            ""
        }
    );
    if let Some(f) = figure {
        let _ = write!(
            o,
            "<figure>\n{}\n<figcaption>{} <span class=\"file\">({})</span></figcaption>\n</figure>\n",
            f.svg.trim(),
            escape(f.caption),
            escape(f.file)
        );
    }
    outcomes(o, r, seg, &an, sc.steps);
    lift(o, r, seg, &an);
    let _ = writeln!(
        o,
        "<p class=\"note\">Final share: mean share of the segment’s physicians who adopted by {month} {}, with the 5th–95th percentiles over replicates; t50: {months} until half the segment adopted. \
         KOL lift: paired over replicates within the segment, as in the whole-network table; a segment with few physicians has wide intervals.</p>\n</section>",
        sc.steps
    );
}

/// One row per segment, arm and model: size, KOLs, final share, t50.
fn outcomes(o: &mut String, r: &Report, seg: &Segments, an: &segments::Analysis, steps: u32) {
    let res = r.result;
    let mut rows = Vec::new();
    for (k, label) in seg.labels.iter().enumerate() {
        for (a, arm) in res.arms.iter().enumerate() {
            for (m, model) in res.models.iter().enumerate() {
                let ms = &an.metrics[k][a][m];
                let mut row = vec![label.clone()];
                if res.arms.len() > 1 {
                    row.push(arm.clone());
                }
                row.extend([
                    model.clone(),
                    seg.sizes[k].to_string(),
                    seg.kols[k].to_string(),
                    share_cell(ms),
                    steps_cell(ms.iter().map(|x| x.t50), steps),
                ]);
                rows.push(row);
            }
        }
    }
    let mut header = vec!["segment"];
    if res.arms.len() > 1 {
        header.push("arm");
    }
    header.extend([
        "model",
        "physicians",
        "KOLs",
        "final share, mean [5–95%]",
        "t50",
    ]);
    let text = header.len() - 4;
    table(o, "segments", &header, &rows, text);
}

/// With several arms, the KOL lift within each segment: each arm minus the reference arm.
fn lift(o: &mut String, r: &Report, seg: &Segments, an: &segments::Analysis) {
    let sc = r.scenario;
    let months = sc.time_unit.plural();
    let mut rows = Vec::new();
    for (k, label) in seg.labels.iter().enumerate() {
        for c in crate::table::kol_lift(&an.comparisons[k]) {
            rows.push(vec![
                label.clone(),
                c.model.clone(),
                c.arm.clone(),
                diff_cell(&c.final_share, 100.0, " pp"),
                diff_cell(&c.final_share, seg.sizes[k] as f64, ""),
                diff_cell(&c.t50_restricted, 1.0, ""),
            ]);
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<h3 id=\"segment-lift\">KOL lift per segment: each arm minus the reference arm “{}”</h3>",
        escape(&sc.reference_arm)
    );
    table(
        o,
        "lift",
        &[
            "segment",
            "model",
            "arm",
            "Δ final share [95% CI]",
            "Δ adopters, physicians [95% CI]",
            &format!("Δ {months} to 50% [95% CI]"),
        ],
        &rows,
        3,
    );
}
