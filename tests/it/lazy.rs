//! Each command computes what it uses: `fit` neither prepares the scenario's arms nor runs an
//! optimized arm's seed selection (issue 20: the CKM scenario with an `optimized` arm of
//! horizon 100000 took 403 s to fit instead of 0.16 s).

use crate::common::{kolsim, root};
use kolsim::network::edge_list::times_read;
use kolsim::scenario::{self, Arm, InitialAdopters, Source};
use std::time::Duration;

/// The shipped CKM scenario plus an optimized arm for `model`, written (data paths absolute)
/// to `dir/ckm-optimized.toml`.
fn ckm_with_optimized_arm(dir: &std::path::Path, model: &str) -> std::path::PathBuf {
    let mut sc = scenario::load(&root().join("scenarios/ckm-tetracycline.toml")).unwrap();
    sc.arms.push(Arm::new(
        "optimized",
        InitialAdopters::Optimized {
            model: model.into(),
            count: 11,
            horizon: Some(100_000),
        },
    ));
    let path = dir.join("ckm-optimized.toml");
    sc.source = Source {
        path: path.clone(),
        text: String::new(),
    };
    std::fs::write(&path, sc.to_toml()).unwrap();
    path
}

#[test]
fn fit_does_not_choose_the_arms_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    // A horizon of 100000 steps: choosing this arm's seeds takes minutes.
    let slow = ckm_with_optimized_arm(tmp.path(), "imitation");
    kolsim()
        .args(["fit", "--out"])
        .arg(tmp.path().join("fit"))
        .arg(&slow)
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    // An arm naming no model is an error only where the arm is used: `fit` never looks.
    let bad = ckm_with_optimized_arm(tmp.path(), "no-such-model");
    kolsim()
        .args(["fit", "--out"])
        .arg(tmp.path().join("fit-bad"))
        .arg(&bad)
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    kolsim()
        .args(["run", "--replicates", "2", "--out"])
        .arg(tmp.path().join("run-bad"))
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no [[model]] named \"no-such-model\"",
        ));
}

/// `scenarios/<name>.toml` and `scenarios/data/ckm/` copied into `dir` (so the edge list's path
/// is this test's own), loaded from there; with the path of its edge list.
fn ckm_copy(dir: &std::path::Path, name: &str) -> (scenario::Scenario, std::path::PathBuf) {
    let data = dir.join("data/ckm");
    std::fs::create_dir_all(&data).unwrap();
    for e in std::fs::read_dir(root().join("scenarios/data/ckm")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
        }
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::copy(root().join(format!("scenarios/{name}.toml")), &path).unwrap();
    let sc = scenario::load(&path).unwrap();
    let scenario::NetworkSpec::EdgeList(spec) = &sc.network else {
        panic!("{name}: not an edge list")
    };
    let edges = spec.path.clone();
    assert!(edges.starts_with(dir), "{}", edges.display());
    (sc, edges)
}

#[test]
fn fit_reads_the_network_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (sc, edges) = ckm_copy(tmp.path(), "ckm-tetracycline");
    assert_eq!(times_read(&edges), 0); // loading the scenario reads no data
    let opts = kolsim::fit::FitOptions {
        permutations: 9,
        ..Default::default()
    };
    let observed = tmp.path().join("data/ckm/observed.csv");
    let res = kolsim::api::fit(&sc, &observed, &opts).unwrap();
    assert!(!res.report.models.is_empty());
    // Preparing the data, the similarity network and the simulation-based fits share one read.
    assert_eq!(times_read(&edges), 1);
}

#[test]
fn a_run_with_an_observed_launch_reads_the_network_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut sc, edges) = ckm_copy(tmp.path(), "ckm-layers");
    assert!(sc.observed.is_some());
    sc.replicates = 4;
    let before = times_read(&edges);
    let res = kolsim::api::simulate(&sc, &kolsim::api::Options::default()).unwrap();
    let opts = kolsim::jobs::FolderOptions {
        dir: tmp.path().join("out"),
        force: false,
        command: vec![],
        curves: None,
        record: false,
        browser: None,
    };
    let files = kolsim::jobs::write_run_folder(&sc, &res, &opts).unwrap();
    assert!(files.contains(&"report.html"));
    // The report draws the observed launch on realisation 0's network, kept from the run.
    assert_eq!(times_read(&edges) - before, 1);
}
