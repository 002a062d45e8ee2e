//! The exact likelihood of a model on an observed launch (issue 10, `kolsim fit`): the
//! [`Likelihood`] trait and the covariates it reads ([`Exposure`]).
//!
//! A model whose per-period adoption probability depends on the observed state at the end of
//! the previous period only has an exact discrete-time hazard likelihood (MODELS.md,
//! *Fitting to an observed launch*). Such a model implements [`Likelihood`] **in its own
//! file**, next to its `impl Hazard`, by evaluating its own stepping rule
//! ([`Hazard::prob`](crate::engine::Hazard::prob), ...) on the covariates: the likelihood is
//! a method of the model, never a parallel copy of its formula.
//!
//! This trait lives in the model layer so that models need not import [`crate::fit`]; the
//! fit (which builds the covariates from the observed adoptions and maximises the sum)
//! imports models, never the other way round.

/// Most distinct arc weights the cascade likelihood pools over (else it is not fitted).
pub const MAX_CLASSES: usize = 8;

/// The covariates of one person-period at risk, computed on the observed state at the end
/// of the previous period. Which fields are filled depends on the design the fit built
/// (see `crate::fit::data::Design`).
#[derive(Debug, Clone, Copy)]
pub struct Exposure {
    /// Period `t` (0 when periods are pooled).
    pub t: u32,
    /// Weighted adopted in-weight `c_i(t − 1)` (KOL weight κ applied).
    pub c: f64,
    /// Total in-weight `Σ_j w_ji` (κ applied).
    pub w: f64,
    /// Threshold model: the adopted in-weight at the end of `t − 2`, the largest exposure
    /// `i` survived (`−∞` if `i` was never at risk before).
    pub m: f64,
    /// Cascade: arc weight of each class.
    pub class_w: [f32; MAX_CLASSES],
    /// Cascade: arcs from physicians who adopted in `t − 1`, per weight class.
    pub new: [u32; MAX_CLASSES],
    /// KOL term: in-weight from adopted KOLs, κ = 1.
    pub kol: f64,
    /// KOL term: in-weight from other adopters, κ = 1.
    pub other: f64,
    /// KOL term: total in-weight, κ = 1.
    pub w_raw: f64,
    /// Detailing: the physician's detailing stock `D_i` in the period's step, from the
    /// observed visits and marketing series (see `crate::fit::covariates`).
    pub d: f64,
}

impl Default for Exposure {
    fn default() -> Self {
        Exposure {
            t: 0,
            c: 0.0,
            w: 0.0,
            m: 0.0,
            class_w: [0.0; MAX_CLASSES],
            new: [0; MAX_CLASSES],
            kol: 0.0,
            other: 0.0,
            w_raw: 0.0,
            d: 0.0,
        }
    }
}

/// A model whose per-period adoption probability is a function of the observed state at the
/// end of the previous period, so the discrete-time hazard likelihood is exact.
pub trait Likelihood {
    /// Probability that a physician at risk adopts in the period with covariates `x`.
    fn hazard(&self, x: &Exposure) -> f64;
}
