//! Sweeps: grids, common random numbers across points, shard/merge equal to a single run
//! byte for byte, resume after an interruption, and bad input rejected before anything runs.

use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const SCENARIO: &str = "scenarios/quickstart.toml";

use crate::common::kolsim;

fn sweep(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.1,0.3",
            "--set",
            "kols.share=0.01:0.02:0.01",
        ])
        .args(["--replicates", "12", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

use crate::common::tree;

#[test]
fn shards_merged_equal_a_single_run_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let single = d.path().join("single");
    sweep(&single, &[]).success();
    let sharded = d.path().join("sharded");
    for i in 0..3 {
        sweep(&sharded, &["--shard", &format!("{i}/3")]).success();
    }
    assert!(
        !sharded.join("sweep.csv").exists(),
        "shards do not merge by themselves"
    );
    kolsim().arg("merge").arg(&sharded).assert().success();
    let (a, b) = (tree(&single), tree(&sharded));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_eq!(a, b);
    let sweep_csv = String::from_utf8(a["sweep.csv"].clone()).unwrap();
    // 4 points × 4 models × 1 arm, plus the header.
    assert_eq!(sweep_csv.lines().count(), 1 + 4 * 4);
    assert!(
        sweep_csv
            .starts_with("point,model.bass.q,kols.share,model,arm,replicates,final_share_mean")
    );
    // The final-share plot: 2 panels (kols.share) × 4 models, each line over the 2 values of
    // q with its 5–95% band across replicates shaded.
    let plot = String::from_utf8(a["plot_final_share.svg"].clone()).unwrap();
    assert_eq!(plot.matches("<polygon").count(), 2 * 4, "one band per line");
    assert!(plot.contains("5–95% of replicates"));
}

/// With at least two points per thread, points run side by side (one thread each); with one
/// thread, one after another. The folders are the same bytes.
#[test]
fn points_side_by_side_equal_points_in_turn_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    sweep(&one, &["--threads", "1"]).success();
    sweep(&two, &["--threads", "2"]).success();
    let (a, b) = (tree(&one), tree(&two));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_eq!(a, b);
}

#[test]
fn merge_refuses_missing_points() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    sweep(&out, &["--shard", "0/2"]).success();
    kolsim()
        .arg("merge")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "2 of 4 points are not finished (1, 3)",
        ));
}

#[test]
fn resume_runs_only_what_is_missing_and_loses_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    sweep(&out, &[]).success();
    let before = tree(&out);
    // Simulate an interruption after three points: the last point and the merged files are gone.
    std::fs::remove_dir_all(out.join("points").join("point-00003")).unwrap();
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    // Without --resume the existing folder is refused.
    sweep(&out, &[])
        .code(2)
        .stderr(predicate::str::contains("--force"));
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.1,0.3",
            "--set",
            "kols.share=0.01:0.02:0.01",
        ])
        .args(["--replicates", "12", "--resume", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("(1 run now)"));
    assert_eq!(tree(&out), before);
    // A different grid in the same folder is refused.
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.2",
            "--replicates",
            "12",
            "--resume",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds a different sweep"));
}

#[test]
fn points_share_random_numbers() {
    // Sweeping Bass's q leaves the other models untouched, and common random numbers make
    // their rows identical at every point (only the point columns differ).
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.1:0.4:0.1",
            "--replicates",
            "15",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut by_model: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        by_model
            .entry(cells[2].to_string())
            .or_default()
            .push(cells[3..].join(","));
    }
    for (model, rows) in &by_model {
        assert_eq!(rows.len(), 4);
        if model == "bass" {
            assert!(
                rows.windows(2).all(|w| w[0] != w[1]),
                "bass must change with q"
            );
            // Monotone in q: more imitation, earlier t50.
            let t50: Vec<f64> = text
                .lines()
                .skip(1)
                .filter(|l| l.split(',').nth(2) == Some("bass"))
                .map(|l| l.split(',').nth(14).unwrap().parse().unwrap())
                .collect();
            assert!(
                t50.windows(2).all(|w| w[1] < w[0]),
                "t50 falls as q rises: {t50:?}"
            );
        } else {
            assert!(
                rows.windows(2).all(|w| w[0] == w[1]),
                "{model} differs across points"
            );
        }
    }
}

