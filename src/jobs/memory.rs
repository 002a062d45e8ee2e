//! How much memory a job needs, and the refusals made before anything is built: a run, a
//! sweep point or a network check that would not fit in memory, a network with more arcs than
//! kolsim can index, a KOL weight that would overflow.
//!
//! The memory estimate ([`estimate`]) is a conservative sum of the parts a run keeps alive at
//! once: the network realisations (one being built per worker when networks are redrawn per
//! replicate), per-worker engine state, the curves and adoption records kept for the outputs,
//! and the output files' text, which is built in memory before the folder is written. It is
//! compared with the memory available to the process (`MemAvailable` in `/proc/meminfo`,
//! bounded by the cgroup limit where there is one) or with `--max-memory`. Calibration against
//! measured peak resident memory is in docs/limits.md.

use crate::error::Error;
use crate::limits::{MAX_ARCS, MAX_DATA_IN_WEIGHT, MAX_IN_WEIGHT, size_text};
use crate::scenario::{Draw, NetworkSpec, Scenario};
use std::io::Read;
use std::path::Path;

/// Fixed cost of the process (code, runtime, small tables), in bytes.
const BASE_BYTES: u64 = 8 << 20;

/// Memory available to this process, in bytes: `MemAvailable` from `/proc/meminfo`, bounded by
/// the cgroup (v2) limit less current use where one is set, and by the address-space limit
/// (`ulimit -v`, `RLIMIT_AS`) less the address space already mapped. `None` where unknown
/// (then no memory check is made unless `--max-memory` is given).
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let avail = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())?
        .saturating_mul(1024);
    Some(
        [cgroup_headroom(), address_space_headroom()]
            .into_iter()
            .flatten()
            .fold(avail, u64::min),
    )
}

/// The soft address-space limit (`Max address space` in `/proc/self/limits`) less this
/// process's mapped address space (`VmSize` in `/proc/self/status`), where a limit is set.
fn address_space_headroom() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let limit = soft_address_space_limit(&limits)?;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        .saturating_mul(1024);
    Some(limit.saturating_sub(used))
}

/// The soft limit of the `Max address space` row of a `/proc/<pid>/limits` text, in bytes;
/// `None` when unlimited or absent.
fn soft_address_space_limit(limits: &str) -> Option<u64> {
    let row = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max address space"))?;
    row.split_whitespace().next()?.parse().ok()
}

