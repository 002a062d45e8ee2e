//! The alternative explanations of KOL influence against theory: social learning, detailing,
//! structural equivalence, and seeding arms.

use kolsim::engine::{Curve, EngineKind, Replicate, Scratch};
use kolsim::models::{Detailing, Model, Policy, Setting, SocialLearning, StructuralEquivalence};
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::run::{self, RunOptions};
use kolsim::scenario::{self, Source};
use std::path::PathBuf;

use crate::common::Sim;

/// Runs `model` on `net`; `kols` (in rank order) is what `kols_first` detailing targets,
/// while `is_kol` stays all false.
fn run_model(
    model: &dyn Model,
    net: &Network,
    initial: &[u32],
    kols: &[u32],
    steps: u32,
    reps: u64,
) -> Vec<Curve> {
    Sim {
        model,
        net,
        initial,
        kols,
        steps,
        seed: 5,
    }
    .curves(EngineKind::Event, reps)
}

fn learning(quality: f64) -> SocialLearning {
    SocialLearning {
        quality,
        prior_mean: 0.0,
        prior_sd: 1.0,
        signal_sd: 1.0,
        signals_per_step: 2,
        kol_signals_per_step: 2,
        u0: 0.0,
        risk_aversion: 0.5,
        discontinue_margin: 0.2,
    }
}

#[test]
fn social_learning_spreads_a_good_product_to_everyone() {
    let net = generators::barabasi_albert(500, 3, &mut stream(1, Purpose::Network, 0));
    for c in run_model(&learning(3.0), &net, &[0, 1, 2, 3, 4], &[], 40, 20) {
        assert_eq!(
            *c.adopters().last().unwrap(),
            500,
            "everyone adopts a clearly better drug"
        );
        assert_eq!(*c.users.last().unwrap(), 500);
        assert_eq!(c.discontinued.iter().sum::<u32>(), 0);
    }
}

#[test]
fn social_learning_stalls_and_reverses_for_a_bad_product() {
    let net = generators::barabasi_albert(500, 3, &mut stream(1, Purpose::Network, 0));
    let initial: Vec<u32> = (0..20).collect();
    for c in run_model(&learning(-3.0), &net, &initial, &[], 40, 20) {
        // Nobody beyond the initial adopters is convinced, and the initial adopters stop.
        assert_eq!(*c.adopters().last().unwrap(), 20);
        assert_eq!(
            *c.users.last().unwrap(),
            0,
            "initial adopters discontinue a clearly worse drug"
        );
        assert_eq!(c.discontinued.iter().sum::<u32>(), 20);
    }
    // Imitation with the same seeds cannot tell: it spreads regardless of quality.
    let imitation = kolsim::models::Imitation {
        q: 0.3,
        exposure: kolsim::models::ExposureKind::Share,
    };
    let spread = run_model(&imitation, &net, &initial, &[], 40, 5);
    assert!(spread.iter().all(|c| *c.adopters().last().unwrap() > 400));
}

#[test]
fn detailing_without_ties_follows_the_hazard_formula() {
    // No ties: P(adopt in t | not yet) = 1 - exp(-(α + β·D_t)), D_t = λ D_{t-1} + B_t / n.
    let n = 1000usize;
    let net = Network::from_arcs(n, ArcList::default());
    let (alpha, beta, decay) = (0.01, 0.08, 0.6);
    let budget = vec![2000.0, 0.0, 1000.0, 3000.0, 0.0, 0.0, 500.0];
    let model = Detailing {
        alpha,
        beta,
        gamma: 0.5,
        decay,
        budget: budget.clone(),
        policy: Policy::Uniform,
    };
    let reps = 200u64;
    let curves = run_model(&model, &net, &[], &[], budget.len() as u32 + 2, reps);
    let mut d = 0.0f64;
    for t in 1..=budget.len() + 2 {
        d = decay * d + budget.get(t - 1).copied().unwrap_or(0.0) / n as f64;
        let p = 1.0 - (-(alpha + beta * d)).exp();
        let at_risk: f64 = curves
            .iter()
            .map(|c| (n as u32 - c.adopters()[t - 1]) as f64)
            .sum();
        let adopted: f64 = curves.iter().map(|c| c.new_adopters[t] as f64).sum();
        let sd = (p * (1.0 - p) / at_risk).sqrt();
        let observed = adopted / at_risk;
        assert!(
            (observed - p).abs() <= 4.5 * sd,
            "step {t}: observed {observed:.5}, formula {p:.5} (sd {sd:.5})"
        );
    }
}

