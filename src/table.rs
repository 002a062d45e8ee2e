//! The terminal table comparing models.

use crate::output::Comparison;
use crate::stats::{Metrics, quantile};
use std::fmt::Write as _;

/// Median and 5–95% range of an optional metric, treating "never" as +∞.
pub fn steps_cell(values: impl Iterator<Item = Option<u32>>, steps: u32) -> String {
    let mut v: Vec<f64> = values
        .map(|x| x.map(f64::from).unwrap_or(f64::INFINITY))
        .collect();
    if v.is_empty() {
        return "-".into();
    }
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
    let (mid, lo, hi) = (q(0.5), q(0.05), q(0.95));
    if lo == hi {
        // Every replicate in the range agrees: one number says it.
        return f(mid);
    }
    format!("{} [{}–{}]", f(mid), f(lo), f(hi))
}

/// Mean final share with its 5–95% range over replicates, in percent (one number when the
/// range is a single value): the mean, as the figures, the executive summary and the paired
/// differences beside it, labelled `mean [5–95%]` wherever it is shown.
pub fn share_cell(ms: &[Metrics]) -> String {
    if ms.is_empty() {
        return "-".into();
    }
    let mut fs: Vec<f64> = ms.iter().map(|x| x.final_share).collect();
    fs.sort_by(f64::total_cmp);
    let (mid, lo, hi) = (
        fs.iter().sum::<f64>() / fs.len() as f64 * 100.0,
        quantile(&fs, 0.05) * 100.0,
        quantile(&fs, 0.95) * 100.0,
    );
    if format!("{lo:.1}") == format!("{hi:.1}") {
        return format!("{mid:.1}%");
    }
    format!("{mid:.1}% [{lo:.1}–{hi:.1}]")
}

/// A signed number with one decimal, never `-0.0` or `+0.0` (zero prints as `0.0`).
pub fn signed1(x: f64) -> String {
    signed_dec(x, 1)
}

/// A signed number with `dec` decimals; zero (including `-0`) prints unsigned.
pub fn signed_dec(x: f64, dec: usize) -> String {
    let s = format!("{x:+.dec$}");
    if s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// The KOL lift: the comparisons of each arm with the reference arm (none when every arm is
/// the reference), in model order.
pub fn kol_lift(cmp: &[Comparison]) -> Vec<&Comparison> {
    cmp.iter()
        .filter(|c| c.kind == "arm_vs_reference" && c.arm != c.reference)
        .collect()
}

/// A KOL-lift row's first cells: model, arm and the Δ final share in percentage points (the
/// terminal table and the report's lift table go on with their own).
pub fn lift_row(c: &Comparison, rest: impl IntoIterator<Item = String>) -> Vec<String> {
    [
        c.model.clone(),
        c.arm.clone(),
        diff_cell(&c.final_share, 100.0, " pp"),
    ]
    .into_iter()
    .chain(rest)
    .collect()
}

/// A paired difference with its 95% interval, scaled (100 for percentage points).
pub fn diff_cell(d: &crate::stats::PairedDiff, scale: f64, unit: &str) -> String {
    match (d.mean, d.lo, d.hi) {
        (Some(m), Some(lo), Some(hi)) => format!(
            "{}{unit} [{}, {}]",
            signed1(m * scale),
            signed1(lo * scale),
            signed1(hi * scale)
        ),
        (Some(m), _, _) => format!("{}{unit}", signed1(m * scale)),
        _ => "-".into(),
    }
}

/// Notes how many replicate pairs a time difference rests on when some never reached the
/// level (the others are left out of the difference).
fn with_pairs(cell: String, d: &crate::stats::PairedDiff, all: usize) -> String {
    if d.mean.is_some() && d.pairs < all {
        if crate::output::few_pairs(d.pairs, all) {
            format!("{cell} (n={}, few)", d.pairs)
        } else {
            format!("{cell} (n={})", d.pairs)
        }
    } else {
        cell
    }
}

fn render_rows(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut l = String::new();
        for (k, (c, w)) in cells.iter().zip(&width).enumerate() {
            let pad = w - c.chars().count();
            let _ = write!(
                l,
                "{}{c}{}",
                if k == 0 { "" } else { "  " },
                " ".repeat(pad)
            );
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    line(&width.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    for r in rows {
        line(r);
    }
    out
}

/// Renders the comparison tables: per arm, each model's mean final share with its 5–95% range,
/// the mean share of current users at the end (below the final share when physicians
/// discontinued), steps to 10/50/90% (headed in `unit`, e.g. `months`) (median over replicates with 5–95% range) and the paired difference to
/// the baseline model; then, with several arms, the KOL lift: each arm's paired difference
/// to the reference arm, per model.
pub fn render(
    models: &[String],
    arms: &[String],
    metrics: &[Vec<Vec<Metrics>>],
    users: &[Vec<f64>],
    cmp: &[Comparison],
    steps: u32,
    unit: &str,
) -> String {
    let header = [
        "model",
        "final share, mean [5–95%]",
        "users at end",
        "t10",
        "t50",
        "t90",
        "Δ final share vs baseline [95% CI]",
    ];
    let mut out = String::new();
    for (a, arm) in arms.iter().enumerate() {
        let mut rows = Vec::new();
        for (m, name) in models.iter().enumerate() {
            let ms = &metrics[a][m];
            let c = cmp
                .iter()
                .find(|c| c.kind == "model_vs_baseline" && &c.arm == arm && &c.model == name);
            let d = match c {
                Some(c) if c.model == c.reference => "(baseline)".to_string(),
                Some(c) => diff_cell(&c.final_share, 100.0, " pp"),
                None => "-".into(),
            };
            rows.push(vec![
                name.clone(),
                share_cell(ms),
                format!("{:.1}%", users[a][m] * 100.0),
                steps_cell(ms.iter().map(|x| x.t10), steps),
                steps_cell(ms.iter().map(|x| x.t50), steps),
                steps_cell(ms.iter().map(|x| x.t90), steps),
                d,
            ]);
        }
        if arms.len() > 1 {
            let _ = writeln!(out, "arm: {arm}");
        }
        out.push_str(&render_rows(&header, &rows));
        if arms.len() > 1 {
            out.push('\n');
        }
    }
    let lift = kol_lift(cmp);
    if !lift.is_empty() {
        let _ = writeln!(
            out,
            "KOL lift: paired difference to the reference arm \"{}\" [95% CI]",
            lift[0].reference
        );
        let rows: Vec<Vec<String>> = lift
            .iter()
            .map(|c| {
                lift_row(
                    c,
                    [
                        diff_cell(&c.t50_restricted, 1.0, ""),
                        with_pairs(diff_cell(&c.t10, 1.0, ""), &c.t10, c.final_share.pairs),
                    ],
                )
            })
            .collect();
        out.push_str(&render_rows(
            &[
                "model",
                "arm",
                "Δ final share",
                &format!("Δ {unit} to 50%*"),
                &format!("Δ t10 ({unit})"),
            ],
            &rows,
        ));
        out.push_str(
            "* a replicate not reaching 50% counts as the last step, so every pair counts.\n\
             (n=...): pairs where both reached 10%; \"few\": too few to rely on.\n",
        );
    }
    out
}
