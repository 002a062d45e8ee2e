//! Fitting in memory: an observed launch → every model's fit, tests and verdict
//! ([`crate::fit::FitReport`]). `kolsim fit` writes its folder from this; the Python package
//! returns it as tables.

use crate::error::Error;
use crate::fit::observed::Launch;
use crate::fit::{self, FitOptions, FitReport};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// A fit's results in memory.
#[derive(Debug, Clone)]
pub struct FitResults {
    /// The fitted models (exact likelihoods and simulation-based), tests and facts.
    pub report: FitReport,
    /// The observed cumulative share adopted, `(period, share)`, for the fit figure.
    pub observed_share: Vec<(f64, f64)>,
    /// The fit's inputs: the physicians the likelihood used, their networks and adoption
    /// periods (the fit report simulates the fitted theories on exactly these).
    pub prepared: fit::Prepared,
}

/// Fits every exact-likelihood model (and, by simulation, the scenario's models without one on
/// these data) to the observed launch in `observed`. Writes and prints nothing.
///
/// `observed` is a file (`&Path`) or a [`Launch::Table`] in memory (the crate's `api` module
/// shows one built from a simulation). The network is read or generated once.
///
/// Refused ([`FitError`]): covariates or a holdout with aggregate data, a holdout `K`
/// outside `2 ≤ K < T`, controls where they cannot apply; any error below the fit (scenario,
/// observed file, network) is [`FitError::Failed`]. `?` converts it into [`crate::Error`].
///
/// ```
/// use kolsim::api::{FitOptions, fit, fitted_scenario};
/// let sc = kolsim::scenario::load("scenarios/ckm-tetracycline.toml".as_ref())?;
/// let observed = std::path::Path::new("scenarios/data/ckm/observed.csv");
/// let res = fit(&sc, observed, &FitOptions { permutations: 0, ..Default::default() })?;
/// assert!(res.report.models.iter().any(|m| m.name == "imitation"));
/// // The fitted theories as a scenario, ready to simulate or select seeds under.
/// let fitted = fitted_scenario(&sc, &res)?;
/// assert!(!fitted.models.is_empty());
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn fit(
    sc: &Scenario,
    observed: impl Into<Launch>,
    opts: &FitOptions,
) -> Result<FitResults, FitError> {
    let launch = observed.into();
    let observed = launch.name();
    // The network is read (or generated) once; preparing and simulating share it.
    let sc = &crate::realise::pinned(sc, 0)?;
    let prep = fit::prepare(sc, &launch, opts)?;
    if prep.facts.aggregate && opts.covariates.any() {
        return Err(FitError::CovariatesOnAggregate(observed.to_path_buf()));
    }
    if let Some(k) = opts.holdout {
        let t = prep.facts.periods;
        if prep.facts.aggregate {
            return Err(FitError::HoldoutOnAggregate(observed.to_path_buf()));
        }
        if k < 2 || k >= t {
            return Err(FitError::Holdout { k, t });
        }
    }
    check_controls(&prep, observed, opts)?;
    let mut report = fit::fit_models(&prep, opts);
    fit::holdout::score_controlled(&prep, &mut report);
    let (sims, failed) = fit::simulated::fit_all(sc, &prep, opts)?;
    fit::add_simulated(&mut report, sims, failed);
    Ok(FitResults {
        report,
        observed_share: prep.observed_share.clone(),
        prepared: prep,
    })
}

/// The fitted theories as a scenario: `fitted.toml` with its data paths relative to the
/// scenario's folder, read back (its path is the scenario's, so relative paths resolve).
/// Example: [`fit()`].
pub fn fitted_scenario(sc: &Scenario, r: &FitResults) -> Result<Scenario, Error> {
    let dir = sc.source.path.parent().unwrap_or(Path::new(""));
    let text = fit::fitted::fitted_toml(sc, &r.report, dir, Some(&r.prepared));
    let text = String::from_utf8(text).map_err(|e| Error::Other(e.to_string()))?;
    Ok(crate::scenario::parse(crate::scenario::Source {
        path: sc.source.path.clone(),
        text,
    })?)
}

/// Refuses controls (`--strata`, `--covariates`) where they cannot apply: aggregate data, and
/// the detailing model's visit files (its spontaneous channel is its own hazard). A holdout
/// and the bootstrap work with controls.
fn check_controls(
    prep: &fit::Prepared,
    observed: &Path,
    opts: &FitOptions,
) -> Result<(), FitError> {
    if !opts.controls.any() {
        return Ok(());
    }
    if prep.facts.aggregate {
        return Err(FitError::ControlsOnAggregate(observed.to_path_buf()));
    }
    if opts.covariates.any() {
        return Err(FitError::ControlsWith(
            "--marketing / --detailing (or [observed] marketing / detailing)",
            ": the detailing model's spontaneous channel is its own hazard 1 − exp(−(α + β·D)), driven by the visits, which the controls' logistic rate would replace; fit the detailing model without --strata / --covariates, or the controls without the visit files",
        ));
    }
    Ok(())
}

/// A fit that cannot be done on these data with these options.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The detailing covariates with aggregate data.
    #[error(
        "--marketing / --detailing (the detailing likelihood's covariates) need per-physician adoption periods; {} is aggregate",
        .0.display()
    )]
    CovariatesOnAggregate(PathBuf),
    /// A holdout with aggregate data.
    #[error("--holdout needs per-physician adoption periods; {} is aggregate", .0.display())]
    HoldoutOnAggregate(PathBuf),
    /// A holdout `K` outside `2 ≤ K < T`.
    #[error("--holdout {k}: K must be at least 2 and below the last observed period T = {t}")]
    Holdout {
        /// The holdout asked for.
        k: u32,
        /// The last observed period.
        t: u32,
    },
    /// Controls with aggregate data.
    #[error(
        "--strata / --covariates: controls need per-physician adoption periods; {} is aggregate",
        .0.display()
    )]
    ControlsOnAggregate(PathBuf),
    /// Controls with an option they are not combined with yet (the option, then why).
    #[error("--strata / --covariates: not combined with {0} yet{1}")]
    ControlsWith(&'static str, &'static str),
    /// The fit failed below the request: the scenario, the observed launch, the network.
    #[error(transparent)]
    Failed(#[from] Error),
}
