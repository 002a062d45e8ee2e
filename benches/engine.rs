//! Engine, network and KOL benchmarks (issue "national scale"). Results: BENCHMARKS.md.
//!
//! Run all:      cargo bench --bench engine
//! Run a group:  cargo bench --bench engine -- step/bass
//!
//! Groups (ids are `group/function/parameter`):
//! - `network`: generating `barabasi_albert`, `erdos_renyi`, `watts_strogatz` at n = 10^5;
//! - `kols`: ranking n = 10^5 (BA m = 5) by `in_degree` and `pagerank`;
//! - `step/<model>`: one replicate of 120 steps of each model on BA n = 10^5 m = 5 with 100
//!   initial adopters, with BOTH engines (`event`, `reference`) in the same group, so that the
//!   speed-up is a ratio taken from one run. Throughput is nominal neighbour visits,
//!   `arcs × steps` (what the reference sweep does);
//! - `national`: building BA n = 10^6 m = 5 and ranking it (the `prepare` phase of
//!   scenarios/bench-national.toml; target < 2 s each).
//!
//! Networks are built lazily inside the first benchmark that needs them, so filtering to one
//! group does not pay for the others' set-up.

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kolsim::engine::{Curve, EngineKind, Replicate, Scratch};
use kolsim::kols::{self, KolRule};
use kolsim::models::{
    Bass, Detailing, ExposureKind, Imitation, IndependentCascade, Model, Policy, Setting,
    SocialLearning, StructuralEquivalence, Theta, Threshold,
};
use kolsim::network::{Network, generators};
use kolsim::rng::{Purpose, stream};
use std::cell::OnceCell;
use std::hint::black_box;
use std::time::Duration;

const SEED: u64 = 42;
const N: usize = 100_000;
const N_NATIONAL: usize = 1_000_000;
const M: usize = 5;
const STEPS: u32 = 120;
const INITIAL: usize = 100;

fn ba(n: usize) -> Network {
    generators::barabasi_albert(n, M, &mut stream(SEED, Purpose::Network, 0))
}

/// Ranks by a rule on the run's `Kols` stream for realisation 0.
fn rank(net: &Network, rule: &KolRule) -> Vec<u32> {
    kols::rank_with(net, rule, &mut stream(SEED, Purpose::Kols, 0))
}

fn network_generation(c: &mut Criterion) {
    let mut g = c.benchmark_group("network");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(4));
    // Throughput: arcs generated (two per undirected tie), taken from one draw.
    let mut bench = |name: &str, make: &dyn Fn(u64) -> Network| {
        g.throughput(Throughput::Elements(make(0).arc_count()));
        let mut rep = 0u64;
        g.bench_function(BenchmarkId::new(name, "100k"), |b| {
            b.iter(|| {
                rep += 1;
                black_box(make(rep))
            })
        });
    };
    bench("barabasi_albert", &|r| {
        generators::barabasi_albert(N, M, &mut stream(SEED, Purpose::Network, r))
    });
    bench("erdos_renyi", &|r| {
        generators::erdos_renyi(N, 10.0, &mut stream(SEED, Purpose::Network, r))
    });
    bench("watts_strogatz", &|r| {
        generators::watts_strogatz(N, 10, 0.1, &mut stream(SEED, Purpose::Network, r))
    });
    g.finish();
}

fn kol_ranking(c: &mut Criterion) {
    let mut g = c.benchmark_group("kols");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(N as u64));
    let net = OnceCell::new();
    for (name, rule) in [
        ("in_degree", KolRule::InDegree),
        ("pagerank", KolRule::PageRank),
    ] {
        g.bench_function(BenchmarkId::new(name, "ba_100k"), |b| {
            let net = net.get_or_init(|| ba(N));
            b.iter(|| black_box(rank(net, &rule)))
        });
    }
    g.finish();
}

/// The models of the `step` groups, with their names.
fn models() -> Vec<(&'static str, Box<dyn Model>)> {
    vec![
        (
            "imitation",
            Box::new(Imitation {
                q: 0.08,
                exposure: ExposureKind::Share,
            }),
        ),
        ("bass", Box::new(Bass { p: 0.002, q: 0.08 })),
        (
            "threshold",
            Box::new(Threshold {
                theta: Theta::Uniform {
                    low: 0.0,
                    high: 0.5,
                },
                p: 0.002,
                exposure: ExposureKind::Share,
            }),
        ),
        (
            "independent_cascade",
            Box::new(IndependentCascade {
                beta: 0.05,
                p: 0.002,
            }),
        ),
        (
            // Higher thresholds: adoption unfolds over many steps, where the full sweep pays
            // for every step and the event engine does not.
            "threshold_slow",
            Box::new(Threshold {
                theta: Theta::Uniform {
                    low: 0.2,
                    high: 0.9,
                },
                p: 0.002,
                exposure: ExposureKind::Share,
            }),
        ),
        (
            "social_learning",
            Box::new(SocialLearning {
                quality: 0.5,
                prior_mean: 0.0,
                prior_sd: 1.0,
                signal_sd: 3.0,
                signals_per_step: 1,
                kol_signals_per_step: 3,
                u0: 0.0,
                risk_aversion: 1.0,
                discontinue_margin: 1.0,
            }),
        ),
        (
            "detailing",
            Box::new(Detailing {
                alpha: 0.002,
                beta: 0.02,
                gamma: 0.08,
                decay: 0.7,
                budget: vec![1000.0],
                policy: Policy::KolsFirst,
            }),
        ),
        (
            "structural_equivalence",
            Box::new(StructuralEquivalence { q: 0.08, top_k: 10 }),
        ),
    ]
}

