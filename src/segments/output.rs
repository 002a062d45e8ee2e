//! The per-segment CSV files: tidy long tables with a `segment` column, laid out like
//! `curves.csv`, `summary.csv`, `metrics.csv` and `comparison.csv` (pure: they return bytes).
//! Shares are of the segment's physicians (`physicians` column).

use super::{Analysis, Segments};
use crate::output::csv_field;
use crate::run::RunResult;
use std::fmt::Write as _;

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `(arm, model)` in output order (arm-major), as the run's files.
fn series(res: &RunResult) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..res.arms.len()).flat_map(move |a| (0..res.models.len()).map(move |m| (a, m)))
}

/// `segment_curves.csv`: one row per arm, model, replicate, segment and step: new adopters,
/// cumulative adopters, their share of the segment, new KOL adopters. Summed over segments,
/// `new_adopters` and `adopters` give `curves.csv`.
pub fn curves_csv(res: &RunResult, seg: &Segments, replicate_ids: &[u64]) -> Vec<u8> {
    let mut s = String::from(
        "model,arm,replicate,segment,physicians,step,new_adopters,adopters,share,new_kol_adopters\n",
    );
    let labels: Vec<String> = seg.labels.iter().map(|l| csv_field(l)).collect();
    for (a, m) in series(res) {
        let (name, arm) = (&res.models[m], &res.arms[a]);
        for (t, &r) in seg.tallies[a][m].iter().zip(replicate_ids) {
            for (k, label) in labels.iter().enumerate() {
                let c = t.curve(k);
                let size = seg.sizes[k];
                let mut cum = 0u32;
                for (step, (&new, &kol)) in
                    c.new_adopters.iter().zip(&c.new_kol_adopters).enumerate()
                {
                    cum += new;
                    let _ = writeln!(
                        s,
                        "{name},{arm},{r},{label},{size},{step},{new},{cum},{},{kol}",
                        cum as f64 / size as f64
                    );
                }
            }
        }
    }
    s.into_bytes()
}

/// `segment_summary.csv`: per arm, model, segment and step, the distribution over replicates
/// of the share of the segment's physicians who have adopted.
pub fn summary_csv(res: &RunResult, seg: &Segments, an: &Analysis) -> Vec<u8> {
    let mut s = String::from("model,arm,segment,physicians,step,mean,sd,p05,p50,p95,replicates\n");
    for (a, m) in series(res) {
        for (k, label) in seg.labels.iter().enumerate() {
            let label = csv_field(label);
            for r in &an.summaries[k][a][m] {
                let _ = writeln!(
                    s,
                    "{},{},{label},{},{},{},{},{},{},{},{}",
                    res.models[m],
                    res.arms[a],
                    seg.sizes[k],
                    r.step,
                    r.mean,
                    r.sd,
                    r.p05,
                    r.p50,
                    r.p95,
                    r.replicates
                );
            }
        }
    }
    s.into_bytes()
}

/// `segment_metrics.csv`: one row per arm, model, replicate and segment: the final share of
/// the segment, t10/t50/t90 within it, its peak step and KOLs adopted (of its KOLs).
pub fn metrics_csv(
    res: &RunResult,
    seg: &Segments,
    an: &Analysis,
    replicate_ids: &[u64],
) -> Vec<u8> {
    let mut s = String::from(
        "model,arm,replicate,segment,physicians,final_share,t10,t50,t90,peak_step,kols_adopted,kols\n",
    );
    for (a, m) in series(res) {
        for (j, &r) in replicate_ids.iter().enumerate() {
            for (k, label) in seg.labels.iter().enumerate() {
                let x = &an.metrics[k][a][m][j];
                let _ = writeln!(
                    s,
                    "{},{},{r},{},{},{},{},{},{},{},{},{}",
                    res.models[m],
                    res.arms[a],
                    csv_field(label),
                    seg.sizes[k],
                    x.final_share,
                    opt(x.t10),
                    opt(x.t50),
                    opt(x.t90),
                    opt(x.peak_step),
                    x.kols_adopted,
                    seg.kols[k],
                );
            }
        }
    }
    s.into_bytes()
}

/// `segment_comparison.csv`: `comparison.csv` per segment (the KOL lift within each
/// segment among them), one row per segment, comparison and metric, with 95% intervals.
pub fn comparison_csv(seg: &Segments, an: &Analysis) -> Vec<u8> {
    let mut s = String::from("comparison,model,arm,reference,segment,metric,diff,lo,hi,pairs\n");
    for (k, label) in seg.labels.iter().enumerate() {
        let label = csv_field(label);
        for c in &an.comparisons[k] {
            crate::output::comparison_rows(&mut s, c, Some(&label));
        }
    }
    s.into_bytes()
}
