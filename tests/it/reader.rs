//! The one reader of every input file: the CKM data in every encoding, delimiter and
//! line-ending variant gives the same network and launch; CRLF line numbers; wide survey
//! sheets; decimal commas; dropped ids named; `validate` reading `[observed]`; missing files.

use crate::common::{kolsim, root};
use predicates::prelude::*;
use std::path::Path;

/// How one variant writes a CSV file.
#[derive(Clone, Copy, Debug)]
struct Variant {
    delimiter: char,
    crlf: bool,
    bom: bool,
    quoted: bool,
}

const VARIANTS: [Variant; 5] = [
    Variant {
        delimiter: ',',
        crlf: false,
        bom: false,
        quoted: false,
    },
    Variant {
        delimiter: ';',
        crlf: true,
        bom: true,
        quoted: true,
    },
    Variant {
        delimiter: '\t',
        crlf: true,
        bom: false,
        quoted: false,
    },
    Variant {
        delimiter: ',',
        crlf: true,
        bom: true,
        quoted: true,
    },
    Variant {
        delimiter: ';',
        crlf: false,
        bom: false,
        quoted: false,
    },
];

/// `src` (a plain comma-separated file with no quoted fields) rewritten as `v`.
fn rewrite(src: &Path, v: Variant) -> Vec<u8> {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::new();
    if v.bom {
        out.push('\u{feff}');
    }
    for line in text.lines() {
        let fields: Vec<String> = line
            .split(',')
            .map(|f| {
                if v.quoted {
                    format!("\"{f}\"")
                } else {
                    f.to_string()
                }
            })
            .collect();
        out.push_str(&fields.join(&v.delimiter.to_string()));
        out.push_str(if v.crlf { "\r\n" } else { "\n" });
    }
    out.into_bytes()
}

/// A scenario on the CKM advice network, node file and observed launch as written by `v`
/// (the files named `.csv` for every delimiter, as Excel names them).
fn ckm_case(v: Variant) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ckm = root().join("scenarios/data/ckm");
    for name in ["advice.csv", "nodes.csv", "observed.csv"] {
        std::fs::write(dir.path().join(name), rewrite(&ckm.join(name), v)).unwrap();
    }
    let scenario = "name = \"t\"\nsteps = 6\nreplicates = 20\nseed = 7\n\n[observed]\npath = \"observed.csv\"\n\n[network]\nkind = \"edge_list\"\npath = \"advice.csv\"\nsource = \"nominee\"\ntarget = \"nominator\"\n\n[network.nodes]\npath = \"nodes.csv\"\n\n[kols]\nrule = \"attribute\"\nattribute = \"patients\"\ncount = 5\n\n[[arm]]\nname = \"kols\"\nstrategy = \"kols\"\ncount = 5\n\n[[model]]\nkind = \"bass\"\np = 0.02\nq = 0.3\n";
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    dir
}

