//! The terminal table comparing models.

use crate::output::Comparison;
use crate::stats::{Metrics, quantile};
use std::fmt::Write as _;

/// Median and 5–95% range of an optional metric, treating "never" as +∞.
fn steps_cell(values: impl Iterator<Item = Option<u32>>, steps: u32) -> String {
    let mut v: Vec<f64> = values
        .map(|x| x.map(f64::from).unwrap_or(f64::INFINITY))
        .collect();
    v.sort_by(f64::total_cmp);
    let f = |x: f64| {
        if x.is_finite() {
            format!("{x:.0}")
        } else {
            format!(">{steps}")
        }
    };
    let q = |p: f64| {
        // Interpolating with ∞ gives ∞ (or NaN at 0 weight): take the nearest order statistic.
        let i = ((v.len() - 1) as f64 * p).round() as usize;
        v[i]
    };
    format!("{} [{}–{}]", f(q(0.5)), f(q(0.05)), f(q(0.95)))
}

/// Renders the comparison table: final share with its 5–95% range, months to 10/50/90%
/// (median over replicates with 5–95% range), and the paired difference to the baseline.
pub fn render(
    models: &[String],
    metrics: &[Vec<Metrics>],
    cmp: &[Comparison],
    steps: u32,
) -> String {
    let header = [
        "model",
        "final share [5–95%]",
        "t10",
        "t50",
        "t90",
        "Δ final share vs baseline [95% CI]",
    ];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for ((name, ms), c) in models.iter().zip(metrics).zip(cmp) {
        let mut fs: Vec<f64> = ms.iter().map(|m| m.final_share).collect();
        fs.sort_by(f64::total_cmp);
        let mean = fs.iter().sum::<f64>() / fs.len() as f64;
        let diff = if c.model == c.baseline {
            "(baseline)".to_string()
        } else {
            match (c.final_share.mean, c.final_share.lo, c.final_share.hi) {
                (Some(m), Some(lo), Some(hi)) => format!(
                    "{:+.1} pp [{:+.1}, {:+.1}]",
                    m * 100.0,
                    lo * 100.0,
                    hi * 100.0
                ),
                (Some(m), _, _) => format!("{:+.1} pp", m * 100.0),
                _ => "-".into(),
            }
        };
        rows.push([
            name.clone(),
            format!(
                "{:.1}% [{:.1}–{:.1}]",
                mean * 100.0,
                quantile(&fs, 0.05) * 100.0,
                quantile(&fs, 0.95) * 100.0
            ),
            steps_cell(ms.iter().map(|m| m.t10), steps),
            steps_cell(ms.iter().map(|m| m.t50), steps),
            steps_cell(ms.iter().map(|m| m.t90), steps),
            diff,
        ]);
    }
    let mut width = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        for (k, (c, w)) in cells.iter().zip(width).enumerate() {
            let pad = w - c.chars().count();
            let _ = write!(
                out,
                "{}{c}{}",
                if k == 0 { "" } else { "  " },
                " ".repeat(pad)
            );
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    };
    line(&mut out, &header.map(String::from));
    line(&mut out, &width.map(|w| "-".repeat(w)));
    for r in &rows {
        line(&mut out, r);
    }
    out
}
