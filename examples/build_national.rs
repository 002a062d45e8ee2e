//! Times the network build at national scale (BA generation and CSR build), or the
//! edge-list ingest.
//!
//! Run:  cargo run --release --example build_national [-- N [THREADS]]
//! (N defaults to 1,000,000; THREADS to all cores.)
//!
//! Or:   cargo run --release --example build_national -- ingest [N [THREADS]]
//! writes the undirected ties of a BA network (n = N, default 100,000, m = 5: about
//! 500,000 rows, `source,target`) to a temporary CSV and times building a scenario's
//! `kind = "edge_list"` network from it five times.

use kolsim::network::generators;
use kolsim::rng::{Purpose, stream};
use std::fmt::Write;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let ingest = args.first().is_some_and(|a| a == "ingest");
    if ingest {
        args.remove(0);
    }
    let default_n = if ingest { 100_000 } else { 1_000_000 };
    let n: usize = args.first().map_or(default_n, |a| a.parse().expect("N"));
    let threads: usize = args.get(1).map_or(0, |a| a.parse().expect("THREADS"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let t = Instant::now();
        let net = generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0));
        println!(
            "BA n = {n}, m = 5: {} arcs, generated and built in {:.3} s on {} threads",
            net.arc_count(),
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
        if ingest {
            time_ingest(&net);
        }
    });
}

/// Writes `net`'s ties as an edge list with a scenario reading it, and times building the
/// scenario's network (the read, the checks and the CSR build).
fn time_ingest(net: &kolsim::network::Network) {
    let dir = std::env::temp_dir().join(format!("kolsim-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut text = String::from("source,target\n");
    for j in 0..net.n() {
        let later = net.out_arcs().arcs(j).0.iter().filter(|&&i| i as usize > j);
        later.for_each(|i| writeln!(text, "{j},{i}").expect("format"));
    }
    let rows = text.lines().count() - 1;
    std::fs::write(dir.join("ties.csv"), &text).expect("write");
    let scenario = "name = \"ingest\"\nsteps = 1\nreplicates = 1\n[network]\nkind = \"edge_list\"\npath = \"ties.csv\"\ndirected = false\nheader = true\nsource = \"source\"\ntarget = \"target\"\n[[model]]\nkind = \"bass\"\np = 0.01\nq = 0.1\n";
    let sc = kolsim::scenario::parse(kolsim::scenario::Source {
        path: dir.join("ingest.toml"),
        text: scenario.into(),
    })
    .expect("scenario");
    for _ in 0..5 {
        let t = Instant::now();
        let read = kolsim::realise::build_network(&sc, 0).expect("read");
        println!(
            "ingest {rows} rows ({} bytes) -> {} physicians, {} arcs: {:.3} s",
            text.len(),
            read.n(),
            read.arc_count(),
            t.elapsed().as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
