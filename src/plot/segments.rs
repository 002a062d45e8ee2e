//! The per-segment figure ([`segments_svg`]): cumulative adoption faceted by segment, one
//! panel per segment (`segment = "<attribute>"` in the scenario).

use super::figure::{Figure, Line, Panel, YFormat, render};
use super::{SHARE_LABEL, nice_ceil, style_index};
use crate::stats::StepSummary;

/// What [`segments_svg`] draws: names, segments and their summaries.
#[derive(Debug, Clone, Copy)]
pub struct SegmentPlot<'a> {
    /// Scenario name (the title).
    pub scenario: &'a str,
    /// The segment attribute.
    pub attribute: &'a str,
    /// Arm names.
    pub arms: &'a [String],
    /// Model names.
    pub models: &'a [String],
    /// Segment labels.
    pub labels: &'a [String],
    /// Physicians per segment.
    pub sizes: &'a [usize],
    /// `sums[segment][arm][model]`: per step, the share of the segment's physicians who have
    /// adopted ([`crate::segments::Analysis::summaries`]).
    pub sums: &'a [Vec<Vec<Vec<StepSummary>>>],
    /// The time unit in the plural (the x-axis label).
    pub unit: &'a str,
}

/// The style index of arm `a`, model `m`: colour by model and line pattern by arm when both
/// vary, else by whichever varies.
fn style(arms: usize, models: usize, a: usize, m: usize) -> usize {
    match (arms > 1, models > 1) {
        (true, true) => style_index(m, a),
        (true, false) => a,
        _ => m,
    }
}

/// One panel per segment (captioned with its label and size), one line per arm and model,
/// with the 5–95% band when `bands`.
fn panels(p: &SegmentPlot, bands: bool) -> Vec<Panel> {
    let (na, nm) = (p.arms.len(), p.models.len());
    let ok = |x: &&StepSummary| x.mean.is_finite() && x.p05.is_finite() && x.p95.is_finite();
    p.sums
        .iter()
        .enumerate()
        .map(|(k, by_arm)| Panel {
            caption: Some(format!(
                "{} ({} physicians)",
                p.labels.get(k).map_or("", String::as_str),
                p.sizes.get(k).copied().unwrap_or(0)
            )),
            lines: (0..na)
                .flat_map(|a| (0..nm).map(move |m| (a, m)))
                .filter_map(|(a, m)| by_arm.get(a).and_then(|v| v.get(m)).map(|s| (a, m, s)))
                .map(|(a, m, s)| Line {
                    style: style(na, nm, a, m),
                    points: s
                        .iter()
                        .filter(ok)
                        .map(|x| (f64::from(x.step), x.mean))
                        .collect(),
                    band: if bands {
                        s.iter()
                            .filter(ok)
                            .map(|x| (f64::from(x.step), x.p05, x.p95))
                            .collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            observed: Vec::new(),
        })
        .collect()
}

/// The legend entries (none for a single line) and the legend's title.
fn legend(p: &SegmentPlot) -> (Vec<(String, usize)>, &'static str) {
    let (na, nm) = (p.arms.len(), p.models.len());
    let legend: Vec<(String, usize)> = (0..na)
        .flat_map(|a| (0..nm).map(move |m| (a, m)))
        .filter(|_| na * nm > 1)
        .map(|(a, m)| {
            let label = match (na > 1, nm > 1) {
                (true, true) => format!("{}, {}", p.models[m], p.arms[a]),
                (true, false) => p.arms[a].clone(),
                _ => p.models[m].clone(),
            };
            (label, style(na, nm, a, m))
        })
        .collect();
    let legend_title = match (na > 1, nm > 1) {
        (true, true) => "model, seeding arm",
        (true, false) => "seeding arm",
        (false, true) => "model",
        _ => "",
    };
    (legend, legend_title)
}

/// Cumulative adoption per segment as small multiples: one panel per segment (captioned with
/// its label and size, all panels on the same axes), one line per arm and model: the mean
/// share of the segment's physicians who have adopted, with the 5–95% range across
/// replicates shaded when a panel has at most two lines. Colour follows the model and the
/// line pattern the arm (when both vary); the legend names each line. Returns a complete SVG
/// document.
pub fn segments_svg(p: &SegmentPlot) -> String {
    let (na, nm) = (p.arms.len(), p.models.len());
    let steps = p
        .sums
        .iter()
        .flatten()
        .flatten()
        .map(|s| s.last().map_or(0, |x| x.step))
        .max()
        .unwrap_or(0);
    let bands = na * nm <= 2;
    let top = p
        .sums
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .flat_map(|s| [s.mean, if bands { s.p95 } else { s.mean }])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = nice_ceil(top * 1.04).min(1.0);
    let panels = panels(p, bands);
    let (legend, legend_title) = legend(p);
    let replicates = p
        .sums
        .iter()
        .flatten()
        .flatten()
        .flat_map(|s| s.first())
        .map(|s| s.replicates)
        .max()
        .unwrap_or(0);
    render(&Figure {
        title: format!("{}: cumulative adoption by {}", p.scenario, p.attribute),
        subtitle: format!(
            "mean share of each segment's physicians who have adopted, over {replicates} replicate{}; one panel per {}",
            if replicates == 1 { "" } else { "s" },
            p.attribute
        ),
        x_label: p.unit.into(),
        y_label: SHARE_LABEL.into(),
        x_range: (0.0, f64::from(steps.max(1))),
        y_range: (0.0, y_max),
        y_format: YFormat::Percent,
        x_integer: true,
        markers: false,
        panels,
        legend_title: legend_title.into(),
        legend,
        band_note: bands.then(|| "shaded: 5–95% of replicates".into()),
        observed_note: None,
    })
}
