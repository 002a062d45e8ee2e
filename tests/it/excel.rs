//! "Your own data" (docs/data.md) end to end with Excel exports: the CKM files written as a
//! European Excel writes them (byte-order mark, `;`, CRLF, decimal commas), the scenario beside
//! them, then exactly the documented steps — `validate`, `run`, `fit`, `seed` — giving the
//! results of the shipped CKM scenario. And the `[network]` key `decimal`.

use crate::common::{kolsim, root, stdout_of as ok};
use predicates::prelude::*;
use std::path::Path;

/// `src` (a plain comma-separated file) as a European Excel's "CSV UTF-8" export: a BOM, `;`
/// between fields, CRLF, and one more column `extra` holding `value(row)` (a decimal comma).
fn excel(src: &Path, extra: impl Fn(usize) -> String) -> Vec<u8> {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::from('\u{feff}');
    for (k, line) in text.lines().enumerate() {
        let cell = if k == 0 {
            "extra".to_string()
        } else {
            extra(k)
        };
        out.push_str(&format!("{};{cell}\r\n", line.replace(',', ";")));
    }
    out.into_bytes()
}

#[test]
fn your_own_data_path_works_with_excel_exports() {
    let ckm = root().join("scenarios/data/ckm");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Step 1: the sheets, exported from Excel (the extra columns are never used by kolsim).
    std::fs::write(
        d.join("ties.csv"),
        excel(&ckm.join("advice.csv"), |k| format!("{k},5")),
    )
    .unwrap();
    std::fs::write(
        d.join("physicians.csv"),
        excel(&ckm.join("nodes.csv"), |k| format!("0,{k}")),
    )
    .unwrap();
    std::fs::write(
        d.join("launch.csv"),
        excel(&ckm.join("observed.csv"), |_| "1.234,5".into()),
    )
    .unwrap();
    // Step 2: the scenario, a copy of ckm-tetracycline.toml beside the files.
    let shipped = std::fs::read_to_string(root().join("scenarios/ckm-tetracycline.toml")).unwrap();
    let mine = shipped
        .replace("data/ckm/observed.csv", "launch.csv")
        .replace("data/ckm/advice.csv", "ties.csv")
        .replace("data/ckm/nodes.csv", "physicians.csv");
    assert_ne!(mine, shipped);
    std::fs::write(d.join("my.toml"), &mine).unwrap();
    // The shipped scenario, for comparison.
    let base = tempfile::tempdir().unwrap();
    let b = base.path();
    std::os::unix::fs::symlink(root().join("scenarios"), b.join("scenarios")).unwrap();
    let shipped_path = "scenarios/ckm-tetracycline.toml";

    // Step 3: check it.
    let v = ok(d, &["validate", "my.toml"]);
    assert!(v.contains("246 physicians, 480 arcs"), "{v}");
    assert!(
        v.contains("125 physicians of known adoption (109 adopted within 17 periods)"),
        "{v}"
    );
    // Step 4: run it; the same results as the shipped files.
    ok(
        d,
        &[
            "run",
            "my.toml",
            "--out",
            "results/",
            "--replicates",
            "40",
            "-q",
        ],
    );
    ok(
        b,
        &[
            "run",
            shipped_path,
            "--out",
            "r",
            "--replicates",
            "40",
            "-q",
        ],
    );
    for f in ["curves.csv", "summary.csv", "comparison.csv"] {
        assert_eq!(
            std::fs::read(d.join("results").join(f)).unwrap(),
            std::fs::read(b.join("r").join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Step 5: the report is there.
    assert!(d.join("results/report.html").is_file());
    // fit and seed, as the docs show them.
    ok(
        d,
        &["fit", "my.toml", "--out", "fit", "--permutations", "19"],
    );
    ok(
        b,
        &["fit", shipped_path, "--out", "fit", "--permutations", "19"],
    );
    for f in ["models.csv", "fit.csv", "verdict.txt"] {
        assert_eq!(
            std::fs::read(d.join("fit").join(f)).unwrap(),
            std::fs::read(b.join("fit").join(f)).unwrap(),
            "fit's {f} differs"
        );
    }
    let seed = [
        "seed",
        "--k",
        "5",
        "--model",
        "imitation",
        "--replicates",
        "40",
        "--out",
        "seed",
        "-q",
    ];
    ok(d, &[&seed[..1], &["my.toml"], &seed[1..]].concat());
    ok(b, &[&seed[..1], &[shipped_path], &seed[1..]].concat());
    let ids = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p.join("seed/seeds.csv"))
            .unwrap()
            .lines()
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(ids(d), ids(b), "seeds differ");
    assert_eq!(
        std::fs::read(d.join("seed/comparison.csv")).unwrap(),
        std::fs::read(b.join("seed/comparison.csv")).unwrap(),
        "seed's comparison.csv differs"
    );
}

/// A scenario folder: the edge list `e.csv` with a weight column, `[network]` keys `keys`.
fn weighted(keys: &str, edges: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.csv"), edges).unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        format!(
            "name = \"t\"\nsteps = 3\nreplicates = 2\nseed = 1\n\n[network]\nkind = \"edge_list\"\npath = \"e.csv\"\nweight = \"contacts\"\n{keys}\n\n[[model]]\nkind = \"imitation\"\nq = 0.3\n"
        ),
    )
    .unwrap();
    dir
}

