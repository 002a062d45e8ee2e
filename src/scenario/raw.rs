//! The scenario file as parsed by serde, before validation. Every value keeps its byte span
//! so that validation errors can point at it.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `Option<Spanned<T>>`, the shape of every optional key.
pub type Opt<T> = Option<Spanned<T>>;

/// Top level of a scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub steps: Spanned<i64>,
    pub replicates: Spanned<i64>,
    pub seed: Opt<i64>,
    pub baseline: Opt<String>,
    pub engine: Opt<String>,
    pub network: Spanned<RawNetwork>,
    pub kols: Option<Spanned<RawKols>>,
    pub initial_adopters: Option<Spanned<RawSeeding>>,
    #[serde(rename = "arm")]
    pub arms: Option<Spanned<Vec<Spanned<RawSeeding>>>>,
    pub reference_arm: Opt<String>,
    /// `[sweep]`: parameter grid, `"path" = [values]` or `"path" = "start:stop:step"`.
    pub sweep: Option<Spanned<toml::Table>>,
    /// `[observed]`: the observed launch.
    pub observed: Option<Spanned<super::observed::RawObserved>>,
    /// `time_unit`: what one step is (labels only).
    pub time_unit: Opt<String>,
    /// `start_date`: the date of step 0, `YYYY-MM-DD` (labels only).
    pub start_date: Opt<String>,
    #[serde(rename = "model")]
    pub models: Spanned<Vec<Spanned<RawModel>>>,
}

/// `[network]`: all keys of all kinds; validation checks which apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub kind: Spanned<String>,
    pub draw: Opt<String>,
    pub n: Opt<i64>,
    pub m: Opt<i64>,
    pub mean_degree: Opt<f64>,
    pub k: Opt<i64>,
    pub rewire: Opt<f64>,
    pub sizes: Opt<Vec<Spanned<i64>>>,
    pub p_in: Opt<f64>,
    pub p_out: Opt<f64>,
    pub path: Opt<String>,
    pub directed: Opt<bool>,
    pub header: Opt<bool>,
    pub source: Opt<RawColumn>,
    pub target: Opt<RawColumn>,
    pub weight: Opt<RawColumn>,
    pub delimiter: Opt<String>,
    pub unknown_ids: Opt<String>,
    pub missing: Opt<Vec<String>>,
    pub normalize_ids: Opt<bool>,
    pub nodes: Option<Spanned<RawNodes>>,
    #[serde(rename = "layer")]
    pub layers: Opt<Vec<Spanned<RawLayer>>>,
}

/// `[[network.layer]]`: one edge-list file of a multi-layer network.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    pub name: Opt<String>,
    pub path: Spanned<String>,
    pub weight: Opt<f64>,
}

/// A column by name or 1-based number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawColumn {
    Position(i64),
    Name(String),
}

/// `[network.nodes]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNodes {
    pub path: Spanned<String>,
    pub id: Opt<RawColumn>,
    pub delimiter: Opt<String>,
}

/// A node id as written: integer or string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawId {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for RawId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawId::Int(i) => write!(f, "{i}"),
            RawId::Text(s) => write!(f, "{s}"),
        }
    }
}

/// `[kols]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKols {
    pub rule: Opt<String>,
    pub share: Opt<f64>,
    pub count: Opt<i64>,
    pub weight: Opt<f64>,
    pub attribute: Opt<String>,
    pub ids: Opt<Vec<Spanned<RawId>>>,
    pub path: Opt<String>,
    pub pivots: Opt<i64>,
    pub group: Opt<String>,
    #[serde(rename = "where")]
    pub filter: Opt<toml::Table>,
}

/// `[initial_adopters]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeeding {
    pub name: Opt<String>,
    pub strategy: Spanned<String>,
    pub rule: Opt<String>,
    pub count: Opt<i64>,
    pub attribute: Opt<String>,
    pub ids: Opt<Vec<Spanned<RawId>>>,
    pub path: Opt<String>,
    /// `strategy = "optimized"`: the `[[model]]` (by name) the seeds are optimised for.
    pub model: Opt<String>,
    /// `strategy = "optimized"`: the horizon in steps (default: `steps`).
    pub horizon: Opt<i64>,
    /// `strategy = "kols"`: `count` applies within each value of this node attribute.
    pub group: Opt<String>,
}

/// `[[model]]`: `name`, `kind` and the parameters of the kind, each key and value with its
/// span. Which keys exist and what type they have comes from the model registry
/// ([`crate::models::Registry`]); [`super::models`] checks them.
pub type RawModel = BTreeMap<Spanned<String>, Spanned<toml::Value>>;
