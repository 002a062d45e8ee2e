//! `kolsim seed` benchmarks (issue 13). Run: `cargo bench --bench seed`.
//!
//! - `seed/rr_sets`: sampling 16,384 RR sets of the independent cascade with weighted-cascade
//!   probabilities (`β·w = 1/in-degree`) on BA n = 10^5, m = 5, one thread;
//! - `seed/opim_c`: the whole OPIM-C run (sampling, greedy, bounds) for k = 50, ε = 0.1 on the
//!   same graph, one thread;
//! - `seed/count_imitation`: OPIM-C for count-form imitation, q = 0.08, H = 24, k = 50 on
//!   BA n = 10^4 (the high-influence regime: RR sets cover a large share of the network);
//! - `seed/mixture`: OPIM-C on the mixture of three theories (weighted cascade, linear
//!   threshold, share-form imitation q = 0.1; weights 0.5/0.3/0.2; H = 24, k = 50) on the
//!   weighted-cascade BA n = 10^5, one thread, beside `seed/mixture_single` (the cascade
//!   alone, same H), for issue 23's "at most 3 × the single-theory time".
//!
//! - `seed/count_imitation_long`: 1,024 RR sets of count-form imitation, q = 0.01, on BA
//!   n = 1,000, m = 2, with H = 1,000 and H = 100,000 (issue 24: the same cost for both).
//!
//! The national-size run (n = 10^6) is a one-shot example, not a criterion loop:
//! `cargo run --release --example seed_national`.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use kolsim::models::ReverseReachable;
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::opim::{BATCH, sample_batches};
use kolsim::seed::{Mixture, Objective, OpimOptions, ReverseGraph, opim_c, opim_mix};
use std::hint::black_box;
use std::time::Duration;

fn weighted_cascade_ba(n: usize) -> Network {
    let ba = generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0));
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

fn options(k: usize) -> OpimOptions {
    OpimOptions {
        k,
        epsilon: 0.1,
        objective: Objective::Adopters,
        seed: 42,
        min_sets: 0,
        ..OpimOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one thread");
    let net = weighted_cascade_ba(100_000);
    let g = ReverseGraph::new(&net, ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 }, 1000)
        .expect("sparse");
    let mut grp = c.benchmark_group("seed");
    grp.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(4));
    grp.bench_function("rr_sets/wc_ba_100k_16384", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(sample_batches(
                    &g,
                    Objective::Adopters,
                    42,
                    0,
                    0..16_384 / BATCH,
                ))
            })
        })
    });
    grp.bench_function("opim_c/wc_ba_100k_k50", |b| {
        b.iter(|| pool.install(|| black_box(opim_c(&g, &options(50)))))
    });
    let three: Vec<ReverseGraph> = [
        ReverseReachable::LiveArcs { beta: 1.0, p: 0.0 },
        ReverseReachable::OneParent { p: 0.0 },
        ReverseReachable::Listening { q: 0.1, p: 0.0 },
    ]
    .into_iter()
    .map(|r| ReverseGraph::new(&net, r, 24).expect("sparse"))
    .collect();
    let mix = Mixture::new(three.iter().zip([0.5, 0.3, 0.2]).collect()).expect("mixture");
    grp.bench_function("mixture_single/wc_ba_100k_h24_k50", |b| {
        b.iter(|| pool.install(|| black_box(opim_c(&three[0], &options(50)))))
    });
    grp.bench_function("mixture/wc_ba_100k_3theories_h24_k50", |b| {
        b.iter(|| pool.install(|| black_box(opim_mix(&mix, &options(50)))))
    });
    let small = generators::barabasi_albert(10_000, 5, &mut stream(42, Purpose::Network, 0));
    let gc = ReverseGraph::new(&small, ReverseReachable::Delays { q: 0.08 }, 24).expect("sparse");
    grp.bench_function("count_imitation/ba_10k_q0.08_h24_k50", |b| {
        b.iter(|| black_box(opim_c(&gc, &options(50))))
    });
    // Issue 24: a long deadline. The search settles each physician once in order of its
    // deadline (a heap above HEAP_ABOVE), so the cost follows the reachable set, not H.
    let tiny = generators::barabasi_albert(1_000, 2, &mut stream(42, Purpose::Network, 0));
    for h in [1_000u32, 100_000] {
        let gl = ReverseGraph::new(&tiny, ReverseReachable::Delays { q: 0.01 }, h).expect("sparse");
        grp.bench_function(
            format!("count_imitation_long/ba_1k_q0.01_h{h}_1024sets"),
            |b| {
                b.iter(|| {
                    pool.install(|| {
                        black_box(sample_batches(
                            &gl,
                            Objective::Adopters,
                            42,
                            0,
                            0..1024 / BATCH,
                        ))
                    })
                })
            },
        );
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
