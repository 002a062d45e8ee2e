//! The jobs from Python: run, fit, seed selection, sweep and the model list. Each computes in
//! memory with the library functions the CLI's jobs use, and hands back the CLI's files as
//! bytes (the Python side reads the CSVs into DataFrames), so the tables equal the CLI's.

use crate::scenario::NativeScenario;
use crate::{Ctl, blocking};
use kolsim::api::{self, FitResults, Options, RunResults};
use kolsim::fit::FitOptions;
use kolsim::jobs::{self, FolderOptions};
use kolsim::scenario::Scenario;
use kolsim::{Error, output, segments};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;
use std::sync::Arc;

/// Library options with this job's progress counter and cancellation flag.
fn options<'a>(
    ctl: &'a Ctl,
    threads: usize,
    progress: &'a (dyn Fn(u64, u64) + Sync),
) -> Options<'a> {
    Options {
        threads,
        record: false,
        progress: Some(progress),
        cancel: Some(&ctl.cancel),
    }
}

/// A run's results (see `kolsim.RunResult`).
#[pyclass(module = "kolsim._native", frozen)]
pub struct NativeRun {
    sc: Scenario,
    res: Arc<RunResults>,
}

/// Runs `scenario` in memory (every arm × model × replicate).
#[pyfunction]
#[pyo3(signature = (scenario, threads = 0, progress = None))]
pub fn run(
    py: Python<'_>,
    scenario: &NativeScenario,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<NativeRun> {
    let sc = scenario.sc.clone();
    jobs::memory::check_run(&sc, threads, false, None).map_err(crate::to_py)?;
    let job = sc.clone();
    let res = blocking(py, threads, progress.as_ref(), move |ctl| {
        let tick = |d, t| ctl.tick(d, t);
        api::simulate(&job, &options(ctl, threads, &tick))
    })?;
    Ok(NativeRun {
        sc,
        res: Arc::new(res),
    })
}

/// Writes a run folder as `kolsim run` does (without the command line in the manifest).
fn write_folder(sc: &Scenario, res: &RunResults, dir: PathBuf, force: bool) -> Result<(), Error> {
    let opts = FolderOptions {
        dir,
        force,
        command: vec!["kolsim (Python)".into()],
        curves: None,
        record: false,
        browser: None,
    };
    jobs::write_run_folder(sc, res, &opts).map(|_| ())
}

#[pymethods]
impl NativeRun {
    /// The bytes of one of the run folder's CSV files (`curves.csv` always in full).
    fn table<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let (sc, res) = (&self.sc, Arc::clone(&self.res));
        let r = &res.result;
        let ids: Vec<u64> = (0..sc.replicates as u64).collect();
        let seg = r.segments.as_ref().zip(res.segments.as_ref());
        let bytes = py.detach(|| -> Result<Vec<u8>, Error> {
            Ok(match (name, seg) {
                ("curves.csv", _) => output::curves_csv(r, &ids),
                ("summary.csv", _) => output::summary_csv(r, &res.summaries),
                ("metrics.csv", _) => output::metrics_csv(r, &res.metrics, &ids),
                ("comparison.csv", _) => output::comparison_csv(&res.comparisons),
                ("kols.csv", _) => jobs::kols_file::kols_csv(sc, r)?,
                ("segment_curves.csv", Some((s, _))) => segments::output::curves_csv(r, s, &ids),
                ("segment_summary.csv", Some((s, a))) => segments::output::summary_csv(r, s, a),
                ("segment_metrics.csv", Some((s, a))) => {
                    segments::output::metrics_csv(r, s, a, &ids)
                }
                ("segment_comparison.csv", Some((s, a))) => segments::output::comparison_csv(s, a),
                _ => return Err(Error::Usage(format!("no table {name} in this run"))),
            })
        });
        Ok(PyBytes::new(py, &bytes.map_err(crate::to_py)?))
    }

    /// Whether the run was split by a `segment` attribute.
    #[getter]
    fn segmented(&self) -> bool {
        self.res.segments.is_some()
    }

    /// Writes the run folder `kolsim run` writes (atomically; `force` replaces a folder
    /// kolsim wrote).
    #[pyo3(signature = (path, force = false))]
    fn to_folder(&self, py: Python<'_>, path: PathBuf, force: bool) -> PyResult<()> {
        py.detach(|| write_folder(&self.sc, &self.res, path, force))
            .map_err(crate::to_py)
    }

    /// The folder's `report.html` (written to a temporary folder and read back).
    fn report_html(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| {
            let dir = std::env::temp_dir().join(format!(
                "kolsim-report-{}-{:x}",
                std::process::id(),
                Arc::as_ptr(&self.res) as usize
            ));
            write_folder(&self.sc, &self.res, dir.clone(), true)?;
            let html = std::fs::read_to_string(dir.join("report.html"))
                .map_err(|e| Error::io(dir.join("report.html"), e));
            let _ = kolsim::folder::remove_owned(&dir);
            html
        })
        .map_err(crate::to_py)
    }

    /// Physicians, KOLs, arcs and the simulation time, as a short text.
    fn describe(&self) -> String {
        let r = &self.res.result;
        format!(
            "{}: {} physicians ({} network, {} arcs, {} KOLs), {} steps, {} replicates per model, seed {}",
            self.sc.name,
            r.n,
            r.network.kind,
            r.network.arcs,
            r.kols,
            self.sc.steps,
            self.sc.replicates,
            self.sc.seed
        )
    }
}

