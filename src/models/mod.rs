//! The adoption models. Each file holds one model: its parameters (validated once, at
//! construction), its per-step adoption rule, and its documentation.
//!
//! Every model here is a [`Hazard`]: given physician `i`'s state at the end of step `t-1` it
//! gives the probability that `i` adopts in step `t`. The engines (see [`crate::engine`]) turn
//! hazards into adoptions; models never touch the network, the RNG or the output.

pub mod bass;
pub mod cascade;
pub mod detailing;
pub mod imitation;
pub mod social_learning;
pub mod structural;
pub mod threshold;

pub use bass::Bass;
pub use cascade::IndependentCascade;
pub use detailing::{Detailing, Policy};
pub use imitation::Imitation;
pub use social_learning::SocialLearning;
pub use structural::StructuralEquivalence;
pub use threshold::{Theta, Threshold};

/// How a model measures a physician's exposure to adopters (MODELS.md, *notation*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureKind {
    /// Weighted share of in-neighbours who adopted, `e_i = c_i / Σ_j w_ji` (0 if no in-arcs).
    Share,
    /// Weighted count of adopted in-neighbours, `c_i = Σ_j w_ji a_j`.
    Count,
}

impl ExposureKind {
    /// Parses `"share"` or `"count"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "share" => Some(ExposureKind::Share),
            "count" => Some(ExposureKind::Count),
            _ => None,
        }
    }
}

/// The exposure share `c / w`, 0 for a physician who listens to nobody.
#[inline]
pub fn share(c: f64, w: f64) -> f64 {
    if w > 0.0 { c / w } else { 0.0 }
}

/// A model's per-step adoption rule.
pub trait Hazard: Sync {
    /// Probability that a non-adopter adopts in step `t`, from the weighted count `c` of its
    /// adopted in-neighbours and its total in-weight `w` at the end of `t-1`, and its threshold
    /// `theta` (0 for models without thresholds). Must lie in `[0, 1]`.
    fn prob(&self, c: f64, w: f64, theta: f64) -> f64;

    /// One-shot conversion probability along an arc of weight `w` from a neighbour that adopted
    /// in the previous step (independent cascade). `None` for models without this channel.
    fn arc_prob(&self, _w: f32) -> Option<f64> {
        None
    }
}

/// Facts about one model parameter, shown by `kolsim models` and in the README.
#[derive(Debug, Clone, Copy)]
pub struct ParamInfo {
    /// Name in the scenario file.
    pub name: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// Allowed values.
    pub range: &'static str,
    /// Default, or `"required"`.
    pub default: &'static str,
}

/// Facts about one model kind.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    /// The `kind` string in scenario files.
    pub kind: &'static str,
    /// One-line summary with the update rule.
    pub summary: &'static str,
    /// Literature reference.
    pub reference: &'static str,
    /// Its parameters.
    pub params: &'static [ParamInfo],
}

/// Every model kind, in the order `kolsim models` lists them.
pub const CATALOGUE: &[ModelInfo] = &[
    imitation::INFO,
    bass::INFO,
    threshold::INFO,
    cascade::INFO,
    social_learning::INFO,
    detailing::INFO,
    structural::INFO,
];

/// A configured model of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelKind {
    /// Pure imitation.
    Imitation(Imitation),
    /// Bass mixed influence.
    Bass(Bass),
    /// Linear threshold / complex contagion.
    Threshold(Threshold),
    /// Independent cascade.
    IndependentCascade(IndependentCascade),
    /// Bayesian social learning.
    SocialLearning(SocialLearning),
    /// Marketing effort.
    Detailing(Detailing),
    /// Imitation of structurally similar peers.
    StructuralEquivalence(StructuralEquivalence),
}

impl ModelKind {
    /// The `kind` string.
    pub fn kind(&self) -> &'static str {
        match self {
            ModelKind::Imitation(_) => imitation::INFO.kind,
            ModelKind::Bass(_) => bass::INFO.kind,
            ModelKind::Threshold(_) => threshold::INFO.kind,
            ModelKind::IndependentCascade(_) => cascade::INFO.kind,
            ModelKind::SocialLearning(_) => social_learning::INFO.kind,
            ModelKind::Detailing(_) => detailing::INFO.kind,
            ModelKind::StructuralEquivalence(_) => structural::INFO.kind,
        }
    }

    /// The threshold distribution, for models that draw one threshold per physician.
    pub fn theta(&self) -> Option<&Theta> {
        match self {
            ModelKind::Threshold(t) => Some(&t.theta),
            _ => None,
        }
    }
}
