//! Turning a scenario into a concrete network realisation with its KOLs and its prepared
//! models, and choosing each replicate's initial adopters. Randomness only from the run's
//! streams.

use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::models::Prepared;
use crate::network::{Network, edge_list};
use crate::rng::{Purpose, stream};
use crate::scenario::{Draw, NetworkSpec, Scenario};

pub use crate::models::structural::{SE_MAX_BYTES, SE_MAX_TWO_HOP, similarity_network};

mod arms;
mod need;

pub use arms::{arms_beside, initial_adopters};
pub use need::{Need, realise_for, realise_on};

/// One network with its KOLs, KOL weight applied, and every model of the scenario prepared
/// on it.
pub struct Realisation {
    /// The network.
    pub net: Network,
    /// KOLs in rank order.
    pub kols: Vec<u32>,
    /// `is_kol[i]`.
    pub is_kol: Vec<bool>,
    /// For arms seeding the top physicians by their own rule (`strategy = "kols"` with
    /// `rule`) or optimized seeds (`strategy = "optimized"`), indexed like the scenario's
    /// arms: those physicians, chosen once per network.
    pub arm_top: Vec<Option<Vec<u32>>>,
    /// For arms seeding at random with `group` or `where`, indexed like the scenario's arms:
    /// the pools (one per group) that each replicate draws `count` seeds from.
    pub arm_pools: Vec<Option<Vec<Vec<u32>>>>,
    /// With `segment`: the physicians grouped by the segment attribute.
    pub segments: Option<crate::groups::Grouping>,
    /// The scenario's models prepared on this realisation, in scenario order (those of
    /// [`Need::models`], in its order, from [`realise_for`]).
    pub models: Vec<Box<dyn Prepared>>,
    /// How the KOL ranking was computed (eigenvector and betweenness rules).
    pub kol_ranking: Option<kols::RankingNote>,
    /// The KOL rule's score of every physician before κ ([`Kolled::scores`]).
    pub kol_scores: Option<Vec<Option<f64>>>,
}

impl std::fmt::Debug for Realisation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Realisation")
            .field("net", &self.net)
            .field("kols", &self.kols)
            .field("arm_top", &self.arm_top)
            .field("arm_pools", &self.arm_pools)
            .field("models", &self.models.len())
            .finish_non_exhaustive()
    }
}

/// Which realisation replicate `r` uses.
pub fn realisation_index(sc: &Scenario, replicate: u64) -> u64 {
    match (sc.draw, sc.network.is_random()) {
        (Draw::PerReplicate, true) => replicate,
        _ => 0,
    }
}

/// Builds the network (before KOL weighting) for realisation `index`.
pub fn build_network(sc: &Scenario, index: u64) -> Result<Network, Error> {
    let mut rng = stream(sc.seed, Purpose::Network, index);
    if let Some((g, params)) = sc.network.generator() {
        return Ok((g.build)(&params, &mut rng));
    }
    Ok(match &sc.network {
        NetworkSpec::EdgeList(spec) => edge_list::read(spec)?,
        NetworkSpec::InMemory { net, .. } => (**net).clone(),
        _ => unreachable!("generated networks are built by their generator"),
    })
}

/// `sc` with realisation `index`'s network built (read or generated) once and handed over in
/// memory: every later [`build_network`] of the returned scenario clones it instead of reading
/// or generating again, whatever its index. For a command that uses one realisation and builds
/// it in several places (`fit`).
pub fn pinned(sc: &Scenario, index: u64) -> Result<Scenario, Error> {
    let mut pinned = sc.clone();
    pinned.network = NetworkSpec::InMemory {
        name: format!("{} realisation {index}", sc.network.kind()),
        net: std::sync::Arc::new(build_network(sc, index)?),
    };
    Ok(pinned)
}

/// A network realisation with its KOLs, before the models and arms: what `fit` needs (it
/// neither runs the models nor chooses any arm's seeds).
#[derive(Debug, Clone)]
pub struct Kolled {
    /// The network: before the KOL weight from [`ranked_kols`], after it from [`kolled`].
    pub net: Network,
    /// KOLs in rank order.
    pub kols: Vec<u32>,
    /// `is_kol[i]`.
    pub is_kol: Vec<bool>,
    /// How the KOL ranking was computed (eigenvector and betweenness rules).
    pub kol_ranking: Option<kols::RankingNote>,
    /// The KOL rule's score of every physician on the network before κ (`kols.csv`), where
    /// the rule has scores and KOLs were ranked.
    pub scores: Option<Vec<Option<f64>>>,
}

