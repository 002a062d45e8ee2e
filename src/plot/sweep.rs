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
            note: None,
        }],
        columns: None,
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

/// The distinct values of `f` over `rows`, in first-seen order.
fn distinct(rows: &[SweepRow], f: fn(&SweepRow) -> &str) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for r in rows {
        let x = f(r);
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}

/// The lines of a sweep plot grouped in panels, and the cases a time metric never reached.
struct Panels {
    /// `(caption, lines)`, one per combination of the other swept keys with several values.
    panels: Vec<(String, Vec<Line>)>,
    /// "model · arm at key = value" for each row whose metric has no mean.
    missing: Vec<String>,
}

/// One line per model × arm in each panel: the metric's mean at each value of the first swept
/// key, with its 5–95% band across replicates (`p05`, `p95` of the row) where finite.
fn panels(
    grid: &Grid,
    rows: &[SweepRow],
    metric: Metric,
    models: &[&str],
    arms: &[&str],
) -> Panels {
    let fmt = |v: f64| super::trim_number(v, 6);
    // Panels: one per combination of the values of the keys after the first that take
    // several values; single-valued keys go to the subtitle.
    let multi: Vec<usize> = (1..grid.axes.len())
        .filter(|&i| grid.axes[i].values.len() > 1)
        .collect();
    let mut out = Panels {
        panels: Vec::new(),
        missing: Vec::new(),
    };
    for r in rows {
        let caption = multi
            .iter()
            .map(|&i| format!("{} = {}", key_label(&grid.axes[i].key), fmt(r.values[i])))
            .collect::<Vec<_>>()
            .join(", ");
        let p = match out.panels.iter().position(|(c, _)| *c == caption) {
            Some(p) => p,
            None => {
                out.panels.push((caption, Vec::new()));
                out.panels.len() - 1
            }
        };
        let mi = models.iter().position(|m| *m == r.model).unwrap_or(0);
        let ai = arms.iter().position(|a| *a == r.arm).unwrap_or(0);
        let style = super::style_index(mi, ai);
        let lines = &mut out.panels[p].1;
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
        let x = r.values[0];
        match r.stats(metric) {
            Some(st) if x.is_finite() && st.mean.is_finite() => {
                lines[l].points.push((x, st.mean));
                if st.p05.is_finite() && st.p95.is_finite() {
                    lines[l].band.push((x, st.p05, st.p95));
                }
            }
            _ => out.missing.push(format!(
                "{}{} at {} = {}",
                r.model,
                if arms.len() > 1 {
                    format!(" \u{b7} {}", r.arm)
                } else {
                    String::new()
                },
                grid.axes[0].key,
                fmt(x)
            )),
        }
    }
    for (_, lines) in &mut out.panels {
        for l in lines.iter_mut() {
            l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            l.band.sort_by(|a, b| a.0.total_cmp(&b.0));
            // A band of one point cannot be shaded; drawn as nothing rather than a sliver.
            if l.band.len() < 2 {
                l.band.clear();
            }
        }
    }
    out
}

/// The axis ranges over every line's points and bands (bands are never clipped).
fn panel_ranges(panels: &[(String, Vec<Line>)]) -> ((f64, f64), (f64, f64)) {
    let all: Vec<Line> = panels
        .iter()
        .flat_map(|(_, ls)| ls.iter())
        .map(|l| Line {
            style: l.style,
            points: l
                .points
                .iter()
                .copied()
                .chain(l.band.iter().flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)]))
                .collect(),
            band: Vec::new(),
        })
        .collect();
    ranges(&all)
}

/// The legend: every model × arm present in `rows` (same colours in every plot, even a series
/// never drawn), marked "(never reached)" for a time metric no replicate reached.
fn legend(
    rows: &[SweepRow],
    panels: &[(String, Vec<Line>)],
    metric: Metric,
    models: &[&str],
    arms: &[&str],
) -> Vec<(String, usize)> {
    let mut legend = Vec::new();
    for (mi, m) in models.iter().enumerate() {
        for (ai, a) in arms.iter().enumerate() {
            let style = super::style_index(mi, ai);
            if !rows.iter().any(|r| r.model == *m && r.arm == *a) {
                continue;
            }
            let mut label = if arms.len() > 1 {
                format!("{m} \u{b7} {a}")
            } else {
                m.to_string()
            };
            let drawn = panels
                .iter()
                .flat_map(|(_, ls)| ls.iter())
                .any(|l| l.style == style && !l.points.is_empty());
            if metric.is_time() && !drawn {
                label.push_str(" (never reached)");
            }
            legend.push((label, style));
        }
    }
    legend
}

/// The level of a time metric ("10%", "50%", "90%"), the y axis label and what the title
/// calls the metric.
fn metric_words(metric: Metric, unit: &str) -> (&'static str, String, String) {
    let level = match metric {
        Metric::T10 => "10%",
        Metric::T50 => "50%",
        _ => "90%",
    };
    let (y_label, what) = match metric {
        Metric::FinalShare => (
            "final share of physicians (mean)".to_string(),
            "final share".to_string(),
        ),
        Metric::PeakStep => (
            format!("peak of new adoptions, {unit} (mean)"),
            "peak of new adoptions".to_string(),
        ),
        _ => (
            format!("{unit} to {level} adoption (mean where reached)"),
            format!("time to {level} adoption"),
        ),
    };
    (level, y_label, what)
}

/// The plot of one metric of a merged sweep, from its typed rows: the metric's mean against
/// the first swept key with its 5–95% band across replicates, one line per model × arm,
/// colour = model and line style = arm (the same in every panel and in the legend), one panel
/// per value of the other swept keys (all on the same axes, captioned with their human
/// labels). Shares are drawn as percentages. Keys with a single value are stated once in the
/// subtitle, not in every caption; where a time metric was reached by no replicate, the line
/// has no marker at that point and the subtitle says how many such points there are and where
/// the first is.
pub fn sweep_metric_svg(grid: &Grid, rows: &[SweepRow], metric: Metric) -> String {
    let unit = grid.time_unit().plural();
    let models = distinct(rows, |r| r.model.as_str());
    let arms = distinct(rows, |r| r.arm.as_str());
    let fmt = |v: f64| super::trim_number(v, 6);
    let Panels { panels, missing } = panels(grid, rows, metric, &models, &arms);
    let (x_range, mut y_range) = panel_ranges(&panels);
    let share = metric == Metric::FinalShare;
    if share {
        y_range = (y_range.0.max(0.0), y_range.1.min(1.0).max(y_range.0 + 0.01));
    }
    let (level, y_label, what) = metric_words(metric, unit);
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
    let legend = legend(rows, &panels, metric, &models, &arms);
    let banded = panels
        .iter()
        .any(|(_, ls)| ls.iter().any(|l| !l.band.is_empty()));
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
                note: None,
            })
            .collect(),
        columns: None,
        legend_title: if arms.len() > 1 {
            "model \u{b7} arm".into()
        } else {
            "model".into()
        },
        legend,
        band_note: banded.then(|| "shaded: 5–95% of replicates".into()),
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
