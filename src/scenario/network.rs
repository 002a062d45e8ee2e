//! `[network]`: the typed [`NetworkSpec`] and [`Draw`], and their validation, one function
//! per network kind. Edge-list files are validated in [`super::edge_list`].

use super::raw::RawNetwork;
use super::{Ctx, ScenarioError, edge_list};
use crate::network::MAX_NODES;
use crate::network::edge_list::EdgeListSpec;
use crate::network::generators::{self, Generator, Key, KeyType, Params, Value};
use std::ops::Range;
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
    /// Any registered generator ([`generators::GENERATORS`]) with its checked key values; the
    /// generators above keep their named variants.
    Generated {
        /// The generator.
        generator: &'static Generator,
        /// Its key values.
        params: Params,
    },
    /// Handed over in memory (by the Python package) and registered under `name`
    /// ([`crate::network::in_memory`]).
    InMemory {
        /// The registered name (`path` in the scenario).
        name: String,
        /// The network.
        net: std::sync::Arc<crate::network::Network>,
    },
}

impl NetworkSpec {
    /// The `kind` string.
    pub fn kind(&self) -> &'static str {
        match self {
            NetworkSpec::EdgeList(_) => "edge_list",
            NetworkSpec::InMemory { .. } => "in_memory",
            _ => self.generator().map_or("", |(g, _)| g.kind),
        }
    }

    /// Whether building it consumes randomness (so it is redrawn per replicate by default).
    pub fn is_random(&self) -> bool {
        self.generator().is_some_and(|(g, _)| g.random)
    }

    /// Number of physicians when known without reading files.
    pub fn known_n(&self) -> Option<usize> {
        match self {
            NetworkSpec::EdgeList(_) => None,
            NetworkSpec::InMemory { net, .. } => Some(net.n()),
            _ => self.generator().map(|(g, p)| (g.size)(&p).nodes as usize),
        }
    }

    /// The generator and its key values, for a generated network.
    pub fn generator(&self) -> Option<(&'static Generator, Params)> {
        use Value::{Count, Counts, Number};
        let (kind, values) = match self {
            NetworkSpec::Complete { n } => ("complete", vec![("n", Count(*n))]),
            NetworkSpec::ErdosRenyi { n, mean_degree } => (
                "erdos_renyi",
                vec![("n", Count(*n)), ("mean_degree", Number(*mean_degree))],
            ),
            NetworkSpec::BarabasiAlbert { n, m } => {
                ("barabasi_albert", vec![("n", Count(*n)), ("m", Count(*m))])
            }
            NetworkSpec::WattsStrogatz { n, k, rewire } => (
                "watts_strogatz",
                vec![
                    ("n", Count(*n)),
                    ("k", Count(*k)),
                    ("rewire", Number(*rewire)),
                ],
            ),
            NetworkSpec::StochasticBlock { sizes, p_in, p_out } => (
                "stochastic_block",
                vec![
                    ("sizes", Counts(sizes.clone())),
                    ("p_in", Number(*p_in)),
                    ("p_out", Number(*p_out)),
                ],
            ),
            NetworkSpec::Generated { generator, params } => {
                return Some((*generator, params.clone()));
            }
            NetworkSpec::EdgeList(_) | NetworkSpec::InMemory { .. } => return None,
        };
        generators::find(kind).map(|g| (g, Params(values)))
    }

    /// The spec of a generator's checked key values: the named variant where the generator
    /// has one, else [`NetworkSpec::Generated`].
    pub fn from_generator(generator: &'static Generator, params: Params) -> NetworkSpec {
        let p = &params;
        match generator.kind {
            "complete" => NetworkSpec::Complete { n: p.count("n") },
            "erdos_renyi" => NetworkSpec::ErdosRenyi {
                n: p.count("n"),
                mean_degree: p.number("mean_degree"),
            },
            "barabasi_albert" => NetworkSpec::BarabasiAlbert {
                n: p.count("n"),
                m: p.count("m"),
            },
            "watts_strogatz" => NetworkSpec::WattsStrogatz {
                n: p.count("n"),
                k: p.count("k"),
                rewire: p.number("rewire"),
            },
            "stochastic_block" => NetworkSpec::StochasticBlock {
                sizes: p.counts("sizes").to_vec(),
                p_in: p.number("p_in"),
                p_out: p.number("p_out"),
            },
            _ => NetworkSpec::Generated { generator, params },
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

/// Allowed keys of the kinds that are not generators (besides `kind` and `draw`).
const OTHER_KEYS: &[(&str, &[&str])] = &[
    (
        "edge_list",
        &[
            "path",
            "directed",
            "header",
            "source",
            "target",
            "weight",
            "delimiter",
            "decimal",
            "unknown_ids",
            "missing",
            "normalize_ids",
            "nodes",
            "layer",
        ],
    ),
    ("in_memory", &["path"]),
];

/// The network kinds, comma-separated, for messages.
pub(super) fn kinds() -> String {
    let gens = generators::GENERATORS.iter().map(|g| g.kind);
    let kinds: Vec<&str> = gens.chain(OTHER_KEYS.iter().map(|(k, _)| *k)).collect();
    kinds.join(", ")
}

/// Validates `[network]`.
pub(super) fn parse_network(
    cx: &Ctx,
    net: &Spanned<RawNetwork>,
) -> Result<(NetworkSpec, Draw), ScenarioError> {
    let r = net.get_ref();
    let kind = r.kind.get_ref().as_str();
    let generator = generators::find(kind);
    let allowed: Vec<&str> = match generator {
        Some(g) => g.keys.iter().map(|k| k.name).collect(),
        None => OTHER_KEYS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, keys)| keys.to_vec())
            .ok_or_else(|| {
                cx.err(
                    r.kind.span(),
                    "network.kind",
                    format!("unknown network kind \"{kind}\" (allowed: {})", kinds()),
                )
            })?,
    };
    check_keys(cx, r, kind, &allowed)?;
    let t = Table {
        cx,
        r,
        span: net.span(),
        kind,
    };
    let spec = match (generator, kind) {
        (Some(g), _) => t.generated(g)?,
        (None, "in_memory") => t.in_memory()?,
        _ => NetworkSpec::EdgeList(edge_list::parse_edge_list(cx, r, net.span())?),
    };
    let draw = cx.one_of(
        &r.draw,
        "network.draw",
        &[("per_replicate", Draw::PerReplicate), ("once", Draw::Once)],
        Draw::PerReplicate,
    )?;
    Ok((spec, draw))
}

