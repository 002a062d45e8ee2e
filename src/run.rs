//! Running a scenario: all models × all replicates, in parallel, deterministically.
//!
//! Work is split by replicate (and, when one network serves all replicates, by model too),
//! never by thread: every work item takes its randomness from streams keyed by the replicate,
//! and results are collected in index order. The output is therefore identical for any
//! number of threads, and replicate `r` is the same whether run alone or in a larger batch.

use crate::attribution::{self, Record};
use crate::engine::{Curve, Replicate, Scratch};
use crate::error::Error;
use crate::groups::{Segments, Tallied, Tally};
use crate::network::Network;
use crate::realise::{self, Realisation};
use crate::scenario::{Draw, Scenario};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Facts about the network, for the manifest and the terminal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NetworkInfo {
    /// Network kind.
    pub kind: String,
    /// Physicians.
    pub nodes: usize,
    /// Arcs (of realisation 0 when networks are redrawn per replicate).
    pub arcs: u64,
    /// Self-loops dropped while building.
    pub self_loops_dropped: u64,
    /// Duplicate arcs merged.
    pub duplicates_merged: u64,
    /// Weakly connected components.
    pub components: usize,
    /// Number of KOLs.
    pub kols: usize,
    /// KOL ranking rule.
    pub kol_rule: &'static str,
    /// How the KOL ranking was computed (eigenvector solver and convergence; betweenness
    /// exact, from pivots, or sampled with its error bound), for those two rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kol_ranking: Option<crate::kols::RankingNote>,
    /// Whether each replicate draws its own network.
    pub redrawn_per_replicate: bool,
    /// Edge rows dropped because an endpoint is not in the node file (`unknown_ids = "drop"`).
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown_ids_dropped: u64,
    /// Edge rows dropped because an endpoint cell is a `missing` marker.
    #[serde(skip_serializing_if = "is_zero")]
    pub missing_rows_dropped: u64,
    /// Arcs read from each `[[network.layer]]`, before duplicates across layers are merged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerArcs>,
    /// Every edge-list endpoint dropped as not in the node file (written to `dropped.csv`).
    #[serde(skip)]
    pub dropped: Vec<crate::network::edge_list::Dropped>,
}

/// Arcs read from one `[[network.layer]]`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerArcs {
    /// The layer's name.
    pub name: String,
    /// Arcs it contributed (two per undirected tie).
    pub arcs: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// Wall-clock time per phase, in seconds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Timings {
    /// Building and checking realisation 0.
    pub prepare_s: f64,
    /// Simulation (including per-replicate network draws).
    pub simulate_s: f64,
}

/// Everything a run produced, before any file is written.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Model names, in scenario order.
    pub models: Vec<String>,
    /// Arm names, in scenario order.
    pub arms: Vec<String>,
    /// `curves[arm][model][replicate]`.
    pub curves: Vec<Vec<Vec<Curve>>>,
    /// With `RunOptions::record`: `records[arm][model][replicate]`, the adoptions with their
    /// channel and influencer; else empty.
    pub records: Vec<Vec<Vec<Vec<Record>>>>,
    /// With `RunOptions::record`: share of adoptions through a KOL tie,
    /// `kol_tie_share[arm][model][replicate]`; else empty.
    pub kol_tie_share: Vec<Vec<Vec<Option<f64>>>>,
    /// Physicians.
    pub n: usize,
    /// Number of KOLs in each replicate's network (constant unless networks are redrawn).
    pub kols: usize,
    /// Network facts.
    pub network: NetworkInfo,
    /// Timings.
    pub timings: Timings,
    /// Threads used.
    pub threads: usize,
    /// Realisation 0's network (κ applied), kept for the physicians' ids and attributes in
    /// `kols.csv`, `adoptions.csv` and the observed launch, so the edge list is not read twice.
    pub ids: Option<Network>,
    /// Realisation 0's KOL rule scores before κ (`kols.csv`), where the rule has scores.
    pub kol_scores0: Option<Vec<Option<f64>>>,
    /// Realisation 0's KOLs, in rank order (for `kols.csv`).
    pub kols0: Vec<u32>,
    /// Replicate 0's initial adopters on realisation 0, per arm (for `kols.csv`).
    pub seeds0: Vec<Vec<u32>>,
    /// Warnings about the scenario found on realisation 0 (printed and in the report), e.g.
    /// an attribute KOL rule that had to take physicians without a positive value.
    pub warnings: Vec<String>,
    /// With `segment`: the adoptions of every replicate counted per segment.
    pub segments: Option<Segments>,
}

