//! Bad input: every case exits with status 2, names the file, position, key, bad value and
//! what is allowed, never panics, and `run` leaves no output folder behind.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A temp dir holding a scenario (and data files).
struct Case {
    dir: TempDir,
    scenario: PathBuf,
}

impl Case {
    /// Writes `text` as `scenario.toml` in a fresh temp dir.
    fn new(text: &str) -> Case {
        Case::bytes(text.as_bytes())
    }

    fn bytes(text: &[u8]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("scenario.toml");
        std::fs::write(&scenario, text).unwrap();
        Case { dir, scenario }
    }

    /// Writes a data file next to the scenario.
    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    /// `scenario.toml:line:col`, as it must appear in stderr.
    fn at(&self, line: usize, col: usize) -> String {
        format!("{}:{line}:{col}: ", self.scenario.display())
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// `kolsim validate` fails with status 2 and stderr containing every `expected` string.
    fn validate_fails(&self, expected: &[&str]) -> String {
        let out = Command::cargo_bin("kolsim")
            .unwrap()
            .arg("validate")
            .arg(&self.scenario)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .get_output()
            .clone();
        check_stderr(&out.stderr, expected)
    }

    /// `kolsim run --out <tmp>/out` fails with status 2, stderr containing every `expected`
    /// string, and leaves neither the output folder nor a hidden partial folder.
    fn run_fails(&self, expected: &[&str]) -> String {
        let out = Command::cargo_bin("kolsim")
            .unwrap()
            .arg("run")
            .arg(&self.scenario)
            .arg("--out")
            .arg(self.out())
            .args(["--quiet", "--threads", "1"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = check_stderr(&out.stderr, expected);
        assert!(!self.out().exists(), "output folder left behind");
        assert_no_partial(self.dir.path());
        err
    }

    /// Both `validate` and `run` fail alike.
    fn fails(&self, expected: &[&str]) {
        let v = self.validate_fails(expected);
        let r = self.run_fails(expected);
        assert_eq!(v, r, "validate and run report differently");
    }
}

fn check_stderr(stderr: &[u8], expected: &[&str]) -> String {
    let err = String::from_utf8_lossy(stderr).to_string();
    assert!(!err.contains("panicked"), "panic reached the user:\n{err}");
    assert!(
        err.starts_with("error (invalid input): "),
        "unexpected stderr:\n{err}"
    );
    for e in expected {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
    err
}

fn assert_no_partial(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            !name.starts_with(".out"),
            "hidden partial folder left behind: {name}"
        );
    }
}

/// A valid scenario: 12 lines, used as a starting point by some cases.
const VALID: &str = r#"name = "t"
steps = 5
replicates = 2
seed = 1

[network]
kind = "complete"
n = 20

[[model]]
kind = "imitation"
q = 0.3
"#;

// --- Unknown keys ---------------------------------------------------------------------------

#[test]
fn unknown_top_level_key() {
    let c = Case::new(&VALID.replace("seed = 1", "colour = \"red\""));
    c.fails(&[
        &c.at(4, 1),
        "`colour`",
        "unknown field `colour`",
        "expected one of `name`, `description`, `steps`",
    ]);
}

#[test]
fn unknown_key_in_network() {
    let c = Case::new(&VALID.replace("n = 20", "n = 20\nsize = 4"));
    c.fails(&[
        &c.at(9, 1),
        "`network.size`",
        "unknown field `size`",
        "expected one of `kind`, `draw`, `n`",
    ]);
}

#[test]
fn unknown_key_in_model() {
    let c = Case::new(&format!(
        "{VALID}\n[[model]]\nkind = \"bass\"\np = 0.01\nq = 0.2\nspeed = 3\n"
    ));
    c.fails(&[
        &c.at(18, 1),
        "`model[1].speed`",
        "unknown field `speed`",
        "expected one of `name`, `kind`, `p`, `q`",
    ]);
}

// --- Missing required keys ------------------------------------------------------------------

#[test]
fn missing_steps() {
    let c = Case::new(&VALID.replace("steps = 5\n", ""));
    // A missing top-level key is located at the start of the file (the top-level table).
    c.fails(&[
        &c.at(1, 1),
        "`steps`",
        "missing required key `steps` at the top level",
        "an integer >= 1",
    ]);
}

#[test]
fn missing_n_for_barabasi_albert() {
    let c = Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        "kind = \"barabasi_albert\"\nm = 2",
    ));
    c.fails(&[
        &c.at(6, 1),
        "`network.n`",
        "missing required key `n`",
        "number of physicians",
        "barabasi_albert",
    ]);
}

