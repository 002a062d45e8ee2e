//! `kolsim seed`: the (near-)best set of `k` initial adopters under one adoption model, and
//! how far the usual top-`k` KOL lists fall short of it (issue 13).
//!
//! Objective: expected adopters by step `H` (seeds included), or adopter-steps
//! `Σ_{t=0}^{H} adopters(t)` (the area under the curve, rewarding speed). Two methods:
//!
//! - **RR sets + OPIM-C** ([`rr`], [`opim`]) for the models that are *triggering models*
//!   ([`crate::models::Model::reverse_reachable`]), with a certified approximation ratio.
//! - **CELF lazy greedy on forward simulations** ([`celf`](mod@celf)) for every other model, with common
//!   random numbers (replicate `r`'s streams for every candidate set) and **no guarantee**:
//!   those models are not submodular in general, and greedy can be arbitrarily far from the
//!   best set.
//!
//! Every candidate set is then *evaluated* the same way, by forward simulation of the
//! scenario's own model ([`forward`]), paired across sets.
//!
//! # The reverse-reachable equivalences, in MODELS.md terms
//! Notation of MODELS.md: arc `j → i` with weight `w_ji`, `W_i = Σ_j w_ji`, synchronous steps,
//! seeds adopt at step 0. `τ_i` is `i`'s adoption step. For each model we give a *triggering
//! realisation* — randomness drawn independently of the seeds — under which `τ_i ≤ h` iff `i`
//! is reachable from a seed (or from the virtual source `z` of spontaneous adoption) by a
//! path whose arrival times respect the deadline, and show that the law of `(τ_i)_i` equals the
//! forward model's. Then `σ_h(S) = E|{i : τ_i ≤ h}|` is a coverage function of `S`: monotone
//! and submodular, and RR sets estimate it without bias. `tests/seed.rs` checks each one
//! numerically: the RR estimate of a fixed set's spread equals the forward mean within 3 se.
//!
//! 1. **`independent_cascade`** (`P = 1 − (1 − p) Π_{j new in t−1} (1 − min(1, β w_ji))`):
//!    draw each arc live with `π_ji = min(1, β w_ji)` and a spontaneous step
//!    `G_i ~ Geometric(p)` on `{1, 2, ...}`. Then `τ_i = min(G_i, min_{j→i live} τ_j + 1)`,
//!    seeds `τ = 0`: each arc's one chance is exactly "live or not", used one step after `j`
//!    adopts. Hence `τ_i ≤ h` iff some `u` with `T_u + hops(u → i) ≤ h`, `T_u = 0` for seeds
//!    and `G_u` otherwise. Spontaneous `p` is **included, as the virtual source** (exact), not
//!    dropped.
//! 2. **`threshold` with `θ ~ U(0, 1)` and share exposure** (`e_i(t−1) ≥ θ_i`, plus `p`):
//!    linear threshold with weights `w_ji / W_i` summing to 1. Kempe, Kleinberg & Tardos
//!    (2003, Claim 2.6) show step by step that the set active after `t` steps has the law of
//!    the set reachable within `t` hops when each `i` keeps one in-arc picked with probability
//!    `w_ji / W_i`. The spontaneous channel is independent of `θ` and of the pick, so
//!    `τ_i = min(G_i, τ_parent + 1)` keeps the law. Other threshold laws (fixed, `U(0, ½)`,
//!    beta, normal, count exposure) are not triggering models: no RR sets (CELF instead).
//! 3. **`imitation` with `exposure = "count"`** (`P = 1 − (1 − q)^{c_i(t−1)}`): once `j` has
//!    adopted, each later step gives `i` an independent chance `m_ji = 1 − (1 − q)^{w_ji}` of
//!    "meeting" `j` (IC-M of Chen, Lu & Zhang 2012). With independent delays
//!    `D_ji ~ Geometric(m_ji)` on `{1, 2, ...}`, `τ_i = min_j (τ_j + D_ji)`: by
//!    memorylessness the hazard of `i` in step `t` is `1 − Π_{j: τ_j ≤ t−1} (1 − m_ji) =
//!    1 − (1 − q)^{c_i(t−1)}`. So `τ_i` is a first-passage time; `τ_i ≤ H` iff the reverse
//!    delay distance from a seed is at most `H` (reverse Dijkstra from `(root, H)`).
//! 4. **`imitation` (share) and `bass`** (`P = p + (1 − p) q e_i(t−1)`): in each step `t`,
//!    independently, `i` adopts spontaneously with probability `p`; if not, with probability
//!    `q` it listens to one in-neighbour `c_{i,t}` picked with probability `w_ji / W_i` and
//!    adopts if `τ_{c_{i,t}} ≤ t − 1`. Given the state at `t − 1` this gives exactly
//!    `p + (1 − p) q Σ_j w_ji a_j / W_i`, with fresh randomness each step, so the Markov
//!    chains coincide. `τ_i ≤ h` iff a time-respecting chain of listening steps leads from a
//!    seed (or a spontaneous adoption) to `i` by `h`. The RR search keeps, per physician, the
//!    largest deadline it is needed by; its listening steps `t ≤ d` are Binomial(d, q) found
//!    by geometric skips, each naming a neighbour with deadline `t − 1`. `q · e ≤ 1` always
//!    (`q ≤ 1`), so no capping is involved.
//!
//! KOL weight κ is already in the arc weights (the realisation's network), for both the RR
//! sets and the forward simulations. Models without a form here (social learning, detailing,
//! structural equivalence, other thresholds) use CELF; [`no_rr_reason`] says why.