/// Rejects keys that are set but do not apply to `kind`, whose keys are `allowed`.
fn check_keys(cx: &Ctx, r: &RawNetwork, kind: &str, allowed: &[&str]) -> Result<(), ScenarioError> {
    let spans: [(&str, Option<Range<usize>>); 20] = [
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
        ("delimiter", r.delimiter.as_ref().map(|v| v.span())),
        ("decimal", r.decimal.as_ref().map(|v| v.span())),
        ("unknown_ids", r.unknown_ids.as_ref().map(|v| v.span())),
        ("missing", r.missing.as_ref().map(|v| v.span())),
        ("normalize_ids", r.normalize_ids.as_ref().map(|v| v.span())),
        ("layer", r.layers.as_ref().map(|v| v.span())),
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
    Ok(())
}

/// The `[network]` table of a generated kind, being validated.
struct Table<'a> {
    cx: &'a Ctx<'a>,
    r: &'a RawNetwork,
    /// The table's span, where missing keys are reported.
    span: Range<usize>,
    kind: &'a str,
}

/// A generator key's value as written.
enum Raw<'a> {
    Int(&'a Spanned<i64>),
    Float(&'a Spanned<f64>),
    Ints(&'a Spanned<Vec<Spanned<i64>>>),
}

impl Raw<'_> {
    fn span(&self) -> Range<usize> {
        match self {
            Raw::Int(v) => v.span(),
            Raw::Float(v) => v.span(),
            Raw::Ints(v) => v.span(),
        }
    }
}

/// The raw value of a generator's key (every key a generator declares is one of these).
fn raw_param<'a>(r: &'a RawNetwork, key: &str) -> Option<Raw<'a>> {
    match key {
        "n" => r.n.as_ref().map(Raw::Int),
        "m" => r.m.as_ref().map(Raw::Int),
        "k" => r.k.as_ref().map(Raw::Int),
        "mean_degree" => r.mean_degree.as_ref().map(Raw::Float),
        "rewire" => r.rewire.as_ref().map(Raw::Float),
        "p_in" => r.p_in.as_ref().map(Raw::Float),
        "p_out" => r.p_out.as_ref().map(Raw::Float),
        "sizes" => r.sizes.as_ref().map(Raw::Ints),
        _ => None,
    }
}

