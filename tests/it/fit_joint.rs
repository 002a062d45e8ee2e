//! The joint Newton of a controlled fit (`kolsim::fit::hazard::fit`, over the control
//! coefficients and the network parameters at once) reaches the maximum that the profile path
//! (an outer optimiser over the profile log-likelihood, each value an inner Newton) reaches:
//! estimates within 1e-6, log-likelihood within 1e-8, standard errors and profile intervals
//! as the profile's finite differences and root finding give them.

use crate::fit_inner::with_design;
use kolsim::fit::data::Design;
use kolsim::fit::hazard::{self, Controlled, Spont};
use kolsim::fit::models::Candidate;
use kolsim::fit::{optim, profile};

/// The profile path's estimates, standard errors, intervals and maximum.
struct OldPath {
    x: Vec<f64>,
    se: Vec<Option<f64>>,
    ci: Vec<(f64, f64)>,
    ll: f64,
}

fn old_path(c: Candidate, d: &Controlled, s: &Spont) -> OldPath {
    let prof = hazard::Profiled::new(Some(c), d, s);
    let f = |psi: &[f64]| prof.value(psi);
    let (_, b) = hazard::network_params(Some(c));
    let (x, ll) = optim::maximize(&f, &hazard::starts(Some(c)), &b, false);
    let se = optim::standard_errors(&f, &x, &b, ll);
    let ci = (0..x.len())
        .map(|k| profile::profile_interval(&f, &x, &b, ll, k, se[k]))
        .collect();
    OldPath { x, se, ci, ll }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn agrees(c: Candidate, d: &Controlled, s: &Spont) {
    let old = old_path(c, d, s);
    let new = hazard::fit(Some(c), d, s);
    assert!(
        (new.loglik - old.ll).abs() <= 1e-8,
        "{c:?}: log-likelihood {} vs {}",
        new.loglik,
        old.ll
    );
    for (k, est) in new.params.iter().enumerate() {
        assert!(
            (est.value - old.x[k]).abs() <= 1e-6,
            "{c:?} {}: {} vs {}",
            est.name,
            est.value,
            old.x[k]
        );
        match (est.se, old.se[k]) {
            (Some(a), Some(b)) => assert!(close(a, b, 1e-3), "{c:?} {}: se {a} vs {b}", est.name),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{c:?} {}", est.name),
        }
        for (a, b) in [(est.ci.0, old.ci[k].0), (est.ci.1, old.ci[k].1)] {
            assert!(
                close(a, b, 1e-5),
                "{c:?} {}: interval end {a} vs {b}",
                est.name
            );
        }
    }
}

/// Bass with period effects, regions and covariates on the two launches whose profile was
/// once slow (network seeds 42 and 7 of `fit_inner.rs`).
#[test]
fn joint_newton_equals_the_profile_maximum_for_bass() {
    for seed in [42, 7] {
        with_design(2000, seed, Design::Influence, |d, s| {
            agrees(Candidate::named("bass").unwrap(), d, s)
        });
    }
}

/// The KOL term (two network parameters, one of them possibly at its bound q = 0), and κ̂.
#[test]
fn joint_newton_equals_the_profile_maximum_for_the_kol_term() {
    with_design(2000, 42, Design::KolSplit, |d, s| {
        agrees(Candidate::named("kol_contagion").unwrap(), d, s);
        let fit = hazard::fit(Some(Candidate::named("kol_contagion").unwrap()), d, s);
        let kappa = hazard::kappa(
            Candidate::named("kol_contagion").unwrap().ratio().unwrap(),
            d,
            s,
            &fit.params,
        )
        .expect("kappa");
        let (qk, qo) = (fit.params[0].value, fit.params[1].value);
        if qo > 1e-3 {
            assert!(
                close(kappa.value, qk / qo, 1e-4),
                "{} vs {}",
                kappa.value,
                qk / qo
            );
        }
        // κ's profile interval from the profile path.
        let prof = hazard::Profiled::new(
            Some(Candidate::named("kol_contagion").unwrap().ratio().unwrap()),
            d,
            s,
        );
        let f = |psi: &[f64]| prof.value(psi);
        let (_, b) = hazard::network_params(Some(
            Candidate::named("kol_contagion").unwrap().ratio().unwrap(),
        ));
        let (x, ll) = optim::newton(&f, &[qo, kappa.value], &b);
        let se = optim::standard_errors(&f, &x, &b, ll);
        let ci = profile::profile_interval(&f, &x, &b, ll, 1, se[1]);
        assert!(close(kappa.ci.0, ci.0, 1e-4), "{:?} vs {ci:?}", kappa.ci);
        assert!(close(kappa.ci.1, ci.1, 1e-4), "{:?} vs {ci:?}", kappa.ci);
    });
}

/// A controlled fit (more `(period, pattern)` groups than one parallel chunk) gives the same
/// bits on one thread and on two.
#[test]
fn one_and_two_threads_give_the_same_fit() {
    with_design(2000, 42, Design::KolSplit, |d, s| {
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            pool.install(|| {
                let f = hazard::fit(Some(Candidate::named("kol_contagion").unwrap()), d, s);
                let kappa = hazard::kappa(
                    Candidate::named("kol_contagion").unwrap().ratio().unwrap(),
                    d,
                    s,
                    &f.params,
                );
                format!("{f:?} {kappa:?}")
            })
        };
        let one = on(1);
        assert!(one.contains("q_other"), "{one}");
        assert_eq!(one, on(2));
    });
}
