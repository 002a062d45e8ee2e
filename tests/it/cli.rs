//! The command line: help with examples, the model catalogue, completions, the manual page,
//! and quiet output when not on a terminal.

use predicates::prelude::*;

use crate::common::kolsim;

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
        .stdout(predicate::str::contains("final share, mean [5–95%]"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kolsim"))
        .args(["validate", "scenarios/quickstart.toml"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("kolsim"))
        .arg("man")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away at once, as `| head -0` would
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
