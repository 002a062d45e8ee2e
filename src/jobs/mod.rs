//! The whole job as library functions: [`run_folder`] (simulate and write a results folder),
//! [`validate`], [`sweep`], [`merge`](fn@merge) and [`fit_folder`]. Each takes typed requests and returns typed
//! outcomes; none reads argv or the environment, prints, or installs global state. The
//! command line (`src/main.rs`, [`crate::cli`]) parses arguments, calls these, and prints.

mod fit_job;
pub mod kols_file;
pub mod memory;
pub mod outputs;
mod run_files;
mod run_job;
mod seed_job;
mod sweep_folder;
mod sweep_job;
mod validate;

pub use fit_job::{FitOutcome, FitRequest, fit_folder};
pub use run_job::{
    CURVES_AUTO_LIMIT, Curves, FolderOptions, RunOutcome, RunRequest, run_folder, write_run_folder,
};
pub use seed_job::{
    CELF_FIRST_REPLICATE, Compare, Decision, Files, Method, RegretRow, Robust, Role, Row, SeedDone,
    SeedJob, SeedOutcome, SeedRequest, Selection, Sets, Share, Theory, seed_files, seed_folder,
};
pub use sweep_folder::{merge, merge_pdf};
pub use sweep_job::{SweepOutcome, SweepRequest, sweep};
pub use validate::{Validation, validate};

/// At the edge: a refused fit is a usage error (exit status 2, the same words); a failure
/// below the fit is itself.
impl From<crate::api::FitError> for crate::Error {
    fn from(e: crate::api::FitError) -> Self {
        match e {
            crate::api::FitError::Failed(e) => e,
            refused => crate::Error::Usage(refused.to_string()),
        }
    }
}

/// At the edge: a refused seed request is a usage error (exit status 2, the same words); a
/// failure below the selection is itself.
impl From<crate::api::SeedError> for crate::Error {
    fn from(e: crate::api::SeedError) -> Self {
        match e {
            crate::api::SeedError::Failed(e) => e,
            refused => crate::Error::Usage(refused.to_string()),
        }
    }
}

/// Progress reporting for long jobs: the library calls it, the command line draws a bar.
pub trait Progress: Sync {
    /// The job has `len` work items (replicates, or sweep points) to do.
    fn start(&self, _len: u64) {}
    /// One work item finished.
    fn tick(&self) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
