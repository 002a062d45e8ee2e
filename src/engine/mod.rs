//! The simulation kernel. It knows no model and no file: it steps a [`Hazard`], pushes
//! exposure along out-arcs, and reports per-step counts and adoptions to an [`Observer`].
//! Models (in [`crate::models`]) use this public API; the kernel never imports a model.
//!
//! Two engines implement the same stochastic process (MODELS.md, synchronous update):
//! - [`reference`](mod@reference): the plain full sweep. Every step it recounts every non-adopter's adopted
//!   in-neighbours and draws one Bernoulli. Simple and obviously right; `O(arcs)` per step.
//! - [`event`](mod@event): the fast engine. Exposure counters are updated incrementally by pushing along
//!   out-arcs when a physician adopts, and each physician's adoption step is found from one
//!   exponential "resistance" draw against its cumulative hazard, recomputed only when its
//!   exposure changes. `O(n + arcs)` per replicate instead of `O(arcs × steps)`.
//!
//! - [`frontier`](mod@frontier): one-shot arc cascades with a constant spontaneous rate (the
//!   independent cascade) under [`EngineKind::Event`]: only last step's new adopters are
//!   visited, their successful arcs found by geometric skipping; no per-physician hazard state.
//!
//! All give the same distribution of curves (tested), not the same bytes. The implicit
//! complete graph always runs on [`complete`](mod@complete), an `O(n)`-per-step sweep using global sums.

pub mod complete;
pub mod event;
pub mod frontier;
pub mod pages;
pub mod rate;
pub mod reference;

use crate::network::Network;
use crate::rng::{Purpose, stream};
use rand::rngs::ChaCha8Rng;

/// Sentinel for "never" in step arrays.
pub const NEVER: u32 = u32::MAX;

/// Which engine runs sparse networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// Incremental exposure + cumulative-hazard event scheduling (default).
    #[default]
    Event,
    /// The naive full sweep, kept as the reference.
    Reference,
}

/// Counts reported for one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepCounts {
    /// Physicians who adopted in this step (step 0: the initial adopters).
    pub new_adopters: u32,
    /// Of those, KOLs.
    pub new_kol_adopters: u32,
    /// Cumulative adopters (ever adopted) at the end of the step.
    pub adopters: u32,
    /// Physicians who stopped using the product in this step (social learning only).
    pub discontinued: u32,
    /// Current users at the end of the step (equals `adopters` unless some discontinued).
    pub users: u32,
}

/// The exposure share `c / w`, 0 for a physician who listens to nobody.
#[inline]
pub fn share(c: f64, w: f64) -> f64 {
    if w > 0.0 { c / w } else { 0.0 }
}

/// A per-step adoption rule: what the kernel steps.
///
/// Given physician `i`'s state at the end of step `t-1` it gives the probability that `i`
/// adopts in step `t`. The engines turn hazards into adoptions; a hazard never touches the
/// network, the RNG or the output. Per-physician quantities (e.g. thresholds) live in the
/// implementing value and are looked up by `i`.
pub trait Hazard: Sync {
    /// Probability that non-adopter `i` adopts in step `t`, from the weighted count `c` of its
    /// adopted in-neighbours and its total in-weight `w` at the end of `t-1`. Must lie in
    /// `[0, 1]`.
    fn prob(&self, i: usize, c: f64, w: f64) -> f64;

    /// One-shot conversion probability along an arc of weight `w` from a neighbour that adopted
    /// in the previous step (independent cascade). `None` for models without this channel.
    fn arc_prob(&self, _w: f32) -> Option<f64> {
        None
    }

    /// `Some(p)` when [`Hazard::prob`] is the constant `p` whatever the physician and its
    /// exposure (only one-shot arcs carry influence). With [`Hazard::arc_prob`] this lets the
    /// kernel run the [`frontier`](mod@frontier) engine. `None` (the default) otherwise.
    fn constant_prob(&self) -> Option<f64> {
        None
    }
}

/// Receives what the engine produces. Methods have no-op defaults.
pub trait Observer {
    /// Called once per step `0..=steps`, in order. Return `false` to stop the run early.
    fn on_step(&mut self, _step: u32, _counts: StepCounts) -> bool {
        true
    }
    /// Called for each adoption (node index, step), before `on_step` of that step.
    fn on_adopt(&mut self, _node: u32, _step: u32) {}
    /// Called once for the idle steps `from..=to` of an absorbing state, each with `counts`
    /// (no adoption): the same as `on_step` for each step in order, which is the default, but
    /// an observer may record them at once. Return `false` to stop.
    fn on_idle(&mut self, from: u32, to: u32, counts: StepCounts) -> bool {
        (from..=to).all(|step| self.on_step(step, counts))
    }
}

/// Everything one replicate of one model needs from the run, shared by all models of that
/// replicate. Model-specific state (thresholds, detailing targets, a similarity network) is
/// not here: each model prepares its own (see [`crate::models::Dynamics`]).
#[derive(Debug, Clone, Copy)]
pub struct Replicate<'a> {
    /// The network, KOL weights applied.
    pub net: &'a Network,
    /// `is_kol[i]`.
    pub is_kol: &'a [bool],
    /// Initial adopters (step 0), distinct.
    pub initial: &'a [u32],
    /// Number of steps after step 0.
    pub steps: u32,
    /// Master seed of the run.
    pub seed: u64,
    /// Replicate index (selects the replicate's streams).
    pub replicate: u64,
}

