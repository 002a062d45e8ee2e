//! Parameter sweeps: a grid over numeric scenario values, run point by point with common
//! random numbers, shardable across machines, resumable, and merged into tidy files.
//!
//! A key is a path into the scenario file: `model.<name>.<param>` (a `[[model]]` by its
//! name), `arm.<name>.<param>`, or a dotted table path such as `kols.share`, `network.m` or
//! `steps`. Values are a list (`0.1,0.2,0.4`) or an inclusive range with step
//! (`0.05:0.5:0.05`). The grid is the product of all keys, first key slowest.
//!
//! Every point keeps the scenario's seed, so replicate `r` of every point uses the same random
//! streams: curves over a parameter are smooth and paired.
//!
//! This module computes and writes nothing to disk: [`grid`] (keys, values, point scenarios,
//! shards), [`point`] (running a point in memory: its `rows.csv` and `summary.csv`), [`row`]
//! (the typed row of `sweep.csv`). The sweep folder — `grid.json`, one `points/point-<k>/` per
//! finished point (renamed into place when complete, so an interrupted sweep loses only the
//! points in flight and shards may share one folder) and the merged `sweep.csv`, `summary.csv`,
//! `manifest.json`, plots and report — is [`crate::jobs::merge`]'s and the sweep job's.

pub mod grid;
pub mod point;
pub mod row;

pub use grid::{
    Axis, Grid, Shard, axes_from_table, check, parse_set, parse_values, point_scenario,
};
pub use point::run_point;
pub use row::{Lift, Metric, Stats, SweepRow, TimeStats, sweep_header};
