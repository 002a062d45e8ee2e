//! The sweep folder: `grid.json`, the point folders (`points/point-<k>/`, each with a
//! checksummed completion marker written last), and merging finished points into
//! `sweep.csv`, `summary.csv`, `manifest.json`, the plots and the report.

use crate::error::Error;
use crate::folder;
use crate::jobs::outputs::SWEEP;
use crate::scenario::Scenario;
use crate::sweep::point::POINT_FILES;
use crate::sweep::row::{Metric, SweepRow, parse_rows, sweep_csv};
use crate::sweep::{Grid, run_point};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn point_dir(dir: &Path, k: usize) -> PathBuf {
    dir.join(folder::SWEEP_POINTS).join(format!("point-{k:05}"))
}

/// The completion marker of a point folder, written last: the size and checksum of each file.
const COMPLETE: &str = "complete.json";

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
fn point_state(dir: &Path, k: usize) -> Option<String> {
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
pub fn run_point_folder(
    base: &Scenario,
    grid: &Grid,
    k: usize,
    dir: &Path,
    threads: usize,
) -> Result<(), Error> {
    let mut files = run_point(base, grid, k, threads)?.to_vec();
    files.push((COMPLETE, completion_marker(&files)));
    folder::write_folder_unchecked(&point_dir(dir, k), &files)
}

/// Writes `grid.json`, or checks that an existing one describes the same sweep.
pub fn prepare_dir(dir: &Path, grid: &Grid) -> Result<(), Error> {
    let path = dir.join(folder::SWEEP_GRID);
    let text = serde_json::to_string_pretty(grid).map_err(|e| Error::Other(e.to_string()))? + "\n";
    if path.exists() {
        let old = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let old: Grid = serde_json::from_str(&old)
            .map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
        folder::clean_stale(dir);
        folder::clean_stale(&dir.join(folder::SWEEP_POINTS));
        if &old != grid {
            return Err(Error::Usage(format!(
                "{} holds a different sweep (other scenario, seed, replicates or grid); use another --out or --force",
                dir.display()
            )));
        }
        return Ok(());
    }
    folder::create_owned(dir)?;
    folder::clean_stale(&dir.join(folder::SWEEP_POINTS));
    folder::write_file_atomic(&path, text.as_bytes())
}

/// Reads `grid.json` of a sweep folder.
pub fn read_grid(dir: &Path) -> Result<Grid, Error> {
    let path = dir.join(folder::SWEEP_GRID);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Other(format!("{}: {e}", path.display())))
}

/// Combines the finished points of a sweep folder into `sweep.csv`, `summary.csv`,
/// `manifest.json`, one `plot_<metric>.svg` per metric and `report.html` — byte for byte what a
/// single run writes; returns those names, in the order of [`SWEEP`] (whose entries name,
/// order and list in the manifest the folder's files). Fails, naming them, if points
/// are missing.
pub fn merge(dir: &Path) -> Result<Vec<&'static str>, Error> {
    merge_with(dir, None)
}

/// [`merge`], with `pdf`: also `report.pdf` (headless Chromium; an error when none is on PATH).
pub fn merge_pdf(dir: &Path, pdf: bool) -> Result<Vec<&'static str>, Error> {
    let browser = super::seed_job::browser(pdf)?;
    merge_with(dir, browser.as_deref())
}

