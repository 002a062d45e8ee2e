//! `run`: simulate every arm × model × replicate and write the results folder.

use super::Progress;
use crate::error::Error;
use crate::output::{self, Comparison};
use crate::run::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use crate::stats::{Metrics, StepSummary};
use crate::{folder, manifest, table};
use std::path::{Path, PathBuf};

/// Where and how to write a run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The results folder.
    pub dir: PathBuf,
    /// Replace an existing results folder that kolsim wrote.
    pub force: bool,
    /// Threads and recording.
    pub opts: RunOptions,
    /// The command line, for the manifest.
    pub command: Vec<String>,
    /// Memory the run may use, in bytes (`None`: the memory available).
    pub max_memory: Option<u64>,
}

/// What a finished run produced (everything is also in the folder).
#[derive(Debug)]
pub struct RunOutcome {
    /// The simulated curves and run facts.
    pub result: RunResult,
    /// Per arm, model, step: summaries over replicates.
    pub summaries: Vec<Vec<Vec<StepSummary>>>,
    /// Per arm, model, replicate: metrics.
    pub metrics: Vec<Vec<Vec<Metrics>>>,
    /// Paired comparisons (model vs baseline, arm vs reference).
    pub comparisons: Vec<Comparison>,
    /// The files written, in manifest order.
    pub files: Vec<&'static str>,
    /// The results folder.
    pub dir: PathBuf,
}

/// Runs `sc` and writes its results folder atomically. An existing folder is refused before
/// anything runs, unless `force` and it is kolsim's own.
pub fn run_folder(
    sc: &Scenario,
    req: RunRequest,
    progress: &dyn Progress,
) -> Result<RunOutcome, Error> {
    crate::limits::check_run(sc, req.opts.threads, req.opts.record, req.max_memory)?;
    folder::check_out(&req.dir, req.force)?;
    let ids: Vec<u64> = (0..sc.replicates as u64).collect();
    progress.start(run::work_items(sc, ids.len()));
    let result = run::run(sc, &ids, req.opts, &|| progress.tick())?;
    let summaries = output::summaries(&result);
    let metrics = output::all_metrics(&result);
    let comparisons = output::comparisons(&result, &metrics, &sc.baseline, &sc.reference_arm);
    let mut names = vec![
        "curves.csv",
        "summary.csv",
        "metrics.csv",
        "comparison.csv",
        "manifest.json",
        "scenario.toml",
        "kols.csv",
    ];
    if req.opts.record {
        names.push("adoptions.csv");
    }
    names.extend(crate::report::FILES);
    let man = manifest::build(sc, &result, req.command, names.clone());
    let man_json = serde_json::to_vec_pretty(&man).map_err(|e| Error::Other(e.to_string()))?;
    // The scenario's observed launch, drawn as points on the adoption figure.
    let observed = match &sc.observed {
        Some(spec) => {
            let net = match &result.ids {
                Some(net) => std::borrow::Cow::Borrowed(net),
                None => std::borrow::Cow::Owned(crate::realise::build_network(sc, 0)?),
            };
            Some(crate::fit::observed::read_spec(spec, &net)?.cumulative_share(net.n()))
        }
        None => None,
    };
    let deliverables = crate::report::files(
        sc,
        &result,
        &summaries,
        &metrics,
        &comparisons,
        &man_json,
        observed.as_deref(),
    );
    let mut files = vec![
        (names[0], output::curves_csv(&result, &ids)),
        (names[1], output::summary_csv(&result, &summaries)),
        (names[2], output::metrics_csv(&result, &metrics, &ids)),
        (names[3], output::comparison_csv(&comparisons)),
        (names[4], man_json),
        (names[5], sc.source.text.clone().into_bytes()),
        (names[6], super::kols_file::kols_csv(sc, &result)?),
    ];
    if req.opts.record {
        // The run keeps realisation 0's network when recording; read it again only if not.
        let real0 = match &result.ids {
            Some(net) => std::borrow::Cow::Borrowed(net),
            None => std::borrow::Cow::Owned(crate::realise::build_network(sc, 0)?),
        };
        files.push((names[7], output::adoptions_csv(&result, &ids, &real0)));
    }
    files.extend(deliverables);
    folder::write_folder(&req.dir, &files, req.force)?;
    Ok(RunOutcome {
        result,
        summaries,
        metrics,
        comparisons,
        files: names,
        dir: req.dir,
    })
}

impl RunOutcome {
    /// The terminal summary `kolsim run` prints: a header line, the results table and a footer
    /// naming the folder.
    pub fn terminal_text(&self, sc: &Scenario) -> String {
        let res = &self.result;
        let unit = sc.time_unit.plural();
        format!(
            "{}: {} physicians ({} network, {} arcs, {} KOLs), {} {unit}, {} replicates per model, seed {}\n\n{}\nt10/t50/t90: {unit} to 10/50/90% adoption, median [5–95%] over replicates. Baseline: {}.\nResults in {} ({:.2} s simulating on {} thread(s)).\n",
            sc.name,
            res.n,
            res.network.kind,
            res.network.arcs,
            res.kols,
            sc.steps,
            sc.replicates,
            sc.seed,
            table::render(
                &res.models,
                &res.arms,
                &self.metrics,
                &output::final_users(res),
                &self.comparisons,
                sc.steps,
                unit
            ),
            sc.baseline,
            Path::new(&self.dir).display(),
            res.timings.simulate_s,
            res.threads
        )
    }
}
