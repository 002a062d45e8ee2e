//! Scenario files: parsing (serde, in [`raw`]) and validation into a typed [`Scenario`].
//!
//! Every error names the file, line, column and key, the bad value and what is allowed.

pub mod error;
pub mod models;
pub mod raw;

pub use error::{ScenarioError, Source};

use crate::engine::EngineKind;
use crate::models::ModelKind;
use crate::network::edge_list::{Column, EdgeListSpec, NodeFileSpec};
use crate::network::{Attribute, MAX_NODES, Network};
use raw::{Opt, RawColumn, RawId, RawKols, RawNetwork, RawScenario, RawSeeding};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// How a network is generated.
#[derive(Debug, Clone)]
pub enum NetworkSpec {
    /// Everyone listens to everyone.
    Complete {
        /// Physicians.
        n: usize,
    },
    /// `G(n, p)` with the given mean degree.
    ErdosRenyi {
        /// Physicians.
        n: usize,
        /// Expected ties per physician.
        mean_degree: f64,
    },
    /// Preferential attachment.
    BarabasiAlbert {
        /// Physicians.
        n: usize,
        /// Ties per new physician.
        m: usize,
    },
    /// Small world.
    WattsStrogatz {
        /// Physicians.
        n: usize,
        /// Ring neighbours (even).
        k: usize,
        /// Rewiring probability.
        rewire: f64,
    },
    /// Clustered in blocks (hospitals, regions).
    StochasticBlock {
        /// Block sizes.
        sizes: Vec<usize>,
        /// Tie probability within a block.
        p_in: f64,
        /// Tie probability between blocks.
        p_out: f64,
    },
    /// Read from files.
    EdgeList(EdgeListSpec),
}

impl NetworkSpec {
    /// The `kind` string.
    pub fn kind(&self) -> &'static str {
        match self {
            NetworkSpec::Complete { .. } => "complete",
            NetworkSpec::ErdosRenyi { .. } => "erdos_renyi",
            NetworkSpec::BarabasiAlbert { .. } => "barabasi_albert",
            NetworkSpec::WattsStrogatz { .. } => "watts_strogatz",
            NetworkSpec::StochasticBlock { .. } => "stochastic_block",
            NetworkSpec::EdgeList(_) => "edge_list",
        }
    }

    /// Whether building it consumes randomness (so it is redrawn per replicate by default).
    pub fn is_random(&self) -> bool {
        !matches!(
            self,
            NetworkSpec::Complete { .. } | NetworkSpec::EdgeList(_)
        )
    }

    /// Number of physicians when known without reading files.
    pub fn known_n(&self) -> Option<usize> {
        match self {
            NetworkSpec::Complete { n }
            | NetworkSpec::ErdosRenyi { n, .. }
            | NetworkSpec::BarabasiAlbert { n, .. }
            | NetworkSpec::WattsStrogatz { n, .. } => Some(*n),
            NetworkSpec::StochasticBlock { sizes, .. } => Some(sizes.iter().sum()),
            NetworkSpec::EdgeList(_) => None,
        }
    }
}

/// Whether random networks are drawn anew for each replicate or once for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Draw {
    /// Replicate `r` draws its own network from its own stream (default).
    PerReplicate,
    /// One network (stream 0) for all replicates: a fixed population, replicates vary the
    /// dynamics and the random seeding only.
    Once,
}

/// A list of node ids to be resolved against the network.
#[derive(Debug, Clone)]
pub struct IdList {
    /// The ids as written.
    pub ids: Vec<String>,
    /// Key path, for errors.
    pub key: String,
    /// Span of the list (or of the `path` key), for errors.
    pub span: Range<usize>,
    /// Span of each id when listed inline (empty when read from a file), for errors.
    pub spans: Vec<Range<usize>>,
}

impl KolRuleSpec {
    /// The rule's name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            KolRuleSpec::Ranked(r) => r.name(),
            KolRuleSpec::Attribute(..) => "attribute",
            KolRuleSpec::Explicit(_) => "explicit",
        }
    }
}

/// How KOLs are ranked.
#[derive(Debug, Clone)]
pub enum KolRuleSpec {
    /// A ranking computed from the network.
    Ranked(crate::kols::KolRule),
    /// A numeric node attribute (checked against the network).
    Attribute(String, Range<usize>),
    /// Listed ids.
    Explicit(IdList),
}

/// How many KOLs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KolSize {
    /// A share of the physicians, rounded to the nearest whole number.
    Share(f64),
    /// A number.
    Count(usize),
    /// All listed (explicit rule).
    All,
}

