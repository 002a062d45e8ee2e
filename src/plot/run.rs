//! The figures of a run: cumulative adoption ([`adoption_svg`]) and new adopters per step
//! ([`new_adopters_svg`]), as small multiples: one panel per model, the arms overlaid.

use super::figure::{Figure, Line, Panel, YFormat, render};
use super::{MONTHS, SHARE_LABEL, nice_ceil};
use crate::run::RunResult;
use crate::stats::StepSummary;

/// What the run figures show besides the curves: the time unit of the x-axis and an observed
/// launch to draw over the simulated curves.
#[derive(Debug, Clone, Copy)]
pub struct RunPlotOptions<'a> {
    /// The time unit in the plural, as the x-axis says it (`"months"`).
    pub unit: &'a str,
    /// An observed cumulative-share series `(step, share)`, drawn as points on every panel of
    /// the adoption figure (e.g. the launch a scenario was fitted to).
    pub observed: Option<&'a [(f64, f64)]>,
}

impl Default for RunPlotOptions<'_> {
    fn default() -> Self {
        RunPlotOptions {
            unit: MONTHS,
            observed: None,
        }
    }
}

/// Highest finite value of `values`, or 0.
fn finite_max(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// The series style of arm `a` of model `m`: with several arms, the arm's (each arm has one
/// colour and line style in every panel); with one arm, the model's.
fn style(arms: usize, a: usize, m: usize) -> usize {
    if arms > 1 { a } else { m }
}

/// Panel captions and legend of the small multiples: one panel per model; the legend names
/// the arms (several arms) or is empty (one arm: the captions name the models).
fn legend(arms: &[String]) -> (String, Vec<(String, usize)>) {
    if arms.len() > 1 {
        (
            "seeding arm".into(),
            arms.iter()
                .enumerate()
                .map(|(a, n)| (n.clone(), a))
                .collect(),
        )
    } else {
        (String::new(), Vec::new())
    }
}

/// The adoption figure as small multiples: one panel per model (all panels on the same axes),
/// the seeding arms overlaid within each panel, each arm's mean share of physicians who have
/// adopted over the steps with the 5–95% range across replicates shaded in the arm's colour.
///
/// `scenario` is the scenario name (the title). `sums[arm][model]` are the per-step summaries
/// of [`crate::output::summaries`]; `arms` and `models` name its two indices (as in
/// [`RunResult`]). The y-axis runs from 0 to a round number above the highest 95th
/// percentile (at most 100%); the x-axis is the step, in `opts.unit`. Each arm has the same
/// colour and line style in every panel ([`series_style`](super::series_style)) and one
/// legend entry; with a single arm each panel's line takes its model's style. With
/// `opts.observed`, the observed series is drawn as black points on every panel, with a
/// legend entry. The result is a complete SVG document.
pub fn adoption_svg(
    scenario: &str,
    arms: &[String],
    models: &[String],
    sums: &[Vec<Vec<StepSummary>>],
    opts: &RunPlotOptions,
) -> String {
    let steps = sums
        .iter()
        .flatten()
        .map(|s| s.last().map_or(0, |x| x.step))
        .max()
        .unwrap_or(0);
    let observed: Vec<(f64, f64)> = opts
        .observed
        .unwrap_or(&[])
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let top = finite_max(
        sums.iter()
            .flatten()
            .flatten()
            .flat_map(|s| [s.mean, s.p95])
            .chain(observed.iter().map(|p| p.1)),
    );
    let y_max = nice_ceil(top * 1.04).min(1.0);
    let replicates = sums
        .iter()
        .flatten()
        .flat_map(|s| s.first())
        .map(|s| s.replicates)
        .max()
        .unwrap_or(0);
    let panels = (0..models.len())
        .map(|m| Panel {
            caption: (models.len() > 1 || arms.len() > 1).then(|| models[m].clone()),
            lines: sums
                .iter()
                .enumerate()
                .filter_map(|(a, by_model)| by_model.get(m).map(|s| (a, s)))
                .map(|(a, s)| Line::of_summary(style(arms.len(), a, m), s))
                .collect(),
            observed: observed.clone(),
            note: None,
        })
        .collect();
    let (legend_title, legend) = legend(arms);
    render(&Figure {
        title: format!("{scenario}: cumulative adoption"),
        subtitle: format!(
            "mean share of physicians who have adopted, over {replicates} replicate{}{}",
            if replicates == 1 { "" } else { "s" },
            if models.len() > 1 {
                "; one panel per model"
            } else {
                ""
            }
        ),
        x_label: opts.unit.into(),
        y_label: SHARE_LABEL.into(),
        x_range: (0.0, f64::from(steps.max(1))),
        y_range: (0.0, y_max),
        y_format: YFormat::Percent,
        x_integer: true,
        markers: false,
        panels,
        columns: None,
        legend_title,
        legend,
        band_note: Some("shaded: 5–95% of replicates".into()),
        observed_note: (!observed.is_empty()).then(|| "observed".into()),
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

/// The new-adopters figure, as small multiples like [`adoption_svg`]: one panel per model,
/// the arms overlaid, the mean number of physicians adopting in each step from step 1 on
/// (step 0, the seeded initial adopters, is left out so it does not flatten the rest).
///
/// `means[arm][model][step]` are mean new adopters per step (see [`mean_new_adopters`]);
/// `arms` and `models` name the indices, `scenario` gives the title. The result is a complete
/// SVG document.
pub fn new_adopters_svg(
    scenario: &str,
    arms: &[String],
    models: &[String],
    means: &[Vec<Vec<f64>>],
    opts: &RunPlotOptions,
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
    let panels = (0..models.len())
        .map(|m| Panel {
            caption: (models.len() > 1 || arms.len() > 1).then(|| models[m].clone()),
            lines: means
                .iter()
                .enumerate()
                .filter_map(|(a, by_model)| by_model.get(m).map(|s| (a, s)))
                .map(|(a, s)| Line {
                    style: style(arms.len(), a, m),
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
            observed: Vec::new(),
            note: None,
        })
        .collect();
    let unit = singular(opts.unit);
    let (legend_title, legend) = legend(arms);
    render(&Figure {
        title: format!("{scenario}: new adopters per {unit}"),
        subtitle: format!(
            "mean number of physicians adopting in each {unit}, over replicates ({unit} 0, the initial adopters, not shown)"
        ),
        x_label: opts.unit.into(),
        y_label: format!("new adopters per {unit} (mean)"),
        x_range: (0.0, steps.max(1) as f64),
        y_range: (0.0, y_max),
        y_format: YFormat::Number,
        x_integer: true,
        markers: false,
        panels,
        columns: None,
        legend_title,
        legend,
        band_note: None,
        observed_note: None,
    })
}

/// `months` → `month`: the singular of a plural unit.
fn singular(unit: &str) -> &str {
    unit.strip_suffix('s').unwrap_or(unit)
}
