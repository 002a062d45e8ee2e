//! The `seed` figure: one horizontal bar per compared set, its expected objective as a share
//! of the reference (optimized) set, with the 95% paired interval as a whisker, an optional
//! marker per set (the worst case over theories), and a line at 100%. Hand-written SVG (no
//! fonts needed), pure.

use std::fmt::Write as _;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The set's name.
    pub label: String,
    /// The share (1 = the reference set).
    pub est: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
    /// An optional second value drawn as a diamond (the worst case).
    pub mark: Option<f64>,
}

fn esc(s: &str) -> String {
    super::page::escape(s)
}

/// The chart: `title` above, `axis` under the scale, `mark_label` in the legend when some bar
/// has a mark.
pub fn bars_svg(title: &str, axis: &str, mark_label: &str, bars: &[Bar]) -> String {
    let (left, right, top, row) = (300.0, 40.0, 48.0, 26.0);
    let plot_w = 560.0;
    let w = left + plot_w + right;
    let h = top + row * bars.len() as f64 + 56.0;
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    let max = bars
        .iter()
        .flat_map(|b| [finite(b.hi), finite(b.est), b.mark.map_or(0.0, finite)])
        .fold(1.0f64, f64::max);
    let scale = (max * 10.0).ceil() / 10.0;
    let x = |v: f64| left + plot_w * (finite(v).max(0.0) / scale).min(1.0);
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n",
        w / 2.0,
        esc(title)
    );
    let bottom = top + row * bars.len() as f64;
    let mut tick = 0.0;
    while tick <= scale + 1e-9 {
        let _ = write!(
            o,
            "<line x1=\"{0:.1}\" y1=\"{top}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"#d9dee3\"/>\n<text x=\"{0:.1}\" y=\"{1}\" text-anchor=\"middle\" fill=\"#5b6670\">{2:.0}%</text>\n",
            x(tick),
            bottom + 16.0,
            100.0 * tick
        );
        tick += if scale > 1.2 { 0.25 } else { 0.2 };
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#0072b2\" fill-opacity=\"0.75\"/>\n",
            left - 8.0,
            y + row * 0.62,
            esc(&b.label),
            y + 5.0,
            x(b.est) - left,
            row - 10.0
        );
        if b.lo.is_finite() && b.hi.is_finite() {
            let _ = writeln!(
                o,
                "<line x1=\"{:.1}\" y1=\"{2:.1}\" x2=\"{:.1}\" y2=\"{2:.1}\" stroke=\"#1d2329\" stroke-width=\"1.5\"/>",
                x(b.lo),
                x(b.hi),
                y + row / 2.0
            );
        }
        if let Some(m) = b.mark.filter(|m| m.is_finite()) {
            let (cx, cy) = (x(m), y + row / 2.0);
            let _ = writeln!(
                o,
                "<path d=\"M{:.1},{cy:.1} L{cx:.1},{:.1} L{:.1},{cy:.1} L{cx:.1},{:.1} Z\" fill=\"#D55E00\"/>",
                cx - 5.0,
                cy - 5.0,
                cx + 5.0,
                cy + 5.0
            );
        }
    }
    let _ = write!(
        o,
        "<line x1=\"{0:.1}\" y1=\"{top}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"#1d2329\" stroke-dasharray=\"4 3\"/>\n<text x=\"{1}\" y=\"{2}\" text-anchor=\"middle\">{3}</text>\n",
        x(1.0),
        left + plot_w / 2.0,
        bottom + 36.0,
        esc(axis)
    );
    if bars.iter().any(|b| b.mark.is_some()) {
        let _ = writeln!(
            o,
            "<path d=\"M{0},{1} L{2},{3} L{4},{1} L{2},{5} Z\" fill=\"#D55E00\"/><text x=\"{6}\" y=\"{7}\">{8}</text>",
            left,
            bottom + 48.0,
            left + 5.0,
            bottom + 43.0,
            left + 10.0,
            bottom + 53.0,
            left + 16.0,
            bottom + 52.0,
            esc(mark_label)
        );
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_set_escaped() {
        let s = bars_svg(
            "t",
            "share",
            "worst",
            &[Bar {
                label: "a<b".into(),
                est: 0.5,
                lo: 0.4,
                hi: 0.6,
                mark: Some(0.3),
            }],
        );
        assert!(s.contains("a&lt;b") && s.contains("<path") && s.ends_with("</svg>\n"));
    }
}
