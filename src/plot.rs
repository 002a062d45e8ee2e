//! Figures as SVG text: the adoption curves with their 5–95% bands, the new adopters per
//! step, and a generic line plot for parameter sweeps.
//!
//! Every function here is pure: it takes numbers and returns a complete, standalone SVG
//! document as a `String` (drawn with plotters' SVG backend, so no fonts are needed to draw:
//! text stays `<text>` elements in the viewer's sans-serif font). Nothing is written to disk.
//!
//! Layout: one panel per seeding arm (sharing one y-axis range, so panels compare), one
//! colour and line style per model, the same in every panel, and one legend to the right of
//! the panels, outside the plotting area, so it never hides a curve.

use crate::run::RunResult;
use crate::stats::StepSummary;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Label of the time axis of the step-based figures.
pub const MONTHS: &str = "months";
/// Label of the y-axis of [`adoption_svg`].
pub const SHARE_LABEL: &str = "share of physicians";
/// Label of the y-axis of [`new_adopters_svg`].
pub const NEW_ADOPTERS_LABEL: &str = "new adopters per month (mean)";

/// Series colours: the Okabe–Ito palette (distinguishable with the common colour-vision
/// deficiencies) without its yellow, which is too pale on white, plus a brown.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x33, 0x33, 0x33), // near black
    RGBColor(0x8C, 0x56, 0x4B), // brown
];

/// Line pattern of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dash {
    /// Continuous line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
}

/// Colour (as `#rrggbb`) and line pattern of the `k`-th series (0-based): series 0–3 are
/// solid, 4–7 dashed (in four further colours), 8–11 dotted in the colours of 0–3, 12–15
/// solid in the colours of 4–7, and so on: 24 distinct combinations before any repeats.
pub fn series_style(k: usize) -> (String, Dash) {
    let c = PALETTE[k % PALETTE.len()];
    let dash = match (k / 4) % 3 {
        0 => Dash::Solid,
        1 => Dash::Dashed,
        _ => Dash::Dotted,
    };
    (format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2), dash)
}

/// Tick label of a share: a percentage with at most two decimals and no trailing zeros.
pub fn percent(v: f64) -> String {
    format!("{}%", trim_number(v * 100.0, 2))
}

/// A number with at most `decimals` decimals, trailing zeros (and a lone `.`) removed, and
/// no negative zero.
fn trim_number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Smallest "nice" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 × a power of ten) ≥ `x`; 1 for
/// `x ≤ 0` or non-finite `x`.
fn nice_ceil(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let e = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0] {
        if m * e >= x * (1.0 - 1e-12) {
            return m * e;
        }
    }
    10.0 * e
}

/// One line of a panel, with an optional shaded band `(x, low, high)`.
struct Line {
    style: usize,
    points: Vec<(f64, f64)>,
    band: Vec<(f64, f64, f64)>,
}

/// One panel: an optional caption and its lines.
struct Panel {
    caption: Option<String>,
    lines: Vec<Line>,
}

/// How y tick labels are written.
#[derive(Clone, Copy)]
enum YFormat {
    Percent,
    Number,
}

/// A whole figure, before drawing.
struct Figure {
    title: String,
    subtitle: String,
    x_label: String,
    y_label: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    y_format: YFormat,
    /// Whether x ticks are whole numbers (steps).
    x_integer: bool,
    /// Draw a marker at every point (for sweeps with few points).
    markers: bool,
    panels: Vec<Panel>,
    /// Legend heading and entries `(label, series style index)`.
    legend_title: String,
    legend: Vec<(String, usize)>,
    /// Extra legend entry for the shaded bands, if any.
    band_note: Option<String>,
}

const TITLE_FONT: f64 = 24.0;
const SUBTITLE_FONT: f64 = 16.0;
const CAPTION_FONT: f64 = 18.0;
const LABEL_FONT: f64 = 15.0;
const DESC_FONT: f64 = 16.0;
const LEGEND_FONT: f64 = 16.0;

