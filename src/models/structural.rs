//! `structural_equivalence` — competition among structurally similar peers (Burt 1987).
//!
//! Exposure is computed over the `top_k` physicians most similar to `i` by their tie pattern
//! (cosine similarity of neighbour sets), not over `i`'s own ties:
//! `P = q · e^SE_i(t-1)`, `e^SE_i = Σ_{j ∈ top_k(i)} s_ij a_j / Σ_{j ∈ top_k(i)} s_ij`.
//! It runs as imitation on the similarity network (arcs `j → i` weighted by `s_ij`, KOL
//! weight applied), built once per network realisation by
//! [`crate::network::similarity`]; see there for its cost and the memory limit.
//!
//! # Parameters
//! `q` ∈ [0, 1] per step; `top_k` ≥ 1 (default 10).
//!
//! # Randomness
//! As `imitation`.
//!
//! # Complexity
//! Building: `O(Σ_i Σ_{j ∈ N(i)} deg(j))` time (two-hop paths), `O(n·top_k)` memory.
//! Simulation: as `imitation` on `n·top_k` arcs.

use super::{ModelInfo, ParamInfo};

/// Structural-equivalence imitation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StructuralEquivalence {
    /// Imitation probability at full exposure.
    pub q: f64,
    /// Most similar peers considered.
    pub top_k: usize,
}

/// Documentation of `structural_equivalence`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "structural_equivalence",
    summary: "P = q·e^SE_i(t-1): imitation of the top-k structurally most similar physicians (cosine similarity of neighbour sets)",
    reference: "Burt 1987",
    params: &[
        ParamInfo {
            name: "q",
            meaning: "imitation probability at full exposure",
            unit: "per step",
            range: "[0, 1]",
            default: "required",
        },
        ParamInfo {
            name: "top_k",
            meaning: "number of most similar peers each physician watches",
            unit: "physicians",
            range: "integer >= 1",
            default: "10",
        },
    ],
};
