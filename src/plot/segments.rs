//! The per-segment figure ([`segments_svg`]): cumulative adoption faceted by segment and
//! model, one panel each, the arms as lines with bands (`segment = "<attribute>"` in the
//! scenario).

use super::figure::{Figure, Line, Panel, YFormat, render};
use super::{SHARE_LABEL, nice_ceil};
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

/// The human title of a segment attribute: `city_name` → `By city`, `specialtyCode` →
/// `By specialty` (separators and camel case to spaces, a trailing `name`, `id`, `code` or
/// `label` dropped).
pub fn segment_title(attribute: &str) -> String {
    let mut spaced = String::new();
    let mut prev_lower = false;
    for c in attribute.trim().chars() {
        if c.is_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.extend(if matches!(c, '_' | '-' | '.') {
            ' '.to_lowercase()
        } else {
            c.to_lowercase()
        });
    }
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    if words.len() > 1 && matches!(words.last(), Some(&("name" | "id" | "code" | "label"))) {
        words.pop();
    }
    if words.is_empty() {
        return "By segment".into();
    }
    format!("By {}", words.join(" "))
}

/// One panel per segment and model (segments as rows, models as columns), captioned with the
/// segment's label and size (and the model, with several), one line per arm with its 5–95%
/// band.
fn panels(p: &SegmentPlot) -> Vec<Panel> {
    let nm = p.models.len();
    let mut out = Vec::new();
    for (k, by_arm) in p.sums.iter().enumerate() {
        let segment = format!(
            "{} ({} physicians)",
            p.labels.get(k).map_or("", String::as_str),
            p.sizes.get(k).copied().unwrap_or(0)
        );
        for m in 0..nm {
            out.push(Panel {
                caption: Some(if nm > 1 {
                    format!("{segment} · {}", p.models[m])
                } else {
                    segment.clone()
                }),
                lines: by_arm
                    .iter()
                    .enumerate()
                    .filter_map(|(a, v)| v.get(m).map(|s| (a, s)))
                    .map(|(a, s)| Line::of_summary(a, s))
                    .collect(),
                observed: Vec::new(),
                note: None,
            });
        }
    }
    out
}

/// Cumulative adoption per segment as small multiples: one panel per segment and model
/// (segments as rows, models as columns, all on the same axes), captioned with the segment's
/// label and size; in each panel one line per seeding arm (the same colour and pattern in
/// every panel, named in the legend): the mean share of the segment's physicians who have
/// adopted, with the 5–95% range across replicates shaded. Titled with the attribute in words
/// ([`segment_title`]). Returns a complete SVG document.
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
    let top = p
        .sums
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .flat_map(|s| [s.mean, s.p95])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = nice_ceil(top * 1.04).min(1.0);
    let replicates = p
        .sums
        .iter()
        .flatten()
        .flatten()
        .flat_map(|s| s.first())
        .map(|s| s.replicates)
        .max()
        .unwrap_or(0);
    let title = segment_title(p.attribute);
    render(&Figure {
        title: format!(
            "{}: cumulative adoption, {}",
            p.scenario,
            lower_first(&title)
        ),
        subtitle: format!(
            "mean share of each segment's physicians who have adopted, over {replicates} replicate{}; one panel per segment{}",
            if replicates == 1 { "" } else { "s" },
            if nm > 1 { " and model" } else { "" }
        ),
        x_label: p.unit.into(),
        y_label: SHARE_LABEL.into(),
        x_range: (0.0, f64::from(steps.max(1))),
        y_range: (0.0, y_max),
        y_format: YFormat::Percent,
        x_integer: true,
        markers: false,
        panels: panels(p),
        columns: (nm > 1).then_some(nm),
        legend_title: if na > 1 {
            "seeding arm".into()
        } else {
            String::new()
        },
        legend: if na > 1 {
            p.arms.iter().cloned().zip(0..).collect()
        } else {
            Vec::new()
        },
        band_note: Some("shaded: 5–95% of replicates".into()),
        observed_note: None,
    })
}

/// `By city` → `by city`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_titles() {
        assert_eq!(segment_title("city_name"), "By city");
        assert_eq!(segment_title("specialtyCode"), "By specialty");
        assert_eq!(segment_title("region"), "By region");
        assert_eq!(segment_title("name"), "By name");
        assert_eq!(segment_title("__"), "By segment");
        assert_eq!(lower_first("By city"), "by city");
    }
}
