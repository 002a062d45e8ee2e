//! The figure of a parameter sweep: a metric against the swept parameter ([`sweep_svg`]).

use super::figure::{Figure, Line, Panel, YFormat, render};
use crate::sweep::{Grid, Metric, SweepRow};

/// A human label for a sweep key (a path into the scenario): `model.bass.q` → `q (model
/// “bass”)`, `kols.share` → `KOL share`, `kols.weight` → `KOL weight κ`, `arm.kols.count` →
/// `count (arm “kols”)`, `network.m` → `network m`; other keys as written.
pub fn key_label(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["model", name, param] => format!("{param} (model \u{201c}{name}\u{201d})"),
        ["arm", name, param] => format!("{param} (arm \u{201c}{name}\u{201d})"),
        ["kols", "share"] => "KOL share".into(),
        ["kols", "count"] => "number of KOLs".into(),
        ["kols", "weight"] => "KOL weight \u{3ba}".into(),
        ["kols", p] => format!("KOL {p}"),
        ["network", "n"] => "physicians (n)".into(),
        ["network", "mean_degree"] => "mean degree".into(),
        ["network", p] => format!("network {p}"),
        ["steps"] => "steps".into(),
        ["replicates"] => "replicates".into(),
        _ => key.to_string(),
    }
}

/// A generic line plot of a metric against a swept parameter: one line (with a marker at
/// every point) per entry of `series`, in the styles of [`series_style`](super::series_style), with a legend
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
    let (x_range, y_range) = ranges(&lines);
    render(&Figure {
        title: title.to_string(),
        subtitle: String::new(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        x_range,
        y_range,
        y_format: YFormat::Number,
        x_integer: false,
        markers: true,
        panels: vec![Panel {
            caption: None,
            lines,
            observed: Vec::new(),
        }],
        legend_title: String::new(),
        legend: series
            .iter()
            .enumerate()
            .map(|(k, (l, _))| (l.clone(), k))
            .collect(),
        band_note: None,
        observed_note: None,
    })
}

/// The axes' ranges of sweep lines: spanning the data, with 5% padding on y, and including 0
/// on y when every value is non-negative and the smallest is below half the largest.
fn ranges(lines: &[Line]) -> ((f64, f64), (f64, f64)) {
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
    ((x0, x1), (y_lo, y1 + pad))
}