/// Options that do not change results.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Record every adoption with its channel and influencer (memory grows with adoptions).
    pub record: bool,
}

/// What one work item produces for one (arm, model) pair: the curve, the recorded adoptions
/// (with `record`) and the per-segment tally (with `segment`).
type Output = (Curve, Option<(Vec<Record>, Option<f64>)>, Option<Tally>);

/// Runs the `(arm, model)` pairs of replicate `r` on `real`, returning one curve per pair.
fn run_replicate(
    sc: &Scenario,
    real: &Realisation,
    r: u64,
    pairs: &[(usize, usize)],
    scratch: &mut Scratch,
    record: bool,
) -> Result<Vec<Output>, Error> {
    let mut initial: Vec<Option<Vec<u32>>> = vec![None; sc.arms.len()];
    let mut out = Vec::with_capacity(pairs.len());
    for &(ai, mi) in pairs {
        if initial[ai].is_none() {
            initial[ai] = Some(realise::initial_adopters(
                sc,
                &sc.arms[ai].adopters,
                real,
                r,
            )?);
        }
        let model = &real.models[mi];
        let rep = Replicate {
            net: &real.net,
            is_kol: &real.is_kol,
            initial: initial[ai].as_deref().unwrap_or(&[]),
            steps: sc.steps,
            seed: sc.seed,
            replicate: r,
        };
        if record {
            let (curve, records) = model.run_recorded(sc.engine, &rep, scratch);
            let share = attribution::kol_tie_share(&records, rep.is_kol);
            let tally = real.segments.as_ref().map(|g| {
                let adoptions = records.iter().map(|x| (x.node, x.step));
                Tally::from_adoptions(adoptions, g, rep.is_kol, curve.new_adopters.len())
            });
            out.push((curve, Some((records, share)), tally));
        } else {
            let mut curve = Curve::with_steps(sc.steps);
            let tally = match &real.segments {
                None => {
                    model.run(sc.engine, &rep, scratch, &mut curve);
                    None
                }
                Some(g) => {
                    let mut tally = Tally::new(g.labels.len(), sc.steps);
                    let mut obs = Tallied {
                        inner: &mut curve,
                        grouping: g,
                        is_kol: rep.is_kol,
                        tally: &mut tally,
                    };
                    model.run_observed(sc.engine, &rep, scratch, &mut obs);
                    tally.truncate(curve.new_adopters.len());
                    Some(tally)
                }
            };
            out.push((curve, None, tally));
        }
    }
    Ok(out)
}

