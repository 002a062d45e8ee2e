//! `kolsim seed` (issue 13): the reverse-reachable constructions against forward simulation of
//! the same kolsim model, brute force on small graphs, CELF = greedy, determinism.

use kolsim::engine::EngineKind;
use kolsim::models::{
    Bass, ExposureKind, Imitation, IndependentCascade, Model, Prepared, Setting, Theta, Threshold,
};
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::opim::{Objective, sample_batches};
use kolsim::seed::{Forward, OpimOptions, ReverseGraph, celf, opim_c, plain_greedy};

/// A BA network with a few physicians' outgoing arcs doubled (KOL weight κ = 2), so that arc
/// weights are not all equal.
fn network(n: usize, m: usize) -> Network {
    let mut net = generators::barabasi_albert(n, m, &mut stream(3, Purpose::Network, 0));
    net.scale_sources(&[0, 1, 2, 5, 8], 2.0);
    net
}

fn prepare(model: &dyn Model, net: &Network) -> Box<dyn Prepared> {
    let is_kol = vec![false; net.n()];
    model
        .prepare(&Setting {
            net,
            kols: &[],
            is_kol: &is_kol,
            kol_weight: 1.0,
        })
        .expect("prepares")
}

/// (mean, se) of the forward objective over `reps` replicates.
fn forward(
    model: &dyn Model,
    net: &Network,
    set: &[u32],
    h: u32,
    objective: Objective,
    engine: EngineKind,
    reps: u64,
) -> (f64, f64) {
    let p = prepare(model, net);
    let is_kol = vec![false; net.n()];
    let f = Forward {
        model: p.as_ref(),
        net,
        is_kol: &is_kol,
        steps: h,
        seed: 11,
        engine,
        objective,
    };
    let v = f.values(set, reps);
    let (m, sd) = kolsim::stats::mean_sd(&v);
    (m, sd / (reps as f64).sqrt())
}

/// (estimate, se) of the objective of `set` from `batches` batches of RR sets.
fn reverse(
    model: &dyn Model,
    net: &Network,
    set: &[u32],
    h: u32,
    objective: Objective,
    batches: u64,
) -> (f64, f64) {
    let g = ReverseGraph::new(net, model.reverse_reachable().expect("triggering"), h).unwrap();
    let c = sample_batches(&g, objective, 7, 0, 0..batches);
    let cov = (c.coverage(set, net.n()) + c.precovered) as f64 / c.theta as f64;
    let norm = match objective {
        Objective::Adopters => net.n() as f64,
        Objective::AdopterSteps => net.n() as f64 * (h as f64 + 1.0),
    };
    (
        norm * cov,
        norm * (cov * (1.0 - cov) / c.theta as f64).sqrt(),
    )
}

/// RR estimate = forward mean within 3 combined standard errors.
fn equivalent(model: &dyn Model, net: &Network, set: &[u32], h: u32, objective: Objective) {
    let (fm, fse) = forward(model, net, set, h, objective, EngineKind::Event, 6000);
    let (rm, rse) = reverse(model, net, set, h, objective, 600);
    let se = (fse * fse + rse * rse).sqrt();
    eprintln!(
        "{model:?} {objective:?} H={h}: forward {fm:.3} ± {fse:.3}, RR {rm:.3} ± {rse:.3}, z = {:.2}",
        (fm - rm) / se
    );
    assert!(
        (fm - rm).abs() < 3.0 * se,
        "{model:?}: forward {fm} ± {fse} vs RR {rm} ± {rse}"
    );
    // Not trivially equal: the seeds' own contribution is visible.
    assert!(fm > set.len() as f64 + 1.0, "{model:?}: no spread to test");
}

const SET: [u32; 3] = [0, 17, 60];

#[test]
fn cascade_rr_sets_equal_forward_simulation() {
    let net = network(300, 2);
    let m = IndependentCascade { beta: 0.3, p: 0.0 };
    equivalent(&m, &net, &SET, 6, Objective::Adopters);
    let m = IndependentCascade {
        beta: 0.25,
        p: 0.01,
    };
    equivalent(&m, &net, &SET, 6, Objective::Adopters);
    equivalent(&m, &net, &SET, 6, Objective::AdopterSteps);
}