#[test]
fn missing_q_for_imitation() {
    let c = Case::new(&VALID.replace("q = 0.3\n", ""));
    c.fails(&[
        &c.at(10, 1),
        "`model[0].q`",
        "missing required key `q`",
        "imitation probability per step",
    ]);
}

// --- Wrong types ----------------------------------------------------------------------------

#[test]
fn steps_is_a_string() {
    let c = Case::new(&VALID.replace("steps = 5", "steps = \"ten\""));
    c.fails(&[
        &c.at(2, 9),
        "`steps`",
        "string \"ten\"",
        "expected an integer",
    ]);
}

#[test]
fn q_is_a_string() {
    let c = Case::new(&VALID.replace("q = 0.3", "q = \"high\""));
    c.fails(&[
        &c.at(12, 5),
        "`model[0].q`",
        "string \"high\"",
        "expected a number",
    ]);
}

// --- Probabilities outside [0, 1] -----------------------------------------------------------

/// VALID plus a second model named "fast" with q = 1.4 (on line 17).
fn q_1_4() -> Case {
    Case::new(&format!(
        "{VALID}\n[[model]]\nname = \"fast\"\nkind = \"imitation\"\nq = 1.4\n"
    ))
}

#[test]
fn q_above_one() {
    let c = q_1_4();
    c.fails(&[&c.at(17, 5), "`model[1].q`", "1.4", "outside [0, 1]"]);
}

#[test]
fn p_below_zero() {
    let c = Case::new(&VALID.replace(
        "kind = \"imitation\"\nq = 0.3",
        "kind = \"bass\"\np = -0.1\nq = 0.3",
    ));
    c.fails(&[&c.at(12, 5), "`model[0].p`", "-0.1", "outside [0, 1]"]);
}

#[test]
fn rewire_above_one() {
    let c = Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        "kind = \"watts_strogatz\"\nn = 20\nk = 4\nrewire = 2",
    ));
    c.fails(&[&c.at(10, 10), "`network.rewire`", "2 is outside [0, 1]"]);
}

// --- Sizes ----------------------------------------------------------------------------------

#[test]
fn n_zero() {
    let c = Case::new(&VALID.replace("n = 20", "n = 0"));
    c.fails(&[
        &c.at(8, 5),
        "`network.n`",
        "0 is too small",
        "must be at least 2",
    ]);
}

#[test]
fn n_negative() {
    let c = Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        "kind = \"barabasi_albert\"\nn = -5\nm = 2",
    ));
    c.fails(&[
        &c.at(8, 5),
        "`network.n`",
        "-5 is too small",
        "must be at least 2",
    ]);
}

#[test]
fn replicates_zero() {
    let c = Case::new(&VALID.replace("replicates = 2", "replicates = 0"));
    c.fails(&[
        &c.at(3, 14),
        "`replicates`",
        "0 is too small",
        "must be at least 1",
    ]);
}

#[test]
fn steps_zero() {
    let c = Case::new(&VALID.replace("steps = 5", "steps = 0"));
    c.fails(&[
        &c.at(2, 9),
        "`steps`",
        "0 is too small",
        "must be at least 1",
    ]);
}

#[test]
fn block_size_zero() {
    let c = Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        "kind = \"stochastic_block\"\nsizes = [10, 0, 5]\np_in = 0.3\np_out = 0.01",
    ));
    c.fails(&[
        &c.at(8, 14),
        "`network.sizes[1]`",
        "0 is not a valid block size",
        "must be at least 1",
    ]);
}