impl KolSize {
    /// The number of KOLs in a network of `n` physicians.
    pub fn count(&self, n: usize) -> usize {
        match self {
            KolSize::Share(s) => ((s * n as f64).round() as usize).min(n),
            KolSize::Count(c) => (*c).min(n),
            KolSize::All => n,
        }
    }
}

/// `[kols]`, validated.
#[derive(Debug, Clone)]
pub struct KolSpec {
    /// Ranking rule.
    pub rule: KolRuleSpec,
    /// How many.
    pub size: KolSize,
    /// κ: multiplier on arcs leaving a KOL.
    pub weight: f32,
}

/// `[initial_adopters]`, validated.
#[derive(Debug, Clone)]
pub enum SeedingSpec {
    /// Nobody.
    None,
    /// At random.
    Random(usize),
    /// The top KOLs.
    Kols(usize),
    /// The top physicians by another ranking rule (`strategy = "kols"` with `rule`), e.g. to
    /// compare KOL identification rules as arms.
    TopBy(crate::kols::KolRule, usize),
    /// Listed ids.
    Explicit(IdList),
    /// Highest values of an attribute.
    Attribute(String, usize, Range<usize>),
}

/// A seeding arm: a named initial-adopter strategy.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Unique name.
    pub name: String,
    /// How its initial adopters are chosen.
    pub seeding: SeedingSpec,
}

fn parse_arms(
    cx: &Ctx,
    raw: &RawScenario,
    kols: &KolSpec,
    known_n: Option<usize>,
) -> Result<Vec<Arm>, ScenarioError> {
    let Some(list) = &raw.arms else {
        let seeding = match &raw.initial_adopters {
            Some(s) => {
                if let Some(n) = &s.get_ref().name {
                    return Err(cx.err(
                        n.span(),
                        "initial_adopters.name",
                        "[initial_adopters] takes no name; use [[arm]] tables to compare named seeding strategies",
                    ));
                }
                parse_seeding(cx, s, "initial_adopters", kols, known_n)?
            }
            None => SeedingSpec::None,
        };
        return Ok(vec![Arm {
            name: "default".into(),
            seeding,
        }]);
    };
    if let Some(s) = &raw.initial_adopters {
        return Err(cx.err(
            s.span(),
            "initial_adopters",
            "give either [initial_adopters] or [[arm]] tables, not both",
        ));
    }
    if list.get_ref().is_empty() {
        return Err(cx.err(
            list.span(),
            "arm",
            "no arms: add at least one [[arm]] table",
        ));
    }
    let mut arms: Vec<Arm> = Vec::new();
    for (k, a) in list.get_ref().iter().enumerate() {
        let table = format!("arm[{k}]");
        let seeding = parse_seeding(cx, a, &table, kols, known_n)?;
        let name = match &a.get_ref().name {
            Some(n) => {
                let v = n.get_ref().trim().to_string();
                if v.is_empty() || v.contains([',', '"', '\n']) {
                    return Err(cx.err(
                        n.span(),
                        &format!("{table}.name"),
                        format!(
                            "\"{v}\" is not a usable arm name (non-empty, no commas or quotes)"
                        ),
                    ));
                }
                if arms.iter().any(|o| o.name == v) {
                    return Err(cx.err(
                        n.span(),
                        &format!("{table}.name"),
                        format!("duplicate arm name \"{v}\": names must be unique"),
                    ));
                }
                v
            }
            None => {
                return Err(cx.missing(
                    a.span(),
                    &format!("{table}.name"),
                    "a name for the arm, e.g. \"kols\"",
                ));
            }
        };
        arms.push(Arm { name, seeding });
    }
    Ok(arms)
}

/// A model with its name in the scenario.
#[derive(Debug, Clone)]
pub struct NamedModel {
    /// Unique name (defaults to the kind).
    pub name: String,
    /// The configured model.
    pub model: ModelKind,
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
    /// The `[sweep]` table, if any: `(key path, values as written)`, checked by
    /// [`crate::sweep`].
    pub sweep: Vec<(String, toml::Value)>,
    /// The source text, for errors found later and for the run folder's copy.
    pub source: Source,
}

/// Allowed keys per network kind (besides `kind` and `draw`).
const NETWORK_KEYS: &[(&str, &[&str])] = &[
    ("complete", &["n"]),
    ("erdos_renyi", &["n", "mean_degree"]),
    ("barabasi_albert", &["n", "m"]),
    ("watts_strogatz", &["n", "k", "rewire"]),
    ("stochastic_block", &["sizes", "p_in", "p_out"]),
    (
        "edge_list",
        &[
            "path", "directed", "header", "source", "target", "weight", "nodes",
        ],
    ),
];

/// Validation context: the source plus helpers that turn spans into errors.
pub(crate) struct Ctx<'a> {
    pub src: &'a Source,
}