impl Replicate<'_> {
    /// This replicate's stream for `purpose`: `rng::stream(seed, purpose, replicate)`. Every
    /// random draw of a replicate comes from one of these.
    pub fn stream(&self, purpose: Purpose) -> ChaCha8Rng {
        stream(self.seed, purpose, self.replicate)
    }
}

/// Reusable per-worker memory so that no step allocates.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Adoption step of each physician ([`NEVER`] if not adopted), for models with their own
    /// sweep.
    pub adopted_at: Vec<u32>,
    /// This step's new adopters, for models with their own sweep.
    pub new: Vec<u32>,
    pub(crate) event: event::EventState,
    pub(crate) frontier: frontier::FrontierState,
}

/// Runs the hazard `model` on one replicate: the implicit complete graph always on
/// [`complete`](mod@complete), other networks on the chosen engine ([`EngineKind::Event`]
/// runs one-shot cascades on the [`frontier`](mod@frontier) engine).
pub fn run<H: Hazard, O: Observer + ?Sized>(
    engine: EngineKind,
    model: &H,
    rep: &Replicate<'_>,
    scratch: &mut Scratch,
    obs: &mut O,
) {
    if rep.net.is_complete() {
        complete::run(model, rep, scratch, obs)
    } else {
        match engine {
            EngineKind::Event => match model.constant_prob() {
                Some(p) if model.arc_prob(1.0).is_some() => {
                    frontier::run(model, p, rep, scratch, obs)
                }
                _ => event::run(model, rep, scratch, obs),
            },
            EngineKind::Reference => reference::run(model, rep, scratch, obs),
        }
    }
}

/// Marks the initial adopters and reports step 0. Returns the number of adopters and whether
/// the observer wants to continue. For models with their own sweep.
pub fn start<O: Observer + ?Sized>(
    rep: &Replicate<'_>,
    adopted_at: &mut [u32],
    obs: &mut O,
) -> (u32, bool) {
    let mut kol = 0;
    for &i in rep.initial {
        adopted_at[i as usize] = 0;
        kol += u32::from(rep.is_kol[i as usize]);
        obs.on_adopt(i, 0);
    }
    let adopters = rep.initial.len() as u32;
    let go = obs.on_step(
        0,
        StepCounts {
            new_adopters: adopters,
            new_kol_adopters: kol,
            adopters,
            discontinued: 0,
            users: adopters,
        },
    );
    (adopters, go)
}

/// Records `new` as adopting in `step` and reports the step. Returns the new adopter total
/// and whether to continue. For models with their own sweep.
pub fn finish_step<O: Observer + ?Sized>(
    rep: &Replicate<'_>,
    step: u32,
    new: &[u32],
    adopted_at: &mut [u32],
    adopters: u32,
    obs: &mut O,
) -> (u32, bool) {
    let mut kol = 0;
    for &i in new {
        adopted_at[i as usize] = step;
        kol += u32::from(rep.is_kol[i as usize]);
        obs.on_adopt(i, step);
    }
    let adopters = adopters + new.len() as u32;
    let go = obs.on_step(
        step,
        StepCounts {
            new_adopters: new.len() as u32,
            new_kol_adopters: kol,
            adopters,
            discontinued: 0,
            users: adopters,
        },
    );
    (adopters, go)
}

/// Reports steps `from..=rep.steps` as idle (no adoption, `adopters` throughout): for an
/// engine that has reached an absorbing state — nothing adopts without a frontier and no
/// spontaneous adoption is pending — so the remaining steps are filled, not simulated. The
/// observer sees exactly what stepping would have shown it. Stops when it returns `false`.
pub fn fill_idle<O: Observer + ?Sized>(rep: &Replicate<'_>, from: u32, adopters: u32, obs: &mut O) {
    let counts = StepCounts {
        new_adopters: 0,
        new_kol_adopters: 0,
        adopters,
        discontinued: 0,
        users: adopters,
    };
    if from <= rep.steps {
        obs.on_idle(from, rep.steps, counts);
    }
}

/// An observer that records the adoption curve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Curve {
    /// New adopters per step (index = step).
    pub new_adopters: Vec<u32>,
    /// New KOL adopters per step.
    pub new_kol_adopters: Vec<u32>,
    /// Discontinuations per step.
    pub discontinued: Vec<u32>,
    /// Current users at the end of each step.
    pub users: Vec<u32>,
}

impl Curve {
    /// An empty curve with room for `steps + 1` entries.
    pub fn with_steps(steps: u32) -> Self {
        let cap = steps as usize + 1;
        Curve {
            new_adopters: Vec::with_capacity(cap),
            new_kol_adopters: Vec::with_capacity(cap),
            discontinued: Vec::with_capacity(cap),
            users: Vec::with_capacity(cap),
        }
    }

    /// Cumulative adopters per step.
    pub fn adopters(&self) -> Vec<u32> {
        self.new_adopters
            .iter()
            .scan(0u32, |acc, &x| {
                *acc += x;
                Some(*acc)
            })
            .collect()
    }
}

impl Observer for Curve {
    fn on_step(&mut self, _step: u32, c: StepCounts) -> bool {
        self.new_adopters.push(c.new_adopters);
        self.new_kol_adopters.push(c.new_kol_adopters);
        self.discontinued.push(c.discontinued);
        self.users.push(c.users);
        true
    }

    fn on_idle(&mut self, from: u32, to: u32, c: StepCounts) -> bool {
        let len = self.new_adopters.len() + (to - from) as usize + 1;
        self.new_adopters.resize(len, c.new_adopters);
        self.new_kol_adopters.resize(len, c.new_kol_adopters);
        self.discontinued.resize(len, c.discontinued);
        self.users.resize(len, c.users);
        true
    }
}
