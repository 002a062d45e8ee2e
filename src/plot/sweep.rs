//! The figure of a parameter sweep: a metric against the swept parameter ([`sweep_svg`]).

use super::figure::{Figure, Line, Panel, YFormat, render};

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