/// A fit's results (see `kolsim.FitResult`).
#[pyclass(module = "kolsim._native", frozen)]
pub struct NativeFit {
    sc: Scenario,
    res: FitResults,
}

/// Fits the scenario's models to the observed launch in `observed` (as `kolsim fit`; the
/// reading options default to the scenario's `[observed]` table, then the CLI's defaults).
#[pyfunction]
#[pyo3(signature = (scenario, observed, id_column = None, time_column = None, missing = None,
    periods = None, unobserved = "exclude", period_effects = true, permutations = 999,
    holdout = None, sim_replicates = kolsim::fit::DEFAULT_SIM_REPLICATES, bootstrap = 0,
    strata = None, covariates = None, threads = 0, progress = None))]
#[allow(clippy::too_many_arguments)]
pub fn fit(
    py: Python<'_>,
    scenario: &NativeScenario,
    observed: PathBuf,
    id_column: Option<String>,
    time_column: Option<String>,
    missing: Option<Vec<String>>,
    periods: Option<u32>,
    unobserved: &str,
    period_effects: bool,
    permutations: u32,
    holdout: Option<u32>,
    sim_replicates: u32,
    bootstrap: u32,
    strata: Option<String>,
    covariates: Option<Vec<String>>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<NativeFit> {
    let sc = scenario.sc.clone();
    let spec = sc.observed.clone();
    let unobserved = match unobserved {
        "exclude" => kolsim::fit::Unobserved::Exclude,
        "never" => kolsim::fit::Unobserved::Never,
        other => {
            return Err(PyValueError::new_err(format!(
                "unobserved = {other:?}: use \"exclude\" or \"never\""
            )));
        }
    };
    let opts = FitOptions {
        read: kolsim::fit::observed::ReadOptions {
            id_column: id_column
                .or_else(|| spec.as_ref().map(|s| s.id_column.clone()))
                .unwrap_or_else(|| "id".into()),
            time_column: time_column
                .or_else(|| spec.as_ref().map(|s| s.time_column.clone()))
                .unwrap_or_else(|| "adopted_at".into()),
            missing: missing
                .or_else(|| spec.as_ref().map(|s| s.missing.clone()))
                .unwrap_or_else(|| vec!["NA".into()]),
            periods,
        },
        unobserved,
        period_effects,
        permutations,
        holdout,
        covariates: kolsim::fit::covariates::CovariateFiles {
            marketing: spec.as_ref().and_then(|s| s.marketing.clone()),
            detailing: spec.as_ref().and_then(|s| s.detailing.clone()),
        },
        sim_replicates,
        bootstrap,
        controls: kolsim::fit::controls::ControlSpec {
            strata: strata.or_else(|| spec.as_ref().and_then(|s| s.strata.clone())),
            covariates: covariates
                .or_else(|| spec.as_ref().map(|s| s.covariates.clone()))
                .unwrap_or_default(),
        },
    };
    let job = sc.clone();
    let res = blocking(py, threads, progress.as_ref(), move |_| {
        api::fit(&job, &observed, &opts).map_err(Error::from)
    })?;
    Ok(NativeFit { sc, res })
}

#[pymethods]
impl NativeFit {
    /// `fit.csv` (estimates) or `models.csv` (the ranking), as `kolsim fit` writes them.
    fn table<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let r = &self.res.report;
        let bytes = match name {
            "fit.csv" => kolsim::fit::output::fit_csv(r),
            "models.csv" => kolsim::fit::output::models_csv(r),
            "permutation.csv" => match &r.permutation {
                Some(t) => kolsim::fit::permutation::csv(t),
                None => return Err(PyValueError::new_err("no permutation test in this fit")),
            },
            _ => return Err(PyValueError::new_err(format!("no table {name} in a fit"))),
        };
        Ok(PyBytes::new(py, &bytes))
    }

    /// The plain-language verdict (`verdict.txt`).
    #[getter]
    fn verdict(&self) -> String {
        kolsim::fit::verdict::verdict(&self.res.report)
    }

    /// The fit's table and notes as `kolsim fit` prints them.
    #[getter]
    fn text(&self) -> String {
        kolsim::fit::output::table(&self.res.report)
    }

    /// The fitted theories as a scenario (`fitted.toml`, paths relative to the scenario).
    fn fitted_scenario(&self) -> PyResult<NativeScenario> {
        api::fitted_scenario(&self.sc, &self.res)
            .map(|sc| NativeScenario { sc })
            .map_err(crate::to_py)
    }
}

