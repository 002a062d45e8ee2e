//! The `eigenvector` and `betweenness` KOL rules at national scale: the network of
//! scenarios/bench-national.toml (BA n = 10^6, m = 5, seed 42), each rule ranked as a run
//! ranks it (realisation 0's `Kols` stream), with its time and how the scores were obtained.
//!
//! Run:  cargo run --release --example kols_national [-- N [THREADS]]
//! (N defaults to 1,000,000; THREADS to all cores.)

use kolsim::kols::{KolRule, rank_with_note};
use kolsim::network::generators;
use kolsim::rng::{Purpose, stream};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().expect("N"));
    let threads: usize = args.next().map_or(0, |a| a.parse().expect("THREADS"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let t = Instant::now();
        let net = generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0));
        println!(
            "BA n = {n}, m = 5: {} arcs, built in {:.2} s, {} threads",
            net.arc_count(),
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
        for rule in [KolRule::Eigenvector, KolRule::betweenness()] {
            let t = Instant::now();
            let (ranking, note) = rank_with_note(&net, &rule, &mut stream(42, Purpose::Kols, 0));
            let s = t.elapsed().as_secs_f64();
            let top: Vec<u32> = ranking.iter().take(5).copied().collect();
            println!("{}: {s:.2} s; top 5 {top:?}", rule.name());
            if let Some(note) = note {
                println!("  {note}");
            }
        }
    });
}
