//! The shipped Coleman–Katz–Menzel scenario (`scenarios/ckm-tetracycline.toml`) and its data
//! files (`scenarios/data/ckm/`): they validate, run, and hold the published counts.

use std::collections::BTreeMap;
use std::path::Path;

const SCENARIO: &str = "scenarios/ckm-tetracycline.toml";
const MODELS: [&str; 7] = [
    "imitation",
    "bass",
    "threshold",
    "cascade",
    "learning",
    "detailing",
    "structural",
];
const ARMS: [&str; 2] = ["kols", "random"];

use crate::common::{kolsim, root};

/// A CSV file as (header, data rows), every row as wide as the header.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let (header, rows) = crate::common::read_csv(path);
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(
            r.len(),
            header.len(),
            "{} data row {}: {} fields, header has {}",
            path.display(),
            k + 1,
            r.len(),
            header.len()
        );
    }
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn validate_reports_246_physicians() {
    let out = kolsim().args(["validate", SCENARIO]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("246 physicians"), "{stdout}");
    assert!(stdout.contains("480 arcs"), "{stdout}");
}

#[test]
fn run_seeds_11_and_curves_never_decrease() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    kolsim()
        .args(["run", SCENARIO, "--replicates", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = read_csv(&out.join("curves.csv"));
    let (m, arm, r, s, a) = (
        col(&header, "model"),
        col(&header, "arm"),
        col(&header, "replicate"),
        col(&header, "step"),
        col(&header, "adopters"),
    );
    // (model, arm, replicate) -> adopters by step, in file order.
    let mut curves: BTreeMap<(String, String, u64), Vec<(u32, u32)>> = BTreeMap::new();
    for row in &rows {
        let step: u32 = row[s].parse().unwrap();
        let adopters: u32 = row[a].parse().unwrap();
        if step == 0 {
            assert_eq!(adopters, 11, "step 0 must have the 11 seeds: {row:?}");
        }
        curves
            .entry((row[m].clone(), row[arm].clone(), row[r].parse().unwrap()))
            .or_default()
            .push((step, adopters));
    }
    for model in MODELS {
        for a in ARMS {
            let n = curves
                .keys()
                .filter(|(name, x, _)| name == model && x == a)
                .count();
            assert_eq!(
                n, 20,
                "model {model}, arm {a}: {n} replicates in curves.csv"
            );
        }
    }
    assert_eq!(
        curves.len(),
        20 * MODELS.len() * ARMS.len(),
        "unexpected models in curves.csv"
    );
    for ((model, _arm, rep), steps) in &curves {
        let expected: Vec<u32> = (0..=17).collect();
        let got: Vec<u32> = steps.iter().map(|&(t, _)| t).collect();
        assert_eq!(got, expected, "{model} replicate {rep}: steps");
        assert_eq!(steps[0].1, 11, "{model} replicate {rep}: step 0");
        for w in steps.windows(2) {
            assert!(
                w[1].1 >= w[0].1 && w[1].1 <= 246,
                "{model} replicate {rep}: adopters go from {} to {} at step {}",
                w[0].1,
                w[1].1,
                w[1].0
            );
        }
    }
}

#[test]
fn shipped_data_has_the_published_counts() {
    let data = root().join("scenarios/data/ckm");
    let (h, advice) = read_csv(&data.join("advice.csv"));
    assert_eq!(h, ["nominator", "nominee"]);
    assert_eq!(advice.len(), 480);
    for (file, arcs) in [("discussion.csv", 565), ("friendship.csv", 506)] {
        let (h, rows) = read_csv(&data.join(file));
        assert_eq!(h, ["nominator", "nominee"], "{file}");
        assert_eq!(rows.len(), arcs, "{file}");
    }

    let (h, nodes) = read_csv(&data.join("nodes.csv"));
    assert_eq!(nodes.len(), 246);
    let ids: Vec<u32> = nodes
        .iter()
        .map(|r| r[col(&h, "id")].parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=246).collect::<Vec<u32>>());
    let adopted = col(&h, "adopted");
    let month = col(&h, "adoption_month");
    let mut sum = 0;
    for r in &nodes {
        match r[adopted].as_str() {
            "1" => {
                sum += 1;
                let m: u32 = r[month].parse().unwrap();
                assert!((1..=17).contains(&m), "{r:?}");
            }
            "0" | "" => assert_eq!(r[month], "", "{r:?}"),
            other => panic!("adopted = {other:?} in {r:?}"),
        }
    }
    assert_eq!(sum, 109);
    let non_adopters = nodes.iter().filter(|r| r[adopted] == "0").count();
    assert_eq!(non_adopters, 16);

    // Every arc joins two physicians of the node file.
    for r in &advice {
        for id in r {
            let id: u32 = id.parse().unwrap();
            assert!((1..=246).contains(&id), "{r:?}");
        }
    }

    let (h, observed) = read_csv(&data.join("observed_adoption.csv"));
    let cum: Vec<u32> = observed
        .iter()
        .map(|r| r[col(&h, "cumulative_adopters")].parse().unwrap())
        .collect();
    assert_eq!(
        cum,
        [
            11, 20, 29, 40, 51, 62, 75, 82, 86, 87, 92, 95, 98, 102, 106, 108, 109
        ]
    );
}

#[test]
fn the_observed_launch_is_drawn_and_fitted_from_the_scenario() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    kolsim()
        .args(["run", SCENARIO, "--replicates", "20", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("adoption.svg")).unwrap();
    assert!(
        svg.contains("observed"),
        "the observed launch is in the legend"
    );
    // `fit` reads the scenario's [observed] table when --observed is not given.
    let fit = d.path().join("fit");
    let o = kolsim()
        .args(["fit", SCENARIO, "--out"])
        .arg(&fit)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&o);
    assert!(text.contains("innovation"), "{text}");
    assert!(fit.join("models.csv").exists());
    // Without either, `fit` says what to give.
    let bare = d.path().join("bare.toml");
    let src = std::fs::read_to_string(root().join(SCENARIO)).unwrap();
    let src = src.replace("[observed]\npath = \"data/ckm/observed.csv\"", "");
    let src = src.replace(
        "\"data/ckm/",
        &format!("\"{}/scenarios/data/ckm/", root().display()),
    );
    std::fs::write(&bare, src).unwrap();
    kolsim()
        .args(["fit"])
        .arg(&bare)
        .args(["--out"])
        .arg(d.path().join("f2"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--observed"));
}