#[test]
fn linear_threshold_rr_sets_equal_forward_simulation() {
    let net = network(300, 2);
    let m = Threshold {
        theta: Theta::Uniform {
            low: 0.0,
            high: 1.0,
        },
        p: 0.01,
        exposure: ExposureKind::Share,
    };
    equivalent(&m, &net, &SET, 6, Objective::Adopters);
    // Any other threshold law has no reverse-reachable form.
    let other = Threshold {
        theta: Theta::Uniform {
            low: 0.0,
            high: 0.5,
        },
        ..m
    };
    assert!(other.reverse_reachable().is_none());
}

#[test]
fn count_imitation_rr_sets_equal_forward_simulation() {
    let net = network(300, 2);
    let m = Imitation {
        q: 0.12,
        exposure: ExposureKind::Count,
    };
    equivalent(&m, &net, &SET, 8, Objective::Adopters);
    equivalent(&m, &net, &SET, 8, Objective::AdopterSteps);
}

#[test]
fn count_imitation_rr_sets_equal_forward_simulation_over_a_long_horizon() {
    // Above HEAP_ABOVE the search keeps its pending physicians in a heap (Dijkstra on the
    // sampled delays): same law, cost bounded by the reachable set.
    let h = 2 * kolsim::seed::rr::HEAP_ABOVE;
    let net = network(300, 2);
    let m = Imitation {
        q: 0.002,
        exposure: ExposureKind::Count,
    };
    equivalent(&m, &net, &SET, h, Objective::Adopters);
    equivalent(&m, &net, &SET, h, Objective::AdopterSteps);
}

#[test]
fn share_imitation_and_bass_rr_sets_equal_forward_simulation() {
    let net = network(300, 2);
    let m = Imitation {
        q: 0.5,
        exposure: ExposureKind::Share,
    };
    equivalent(&m, &net, &SET, 10, Objective::Adopters);
    let b = Bass { p: 0.01, q: 0.5 };
    equivalent(&b, &net, &SET, 10, Objective::Adopters);
    equivalent(&b, &net, &SET, 10, Objective::AdopterSteps);
}

#[test]
fn reference_engine_agrees_too() {
    // The reverse construction is checked against the naive sweep as well as the event engine.
    let net = network(200, 2);
    let m = IndependentCascade { beta: 0.3, p: 0.01 };
    let (fm, fse) = forward(
        &m,
        &net,
        &SET,
        5,
        Objective::Adopters,
        EngineKind::Reference,
        4000,
    );
    let (rm, rse) = reverse(&m, &net, &SET, 5, Objective::Adopters, 400);
    assert!(
        (fm - rm).abs() < 3.0 * (fse * fse + rse * rse).sqrt(),
        "{fm} vs {rm}"
    );
}

/// Two communities joined by one tie plus a pendant star: small enough for brute force.
fn small_graph() -> Network {
    let mut a = ArcList::default();
    // Community A: 0..6, a ring with chords; community B: 6..12, a ring; bridge 5-6; star 12,13.
    for i in 0..6u32 {
        a.push_undirected(i, (i + 1) % 6, 1.0);
    }
    a.push_undirected(0, 3, 1.0);
    for i in 6..12u32 {
        a.push_undirected(i, 6 + (i - 6 + 1) % 6, 1.0);
    }
    a.push_undirected(5, 6, 1.0);
    a.push_undirected(12, 13, 1.0);
    a.push_undirected(12, 9, 1.0);
    Network::from_arcs(14, a)
}

fn subsets(n: u32, k: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    fn rec(start: u32, n: u32, k: usize, cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for v in start..n {
            cur.push(v);
            rec(v + 1, n, k, cur, out);
            cur.pop();
        }
    }
    rec(0, n, k, &mut cur, &mut out);
    out
}

