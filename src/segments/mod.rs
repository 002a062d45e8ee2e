//! Results per segment (`segment = "<attribute>"` in the scenario): every run output split by
//! the values of a node attribute (a town, a hospital, a specialty; [`crate::groups`] says how
//! values become segments, blank and `NA` cells included).
//!
//! The run counts each adoption in its physician's segment and step
//! ([`crate::groups::Tallied`], [`crate::groups::Tally`]), collected in replicate order like
//! the curves into [`Segments`].
//!
//! From the tallies, [`analyse`] derives what the run derives from its curves, per segment:
//! the per-step summary of the share adopted within the segment, each replicate's metrics
//! (final share, t10/t50/t90, KOLs adopted) and the paired comparisons (model vs baseline,
//! and the KOL lift: each arm vs the reference arm). The writers in [`output`](mod@output)
//! turn them into tidy CSV files with a `segment` column.

pub mod output;

use crate::groups::Segments;
use crate::run::RunResult;
use crate::stats::{self, Metrics, StepSummary};
use crate::summary::Comparison;

/// The run folder files with per-segment results, in the order they are written (the per-
/// replicate ones only when `--curves` keeps per-replicate files).
pub const FILES: [&str; 5] = [
    "segment_curves.csv",
    "segment_summary.csv",
    "segment_metrics.csv",
    "segment_comparison.csv",
    "segments.svg",
];

/// What [`analyse`] derives per segment, each indexed `[segment]` first.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// `summaries[segment][arm][model]`: per step, the share adopted within the segment.
    pub summaries: Vec<Vec<Vec<Vec<StepSummary>>>>,
    /// `metrics[segment][arm][model][replicate]`, shares within the segment.
    pub metrics: Vec<Vec<Vec<Vec<Metrics>>>>,
    /// `comparisons[segment]`: model vs baseline and arm vs reference arm (the KOL lift)
    /// within the segment, as [`crate::summary::comparisons`].
    pub comparisons: Vec<Vec<Comparison>>,
}

/// Summaries, metrics and paired comparisons per segment (shares are of the segment's
/// physicians; restricted times use the run's horizon). Pure and deterministic.
pub fn analyse(res: &RunResult, seg: &Segments, baseline: &str, reference_arm: &str) -> Analysis {
    let h = crate::summary::horizon(res);
    let (na, nm) = (res.arms.len(), res.models.len());
    let mut out = Analysis {
        summaries: Vec::new(),
        metrics: Vec::new(),
        comparisons: Vec::new(),
    };
    for (s, &size) in seg.sizes.iter().enumerate() {
        let mut sums = vec![Vec::with_capacity(nm); na];
        let mut mets = vec![Vec::with_capacity(nm); na];
        for a in 0..na {
            for m in 0..nm {
                let curves = seg.curves(a, m, s);
                sums[a].push(stats::summarise(&curves, size));
                mets[a].push(curves.iter().map(|c| stats::metrics(c, size)).collect());
            }
        }
        out.comparisons.push(crate::summary::comparisons_of(
            (&res.models, &res.arms),
            &mets,
            baseline,
            reference_arm,
            h,
        ));
        out.summaries.push(sums);
        out.metrics.push(mets);
    }
    out
}
