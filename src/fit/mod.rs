//! `kolsim fit`: which theory do the observed adoption times support?
//!
//! The exact discrete-time hazard likelihood of MODELS.md (*Fitting to an observed launch*):
//! period 1 is the initial condition (step 0's initial adopters), the likelihood
//! covers periods `2..=T` with `T` the last observed period, never-adopters are censored at
//! `T`, and each model's hazard is its own per-step adoption rule ([`models::Likelihood`]) on
//! the observed state at the end of the previous period. Maximum likelihood with box
//! constraints ([`optim`]), standard errors from the observed information, 95% profile
//! likelihood intervals, boundary-corrected likelihood-ratio tests of each network term against
//! the same controls without it ([`lrtest`]; optionally bootstrapped, [`bootstrap`]), AIC, BIC
//! (n = adoptions) and Akaike weights, and the plain-language [`verdict`].
//!
//! Every model is fitted with a constant spontaneous rate and (by default) with one rate per
//! period (period effects). Also: a holdout score (`--holdout K`: refit on
//! periods `≤ K`, log-likelihood of the later periods; with controls: [`holdout`]), and the
//! model-free exposure
//! [`permutation`] test.
//!
//! Pipeline: [`observed::read`] → [`prepare()`] (network restricted to the physicians with known
//! adoption, [`data::cells`]) → [`fit_models`] → [`verdict`], [`output`] (files, table) and
//! [`report`] (`fit.svg`: the fitted theories simulated through `fitted.toml`; `report.html`).
//!
//! Layering: `fit` imports `models` (each model's [`crate::models::Likelihood`]); models never
//! import `fit`.

pub mod bootstrap;
pub mod chi2;
pub mod controls;
pub mod covariates;
pub mod data;
pub mod estimate;
pub mod exact;
pub mod fitnet;
pub mod fitted;
pub mod hazard;
pub mod holdout;
pub mod lrtest;
pub mod models;
mod newton;
pub mod observed;
pub mod odds;
pub mod optim;
pub mod output;
pub mod permutation;
pub mod prepare;
pub mod profile;
pub mod rank;
pub mod report;
mod sim_search;
pub mod simulated;
pub mod verdict;
pub mod wording;

use data::{Cell, FitNet};
pub use estimate::{PeriodFit, fit_period, fit_pooled, maximum};
pub use exact::fit_models;
pub use lrtest::LrTest;
use models::Candidate;
use observed::{Layout, ReadOptions};
pub use prepare::{DEFAULT_TOP_K, prepare, prepare_network, prepare_network_with};
pub use rank::{Method, add_simulated, rank};

/// The time convention, stated in every output.
pub const TIME_CONVENTION: &str = "Time: period 1 (step 0) is the initial condition — its adopters are the seeds and are not modelled; the likelihood covers periods 2..T (period t = step t-1), T = last observed period; physicians not adopted by T are censored at T.";

/// Default replicates per parameter value of the simulation-based fits.
pub const DEFAULT_SIM_REPLICATES: u32 = 30;

/// What to do with physicians whose adoption is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unobserved {
    /// Drop them (and their arcs) from every network the fit uses.
    Exclude,
    /// Treat them as never adopting (censored at `T`).
    Never,
}

