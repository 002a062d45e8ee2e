//! `fit`: fit every exact-likelihood model (and, by simulation, the scenario's models without
//! one on these data) to an observed launch and write the fit folder.

use crate::error::Error;
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

/// Files of a fit folder, in order (`fit.svg` only when a fitted theory can be simulated).
pub const FILES: [&str; 6] = [
    "fit.csv",
    "models.csv",
    "fitted.toml",
    "fit.svg",
    "report.html",
    "permutation.csv",
];

/// Fits `sc`'s network to `req.observed` and writes `fit.csv`, `models.csv`, `fitted.toml`,
/// `fit.svg` (the fitted theories simulated under the observed launch) and `report.html`
/// atomically. An existing folder is refused before anything runs, unless
/// `force` and it is kolsim's own.
pub fn fit_folder(sc: &Scenario, req: FitRequest) -> Result<FitOutcome, Error> {
    folder::check_out(&req.dir, req.force)?;
    let start = std::time::Instant::now();
    let prep = fit::prepare(sc, &req.observed, &req.opts)?;
    if prep.facts.aggregate && req.opts.covariates.any() {
        return Err(Error::Usage(format!(
            "--marketing / --detailing (the detailing likelihood's covariates) need per-physician adoption periods; {} is aggregate",
            req.observed.display()
        )));
    }
    if let Some(k) = req.opts.holdout {
        let t = prep.facts.periods;
        if prep.facts.aggregate {
            return Err(Error::Usage(format!(
                "--holdout needs per-physician adoption periods; {} is aggregate",
                req.observed.display()
            )));
        }
        if k < 2 || k >= t {
            return Err(Error::Usage(format!(
                "--holdout {k}: K must be at least 2 and below the last observed period T = {t}"
            )));
        }
    }
    let mut report = fit::fit_models(&prep, &req.opts);
    let (sims, failed) = fit::simulated::fit_all(sc, &prep, &req.opts)?;
    fit::add_simulated(&mut report, sims, failed);
    let fitted = fit::fitted::fitted_toml(sc, &report);
    // The figure is a view of the fit: if the fitted theories cannot be simulated, the fit's
    // results are still written and the report says why the figure is missing.
    let (svg, svg_note) =
        match fit::report::fit_svg(&fitted, &req.dir.join(FILES[2]), &prep.observed_share) {
            Ok(svg) => (svg, None),
            Err(e) => (None, Some(format!("fit.svg not drawn: {e}"))),
        };
    let extra: Vec<(String, String)> = report
        .permutation
        .iter()
        .map(|t| {
            (
                "Exposure permutation test".to_string(),
                fit::permutation::text(t),
            )
        })
        .chain(output::holdout_text(&report).map(|t| ("Holdout".to_string(), t)))
        .chain(output::simulated_text(&report).map(|t| ("Simulation-based fits".to_string(), t)))
        .chain(svg_note.map(|t| ("Figure".to_string(), t)))
        .collect();
    let html = fit::report::report_html(sc, &report, &req.observed, svg.as_deref(), &extra);
    let seconds = start.elapsed().as_secs_f64();
    let mut files = vec![
        (FILES[0], output::fit_csv(&report)),
        (FILES[1], output::models_csv(&report)),
        (FILES[2], fitted),
    ];
    if let Some(svg) = svg {
        files.push((FILES[3], svg.into_bytes()));
    }
    files.push((FILES[4], html.into_bytes()));
    if let Some(t) = &report.permutation {
        files.push((FILES[5], fit::permutation::csv(t)));
    }
    folder::write_folder(&req.dir, &files, req.force)?;
    Ok(FitOutcome {
        report,
        dir: req.dir,
        seconds,
    })
}

impl FitOutcome {
    /// The text `kolsim fit` prints.
    pub fn terminal_text(&self, sc: &Scenario, observed: &std::path::Path) -> String {
        output::terminal_text(sc, &self.report, observed, &self.dir)
    }
}
