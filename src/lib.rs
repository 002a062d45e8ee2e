//! kolsim: how a new drug or device spreads through a physician network, and how much of the
//! spread is really due to Key Opinion Leaders.
//!
//! Pipeline: a scenario file ([`scenario`]) becomes a network realisation with KOLs
//! ([`realise`], [`network`], [`kols`]), initial adopters ([`adopters`]) and models
//! ([`models`]); the [`run`] module runs every model over many replicates in parallel with the
//! [`engine`], and [`stats`], [`output`] and [`manifest`] turn the curves into files. [`fit`] goes the other way: from an observed launch to the
//! theories' likelihoods.

#![warn(missing_docs)]
pub mod adopters;
pub mod api;
pub mod attribution;
pub mod cli;
pub mod engine;
pub mod error;
pub mod fit;
pub mod folder;
pub mod groups;
pub mod jobs;
pub mod kols;
pub mod limits;
pub mod manifest;
pub mod models;
pub mod network;
pub mod output;
pub mod plot;
pub mod realise;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod seed;
pub mod segments;
pub mod source;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod table;

pub use error::Error;

/// The Rust code blocks of `README.md`, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
