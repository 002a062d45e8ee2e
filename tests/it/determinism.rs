//! Results depend only on the scenario and its seed: not on thread count, nor on which other
//! replicates ran in the same batch.

use assert_cmd::Command;
use kolsim::run::{self, RunOptions};
use kolsim::scenario::{self, Source};
use std::path::PathBuf;

fn scenario(draw: &str) -> scenario::Scenario {
    let text = format!(
        r#"
name = "det"
steps = 20
replicates = 20
seed = 7
[network]
kind = "barabasi_albert"
n = 400
m = 2
draw = "{draw}"
[kols]
share = 0.05
weight = 3.0
[[arm]]
name = "random"
strategy = "random"
count = 5
[[arm]]
name = "kols"
strategy = "kols"
count = 5
[[model]]
kind = "imitation"
q = 0.3
[[model]]
kind = "bass"
p = 0.01
q = 0.3
[[model]]
kind = "threshold"
theta = {{ dist = "beta", a = 2.0, b = 5.0 }}
p = 0.01
[[model]]
kind = "independent_cascade"
beta = 0.2
p = 0.01
[[model]]
kind = "social_learning"
quality = 0.5
u0 = 0.0
signal_sd = 2.0
[[model]]
kind = "detailing"
beta = 0.05
gamma = 0.3
budget = 10
policy = "random"
[[model]]
kind = "structural_equivalence"
q = 0.3
top_k = 5
"#
    );
    scenario::parse(Source {
        path: PathBuf::from("det.toml"),
        text,
    })
    .expect("valid scenario")
}

#[test]
fn thread_count_does_not_change_results() {
    for draw in ["per_replicate", "once"] {
        let sc = scenario(draw);
        let ids: Vec<u64> = (0..20).collect();
        let one = run::run(
            &sc,
            &ids,
            RunOptions {
                threads: 1,
                record: false,
            },
            &|| {},
        )
        .unwrap();
        let two = run::run(
            &sc,
            &ids,
            RunOptions {
                threads: 2,
                record: false,
            },
            &|| {},
        )
        .unwrap();
        let four = run::run(
            &sc,
            &ids,
            RunOptions {
                threads: 4,
                record: false,
            },
            &|| {},
        )
        .unwrap();
        assert_eq!(one.curves, two.curves, "{draw}");
        assert_eq!(one.curves, four.curves, "{draw}");
        let rec = |threads| {
            run::run(
                &sc,
                &ids,
                RunOptions {
                    threads,
                    record: true,
                },
                &|| {},
            )
            .unwrap()
            .records
        };
        assert_eq!(rec(1), rec(2), "{draw}: adoption records");
    }
}

#[test]
fn replicate_seven_alone_equals_replicate_seven_in_a_batch() {
    for draw in ["per_replicate", "once"] {
        let sc = scenario(draw);
        let batch = run::run(
            &sc,
            &(0..20).collect::<Vec<_>>(),
            RunOptions {
                threads: 2,
                record: false,
            },
            &|| {},
        )
        .unwrap();
        let alone = run::run(
            &sc,
            &[7],
            RunOptions {
                threads: 1,
                record: false,
            },
            &|| {},
        )
        .unwrap();
        for a in 0..sc.arms.len() {
            for m in 0..sc.models.len() {
                assert_eq!(
                    alone.curves[a][m][0], batch.curves[a][m][7],
                    "{draw}, arm {a}, model {m}"
                );
            }
        }
    }
}

#[test]
fn models_share_the_replicate_network_and_initial_adopters() {
    let sc = scenario("per_replicate");
    let res = run::run(
        &sc,
        &(0..10).collect::<Vec<_>>(),
        RunOptions {
            threads: 2,
            record: false,
        },
        &|| {},
    )
    .unwrap();
    for r in 0..10 {
        let step0: Vec<(u32, u32)> = (0..sc.models.len())
            .map(|m| {
                (
                    res.curves[0][m][r].new_adopters[0],
                    res.curves[0][m][r].new_kol_adopters[0],
                )
            })
            .collect();
        assert!(
            step0.windows(2).all(|w| w[0] == w[1]),
            "replicate {r}: {step0:?}"
        );
    }
    // Different replicates draw different networks and seeds: curves differ.
    assert_ne!(res.curves[0][0][0], res.curves[0][0][1]);
}

#[test]
fn cli_output_is_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for t in ["1", "2"] {
        let out = dir.path().join(format!("t{t}"));
        Command::cargo_bin("kolsim")
            .unwrap()
            .args([
                "run",
                "scenarios/quickstart.toml",
                "--replicates",
                "30",
                "--quiet",
                "--threads",
                t,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        let files: Vec<Vec<u8>> = ["curves.csv", "summary.csv", "metrics.csv", "comparison.csv"]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap())
            .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
}
