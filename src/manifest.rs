//! `manifest.json`: everything needed to reproduce and audit a run.

use crate::run::{NetworkInfo, RunResult, Timings};
use crate::scenario::Scenario;

/// Version of the manifest layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The run's manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifest {
    /// Layout version.
    pub schema_version: u32,
    /// kolsim version.
    pub kolsim_version: &'static str,
    /// Git commit the binary was built from (`unknown` outside a git checkout).
    pub git_commit: &'static str,
    /// The command line.
    pub command: Vec<String>,
    /// Scenario name.
    pub scenario_name: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// Master seed.
    pub seed: u64,
    /// How streams are derived.
    pub stream_rule: &'static str,
    /// Replicates per model.
    pub replicates: u32,
    /// Steps after step 0.
    pub steps: u32,
    /// Models in order.
    pub models: Vec<String>,
    /// Seeding arms in order.
    pub arms: Vec<String>,
    /// Arm that the KOL lift refers to.
    pub reference_arm: String,
    /// KOL weight κ.
    pub kol_weight: f32,
    /// Baseline model.
    pub baseline: String,
    /// Engine for sparse networks.
    pub engine: crate::engine::EngineKind,
    /// Worker threads.
    pub threads: usize,
    /// Network facts.
    pub network: NetworkInfo,
    /// Timings in seconds.
    pub timings: Timings,
    /// Per-replicate detail kept (`--curves`): `full`, `summary` (no curves.csv) or `none`
    /// (no curves.csv, no metrics.csv).
    pub curves: &'static str,
    /// Files written, in the run folder.
    pub files: Vec<&'static str>,
    /// With `segment`: the segment attribute, its segments and their sizes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<SegmentInfo>,
    /// The scenario text, verbatim.
    pub scenario: String,
}

/// The segments of a run with `segment` (realisation 0).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SegmentInfo {
    /// The node attribute.
    pub attribute: String,
    /// Segment labels, in output order (`(missing)` last for blank or NA cells).
    pub labels: Vec<String>,
    /// Physicians per segment.
    pub physicians: Vec<usize>,
    /// KOLs per segment.
    pub kols: Vec<usize>,
}

/// Git commit captured at build time.
pub const GIT_COMMIT: &str = match option_env!("KOLSIM_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

/// Builds the manifest of a finished run.
pub fn build(
    sc: &Scenario,
    res: &RunResult,
    command: Vec<String>,
    files: Vec<&'static str>,
) -> Manifest {
    Manifest {
        schema_version: SCHEMA_VERSION,
        kolsim_version: env!("CARGO_PKG_VERSION"),
        git_commit: GIT_COMMIT,
        command,
        scenario_name: sc.name.clone(),
        scenario_file: sc.source.path.display().to_string(),
        seed: sc.seed,
        stream_rule: "ChaCha8Rng::seed_from_u64(seed) with set_stream((purpose << 56) | index); purposes 1 network and 7 KOL ranking (index = realisation), 2 seeding, 3 thresholds, 4 dynamics, 5 detailing targets, 6 adoption attribution (index = replicate); all models and arms share replicate r's streams",
        replicates: res
            .curves
            .first()
            .and_then(|m| m.first())
            .map(Vec::len)
            .unwrap_or(0) as u32,
        steps: sc.steps,
        models: res.models.clone(),
        arms: res.arms.clone(),
        reference_arm: sc.reference_arm.clone(),
        kol_weight: sc.kols.weight,
        baseline: sc.baseline.clone(),
        engine: sc.engine,
        threads: res.threads,
        network: res.network.clone(),
        timings: res.timings.clone(),
        curves: "full",
        files,
        segments: res.segments.as_ref().map(|s| SegmentInfo {
            attribute: s.attribute.clone(),
            labels: s.labels.clone(),
            physicians: s.sizes.clone(),
            kols: s.kols.clone(),
        }),
        scenario: sc.toml_text(),
    }
}
