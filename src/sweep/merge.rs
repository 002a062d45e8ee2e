//! The sweep folder: `grid.json`, and merging finished points into `sweep.csv`, `summary.csv`,
//! `manifest.json`, the plots and the report.

use super::grid::Grid;
use super::point::{point_dir, point_state};
use super::row::{Metric, SweepRow, parse_rows, sweep_csv};
use crate::error::Error;
use crate::folder;
use std::fmt::Write as _;
use std::path::Path;

/// Writes `grid.json`, or checks that an existing one describes the same sweep.
pub fn prepare_dir(dir: &Path, grid: &Grid) -> Result<(), Error> {
    let path = dir.join("grid.json");
    let text = serde_json::to_string_pretty(grid).map_err(|e| Error::Other(e.to_string()))? + "\n";
    if path.exists() {
        let old = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let old: Grid = serde_json::from_str(&old)
            .map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
        folder::clean_stale(dir);
        folder::clean_stale(&dir.join("points"));
        if &old != grid {
            return Err(Error::Usage(format!(
                "{} holds a different sweep (other scenario, seed, replicates or grid); use another --out or --force",
                dir.display()
            )));
        }
        return Ok(());
    }
    folder::create_owned(dir)?;
    folder::clean_stale(&dir.join("points"));
    folder::write_file_atomic(&path, text.as_bytes())
}

/// Reads `grid.json` of a sweep folder.
pub fn read_grid(dir: &Path) -> Result<Grid, Error> {
    let path = dir.join("grid.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Other(format!("{}: {e}", path.display())))
}

/// Combines the finished points of a sweep folder into `sweep.csv`, `summary.csv` and
/// `manifest.json` — byte for byte what a single run writes. Fails, naming them, if points
/// are missing.
pub fn merge(dir: &Path) -> Result<Vec<&'static str>, Error> {
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
    let manifest = serde_json::json!({
        "schema_version": crate::manifest::SCHEMA_VERSION,
        "kolsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": grid.scenario,
        "seed": grid.seed,
        "replicates_per_point": grid.replicates,
        "points": grid.len(),
        "axes": grid.axes,
        "files": ["sweep.csv", "summary.csv", "manifest.json", "grid.json", "points/", "plot_<metric>.svg", "report.html"],
        "common_random_numbers": "every point uses the same seed: replicate r draws the same streams at every point",
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("sweep.csv".into(), sweep.into_bytes()),
        ("summary.csv".into(), summary.into_bytes()),
        ("manifest.json".into(), manifest),
    ];
    let report = crate::report::sweep_report_html(&grid, &plots, &rows);
    files.extend(plots);
    files.push(("report.html".into(), report.into_bytes()));
    for (name, bytes) in files {
        folder::write_file_atomic(&dir.join(&name), &bytes)?;
    }
    Ok(vec!["sweep.csv", "summary.csv", "manifest.json"])
}
