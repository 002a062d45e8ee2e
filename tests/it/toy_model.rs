//! A model defined entirely in this file runs through the same registry, scenario parser,
//! realisation and engine as the built-in models, and is fitted exactly by `kolsim fit` from
//! the facts it declares here, without any change to `src/`.

use kolsim::attribution::{Attribute, Channel, Trace};

use crate::common::root;
use kolsim::fit::{self, FitOptions};
use kolsim::models::{
    Default, Design, ExactFit, Exposure, FitParam, Hazard, HazardModel, Kind, Likelihood, Model,
    ModelInfo, Param, ParamTable, ParamValue, Prepared, Registry, Role, Rule, Setting,
};
use kolsim::run::{self, RunOptions};
use kolsim::scenario::{self, ScenarioError, Source};
use std::path::PathBuf;
use std::sync::Arc;

/// `contact`: each adopted in-neighbour's weight adds `q` to the adoption probability,
/// `P = min(1, q·c_i(t-1))`.
#[derive(Debug, Clone, Copy)]
struct Contact {
    q: f64,
}

const INFO: ModelInfo = ModelInfo {
    kind: "contact",
    summary: "P = min(1, q·c_i(t-1))",
    plain: "Physicians adopt in proportion to how many of their advisers prescribe.",
    reference: "tests/it/toy_model.rs",
    params: &[Param {
        name: "q",
        meaning: "adoption probability per unit of adopted in-weight",
        unit: "per step",
        rule: Rule::Prob,
        default: Default::Required,
        what: "contact probability per step",
    }],
};

fn parse(t: &ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError> {
    Ok(Arc::new(Contact { q: t.number("q")? }))
}

/// Its exact fit, with a spontaneous channel `p`: `h = 1 − (1 − p)(1 − min(1, q·c))`.
const FIT: ExactFit = ExactFit {
    boundary_params: 1,
    rough: true,
    ..ExactFit::new(
        "contact",
        "h = p + (1-p)·min(1, q·c)",
        &[FitParam::spontaneous("p"), FitParam::prob("q")],
        Design::Influence,
        |th, x| 1.0 - (1.0 - th[0]) * (1.0 - Contact { q: th[1] }.hazard(x)),
    )
};

const KIND: Kind = Kind::new(&INFO, parse, &[FIT]);

impl Likelihood for Contact {
    fn hazard(&self, x: &Exposure) -> f64 {
        self.prob(0, x.c, x.w)
    }
}

impl Hazard for Contact {
    fn prob(&self, _i: usize, c: f64, _w: f64) -> f64 {
        (self.q * c).min(1.0)
    }
}

impl Model for Contact {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn prepare(&self, _: &Setting<'_>) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(*self))
    }

    fn values(&self) -> Vec<(&'static str, ParamValue)> {
        vec![("q", ParamValue::Num(self.q))]
    }
}

impl HazardModel for Contact {
    type Attributor<'s> = Peers;

    fn attributor(&self) -> Peers {
        Peers
    }
}

struct Peers;

impl Attribute for Peers {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        trace.gather(i, t, false);
        (Channel::Peer, trace.pick(|w| w))
    }
}

fn registry() -> Registry {
    let mut reg = Registry::builtin();
    reg.register(KIND).unwrap();
    reg
}

const SCENARIO: &str = r#"name = "toy"
steps = 12
replicates = 6
seed = 3
[network]
kind = "barabasi_albert"
n = 300
m = 2
[initial_adopters]
strategy = "random"
count = 3
[[model]]
kind = "contact"
q = 1.0
[[model]]
kind = "imitation"
q = 1.0
exposure = "count"
"#;

fn source(text: &str) -> Source {
    Source {
        path: PathBuf::from("toy.toml"),
        text: text.into(),
    }
}

#[test]
fn the_registry_is_open_and_refuses_duplicates() {
    let mut reg = registry();
    assert!(reg.names().contains(&"contact"));
    assert!(reg.register(KIND).is_err(), "kind registered twice");
    assert!(reg.describe().contains("contact\n  P = min(1, q·c_i(t-1))"));
}

