//! `kolsim seed`: the selection of [`crate::api::select_seeds`] (in memory) written as a folder:
//! `files.rs` the tables and `certificate.json`, `text.rs` the terminal text (also
//! `summary.txt`), `page.rs` the report. The job refuses a selection that would not fit in
//! memory ([`crate::jobs::memory`]) before any network is built.

mod files;
mod page;
mod text;

pub use crate::api::{
    CELF_FIRST_REPLICATE, Compare, Decision, Method, RegretRow, Robust, Role, Row, SeedOutcome,
    SeedRequest, Selection, Sets, Share, Theory,
};

use crate::error::Error;
use crate::scenario::Scenario;
use std::path::PathBuf;

/// A `seed` job: the selection asked for and where its folder goes.
#[derive(Debug, Clone)]
pub struct SeedJob {
    /// What to select.
    pub request: SeedRequest,
    /// Memory limit (`None`: the available memory).
    pub max_memory: Option<u64>,
    /// Also print the report to `report.pdf` with headless Chromium.
    pub pdf: bool,
    /// The output folder.
    pub dir: PathBuf,
    /// Replace an existing output folder that kolsim wrote.
    pub force: bool,
}

/// A finished `seed` job: the selection and its terminal text.
#[derive(Debug)]
pub struct SeedDone {
    /// The selection.
    pub outcome: SeedOutcome,
    /// The terminal text (also `summary.txt`).
    pub text: String,
}

/// Runs the job and writes its folder atomically.
pub fn seed_folder(sc: &Scenario, job: SeedJob) -> Result<SeedDone, Error> {
    crate::folder::check_out(&job.dir, job.force)?;
    let (done, files) = seed_files(sc, &job)?;
    crate::folder::write_folder(&job.dir, &files, job.force)?;
    Ok(done)
}

/// Runs the job in memory, on `job.request.threads` threads: the outcome and the files of its
/// folder (names and bytes, in order), written nowhere (`job.dir` only names paths in the
/// texts).
pub fn seed_files(sc: &Scenario, job: &SeedJob) -> Result<(SeedDone, Files), Error> {
    crate::api::seeds_check_request(&job.request)?;
    browser(job.pdf)?;
    let check = |s: &Scenario, theories: usize| check_memory(s, job, theories);
    let outcome = crate::api::select_seeds_checked(sc, &job.request, &check)?;
    let text = text::terminal(sc, &outcome, &job.dir);
    let files = files::files(sc, &outcome, &text, job.pdf)?;
    Ok((SeedDone { outcome, text }, files))
}

/// The headless browser for `--pdf` (`None` without it); refused when there is none.
pub(super) fn browser(pdf: bool) -> Result<Option<PathBuf>, Error> {
    if !pdf {
        return Ok(None);
    }
    super::run_job::find_browser().map(Some).ok_or_else(|| {
        Error::Usage(
            "--pdf needs headless Chromium: none of chromium, chromium-browser or google-chrome is on PATH (install chromium, or print report.html from a browser)".into(),
        )
    })
}

/// The output files of a seed job (names and bytes), in order.
pub type Files = Vec<(&'static str, Vec<u8>)>;

/// Refuses a job whose estimated memory exceeds the limit: the network, each theory's reverse
/// graph, the RR sets (at most [`crate::seed::opim::MAX_NODES`] members) and the per-replicate
/// values of the compared sets.
fn check_memory(sc: &Scenario, job: &SeedJob, theories: usize) -> Result<(), Error> {
    let req = &job.request;
    let mut est = crate::jobs::memory::estimate_network(sc);
    let (n, arcs) = (est.nodes, est.arcs);
    let t = theories as f64;
    let cap = crate::seed::opim::MAX_NODES as f64;
    let members = cap.min(4096.0 * n)
        * if req.robust == Robust::Worst {
            1.5
        } else {
            1.0
        };
    let rows = 12.0 + 2.0 * t;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as f64;
    let threads = if req.threads == 0 {
        cores
    } else {
        req.threads as f64
    };
    est.parts.extend([
        ("reverse graphs", (t * (8.0 * arcs + 8.0 * n)) as u64),
        ("RR sets", (6.0 * members) as u64),
        ("engine state", (threads * (64.0 * n + 4.0 * arcs)) as u64),
        (
            "compared sets",
            (rows * (t + 1.0) * req.replicates as f64 * 8.0 + rows * n * 4.0) as u64,
        ),
    ]);
    est.parts.sort_by_key(|p| std::cmp::Reverse(p.1));
    crate::jobs::memory::check(&est, job.max_memory, "this seed selection", true)
}