impl Ctx<'_> {
    pub fn err(&self, span: Range<usize>, key: &str, msg: impl Into<String>) -> ScenarioError {
        self.src.error(Some(span), key, msg)
    }

    pub fn missing(&self, table: Range<usize>, key: &str, why: &str) -> ScenarioError {
        let field = key.rsplit('.').next().unwrap_or(key);
        self.src.error(
            Some(table),
            key,
            format!("missing required key `{field}` ({why})"),
        )
    }

    pub fn prob(&self, v: &Spanned<f64>, key: &str, what: &str) -> Result<f64, ScenarioError> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(self.err(v.span(), key, format!("{x} is outside [0, 1] ({what})")))
        }
    }

    pub fn int_in(
        &self,
        v: &Spanned<i64>,
        key: &str,
        lo: i64,
        hi: i64,
        what: &str,
    ) -> Result<i64, ScenarioError> {
        let x = *v.get_ref();
        if x < lo {
            Err(self.err(
                v.span(),
                key,
                format!("{x} is too small: must be at least {lo} ({what})"),
            ))
        } else if x > hi {
            Err(self.err(
                v.span(),
                key,
                format!("{x} is too large: must be at most {hi} ({what})"),
            ))
        } else {
            Ok(x)
        }
    }

    fn path(&self, v: &Spanned<String>) -> PathBuf {
        let base = self.src.path.parent().unwrap_or(Path::new("."));
        base.join(v.get_ref())
    }

    /// Resolves a data-file path and checks that the file exists, so that a wrong path is
    /// reported at its key in the scenario.
    fn data_file(
        &self,
        v: &Spanned<String>,
        key: &str,
        what: &str,
    ) -> Result<PathBuf, ScenarioError> {
        let p = self.path(v);
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => Err(self.err(
                v.span(),
                key,
                format!("\"{}\" is a folder, not {what} ({})", v.get_ref(), p.display()),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(self.err(
                v.span(),
                key,
                format!(
                    "{what} \"{}\" not found: no file {} (relative paths are resolved against the scenario's folder)",
                    v.get_ref(),
                    p.display()
                ),
            )),
            _ => Ok(p),
        }
    }
}

fn column(c: &RawColumn) -> Column {
    match c {
        RawColumn::Position(p) => Column::Position((*p).max(0) as usize),
        RawColumn::Name(s) => Column::Name(s.clone()),
    }
}

