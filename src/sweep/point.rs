//! One grid point: running it, its `rows.csv` (one row per model × arm, metric statistics
//! over replicates), and its completion marker.

use super::grid::{Grid, point_scenario};
use super::row::{Lift, Stats, SweepRow, TimeStats};
use crate::error::Error;
use crate::folder;
use crate::output;
use crate::run::{self, RunOptions};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

pub(super) fn point_dir(dir: &Path, k: usize) -> PathBuf {
    dir.join("points").join(format!("point-{k:05}"))
}

/// The completion marker of a point folder, written last: the size and checksum of each file.
const COMPLETE: &str = "complete.json";

/// The files of a point folder that its completion marker vouches for.
const POINT_FILES: [&str; 2] = ["rows.csv", "summary.csv"];

/// The completion marker for a point's files.
fn completion_marker(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    for (name, bytes) in files {
        m.insert(
            (*name).to_string(),
            serde_json::json!({ "bytes": bytes.len(), "fnv1a64": format!("{:016x}", folder::checksum(bytes)) }),
        );
    }
    let mut v = serde_json::to_vec_pretty(&serde_json::Value::Object(m)).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Checks point `k`: `Ok(None)` if it is complete (its marker exists and every file matches
/// it), `Ok(Some(why))` if it is missing or incomplete, naming the file.
pub(super) fn point_state(dir: &Path, k: usize) -> Option<String> {
    let p = point_dir(dir, k);
    let marker = p.join(COMPLETE);
    let Ok(text) = std::fs::read_to_string(&marker) else {
        return Some(if p.exists() {
            format!(
                "{}: no completion marker (interrupted or written by an older kolsim)",
                marker.display()
            )
        } else {
            format!("{}: not run", p.display())
        });
    };
    let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Some(format!(
            "{}: unreadable completion marker",
            marker.display()
        ));
    };
    for name in POINT_FILES {
        let f = p.join(name);
        let Ok(bytes) = std::fs::read(&f) else {
            return Some(format!("{}: missing", f.display()));
        };
        let want = (&m[name]["bytes"], &m[name]["fnv1a64"]);
        let have = format!("{:016x}", folder::checksum(&bytes));
        if want.0.as_u64() != Some(bytes.len() as u64) || want.1.as_str() != Some(have.as_str()) {
            return Some(format!(
                "{}: does not match its completion marker ({} bytes; truncated or edited?)",
                f.display(),
                bytes.len()
            ));
        }
    }
    None
}

/// Whether point `k` has finished: its completion marker (written last) exists and its files
/// match the sizes and checksums the marker records. An empty, truncated or edited point file
/// means "not done", so `--resume` runs the point again.
pub fn is_done(dir: &Path, k: usize) -> bool {
    point_state(dir, k).is_none()
}

/// Runs point `k` and writes its folder atomically.
pub fn run_point(
    base: &Scenario,
    grid: &Grid,
    k: usize,
    dir: &Path,
    threads: usize,
) -> Result<(), Error> {
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
    let mut files = vec![
        (POINT_FILES[0], rows.into_bytes()),
        (POINT_FILES[1], output::summary_csv(&res, &sums)),
    ];
    files.push((COMPLETE, completion_marker(&files)));
    folder::write_folder_unchecked(&point_dir(dir, k), &files)
}
