//! Optional end-to-end test of the Slurm job-array recipe on a single-node Slurm started on
//! loopback. Needs root and Debian's slurm packages, so it runs only with
//! `KOLSIM_SLURM_TEST=1`; CI covers the shard/merge contract with a plain loop
//! (`tests/sweep.rs`).

#[test]
fn slurm_job_array_sweep_merges_to_the_single_run() {
    if std::env::var("KOLSIM_SLURM_TEST").as_deref() != Ok("1") {
        eprintln!("skipped: set KOLSIM_SLURM_TEST=1 (root, Debian slurm packages) to run");
        return;
    }
    let status = std::process::Command::new("bash")
        .arg("scenarios/slurm/e2e.sh")
        .env("KOLSIM", env!("CARGO_BIN_EXE_kolsim"))
        .status()
        .expect("run scenarios/slurm/e2e.sh");
    assert!(status.success(), "the Slurm end-to-end sweep failed");
}