fn parse_network(
    cx: &Ctx,
    net: &Spanned<RawNetwork>,
) -> Result<(NetworkSpec, Draw), ScenarioError> {
    let span = net.span();
    let r = net.get_ref();
    let kind = r.kind.get_ref().as_str();
    let allowed = NETWORK_KEYS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, keys)| *keys)
        .ok_or_else(|| {
            let kinds: Vec<&str> = NETWORK_KEYS.iter().map(|(k, _)| *k).collect();
            cx.err(
                r.kind.span(),
                "network.kind",
                format!(
                    "unknown network kind \"{kind}\" (allowed: {})",
                    kinds.join(", ")
                ),
            )
        })?;
    // Keys that are set but do not apply to this kind.
    let spans: [(&str, Option<Range<usize>>); 14] = [
        ("n", r.n.as_ref().map(|v| v.span())),
        ("m", r.m.as_ref().map(|v| v.span())),
        ("mean_degree", r.mean_degree.as_ref().map(|v| v.span())),
        ("k", r.k.as_ref().map(|v| v.span())),
        ("rewire", r.rewire.as_ref().map(|v| v.span())),
        ("sizes", r.sizes.as_ref().map(|v| v.span())),
        ("p_in", r.p_in.as_ref().map(|v| v.span())),
        ("p_out", r.p_out.as_ref().map(|v| v.span())),
        ("path", r.path.as_ref().map(|v| v.span())),
        ("directed", r.directed.as_ref().map(|v| v.span())),
        ("header", r.header.as_ref().map(|v| v.span())),
        ("source", r.source.as_ref().map(|v| v.span())),
        ("target", r.target.as_ref().map(|v| v.span())),
        ("weight", r.weight.as_ref().map(|v| v.span())),
    ];
    for (key, s) in spans.iter() {
        if let Some(s) = s
            && !allowed.contains(key)
        {
            let written = cx.src.written(s.clone());
            return Err(cx.err(
                s.clone(),
                &format!("network.{key}"),
                format!(
                    "`{key} = {written}` does not apply to network kind \"{kind}\" (its keys: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    if let Some(nodes) = &r.nodes
        && kind != "edge_list"
    {
        return Err(cx.err(
            nodes.span(),
            "network.nodes",
            "node files apply to kind \"edge_list\" only",
        ));
    }
    let req_i =
        |v: &Opt<i64>, key: &str, lo: i64, hi: i64, what: &str| -> Result<i64, ScenarioError> {
            match v {
                Some(v) => cx.int_in(v, &format!("network.{key}"), lo, hi, what),
                None => Err(cx.missing(
                    span.clone(),
                    &format!("network.{key}"),
                    &format!("{what}; needed by kind \"{kind}\""),
                )),
            }
        };
    let req_p = |v: &Opt<f64>, key: &str, what: &str| -> Result<f64, ScenarioError> {
        match v {
            Some(v) => cx.prob(v, &format!("network.{key}"), what),
            None => Err(cx.missing(
                span.clone(),
                &format!("network.{key}"),
                &format!("{what}; needed by kind \"{kind}\""),
            )),
        }
    };
    let max_n = MAX_NODES as i64;
    let spec = match kind {
        "complete" => NetworkSpec::Complete {
            n: req_i(&r.n, "n", 2, max_n, "number of physicians")? as usize,
        },
        "erdos_renyi" => {
            let n = req_i(&r.n, "n", 2, max_n, "number of physicians")? as usize;
            let md = r.mean_degree.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    "network.mean_degree",
                    "expected ties per physician",
                )
            })?;
            let x = *md.get_ref();
            if !(x >= 0.0 && x <= (n - 1) as f64) {
                return Err(cx.err(
                    md.span(),
                    "network.mean_degree",
                    format!(
                        "{x} is outside [0, n - 1 = {}] (expected ties per physician)",
                        n - 1
                    ),
                ));
            }
            NetworkSpec::ErdosRenyi { n, mean_degree: x }
        }
        "barabasi_albert" => {
            let n = req_i(&r.n, "n", 2, max_n, "number of physicians")? as usize;
            let m = req_i(&r.m, "m", 1, i64::MAX, "ties per new physician")? as usize;
            if m >= n {
                let s = r.m.as_ref().map(|v| v.span()).unwrap_or(span.clone());
                return Err(cx.err(
                    s,
                    "network.m",
                    format!("m = {m} must be smaller than n = {n}"),
                ));
            }
            NetworkSpec::BarabasiAlbert { n, m }
        }
        "watts_strogatz" => {
            let n = req_i(&r.n, "n", 3, max_n, "number of physicians")? as usize;
            let kv = r.k.as_ref();
            let k = req_i(
                &r.k,
                "k",
                2,
                i64::MAX,
                "ring neighbours per physician, even",
            )? as usize;
            let ks = kv.map(|v| v.span()).unwrap_or(span.clone());
            if !k.is_multiple_of(2) {
                return Err(cx.err(ks, "network.k", format!("k = {k} must be even")));
            }
            if k >= n {
                return Err(cx.err(
                    ks,
                    "network.k",
                    format!("k = {k} must be smaller than n = {n}"),
                ));
            }
            let rewire = req_p(&r.rewire, "rewire", "rewiring probability")?;
            NetworkSpec::WattsStrogatz { n, k, rewire }
        }
        "stochastic_block" => {
            let sizes = r.sizes.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    "network.sizes",
                    "list of block sizes, e.g. [100, 200]",
                )
            })?;
            if sizes.get_ref().is_empty() {
                return Err(cx.err(
                    sizes.span(),
                    "network.sizes",
                    "is empty: give at least one block size",
                ));
            }
            let mut out = Vec::new();
            let mut total = 0u64;
            for (k, s) in sizes.get_ref().iter().enumerate() {
                let x = *s.get_ref();
                if x < 1 {
                    return Err(cx.err(
                        s.span(),
                        &format!("network.sizes[{k}]"),
                        format!("{x} is not a valid block size: must be at least 1"),
                    ));
                }
                total = total.saturating_add(x as u64);
                if total > MAX_NODES {
                    return Err(cx.err(
                        sizes.span(),
                        "network.sizes",
                        format!("too many physicians in total: at most {MAX_NODES}"),
                    ));
                }
                out.push(x as usize);
            }
            NetworkSpec::StochasticBlock {
                sizes: out,
                p_in: req_p(&r.p_in, "p_in", "tie probability within a block")?,
                p_out: req_p(&r.p_out, "p_out", "tie probability between blocks")?,
            }
        }
        _ => {
            let path = r.path.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    "network.path",
                    "the edge-list file, relative to the scenario",
                )
            })?;
            let p = cx.data_file(path, "network.path", "edge-list file")?;
            let is_csv = matches!(
                p.extension()
                    .and_then(|e| e.to_str())
                    .map(|e| e.to_ascii_lowercase())
                    .as_deref(),
                Some("csv") | Some("tsv")
            );
            let col =
                |v: &Opt<RawColumn>, key: &str, default: usize| -> Result<Column, ScenarioError> {
                    match v {
                        Some(c) => match c.get_ref() {
                            RawColumn::Position(x) if *x < 1 => Err(cx.err(
                                c.span(),
                                &format!("network.{key}"),
                                format!("{x} is not a column number: columns are numbered from 1"),
                            )),
                            other => Ok(column(other)),
                        },
                        None => Ok(Column::Position(default)),
                    }
                };
            let nodes = match &r.nodes {
                Some(nd) => Some(NodeFileSpec {
                    path: cx.data_file(&nd.get_ref().path, "network.nodes.path", "node file")?,
                    id: match &nd.get_ref().id {
                        Some(c) => column(c.get_ref()),
                        None => Column::Name("id".into()),
                    },
                }),
                None => None,
            };
            NetworkSpec::EdgeList(EdgeListSpec {
                path: p,
                directed: r.directed.as_ref().map(|d| *d.get_ref()).unwrap_or(true),
                header: r.header.as_ref().map(|d| *d.get_ref()).unwrap_or(is_csv),
                source: col(&r.source, "source", 1)?,
                target: col(&r.target, "target", 2)?,
                weight: match &r.weight {
                    Some(_) => Some(col(&r.weight, "weight", 3)?),
                    None => None,
                },
                nodes,
            })
        }
    };
    let draw = match &r.draw {
        None => Draw::PerReplicate,
        Some(d) => match d.get_ref().as_str() {
            "per_replicate" => Draw::PerReplicate,
            "once" => Draw::Once,
            other => {
                return Err(cx.err(
                    d.span(),
                    "network.draw",
                    format!("\"{other}\" is not allowed (allowed: per_replicate, once)"),
                ));
            }
        },
    };
    Ok((spec, draw))
}

