//! Results per segment (`segment = "<attribute>"` in the scenario): every run output split by
//! the values of a node attribute (a town, a hospital, a specialty; [`crate::groups`] says how
//! values become segments, blank and `NA` cells included).
//!
//! The kernel knows nothing of segments. A [`Tallied`] observer wraps the run's curve and
//! counts each adoption in its physician's segment and step ([`Tally`]); one tally per
//! replicate, arm and model, collected in replicate order like the curves, so the segment
//! outputs are as deterministic as the curves (the same for any number of threads). Counting
//! costs one array increment per adoption; nothing is done per arc.
//!
//! From the tallies, [`analyse`] derives what the run derives from its curves, per segment:
//! the per-step summary of the share adopted within the segment, each replicate's metrics
//! (final share, t10/t50/t90, KOLs adopted) and the paired comparisons (model vs baseline,
//! and the KOL lift: each arm vs the reference arm). The writers in [`output`](mod@output)
//! turn them into tidy CSV files with a `segment` column.

pub mod output;

use crate::engine::{Curve, Observer, StepCounts};
use crate::error::Error;
use crate::groups::{self, Grouping, MAX_SEGMENTS};
use crate::network::Network;
use crate::output::Comparison;
use crate::run::RunResult;
use crate::scenario::Scenario;
use crate::stats::{self, Metrics, StepSummary};
use std::ops::Range;

/// The run folder files with per-segment results, in the order they are written (the per-
/// replicate ones only when `--curves` keeps per-replicate files).
pub const FILES: [&str; 5] = [
    "segment_curves.csv",
    "segment_summary.csv",
    "segment_metrics.csv",
    "segment_comparison.csv",
    "segments.svg",
];

/// The physicians grouped by the segment attribute `name` (key `segment` at `span` in
/// errors): an unknown attribute, or one with more than [`MAX_SEGMENTS`] values, is refused.
pub fn grouping(
    sc: &Scenario,
    net: &Network,
    name: &str,
    span: &Range<usize>,
) -> Result<Grouping, Error> {
    let a = groups::attribute(sc, net, name, span, "segment")?;
    let g = Grouping::new(a, net.n());
    if g.labels.len() > MAX_SEGMENTS {
        return Err(Error::Scenario(sc.source.error(
            Some(span.clone()),
            "segment",
            format!(
                "attribute \"{name}\" has {} distinct values; results are split into at most {MAX_SEGMENTS} segments (segment by a categorical column such as a town or a specialty, or add a column with value bands to the node file)",
                g.labels.len()
            ),
        )));
    }
    Ok(g)
}

/// One replicate's adoptions per segment and step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    segments: usize,
    /// New adopters, `[step × segments + segment]`.
    pub new_adopters: Vec<u32>,
    /// New KOL adopters, laid out like `new_adopters`.
    pub new_kol_adopters: Vec<u32>,
}

impl Tally {
    /// An all-zero tally of `segments` segments over steps `0..=steps`.
    pub fn new(segments: usize, steps: u32) -> Tally {
        let len = segments * (steps as usize + 1);
        Tally {
            segments,
            new_adopters: vec![0; len],
            new_kol_adopters: vec![0; len],
        }
    }

    /// Counts physician `node` (segment `of[node]`) adopting in `step`.
    #[inline]
    pub fn add(&mut self, segment: u32, step: u32, kol: bool) {
        let k = step as usize * self.segments + segment as usize;
        if k >= self.new_adopters.len() {
            let len = (step as usize + 1) * self.segments;
            self.new_adopters.resize(len, 0);
            self.new_kol_adopters.resize(len, 0);
        }
        self.new_adopters[k] += 1;
        self.new_kol_adopters[k] += u32::from(kol);
    }

    /// Keeps steps `0..steps` (the steps the curve reported).
    pub fn truncate(&mut self, steps: usize) {
        self.new_adopters.truncate(steps * self.segments);
        self.new_kol_adopters.truncate(steps * self.segments);
    }

    /// Segment `s` as a curve (new adopters and new KOL adopters per step; no users or
    /// discontinuations, which are not counted per segment).
    pub fn curve(&self, s: usize) -> Curve {
        let pick = |v: &[u32]| -> Vec<u32> {
            v.chunks(self.segments.max(1))
                .map(|row| row.get(s).copied().unwrap_or(0))
                .collect()
        };
        Curve {
            new_adopters: pick(&self.new_adopters),
            new_kol_adopters: pick(&self.new_kol_adopters),
            discontinued: Vec::new(),
            users: Vec::new(),
        }
    }

