//! The library face: run a [`Scenario`] in memory, without files, printing or process exits.
//!
//! [`simulate`] takes a scenario (read from a file with [`crate::scenario::load`], or built in
//! code with [`Scenario::new`]) and [`Options`] (threads, recording, a progress callback, a
//! cancellation flag) and returns [`RunResults`]: the curves and everything derived from them.
//! Writing a results folder is a separate call, [`crate::jobs::write_run_folder`]. Nothing here
//! reads argv or the environment, prints, or exits; errors are returned as [`Error`].
//!
//! The other jobs' computations are here too, in memory: [`fit`] (an observed launch →
//! [`FitResults`]) and [`sweep_grid`] / [`run_sweep`] (a grid → [`SweepResults`]); the seed
//! selection is [`crate::jobs::select_seeds`] (it shares its comparison with the seed job's
//! files). `kolsim fit`, `sweep` and `seed` write their folders from these, and the Python
//! package returns them as tables, so both give the same numbers.

mod fit;
mod sweep;

pub use fit::{FitResults, fit, fitted_scenario};
pub use sweep::{SweepResults, run_sweep, sweep_grid};

use crate::error::Error;
use crate::run::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use crate::segments::{self, Analysis};
use crate::stats::{Metrics, StepSummary};
use crate::summary::{self, Comparison};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How to run: none of these change the results.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Worker threads (0 = all cores). Results are the same for any number.
    pub threads: usize,
    /// Record every adoption with its channel and influencer ([`RunResult::records`]).
    pub record: bool,
    /// Called after each finished work item with `(done, total)`, from worker threads.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
    /// Set it (from any thread) to stop the run: [`simulate`] then returns
    /// [`Error::Cancelled`] soon after.
    pub cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("threads", &self.threads)
            .field("record", &self.record)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(|c| c.load(Ordering::Relaxed)))
            .finish()
    }
}

/// A run's results in memory: the curves and what the outputs derive from them.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The curves (`curves[arm][model][replicate]`), network facts, KOLs and timings.
    pub result: RunResult,
    /// Per arm, model and step, the share adopted over replicates, `[arm][model][step]`.
    pub summaries: Vec<Vec<Vec<StepSummary>>>,
    /// Per-replicate metrics (final share, t10/t50/t90, …), `[arm][model][replicate]`.
    pub metrics: Vec<Vec<Vec<Metrics>>>,
    /// Paired comparisons: each model vs the baseline, each arm vs the reference arm.
    pub comparisons: Vec<Comparison>,
    /// With `segment` in the scenario: the same per segment.
    pub segments: Option<Analysis>,
}

/// Runs every arm × model × replicate of `sc` in memory. Deterministic: the results depend only
/// on the scenario (and its seed), never on `opts`.
///
/// ```
/// use kolsim::api::{Options, simulate};
/// use kolsim::models::bass::Bass;
/// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
/// let sc = Scenario::new(
///     "doc",
///     12,
///     5,
///     NetworkSpec::BarabasiAlbert { n: 300, m: 2 },
///     vec![NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")])],
/// );
/// let done = std::sync::atomic::AtomicU64::new(0);
/// let progress = |d: u64, _total: u64| { done.fetch_max(d, std::sync::atomic::Ordering::Relaxed); };
/// let res = simulate(&sc, &Options { threads: 2, progress: Some(&progress), ..Default::default() })?;
/// assert_eq!(res.result.curves[0][0].len(), 5); // one curve per replicate
/// assert_eq!(done.into_inner(), 5);
/// assert!(res.summaries[0][0].last().unwrap().mean > 0.0);
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn simulate(sc: &Scenario, opts: &Options) -> Result<RunResults, Error> {
    let replicates: Vec<u64> = (0..u64::from(sc.replicates)).collect();
    let total = run::work_items(sc, replicates.len());
    let done = AtomicU64::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = opts.progress {
            p(d, total);
        }
    };
    let never = AtomicBool::new(false);
    let result = run::run_cancellable(
        sc,
        &replicates,
        RunOptions {
            threads: opts.threads,
            record: opts.record,
        },
        &tick,
        opts.cancel.unwrap_or(&never),
    )?;
    Ok(analyse(sc, result))
}

/// What the outputs derive from a run's curves: summaries, metrics, comparisons and, with
/// `segment`, the same per segment.
///
/// ```
/// # use kolsim::api::{Options, analyse, simulate};
/// # use kolsim::models::bass::Bass;
/// # use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
/// # let sc = Scenario::new("doc", 6, 3, NetworkSpec::ErdosRenyi { n: 100, mean_degree: 4.0 },
/// #     vec![NamedModel::new("bass", Bass { p: 0.02, q: 0.2 }, &[])]);
/// let res = simulate(&sc, &Options::default())?;
/// let again = analyse(&sc, res.result.clone());
/// assert_eq!(again.comparisons.len(), res.comparisons.len());
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn analyse(sc: &Scenario, result: RunResult) -> RunResults {
    let summaries = summary::summaries(&result);
    let metrics = summary::all_metrics(&result);
    let comparisons = summary::comparisons(&result, &metrics, &sc.baseline, &sc.reference_arm);
    let segments = result
        .segments
        .as_ref()
        .map(|seg| segments::analyse(&result, seg, &sc.baseline, &sc.reference_arm));
    RunResults {
        result,
        summaries,
        metrics,
        comparisons,
        segments,
    }
}