fn text_style(size: f64, colour: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(colour)
        .pos(Pos::new(h, v))
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// Draws a line sample of series style `k` from `(x0, y)` to `(x1, y)` on a pixel area.
fn legend_sample(area: &DrawingArea<SVGBackend, Shift>, k: usize, x0: i32, x1: i32, y: i32) -> Res {
    let colour = PALETTE[k % PALETTE.len()];
    let style = colour.stroke_width(3);
    let pts = vec![(x0, y), (x1, y)];
    match series_style(k).1 {
        Dash::Solid => area.draw(&PathElement::new(pts, style))?,
        Dash::Dashed => area.draw(&DashedPathElement::new(pts, 8, 5, style))?,
        Dash::Dotted => area.draw(&DashedPathElement::new(pts, 2, 4, colour.stroke_width(2)))?,
    }
    Ok(())
}

/// Approximate width in pixels of `text` at plotters font size `size` (SVG renders it at
/// `size / 1.24` px; a sans-serif character averages about 0.55 em).
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size / 1.24 * 0.56).ceil() as i32
}

fn draw_figure(fig: &Figure, buf: &mut String) -> Res {
    let n_panels = fig.panels.len().max(1);
    let ncols = match n_panels {
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 2,
        _ => 3,
    };
    let nrows = n_panels.div_ceil(ncols);
    let (panel_w, panel_h) = if n_panels == 1 {
        (760, 470)
    } else {
        (540, 430)
    };
    let legend_w = fig
        .legend
        .iter()
        .map(|(l, _)| l.as_str())
        .chain(std::iter::once(fig.legend_title.as_str()))
        .chain(fig.band_note.as_deref())
        .map(|l| text_width(l, LEGEND_FONT) + 62)
        .max()
        .unwrap_or(0)
        .clamp(150, 340);
    let header_h = if fig.subtitle.is_empty() { 50 } else { 74 };
    let width = ncols as u32 * panel_w + legend_w as u32;
    // Tall enough for the legend too (it lists every series, 24 px apart).
    let legend_h = 60 + 24 * fig.legend.len() as u32 + if fig.band_note.is_some() { 30 } else { 0 };
    let height = header_h + (nrows as u32 * panel_h).max(legend_h);
    {
        let root = SVGBackend::with_string(buf, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(header_h);
        let centre = (width as i32 - legend_w) / 2;
        header.draw(&Text::new(
            fig.title.clone(),
            (centre, 12),
            text_style(TITLE_FONT, &BLACK, HPos::Center, VPos::Top),
        ))?;
        if !fig.subtitle.is_empty() {
            header.draw(&Text::new(
                fig.subtitle.clone(),
                (centre, 44),
                text_style(
                    SUBTITLE_FONT,
                    &RGBColor(0x55, 0x55, 0x55),
                    HPos::Center,
                    VPos::Top,
                ),
            ))?;
        }
        let (plots, legend) = body.split_horizontally(ncols as u32 * panel_w);
        let areas = plots.split_evenly((nrows, ncols));
        let grid = RGBColor(0xE4, 0xE4, 0xE4);
        let axis = RGBColor(0x44, 0x44, 0x44);
        for (panel, area) in fig.panels.iter().zip(&areas) {
            let mut b = ChartBuilder::on(area);
            b.margin_top(8)
                .margin_right(22)
                .margin_left(8)
                .margin_bottom(14)
                .x_label_area_size(52)
                .y_label_area_size(72);
            if let Some(c) = &panel.caption {
                b.caption(c, ("sans-serif", CAPTION_FONT).into_font());
            }
            let mut chart =
                b.build_cartesian_2d(fig.x_range.0..fig.x_range.1, fig.y_range.0..fig.y_range.1)?;
            let x_fmt = |v: &f64| {
                if fig.x_integer {
                    trim_number(*v, 1)
                } else {
                    trim_number(*v, 4)
                }
            };
            let y_fmt = |v: &f64| match fig.y_format {
                YFormat::Percent => percent(*v),
                YFormat::Number => trim_number(*v, 4),
            };
            let x_ticks = if fig.x_integer {
                ((fig.x_range.1 - fig.x_range.0).round() as usize + 1).clamp(2, 10)
            } else {
                8
            };
            chart
                .configure_mesh()
                .x_labels(x_ticks)
                .y_labels(8)
                .x_desc(fig.x_label.as_str())
                .y_desc(fig.y_label.as_str())
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&y_fmt)
                .label_style(("sans-serif", LABEL_FONT).into_font().color(&axis))
                .axis_desc_style(("sans-serif", DESC_FONT).into_font().color(&BLACK))
                .axis_style(axis)
                .bold_line_style(grid)
                .light_line_style(TRANSPARENT)
                .draw()?;
            // Bands get fainter as they get more numerous, so overlaps stay readable.
            let bands = panel.lines.iter().filter(|l| !l.band.is_empty()).count();
            let alpha = (0.5 / bands.max(1) as f64).clamp(0.07, 0.16);
            for l in panel.lines.iter().filter(|l| !l.band.is_empty()) {
                let colour = PALETTE[l.style % PALETTE.len()];
                let mut poly: Vec<(f64, f64)> = l.band.iter().map(|&(x, _, hi)| (x, hi)).collect();
                poly.extend(l.band.iter().rev().map(|&(x, lo, _)| (x, lo)));
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    colour.mix(alpha).filled(),
                )))?;
            }
            for l in &panel.lines {
                let colour = PALETTE[l.style % PALETTE.len()];
                let style = colour.stroke_width(2);
                let pts = l.points.clone();
                match series_style(l.style).1 {
                    Dash::Solid => {
                        chart.draw_series(LineSeries::new(pts, style))?;
                    }
                    Dash::Dashed => {
                        chart.draw_series(DashedLineSeries::new(pts, 8, 5, style))?;
                    }
                    Dash::Dotted => {
                        chart.draw_series(DashedLineSeries::new(pts, 2, 4, style))?;
                    }
                }
                if fig.markers {
                    chart.draw_series(
                        l.points.iter().map(|&p| Circle::new(p, 3, colour.filled())),
                    )?;
                }
            }
        }
        // The legend, to the right of the panels, aligned with the top of the first panel.
        let mut y = 18;
        let x0 = 10;
        if !fig.legend_title.is_empty() {
            legend.draw(&Text::new(
                fig.legend_title.clone(),
                (x0, y),
                ("sans-serif", LEGEND_FONT)
                    .into_font()
                    .style(FontStyle::Bold)
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += 26;
        }
        for (label, k) in &fig.legend {
            legend_sample(&legend, *k, x0, x0 + 36, y)?;
            legend.draw(&Text::new(
                label.clone(),
                (x0 + 44, y),
                text_style(LEGEND_FONT, &BLACK, HPos::Left, VPos::Center),
            ))?;
            y += 24;
        }
        if let Some(note) = &fig.band_note {
            y += 6;
            legend.draw(&Rectangle::new(
                [(x0, y - 7), (x0 + 36, y + 7)],
                RGBColor(0x88, 0x88, 0x88).mix(0.3).filled(),
            ))?;
            legend.draw(&Text::new(
                note.clone(),
                (x0 + 44, y),
                text_style(LEGEND_FONT, &BLACK, HPos::Left, VPos::Center),
            ))?;
        }
        root.present()?;
    }
    Ok(())
}

