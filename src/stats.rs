//! Summaries of adoption curves: per-replicate metrics, per-step distributions across
//! replicates, and paired comparisons between models. Pure functions of the curves.

use crate::engine::Curve;

/// Sample quantile with linear interpolation between order statistics (Hyndman & Fan type 7,
/// the default of R and numpy). `sorted` must be ascending and non-empty.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean and sample standard deviation (0 for a single value).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, 0.0);
    }
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// 97.5% quantile of Student's t with `df` degrees of freedom (table to 3 decimals for
/// df ≤ 30, Cornish–Fisher expansion beyond, where its error is below 1e-4).
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let z = 1.959_963_985_f64;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * d.powi(3))
        }
    }
}

/// Metrics of one replicate's curve.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// Share of physicians who adopted by the last step.
    pub final_share: f64,
    /// First step with share ≥ 10% (None if never).
    pub t10: Option<u32>,
    /// First step with share ≥ 50%.
    pub t50: Option<u32>,
    /// First step with share ≥ 90%.
    pub t90: Option<u32>,
    /// Step (≥ 1) with the most new adopters, earliest on ties; None if nobody adopted after
    /// step 0.
    pub peak_step: Option<u32>,
    /// KOLs who adopted by the last step.
    pub kols_adopted: u32,
}

/// First step whose cumulative share reaches `level`.
fn first_reaching(adopters: &[u32], n: usize, level: f64) -> Option<u32> {
    // Compare counts, not rounded shares: adopters ≥ level·n.
    adopters
        .iter()
        .position(|&a| a as f64 >= level * n as f64 - 1e-9)
        .map(|s| s as u32)
}

/// Computes a replicate's metrics.
pub fn metrics(curve: &Curve, n: usize) -> Metrics {
    let adopters = curve.adopters();
    let last = *adopters.last().unwrap_or(&0);
    let mut peak: Option<(u32, u32)> = None;
    for (s, &x) in curve.new_adopters.iter().enumerate().skip(1) {
        if x > 0 && peak.is_none_or(|(_, best)| x > best) {
            peak = Some((s as u32, x));
        }
    }
    Metrics {
        final_share: last as f64 / n as f64,
        t10: first_reaching(&adopters, n, 0.1),
        t50: first_reaching(&adopters, n, 0.5),
        t90: first_reaching(&adopters, n, 0.9),
        peak_step: peak.map(|(s, _)| s),
        kols_adopted: curve.new_kol_adopters.iter().sum(),
    }
}

/// Distribution of the adoption share across replicates at one step.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepSummary {
    /// Step.
    pub step: u32,
    /// Mean share.
    pub mean: f64,
    /// Standard deviation across replicates.
    pub sd: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Replicates.
    pub replicates: usize,
}

/// Per-step summary of the share over replicates.
pub fn summarise(curves: &[Curve], n: usize) -> Vec<StepSummary> {
    let cum: Vec<Vec<u32>> = curves.iter().map(Curve::adopters).collect();
    let steps = cum.first().map(Vec::len).unwrap_or(0);
    let mut col = Vec::with_capacity(cum.len());
    let n = n as f64;
    (0..steps)
        .map(|s| {
            // Statistics of the integer counts, divided by n once: no rounding noise such
            // as a mean of 0.005000000000000004 or an sd of 1e-18 for identical replicates.
            col.clear();
            col.extend(cum.iter().map(|c| c[s] as f64));
            let (mean, sd) = mean_sd(&col);
            col.sort_by(f64::total_cmp);
            StepSummary {
                step: s as u32,
                mean: mean / n,
                sd: sd / n,
                p05: quantile(&col, 0.05) / n,
                p50: quantile(&col, 0.5) / n,
                p95: quantile(&col, 0.95) / n,
                replicates: col.len(),
            }
        })
        .collect()
}

/// A paired difference (model − baseline) over replicates, with a 95% t-interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairedDiff {
    /// Mean difference.
    pub mean: Option<f64>,
    /// Lower end of the 95% interval.
    pub lo: Option<f64>,
    /// Upper end of the 95% interval.
    pub hi: Option<f64>,
    /// Pairs used (for t50: replicates where both reached 50%).
    pub pairs: usize,
}

/// Paired difference of `a - b` over the pairs where both are present.
pub fn paired(a: &[Option<f64>], b: &[Option<f64>]) -> PairedDiff {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some((*x)? - (*y)?))
        .collect();
    if d.is_empty() {
        return PairedDiff {
            mean: None,
            lo: None,
            hi: None,
            pairs: 0,
        };
    }
    let (mean, sd) = mean_sd(&d);
    let half = if d.len() > 1 {
        t975(d.len() - 1) * sd / (d.len() as f64).sqrt()
    } else {
        f64::NAN
    };
    let (lo, hi) = if half.is_finite() {
        (Some(mean - half), Some(mean + half))
    } else {
        (None, None)
    };
    PairedDiff {
        mean: Some(mean),
        lo,
        hi,
        pairs: d.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r_type7() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&x, 0.5), 3.0);
        assert!((quantile(&x, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile(&x, 0.95) - 8.8).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles() {
        assert!((t975(10) - 2.228_138_852).abs() < 1e-3);
        assert!((t975(3) - 3.182_446_305).abs() < 1e-3);
        assert!((t975(31) - 2.039_513_446).abs() < 1e-4);
        assert!((t975(199) - 1.971_956_544).abs() < 1e-4);
    }

    #[test]
    fn metrics_of_a_curve() {
        let c = Curve {
            new_adopters: vec![1, 0, 3, 5, 1],
            new_kol_adopters: vec![1, 0, 1, 0, 0],
            ..Default::default()
        };
        let m = metrics(&c, 10);
        assert_eq!(m.final_share, 1.0);
        assert_eq!(m.t10, Some(0));
        assert_eq!(m.t50, Some(3));
        assert_eq!(m.t90, Some(3));
        assert_eq!(m.peak_step, Some(3));
        assert_eq!(m.kols_adopted, 2);
        let flat = metrics(
            &Curve {
                new_adopters: vec![0, 0],
                new_kol_adopters: vec![0, 0],
                ..Default::default()
            },
            10,
        );
        assert_eq!((flat.t10, flat.peak_step), (None, None));
    }

    #[test]
    fn identical_models_have_zero_difference() {
        let a = [Some(1.0), Some(2.0), None];
        let d = paired(&a, &a);
        assert_eq!(
            (d.mean, d.lo, d.hi, d.pairs),
            (Some(0.0), Some(0.0), Some(0.0), 2)
        );
    }
}
