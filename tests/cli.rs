//! The command line: help with examples, the model catalogue, completions, the manual page,
//! and quiet output when not on a terminal.

use assert_cmd::Command;
use predicates::prelude::*;

fn kolsim() -> Command {
    Command::cargo_bin("kolsim").unwrap()
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "run",
        "validate",
        "models",
        "sweep",
        "merge",
        "completions",
        "man",
    ] {
        kolsim()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    kolsim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Exit status: 0 success; 2 bad usage",
        ));
}

#[test]
fn models_lists_every_model_with_its_parameters() {
    let out = kolsim()
        .arg("models")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for kind in [
        "imitation",
        "bass",
        "threshold",
        "independent_cascade",
        "social_learning",
        "detailing",
        "structural_equivalence",
    ] {
        assert!(text.lines().any(|l| l == kind), "{kind} missing");
    }
    for param in [
        "q", "p", "theta", "beta", "quality", "u0", "budget", "policy", "top_k",
    ] {
        assert!(
            text.contains(&format!("    {param} ")),
            "parameter {param} missing"
        );
    }
    assert!(text.contains("unit: per step; range: [0, 1]; default: required"));
}

#[test]
fn completions_and_manual_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        kolsim()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("sweep"));
    }
    kolsim()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH kolsim 1"));
    kolsim().args(["completions", "tcsh"]).assert().code(2);
    kolsim().arg("frobnicate").assert().code(2);
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let d = tempfile::tempdir().unwrap();
    kolsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--replicates",
            "5",
            "--out",
        ])
        .arg(d.path().join("o"))
        .assert()
        .success()
        .stderr(predicate::str::is_empty())
        .stdout(predicate::str::contains("final share [5–95%]"));
}
