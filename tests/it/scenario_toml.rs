//! The typed scenario is the truth: every shipped scenario written back as TOML
//! (`Scenario::to_toml`) loads to the same scenario and simulates to the same results; a
//! scenario built in code writes a full `scenario.toml`; `Scenario::with` patches one value
//! with the errors a file gets.

use crate::common::root;
use kolsim::api::{Options, simulate};
use kolsim::jobs::{FolderOptions, write_run_folder};
use kolsim::models::bass::Bass;
use kolsim::scenario::{self, Arm, InitialAdopters, NamedModel, NetworkSpec, Scenario, Source};

/// `sc` written as TOML and read back from the same folder.
fn round_trip(sc: &Scenario) -> Scenario {
    let text = sc.to_toml();
    scenario::parse(Source {
        path: sc.source.path.clone(),
        text: text.clone(),
    })
    .unwrap_or_else(|e| panic!("{}: written back does not load: {e}\n{text}", sc.name))
}

/// Whether two scenarios hold the same values (spans and source text aside).
fn assert_same(a: &Scenario, b: &Scenario) {
    assert_eq!(a.to_toml(), b.to_toml(), "{}", a.name);
    assert_eq!(a.models.len(), b.models.len());
    for (x, y) in a.models.iter().zip(&b.models) {
        assert_eq!(format!("{:?}", x.model), format!("{:?}", y.model));
        assert_eq!(x.params, y.params);
    }
    assert_eq!(
        format!("{:?}", a.network).replace(char::is_whitespace, ""),
        format!("{:?}", b.network).replace(char::is_whitespace, "")
    );
    assert_eq!(a.observed, b.observed);
    assert_eq!(
        (a.steps, a.replicates, a.seed, &a.baseline, &a.reference_arm),
        (b.steps, b.replicates, b.seed, &b.baseline, &b.reference_arm)
    );
}

#[test]
fn every_shipped_scenario_round_trips() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let sc = scenario::load(&path).unwrap();
        let back = round_trip(&sc);
        assert_same(&sc, &back);
        seen += 1;
    }
    assert!(seen >= 6, "only {seen} scenarios");
}

/// Curves of `sc` with at most 20 replicates.
fn curves(sc: &Scenario) -> String {
    let mut sc = sc.clone();
    sc.replicates = sc.replicates.min(20);
    let res = simulate(&sc, &Options::default()).unwrap();
    format!("{:?}", res.result.curves)
}

#[test]
fn written_back_scenarios_simulate_the_same() {
    for name in ["quickstart", "ckm-layers", "kol-vs-learning"] {
        let sc = scenario::load(&root().join(format!("scenarios/{name}.toml"))).unwrap();
        let back = round_trip(&sc);
        assert_eq!(curves(&sc), curves(&back), "{name}");
    }
}

fn in_code() -> Scenario {
    let bass = NamedModel::new(
        "bass",
        Bass { p: 0.01, q: 0.3 },
        &[("p", "0.01"), ("q", "0.3")],
    );
    let mut sc = Scenario::new(
        "in-code",
        12,
        4,
        NetworkSpec::BarabasiAlbert { n: 200, m: 2 },
        vec![bass],
    );
    sc.kols.size = scenario::KolSize::Count(10);
    sc.kols.weight = 2.5;
    sc.arms = vec![
        Arm::new("kols", InitialAdopters::Kols(5)),
        Arm::new("random", InitialAdopters::Random(5)),
    ];
    sc.reference_arm = "random".into();
    sc
}

#[test]
fn a_scenario_built_in_code_writes_a_full_reloadable_scenario_toml() {
    let sc = in_code();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let res = simulate(&sc, &Options::default()).unwrap();
    let opts = FolderOptions {
        dir: dir.clone(),
        force: false,
        command: vec![],
        curves: None,
        record: false,
        browser: None,
    };
    write_run_folder(&sc, &res, &opts).unwrap();
    let back = scenario::load(&dir.join("scenario.toml")).unwrap();
    assert_same(&sc, &back);
    assert_eq!(curves(&sc), curves(&back));
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("kols"),
        "the manifest quotes the scenario"
    );
}

#[test]
fn with_patches_one_typed_value_and_validates_it() {
    let sc = in_code();
    let p = sc.with("model.bass.q", 0.5).unwrap();
    assert_eq!(
        p.models[0].param("q"),
        Some(&kolsim::models::ParamValue::Num(0.5))
    );
    assert_eq!(
        format!("{:?}", p.models[0].model),
        "Bass { p: 0.01, q: 0.5 }"
    );
    assert_eq!(sc.with("replicates", 7).unwrap().replicates, 7);
    assert_eq!(
        sc.with("network.n", 300).unwrap().network.known_n(),
        Some(300)
    );
    assert_eq!(sc.with("kols.weight", 3).unwrap().kols.weight, 3.0);
    assert!(matches!(
        sc.with("arm.kols.count", 8.0).unwrap().arms[0].adopters,
        InitialAdopters::Kols(8)
    ));
    // The same errors as in a file, named by key.
    let e = sc.with("model.bass.q", 1.5).unwrap_err();
    assert_eq!(e.key, "model[0].q");
    assert!(e.message.contains("outside [0, 1]"), "{e}");
    let e = sc.with("kols.weight", 0.5).unwrap_err();
    assert!(e.message.contains("κ must be in [1"), "{e}");
    let e = sc.with("network.m", 2.5).unwrap_err();
    assert!(e.message.contains("not a whole number"), "{e}");
    let e = sc.with("model.nope.q", 0.1).unwrap_err();
    assert!(e.message.contains("no model named \"nope\""), "{e}");
    let e = sc.with("arm.kols.count", 20).unwrap_err();
    assert!(e.message.contains("more than the 10 KOLs"), "{e}");
    // The original is untouched, and a file-loaded scenario keeps its folder for data paths.
    assert_eq!(sc.replicates, 4);
    let ckm = scenario::load(&root().join("scenarios/ckm-layers.toml")).unwrap();
    let more = ckm.with("kols.share", 0.2).unwrap();
    assert_eq!(more.kols.size, scenario::KolSize::Share(0.2));
    assert_eq!(format!("{:?}", more.network), format!("{:?}", ckm.network));
}