/// The plot of one metric of a merged sweep, from its typed rows: the metric's mean against
/// the first swept key, one line per model × arm, colour = model and line style = arm (the
/// same in every panel and in the legend), one panel per value of the other swept keys (all
/// on the same axes, captioned with their human labels). Shares are drawn as percentages.
/// Keys with a single value are stated once in the subtitle, not in every caption; where a
/// time metric was reached by no replicate, the line has no marker at that point and the
/// subtitle says how many such points there are and where the first is.
pub fn sweep_metric_svg(grid: &Grid, rows: &[SweepRow], metric: Metric) -> String {
    let unit = grid.time_unit().plural();
    let first = |f: fn(&SweepRow) -> &str| {
        let mut v: Vec<&str> = Vec::new();
        for r in rows {
            if !v.contains(&f(r)) {
                v.push(f(r));
            }
        }
        v
    };
    let models = first(|r| r.model.as_str());
    let arms = first(|r| r.arm.as_str());
    let fmt = |v: f64| super::trim_number(v, 6);
    // Panels: one per combination of the values of the keys after the first that take
    // several values; single-valued keys go to the subtitle.
    let multi: Vec<usize> = (1..grid.axes.len())
        .filter(|&i| grid.axes[i].values.len() > 1)
        .collect();
    let panel_of = |r: &SweepRow| -> String {
        multi
            .iter()
            .map(|&i| format!("{} = {}", key_label(&grid.axes[i].key), fmt(r.values[i])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut panels: Vec<(String, Vec<Line>)> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for r in rows {
        let caption = panel_of(r);
        let p = match panels.iter().position(|(c, _)| *c == caption) {
            Some(p) => p,
            None => {
                panels.push((caption, Vec::new()));
                panels.len() - 1
            }
        };
        let mi = models.iter().position(|m| *m == r.model).unwrap_or(0);
        let ai = arms.iter().position(|a| *a == r.arm).unwrap_or(0);
        let style = super::style_index(mi, ai);
        let lines = &mut panels[p].1;
        let l = match lines.iter().position(|l| l.style == style) {
            Some(l) => l,
            None => {
                lines.push(Line {
                    style,
                    points: Vec::new(),
                    band: Vec::new(),
                });
                lines.len() - 1
            }
        };
        match r.stats(metric) {
            Some(st) if r.values[0].is_finite() && st.mean.is_finite() => {
                lines[l].points.push((r.values[0], st.mean));
            }
            _ => missing.push(format!(
                "{}{} at {} = {}",
                r.model,
                if arms.len() > 1 {
                    format!(" \u{b7} {}", r.arm)
                } else {
                    String::new()
                },
                grid.axes[0].key,
                fmt(r.values[0])
            )),
        }
    }
    for (_, lines) in &mut panels {
        for l in lines.iter_mut() {
            l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    let all_lines: Vec<Line> = panels
        .iter()
        .flat_map(|(_, ls)| ls.iter())
        .map(|l| Line {
            style: l.style,
            points: l.points.clone(),
            band: Vec::new(),
        })
        .collect();
    let (x_range, mut y_range) = ranges(&all_lines);
    let share = metric == Metric::FinalShare;
    if share {
        y_range = (y_range.0.max(0.0), y_range.1.min(1.0).max(y_range.0 + 0.01));
    }
    let level = match metric {
        Metric::T10 => "10%",
        Metric::T50 => "50%",
        _ => "90%",
    };
    let mut notes: Vec<String> = (1..grid.axes.len())
        .filter(|&i| grid.axes[i].values.len() == 1)
        .map(|i| {
            format!(
                "{} = {}",
                key_label(&grid.axes[i].key),
                fmt(grid.axes[i].values[0])
            )
        })
        .collect();
    if metric.is_time() && !missing.is_empty() {
        notes.push(format!(
            "{level} not reached by any replicate in {} of {} model \u{d7} arm \u{d7} point cases (no marker there), e.g. {}",
            missing.len(),
            rows.len(),
            missing[0]
        ));
    }
    let y_label = match metric {
        Metric::FinalShare => "final share of physicians (mean)".to_string(),
        Metric::PeakStep => format!("peak of new adoptions, {unit} (mean)"),
        _ => format!("{unit} to {level} adoption (mean where reached)"),
    };
    let what = match metric {
        Metric::FinalShare => "final share".to_string(),
        Metric::PeakStep => "peak of new adoptions".to_string(),
        _ => format!("time to {level} adoption"),
    };
    let mut legend = Vec::new();
    for (mi, m) in models.iter().enumerate() {
        for (ai, a) in arms.iter().enumerate() {
            let style = super::style_index(mi, ai);
            // Every series is listed (same colours in every plot), even one never drawn.
            if rows.iter().any(|r| r.model == *m && r.arm == *a) {
                let mut label = if arms.len() > 1 {
                    format!("{m} \u{b7} {a}")
                } else {
                    m.to_string()
                };
                if metric.is_time()
                    && !all_lines
                        .iter()
                        .any(|l| l.style == style && !l.points.is_empty())
                {
                    label.push_str(" (never reached)");
                }
                legend.push((label, style));
            }
        }
    }
    let one_panel = panels.len() <= 1;
    render(&Figure {
        title: format!(
            "{}: {what} against {}",
            grid.scenario,
            key_label(&grid.axes[0].key)
        ),
        subtitle: notes.join("; "),
        x_label: format!("{} ({})", key_label(&grid.axes[0].key), grid.axes[0].key),
        y_label,
        x_range,
        y_range,
        y_format: if share {
            YFormat::Percent
        } else {
            YFormat::Number
        },
        x_integer: false,
        markers: true,
        panels: panels
            .into_iter()
            .map(|(c, lines)| Panel {
                caption: if one_panel { None } else { Some(c) },
                lines,
                observed: Vec::new(),
            })
            .collect(),
        legend_title: if arms.len() > 1 {
            "model \u{b7} arm".into()
        } else {
            "model".into()
        },
        legend,
        band_note: None,
        observed_note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
