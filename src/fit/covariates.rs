//! Marketing covariates for the `detailing` likelihood: a marketing series `M(s)` (effort per
//! physician in step `s`, the same for everyone) and/or per-physician detailing visits
//! `v_i(s)`, read from `--marketing` / `--detailing` or the scenario's `[observed]` keys
//! `marketing` and `detailing`.
//!
//! # Model (MODELS.md, `detailing`)
//! Detailing stock `D_i(s) = λ·D_i(s − 1) + M(s) + v_i(s)` from step 0 (`D_i(−1) = 0`), with
//! `λ` the scenario's detailing `decay` (0.7 when the scenario has no detailing model). The
//! hazard in period `t` (step `t − 1`) is the model's own rule
//! [`crate::models::Detailing::prob`]`(D_i(t − 1), e_i(t − 1))`: the visits of the period's
//! own step count, as in the simulation, where a step's visits are made before its adoption
//! draws.
//!
//! # Formats (delimited as every input file, see [`crate::network::read_sheet`]; header row)
//! - marketing: columns `step,effort`; step `0..=T−1` (step 0 = period 1), effort a number
//!   `≥ 0`; steps not listed have no effort.
//! - detailing: columns `<id column>,step,visits` (the id column as for the observed file);
//!   physicians and steps not listed have no visits; rows of physicians excluded from the fit
//!   (unknown adoption) are read and ignored.
//!
//! Errors name the file and line: unknown ids, steps outside the observed window, values that
//! are not numbers, duplicate rows.
//!
//! # Complexity
//! The cells are built in one pass over person-periods, `O(n·T + arcs)`; the stock usually
//! changes every period, so the cells are about as many as the person-periods at risk with
//! per-physician visits (fewer with a marketing series alone).

use super::data::{Cell, Exposure, FitNet, NEVER};
use super::observed::err;
use crate::error::Error;
use crate::network::Network;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Default stock retention `λ` when the scenario has no `detailing` model.
pub const DEFAULT_DECAY: f64 = 0.7;

/// The covariates of the detailing likelihood, on the physicians fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariates {
    /// Marketing effort per physician per step `0..T` (zeros where not given).
    pub marketing: Vec<f64>,
    /// Per physician fitted (renumbered): `(step, visits)`, sorted by step.
    pub visits: Vec<Vec<(u32, f64)>>,
    /// Stock retention `λ` per step.
    pub decay: f64,
    /// The files read, for the outputs.
    pub files: Vec<PathBuf>,
}

/// Where the covariates come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CovariateFiles {
    /// The marketing series (`step,effort`).
    pub marketing: Option<PathBuf>,
    /// Per-physician visits (`id,step,visits`).
    pub detailing: Option<PathBuf>,
}

impl CovariateFiles {
    /// Whether any file is given.
    pub fn any(&self) -> bool {
        self.marketing.is_some() || self.detailing.is_some()
    }
}

/// Column index of each wanted name, the data rows `(line, fields)` and whether numbers are
/// written with a decimal comma.
type Table = (Vec<usize>, Vec<(usize, Vec<String>)>, bool);

fn table(path: &Path, want: &[&str]) -> Result<Table, Error> {
    let sheet = super::observed::header_and_rows(path)?;
    let comma = sheet.decimal_comma();
    let (hline, header, rows) = (sheet.header_line, sheet.header, sheet.rows);
    let mut cols = Vec::new();
    for w in want {
        match header.iter().position(|h| h == w) {
            Some(c) => cols.push(c),
            None => {
                return Err(err(
                    path,
                    Some(hline),
                    format!(
                        "header {header:?} has no column `{w}` (expected {})",
                        want.join(",")
                    ),
                ));
            }
        }
    }
    let mut out = Vec::new();
    for (line, f) in rows {
        if f.len() != header.len() {
            return Err(err(
                path,
                Some(line),
                format!("{} field(s), the header has {}", f.len(), header.len()),
            ));
        }
        out.push((line, f));
    }
    Ok((cols, out, comma))
}

