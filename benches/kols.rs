//! KOL centrality benchmarks (issue 14). Results: BENCHMARKS.md.
//!
//! Run:  cargo bench --bench kols -- --warm-up-time 1 --measurement-time 3
//!
//! Groups (ids are `group/function/parameter`):
//! - `centrality`: the `eigenvector` rule's scores (LOBPCG on the symmetric network) and the
//!   `betweenness` rule's sampled estimate (ε = 0.01, δ = 0.1) on BA n = 10^5, m = 5.
//!
//! The 1M measurement of both rules is `examples/kols_national.rs`.

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use kolsim::kols::{self, BETWEENNESS_DELTA, BETWEENNESS_EPSILON};
use kolsim::network::generators;
use kolsim::rng::{Purpose, stream};
use std::hint::black_box;
use std::time::Duration;

/// Nodes of the benchmark network.
const N: usize = 100_000;

fn centrality(c: &mut Criterion) {
    let mut g = c.benchmark_group("centrality");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(4));
    let net = generators::barabasi_albert(N, 5, &mut stream(42, Purpose::Network, 0));
    g.bench_function(BenchmarkId::new("eigenvector", "ba_100k"), |b| {
        b.iter(|| {
            black_box(kols::eigenvector(
                &net,
                kols::EIGENVECTOR_TOL,
                kols::EIGENVECTOR_MAX_ITER,
            ))
        })
    });
    g.bench_function(BenchmarkId::new("betweenness_sampled", "ba_100k"), |b| {
        b.iter(|| {
            black_box(kols::betweenness(
                &net,
                0,
                None,
                BETWEENNESS_EPSILON,
                BETWEENNESS_DELTA,
                &mut stream(42, Purpose::Kols, 0),
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, centrality);
criterion_main!(benches);
