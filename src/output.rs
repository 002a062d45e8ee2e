//! Output files. Writers are pure (they return bytes); [`write_folder`] (from
//! [`crate::folder`]) puts them on disk atomically, so a results folder never looks complete
//! when it is not.

use crate::run::RunResult;
use crate::stats::{self, Metrics, StepSummary};
use std::fmt::Write as _;

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Iterates `(arm index, model index)` in output order (arm-major).
fn series(res: &RunResult) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..res.arms.len()).flat_map(move |a| (0..res.models.len()).map(move |m| (a, m)))
}

/// `curves.csv`: one row per arm, model, replicate and step. `adopters` counts everyone who
/// ever adopted; `users` the current users (they differ only when physicians discontinue).
pub fn curves_csv(res: &RunResult, replicate_ids: &[u64]) -> Vec<u8> {
    let mut s = String::from(
        "model,arm,replicate,step,new_adopters,adopters,share,new_kol_adopters,discontinued,users\n",
    );
    for (a, m) in series(res) {
        let (name, arm) = (&res.models[m], &res.arms[a]);
        for (c, &r) in res.curves[a][m].iter().zip(replicate_ids) {
            let mut cum = 0u32;
            for step in 0..c.new_adopters.len() {
                let new = c.new_adopters[step];
                cum += new;
                let _ = writeln!(
                    s,
                    "{name},{arm},{r},{step},{new},{cum},{},{},{},{}",
                    cum as f64 / res.n as f64,
                    c.new_kol_adopters[step],
                    c.discontinued.get(step).copied().unwrap_or(0),
                    c.users.get(step).copied().unwrap_or(cum),
                );
            }
        }
    }
    s.into_bytes()
}

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

/// `summary.csv`: per arm, model and step, the distribution of the share over replicates.
pub fn summary_csv(res: &RunResult, sums: &[Vec<Vec<StepSummary>>]) -> Vec<u8> {
    let mut s = String::from("model,arm,step,mean,sd,p05,p50,p95,replicates\n");
    for (a, m) in series(res) {
        for r in &sums[a][m] {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{}",
                res.models[m], res.arms[a], r.step, r.mean, r.sd, r.p05, r.p50, r.p95, r.replicates
            );
        }
    }
    s.into_bytes()
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

/// `metrics.csv`: one row per arm, model and replicate.
pub fn metrics_csv(
    res: &RunResult,
    metrics: &[Vec<Vec<Metrics>>],
    replicate_ids: &[u64],
) -> Vec<u8> {
    let mut s = String::from(
        "model,arm,replicate,final_share,t10,t50,t90,peak_step,kols_adopted,kols,final_users,discontinued,kol_tie_share\n",
    );
    for (a, m) in series(res) {
        let ties = res.kol_tie_share.get(a).and_then(|v| v.get(m));
        for (k, ((x, r), c)) in metrics[a][m]
            .iter()
            .zip(replicate_ids)
            .zip(&res.curves[a][m])
            .enumerate()
        {
            let _ = writeln!(
                s,
                "{},{},{r},{},{},{},{},{},{},{},{},{},{}",
                res.models[m],
                res.arms[a],
                x.final_share,
                opt(x.t10),
                opt(x.t50),
                opt(x.t90),
                opt(x.peak_step),
                x.kols_adopted,
                res.kols,
                c.users.last().copied().unwrap_or(0),
                c.discontinued.iter().sum::<u32>(),
                opt(ties.and_then(|v| v.get(k).copied().flatten())),
            );
        }
    }
    s.into_bytes()
}

/// `adoptions.csv` (with `--record adoptions`): one row per adoption, with physicians and
/// influencers under their original ids.
pub fn adoptions_csv(
    res: &RunResult,
    replicate_ids: &[u64],
    net: &crate::network::Network,
) -> Vec<u8> {
    let mut s = String::from("model,arm,replicate,physician,step,channel,influencer\n");
    for (a, m) in series(res) {
        for (recs, r) in res.records[a][m].iter().zip(replicate_ids) {
            for x in recs {
                let _ = writeln!(
                    s,
                    "{},{},{r},{},{},{},{}",
                    res.models[m],
                    res.arms[a],
                    csv_field(&net.id(x.node as usize)),
                    x.step,
                    x.channel.name(),
                    x.influencer
                        .map(|j| csv_field(&net.id(j as usize)))
                        .unwrap_or_default()
                );
            }
        }
    }
    s.into_bytes()
}

/// Quotes a CSV field when it needs it.
pub(crate) fn csv_field(x: &str) -> String {
    if x.contains([',', '"', '\n']) {
        format!("\"{}\"", x.replace('"', "\"\""))
    } else {
        x.to_string()
    }
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

/// `comparison.csv`: tidy, one row per comparison and metric, with 95% intervals. The
/// metrics: `final_share`, `t10` and `t50` (over the pairs where both reached the level) and
/// `t50_restricted` (t50 capped at the horizon, over every pair).
pub fn comparison_csv(rows: &[Comparison]) -> Vec<u8> {
    let mut s = String::from("comparison,model,arm,reference,metric,diff,lo,hi,pairs\n");
    for c in rows {
        comparison_rows(&mut s, c, None);
    }
    s.into_bytes()
}

/// Appends the four metric rows of `c` (`final_share`, `t10`, `t50`, `t50_restricted`) in the
/// columns of `comparison.csv`, with a `segment` column after `reference` when given (already
/// CSV-quoted).
pub(crate) fn comparison_rows(s: &mut String, c: &Comparison, segment: Option<&str>) {
    let segment = segment.map(|l| format!(",{l}")).unwrap_or_default();
    for (metric, d) in [
        ("final_share", &c.final_share),
        ("t10", &c.t10),
        ("t50", &c.t50),
        ("t50_restricted", &c.t50_restricted),
    ] {
        let _ = writeln!(
            s,
            "{},{},{},{}{segment},{metric},{},{},{},{}",
            c.kind,
            c.model,
            c.arm,
            c.reference,
            opt(d.mean),
            opt(d.lo),
            opt(d.hi),
            d.pairs
        );
    }
}

/// Re-exported from [`crate::folder`].
pub use crate::folder::write_folder;