#[test]
fn kols_first_detailing_visits_kols_before_anyone_else() {
    // Two KOLs, budget 2: only the KOLs get stock, so with α = 0 only they can adopt.
    let n = 50usize;
    let net = Network::from_arcs(n, ArcList::default());
    let model = Detailing {
        alpha: 0.0,
        beta: 5.0,
        gamma: 0.0,
        decay: 0.5,
        budget: vec![2.0],
        policy: Policy::KolsFirst,
    };
    for c in run_model(&model, &net, &[], &[7, 3], 10, 20) {
        assert_eq!(*c.adopters().last().unwrap(), 2);
    }
}

#[test]
fn structural_equivalence_first_step_probabilities() {
    // Undirected ties 0-2, 0-3, 1-2, 1-3, 2-4. Neighbour sets: N0 = {2,3}, N1 = {2,3},
    // N2 = {0,1,4}, N3 = {0,1}, N4 = {2}. Cosine similarities (by hand):
    //   s01 = 2/√(2·2) = 1, s04 = s14 = 1/√2, s23 = 2/√(3·2) = √(2/3), all others 0.
    // Top-2 peers: 0 -> {1, 4}, 1 -> {0, 4}, 4 -> {0, 1}, 2 -> {3}, 3 -> {2}.
    // Seeding physician 1 with q = 0.6, step-1 probabilities:
    //   P0 = q·1/(1 + 1/√2), P4 = q·(1/√2)/(2/√2) = q/2, P2 = P3 = 0.
    let mut a = ArcList::default();
    for (x, y) in [(0, 2), (0, 3), (1, 2), (1, 3), (2, 4)] {
        a.push_undirected(x, y, 1.0);
    }
    let net = Network::from_arcs(5, a);
    let sim = kolsim::realise::similarity_network(&net, 2).unwrap();
    let r2 = std::f32::consts::FRAC_1_SQRT_2;
    let peers = |i: usize| {
        let (s, w) = sim.in_arcs().arcs(i);
        s.iter()
            .copied()
            .zip(w.iter().copied())
            .collect::<Vec<(u32, f32)>>()
    };
    let close = |x: f32, y: f32| (x - y).abs() < 1e-6;
    let p0 = peers(0);
    assert!(
        p0.len() == 2 && p0[0].0 == 1 && close(p0[0].1, 1.0) && p0[1].0 == 4 && close(p0[1].1, r2),
        "{p0:?}"
    );
    let p4 = peers(4);
    assert!(
        p4.len() == 2 && p4[0].0 == 0 && p4[1].0 == 1 && close(p4[0].1, r2),
        "{p4:?}"
    );
    let p2 = peers(2);
    assert!(
        p2.len() == 1 && p2[0].0 == 3 && close(p2[0].1, (2.0f32 / 3.0).sqrt()),
        "{p2:?}"
    );
    let q = 0.6;
    let expect0 = q / (1.0 + std::f64::consts::FRAC_1_SQRT_2);
    let expect4 = q / 2.0;
    // Prepared on `net`, the model runs on its own top-2 similarity network (`sim`).
    let model = StructuralEquivalence { q, top_k: 2 };
    let reps = 20_000u64;
    let curves = run_model(&model, &net, &[1], &[], 1, reps);
    // Step-1 adopters are 0 and/or 4 (independently): mean = P0 + P4, variance = ΣP(1-P).
    let mean: f64 = curves.iter().map(|c| c.new_adopters[1] as f64).sum::<f64>() / reps as f64;
    let var = expect0 * (1.0 - expect0) + expect4 * (1.0 - expect4);
    assert!(
        (mean - expect0 - expect4).abs() <= 4.0 * (var / reps as f64).sqrt(),
        "mean {mean} vs {}",
        expect0 + expect4
    );
}

