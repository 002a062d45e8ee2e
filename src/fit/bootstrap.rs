//! `--bootstrap N`: a parametric bootstrap of the verdict's likelihood-ratio test, for when the
//! asymptotic (boundary-corrected) reference is in doubt — few adoptions, many periods.
//!
//! The launch is simulated `N` times under the fitted null (the same controls without the
//! network term: the constant rate p̂, or the per-period rates p̂_t) from the observed period-1
//! adopters — under the null a physician at risk adopts with the period's rate, whatever
//! its advisers do — and both models are refitted to each: `p = (1 + #{LR* ≥ LR}) / (N + 1)`.
//! Replicate `b` draws from its own random stream of the scenario's seed, so the p-value
//! depends on the scenario only, not on the number of threads.

use super::data::{self, Design, NEVER};
use super::estimate::period_maximum;
use super::models::Candidate;
use super::{FitReport, Prepared, maximum};
use crate::rng::{Purpose, stream};
use rand::RngExt;
use rayon::prelude::*;

/// Stream indices of the bootstrap's replicates start here (apart from the permutation
/// test's).
const STREAM_BASE: u64 = 1 << 40;

/// Adoption periods of one launch simulated under the null: the observed seeds adopt in
/// period 1; anyone else in period t ≥ 2 with probability `rates[t]`.
pub fn simulate_null(tau: &[u32], rates: &[f64], periods: u32, seed: u64, b: u64) -> Vec<u32> {
    let mut rng = stream(seed, Purpose::Dynamics, STREAM_BASE + b);
    tau.iter()
        .map(|&t| {
            if t == 1 {
                return 1;
            }
            (2..=periods)
                .find(|&s| rng.random::<f64>() < rates[s as usize])
                .unwrap_or(NEVER)
        })
        .collect()
}

/// Adds the bootstrap p-value to the test the verdict reports (none when that test is not
/// a likelihood-ratio test or `n` is 0).
pub fn apply(prep: &Prepared, r: &mut FitReport, n: u32) {
    let Some((name, c, pe, stat)) = super::verdict::tested_model(r).and_then(|m| {
        Some((
            m.name.clone(),
            m.candidate?,
            m.period_effects,
            m.lr.as_ref()?.stat,
        ))
    }) else {
        return;
    };
    let (Some(net), true) = (&prep.net, n > 0 && c != Candidate::Detailing) else {
        return;
    };
    let periods = prep.facts.periods;
    let mut rates = vec![0.0; periods as usize + 1];
    let null = if pe { "period_effects" } else { "innovation" };
    let Some(m0) = r.models.iter().find(|m| m.name == null) else {
        return;
    };
    if pe {
        for &(t, p) in &m0.period_rates {
            rates[t as usize] = p;
        }
    } else if let Some(p) = m0.params.first() {
        rates.iter_mut().for_each(|x| *x = p.value);
    }
    let design_net = match c.design() {
        Design::Similar => match &prep.similar {
            Ok(s) => s,
            Err(_) => return,
        },
        _ => net,
    };
    let stats: Vec<f64> = (0..u64::from(n))
        .into_par_iter()
        .map(|b| {
            let tau = simulate_null(&prep.tau, &rates, periods, prep.seed, b);
            let cells = data::cells(design_net, &tau, periods, &[c.design()], pe).remove(0);
            let (ll0, ll1) = if pe {
                (
                    period_maximum(None, &cells).1,
                    period_maximum(Some(c), &cells).1,
                )
            } else {
                let (r, y) = cells.iter().fold((0.0, 0.0), |a, x| (a.0 + x.r, a.1 + x.y));
                let p0 = if r > 0.0 { y / r } else { 0.0 };
                (
                    maximum(Candidate::Innovation, &cells, p0).1,
                    maximum(c, &cells, p0).1,
                )
            };
            (2.0 * (ll1 - ll0)).max(0.0)
        })
        .collect();
    let exceed = stats.iter().filter(|&&s| s >= stat - 1e-9).count();
    if let Some(t) = r
        .models
        .iter_mut()
        .find(|m| m.name == name)
        .and_then(|m| m.lr.as_mut())
    {
        t.p_bootstrap = Some((1 + exceed) as f64 / (f64::from(n) + 1.0));
        t.bootstrap = n;
    }
}
