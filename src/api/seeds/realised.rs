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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A BA scenario with KOL weight `kappa`, two models and three arms (the scenario's KOLs,
    /// the top by PageRank, optimized under the cascade).
    fn scenario(kappa: f32) -> Scenario {
        let text = format!(
            "name = \"one\"\nsteps = 6\nreplicates = 4\nseed = 7\n\
             [network]\nkind = \"barabasi_albert\"\nn = 300\nm = 2\n\
             [kols]\nrule = \"in_degree\"\nshare = 0.05\nweight = {kappa}\n\
             [[model]]\nname = \"cascade\"\nkind = \"independent_cascade\"\nbeta = 0.2\np = 0.0\n\
             [[model]]\nname = \"bass\"\nkind = \"bass\"\np = 0.01\nq = 0.3\n\
             [[arm]]\nname = \"kols\"\nstrategy = \"kols\"\ncount = 5\n\
             [[arm]]\nname = \"pr\"\nstrategy = \"kols\"\nrule = \"pagerank\"\ncount = 4\n\
             [[arm]]\nname = \"opt\"\nstrategy = \"optimized\"\nmodel = \"cascade\"\ncount = 3\n"
        );
        crate::scenario::parse(crate::scenario::Source {
            path: "one.toml".into(),
            text,
        })
        .unwrap()
    }

    fn realised(sc: &Scenario, theories: &str) -> (Realised, theories::Resolved) {
        let res = theories::resolve(sc, None, Some(theories)).unwrap();
        let mut req = SeedRequest::new(None, 3, 4);
        req.theories = Some(theories.into());
        let built = realise::build_network(sc, 0).unwrap();
        (realisations(sc, &res, &req, built).unwrap(), res)
    }

    /// The CSR arrays of `a` and `b` are the same allocations (not equal copies).
    fn same_arcs(a: &Network, b: &Network) -> bool {
        [(a.in_arcs(), b.in_arcs()), (a.out_arcs(), b.out_arcs())]
            .iter()
            .all(|(x, y)| Arc::ptr_eq(&x.offsets, &y.offsets) && Arc::ptr_eq(&x.nodes, &y.nodes))
    }

    #[test]
    fn kappa_one_holds_the_built_network_alone() {
        let (r, _) = realised(&scenario(1.0), "cascade=1,bass=1");
        assert!(r.unweighted.is_none());
        assert!(std::ptr::eq(r.base(), &r.real.net));
    }

    #[test]
    fn kappa_two_copies_the_weights_only() {
        let (r, _) = realised(&scenario(2.0), "cascade=1,bass=1");
        let base = r
            .unweighted
            .as_ref()
            .expect("κ ≠ 1 keeps the weights before κ");
        assert!(same_arcs(base, &r.real.net));
        assert!(!Arc::ptr_eq(
            &base.in_arcs().weights,
            &r.real.net.in_arcs().weights
        ));
        // The rankings see the weights before κ.
        let kol = r.real.kols[0] as usize;
        let (to, w) = r.real.net.out_arcs().arcs(kol);
        let (to0, w0) = base.out_arcs().arcs(kol);
        assert_eq!(to, to0);
        assert!(w.iter().zip(w0).all(|(a, b)| *a == 2.0 * *b));
    }

    #[test]
    fn fitted_theories_and_the_arms_share_one_realisation() {
        for kappa in [1.0, 2.0] {
            let sc = scenario(kappa);
            let dir = tempfile::tempdir().unwrap();
            let fitted = dir.path().join("fitted.toml");
            let mut fit = sc.clone();
            fit.models.truncate(1);
            fit.arms.truncate(1);
            std::fs::write(&fitted, fit.to_toml()).unwrap();
            let (r, res) = realised(&sc, fitted.to_str().unwrap());
            assert!(res.fitted);
            assert_eq!(r.unweighted.is_some(), kappa != 1.0);
            // The arms are the scenario's own, as a separate realisation of it chooses them.
            let own = realise::realise_for(
                &sc,
                realise::build_network(&sc, 0).unwrap(),
                0,
                &realise::Need {
                    models: Some(Vec::new()),
                    arms: true,
                    segments: false,
                },
            )
            .unwrap();
            assert_eq!(r.real.arm_top.len(), 3);
            assert_eq!(r.real.arm_top, own.arm_top);
            assert_eq!(r.real.kols, own.kols);
            assert_eq!(r.real.models.len(), 1);
        }
    }
}
