//! The documented `kolsim seed` speed run (issue 13): BA n = 1,000,000, m = 5, independent
//! cascade with weighted-cascade probabilities `β·w = 1/in-degree`, k = 50, ε = 0.1, one
//! thread. Prints the network build and the RR phase (sampling + greedy + bounds) separately.
//!
//! ```text
//! cargo run --release --example seed_national            # n = 1,000,000
//! cargo run --release --example seed_national -- 100000  # a smaller n
//! ```
//! Results: README, "Is our KOL list the best seed set?".

use kolsim::models::ReverseReachable;
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::{Objective, OpimOptions, ReverseGraph, opim_c};
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one thread");
    pool.install(|| {
        let t0 = Instant::now();
        let net = weighted_cascade_ba(n, 5, 42);
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let g = ReverseGraph::new(&net, ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 }, 1000)
            .expect("sparse");
        let prep = t1.elapsed().as_secs_f64();
        if std::env::var_os("SEED_PHASES").is_some() {
            phases(&g, 16384);
        }
        let c = opim_c(
            &g,
            &OpimOptions {
                k: 50,
                epsilon: 0.1,
                delta: None,
                objective: Objective::Adopters,
                seed: 42,
                candidates: None,
                min_sets: 0,
            },
        );
        println!(
            "n = {n}, arcs = {}: network build {build:.2} s, reverse graph {prep:.2} s, RR phase (sampling + greedy + bounds) {:.3} s on 1 thread",
            net.arc_count(),
            c.seconds
        );
        println!(
            "RR sets per collection {}, rounds {}, mean size {:.2}, certified ratio {:.3} (target {:.3}), estimated spread {:.0}",
            c.rr_sets, c.rounds, c.mean_rr_size, c.ratio, c.target, c.spread
        );
    });
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
