//! `seed`: the (near-)best `k` initial adopters under one of the scenario's models, compared by
//! forward simulation with the top-`k` by each KOL rule and with random seeds (issue 13).
//!
//! Runs on the scenario's network realisation 0 (for scenarios that redraw a random network
//! per replicate, the seeds are optimised and evaluated on that one draw).

use crate::engine::Scratch;
use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::network::{Attribute, Network};
use crate::realise;
use crate::rng::{Purpose, stream};
use crate::scenario::{KolRuleSpec, Scenario};
use crate::seed::{self, Certified, Compared, Forward, Lazy, Objective, OpimOptions, ReverseGraph};
use crate::seeding::Seeding;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::PathBuf;

/// How the seeds are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// RR sets where the model has a reverse-reachable form, else CELF.
    Auto,
    /// RR sets + OPIM-C (refused for models without a reverse-reachable form).
    Rr,
    /// CELF lazy greedy on forward simulations.
    Celf,
}

/// First replicate index of the simulations CELF selects with: disjoint from the evaluation
/// replicates `0..R`, so the comparison is not biased towards the selected set.
pub const CELF_FIRST_REPLICATE: u64 = 1 << 40;

/// What to optimise and where to write it.
#[derive(Debug, Clone)]
pub struct SeedRequest {
    /// `name` of the scenario's `[[model]]`.
    pub model: String,
    /// Number of seeds.
    pub k: usize,
    /// Horizon `H` in steps (default: the scenario's `steps`).
    pub horizon: Option<u32>,
    /// ε of the target ratio `1 − 1/e − ε`.
    pub epsilon: f64,
    /// The objective.
    pub objective: Objective,
    /// The method.
    pub method: Method,
    /// Only physicians with a positive value of this numeric node attribute may be seeds.
    pub candidates: Option<String>,
    /// Largest CELF candidate pool (the top physicians by in-degree when there are more).
    pub pool: usize,
    /// Replicates of the forward comparison (and of CELF's selection).
    pub replicates: u32,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// The output folder.
    pub dir: PathBuf,
    /// Replace an existing output folder that kolsim wrote.
    pub force: bool,
}

/// How the seeds were found.
#[derive(Debug, Clone)]
pub enum Selection {
    /// RR sets and OPIM-C, with its certificate.
    Rr(Certified),
    /// CELF on forward simulations (no guarantee).
    Celf {
        /// The selection.
        lazy: Lazy,
        /// Why RR sets were not used.
        why: String,
        /// Candidates in the pool.
        pool: usize,
        /// Seconds.
        seconds: f64,
    },
}

/// A finished `seed` job.
#[derive(Debug)]
pub struct SeedOutcome {
    /// The model's `kind`.
    pub kind: &'static str,
    /// Horizon used.
    pub horizon: u32,
    /// The seeds, in selection order.
    pub seeds: Vec<u32>,
    /// How they were found.
    pub selection: Selection,
    /// Forward comparison, optimized first, paired against it.
    pub compared: Vec<(Compared, Vec<u32>)>,
    /// Name of the scenario's KOL rule.
    pub kol_rule: String,
    /// Physicians.
    pub n: usize,
    /// The request.
    pub req: SeedRequest,
    /// The terminal text (also `summary.txt`).
    pub text: String,
}

/// The full ranking under the scenario's KOL rule (on the network before the KOL weight).
fn scenario_ranking(sc: &Scenario, base: &Network) -> Result<Vec<u32>, Error> {
    let rule = match &sc.kols.rule {
        KolRuleSpec::Ranked(r) => r.clone(),
        KolRuleSpec::Attribute(name, _) => KolRule::Attribute(name.clone()),
        KolRuleSpec::Explicit(list) => KolRule::Explicit(sc.resolve_ids(list, base)?),
    };
    Ok(kols::rank_with(
        base,
        &rule,
        &mut stream(sc.seed, Purpose::Kols, 0),
    ))
}