#[test]
fn unknown_kinds_are_errors_listing_the_known_kinds() {
    let err = scenario::parse(source(SCENARIO)).unwrap_err();
    assert_eq!(err.key, "model[0].kind");
    assert!(
        err.message
            .contains("unknown model kind \"contact\" (allowed: imitation, bass,"),
        "{err}"
    );
    assert!(!err.message.contains(", contact"), "{err}");
    // With the toy registered, its kind is listed.
    let text = SCENARIO.replace("kind = \"contact\"", "kind = \"kontact\"");
    let err = scenario::parse_with(source(&text), &registry()).unwrap_err();
    assert!(
        err.message.contains("structural_equivalence, contact;"),
        "{err}"
    );
}

#[test]
fn the_toy_parameters_are_validated_from_their_declaration() {
    let reg = registry();
    let bad = SCENARIO.replacen("q = 1.0", "q = 1.5", 1);
    let err = scenario::parse_with(source(&bad), &reg).unwrap_err();
    assert_eq!(err.key, "model[0].q");
    assert_eq!(
        err.message,
        "1.5 is outside [0, 1] (contact probability per step)"
    );
    let missing = SCENARIO.replacen("q = 1.0\n", "", 1);
    let err = scenario::parse_with(source(&missing), &reg).unwrap_err();
    assert_eq!(err.key, "model[0].q");
    assert!(
        err.message
            .contains("missing required key `q` (contact probability per step; needed by model kind \"contact\")"),
        "{err}"
    );
    let unknown = SCENARIO.replacen("q = 1.0\n", "q = 1.0\nspeed = 2\n", 1);
    let err = scenario::parse_with(source(&unknown), &reg).unwrap_err();
    assert_eq!(err.key, "model[0].speed");
    assert!(
        err.message
            .contains("unknown field `speed`, expected one of `name`, `kind`, `q`"),
        "{err}"
    );
    let other = SCENARIO.replacen("q = 1.0\n", "q = 1.0\ntop_k = 2\n", 1);
    let err = scenario::parse_with(source(&other), &reg).unwrap_err();
    assert!(
        err.message
            .contains("`top_k` is not a parameter of model kind \"contact\" (its parameters: q)"),
        "{err}"
    );
}

#[test]
fn the_toy_runs_through_the_same_engine_and_recorder() {
    let sc = scenario::parse_with(source(SCENARIO), &registry()).unwrap();
    assert_eq!(sc.models[0].model.kind(), "contact");
    let ids: Vec<u64> = (0..6).collect();
    let opts = RunOptions {
        threads: 2,
        record: true,
    };
    let res = run::run(&sc, &ids, opts, &|| {}).unwrap();
    // With q = 1 both rules make every exposed physician adopt in the next step: the same
    // deterministic process, on the same networks and seeds.
    assert_eq!(res.curves[0][0], res.curves[0][1]);
    assert!(res.curves[0][0].iter().all(|c| c.new_adopters[0] == 3));
    assert!(res.curves[0][0].iter().any(|c| c.adopters()[12] > 3));
    for (recs, curve) in res.records[0][0].iter().zip(&res.curves[0][0]) {
        assert_eq!(recs.len() as u32, *curve.adopters().last().unwrap());
        assert!(
            recs.iter()
                .all(|r| (r.step == 0) == (r.channel == Channel::Initial))
        );
        assert!(
            recs.iter()
                .filter(|r| r.step > 0)
                .all(|r| r.channel == Channel::Peer && r.influencer.is_some())
        );
    }
}

/// The shipped CKM scenario read with the toy registered.
fn ckm_with_contact() -> kolsim::scenario::Scenario {
    let path = root().join("scenarios/ckm-tetracycline.toml");
    let src = kolsim::source::read_source(&path).unwrap();
    scenario::parse_with(src, &registry()).unwrap()
}

