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
    /// `name`: names the results folder and the report.
    pub name: Spanned<String>,
    /// `description`: free text shown in the report.
    pub description: Option<String>,
    /// `steps`: how many time steps each replicate runs.
    pub steps: Spanned<i64>,
    /// `replicates`: how many independent replicates per model and arm.
    pub replicates: Spanned<i64>,
    /// `seed`: the master random seed (every result depends only on it and the scenario).
    pub seed: Opt<i64>,
    /// `baseline`: the model every other model is compared with.
    pub baseline: Opt<String>,
    /// `engine`: `"event"` (fast, default) or `"reference"`.
    pub engine: Opt<String>,
    /// `[network]`: how the physician network is built or read.
    pub network: Spanned<RawNetwork>,
    /// `[kols]`: how KOLs are chosen.
    pub kols: Option<Spanned<RawKols>>,
    /// `[initial_adopters]`: the one seeding rule when no `[[arm]]` is given.
    pub initial_adopters: Option<Spanned<RawAdopters>>,
    /// `[[arm]]`: seeding strategies compared side by side.
    #[serde(rename = "arm")]
    pub arms: Option<Spanned<Vec<Spanned<RawAdopters>>>>,
    /// `reference_arm`: the arm other arms are compared with.
    pub reference_arm: Opt<String>,
    /// `[sweep]`: parameter grid, `"path" = [values]` or `"path" = "start:stop:step"`.
    pub sweep: Option<Spanned<toml::Table>>,
    /// `[observed]`: the observed launch.
    pub observed: Option<Spanned<RawObserved>>,
    /// `segment`: a node attribute; every output is also split by its values.
    pub segment: Opt<String>,
    /// `time_unit`: what one step is (labels only).
    pub time_unit: Opt<String>,
    /// `start_date`: the date of step 0, `YYYY-MM-DD` (labels only).
    pub start_date: Opt<String>,
    /// `[[model]]`: the adoption theories to run.
    #[serde(rename = "model")]
    pub models: Spanned<Vec<Spanned<RawModel>>>,
}

/// `[network]`: all keys of all kinds; validation checks which apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// `kind`: the generator (`barabasi_albert`, `erdos_renyi`, …) or `edge_list`.
    pub kind: Spanned<String>,
    /// `draw`: `"once"` or `"per_replicate"` for random networks.
    pub draw: Opt<String>,
    /// `n`: number of physicians (generated networks).
    pub n: Opt<i64>,
    /// `m`: arcs per new node (Barabási–Albert).
    pub m: Opt<i64>,
    /// `mean_degree`: expected degree (Erdős–Rényi).
    pub mean_degree: Opt<f64>,
    /// `k`: ring neighbours (Watts–Strogatz).
    pub k: Opt<i64>,
    /// `rewire`: rewiring probability (Watts–Strogatz).
    pub rewire: Opt<f64>,
    /// `sizes`: block sizes (stochastic block model).
    pub sizes: Opt<Vec<Spanned<i64>>>,
    /// `p_in`: within-block arc probability (stochastic block model).
    pub p_in: Opt<f64>,
    /// `p_out`: between-block arc probability (stochastic block model).
    pub p_out: Opt<f64>,
    /// `path`: the edge-list file, relative to the scenario.
    pub path: Opt<String>,
    /// `directed`: whether an edge-list row is one arc (true) or two.
    pub directed: Opt<bool>,
    /// `header`: whether the edge list has a header row.
    pub header: Opt<bool>,
    /// `source`: the column naming who is influenced (by name or 1-based number).
    pub source: Opt<RawColumn>,
    /// `target`: the column naming the influencer.
    pub target: Opt<RawColumn>,
    /// `weight`: the weight column, if any.
    pub weight: Opt<RawColumn>,
    /// `delimiter`: the field separator (default: detected).
    pub delimiter: Opt<String>,
    /// `decimal`: the decimal separator of the network's files, `"."` or `","` (default:
    /// a comma when the delimiter is `;`).
    pub decimal: Opt<String>,
    /// `unknown_ids`: `"error"` or `"drop"` for endpoints absent from the node file.
    pub unknown_ids: Opt<String>,
    /// `missing`: cell values that mean "no value" (e.g. `"NA"`).
    pub missing: Opt<Vec<String>>,
    /// `normalize_ids`: read `2.0` as `2`.
    pub normalize_ids: Opt<bool>,
    /// `[network.nodes]`: the node file (ids and attributes).
    pub nodes: Option<Spanned<RawNodes>>,
    /// `[[network.layer]]`: several edge lists combined into one network.
    #[serde(rename = "layer")]
    pub layers: Opt<Vec<Spanned<RawLayer>>>,
}