/// The candidate mask from `--candidates ATTR`.
fn candidate_mask(net: &Network, attr: &str) -> Result<Vec<bool>, Error> {
    match net.attribute(attr) {
        Some(Attribute::Numeric(v)) => Ok(v.iter().map(|x| x.is_some_and(|x| x > 0.0)).collect()),
        Some(Attribute::Text(_)) => Err(Error::Usage(format!(
            "--candidates {attr}: the attribute is text; give a numeric column (candidates are the physicians with a value > 0)"
        ))),
        None => Err(Error::Usage(format!(
            "--candidates {attr}: no such node attribute (known: {})",
            net.attribute_names().join(", ")
        ))),
    }
}

/// Runs the job and writes its folder atomically.
pub fn seed_folder(sc: &Scenario, req: SeedRequest) -> Result<SeedOutcome, Error> {
    crate::folder::check_out(&req.dir, req.force)?;
    if req.k == 0 {
        return Err(Error::Usage("--k must be at least 1".into()));
    }
    if !(req.epsilon > 0.0 && req.epsilon < 1.0 - (-1.0f64).exp()) {
        return Err(Error::Usage(
            "--epsilon must be in (0, 0.632): the target ratio is 1 - 1/e - ε".into(),
        ));
    }
    let Some(mi) = sc.models.iter().position(|m| m.name == req.model) else {
        return Err(Error::Usage(format!(
            "--model {}: no such model in the scenario (its models: {})",
            req.model,
            sc.models
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(req.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let (out, files) = pool.install(|| compute(sc, req, mi))?;
    crate::folder::write_folder(&out.req.dir, &files, out.req.force)?;
    Ok(out)
}

/// The output files, in order.
type Files = Vec<(&'static str, Vec<u8>)>;

fn compute(sc: &Scenario, req: SeedRequest, mi: usize) -> Result<(SeedOutcome, Files), Error> {
    let real = realise::realise(sc, 0)?;
    let base = realise::build_network(sc, 0)?;
    let n = real.net.n();
    if req.k > n {
        return Err(Error::Usage(format!(
            "--k {}: the network has only {n} physicians",
            req.k
        )));
    }
    let model = &sc.models[mi].model;
    let kind = model.kind();
    let h = req.horizon.unwrap_or(sc.steps);
    let mask = match &req.candidates {
        Some(a) => Some(candidate_mask(&real.net, a)?),
        None => None,
    };
    if let Some(m) = &mask {
        let c = m.iter().filter(|&&x| x).count();
        if c < req.k {
            return Err(Error::Usage(format!(
                "--candidates: only {c} physicians qualify, fewer than --k {}",
                req.k
            )));
        }
    }
    let fwd = Forward {
        model: real.models[mi].as_ref(),
        net: &real.net,
        is_kol: &real.is_kol,
        steps: h,
        seed: sc.seed,
        engine: sc.engine,
        objective: req.objective,
    };
    let rr = model.reverse_reachable();
    let use_rr = match (req.method, rr) {
        (Method::Celf, _) => false,
        (_, Some(_)) if real.net.is_complete() => {
            return Err(Error::Usage(
                "the complete graph has no structure to optimise over: every set of k physicians spreads the same".into(),
            ));
        }
        (_, Some(_)) => true,
        (Method::Auto, None) => false,
        (Method::Rr, None) => {
            return Err(Error::Usage(format!(
                "--method rr: model \"{}\" ({kind}) has no reverse-reachable form: {}. Use --method celf (greedy on simulations, no guarantee).",
                req.model,
                seed::no_rr_reason(kind)
            )));
        }
    };
    let selection = if use_rr {
        let g = ReverseGraph::new(&real.net, rr.expect("checked"), h).map_err(Error::Usage)?;
        Selection::Rr(seed::opim_c(
            &g,
            &OpimOptions {
                k: req.k,
                epsilon: req.epsilon,
                delta: None,
                objective: req.objective,
                seed: sc.seed,
                candidates: mask.clone(),
                min_sets: seed::opim::MIN_SETS,
            },
        ))
    } else {
        let t0 = std::time::Instant::now();
        let mut cands: Vec<u32> = (0..n as u32)
            .filter(|&v| mask.as_ref().is_none_or(|m| m[v as usize]))
            .collect();
        if cands.len() > req.pool {
            let rank = kols::rank_with(
                &base,
                &KolRule::InDegree,
                &mut stream(sc.seed, Purpose::Kols, 0),
            );
            let allowed: Vec<bool> = {
                let mut a = vec![false; n];
                for &v in &cands {
                    a[v as usize] = true;
                }
                a
            };
            cands = rank
                .into_iter()
                .filter(|&v| allowed[v as usize])
                .take(req.pool)
                .collect();
            cands.sort_unstable();
        }
        let reps = req.replicates as u64;
        let eval = |s: &[u32]| -> f64 {
            let mut s = s.to_vec();
            s.sort_unstable();
            let v: Vec<f64> = (0..reps)
                .into_par_iter()
                .map_init(Scratch::default, |sc, r| {
                    fwd.one(&s, CELF_FIRST_REPLICATE + r, sc)
                })
                .collect();
            v.iter().sum::<f64>() / reps as f64
        };
        let lazy = seed::celf(req.k, &cands, &eval);
        Selection::Celf {
            why: if rr.is_some() {
                "--method celf".into()
            } else {
                seed::no_rr_reason(kind).into()
            },
            pool: cands.len(),
            lazy,
            seconds: t0.elapsed().as_secs_f64(),
        }
    };
    let seeds = match &selection {
        Selection::Rr(c) => c.seeds.clone(),
        Selection::Celf { lazy, .. } => lazy.seeds.clone(),
    };
    // The strategies compared: top-k by each ranking rule, the scenario's own rule if it is
    // another one, random.
    let k = seeds.len();
    let mut strategies: Vec<(String, Vec<u32>)> = vec![("optimized".into(), seeds.clone())];
    let krng = || stream(sc.seed, Purpose::Kols, 0);
    let own = sc.kols.rule.name();
    for rule in [
        KolRule::InDegree,
        KolRule::Degree,
        KolRule::PageRank,
        KolRule::Eigenvector,
        KolRule::KCore,
        KolRule::betweenness(),
    ] {
        let name = if rule.name() == own {
            format!("{} (KOL rule)", rule.name())
        } else {
            rule.name().to_string()
        };
        strategies.push((name, kols::select_with(&base, &rule, k, &mut krng())));
    }
    let ranking = scenario_ranking(sc, &base)?;
    if matches!(
        sc.kols.rule,
        KolRuleSpec::Attribute(..) | KolRuleSpec::Explicit(..)
    ) {
        strategies.push((
            format!("{own} (KOL rule)"),
            ranking.iter().take(k).copied().collect(),
        ));
    }
    let reps = req.replicates as u64;
    let opt_vals = fwd.values(&seeds, reps);
    let mut compared = Vec::new();
    for (name, set) in &strategies {
        let v = if name == "optimized" {
            opt_vals.clone()
        } else {
            fwd.values(set, reps)
        };
        compared.push((seed::compare(name, &v, &opt_vals), set.clone()));
    }
    // Random: k physicians per replicate from the replicate's seeding stream.
    let rand_vals: Vec<f64> = (0..reps)
        .into_par_iter()
        .map_init(Scratch::default, |scr, r| {
            let set = Seeding::Random(k).choose(
                &real.net,
                &[],
                &mut stream(sc.seed, Purpose::Seeding, r),
            );
            fwd.one(&set, r, scr)
        })
        .collect();
    compared.push((seed::compare("random", &rand_vals, &opt_vals), Vec::new()));
    let mut out = SeedOutcome {
        kind,
        horizon: h,
        seeds,
        selection,
        compared,
        kol_rule: own.to_string(),
        n,
        req,
        text: String::new(),
    };
    out.text = terminal(sc, &out, &real.net);
    let files = files(sc, &out, &base, &ranking)?;
    Ok((out, files))
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}", 100.0 * x)
    } else {
        "-".into()
    }
}

fn terminal(sc: &Scenario, o: &SeedOutcome, net: &Network) -> String {
    let r = &o.req;
    let obj = r.objective.label(o.horizon);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{}: best {} seeds under model \"{}\" ({}); objective: expected {obj}",
        sc.name, r.k, r.model, o.kind
    );
    match &o.selection {
        Selection::Rr(c) => {
            let _ = writeln!(
                t,
                "Method: reverse-reachable sets + OPIM-C, 2 × {} sets ({} round(s), mean set size {:.1}), {:.2} s.",
                c.rr_sets, c.rounds, c.mean_rr_size, c.seconds
            );
            let _ = writeln!(
                t,
                "Certificate: with probability >= 1 - {:.2e}, these seeds add at least {:.3} x what the best {} seeds would add\n  (target 1 - 1/e - ε = {:.3}: {}). Their estimated {obj}: {:.1}.",
                c.delta,
                c.ratio,
                r.k,
                c.target,
                if c.reached {
                    "reached"
                } else {
                    "NOT reached at the worst-case number of sets"
                },
                c.spread
            );
            if c.baseline > 0.0 {
                let _ = writeln!(
                    t,
                    "Spontaneous adoption is a virtual source: {:.1} expected with no seed at all; the certificate is on the seeds' own addition.",
                    c.baseline
                );
            }
        }
        Selection::Celf {
            lazy,
            why,
            pool,
            seconds,
        } => {
            let _ = writeln!(
                t,
                "Method: CELF lazy greedy on forward simulations ({} replicates per set, common random numbers, {} candidates, {} evaluations, {:.2} s).",
                r.replicates, pool, lazy.evaluations, seconds
            );
            let _ = writeln!(
                t,
                "NO GUARANTEE: {why}. The greedy set may be far from the best one."
            );
        }
    }
    let _ = writeln!(
        t,
        "\nForward simulation of \"{}\", {} replicates, paired (common random numbers); [95% intervals]:",
        r.model, r.replicates
    );
    let opt: std::collections::HashSet<u32> = o.seeds.iter().copied().collect();
    let head = obj.clone();
    let _ = writeln!(
        t,
        "{:<24} {:>26} {:>20} {:>8}",
        "strategy", head, "% of optimized", "overlap"
    );
    for (c, set) in &o.compared {
        let ov = if c.strategy == "random" {
            "-".to_string()
        } else {
            format!(
                "{}/{}",
                set.iter().filter(|v| opt.contains(v)).count(),
                o.seeds.len()
            )
        };
        let _ = writeln!(
            t,
            "{:<24} {:>26} {:>20} {:>8}",
            c.strategy,
            format!("{:.1} [{:.1}, {:.1}]", c.mean, c.lo, c.hi),
            if c.strategy == "optimized" {
                "100".to_string()
            } else {
                format!(
                    "{} [{}, {}]",
                    pct(c.ratio),
                    pct(c.ratio_lo),
                    pct(c.ratio_hi)
                )
            },
            ov
        );
    }
    if let Some((c, _)) = o
        .compared
        .iter()
        .find(|(c, _)| c.strategy.ends_with("(KOL rule)"))
    {
        let _ = writeln!(
            t,
            "\nThe usual top-{} by {} reaches {}% [{}, {}] of the optimized set's {obj}.",
            o.seeds.len(),
            o.kol_rule,
            pct(c.ratio),
            pct(c.ratio_lo),
            pct(c.ratio_hi)
        );
    }
    let shown: Vec<String> = o
        .seeds
        .iter()
        .take(12)
        .map(|&v| net.id(v as usize))
        .collect();
    let _ = writeln!(
        t,
        "Seeds (in selection order): {}{}",
        shown.join(", "),
        if o.seeds.len() > 12 { ", ..." } else { "" }
    );
    let _ = writeln!(
        t,
        "Results in {} (seeds.csv, comparison.csv, certificate.json).",
        r.dir.display()
    );
    t
}

fn files(
    sc: &Scenario,
    o: &SeedOutcome,
    real_ids: &Network,
    ranking: &[u32],
) -> Result<Files, Error> {
    let mut rank = vec![None; o.n];
    for (i, &v) in ranking.iter().enumerate() {
        rank[v as usize] = Some(i + 1);
    }
    let kol_count = sc.kols.size.count(o.n);
    let (gains, so_far): (Vec<f64>, Vec<f64>) = match &o.selection {
        Selection::Rr(c) => {
            let mut prev = c.baseline;
            c.spread_so_far
                .iter()
                .map(|&s| {
                    let g = s - prev;
                    prev = s;
                    (g, s)
                })
                .unzip()
        }
        Selection::Celf { lazy, .. } => (lazy.gains.clone(), lazy.value_so_far.clone()),
    };
    let mut seeds = String::from("rank,id,marginal_gain,estimated_so_far,is_kol,kol_rule_rank\n");
    for (i, &v) in o.seeds.iter().enumerate() {
        let kr = rank[v as usize];
        let _ = writeln!(
            seeds,
            "{},{},{:.4},{:.4},{},{}",
            i + 1,
            csv_field(&real_ids.id(v as usize)),
            gains.get(i).copied().unwrap_or(f64::NAN),
            so_far.get(i).copied().unwrap_or(f64::NAN),
            kr.is_some_and(|r| r <= kol_count),
            kr.map(|r| r.to_string()).unwrap_or_default()
        );
    }
    let mut cmp = String::from(
        "strategy,mean,lo,hi,ratio_to_optimized,ratio_lo,ratio_hi,diff,diff_lo,diff_hi,overlap,ids\n",
    );
    let opt: std::collections::HashSet<u32> = o.seeds.iter().copied().collect();
    for (c, set) in &o.compared {
        let ids: Vec<String> = set.iter().map(|&v| real_ids.id(v as usize)).collect();
        let _ = writeln!(
            cmp,
            "{},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
            csv_field(&c.strategy),
            c.mean,
            c.lo,
            c.hi,
            c.ratio,
            c.ratio_lo,
            c.ratio_hi,
            c.diff,
            c.diff_lo,
            c.diff_hi,
            if set.is_empty() {
                String::new()
            } else {
                set.iter().filter(|v| opt.contains(v)).count().to_string()
            },
            csv_field(&ids.join(" "))
        );
    }
    let cert = match &o.selection {
        Selection::Rr(c) => serde_json::json!({
            "method": "rr_opim_c",
            "guarantee": "(1 - 1/e - epsilon) on the seeds' own addition, with probability >= 1 - delta",
            "certificate": c,
        }),
        Selection::Celf {
            lazy, why, pool, ..
        } => serde_json::json!({
            "method": "celf",
            "guarantee": "none",
            "why": why,
            "candidates": pool,
            "selection_replicates": o.req.replicates,
            "first_selection_replicate": CELF_FIRST_REPLICATE,
            "evaluations": lazy.evaluations,
            "baseline": lazy.baseline,
        }),
    };
    let json = serde_json::json!({
        "schema_version": 1,
        "scenario": sc.name,
        "model": o.req.model,
        "kind": o.kind,
        "k": o.req.k,
        "horizon": o.horizon,
        "objective": o.req.objective,
        "epsilon": o.req.epsilon,
        "seed": sc.seed,
        "realisation": 0,
        "candidates": o.req.candidates,
        "comparison_replicates": o.req.replicates,
        "selection": cert,
    });
    Ok(vec![
        ("seeds.csv", seeds.into_bytes()),
        ("comparison.csv", cmp.into_bytes()),
        (
            "certificate.json",
            serde_json::to_vec_pretty(&json).map_err(|e| Error::Other(e.to_string()))?,
        ),
        ("summary.txt", o.text.clone().into_bytes()),
        ("scenario.toml", sc.source.text.clone().into_bytes()),
    ])
}

/// Quotes a CSV field when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