/// Runs the scenario's replicates `replicates` (usually `0..sc.replicates`). `tick` is called
/// once per finished work item (for progress bars).
pub fn run(
    sc: &Scenario,
    replicates: &[u64],
    opts: RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<RunResult, Error> {
    run_cancellable(sc, replicates, opts, tick, &AtomicBool::new(false))
}

/// [`run`], stopping with [`Error::Cancelled`] once `cancel` is set: work items not yet
/// started are skipped, those running finish (a replicate takes milliseconds to seconds).
pub fn run_cancellable(
    sc: &Scenario,
    replicates: &[u64],
    opts: RunOptions,
    tick: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<RunResult, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    pool.install(|| {
        let t0 = Instant::now();
        let mut real0 = realise::check(sc)?;
        let seeds0 = sc
            .arms
            .iter()
            .map(|a| realise::initial_adopters(sc, &a.adopters, &real0, 0))
            .collect::<Result<Vec<_>, Error>>()?;
        let warnings = kol_warnings(sc, &real0);
        let network = network_info(sc, &real0);
        let prepare_s = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let (na, nm) = (sc.arms.len(), sc.models.len());
        let all_pairs: Vec<(usize, usize)> =
            (0..na).flat_map(|a| (0..nm).map(move |m| (a, m))).collect();
        let mut curves: Vec<Vec<Vec<Curve>>> =
            vec![vec![Vec::with_capacity(replicates.len()); nm]; na];
        let mut records: Vec<Vec<Vec<Vec<Record>>>> = vec![vec![Vec::new(); nm]; na];
        let mut kol_tie_share: Vec<Vec<Vec<Option<f64>>>> = vec![vec![Vec::new(); nm]; na];
        let mut tallies: Vec<Vec<Vec<Tally>>> = vec![vec![Vec::new(); nm]; na];
        let mut keep = |a: usize, m: usize, (c, rec, tally): Output| {
            curves[a][m].push(c);
            if let Some(t) = tally {
                tallies[a][m].push(t);
            }
            if let Some((r, share)) = rec {
                records[a][m].push(r);
                kol_tie_share[a][m].push(share);
            }
        };
        let outputs = simulate_all(sc, replicates, &real0, &all_pairs, opts, tick, cancel)?;
        for (a, m, c) in outputs {
            keep(a, m, c);
        }
        let (n, kols) = (real0.net.n(), real0.kols.len());
        let kols0 = real0.kols.clone();
        let kol_scores0 = real0.kol_scores.take();
        let segments = segments_of(sc, &real0, &kols0, tallies);
        Ok(RunResult {
            models: sc.models.iter().map(|m| m.name.clone()).collect(),
            arms: sc.arms.iter().map(|a| a.name.clone()).collect(),
            curves,
            records,
            kol_tie_share,
            n,
            kols,
            ids: Some(real0.net),
            kol_scores0,
            kols0,
            seeds0,
            warnings,
            segments,
            network,
            timings: Timings {
                prepare_s,
                simulate_s: t1.elapsed().as_secs_f64(),
            },
            threads,
        })
    })
}

/// Runs every (replicate, arm, model) of `sc` on the current thread pool and returns each
/// output with its arm and model, in replicate order. Networks redrawn per replicate: one work
/// item per replicate (its network drawn once, every arm and model run on it); otherwise one
/// work item per (replicate, arm, model) on realisation 0.
fn simulate_all(
    sc: &Scenario,
    replicates: &[u64],
    real0: &Realisation,
    all_pairs: &[(usize, usize)],
    opts: RunOptions,
    tick: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<(usize, usize, Output)>, Error> {
    let go = || {
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    };
    let mut out = Vec::with_capacity(replicates.len() * all_pairs.len());
    if sc.draw == Draw::PerReplicate && sc.network.is_random() {
        let per_rep: Vec<Vec<Output>> = replicates
            .par_iter()
            .map_init(Scratch::default, |scratch, &r| {
                go()?;
                let fresh;
                let real = if r == 0 {
                    real0
                } else {
                    fresh = realise::realise(sc, realise::realisation_index(sc, r))?;
                    same_segments(sc, real0, &fresh)?;
                    &fresh
                };
                let c = run_replicate(sc, real, r, all_pairs, scratch, opts.record);
                tick();
                c
            })
            .collect::<Result<_, Error>>()?;
        for rep in per_rep {
            for (&(a, m), c) in all_pairs.iter().zip(rep) {
                out.push((a, m, c));
            }
        }
    } else {
        let items: Vec<(u64, (usize, usize))> = replicates
            .iter()
            .flat_map(|&r| all_pairs.iter().map(move |&p| (r, p)))
            .collect();
        let done: Vec<Output> = items
            .par_iter()
            .map_init(Scratch::default, |scratch, &(r, p)| {
                go()?;
                let c = run_replicate(sc, real0, r, &[p], scratch, opts.record)
                    .map(|mut v| v.remove(0));
                tick();
                c
            })
            .collect::<Result<_, Error>>()?;
        for ((_, (a, m)), c) in items.iter().zip(done) {
            out.push((*a, *m, c));
        }
    }
    Ok(out)
}

/// The facts about realisation 0's network that the manifest and report show.
fn network_info(sc: &Scenario, real0: &Realisation) -> NetworkInfo {
    NetworkInfo {
        kind: sc.network.kind().to_string(),
        nodes: real0.net.n(),
        arcs: real0.net.arc_count(),
        self_loops_dropped: real0.net.report().self_loops_dropped,
        duplicates_merged: real0.net.report().duplicates_merged,
        components: real0.net.components(),
        kols: real0.kols.len(),
        kol_rule: sc.kols.rule.name(),
        kol_ranking: real0.kol_ranking.clone(),
        redrawn_per_replicate: sc.draw == Draw::PerReplicate && sc.network.is_random(),
        unknown_ids_dropped: real0.net.input().unknown_ids_dropped,
        missing_rows_dropped: real0.net.input().missing_rows_dropped,
        dropped: real0.net.input().dropped.clone(),
        layers: real0
            .net
            .input()
            .layers
            .iter()
            .map(|(name, arcs)| LayerArcs {
                name: name.clone(),
                arcs: *arcs,
            })
            .collect(),
    }
}

/// The run's per-segment tallies with realisation 0's segments and KOLs (with `segment`).
fn segments_of(
    sc: &Scenario,
    real0: &Realisation,
    kols0: &[u32],
    tallies: Vec<Vec<Vec<Tally>>>,
) -> Option<Segments> {
    real0.segments.as_ref().map(|g| {
        let mut kols = vec![0; g.labels.len()];
        for &k in kols0 {
            kols[g.of[k as usize] as usize] += 1;
        }
        Segments {
            attribute: sc.segment.as_ref().map(|s| s.0.clone()).unwrap_or_default(),
            labels: g.labels.clone(),
            sizes: g.sizes.clone(),
            kols,
            tallies,
        }
    })
}

/// Checks that a redrawn network has realisation 0's segments (the same labels and sizes),
/// so that tallies of different replicates add up.
fn same_segments(sc: &Scenario, real0: &Realisation, real: &Realisation) -> Result<(), Error> {
    match (&real0.segments, &real.segments, &sc.segment) {
        (Some(a), Some(b), Some((name, span))) if a.labels != b.labels || a.sizes != b.sizes => {
            Err(Error::Scenario(sc.source.error(
                Some(span.clone()),
                "segment",
                format!(
                    "the segments of \"{name}\" differ between network realisations; with draw = \"per_replicate\", segment by an attribute every realisation shares (such as a generator's block)"
                ),
            )))
        }
        _ => Ok(()),
    }
}

/// Warnings about realisation 0's KOLs: an attribute rule whose count goes beyond the
/// physicians with a positive value (e.g. a 0/1 flag with `count` above the number flagged),
/// so that some KOLs were taken at a value of 0 or below.
pub fn kol_warnings(sc: &Scenario, real0: &realise::Realisation) -> Vec<String> {
    let name = match &sc.kols.rule {
        crate::scenario::KolRuleSpec::Attribute(name, _) => name.as_str(),
        crate::scenario::KolRuleSpec::Ranked(crate::kols::KolRule::Attribute(name)) => {
            name.as_str()
        }
        _ => return Vec::new(),
    };
    let Some(crate::network::Attribute::Numeric(v)) = real0.net.attribute(name) else {
        return Vec::new();
    };
    let positive = v.iter().filter(|x| x.is_some_and(|x| x > 0.0)).count();
    let padded = real0
        .kols
        .iter()
        .filter(|&&k| !v[k as usize].is_some_and(|x| x > 0.0))
        .count();
    if padded == 0 {
        return Vec::new();
    }
    vec![format!(
        "kols: the attribute rule \"{name}\" picked {} KOLs, but only {positive} physicians have a positive \"{name}\"; {padded} KOL(s) were taken at a value of 0 or below (ties by physician order). Lower kols.count/share to {positive}, or check the attribute.",
        real0.kols.len()
    )]
}

/// Number of progress ticks `run` will make.
pub fn work_items(sc: &Scenario, replicates: usize) -> u64 {
    if sc.draw == Draw::PerReplicate && sc.network.is_random() {
        replicates as u64
    } else {
        (replicates * sc.models.len() * sc.arms.len()) as u64
    }
}
