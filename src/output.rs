//! Output files. Writers are pure (they return bytes); [`write_folder`] puts them on disk
//! atomically: everything goes to a temporary folder that is renamed into place only when
//! complete, so a results folder never looks complete when it is not.

use crate::error::Error;
use crate::run::RunResult;
use crate::stats::{self, Metrics, StepSummary};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `curves.csv`: one row per model, replicate and step.
pub fn curves_csv(res: &RunResult, replicate_ids: &[u64]) -> Vec<u8> {
    let mut s = String::from("model,replicate,step,new_adopters,adopters,share,new_kol_adopters\n");
    for (m, name) in res.models.iter().enumerate() {
        for (c, &r) in res.curves[m].iter().zip(replicate_ids) {
            let mut cum = 0u32;
            for (step, (&new, &kol)) in c.new_adopters.iter().zip(&c.new_kol_adopters).enumerate() {
                cum += new;
                let _ = writeln!(
                    s,
                    "{name},{r},{step},{new},{cum},{},{kol}",
                    cum as f64 / res.n as f64
                );
            }
        }
    }
    s.into_bytes()
}

/// Per-model step summaries.
pub fn summaries(res: &RunResult) -> Vec<Vec<StepSummary>> {
    res.curves
        .iter()
        .map(|c| stats::summarise(c, res.n))
        .collect()
}

/// `summary.csv`: per model and step, the distribution of the share over replicates.
pub fn summary_csv(res: &RunResult, sums: &[Vec<StepSummary>]) -> Vec<u8> {
    let mut s = String::from("model,step,mean,sd,p05,p50,p95,replicates\n");
    for (name, rows) in res.models.iter().zip(sums) {
        for r in rows {
            let _ = writeln!(
                s,
                "{name},{},{},{},{},{},{},{}",
                r.step, r.mean, r.sd, r.p05, r.p50, r.p95, r.replicates
            );
        }
    }
    s.into_bytes()
}

/// Per-model, per-replicate metrics.
pub fn all_metrics(res: &RunResult) -> Vec<Vec<Metrics>> {
    res.curves
        .iter()
        .map(|cs| cs.iter().map(|c| stats::metrics(c, res.n)).collect())
        .collect()
}

/// `metrics.csv`: one row per model and replicate.
pub fn metrics_csv(res: &RunResult, metrics: &[Vec<Metrics>], replicate_ids: &[u64]) -> Vec<u8> {
    let mut s =
        String::from("model,replicate,final_share,t10,t50,t90,peak_step,kols_adopted,kols\n");
    for (name, ms) in res.models.iter().zip(metrics) {
        for (m, r) in ms.iter().zip(replicate_ids) {
            let _ = writeln!(
                s,
                "{name},{r},{},{},{},{},{},{},{}",
                m.final_share,
                opt(m.t10),
                opt(m.t50),
                opt(m.t90),
                opt(m.peak_step),
                m.kols_adopted,
                res.kols
            );
        }
    }
    s.into_bytes()
}

/// One row of `comparison.csv`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// Model.
    pub model: String,
    /// Baseline model.
    pub baseline: String,
    /// Paired difference in final share.
    pub final_share: stats::PairedDiff,
    /// Paired difference in t50 (replicates where both reached 50%).
    pub t50: stats::PairedDiff,
}

/// Paired differences of every model to the baseline.
pub fn comparisons(res: &RunResult, metrics: &[Vec<Metrics>], baseline: &str) -> Vec<Comparison> {
    let b = res.models.iter().position(|m| m == baseline).unwrap_or(0);
    let fs = |m: usize| {
        metrics[m]
            .iter()
            .map(|x| Some(x.final_share))
            .collect::<Vec<_>>()
    };
    let t50 = |m: usize| {
        metrics[m]
            .iter()
            .map(|x| x.t50.map(f64::from))
            .collect::<Vec<_>>()
    };
    res.models
        .iter()
        .enumerate()
        .map(|(m, name)| Comparison {
            model: name.clone(),
            baseline: res.models[b].clone(),
            final_share: stats::paired(&fs(m), &fs(b)),
            t50: stats::paired(&t50(m), &t50(b)),
        })
        .collect()
}

/// `comparison.csv`: per model, the paired difference to the baseline with 95% intervals.
pub fn comparison_csv(rows: &[Comparison]) -> Vec<u8> {
    let mut s = String::from(
        "model,baseline,final_share_diff,final_share_lo,final_share_hi,final_share_pairs,t50_diff,t50_lo,t50_hi,t50_pairs\n",
    );
    for c in rows {
        let (f, t) = (&c.final_share, &c.t50);
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{}",
            c.model,
            c.baseline,
            opt(f.mean),
            opt(f.lo),
            opt(f.hi),
            f.pairs,
            opt(t.mean),
            opt(t.lo),
            opt(t.hi),
            t.pairs
        );
    }
    s.into_bytes()
}

/// Writes `files` into `dir` atomically: into a hidden temporary sibling first, renamed into
/// place when every file is written. With `force`, an existing `dir` is replaced.
pub fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)], force: bool) -> Result<(), Error> {
    if dir.exists() && !force {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let leaf = dir
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".into());
    let tmp: PathBuf = parent.join(format!(".{leaf}.partial-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let result = (|| {
        for (name, bytes) in files {
            let p = tmp.join(name);
            std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
        }
        if dir.exists() {
            let old = parent.join(format!(".{leaf}.old-{}", std::process::id()));
            std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_folder_refuses_then_replaces() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("res").join("run");
        write_folder(&out, &[("a.csv", b"x\n".to_vec())], false).unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"x\n");
        assert!(matches!(
            write_folder(&out, &[], false),
            Err(Error::OutputExists(_))
        ));
        write_folder(&out, &[("b.csv", b"y\n".to_vec())], true).unwrap();
        assert!(!out.join("a.csv").exists());
        assert!(out.join("b.csv").exists());
        // No temporary folders left behind.
        let left: Vec<_> = std::fs::read_dir(d.path().join("res")).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
