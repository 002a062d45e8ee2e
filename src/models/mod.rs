//! The model layer. **A model is one file**: its parameters declared once ([`ModelInfo`],
//! [`Param`]), its construction from a `[[model]]` table ([`ParamTable`]), what it prepares
//! from a network realisation ([`Model::prepare`]) and from a replicate
//! ([`Dynamics::replicate`]), its stepping rule (usually a [`Hazard`] the kernel steps), its
//! attribution of adoptions to channels ([`Dynamics::attributor`]), its exact likelihood on an
//! observed launch where it has one ([`Likelihood`], implemented in the model's file next to
//! its `Hazard`, and the fit facts [`ExactFit`] its registry entry lists), and its reverse-reachable seeding rule ([`Model::reverse_reachable`]).
//!
//! Models depend on the kernel ([`crate::engine`]), on [`crate::attribution`] (the recorder
//! and its helpers), on [`crate::network`], [`crate::rng`] and [`crate::kols`], and on
//! [`crate::source`] for located errors. Nothing in the kernel imports a model.
//!
//! The [`Registry`] maps `kind` strings to constructors. [`Registry::builtin`] holds the seven
//! models below; a caller can [`Registry::register`] more (see `tests/it/toy_model.rs`) and parse
//! scenarios with [`crate::scenario::parse_with`].
//!
//! Dispatch is dynamic once per replicate ([`Prepared`]); every inner loop is generic over the
//! concrete hazard and observer.

pub mod bass;
pub mod cascade;
pub mod detailing;
pub mod exact_fit;
pub mod imitation;
pub mod likelihood;
pub mod params;
mod registry;
pub mod social_learning;
pub mod structural;
pub mod threshold;

pub use crate::engine::{Hazard, share};
pub use bass::Bass;
pub use cascade::IndependentCascade;
pub use detailing::{Detailing, Policy};
pub use exact_fit::{Design, DesignInput, ExactFit, FitParam, Role, Start};
pub use imitation::Imitation;
pub use likelihood::{Exposure, Likelihood};
pub use params::{Default, Given, ModelInfo, Param, ParamTable, ParamValue, Rule, readme_table};
pub use registry::{Kind, Parse, Registry};
pub use social_learning::SocialLearning;
pub use structural::StructuralEquivalence;
pub use threshold::{Theta, Threshold};

use crate::attribution::{Attribute, Record, Recorder};
use crate::engine::{Curve, EngineKind, Observer, Replicate, Scratch};
use crate::network::Network;

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
    /// The choices of an `exposure` parameter.
    pub const CHOICES: &'static [&'static str] = &["share", "count"];

    /// Parses `"share"` or `"count"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "share" => Some(ExposureKind::Share),
            "count" => Some(ExposureKind::Count),
            _ => None,
        }
    }

    /// Its name in a scenario file (`"share"` or `"count"`).
    pub fn name(self) -> &'static str {
        match self {
            ExposureKind::Share => "share",
            ExposureKind::Count => "count",
        }
    }

    /// The exposure of a physician with weighted adopted count `c` and in-weight `w`.
    #[inline]
    pub fn of(self, c: f64, w: f64) -> f64 {
        match self {
            ExposureKind::Share => share(c, w),
            ExposureKind::Count => c,
        }
    }
}

/// What a model may use of a network realisation when it prepares
/// ([`Model::prepare`]).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The network *before* the KOL weight is applied.
    pub net: &'a Network,
    /// KOLs in rank order.
    pub kols: &'a [u32],
    /// `is_kol[i]`.
    pub is_kol: &'a [bool],
    /// The KOL weight κ (apply with [`Network::scale_sources`] to a network the model builds).
    pub kol_weight: f32,
}

