//! Forward evaluation of seed sets: the scenario's own model, simulated with replicate `r`'s
//! streams for every set (common random numbers), so that differences between sets are
//! paired and their intervals narrow.

use super::objective::Objective;
use crate::engine::{Curve, EngineKind, Replicate, Scratch};
use crate::models::Prepared;
use crate::network::Network;
use crate::stats::{mean_sd, t975};
use rayon::prelude::*;

/// One model on one network realisation, ready to evaluate seed sets.
#[derive(Clone, Copy)]
pub struct Forward<'a> {
    /// The model, prepared on the realisation.
    pub model: &'a dyn Prepared,
    /// The network, KOL weights applied.
    pub net: &'a Network,
    /// `is_kol[i]`.
    pub is_kol: &'a [bool],
    /// The horizon `H` (steps simulated after step 0).
    pub steps: u32,
    /// Master seed.
    pub seed: u64,
    /// Engine for sparse networks.
    pub engine: EngineKind,
    /// What is measured.
    pub objective: Objective,
}

impl std::fmt::Debug for Forward<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward")
            .field("steps", &self.steps)
            .field("seed", &self.seed)
            .field("objective", &self.objective)
            .finish_non_exhaustive()
    }
}

impl Forward<'_> {
    /// The objective in replicate `r` with initial adopters `set` (sorted, distinct).
    pub fn one(&self, set: &[u32], r: u64, scratch: &mut Scratch) -> f64 {
        let rep = Replicate {
            net: self.net,
            is_kol: self.is_kol,
            initial: set,
            steps: self.steps,
            seed: self.seed,
            replicate: r,
        };
        let mut curve = Curve::with_steps(self.steps);
        self.model.run(self.engine, &rep, scratch, &mut curve);
        let adopters = curve.adopters();
        match self.objective {
            Objective::Adopters => adopters.last().copied().unwrap_or(0) as f64,
            Objective::AdopterSteps => adopters.iter().map(|&a| a as f64).sum(),
        }
    }

    /// The objective in replicates `0..reps` (in order; parallel over replicates).
    pub fn values(&self, set: &[u32], reps: u64) -> Vec<f64> {
        let mut s = set.to_vec();
        s.sort_unstable();
        s.dedup();
        (0..reps)
            .into_par_iter()
            .map_init(Scratch::default, |scratch, r| self.one(&s, r, scratch))
            .collect()
    }

    /// Mean objective over replicates `0..reps` (summed in replicate order).
    pub fn mean(&self, set: &[u32], reps: u64) -> f64 {
        let v = self.values(set, reps);
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }
}

/// One strategy's forward evaluation, paired against a reference set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Compared {
    /// Strategy name.
    pub strategy: String,
    /// Mean objective.
    pub mean: f64,
    /// 95% interval of the mean.
    pub lo: f64,
    /// 95% interval of the mean.
    pub hi: f64,
    /// Mean difference from the reference (this − reference), paired.
    pub diff: f64,
    /// 95% interval of the difference.
    pub diff_lo: f64,
    /// 95% interval of the difference.
    pub diff_hi: f64,
    /// Ratio of means, this / reference.
    pub ratio: f64,
    /// 95% interval of the ratio (delta method on the paired replicates).
    pub ratio_lo: f64,
    /// 95% interval of the ratio.
    pub ratio_hi: f64,
}

/// Paired comparison of `x` (per-replicate values of a strategy) with `y` (the reference's,
/// same replicates).
pub fn compare(strategy: &str, x: &[f64], y: &[f64]) -> Compared {
    let r = x.len();
    let t = t975(r.saturating_sub(1));
    let (mx, sx) = mean_sd(x);
    let (my, _) = mean_sd(y);
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    let (md, sd) = mean_sd(&d);
    let rn = (r as f64).sqrt();
    let ratio = if my > 0.0 { mx / my } else { f64::NAN };
    // Delta method: Var(x̄/ȳ) ≈ Var(x − R·y)/(n ȳ²).
    let lin: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - ratio * b).collect();
    let (_, sl) = mean_sd(&lin);
    let rse = if my > 0.0 { sl / (rn * my) } else { f64::NAN };
    let (ehw, dhw, rhw) = if r > 1 {
        (t * sx / rn, t * sd / rn, t * rse)
    } else {
        (f64::NAN, f64::NAN, f64::NAN)
    };
    Compared {
        strategy: strategy.to_string(),
        mean: mx,
        lo: mx - ehw,
        hi: mx + ehw,
        diff: md,
        diff_lo: md - dhw,
        diff_hi: md + dhw,
        ratio,
        ratio_lo: ratio - rhw,
        ratio_hi: ratio + rhw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_ratio_is_tight_when_sets_move_together() {
        let y: Vec<f64> = (0..100).map(|i| 100.0 + (i % 7) as f64 * 10.0).collect();
        let x: Vec<f64> = y.iter().map(|v| 0.9 * v).collect();
        let c = compare("x", &x, &y);
        assert!((c.ratio - 0.9).abs() < 1e-12);
        assert!(c.ratio_hi - c.ratio_lo < 1e-9);
        assert!(c.diff < 0.0 && c.diff_hi < 0.0);
    }
}