#[test]
fn brute_force_best_sets_on_14_nodes() {
    let net = small_graph();
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(IndependentCascade { beta: 0.4, p: 0.0 }),
        Box::new(Imitation {
            q: 0.2,
            exposure: ExposureKind::Count,
        }),
        Box::new(Bass { p: 0.02, q: 0.4 }),
    ];
    for m in &models {
        let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), 4).unwrap();
        let p = prepare(m.as_ref(), &net);
        let is_kol = vec![false; 14];
        let f = Forward {
            model: p.as_ref(),
            net: &net,
            is_kol: &is_kol,
            steps: 4,
            seed: 3,
            engine: EngineKind::Event,
            objective: Objective::Adopters,
        };
        for k in [2usize, 3] {
            let reps = 3000;
            let all = subsets(14, k);
            let values: Vec<f64> = all.iter().map(|s| f.mean(s, reps)).collect();
            let best = values.iter().cloned().fold(f64::MIN, f64::max);
            let c = opim_c(
                &g,
                &OpimOptions {
                    k,
                    epsilon: 0.1,
                    objective: Objective::Adopters,
                    seed: 9,
                    min_sets: 0,
                    ..OpimOptions::default()
                },
            );
            let mine = f.mean(&c.seeds, reps);
            // σ(∅) from the forward model (spontaneous adoption only).
            let base = f.mean(&[], reps);
            let ratio = (mine - base) / (best - base);
            eprintln!(
                "{m:?} k={k}: OPT {best:.3}, OPIM-C {:?} {mine:.3} (RR {:.3}), certified {:.3}, ratio of gains {ratio:.3}",
                c.seeds, c.spread, c.ratio
            );
            // Within the certificate (plus Monte Carlo slack of the 3,000-replicate means).
            assert!(
                ratio >= c.ratio - 0.03,
                "{m:?} k={k}: {ratio} < {}",
                c.ratio
            );
            assert!(c.ratio > 0.5, "certificate too weak: {}", c.ratio);
        }
    }
}

#[test]
fn celf_equals_plain_greedy_with_common_random_numbers() {
    let net = small_graph();
    let m = IndependentCascade { beta: 0.4, p: 0.0 };
    let p = prepare(&m, &net);
    let is_kol = vec![false; 14];
    let f = Forward {
        model: p.as_ref(),
        net: &net,
        is_kol: &is_kol,
        steps: 4,
        seed: 3,
        engine: EngineKind::Event,
        objective: Objective::Adopters,
    };
    let eval = |s: &[u32]| f.mean(s, 400);
    let cands: Vec<u32> = (0..14).collect();
    let a = celf(3, &cands, &eval);
    let b = plain_greedy(3, &cands, &eval);
    assert_eq!(a.seeds, b.seeds);
    assert_eq!(a.value_so_far, b.value_so_far);
    eprintln!(
        "CELF {} evaluations, greedy {}",
        a.evaluations, b.evaluations
    );
}

#[test]
fn opim_c_is_identical_for_any_thread_count() {
    let net = network(2000, 3);
    let m = IndependentCascade { beta: 0.2, p: 0.01 };
    let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), 10).unwrap();
    let o = OpimOptions {
        k: 10,
        epsilon: 0.2,
        objective: Objective::Adopters,
        seed: 1,
        min_sets: 0,
        ..OpimOptions::default()
    };
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| opim_c(&g, &o))
    };
    let (a, b) = (run(1), run(3));
    assert_eq!(a.seeds, b.seeds);
    assert_eq!(a.spread_so_far, b.spread_so_far);
    assert_eq!(a.ratio, b.ratio);
    assert!(a.ratio > 0.0);
}

const ARMS: &str = r#"
name = "opt-arm"
steps = 8
replicates = 40
seed = 5

[network]
kind = "stochastic_block"
sizes = [120, 60, 60]
p_in = 0.08
p_out = 0.002
draw = "once"

[kols]
rule = "in_degree"
count = 6

[[arm]]
name = "kols"
strategy = "kols"
count = 6

[[arm]]
name = "optimized"
strategy = "optimized"
model = "imitation"
count = 6
horizon = 8

[[model]]
name = "imitation"
kind = "imitation"
q = 0.5

[[model]]
name = "fixed"
kind = "threshold"
theta = 0.3
"#;

fn parse(text: &str) -> Result<kolsim::scenario::Scenario, kolsim::scenario::ScenarioError> {
    kolsim::scenario::parse(kolsim::scenario::Source {
        path: std::path::PathBuf::from("arms.toml"),
        text: text.into(),
    })
}

