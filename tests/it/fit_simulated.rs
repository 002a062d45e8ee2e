//! `kolsim fit`'s simulation-based fits (`method = simulated`): recovery of Bass's parameters
//! from an aggregate curve simulated by kolsim itself, and determinism of the aggregate CKM
//! fit across thread counts.

use assert_cmd::Command;
use kolsim::adopters::AdopterRule;
use kolsim::engine::{Curve, EngineKind, Replicate, Scratch};
use kolsim::fit::{self, FitOptions, Method};
use kolsim::models::{Bass, Model, Setting};
use kolsim::rng::{Purpose, stream};
use kolsim::scenario::error::Source;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A 1,500-physician BA network with one Bass model whose own values (the fit's first start)
/// are far from the truth.
const SCENARIO: &str = r#"
name = "sim-recovery"
steps = 20
replicates = 10
seed = 7

[network]
kind = "barabasi_albert"
n = 1500
m = 3

[kols]
rule = "in_degree"
share = 0.01
weight = 1.0

[[model]]
name = "bass"
kind = "bass"
p = 0.1
q = 0.05
"#;

/// The simulated fit of Bass on one aggregate launch (p = 0.02, q = 0.35, 15 random seeds,
/// 21 periods) drawn on streams the fit never uses: each parameter's approximate 95% profile
/// interval covers the truth and the estimate is within 25% of it.
#[test]
fn simulated_fit_recovers_bass_on_an_aggregate_curve() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let sc = kolsim::scenario::parse(Source {
        path: path.clone(),
        text: SCENARIO.into(),
    })
    .unwrap();
    let real = kolsim::realise::realise(&sc, 0).unwrap();
    let base = kolsim::realise::build_network(&sc, 0).unwrap();
    let (p, q) = (0.02, 0.35);
    let truth = Bass { p, q };
    let initial = AdopterRule::Random(15).choose(
        &real.net,
        &[],
        &mut stream(999, Purpose::InitialAdopters, 0),
    );
    let prepared = truth
        .prepare(&Setting {
            net: &base,
            kols: &real.kols,
            is_kol: &real.is_kol,
            kol_weight: 1.0,
        })
        .unwrap();
    let rep = Replicate {
        net: &real.net,
        is_kol: &real.is_kol,
        initial: &initial,
        steps: 20,
        seed: 999,
        replicate: 0,
    };
    let mut curve = Curve::with_steps(20);
    prepared.run(EngineKind::Event, &rep, &mut Scratch::default(), &mut curve);
    let mut body = String::from("step,adopters\n");
    for (s, a) in curve.adopters().iter().enumerate() {
        body.push_str(&format!("{s},{a}\n"));
    }
    let obs = dir.path().join("agg.csv");
    std::fs::write(&obs, body).unwrap();
    let opts = FitOptions {
        permutations: 0,
        ..FitOptions::default()
    };
    let prep = fit::prepare(&sc, &obs, &opts).unwrap();
    let (sims, failed) = fit::simulated::fit_all(&sc, &prep, &opts).unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    let bass = sims.iter().find(|f| f.name == "bass").unwrap();
    for (e, want) in bass.estimates.iter().zip([p, q]) {
        eprintln!(
            "{}: truth {want}, estimate {:.4} [{:.4}, {:.4}]",
            e.name, e.value, e.ci.0, e.ci.1
        );
        assert!(e.ci.0 <= want && want <= e.ci.1, "{} {:?}", e.name, e);
        assert!((e.value - want).abs() <= 0.25 * want, "{} {:?}", e.name, e);
    }
    assert!(bass.warnings.is_empty(), "{:?}", bass.warnings);
    // The report ranks it with the simulated fits, against innovation only.
    let mut r = fit::fit_models(&prep, &opts);
    fit::add_simulated(&mut r, sims, failed);
    let m = r.models.iter().find(|m| m.name == "bass").unwrap();
    assert_eq!(m.method, Method::Simulated);
    let innov = r.models.iter().find(|m| m.name == "innovation").unwrap();
    assert!(
        m.loglik > innov.loglik + 10.0,
        "{} vs {}",
        m.loglik,
        innov.loglik
    );
    let csv = String::from_utf8(fit::output::models_csv(&r)).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("bass,2,") && l.ends_with(",simulated")),
        "{csv}"
    );
}

