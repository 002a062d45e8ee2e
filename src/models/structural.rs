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

use super::exact_fit::{Design, ExactFit, FitParam, num};
use super::imitation::PeerOnly;
use super::likelihood::{Exposure, Likelihood};
use super::{
    Default, Dynamics, ExposureKind, Imitation, Kind, Model, ModelInfo, Param, ParamTable,
    ParamValue, Prepared, Rule, Setting,
};
use crate::engine::{self, EngineKind, Observer, Replicate, Scratch};
use crate::network::Network;
use crate::source::ScenarioError;
use std::sync::Arc;

/// Structural-equivalence imitation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StructuralEquivalence {
    /// Imitation probability at full exposure.
    pub q: f64,
    /// Most similar peers considered.
    pub top_k: usize,
}

/// Declaration of `structural_equivalence`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "structural_equivalence",
    summary: "P = q·e^SE_i(t-1): imitation of the top-k structurally most similar physicians (cosine similarity of neighbour sets)",
    plain: "Physicians copy the colleagues who resemble them most in whom they turn to for advice (structurally equivalent peers), whether or not they talk to each other.",
    reference: "Burt 1987",
    params: &[
        Param {
            name: "q",
            meaning: "imitation probability at full exposure",
            unit: "per step",
            rule: Rule::Prob,
            default: Default::Required,
            what: "imitation probability per step",
        },
        Param {
            name: "top_k",
            meaning: "number of most similar peers each physician watches",
            unit: "physicians",
            rule: Rule::Int {
                min: 1,
                max: 1_000_000,
            },
            default: Default::Num(10.0),
            what: "most similar peers per physician",
        },
    ],
};

/// The registry entry of `structural_equivalence`.
pub const KIND: Kind = Kind::new(&INFO, parse, &[FIT]);

/// The exact fit: exposure over the similarity network with a spontaneous channel `p`,
/// `h = 1 − (1 − p)(1 − q·e)`; its simulation model (no spontaneous channel) only at `p̂ = 0`.
pub const FIT: ExactFit = ExactFit {
    boundary_params: 1,
    linear: true,
    as_model: Some(|v, top_k| {
        if v("p") > 0.0 {
            return None;
        }
        let top_k = ("top_k", ParamValue::Int(top_k as i64));
        Some((INFO.kind, vec![num("q", v), top_k]))
    }),
    ..ExactFit::new(
        "structural_equivalence",
        "h = p + (1-p)·q·e over the most similar peers",
        &[FitParam::spontaneous("p"), FitParam::prob("q")],
        Design::Similar,
        |th, x| {
            let net = StructuralEquivalence { q: th[1], top_k: 0 }.hazard(x);
            1.0 - (1.0 - th[0]) * (1.0 - net)
        },
    )
};

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    Ok(Arc::new(StructuralEquivalence {
        q: t.number("q")?,
        top_k: (t.int("top_k")? as u32).max(1) as usize,
    }))
}

/// Most two-hop paths the similarity computation may visit.
pub const SE_MAX_TWO_HOP: u64 = 20_000_000_000;
/// Most memory the similarity network may take.
pub const SE_MAX_BYTES: u64 = 4 << 30;

/// The similarity network of `structural_equivalence` (top-`k` cosine-similar peers), or a
/// message saying why it would not fit on this machine.
pub fn similarity_network(net: &Network, k: usize) -> Result<Network, String> {
    if net.is_complete() {
        return Err("structural_equivalence on a complete graph is meaningless (every pair is equally similar); use another network kind".into());
    }
    let cost = crate::network::similarity::two_hop_cost(net);
    let bytes = crate::network::similarity::estimate_bytes(net, k);
    if cost > SE_MAX_TWO_HOP || bytes > SE_MAX_BYTES {
        return Err(format!(
            "the top-{k} similarity network would take {cost} two-hop visits and about {} MiB (limits: {SE_MAX_TWO_HOP} visits, {} MiB): use a smaller network or top_k",
            bytes >> 20,
            SE_MAX_BYTES >> 20
        ));
    }
    Ok(crate::network::similarity::structural_equivalence(net, k))
}

/// Structural equivalence prepared on a realisation: imitation on the similarity network
/// (KOL weight applied).
#[derive(Debug, Clone)]
pub struct OnSimilarity {
    imitation: Imitation,
    similar: Network,
}

impl Model for StructuralEquivalence {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        vec![
            ("q", ParamValue::Num(self.q)),
            ("top_k", ParamValue::Int(self.top_k as i64)),
        ]
    }

    fn prepare(&self, setting: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        let mut similar = similarity_network(setting.net, self.top_k)?;
        similar.scale_sources(setting.kols, setting.kol_weight);
        Ok(Box::new(OnSimilarity {
            imitation: Imitation {
                q: self.q,
                exposure: ExposureKind::Share,
            },
            similar,
        }))
    }

    fn free_params(&self) -> Vec<super::FreeParam> {
        use super::FreeParam as FP;
        vec![FP::new("q", 0.0, 1.0)]
    }

    /// The fit's similarity network watches the same `top_k` peers.
    fn design_input(&self) -> Option<super::DesignInput> {
        Some(super::DesignInput::TopK(self.top_k))
    }
}

impl Dynamics for OnSimilarity {
    type State = ();
    type Attributor<'s> = PeerOnly;

    fn network<'s>(&'s self, _: &'s Network) -> &'s Network {
        &self.similar
    }

    fn replicate(&self, _: &Replicate<'_>) {}

    fn run<O: Observer + ?Sized>(
        &self,
        _: &(),
        engine: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    ) {
        engine::run(engine, &self.imitation, rep, scratch, obs)
    }

    fn attributor<'s>(&'s self, _: &'s (), _: &Replicate<'s>) -> PeerOnly {
        PeerOnly
    }
}

impl Likelihood for StructuralEquivalence {
    /// Imitation (share) on the similarity network: `x` must be the exposure over the
    /// similarity network ([`similarity_network`]), as the simulation's.
    fn hazard(&self, x: &Exposure) -> f64 {
        Imitation {
            q: self.q,
            exposure: ExposureKind::Share,
        }
        .hazard(x)
    }
}
