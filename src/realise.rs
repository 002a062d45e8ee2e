//! Turning a scenario into a concrete network realisation with its KOLs and its prepared
//! models, and choosing each replicate's initial adopters. Randomness only from the run's
//! streams.

use crate::adopters::AdopterRule;
use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::models::{Prepared, Setting};
use crate::network::{Network, edge_list};
use crate::rng::{Purpose, stream};
use crate::scenario::{Draw, InitialAdopters, KolRuleSpec, NetworkSpec, Scenario};

pub use crate::models::structural::{SE_MAX_BYTES, SE_MAX_TWO_HOP, similarity_network};

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
    let rule = match &sc.kols.rule {
        KolRuleSpec::Ranked(r) => r.clone(),
        KolRuleSpec::Attribute(name, span) => {
            sc.check_attribute(name, span, "kols.attribute", &net)?;
            KolRule::Attribute(name.clone())
        }
        KolRuleSpec::Explicit(list) => KolRule::Explicit(sc.resolve_ids(list, &net)?),
    };
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

/// What a command uses of a realisation beyond the network and its KOLs ([`realise_for`]):
/// [`Need::all`] for a run; less for a command that simulates fewer models or no arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The models to prepare, by index in the scenario, in this order (`None`: every model, in
    /// scenario order). [`Realisation::models`] holds them in this order.
    pub models: Option<Vec<usize>>,
    /// Choose every arm's initial adopters (ranked by their own rule, pooled by group, or
    /// optimized); without, only the `strategy = "kols"` arms' (the scenario's KOL list):
    /// [`initial_adopters`] of any other arm is then empty.
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

/// [`realise`] on `net`, realisation `index`'s network as [`build_network`] gives it (for a
/// job that has built it already).
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
            m.model.prepare(&setting).map_err(|msg| {
                Error::Scenario(sc.source.error(None, &format!("model \"{}\"", m.name), msg))
            })
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

/// Chooses the initial adopters of `sc`'s arms (as [`realise_for`] with [`Need::arms`] set
/// to `all`) on `real`, a realisation of a scenario with the same network, `[kols]` and seed
/// but other models: `unweighted` is its network before the KOL weight (`None`: `real.net`
/// itself, κ = 1). Replaces `real`'s arms, so that one realisation (one network) serves both the
/// models of one scenario and the arms of another (`seed --theories fitted.toml`).
pub fn arms_beside(
    sc: &Scenario,
    unweighted: Option<&Network>,
    real: &mut Realisation,
    index: u64,
    all: bool,
) -> Result<(), Error> {
    check_kol_arms(sc, real.kols.len())?;
    let base = unweighted.unwrap_or(&real.net);
    let (mut arm_top, arm_pools) = ranked_arms(sc, base, &real.kols, index, all)?;
    if all {
        optimized_arms(sc, &real.net, &mut arm_top)?;
    }
    real.arm_top = arm_top;
    real.arm_pools = arm_pools;
    Ok(())
}

/// Refuses an arm seeding more KOLs than were identified.
fn check_kol_arms(sc: &Scenario, kols: usize) -> Result<(), Error> {
    let most = sc
        .arms
        .iter()
        .filter_map(|a| match a.adopters {
            InitialAdopters::Kols(c) => Some((c, &a.adopters)),
            _ => None,
        })
        .max_by_key(|(c, _)| *c);
    if let Some((c, spec)) = most
        && c > kols
    {
        return Err(Error::Scenario(sc.source.error(
            span_of(sc, spec),
            &format!("{}.count", table_of(sc, spec)),
            format!(
                "{c} initial adopters requested from the KOLs, but only {kols} KOLs were identified"
            ),
        )));
    }
    Ok(())
}

/// Arms with their own ranking rule, or with `group` / `where`, chosen on the unweighted
/// network like the KOLs: per arm, the top physicians (`arm_top`) or the pools random seeds
/// are drawn from (`arm_pools`). Without `all`, only the `strategy = "kols"` arms.
#[allow(clippy::type_complexity)]
fn ranked_arms(
    sc: &Scenario,
    net: &Network,
    kol_list: &[u32],
    index: u64,
    all: bool,
) -> Result<(Vec<Option<Vec<u32>>>, Vec<Option<Vec<Vec<u32>>>>), Error> {
    let mut arm_top: Vec<Option<Vec<u32>>> = Vec::with_capacity(sc.arms.len());
    let mut arm_pools: Vec<Option<Vec<Vec<u32>>>> = vec![None; sc.arms.len()];
    for (k, a) in sc.arms.iter().enumerate() {
        if !all && !matches!(a.adopters, InitialAdopters::Kols(_)) {
            arm_top.push(None);
            continue;
        }
        let table = table_of(sc, &a.adopters);
        let strata = crate::groups::Strata::of_arm(a, &table);
        let ranked =
            |rule: &KolRule| kols::rank_with(net, rule, &mut stream(sc.seed, Purpose::Kols, index));
        arm_top.push(match &a.adopters {
            InitialAdopters::TopBy(rule, c) if !strata.any() => Some(kols::select_with(
                net,
                rule,
                *c,
                &mut stream(sc.seed, Purpose::Kols, index),
            )),
            InitialAdopters::TopBy(rule, c) => Some(strata.top(sc, net, &ranked(rule), *c)?),
            InitialAdopters::Kols(c) if strata.any() => Some(strata.top(sc, net, kol_list, *c)?),
            InitialAdopters::Attribute(name, c, span) if strata.any() => {
                sc.check_attribute(name, span, &format!("{table}.attribute"), net)?;
                Some(strata.top(sc, net, &kols::by_attribute(net, name), *c)?)
            }
            InitialAdopters::Random(_) if strata.any() => {
                arm_pools[k] = Some(strata.pools(sc, net)?);
                None
            }
            _ => None,
        });
    }
    Ok((arm_top, arm_pools))
}

