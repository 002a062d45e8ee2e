//! The library's error type, [`Error`]: bad input (exit status 2) or anything else (exit
//! status 1). It wraps the typed errors of the layers below it: the scenario's
//! ([`ScenarioError`], with file, line, column and key) and the input files' ([`InputError`],
//! with file and line). The layers above have their own (`api::FitError`, `api::SeedError`),
//! converted into it at the edge (`jobs`); the command line turns it into an exit status
//! ([`Error::exit_code`]).

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
    /// A command-line value or a request is not usable (a refused fit or seed request, as
    /// `jobs` converts [`crate::api::FitError`] and [`crate::api::SeedError`]).
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
            Error::Scenario(_) | Error::Input(_) | Error::Usage(_) | Error::OutputExists(_) => 2,
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