/// Options of a fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// How to read the observed file.
    pub read: ReadOptions,
    /// Unknown adoption: exclude or never.
    pub unobserved: Unobserved,
    /// Also fit one `p_t` per period (period effects), alone and under each model with `p`
    /// (the default; `--no-period-effects` turns it off).
    pub period_effects: bool,
    /// Permutations of the model-free exposure test (0: no test).
    pub permutations: u32,
    /// Fit on periods `≤ K` and score periods `K+1..T` (`2 ≤ K < T`; per-physician data).
    pub holdout: Option<u32>,
    /// Marketing covariates of the `detailing` likelihood (per-physician data).
    pub covariates: covariates::CovariateFiles,
    /// Replicates per parameter value of the simulation-based fits.
    pub sim_replicates: u32,
    /// Launches of the parametric bootstrap of the verdict's LR test (0: none).
    pub bootstrap: u32,
    /// Group fixed effects and physician covariates of the spontaneous rate
    /// ([`controls`], [`hazard`]).
    pub controls: controls::ControlSpec,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            read: ReadOptions::default(),
            unobserved: Unobserved::Exclude,
            period_effects: true,
            permutations: permutation::DEFAULT_PERMUTATIONS,
            holdout: None,
            covariates: covariates::CovariateFiles::default(),
            sim_replicates: DEFAULT_SIM_REPLICATES,
            bootstrap: 0,
            controls: controls::ControlSpec::default(),
        }
    }
}

/// Facts about the data fitted.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Per physician or aggregate.
    pub aggregate: bool,
    /// Physicians in the scenario's network.
    pub network_physicians: usize,
    /// Physicians fitted.
    pub physicians: usize,
    /// Physicians excluded for unknown adoption or a missing control value.
    pub excluded: usize,
    /// Of those, physicians with known adoption excluded for a missing group or covariate.
    pub missing_controls: usize,
    /// The controls of the spontaneous rate in words (`None`: none).
    pub controls: Option<String>,
    /// The groups controlled by fixed effects: `the 4 groups of city_name (…)`.
    pub strata: Option<String>,
    /// Arcs removed with them.
    pub arcs_removed: u64,
    /// Arcs among the physicians fitted.
    pub arcs: u64,
    /// Unknown adoption: listed with a missing code.
    pub unknown_in_file: usize,
    /// Unknown adoption: not listed.
    pub not_in_file: usize,
    /// Unknown adoption treated as never adopted.
    pub unknown_as_never: bool,
    /// The last observed period `T`.
    pub periods: u32,
    /// Adopters in period 1 (the initial adopters).
    pub initial_adopters: u64,
    /// Adoptions in periods `2..=T` (BIC's n).
    pub adoptions: u64,
    /// Physicians not adopted by `T`.
    pub censored: u64,
    /// Person-periods at risk.
    pub person_periods: u64,
    /// KOLs among the physicians fitted.
    pub kols: usize,
    /// The scenario's KOL weight κ.
    pub kappa: f64,
    /// Most-similar peers of the structural-equivalence network.
    pub top_k: usize,
    /// The `kind` of each of the scenario's models (empty when not from a scenario).
    pub model_kinds: Vec<String>,
}

/// The fit's inputs: networks restricted to the physicians fitted, adoption periods.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Influence network.
    pub net: Option<FitNet>,
    /// Similarity network (structural equivalence), or why there is none.
    pub similar: Result<FitNet, String>,
    /// Adoption period per physician fitted (or [`data::NEVER`]).
    pub tau: Vec<u32>,
    /// Original ids of the physicians fitted.
    pub ids: Vec<String>,
    /// Aggregate data: cells built directly (innovation only).
    pub aggregate_cells: Option<(Vec<Cell>, Vec<Cell>)>,
    /// Facts.
    pub facts: Facts,
    /// The observed file's layout.
    pub layout: Layout,
    /// The observed cumulative adoption share by step, of all the network's physicians
    /// (drawn over the fitted models' simulations in `fit.svg`); empty when not read from a
    /// file.
    pub observed_share: Vec<(f64, f64)>,
    /// The scenario's seed (the permutation test's streams); 0 when not from a scenario.
    pub seed: u64,
    /// The detailing likelihood's covariates, when files were given (per-physician data).
    pub covariates: Option<covariates::Covariates>,
    /// Per physician of the scenario's network: whether it is fitted (empty for aggregate
    /// data).
    pub keep: Vec<bool>,
    /// The controls of the spontaneous rate, when asked for.
    pub controls: Option<controls::Controls>,
    /// Per physician fitted: its control pattern (empty without controls).
    pub z: Vec<u32>,
    /// The models compared: the exact fits of the scenario's model kinds
    /// ([`crate::scenario::Scenario::registry`]; the built-in ones when not from a scenario).
    pub candidates: models::Candidates,
}