#[test]
fn m_not_below_n() {
    let c = Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        "kind = \"barabasi_albert\"\nn = 10\nm = 10",
    ));
    c.fails(&[
        &c.at(9, 5),
        "`network.m`",
        "m = 10 must be smaller than n = 10",
    ]);
}

#[test]
fn kol_share_above_one() {
    let c = Case::new(&VALID.replace("n = 20\n", "n = 20\n\n[kols]\nshare = 1.5\n"));
    c.fails(&[&c.at(11, 9), "`kols.share`", "1.5 is outside (0, 1]"]);
}

// --- Names ----------------------------------------------------------------------------------

#[test]
fn duplicate_model_names() {
    let c = Case::new(&format!(
        "{}\n[[model]]\nname = \"fast\"\nkind = \"bass\"\np = 0.01\nq = 0.2\n",
        VALID.replace("[[model]]\n", "[[model]]\nname = \"fast\"\n")
    ));
    c.fails(&[
        &c.at(16, 8),
        "`model[1].name`",
        "duplicate model name \"fast\"",
        "already used by model[0]",
        "names must be unique",
    ]);
}

#[test]
fn baseline_names_no_model() {
    let c = Case::new(&VALID.replace("seed = 1", "baseline = \"bas\""));
    c.fails(&[
        &c.at(4, 12),
        "`baseline`",
        "\"bas\" names no model",
        "models: imitation",
    ]);
}

// --- Edge lists -----------------------------------------------------------------------------

/// VALID with an edge-list network reading `edges.txt` (lines 6-8), plus `extra` lines.
fn edge_list_case(extra: &str) -> Case {
    Case::new(&VALID.replace(
        "kind = \"complete\"\nn = 20",
        &format!("kind = \"edge_list\"\npath = \"edges.txt\"{extra}"),
    ))
}

#[test]
fn edge_list_missing() {
    let c = edge_list_case("");
    let full = c.dir.path().join("edges.txt").display().to_string();
    c.fails(&[
        &c.at(8, 8),
        "`network.path`",
        "\"edges.txt\" not found",
        &full,
        "relative paths are resolved against the scenario's folder",
    ]);
}

#[test]
fn edge_list_empty() {
    let c = edge_list_case("");
    let p = c.file("edges.txt", b"# only a comment\n\n");
    c.fails(&[
        &format!("{}: ", p.display()),
        "edge list has no arcs",
        "at least one row",
    ]);
}

#[test]
fn edge_list_malformed_row() {
    let c = edge_list_case("");
    let p = c.file("edges.txt", b"a b\nb c\nc\nd a\n");
    c.fails(&[
        &format!("{}:3: ", p.display()),
        "malformed row \"c\"",
        "1 field(s), at least 2 expected",
    ]);
}

#[test]
fn edge_list_ids_not_in_node_file() {
    let c = edge_list_case("\nnodes = { path = \"nodes.csv\" }");
    let p = c.file("edges.txt", b"a b\nb c\nc q\n");
    let nodes = c.file("nodes.csv", b"id,volume\na,1\nb,2\nc,3\n");
    c.fails(&[
        &format!("{}:3: ", p.display()),
        "node id \"q\" is not in the node file",
        &nodes.display().to_string(),
    ]);
}

#[test]
fn edge_list_not_utf8() {
    let c = edge_list_case("");
    let p = c.file("edges.txt", b"a b\n\xff\xfe c\n");
    c.fails(&[&format!("{}:2: ", p.display()), "not valid UTF-8", "0xFF"]);
}

#[test]
fn node_file_id_column_beyond_header() {
    // Used to panic with an index out of bounds.
    let c = edge_list_case("\nnodes = { path = \"nodes.csv\", id = 5 }");
    c.file("edges.txt", b"a b\n");
    let nodes = c.file("nodes.csv", b"id,volume\na,1\nb,2\n");
    c.fails(&[
        &format!("{}: ", nodes.display()),
        "`network.nodes.id` = 5",
        "only 2 column(s)",
    ]);
}

