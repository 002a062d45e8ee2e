//! Segments of a run: the physicians grouped by the `segment` attribute, and the tallies of
//! adoptions per segment and step. The kernel knows nothing of segments. A [`Tallied`]
//! observer wraps the run's curve and counts each adoption in its physician's segment and
//! step ([`Tally`]); one tally per replicate, arm and model, collected in replicate order like
//! the curves, so the segment outputs are as deterministic as the curves (the same for any
//! number of threads). Counting costs one array increment per adoption; nothing is done per
//! arc. [`crate::segments`] analyses the tallies.

use super::{Grouping, MAX_SEGMENTS};
use crate::engine::{Curve, Observer, StepCounts};
use crate::error::Error;
use crate::network::Network;
use crate::scenario::Scenario;
use std::ops::Range;

/// The physicians grouped by the segment attribute `name` (key `segment` at `span` in
/// errors): an unknown attribute, or one with more than [`MAX_SEGMENTS`] values, is refused.
pub fn grouping(
    sc: &Scenario,
    net: &Network,
    name: &str,
    span: &Range<usize>,
) -> Result<Grouping, Error> {
    let a = super::attribute(sc, net, name, span, "segment")?;
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
    /// Segment labels (sorted; [`super::MISSING`] last when some physicians have no value).
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