pub mod budget;
pub mod celf;
pub mod collection;
pub mod forward;
pub mod mixture;
pub mod objective;
pub mod opim;
pub mod options;
mod queue;
pub mod robust;
pub mod rr;
pub mod sentinel;

pub use budget::{BestOfTwo, Budget, Winner};
pub use celf::{Lazy, celf, celf_budget, plain_greedy};
pub use forward::{Compared, Forward, compare};
pub use mixture::Mixture;
pub use objective::Objective;
pub use opim::{Certified, opim_c, opim_mix};
pub use options::OpimOptions;
pub use options::Sentinel;
pub use rr::{ReverseGraph, Sampler};

/// The seeds of an `[[arm]] strategy = "optimized"`: OPIM-C (ε = 0.1, δ = 1/n, adopters by
/// `horizon`) on `net` (KOL weights applied) for `model`, in selection order. `Err` says why
/// the model cannot be optimised inside a run (no reverse-reachable form: CELF on
/// simulations per network realisation would dwarf the run; use `kolsim seed --method celf`
/// and an explicit arm instead).
pub fn optimized_arm(
    net: &crate::network::Network,
    model: &dyn crate::models::Model,
    count: usize,
    horizon: u32,
    seed: u64,
) -> Result<Vec<u32>, String> {
    let Some(rule) = model.reverse_reachable() else {
        return Err(format!(
            "strategy = \"optimized\" needs a model with a reverse-reachable form, and {} has none: {}. Run `kolsim seed --method celf` and seed its set with strategy = \"explicit\"",
            model.kind(),
            no_rr_reason(model.kind())
        ));
    };
    if count > net.n() {
        return Err(format!(
            "{count} optimized seeds requested, but the network has only {} physicians",
            net.n()
        ));
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    let g = ReverseGraph::new(net, rule, horizon)?;
    Ok(opim_c(
        &g,
        &OpimOptions {
            k: count,
            seed,
            ..OpimOptions::default()
        },
    )
    .seeds)
}

/// Why a model kind has no reverse-reachable form (for messages).
pub fn no_rr_reason(kind: &str) -> &'static str {
    match kind {
        "threshold" => {
            "only thresholds θ ~ U(0, 1) with share exposure make the threshold model a triggering (linear threshold) model; fixed or narrower thresholds are complex contagion, not submodular"
        }
        "social_learning" => {
            "Bayesian learning from outcomes (with discontinuation) is not a triggering model and not submodular"
        }
        "detailing" => {
            "detailing's hazard depends on the allocation of visits, not only on adopted peers; it is not a triggering model"
        }
        "structural_equivalence" => {
            "its exposure runs on the similarity network the model builds; RR sets for it are not implemented"
        }
        _ => "this model declares no reverse-reachable form",
    }
}
