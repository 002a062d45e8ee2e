//! The `eigenvector` and `betweenness` KOL rules at national scale: the network of
//! scenarios/bench-national.toml (BA n = 10^6, m = 5, seed 42), each rule ranked as a run
//! ranks it (realisation 0's `Kols` stream), with its time and how the scores were obtained.
//!
//! Run:  cargo run --release --example kols_national [-- N [THREADS]]
//! (N defaults to 1,000,000; THREADS to all cores.) `KOLS_EPSILON=0.002,0.005` times the
//! sampled betweenness scores at those ε (δ = 0.1) instead of the rule's default.

use kolsim::kols::{self, KolRule, RankingNote, rank_with_note};
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
        let eps = std::env::var("KOLS_EPSILON").unwrap_or_default();
        let mut rules = vec![KolRule::Eigenvector];
        if eps.is_empty() {
            rules.push(KolRule::betweenness());
        }
        for rule in rules {
            let t = Instant::now();
            let (ranking, note) = rank_with_note(&net, &rule, &mut stream(42, Purpose::Kols, 0));
            let s = t.elapsed().as_secs_f64();
            let top: Vec<u32> = ranking.iter().take(5).copied().collect();
            println!("{}: {s:.2} s; top 5 {top:?}", rule.name());
            if let Some(note) = note {
                println!("  {note}");
                println!("  {}", serde_json::to_string(&note).expect("json"));
            }
        }
        for e in eps.split(',').filter(|e| !e.is_empty()) {
            let e: f64 = e.parse().expect("KOLS_EPSILON");
            let t = Instant::now();
            let b = kols::betweenness(
                &net,
                kols::BETWEENNESS_EXACT_LIMIT,
                None,
                e,
                kols::BETWEENNESS_DELTA,
                &mut stream(42, Purpose::Kols, 0),
            );
            println!(
                "betweenness scores at ε = {e}: {:.2} s; {}",
                t.elapsed().as_secs_f64(),
                RankingNote::of_betweenness(&b)
            );
        }
    });
}
