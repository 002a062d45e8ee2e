//! The settings of one OPIM-C optimisation ([`super::opim::opim_c`]) and the sentinel-set
//! switch ([`super::sentinel`]).

use super::budget::Budget;
use super::objective::Objective;

/// Settings of one optimisation.
#[derive(Debug, Clone)]
pub struct OpimOptions {
    /// Number of seeds (ignored with a budget).
    pub k: usize,
    /// ε in the target ratio `1 − 1/e − ε`.
    pub epsilon: f64,
    /// Failure probability δ (`None`: `1/n`).
    pub delta: Option<f64>,
    /// The objective.
    pub objective: Objective,
    /// Master seed (RR-set streams).
    pub seed: u64,
    /// Physicians allowed as seeds (`None`: everyone).
    pub candidates: Option<Vec<bool>>,
    /// Fewest RR sets per collection in the first round ([`MIN_SETS`] by default): small
    /// networks reach the certificate with a few hundred sets, but more sets cost little
    /// there and give better seeds. Starting higher keeps the bounds valid (the number of
    /// rounds in the union bound is computed from it). Lowered where the pilot says the
    /// searches explore many members ([`FIRST_ROUND_WORK`]); not used at all where the pilot
    /// sets are large (high influence: [`super::sentinel::Scouting::large`]), where the
    /// certificate starts from the theory's own size.
    pub min_sets: u64,
    /// Per-physician costs and a budget instead of `k` ([`super::budget`]).
    pub budget: Option<Budget>,
    /// The sentinel-set variant ([`super::sentinel`]; not with a budget).
    pub sentinel: Sentinel,
    /// Most RR-set members stored by the two collections together ([`MAX_NODES`] by default).
    pub max_nodes: u64,
}

impl Default for OpimOptions {
    /// One seed, ε = 0.1, δ = 1/n, adopters, seed 0, everyone a candidate, [`MIN_SETS`],
    /// no budget, [`Sentinel::Auto`], [`MAX_NODES`].
    fn default() -> Self {
        OpimOptions {
            k: 1,
            epsilon: 0.1,
            delta: None,
            objective: Objective::Adopters,
            seed: 0,
            candidates: None,
            min_sets: MIN_SETS,
            budget: None,
            sentinel: Sentinel::Auto,
            max_nodes: MAX_NODES,
        }
    }
}

/// Default [`OpimOptions::min_sets`].
pub const MIN_SETS: u64 = 1 << 14;

/// Members the first round's searches may explore (estimated from the pilot sets) before
/// [`OpimOptions::min_sets`] is lowered: `2^21`, a fraction of a second on one core. Small
/// sets (CKM, weighted cascades on 10⁶ physicians: about 10 members) keep the full
/// `min_sets`; high-influence settings (independent cascade with β = 0.1 on a BA graph, a
/// third of the searches run into a hub) start from the theory's own size and grow by `√2`
/// per round ([`super::opim::FINE_GROWTH`]).
pub const FIRST_ROUND_WORK: f64 = (1u64 << 21) as f64;

/// Default [`OpimOptions::max_nodes`]: 2^27 members (512 MiB of `u32`, plus the greedy's
/// inverse index of the first collection, 256 MiB).
pub const MAX_NODES: u64 = 1 << 27;

/// When to use the sentinel-set variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentinel {
    /// Never (plain OPIM-C).
    Off,
    /// When the pilot RR sets are large (high influence).
    #[default]
    Auto,
    /// Whenever a sentinel set is found.
    On,
}

impl Sentinel {
    /// Parses `auto`, `on` or `off`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Sentinel::Auto),
            "on" => Some(Sentinel::On),
            "off" => Some(Sentinel::Off),
            _ => None,
        }
    }
}