/// One parameter's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Parameter name.
    pub name: String,
    /// Maximum-likelihood estimate.
    pub value: f64,
    /// Standard error from the observed information (`None` at a bound).
    pub se: Option<f64>,
    /// 95% profile-likelihood interval.
    pub ci: (f64, f64),
}

/// One fitted model.
#[derive(Debug, Clone)]
pub struct ModelFit {
    /// Exact or simulation-based.
    pub method: Method,
    /// Warnings of the fit (a parameter not identified, a launch not reachable).
    pub warnings: Vec<String>,
    /// Simulation-based fits: the scenario's model with the fitted parameters.
    pub sim_model: Option<crate::scenario::NamedModel>,
    /// Name (`bass`, `bass+period`, `period_effects`, …).
    pub name: String,
    /// The candidate (None for `period_effects`).
    pub candidate: Option<Candidate>,
    /// Whether `p` is one `p_t` per period.
    pub period_effects: bool,
    /// Estimates (for period-effect variants, the contagion parameters only).
    pub params: Vec<Estimate>,
    /// Number of free parameters.
    pub k: usize,
    /// Maximum log-likelihood (`−∞` if the model cannot produce the data).
    pub loglik: f64,
    /// AIC.
    pub aic: f64,
    /// BIC (n = adoptions).
    pub bic: f64,
    /// AIC minus the smallest AIC.
    pub delta_aic: f64,
    /// Akaike weight.
    pub weight: f64,
    /// The likelihood-ratio test of the model's network term against the same controls
    /// without it (innovation only, or period effects alone), boundary-corrected.
    pub lr: Option<LrTest>,
    /// The correlation of the two boundary parameters' unconstrained estimators at the null
    /// (for the χ̄² weights of a two-parameter test; `None`: one boundary parameter).
    pub boundary_rho: Option<f64>,
    /// kol_contagion: κ̂ = q_kol / q_other with its interval.
    pub kappa: Option<Estimate>,
    /// Why the likelihood is −∞, if it is.
    pub note: Option<String>,
    /// Period-effect variants: `(t, p̂_t)`, the estimated spontaneous rate of each period
    /// (profiled out of the likelihood, so no interval).
    pub period_rates: Vec<(u32, f64)>,
    /// With `--holdout K`: the log-likelihood of periods `K+1..T` at the parameters fitted to
    /// periods `≤ K` (higher is better; `None` where not computed or −∞ on the fit periods).
    pub holdout_log_score: Option<f64>,
    /// With controls: the coefficients of the spontaneous log-odds, `alpha` (or `alpha_<t>`
    /// per period), then one per group and covariate, with Wald intervals ([`hazard`]).
    pub coefficients: Vec<Estimate>,
}

impl ModelFit {
    /// Whether this is an exact fit of the controls alone, without a network term: the null
    /// ([`Candidate::null`], innovation only) or period effects alone. Every network term is
    /// tested against one of these ([`mod@rank`]).
    pub fn is_null(&self) -> bool {
        self.method == Method::Exact
            && self
                .candidate
                .map_or(self.period_effects, Candidate::is_null)
    }
}

/// Everything a fit found.
#[derive(Debug, Clone)]
pub struct FitReport {
    /// The data.
    pub facts: Facts,
    /// Models fitted, in output order.
    pub models: Vec<ModelFit>,
    /// Models not fitted, with the reason.
    pub not_fitted: Vec<(String, String)>,
    /// Original ids of the initial adopters (period-1 adopters), for `fitted.toml`.
    pub initial_adopters: Vec<String>,
    /// The model-free exposure permutation test (per-physician data only).
    pub permutation: Option<permutation::PermutationTest>,
    /// `K` of `--holdout K`, when the holdout was scored.
    pub holdout: Option<u32>,
}
