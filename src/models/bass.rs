//! `bass` — Bass (1969) mixed influence on a network, agent-based form (Rand & Rust 2011).
//!
//! Two independent channels each step: external (marketing, journals) with probability `p`
//! and imitation with probability `q · e_i(t-1)`:
//! `P = 1 - (1 - p)(1 - q·e_i(t-1)) = p + (1 - p)·q·e_i(t-1)`.
//! On a complete graph the mean share follows `F(t) = F(t-1) + (1-F(t-1))(p + (1-p) q F(t-1))`
//! up to `O(1/n)` (tested).
//!
//! # Parameters
//! - `p` ∈ [0, 1], per step: external (innovation) probability.
//! - `q` ∈ [0, 1], per step: imitation probability at full exposure.
//!
//! # Randomness
//! One Bernoulli per non-adopter and step (reference engine) or one resistance draw per node
//! (event engine).
//!
//! # Reference
//! Bass, F. M. (1969) Management Science 15(5); Rand, W. & Rust, R. T. (2011) IJRM 28(3).
//!
//! # Complexity
//! `O(1)` per hazard evaluation.

use super::{Hazard, ModelInfo, ParamInfo, share};

/// Bass mixed influence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bass {
    /// External influence per step.
    pub p: f64,
    /// Imitation per step at full exposure.
    pub q: f64,
}

/// Documentation of `bass`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "bass",
    summary: "P = p + (1-p)·q·e_i(t-1): external influence plus imitation",
    reference: "Bass 1969; Rand & Rust 2011 (agent-based form)",
    params: &[
        ParamInfo {
            name: "p",
            meaning: "external (innovation) probability: marketing, journals",
            unit: "per step",
            range: "[0, 1]",
            default: "required",
        },
        ParamInfo {
            name: "q",
            meaning: "imitation probability at full exposure",
            unit: "per step",
            range: "[0, 1]",
            default: "required",
        },
    ],
};

impl Hazard for Bass {
    #[inline]
    fn prob(&self, c: f64, w: f64, _theta: f64) -> f64 {
        (self.p + (1.0 - self.p) * self.q * share(c, w)).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula() {
        let m = Bass { p: 0.1, q: 0.5 };
        assert!((m.prob(1.0, 2.0, 0.0) - (0.1 + 0.9 * 0.25)).abs() < 1e-15);
        assert_eq!(m.prob(0.0, 0.0, 0.0), 0.1);
    }
}
