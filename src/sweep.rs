//! Parameter sweeps: a grid over numeric scenario values, run point by point with common
//! random numbers, shardable across machines, resumable, and merged into tidy files.
//!
//! A key is a path into the scenario file: `model.<name>.<param>` (a `[[model]]` by its
//! name), `arm.<name>.<param>`, or a dotted table path such as `kols.share`, `network.m` or
//! `steps`. Values are a list (`0.1,0.2,0.4`) or an inclusive range with step
//! (`0.05:0.5:0.05`). The grid is the product of all keys, first key slowest.
//!
//! Every point keeps the scenario's seed, so replicate `r` of every point uses the same random
//! streams: curves over a parameter are smooth and paired.
//!
//! Folder layout: `grid.json` (the sweep definition), `points/point-<k>/` (one folder per
//! finished point, renamed into place when complete, holding `rows.csv` and `summary.csv`),
//! and, after [`merge`], `sweep.csv`, `summary.csv` and `manifest.json`. A point folder is
//! either complete or absent, so an interrupted sweep loses only the points in flight, and
//! shards may share one folder.

use crate::error::Error;
use crate::folder;
use crate::output;
use crate::run::{self, RunOptions};
use crate::scenario::{self, Scenario, Source};
use crate::stats::{mean_sd, quantile};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One swept key with its values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// Key path, e.g. `model.bass.q`.
    pub key: String,
    /// Values, in order.
    pub values: Vec<f64>,
}

/// The sweep definition, stored as `grid.json` so shards and merges agree on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    /// Scenario name.
    pub scenario: String,
    /// Scenario text, verbatim.
    pub scenario_text: String,
    /// Master seed.
    pub seed: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Swept keys.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// Whether the grid has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `k` (first axis slowest).
    pub fn point(&self, k: usize) -> Vec<f64> {
        let mut rest = k;
        let mut out = vec![0.0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            out[i] = a.values[rest % a.values.len()];
            rest /= a.values.len();
        }
        out
    }
}

/// A usage problem with a sweep key or values.
fn bad(key: &str, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("sweep key `{key}`: {why}"))
}

/// Rounds away binary noise from range arithmetic (0.1 + 2·0.05 = 0.2, not 0.20000000000000004).
fn tidy(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(12 - x.abs().log10().ceil() as i32);
    (x * scale).round() / scale
}

/// Parses `VALUES`: a comma-separated list or `start:stop:step` (inclusive).
pub fn parse_values(key: &str, text: &str) -> Result<Vec<f64>, Error> {
    let num = |s: &str| -> Result<f64, Error> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad(key, format!("\"{}\" is not a number", s.trim())))
    };
    let values: Vec<f64> = if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() != 3 {
            return Err(bad(
                key,
                format!("range \"{text}\" must be start:stop:step"),
            ));
        }
        let (a, b, st) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
        if st <= 0.0 {
            return Err(bad(key, format!("range step {st} must be positive")));
        }
        if b < a {
            return Err(bad(key, format!("range stop {b} is below start {a}")));
        }
        let n = ((b - a) / st + 1e-9).floor() as usize + 1;
        if n > 100_000 {
            return Err(bad(
                key,
                format!("range \"{text}\" has {n} values; at most 100000"),
            ));
        }
        (0..n).map(|i| tidy(a + i as f64 * st)).collect()
    } else {
        text.split(',').map(num).collect::<Result<_, _>>()?
    };
    if values.is_empty() {
        return Err(bad(key, "no values"));
    }
    Ok(values)
}

/// Parses a `--set KEY=VALUES` argument.
pub fn parse_set(arg: &str) -> Result<Axis, Error> {
    let (key, vals) = arg
        .split_once('=')
        .ok_or_else(|| Error::Usage(format!("--set {arg}: expected KEY=VALUES, e.g. model.bass.q=0.1,0.2 or kols.share=0.01:0.05:0.01")))?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(Error::Usage(format!("--set {arg}: empty key")));
    }
    Ok(Axis {
        values: parse_values(&key, vals)?,
        key,
    })
}

