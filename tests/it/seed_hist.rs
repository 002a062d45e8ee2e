//! `kolsim seed` (issue 13), second part: budgets with per-physician costs (best of two),
//! candidate id lists, and the sentinel-set (HIST-style) variant for high influence.

use kolsim::engine::EngineKind;
use kolsim::models::{IndependentCascade, Model, Setting};
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::{
    Budget, Forward, Objective, OpimOptions, ReverseGraph, Sentinel, Winner, opim_c,
};

/// Forward values (one per replicate) of `set` under `model` on `net`, by `h`.
fn forward_values(model: &dyn Model, net: &Network, set: &[u32], h: u32, reps: u64) -> Vec<f64> {
    let is_kol = vec![false; net.n()];
    let p = model
        .prepare(&Setting {
            net,
            kols: &[],
            is_kol: &is_kol,
            kol_weight: 1.0,
        })
        .expect("prepares");
    Forward {
        model: p.as_ref(),
        net,
        is_kol: &is_kol,
        steps: h,
        seed: 11,
        engine: EngineKind::Event,
        objective: Objective::Adopters,
    }
    .values(set, reps)
}

/// The known bad case for cost-greedy alone: hub 0 reaches 10 leaves for sure and costs the
/// whole budget; physician 11 reaches 12 and costs 0.5. Gain per cost: 11 → 2/0.5 = 4, hub →
/// 11/10 = 1.1, so cost-greedy takes 11 and can no longer afford the hub (2 adopters); the
/// best single affordable physician, the hub, gives 11. Best of two must return the hub.
#[test]
fn budget_best_of_two_beats_cost_greedy_on_a_star() {
    let mut arcs = ArcList::default();
    for leaf in 1..=10 {
        arcs.push(0, leaf, 1.0);
    }
    arcs.push(11, 12, 1.0);
    let net = Network::from_arcs(13, arcs);
    let m = IndependentCascade { beta: 1.0, p: 0.0 };
    let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), 5).unwrap();
    let mut costs = vec![100.0; 13];
    costs[0] = 10.0;
    costs[11] = 0.5;
    let c = opim_c(
        &g,
        &OpimOptions {
            seed: 3,
            budget: Some(Budget {
                costs,
                budget: 10.0,
            }),
            ..OpimOptions::default()
        },
    );
    let b = c.budget.as_ref().expect("budget report");
    assert_eq!(b.best_of_two.greedy_seeds, vec![11]);
    assert_eq!(b.best_of_two.winner, Winner::BestSingle);
    assert_eq!(c.seeds, vec![0]);
    assert_eq!(b.spent, 10.0);
    // The estimate of the hub's spread (exactly 11) is within 4 se of the truth.
    let p = 11.0 / 13.0;
    let se = 13.0 * (p * (1.0 - p) / c.rr_sets as f64).sqrt();
    assert!((c.spread - 11.0).abs() < 4.0 * se, "{} vs 11", c.spread);
    assert!((b.best_of_two.greedy_value - 2.0).abs() < 4.0 * se);
    // The knapsack bound certifies the hub (it is optimal within the budget; the ratio is
    // below 1 only by the concentration slack of 13 physicians).
    assert!(c.reached && c.ratio > 0.7, "ratio {}", c.ratio);
    let e1 = 1.0 - (-1.0f64).exp();
    assert!((c.target - (e1 - 0.1) / 2.0).abs() < 1e-12);
}

/// With costs that make the hub affordable together with others, cost-greedy wins and spends
/// within the budget.
#[test]
fn budget_cost_greedy_spends_within_the_budget() {
    let net = generators::barabasi_albert(500, 2, &mut stream(4, Purpose::Network, 0));
    let m = IndependentCascade { beta: 0.1, p: 0.0 };
    let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), 6).unwrap();
    let costs: Vec<f64> = (0..500).map(|i| 1.0 + (i % 7) as f64).collect();
    let budget = Budget {
        costs: costs.clone(),
        budget: 20.0,
    };
    let c = opim_c(
        &g,
        &OpimOptions {
            seed: 5,
            budget: Some(budget.clone()),
            min_sets: 1 << 12,
            ..OpimOptions::default()
        },
    );
    let b = c.budget.as_ref().unwrap();
    assert_eq!(b.best_of_two.winner, Winner::CostGreedy);
    assert!(c.seeds.len() > 3);
    assert!(budget.cost_of(&c.seeds) <= 20.0 + 1e-9);
    assert!(b.best_of_two.greedy_value >= b.best_of_two.single_value);
    assert!(c.ratio > 0.0 && c.upper_opt >= c.lower);
}

/// A high-influence cascade: β = 0.25 on BA m = 3 (mean in-degree 6: 1.5 live in-arcs each),
/// so a cascade from a hub reaches a large share of the network.
fn high_influence() -> (Network, IndependentCascade) {
    let net = generators::barabasi_albert(3000, 3, &mut stream(8, Purpose::Network, 0));
    (net, IndependentCascade { beta: 0.25, p: 0.0 })
}

fn sentinel_options(sentinel: Sentinel) -> OpimOptions {
    OpimOptions {
        k: 8,
        seed: 2,
        min_sets: 0,
        sentinel,
        ..OpimOptions::default()
    }
}

