//! The inner maximisation of a controlled fit (`kolsim::fit::hazard`): the profile
//! log-likelihood at a network parameter must not depend on where the inner Newton was
//! warm-started. `ln h`, `h = 1 − (1 − p)(1 − h0)`, is not concave in the control
//! coefficients where `h0 > 0` (a flat tail as the log-odds go to −∞), so a start left near
//! the bound by an earlier evaluation could stop at a lower, non-maximal value (seen: N = 2000
//! launch, Bass with period effects, q = 0.2 after q = 0.3: −6769.2315 instead of −6768.9299).

use kolsim::adopters::AdopterRule;
use kolsim::engine::{self, EngineKind, NEVER, Observer, Replicate, Scratch};
use kolsim::fit::controls::{self, ControlSpec};
use kolsim::fit::data::{self, Design};
use kolsim::fit::models::Candidate;
use kolsim::fit::observed::Status;
use kolsim::fit::{self, Unobserved, hazard, optim};
use kolsim::kols::{KolRule, select_with};
use kolsim::models::Bass;
use kolsim::network::{Attribute, generators};
use kolsim::rng::{Purpose, stream};
use rand::RngExt as _;
use std::cell::RefCell;

struct Times(Vec<u32>);

impl Observer for Times {
    fn on_adopt(&mut self, node: u32, step: u32) {
        self.0[node as usize] = step;
    }
}

/// The launch of `examples/fit_national.rs` (`CONTROLS=1`) on `n` physicians: BA m = 5, 1%
/// KOLs with κ = 2, Bass p = 0.003, q = 0.2 over 120 periods, 100 random seeds; controls
/// `region` (10 groups) and covariates `specialist`, `cohort`, `jours`.
fn launch(n: usize, network_seed: u64) -> fit::Prepared {
    let steps = 119;
    let mut net = generators::barabasi_albert(n, 5, &mut stream(network_seed, Purpose::Network, 0));
    let kols = select_with(
        &net,
        &KolRule::InDegree,
        n / 100,
        &mut stream(42, Purpose::Kols, 0),
    );
    let mut is_kol = vec![false; n];
    for &k in &kols {
        is_kol[k as usize] = true;
    }
    net.scale_sources(&kols, 2.0);
    let mut rng = stream(42, Purpose::Network, 7);
    let mut col = |k: u32| -> Vec<Option<f64>> {
        (0..n)
            .map(|_| Some(f64::from(rng.random_range(0..k))))
            .collect()
    };
    let region: Vec<String> = col(10)
        .into_iter()
        .map(|v| format!("r{}", v.unwrap_or(0.0)))
        .collect();
    let attrs = vec![
        ("region".into(), Attribute::Text(region)),
        ("specialist".into(), Attribute::Numeric(col(2))),
        ("cohort".into(), Attribute::Numeric(col(6))),
        ("jours".into(), Attribute::Numeric(col(8))),
    ];
    net = net.with_attributes(attrs);
    let initial =
        AdopterRule::Random(100).choose(&net, &[], &mut stream(42, Purpose::InitialAdopters, 0));
    let rep = Replicate {
        net: &net,
        is_kol: &is_kol,
        initial: &initial,
        steps,
        seed: 42,
        replicate: 0,
    };
    let mut times = Times(vec![NEVER; n]);
    let bass = Bass { p: 0.003, q: 0.2 };
    engine::run(
        EngineKind::Event,
        &bass,
        &rep,
        &mut Scratch::default(),
        &mut times,
    );
    let status: Vec<Status> = times
        .0
        .iter()
        .map(|&s| match s {
            NEVER => Status::Censored,
            s => Status::Adopted(s + 1),
        })
        .collect();
    let spec = ControlSpec {
        strata: Some("region".into()),
        covariates: vec!["specialist".into(), "cohort".into(), "jours".into()],
    };
    let ctl = controls::build(&spec, &net, &vec![true; n]).expect("controls");
    fit::prepare_network_with(
        &net,
        &is_kol,
        &status,
        steps + 1,
        Unobserved::Exclude,
        Err("not needed".into()),
        Some(ctl),
    )
    .expect("prepare")
}

/// The launch drawn on the network of seed 2: since the parallel Barabási–Albert generator
/// (s6-engine) the old seed, 42, draws a network on which this profile takes over ten minutes
/// (seed 7 too; seeds 1–3 take 3–10 s): see [`slow_profile_of_a_hard_launch`].
#[test]
fn profile_values_do_not_depend_on_the_warm_start() {
    warm_start_independence(2);
}

/// A known slow case, kept to be fixed (not a CI test): on the launch of network seed 42 the
/// inner Newton of the period-effects Bass profile converges so slowly that the profile takes
/// over ten minutes (`perf`: all in `newton::pass` under `hazard::inner::newton`, called from
/// `optim::maximize`). Run it with `cargo test --release --test it slow_profile -- --ignored`.
#[test]
#[ignore = "known slow case of the controlled inner Newton (over 10 minutes)"]
fn slow_profile_of_a_hard_launch() {
    warm_start_independence(42);
}

fn warm_start_independence(network_seed: u64) {
    let prep = launch(2000, network_seed);
    let ctl = prep.controls.as_ref().unwrap();
    let (cells, events) = data::cells_and_events(
        prep.net.as_ref().unwrap(),
        &prep.tau,
        prep.facts.periods,
        &[Design::Influence],
        &prep.z,
    )
    .remove(0);
    let risk = data::at_risk(&prep.tau, &prep.z, prep.facts.periods);
    let d = hazard::Controlled {
        cells: &cells,
        events: &events,
        risk: &risk,
    };
    let s = hazard::Spont {
        rows: &ctl.rows,
        names: &ctl.names,
        by_period: true,
    };
    // The evaluations of a fit of Bass with period effects (maximum, standard error, profile
    // interval), each warm-started from the one before, as `hazard::fit` makes them.
    let prof = hazard::Profiled::new(Some(Candidate::Bass), &d, &s);
    let log = RefCell::new(Vec::new());
    let f = |psi: &[f64]| {
        let v = prof.value(psi);
        log.borrow_mut().push((psi[0], v));
        v
    };
    let b = [(0.0, 1.0)];
    let (x, fx) = optim::maximize(&f, &[vec![0.05], vec![0.3]], &b, false);
    let se = optim::standard_errors(&f, &x, &b, fx);
    let _ = optim::profile_interval(&f, &x, &b, fx, 0, se[0]);
    let log = log.into_inner();
    assert!(log.len() > 10);
    for (q, warm) in log {
        let cold = hazard::Profiled::new(Some(Candidate::Bass), &d, &s).value(&[q]);
        assert!(
            (warm - cold).abs() <= 1e-8 * (1.0 + cold.abs()),
            "q = {q}: warm {warm} vs cold {cold}"
        );
    }
}