/// Axes from the scenario's `[sweep]` table.
pub fn axes_from_table(sc: &Scenario) -> Result<Vec<Axis>, Error> {
    sc.sweep
        .iter()
        .map(|(key, v)| {
            let values = match v {
                toml::Value::String(s) => parse_values(key, s)?,
                toml::Value::Array(items) => items
                    .iter()
                    .map(|x| match x {
                        toml::Value::Integer(i) => Ok(*i as f64),
                        toml::Value::Float(f) if f.is_finite() => Ok(*f),
                        other => Err(bad(key, format!("{other} is not a number"))),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                toml::Value::Integer(i) => vec![*i as f64],
                toml::Value::Float(f) => vec![*f],
                other => {
                    return Err(bad(
                        key,
                        format!("{other}: give a list of numbers or \"start:stop:step\""),
                    ));
                }
            };
            if values.is_empty() {
                return Err(bad(key, "no values"));
            }
            Ok(Axis {
                key: key.clone(),
                values,
            })
        })
        .collect()
}

/// Finds the table a key path points into and the final key.
fn locate<'a>(
    doc: &'a mut toml::Table,
    path: &str,
) -> Result<(&'a mut toml::Table, String), Error> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, head) = parts.split_last().ok_or_else(|| bad(path, "empty key"))?;
    let mut table = doc;
    let mut k = 0;
    while k < head.len() {
        let part = head[k];
        if (part == "model" || part == "arm") && k + 1 < head.len() {
            let name = head[k + 1];
            let list = match table.get_mut(part) {
                Some(toml::Value::Array(a)) => a,
                _ => return Err(bad(path, format!("the scenario has no [[{part}]] tables"))),
            };
            let names: Vec<String> = list
                .iter()
                .filter_map(|t| {
                    t.get("name")
                        .or_else(|| t.get("kind"))
                        .and_then(|v| v.as_str())
                        .map(String::from)
                })
                .collect();
            let pos = list
                .iter()
                .position(|t| {
                    t.get("name")
                        .or_else(|| t.get("kind"))
                        .and_then(|v| v.as_str())
                        == Some(name)
                })
                .ok_or_else(|| {
                    bad(
                        path,
                        format!("no {part} named \"{name}\" (names: {})", names.join(", ")),
                    )
                })?;
            table = list[pos]
                .as_table_mut()
                .ok_or_else(|| bad(path, format!("[[{part}]] entry is not a table")))?;
            k += 2;
        } else {
            table = match table.get_mut(part) {
                Some(toml::Value::Table(t)) => t,
                _ => return Err(bad(path, format!("no table `{part}` in the scenario"))),
            };
            k += 1;
        }
    }
    Ok((table, last.to_string()))
}

/// Sets `path = value` in a scenario document. Integer keys stay integers.
fn set_value(doc: &mut toml::Table, path: &str, value: f64) -> Result<(), Error> {
    let (table, key) = locate(doc, path)?;
    let v = match table.get(&key) {
        Some(toml::Value::Integer(_)) | None if value.fract() == 0.0 && value.abs() < 9.0e15 => {
            if matches!(table.get(&key), Some(toml::Value::Float(_))) {
                toml::Value::Float(value)
            } else {
                toml::Value::Integer(value as i64)
            }
        }
        Some(toml::Value::Integer(_)) => {
            return Err(bad(
                path,
                format!("{value} is not a whole number, but `{key}` takes one"),
            ));
        }
        Some(toml::Value::Float(_)) | None => toml::Value::Float(value),
        Some(other) => {
            return Err(bad(
                path,
                format!("`{key}` is {}, not a number", other.type_str()),
            ));
        }
    };
    table.insert(key, v);
    Ok(())
}

/// The scenario of grid point `k`: the base text with the point's values set, validated.
pub fn point_scenario(base: &Scenario, grid: &Grid, k: usize) -> Result<Scenario, Error> {
    let mut doc: toml::Table = toml::from_str(&base.source.text)
        .map_err(|e| Error::Other(format!("cannot re-read the scenario: {e}")))?;
    doc.remove("sweep");
    let values = grid.point(k);
    for (a, &v) in grid.axes.iter().zip(&values) {
        set_value(&mut doc, &a.key, v)?;
    }
    let text = toml::to_string(&doc)
        .map_err(|e| Error::Other(format!("cannot write the point scenario: {e}")))?;
    let mut sc = scenario::parse(Source {
        path: base.source.path.clone(),
        text,
    })
    .map_err(|e| {
        let at: Vec<String> = grid
            .axes
            .iter()
            .zip(&values)
            .map(|(a, v)| format!("{} = {v}", a.key))
            .collect();
        Error::Usage(format!(
            "sweep point {k} ({}): `{}`: {}",
            at.join(", "),
            e.key,
            e.message
        ))
    })?;
    sc.replicates = grid.replicates;
    sc.seed = grid.seed;
    Ok(sc)
}

/// Checks every point of the grid before anything runs.
pub fn check(base: &Scenario, grid: &Grid) -> Result<(), Error> {
    if grid.axes.is_empty() {
        return Err(Error::Usage(
            "nothing to sweep: give --set KEY=VALUES or a [sweep] table".into(),
        ));
    }
    for (i, a) in grid.axes.iter().enumerate() {
        if grid.axes[..i].iter().any(|b| b.key == a.key) {
            return Err(bad(&a.key, "given twice"));
        }
    }
    for k in 0..grid.len() {
        let sc = point_scenario(base, grid, k)?;
        crate::realise::check(&sc).map_err(|e| match e {
            Error::Scenario(s) => {
                Error::Usage(format!("sweep point {k}: `{}`: {}", s.key, s.message))
            }
            other => other,
        })?;
    }
    Ok(())
}

fn point_dir(dir: &Path, k: usize) -> PathBuf {
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

/// The metrics summarised per point.
const METRICS: [&str; 5] = ["final_share", "t10", "t50", "t90", "peak_step"];

/// Header of `sweep.csv` (and of every point's `rows.csv`).
pub fn sweep_header(grid: &Grid) -> String {
    let mut h = String::from("point");
    for a in &grid.axes {
        let _ = write!(h, ",{}", a.key);
    }
    h.push_str(",model,arm,replicates");
    for m in METRICS {
        let _ = write!(h, ",{m}_mean,{m}_sd,{m}_p05,{m}_p95");
        if m != "final_share" && m != "peak_step" {
            let _ = write!(h, ",{m}_reached");
        }
    }
    h.push('\n');
    h
}

fn stats_cells(s: &mut String, mut v: Vec<f64>, reached: Option<usize>, total: usize) {
    if v.is_empty() {
        s.push_str(",,,,");
    } else {
        let (mean, sd) = mean_sd(&v);
        v.sort_by(f64::total_cmp);
        let _ = write!(
            s,
            ",{mean},{sd},{},{}",
            quantile(&v, 0.05),
            quantile(&v, 0.95)
        );
    }
    if let Some(r) = reached {
        let _ = write!(s, ",{}", r as f64 / total.max(1) as f64);
    }
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
    let values = grid.point(k);
    let mut rows = String::new();
    for (a, arm) in res.arms.iter().enumerate() {
        for (m, model) in res.models.iter().enumerate() {
            let ms = &metrics[a][m];
            let _ = write!(rows, "{k}");
            for v in &values {
                let _ = write!(rows, ",{v}");
            }
            let _ = write!(rows, ",{model},{arm},{}", ms.len());
            stats_cells(
                &mut rows,
                ms.iter().map(|x| x.final_share).collect(),
                None,
                ms.len(),
            );
            for f in [
                |x: &crate::stats::Metrics| x.t10,
                |x: &crate::stats::Metrics| x.t50,
                |x: &crate::stats::Metrics| x.t90,
            ] {
                let v: Vec<f64> = ms.iter().filter_map(|x| f(x).map(f64::from)).collect();
                let n = v.len();
                stats_cells(&mut rows, v, Some(n), ms.len());
            }
            stats_cells(
                &mut rows,
                ms.iter()
                    .filter_map(|x| x.peak_step.map(f64::from))
                    .collect(),
                None,
                ms.len(),
            );
            rows.push('\n');
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

/// Which shard of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N`.
    pub fn parse(s: &str) -> Result<Shard, Error> {
        let err = || {
            Error::Usage(format!(
                "--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| err())?,
            n.trim().parse::<usize>().map_err(|_| err())?,
        );
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether point `k` belongs to this shard.
    pub fn owns(&self, k: usize) -> bool {
        k % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_and_ranges() {
        assert_eq!(
            parse_values("k", "0.1,0.2,0.4").unwrap(),
            vec![0.1, 0.2, 0.4]
        );
        assert_eq!(
            parse_values("k", "0.05:0.2:0.05").unwrap(),
            vec![0.05, 0.1, 0.15, 0.2]
        );
        assert_eq!(parse_values("k", "1:3:1").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(
            parse_values("k", "0.1:0.35:0.1").unwrap(),
            vec![0.1, 0.2, 0.3]
        );
        for bad in ["", "a,b", "1:2", "1:0:1", "0:1:0", "0:1:-1", "1,,2", "nan"] {
            assert!(parse_values("k", bad).is_err(), "{bad:?} accepted");
        }
        let a = parse_set("model.bass.q=0.1,0.3").unwrap();
        assert_eq!((a.key.as_str(), a.values.len()), ("model.bass.q", 2));
        assert!(parse_set("model.bass.q").is_err());
    }

    #[test]
    fn grid_points_first_axis_slowest() {
        let g = Grid {
            scenario: "s".into(),
            scenario_text: String::new(),
            seed: 1,
            replicates: 1,
            axes: vec![
                Axis {
                    key: "a".into(),
                    values: vec![1.0, 2.0],
                },
                Axis {
                    key: "b".into(),
                    values: vec![10.0, 20.0, 30.0],
                },
            ],
        };
        assert_eq!(g.len(), 6);
        assert_eq!(g.point(0), vec![1.0, 10.0]);
        assert_eq!(g.point(2), vec![1.0, 30.0]);
        assert_eq!(g.point(3), vec![2.0, 10.0]);
    }

    #[test]
    fn shards() {
        let s = Shard::parse("1/3").unwrap();
        assert!(s.owns(1) && s.owns(4) && !s.owns(0));
        for bad in ["3/3", "1", "a/2", "0/0"] {
            assert!(Shard::parse(bad).is_err());
        }
    }
}
