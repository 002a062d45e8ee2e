//! Sweeps in memory: the grid of a scenario's `[sweep]` table and extra axes, and every point's
//! rows of `sweep.csv` ([`SweepRow`]). `kolsim sweep` builds its grid here and writes point
//! folders; the Python package runs the points here and returns the rows as a table.

use super::Options;
use crate::error::Error;
use crate::scenario::Scenario;
use crate::sweep::row::{SweepRow, parse_rows, sweep_csv};
use crate::sweep::{self, Axis, Grid};
use std::sync::atomic::Ordering;

/// A sweep's results in memory.
#[derive(Debug, Clone)]
pub struct SweepResults {
    /// The grid (axes, seed, replicates).
    pub grid: Grid,
    /// The rows of `sweep.csv`: per point, one per model × arm.
    pub rows: Vec<SweepRow>,
    /// `summary.csv` of the sweep: each point's run summary, the point index first.
    pub summary: String,
}

impl SweepResults {
    /// `sweep.csv`, byte for byte what `kolsim sweep` writes.
    /// (Example: [`sweep_grid`].)
    pub fn csv(&self) -> String {
        sweep_csv(&self.grid, &self.rows)
    }
}

/// The grid of `sc`: its `[sweep]` table's axes, each replaced by the axis in `set` of the same
/// key, then the other axes of `set` in order. Every point is validated.
///
/// ```
/// use kolsim::api::{Options, run_sweep, sweep_grid};
/// use kolsim::models::bass::Bass;
/// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
/// use kolsim::sweep::parse_set;
/// let sc = Scenario::new("doc", 6, 4, NetworkSpec::ErdosRenyi { n: 150, mean_degree: 4.0 },
///     vec![NamedModel::of("bass", Bass { p: 0.01, q: 0.3 })]);
/// let grid = sweep_grid(&sc, vec![parse_set("model.bass.q=0.2,0.4")?])?;
/// assert_eq!(grid.len(), 2);
/// let res = run_sweep(&sc, grid, &Options::default())?;
/// assert_eq!(res.rows.len(), 2); // one per point × model × arm
/// assert!(res.csv().starts_with("point,"));
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn sweep_grid(sc: &Scenario, set: Vec<Axis>) -> Result<Grid, Error> {
    let mut axes = sweep::axes_from_table(sc);
    for a in set {
        axes.retain(|b| b.key != a.key);
        axes.push(a);
    }
    let grid = Grid {
        scenario: sc.name.clone(),
        scenario_text: sc.toml_text(),
        seed: sc.seed,
        replicates: sc.replicates,
        axes,
    };
    sweep::check(sc, &grid)?;
    Ok(grid)
}

/// Runs every point of `grid` one after another (each on `opts.threads` threads), in memory.
/// The rows are those `kolsim sweep` merges into `sweep.csv` (read back from the same point
/// text), so the table is the same. `opts.progress` counts points; `opts.cancel` is checked
/// between points.
///
/// See [`sweep_grid`] for an example.
pub fn run_sweep(sc: &Scenario, grid: Grid, opts: &Options) -> Result<SweepResults, Error> {
    let mut rows = Vec::new();
    let mut summary = String::new();
    let total = grid.len() as u64;
    for k in 0..grid.len() {
        if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled);
        }
        let [(_, point_rows), (_, point_summary)] = sweep::run_point(sc, &grid, k, opts.threads)?;
        let text = String::from_utf8_lossy(&point_rows);
        rows.extend(parse_rows("rows.csv".as_ref(), &text, k, &grid)?);
        let text = String::from_utf8_lossy(&point_summary);
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        if k == 0 {
            summary.push_str(&format!("point,{header}\n"));
        }
        for l in lines {
            summary.push_str(&format!("{k},{l}\n"));
        }
        if let Some(p) = opts.progress {
            p(k as u64 + 1, total);
        }
    }
    Ok(SweepResults {
        grid,
        rows,
        summary,
    })
}
