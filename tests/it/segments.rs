//! Results per segment (`segment = "<attribute>"`) and seeding by a categorical attribute
//! (`group` / `where` in arms and `[kols]`), through the CLI on a small fixture whose town
//! column has an `NA`, a blank and a space-only cell.

use crate::common::{kolsim, read_csv};
use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Towns: a, b, c in Peoria; d, e in Quincy; x (`NA`), y (blank), z (spaces) missing.
const NODES: &str = "id,city,specialty,score\na,Peoria,cardiology,5\nb,Peoria,gp,1\nc,Peoria,gp,2\nd,Quincy,gp,3\ne,Quincy,cardiology,4\nx,NA,gp,6\ny,,gp,1\nz,  ,cardiology,2\n";
const EDGES: &str = "a b\na c\nb c\nd e\nx y\ny z\nz a\ne a\n";

/// A scenario on the fixture: `top` goes after `seed`, `kols` is the `[kols]` body and `arms`
/// the `[[arm]]` tables.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(top: &str, kols: &str, arms: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("n.csv"), NODES).unwrap();
        std::fs::write(dir.path().join("e.txt"), EDGES).unwrap();
        let text = format!(
            "name = \"t\"\nsteps = 4\nreplicates = 20\nseed = 3\n{top}\n\n[network]\nkind = \"edge_list\"\npath = \"e.txt\"\n\n[network.nodes]\npath = \"n.csv\"\n\n[kols]\n{kols}\n\n{arms}\n\n[[model]]\nname = \"imitation\"\nkind = \"imitation\"\nq = 0.4\n\n[[model]]\nname = \"bass\"\nkind = \"bass\"\np = 0.05\nq = 0.3\n"
        );
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        Case { dir }
    }

    fn scenario(&self) -> PathBuf {
        self.dir.path().join("s.toml")
    }

    /// Runs into `out/<name>` with extra arguments; returns the folder.
    fn run(&self, name: &str, args: &[&str]) -> PathBuf {
        let out = self.dir.path().join(name);
        kolsim()
            .arg("run")
            .arg(self.scenario())
            .arg("--out")
            .arg(&out)
            .args(["--quiet", "--force"])
            .args(args)
            .assert()
            .success();
        out
    }

    fn validate(&self) -> assert_cmd::assert::Assert {
        kolsim().arg("validate").arg(self.scenario()).assert()
    }
}

const KOLS: &str = "rule = \"in_degree\"\ncount = 1";
const ARMS: &str = "[[arm]]\nname = \"kols\"\nstrategy = \"kols\"\ncount = 1\n\n[[arm]]\nname = \"random\"\nstrategy = \"random\"\ncount = 2";

/// Rows of a CSV file as maps from column name to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let (header, rows) = read_csv(path);
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

/// `(model, arm, replicate, step)` of a curve row.
fn key(r: &BTreeMap<String, String>) -> (String, String, String, String) {
    (
        r["model"].clone(),
        r["arm"].clone(),
        r["replicate"].clone(),
        r["step"].clone(),
    )
}

/// Step-0 adopters per `(arm, replicate)` and segment, from `segment_curves.csv`.
fn initial_by_segment(out: &Path) -> BTreeMap<(String, String), BTreeMap<String, u32>> {
    let mut m: BTreeMap<(String, String), BTreeMap<String, u32>> = BTreeMap::new();
    for r in rows(&out.join("segment_curves.csv")) {
        if r["step"] == "0" && r["model"] == "imitation" {
            m.entry((r["arm"].clone(), r["replicate"].clone()))
                .or_default()
                .insert(r["segment"].clone(), r["new_adopters"].parse().unwrap());
        }
    }
    m
}