#[test]
fn sentinel_estimate_matches_forward_and_is_within_the_plain_certificate() {
    let (net, m) = high_influence();
    let h = 30;
    let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), h).unwrap();
    let s = opim_c(&g, &sentinel_options(Sentinel::On));
    let pilot = s
        .sentinel
        .as_ref()
        .expect("a sentinel set in a high-influence setting");
    assert!(!pilot.set.is_empty() && pilot.set.len() <= 2);
    assert_eq!(&s.seeds[..pilot.set.len()], &pilot.set[..]);
    assert!(s.sentinel_hits > 0.1, "hits {}", s.sentinel_hits);
    assert_eq!(s.seeds.len(), 8);
    let mut distinct = s.seeds.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 8);
    // Truncation keeps the stored sets small compared with the pilot's full sets.
    assert!(
        s.mean_rr_size < pilot.mean_size,
        "{} vs {}",
        s.mean_rr_size,
        pilot.mean_size
    );
    // The RR estimate of the chosen set equals its forward mean within 3 se.
    let reps = 3000;
    let fs = forward_values(&m, &net, &s.seeds, h, reps);
    let (fm, fsd) = kolsim::stats::mean_sd(&fs);
    let p = s.spread / net.n() as f64;
    let rse = net.n() as f64 * (p * (1.0 - p) / s.rr_sets as f64).sqrt();
    let se = (fsd * fsd / reps as f64 + rse * rse).sqrt();
    eprintln!(
        "sentinel: RR {:.1} ± {rse:.1}, forward {fm:.1}, ratio {:.3}",
        s.spread, s.ratio
    );
    assert!(
        (fm - s.spread).abs() < 3.0 * se,
        "forward {fm} vs RR {}",
        s.spread
    );
    // Within the certificate of the plain OPIM-C set: σ(sentinel) ≥ ratio · σ(plain).
    let plain = opim_c(&g, &sentinel_options(Sentinel::Off));
    assert!(plain.sentinel.is_none());
    let fp = forward_values(&m, &net, &plain.seeds, h, reps);
    let diffs: Vec<f64> = fs.iter().zip(&fp).map(|(a, b)| a - s.ratio * b).collect();
    let (dm, dsd) = kolsim::stats::mean_sd(&diffs);
    eprintln!(
        "plain: RR {:.1}, forward {:.1}, ratio {:.3}; sentinel - ratio * plain = {dm:.1} ± {:.1}",
        plain.spread,
        kolsim::stats::mean_sd(&fp).0,
        plain.ratio,
        dsd / (reps as f64).sqrt()
    );
    assert!(dm > -3.0 * dsd / (reps as f64).sqrt());
    assert!(s.reached && s.ratio >= s.target);
}

#[test]
fn sentinel_variant_is_identical_for_any_thread_count() {
    let (net, m) = high_influence();
    let g = ReverseGraph::new(&net, m.reverse_reachable().unwrap(), 30).unwrap();
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| opim_c(&g, &sentinel_options(Sentinel::Auto)))
    };
    let (a, b) = (run(1), run(3));
    assert!(a.sentinel.is_some(), "auto picks the variant here");
    assert_eq!(a.seeds, b.seeds);
    assert_eq!(a.spread_so_far, b.spread_so_far);
    assert_eq!(a.ratio, b.ratio);
    assert_eq!(a.rr_sets, b.rr_sets);
}

fn ckm() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ckm-tetracycline.toml"
    )
}

fn kolsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("kolsim").unwrap()
}

#[test]
fn seed_command_with_a_budget_and_costs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let o = kolsim()
        .args([
            "seed",
            ckm(),
            "--budget",
            "6",
            "--cost",
            "city",
            "--model",
            "cascade",
        ])
        .args(["--replicates", "30", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("within budget 6") && text.contains("best of two"),
        "{text}"
    );
    let seeds = std::fs::read_to_string(out.join("seeds.csv")).unwrap();
    assert!(seeds.lines().next().unwrap().ends_with(",cost"));
    let spent: f64 = seeds
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(spent > 0.0 && spent <= 6.0, "{spent}");
    let cert = std::fs::read_to_string(out.join("certificate.json")).unwrap();
    assert!(
        cert.contains("\"winner\"") && cert.contains("\"budget\": 6"),
        "{cert}"
    );
    // A cost attribute with missing values: the error names a physician.
    let bad = kolsim()
        .args([
            "seed",
            ckm(),
            "--budget",
            "6",
            "--cost",
            "jours",
            "--model",
            "cascade",
        ])
        .arg("--out")
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--cost jours: physician \"") && err.contains("no cost"),
        "{err}"
    );
    // --budget without --cost, and --k with --budget, are refused by the parser.
    let e = kolsim()
        .args(["seed", ckm(), "--budget", "6", "--model", "cascade"])
        .output()
        .unwrap();
    assert_eq!(e.status.code(), Some(2));
}

#[test]
fn seed_command_with_a_candidate_id_list() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("accepts.csv");
    std::fs::write(
        &list,
        "id,note\n3,yes\n17,yes\n\n40,yes\n41,x\n77,y\n120,z\n",
    )
    .unwrap();
    let out = dir.path().join("s");
    let o = kolsim()
        .args([
            "seed",
            ckm(),
            "--k",
            "3",
            "--model",
            "cascade",
            "--replicates",
            "20",
        ])
        .arg("--candidates-file")
        .arg(&list)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let seeds = std::fs::read_to_string(out.join("seeds.csv")).unwrap();
    let allowed = ["3", "17", "40", "41", "77", "120"];
    let ids: Vec<&str> = seeds
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| allowed.contains(id)), "{ids:?}");
    // One id per line, with an unknown id on line 3: a located error.
    let plain = dir.path().join("ids.txt");
    std::fs::write(&plain, "id\n3\nnobody\n").unwrap();
    let e = kolsim()
        .args(["seed", ckm(), "--k", "1", "--model", "cascade"])
        .arg("--candidates-file")
        .arg(&plain)
        .arg("--out")
        .arg(dir.path().join("t"))
        .output()
        .unwrap();
    assert_eq!(e.status.code(), Some(2));
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(
        err.contains("ids.txt:3:") && err.contains("unknown physician id \"nobody\""),
        "{err}"
    );
}