    /// The tally of recorded adoptions `(node, step)`.
    pub fn from_adoptions(
        adoptions: impl Iterator<Item = (u32, u32)>,
        g: &Grouping,
        is_kol: &[bool],
        steps: usize,
    ) -> Tally {
        let mut t = Tally::new(g.labels.len(), steps.saturating_sub(1) as u32);
        for (node, step) in adoptions {
            t.add(g.of[node as usize], step, is_kol[node as usize]);
        }
        t.truncate(steps);
        t
    }
}

/// An observer that passes everything to `inner` and tallies each adoption in its
/// physician's segment.
pub struct Tallied<'a, O: Observer + ?Sized> {
    /// The observer that records the curve.
    pub inner: &'a mut O,
    /// The segments.
    pub grouping: &'a Grouping,
    /// `is_kol[i]`.
    pub is_kol: &'a [bool],
    /// Where adoptions are counted.
    pub tally: &'a mut Tally,
}

impl<O: Observer + ?Sized> Observer for Tallied<'_, O> {
    fn on_step(&mut self, step: u32, counts: StepCounts) -> bool {
        self.inner.on_step(step, counts)
    }

    #[inline]
    fn on_adopt(&mut self, node: u32, step: u32) {
        let i = node as usize;
        self.tally.add(self.grouping.of[i], step, self.is_kol[i]);
        self.inner.on_adopt(node, step);
    }
}

/// A run's per-segment tallies.
#[derive(Debug, Clone)]
pub struct Segments {
    /// The segment attribute.
    pub attribute: String,
    /// Segment labels (sorted; [`groups::MISSING`] last when some physicians have no value).
    pub labels: Vec<String>,
    /// Physicians per segment.
    pub sizes: Vec<usize>,
    /// KOLs per segment (realisation 0).
    pub kols: Vec<usize>,
    /// `tallies[arm][model][replicate]`.
    pub tallies: Vec<Vec<Vec<Tally>>>,
}

impl Segments {
    /// Segment `s`'s curves of arm `a` and model `m`, one per replicate.
    pub fn curves(&self, a: usize, m: usize, s: usize) -> Vec<Curve> {
        self.tallies[a][m].iter().map(|t| t.curve(s)).collect()
    }
}

/// What [`analyse`] derives per segment, each indexed `[segment]` first.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// `summaries[segment][arm][model]`: per step, the share adopted within the segment.
    pub summaries: Vec<Vec<Vec<Vec<StepSummary>>>>,
    /// `metrics[segment][arm][model][replicate]`, shares within the segment.
    pub metrics: Vec<Vec<Vec<Vec<Metrics>>>>,
    /// `comparisons[segment]`: model vs baseline and arm vs reference arm (the KOL lift)
    /// within the segment, as [`crate::output::comparisons`].
    pub comparisons: Vec<Vec<Comparison>>,
}

/// Summaries, metrics and paired comparisons per segment (shares are of the segment's
/// physicians; restricted times use the run's horizon). Pure and deterministic.
pub fn analyse(res: &RunResult, seg: &Segments, baseline: &str, reference_arm: &str) -> Analysis {
    let h = crate::output::horizon(res);
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
        out.comparisons.push(crate::output::comparisons_of(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Attribute;

    #[test]
    fn tally_counts_by_segment_and_step() {
        let g = Grouping::new(
            &Attribute::Text(["a", "b", "a", "NA"].map(String::from).to_vec()),
            4,
        );
        let is_kol = [true, false, false, false];
        let mut curve = Curve::with_steps(2);
        let mut tally = Tally::new(g.labels.len(), 2);
        let mut obs = Tallied {
            inner: &mut curve,
            grouping: &g,
            is_kol: &is_kol,
            tally: &mut tally,
        };
        obs.on_adopt(0, 0);
        obs.on_step(0, StepCounts::default());
        obs.on_adopt(3, 1);
        obs.on_adopt(2, 1);
        obs.on_step(1, StepCounts::default());
        obs.on_step(2, StepCounts::default());
        assert_eq!(curve.new_adopters.len(), 3);
        assert_eq!(tally.curve(0).new_adopters, [1, 1, 0]);
        assert_eq!(tally.curve(0).new_kol_adopters, [1, 0, 0]);
        assert_eq!(tally.curve(1).new_adopters, [0, 0, 0]);
        assert_eq!(tally.curve(2).new_adopters, [0, 1, 0]);
        let rec = Tally::from_adoptions([(0, 0), (3, 1), (2, 1)].into_iter(), &g, &is_kol, 3);
        assert_eq!(rec, tally);
    }
}