/// [`merge`], also printing `report.html` to `report.pdf` with the headless Chromium
/// `browser` (`kolsim sweep --pdf`, `kolsim merge --pdf`).
pub fn merge_with(dir: &Path, browser: Option<&Path>) -> Result<Vec<&'static str>, Error> {
    let grid = read_grid(dir)?;
    let states: Vec<(usize, String)> = (0..grid.len())
        .filter_map(|k| point_state(dir, k).map(|why| (k, why)))
        .collect();
    if !states.is_empty() {
        let show: Vec<String> = states.iter().take(20).map(|(k, _)| k.to_string()).collect();
        return Err(Error::Usage(format!(
            "{}: {} of {} points are not finished ({}{}); first: {}; run the missing shards, or `kolsim sweep ... --resume`",
            dir.display(),
            states.len(),
            grid.len(),
            show.join(", "),
            if states.len() > 20 { ", ..." } else { "" },
            states[0].1
        )));
    }
    let mut rows: Vec<SweepRow> = Vec::new();
    let mut summary = String::new();
    for k in 0..grid.len() {
        let p = point_dir(dir, k);
        let path = p.join("rows.csv");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        rows.extend(parse_rows(&path, &text, k, &grid)?);
        let s = std::fs::read_to_string(p.join("summary.csv"))
            .map_err(|e| Error::io(p.join("summary.csv"), e))?;
        let mut lines = s.lines();
        let header = lines.next().unwrap_or("");
        if k == 0 {
            let _ = writeln!(summary, "point,{header}");
        }
        for l in lines {
            let _ = writeln!(summary, "{k},{l}");
        }
    }
    let sweep = sweep_csv(&grid, &rows);
    let plots: Vec<(String, Vec<u8>)> = Metric::ALL
        .iter()
        .map(|&m| {
            (
                format!("plot_{}.svg", m.name()),
                crate::plot::sweep_metric_svg(&grid, &rows, m).into_bytes(),
            )
        })
        .collect();
    let report = crate::report::sweep_report_html(&grid, &plots, &rows).into_bytes();
    let pdf = match browser {
        Some(b) => Made::Bytes(super::run_job::print_pdf(b, &report)?),
        None => Made::Not,
    };
    // One entry per file of `outputs::SWEEP`, in its order.
    let mut made: [Made; SWEEP.len()] = [
        Made::Bytes(sweep.into_bytes()),
        Made::Bytes(summary.into_bytes()),
        Made::Manifest,
        Made::Earlier,
        Made::Earlier,
        Made::PerMetric(plots),
        Made::Bytes(report),
        pdf,
    ];
    let listed: Vec<&str> = SWEEP
        .iter()
        .zip(&made)
        .filter(|(_, m)| !matches!(m, Made::Not))
        .map(|(f, _)| f.name)
        .collect();
    for m in &mut made {
        if let Made::Manifest = m {
            *m = Made::Bytes(manifest_json(&grid, &listed)?);
        }
    }
    let mut names = Vec::new();
    for (f, m) in SWEEP.iter().zip(made) {
        let files = match m {
            Made::Bytes(b) => vec![(f.name.to_string(), b)],
            Made::PerMetric(v) => v,
            Made::Manifest | Made::Earlier | Made::Not => continue,
        };
        for (name, bytes) in files {
            folder::write_file_atomic(&dir.join(&name), &bytes)?;
        }
        names.push(f.name);
    }
    Ok(names)
}

/// How a file of [`SWEEP`] is made by the merge.
enum Made {
    /// These bytes, under the file's name.
    Bytes(Vec<u8>),
    /// One file per metric (`plot_<metric>.svg`): names and bytes.
    PerMetric(Vec<(String, Vec<u8>)>),
    /// `manifest.json`, made once the written files are known.
    Manifest,
    /// Written before the merge: `grid.json` ([`prepare_dir`]) and `points/`
    /// ([`run_point_folder`]).
    Earlier,
    /// Not written this time (`report.pdf` without `--pdf`).
    Not,
}

/// `manifest.json` of a sweep folder, listing `files`.
fn manifest_json(grid: &Grid, files: &[&str]) -> Result<Vec<u8>, Error> {
    let manifest = serde_json::json!({
        "schema_version": crate::manifest::SCHEMA_VERSION,
        "kolsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": grid.scenario,
        "seed": grid.seed,
        "replicates_per_point": grid.replicates,
        "points": grid.len(),
        "axes": grid.axes,
        "files": files,
        "common_random_numbers": "every point uses the same seed: replicate r draws the same streams at every point",
    });
    serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))
}