#[test]
fn segment_counts_sum_to_the_totals_with_missing_as_a_segment() {
    let c = Case::new("segment = \"city\"", KOLS, ARMS);
    c.validate().success().stdout(predicate::str::contains(
        "segments: 3 by \"city\" (Peoria 3, Quincy 2, (missing) 3 physicians)",
    ));
    let out = c.run("out", &["--threads", "1"]);
    // Every per-segment file, the figure and the report section.
    for f in [
        "segment_curves.csv",
        "segment_summary.csv",
        "segment_metrics.csv",
        "segment_comparison.csv",
        "segments.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"segment_summary.csv\""), "{manifest}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<section id=\"segments\">"));
    assert!(report.contains("KOL lift per segment"));
    let svg = std::fs::read_to_string(out.join("segments.svg")).unwrap();
    for caption in [
        "Peoria (3 physicians)",
        "Quincy (2 physicians)",
        "(missing) (3 physicians)",
    ] {
        assert!(svg.contains(caption), "{caption} not in segments.svg");
    }
    // The segments: the two towns, then the NA, blank and space-only cells together.
    let seg = rows(&out.join("segment_curves.csv"));
    let sizes: BTreeSet<(String, String)> = seg
        .iter()
        .map(|r| (r["segment"].clone(), r["physicians"].clone()))
        .collect();
    let want: BTreeSet<(String, String)> = [("Peoria", "3"), ("Quincy", "2"), ("(missing)", "3")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(sizes, want);
    // Summed over segments, new and cumulative adopters are curves.csv's, row for row.
    let mut sums: BTreeMap<_, (u32, u32)> = BTreeMap::new();
    for r in &seg {
        let e = sums.entry(key(r)).or_default();
        e.0 += r["new_adopters"].parse::<u32>().unwrap();
        e.1 += r["adopters"].parse::<u32>().unwrap();
    }
    let total = rows(&out.join("curves.csv"));
    assert_eq!(sums.len(), total.len());
    assert_eq!(total.len(), 2 * 2 * 20 * 5);
    for r in &total {
        let (new, cum) = sums[&key(r)];
        assert_eq!(new.to_string(), r["new_adopters"], "{r:?}");
        assert_eq!(cum.to_string(), r["adopters"], "{r:?}");
    }
    // The summaries: share of the segment; physician-weighted, they give summary.csv's mean.
    let mut weighted: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for r in rows(&out.join("segment_summary.csv")) {
        let n: f64 = r["physicians"].parse().unwrap();
        let mean: f64 = r["mean"].parse().unwrap();
        *weighted
            .entry((r["model"].clone(), r["arm"].clone(), r["step"].clone()))
            .or_default() += mean * n / 8.0;
    }
    let summary = rows(&out.join("summary.csv"));
    assert_eq!(weighted.len(), summary.len());
    for r in summary {
        let k = (r["model"].clone(), r["arm"].clone(), r["step"].clone());
        let mean: f64 = r["mean"].parse().unwrap();
        assert!((weighted[&k] - mean).abs() < 1e-12, "{k:?}");
    }
    // Metrics: per replicate and segment; KOLs adopted never exceed the segment's KOLs.
    let metrics = rows(&out.join("segment_metrics.csv"));
    assert_eq!(metrics.len(), 2 * 2 * 20 * 3);
    assert!(metrics.iter().all(|r| r["kols_adopted"] <= r["kols"]));
    // The KOL lift within each segment.
    let cmp = rows(&out.join("segment_comparison.csv"));
    for s in ["Peoria", "Quincy", "(missing)"] {
        assert!(
            cmp.iter().any(|r| r["comparison"] == "arm_vs_reference"
                && r["segment"] == s
                && r["arm"] == "kols"
                && r["reference"] == "random"
                && r["metric"] == "final_share"),
            "no KOL lift for {s}"
        );
    }
}

