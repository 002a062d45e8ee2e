//! Reading an observed launch for `kolsim fit`: per-physician adoption periods, or an
//! aggregate cumulative curve. The layout is detected from the header.
//!
//! # Time convention (MODELS.md, *Fitting to an observed launch*)
//! Period 1 is the first observed period and the initial condition: its adopters are the
//! initial adopters of step 0, and period `t` is step `t − 1`. `T` is the last observed period
//! (the largest adoption period in the file, or `--periods`). A physician not adopted by `T` is
//! censored.
//!
//! # Formats (delimited as every input file, see [`crate::network::read_sheet`]; header row)
//! - **Per physician**: an id column (default `id`) and a period column (default
//!   `adopted_at`). Period: an integer `1..=T`; empty = not adopted by `T` (censored); a
//!   missing code (default `NA`, e.g. `--missing 98,99`) = unknown. Other columns are ignored.
//!   Physicians of the network not listed are unknown too.
//! - **Aggregate**: columns `step` and `adopters`: cumulative adopters at the end of each step
//!   `0, 1, …` (step 0 = period 1). Steps must be consecutive from 0.
//!
//! Errors name the file and line and exit with status 2.

use crate::error::Error;
use crate::network::Network;
use crate::network::edge_list::InputError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A physician's status in the observed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Adopted in this period (`1..=T`).
    Adopted(u32),
    /// Not adopted by `T` (right-censored).
    Censored,
    /// Adoption unknown (missing code, or not in the file).
    Unknown,
}

/// What the file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One row per physician.
    PerPhysician,
    /// Cumulative adopters per step.
    Aggregate,
}

/// How to read the file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Id column (per-physician layout).
    pub id_column: String,
    /// Adoption-period column (per-physician layout).
    pub time_column: String,
    /// Values meaning "unknown".
    pub missing: Vec<String>,
    /// The last observed period `T`; default the largest period (or step + 1) in the file.
    pub periods: Option<u32>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_column: "id".into(),
            time_column: "adopted_at".into(),
            missing: vec!["NA".into()],
            periods: None,
        }
    }
}

/// An observed launch.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The file it came from.
    pub path: PathBuf,
    /// Per physician or aggregate.
    pub layout: Layout,
    /// The last observed period `T` (≥ 2).
    pub periods: u32,
    /// Per physician (node index): status. Empty for the aggregate layout.
    pub status: Vec<Status>,
    /// Of the unknown physicians: how many the file lists with a missing code.
    pub unknown_in_file: usize,
    /// Of the unknown physicians: how many the file does not list.
    pub not_in_file: usize,
    /// Aggregate layout: cumulative adopters at the end of period `t` (index `t − 1`).
    pub cumulative: Vec<u64>,
}

pub(crate) fn err(path: &Path, line: Option<usize>, message: impl Into<String>) -> Error {
    Error::Input(InputError {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    })
}

/// The header of a small delimited file (its line and fields) and the data rows after it,
/// read by the one reader of every delimited input ([`crate::network::read_sheet`]: a
/// byte-order mark, `,` `;` or tab, CRLF, quoted fields). A missing or empty file is an error.
pub(crate) fn header_and_rows(path: &Path) -> Result<crate::network::Sheet, Error> {
    crate::network::read_sheet(path, None).map_err(Error::Input)
}

/// An observed launch to read: a file, or the same table in memory.
#[derive(Debug, Clone)]
pub enum Launch {
    /// A delimited file.
    File(PathBuf),
    /// The table in memory: the header's fields and the data rows (lines 2, 3, … in messages);
    /// `name` stands for the file in messages.
    Table {
        /// The name messages give it.
        name: PathBuf,
        /// The header's fields.
        header: Vec<String>,
        /// The data rows.
        rows: Vec<Vec<String>>,
    },
}

impl Launch {
    /// The file, or the name of the table.
    pub fn name(&self) -> &Path {
        match self {
            Launch::File(p) | Launch::Table { name: p, .. } => p,
        }
    }

    /// Reads the launch against the physicians of `net` (as [`read`]).
    pub fn read(&self, net: &Network, opts: &ReadOptions) -> Result<Observed, Error> {
        match self {
            Launch::File(path) => read(path, net, opts),
            Launch::Table { name, header, rows } => {
                let sheet = crate::network::Sheet {
                    header_line: 1,
                    header: header.clone(),
                    rows: (2..).zip(rows.iter().cloned()).collect(),
                    delimiter: b',',
                };
                from_sheet(name, sheet, net, opts)
            }
        }
    }
}

