//! The numbers of the fit report's figure and `curves.csv`: each fitted theory (the models of
//! `fitted.toml`) simulated on **exactly the physicians the likelihood used** — those with
//! known adoption (and, with controls, no missing group or covariate), on the network among
//! them — seeded as observed (the period-1 adopters; aggregate data: as many random
//! physicians), through the same [`simulated::Setup`] the simulation-based fits use, against
//! the observed cumulative adopters of that same population.
//!
//! A theory "cannot reproduce this launch" when the simulation-based fit said so, or when the
//! observed adopters by `T` lie outside the range of its replicates' final counts: then it has
//! no band (a band would suggest it describes the data). The figure itself is drawn by
//! [`crate::plot::fit_svg`], the page by [`crate::report::fit_report_html`].

use super::lrtest::num;
use super::simulated::{self, Setup};
use super::{FitReport, Prepared};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::stats::quantile;
use std::fmt::Write as _;

/// Most replicates simulated per model for the figure.
pub const MAX_REPLICATES: u32 = 200;

/// One fitted theory simulated on the fit's population.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedCurve {
    /// The model's name (as in the ranking).
    pub model: String,
    /// Mean cumulative adopters at the end of periods `1..=T`.
    pub mean: Vec<f64>,
    /// 5th percentile of cumulative adopters across replicates, per period.
    pub p05: Vec<f64>,
    /// 95th percentile of cumulative adopters across replicates, per period.
    pub p95: Vec<f64>,
    /// Whether the theory can reproduce the launch (module docs); without it, no band.
    pub reproduces: bool,
}

/// Every fitted theory simulated on the fit's population, and the observed launch there.
#[derive(Debug, Clone, PartialEq)]
pub struct FitCurves {
    /// Physicians simulated: the population of the likelihood.
    pub population: usize,
    /// Observed cumulative adopters at the end of periods `1..=T`.
    pub observed: Vec<f64>,
    /// Replicates per theory.
    pub replicates: usize,
    /// The theories, in `fitted.toml`'s order.
    pub curves: Vec<FittedCurve>,
    /// The theories of `fitted.toml` not simulated, with the reason.
    pub left_out: Vec<(String, String)>,
}

impl FitCurves {
    /// `x` adopters as a share of the fitted population.
    pub fn share(&self, x: f64) -> f64 {
        x / self.population.max(1) as f64
    }
}

/// Whether the fit itself found that `model` cannot reproduce the launch (a simulation-based
/// fit whose replicates never reach the observed adopters: its estimates have no interval).
fn fit_says_unreachable(r: &FitReport, model: &str) -> bool {
    r.models.iter().any(|m| {
        m.name == model
            && m.method == super::Method::Simulated
            && m.params.iter().any(|e| e.ci.0.is_nan())
    })
}

/// Per period, the mean and the 5th and 95th percentiles of `curves` (replicates × periods).
fn summarise(curves: &[Vec<u32>], periods: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let reps = curves.len().max(1) as f64;
    let (mut mean, mut p05, mut p95) = (Vec::new(), Vec::new(), Vec::new());
    for t in 0..periods {
        let mut col: Vec<f64> = curves
            .iter()
            .map(|c| f64::from(c.get(t).copied().unwrap_or(0)))
            .collect();
        if col.is_empty() {
            col.push(0.0);
        }
        col.sort_by(f64::total_cmp);
        mean.push(col.iter().sum::<f64>() / reps);
        p05.push(quantile(&col, 0.05));
        p95.push(quantile(&col, 0.95));
    }
    (mean, p05, p95)
}

/// Simulates every model of `fitted` (the scenario read from `fitted.toml`) on the physicians
/// `prep` fitted, seeded as observed, `min(replicates, MAX_REPLICATES)` times each. A model
/// that cannot run on this network is left out.
pub fn fit_curves(
    sc: &Scenario,
    fitted: &Scenario,
    prep: &Prepared,
    r: &FitReport,
) -> Result<FitCurves, Error> {
    let reps = fitted.replicates.clamp(2, MAX_REPLICATES);
    let setup: Setup = simulated::setup(sc, prep, reps)?;
    let periods = setup.observed.len();
    let want = setup.observed.last().copied().unwrap_or(0.0);
    let (mut curves, mut left_out) = (Vec::new(), Vec::new());
    for m in &fitted.models {
        let runs = match setup.curves(m.model.as_ref()) {
            Ok(runs) => runs,
            Err(why) => {
                left_out.push((m.name.clone(), why));
                continue;
            }
        };
        let finals: Vec<f64> = runs
            .iter()
            .map(|c| f64::from(c.last().copied().unwrap_or(0)))
            .collect();
        let lo = finals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mean, p05, p95) = summarise(&runs, periods);
        curves.push(FittedCurve {
            model: m.name.clone(),
            mean,
            p05,
            p95,
            reproduces: lo <= want && want <= hi && !fit_says_unreachable(r, &m.name),
        });
    }
    Ok(FitCurves {
        population: setup.n(),
        observed: setup.observed.clone(),
        replicates: setup.replicates(),
        curves,
        left_out,
    })
}

/// `curves.csv`: per theory and period `1..=T`, the mean simulated cumulative adopters, as a
/// share of the fitted population, its 5–95% band (empty for a theory that cannot reproduce
/// the launch) and the observed cumulative adopters and share of the same population.
pub fn curves_csv(c: &FitCurves) -> Vec<u8> {
    let mut o = String::from(
        "model,period,mean_adopters,mean_share,p05_share,p95_share,observed_adopters,observed_share,physicians\n",
    );
    for f in &c.curves {
        for t in 0..f.mean.len() {
            let obs = c.observed.get(t).copied().unwrap_or(f64::NAN);
            let band = |x: f64| {
                if f.reproduces {
                    num(c.share(x))
                } else {
                    String::new()
                }
            };
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{}",
                f.model,
                t + 1,
                num(f.mean[t]),
                num(c.share(f.mean[t])),
                band(f.p05[t]),
                band(f.p95[t]),
                num(obs),
                num(c.share(obs)),
                c.population
            );
        }
    }
    o.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_only_for_theories_that_reproduce_the_launch() {
        let c = FitCurves {
            population: 10,
            observed: vec![1.0, 5.0],
            replicates: 3,
            curves: vec![
                FittedCurve {
                    model: "a".into(),
                    mean: vec![1.0, 5.0],
                    p05: vec![1.0, 4.0],
                    p95: vec![1.0, 6.0],
                    reproduces: true,
                },
                FittedCurve {
                    model: "b".into(),
                    mean: vec![1.0, 2.0],
                    p05: vec![1.0, 2.0],
                    p95: vec![1.0, 2.0],
                    reproduces: false,
                },
            ],
            left_out: Vec::new(),
        };
        let text = String::from_utf8(curves_csv(&c)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[2], "a,2,5,0.5,0.4,0.6,5,0.5,10");
        assert_eq!(lines[4], "b,2,2,0.2,,,5,0.5,10");
    }

    #[test]
    fn percentiles_per_period() {
        let (mean, p05, p95) = summarise(&[vec![1, 2], vec![1, 4], vec![1, 6]], 2);
        assert_eq!(mean, vec![1.0, 4.0]);
        assert!(p05[1] >= 2.0 && p05[1] < 4.0 && p95[1] > 4.0 && p95[1] <= 6.0);
    }
}