fn validate(dir: &Path) -> assert_cmd::assert::Assert {
    kolsim().arg("validate").arg(dir.join("s.toml")).assert()
}

#[test]
fn decimal_key_sets_the_decimal_separator() {
    // A quoted decimal comma in a comma-delimited file: refused by default, naming the file,
    // the line and the column...
    let edges = "a,b,contacts\r\n1,2,\"0,5\"\r\n2,3,1\r\n";
    let dir = weighted("", edges);
    validate(dir.path())
        .code(2)
        .stderr(predicate::str::contains(
            "e.csv:2: malformed row: weight in column \"contacts\"",
        ))
        .stderr(predicate::str::contains("decimal = \",\""));
    // ...read as 0.5 with `decimal = ","`.
    let dir = weighted("decimal = \",\"", edges);
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains("3 physicians, 2 arcs"));
    // A thousands separator is refused even then, with file, line and column.
    let dir = weighted("decimal = \",\"", "a,b,contacts\n1,2,\"1.234,5\"\n2,3,1\n");
    validate(dir.path())
        .code(2)
        .stderr(predicate::str::contains(
            "e.csv:2: malformed row: weight in column \"contacts\": \"1.234,5\"",
        ));
    // In a `;` file a decimal comma is detected; `decimal = "."` turns detection off.
    let edges = "a;b;contacts\n1;2;0,5\n2;3;1\n";
    validate(weighted("", edges).path()).success();
    validate(weighted("decimal = \".\"", edges).path())
        .code(2)
        .stderr(predicate::str::contains(
            "e.csv:2: malformed row: weight in column \"contacts\"",
        ));
    // Anything else is a located scenario error.
    validate(weighted("decimal = \"x\"", edges).path())
        .code(2)
        .stderr(predicate::str::contains("network.decimal"));
}

#[test]
fn decimal_key_round_trips_through_the_written_scenario() {
    let dir = weighted("decimal = \",\"", "a,b,contacts\n1,2,\"0,5\"\n2,3,1\n");
    let sc = kolsim::scenario::load(&dir.path().join("s.toml")).unwrap();
    let text = sc.to_toml();
    assert!(text.contains("decimal = \",\""), "{text}");
    std::fs::write(dir.path().join("again.toml"), &text).unwrap();
    let again = kolsim::scenario::load(&dir.path().join("again.toml")).unwrap();
    assert_eq!(again.to_toml(), text);
}
