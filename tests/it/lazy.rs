//! Each command computes what it uses: `fit` neither prepares the scenario's arms nor runs an
//! optimized arm's seed selection (issue 20: the CKM scenario with an `optimized` arm of
//! horizon 100000 took 403 s to fit instead of 0.16 s).

use crate::common::{kolsim, root};
use kolsim::scenario::{self, Arm, SeedingSpec, Source};
use std::time::Duration;

/// The shipped CKM scenario plus an optimized arm for `model`, written (data paths absolute)
/// to `dir/ckm-optimized.toml`.
fn ckm_with_optimized_arm(dir: &std::path::Path, model: &str) -> std::path::PathBuf {
    let mut sc = scenario::load(&root().join("scenarios/ckm-tetracycline.toml")).unwrap();
    sc.arms.push(Arm::new(
        "optimized",
        SeedingSpec::Optimized {
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