fn id_list(
    cx: &Ctx,
    ids: &Opt<Vec<Spanned<RawId>>>,
    path: &Opt<String>,
    table: &str,
    span: Range<usize>,
) -> Result<IdList, ScenarioError> {
    match (ids, path) {
        (Some(_), Some(p)) => Err(cx.err(
            p.span(),
            &format!("{table}.path"),
            "give either `ids` or `path`, not both",
        )),
        (Some(ids), None) => Ok(IdList {
            ids: ids
                .get_ref()
                .iter()
                .map(|x| x.get_ref().to_string())
                .collect(),
            key: format!("{table}.ids"),
            span: ids.span(),
            spans: ids.get_ref().iter().map(|x| x.span()).collect(),
        }),
        (None, Some(p)) => {
            let file = cx.path(p);
            let text = std::fs::read_to_string(&file).map_err(|e| {
                cx.err(
                    p.span(),
                    &format!("{table}.path"),
                    format!("cannot read id file {}: {e}", file.display()),
                )
            })?;
            Ok(IdList {
                ids: text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect(),
                key: format!("{table}.path"),
                span: p.span(),
                spans: Vec::new(),
            })
        }
        (None, None) => Err(cx.missing(
            span,
            &format!("{table}.ids"),
            "a list of node ids (or `path` to a file with one id a line)",
        )),
    }
}

