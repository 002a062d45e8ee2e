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
//! Folder layout: `grid.json` (the sweep definition), `points/point-<k>/` (one folder per
//! finished point, renamed into place when complete, holding `rows.csv` and `summary.csv`),
//! and, after [`merge`](fn@merge), `sweep.csv`, `summary.csv` and `manifest.json`. A point folder is
//! either complete or absent, so an interrupted sweep loses only the points in flight, and
//! shards may share one folder.
//!
//! Files: [`grid`] (keys, values, point scenarios, shards), [`point`] (running a point and its
//! completion marker), [`row`] (the typed row of `sweep.csv`), [`merge`](mod@merge) (the folder: `grid.json` and merging).

pub mod grid;
pub mod merge;
pub mod point;
pub mod row;

pub use grid::{
    Axis, Grid, Shard, axes_from_table, check, parse_set, parse_values, point_scenario,
};
pub use merge::{merge, prepare_dir, read_grid};
pub use point::{is_done, run_point};
pub use row::{Lift, Metric, Stats, SweepRow, TimeStats, sweep_header};
