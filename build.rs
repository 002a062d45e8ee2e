//! Captures the git commit for the manifest.
use std::process::Command;

/// `git <args>`'s trimmed output, if git ran and succeeded.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=KOLSIM_GIT_COMMIT={commit}");
    // Rerun when HEAD moves. In a worktree `.git` is a file: HEAD lives in the worktree's own
    // git folder and the branch refs in the common one, so ask git where both are (a path
    // that does not exist would rerun the script, and rebuild the crate, on every build).
    let (Some(dir), Some(common)) = (
        git(&["rev-parse", "--absolute-git-dir"]),
        git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]),
    ) else {
        println!("cargo:rerun-if-changed=build.rs");
        return;
    };
    let mut watch = vec![format!("{dir}/HEAD"), format!("{common}/packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(format!("{common}/{branch}"));
    }
    // Only files that exist: cargo reruns the script for a missing one on every build.
    for path in watch.iter().filter(|p| std::path::Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}
