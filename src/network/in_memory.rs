//! Networks handed over in memory (by the Python package, from a networkx graph or DataFrames):
//! built from arrays with the same checks as an edge-list file, and registered under a name so
//! that scenario text can refer to them (`[network] kind = "in_memory"`, `path = NAME`), which
//! keeps them through everything that re-reads scenario text (sweep points, fitted theories).
//!
//! The registry is process-wide: a name is the checksum of the network's content, so the same
//! graph always gives the same scenario text.

use super::{ArcList, Attribute, Network};
use crate::limits;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A network's parts as arrays: node `k` is `ids[k]`; edge `e` is `src[e] → dst[e]` (both
/// directions when undirected) with weight `weight[e]` (1 when `None`).
#[derive(Debug, Clone, Default)]
pub struct Edges {
    /// Node ids, distinct, in node order.
    pub ids: Vec<String>,
    /// Source node index of each edge.
    pub src: Vec<u32>,
    /// Target node index of each edge.
    pub dst: Vec<u32>,
    /// Weight of each edge (positive, finite); `None`: every weight is 1.
    pub weight: Option<Vec<f64>>,
    /// Whether each edge is one arc (true) or an undirected tie (false).
    pub directed: bool,
    /// Node attributes, one value per node each.
    pub attributes: Vec<(String, Attribute)>,
}

/// A problem with a network given in memory: what is wrong, naming the edge or node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("network: {0}")]
pub struct EdgesError(pub String);

fn bad(m: impl Into<String>) -> EdgesError {
    EdgesError(m.into())
}

/// Builds the network of `e`, refusing what an edge-list file would be refused for: no edge at
/// all, an endpoint out of range, a weight that is not a positive number at most
/// [`limits::MAX_DATA_IN_WEIGHT`], a physician hearing more than that in all, repeated ids, too
/// many nodes or arcs. Self-loops are dropped and repeated arcs merged, as for files; arcs are
/// added in edge order, so the same edges in a file (with a node file in the same order) give
/// the same network.
pub fn from_edges(e: Edges) -> Result<Network, EdgesError> {
    let n = e.ids.len();
    check_nodes(&e)?;
    if e.src.len() != e.dst.len() || e.weight.as_ref().is_some_and(|w| w.len() != e.src.len()) {
        return Err(bad("sources, targets and weights differ in length"));
    }
    if e.src.is_empty() {
        return Err(bad(
            "the graph has no edges: give at least one tie `source → target`",
        ));
    }
    let per = if e.directed { 1 } else { 2 };
    if (e.src.len() * per) as u64 > limits::MAX_ARCS {
        return Err(bad(format!(
            "more than {} arcs: kolsim indexes them with 32 bits",
            limits::MAX_ARCS
        )));
    }
    let max_w = limits::MAX_DATA_IN_WEIGHT;
    let mut heard = vec![0.0f64; n];
    let mut arcs = ArcList::with_capacity(e.src.len() * per);
    for (k, (&s, &d)) in e.src.iter().zip(&e.dst).enumerate() {
        let edge = || {
            let id = |i: u32| e.ids.get(i as usize).map_or("?", |s| s.as_str());
            format!(
                "edge {k} ({} → {})",
                limits::quote(id(s)),
                limits::quote(id(d))
            )
        };
        if s as usize >= n || d as usize >= n {
            return Err(bad(format!("{}: endpoint is not a node", edge())));
        }
        let w = match &e.weight {
            None => 1.0,
            Some(ws) => {
                let w = ws[k];
                if !(w > 0.0 && w.is_finite() && w <= max_w) {
                    return Err(bad(format!(
                        "{}: weight {w} must be a positive number at most {max_w:e}",
                        edge()
                    )));
                }
                w as f32
            }
        };
        if s != d {
            let targets: &[u32] = if e.directed { &[d] } else { &[d, s] };
            for &t in targets {
                heard[t as usize] += w as f64;
                if heard[t as usize] > max_w {
                    return Err(bad(format!(
                        "{}: the arcs into \"{}\" weigh more than the {max_w:e} one physician may hear",
                        edge(),
                        limits::quote(&e.ids[t as usize])
                    )));
                }
            }
        }
        if e.directed {
            arcs.push(s, d, w);
        } else {
            arcs.push_undirected(s, d, w);
        }
    }
    Ok(Network::from_arcs(n, arcs)
        .with_ids(e.ids)
        .with_attributes(e.attributes))
}

