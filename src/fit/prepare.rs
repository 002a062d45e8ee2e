//! Reading the observed launch against the scenario's network: the physicians fitted (unknown
//! adoption excluded or kept as never adopting), their networks and adoption periods.

use super::data::{Cell, FitNet, NEVER};
use super::models::Candidates;
use super::observed::{Launch, Layout, Observed, Status};
use super::{Facts, FitOptions, Prepared, Unobserved, controls, covariates};
use crate::error::Error;
use crate::models::DesignInput;
use crate::scenario::Scenario;

/// Default `top_k` of the similarity network when the scenario has no structural model.
pub const DEFAULT_TOP_K: usize = 10;

/// Reads `observed` (a file or a table in memory) against realisation 0 of `sc` and prepares
/// the fit.
pub fn prepare(
    sc: &Scenario,
    observed: impl Into<Launch>,
    opts: &FitOptions,
) -> Result<Prepared, Error> {
    let real = crate::realise::kolled(sc, 0)?;
    let obs: Observed = observed.into().read(&real.net, &opts.read)?;
    let n0 = real.net.n();
    let mut facts = Facts {
        network_physicians: n0,
        periods: obs.periods,
        kappa: sc.kols.weight as f64,
        model_kinds: sc
            .models
            .iter()
            .map(|m| m.model.kind().to_string())
            .collect(),
        ..Facts::default()
    };
    if obs.layout == Layout::Aggregate {
        return Ok(prepare_aggregate(sc, &real.net, &obs, facts));
    }
    facts.unknown_in_file = obs.unknown_in_file;
    facts.not_in_file = obs.not_in_file;
    // The similarity network: the scenario's own (built by `realise`) or the default top-k.
    let top_k = scenario_top_k(sc).unwrap_or(DEFAULT_TOP_K);
    facts.top_k = top_k;
    let similar = crate::realise::build_network(sc, 0)
        .map_err(|e| e.to_string())
        .and_then(|base| crate::models::structural::similarity_network(&base, top_k))
        .map(|mut s| {
            s.scale_sources(&real.kols, sc.kols.weight);
            s
        });
    let controls = if opts.controls.any() {
        let known: Vec<bool> = obs
            .status
            .iter()
            .map(|s| opts.unobserved == Unobserved::Never || *s != Status::Unknown)
            .collect();
        Some(controls::build(&opts.controls, &real.net, &known)?)
    } else {
        None
    };
    let mut prep = prepare_network_with(
        &real.net,
        &real.is_kol,
        &obs.status,
        obs.periods,
        opts.unobserved,
        similar.as_ref().map_err(Clone::clone),
        controls,
    )
    .map_err(Error::Usage)?;
    prep.facts.unknown_in_file = facts.unknown_in_file;
    prep.facts.not_in_file = facts.not_in_file;
    prep.facts.kappa = facts.kappa;
    prep.facts.top_k = facts.top_k;
    prep.facts.model_kinds = facts.model_kinds.clone();
    prep.observed_share = obs.cumulative_share(n0);
    prep.seed = sc.seed;
    prep.candidates = Candidates::of(sc.registry());
    if opts.covariates.any() {
        let keep = prep.keep.clone();
        prep.covariates = Some(covariates::read(
            &opts.covariates,
            &real.net,
            &keep,
            &opts.read.id_column,
            obs.periods,
            scenario_decay(sc).unwrap_or(covariates::DEFAULT_DECAY),
        )?);
    }
    Ok(prep)
}

/// Prepares a fit on a given network (KOL weight applied) and observed statuses: physicians
/// with unknown adoption are dropped or treated as never adopting, and `similar` (the
/// similarity network, KOL weight applied) is restricted the same way.
pub fn prepare_network(
    net0: &crate::network::Network,
    is_kol: &[bool],
    status: &[Status],
    periods: u32,
    unobserved: Unobserved,
    similar: Result<&crate::network::Network, String>,
) -> Result<Prepared, String> {
    prepare_network_with(net0, is_kol, status, periods, unobserved, similar, None)
}

