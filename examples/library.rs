//! kolsim as a library: build a scenario in code (no TOML file), simulate it in memory with a
//! progress callback and a cancellation flag, fit the models to one simulated launch handed
//! over as a table in memory, and select seeds, all without touching the disk. Run it with
//! `cargo run --release --example library`. docs/library.md ("Using kolsim as a library") shows this
//! code.

use kolsim::api::{FitOptions, Launch, Options, SeedRequest, fit, select_seeds, simulate};
use kolsim::models::ExposureKind;
use kolsim::models::bass::Bass;
use kolsim::models::imitation::Imitation;
use kolsim::scenario::{Arm, InitialAdopters, KolSize, NamedModel, NetworkSpec, Scenario};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

fn main() -> Result<(), kolsim::Error> {
    // A 2,000-physician scale-free network, two models, KOLs seeded vs random seeds.
    let mut sc = Scenario::new(
        "in-code",
        36,
        50,
        NetworkSpec::BarabasiAlbert { n: 2000, m: 3 },
        vec![
            NamedModel::new(
                "imitation",
                Imitation {
                    q: 0.25,
                    exposure: ExposureKind::Share,
                },
                &[("q", "0.25")],
            ),
            NamedModel::new(
                "bass",
                Bass { p: 0.005, q: 0.25 },
                &[("p", "0.005"), ("q", "0.25")],
            ),
        ],
    );
    sc.kols.size = KolSize::Count(40);
    sc.kols.weight = 2.0;
    sc.arms = vec![
        Arm::new("kols", InitialAdopters::Kols(10)),
        Arm::new("random", InitialAdopters::Random(10)),
    ];
    sc.reference_arm = "random".into();

    let done = AtomicU64::new(0);
    let progress = |d: u64, _total: u64| {
        done.fetch_max(d, Ordering::Relaxed);
    };
    let cancel = AtomicBool::new(false); // set it from another thread to stop the run
    let res = simulate(
        &sc,
        &Options {
            threads: 0,
            progress: Some(&progress),
            cancel: Some(&cancel),
            record: true, // who adopted when, for the launch fitted below
        },
    )?;
    for (a, arm) in res.result.arms.iter().enumerate() {
        for (m, model) in res.result.models.iter().enumerate() {
            let last = res.summaries[a][m].last().expect("one summary per step");
            println!(
                "{arm:>6} {model:>9}: {:.1}% adopted after {} months",
                100.0 * last.mean,
                sc.steps
            );
        }
    }
    for c in res
        .comparisons
        .iter()
        .filter(|c| c.kind == "arm_vs_reference" && c.arm == "kols")
    {
        println!(
            "KOL lift ({}): {:+.1} points",
            c.model,
            100.0 * c.final_share.mean.unwrap_or(0.0)
        );
    }
    println!("{} work items", done.into_inner());

    // The KOL arm's first imitation replicate as an observed launch, in memory: one row per
    // physician (`id`, `adopted_at` = step + 1; empty = not adopted by the end).
    let mut adopted = vec![String::new(); res.result.n];
    for r in &res.result.records[0][0][0] {
        adopted[r.node as usize] = (r.step + 1).to_string();
    }
    let launch = Launch::Table {
        name: "replicate-0".into(),
        header: vec!["id".into(), "adopted_at".into()],
        rows: (0..)
            .zip(adopted)
            .map(|(i, t): (u32, String)| vec![i.to_string(), t])
            .collect(),
    };
    let fitted = fit(&sc, &launch, &FitOptions::default())?;
    let mut models: Vec<_> = fitted.report.models.iter().collect();
    models.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    for m in models.iter().take(3) {
        println!("fit {:>16}: AIC {:.1}", m.name, m.aic);
    }

    // The 10 best initial adopters under the imitation model, compared by forward simulation
    // with the KOLs, the top physicians by each KOL rule and random sets.
    let seeds = select_seeds(&sc, &SeedRequest::new(Some("imitation"), 10, sc.replicates))?;
    println!("selected seed set: {:?}", seeds.seeds);
    Ok(())
}