/// Selects seeds as `kolsim seed` does; returns `{file name: bytes}` of its folder, in memory.
#[pyfunction]
#[pyo3(signature = (scenario, k = None, model = None, theories = None, horizon = None,
    objective = "adopters", method = "auto", budget = None, cost = None, epsilon = 0.1,
    candidates = None, sentinel = "auto", pool = 500, replicates = None, threads = 0,
    progress = None))]
#[allow(clippy::too_many_arguments)]
pub fn select_seeds<'py>(
    py: Python<'py>,
    scenario: &NativeScenario,
    k: Option<usize>,
    model: Option<String>,
    theories: Option<String>,
    horizon: Option<u32>,
    objective: &str,
    method: &str,
    budget: Option<f64>,
    cost: Option<String>,
    epsilon: f64,
    candidates: Option<String>,
    sentinel: &str,
    pool: usize,
    replicates: Option<u32>,
    threads: usize,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let sc = scenario.sc.clone();
    let bad = |what: &str, v: &str, allowed: &str| {
        PyValueError::new_err(format!("{what} = {v:?}: use one of {allowed}"))
    };
    let what = model.clone().unwrap_or_else(|| "theories".into());
    let req = jobs::SeedRequest {
        robust: if objective == "worst" {
            jobs::Robust::Worst
        } else {
            jobs::Robust::Mean
        },
        objective: kolsim::seed::Objective::parse(objective).ok_or_else(|| {
            bad(
                "objective",
                objective,
                "adopters, adopter-steps, mean, worst",
            )
        })?,
        method: match method {
            "auto" => jobs::Method::Auto,
            "rr" => jobs::Method::Rr,
            "celf" => jobs::Method::Celf,
            _ => return Err(bad("method", method, "auto, rr, celf")),
        },
        sentinel: kolsim::seed::Sentinel::parse(sentinel)
            .ok_or_else(|| bad("sentinel", sentinel, "auto, on, off"))?,
        model,
        theories,
        k,
        budget,
        cost,
        horizon,
        epsilon,
        candidates,
        candidates_file: None,
        pool: pool.max(1),
        compare: jobs::Compare::All,
        replicates: replicates.unwrap_or(sc.replicates),
        threads,
    };
    let job = jobs::SeedJob {
        request: req,
        max_memory: None,
        pdf: false,
        dir: PathBuf::from("results").join(format!("{}-seed-{what}", sc.name)),
        force: false,
    };
    let files = blocking(py, threads, progress.as_ref(), move |_| {
        jobs::seed_files(&sc, &job).map(|(_, files)| files)
    })?;
    let out = PyDict::new(py);
    for (name, bytes) in files {
        out.set_item(name, PyBytes::new(py, &bytes))?;
    }
    Ok(out)
}

/// Runs a sweep in memory: `set` axes `(key, values)` over the scenario's `[sweep]` table.
/// Returns `(sweep.csv, summary.csv)` text, as `kolsim sweep` merges them.
#[pyfunction]
#[pyo3(signature = (scenario, set, threads = 0, progress = None))]
pub fn sweep(
    py: Python<'_>,
    scenario: &NativeScenario,
    set: Vec<(String, Bound<'_, PyAny>)>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<(String, String)> {
    let mut axes = Vec::new();
    for (key, v) in set {
        let values = match v.extract::<String>() {
            Ok(text) => kolsim::sweep::parse_values(&key, &text).map_err(crate::to_py)?,
            Err(_) => v.extract::<Vec<f64>>().map_err(|_| {
                PyValueError::new_err(format!(
                    "sweep `{key}`: give a list of numbers or a text like \"0.1:0.5:0.1\""
                ))
            })?,
        };
        axes.push(kolsim::sweep::Axis { key, values });
    }
    let sc = scenario.sc.clone();
    let grid = api::sweep_grid(&sc, axes).map_err(crate::to_py)?;
    for k in 0..grid.len() {
        let point = kolsim::sweep::point_scenario(&sc, &grid, k).map_err(crate::to_py)?;
        jobs::memory::check_run(&point, threads, false, None)
            .map_err(|e| crate::to_py(Error::Usage(format!("sweep point {k}: {e}"))))?;
    }
    let res = blocking(py, threads, progress.as_ref(), move |ctl| {
        let tick = |d, t| ctl.tick(d, t);
        api::run_sweep(&sc, grid, &options(ctl, threads, &tick))
    })?;
    Ok((res.csv(), res.summary))
}

/// The model kinds: one row per parameter (kind, summary, reference, parameter, meaning,
/// unit, range, default), as `kolsim models` lists them.
#[pyfunction]
pub fn models() -> Vec<[String; 8]> {
    let reg = kolsim::models::Registry::builtin();
    let mut rows = Vec::new();
    for k in reg.kinds() {
        let m = k.info;
        for p in m.params {
            rows.push([
                m.kind.to_string(),
                m.summary.to_string(),
                m.reference.to_string(),
                p.name.to_string(),
                p.meaning.to_string(),
                p.unit.to_string(),
                p.range(),
                p.default_text(),
            ]);
        }
    }
    rows
}