fn parse_kols(
    cx: &Ctx,
    kols: &Option<Spanned<RawKols>>,
    known_n: Option<usize>,
) -> Result<KolSpec, ScenarioError> {
    let Some(k) = kols else {
        return Ok(KolSpec {
            rule: KolRuleSpec::Ranked(crate::kols::KolRule::InDegree),
            size: KolSize::Count(0),
            weight: 1.0,
        });
    };
    let span = k.span();
    let r = k.get_ref();
    let rule_name = r
        .rule
        .as_ref()
        .map(|s| s.get_ref().as_str())
        .unwrap_or("in_degree");
    let rule_span = r.rule.as_ref().map(|s| s.span()).unwrap_or(span.clone());
    use crate::kols::KolRule;
    let rule = match rule_name {
        "in_degree" => KolRuleSpec::Ranked(KolRule::InDegree),
        "degree" => KolRuleSpec::Ranked(KolRule::Degree),
        "pagerank" => KolRuleSpec::Ranked(KolRule::PageRank),
        "eigenvector" => KolRuleSpec::Ranked(KolRule::Eigenvector),
        "kcore" => KolRuleSpec::Ranked(KolRule::KCore),
        "betweenness" => {
            let mut rule = KolRule::betweenness();
            if let (KolRule::Betweenness { pivots, .. }, Some(p)) = (&mut rule, &r.pivots) {
                *pivots = cx.int_in(
                    p,
                    "kols.pivots",
                    1,
                    10_000_000,
                    "BFS sources sampled for betweenness beyond the exact limit",
                )? as usize;
            }
            KolRuleSpec::Ranked(rule)
        }
        "attribute" => {
            let a = r.attribute.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    "kols.attribute",
                    "the node-file column to rank by, with rule = \"attribute\"",
                )
            })?;
            KolRuleSpec::Attribute(a.get_ref().clone(), a.span())
        }
        "explicit" => KolRuleSpec::Explicit(id_list(cx, &r.ids, &r.path, "kols", span.clone())?),
        other => {
            return Err(cx.err(
                rule_span,
                "kols.rule",
                format!("unknown rule \"{other}\" (allowed: in_degree, degree, pagerank, eigenvector, betweenness, kcore, attribute, explicit)"),
            ));
        }
    };
    if rule_name != "betweenness"
        && let Some(p) = &r.pivots
    {
        return Err(cx.err(
            p.span(),
            "kols.pivots",
            "applies only with rule = \"betweenness\"",
        ));
    }
    if rule_name != "attribute"
        && let Some(a) = &r.attribute
    {
        return Err(cx.err(
            a.span(),
            "kols.attribute",
            "applies only with rule = \"attribute\"",
        ));
    }
    if rule_name != "explicit"
        && let Some(s) = r
            .ids
            .as_ref()
            .map(|v| v.span())
            .or(r.path.as_ref().map(|v| v.span()))
    {
        return Err(cx.err(
            s,
            "kols.ids",
            "ids/path apply only with rule = \"explicit\"",
        ));
    }
    let size = match (&r.share, &r.count, rule_name) {
        (Some(s), Some(_), _) => {
            return Err(cx.err(
                s.span(),
                "kols.share",
                "give either `share` or `count`, not both",
            ));
        }
        (Some(s), None, _) => {
            let x = *s.get_ref();
            if !(x > 0.0 && x <= 1.0) {
                return Err(cx.err(
                    s.span(),
                    "kols.share",
                    format!("{x} is outside (0, 1] (share of physicians who are KOLs)"),
                ));
            }
            KolSize::Share(x)
        }
        (None, Some(c), _) => {
            let hi = known_n.map(|n| n as i64).unwrap_or(i64::MAX);
            KolSize::Count(cx.int_in(c, "kols.count", 0, hi, "number of KOLs, at most n")? as usize)
        }
        (None, None, "explicit") => KolSize::All,
        (None, None, _) => {
            return Err(cx.missing(
                span,
                "kols.share",
                "share of physicians who are KOLs (or `count`)",
            ));
        }
    };
    let weight = match &r.weight {
        None => 1.0,
        Some(w) => {
            let x = *w.get_ref();
            if !(x >= 1.0 && x.is_finite()) {
                return Err(cx.err(
                    w.span(),
                    "kols.weight",
                    format!(
                        "{x} is not allowed: κ must be a finite number >= 1 (1 = KOLs are ordinary)"
                    ),
                ));
            }
            x as f32
        }
    };
    Ok(KolSpec { rule, size, weight })
}

fn parse_seeding(
    cx: &Ctx,
    s: &Spanned<RawSeeding>,
    table: &str,
    kols: &KolSpec,
    known_n: Option<usize>,
) -> Result<SeedingSpec, ScenarioError> {
    let span = s.span();
    let r = s.get_ref();
    let count = |what: &str| -> Result<usize, ScenarioError> {
        let c = r.count.as_ref().ok_or_else(|| {
            cx.missing(
                span.clone(),
                &format!("{table}.count"),
                &format!("number of initial adopters ({what})"),
            )
        })?;
        let hi = known_n.map(|n| n as i64).unwrap_or(i64::MAX);
        Ok(cx.int_in(
            c,
            &format!("{table}.count"),
            0,
            hi,
            "number of initial adopters, at most n",
        )? as usize)
    };
    let strategy = r.strategy.get_ref().as_str();
    if let Some(rule) = &r.rule
        && strategy != "kols"
    {
        return Err(cx.err(
            rule.span(),
            &format!("{table}.rule"),
            "applies only with strategy = \"kols\" (the top `count` physicians by that rule)",
        ));
    }
    let spec = match strategy {
        "none" => SeedingSpec::None,
        "random" => SeedingSpec::Random(count("chosen at random")?),
        "kols" if r.rule.is_some() => {
            let rule = r.rule.as_ref().expect("checked");
            let by = match rule.get_ref().as_str() {
                "in_degree" => crate::kols::KolRule::InDegree,
                "degree" => crate::kols::KolRule::Degree,
                "pagerank" => crate::kols::KolRule::PageRank,
                "eigenvector" => crate::kols::KolRule::Eigenvector,
                "kcore" => crate::kols::KolRule::KCore,
                "betweenness" => crate::kols::KolRule::betweenness(),
                other => {
                    return Err(cx.err(
                        rule.span(),
                        &format!("{table}.rule"),
                        format!("unknown rule \"{other}\" (allowed: in_degree, degree, pagerank, eigenvector, betweenness, kcore)"),
                    ));
                }
            };
            SeedingSpec::TopBy(by, count("the top physicians by this rule")?)
        }
        "kols" => {
            let c = count("the top KOLs")?;
            if let Some(n) = known_n {
                let k = kols.size.count(n);
                if c > k {
                    let cs = r.count.as_ref().map(|v| v.span()).unwrap_or(span.clone());
                    return Err(cx.err(
                        cs,
                        &format!("{table}.count"),
                        format!("{c} is more than the {k} KOLs defined in [kols]"),
                    ));
                }
            }
            SeedingSpec::Kols(c)
        }
        "explicit" => SeedingSpec::Explicit(id_list(cx, &r.ids, &r.path, table, span.clone())?),
        "by_volume" if r.attribute.is_none() => SeedingSpec::Attribute(
            "volume".into(),
            count("highest prescribing volume")?,
            r.strategy.span(),
        ),
        "attribute" | "by_volume" => {
            let a = r.attribute.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    &format!("{table}.attribute"),
                    "the node-file column to rank by",
                )
            })?;
            SeedingSpec::Attribute(
                a.get_ref().clone(),
                count("highest attribute values")?,
                a.span(),
            )
        }
        other => {
            return Err(cx.err(
                r.strategy.span(),
                &format!("{table}.strategy"),
                format!("unknown strategy \"{other}\" (allowed: none, random, kols, explicit, attribute, by_volume)"),
            ));
        }
    };
    Ok(spec)
}

