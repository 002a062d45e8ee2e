//! The figures of a run: cumulative adoption ([`adoption_svg`]) and new adopters per step
//! ([`new_adopters_svg`]), one panel per seeding arm.

use super::figure::{Figure, Line, Panel, YFormat, render};
use super::{MONTHS, NEW_ADOPTERS_LABEL, SHARE_LABEL, nice_ceil};
use crate::run::RunResult;
use crate::stats::StepSummary;

/// Caption of arm `a`'s panel: `arm: <name>` when there are several arms, none otherwise.
fn arm_caption(arms: &[String], a: usize) -> Option<String> {
    (arms.len() > 1).then(|| format!("arm: {}", arms[a]))
}

/// Highest finite value of `values`, or 0.
fn finite_max(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// The adoption figure: for every arm (one panel each when there are several) and model, the
/// mean share of physicians who have adopted, over the steps, with the 5–95% range across
/// replicates shaded.
///
/// `scenario` is the scenario name (the title). `sums[arm][model]` are the per-step summaries
/// of [`crate::output::summaries`]; `arms` and `models` name its two indices (as in
/// [`RunResult`]). Panels share one y-axis (0 to a round number above the highest 95th
/// percentile, at most 100%) so their curves compare directly; the x-axis is the step, in
/// months. Each model has the same colour and line style in every panel ([`series_style`](super::series_style))
/// and one legend entry. The result is a complete SVG document.
pub fn adoption_svg(
    scenario: &str,
    arms: &[String],
    models: &[String],
    sums: &[Vec<Vec<StepSummary>>],
) -> String {
    let steps = sums
        .iter()
        .flatten()
        .map(|s| s.last().map_or(0, |x| x.step))
        .max()
        .unwrap_or(0);
    let top = finite_max(
        sums.iter()
            .flatten()
            .flatten()
            .flat_map(|s| [s.mean, s.p95]),
    );
    let y_max = nice_ceil(top * 1.04).min(1.0);
    let replicates = sums
        .iter()
        .flatten()
        .flat_map(|s| s.first())
        .map(|s| s.replicates)
        .max()
        .unwrap_or(0);
    let panels = sums
        .iter()
        .enumerate()
        .map(|(a, by_model)| Panel {
            caption: arm_caption(arms, a),
            lines: by_model
                .iter()
                .enumerate()
                .map(|(m, s)| {
                    let ok = |x: &&StepSummary| {
                        x.mean.is_finite() && x.p05.is_finite() && x.p95.is_finite()
                    };
                    Line {
                        style: m,
                        points: s
                            .iter()
                            .filter(ok)
                            .map(|x| (f64::from(x.step), x.mean))
                            .collect(),
                        band: s
                            .iter()
                            .filter(ok)
                            .map(|x| (f64::from(x.step), x.p05, x.p95))
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    render(&Figure {
        title: format!("{scenario}: cumulative adoption"),
        subtitle: format!(
            "mean share of physicians who have adopted, over {replicates} replicate{} per model",
            if replicates == 1 { "" } else { "s" }
        ),
        x_label: MONTHS.into(),
        y_label: SHARE_LABEL.into(),
        x_range: (0.0, f64::from(steps.max(1))),
        y_range: (0.0, y_max),
        y_format: YFormat::Percent,
        x_integer: true,
        markers: false,
        panels,
        legend_title: "model".into(),
        legend: models
            .iter()
            .enumerate()
            .map(|(m, n)| (n.clone(), m))
            .collect(),
        band_note: Some("5–95% of replicates".into()),
    })
}

/// Mean new adopters per step over replicates, `[arm][model][step]` (index = step; step 0
/// holds the initial adopters), from a run's curves.
pub fn mean_new_adopters(res: &RunResult) -> Vec<Vec<Vec<f64>>> {
    res.curves
        .iter()
        .map(|by_model| {
            by_model
                .iter()
                .map(|cs| {
                    let steps = cs.iter().map(|c| c.new_adopters.len()).max().unwrap_or(0);
                    let reps = cs.len().max(1) as f64;
                    (0..steps)
                        .map(|s| {
                            cs.iter()
                                .map(|c| f64::from(c.new_adopters.get(s).copied().unwrap_or(0)))
                                .sum::<f64>()
                                / reps
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The new-adopters figure: for every arm (one panel each when there are several) and model,
/// the mean number of physicians adopting in each step, from step 1 on (step 0, the seeded
/// initial adopters, is left out so it does not flatten the rest of the curve).
///
/// `means[arm][model][step]` are mean new adopters per step (see [`mean_new_adopters`]);
/// `arms` and `models` name the indices, `scenario` gives the title. Styles and layout are as
/// in [`adoption_svg`]. The result is a complete SVG document.
pub fn new_adopters_svg(
    scenario: &str,
    arms: &[String],
    models: &[String],
    means: &[Vec<Vec<f64>>],
) -> String {
    let steps = means
        .iter()
        .flatten()
        .map(|s| s.len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    let top = finite_max(
        means
            .iter()
            .flatten()
            .flat_map(|s| s.iter().skip(1).copied()),
    );
    let y_max = nice_ceil(top * 1.06);
    let panels = means
        .iter()
        .enumerate()
        .map(|(a, by_model)| Panel {
            caption: arm_caption(arms, a),
            lines: by_model
                .iter()
                .enumerate()
                .map(|(m, s)| Line {
                    style: m,
                    points: s
                        .iter()
                        .enumerate()
                        .skip(1)
                        .filter(|(_, v)| v.is_finite())
                        .map(|(k, v)| (k as f64, *v))
                        .collect(),
                    band: Vec::new(),
                })
                .collect(),
        })
        .collect();
    render(&Figure {
        title: format!("{scenario}: new adopters per month"),
        subtitle: "mean number of physicians adopting in each month, over replicates (month 0, the initial adopters, not shown)".into(),
        x_label: MONTHS.into(),
        y_label: NEW_ADOPTERS_LABEL.into(),
        x_range: (0.0, steps.max(1) as f64),
        y_range: (0.0, y_max),
        y_format: YFormat::Number,
        x_integer: true,
        markers: false,
        panels,
        legend_title: "model".into(),
        legend: models.iter().enumerate().map(|(m, n)| (n.clone(), m)).collect(),
        band_note: None,
    })
}
