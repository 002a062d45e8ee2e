//! What cannot fit is refused up front (issue 8): every case exits with status 2 within a
//! second, with a message that says why, and builds nothing. Each of these aborted with
//! "memory allocation failed" (exit 134), ran for tens of seconds, or gave a wrong result before.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

fn kolsim() -> Command {
    let mut c = Command::cargo_bin("kolsim").unwrap();
    c.timeout(Duration::from_secs(60));
    c
}

/// A scenario with one imitation model (q = 0.5) on `network`, plus `extra` top-level tables.
fn scenario(network: &str, extra: &str) -> String {
    format!(
        "name = \"limits\"\nsteps = 10\nreplicates = 2\nseed = 1\n\n[network]\n{network}\n{extra}\n[[model]]\nkind = \"imitation\"\nq = 0.5\n"
    )
}

struct Case {
    dir: TempDir,
    path: PathBuf,
}

impl Case {
    fn new(text: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        Case { dir, path }
    }

    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    /// `validate` and `run` both exit 2 with every `expected` string in stderr, quickly; `run`
    /// writes nothing. Returns validate's stderr.
    fn refused(&self, expected: &[&str]) -> String {
        let mut last = String::new();
        for cmd in ["validate", "run"] {
            let t = Instant::now();
            let mut c = kolsim();
            c.arg(cmd).arg(&self.path);
            let out = self.dir.path().join("out");
            if cmd == "run" {
                c.arg("--out").arg(&out).arg("-q");
            }
            let o = c.assert().code(2).get_output().clone();
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            for e in expected {
                assert!(err.contains(e), "{cmd}: {e:?} not in {err}");
            }
            assert!(
                err.len() < 1500,
                "{cmd}: message too long ({} bytes)",
                err.len()
            );
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "{cmd} took {:?}",
                t.elapsed()
            );
            assert!(!out.exists());
            if cmd == "validate" {
                last = err;
            }
        }
        last
    }
}

const N: &str = "4294967294";

#[test]
fn complete_graph_of_4294967294_is_refused_with_the_estimate() {
    let c = Case::new(&scenario(&format!("kind = \"complete\"\nn = {N}"), ""));
    let err = c.refused(&[
        "needs about",
        "GiB of memory",
        "largest parts:",
        "network 336.0 GiB",
    ]);
    assert!(
        err.contains("available") || err.contains("--max-memory"),
        "{err}"
    );
}

#[test]
fn barabasi_albert_m_n_minus_1_is_refused() {
    let c = Case::new(&scenario(
        &format!("kind = \"barabasi_albert\"\nn = {N}\nm = 4294967293"),
        "",
    ));
    c.refused(&["arcs, more than kolsim supports"]);
}

#[test]
fn erdos_renyi_mean_degree_n_minus_1_is_refused() {
    let c = Case::new(&scenario(
        &format!("kind = \"erdos_renyi\"\nn = {N}\nmean_degree = 4294967293"),
        "",
    ));
    c.refused(&["arcs, more than kolsim supports"]);
}

#[test]
fn moderate_networks_over_memory_are_refused_not_aborted() {
    // 100,000 physicians, m = 99,999: 10^10 arcs, beyond the arc limit; and BA m = 20,000
    // (4 × 10^9 arcs, just under it) needs far more memory than any test machine has.
    let c = Case::new(&scenario(
        "kind = \"barabasi_albert\"\nn = 100000\nm = 20000",
        "",
    ));
    let mut cmd = kolsim();
    cmd.args(["run"])
        .arg(&c.path)
        .args(["--max-memory", "16G", "-q", "--out"])
        .arg(c.dir.path().join("o"));
    cmd.assert().code(2).stderr(predicate::str::contains(
        "the limit given by --max-memory, 16.0 GiB",
    ));
}

#[test]
fn replicates_on_the_command_line_obey_the_file_limit() {
    for r in ["4294967295", "10000001", "0"] {
        kolsim()
            .args([
                "run",
                "scenarios/quickstart.toml",
                "--replicates",
                r,
                "-q",
                "--out",
            ])
            .arg(tempfile::tempdir().unwrap().path().join("o"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "at least 1 and at most 10,000,000",
            ));
    }
    kolsim()
        .args([
            "sweep",
            "scenarios/quickstart.toml",
            "--set",
            "model.bass.q=0.1,0.2",
        ])
        .args(["--replicates", "4294967295", "-q", "--out"])
        .arg(tempfile::tempdir().unwrap().path().join("o"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "at least 1 and at most 10,000,000",
        ));
}

