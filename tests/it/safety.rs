//! Never lose a user's files (issue 8, data loss): `--force` replaces only kolsim's own folders,
//! leftovers of killed runs are cleaned up, an interrupted run leaves nothing that looks
//! complete, and sweeps trust a point only when its completion marker vouches for its files.

use predicates::prelude::*;
use std::path::Path;

const SCENARIO: &str = "scenarios/quickstart.toml";

use crate::common::kolsim;

fn run(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    kolsim()
        .args(["run", SCENARIO, "--replicates", "5", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn force_never_deletes_a_folder_kolsim_did_not_write() {
    let d = tempfile::tempdir().unwrap();
    let inputs = d.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("g.toml"), "name = \"mine\"\n").unwrap();
    std::fs::write(inputs.join("edges.csv"), "1,2\n").unwrap();
    run(&inputs, &["--force"])
        .code(2)
        .stderr(predicate::str::contains("was not written by kolsim"));
    assert_eq!(names(&inputs), ["edges.csv", "g.toml"]);
    assert_eq!(names(d.path()), ["inputs"], "nothing renamed aside");
    // The same for a sweep.
    kolsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "model.bass.q=0.1",
            "--replicates",
            "2",
        ])
        .args(["--quiet", "--force", "--out"])
        .arg(&inputs)
        .assert()
        .code(2);
    assert_eq!(names(&inputs), ["edges.csv", "g.toml"]);
}

#[test]
fn force_never_hides_a_file() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("somefile");
    std::fs::write(&file, "keep me").unwrap();
    run(&file, &["--force"])
        .code(2)
        .stderr(predicate::str::contains("is not a folder"));
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    assert_eq!(names(d.path()), ["somefile"]);
}

#[test]
fn force_replaces_kolsim_folders_old_and_new() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("res");
    run(&out, &[]).success();
    assert!(out.join(".kolsim").is_file());
    run(&out, &[]).code(2);
    run(&out, &["--force"]).success();
    // A folder from a kolsim that wrote no marker is recognised by its manifest.
    std::fs::remove_file(out.join(".kolsim")).unwrap();
    run(&out, &["--force"]).success();
    assert_eq!(names(d.path()), ["res"], "no temporary folder left");
}

#[test]
fn leftovers_of_killed_runs_are_removed_and_interrupted_swaps_restored() {
    let d = tempfile::tempdir().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>();
    if host.is_empty() {
        eprintln!("skipped: no /proc host name on this platform");
        return;
    }
    let dead = 4_000_000_000u32;
    let partial = d.path().join(format!(".res.partial-{host}-{dead}"));
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join(".kolsim"), "").unwrap();
    std::fs::write(partial.join("curves.csv"), vec![b'x'; 10_000]).unwrap();
    // A swap killed between its two renames: the old results sit aside, no `keep` folder.
    let aside = d.path().join(format!(".keep.old-{host}-{dead}"));
    std::fs::create_dir(&aside).unwrap();
    std::fs::write(aside.join(".kolsim"), "").unwrap();
    std::fs::write(aside.join("curves.csv"), "old").unwrap();
    // Somebody else's hidden folder that merely looks like ours.
    let foreign = d.path().join(format!(".notes.partial-{host}-{dead}"));
    std::fs::create_dir(&foreign).unwrap();
    run(&d.path().join("res"), &[]).success();
    assert_eq!(
        names(d.path()),
        [
            ".notes.partial-".to_string() + &host + "-4000000000",
            "keep".into(),
            "res".into()
        ]
    );
    assert_eq!(
        std::fs::read(d.path().join("keep/curves.csv")).unwrap(),
        b"old"
    );
}

#[cfg(unix)]
#[test]
fn a_terminated_run_leaves_no_partial_folder() {
    use std::process::Stdio;
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("big");
    // Long enough to be killed mid-simulation (and mid-write with luck); checked both ways.
    let bin = assert_cmd::cargo::cargo_bin("kolsim");
    for delay_ms in [150u64, 400, 900] {
        let mut child = std::process::Command::new(&bin)
            .args([
                "run",
                SCENARIO,
                "--replicates",
                "20000",
                "--quiet",
                "--force",
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        let left = names(d.path());
        assert!(
            left.iter().all(|n| !n.contains(".partial-")),
            "after {delay_ms} ms: {left:?} ({status:?})"
        );
        if !status.success() {
            assert_eq!(status.code(), Some(130), "interrupted runs exit 130");
            // Nothing under the final name unless a previous iteration completed it.
        }
    }
}

fn sweep(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    kolsim()
        .args(["sweep", SCENARIO, "--set", "model.bass.q=0.1,0.3"])
        .args(["--replicates", "4", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn merge_and_resume_trust_only_complete_points() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sw");
    sweep(&out, &[]).success();
    let good = std::fs::read(out.join("sweep.csv")).unwrap();
    let rows = out.join("points/point-00001/rows.csv");
    let original = std::fs::read(&rows).unwrap();

    // An emptied point file: merge refuses, naming it; resume runs the point again.
    std::fs::write(&rows, "").unwrap();
    kolsim()
        .arg("merge")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("point-00001").and(predicate::str::contains("rows.csv")));
    sweep(&out, &["--resume"]).success();
    assert_eq!(std::fs::read(&rows).unwrap(), original);
    assert_eq!(std::fs::read(out.join("sweep.csv")).unwrap(), good);

    // A truncated one, and a point folder without its completion marker.
    std::fs::write(&rows, &original[..original.len() / 2]).unwrap();
    kolsim().arg("merge").arg(&out).assert().code(2);
    sweep(&out, &["--resume"]).success();
    std::fs::remove_file(out.join("points/point-00000/complete.json")).unwrap();
    kolsim()
        .arg("merge")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("completion marker"));
    sweep(&out, &["--resume"]).success();
    assert_eq!(std::fs::read(out.join("sweep.csv")).unwrap(), good);
}

#[test]
fn merge_of_a_malformed_point_is_bad_input_not_a_bug() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sw");
    sweep(&out, &[]).success();
    // A malformed file whose marker was rewritten to match it (as a careless edit script might).
    let p = out.join("points/point-00000");
    let bad = b"0,garbage\n".to_vec();
    std::fs::write(p.join("rows.csv"), &bad).unwrap();
    let marker = std::fs::read_to_string(p.join("complete.json")).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&marker).unwrap();
    m["rows.csv"]["bytes"] = bad.len().into();
    m["rows.csv"]["fnv1a64"] = format!("{:016x}", kolsim::folder::checksum(&bad)).into();
    std::fs::write(p.join("complete.json"), m.to_string()).unwrap();
    kolsim().arg("merge").arg(&out).assert().code(2).stderr(
        predicate::str::contains("rows.csv:1: malformed point file")
            .and(predicate::str::contains("bug").not()),
    );
}