/// Arms with optimized seeds, chosen on `net`, the KOL-weighted network the models run on.
fn optimized_arms(
    sc: &Scenario,
    net: &Network,
    arm_top: &mut [Option<Vec<u32>>],
) -> Result<(), Error> {
    for (k, a) in sc.arms.iter().enumerate() {
        let InitialAdopters::Optimized {
            model,
            count,
            horizon,
        } = &a.adopters
        else {
            continue;
        };
        let key = format!("{}.model", table_of(sc, &a.adopters));
        let Some(m) = sc.models.iter().find(|m| &m.name == model) else {
            let names: Vec<&str> = sc.models.iter().map(|m| m.name.as_str()).collect();
            return Err(Error::Scenario(sc.source.error(
                None,
                &key,
                format!(
                    "no [[model]] named \"{model}\" (models: {})",
                    names.join(", ")
                ),
            )));
        };
        let set = crate::seed::optimized_arm(
            net,
            m.model.as_ref(),
            *count,
            horizon.unwrap_or(sc.steps),
            sc.seed,
        )
        .map_err(|msg| Error::Scenario(sc.source.error(None, &key, msg)))?;
        arm_top[k] = Some(set);
    }
    Ok(())
}

/// The scenario table a seeding strategy came from (`initial_adopters` or `arm[k]`), for
/// error messages.
/// Span of the arm whose seeding is `spec` (its `count`, or its table).
fn span_of(sc: &Scenario, spec: &InitialAdopters) -> Option<std::ops::Range<usize>> {
    sc.arms
        .iter()
        .find(|a| std::ptr::eq(&a.adopters, spec))
        .and_then(|a| a.span.clone())
}

fn table_of(sc: &Scenario, spec: &InitialAdopters) -> String {
    match sc.arms.iter().position(|a| std::ptr::eq(&a.adopters, spec)) {
        Some(k) if sc.arms.len() > 1 || sc.arms[k].name != "default" => format!("arm[{k}]"),
        _ => "initial_adopters".into(),
    }
}

/// Replicate `r`'s initial adopters on `real` under a seeding strategy. Random strategies
/// draw from the replicate's seeding stream, the same for every arm and model.
pub fn initial_adopters(
    sc: &Scenario,
    spec: &InitialAdopters,
    real: &Realisation,
    replicate: u64,
) -> Result<Vec<u32>, Error> {
    let arm = sc.arms.iter().position(|a| std::ptr::eq(&a.adopters, spec));
    if let Some(pools) = arm
        .and_then(|k| real.arm_pools.get(k))
        .and_then(Option::as_ref)
        && let InitialAdopters::Random(c) = spec
    {
        // `count` at random from each pool, the pools in label order, from the replicate's
        // seeding stream (as every random arm).
        let mut rng = stream(sc.seed, Purpose::InitialAdopters, replicate);
        let mut out = Vec::new();
        for pool in pools {
            let k = (*c).min(pool.len());
            out.extend(
                rand::seq::index::sample(&mut rng, pool.len(), k)
                    .into_iter()
                    .map(|j| pool[j]),
            );
        }
        out.sort_unstable();
        return Ok(out);
    }
    let stratified = arm.filter(|&k| {
        let a = &sc.arms[k];
        a.group.is_some() || !a.filter.is_empty()
    });
    let seeding = match spec {
        _ if stratified.is_some() => AdopterRule::Explicit(
            stratified
                .and_then(|k| real.arm_top.get(k))
                .and_then(|v| v.clone())
                .unwrap_or_default(),
        ),
        InitialAdopters::None => AdopterRule::None,
        InitialAdopters::Random(c) => AdopterRule::Random(*c),
        InitialAdopters::Kols(c) => AdopterRule::Kols(*c),
        InitialAdopters::TopBy(..) | InitialAdopters::Optimized { .. } => {
            let k = sc.arms.iter().position(|a| std::ptr::eq(&a.adopters, spec));
            let ranked = k.and_then(|k| real.arm_top.get(k)).and_then(|v| v.as_ref());
            AdopterRule::Explicit(ranked.cloned().unwrap_or_default())
        }
        InitialAdopters::Explicit(list) => AdopterRule::Explicit(sc.resolve_ids(list, &real.net)?),
        InitialAdopters::Attribute(name, c, span) => {
            sc.check_attribute(
                name,
                span,
                &format!("{}.attribute", table_of(sc, spec)),
                &real.net,
            )?;
            AdopterRule::Attribute(name.clone(), *c)
        }
    };
    if let AdopterRule::Random(c) | AdopterRule::Attribute(_, c) = &seeding
        && *c > real.net.n()
    {
        return Err(Error::Scenario(sc.source.error(
            span_of(sc, spec),
            &format!("{}.count", table_of(sc, spec)),
            format!(
                "{c} initial adopters requested, but the network has only {} physicians",
                real.net.n()
            ),
        )));
    }
    let mut rng = stream(sc.seed, Purpose::InitialAdopters, replicate);
    Ok(seeding.choose(&real.net, &real.kols, &mut rng))
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