#[test]
fn ten_million_replicates_are_refused_by_the_estimate() {
    let t = Instant::now();
    kolsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--replicates",
            "10000000",
        ])
        .args(["--max-memory", "16G", "-q", "--out"])
        .arg(tempfile::tempdir().unwrap().path().join("o"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("this run needs about")
                .and(predicate::str::contains("curves.csv and metrics.csv text"))
                .and(predicate::str::contains("--max-memory SIZE")),
        );
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn too_many_threads_are_refused() {
    kolsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--threads",
            "1000000",
            "-q",
            "--out",
        ])
        .arg(tempfile::tempdir().unwrap().path().join("o"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--threads 1000000 is more than 1024",
        ));
}

#[test]
fn max_memory_limits_run_and_sweep_and_is_parsed() {
    let d = tempfile::tempdir().unwrap();
    kolsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--max-memory",
            "1M",
            "-q",
            "--out",
        ])
        .arg(d.path().join("o"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the limit given by --max-memory, 1.0 MiB",
        ));
    assert!(!d.path().join("o").exists());
    kolsim()
        .args([
            "sweep",
            "scenarios/quickstart.toml",
            "--set",
            "model.bass.q=0.1,0.2",
        ])
        .args(["--max-memory", "1M", "-q", "--out"])
        .arg(d.path().join("s"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweep point 0"));
    assert!(!d.path().join("s").exists());
    kolsim()
        .args(["run", "scenarios/quickstart.toml", "--max-memory", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a memory size"));
    kolsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--max-memory",
            "8G",
            "-q",
        ])
        .args(["--replicates", "3", "--out"])
        .arg(d.path().join("ok"))
        .assert()
        .success();
}

#[test]
fn validate_prints_the_estimate() {
    kolsim()
        .args(["validate", "scenarios/quickstart.toml"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\nmemory: about ").and(predicate::str::contains(
                "MiB for `kolsim run` on all cores",
            )),
        );
}