#[test]
fn identical_arms_give_exactly_zero_lift() {
    let text = r#"
name = "arms"
steps = 15
replicates = 30
seed = 3
reference_arm = "a"
[network]
kind = "erdos_renyi"
n = 300
mean_degree = 4
[kols]
share = 0.05
[[arm]]
name = "a"
strategy = "random"
count = 5
[[arm]]
name = "b"
strategy = "random"
count = 5
[[model]]
kind = "bass"
p = 0.01
q = 0.3
[[model]]
kind = "detailing"
beta = 0.1
budget = 10
policy = "random"
"#;
    let sc = scenario::parse(Source {
        path: PathBuf::from("arms.toml"),
        text: text.into(),
    })
    .unwrap();
    let ids: Vec<u64> = (0..30).collect();
    let res = run::run(
        &sc,
        &ids,
        RunOptions {
            threads: 2,
            record: false,
        },
        &|| {},
    )
    .unwrap();
    let metrics = kolsim::output::all_metrics(&res);
    let cmp = kolsim::output::comparisons(&res, &metrics, &sc.baseline, &sc.reference_arm);
    let lifts: Vec<_> = cmp
        .iter()
        .filter(|c| c.kind == "arm_vs_reference")
        .collect();
    assert_eq!(lifts.len(), 4);
    for c in lifts {
        assert_eq!(c.final_share.mean, Some(0.0), "{c:?}");
        assert_eq!((c.final_share.lo, c.final_share.hi), (Some(0.0), Some(0.0)));
    }
    assert_eq!(res.curves[0], res.curves[1]);
}

#[test]
fn recording_adoptions_is_consistent_and_changes_nothing() {
    let text = r#"
name = "rec"
steps = 20
replicates = 8
seed = 9
[network]
kind = "barabasi_albert"
n = 300
m = 2
[kols]
share = 0.05
weight = 2.0
[initial_adopters]
strategy = "kols"
count = 5
[[model]]
kind = "bass"
p = 0.02
q = 0.4
[[model]]
kind = "independent_cascade"
beta = 0.3
p = 0.01
[[model]]
kind = "threshold"
theta = { dist = "uniform", low = 0.0, high = 0.6 }
p = 0.01
[[model]]
kind = "detailing"
beta = 0.1
gamma = 0.5
budget = 20
[[model]]
kind = "social_learning"
quality = 1.0
u0 = 0.0
"#;
    let sc = scenario::parse(Source {
        path: PathBuf::from("rec.toml"),
        text: text.into(),
    })
    .unwrap();
    let ids: Vec<u64> = (0..8).collect();
    let plain = run::run(
        &sc,
        &ids,
        RunOptions {
            threads: 2,
            record: false,
        },
        &|| {},
    )
    .unwrap();
    let rec = run::run(
        &sc,
        &ids,
        RunOptions {
            threads: 2,
            record: true,
        },
        &|| {},
    )
    .unwrap();
    assert_eq!(
        plain.curves, rec.curves,
        "recording must not change results"
    );
    for m in 0..sc.models.len() {
        for r in 0..8 {
            let records = &rec.records[0][m][r];
            let curve = &rec.curves[0][m][r];
            assert_eq!(records.len() as u32, *curve.adopters().last().unwrap());
            let mut step_of = vec![u32::MAX; 300];
            for x in records {
                step_of[x.node as usize] = x.step;
            }
            for x in records {
                use kolsim::attribution::Channel;
                assert_eq!(x.step == 0, x.channel == Channel::Initial);
                if let Some(j) = x.influencer {
                    assert_eq!(x.channel, Channel::Peer);
                    assert!(step_of[j as usize] < x.step, "influencer adopted earlier");
                }
                if x.channel == Channel::Peer && sc.models[m].model.kind() != "social_learning" {
                    assert!(x.influencer.is_some());
                }
            }
            let share = rec.kol_tie_share[0][m][r];
            assert!(share.is_none_or(|s| (0.0..=1.0).contains(&s)));
        }
    }
}