/// `[[network.layer]]`: one edge-list file of a multi-layer network.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    /// `name`: the layer's label in validate and the manifest.
    pub name: Opt<String>,
    /// `path`: the layer's edge-list file.
    pub path: Spanned<String>,
    /// `weight`: the factor applied to the layer's arc weights.
    pub weight: Opt<f64>,
}

/// A column by name or 1-based number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawColumn {
    /// A 1-based column number.
    Position(i64),
    /// A header name.
    Name(String),
    /// Several columns (`source` or `target` of a wide survey sheet).
    List(Vec<RawColumn>),
}

/// `[network.nodes]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNodes {
    /// `path`: the node file, relative to the scenario.
    pub path: Spanned<String>,
    /// `id`: the id column (by name or 1-based number).
    pub id: Opt<RawColumn>,
    /// `delimiter`: the field separator (default: detected).
    pub delimiter: Opt<String>,
}

/// A node id as written: integer or string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawId {
    /// An integer id.
    Int(i64),
    /// A text id.
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
    /// `rule`: the ranking (`in_degree`, `pagerank`, `attribute`, `ids`, …).
    pub rule: Opt<String>,
    /// `share`: the fraction of physicians who are KOLs.
    pub share: Opt<f64>,
    /// `count`: the number of KOLs (instead of `share`).
    pub count: Opt<i64>,
    /// `weight`: κ, how much more a KOL's adoption counts.
    pub weight: Opt<f64>,
    /// `attribute`: the node attribute ranked by `rule = "attribute"`.
    pub attribute: Opt<String>,
    /// `ids`: an explicit KOL list.
    pub ids: Opt<Vec<Spanned<RawId>>>,
    /// `path`: a file with one KOL id per line.
    pub path: Opt<String>,
    /// `pivots`: source samples for the betweenness rule.
    pub pivots: Opt<i64>,
    /// `group`: select the top KOLs within each value of this attribute.
    pub group: Opt<String>,
    /// `where`: only physicians whose attributes match these values are eligible.
    #[serde(rename = "where")]
    pub filter: Opt<toml::Table>,
}

/// `[initial_adopters]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdopters {
    /// `name`: the arm's label.
    pub name: Opt<String>,
    /// `strategy`: `none`, `random`, `kols`, `explicit`, `attribute`, `by_volume` or `optimized`.
    pub strategy: Spanned<String>,
    /// `rule`: with `strategy = "kols"`, rank by this rule instead of the KOL rule.
    pub rule: Opt<String>,
    /// `count`: how many physicians are seeded.
    pub count: Opt<i64>,
    /// `attribute`: the node attribute ranked by `strategy = "attribute"` or `"by_volume"`.
    pub attribute: Opt<String>,
    /// `ids`: an explicit list of seeded physicians.
    pub ids: Opt<Vec<Spanned<RawId>>>,
    /// `path`: a file with one seeded id per line.
    pub path: Opt<String>,
    /// `strategy = "optimized"`: the `[[model]]` (by name) the seeds are optimised for.
    pub model: Opt<String>,
    /// `strategy = "optimized"`: the horizon in steps (default: `steps`).
    pub horizon: Opt<i64>,
    /// `group`: `count` applies within each value of this node attribute.
    pub group: Opt<String>,
    /// `where`: only physicians whose attributes match these values may be seeded.
    #[serde(rename = "where")]
    pub filter: Opt<toml::Table>,
}

/// `[[model]]`: `name`, `kind` and the parameters of the kind, each key and value with its
/// span. Which keys exist and what type they have comes from the model registry
/// ([`crate::models::Registry`]); [`super::models`] checks them.
pub type RawModel = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// `[observed]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObserved {
    /// `path`: the observed launch file.
    pub path: Spanned<String>,
    /// `id_column`: the physician id column of a per-physician file.
    pub id_column: Opt<String>,
    /// `time_column`: the adoption step column.
    pub time_column: Opt<String>,
    /// `missing`: values meaning "adoption unknown".
    pub missing: Opt<Vec<String>>,
    /// `marketing`: the marketing series file.
    pub marketing: Opt<String>,
    /// `detailing`: the detailing visits file.
    pub detailing: Opt<String>,
    /// `strata`: the node-file column of the fit's group fixed effects.
    pub strata: Opt<String>,
    /// `covariates`: node-file columns, the fit's physician covariates.
    pub covariates: Opt<Vec<String>>,
}