impl From<&Path> for Launch {
    fn from(p: &Path) -> Self {
        Launch::File(p.to_path_buf())
    }
}

impl From<&PathBuf> for Launch {
    fn from(p: &PathBuf) -> Self {
        Launch::File(p.clone())
    }
}

impl From<&Launch> for Launch {
    fn from(l: &Launch) -> Self {
        l.clone()
    }
}

/// Reads `path` against the physicians of `net` (ids as in the network's node file, or
/// indices for generated networks).
pub fn read(path: &Path, net: &Network, opts: &ReadOptions) -> Result<Observed, Error> {
    from_sheet(path, header_and_rows(path)?, net, opts)
}

/// [`read`] on a table already read (`path` names it in messages).
fn from_sheet(
    path: &Path,
    sheet: crate::network::Sheet,
    net: &Network,
    opts: &ReadOptions,
) -> Result<Observed, Error> {
    let (hline, header, rows) = (sheet.header_line, sheet.header, sheet.rows);
    let find = |name: &str| header.iter().position(|h| h == name);
    if let (Some(s), Some(a)) = (find("step"), find("adopters")) {
        return read_aggregate(path, net, opts, rows.into_iter(), s, a, header.len());
    }
    let (Some(ic), Some(tc)) = (find(&opts.id_column), find(&opts.time_column)) else {
        return Err(err(
            path,
            Some(hline),
            format!(
                "header {header:?} names neither the per-physician columns `{}` and `{}` (set them with --id-column / --time-column) nor the aggregate columns `step` and `adopters`",
                opts.id_column, opts.time_column
            ),
        ));
    };
    let n = net.n();
    let index: HashMap<String, u32> = match net.ids() {
        Some(ids) => ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect(),
        None => HashMap::new(),
    };
    let lookup = |id: &str| match net.ids() {
        Some(_) => index.get(id).copied(),
        None => id.parse::<u32>().ok().filter(|&i| (i as usize) < n),
    };
    let mut status: Vec<Option<Status>> = vec![None; n];
    let mut line_of = vec![0usize; n];
    let mut raw: Vec<(usize, u32, u32)> = Vec::new(); // (line, node, period)
    let mut unknown_in_file = 0;
    for (line, f) in rows {
        if f.len() != header.len() {
            return Err(err(
                path,
                Some(line),
                format!("{} field(s), the header has {}", f.len(), header.len()),
            ));
        }
        let id = &f[ic];
        let Some(node) = lookup(id) else {
            return Err(err(
                path,
                Some(line),
                format!("unknown physician id \"{id}\" (not in the scenario's network)"),
            ));
        };
        if status[node as usize].is_some() {
            return Err(err(
                path,
                Some(line),
                format!(
                    "physician \"{id}\" is listed twice (first on line {})",
                    line_of[node as usize]
                ),
            ));
        }
        line_of[node as usize] = line;
        let s = parse_status(path, line, f[tc].as_str(), opts)?;
        match s {
            Status::Unknown => unknown_in_file += 1,
            Status::Adopted(t) => raw.push((line, node, t)),
            Status::Censored => {}
        }
        status[node as usize] = Some(s);
    }
    let periods = window(path, opts, &raw)?;
    let not_in_file = status.iter().filter(|s| s.is_none()).count();
    Ok(Observed {
        path: path.to_path_buf(),
        layout: Layout::PerPhysician,
        periods,
        status: status
            .into_iter()
            .map(|s| s.unwrap_or(Status::Unknown))
            .collect(),
        unknown_in_file,
        not_in_file,
        cumulative: Vec::new(),
    })
}

/// One physician's adoption status from its time field `v` on `line`.
fn parse_status(path: &Path, line: usize, v: &str, opts: &ReadOptions) -> Result<Status, Error> {
    if v.is_empty() {
        return Ok(Status::Censored);
    }
    if opts.missing.iter().any(|m| m == v) {
        return Ok(Status::Unknown);
    }
    match v.parse::<u32>() {
        Ok(t) if t >= 1 => Ok(Status::Adopted(t)),
        _ => Err(err(
            path,
            Some(line),
            format!(
                "`{}` = \"{v}\" is not an adoption period (an integer ≥ 1, period 1 = first observed period), empty (not adopted), or a missing code ({})",
                opts.time_column,
                opts.missing.join(", ")
            ),
        )),
    }
}

