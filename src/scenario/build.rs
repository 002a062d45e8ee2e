//! Building a [`Scenario`] in code, without scenario text: the defaults a scenario file gets
//! for the tables and keys it leaves out.

use super::{Arm, InitialAdopters, KolRuleSpec, KolSize, KolSpec, NamedModel, Scenario, Source};
use super::{Draw, NetworkSpec, ParamValue, TimeUnit};
use crate::engine::EngineKind;
use crate::kols::KolRule;
use crate::models::Model;
use std::sync::Arc;

impl KolSpec {
    /// No KOLs (a scenario without `[kols]`): rule `in_degree`, count 0, weight κ = 1.
    pub fn none() -> KolSpec {
        KolSpec {
            rule: KolRuleSpec::Ranked(KolRule::InDegree),
            size: KolSize::Count(0),
            weight: 1.0,
            group: None,
            filter: Vec::new(),
        }
    }
}

impl Arm {
    /// An arm named `name` seeding by `seeding`, without `group` or `where`.
    pub fn new(name: &str, seeding: InitialAdopters) -> Arm {
        Arm {
            name: name.to_string(),
            adopters: seeding,
            span: None,
            group: None,
            filter: Vec::new(),
        }
    }
}

impl NamedModel {
    /// `model` named `name`; `params` are its parameter values written as TOML values
    /// (`(key, value)`, e.g. `("q", "0.25")`; a text that is no TOML value is kept as a
    /// string), read into typed values: the report shows them and [`Scenario::to_toml`] writes
    /// them, so list every parameter not at its default ([`NamedModel::of`] takes them from
    /// the model instead).
    ///
    /// ```
    /// use kolsim::models::bass::Bass;
    /// use kolsim::scenario::NamedModel;
    /// let m = NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")]);
    /// assert_eq!(m.model.kind(), "bass");
    /// ```
    pub fn new(name: &str, model: impl Model + 'static, params: &[(&str, &str)]) -> NamedModel {
        let mut params: Vec<(String, ParamValue)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), super::models::param_text(v)))
            .collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        NamedModel {
            name: name.to_string(),
            model: Arc::new(model),
            params,
            weight: None,
            spans: Vec::new(),
        }
    }

    /// `model` named `name`, its parameters given once, in the model: the report shows them
    /// and [`Scenario::to_toml`] writes them as the model lists them ([`Model::values`]), those
    /// at their declared default left out.
    ///
    /// ```
    /// use kolsim::models::{ExposureKind, Imitation};
    /// use kolsim::scenario::NamedModel;
    /// let m = NamedModel::of("im", Imitation { q: 0.3, exposure: ExposureKind::Share });
    /// // `exposure = "share"` is the default
    /// assert_eq!(m.params, [("q".to_string(), kolsim::models::ParamValue::Num(0.3))]);
    /// assert_eq!(m.number("q"), Some(0.3));
    /// ```
    pub fn of(name: &str, model: impl Model + 'static) -> NamedModel {
        NamedModel::derived(name, Arc::new(model))
    }

    /// [`NamedModel::of`] for a model already shared.
    pub fn derived(name: &str, model: Arc<dyn Model>) -> NamedModel {
        let info = model.info();
        let mut params: Vec<(String, ParamValue)> = model
            .values()
            .into_iter()
            .filter(|(k, v)| !info.param(k).is_some_and(|p| p.is_default(v)))
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        NamedModel {
            name: name.to_string(),
            model,
            params,
            weight: None,
            spans: Vec::new(),
        }
    }
}

impl Scenario {
    /// A scenario built in code, with the defaults of a scenario file that gives only `name`,
    /// `steps`, `replicates`, `[network]` and `[[model]]` tables: seed 42, the first model as
    /// baseline, the event engine, networks redrawn per replicate, no KOLs (see
    /// [`KolSpec::none`]), one arm `default` without initial adopters, months, no sweep,
    /// observed launch or segments. Set the public fields (or use [`Scenario::with`]) to change
    /// the rest. It has no source text: its `scenario.toml` and the manifest's copy are
    /// [`Scenario::to_toml`].
    ///
    /// ```
    /// use kolsim::models::ExposureKind;
    /// use kolsim::models::imitation::Imitation;
    /// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
    /// let model = Imitation { q: 0.3, exposure: ExposureKind::Share };
    /// let sc = Scenario::new(
    ///     "in-code",
    ///     24,
    ///     10,
    ///     NetworkSpec::ErdosRenyi { n: 500, mean_degree: 6.0 },
    ///     vec![NamedModel::new("imitation", model, &[("q", "0.3")])],
    /// );
    /// assert_eq!(sc.baseline, "imitation");
    /// assert_eq!(sc.arms[0].name, "default");
    /// ```
    pub fn new(
        name: &str,
        steps: u32,
        replicates: u32,
        network: NetworkSpec,
        models: Vec<NamedModel>,
    ) -> Scenario {
        Scenario {
            name: name.to_string(),
            description: None,
            steps,
            replicates,
            seed: 42,
            baseline: models.first().map(|m| m.name.clone()).unwrap_or_default(),
            engine: EngineKind::Event,
            network,
            draw: Draw::PerReplicate,
            kols: KolSpec::none(),
            arms: vec![Arm::new("default", InitialAdopters::None)],
            reference_arm: "default".into(),
            models,
            sweep: Vec::new(),
            observed: None,
            time_unit: TimeUnit::Month,
            start_date: None,
            segment: None,
            source: Source {
                path: format!("<{name}, built in code>").into(),
                text: String::new(),
            },
            registry: std::sync::Arc::new(crate::models::Registry::builtin()),
        }
    }
}