#[test]
fn segment_outputs_do_not_depend_on_threads_or_recording() {
    let c = Case::new("segment = \"city\"", KOLS, ARMS);
    let one = c.run("one", &["--threads", "1"]);
    let three = c.run("three", &["--threads", "3"]);
    let recorded = c.run("rec", &["--threads", "2", "--record", "adoptions"]);
    for f in [
        "segment_curves.csv",
        "segment_summary.csv",
        "segment_comparison.csv",
        "segments.svg",
    ] {
        let a = std::fs::read(one.join(f)).unwrap();
        assert_eq!(
            a,
            std::fs::read(three.join(f)).unwrap(),
            "{f}: 1 vs 3 threads"
        );
        assert_eq!(a, std::fs::read(recorded.join(f)).unwrap(), "{f}: recorded");
    }
}

#[test]
fn segment_files_follow_the_curves_mode() {
    let c = Case::new("segment = \"city\"", KOLS, ARMS);
    let out = c.run("none", &["--curves", "none"]);
    assert!(out.join("segment_summary.csv").is_file());
    assert!(out.join("segment_comparison.csv").is_file());
    assert!(!out.join("segment_curves.csv").exists());
    assert!(!out.join("segment_metrics.csv").exists());
    let out = c.run("summary", &["--curves", "summary"]);
    assert!(!out.join("segment_curves.csv").exists());
    assert!(out.join("segment_metrics.csv").is_file());
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("segment_curves.csv"), "{manifest}");
    assert!(manifest.contains("segment_metrics.csv"), "{manifest}");
}

#[test]
fn numeric_segment_on_redrawn_networks() {
    // A stochastic block model redrawn per replicate: segments by its numeric `block`.
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(
        &s,
        "name = \"t\"\nsteps = 3\nreplicates = 6\nsegment = \"block\"\n\n[network]\nkind = \"stochastic_block\"\nsizes = [4, 6]\np_in = 0.5\np_out = 0.1\ndraw = \"per_replicate\"\n\n[initial_adopters]\nstrategy = \"random\"\ncount = 1\ngroup = \"block\"\n\n[[model]]\nkind = \"imitation\"\nq = 0.3\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    kolsim()
        .arg("run")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .success();
    let seg = rows(&out.join("segment_curves.csv"));
    let labels: BTreeSet<(String, String)> = seg
        .iter()
        .map(|r| (r["segment"].clone(), r["physicians"].clone()))
        .collect();
    assert_eq!(
        labels,
        [("0", "4"), ("1", "6")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    );
    // One seed per block, in every replicate.
    assert!(
        seg.iter()
            .filter(|r| r["step"] == "0")
            .all(|r| r["new_adopters"] == "1")
    );
}

#[test]
fn kols_group_leaves_out_blank_and_na_cells() {
    // One KOL per town: Peoria and Quincy only; NA, blank and spaces are no town.
    let c = Case::new(
        "",
        "rule = \"in_degree\"\ncount = 1\ngroup = \"city\"",
        ARMS,
    );
    c.validate()
        .success()
        .stdout(predicate::str::contains("2 KOLs"));
    let out = c.run("out", &[]);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"kols\": 2"), "{manifest}");
}

#[test]
fn random_seeds_within_a_categorical_filter() {
    let arms = "[[arm]]\nname = \"quincy\"\nstrategy = \"random\"\ncount = 2\nwhere = { city = \"Quincy\" }\n\n[[arm]]\nname = \"per_town\"\nstrategy = \"random\"\ncount = 1\ngroup = \"city\"";
    let c = Case::new("segment = \"city\"", KOLS, arms);
    let out = c.run("out", &["--record", "adoptions"]);
    let initial = initial_by_segment(&out);
    assert_eq!(initial.len(), 2 * 20);
    for ((arm, r), by) in &initial {
        let want: [(&str, u32); 3] = match arm.as_str() {
            // Both Quincy physicians, nobody else.
            "quincy" => [("Peoria", 0), ("Quincy", 2), ("(missing)", 0)],
            // One per town, none from the missing cells.
            _ => [("Peoria", 1), ("Quincy", 1), ("(missing)", 0)],
        };
        for (s, n) in want {
            assert_eq!(by[s], n, "arm {arm}, replicate {r}, segment {s}");
        }
    }
    // Drawn at random anew in each replicate: more than one Peoria seed over 20 replicates.
    let peoria: BTreeSet<String> = rows(&out.join("adoptions.csv"))
        .into_iter()
        .filter(|r| r["arm"] == "per_town" && r["step"] == "0")
        .map(|r| r["physician"].clone())
        .filter(|p| ["a", "b", "c"].contains(&p.as_str()))
        .collect();
    assert!(peoria.len() > 1, "{peoria:?}");
}