fn step_of(path: &Path, line: usize, v: &str, periods: u32) -> Result<u32, Error> {
    match v.parse::<u32>() {
        Ok(s) if s < periods => Ok(s),
        Ok(s) => Err(err(
            path,
            Some(line),
            format!(
                "step {s} is outside the observed window: steps 0..{} (period 1..{periods}, step 0 = period 1)",
                periods - 1
            ),
        )),
        Err(_) => Err(err(
            path,
            Some(line),
            format!("step \"{v}\" is not a non-negative integer"),
        )),
    }
}

fn amount(path: &Path, line: usize, col: &str, v: &str, comma: bool) -> Result<f64, Error> {
    match crate::network::parse_number(v, comma) {
        Some(x) if x >= 0.0 => Ok(x),
        _ => Err(err(
            path,
            Some(line),
            format!("`{col}` = \"{v}\" is not a number ≥ 0"),
        )),
    }
}

/// Reads a marketing series `step,effort` over steps `0..periods`.
pub fn read_marketing(path: &Path, periods: u32) -> Result<Vec<f64>, Error> {
    let (c, rows, comma) = table(path, &["step", "effort"])?;
    let mut m = vec![0.0; periods as usize];
    let mut seen: Vec<usize> = vec![0; periods as usize];
    for (line, f) in rows {
        let s = step_of(path, line, &f[c[0]], periods)? as usize;
        if seen[s] != 0 {
            return Err(err(
                path,
                Some(line),
                format!("step {s} is listed twice (first on line {})", seen[s]),
            ));
        }
        seen[s] = line;
        m[s] = amount(path, line, "effort", &f[c[1]], comma)?;
    }
    Ok(m)
}

/// Reads per-physician visits `id,step,visits` against the physicians of `net` (ids as in the
/// network's node file, or indices for generated networks): `(node, step, visits)`.
pub fn read_detailing(
    path: &Path,
    net: &Network,
    id_column: &str,
    periods: u32,
) -> Result<Vec<(u32, u32, f64)>, Error> {
    let (c, rows, comma) = table(path, &[id_column, "step", "visits"])?;
    let index: HashMap<&str, u32> = net
        .ids()
        .map(|ids| {
            ids.iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i as u32))
                .collect()
        })
        .unwrap_or_default();
    let n = net.n();
    let mut seen: HashMap<(u32, u32), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, f) in rows {
        let id = f[c[0]].as_str();
        let node = match net.ids() {
            Some(_) => index.get(id).copied(),
            None => id.parse::<u32>().ok().filter(|&i| (i as usize) < n),
        };
        let Some(node) = node else {
            return Err(err(
                path,
                Some(line),
                format!("unknown physician id \"{id}\" (not in the scenario's network)"),
            ));
        };
        let s = step_of(path, line, &f[c[1]], periods)?;
        if let Some(first) = seen.insert((node, s), line) {
            return Err(err(
                path,
                Some(line),
                format!("physician \"{id}\", step {s} is listed twice (first on line {first})"),
            ));
        }
        out.push((node, s, amount(path, line, "visits", &f[c[2]], comma)?));
    }
    Ok(out)
}

/// Reads the covariate files for the physicians kept (`keep`, in network order; they are
/// renumbered in order, as the fit's network is).
pub fn read(
    files: &CovariateFiles,
    net: &Network,
    keep: &[bool],
    id_column: &str,
    periods: u32,
    decay: f64,
) -> Result<Covariates, Error> {
    let marketing = match &files.marketing {
        Some(p) => read_marketing(p, periods)?,
        None => vec![0.0; periods as usize],
    };
    let mut map = vec![u32::MAX; keep.len()];
    let mut k = 0u32;
    for (i, &kept) in keep.iter().enumerate() {
        if kept {
            map[i] = k;
            k += 1;
        }
    }
    let mut visits: Vec<Vec<(u32, f64)>> = vec![Vec::new(); k as usize];
    if let Some(p) = &files.detailing {
        for (node, s, v) in read_detailing(p, net, id_column, periods)? {
            let i = map[node as usize];
            if i != u32::MAX {
                visits[i as usize].push((s, v));
            }
        }
        for v in &mut visits {
            v.sort_by_key(|a| a.0);
        }
    }
    let files = [&files.marketing, &files.detailing]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    Ok(Covariates {
        marketing,
        visits,
        decay,
        files,
    })
}