/// The observed window `T`: `--periods`, else the latest adoption period (at least 2).
/// `raw`: `(line, node, period)` of every adoption read.
fn window(path: &Path, opts: &ReadOptions, raw: &[(usize, u32, u32)]) -> Result<u32, Error> {
    let latest = raw.iter().map(|r| r.2).max().unwrap_or(0);
    let periods = match opts.periods {
        Some(t) => {
            if let Some(&(line, _, p)) = raw.iter().find(|r| r.2 > t) {
                return Err(err(
                    path,
                    Some(line),
                    format!(
                        "adoption period {p} is outside the observed window 1..{t} (--periods {t})"
                    ),
                ));
            }
            t
        }
        None => latest,
    };
    if periods < 2 {
        return Err(err(
            path,
            None,
            format!(
                "the observed window has {periods} period(s); at least 2 are needed (period 1 is the initial condition); give --periods T if the last periods had no adoptions"
            ),
        ));
    }
    Ok(periods)
}

fn read_aggregate(
    path: &Path,
    net: &Network,
    opts: &ReadOptions,
    rows: impl Iterator<Item = (usize, Vec<String>)>,
    sc: usize,
    ac: usize,
    width: usize,
) -> Result<Observed, Error> {
    let n = net.n() as u64;
    let mut cumulative: Vec<u64> = Vec::new();
    for (line, f) in rows {
        if f.len() != width {
            return Err(err(
                path,
                Some(line),
                format!("{} field(s), the header has {width}", f.len()),
            ));
        }
        let step: u64 = f[sc].parse().map_err(|_| {
            err(
                path,
                Some(line),
                format!("step \"{}\" is not a non-negative integer", f[sc]),
            )
        })?;
        if step != cumulative.len() as u64 {
            return Err(err(
                path,
                Some(line),
                format!(
                    "step {step} out of order: steps must be consecutive from 0 (expected {})",
                    cumulative.len()
                ),
            ));
        }
        let a: u64 = f[ac].parse().map_err(|_| {
            err(
                path,
                Some(line),
                format!(
                    "adopters \"{}\" is not a non-negative integer (cumulative adopters)",
                    f[ac]
                ),
            )
        })?;
        if a > n {
            return Err(err(
                path,
                Some(line),
                format!("{a} cumulative adopters, but the network has only {n} physicians"),
            ));
        }
        if let Some(&prev) = cumulative.last()
            && a < prev
        {
            return Err(err(
                path,
                Some(line),
                format!(
                    "cumulative adopters decrease from {prev} to {a} (the column must be cumulative)"
                ),
            ));
        }
        cumulative.push(a);
    }
    let periods = cumulative.len() as u32;
    if let Some(t) = opts.periods
        && t != periods
    {
        return Err(err(
            path,
            None,
            format!(
                "--periods {t}, but the file has {periods} steps (0..{})",
                periods.saturating_sub(1)
            ),
        ));
    }
    if periods < 2 {
        return Err(err(
            path,
            None,
            "at least 2 steps (0 and 1) are needed: step 0 is the initial condition",
        ));
    }
    Ok(Observed {
        path: path.to_path_buf(),
        layout: Layout::Aggregate,
        periods,
        status: Vec::new(),
        unknown_in_file: 0,
        not_in_file: 0,
        cumulative,
    })
}

impl Observed {
    /// The observed cumulative adoption share by step (period `t` is step `t − 1`), for
    /// drawing over simulated curves, whose shares are of all `n` physicians: observed adopters
    /// over `n`, so physicians of unknown adoption count as not adopted (a lower bound).
    pub fn cumulative_share(&self, n: usize) -> Vec<(f64, f64)> {
        if self.status.is_empty() {
            return self
                .cumulative
                .iter()
                .enumerate()
                .map(|(k, &c)| (k as f64, c as f64 / n.max(1) as f64))
                .collect();
        }
        let all = n.max(1) as f64;
        (1..=self.periods)
            .map(|t| {
                let adopted = self
                    .status
                    .iter()
                    .filter(|s| matches!(s, Status::Adopted(p) if *p <= t))
                    .count();
                (f64::from(t - 1), adopted as f64 / all)
            })
            .collect()
    }
}

/// Reads the scenario's `[observed]` launch against `net`.
pub fn read_spec(spec: &crate::scenario::ObservedSpec, net: &Network) -> Result<Observed, Error> {
    read(
        &spec.path,
        net,
        &ReadOptions {
            id_column: spec.id_column.clone(),
            time_column: spec.time_column.clone(),
            missing: spec.missing.clone(),
            periods: None,
        },
    )
}
