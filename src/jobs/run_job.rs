//! `run`: simulate every arm × model × replicate and write the results folder.

use super::Progress;
pub use super::run_files::{CURVES_AUTO_LIMIT, Curves};
use super::run_files::{Inputs, Plan, table_files};
use crate::api;
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
    /// Which per-replicate files to write (`None`: [`Curves::auto`]).
    pub curves: Option<Curves>,
    /// Also print the report to `report.pdf` with headless Chromium.
    pub pdf: bool,
}

/// The headless browser `--pdf` uses: the first of `chromium`, `chromium-browser`,
/// `google-chrome` on `PATH`.
pub(super) fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Prints `html` to PDF with headless Chromium (`browser`), through a temporary folder.
pub(super) fn print_pdf(browser: &Path, html: &[u8]) -> Result<Vec<u8>, Error> {
    let tmp = std::env::temp_dir().join(format!(
        "kolsim-pdf-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let page = tmp.join("report.html");
    let pdf = tmp.join("report.pdf");
    let result = (|| {
        std::fs::write(&page, html).map_err(|e| Error::io(&page, e))?;
        let out = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                "--run-all-compositor-stages-before-draw",
            ])
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .map_err(|e| Error::Other(format!("--pdf: cannot start {}: {e}", browser.display())))?;
        std::fs::read(&pdf).map_err(|_| {
            Error::Other(format!(
                "--pdf: {} wrote no PDF (exit status {}): {}",
                browser.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ))
        })
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
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

/// How to write a run's results folder ([`write_run_folder`]).
#[derive(Debug, Clone)]
pub struct FolderOptions {
    /// The results folder.
    pub dir: PathBuf,
    /// Replace an existing results folder that kolsim wrote.
    pub force: bool,
    /// The command line, for the manifest.
    pub command: Vec<String>,
    /// Which per-replicate files to write (`None`: [`Curves::auto`]).
    pub curves: Option<Curves>,
    /// Whether the adoptions were recorded (then `adoptions.csv` is written).
    pub record: bool,
    /// Print the report to `report.pdf` with this headless Chromium.
    pub browser: Option<PathBuf>,
}

/// Runs `sc` and writes its results folder atomically. An existing folder is refused before
/// anything runs, unless `force` and it is kolsim's own.
pub fn run_folder(
    sc: &Scenario,
    req: RunRequest,
    progress: &dyn Progress,
) -> Result<RunOutcome, Error> {
    super::memory::check_run(sc, req.opts.threads, req.opts.record, req.max_memory)?;
    folder::check_out(&req.dir, req.force)?;
    let browser = if req.pdf {
        Some(find_browser().ok_or_else(|| {
            Error::Usage(
                "--pdf needs headless Chromium: none of chromium, chromium-browser or google-chrome is on PATH (install chromium, or print report.html from a browser)".into(),
            )
        })?)
    } else {
        None
    };
    progress.start(run::work_items(sc, sc.replicates as usize));
    let tick = |_: u64, _: u64| progress.tick();
    let results = api::simulate(
        sc,
        &api::Options {
            threads: req.opts.threads,
            record: req.opts.record,
            progress: Some(&tick),
            cancel: None,
        },
    )?;
    let opts = FolderOptions {
        dir: req.dir,
        force: req.force,
        command: req.command,
        curves: req.curves,
        record: req.opts.record,
        browser,
    };
    let files = write_run_folder(sc, &results, &opts)?;
    Ok(RunOutcome {
        result: results.result,
        summaries: results.summaries,
        metrics: results.metrics,
        comparisons: results.comparisons,
        files,
        dir: opts.dir,
    })
}

/// Writes the results folder of a run simulated with [`api::simulate`] atomically (refusing an
/// existing folder unless `force` and it is kolsim's own) and returns the files written, in
/// manifest order.
///
/// ```no_run
/// use kolsim::api::{Options, simulate};
/// use kolsim::jobs::{FolderOptions, write_run_folder};
/// let sc = kolsim::scenario::load("scenarios/quickstart.toml".as_ref())?;
/// let res = simulate(&sc, &Options::default())?;
/// let opts = FolderOptions {
///     dir: "results/quickstart".into(),
///     force: true,
///     command: vec![],
///     curves: None,
///     record: false,
///     browser: None,
/// };
/// let files = write_run_folder(&sc, &res, &opts)?;
/// assert!(files.contains(&"report.html"));
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn write_run_folder(
    sc: &Scenario,
    res: &api::RunResults,
    opts: &FolderOptions,
) -> Result<Vec<&'static str>, Error> {
    let plan = Plan::new(sc, res, opts.curves, opts.record, opts.browser.is_some());
    let result = &res.result;
    let ids: Vec<u64> = (0..sc.replicates as u64).collect();
    let names = plan.names();
    let mut man = manifest::build(sc, result, opts.command.clone(), names.clone());
    man.curves = plan.curves.name();
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
        result,
        &res.summaries,
        &res.metrics,
        &res.comparisons,
        &man_json,
        observed.as_deref(),
    );
    let inputs = Inputs {
        sc,
        res,
        ids: &ids,
        manifest: &man_json,
    };
    let mut files = table_files(&plan, &inputs)?;
    if let Some(browser) = &opts.browser {
        let html = deliverables
            .iter()
            .find(|(n, _)| *n == "report.html")
            .map(|(_, b)| b.as_slice())
            .unwrap_or_default();
        let pdf = print_pdf(browser, html)?;
        files.extend(deliverables);
        files.push(("report.pdf", pdf));
    } else {
        files.extend(deliverables);
    }
    folder::write_folder(&opts.dir, &files, opts.force)?;
    Ok(names)
}

impl RunOutcome {
    /// The terminal summary `kolsim run` prints: a header line, the results table and a footer
    /// naming the folder.
    pub fn terminal_text(&self, sc: &Scenario) -> String {
        let res = &self.result;
        let unit = sc.time_unit.plural();
        let per_segment = res.segments.as_ref().map_or(String::new(), |seg| {
            format!(
                "Per {}: {} segment{} in segment_summary.csv, segment_comparison.csv and the report.\n",
                seg.attribute,
                seg.labels.len(),
                if seg.labels.len() == 1 { "" } else { "s" }
            )
        });
        format!(
            "{}: {} physicians ({} network, {} arcs, {} KOLs), {} {unit}, {} replicates per model, seed {}\n\n{}\nt10/t50/t90: {unit} to 10/50/90% adoption, median [5–95%] over replicates. Baseline: {}.\n{per_segment}Results in {} ({:.2} s simulating on {} thread(s)).\n",
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