/// [`prepare_network`] with controls of the spontaneous rate ([`controls::build`]):
/// physicians with a missing group or covariate are excluded with their arcs.
pub fn prepare_network_with(
    net0: &crate::network::Network,
    is_kol: &[bool],
    status: &[Status],
    periods: u32,
    unobserved: Unobserved,
    similar: Result<&crate::network::Network, String>,
    controls: Option<controls::Controls>,
) -> Result<Prepared, String> {
    let n0 = net0.n();
    let known = |s: &Status| unobserved == Unobserved::Never || *s != Status::Unknown;
    let has = |i: usize| controls.as_ref().is_none_or(|c| c.pattern[i].is_some());
    let keep: Vec<bool> = (0..n0).map(|i| known(&status[i]) && has(i)).collect();
    let net = FitNet::restrict(net0, &keep, is_kol)?;
    let mut facts = Facts {
        network_physicians: n0,
        periods,
        unknown_as_never: unobserved == Unobserved::Never,
        physicians: net.n(),
        excluded: n0 - net.n(),
        arcs: net.arcs() as u64,
        arcs_removed: net0.arc_count() - net.arcs() as u64,
        kols: (0..n0).filter(|&i| keep[i] && is_kol[i]).count(),
        missing_controls: (0..n0).filter(|&i| known(&status[i]) && !has(i)).count(),
        controls: controls.as_ref().map(controls::Controls::describe),
        strata: controls
            .as_ref()
            .and_then(|c| c.strata.as_ref())
            .map(|(col, g)| format!("the {} groups of {col} ({})", g.len(), g.join(", "))),
        top_k: DEFAULT_TOP_K,
        kappa: 1.0,
        ..Facts::default()
    };
    let mut tau = Vec::with_capacity(net.n());
    let mut ids = Vec::with_capacity(net.n());
    for i in 0..n0 {
        if !keep[i] {
            continue;
        }
        ids.push(net0.id(i));
        tau.push(match status[i] {
            Status::Adopted(t) => t,
            _ => NEVER,
        });
    }
    facts.initial_adopters = tau.iter().filter(|&&t| t == 1).count() as u64;
    facts.adoptions = tau.iter().filter(|&&t| t != NEVER && t >= 2).count() as u64;
    facts.censored = tau.iter().filter(|&&t| t == NEVER).count() as u64;
    facts.person_periods = tau
        .iter()
        .map(|&t| {
            if t == NEVER {
                (periods - 1) as u64
            } else {
                (t - 1) as u64
            }
        })
        .sum();
    let similar = similar.and_then(|s| FitNet::restrict(s, &keep, is_kol));
    let z = controls.as_ref().map_or_else(Vec::new, |c| {
        (0..n0)
            .filter(|&i| keep[i])
            .filter_map(|i| c.pattern[i])
            .collect()
    });
    Ok(Prepared {
        net: Some(net),
        similar,
        tau,
        ids,
        aggregate_cells: None,
        facts,
        layout: Layout::PerPhysician,
        observed_share: Vec::new(),
        seed: 0,
        covariates: None,
        keep,
        controls,
        z,
        candidates: Candidates::default(),
    })
}

/// What the scenario's first model that fixes it says of the fit's data
/// ([`crate::models::Model::design_input`]), picked by `pick`.
fn design_input<T>(sc: &Scenario, pick: impl Fn(DesignInput) -> Option<T>) -> Option<T> {
    sc.models
        .iter()
        .filter_map(|m| m.model.design_input())
        .find_map(pick)
}

/// The similarity network's `top_k` of the scenario's first model that watches similar peers.
fn scenario_top_k(sc: &Scenario) -> Option<usize> {
    design_input(sc, |d| match d {
        DesignInput::TopK(k) => Some(k),
        DesignInput::Decay(_) => None,
    })
}

/// The detailing stock's decay of the scenario's first model that keeps one.
fn scenario_decay(sc: &Scenario) -> Option<f64> {
    design_input(sc, |d| match d {
        DesignInput::Decay(l) => Some(l),
        DesignInput::TopK(_) => None,
    })
}

/// Aggregate data: the cells of innovation only (pooled) and of period effects (one per
/// period), built directly from the cumulative counts.
fn prepare_aggregate(
    sc: &Scenario,
    net: &crate::network::Network,
    obs: &Observed,
    mut facts: Facts,
) -> Prepared {
    let n0 = net.n();
    facts.aggregate = true;
    facts.physicians = n0;
    facts.arcs = net.arc_count();
    facts.initial_adopters = obs.cumulative[0];
    let (mut pooled, mut by_t) = (
        Cell {
            x: Default::default(),
            r: 0.0,
            y: 0.0,
        },
        Vec::new(),
    );
    for t in 2..=obs.periods as usize {
        let r = (n0 as u64 - obs.cumulative[t - 2]) as f64;
        let y = (obs.cumulative[t - 1] - obs.cumulative[t - 2]) as f64;
        let mut c = Cell {
            x: Default::default(),
            r,
            y,
        };
        c.x.t = t as u32;
        by_t.push(c);
        pooled.r += r;
        pooled.y += y;
    }
    facts.adoptions = pooled.y as u64;
    facts.person_periods = pooled.r as u64;
    facts.censored = n0 as u64 - obs.cumulative[obs.periods as usize - 1];
    Prepared {
        net: None,
        similar: Err("aggregate data".into()),
        tau: Vec::new(),
        ids: Vec::new(),
        aggregate_cells: Some((vec![pooled], by_t)),
        facts,
        observed_share: obs.cumulative_share(n0),
        layout: Layout::Aggregate,
        seed: sc.seed,
        covariates: None,
        keep: Vec::new(),
        controls: None,
        z: Vec::new(),
        candidates: Candidates::of(sc.registry()),
    }
}