/// Node count, distinct ids and attribute lengths.
fn check_nodes(e: &Edges) -> Result<(), EdgesError> {
    let n = e.ids.len();
    if n == 0 {
        return Err(bad("the graph has no nodes"));
    }
    if n as u64 > super::MAX_NODES {
        return Err(bad(format!(
            "more than {} physicians: kolsim indexes them with 32 bits",
            super::MAX_NODES
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(n);
    for id in &e.ids {
        if id.is_empty() {
            return Err(bad("a node id is empty"));
        }
        if !seen.insert(id.as_str()) {
            return Err(bad(format!(
                "node id \"{}\" is given twice",
                limits::quote(id)
            )));
        }
    }
    for (name, a) in &e.attributes {
        let len = match a {
            Attribute::Numeric(v) => v.len(),
            Attribute::Text(v) => v.len(),
        };
        if len != n {
            return Err(bad(format!(
                "node attribute \"{}\" has {len} values for {n} nodes",
                limits::quote(name)
            )));
        }
    }
    Ok(())
}

/// The networks registered in this process, by name.
static REGISTRY: Mutex<BTreeMap<String, Arc<Network>>> = Mutex::new(BTreeMap::new());

/// Registers `net` under a name derived from its content (`mem-<checksum>`) and returns the
/// name, for `[network] kind = "in_memory"`, `path = NAME`.
pub fn register(net: Arc<Network>) -> String {
    let name = format!("mem-{:016x}", content_checksum(&net));
    let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    reg.insert(name.clone(), net);
    name
}

/// The network registered under `name`, if any.
pub fn lookup(name: &str) -> Option<Arc<Network>> {
    let reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    reg.get(name).cloned()
}

/// A checksum (FNV-1a, 64 bits) of the ids, arcs and attributes.
fn content_checksum(net: &Network) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&(net.n() as u64).to_le_bytes());
    for i in 0..net.n() {
        eat(net.id(i).as_bytes());
        eat(&[0xff]);
        let (from, w) = net.in_arcs().arcs(i);
        for (j, w) in from.iter().zip(w) {
            eat(&j.to_le_bytes());
            eat(&w.to_bits().to_le_bytes());
        }
        eat(&[0xfe]);
    }
    eat(format!("{:?}", net.attributes()).as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges() -> Edges {
        Edges {
            ids: vec!["a".into(), "b".into(), "c".into()],
            src: vec![0, 1, 1],
            dst: vec![1, 2, 1],
            weight: Some(vec![2.0, 0.5, 1.0]),
            directed: false,
            attributes: vec![("town".into(), Attribute::Text(vec!["x".into(); 3]))],
        }
    }

    #[test]
    fn builds_like_a_file_and_registers_by_content() {
        let net = from_edges(edges()).unwrap();
        assert_eq!(net.n(), 3);
        assert_eq!(net.arc_count(), 4); // the self-loop is dropped
        assert_eq!(net.report().self_loops_dropped, 2); // both arcs of the undirected loop
        assert_eq!(net.index_of("c"), Some(2));
        let a = register(Arc::new(net));
        let b = register(Arc::new(from_edges(edges()).unwrap()));
        assert_eq!(a, b);
        assert_eq!(lookup(&a).unwrap().n(), 3);
        assert!(lookup("mem-none").is_none());
    }

    #[test]
    fn scenarios_name_registered_networks_only() {
        let name = register(Arc::new(from_edges(edges()).unwrap()));
        let text = |path: &str| {
            format!(
                "name = \"m\"\nsteps = 3\nreplicates = 2\n[network]\nkind = \"in_memory\"\npath = \"{path}\"\n[[model]]\nkind = \"bass\"\np = 0.1\nq = 0.2\n"
            )
        };
        let parse = |t: String| {
            crate::scenario::parse(crate::scenario::Source {
                path: "m.toml".into(),
                text: t,
            })
        };
        let sc = parse(text(&name)).unwrap();
        assert_eq!(sc.network.kind(), "in_memory");
        assert_eq!(sc.network.known_n(), Some(3));
        assert!(!sc.network.is_random());
        let net = crate::realise::build_network(&sc, 0).unwrap();
        assert_eq!(net.id(1), "b");
        let e = parse(text("mem-0")).unwrap_err();
        assert_eq!(e.key, "network.path");
        assert!(e.message.contains("no network \"mem-0\" is held in memory"));
    }

    #[test]
    fn refuses_bad_input_naming_it() {
        let mut e = edges();
        e.weight = Some(vec![2.0, f64::NAN, 1.0]);
        assert!(from_edges(e).unwrap_err().0.contains("edge 1 (b → c)"));
        let mut e = edges();
        e.weight = Some(vec![-1.0, 1.0, 1.0]);
        assert!(from_edges(e).unwrap_err().0.contains("positive"));
        let mut e = edges();
        e.dst[0] = 7;
        assert!(from_edges(e).unwrap_err().0.contains("not a node"));
        let mut e = edges();
        e.ids[2] = "a".into();
        assert!(from_edges(e).unwrap_err().0.contains("twice"));
        let mut e = edges();
        (e.src, e.dst, e.weight) = (vec![], vec![], None);
        assert!(from_edges(e).unwrap_err().0.contains("no edges"));
        let mut e = edges();
        e.attributes = vec![("v".into(), Attribute::Numeric(vec![Some(1.0)]))];
        assert!(from_edges(e).unwrap_err().0.contains("1 values for 3"));
    }
}