/// Realisation `index`'s network with its KOLs and the KOL weight κ applied, without preparing
/// the models or choosing any arm's seeds.
pub fn kolled(sc: &Scenario, index: u64) -> Result<Kolled, Error> {
    let mut k = ranked_kols(sc, build_network(sc, index)?, index)?;
    apply_kappa(sc, &mut k.net, &k.kols)?;
    Ok(k)
}

/// The KOLs of `net` (realisation `index`, before the KOL weight) by the scenario's rule,
/// `group` and `where`.
pub fn ranked_kols(sc: &Scenario, net: Network, index: u64) -> Result<Kolled, Error> {
    let n = net.n();
    let rule = sc.kol_rule(&net)?;
    if let crate::scenario::KolSize::Count(c) = sc.kols.size
        && c > n
    {
        return Err(Error::Scenario(sc.source.error(
            None,
            "kols.count",
            format!("{c} KOLs requested, but the network has only {n} physicians"),
        )));
    }
    let count = sc.kols.size.count(n);
    let mut kol_ranking = None;
    let mut scores = None;
    let kol_list = if count == 0 {
        Vec::new()
    } else {
        // The scores once: the ranking and `kols.csv` use them.
        let found = kols::scores(&net, &rule, &mut stream(sc.seed, Purpose::Kols, index));
        let mut ranking = match (&rule, found) {
            (_, Some(s)) => {
                kol_ranking = s.note.clone();
                let ranking = s.ranking();
                scores = Some(s.values);
                ranking
            }
            (KolRule::Explicit(ids), None) => ids.clone(),
            _ => Vec::new(),
        };
        if sc.kols.group.is_some() || !sc.kols.filter.is_empty() {
            stratified_kols(sc, &net, &ranking)?
        } else {
            ranking.truncate(count);
            ranking
        }
    };
    let mut is_kol = vec![false; n];
    for &k in &kol_list {
        is_kol[k as usize] = true;
    }
    Ok(Kolled {
        net,
        kols: kol_list,
        is_kol,
        kol_ranking,
        scores,
    })
}

/// Applies the KOL weight κ to the arcs leaving `kols` and checks the weights stay in range.
fn apply_kappa(sc: &Scenario, net: &mut Network, kols: &[u32]) -> Result<(), Error> {
    net.scale_sources(kols, sc.kols.weight);
    net.check_weights()
        .map_err(|m| Error::Scenario(sc.source.error(None, "kols.weight", m)))
}

/// Builds realisation `index`: network, KOLs by the scenario's rule, every model prepared,
/// every arm's ranked or optimized seeds chosen, KOL weight applied.
pub fn realise(sc: &Scenario, index: u64) -> Result<Realisation, Error> {
    realise_on(sc, build_network(sc, index)?, index)
}

/// KOLs under `[kols]` `where` and `group`: the `ranking` restricted to physicians matching
/// every `where` value, then the top `count` (or `share`) within each value of `group`, in
/// ranking order ([`crate::groups`]).
fn stratified_kols(sc: &Scenario, net: &Network, ranking: &[u32]) -> Result<Vec<u32>, Error> {
    let keep = crate::groups::filter_mask(sc, net, &sc.kols.filter, "kols")?;
    let Some((group, span)) = &sc.kols.group else {
        let count = sc.kols.size.count(keep.iter().filter(|&&k| k).count());
        return Ok(ranking
            .iter()
            .copied()
            .filter(|&i| keep[i as usize])
            .take(count)
            .collect());
    };
    let quota = |size: usize| sc.kols.size.count(size);
    crate::groups::top_per_group(sc, net, ranking, &keep, group, span, "kols.group", &quota)
}

/// Checks everything that needs the network: builds realisation 0, replicate 0's initial
/// adopters and the node attributes the models read. Returns realisation 0.
pub fn check(sc: &Scenario) -> Result<Realisation, Error> {
    let real = realise(sc, 0)?;
    for arm in &sc.arms {
        initial_adopters(sc, &arm.adopters, &real, 0)?;
    }
    for (k, m) in sc.models.iter().enumerate() {
        for (key, name) in m.model.attributes() {
            let span = 0..0;
            sc.check_attribute(&name, &span, &format!("model[{k}].{key}"), &real.net)
                .map_err(|mut e| {
                    e.position = None;
                    e.snippet = None;
                    e
                })?;
        }
    }
    Ok(real)
}
