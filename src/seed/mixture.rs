//! A weighted mixture of reverse graphs: the RR sets of several theories at once (issue 23).
//!
//! A weighted mixture of triggering models is a triggering model: draw the theory `t` with
//! probability `w_t`, then its triggering realisation. An RR set whose theory is drawn that way
//! is covered by `S` with probability `Σ_t w_t P_t(S covers)`, so `n · P(S covers)` is the
//! weighted expected spread `Σ_t w_t σ_t(S)`: a coverage function again, and OPIM-C's bounds
//! and certificate hold for it unchanged ([`super::opim`]).

use super::rr::ReverseGraph;
use rand::RngExt;

/// Reverse graphs on the same physicians and horizon, each with a weight (summing to 1).
#[derive(Debug, Clone)]
pub struct Mixture<'a> {
    parts: Vec<&'a ReverseGraph>,
    /// Cumulative weights; the last is 1.
    cum: Vec<f64>,
}

impl<'a> Mixture<'a> {
    /// One theory (no theory is drawn: its RR sets use the random numbers of a plain run).
    pub fn single(g: &'a ReverseGraph) -> Self {
        Mixture {
            parts: vec![g],
            cum: vec![1.0],
        }
    }

    /// The mixture of `parts` with weights proportional to the given ones. `Err` when the
    /// list is empty, a weight is not positive and finite, or the graphs differ in size or
    /// horizon.
    pub fn new(parts: Vec<(&'a ReverseGraph, f64)>) -> Result<Self, String> {
        let Some((first, _)) = parts.first() else {
            return Err("a mixture needs at least one theory".into());
        };
        if parts.iter().any(|(g, w)| {
            g.n() != first.n() || g.horizon() != first.horizon() || !(w.is_finite() && *w > 0.0)
        }) {
            return Err(
                "mixture parts must share physicians and horizon, with positive weights".into(),
            );
        }
        let total: f64 = parts.iter().map(|p| p.1).sum();
        let mut acc = 0.0;
        let mut cum = Vec::with_capacity(parts.len());
        for (_, w) in &parts {
            acc += w / total;
            cum.push(acc);
        }
        if let Some(last) = cum.last_mut() {
            *last = 1.0;
        }
        Ok(Mixture {
            parts: parts.into_iter().map(|p| p.0).collect(),
            cum,
        })
    }

    /// The first graph (sizes, horizon, sampler memory: the same for every part).
    pub fn first(&self) -> &'a ReverseGraph {
        self.parts[0]
    }

    /// Number of physicians.
    pub fn n(&self) -> usize {
        self.parts[0].n()
    }

    /// The largest deadline.
    pub fn horizon(&self) -> u32 {
        self.parts[0].horizon()
    }

    /// Whether some part has spontaneous adoption (a virtual source).
    pub fn spontaneous(&self) -> bool {
        self.parts.iter().any(|g| g.spontaneous() > 0.0)
    }

    /// The theory of the next RR set: drawn by weight from `rng` (no draw for one theory).
    #[inline]
    pub fn pick<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> &'a ReverseGraph {
        if self.parts.len() == 1 {
            return self.parts[0];
        }
        let u: f64 = rng.random();
        let i = self
            .cum
            .partition_point(|&c| c <= u)
            .min(self.parts.len() - 1);
        self.parts[i]
    }
}