/// `validate`'s output with the folder removed, and `run`'s summary.csv and kols.csv.
fn outcome(dir: &Path) -> (String, Vec<u8>, Vec<u8>) {
    let out = kolsim()
        .arg("validate")
        .arg(dir.join("s.toml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // The folder differs, and so does the memory estimate (from the files' sizes).
    let out = String::from_utf8(out)
        .unwrap()
        .replace(&dir.display().to_string(), "DIR")
        .lines()
        .filter(|l| !l.starts_with("memory:"))
        .collect::<Vec<_>>()
        .join("\n");
    let results = dir.join("results");
    kolsim()
        .args(["run", "--quiet", "--out"])
        .arg(&results)
        .arg(dir.join("s.toml"))
        .assert()
        .success();
    let summary = std::fs::read(results.join("summary.csv")).unwrap();
    let kols = std::fs::read(results.join("kols.csv")).unwrap();
    (out, summary, kols)
}

#[test]
fn every_variant_gives_the_same_network_and_launch() {
    let base = ckm_case(VARIANTS[0]);
    let (v0, s0, k0) = outcome(base.path());
    assert!(v0.contains("246 physicians, 480 arcs"), "{v0}");
    assert!(
        v0.contains("125 physicians of known adoption (109 adopted within 17 periods)"),
        "{v0}"
    );
    for v in &VARIANTS[1..] {
        let case = ckm_case(*v);
        let (out, summary, kols) = outcome(case.path());
        assert_eq!(out, v0, "validate differs for {v:?}");
        assert_eq!(summary, s0, "summary.csv differs for {v:?}");
        assert_eq!(kols, k0, "kols.csv differs for {v:?}");
    }
}

/// A scenario folder with one edge list `e.csv` (and the node file `n.csv` when given).
fn case(network: &str, edges: &[u8], nodes: Option<&[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "name = \"t\"\nsteps = 3\nreplicates = 2\nseed = 1\n\n[network]\nkind = \"edge_list\"\npath = \"e.csv\"\n{network}\n"
    );
    if let Some(n) = nodes {
        std::fs::write(dir.path().join("n.csv"), n).unwrap();
        text.push_str("\n[network.nodes]\npath = \"n.csv\"\n");
    }
    text.push_str("\n[[model]]\nkind = \"imitation\"\nq = 0.3\n");
    std::fs::write(dir.path().join("e.csv"), edges).unwrap();
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    dir
}

fn validate(dir: &Path) -> assert_cmd::assert::Assert {
    kolsim().arg("validate").arg(dir.join("s.toml")).assert()
}

#[test]
fn crlf_errors_name_the_right_line() {
    for body in [
        &b"from,to,weight\n1,2,1\n1,3,1\n1,4,-1\n"[..],
        &b"from,to,weight\r\n1,2,1\r\n1,3,1\r\n1,4,-1\r\n"[..],
        &b"\xef\xbb\xbffrom;to;weight\r\n# a comment\r\n1;2;1\r\n1;3;1\r\n1;4;-1\r\n"[..],
    ] {
        let line = if body.starts_with(b"\xef") { 5 } else { 4 };
        let dir = case(
            "source = \"from\"\ntarget = \"to\"\nweight = \"weight\"",
            body,
            None,
        );
        validate(dir.path())
            .code(2)
            .stderr(predicate::str::contains(format!(
                "e.csv:{line}: malformed row: weight"
            )));
    }
}

const WIDE: &[u8] =
    b"nominator;adviser1;adviser2;adviser3\r\n1;2;3;\r\n2;1;;\r\n3;1;2;4\r\n4;;;\r\n";
const WIDE_NODES: &[u8] = b"id\n1\n2\n3\n4\n";

#[test]
fn wide_survey_sheet_reads_every_nomination() {
    let dir = case(
        "source = [\"adviser1\", \"adviser2\", \"adviser3\"]\ntarget = \"nominator\"",
        WIDE,
        Some(WIDE_NODES),
    );
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains("4 physicians, 6 arcs"))
        .stdout(predicate::str::contains("look like more nominations").not());
    // One column of the sheet: read, with a warning naming the others.
    let dir = case(
        "source = \"adviser1\"\ntarget = \"nominator\"\nmissing = [\"\"]",
        WIDE,
        Some(WIDE_NODES),
    );
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains("4 physicians, 3 arcs"))
        .stdout(predicate::str::contains(
            "warning: ",
        ))
        .stdout(predicate::str::contains(
            "\"adviser2\", \"adviser3\", which look like more nominations; to read them all, set source = [\"adviser1\", \"adviser2\", \"adviser3\"]",
        ));
}