/// The person-period cells of the detailing likelihood: covariates `(c, w, d)` (adopted
/// in-weight and in-weight at the end of `t − 1`, stock of step `t − 1`) for periods
/// `2..=periods`, pooled, sorted by key (so sums do not depend on hash order).
pub fn cells(net: &FitNet, tau: &[u32], periods: u32, cov: &Covariates) -> Vec<Cell> {
    let n = net.n();
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); periods as usize + 1];
    for (i, &t) in tau.iter().enumerate() {
        if t != NEVER && t >= 1 && t <= periods {
            by[t as usize].push(i as u32);
        }
    }
    let mut c = vec![0.0f64; n];
    let mut stock = vec![0.0f64; n];
    let mut next = vec![0usize; n]; // position in each physician's visit list
    let mut pool: BTreeMap<[u64; 3], (Exposure, f64, f64)> = BTreeMap::new();
    for t in 1..=periods {
        let s = t - 1; // this period's step
        let m = cov.marketing.get(s as usize).copied().unwrap_or(0.0);
        for i in 0..n {
            let mut d = cov.decay * stock[i] + m;
            let list = &cov.visits[i];
            while next[i] < list.len() && list[next[i]].0 == s {
                d += list[next[i]].1;
                next[i] += 1;
            }
            stock[i] = d;
        }
        if t >= 2 {
            for i in 0..n {
                if tau[i] < t {
                    continue;
                }
                let x = Exposure {
                    c: c[i],
                    w: net.in_weight(i),
                    d: stock[i],
                    ..Exposure::default()
                };
                let e = pool
                    .entry([x.c.to_bits(), x.w.to_bits(), x.d.to_bits()])
                    .or_insert((x, 0.0, 0.0));
                e.1 += 1.0;
                e.2 += f64::from(u8::from(tau[i] == t));
            }
        }
        // Exposure at the end of period t, read in period t + 1.
        for &j in &by[t as usize] {
            let (dst, w) = net.out_arcs(j as usize);
            for (&i, &x) in dst.iter().zip(w) {
                c[i as usize] += x as f64;
            }
        }
    }
    pool.into_values()
        .map(|(x, r, y)| Cell { x, r, y })
        .collect()
}

/// What fitting `detailing` to the covariates found.
#[derive(Debug, Clone)]
pub struct DetailingFit {
    /// `alpha, beta, gamma` with standard errors and profile intervals.
    pub estimates: Vec<super::Estimate>,
    /// The maximum log-likelihood.
    pub loglik: f64,
    /// With a holdout `K`: the log-likelihood of periods `K+1..T` at the fit to periods `≤ K`.
    pub holdout: Option<f64>,
    /// The cells fitted (for the note when the likelihood is −∞).
    pub cells: Vec<Cell>,
}

/// Fits `c` (detailing, [`super::models::Role::Covariates`]) to the observed adoptions `tau` with the
/// covariates, and scores the holdout (as for the other models: refit on periods `≤ K` with
/// later adoptions censored at `K`; the cells of periods `≤ K` are the same in both data
/// sets).
pub fn fit(
    c: super::models::Candidate,
    net: &FitNet,
    tau: &[u32],
    periods: u32,
    cov: &Covariates,
    holdout: Option<u32>,
) -> DetailingFit {
    let cells = cells(net, tau, periods, cov);
    let p0 = |cells: &[Cell]| {
        let (r, y) = cells.iter().fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
        if r > 0.0 { y / r } else { 0.0 }
    };
    let (estimates, loglik) = super::fit_pooled(c, &cells, p0(&cells));
    let holdout = holdout.filter(|&k| k >= 2 && k < periods).and_then(|k| {
        let tau_k: Vec<u32> = tau
            .iter()
            .map(|&t| if t != NEVER && t > k { NEVER } else { t })
            .collect();
        let early = self::cells(net, &tau_k, k, cov);
        let (th, ll_k) = super::maximum(c, &early, p0(&early));
        let ll = super::data::log_likelihood(&cells, |x| c.hazard(&th, x));
        ll_k.is_finite().then_some(ll - ll_k)
    });
    DetailingFit {
        estimates,
        loglik,
        holdout,
        cells,
    }
}
