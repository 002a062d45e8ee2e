//! The documented `kolsim seed` speed runs (issue 13): BA n = 1,000,000, m = 5, k = 50,
//! ε = 0.1. Prints the network build and the RR phase (sampling + greedy + bounds) separately,
//! and the peak resident memory of the process.
//!
//! Variants (environment variables):
//! - `SEED_VARIANT=wc` (default): independent cascade, weighted cascade `β·w = 1/in-degree`;
//! - `SEED_VARIANT=ic0.1`: independent cascade with `β = 0.1` on every arc (high influence);
//! - `SEED_VARIANT=count`: count-form imitation, `q = 0.08`, `H = 24`;
//! - `SEED_VARIANT=lt`: linear threshold (one parent by weight) on the weighted-cascade graph
//!   (OPIM-C's LT row of FIT-AND-SEED.md §2.3);
//! - `SEED_VARIANT=mix3`: three theories on the weighted-cascade graph, `H = 24` (independent
//!   cascade `β·w = 1/in-degree`, linear threshold, share-form imitation `q = 0.1`): each
//!   theory's OPIM-C alone, then OPIM-C on the mixture (weights 0.5, 0.3, 0.2; issue 23);
//! - `SEED_THREADS=N` (default 1), `SEED_SENTINEL=auto|on|off` (default auto).
//!
//! ```text
//! cargo run --release --example seed_national            # n = 1,000,000
//! cargo run --release --example seed_national -- 100000  # a smaller n
//! SEED_VARIANT=ic0.1 cargo run --release --example seed_national
//! SEED_VARIANT=count SEED_THREADS=2 cargo run --release --example seed_national
//! SEED_VARIANT=mix3 cargo run --release --example seed_national
//! ```
//! Results: docs/seed.md, "Speed".

use kolsim::models::ReverseReachable;
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::{Mixture, Objective, OpimOptions, ReverseGraph, Sentinel, opim_c, opim_mix};
use std::time::Instant;

/// The BA graph with each arc `j → i` weighted `1 / in-degree(i)` (weighted cascade).
pub fn weighted_cascade_ba(n: usize, m: usize, seed: u64) -> Network {
    let ba = generators::barabasi_albert(n, m, &mut stream(seed, Purpose::Network, 0));
    let mut arcs = ArcList::with_capacity(ba.arc_count() as usize);
    for i in 0..n {
        let (js, _) = ba.in_arcs().arcs(i);
        let w = 1.0 / js.len() as f32;
        for &j in js {
            arcs.push(j, i as u32, w);
        }
    }
    Network::from_arcs(n, arcs)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let var = |k: &str| std::env::var(k).ok();
    let variant = var("SEED_VARIANT").unwrap_or_else(|| "wc".into());
    let threads: usize = var("SEED_THREADS")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let sentinel = var("SEED_SENTINEL")
        .and_then(|s| Sentinel::parse(&s))
        .unwrap_or_default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("threads");
    if variant == "mix3" {
        pool.install(|| mixture(n, threads));
        return;
    }
    pool.install(|| {
        let t0 = Instant::now();
        let (net, rule, h) = match variant.as_str() {
            "ic0.1" => (
                generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0)),
                ReverseReachable::LiveArcs { beta: 0.1, p: 0.0 },
                1000,
            ),
            "count" => (
                generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0)),
                ReverseReachable::Delays { q: 0.08 },
                24,
            ),
            "lt" => (
                weighted_cascade_ba(n, 5, 42),
                ReverseReachable::OneParent { p: 0.0 },
                1000,
            ),
            _ => (
                weighted_cascade_ba(n, 5, 42),
                ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 },
                1000,
            ),
        };
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let g = ReverseGraph::new(&net, rule, h).expect("sparse");
        let prep = t1.elapsed().as_secs_f64();
        if std::env::var_os("SEED_PHASES").is_some() {
            phases(&g, 16384);
        }
        let cpu0 = cpu_seconds();
        let c = opim_c(
            &g,
            &OpimOptions {
                k: 50,
                epsilon: 0.1,
                objective: Objective::Adopters,
                seed: 42,
                min_sets: 0,
                sentinel,
                ..OpimOptions::default()
            },
        );
        let cpu = cpu_seconds() - cpu0;
        println!(
            "variant {variant}, n = {n}, arcs = {}: network build {build:.2} s, reverse graph {prep:.2} s, RR phase (sampling + greedy + bounds) {:.3} s wall, {cpu:.3} s CPU on {threads} thread(s)",
            net.arc_count(),
            c.seconds
        );
        if let Some(p) = &c.sentinel {
            println!(
                "sentinel set {} physician(s) from {} pilot sets (mean size {:.0}) in {:.2} s; {:.1}% of the sets hit it",
                p.set.len(),
                p.sets,
                p.mean_size,
                p.seconds,
                100.0 * c.sentinel_hits
            );
        }
        println!(
            "RR sets per collection {}, rounds {}, mean size {:.2}, stored members {}, certified ratio {:.3} (target {:.3}, {}), estimated spread {:.0}",
            c.rr_sets,
            c.rounds,
            c.mean_rr_size,
            c.stored_nodes,
            c.ratio,
            c.target,
            c.stopped,
            c.spread
        );
        println!("peak resident memory {}", peak_rss());
    });
}

