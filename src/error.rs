//! The library's error type, [`Error`]: bad input (exit status 2) or anything else (exit
//! status 1). It wraps the typed errors of the layers: the scenario's ([`ScenarioError`], with
//! file, line, column and key), the input files' ([`InputError`], with file and line), the
//! seed selection's ([`SeedError`]) and the fit's ([`FitError`]) refusals; the command line
//! turns it into an exit status ([`Error::exit_code`]).

use crate::network::edge_list::InputError;
use crate::scenario::ScenarioError;
use std::path::PathBuf;

/// Anything that can go wrong in a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario file is invalid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// An input data file (edge list, node file) is invalid.
    #[error("{0}")]
    Input(#[from] InputError),
    /// A seed request that cannot be served.
    #[error("{0}")]
    Seed(#[from] SeedError),
    /// A fit that cannot be done on these data with these options.
    #[error("{0}")]
    Fit(#[from] FitError),
    /// A command-line value is not usable.
    #[error("{0}")]
    Usage(String),
    /// The output folder exists and `--force` was not given.
    #[error("{}: results folder already exists; use --force to replace it, or --out to choose another", .0.display())]
    OutputExists(PathBuf),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The job was cancelled through its cancellation flag.
    #[error("cancelled")]
    Cancelled,
    /// Something else (e.g. the thread pool could not start).
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The process exit status for this error: 2 for bad usage or bad input, 130 for a
    /// cancelled job (as for an interrupt), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_)
            | Error::Input(_)
            | Error::Seed(_)
            | Error::Fit(_)
            | Error::Usage(_)
            | Error::OutputExists(_) => 2,
            Error::Cancelled => 130,
            _ => 1,
        }
    }

    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A seed request that cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeedError {
    /// `k = 0`.
    #[error("--k must be at least 1")]
    NoSeeds,
    /// Both `k` and a budget.
    #[error("give either --k or --budget with --cost, not both")]
    KAndBudget,
    /// A budget that is not a positive number.
    #[error("--budget {0}: the budget must be positive")]
    Budget(f64),
    /// A budget without the cost attribute.
    #[error("--budget needs --cost ATTR (the numeric node attribute with each physician's cost)")]
    BudgetWithoutCost,
    /// Neither `k` nor a budget.
    #[error("give --k (number of seeds) or --budget with --cost")]
    NoK,
    /// ε outside `(0, 1 − 1/e)`.
    #[error("--epsilon must be in (0, 0.632): the target ratio is 1 - 1/e - ε")]
    Epsilon,
    /// A budget with several theories.
    #[error("--budget works with one theory (--model); with --theories give --k")]
    BudgetWithTheories,
}

/// A fit that cannot be done on these data with these options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
}
