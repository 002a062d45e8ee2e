//! The simulation engines. They know nothing of files: they push per-step counts to an
//! [`Observer`].
//!
//! Two engines implement the same stochastic process (MODELS.md, synchronous update):
//! - [`reference`](mod@reference): the plain full sweep. Every step it recounts every non-adopter's adopted
//!   in-neighbours and draws one Bernoulli. Simple and obviously right; `O(arcs)` per step.
//! - [`event`](mod@event): the fast engine. Exposure counters are updated incrementally by pushing along
//!   out-arcs when a physician adopts, and each physician's adoption step is found from one
//!   exponential "resistance" draw against its cumulative hazard, recomputed only when its
//!   exposure changes. `O(n + arcs)` per replicate instead of `O(arcs × steps)`.
//!
//! Both give the same distribution of curves (tested), not the same bytes. The implicit
//! complete graph always runs on [`complete`](mod@complete), an `O(n)`-per-step sweep using global sums.

pub mod complete;
pub mod event;
pub mod reference;

use crate::models::{Hazard, ModelKind};
use crate::network::Network;

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

/// Receives what the engine produces. Methods have no-op defaults.
pub trait Observer {
    /// Called once per step `0..=steps`, in order. Return `false` to stop the run early.
    fn on_step(&mut self, _step: u32, _counts: StepCounts) -> bool {
        true
    }
    /// Called for each adoption (node index, step), before `on_step` of that step.
    fn on_adopt(&mut self, _node: u32, _step: u32) {}
}

/// Everything one replicate of one model needs, shared by all models of that replicate.
#[derive(Debug, Clone, Copy)]
pub struct Replicate<'a> {
    /// The network, KOL weights applied.
    pub net: &'a Network,
    /// `is_kol[i]`.
    pub is_kol: &'a [bool],
    /// Initial adopters (step 0), distinct.
    pub initial: &'a [u32],
    /// Per-physician thresholds (threshold model), else empty.
    pub theta: &'a [f64],
    /// Targeting order of the detailing model's policy (KOLs in rank order for
    /// `kols_first`, attribute order for `by_volume`), else empty.
    pub priority: &'a [u32],
    /// Number of steps after step 0.
    pub steps: u32,
    /// Master seed of the run.
    pub seed: u64,
    /// Replicate index (selects the dynamics stream).
    pub replicate: u64,
}

impl Replicate<'_> {
    #[inline]
    pub(crate) fn theta(&self, i: usize) -> f64 {
        if self.theta.is_empty() {
            0.0
        } else {
            self.theta[i]
        }
    }
}

/// Reusable per-worker memory so that no step allocates.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) adopted_at: Vec<u32>,
    pub(crate) new: Vec<u32>,
    pub(crate) event: event::EventState,
}

/// Runs `model` on one replicate with the chosen engine. Social learning and detailing have
/// their own full sweeps (their hazards change every step); `structural_equivalence` is
/// imitation, and expects `rep.net` to be the similarity network.
pub fn run<O: Observer>(
    engine: EngineKind,
    model: &ModelKind,
    rep: &Replicate<'_>,
    scratch: &mut Scratch,
    obs: &mut O,
) {
    match model {
        ModelKind::Imitation(m) => run_hazard(engine, m, rep, scratch, obs),
        ModelKind::Bass(m) => run_hazard(engine, m, rep, scratch, obs),
        ModelKind::Threshold(m) => run_hazard(engine, m, rep, scratch, obs),
        ModelKind::IndependentCascade(m) => run_hazard(engine, m, rep, scratch, obs),
        ModelKind::SocialLearning(m) => m.run(rep, scratch, obs),
        ModelKind::Detailing(m) => m.run(rep, rep.priority, scratch, obs),
        ModelKind::StructuralEquivalence(m) => {
            let imitation = crate::models::Imitation {
                q: m.q,
                exposure: crate::models::ExposureKind::Share,
            };
            run_hazard(engine, &imitation, rep, scratch, obs)
        }
    }
}

fn run_hazard<H: Hazard, O: Observer>(
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
            EngineKind::Event => event::run(model, rep, scratch, obs),
            EngineKind::Reference => reference::run(model, rep, scratch, obs),
        }
    }
}

/// Marks the initial adopters and reports step 0. Returns the number of adopters and whether
/// the observer wants to continue.
pub(crate) fn start<O: Observer>(
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
/// and whether to continue.
pub(crate) fn finish_step<O: Observer>(
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
}