/// `memory.max − memory.current` of this process's cgroup (v2), where a limit is set.
fn cgroup_headroom() -> Option<u64> {
    let cg = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = cg.lines().find_map(|l| l.strip_prefix("0::"))?.trim();
    let dir = Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    let max: u64 = std::fs::read_to_string(dir.join("memory.max"))
        .ok()?
        .trim()
        .parse()
        .ok()?; // "max" (no limit) does not parse
    let cur: u64 = std::fs::read_to_string(dir.join("memory.current"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    Some(max.saturating_sub(cur))
}

/// A memory estimate in bytes, with its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// `(part, bytes)`, largest first.
    pub parts: Vec<(&'static str, u64)>,
    /// Expected arcs of one network realisation.
    pub arcs: f64,
    /// Physicians (expected, for edge lists without a node file).
    pub nodes: f64,
}

impl Estimate {
    fn new(mut parts: Vec<(&'static str, f64)>, arcs: f64, nodes: f64) -> Self {
        parts.retain(|(_, b)| *b > 0.0);
        parts.sort_by(|a, b| b.1.total_cmp(&a.1));
        Estimate {
            parts: parts
                .into_iter()
                .map(|(k, b)| (k, b.min(u64::MAX as f64 / 16.0) as u64))
                .collect(),
            arcs,
            nodes,
        }
    }

    /// The total, in bytes.
    pub fn total(&self) -> u64 {
        self.parts
            .iter()
            .fold(0u64, |a, (_, b)| a.saturating_add(*b))
    }

    /// The three largest parts, for messages: `network 1.2 GiB, curves 300.0 MiB, …`.
    pub fn largest(&self) -> String {
        self.parts
            .iter()
            .take(3)
            .map(|(k, b)| format!("{k} {}", size_text(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Expected arcs, physicians and the bytes to build one realisation (its peak) and to keep it.
struct NetSize {
    arcs: f64,
    nodes: f64,
    build: f64,
    keep: f64,
}

/// Size of an edge-list (or node) file and its estimated number of data rows: the mean row
/// length is measured on the first 64 KiB. `None` for a file whose size is unknown (a pipe).
fn file_rows(path: &Path) -> Option<(f64, f64)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let size = meta.len() as f64;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(64 << 10)
        .read_to_end(&mut head)
        .ok()?;
    let lines = head
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let mean = head.len() as f64 / lines.max(1) as f64;
    // 10% margin for rows shorter than the sample's.
    Some((size, (size / mean.max(4.0)).ceil() * 1.1 + 1.0))
}

fn net_size(sc: &Scenario) -> NetSize {
    // Per physician in the finished network: two offsets arrays (16), in-weights (8), KOL
    // scales (4), KOL flags and lists (8).
    const NODE: f64 = 36.0;
    // A finished arc: in and out CSR halves (4-byte node and 4-byte weight each).
    const ARC: f64 = 16.0;
    // Building from an arc list (`build::csr_pair`): the list (12 bytes an arc, counted at
    // its capacity), the sort permutation (4) and the merged copy (12) are alive at once.
    let sparse = |nodes: f64, arcs: f64, arclist_cap: f64, extra: f64| NetSize {
        arcs,
        nodes,
        build: NODE * nodes + 12.0 * arclist_cap + 16.0 * arcs + extra,
        keep: NODE * nodes + ARC * arcs,
    };
    if let Some((g, params)) = sc.network.generator() {
        let s = (g.size)(&params);
        return sparse(s.nodes, s.arcs, s.arclist_cap, s.extra);
    }
    match &sc.network {
        NetworkSpec::EdgeList(spec) => {
            let (_, rows) = file_rows(&spec.path).unwrap_or((0.0, 0.0));
            let arcs = rows * if spec.directed { 1.0 } else { 2.0 };
            let (node_size, nodes) = match &spec.nodes {
                Some(nf) => file_rows(&nf.path).unwrap_or((0.0, 0.0)),
                // Without a node file, assume no more physicians than rows.
                None => (0.0, rows),
            };
            // Ids: kept once in the network and once in the reader's index (about 120 bytes
            // a physician); a node file's table and attributes (about 6 times its size).
            let ids = 120.0 * nodes + 6.0 * node_size;
            let mut s = sparse(nodes, arcs, 2.0 * arcs, ids);
            s.keep += 60.0 * nodes + 2.0 * node_size;
            s
        }
        // A copy of the network held in memory (ids and attributes about 120 bytes a node).
        NetworkSpec::InMemory { net, .. } => {
            let (n, arcs) = (net.n() as f64, net.arc_count() as f64);
            sparse(n, arcs, 0.0, 120.0 * n)
        }
        // Generated networks are sized by their generator (above).
        _ => unreachable!("generated networks are sized by their generator"),
    }
}

/// Estimates the memory a run of `sc` needs (its `replicates`, `steps`, models and arms) on
/// `threads` worker threads (0: all cores), keeping adoption records if `record`. Makes no
/// allocation that depends on the scenario's sizes, and reads at most 64 KiB of data files.
pub fn estimate(sc: &Scenario, threads: usize, record: bool) -> Estimate {
    let net = net_size(sc);
    let (n, arcs) = (net.nodes, net.arcs);
    let reps = sc.replicates as f64;
    let series = (sc.models.len() * sc.arms.len()) as f64;
    let steps = sc.steps as f64 + 1.0;
    let redrawn = sc.draw == Draw::PerReplicate && sc.network.is_random();
    let items = if redrawn { reps } else { reps * series };
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads = if threads == 0 { cores } else { threads } as f64;
    let workers = threads.min(items).max(1.0);
    // Realisation 0 is kept for the whole run; with per-replicate networks every worker also
    // builds its own.
    let network = net.keep.max(net.build) + if redrawn { workers * net.build } else { 0.0 };
    // KOL ranking: scores and orders (48 bytes a physician), betweenness one BFS state per
    // worker.
    let ranking = 48.0
        * n
        * if sc.kols.rule.name() == "betweenness" {
            1.0 + threads
        } else {
            1.0
        };
    // Per worker: the event engine's 32-byte node records, impulses, thresholds, adoption
    // steps and lists (64 bytes a physician), and the arcs pushed in one step (4 bytes an arc;
    // 8 if every physician adopted at once); recording adds the recorder's per-physician state
    // (24 bytes).
    let engine = threads * (64.0 * n + 4.0 * arcs + if record { 24.0 * n } else { 0.0 });
    // Each kept curve: four u32 series of steps + 1 values, plus vector headers.
    let curves = series * reps * (16.0 * steps + 160.0);
    let digits = |x: f64| x.max(1.0).log10().floor() + 1.0;
    let names: f64 = sc.models.iter().map(|m| m.name.len()).max().unwrap_or(0) as f64
        + sc.arms.iter().map(|a| a.name.len()).max().unwrap_or(0) as f64;
    // curves.csv text: one row per series, replicate and step (a string grown by doubling,
    // counted at 1.5 times its length), and metrics (a struct and a metrics.csv row per
    // replicate).
    let row = names + 10.0 + digits(reps) + digits(steps) + 4.0 * digits(n) + 20.0;
    let text = 1.5 * series * reps * steps * row + series * reps * (120.0 + 1.5 * (names + 140.0));
    // Summaries, comparisons and plots: a column of replicate values per step while
    // summarising, and the report's text.
    let summary = 8.0 * reps * steps * 2.0 + series * steps * 600.0 + (1 << 20) as f64;
    // Adoption records: up to n adoptions per series and replicate, 20 bytes each in vectors
    // grown by doubling, and an adoptions.csv row each.
    let records = if record {
        series * reps * n * (30.0 + 1.5 * (names + 2.0 * digits(n) + digits(reps) + 24.0))
    } else {
        0.0
    };
    // With `segment`: a tally of new (and new KOL) adopters per segment and step for every
    // series and replicate (the segments are not known before the network is read: at most
    // min(n, MAX_SEGMENTS)).
    let segments = if sc.segment.is_some() {
        let k = n.min(crate::groups::MAX_SEGMENTS as f64);
        series * reps * (8.0 * steps * k + 100.0)
    } else {
        0.0
    };
    Estimate::new(
        vec![
            ("network", network + ranking),
            ("segment tallies", segments),
            ("engine state", engine),
            ("kept curves", curves),
            ("curves.csv and metrics.csv text", text),
            ("summaries and report", summary),
            ("adoption records", records),
            ("program", BASE_BYTES as f64),
        ],
        arcs,
        n,
    )
}

/// Estimates the memory to build and check realisation 0 of `sc` (what `validate` does).
pub fn estimate_network(sc: &Scenario) -> Estimate {
    let net = net_size(sc);
    Estimate::new(
        vec![
            ("network", net.keep.max(net.build) + 48.0 * net.nodes),
            ("program", BASE_BYTES as f64),
        ],
        net.arcs,
        net.nodes,
    )
}

/// The memory limit in force: `max_memory` if given, else the available memory, else none.
pub fn limit(max_memory: Option<u64>) -> Option<(u64, &'static str)> {
    match max_memory {
        Some(m) => Some((m, "--max-memory")),
        None => available_memory().map(|a| (a, "available")),
    }
}

/// Refuses an estimate over the limit, or a network with more arcs than kolsim can index.
/// `what` names the job ("this run", "building the network"); `overridable` says whether the
/// command takes `--max-memory` (the message then says how to raise the limit).
pub fn check(
    est: &Estimate,
    max_memory: Option<u64>,
    what: &str,
    overridable: bool,
) -> Result<(), Error> {
    if est.arcs > MAX_ARCS as f64 {
        return Err(Error::Usage(format!(
            "the network would have about {:.3e} arcs, more than kolsim supports ({MAX_ARCS}): use a smaller network (fewer physicians, or a smaller m, k or mean_degree)",
            est.arcs
        )));
    }
    let total = est.total();
    if let Some((lim, source)) = limit(max_memory)
        && total > lim
    {
        let suggest = size_text(total.saturating_add(total / 4));
        let limit_text = match source {
            "--max-memory" => format!("the limit given by --max-memory, {}", size_text(lim)),
            _ => format!("the {} of memory available", size_text(lim)),
        };
        let advice = if est.parts.first().is_some_and(|(k, _)| *k == "network") {
            "Use a smaller network"
        } else {
            "Use fewer replicates, steps, models or arms, a smaller network or fewer --threads"
        };
        let raise = if overridable {
            format!(
                "; or, if that much memory really is free, raise the limit with --max-memory SIZE (e.g. --max-memory {})",
                suggest.replace(' ', "").replace("iB", "")
            )
        } else {
            String::new()
        };
        return Err(Error::Usage(format!(
            "{what} needs about {} of memory (largest parts: {}), more than {limit_text}. {advice}{raise}",
            size_text(total),
            est.largest(),
        )));
    }
    Ok(())
}

/// Everything refused before a run builds anything: a KOL weight that would overflow, a
/// network with too many arcs, or a memory estimate over the limit (`max_memory`, else the
/// memory available).
pub fn check_run(
    sc: &Scenario,
    threads: usize,
    record: bool,
    max_memory: Option<u64>,
) -> Result<(), Error> {
    check_kappa(sc)?;
    check(&estimate(sc, threads, record), max_memory, "this run", true)
}

/// Checks that the KOL weight κ cannot push any physician's total incoming weight past
/// [`MAX_IN_WEIGHT`]: for generated networks (weight 1, at most n − 1 in-arcs) κ·(n − 1), for
/// edge lists κ·[`MAX_DATA_IN_WEIGHT`] (the readers refuse heavier physicians).
pub fn check_kappa(sc: &Scenario) -> Result<(), Error> {
    let kappa = sc.kols.weight as f64;
    let base = match &sc.network {
        NetworkSpec::EdgeList(_) | NetworkSpec::InMemory { .. } => MAX_DATA_IN_WEIGHT,
        _ => (net_size(sc).nodes - 1.0).max(1.0),
    };
    if kappa.is_finite() && kappa * base <= MAX_IN_WEIGHT {
        return Ok(());
    }
    let span = sc.source.span_of("kols", "weight");
    Err(Error::Scenario(sc.source.error(
        span,
        "kols.weight",
        format!(
            "κ = {} is too large for this network: physicians' weighted exposure would overflow (κ × {} must be at most {MAX_IN_WEIGHT:e}{})",
            if kappa.is_finite() {
                format!("{kappa:.3e}")
            } else {
                "a value beyond the 32-bit float range (3.4e38)".into()
            },
            if matches!(sc.network, NetworkSpec::EdgeList(_) | NetworkSpec::InMemory { .. }) {
                format!("{MAX_DATA_IN_WEIGHT:e}, the most incoming weight an edge list may give a physician")
            } else {
                format!("(n − 1) = {base}")
            },
            if kappa.is_finite() {
                format!("; κ at most {:.3e}", MAX_IN_WEIGHT / base)
            } else {
                String::new()
            }
        ),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_space_limit_is_read() {
        let head =
            "Limit                     Soft Limit           Hard Limit           Units     \n";
        let rows = |soft: &str| {
            format!(
                "{head}Max stack size            8388608              unlimited            bytes     \nMax address space         {soft}            unlimited            bytes     \n"
            )
        };
        assert_eq!(soft_address_space_limit(&rows("1073741824")), Some(1 << 30));
        assert_eq!(soft_address_space_limit(&rows("unlimited")), None);
        assert_eq!(soft_address_space_limit(head), None);
    }

    #[test]
    fn available_memory_is_plausible() {
        if let Some(a) = available_memory() {
            assert!(a > 1 << 20);
        }
    }
}
