//! Realising only what a command uses ([`Need`], [`realise_for`]).

use super::arms::{check_kol_arms, optimized_arms, ranked_arms};
use super::{Kolled, Realisation, apply_kappa, ranked_kols};
use crate::error::Error;
use crate::models::Setting;
use crate::network::Network;
use crate::scenario::Scenario;

/// What a command uses of a realisation beyond the network and its KOLs ([`realise_for`]):
/// [`Need::all`] for a run; less for a command that simulates fewer models or no arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The models to prepare, by index in the scenario, in this order (`None`: every model, in
    /// scenario order). [`Realisation::models`] holds them in this order.
    pub models: Option<Vec<usize>>,
    /// Choose every arm's initial adopters (ranked by their own rule, pooled by group, or
    /// optimized); without, only the `strategy = "kols"` arms' (the scenario's KOL list):
    /// [`initial_adopters`](super::initial_adopters) of any other arm is then empty.
    pub arms: bool,
    /// Group the physicians by the scenario's `segment` ([`Realisation::segments`]).
    pub segments: bool,
}

impl Need {
    /// Everything: every model, every arm, the segments (a run).
    pub fn all() -> Need {
        Need {
            models: None,
            arms: true,
            segments: true,
        }
    }
}

/// [`realise`](super::realise) on `net`, realisation `index`'s network as
/// [`build_network`](super::build_network) gives it (for a job that has built it already).
pub fn realise_on(sc: &Scenario, net: Network, index: u64) -> Result<Realisation, Error> {
    realise_for(sc, net, index, &Need::all())
}

/// [`realise_on`] computing only what `need` asks for: the KOLs and the KOL weight always;
/// the models, the arms' initial adopters and the segments as `need` says.
pub fn realise_for(
    sc: &Scenario,
    net: Network,
    index: u64,
    need: &Need,
) -> Result<Realisation, Error> {
    let Kolled {
        mut net,
        kols: kol_list,
        is_kol,
        kol_ranking,
        scores: kol_scores,
    } = ranked_kols(sc, net, index)?;
    check_kol_arms(sc, kol_list.len())?;
    // Each model prepares what it needs from the network before the KOL weight is applied.
    let setting = Setting {
        net: &net,
        kols: &kol_list,
        is_kol: &is_kol,
        kol_weight: sc.kols.weight,
    };
    let which: Vec<usize> = match &need.models {
        Some(w) => w.clone(),
        None => (0..sc.models.len()).collect(),
    };
    let models = which
        .iter()
        .map(|&k| {
            let m = &sc.models[k];
            m.model
                .prepare(&setting)
                .map_err(|msg| Error::Scenario(refused(sc, k, msg)))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let (mut arm_top, arm_pools) = ranked_arms(sc, &net, &kol_list, index, need.arms)?;
    let segments = match &sc.segment {
        Some((name, span)) if need.segments => Some(crate::groups::grouping(sc, &net, name, span)?),
        _ => None,
    };
    apply_kappa(sc, &mut net, &kol_list)?;
    if need.arms {
        optimized_arms(sc, &net, &mut arm_top)?;
    }
    Ok(Realisation {
        net,
        kols: kol_list,
        is_kol,
        arm_top,
        arm_pools,
        segments,
        models,
        kol_ranking,
        kol_scores,
    })
}

/// The error of model `k` refusing the network with `msg`: located at the parameter the
/// message begins with (`theta lists 1 values …` at `theta`), else at the `[[model]]` table,
/// else (a model built in code) unlocated and named by the model's name.
fn refused(sc: &Scenario, k: usize, msg: String) -> crate::scenario::ScenarioError {
    let m = &sc.models[k];
    let first = msg.split(|c: char| !c.is_alphanumeric() && c != '_').next();
    let param = m
        .spans
        .iter()
        .find(|(key, _)| !key.is_empty() && Some(key.as_str()) == first);
    match (param, m.spans.iter().find(|(key, _)| key.is_empty())) {
        (Some((key, span)), _) => {
            sc.source
                .error(Some(span.clone()), &format!("model[{k}].{key}"), msg)
        }
        (None, Some((_, span))) => {
            sc.source
                .error(Some(span.clone()), &format!("model \"{}\"", m.name), msg)
        }
        (None, None) => sc.source.error(None, &format!("model \"{}\"", m.name), msg),
    }
}
