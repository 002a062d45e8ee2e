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
    /// The command line, for `manifest.json` (written as one string).
    pub command: Vec<String>,
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

/// Files of a fit folder, in order (`fit.svg` only when a fitted theory can be simulated,
/// `permutation.csv` only with the permutation test).
pub const FILES: [&str; 8] = [
    "fit.csv",
    "models.csv",
    "fitted.toml",
    "fit.svg",
    "report.html",
    "permutation.csv",
    "verdict.txt",
    "manifest.json",
];

/// Fits `sc`'s network to `req.observed` and writes `fit.csv`, `models.csv`, `fitted.toml`,
/// `fit.svg` (the fitted theories simulated under the observed launch) and `report.html`
/// atomically. An existing folder is refused before anything runs, unless
/// `force` and it is kolsim's own.
pub fn fit_folder(sc: &Scenario, req: FitRequest) -> Result<FitOutcome, Error> {
    folder::check_out(&req.dir, req.force)?;
    let start = std::time::Instant::now();
    let crate::api::FitResults {
        report,
        observed_share,
    } = crate::api::fit(sc, &req.observed, &req.opts)?;
    let fitted = fit::fitted::fitted_toml(sc, &report, &req.dir);
    // The figure is a view of the fit: if the fitted theories cannot be simulated, the fit's
    // results are still written and the report says why the figure is missing.
    // Drawn from a copy whose paths are relative to the scenario's folder: the results folder
    // does not exist yet, so paths relative to it cannot be resolved.
    let scenario_dir = sc.source.path.parent().unwrap_or(std::path::Path::new(""));
    let here = fit::fitted::fitted_toml(sc, &report, scenario_dir);
    let (svg, svg_note) = match fit::report::fit_svg(&here, &sc.source.path, &observed_share) {
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
        .chain(fit::odds::text(&report).map(|t| ("Controls".to_string(), t)))
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
    files.push((
        FILES[6],
        format!("{}\n", fit::verdict::verdict(&report)).into_bytes(),
    ));
    let names: Vec<&str> = files.iter().map(|f| f.0).chain([FILES[7]]).collect();
    let manifest = manifest_json(sc, &req, &report, &names, seconds);
    files.push((FILES[7], manifest));
    folder::write_folder(&req.dir, &files, req.force)?;
    Ok(FitOutcome {
        report,
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
            "seeds": f.seeds,
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