#[test]
fn optimized_arm_runs_and_beats_the_kols_under_its_model() {
    use kolsim::run::{self, RunOptions};
    let sc = parse(ARMS).unwrap();
    let ids: Vec<u64> = (0..40).collect();
    let opts = |threads| RunOptions {
        threads,
        record: false,
    };
    let a = run::run(&sc, &ids, opts(1), &|| {}).unwrap();
    let b = run::run(&sc, &ids, opts(2), &|| {}).unwrap();
    assert_eq!(a.curves, b.curves);
    let final_mean = |arm: usize| {
        a.curves[arm][0]
            .iter()
            .map(|c| c.adopters().last().copied().unwrap_or(0) as f64)
            .sum::<f64>()
            / 40.0
    };
    assert_eq!(a.arms, vec!["kols", "optimized"]);
    assert!(
        final_mean(1) > final_mean(0),
        "optimized {} vs kols {}",
        final_mean(1),
        final_mean(0)
    );
    // The optimized arm seeds exactly `count` physicians.
    assert_eq!(a.curves[1][0][0].new_adopters[0], 6);
}

#[test]
fn optimized_arm_refuses_models_without_a_reverse_form_and_unknown_models() {
    let sc = parse(&ARMS.replace(
        "model = \"imitation\"\ncount = 6",
        "model = \"fixed\"\ncount = 6",
    ))
    .unwrap();
    let e = kolsim::realise::realise(&sc, 0).unwrap_err().to_string();
    assert!(
        e.contains("reverse-reachable") && e.contains("--method celf"),
        "{e}"
    );
    let sc = parse(&ARMS.replace(
        "model = \"imitation\"\ncount = 6",
        "model = \"nope\"\ncount = 6",
    ))
    .unwrap();
    let e = kolsim::realise::realise(&sc, 0).unwrap_err().to_string();
    assert!(e.contains("no [[model]] named \"nope\""), "{e}");
    let e = parse(&ARMS.replace(
        "strategy = \"kols\"\ncount = 6",
        "strategy = \"kols\"\ncount = 6\nhorizon = 3",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("applies only with strategy = \"optimized\""),
        "{e}"
    );
}

#[test]
fn seed_command_writes_its_folder_and_refuses_rr_for_non_triggering_models() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let ckm = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ckm-tetracycline.toml"
    );
    let o = Command::cargo_bin("kolsim")
        .unwrap()
        .args([
            "seed",
            ckm,
            "--k",
            "5",
            "--model",
            "cascade",
            "--replicates",
            "30",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Certificate") && text.contains("scenario KOL list"),
        "{text}"
    );
    for f in [
        "seeds.csv",
        "comparison.csv",
        "certificate.json",
        "summary.txt",
        "scenario.toml",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let seeds = std::fs::read_to_string(out.join("seeds.csv")).unwrap();
    assert_eq!(seeds.lines().count(), 6);
    // Refused: the file exists; with --force it is replaced.
    let again = Command::cargo_bin("kolsim")
        .unwrap()
        .args([
            "seed",
            ckm,
            "--k",
            "5",
            "--model",
            "cascade",
            "--replicates",
            "30",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let rr = Command::cargo_bin("kolsim")
        .unwrap()
        .args([
            "seed",
            ckm,
            "--k",
            "5",
            "--model",
            "threshold",
            "--method",
            "rr",
        ])
        .arg("--out")
        .arg(dir.path().join("t"))
        .output()
        .unwrap();
    assert_eq!(rr.status.code(), Some(2));
    let err = String::from_utf8_lossy(&rr.stderr);
    assert!(
        err.contains("no reverse-reachable form") && err.contains("--method celf"),
        "{err}"
    );
}

/// `seed --compare none` simulates no arm, so it chooses no arm's seeds: an `optimized` arm
/// whose selection fails (its model has no reverse-reachable form) shows whether the
/// selection ran. With `--compare scenario` the arm is simulated and its selection runs.
#[test]
fn seed_without_a_comparison_chooses_no_arm() {
    use kolsim::api::{Compare, SeedRequest, select_seeds};
    let sc = parse(&ARMS.replace(
        "model = \"imitation\"\ncount = 6",
        "model = \"fixed\"\ncount = 6",
    ))
    .unwrap();
    let mut req = SeedRequest::new(Some("imitation"), 6, 10);
    req.compare = Compare::None;
    req.threads = 1;
    let out = select_seeds(&sc, &req).unwrap();
    assert_eq!(out.seeds.len(), 6);
    assert_eq!(out.rows.len(), 1);
    // The KOL list (the `strategy = "kols"` arm, 6 seeds) is still chosen and reported.
    assert_eq!(out.kol_list.len(), 6);
    req.compare = Compare::Scenario;
    let e = select_seeds(&sc, &req).unwrap_err().to_string();
    assert!(e.contains("reverse-reachable"), "{e}");
}

/// The realisation computes what it is asked for: without arms no arm's seeds are chosen
/// (the `strategy = "kols"` arms excepted), and only the models named are prepared.
#[test]
fn a_partial_realisation_chooses_no_arm_and_prepares_the_models_asked_for() {
    use kolsim::realise::{Need, realise_for};
    let sc = parse(&ARMS.replace(
        "model = \"imitation\"\ncount = 6",
        "model = \"fixed\"\ncount = 6",
    ))
    .unwrap();
    let net = kolsim::realise::build_network(&sc, 0).unwrap();
    let need = Need {
        models: Some(vec![1]),
        arms: false,
        segments: false,
    };
    let real = realise_for(&sc, net.clone(), 0, &need).unwrap();
    assert_eq!(real.models.len(), 1);
    assert_eq!(real.arm_top, vec![None, None]);
    assert_eq!(real.kols.len(), 6);
    let all = Need { arms: true, ..need };
    let e = realise_for(&sc, net, 0, &all).unwrap_err().to_string();
    assert!(e.contains("reverse-reachable"), "{e}");
}

/// `fit` chooses no arm's seeds: the shipped CKM scenario with an `optimized` arm that cannot
/// be chosen (the threshold model with θ ~ U(0, 0.5) has no reverse-reachable form) fits as
/// the scenario without it does, while running it fails.
#[test]
fn fit_chooses_no_arm() {
    let root = crate::common::root();
    let path = root.join("scenarios/ckm-tetracycline.toml");
    let text = std::fs::read_to_string(&path).unwrap()
        + "\n[[arm]]\nname = \"opt\"\nstrategy = \"optimized\"\nmodel = \"threshold\"\ncount = 5\nhorizon = 100000\n";
    let sc = kolsim::scenario::parse(kolsim::scenario::Source { path, text }).unwrap();
    assert!(kolsim::realise::realise(&sc, 0).is_err());
    let observed = root.join("scenarios/data/ckm/observed.csv");
    let opts = kolsim::api::FitOptions {
        permutations: 0,
        ..Default::default()
    };
    let res = kolsim::api::fit(&sc, observed.as_path(), &opts).unwrap();
    assert!(res.report.models.iter().any(|m| m.name == "imitation"));
}

/// `--compare` with a list of KOL rules ranks and compares only those (in the order of
/// `kols::RANKED`), with the same values as the full comparison gives them; a name that is
/// no rule is refused (exit 2), naming the rules.
#[test]
fn compare_a_list_of_rules_ranks_only_those() {
    use kolsim::api::{Compare, SeedRequest, select_seeds};
    let sc = parse(ARMS).unwrap();
    let mut req = SeedRequest::new(Some("imitation"), 6, 10);
    req.threads = 1;
    req.compare = Compare::parse("pagerank, in_degree").unwrap();
    assert_eq!(req.compare.name(), "in_degree,pagerank");
    let some = select_seeds(&sc, &req).unwrap();
    req.compare = Compare::All;
    let all = select_seeds(&sc, &req).unwrap();
    let names = |o: &kolsim::api::SeedOutcome| -> Vec<String> {
        o.rows.iter().map(|r| r.name.clone()).collect()
    };
    let (a, s) = (names(&all), names(&some));
    assert_eq!(a.len(), s.len() + 4, "{a:?} vs {s:?}");
    assert_eq!(&s[s.len() - 3..], ["in_degree", "pagerank", "random"]);
    for (i, name) in s.iter().enumerate() {
        let j = a.iter().position(|x| x == name).unwrap();
        assert_eq!(some.rows[i].sets, all.rows[j].sets, "{name}");
        assert_eq!(some.rows[i].vals, all.rows[j].vals, "{name}");
    }
    let e = Compare::from_arg("in_degree,fame").unwrap_err();
    assert!(e.contains("\"fame\"") && e.contains("pagerank"), "{e}");
    crate::common::kolsim()
        .args(["seed", "scenarios/ckm-tetracycline.toml", "--k", "3"])
        .args(["--model", "cascade", "--compare", "fame"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("KOL rule"));
}
