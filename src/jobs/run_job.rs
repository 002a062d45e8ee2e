//! `run`: simulate every arm × model × replicate and write the results folder.

use super::Progress;
use crate::api;
use crate::error::Error;
use crate::output::{self, Comparison};
use crate::run::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use crate::stats::{Metrics, StepSummary};
use crate::{folder, manifest, segments, table};
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

/// How much per-replicate detail a run folder keeps (`--curves`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curves {
    /// `curves.csv` (every replicate's curve) and `metrics.csv` (every replicate's metrics).
    Full,
    /// No `curves.csv`; `metrics.csv` kept (one row per replicate, small).
    Summary,
    /// Neither `curves.csv` nor `metrics.csv`: only the summaries over replicates.
    None,
}

/// Above this estimated size of `curves.csv` (50 MB), a run without `--curves` writes the
/// summary only.
pub const CURVES_AUTO_LIMIT: u64 = 50_000_000;

impl Curves {
    /// Parses `full`, `summary` or `none`.
    pub fn from_name(s: &str) -> Option<Curves> {
        match s {
            "full" => Some(Curves::Full),
            "summary" => Some(Curves::Summary),
            "none" => Some(Curves::None),
            _ => None,
        }
    }

    /// Rows of `curves.csv`: arms × models × replicates × (steps + 1).
    pub fn auto_rows(sc: &Scenario) -> u64 {
        sc.arms.len() as u64
            * sc.models.len() as u64
            * u64::from(sc.replicates)
            * (u64::from(sc.steps) + 1)
    }

    /// The name, as written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Curves::Full => "full",
            Curves::Summary => "summary",
            Curves::None => "none",
        }
    }

    /// The default: `full` when `curves.csv` would be under [`CURVES_AUTO_LIMIT`] (estimated at
    /// 40 bytes per row: arms × models × replicates × (steps + 1) rows), else `summary`.
    pub fn auto(sc: &Scenario) -> Curves {
        if Curves::auto_rows(sc).saturating_mul(40) > CURVES_AUTO_LIMIT {
            Curves::Summary
        } else {
            Curves::Full
        }
    }
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

/// What goes into a run folder: which per-replicate files, and the names in manifest order.
struct Plan {
    curves: Curves,
    segment_curves: bool,
    names: Vec<&'static str>,
}

fn plan(sc: &Scenario, res: &api::RunResults, opts: &FolderOptions) -> Plan {
    let curves = opts.curves.unwrap_or_else(|| Curves::auto(sc));
    // `segment_curves.csv` has a row per segment for each `curves.csv` row: without an explicit
    // `--curves full`, it is written only while it stays under the size limit of `curves.csv`.
    let segment_curves = curves == Curves::Full
        && res.result.segments.as_ref().is_some_and(|seg| {
            opts.curves.is_some()
                || Curves::auto_rows(sc).saturating_mul(seg.labels.len() as u64 * 40)
                    <= CURVES_AUTO_LIMIT
        });
    let mut names = Vec::new();
    if curves == Curves::Full {
        names.push("curves.csv");
    }
    names.push("summary.csv");
    if curves != Curves::None {
        names.push("metrics.csv");
    }
    names.extend([
        "comparison.csv",
        "manifest.json",
        "scenario.toml",
        "kols.csv",
    ]);
    if opts.record {
        names.push("adoptions.csv");
    }
    if !res.result.network.dropped.is_empty() {
        names.push("dropped.csv");
    }
    if res.segments.is_some() {
        let [curves_f, summary_f, metrics_f, comparison_f, _] = segments::FILES;
        if segment_curves {
            names.push(curves_f);
        }
        names.push(summary_f);
        if curves != Curves::None {
            names.push(metrics_f);
        }
        names.push(comparison_f);
    }
    names.extend(crate::report::FILES);
    if res.segments.is_some() {
        names.push(segments::FILES[4]);
    }
    if opts.browser.is_some() {
        names.push("report.pdf");
    }
    Plan {
        curves,
        segment_curves,
        names,
    }
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
    let plan = plan(sc, res, opts);
    let result = &res.result;
    let ids: Vec<u64> = (0..sc.replicates as u64).collect();
    let mut man = manifest::build(sc, result, opts.command.clone(), plan.names.clone());
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
    let mut files = table_files(sc, res, &plan, &ids, man_json)?;
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
    Ok(plan.names)
}

/// The CSV files (and the manifest and scenario copy) of a run folder, in manifest order.
fn table_files(
    sc: &Scenario,
    res: &api::RunResults,
    plan: &Plan,
    ids: &[u64],
    man_json: Vec<u8>,
) -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
    let result = &res.result;
    let mut files = Vec::new();
    if plan.curves == Curves::Full {
        files.push(("curves.csv", output::curves_csv(result, ids)));
    }
    files.push(("summary.csv", output::summary_csv(result, &res.summaries)));
    if plan.curves != Curves::None {
        files.push((
            "metrics.csv",
            output::metrics_csv(result, &res.metrics, ids),
        ));
    }
    files.extend([
        ("comparison.csv", output::comparison_csv(&res.comparisons)),
        ("manifest.json", man_json),
        ("scenario.toml", sc.source.text.clone().into_bytes()),
        ("kols.csv", super::kols_file::kols_csv(sc, result)?),
    ]);
    if plan.names.contains(&"adoptions.csv") {
        // The run keeps realisation 0's network when recording; read it again only if not.
        let real0 = match &result.ids {
            Some(net) => std::borrow::Cow::Borrowed(net),
            None => std::borrow::Cow::Owned(crate::realise::build_network(sc, 0)?),
        };
        files.push(("adoptions.csv", output::adoptions_csv(result, ids, &real0)));
    }
    if plan.names.contains(&"dropped.csv") {
        files.push(("dropped.csv", output::dropped_csv(&result.network.dropped)));
    }
    if let (Some(seg), Some(an)) = (&result.segments, &res.segments) {
        let [curves_f, summary_f, metrics_f, comparison_f, _] = segments::FILES;
        if plan.segment_curves {
            files.push((curves_f, segments::output::curves_csv(result, seg, ids)));
        }
        files.push((summary_f, segments::output::summary_csv(result, seg, an)));
        if plan.curves != Curves::None {
            files.push((
                metrics_f,
                segments::output::metrics_csv(result, seg, an, ids),
            ));
        }
        files.push((comparison_f, segments::output::comparison_csv(seg, an)));
    }
    Ok(files)
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