/// A kind a program registers is fitted exactly through the registry its scenario was parsed
/// with, from the facts it declares (its `ExactFit`), ranked and tested against the same null
/// as the built-in models; a scenario read with the built-in registry does not compare it.
#[test]
fn a_registered_kind_is_fitted_through_the_scenario_registry() {
    let observed = root().join("scenarios/data/ckm/observed.csv");
    let opts = FitOptions {
        permutations: 0,
        sim_replicates: 4,
        ..FitOptions::default()
    };
    let sc = ckm_with_contact();
    let res = kolsim::api::fit(&sc, observed.as_path(), &opts).unwrap();
    let models = &res.report.models;
    let m = models.iter().find(|m| m.name == "contact").expect("fitted");
    let c = m.candidate.expect("an exact fit");
    assert_eq!((c.kind(), c.fit().role), ("contact", Role::Compared));
    let names: Vec<&str> = m.params.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["p", "q"]);
    assert!(m.loglik.is_finite() && m.aic.is_finite());
    let null = fit::models::Candidate::null().name();
    assert_eq!(m.lr.as_ref().expect("LR test").against, null);
    let pe = models.iter().find(|m| m.name == "contact+period").unwrap();
    assert_eq!(pe.lr.as_ref().unwrap().against, "period_effects");
    // The built-in models are fitted as without the toy, to the bit.
    let builtin = scenario::load(&root().join("scenarios/ckm-tetracycline.toml")).unwrap();
    let prep = fit::prepare(&builtin, observed.as_path(), &opts).unwrap();
    let alone = fit::fit_models(&prep, &opts);
    assert!(alone.models.iter().all(|m| !m.name.starts_with("contact")));
    for a in &alone.models {
        let b = models.iter().find(|b| b.name == a.name).unwrap();
        assert_eq!(a.loglik.to_bits(), b.loglik.to_bits(), "{}", a.name);
    }
}

/// A scenario keeps the registry it was parsed with: patching a value, changing a model's
/// numbers and fitting all see the toy kind.
#[test]
fn a_scenario_keeps_its_registry_through_with_and_model_with() {
    let sc = scenario::parse_with(source(SCENARIO), &registry()).unwrap();
    assert!(sc.registry().get("contact").is_some());
    let more = sc.with("replicates", 7).unwrap();
    assert_eq!(
        (more.replicates, more.models[0].model.kind()),
        (7, "contact")
    );
    let q = sc.with("model.contact.q", 0.5).unwrap();
    assert_eq!(q.models[0].number("q"), Some(0.5));
    assert_eq!(
        sc.model_with(0, &[("q", 0.25)]).unwrap().number("q"),
        Some(0.25)
    );
    // Built in code: the built-in kinds, unless given others.
    let code = scenario::Scenario::new(
        "in-code",
        4,
        2,
        kolsim::scenario::NetworkSpec::Complete { n: 20 },
        vec![kolsim::scenario::NamedModel::of(
            "contact",
            Contact { q: 0.1 },
        )],
    );
    assert!(
        code.with("replicates", 3).is_err(),
        "contact is not built in"
    );
    let code = code.with_registry(registry());
    assert_eq!(code.with("replicates", 3).unwrap().replicates, 3);
}

/// A `[[model]]` without `kind` is told the kinds of the registry it is parsed with.
#[test]
fn a_missing_kind_lists_the_registry_kinds() {
    let text = SCENARIO.replacen("kind = \"contact\"\n", "", 1);
    let err = scenario::parse_with(source(&text), &registry()).unwrap_err();
    assert!(err.message.contains("missing required key `kind`"), "{err}");
    assert!(err.message.contains(", contact)"), "{err}");
    let err = scenario::parse(source(&text)).unwrap_err();
    assert!(!err.message.contains("contact"), "{err}");
}

/// One null: a kind that declares another baseline is refused.
#[test]
fn a_second_null_is_refused() {
    const NULL: ExactFit = ExactFit {
        role: Role::Null,
        ..FIT
    };
    const OTHER: Kind = Kind::new(&INFO, parse, &[NULL]);
    let err = Registry::builtin().register(OTHER).map(|_| ()).unwrap_err();
    assert!(err.contains("declares a null fit `contact`"), "{err}");
    assert!(Registry::empty().register(OTHER).is_err());
}

/// A sweep's points are the scenario re-read with the registry it was parsed with: every
/// point keeps the toy kind and runs it (with the built-in registry they would be refused as
/// an unknown kind).
#[test]
fn a_sweep_keeps_the_scenario_registry() {
    use kolsim::api::{Options, run_sweep, sweep_grid};
    let sc = scenario::parse_with(source(SCENARIO), &registry()).unwrap();
    let set = kolsim::sweep::parse_set("model.contact.q=0.05,0.1").unwrap();
    let grid = sweep_grid(&sc, vec![set]).unwrap();
    assert_eq!(grid.len(), 2);
    let res = run_sweep(&sc, grid, &Options::default()).unwrap();
    let csv = res.csv();
    assert!(
        csv.lines().filter(|l| l.contains("contact")).count() >= 2,
        "{csv}"
    );
}