// --- Ids that must be in the network --------------------------------------------------------

#[test]
fn explicit_kol_ids_not_in_network() {
    let c = Case::new(&VALID.replace(
        "n = 20\n",
        "n = 20\n\n[kols]\nrule = \"explicit\"\nids = [1, 2, 99]\n",
    ));
    c.fails(&[
        &c.at(12, 14),
        "`kols.ids[2]`",
        "id \"99\" is not in the network",
        "20 physicians, ids 0..n-1",
    ]);
}

#[test]
fn explicit_initial_adopters_not_in_network() {
    let c = Case::new(&VALID.replace(
        "n = 20\n",
        "n = 20\n\n[initial_adopters]\nstrategy = \"explicit\"\nids = [3, 20]\n",
    ));
    c.fails(&[
        &c.at(12, 11),
        "`initial_adopters.ids[1]`",
        "id \"20\" is not in the network",
        "20 physicians, ids 0..n-1",
    ]);
}

// --- Encoding -------------------------------------------------------------------------------

#[test]
fn scenario_not_utf8() {
    // A Latin-1 "é" (0xE9) on line 4, column 19.
    let text: Vec<u8> = VALID
        .replace("seed = 1", "description = \"caf@\"")
        .bytes()
        .map(|b| if b == b'@' { 0xE9 } else { b })
        .collect();
    let c = Case::bytes(&text);
    c.fails(&[&c.at(4, 19), "not valid UTF-8", "0xE9", "save it as UTF-8"]);
}

// --- Kinds ----------------------------------------------------------------------------------

#[test]
fn unknown_model_kind() {
    let c = Case::new(&VALID.replace("kind = \"imitation\"", "kind = \"imitaton\""));
    c.fails(&[
        &c.at(11, 8),
        "`model[0].kind`",
        "unknown model kind \"imitaton\"",
        "allowed: imitation, bass, threshold, independent_cascade",
    ]);
}

#[test]
fn unknown_network_kind() {
    let c = Case::new(&VALID.replace("kind = \"complete\"", "kind = \"small_world\""));
    c.fails(&[
        &c.at(7, 8),
        "`network.kind`",
        "unknown network kind \"small_world\"",
        "allowed: complete, erdos_renyi, barabasi_albert, watts_strogatz, stochastic_block, edge_list",
    ]);
}

#[test]
fn key_not_for_network_kind() {
    let c = Case::new(&VALID.replace("n = 20", "n = 20\nm = 3"));
    c.fails(&[
        &c.at(9, 5),
        "`network.m`",
        "`m = 3` does not apply to network kind \"complete\"",
        "its keys: n",
    ]);
}

// --- Output folder --------------------------------------------------------------------------

#[test]
fn existing_output_folder_without_force() {
    let c = Case::new(VALID);
    Command::cargo_bin("kolsim")
        .unwrap()
        .arg("validate")
        .arg(&c.scenario)
        .assert()
        .success();
    let out = c.out();
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), b"mine\n").unwrap();
    let a = Command::cargo_bin("kolsim")
        .unwrap()
        .arg("run")
        .arg(&c.scenario)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--threads", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--force"))
        .stderr(predicate::str::contains(out.display().to_string()))
        .stderr(predicate::str::contains("panicked").not());
    assert_eq!(
        a.get_output().status.code(),
        Some(2),
        "refusing to overwrite is a usage error"
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("keep.txt")]);
    assert_eq!(std::fs::read(out.join("keep.txt")).unwrap(), b"mine\n");
    assert_no_partial(c.dir.path());
}

// --- Snapshot -------------------------------------------------------------------------------

#[test]
fn snapshot_q_above_one() {
    let c = q_1_4();
    let err = c.validate_fails(&[]);
    let tmp = c.dir.path().display().to_string();
    assert_eq!(
        err.replace(&tmp, "<TMP>"),
        "error (invalid input): <TMP>/scenario.toml:17:5: `model[1].q`: 1.4 is outside [0, 1] (imitation probability per step)
   |
17 | q = 1.4
   |     ^
"
    );
}

