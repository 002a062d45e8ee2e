//! Output files. Writers are pure (they return bytes); [`write_folder`] (from
//! [`crate::folder`]) puts them on disk atomically, so a results folder never looks complete
//! when it is not.

use crate::run::RunResult;
use crate::stats::{Metrics, StepSummary};
pub use crate::summary::{
    Comparison, all_metrics, comparisons, comparisons_of, few_pairs, final_users, horizon,
    summaries,
};
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

/// `dropped.csv` (when the edge lists named physicians outside the node file and
/// `unknown_ids = "drop"`): one row per endpoint dropped, `file,line,id`, in the order read.
pub fn dropped_csv(dropped: &[crate::network::edge_list::Dropped]) -> Vec<u8> {
    let mut s = String::from("file,line,id\n");
    for d in dropped {
        let _ = writeln!(
            s,
            "{},{},{}",
            csv_field(&d.path.display().to_string()),
            d.line,
            csv_field(&d.id)
        );
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
