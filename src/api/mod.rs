//! The library face: run a [`Scenario`] in memory, without files, printing or process exits.
//!
//! - [`simulate`] (a scenario and [`Options`]: threads, recording, a progress callback, a
//!   cancellation flag) → [`RunResults`]: the curves and everything derived from them;
//! - [`fit`] (a scenario and an observed launch, a file or a [`Launch::Table`] in memory) →
//!   [`FitResults`]: every model's fit, tests and verdict;
//! - [`select_seeds`] (a scenario and a [`SeedRequest`]) → [`SeedOutcome`]: the recommended
//!   seed set, how it was found and the compared sets;
//! - [`sweep_grid`] + [`run_sweep`] (a grid of scenario values) → [`SweepResults`].
//!
//! A scenario comes from a file ([`crate::scenario::load`]) or is built in code
//! ([`Scenario::new`]; a network in memory: [`crate::network::in_memory`]). Writing a results
//! folder is a separate call ([`crate::jobs::write_run_folder`], [`crate::jobs::seed_folder`],
//! …). Nothing here reads argv or the environment, prints, or exits; errors are returned as
//! [`Error`]. `kolsim` writes its folders from these results and the Python package returns
//! them as tables, so both give the same numbers.
//!
//! A scenario built in code, simulated, fitted to its own first replicate and given 5 seeds,
//! without touching the disk:
//!
//! ```
//! use kolsim::api::{self, FitOptions, Launch, Options, SeedRequest};
//! use kolsim::models::bass::Bass;
//! use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
//!
//! // 500 physicians on a scale-free network, 12 months, 20 replicates, one model.
//! let bass = Bass { p: 0.01, q: 0.4 };
//! let sc = Scenario::new("in-code", 12, 20, NetworkSpec::BarabasiAlbert { n: 500, m: 3 },
//!     vec![NamedModel::of("bass", bass)]);
//!
//! // Simulate, recording who adopted when.
//! let run = api::simulate(&sc, &Options { record: true, ..Default::default() })?;
//! let share = run.summaries[0][0].last().unwrap().mean;
//! assert!(share > 0.0);
//!
//! // Replicate 0 as an observed launch, in memory: one row per physician (`id`,
//! // `adopted_at` = step + 1; empty = not adopted).
//! let mut adopted = vec![String::new(); run.result.n];
//! for r in &run.result.records[0][0][0] {
//!     adopted[r.node as usize] = (r.step + 1).to_string();
//! }
//! let launch = Launch::Table {
//!     name: "replicate-0".into(),
//!     header: vec!["id".into(), "adopted_at".into()],
//!     rows: adopted.into_iter().enumerate().map(|(i, t)| vec![i.to_string(), t]).collect(),
//! };
//! let fitted = api::fit(&sc, &launch, &FitOptions { permutations: 0, ..Default::default() })?;
//! let best = fitted.report.models.iter().min_by(|a, b| a.aic.total_cmp(&b.aic)).unwrap();
//! println!("best fit: {} (AIC {:.1})", best.name, best.aic);
//!
//! // The 5 best initial adopters under the model, compared with KOLs and random sets.
//! let seeds = api::select_seeds(&sc, &SeedRequest::new(Some("bass"), 5, sc.replicates))?;
//! assert_eq!(seeds.seeds.len(), 5);
//! # Ok::<(), kolsim::Error>(())
//! ```

mod fit;
mod seeds;
mod sweep;

pub use crate::fit::FitOptions;
pub use crate::fit::observed::Launch;
pub use fit::{FitError, FitResults, fit, fitted_scenario};
pub(crate) use seeds::check_request as seeds_check_request;
pub use seeds::{
    CELF_FIRST_REPLICATE, Check, Compare, Decision, Method, RegretRow, Robust, Role, Row,
    SeedError, SeedOutcome, SeedRequest, Selection, Sets, Share, Theory, select_seeds,
    select_seeds_checked,
};
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
///     vec![NamedModel::of("bass", Bass { p: 0.01, q: 0.3 })],
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
/// #     vec![NamedModel::of("bass", Bass { p: 0.02, q: 0.2 })]);
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