/// Renders `fig`; if plotters fails (it should not with finite data), returns a small SVG
/// that says so instead, so a run never loses its other outputs over a figure.
fn render(fig: &Figure) -> String {
    let mut buf = String::new();
    match draw_figure(fig, &mut buf) {
        Ok(()) => buf,
        Err(e) => {
            let msg = format!("{}: the figure could not be drawn ({e})", fig.title);
            let esc = msg
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(
                "<svg width=\"640\" height=\"60\" viewBox=\"0 0 640 60\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"10\" y=\"35\" font-family=\"sans-serif\" font-size=\"14\">{esc}</text>\n</svg>\n"
            )
        }
    }
}

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
/// months. Each model has the same colour and line style in every panel ([`series_style`])
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

/// A generic line plot of a metric against a swept parameter: one line (with a marker at
/// every point) per entry of `series`, in the styles of [`series_style`], with a legend
/// entry per series named by its label.
///
/// - `x_label`: the swept parameter, e.g. `"q (imitation)"` or `"KOL weight κ"`.
/// - `series`: `(label, points)`, usually one per model; points are `(parameter value,
///   metric)` and are drawn in increasing parameter order (non-finite points are skipped).
/// - `y_label`: the metric, e.g. `"final share"` or `"t50 (months)"`.
/// - `title`: the figure title.
///
/// The axes span the data (with 5% padding on y, and including 0 on y when every value is
/// non-negative and the smallest is below half the largest). Tick labels are plain numbers.
/// The result is a complete SVG document.
pub fn sweep_svg(
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
    y_label: &str,
    title: &str,
) -> String {
    let lines: Vec<Line> = series
        .iter()
        .enumerate()
        .map(|(k, (_, pts))| {
            let mut points: Vec<(f64, f64)> = pts
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Line {
                style: k,
                points,
                band: Vec::new(),
            }
        })
        .collect();
    let all = || lines.iter().flat_map(|l| l.points.iter());
    let (mut x0, mut x1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let (mut y0, mut y1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if !(x0.is_finite() && x1.is_finite()) {
        (x0, x1) = (0.0, 1.0);
    }
    if !(y0.is_finite() && y1.is_finite()) {
        (y0, y1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        let pad = if x0 == 0.0 { 1.0 } else { x0.abs() * 0.1 };
        (x0, x1) = (x0 - pad, x1 + pad);
    }
    if y0 >= 0.0 && y0 < 0.5 * y1 {
        y0 = 0.0;
    }
    if y1 <= y0 {
        let pad = if y0 == 0.0 { 1.0 } else { y0.abs() * 0.1 };
        (y0, y1) = (y0 - pad, y1 + pad);
    }
    let pad = (y1 - y0) * 0.05;
    let y_lo = if y0 == 0.0 { 0.0 } else { y0 - pad };
    render(&Figure {
        title: title.to_string(),
        subtitle: String::new(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        x_range: (x0, x1),
        y_range: (y_lo, y1 + pad),
        y_format: YFormat::Number,
        x_integer: false,
        markers: true,
        panels: vec![Panel {
            caption: None,
            lines,
        }],
        legend_title: String::new(),
        legend: series
            .iter()
            .enumerate()
            .map(|(k, (l, _))| (l.clone(), k))
            .collect(),
        band_note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_ceil(0.93), 1.0);
        assert_eq!(nice_ceil(0.41), 0.5);
        assert!((nice_ceil(0.031) - 0.04).abs() < 1e-12);
        assert_eq!(nice_ceil(117.0), 120.0);
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.025), "2.5%");
        assert_eq!(percent(-0.0), "0%");
    }

    #[test]
    fn styles_cycle_colours_then_dashes() {
        assert_eq!(series_style(0).1, Dash::Solid);
        assert_ne!(series_style(0).0, series_style(1).0);
        assert_eq!(series_style(4).1, Dash::Dashed);
        assert_eq!(series_style(8), (series_style(0).0, Dash::Dotted));
        let all: std::collections::HashSet<_> = (0..24).map(series_style).collect();
        assert_eq!(all.len(), 24);
    }

    #[test]
    fn sweep_has_a_line_per_series() {
        let s = sweep_svg(
            "q",
            &[
                ("a".into(), vec![(0.1, 0.2), (0.3, 0.5), (0.2, 0.4)]),
                ("b".into(), vec![(0.1, 0.1), (0.3, f64::NAN)]),
            ],
            "final share",
            "sweep & <test>",
        );
        assert!(s.starts_with("<svg"));
        assert!(s.contains("sweep &amp; &lt;test&gt;"));
        // Markers: 3 + 1 finite points.
        assert_eq!(s.matches("<circle").count(), 4);
        // Series "b" adds a line and a legend sample (same axes: its points lie within a's).
        let one = sweep_svg(
            "q",
            &[("a".into(), vec![(0.1, 0.2), (0.3, 0.5), (0.2, 0.4)])],
            "final share",
            "sweep & <test>",
        );
        assert_eq!(
            s.matches("<polyline").count(),
            one.matches("<polyline").count() + 2
        );
        assert_eq!(one.matches("<circle").count(), 3);
        // Degenerate input still draws.
        assert!(sweep_svg("x", &[], "y", "empty").starts_with("<svg"));
    }
}