#[test]
fn bad_keys_and_values_are_rejected_before_anything_runs() {
    let d = tempfile::tempdir().unwrap();
    for (set, msg) in [
        ("model.nope.q=0.1", "no model named \"nope\""),
        ("model.bass.q=0.1,1.5", "1.5 is outside [0, 1]"),
        ("model.bass.q=a,b", "\"a\" is not a number"),
        ("model.bass.q=0.5:0.1:0.1", "below start"),
        ("network.m=2.5", "not a whole number"),
        ("network.m=2000", "must be smaller than n"),
        ("kols.nothing=1", "unknown field `nothing`"),
        ("model.bass.q", "expected KEY=VALUES"),
    ] {
        let out = d.path().join("never");
        kolsim()
            .args(["sweep", SCENARIO, "--set", set, "--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg));
        assert!(!out.exists(), "{set}: nothing may be written");
    }
}

#[test]
fn sweep_table_in_the_scenario_file() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SCENARIO).unwrap()
        + "\n[sweep]\n\"model.imitation.q\" = [0.1, 0.2]\n\"network.m\" = \"2:3:1\"\n";
    let file = d.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    kolsim().arg("validate").arg(&file).assert().success();
    let out = d.path().join("out");
    kolsim()
        .arg("sweep")
        .arg(&file)
        .args(["--replicates", "5", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let head = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(head.starts_with("point,model.imitation.q,network.m,"));
    assert_eq!(head.lines().count(), 1 + 4 * 4);
}

#[test]
fn merged_sweep_has_one_plot_per_metric_with_a_line_per_model() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.1,0.3",
            "--replicates",
            "6",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        report.matches("<svg").count(),
        5,
        "every sweep plot is embedded in report.html"
    );
    assert!(
        !report.contains("src=\"http") && !report.contains("<link") && !report.contains("<script")
    );
    assert!(report.contains("model.bass.q") && report.contains("0.1, 0.3"));
    for metric in ["final_share", "t10", "t50", "t90", "peak_step"] {
        let svg = std::fs::read_to_string(out.join(format!("plot_{metric}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("model.bass.q"), "{metric}: x label");
        if metric == "final_share" {
            for model in ["imitation", "bass", "threshold", "cascade"] {
                assert!(svg.contains(model), "{metric}: legend entry {model}");
            }
        }
    }
}

#[test]
fn force_is_refused_with_shards() {
    let d = tempfile::tempdir().unwrap();
    sweep(&d.path().join("s"), &["--shard", "0/2", "--force"])
        .code(2)
        .stderr(predicate::str::contains("--force with --shard"));
}

#[test]
fn seed_replicates_and_oversized_grids_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sw");
    for (set, msg) in [
        ("seed=1,2,3", "cannot be swept"),
        ("replicates=10,20", "cannot be swept"),
        ("model.bass.q=0:1:1e-6", "at most"),
        ("model.bass.q=0.1,0.2,0.1", "appears twice"),
    ] {
        kolsim()
            .args(["sweep", SCENARIO, "--set", set, "--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg));
    }
    // 4 keys × 65,536 values would wrap a 64-bit point count to 0.
    let big = "0:65535:1";
    kolsim()
        .args(["sweep", SCENARIO, "--quiet", "--out"])
        .arg(&out)
        .args(["--set", &format!("model.bass.q={big}")])
        .args(["--set", &format!("model.bass.p={big}")])
        .args(["--set", &format!("model.imitation.q={big}")])
        .args(["--set", &format!("kols.share={big}")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("points"));
    assert!(!out.exists(), "nothing written for a refused sweep");
}

#[test]
fn several_arms_give_the_kol_lift_and_panels_per_second_key() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    kolsim()
        .args([
            "sweep",
            "scenarios/kol-vs-learning.toml",
            "--set",
            "kols.weight=1,2",
            "--set",
            "network.m=2,3",
            "--set",
            "steps=12",
            "--replicates",
            "4",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        &head[head.len() - 3..],
        ["kol_lift_mean", "kol_lift_lo", "kol_lift_hi"]
    );
    let arm = head.iter().position(|h| *h == "arm").unwrap();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), head.len());
        let lift = &cells[cells.len() - 3..];
        if cells[arm] == "random" {
            assert_eq!(lift, ["", "", ""], "the reference arm has no lift: {line}");
        } else {
            let m: f64 = lift[0].parse().unwrap();
            assert!((-1.0..=1.0).contains(&m), "{line}");
        }
    }
    let svg = std::fs::read_to_string(out.join("plot_final_share.svg")).unwrap();
    assert!(svg.contains("network m = 2") && svg.contains("network m = 3"));
    assert!(svg.contains("0%\n"), "shares as percentages");
    assert!(svg.contains("imitation \u{b7} kols") && svg.contains("model \u{b7} arm"));
    // steps takes one value: stated once, in the subtitle, not per panel.
    assert_eq!(svg.matches("steps = 12").count(), 1);
    let t90 = std::fs::read_to_string(out.join("plot_t90.svg")).unwrap();
    assert!(
        t90.contains("not reached by any replicate"),
        "unreached t90 is said"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("KOL lift") && report.contains("reference"));
    // Merging again from the typed rows gives the same bytes.
    let before = std::fs::read(out.join("sweep.csv")).unwrap();
    kolsim().arg("merge").arg(&out).assert().success();
    assert_eq!(std::fs::read(out.join("sweep.csv")).unwrap(), before);
}
