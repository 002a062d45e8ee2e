//! The sweep folder: `grid.json`, and merging finished points into `sweep.csv`, `summary.csv`,
//! `manifest.json`, the plots and the report.

use super::grid::Grid;
use super::point::{METRICS, point_dir, point_state, sweep_header};
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
    let width = sweep_header(&grid).split(',').count();
    let mut sweep = sweep_header(&grid);
    let mut summary = String::new();
    for k in 0..grid.len() {
        let p = point_dir(dir, k);
        let rows = std::fs::read_to_string(p.join("rows.csv"))
            .map_err(|e| Error::io(p.join("rows.csv"), e))?;
        check_rows(&p.join("rows.csv"), &rows, k, width)?;
        sweep.push_str(&rows);
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
    let plots = sweep_plots(&grid, &sweep);
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
    let report = crate::report::sweep_report_html(
        &grid,
        &plots,
        std::str::from_utf8(&files[0].1).unwrap_or(""),
    );
    files.extend(plots);
    files.push(("report.html".into(), report.into_bytes()));
    for (name, bytes) in files {
        folder::write_file_atomic(&dir.join(&name), &bytes)?;
    }
    Ok(vec!["sweep.csv", "summary.csv", "manifest.json"])
}

/// Checks a point's `rows.csv` before merging it: at least one row, each with the sweep's
/// number of fields and the point's index first. A malformed file is bad input (exit 2), named.
fn check_rows(path: &Path, rows: &str, k: usize, width: usize) -> Result<(), Error> {
    let bad = |line: usize, why: String| {
        Error::Usage(format!(
            "{}:{line}: malformed point file: {why}; run the point again with `kolsim sweep ... --resume` after deleting its folder",
            path.display()
        ))
    };
    if rows.is_empty() || !rows.ends_with('\n') {
        return Err(bad(1, "empty or truncated".into()));
    }
    for (i, line) in rows.lines().enumerate() {
        let fields = line.split(',').count();
        if fields != width {
            return Err(bad(i + 1, format!("{fields} field(s), {width} expected")));
        }
        if line.split(',').next() != Some(k.to_string().as_str()) {
            return Err(bad(i + 1, format!("the row is not for point {k}")));
        }
    }
    Ok(())
}

/// One plot per metric (its mean against the first swept key), one line per model (and arm,
/// and value of the other keys when there are several).
fn sweep_plots(grid: &Grid, sweep_csv: &str) -> Vec<(String, Vec<u8>)> {
    let mut lines = sweep_csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let na = grid.axes.len();
    let (model_c, arm_c) = (na + 1, na + 2);
    let several_arms = rows.iter().any(|r| r[arm_c] != rows[0][arm_c]);
    let mut out = Vec::new();
    for metric in METRICS {
        let Some(col) = header.iter().position(|h| *h == format!("{metric}_mean")) else {
            continue;
        };
        let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for r in &rows {
            let mut label = r[model_c].to_string();
            if several_arms {
                label = format!("{label} / {}", r[arm_c]);
            }
            for (a, v) in grid.axes.iter().zip(&r[1..=na]).skip(1) {
                label = format!("{label}, {}={v}", a.key);
            }
            // Every series is listed in every plot (same colours throughout), even where the
            // metric was never reached and the series has no points.
            let k = match series.iter().position(|(l, _)| *l == label) {
                Some(k) => k,
                None => {
                    series.push((label, Vec::new()));
                    series.len() - 1
                }
            };
            if let (Ok(x), Ok(y)) = (r[1].parse::<f64>(), r[col].parse::<f64>()) {
                series[k].1.push((x, y));
            }
        }
        let y_label = match metric {
            "final_share" => "final share of physicians (mean)",
            "peak_step" => "month of peak new adoptions (mean)",
            "t10" => "months to 10% adoption (mean where reached)",
            "t50" => "months to 50% adoption (mean where reached)",
            _ => "months to 90% adoption (mean where reached)",
        };
        let title = format!("{}: {metric} against {}", grid.scenario, grid.axes[0].key);
        let svg = crate::plot::sweep_svg(&grid.axes[0].key, &series, y_label, &title);
        out.push((format!("plot_{metric}.svg"), svg.into_bytes()));
    }
    out
}
