//! The consultants' deliverables: `adoption.svg`, `new_adopters.svg` and `report.html`, one
//! self-contained HTML page (inline CSS and SVG, no scripts, no external resources) with the
//! scenario, the figures, the comparison tables, the manifest and the scenario text.
//!
//! Like [`crate::output`], everything here is pure: functions return text or bytes and the
//! caller writes them (with [`crate::output::write_folder`]).
//!
//! Files: `page.rs` holds what every page shares (escaping, style sheet, tables); `run.rs` the
//! run report and deliverables (the [`Report`] and its [`Figure`]s are declared here); `models.rs` its models section, `summary.rs` its executive summary and lift table, `told.rs` the words for a difference both use; `segments.rs` the run report's section per segment (with
//! `segment` in the scenario, which also adds `segments.svg`); `sweep.rs` the sweep report; `fit.rs` the fit report; `seed.rs` the seed report.

mod fit;
mod models;
mod page;
mod run;
mod seed;
mod seed_figure;
mod segments;
mod summary;
mod sweep;
mod told;

pub use fit::{FitPage, fit_report_html};
pub use page::escape;
pub use run::{files, report_html};
pub use seed::{SeedPage, SeedTable, seed_report_html};
pub use seed_figure::{Bar, bars_svg};
pub use sweep::sweep_report_html;

use crate::run::RunResult;
use crate::scenario::Scenario;
use crate::stats::Metrics;
use crate::summary::Comparison;

/// One figure of the report.
#[derive(Debug, Clone, Copy)]
pub struct Figure<'a> {
    /// File name of the figure in the run folder (shown in the caption).
    pub file: &'a str,
    /// Caption text (plain text; escaped when rendered).
    pub caption: &'a str,
    /// The SVG document, embedded as is (it must be a trusted, well-formed SVG such as the
    /// output of [`crate::plot`]).
    pub svg: &'a str,
}

/// Everything the report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The scenario as run (after command-line overrides).
    pub scenario: &'a Scenario,
    /// The run's results.
    pub result: &'a RunResult,
    /// Per-replicate metrics, `[arm][model][replicate]` ([`crate::summary::all_metrics`]).
    pub metrics: &'a [Vec<Vec<Metrics>>],
    /// Paired comparisons ([`crate::summary::comparisons`]).
    pub comparisons: &'a [Comparison],
    /// Figures, in display order.
    pub figures: &'a [Figure<'a>],
    /// `manifest.json`, shown verbatim.
    pub manifest_json: &'a str,
}

/// The files this module adds to a run folder, in the order [`files`] returns them.
pub const FILES: [&str; 3] = ["adoption.svg", "new_adopters.svg", "report.html"];

#[cfg(test)]
mod tests {
    use crate::table::steps_cell;

    #[test]
    fn step_cells() {
        assert_eq!(
            steps_cell([Some(3), Some(5), None].into_iter(), 36),
            "5 [3–>36]"
        );
        assert_eq!(steps_cell(std::iter::empty(), 36), "-");
        // A range of one value is one number.
        assert_eq!(steps_cell([None, None].into_iter(), 17), ">17");
    }

    #[test]
    fn signs_and_few_pairs() {
        use crate::table::{signed_dec, signed1};
        assert_eq!(signed1(-0.04), "0.0");
        assert_eq!(signed1(0.04), "0.0");
        assert_eq!(signed1(-1.25), "-1.2");
        assert_eq!(signed_dec(41.6, 0), "+42");
        assert_eq!(signed_dec(-0.4, 0), "0");
        use crate::output::few_pairs;
        assert!(few_pairs(3, 500));
        assert!(few_pairs(29, 500));
        assert!(few_pairs(40, 500)); // under a tenth of the replicates
        assert!(!few_pairs(190, 200));
        assert!(!few_pairs(10, 20));
        assert!(few_pairs(9, 20));
    }
}
