//! Criterion benchmark of `kolsim fit` on the real CKM data: every exact model with standard
//! errors and profile intervals (`cargo bench --bench fit`).

use criterion::{Criterion, criterion_group, criterion_main};
use kolsim::fit;
use std::hint::black_box;
use std::path::PathBuf;

fn ckm(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sc =
        kolsim::scenario::load(&root.join("scenarios/ckm-tetracycline.toml")).expect("scenario");
    let observed = root.join("scenarios/data/ckm/observed.csv");
    let opts = fit::FitOptions::default();
    let prep = fit::prepare(&sc, &observed, &opts).expect("prepare");
    let mut g = c.benchmark_group("fit");
    g.bench_function("fit/ckm/all_models", |b| {
        b.iter(|| black_box(fit::fit_models(black_box(&prep), &opts)))
    });
    g.bench_function("fit/ckm/read_and_prepare", |b| {
        b.iter(|| black_box(fit::prepare(&sc, &observed, &opts).expect("prepare")))
    });
    let pe = fit::FitOptions {
        period_effects: true,
        ..fit::FitOptions::default()
    };
    g.bench_function("fit/ckm/all_models_period_effects", |b| {
        b.iter(|| black_box(fit::fit_models(black_box(&prep), &pe)))
    });
    g.finish();
}

criterion_group!(benches, ckm);
criterion_main!(benches);