/// How to sample a reverse-reachable set for seeding (issue 13, `seed`): defined only for
/// models that are *triggering models* (influence travels along independently drawn
/// arcs or delays, so the set adopted by a deadline is a coverage function of the seeds).
/// [`crate::seed`] documents each equivalence with the forward model and its tests prove it
/// numerically. Spontaneous adoption `p` is a virtual source (see [`crate::seed::rr`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReverseReachable {
    /// Each arc `j → i` of weight `w` is live independently with probability `min(1, β·w)`
    /// (independent cascade), plus spontaneous adoption `p` per step.
    LiveArcs {
        /// Conversion probability per unit of arc weight.
        beta: f64,
        /// Spontaneous adoption per step.
        p: f64,
    },
    /// Each physician listens to one in-neighbour picked with probability `w_ji / W_i`
    /// (linear threshold with `θ ~ U(0, 1)` and share exposure), plus spontaneous `p`.
    OneParent {
        /// Spontaneous adoption per step.
        p: f64,
    },
    /// Each arc `j → i` carries an independent delay `Geometric(1 − (1 − q)^{w_ji})` steps
    /// after `j` adopts (count-form imitation: `1 − (1 − q)^{c_i}` per step).
    Delays {
        /// Per-contact transmission probability per step.
        q: f64,
    },
    /// In each step, with probability `q`, a physician listens to one in-neighbour picked
    /// with probability `w_ji / W_i` and adopts if that one had adopted (share-form
    /// imitation and Bass: `p + (1 − p) q e_i`), plus spontaneous `p`.
    Listening {
        /// Imitation probability per step at full exposure.
        q: f64,
        /// Spontaneous adoption per step.
        p: f64,
    },
}

/// A configured model, as a scenario holds it.
pub trait Model: std::fmt::Debug + Send + Sync {
    /// Its kind's declaration.
    fn info(&self) -> &'static ModelInfo;

    /// The `kind` string.
    fn kind(&self) -> &'static str {
        self.info().kind
    }

    /// Numeric node attributes this model reads, as `(parameter, attribute)`, so that
    /// `validate` can check them against the network.
    fn attributes(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Everything the model needs from one network realisation (a similarity network, a
    /// targeting order, ...), ready to run replicates. `Err` is a message saying why the
    /// model cannot run on this network; one that begins with a parameter's name (`theta
    /// lists …`) is located at that parameter in the scenario file, any other at the model's
    /// `[[model]]` table.
    fn prepare(&self, setting: &Setting<'_>) -> Result<Box<dyn Prepared>, String>;

    /// Its parameters' values, typed, as a `[[model]]` table would give them (those at their
    /// declared default may be listed or left out): what the report shows and a scenario file
    /// writes for a model built in code ([`crate::scenario::NamedModel::of`]). Empty (the
    /// default) for a model that does not say.
    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        Vec::new()
    }

    /// The reverse-reachable sampling rule (issue 13), or `None` (the default) where the
    /// model has none.
    fn reverse_reachable(&self) -> Option<ReverseReachable> {
        None
    }

    /// The parameters the simulation-based fit (`kolsim fit`, [`crate::fit::simulated`])
    /// frees, the others keeping the scenario's values; empty (the default) where the model
    /// cannot be fitted by simulation.
    fn free_params(&self) -> Vec<FreeParam> {
        Vec::new()
    }

    /// What the model fixes in the data its exact fit reads (the similarity network's
    /// `top_k`, the detailing stock's decay): the fit builds that [`Design`]'s data with it.
    /// `None` (the default) where it fixes nothing.
    fn design_input(&self) -> Option<DesignInput> {
        None
    }

    /// Whether fitting this model to per-physician data needs the simulation-based fit, its
    /// exact likelihood not covering it (on aggregate data every model does). `false` by
    /// default.
    fn needs_simulation(&self) -> bool {
        false
    }
}

/// A parameter the simulation-based fit frees ([`Model::free_params`]): its key in the
/// `[[model]]` table (`a.b` for a key of an inline table, e.g. `theta.high`) and its box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreeParam {
    /// Key in the model table.
    pub key: &'static str,
    /// Bounds.
    pub bounds: (f64, f64),
}

impl FreeParam {
    /// `key` in `[lo, hi]`.
    pub const fn new(key: &'static str, lo: f64, hi: f64) -> FreeParam {
        FreeParam {
            key,
            bounds: (lo, hi),
        }
    }
}