fn k50() -> OpimOptions {
    OpimOptions {
        k: 50,
        epsilon: 0.1,
        objective: Objective::Adopters,
        seed: 42,
        min_sets: 0,
        ..OpimOptions::default()
    }
}

/// `SEED_VARIANT=mix3`: each theory alone, then the mixture (issue 23's speed check).
fn mixture(n: usize, threads: usize) {
    let net = weighted_cascade_ba(n, 5, 42);
    let rules = [
        ("cascade", ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 }),
        ("threshold", ReverseReachable::OneParent { p: 0.0 }),
        ("imitation", ReverseReachable::Listening { q: 0.1, p: 0.0 }),
    ];
    let graphs: Vec<ReverseGraph> = rules
        .iter()
        .map(|(_, r)| ReverseGraph::new(&net, *r, 24).expect("sparse"))
        .collect();
    let mut single = Vec::new();
    for ((name, _), g) in rules.iter().zip(&graphs) {
        let c = opim_c(g, &k50());
        println!(
            "{name} alone: RR phase {:.3} s ({} sets per collection, mean size {:.2}, ratio {:.3})",
            c.seconds, c.rr_sets, c.mean_rr_size, c.ratio
        );
        single.push(c.seconds);
    }
    let mix = Mixture::new(graphs.iter().zip([0.5, 0.3, 0.2]).collect()).expect("mixture");
    let c = opim_mix(&mix, &k50());
    let max = single.iter().copied().fold(0.0, f64::max);
    let mean = single.iter().sum::<f64>() / single.len() as f64;
    println!(
        "mixture (0.5/0.3/0.2): RR phase {:.3} s ({} sets per collection, mean size {:.2}, ratio {:.3}) on {threads} thread(s): {:.2} x the mean single-theory time, {:.2} x the slowest",
        c.seconds,
        c.rr_sets,
        c.mean_rr_size,
        c.ratio,
        c.seconds / mean,
        c.seconds / max
    );
    println!("peak resident memory {}", peak_rss());
}

/// The process's peak resident set size (`VmHWM` of /proc/self/status; Linux only).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// CPU seconds (user + system) the process has used so far (`utime + stime` of
/// /proc/self/stat, in clock ticks of 1/100 s; Linux only, 0 elsewhere): steadier than wall
/// time on a shared machine.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which is in parentheses): state is field 3,
            // utime and stime are fields 14 and 15.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Times the phases of one OPIM-C round at the final size (diagnostics).
#[allow(dead_code)]
fn phases(g: &ReverseGraph, sets: u64) {
    use kolsim::seed::opim::{BATCH, greedy, sample_batches};
    let t = Instant::now();
    let c = sample_batches(g, Objective::Adopters, 42, 0, 0..sets / BATCH);
    let s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let gr = greedy(&c, g.n(), 50, None);
    let gt = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cov = c.coverage(&gr.seeds, g.n());
    let ct = t.elapsed().as_secs_f64();
    println!("sampling {sets} sets {s:.3} s, greedy {gt:.3} s, coverage {ct:.3} s ({cov})");
}