#[test]
fn decimal_commas_are_read_or_ignored() {
    // A decimal comma in a column the scenario does not use: read as text, with a warning.
    let dir = case(
        "",
        b"a,b\n1,2\n2,3\n",
        Some(b"id,score,city\n1,\"0,5\",x\n2,\"1,5\",y\n3,2,z\n"),
    );
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains("3 physicians, 2 arcs"))
        .stdout(predicate::str::contains("column \"score\" is read as text"));
    // Used as a number, it is refused with the hint.
    let s = dir.path().join("s.toml");
    let text = std::fs::read_to_string(&s).unwrap();
    let with_kols = text.replacen(
        "\n[[model]]",
        "\n[kols]\nrule = \"attribute\"\nattribute = \"score\"\ncount = 1\n\n[[model]]",
        1,
    );
    std::fs::write(&s, with_kols).unwrap();
    validate(dir.path())
        .code(2)
        .stderr(predicate::str::contains(
            "attribute \"score\" is not numeric",
        ))
        .stderr(predicate::str::contains("decimal comma"));
    // With `;` as the delimiter, a decimal comma is the decimal point: a numeric KOL score.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.csv"), "a;b\n1;2\n2;3\n").unwrap();
    std::fs::write(dir.path().join("n.csv"), "id;score\n1;0,5\n2;2,5\n3;1,5\n").unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "name = \"t\"\nsteps = 3\nreplicates = 2\nseed = 1\n[network]\nkind = \"edge_list\"\npath = \"e.csv\"\n[network.nodes]\npath = \"n.csv\"\n[kols]\nrule = \"attribute\"\nattribute = \"score\"\ncount = 1\n[[model]]\nkind = \"imitation\"\nq = 0.3\n",
    )
    .unwrap();
    let results = dir.path().join("r");
    kolsim()
        .args(["run", "--quiet", "--out"])
        .arg(&results)
        .arg(dir.path().join("s.toml"))
        .assert()
        .success();
    let kols = std::fs::read_to_string(results.join("kols.csv")).unwrap();
    // The score 2,5 is 2.5, ranked first.
    assert!(kols.contains("\n2,2.5,1,1,"), "{kols}");
}

#[test]
fn dropped_ids_are_named_and_listed() {
    let mut edges = String::from("from,to\n");
    for k in 0..12 {
        edges.push_str(&format!("1,x{k}\n"));
    }
    edges.push_str("1,2\n");
    let dir = case(
        "source = \"from\"\ntarget = \"to\"\nunknown_ids = \"drop\"",
        edges.as_bytes(),
        Some(b"id\n1\n2\n"),
    );
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains(
            "dropped: 12 edge row(s) naming physicians not in the node file (unknown_ids = \"drop\"): 12 id(s), \"x0\", \"x1\"",
        ))
        .stdout(predicate::str::contains("\"x9\" and 2 more"));
    let results = dir.path().join("r");
    kolsim()
        .args(["run", "--quiet", "--out"])
        .arg(&results)
        .arg(dir.path().join("s.toml"))
        .assert()
        .success();
    let dropped = std::fs::read_to_string(results.join("dropped.csv")).unwrap();
    assert_eq!(dropped.lines().count(), 13, "{dropped}");
    assert!(dropped.starts_with("file,line,id\n"), "{dropped}");
    assert!(dropped.contains("e.csv,13,x11\n"), "{dropped}");
}

#[test]
fn validate_reads_the_observed_launch() {
    let dir = case(
        "source = \"from\"\ntarget = \"to\"",
        b"from,to\n1,2\n2,3\n",
        Some(b"id\n1\n2\n3\n"),
    );
    let s = dir.path().join("s.toml");
    let text = std::fs::read_to_string(&s).unwrap();
    std::fs::write(
        &s,
        text.replacen("[network]", "[observed]\npath = \"o.csv\"\n\n[network]", 1),
    )
    .unwrap();
    // An Excel export: BOM, semicolons, CRLF; read as `fit` reads it.
    std::fs::write(
        dir.path().join("o.csv"),
        b"\xef\xbb\xbfid;adopted_at\r\n1;1\r\n2;2\r\n3;\r\n",
    )
    .unwrap();
    validate(dir.path())
        .success()
        .stdout(predicate::str::contains(
            "3 physicians of known adoption (2 adopted within 2 periods), 0 unknown",
        ));
    // An unknown id: `validate` fails as `fit` and `run` do, naming the file and line.
    std::fs::write(dir.path().join("o.csv"), b"id,adopted_at\r\n1,1\r\n9,2\r\n").unwrap();
    validate(dir.path())
        .code(2)
        .stderr(predicate::str::contains(
            "o.csv:3: unknown physician id \"9\"",
        ));
}

#[test]
fn missing_candidates_file_is_bad_input() {
    let missing = root().join("no-such-candidates.csv");
    kolsim()
        .args([
            "seed",
            "scenarios/quickstart.toml",
            "--k",
            "2",
            "--model",
            "imitation",
            "--candidates-file",
        ])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--candidates-file"))
        .stderr(predicate::str::contains("no-such-candidates.csv"))
        .stderr(predicate::str::contains("file not found"));
}
