//! Scenario files: parsing (serde, in [`raw`]) and validation into a typed [`Scenario`].
//!
//! Every error names the file, line, column and key, the bad value and what is allowed.
//!
//! One file per table: `network.rs` (`[network]`, with `edge_list.rs` for its file kind),
//! `kols.rs` (`[kols]`), `seeding.rs` (`[initial_adopters]` and `[[arm]]`), [`models`]
//! (`[[model]]`), `ids.rs` (node ids and attributes named in the tables); `ctx.rs` holds the
//! helpers that locate errors; `write.rs` writes a scenario back as TOML
//! ([`Scenario::to_toml`]) and `patch.rs` changes one value by its key ([`Scenario::with`]);
//! `values.rs` reads and changes a model's parameters by key ([`Scenario::model_with`]) and
//! `derive.rs` writes a file derived from the user's ([`Scenario::derived_toml`]).
//! This file validates the top-level keys and puts the tables
//! together. The types are re-exported here: `kolsim::scenario::NetworkSpec` and so on.

mod build;
mod ctx;
mod derive;
mod edge_list;
pub use crate::source as error;
mod adopters;
mod ids;
mod kols;
pub mod models;
mod network;
mod observed;
mod patch;
pub mod raw;
mod sweep;
mod time;
mod values;
mod write;

pub use crate::models::ParamValue;
pub use adopters::{Arm, InitialAdopters};
pub(crate) use ctx::Ctx;
pub use derive::{Derived, relative_to};
pub use error::{ScenarioError, Source};
pub use ids::IdList;
pub use kols::{KolRuleSpec, KolSize, KolSpec};
pub use network::{Draw, NetworkSpec};
pub use observed::ObservedSpec;
pub use sweep::{distinct_values, sweep_values};
pub use time::TimeUnit;

use crate::engine::EngineKind;
use crate::models::{Model, Registry};
use raw::{Opt, RawScenario};
use std::path::Path;

/// A model with its name in the scenario.
#[derive(Debug, Clone)]
pub struct NamedModel {
    /// Unique name (defaults to the kind).
    pub name: String,
    /// The configured model.
    pub model: std::sync::Arc<dyn Model>,
    /// Its parameters as given in the `[[model]]` table, typed, `(key, value)` in key order,
    /// without `name` and `kind`: what the report shows and [`Scenario::to_toml`] writes. A
    /// model built in code gets them from the model ([`NamedModel::of`]) or lists them
    /// ([`NamedModel::new`]); a parameter not listed is shown as its default.
    pub params: Vec<(String, ParamValue)>,
    /// `weight`: the model's weight as a theory (`kolsim seed --theories` with a
    /// `fitted.toml`), if given.
    pub weight: Option<f64>,
    /// Where each parameter's value is written in the scenario file, `(key, span)`, and
    /// `("", span)` for the `[[model]]` table itself: a model that refuses a network
    /// ([`crate::models::Model::prepare`]) is located there. Empty for a model built in code.
    pub spans: Vec<(String, std::ops::Range<usize>)>,
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (also the default output folder).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Steps after step 0 (months by default).
    pub steps: u32,
    /// Replicates per model.
    pub replicates: u32,
    /// Master seed.
    pub seed: u64,
    /// Name of the model paired comparisons refer to.
    pub baseline: String,
    /// Engine for sparse networks.
    pub engine: EngineKind,
    /// Network.
    pub network: NetworkSpec,
    /// Network realisations.
    pub draw: Draw,
    /// KOLs.
    pub kols: KolSpec,
    /// Seeding arms (initial-adopter strategies compared on the same replicates); a
    /// scenario without `[[arm]]` has one arm, `default`, from `[initial_adopters]`.
    pub arms: Vec<Arm>,
    /// The arm that arm comparisons (the KOL lift) refer to.
    pub reference_arm: String,
    /// Models, in file order.
    pub models: Vec<NamedModel>,
    /// The `[sweep]` table, if any: `(key path, values)` in key order (the keys are checked
    /// by [`crate::sweep`]).
    pub sweep: Vec<(String, Vec<f64>)>,
    /// The observed launch (`[observed]`), if the scenario declares one.
    pub observed: Option<ObservedSpec>,
    /// What one step is (`time_unit`, default month): for labels only.
    pub time_unit: TimeUnit,
    /// The date of step 0 (`start_date`, `YYYY-MM-DD`), if given: for labels only.
    pub start_date: Option<String>,
    /// `segment`: the node attribute every output is also split by (checked against the
    /// network when it is built, see [`crate::segments`]), with its span.
    pub segment: Option<(String, std::ops::Range<usize>)>,
    /// The source text, for errors found later (spans point into it) and the user's file as
    /// written ([`Scenario::toml_text`]); empty for a scenario built in code.
    pub source: Source,
    /// The model kinds the scenario was parsed with ([`parse_with`]; the built-in ones for
    /// [`parse`] and a scenario built in code): what [`Scenario::with`] and
    /// [`Scenario::model_with`] rebuild models through and the fit compares
    /// ([`Scenario::registry`]).
    registry: std::sync::Arc<Registry>,
}

/// Parses and validates scenario text with the built-in models. `path` is used for messages
/// and to resolve relative file paths.
pub fn parse(src: Source) -> Result<Scenario, ScenarioError> {
    parse_with(src, &Registry::builtin())
}