#[cfg(unix)]
#[test]
fn dev_zero_scenario_and_edge_list_are_refused() {
    kolsim()
        .args(["validate", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 10.0 MiB"));
    let c = Case::new(&scenario("kind = \"edge_list\"\npath = \"/dev/zero\"", ""));
    c.refused(&["/dev/zero:1: line is longer than 1.0 MiB"]);
}

#[test]
fn scenario_over_the_cap_is_refused() {
    let mut text = scenario("kind = \"complete\"\nn = 10", "");
    let pad = format!("# {}\n", "x".repeat(1000));
    while text.len() <= 10 << 20 {
        text.push_str(&pad);
    }
    let c = Case::new(&text);
    kolsim()
        .arg("validate")
        .arg(&c.path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "scenario file is larger than 10.0 MiB",
        ));
}

#[test]
fn a_100_mb_malformed_row_gives_a_short_message() {
    let c = Case::new(&scenario("kind = \"edge_list\"\npath = \"e.txt\"", ""));
    let mut body = b"a b\n".to_vec();
    body.extend(std::iter::repeat_n(b'x', 100 << 20));
    body.push(b'\n');
    c.file("e.txt", &body);
    c.refused(&["e.txt:2: line is longer than 1.0 MiB"]);
    // A long row under the line cap is quoted, cut to 200 characters.
    let mut row = b"a b\n".to_vec();
    row.extend(std::iter::repeat_n(b'y', 5000));
    row.push(b'\n');
    c.file("e.txt", &row);
    let err = c.refused(&["e.txt:2: malformed row \"", "…\": 1 field(s)"]);
    // Count only the quoted row: the temp folder's name may hold a 'y' too.
    let quoted = err.split("malformed row \"").nth(1).unwrap_or("");
    let quoted = quoted.split('…').next().unwrap_or("");
    assert!((150..=200).contains(&quoted.matches('y').count()), "{err}");
}

#[test]
fn duplicate_arcs_summing_past_the_weight_bound_are_refused() {
    let c = Case::new(&scenario(
        "kind = \"edge_list\"\npath = \"e.txt\"\nweight = 3",
        "",
    ));
    // Each weight alone is allowed; merged, they exceed 10^15 (before the bound, 3e38 + 3e38
    // became infinite and everyone adopted with certainty).
    c.file("e.txt", b"a b 9e14\nb a 1\na b 9e14\n");
    c.refused(&[
        "e.txt:3: the arcs into \"b\" up to this row weigh 1.800e15 in all",
        "merged by summing",
    ]);
    c.file("e.txt", b"a b 3e38\na b 3e38\n");
    c.refused(&["e.txt:1: malformed row: weight \"3e38\" must be a positive number at most 1e15"]);
}

#[test]
fn a_weight_of_1e39_is_refused() {
    let c = Case::new(&scenario(
        "kind = \"edge_list\"\npath = \"e.txt\"\nweight = 3",
        "",
    ));
    c.file("e.txt", b"a b 1\nb a 1e39\n");
    c.refused(&["e.txt:2: malformed row: weight \"1e39\" must be a positive number"]);
}

#[test]
fn kol_weight_that_overflows_is_refused() {
    // κ = 1e39 is infinite as f32: everyone adopted with probability 0.667 where q = 0.5
    // caps it at 0.5. The parser bounds κ to [1, 1e6], located at the key.
    let kols = "[kols]\nrule = \"in_degree\"\ncount = 2\nweight = 1e39\n[initial_adopters]\nstrategy = \"kols\"\ncount = 1\n";
    let c = Case::new(&scenario("kind = \"barabasi_albert\"\nn = 50\nm = 2", kols));
    c.refused(&[
        "s.toml:",
        "s.toml:13:10:",
        "`kols.weight`: 1e39 is not allowed: κ must be in [1, 1e6]",
    ]);
    // Finite, but κ × (n − 1) past 10^30: refused by the same bound.
    let c = Case::new(&scenario(
        "kind = \"barabasi_albert\"\nn = 50\nm = 2",
        &kols.replace("1e39", "1e29"),
    ));
    c.refused(&["`kols.weight`: 1e29 is not allowed"]);
    // An edge list: κ × 10^15 past 10^30.
    let c = Case::new(&scenario(
        "kind = \"edge_list\"\npath = \"e.txt\"",
        &kols.replace("1e39", "1e16"),
    ));
    c.file("e.txt", b"a b\nb c\nc a\n");
    c.refused(&["`kols.weight`", "1e16 is not allowed"]);
}

#[test]
fn shipped_scenarios_fit_in_24_gib() {
    for s in [
        "quickstart",
        "ckm-tetracycline",
        "kol-vs-learning",
        "marketing-confound",
        "bench-national",
    ] {
        let sc = kolsim::scenario::load(Path::new(&format!("scenarios/{s}.toml"))).unwrap();
        for threads in [1, 2, 16] {
            let est = kolsim::jobs::memory::estimate(&sc, threads, false);
            assert!(est.total() < 4 << 30, "{s} on {threads}: {est:?}");
            kolsim::jobs::memory::check(&est, Some(24 << 30), "this run", true).unwrap();
        }
    }
}

/// `ulimit -v` (RLIMIT_AS) bounds the memory a run may count on: a run that needs more is
/// refused up front with the usual message, instead of failing to allocate half-way.
#[test]
fn address_space_limit_refuses_a_run_that_needs_more() {
    let bin = assert_cmd::cargo::cargo_bin("kolsim");
    let d = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        // 1.5 GiB of address space; 400,000 replicates of the quick start need about 3 GiB.
        .arg("ulimit -v 1572864 && exec \"$0\" run scenarios/quickstart.toml --replicates 400000 -q --out \"$1\"")
        .arg(&bin)
        .arg(d.path().join("out"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("of memory available"), "{err}");
    assert!(!d.path().join("out").exists());
}

/// `validate` under `ulimit -v` (issue 24): a network that cannot be built within the address
/// space is refused with the estimate, in well under a second, instead of built for minutes.
#[test]
fn validate_under_an_address_space_limit_refuses_before_building() {
    let bin = assert_cmd::cargo::cargo_bin("kolsim");
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("big.toml");
    std::fs::write(
        &path,
        scenario("kind = \"barabasi_albert\"\nn = 40000000\nm = 5", ""),
    )
    .unwrap();
    let t = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        // 1 GiB of address space; 40 million physicians with m = 5 need several GiB.
        .arg("ulimit -v 1048576 && exec \"$0\" validate \"$1\"")
        .arg(&bin)
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("building the network needs about") && err.contains("of memory available"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}