/// Engines a model can run on: social learning and detailing have their own full sweep (the
/// engine choice does not apply to them); the others run on both.
fn engines_for(model: &dyn Model) -> &'static [(&'static str, EngineKind)] {
    match model.kind() {
        "social_learning" | "detailing" => &[("sweep", EngineKind::Reference)],
        _ => &[
            ("event", EngineKind::Event),
            ("reference", EngineKind::Reference),
        ],
    }
}

/// Everything a replicate needs at n = 10^5, built once.
struct StepInput {
    net: Network,
    is_kol: Vec<bool>,
    initial: Vec<u32>,
}

fn step(c: &mut Criterion) {
    let input = OnceCell::new();
    let input = || {
        input.get_or_init(|| {
            let net = ba(N);
            // As in bench-national: the initial adopters are the top physicians by in-degree.
            let mut initial = rank(&net, &KolRule::InDegree);
            initial.truncate(INITIAL);
            let is_kol = vec![false; net.n()];
            StepInput {
                net,
                is_kol,
                initial,
            }
        })
    };
    // BA with m = 5: 2·m·n arcs minus the seed clique's shortfall, known without building.
    let arcs = (2 * M * N - M * (M + 1)) as u64;
    for (name, model) in models() {
        let mut g = c.benchmark_group(format!("step/{name}"));
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .throughput(Throughput::Elements(arcs * STEPS as u64));
        for &(engine_name, engine) in engines_for(model.as_ref()) {
            g.bench_function(BenchmarkId::new(engine_name, "ba_100k"), |b| {
                let inp = input();
                assert_eq!(inp.net.arc_count(), arcs);
                // Prepared once, as per realisation in a run: `structural_equivalence` builds
                // its top-10 similarity network here; kols_first detailing visits the seeded
                // top physicians first. Thresholds are drawn per replicate, as in a run.
                let prepared = model
                    .prepare(&Setting {
                        net: &inp.net,
                        kols: &inp.initial,
                        is_kol: &inp.is_kol,
                        kol_weight: 1.0,
                    })
                    .unwrap();
                let net = &inp.net;
                let mut scratch = Scratch::default();
                let mut curve = Curve::with_steps(STEPS);
                // A new replicate (dynamics stream) each iteration, as in a real run.
                let mut r = 0u64;
                b.iter(|| {
                    r += 1;
                    let rep = Replicate {
                        net,
                        is_kol: &inp.is_kol,
                        initial: &inp.initial,
                        steps: STEPS,
                        seed: SEED,
                        replicate: r,
                    };
                    curve.new_adopters.clear();
                    curve.new_kol_adopters.clear();
                    curve.discontinued.clear();
                    curve.users.clear();
                    prepared.run(engine, &rep, &mut scratch, &mut curve);
                    black_box(curve.new_adopters.iter().sum::<u32>())
                })
            });
        }
        g.finish();
    }
}

fn national(c: &mut Criterion) {
    let mut g = c.benchmark_group("national");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(N_NATIONAL as u64));
    let mut rep = 0u64;
    g.bench_function(BenchmarkId::new("build_ba", "1m"), |b| {
        b.iter(|| {
            rep += 1;
            black_box(generators::barabasi_albert(
                N_NATIONAL,
                M,
                &mut stream(SEED, Purpose::Network, rep),
            ))
        })
    });
    let net = OnceCell::new();
    for (name, rule) in [
        ("in_degree", KolRule::InDegree),
        ("pagerank", KolRule::PageRank),
    ] {
        g.bench_function(BenchmarkId::new(name, "ba_1m"), |b| {
            let net = net.get_or_init(|| ba(N_NATIONAL));
            b.iter(|| black_box(rank(net, &rule)))
        });
    }
    g.finish();
}

/// Reading a 500,000-row CSV edge list (BA n = 10^5, m = 5 as undirected ties; 10^6 arcs):
/// the whole of `edge_list::read` (rows, ids, CSR build).
fn ingest(c: &mut Criterion) {
    use kolsim::network::edge_list::{self, Column, EdgeListSpec, UnknownIds};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ties.csv");
    let net = ba(N);
    let mut text = String::from("source,target\n");
    let mut rows = 0u64;
    for j in 0..net.n() {
        for &i in net.out_arcs().arcs(j).0 {
            if (i as usize) > j {
                text.push_str(&format!("{j},{i}\n"));
                rows += 1;
            }
        }
    }
    std::fs::write(&path, &text).expect("write");
    let spec = EdgeListSpec {
        path: path.clone(),
        directed: false,
        header: true,
        source: Column::Position(1),
        target: Column::Position(2),
        weight: None,
        nodes: None,
        delimiter: None,
        decimal: Default::default(),
        unknown_ids: UnknownIds::Error,
        missing: Vec::new(),
        normalize_ids: false,
        layers: Vec::new(),
    };
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(
        BenchmarkId::new("edge_list_csv", format!("{rows}_rows")),
        |b| b.iter(|| black_box(edge_list::read(&spec).expect("read"))),
    );
    g.finish();
}

criterion_group!(
    benches,
    network_generation,
    kol_ranking,
    step,
    national,
    ingest
);
criterion_main!(benches);
