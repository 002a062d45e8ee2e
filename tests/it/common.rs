//! Helpers shared by the integration tests: the binary, simulating a model on a network,
//! reading result folders. Each test file uses a subset, hence `allow(dead_code)`.
#![allow(dead_code)]

use kolsim::engine::{Curve, EngineKind, Replicate, Scratch};
use kolsim::models::{Model, Prepared, Setting};
use kolsim::network::Network;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The project root (where `scenarios/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `kolsim` binary, run from the project root.
pub fn kolsim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("kolsim").unwrap();
    c.current_dir(root());
    c
}

/// Runs `kolsim args…` in `dir` and returns its stdout; it must succeed.
pub fn stdout_of(dir: &Path, args: &[&str]) -> String {
    let out = kolsim()
        .current_dir(dir)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// `model` prepared on `net` with `kols` (in rank order) as the KOL list the model may target;
/// `is_kol` stays all false and κ = 1.
pub fn prepare(model: &dyn Model, net: &Network, kols: &[u32]) -> Box<dyn Prepared> {
    let is_kol = vec![false; net.n()];
    let setting = Setting {
        net,
        kols,
        is_kol: &is_kol,
        kol_weight: 1.0,
    };
    model.prepare(&setting).unwrap()
}

/// What one batch of replicates runs: the model, its network and initial adopters.
pub struct Sim<'a> {
    /// The model.
    pub model: &'a dyn Model,
    /// The network (no KOL weighting).
    pub net: &'a Network,
    /// Initial adopters at step 0.
    pub initial: &'a [u32],
    /// KOLs in rank order, for models that target them (e.g. `kols_first` detailing).
    pub kols: &'a [u32],
    /// Steps after step 0.
    pub steps: u32,
    /// Master seed.
    pub seed: u64,
}

impl Sim<'_> {
    /// Runs replicates `0..reps` on `engine` and returns their curves.
    pub fn curves(&self, engine: EngineKind, reps: u64) -> Vec<Curve> {
        let is_kol = vec![false; self.net.n()];
        let prepared = prepare(self.model, self.net, self.kols);
        let mut scratch = Scratch::default();
        (0..reps)
            .map(|r| {
                let rep = Replicate {
                    net: self.net,
                    is_kol: &is_kol,
                    initial: self.initial,
                    steps: self.steps,
                    seed: self.seed,
                    replicate: r,
                };
                let mut c = Curve::default();
                prepared.run(engine, &rep, &mut scratch, &mut c);
                c
            })
            .collect()
    }
}

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A CSV file without quoted fields as (header, data rows).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let header = split(lines.next().unwrap_or(""));
    (header, lines.map(split).collect())
}

/// The first line of `text` that starts with `prefix`; panics naming the prefix and the text
/// when there is none (a test helper).
pub fn line_starting<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?} in:\n{text}"))
}
