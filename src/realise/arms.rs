//! The arms' initial adopters on a realisation: ranked, pooled or optimized per network
//! ([`arms_beside`], and [`super::realise_for`] through `ranked_arms`/`optimized_arms`), and
//! each replicate's draw ([`initial_adopters`]).

use super::Realisation;
use crate::adopters::AdopterRule;
use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::network::Network;
use crate::rng::{Purpose, stream};
use crate::scenario::{InitialAdopters, Scenario};

/// Chooses the initial adopters of `sc`'s arms (as [`realise_for`](super::realise_for) with
/// [`Need::arms`](super::Need::arms) set to `all`) on `real`, a realisation of a scenario with the
/// same network, `[kols]` and seed but other models: `unweighted` is its network before the KOL
/// weight (`None`: `real.net` itself, κ = 1). Replaces `real`'s arms, so that one realisation (one
/// network) serves both the models of one scenario and the arms of another (`seed --theories
/// fitted.toml`).
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
pub(super) fn check_kol_arms(sc: &Scenario, kols: usize) -> Result<(), Error> {
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
pub(super) fn ranked_arms(
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
pub(super) fn optimized_arms(
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

/// Span of the arm whose seeding is `spec` (its `count`, or its table).
pub(super) fn span_of(sc: &Scenario, spec: &InitialAdopters) -> Option<std::ops::Range<usize>> {
    sc.arms
        .iter()
        .find(|a| std::ptr::eq(&a.adopters, spec))
        .and_then(|a| a.span.clone())
}

/// The scenario table a seeding strategy came from (`initial_adopters` or `arm[k]`), for
/// error messages.
pub(super) fn table_of(sc: &Scenario, spec: &InitialAdopters) -> String {
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