#[test]
fn attribute_ranking_within_groups_and_filters() {
    // score: x 6 (town NA), a 5, e 4, d 3, c 2, z 2, b 1, y 1.
    let arms = "[[arm]]\nname = \"top_cardio\"\nstrategy = \"attribute\"\nattribute = \"score\"\ncount = 1\nwhere = { specialty = \"cardiology\" }\n\n[[arm]]\nname = \"top_per_town\"\nstrategy = \"attribute\"\nattribute = \"score\"\ncount = 1\ngroup = \"city\"\n\n[[arm]]\nname = \"kols_quincy\"\nstrategy = \"kols\"\nrule = \"degree\"\ncount = 1\nwhere = { city = \"Quincy\" }";
    let c = Case::new("", KOLS, arms);
    let out = c.run("out", &[]);
    let seeded: BTreeMap<String, String> = rows(&out.join("kols.csv"))
        .into_iter()
        .filter(|r| !r["seeded_in"].is_empty())
        .map(|r| (r["id"].clone(), r["seeded_in"].clone()))
        .collect();
    // a: the top cardiologist and Peoria's top; e: Quincy's top; x (highest, town NA): no.
    assert_eq!(
        seeded.get("a").map(String::as_str),
        Some("top_cardio;top_per_town")
    );
    assert_eq!(
        seeded.get("e").map(String::as_str),
        Some("top_per_town;kols_quincy")
    );
    assert_eq!(seeded.len(), 2, "{seeded:?}");
}

#[test]
fn bad_attribute_names_and_values_are_located() {
    let c = Case::new("segment = \"town\"", KOLS, ARMS);
    c.validate().code(2).stderr(
        predicate::str::contains("s.toml:5:")
            .and(predicate::str::contains("segment"))
            .and(predicate::str::contains("no node attribute \"town\""))
            .and(predicate::str::contains(
                "available: city, specialty, score",
            )),
    );
    let arm =
        "[[arm]]\nname = \"r\"\nstrategy = \"random\"\ncount = 1\nwhere = { twon = \"Quincy\" }";
    Case::new("", KOLS, arm).validate().code(2).stderr(
        predicate::str::contains("arm[0].where.twon")
            .and(predicate::str::contains("no node attribute \"twon\"")),
    );
    let arm =
        "[[arm]]\nname = \"r\"\nstrategy = \"random\"\ncount = 1\nwhere = { city = \"Peroia\" }";
    Case::new("", KOLS, arm).validate().code(2).stderr(
        predicate::str::contains("arm[0].where.city").and(predicate::str::contains(
            "no physician has city = \"Peroia\" (values: \"Peoria\", \"Quincy\"",
        )),
    );
    let arm = "[[arm]]\nname = \"r\"\nstrategy = \"random\"\ncount = 1\ngroup = \"town\"";
    Case::new("", KOLS, arm).validate().code(2).stderr(
        predicate::str::contains("arm[0].group")
            .and(predicate::str::contains("no node attribute \"town\"")),
    );
    let arm = "[[arm]]\nname = \"r\"\nstrategy = \"explicit\"\nids = [\"a\"]\nwhere = { city = \"Quincy\" }";
    Case::new("", KOLS, arm).validate().code(2).stderr(
        predicate::str::contains("arm[0].where").and(predicate::str::contains(
            "does not apply to strategy = \"explicit\"",
        )),
    );
}