/// A model prepared on one realisation: runs replicates. Implemented for every
/// [`Dynamics`]; this is the one dynamic call per replicate.
pub trait Prepared: Send + Sync {
    /// Runs one replicate, recording the curve.
    fn run(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        curve: &mut Curve,
    );

    /// Runs one replicate with any observer (dynamic calls per adoption and step).
    fn run_observed(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut dyn Observer,
    );

    /// Runs one replicate recording every adoption with its channel and influencer.
    fn run_recorded(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
    ) -> (Curve, Vec<Record>);
}

/// A model's replicate-level behaviour. Implement this (the kernel calls are generic, so
/// the inner loops are monomorphised per model and observer) and [`Prepared`] follows.
pub trait Dynamics: Send + Sync {
    /// Per-replicate state, drawn from the replicate's streams (e.g. thresholds).
    type State;
    /// The per-replicate attribution of adoptions to channels.
    type Attributor<'s>: Attribute
    where
        Self: 's;

    /// The network the model runs on, given the realisation's (KOL-weighted) network. The
    /// default is that network; structural equivalence runs on its similarity network.
    fn network<'s>(&'s self, net: &'s Network) -> &'s Network {
        net
    }

    /// Draws the replicate's state. `rep.net` is [`Dynamics::network`].
    fn replicate(&self, rep: &Replicate<'_>) -> Self::State;

    /// Runs one replicate: usually `engine::run` with the model's [`Hazard`], or the model's
    /// own sweep built on `engine::start` / `engine::finish_step`.
    fn run<O: Observer + ?Sized>(
        &self,
        state: &Self::State,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    );

    /// The attribution of this replicate's adoptions.
    fn attributor<'s>(
        &'s self,
        state: &'s Self::State,
        rep: &Replicate<'s>,
    ) -> Self::Attributor<'s>;
}

/// A model whose replicate behaviour is its [`Hazard`] alone, stepped by the kernel, with no
/// per-replicate state (imitation, Bass, the cascade). Implementing this gives the model its
/// [`Dynamics`]: only the attribution of adoptions remains to be said.
pub trait HazardModel: Hazard + Send + Sync {
    /// The attribution of adoptions to channels.
    type Attributor<'s>: Attribute
    where
        Self: 's;

    /// The attributor (usually `self`, or a unit type for a peer-only model).
    fn attributor(&self) -> Self::Attributor<'_>;
}

impl<T: HazardModel> Dynamics for T {
    type State = ();
    type Attributor<'s>
        = <T as HazardModel>::Attributor<'s>
    where
        Self: 's;

    fn replicate(&self, _: &Replicate<'_>) {}

    fn run<O: Observer + ?Sized>(
        &self,
        _: &(),
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    ) {
        crate::engine::run(engine, self, rep, scratch, obs)
    }

    fn attributor<'s>(&'s self, _: &'s (), _: &Replicate<'s>) -> Self::Attributor<'s> {
        HazardModel::attributor(self)
    }
}

/// The replicate as the model sees it: on [`Dynamics::network`], with its drawn state.
fn localise<'a, D: Dynamics>(d: &'a D, rep: &Replicate<'a>) -> (Replicate<'a>, D::State) {
    let rep = Replicate {
        net: d.network(rep.net),
        ..*rep
    };
    let state = d.replicate(&rep);
    (rep, state)
}

impl<D: Dynamics> Prepared for D {
    fn run(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        curve: &mut Curve,
    ) {
        let (rep, state) = localise(self, rep);
        Dynamics::run(self, &state, engine, &rep, scratch, curve);
    }

    fn run_observed(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut dyn Observer,
    ) {
        let (rep, state) = localise(self, rep);
        Dynamics::run(self, &state, engine, &rep, scratch, obs);
    }

    fn run_recorded(
        &self,
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
    ) -> (Curve, Vec<Record>) {
        let (rep, state) = localise(self, rep);
        let mut rec = Recorder::new(&rep, self.attributor(&state, &rep));
        Dynamics::run(self, &state, engine, &rep, scratch, &mut rec);
        (rec.curve, rec.records)
    }
}