#[test]
fn zero_replicates_on_the_command_line_is_a_usage_error() {
    let c = Case::new(VALID);
    Command::cargo_bin("kolsim")
        .unwrap()
        .arg("run")
        .arg(&c.scenario)
        .arg("--out")
        .arg(c.out())
        .args(["--quiet", "--replicates", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--replicates must be at least 1"));
    assert_no_partial(c.dir.path());
}

// --- Silently wrong before (issue 8) ---------------------------------------------------------

#[test]
fn a_physician_listed_twice_is_refused() {
    // κ used to be applied twice to a repeated KOL id (0.555 where the right answer is 0.444).
    let c = Case::new(&format!(
        "{VALID}\n[kols]\nrule = \"explicit\"\nids = [1, 2, 1]\nweight = 2.0\n"
    ));
    c.fails(&[&c.at(16, 14), "`kols.ids[2]`", "listed twice"]);
    let c = Case::new(&format!(
        "{VALID}\n[initial_adopters]\nstrategy = \"explicit\"\nids = [4, 4]\n"
    ));
    c.fails(&["`initial_adopters.ids[1]`", "listed twice"]);
}

#[test]
fn keys_of_another_variant_are_refused() {
    let c = Case::new(&VALID.replace(
        "kind = \"imitation\"\nq = 0.3",
        "kind = \"threshold\"\ntheta = { dist = \"uniform\", low = 0.1, high = 0.5, a = 2 }",
    ));
    c.fails(&["`model[0].theta`", "`a` does not apply"]);
    let c = Case::new(&format!(
        "{VALID}\n[initial_adopters]\nstrategy = \"random\"\ncount = 2\nids = [1]\n"
    ));
    c.fails(&[
        "`initial_adopters.ids`",
        "does not apply to strategy = \"random\"",
    ]);
}

#[test]
fn a_kol_weight_that_overflows_is_refused() {
    let c = Case::new(&format!(
        "{VALID}\n[kols]\nrule = \"in_degree\"\ncount = 2\nweight = 1e39\n"
    ));
    c.fails(&["`kols.weight`", "1e39", "κ must be in [1, 1e6]"]);
}

#[test]
fn model_values_of_the_wrong_shape_are_refused_where_written() {
    // The model reads typed values; the scenario layer locates the value in the file.
    let theta = |t: &str| {
        Case::new(&VALID.replace(
            "kind = \"imitation\"\nq = 0.3",
            &format!("kind = \"threshold\"\ntheta = {t}"),
        ))
    };
    for t in [
        "\"x\"",
        "{ dist = \"beta\", a = \"x\", b = 1 }",
        "{ foo = 1 }",
        "[1, \"x\"]",
        "[]",
    ] {
        let c = theta(t);
        c.fails(&[
            &c.at(12, 9),
            "`model[0].theta`",
            &format!("invalid value `{t}`: expected a number in [0, 1], a list with one number per physician (node order), or a table"),
        ]);
    }
    let c = theta("{ dist = \"uniform\", low = 0.1 }");
    c.fails(&[&c.at(12, 9), "missing `high` in the theta table"]);
    // A list of the right type but not one value per physician: refused once the network is
    // built, located at the list.
    let c = theta("[0.5]");
    c.fails(&[
        &c.at(12, 9),
        "`model[0].theta`",
        "theta lists 1 values but the network has 20 physicians",
    ]);
    let c = Case::new(&VALID.replace(
        "kind = \"imitation\"\nq = 0.3",
        "kind = \"detailing\"\nalpha = 0.1\nbeta = 0.1\ngamma = 0.1\ndecay = 0.5\nbudget = [1, \"a\"]",
    ));
    c.fails(&[
        &c.at(16, 10),
        "`model[0].budget`",
        "invalid value `[1, \"a\"]`: expected a number or a list of numbers per step",
    ]);
}
