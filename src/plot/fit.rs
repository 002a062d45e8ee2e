//! The fit figure ([`fit_svg`]): one panel per fitted theory, its mean cumulative share of the
//! fitted physicians with the 5–95% band across replicates, and the observed launch of the
//! same physicians as points on every panel. A theory that cannot reproduce the launch is
//! drawn without a band, and its panel says so.

use super::figure::{Figure, Line, Panel, YFormat, render};
use super::nice_ceil;
use crate::fit::report::FitCurves;

/// What the panel of a theory that cannot reproduce the launch says (in its corner).
pub const CANNOT_REPRODUCE: &str = "cannot reproduce this launch (no band)";

/// The fit figure of `c` under the title `title`; `unit` is the time unit in the plural
/// (`"months"`): the x-axis is the period `1..=T` (period 1 holds the observed seeds).
pub fn fit_svg(title: &str, unit: &str, c: &FitCurves) -> String {
    let periods = c.observed.len().max(2);
    let x = |t: usize| (t + 1) as f64;
    let observed: Vec<(f64, f64)> = c
        .observed
        .iter()
        .enumerate()
        .map(|(t, &y)| (x(t), c.share(y)))
        .collect();
    let top = c
        .curves
        .iter()
        .flat_map(|f| {
            f.mean
                .iter()
                .chain(if f.reproduces { &f.p95[..] } else { &[] })
        })
        .map(|&y| c.share(y))
        .chain(observed.iter().map(|p| p.1))
        .filter(|y| y.is_finite())
        .fold(0.0, f64::max);
    let panels = c
        .curves
        .iter()
        .enumerate()
        .map(|(k, f)| Panel {
            caption: Some(f.model.clone()),
            note: (!f.reproduces).then(|| CANNOT_REPRODUCE.to_string()),
            lines: vec![Line {
                style: k,
                points: f
                    .mean
                    .iter()
                    .enumerate()
                    .map(|(t, &y)| (x(t), c.share(y)))
                    .collect(),
                band: if f.reproduces {
                    (0..f.mean.len())
                        .map(|t| (x(t), c.share(f.p05[t]), c.share(f.p95[t])))
                        .collect()
                } else {
                    Vec::new()
                },
            }],
            observed: observed.clone(),
        })
        .collect();
    render(&Figure {
        title: title.to_string(),
        subtitle: format!(
            "the {} physicians the likelihood used, seeded as observed: mean share adopted over {} replicates; one panel per theory",
            c.population, c.replicates
        ),
        x_label: format!("period ({unit}; period 1 = the observed seeds)"),
        y_label: "share of the fitted physicians".into(),
        x_range: (1.0, periods as f64),
        y_range: (0.0, nice_ceil(top * 1.04).min(1.0)),
        y_format: YFormat::Percent,
        x_integer: true,
        markers: false,
        panels,
        columns: None,
        legend_title: String::new(),
        legend: Vec::new(),
        band_note: Some("shaded: 5–95% of replicates".into()),
        observed_note: Some("observed".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::report::FittedCurve;

    #[test]
    fn a_theory_that_cannot_reproduce_gets_no_band_and_says_so() {
        let curve = |model: &str, reproduces| FittedCurve {
            model: model.into(),
            mean: vec![1.0, 3.0, 6.0],
            p05: vec![1.0, 2.0, 4.0],
            p95: vec![1.0, 4.0, 8.0],
            reproduces,
        };
        let c = FitCurves {
            population: 10,
            observed: vec![1.0, 4.0, 6.0],
            replicates: 20,
            curves: vec![curve("good", true), curve("learning", false)],
            left_out: Vec::new(),
        };
        let svg = fit_svg("t", "months", &c);
        assert!(svg.contains(CANNOT_REPRODUCE) && svg.contains("\nlearning\n"));
        assert!(svg.contains("\ngood\n"));
        // One band polygon: the reproducing theory's.
        assert_eq!(svg.matches("<polygon").count(), 1, "{svg}");
    }
}
