//! `independent_cascade` — Kempe, Kleinberg & Tardos (2003).
//!
//! A physician `j` who adopted in step `t-1` gets one chance, in `t`, to convert each
//! out-neighbour `i` with probability `min(1, β · w_ji)`; optionally plus spontaneous adoption
//! with probability `p`. Hence
//! `P(i adopts in t) = 1 - (1 - p) · Π_{j new in t-1} (1 - min(1, β·w_ji))`.
//!
//! # Parameters
//! - `beta` ∈ [0, 1]: conversion probability per arc of weight 1 (one chance).
//! - `p` ∈ [0, 1], per step, default 0: spontaneous adoption.
//!
//! # Randomness
//! As the other models: the channels are combined into one per-step hazard.
//!
//! # Reference
//! Kempe, D., Kleinberg, J. & Tardos, É. (2003) KDD.
//!
//! # Complexity
//! `O(1)` per hazard evaluation, `O(1)` per arc from a new adopter.

use super::{Hazard, ModelInfo, ParamInfo};

/// Independent cascade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndependentCascade {
    /// Conversion probability per unit of arc weight.
    pub beta: f64,
    /// Spontaneous adoption per step.
    pub p: f64,
}

/// Documentation of `independent_cascade`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "independent_cascade",
    summary: "each new adopter j gets one chance to convert each listener i with min(1, β·w_ji); plus p",
    reference: "Kempe, Kleinberg & Tardos 2003",
    params: &[
        ParamInfo {
            name: "beta",
            meaning: "one-shot conversion probability along an arc of weight 1",
            unit: "per arc",
            range: "[0, 1]",
            default: "required",
        },
        ParamInfo {
            name: "p",
            meaning: "spontaneous adoption probability",
            unit: "per step",
            range: "[0, 1]",
            default: "0",
        },
    ],
};

impl Hazard for IndependentCascade {
    #[inline]
    fn prob(&self, _c: f64, _w: f64, _theta: f64) -> f64 {
        self.p
    }

    #[inline]
    fn arc_prob(&self, w: f32) -> Option<f64> {
        Some((self.beta * w as f64).min(1.0))
    }
}
