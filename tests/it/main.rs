//! The integration tests, one binary (`cargo test --release --test it`): one module per area.
//! A test that needs a process of its own (a global allocator, a panic hook) lives beside this
//! folder instead (`tests/fuzz.rs`). Filter by module: `cargo test --release --test it fit::`.

mod architecture;
mod browser;
mod ckm;
mod cli;
mod common;
mod determinism;
mod docs;
mod engine;
mod errors;
mod excel;
mod fit;
mod fit_controls;
mod fit_covariates;
mod fit_inner;
mod fit_joint;
mod fit_options;
mod fit_report;
mod fit_simulated;
mod fit_verdict;
mod golden;
mod lazy;
mod limits;
mod models;
mod outputs;
mod reader;
mod readme;
mod realdata;
mod report;
mod safety;
mod scenario_toml;
mod seed;
mod seed_hist;
mod seed_theories;
mod segments;
mod slurm;
mod sweep;
mod toy_model;
