//! `sweep`: the sweep policy — build the grid from the scenario's `[sweep]` table and `--set`
//! keys, validate every point, prepare (or replace, or resume) the folder, run the owned points,
//! and merge when the whole grid is done.

use super::Progress;
use super::sweep_folder;
use crate::error::Error;
use crate::scenario::Scenario;
use crate::sweep::{self, Grid, Shard};
use std::path::PathBuf;

/// A sweep to run.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// `KEY=VALUES` arguments; they replace keys of the same name in the `[sweep]` table.
    pub set: Vec<String>,
    /// The sweep folder (default: `results/<name>-sweep`).
    pub dir: Option<PathBuf>,
    /// Delete an existing sweep folder that kolsim wrote first.
    pub force: bool,
    /// Run only the points missing from an existing folder.
    pub resume: bool,
    /// Run only this shard's points (`I/N`), and do not merge.
    pub shard: Option<String>,
    /// Worker threads (0: all cores). Many small points run side by side, one thread each;
    /// otherwise points run one after another, each on all the threads.
    pub threads: usize,
    /// Memory each point may use, in bytes (`None`: the memory available).
    pub max_memory: Option<u64>,
    /// Also print the merged report to `report.pdf` with headless Chromium.
    pub pdf: bool,
}

/// What a sweep did.
#[derive(Debug)]
pub struct SweepOutcome {
    /// The grid.
    pub grid: Grid,
    /// The sweep folder.
    pub dir: PathBuf,
    /// Points run by this call.
    pub ran: usize,
    /// Points finished in the folder now.
    pub finished: usize,
    /// The shard run, if any (then nothing was merged).
    pub shard: Option<Shard>,
}

/// Runs a sweep of `sc` as `req` says. Every point is validated before anything runs.
pub fn sweep(
    sc: &Scenario,
    req: SweepRequest,
    progress: &dyn Progress,
) -> Result<SweepOutcome, Error> {
    let shard = req.shard.as_deref().map(Shard::parse).transpose()?;
    if req.force && shard.is_some() {
        return Err(Error::Usage(
            "--force with --shard would delete points other shards finished in the shared folder; remove the folder yourself before starting the shards".into(),
        ));
    }
    let set = req
        .set
        .iter()
        .map(|a| sweep::parse_set(a))
        .collect::<Result<Vec<_>, _>>()?;
    let grid = crate::api::sweep_grid(sc, set)?;
    let browser = super::seed_job::browser(req.pdf)?;
    for k in 0..grid.len() {
        let point = sweep::point_scenario(sc, &grid, k)?;
        super::memory::check_run(&point, req.threads, false, req.max_memory)
            .map_err(|e| Error::Usage(format!("sweep point {k}: {e}")))?;
    }
    let dir = req
        .dir
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-sweep", sc.name)));
    if std::fs::symlink_metadata(&dir).is_ok() {
        if req.force {
            crate::folder::remove_owned(&dir)?;
        } else if !req.resume && shard.is_none() {
            return Err(Error::OutputExists(dir));
        }
    }
    sweep_folder::prepare_dir(&dir, &grid)?;
    let todo: Vec<usize> = (0..grid.len())
        .filter(|&k| shard.is_none_or(|s| s.owns(k)) && !sweep_folder::is_done(&dir, k))
        .collect();
    progress.start(todo.len() as u64);
    let workers = match req.threads {
        0 => std::thread::available_parallelism().map_or(1, |c| c.get()),
        t => t,
    };
    if side_by_side(sc, &grid, todo.len(), workers, req.max_memory)? {
        points_side_by_side(sc, &grid, &todo, &dir, workers, progress)?;
    } else {
        for &k in &todo {
            sweep_folder::run_point_folder(sc, &grid, k, &dir, req.threads)?;
            progress.tick();
        }
    }
    if shard.is_none() {
        sweep_folder::merge_with(&dir, browser.as_deref())?;
    }
    let finished = (0..grid.len())
        .filter(|&k| sweep_folder::is_done(&dir, k))
        .count();
    Ok(SweepOutcome {
        grid,
        dir,
        ran: todo.len(),
        finished,
        shard,
    })
}

/// Runs the `todo` points of `grid` on `workers` plain threads, one thread per point.
fn points_side_by_side(
    sc: &Scenario,
    grid: &Grid,
    todo: &[usize],
    dir: &std::path::Path,
    workers: usize,
    progress: &dyn Progress,
) -> Result<(), Error> {
    // Plain threads pulling points from a counter: each point builds its own one-thread
    // pool, and a plain thread blocked on it does not start further points meanwhile (a
    // rayon worker would, nesting stacks). Each point's result does not depend on its
    // thread count, so the files are the same bytes as when the points run one after
    // another; the first failure (by point) wins.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(usize, Result<(), Error>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let worker = std::thread::Builder::new().stack_size(8 << 20);
                worker.spawn_scoped(scope, || {
                    let mut done = Vec::new();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&k) = todo.get(at) else { break };
                        done.push((k, sweep_folder::run_point_folder(sc, grid, k, dir, 1)));
                        progress.tick();
                    }
                    done
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
        Ok::<_, Error>(
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect(),
        )
    })?;
    let mut results = results;
    results.sort_by_key(|r| r.0);
    results
        .into_iter()
        .map(|r| r.1)
        .collect::<Result<Vec<()>, Error>>()?;
    Ok(())
}

/// Whether `todo` points should run side by side, one thread each, on `workers` threads: when
/// there are at least two points per worker (so every thread stays busy) and `workers`
/// single-threaded points at once fit in the memory limit. Otherwise points run one after
/// another, each using every thread (a few large points).
fn side_by_side(
    sc: &Scenario,
    grid: &Grid,
    todo: usize,
    workers: usize,
    max_memory: Option<u64>,
) -> Result<bool, Error> {
    if workers < 2 || todo < 2 * workers {
        return Ok(false);
    }
    let Some((limit, _)) = super::memory::limit(max_memory) else {
        return Ok(true);
    };
    for k in 0..grid.len() {
        let point = sweep::point_scenario(sc, grid, k)?;
        let one = super::memory::estimate(&point, 1, false).total();
        if one.saturating_mul(workers as u64) > limit {
            return Ok(false);
        }
    }
    Ok(true)
}
