//! `fit`: fit every exact-likelihood model (and, by simulation, the scenario's models without
//! one on these data) to an observed launch and write the fit folder.

use super::outputs::FIT;
use crate::error::Error;
use crate::fit::report::FitCurves;
use crate::fit::{self, FitOptions, FitReport, output};
use crate::folder;
use crate::scenario::Scenario;
use std::path::PathBuf;

/// What to fit and where to write it.
#[derive(Debug, Clone)]
pub struct FitRequest {
    /// The observed launch (per physician or aggregate).
    pub observed: PathBuf,
    /// Reading and fitting options.
    pub opts: FitOptions,
    /// The results folder.
    pub dir: PathBuf,
    /// Replace an existing folder that kolsim wrote.
    pub force: bool,
    /// The command line, for `manifest.json` (written as one string).
    pub command: Vec<String>,
    /// Also print the report to `report.pdf` with headless Chromium.
    pub pdf: bool,
}

/// What a fit produced (everything is also in the folder).
#[derive(Debug)]
pub struct FitOutcome {
    /// The fitted models, tests and facts.
    pub report: FitReport,
    /// The results folder.
    pub dir: PathBuf,
    /// Seconds spent fitting (reading and preparing included).
    pub seconds: f64,
}

/// The fitted theories simulated on the physicians the likelihood used, or why there is no
/// figure.
fn figure_curves(sc: &Scenario, res: &crate::api::FitResults) -> Result<FitCurves, String> {
    // Read with paths relative to the scenario's folder: the results folder does not exist
    // yet, so paths relative to it cannot be resolved.
    let fitted = crate::api::fitted_scenario(sc, res).map_err(|e| e.to_string())?;
    if fitted.models.is_empty() {
        return Err("no fitted theory has a simulation model".into());
    }
    let c = fit::report::fit_curves(sc, &fitted, &res.prepared, &res.report)
        .map_err(|e| e.to_string())?;
    if c.curves.is_empty() {
        let why: Vec<String> = c
            .left_out
            .iter()
            .map(|(m, why)| format!("{m}: {why}"))
            .collect();
        return Err(format!(
            "no fitted theory could be simulated ({})",
            why.join("; ")
        ));
    }
    Ok(c)
}

/// The report's plain-text sections besides the ranking: the permutation test, the controls,
/// the holdout, the simulation-based fits and, if any, why the figure is missing.
fn extra_sections(r: &FitReport, figure_note: Option<String>) -> Vec<(String, String)> {
    r.permutation
        .iter()
        .map(|t| {
            (
                "Exposure permutation test".to_string(),
                fit::permutation::text(t),
            )
        })
        .chain(fit::odds::text(r).map(|t| ("Controls".to_string(), t)))
        .chain(output::holdout_text(r).map(|t| ("Holdout".to_string(), t)))
        .chain(output::simulated_text(r).map(|t| ("Simulation-based fits".to_string(), t)))
        .chain(figure_note.map(|t| ("Figure".to_string(), t)))
        .collect()
}

/// Fits `sc`'s network to `req.observed` and writes the fit folder (the files of
/// [`super::outputs::FIT`], in its order) atomically:
/// `fit.svg` and `curves.csv` simulate the fitted theories on the physicians the likelihood
/// used. An existing folder is refused before anything runs, unless `force` and it is
/// kolsim's own; so is `--pdf` without a headless Chromium.
pub fn fit_folder(sc: &Scenario, req: FitRequest) -> Result<FitOutcome, Error> {
    folder::check_out(&req.dir, req.force)?;
    let browser = super::seed_job::browser(req.pdf)?;
    let start = std::time::Instant::now();
    let res = crate::api::fit(sc, &req.observed, &req.opts)?;
    let report = &res.report;
    // The figure is a view of the fit: if the fitted theories cannot be simulated, the fit's
    // results are still written and the report says why the figure is missing.
    let (curves, note) = match figure_curves(sc, &res) {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(format!("fit.svg not drawn: {e}."))),
    };
    let svg = curves.as_ref().map(|c| {
        crate::plot::fit_svg(
            &format!("{}: fitted theories against the launch", sc.name),
            sc.time_unit.plural(),
            c,
        )
    });
    let extra = extra_sections(report, note);
    let html = crate::report::fit_report_html(&crate::report::FitPage {
        scenario: sc,
        report,
        observed: &req.observed,
        curves: curves.as_ref(),
        svg: svg.as_deref(),
        extra: &extra,
    });
    let seconds = start.elapsed().as_secs_f64();
    let pdf = match &browser {
        Some(b) => Some(super::run_job::print_pdf(b, html.as_bytes())?),
        None => None,
    };
    let bytes: [Option<Vec<u8>>; 9] = [
        Some(output::fit_csv(report)),
        Some(output::models_csv(report)),
        Some(fit::fitted::fitted_toml(
            sc,
            report,
            &req.dir,
            Some(&res.prepared),
        )),
        svg.map(String::into_bytes),
        curves.as_ref().map(fit::report::curves_csv),
        Some(html.into_bytes()),
        pdf,
        report.permutation.as_ref().map(fit::permutation::csv),
        Some(format!("{}\n", fit::verdict::verdict(report)).into_bytes()),
    ];
    // The names and their order are `outputs::FIT`'s, the manifest last.
    let [list @ .., manifest_file] = &FIT;
    let mut files: Vec<(&str, Vec<u8>)> = list
        .iter()
        .zip(bytes)
        .filter_map(|(f, b)| b.map(|b| (f.name, b)))
        .collect();
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.0)
        .chain([manifest_file.name])
        .collect();
    let manifest = manifest_json(sc, &req, report, &names, seconds);
    files.push((manifest_file.name, manifest));
    folder::write_folder(&req.dir, &files, req.force)?;
    Ok(FitOutcome {
        report: res.report,
        dir: req.dir,
        seconds,
    })
}

/// `manifest.json` of a fit folder: what was fitted, how, with which kolsim, and the files.
fn manifest_json(
    sc: &Scenario,
    req: &FitRequest,
    r: &FitReport,
    files: &[&str],
    seconds: f64,
) -> Vec<u8> {
    let f = &r.facts;
    let o = &req.opts;
    let v = serde_json::json!({
        "schema_version": crate::manifest::SCHEMA_VERSION,
        "kolsim_version": env!("CARGO_PKG_VERSION"),
        "git_commit": crate::manifest::GIT_COMMIT,
        "command": req.command.join(" "),
        "job": "fit",
        "scenario_name": sc.name,
        "scenario_file": sc.source.path.display().to_string(),
        "observed_file": req.observed.display().to_string(),
        "seed": sc.seed,
        "options": {
            "period_effects": o.period_effects,
            "unobserved": format!("{:?}", o.unobserved).to_lowercase(),
            "permutations": o.permutations,
            "holdout": o.holdout,
            "sim_replicates": o.sim_replicates,
            "bootstrap": o.bootstrap,
        },
        "data": {
            "aggregate": f.aggregate,
            "physicians": f.physicians,
            "excluded": f.excluded,
            "arcs": f.arcs,
            "periods": f.periods,
            "seeds": f.initial_adopters,
            "adoptions": f.adoptions,
            "censored": f.censored,
            "person_periods": f.person_periods,
        },
        "models": r.models.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
        "timings": { "seconds": seconds },
        "files": files,
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

impl FitOutcome {
    /// The text `kolsim fit` prints.
    pub fn terminal_text(&self, sc: &Scenario, observed: &std::path::Path) -> String {
        output::terminal_text(sc, &self.report, observed, &self.dir)
    }
}