/// What a key that serde reports missing is for, so the message says what to add.
fn required_help(table: &str, field: &str) -> String {
    match (table, field) {
        (_, "name") if table.is_empty() => {
            "the scenario name, also the default output folder, e.g. name = \"quickstart\"".into()
        }
        (_, "steps") => "number of steps (months), an integer >= 1".into(),
        (_, "replicates") => "replicates per model, an integer >= 1".into(),
        (_, "network") => "a [network] table with at least `kind`".into(),
        (_, "model") => "at least one [[model]] table with at least `kind`".into(),
        ("network", "kind") => {
            let kinds: Vec<&str> = NETWORK_KEYS.iter().map(|(k, _)| *k).collect();
            format!("one of {}", kinds.join(", "))
        }
        (t, "kind") if t.starts_with("model") => {
            let kinds: Vec<&str> = crate::models::CATALOGUE.iter().map(|m| m.kind).collect();
            format!("one of {}", kinds.join(", "))
        }
        (_, "strategy") => "one of none, random, kols, explicit, attribute, by_volume".into(),
        (_, "path") => "the file's path, relative to the scenario".into(),
        _ => "a required key".into(),
    }
}

/// Turns a TOML or serde error into a located [`ScenarioError`] with plain-language types.
fn toml_error(src: &Source, e: &toml::de::Error) -> ScenarioError {
    let span = e.span();
    let msg = e.message().trim().to_string();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        // The span of a missing field is its table's header; empty for top-level keys.
        let top = span.as_ref().is_none_or(|s| s.is_empty());
        let table = match &span {
            Some(s) if !top => src.key_at(s.start),
            _ => String::new(),
        };
        let key = if table.is_empty() {
            field.to_string()
        } else {
            format!("{table}.{field}")
        };
        let help = required_help(&table, field);
        return src.error(
            if top { None } else { span },
            &key,
            format!("missing required key `{field}` ({help})"),
        );
    }
    let key = span
        .clone()
        .map(|s| src.key_at(s.start))
        .unwrap_or_default();
    // The value as written, for messages serde cannot give it in.
    let written = span.clone().map(|s| src.written(s)).unwrap_or_default();
    let untagged = |what: &str| format!("invalid value `{written}`: expected {what}");
    let msg = if msg.contains("untagged enum RawTheta") {
        untagged(
            "a number in [0, 1] or a table: { dist = \"uniform\", low = .., high = .. }, \
             { dist = \"beta\", a = .., b = .. }, { dist = \"normal\", mean = .., sd = .. } \
             or { attribute = \"column\" }",
        )
    } else if msg.contains("untagged enum RawId") {
        untagged("a node id: an integer or a string")
    } else if msg.contains("untagged enum RawColumn") {
        untagged("a column: a number (from 1) or a header name")
    } else {
        msg.replace("expected i64", "expected an integer")
            .replace("expected f64", "expected a number")
            .replace("expected a sequence", "expected a list, e.g. [1, 2]")
    };
    src.error(span, &key, msg)
}

