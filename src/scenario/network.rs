//! `[network]`: the typed [`NetworkSpec`] and [`Draw`], and their validation, one function
//! per network kind. Edge-list files are validated in [`super::edge_list`].

use super::raw::{Opt, RawNetwork};
use super::{Ctx, ScenarioError, edge_list};
use crate::network::MAX_NODES;
use crate::network::edge_list::EdgeListSpec;
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
            NetworkSpec::Complete { .. } => "complete",
            NetworkSpec::ErdosRenyi { .. } => "erdos_renyi",
            NetworkSpec::BarabasiAlbert { .. } => "barabasi_albert",
            NetworkSpec::WattsStrogatz { .. } => "watts_strogatz",
            NetworkSpec::StochasticBlock { .. } => "stochastic_block",
            NetworkSpec::EdgeList(_) => "edge_list",
            NetworkSpec::InMemory { .. } => "in_memory",
        }
    }

    /// Whether building it consumes randomness (so it is redrawn per replicate by default).
    pub fn is_random(&self) -> bool {
        !matches!(
            self,
            NetworkSpec::Complete { .. } | NetworkSpec::EdgeList(_) | NetworkSpec::InMemory { .. }
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
            NetworkSpec::InMemory { net, .. } => Some(net.n()),
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
    let kinds: Vec<&str> = NETWORK_KEYS.iter().map(|(k, _)| *k).collect();
    kinds.join(", ")
}

/// Validates `[network]`.
pub(super) fn parse_network(
    cx: &Ctx,
    net: &Spanned<RawNetwork>,
) -> Result<(NetworkSpec, Draw), ScenarioError> {
    let r = net.get_ref();
    let kind = r.kind.get_ref().as_str();
    let allowed = NETWORK_KEYS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, keys)| *keys)
        .ok_or_else(|| {
            cx.err(
                r.kind.span(),
                "network.kind",
                format!("unknown network kind \"{kind}\" (allowed: {})", kinds()),
            )
        })?;
    check_keys(cx, r, kind, allowed)?;
    let t = Table {
        cx,
        r,
        span: net.span(),
        kind,
    };
    let spec = match kind {
        "complete" => NetworkSpec::Complete { n: t.n(2)? },
        "erdos_renyi" => t.erdos_renyi()?,
        "barabasi_albert" => t.barabasi_albert()?,
        "watts_strogatz" => t.watts_strogatz()?,
        "stochastic_block" => t.stochastic_block()?,
        "in_memory" => t.in_memory()?,
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

impl Table<'_> {
    /// A required integer key in `[lo, hi]`.
    fn int(
        &self,
        v: &Opt<i64>,
        key: &str,
        lo: i64,
        hi: i64,
        what: &str,
    ) -> Result<i64, ScenarioError> {
        match v {
            Some(v) => self.cx.int_in(v, &format!("network.{key}"), lo, hi, what),
            None => Err(self.missing(key, what)),
        }
    }

    /// A required probability key.
    fn prob(&self, v: &Opt<f64>, key: &str, what: &str) -> Result<f64, ScenarioError> {
        match v {
            Some(v) => self.cx.prob(v, &format!("network.{key}"), what),
            None => Err(self.missing(key, what)),
        }
    }

    fn missing(&self, key: &str, what: &str) -> ScenarioError {
        self.cx.missing(
            self.span.clone(),
            &format!("network.{key}"),
            &format!("{what}; needed by kind \"{}\"", self.kind),
        )
    }

    /// `n`, at least `lo`.
    fn n(&self, lo: i64) -> Result<usize, ScenarioError> {
        Ok(self.int(&self.r.n, "n", lo, MAX_NODES as i64, "number of physicians")? as usize)
    }

    fn erdos_renyi(&self) -> Result<NetworkSpec, ScenarioError> {
        let n = self.n(2)?;
        let md = self.r.mean_degree.as_ref().ok_or_else(|| {
            self.cx.missing(
                self.span.clone(),
                "network.mean_degree",
                "expected ties per physician",
            )
        })?;
        let x = *md.get_ref();
        if !(x >= 0.0 && x <= (n - 1) as f64) {
            return Err(self.cx.err(
                md.span(),
                "network.mean_degree",
                format!(
                    "{x} is outside [0, n - 1 = {}] (expected ties per physician)",
                    n - 1
                ),
            ));
        }
        Ok(NetworkSpec::ErdosRenyi { n, mean_degree: x })
    }

    fn barabasi_albert(&self) -> Result<NetworkSpec, ScenarioError> {
        let n = self.n(2)?;
        let m = self.int(&self.r.m, "m", 1, i64::MAX, "ties per new physician")? as usize;
        if m >= n {
            let s = self.value_span(&self.r.m);
            return Err(self.cx.err(
                s,
                "network.m",
                format!("m = {m} must be smaller than n = {n}"),
            ));
        }
        Ok(NetworkSpec::BarabasiAlbert { n, m })
    }

    fn watts_strogatz(&self) -> Result<NetworkSpec, ScenarioError> {
        let n = self.n(3)?;
        let what = "ring neighbours per physician, even";
        let k = self.int(&self.r.k, "k", 2, i64::MAX, what)? as usize;
        let ks = self.value_span(&self.r.k);
        if !k.is_multiple_of(2) {
            return Err(self
                .cx
                .err(ks, "network.k", format!("k = {k} must be even")));
        }
        if k >= n {
            return Err(self.cx.err(
                ks,
                "network.k",
                format!("k = {k} must be smaller than n = {n}"),
            ));
        }
        let rewire = self.prob(&self.r.rewire, "rewire", "rewiring probability")?;
        Ok(NetworkSpec::WattsStrogatz { n, k, rewire })
    }

    fn stochastic_block(&self) -> Result<NetworkSpec, ScenarioError> {
        let cx = self.cx;
        let sizes = self.r.sizes.as_ref().ok_or_else(|| {
            cx.missing(
                self.span.clone(),
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
        Ok(NetworkSpec::StochasticBlock {
            sizes: out,
            p_in: self.prob(&self.r.p_in, "p_in", "tie probability within a block")?,
            p_out: self.prob(&self.r.p_out, "p_out", "tie probability between blocks")?,
        })
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

    /// The span of a value if set, else the table's.
    fn value_span<T>(&self, v: &Opt<T>) -> Range<usize> {
        v.as_ref().map(|v| v.span()).unwrap_or(self.span.clone())
    }
}
