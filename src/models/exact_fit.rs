//! A model's exact-fit facts ([`ExactFit`]): what `kolsim fit` needs to fit a model by its
//! exact likelihood on an observed launch, declared **in the model's own file** and listed in
//! its registry entry ([`super::Kind::fits`]). The fit ([`crate::fit`]) reads these
//! descriptors generically and names no model; a fittable model is its file and its
//! registration, nothing else.

use super::ParamValue;
use super::likelihood::Exposure;

/// Which covariates a model's hazard reads. The fit builds the cells of each design once;
/// its tables list the compared models by design, in the order of these variants (then the
/// null first, then registration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Design {
    /// `(c, w)` on the influence network.
    Influence,
    /// Arcs from last period's adopters, by weight class.
    Cascade,
    /// `(c, w, m)`.
    Threshold,
    /// `(c, w)` on the similarity network (structural equivalence).
    Similar,
    /// `(kol, other, w_raw)`.
    KolSplit,
    /// `(c, w, d)`: exposure and the detailing stock (`crate::fit::covariates`).
    Detailing,
}

/// What a configured model fixes in the data of its [`Design`] ([`super::Model::design_input`]):
/// the fit builds that design's data with the scenario's value, read from the typed model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DesignInput {
    /// [`Design::Similar`]: the most similar peers each physician watches.
    TopK(usize),
    /// [`Design::Detailing`]: the share of the detailing stock kept from one period to the next.
    Decay(f64),
}

/// Where the search for a parameter starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Start {
    /// The spontaneous probability: at the innovation-only estimate `p0`.
    Spontaneous,
    /// A spontaneous hazard rate: at `−ln(1 − p0)`.
    SpontaneousRate,
    /// Each of these values (a grid, crossed with the other parameters').
    Grid(&'static [f64]),
}

/// The default grid of a contagion parameter.
pub const GRID: &[f64] = &[0.01, 0.1, 0.4];

/// One free parameter of an exact fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitParam {
    /// Name in the outputs (as in scenario files where it exists).
    pub name: &'static str,
    /// Box constraint.
    pub bounds: (f64, f64),
    /// Where the search starts.
    pub start: Start,
}

impl FitParam {
    /// A probability in `[0, 1]` started on [`GRID`].
    pub const fn prob(name: &'static str) -> FitParam {
        FitParam {
            name,
            bounds: (0.0, 1.0),
            start: Start::Grid(GRID),
        }
    }

    /// The spontaneous probability `p` in `[0, 1]`.
    pub const fn spontaneous(name: &'static str) -> FitParam {
        FitParam {
            name,
            bounds: (0.0, 1.0),
            start: Start::Spontaneous,
        }
    }
}

/// What part an exact fit plays in `kolsim fit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The baseline every contagion model is tested against (innovation only); its estimate
    /// is in closed form.
    Null,
    /// Compared on every per-physician launch.
    Compared,
    /// Compared only when its covariates (marketing series, detailing visits) are given.
    Covariates,
    /// Not compared: a reparametrisation another fit points to ([`ExactFit::ratio`]).
    Internal,
}

/// Which person-periods a −∞ likelihood counts ([`Impossible`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Adoptions.
    Adoptions,
    /// Person-periods at risk without an adoption.
    NonAdoptions,
}

/// Why a model's likelihood is −∞: the observations its family cannot produce.
#[derive(Debug, Clone, Copy)]
pub struct Impossible {
    /// Which are counted.
    pub counted: Counted,
    /// In which cells.
    pub when: fn(&Exposure) -> bool,
    /// The note after the count (`"log-likelihood −∞: {k} {says}"`).
    pub says: &'static str,
}

/// A fitted model as a scenario model: its `kind` and `[[model]]` values, from the fitted
/// value of each parameter (`value(name)`, 0 if absent) and the scenario's `top_k`; `None`
/// where the fit has no simulation counterpart at these values.
pub type AsModel = fn(value: &dyn Fn(&str) -> f64, top_k: usize) -> Option<ModelValues>;

/// A model `kind` and its `[[model]]` values.
pub type ModelValues = (&'static str, Vec<(&'static str, ParamValue)>);

/// Parameter `name` at its fitted value `v(name)`, as a `[[model]]` number ([`AsModel`]).
pub fn num(name: &'static str, v: &dyn Fn(&str) -> f64) -> (&'static str, ParamValue) {
    (name, ParamValue::Num(v(name)))
}

/// Everything `kolsim fit` needs to fit one model by its exact likelihood.
#[derive(Debug, Clone, Copy)]
pub struct ExactFit {
    /// Name in the outputs.
    pub name: &'static str,
    /// What the model says, for the terminal table.
    pub describe: &'static str,
    /// Free parameters, in order.
    pub params: &'static [FitParam],
    /// The covariates the hazard reads.
    pub design: Design,
    /// Its part in the fit.
    pub role: Role,
    /// How many parameters of the network term are on their boundary (0) when the model
    /// reduces to its spontaneous channel alone, for the likelihood-ratio test; 0 where no
    /// such test is valid.
    pub boundary_params: usize,
    /// A likelihood with kinks: Nelder–Mead before Newton.
    pub rough: bool,
    /// The network term is linear in the network parameters (`p` left out): the hazard with
    /// `p = 0` is `Σ ψ_k f_k(x)`, `f_k` its value with `ψ_k = 1` and the others 0. A
    /// controlled fit of such a model (and of its [`ExactFit::ratio`]) climbs `(β, ψ)`
    /// jointly with analytic derivatives.
    pub linear: bool,
    /// The hazard at parameters `th` (in [`ExactFit::params`] order), through the model's own
    /// [`super::Likelihood`].
    pub hazard: fn(th: &[f64], x: &Exposure) -> f64,
    /// The KOL premium: this fit reparametrised as `(p, q_other, κ = q_kol / q_other)`, for
    /// κ̂ and its interval (its last two parameters are `q_kol`, `q_other`).
    pub ratio: Option<&'static ExactFit>,
    /// Why the likelihood may be −∞, when the family says more than "probability 0".
    pub impossible: Option<Impossible>,
    /// The simulation model of a fit with a constant spontaneous rate, if it has one.
    pub as_model: Option<AsModel>,
}

impl ExactFit {
    /// A compared fit with the defaults: no boundary test, smooth, no ratio, no note, no
    /// simulation counterpart.
    pub const fn new(
        name: &'static str,
        describe: &'static str,
        params: &'static [FitParam],
        design: Design,
        hazard: fn(&[f64], &Exposure) -> f64,
    ) -> ExactFit {
        ExactFit {
            name,
            describe,
            params,
            design,
            role: Role::Compared,
            boundary_params: 0,
            rough: false,
            linear: false,
            hazard,
            ratio: None,
            impossible: None,
            as_model: None,
        }
    }
}