#[test]
fn attribution_follows_the_channels() {
    use kolsim::attribution::{Channel, kol_tie_share};
    // A KOL (0) advising nine physicians.
    let mut a = ArcList::default();
    for i in 1..10 {
        a.push(0, i, 1.0);
    }
    let net = Network::from_arcs(10, a);
    let mut is_kol = vec![false; 10];
    is_kol[0] = true;
    let run = |model: &dyn Model| {
        let rep = Replicate {
            net: &net,
            is_kol: &is_kol,
            initial: &[0],
            steps: 200,
            seed: 1,
            replicate: 0,
        };
        let setting = Setting {
            net: &net,
            kols: &[0],
            is_kol: &is_kol,
            kol_weight: 1.0,
        };
        let (_, records) = model.prepare(&setting).unwrap().run_recorded(
            EngineKind::Event,
            &rep,
            &mut Scratch::default(),
        );
        records
    };
    // Pure imitation: every adoption after the seed is a peer adoption through the KOL.
    let imitation = kolsim::models::Imitation {
        q: 1.0,
        exposure: kolsim::models::ExposureKind::Share,
    };
    let recs = run(&imitation);
    assert_eq!(recs.len(), 10);
    assert!(
        recs[1..]
            .iter()
            .all(|r| r.channel == Channel::Peer && r.influencer == Some(0))
    );
    assert_eq!(kol_tie_share(&recs, &is_kol), Some(1.0));
    // External influence only: no peer adoptions, no KOL ties.
    let external = kolsim::models::Bass { p: 0.2, q: 0.0 };
    let recs = run(&external);
    assert_eq!(recs.len(), 10);
    assert!(
        recs[1..]
            .iter()
            .all(|r| r.channel == Channel::External && r.influencer.is_none())
    );
    assert_eq!(kol_tie_share(&recs, &is_kol), Some(0.0));
}

#[test]
fn arms_can_rank_kols_by_their_own_rule() {
    let text = r#"
name = "rules"
steps = 12
replicates = 10
seed = 4
reference_arm = "kols"
[network]
kind = "barabasi_albert"
n = 400
m = 2
[kols]
rule = "in_degree"
count = 8
[[arm]]
name = "kols"
strategy = "kols"
count = 8
[[arm]]
name = "by_in_degree"
strategy = "kols"
rule = "in_degree"
count = 8
[[arm]]
name = "by_kcore"
strategy = "kols"
rule = "kcore"
count = 8
[[model]]
kind = "imitation"
q = 0.3
"#;
    let sc = scenario::parse(Source {
        path: PathBuf::from("rules.toml"),
        text: text.into(),
    })
    .unwrap();
    let res = run::run(
        &sc,
        &(0..10).collect::<Vec<_>>(),
        RunOptions {
            threads: 2,
            record: false,
        },
        &|| {},
    )
    .unwrap();
    // The same rule as [kols] seeds the same physicians: identical curves.
    assert_eq!(res.curves[0], res.curves[1]);
    assert!(res.curves[2][0].iter().all(|c| c.new_adopters[0] == 8));
    // A rule on a strategy other than "kols" is rejected.
    let bad = text.replace(
        "strategy = \"kols\"\nrule = \"kcore\"",
        "strategy = \"random\"\nrule = \"kcore\"",
    );
    let err = scenario::parse(Source {
        path: PathBuf::from("rules.toml"),
        text: bad,
    })
    .unwrap_err();
    assert!(
        err.key.ends_with(".rule") && err.message.contains("strategy = \"kols\""),
        "{err}"
    );
}