/// The CKM curve as `step,adopters` (cumulative; step 0 = month 1).
fn ckm_aggregate(dir: &std::path::Path) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("scenarios/data/ckm/observed_adoption.csv")).unwrap();
    let mut body = String::from("step,adopters\n");
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let month: u32 = f[0].parse().unwrap();
        body.push_str(&format!("{},{}\n", month - 1, f[2]));
    }
    let p = dir.join("ckm-aggregate.csv");
    std::fs::write(&p, body).unwrap();
    p
}

/// The aggregate CKM fit, every scenario model by simulation: the same bytes with 1 and 2
/// threads, and every simulated row flagged.
#[test]
fn aggregate_ckm_fit_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let obs = ckm_aggregate(dir.path());
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("fit{threads}"));
        let o = Command::cargo_bin("kolsim")
            .unwrap()
            .current_dir(root())
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "fit",
                "scenarios/ckm-tetracycline.toml",
                "--sim-replicates",
                "20",
                "--observed",
            ])
            .arg(&obs)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(o).unwrap();
        if threads == "1" {
            eprintln!("{text}");
        }
        let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
        let models = std::fs::read_to_string(out.join("models.csv")).unwrap();
        // fitted.toml seeds as many random physicians as adopted in period 1, and its
        // simulated models are drawn in fit.svg.
        let fitted = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
        assert!(
            fitted.contains("[initial_adopters]\ncount = 11\nstrategy = \"random\"\n"),
            "{fitted}"
        );
        let svg = std::fs::read_to_string(out.join("fit.svg")).unwrap();
        assert!(svg.contains("\nlearning\n") && svg.contains("\nimitation\n"));
        outs.push((fit, models));
    }
    assert_eq!(outs[0], outs[1]);
    let (fit, models) = &outs[0];
    assert!(
        models
            .lines()
            .any(|l| l.starts_with("innovation,1,") && l.ends_with(",exact"))
    );
    for name in [
        "imitation",
        "bass",
        "threshold",
        "cascade",
        "learning",
        "detailing",
        "structural",
    ] {
        assert!(
            models
                .lines()
                .any(|l| l.starts_with(&format!("{name},")) && l.ends_with(",simulated")),
            "{name}: {models}"
        );
        assert!(
            fit.lines()
                .any(|l| l.starts_with(&format!("{name},")) && l.ends_with(",simulated"))
        );
    }
}

/// A parameter that changes nothing is flagged: detailing with no budget, so its β (the effect
/// of a visit) cannot be identified from any curve.
#[test]
fn a_flat_profile_is_flagged_as_not_identified() {
    let text = r#"
name = "flat"
steps = 10
replicates = 10
seed = 3

[network]
kind = "barabasi_albert"
n = 300
m = 2

[kols]
rule = "in_degree"
share = 0.02

[[model]]
name = "marketing"
kind = "detailing"
alpha = 0.05
beta = 0.1
budget = 0
policy = "uniform"
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let sc = kolsim::scenario::parse(Source {
        path,
        text: text.into(),
    })
    .unwrap();
    let obs = dir.path().join("agg.csv");
    let mut body = String::from("step,adopters\n");
    for (s, a) in [5, 20, 34, 48, 61, 73, 85, 96, 106, 116, 125]
        .iter()
        .enumerate()
    {
        body.push_str(&format!("{s},{a}\n"));
    }
    std::fs::write(&obs, body).unwrap();
    let opts = FitOptions {
        permutations: 0,
        sim_replicates: 10,
        ..FitOptions::default()
    };
    let prep = fit::prepare(&sc, &obs, &opts).unwrap();
    let (sims, failed) = fit::simulated::fit_all(&sc, &prep, &opts).unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    let w = &sims[0].warnings;
    assert!(
        w.iter().any(|w| w.contains("`beta` is not identified")),
        "{w:?}"
    );
    assert!(
        !w.iter().any(|w| w.contains("`alpha` is not identified")),
        "{w:?}"
    );
}
