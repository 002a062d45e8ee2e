//! The regret table (issue 23): each compared set's expected objective as a share of each
//! theory's optimized set, with paired intervals, the weighted mean and the worst case.

use super::Ctx;
use crate::seed;
use crate::stats::{mean_sd, t975};

/// A share of a reference set's objective with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Share {
    /// The estimate.
    pub est: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// One row of the regret table.
#[derive(Debug, Clone, PartialEq)]
pub struct RegretRow {
    /// Per theory: the expected objective as a share of that theory's optimized set.
    pub shares: Vec<Share>,
    /// The weighted mean of the shares (delta-method interval over paired replicates).
    pub mean: Share,
    /// The smallest share, with that theory's interval.
    pub worst: Share,
    /// The theory of the smallest share.
    pub worst_theory: usize,
}

/// One regret row: shares of each theory's optimized set, weighted mean and worst case.
pub(super) fn regret_row(cx: &Ctx, vals: &[Vec<f64>], refs: &[&[f64]]) -> RegretRow {
    let shares: Vec<Share> = (0..cx.theories.len())
        .map(|t| {
            let c = seed::compare("", &vals[t], refs[t]);
            Share {
                est: c.ratio,
                lo: c.ratio_lo,
                hi: c.ratio_hi,
            }
        })
        .collect();
    // Weighted mean of ratios x̄_t/ȳ_t; delta method on the paired replicates:
    // L_r = Σ_t w_t (x_tr − R_t y_tr)/ȳ_t.
    let reps = vals[0].len();
    let lin: Vec<f64> = (0..reps)
        .map(|r| {
            (0..cx.theories.len())
                .map(|t| {
                    let y = refs[t];
                    let ybar = y.iter().sum::<f64>() / reps as f64;
                    if ybar > 0.0 {
                        cx.theories[t].weight * (vals[t][r] - shares[t].est * y[r]) / ybar
                    } else {
                        0.0
                    }
                })
                .sum()
        })
        .collect();
    let (_, sd) = mean_sd(&lin);
    let est: f64 = cx
        .theories
        .iter()
        .zip(&shares)
        .map(|(t, s)| t.weight * s.est)
        .sum();
    let hw = t975(reps.saturating_sub(1)) * sd / (reps as f64).sqrt();
    let (wt, ws) = shares
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.est.total_cmp(&b.1.est))
        .map(|(i, s)| (i, *s))
        .unwrap_or((0, shares[0]));
    RegretRow {
        mean: Share {
            est,
            lo: est - hw,
            hi: est + hw,
        },
        worst: ws,
        worst_theory: wt,
        shares,
    }
}