/// [`parse`] with the model kinds of `registry`.
pub fn parse_with(src: Source, registry: &Registry) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario =
        toml::from_str(&src.text).map_err(|e| ctx::toml_error(&src, &e, &registry.names()))?;
    let cx = Ctx { src: &src };
    models::check_raw(&cx, raw.models.get_ref(), registry)?;
    let name = scenario_name(&cx, &raw.name)?;
    let steps = cx.int_in(&raw.steps, "steps", 1, 100_000, "number of steps (months)")? as u32;
    let replicates = cx.int_in(
        &raw.replicates,
        "replicates",
        1,
        10_000_000,
        "replicates per model",
    )? as u32;
    let seed = match &raw.seed {
        Some(s) => cx.int_in(s, "seed", 0, i64::MAX, "master random seed")? as u64,
        None => 42,
    };
    let engine = cx.one_of(
        &raw.engine,
        "engine",
        &[
            ("event", EngineKind::Event),
            ("reference", EngineKind::Reference),
        ],
        EngineKind::Event,
    )?;
    let (network, draw) = network::parse_network(&cx, &raw.network)?;
    let known_n = network.known_n();
    let kols = kols::parse_kols(&cx, &raw.kols, known_n)?;
    let arms = adopters::parse_arms(&cx, &raw, &kols, known_n)?;
    let reference_arm = reference_arm(&cx, &raw.reference_arm, &arms)?;
    let models = parse_models(&cx, &raw, registry)?;
    let baseline = baseline(&cx, &raw.baseline, &models)?;
    let observed = observed::parse_observed(&cx, &raw.observed)?;
    let time_unit = time::parse_time_unit(&cx, &raw.time_unit)?;
    let start_date = time::parse_start_date(&cx, &raw.start_date)?;
    let sweep = sweep::parse_sweep(&cx, &raw.sweep)?;
    let segment = match &raw.segment {
        Some(s) if s.get_ref().trim().is_empty() => {
            return Err(cx.err(
                s.span(),
                "segment",
                "give the node attribute to split the results by, e.g. segment = \"city\"",
            ));
        }
        Some(s) => Some((s.get_ref().clone(), s.span())),
        None => None,
    };
    Ok(Scenario {
        name,
        description: raw.description,
        steps,
        replicates,
        seed,
        baseline,
        engine,
        network,
        draw,
        kols,
        arms,
        reference_arm,
        models,
        sweep,
        observed,
        time_unit,
        start_date,
        segment,
        source: src,
        registry: std::sync::Arc::new(registry.clone()),
    })
}

impl Scenario {
    /// The model kinds the scenario was parsed with (the built-in ones unless it came from
    /// [`parse_with`] or [`Scenario::with_registry`]).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The scenario with its models' kinds looked up in `registry` from now on (for a scenario
    /// built in code with a model kind of its own: [`Scenario::with`], the fit).
    pub fn with_registry(mut self, registry: Registry) -> Scenario {
        self.registry = std::sync::Arc::new(registry);
        self
    }
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    parse(crate::source::read_source(path)?)
}

/// `name`, usable as a folder name.
fn scenario_name(cx: &Ctx, raw: &toml::Spanned<String>) -> Result<String, ScenarioError> {
    let name = raw.get_ref().trim().to_string();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(cx.err(raw.span(), "name", format!("\"{name}\" is not usable as a folder name (non-empty, no slashes, not starting with '.')")));
    }
    Ok(name)
}

/// `reference_arm`, naming one of `arms`; by default the arm named `random`, else the first.
fn reference_arm(cx: &Ctx, r: &Opt<String>, arms: &[Arm]) -> Result<String, ScenarioError> {
    let Some(r) = r else {
        let arm = arms.iter().find(|a| a.name == "random").unwrap_or(&arms[0]);
        return Ok(arm.name.clone());
    };
    if !arms.iter().any(|a| &a.name == r.get_ref()) {
        let names: Vec<&str> = arms.iter().map(|a| a.name.as_str()).collect();
        return Err(cx.err(
            r.span(),
            "reference_arm",
            format!(
                "\"{}\" names no arm (arms: {})",
                r.get_ref(),
                names.join(", ")
            ),
        ));
    }
    Ok(r.get_ref().clone())
}

/// The `[[model]]` tables, at least one, with unique names.
fn parse_models(
    cx: &Ctx,
    raw: &RawScenario,
    registry: &Registry,
) -> Result<Vec<NamedModel>, ScenarioError> {
    if raw.models.get_ref().is_empty() {
        return Err(cx.err(
            raw.models.span(),
            "model",
            "no models: add at least one [[model]] table",
        ));
    }
    let mut models: Vec<NamedModel> = Vec::new();
    for (k, m) in raw.models.get_ref().iter().enumerate() {
        let nm = models::parse_model(cx, k, m, registry)?;
        if let Some(first) = models.iter().position(|o| o.name == nm.name) {
            let (s, why) = match models::name_span(m.get_ref()) {
                Some(v) => (v, ""),
                None => (
                    m.span(),
                    " (a model without `name` is named after its kind)",
                ),
            };
            return Err(cx.err(
                s,
                &format!("model[{k}].name"),
                format!(
                    "duplicate model name \"{}\", already used by model[{first}]{why}: names must be unique; give each model its own `name`",
                    nm.name
                ),
            ));
        }
        models.push(nm);
    }
    Ok(models)
}

/// `baseline`, naming one of `models`; by default the model named `imitation`, else the
/// first.
fn baseline(cx: &Ctx, b: &Opt<String>, models: &[NamedModel]) -> Result<String, ScenarioError> {
    let Some(b) = b else {
        let m = models
            .iter()
            .find(|m| m.name == "imitation")
            .unwrap_or(&models[0]);
        return Ok(m.name.clone());
    };
    let b_name = b.get_ref().clone();
    if !models.iter().any(|m| m.name == b_name) {
        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
        return Err(cx.err(
            b.span(),
            "baseline",
            format!("\"{b_name}\" names no model (models: {})", names.join(", ")),
        ));
    }
    Ok(b_name)
}
