//! What a run's curves say, before any file is written: per-step summaries, per-replicate
//! metrics, the mean final share of users and the paired comparisons (model vs baseline
//! model, arm vs reference arm). Pure and deterministic; the writers in [`crate::output`],
//! [`crate::report`] and [`crate::plot`] turn these into bytes.

use crate::run::RunResult;
use crate::stats::{self, Metrics, StepSummary};

/// Per-arm, per-model step summaries: `[arm][model]`.
pub fn summaries(res: &RunResult) -> Vec<Vec<Vec<StepSummary>>> {
    res.curves
        .iter()
        .map(|by_model| {
            by_model
                .iter()
                .map(|c| stats::summarise(c, res.n))
                .collect()
        })
        .collect()
}

/// Per-arm, per-model, per-replicate metrics: `[arm][model][replicate]`.
pub fn all_metrics(res: &RunResult) -> Vec<Vec<Vec<Metrics>>> {
    res.curves
        .iter()
        .map(|by_model| {
            by_model
                .iter()
                .map(|cs| cs.iter().map(|c| stats::metrics(c, res.n)).collect())
                .collect()
        })
        .collect()
}

/// Mean share of current users at the last step, `[arm][model]`.
pub fn final_users(res: &RunResult) -> Vec<Vec<f64>> {
    res.curves
        .iter()
        .map(|by_model| {
            by_model
                .iter()
                .map(|cs| {
                    let total: f64 = cs
                        .iter()
                        .map(|c| c.users.last().copied().unwrap_or(0) as f64)
                        .sum();
                    total / (cs.len().max(1) as f64 * res.n as f64)
                })
                .collect()
        })
        .collect()
}

/// One paired comparison: a model against the baseline model within an arm, or an arm
/// against the reference arm within a model (the KOL lift).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// `model_vs_baseline` or `arm_vs_reference`.
    pub kind: &'static str,
    /// Arm.
    pub arm: String,
    /// Model.
    pub model: String,
    /// What it is compared with (the baseline model or the reference arm).
    pub reference: String,
    /// Paired difference in final share.
    pub final_share: stats::PairedDiff,
    /// Paired difference in t10 (replicates where both reached 10%).
    pub t10: stats::PairedDiff,
    /// Paired difference in t50 (replicates where both reached 50%).
    pub t50: stats::PairedDiff,
    /// Paired difference in the restricted time to 50%: t50, or the horizon (the last step)
    /// where 50% was not reached. Defined on every replicate, so no pair is left out and no
    /// selection on reaching the level biases it; its mean is the restricted mean time to
    /// 50% within the horizon.
    pub t50_restricted: stats::PairedDiff,
}

/// Fewest replicate pairs a difference should rest on before the report and the table flag it
/// ("few pairs"): 30, or half the replicates when there are fewer than 60.
pub fn few_pairs(pairs: usize, replicates: usize) -> bool {
    pairs < 30.min(replicates.div_ceil(2)).max(1) || pairs < replicates / 10
}

fn diff(
    kind: &'static str,
    (arm, model, reference): (&str, &str, &str),
    x: &[Metrics],
    y: &[Metrics],
    horizon: u32,
) -> Comparison {
    let fs = |v: &[Metrics]| v.iter().map(|m| Some(m.final_share)).collect::<Vec<_>>();
    let t = |v: &[Metrics], f: fn(&Metrics) -> Option<u32>| {
        v.iter().map(|m| f(m).map(f64::from)).collect::<Vec<_>>()
    };
    Comparison {
        kind,
        arm: arm.to_string(),
        model: model.to_string(),
        reference: reference.to_string(),
        final_share: stats::paired(&fs(x), &fs(y)),
        t10: stats::paired(&t(x, |m| m.t10), &t(y, |m| m.t10)),
        t50: stats::paired(&t(x, |m| m.t50), &t(y, |m| m.t50)),
        t50_restricted: {
            let r = |v: &[Metrics]| {
                v.iter()
                    .map(|m| Some(f64::from(m.t50.unwrap_or(horizon).min(horizon))))
                    .collect::<Vec<_>>()
            };
            stats::paired(&r(x), &r(y))
        },
    }
}

/// The last step of a run's curves (the horizon of restricted times).
pub fn horizon(res: &RunResult) -> u32 {
    res.curves
        .iter()
        .flatten()
        .flatten()
        .map(|c| c.new_adopters.len().saturating_sub(1))
        .max()
        .unwrap_or(0) as u32
}

/// Paired differences: every model against the baseline model within each arm, then every
/// arm against the reference arm within each model (only when there are several arms).
pub fn comparisons(
    res: &RunResult,
    metrics: &[Vec<Vec<Metrics>>],
    baseline: &str,
    reference_arm: &str,
) -> Vec<Comparison> {
    comparisons_of(
        (&res.models, &res.arms),
        metrics,
        baseline,
        reference_arm,
        horizon(res),
    )
}

/// [`comparisons`] of any `metrics[arm][model][replicate]` (a run's, or one segment's) named
/// by `(models, arms)`, with restricted times capped at `horizon`.
pub fn comparisons_of(
    (models, arms): (&[String], &[String]),
    metrics: &[Vec<Vec<Metrics>>],
    baseline: &str,
    reference_arm: &str,
    h: u32,
) -> Vec<Comparison> {
    let b = models.iter().position(|m| m == baseline).unwrap_or(0);
    let ra = arms.iter().position(|a| a == reference_arm).unwrap_or(0);
    let mut out = Vec::new();
    for a in 0..arms.len() {
        for m in 0..models.len() {
            out.push(diff(
                "model_vs_baseline",
                (&arms[a], &models[m], &models[b]),
                &metrics[a][m],
                &metrics[a][b],
                h,
            ));
        }
    }
    if arms.len() > 1 {
        for (m, model) in models.iter().enumerate() {
            for (a, arm) in arms.iter().enumerate() {
                out.push(diff(
                    "arm_vs_reference",
                    (arm, model, &arms[ra]),
                    &metrics[a][m],
                    &metrics[ra][m],
                    h,
                ));
            }
        }
    }
    out
}
