//! Figures as SVG text: the adoption curves with their 5–95% bands, the new adopters per
//! step, and a generic line plot for parameter sweeps.
//!
//! Every function here is pure: it takes numbers and returns a complete, standalone SVG
//! document as a `String` (drawn with plotters' SVG backend, so no fonts are needed to draw:
//! text stays `<text>` elements in the viewer's sans-serif font). Nothing is written to disk.
//!
//! Layout: small multiples, one panel per model (all on the same axes, so panels compare),
//! the seeding arms overlaid in each panel with one colour and line style per arm, the same
//! in every panel, and one legend to the right of the panels, outside the plotting area, so
//! it never hides a curve. An observed series, when given, is drawn as points on every panel.
//!
//! Files: `figure.rs` draws the generic figure (panels, lines, bands, legend); `run.rs` builds
//! the run figures, `segments.rs` the figure faceted by segment, and `sweep.rs` the sweep
//! figure from it, `fit.rs` the fit figure.

mod figure;
mod fit;
mod run;
mod segments;
mod sweep;

pub use fit::{CANNOT_REPRODUCE, fit_svg};
pub use run::{RunPlotOptions, adoption_svg, mean_new_adopters, new_adopters_svg};
pub use segments::{SegmentPlot, segment_title, segments_svg};
pub use sweep::{key_label, sweep_metric_svg, sweep_svg};

use plotters::style::RGBColor;

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

/// The series style index (for [`series_style`]) with colour `colour` (0–7, wrapping) and
/// dash pattern `dash` (0 solid, 1 dashed, 2 dotted, wrapping): colour and pattern chosen
/// independently, e.g. colour per model and pattern per arm.
pub fn style_index(colour: usize, dash: usize) -> usize {
    let c = colour % PALETTE.len();
    let d = dash % 3;
    // k % 8 == c and (k / 4) % 3 == d: k = c + 8 j with (c / 4 + 2 j) % 3 == d.
    let j = (2 * (d + 3 - c / 4)) % 3;
    c + 8 * j
}

/// Tick label of a share: a percentage with at most two decimals and no trailing zeros.
pub fn percent(v: f64) -> String {
    format!("{}%", trim_number(v * 100.0, 2))
}

/// A number with at most `decimals` decimals, trailing zeros (and a lone `.`) removed, and
/// no negative zero.
pub(super) fn trim_number(v: f64, decimals: usize) -> String {
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
pub(super) fn nice_ceil(x: f64) -> f64 {
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
        for c in 0..8 {
            for d in 0..3 {
                let k = style_index(c, d);
                assert_eq!(series_style(k).0, series_style(c).0);
                assert_eq!(
                    series_style(k).1,
                    [Dash::Solid, Dash::Dashed, Dash::Dotted][d]
                );
            }
        }
    }
}