#[test]
fn observed_controls_round_trip() {
    let path = root().join("scenarios/ckm-tetracycline.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "[observed]\n",
        "[observed]\nstrata = \"city_name\"\ncovariates = [\"jours\", \"med_sch_yr\"]\n",
    );
    let sc = scenario::parse(Source { path, text }).unwrap();
    let o = sc.observed.as_ref().expect("[observed]");
    assert_eq!(o.strata.as_deref(), Some("city_name"));
    assert_eq!(o.covariates, ["jours", "med_sch_yr"]);
    assert_same(&sc, &round_trip(&sc));
}

/// Every model kind with its distributions, lists and derived defaults.
const KINDS: &str = r#"name = "kinds"
steps = 3
replicates = 1
[network]
kind = "complete"
n = 5
[[model]]
name = "a"
kind = "threshold"
theta = { dist = "uniform", low = 0.1, high = 0.5 }
[[model]]
name = "b"
kind = "threshold"
theta = { dist = "beta", a = 2, b = 3.5 }
exposure = "count"
p = 0.01
[[model]]
name = "c"
kind = "threshold"
theta = { dist = "normal", mean = 0.3, sd = 0.1 }
[[model]]
name = "d"
kind = "threshold"
theta = { attribute = "t" }
[[model]]
name = "e"
kind = "detailing"
alpha = 0.01
beta = 0.2
gamma = 0.1
decay = 0.5
budget = [10, 0, 5.5]
policy = "by_volume"
volume_attribute = "rx"
[[model]]
name = "f"
kind = "social_learning"
quality = 0.6
u0 = 0.5
signals_per_step = 3
kol_signals_per_step = 7
[[model]]
name = "g"
kind = "structural_equivalence"
q = 0.2
top_k = 4
[[model]]
name = "h"
kind = "independent_cascade"
beta = 0.1
"#;

#[test]
fn a_model_built_in_code_lists_its_own_parameters() {
    // `NamedModel::derived` takes the parameters from the typed model: enough to write a
    // scenario that loads back to the same models, for every model of every shipped scenario
    // and every kind's forms.
    let mut all = vec![
        scenario::parse(Source {
            path: "kinds.toml".into(),
            text: KINDS.into(),
        })
        .unwrap(),
    ];
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            all.push(scenario::load(&path).unwrap());
        }
    }
    let mut kinds = std::collections::BTreeSet::new();
    for sc in all {
        let mut derived = sc.clone();
        for m in &mut derived.models {
            let weight = m.weight;
            *m = NamedModel::derived(&m.name, m.model.clone());
            m.weight = weight;
            kinds.insert(m.model.kind());
        }
        let back = round_trip(&derived);
        for (x, y) in sc.models.iter().zip(&back.models) {
            assert_eq!(
                format!("{:?}", x.model),
                format!("{:?}", y.model),
                "{}",
                sc.name
            );
        }
    }
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    let bass = NamedModel::of("bass", Bass { p: 0.01, q: 0.3 });
    assert_eq!(bass.params, in_code().models[0].params);
}

/// Per-physician thresholds given in code (`Theta::PerNode`) are written as `theta = [..]`,
/// which loads back to the same model and simulates the same; a list whose length is not the
/// number of physicians is refused with the model named, and a value outside [0, 1] is located.
#[test]
fn per_physician_thresholds_round_trip() {
    use kolsim::models::{ExposureKind, Theta, threshold::Threshold};
    let theta: Vec<f64> = (0..200).map(|i| f64::from(i % 7) / 10.0).collect();
    let model = |theta: Vec<f64>| {
        NamedModel::of(
            "per_node",
            Threshold {
                theta: Theta::PerNode(theta),
                p: 0.01,
                exposure: ExposureKind::Share,
            },
        )
    };
    let mut sc = in_code();
    sc.models = vec![model(theta.clone())];
    sc.baseline = "per_node".into();
    let back = round_trip(&sc);
    assert_same(&sc, &back);
    assert!(
        sc.to_toml().contains("theta = [0.0, 0.1, 0.2,"),
        "{}",
        sc.to_toml()
    );
    assert_eq!(curves(&sc), curves(&back));

    sc.models = vec![model(theta[..150].to_vec())];
    let err = simulate(&sc, &Options::default()).unwrap_err().to_string();
    assert!(
        err.contains("per_node") && err.contains("theta lists 150 values but the network has 200"),
        "{err}"
    );
    let text = sc
        .to_toml()
        .replace("theta = [0.0, 0.1,", "theta = [0.0, 1.5,");
    let err = scenario::parse(Source {
        path: "bad.toml".into(),
        text,
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("theta[1] = 1.5 is outside [0, 1]"), "{err}");
}
