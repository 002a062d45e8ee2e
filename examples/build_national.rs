//! Times the network build at national scale: BA generation, then the CSR build, separately.
//!
//! Run:  cargo run --release --example build_national [-- N [THREADS]]
//! (N defaults to 1,000,000; THREADS to all cores.)

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
            "BA n = {n}, m = 5: {} arcs, generated and built in {:.2} s on {} threads",
            net.arc_count(),
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
    });
}