/// Parses and validates scenario text. `path` is used for messages and to resolve relative
/// file paths.
pub fn parse(src: Source) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(&src.text).map_err(|e| toml_error(&src, &e))?;
    let cx = Ctx { src: &src };
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(cx.err(raw.name.span(), "name", format!("\"{name}\" is not usable as a folder name (non-empty, no slashes, not starting with '.')")));
    }
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
    let engine = match &raw.engine {
        None => EngineKind::Event,
        Some(e) => match e.get_ref().as_str() {
            "event" => EngineKind::Event,
            "reference" => EngineKind::Reference,
            other => {
                return Err(cx.err(
                    e.span(),
                    "engine",
                    format!("\"{other}\" is not allowed (allowed: event, reference)"),
                ));
            }
        },
    };
    let (network, draw) = parse_network(&cx, &raw.network)?;
    let known_n = network.known_n();
    let kols = parse_kols(&cx, &raw.kols, known_n)?;
    let arms = parse_arms(&cx, &raw, &kols, known_n)?;
    let reference_arm = match &raw.reference_arm {
        Some(r) => {
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
            r.get_ref().clone()
        }
        None => arms
            .iter()
            .find(|a| a.name == "random")
            .unwrap_or(&arms[0])
            .name
            .clone(),
    };
    if raw.models.get_ref().is_empty() {
        return Err(cx.err(
            raw.models.span(),
            "model",
            "no models: add at least one [[model]] table",
        ));
    }
    let mut models: Vec<NamedModel> = Vec::new();
    for (k, m) in raw.models.get_ref().iter().enumerate() {
        let nm = models::parse_model(&cx, k, m)?;
        if let Some(first) = models.iter().position(|o| o.name == nm.name) {
            let (s, why) = match &m.get_ref().name {
                Some(v) => (v.span(), ""),
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
    let baseline = match &raw.baseline {
        Some(b) => {
            let b_name = b.get_ref().clone();
            if !models.iter().any(|m| m.name == b_name) {
                let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
                return Err(cx.err(
                    b.span(),
                    "baseline",
                    format!("\"{b_name}\" names no model (models: {})", names.join(", ")),
                ));
            }
            b_name
        }
        None => models
            .iter()
            .find(|m| m.name == "imitation")
            .unwrap_or(&models[0])
            .name
            .clone(),
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
        sweep: raw
            .sweep
            .map(|t| t.into_inner().into_iter().collect())
            .unwrap_or_default(),
        source: src,
    })
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    parse(crate::limits::read_scenario(path)?)
}

impl Scenario {
    /// Resolves listed ids against a network.
    pub fn resolve_ids(&self, list: &IdList, net: &Network) -> Result<Vec<u32>, ScenarioError> {
        let mut out = Vec::with_capacity(list.ids.len());
        // One hash map for the whole list: `index_of` scans the ids, O(n) per lookup.
        let index: Option<std::collections::HashMap<&str, u32>> =
            net.ids().filter(|_| list.ids.len() > 1).map(|ids| {
                ids.iter()
                    .enumerate()
                    .map(|(i, s)| (s.as_str(), i as u32))
                    .collect()
            });
        for (k, id) in list.ids.iter().enumerate() {
            let found = match &index {
                Some(map) => map.get(id.as_str()).copied(),
                None => net.index_of(id),
            };
            match found {
                Some(i) => out.push(i),
                None => {
                    let (span, key) = match list.spans.get(k) {
                        Some(s) => (s.clone(), format!("{}[{k}]", list.key)),
                        None => (list.span.clone(), list.key.clone()),
                    };
                    return Err(self.source.error(
                        Some(span),
                        &key,
                        format!(
                            "id \"{id}\" is not in the network ({} physicians{})",
                            net.n(),
                            if net.is_complete()
                                || net.attribute_names().is_empty() && net.index_of("0").is_some()
                            {
                                ", ids 0..n-1"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Checks that a named attribute exists and is numeric.
    pub fn check_attribute(
        &self,
        name: &str,
        span: &Range<usize>,
        key: &str,
        net: &Network,
    ) -> Result<(), ScenarioError> {
        match net.attribute(name) {
            Some(Attribute::Numeric(_)) => Ok(()),
            Some(Attribute::Text(_)) => Err(self.source.error(
                Some(span.clone()),
                key,
                format!("attribute \"{name}\" is not numeric"),
            )),
            None => {
                let names = net.attribute_names();
                Err(self.source.error(
                    Some(span.clone()),
                    key,
                    format!(
                        "no node attribute \"{name}\" (available: {})",
                        if names.is_empty() {
                            "none; attributes come from a node file".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                ))
            }
        }
    }
}
