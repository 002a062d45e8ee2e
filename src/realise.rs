//! Turning a scenario into a concrete network realisation with its KOLs, and choosing each
//! replicate's initial adopters and thresholds. Randomness only from the run's streams.

use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::network::{Network, edge_list, generators};
use crate::rng::{Purpose, stream};
use crate::scenario::{Draw, KolRuleSpec, NetworkSpec, Scenario, SeedingSpec};
use crate::seeding::Seeding;

/// One network with its KOLs, KOL weight applied.
#[derive(Debug, Clone)]
pub struct Realisation {
    /// The network.
    pub net: Network,
    /// KOLs in rank order.
    pub kols: Vec<u32>,
    /// `is_kol[i]`.
    pub is_kol: Vec<bool>,
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
    Ok(match &sc.network {
        NetworkSpec::Complete { n } => Network::complete(*n),
        NetworkSpec::ErdosRenyi { n, mean_degree } => {
            generators::erdos_renyi(*n, *mean_degree, &mut rng)
        }
        NetworkSpec::BarabasiAlbert { n, m } => generators::barabasi_albert(*n, *m, &mut rng),
        NetworkSpec::WattsStrogatz { n, k, rewire } => {
            generators::watts_strogatz(*n, *k, *rewire, &mut rng)
        }
        NetworkSpec::StochasticBlock { sizes, p_in, p_out } => {
            generators::stochastic_block(sizes, *p_in, *p_out, &mut rng)
        }
        NetworkSpec::EdgeList(spec) => edge_list::read(spec)?,
    })
}

/// Builds realisation `index`: network, KOLs by the scenario's rule, KOL weight applied.
pub fn realise(sc: &Scenario, index: u64) -> Result<Realisation, Error> {
    let mut net = build_network(sc, index)?;
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
    let kol_list = if count == 0 {
        Vec::new()
    } else {
        kols::select(&net, &rule, count)
    };
    let mut is_kol = vec![false; n];
    for &k in &kol_list {
        is_kol[k as usize] = true;
    }
    if let SeedingSpec::Kols(c) = &sc.initial
        && *c > kol_list.len()
    {
        return Err(Error::Scenario(sc.source.error(
            None,
            "initial_adopters.count",
            format!(
                "{c} initial adopters requested from the KOLs, but only {} KOLs were identified",
                kol_list.len()
            ),
        )));
    }
    net.scale_sources(&kol_list, sc.kols.weight);
    Ok(Realisation {
        net,
        kols: kol_list,
        is_kol,
    })
}

/// Replicate `r`'s initial adopters on `real`.
pub fn initial_adopters(
    sc: &Scenario,
    real: &Realisation,
    replicate: u64,
) -> Result<Vec<u32>, Error> {
    let seeding = match &sc.initial {
        SeedingSpec::None => Seeding::None,
        SeedingSpec::Random(c) => Seeding::Random(*c),
        SeedingSpec::Kols(c) => Seeding::Kols(*c),
        SeedingSpec::Explicit(list) => Seeding::Explicit(sc.resolve_ids(list, &real.net)?),
        SeedingSpec::Attribute(name, c, span) => {
            sc.check_attribute(name, span, "initial_adopters.attribute", &real.net)?;
            Seeding::Attribute(name.clone(), *c)
        }
    };
    if let Seeding::Random(c) | Seeding::Attribute(_, c) = &seeding
        && *c > real.net.n()
    {
        return Err(Error::Scenario(sc.source.error(
            None,
            "initial_adopters.count",
            format!(
                "{c} initial adopters requested, but the network has only {} physicians",
                real.net.n()
            ),
        )));
    }
    let mut rng = stream(sc.seed, Purpose::Seeding, replicate);
    Ok(seeding.choose(&real.net, &real.kols, &mut rng))
}

/// Checks everything that needs the network: builds realisation 0 and replicate 0's initial
/// adopters and thresholds. Returns realisation 0.
pub fn check(sc: &Scenario) -> Result<Realisation, Error> {
    let real = realise(sc, 0)?;
    initial_adopters(sc, &real, 0)?;
    for (k, m) in sc.models.iter().enumerate() {
        if let Some(crate::models::Theta::Attribute(name)) = m.model.theta() {
            let span = 0..0;
            sc.check_attribute(name, &span, &format!("model[{k}].theta"), &real.net)
                .map_err(|mut e| {
                    e.position = None;
                    e.snippet = None;
                    e
                })?;
        }
    }
    Ok(real)
}
