//! Realisation 0 of a `seed` job on one network: the theories' models, the scenario's KOLs
//! and arms, the KOL weight κ, with the network before κ kept apart only where κ ≠ 1.

use super::{Compare, SeedRequest, theories};
use crate::error::Error;
use crate::network::Network;
use crate::realise;
use crate::scenario::Scenario;

/// Realisation 0 as the selection and the comparison use it, on one network.
pub(crate) struct Realised {
    /// The network before the KOL weight, kept apart only when κ ≠ 1 (the rankings need the
    /// weights before κ): it shares its arcs with `real.net`, whose weights alone are copied
    /// ([`Network::scale_sources`]). With κ = 1 `real.net` is that network.
    pub unweighted: Option<Network>,
    /// The realisation: the theories' models, the scenario's KOLs and arms, κ applied.
    pub real: realise::Realisation,
}

impl Realised {
    /// The network before the KOL weight (rankings, ids, attributes).
    pub fn base(&self) -> &Network {
        self.unweighted.as_ref().unwrap_or(&self.real.net)
    }

    /// The network before the KOL weight, by value ([`super::SeedOutcome::network`]).
    pub fn into_network(self) -> Network {
        self.unweighted.unwrap_or(self.real.net)
    }
}

/// Realisation 0 on `built` (realisation 0's network) as the selection and the comparison use
/// it: the theories' models alone prepared (in theory order), the arms' initial adopters only
/// where the comparison simulates the arms (the `strategy = "kols"` arms always: the
/// scenario's KOL list), no segments. With a fit's theories, the scenario's own arms are
/// chosen on the theories' realisation ([`realise::arms_beside`]): same network, KOLs and κ.
pub(crate) fn realisations(
    sc: &Scenario,
    res: &theories::Resolved,
    req: &SeedRequest,
    built: Network,
) -> Result<Realised, Error> {
    let used: Vec<usize> = res.theories.iter().map(|t| t.model).collect();
    let arms = req.compare != Compare::None;
    let need = realise::Need {
        models: Some(used),
        arms: arms && !res.fitted,
        segments: false,
    };
    // κ = 1 leaves the network as built ([`Network::scale_sources`] returns at once).
    let unweighted = (sc.kols.weight != 1.0).then(|| built.clone());
    let mut real = realise::realise_for(&res.scenario, built, 0, &need)?;
    if res.fitted {
        // The fit's scenario has no arms (they may name the scenario's own models).
        realise::arms_beside(sc, unweighted.as_ref(), &mut real, 0, arms)?;
    }
    Ok(Realised { unweighted, real })
}
