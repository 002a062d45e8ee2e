//! One grid point: running it and its `rows.csv` (one row per model × arm, metric statistics
//! over replicates), in memory.

use super::grid::{Grid, point_scenario};
use super::row::{Lift, Stats, SweepRow, TimeStats};
use crate::error::Error;
use crate::output;
use crate::run::{self, RunOptions};
use crate::scenario::Scenario;

/// The files of a point folder, in the order they are written.
pub const POINT_FILES: [&str; 2] = ["rows.csv", "summary.csv"];

/// Runs point `k` in memory: its [`POINT_FILES`], `rows.csv` (one row per model × arm,
/// metric statistics over replicates) and `summary.csv` (the run's). Writes nothing; the
/// sweep folder (`jobs`) puts them on disk.
pub fn run_point(
    base: &Scenario,
    grid: &Grid,
    k: usize,
    threads: usize,
) -> Result<[(&'static str, Vec<u8>); 2], Error> {
    let sc = point_scenario(base, grid, k)?;
    let ids: Vec<u64> = (0..sc.replicates as u64).collect();
    let res = run::run(
        &sc,
        &ids,
        RunOptions {
            threads,
            record: false,
        },
        &|| {},
    )?;
    let metrics = output::all_metrics(&res);
    let comparisons = output::comparisons(&res, &metrics, &sc.baseline, &sc.reference_arm);
    let values = grid.point(k);
    let several_arms = res.arms.len() > 1;
    let mut rows = String::new();
    for (a, arm) in res.arms.iter().enumerate() {
        for (m, model) in res.models.iter().enumerate() {
            let ms = &metrics[a][m];
            let n = ms.len();
            let time = |f: fn(&crate::stats::Metrics) -> Option<u32>| {
                let v: Vec<f64> = ms.iter().filter_map(|x| f(x).map(f64::from)).collect();
                TimeStats {
                    reached: v.len() as f64 / n.max(1) as f64,
                    stats: Stats::of(v),
                }
            };
            let lift = comparisons
                .iter()
                .find(|c| {
                    c.kind == "arm_vs_reference"
                        && c.arm == *arm
                        && c.model == *model
                        && c.reference != *arm
                })
                .map_or(Lift::default(), |c| Lift {
                    mean: c.final_share.mean,
                    lo: c.final_share.lo,
                    hi: c.final_share.hi,
                });
            let row = SweepRow {
                point: k,
                values: values.clone(),
                model: model.clone(),
                arm: arm.clone(),
                replicates: n,
                final_share: Stats::of(ms.iter().map(|x| x.final_share).collect()),
                t10: time(|x| x.t10),
                t50: time(|x| x.t50),
                t90: time(|x| x.t90),
                peak_step: Stats::of(
                    ms.iter()
                        .filter_map(|x| x.peak_step.map(f64::from))
                        .collect(),
                ),
                lift,
            };
            row.write_csv(&mut rows, several_arms);
        }
    }
    let sums = output::summaries(&res);
    Ok([
        (POINT_FILES[0], rows.into_bytes()),
        (POINT_FILES[1], output::summary_csv(&res, &sums)),
    ])
}