impl Table<'_> {
    fn missing(&self, key: &str, what: &str) -> ScenarioError {
        self.cx.missing(
            self.span.clone(),
            &format!("network.{key}"),
            &format!("{what}; needed by kind \"{}\"", self.kind),
        )
    }

    /// A generated kind: each key checked against its type, then the generator's `check`.
    fn generated(&self, g: &'static Generator) -> Result<NetworkSpec, ScenarioError> {
        let mut values = Vec::with_capacity(g.keys.len());
        for key in g.keys {
            values.push((key.name, self.value(key)?));
        }
        let params = Params(values);
        if let Err((key, msg)) = (g.check)(&params) {
            let span = raw_param(self.r, key).map_or(self.span.clone(), |v| v.span());
            return Err(self.cx.err(span, &format!("network.{key}"), msg));
        }
        Ok(NetworkSpec::from_generator(g, params))
    }

    /// A generator key's value, checked against its type.
    fn value(&self, key: &Key) -> Result<Value, ScenarioError> {
        let (cx, name, what) = (self.cx, key.name, key.what);
        let path = format!("network.{name}");
        let raw = raw_param(self.r, name).ok_or_else(|| self.missing(name, what))?;
        Ok(match (key.ty, raw) {
            (KeyType::Nodes { lo }, Raw::Int(v)) => {
                Value::Count(cx.int_in(v, &path, lo as i64, MAX_NODES as i64, what)? as usize)
            }
            (KeyType::Count { lo }, Raw::Int(v)) => {
                Value::Count(cx.int_in(v, &path, lo as i64, i64::MAX, what)? as usize)
            }
            (KeyType::Number, Raw::Float(v)) => Value::Number(*v.get_ref()),
            (KeyType::Prob, Raw::Float(v)) => Value::Number(cx.prob(v, &path, what)?),
            (KeyType::Counts, Raw::Ints(v)) => Value::Counts(self.counts(v, &path)?),
            (ty, _) => unreachable!("generator key {name} declared {ty:?}, read otherwise"),
        })
    }

    /// A non-empty list of counts, each at least 1, their total at most [`MAX_NODES`].
    fn counts(
        &self,
        v: &Spanned<Vec<Spanned<i64>>>,
        path: &str,
    ) -> Result<Vec<usize>, ScenarioError> {
        let cx = self.cx;
        if v.get_ref().is_empty() {
            return Err(cx.err(v.span(), path, "is empty: give at least one block size"));
        }
        let mut out = Vec::new();
        let mut total = 0u64;
        for (k, s) in v.get_ref().iter().enumerate() {
            let x = *s.get_ref();
            if x < 1 {
                return Err(cx.err(
                    s.span(),
                    &format!("{path}[{k}]"),
                    format!("{x} is not a valid block size: must be at least 1"),
                ));
            }
            total = total.saturating_add(x as u64);
            if total > MAX_NODES {
                return Err(cx.err(
                    v.span(),
                    path,
                    format!("too many physicians in total: at most {MAX_NODES}"),
                ));
            }
            out.push(x as usize);
        }
        Ok(out)
    }

    /// `kind = "in_memory"`: the network registered under `path` in this process.
    fn in_memory(&self) -> Result<NetworkSpec, ScenarioError> {
        let what = "the name of a network handed over in memory (from Python)";
        let p = self
            .r
            .path
            .as_ref()
            .ok_or_else(|| self.missing("path", what))?;
        let name = p.get_ref().clone();
        match crate::network::in_memory::lookup(&name) {
            Some(net) => Ok(NetworkSpec::InMemory { name, net }),
            None => Err(self.cx.err(
                p.span(),
                "network.path",
                format!(
                    "no network \"{}\" is held in memory: kind \"in_memory\" refers to a graph handed over by the Python package in the same process (in a file, use kind = \"edge_list\")",
                    crate::limits::quote(&name)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use generators::GENERATORS;

    /// A value of each key type, as written in TOML and as checked.
    fn example(ty: KeyType) -> (&'static str, Value) {
        match ty {
            KeyType::Nodes { .. } => ("1000", Value::Count(1000)),
            KeyType::Count { .. } => ("4", Value::Count(4)),
            KeyType::Number => ("3.5", Value::Number(3.5)),
            KeyType::Prob => ("0.25", Value::Number(0.25)),
            KeyType::Counts => ("[10, 20]", Value::Counts(vec![10, 20])),
        }
    }

    #[test]
    fn every_generator_is_read_and_typed_back_the_same() {
        let mut kinds: Vec<&str> = GENERATORS.iter().map(|g| g.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), GENERATORS.len(), "a kind registered twice");
        for g in GENERATORS {
            let mut text = format!("kind = \"{}\"\n", g.kind);
            let mut values = Vec::new();
            for key in g.keys {
                let (written, value) = example(key.ty);
                text += &format!("{} = {written}\n", key.name);
                values.push((key.name, value));
            }
            let raw: RawNetwork = toml::from_str(&text).expect("raw table");
            for key in g.keys {
                let ok = matches!(
                    (key.ty, raw_param(&raw, key.name)),
                    (
                        KeyType::Nodes { .. } | KeyType::Count { .. },
                        Some(Raw::Int(_))
                    ) | (KeyType::Number | KeyType::Prob, Some(Raw::Float(_)))
                        | (KeyType::Counts, Some(Raw::Ints(_)))
                );
                assert!(ok, "{}.{} is not read as its type", g.kind, key.name);
            }
            let params = Params(values);
            let spec = NetworkSpec::from_generator(g, params.clone());
            let (back, back_params) = spec.generator().expect("a generator");
            assert_eq!((back.kind, back_params), (g.kind, params));
            assert_eq!(spec.kind(), g.kind);
            assert_eq!(spec.is_random(), g.random);
        }
    }
}
