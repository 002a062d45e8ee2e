//! `seed`: the (near-)best `k` initial adopters under one of the scenario's models, compared by
//! forward simulation with the top-`k` by each KOL rule and with random seeds (issue 13).
//!
//! Runs on the scenario's network realisation 0 (for scenarios that redraw a random network
//! per replicate, the seeds are optimised and evaluated on that one draw).
//!
//! With `--budget B --cost ATTR` the number of seeds is not fixed: the best of two (cost-greedy
//! set, best single affordable physician, [`crate::seed::budget`]), and each comparison row
//! spends the same budget down its own ranking ([`crate::seed::Budget::fill`]).

mod files;
mod inputs;
mod text;

use crate::engine::Scratch;
use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::realise;
use crate::rng::{Purpose, stream};
use crate::scenario::{KolRuleSpec, Scenario};
use crate::seed::{
    self, BestOfTwo, Budget, Certified, Compared, Forward, Lazy, Objective, OpimOptions,
    ReverseGraph, Sentinel,
};
use crate::seeding::Seeding;
use rand::seq::SliceRandom;
use rayon::prelude::*;
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
    /// Number of seeds (`None`: a budget instead).
    pub k: Option<usize>,
    /// The budget `B` (with [`SeedRequest::cost`]; `None`: `k` seeds).
    pub budget: Option<f64>,
    /// Numeric node attribute holding each physician's cost (with a budget).
    pub cost: Option<String>,
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
    /// Only the physicians listed in this file may be seeds (with [`SeedRequest::candidates`]:
    /// both filters apply).
    pub candidates_file: Option<PathBuf>,
    /// The sentinel-set variant of the RR method ([`crate::seed::sentinel`]).
    pub sentinel: Sentinel,
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
        /// With a budget: the best-of-two comparison (simulated values).
        best_of_two: Option<BestOfTwo>,
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
    /// The costs and budget (`None`: `k` seeds).
    pub budget: Option<Budget>,
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

/// Runs the job and writes its folder atomically.
pub fn seed_folder(sc: &Scenario, req: SeedRequest) -> Result<SeedOutcome, Error> {
    crate::folder::check_out(&req.dir, req.force)?;
    match (req.k, req.budget, &req.cost) {
        (Some(0), _, _) => return Err(Error::Usage("--k must be at least 1".into())),
        (Some(_), None, None) => {}
        (Some(_), _, _) => {
            return Err(Error::Usage(
                "give either --k or --budget with --cost, not both".into(),
            ));
        }
        (None, Some(b), Some(_)) if b.is_finite() && b > 0.0 => {}
        (None, Some(b), Some(_)) => {
            return Err(Error::Usage(format!(
                "--budget {b}: the budget must be positive"
            )));
        }
        (None, Some(_), None) => {
            return Err(Error::Usage(
                "--budget needs --cost ATTR (the numeric node attribute with each physician's cost)"
                    .into(),
            ));
        }
        (None, None, _) => {
            return Err(Error::Usage(
                "give --k (number of seeds) or --budget with --cost".into(),
            ));
        }
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
    if let Some(k) = req.k
        && k > n
    {
        return Err(Error::Usage(format!(
            "--k {k}: the network has only {n} physicians"
        )));
    }
    let model = &sc.models[mi].model;
    let kind = model.kind();
    let h = req.horizon.unwrap_or(sc.steps);
    let mut mask = match &req.candidates {
        Some(a) => Some(inputs::candidate_mask(&real.net, a)?),
        None => None,
    };
    if let Some(path) = &req.candidates_file {
        let listed = inputs::candidates_file(&real.net, path)?;
        mask = Some(match mask {
            Some(m) => m.iter().zip(&listed).map(|(a, b)| *a && *b).collect(),
            None => listed,
        });
    }
    let budget = match (&req.cost, req.budget) {
        (Some(attr), Some(b)) => Some(Budget {
            costs: inputs::costs(&real.net, attr)?,
            budget: b,
        }),
        _ => None,
    };
    let allowed = |v: usize| mask.as_ref().is_none_or(|m| m[v]);
    if let Some(m) = &mask {
        let c = m.iter().filter(|&&x| x).count();
        if let Some(k) = req.k
            && c < k
        {
            return Err(Error::Usage(format!(
                "candidate filter: only {c} physicians qualify, fewer than --k {k}"
            )));
        }
    }
    if let Some(b) = &budget
        && !(0..n).any(|v| allowed(v) && b.fits(v as u32, b.budget))
    {
        return Err(Error::Usage(format!(
            "--budget {}: no candidate physician costs that little",
            b.budget
        )));
    }
    let k_req = req.k.unwrap_or(0);
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
                k: k_req,
                epsilon: req.epsilon,
                delta: None,
                objective: req.objective,
                seed: sc.seed,
                candidates: mask.clone(),
                min_sets: seed::opim::MIN_SETS,
                budget: budget.clone(),
                sentinel: req.sentinel,
                max_nodes: seed::opim::MAX_NODES,
            },
        ))
    } else {
        let t0 = std::time::Instant::now();
        let mut cands: Vec<u32> = (0..n as u32).filter(|&v| allowed(v as usize)).collect();
        if let Some(b) = &budget {
            cands.retain(|&v| b.fits(v, b.budget));
        }
        if cands.len() > req.pool {
            let rank = kols::rank_with(
                &base,
                &KolRule::InDegree,
                &mut stream(sc.seed, Purpose::Kols, 0),
            );
            let mut ok = vec![false; n];
            for &v in &cands {
                ok[v as usize] = true;
            }
            cands = rank
                .into_iter()
                .filter(|&v| ok[v as usize])
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
        let (lazy, best_of_two) = match &budget {
            None => (seed::celf(k_req, &cands, &eval), None),
            Some(b) => {
                let (l, c) = seed::celf_budget(&cands, b, &eval);
                (l, Some(c))
            }
        };
        Selection::Celf {
            why: if rr.is_some() {
                "--method celf".into()
            } else {
                seed::no_rr_reason(kind).into()
            },
            pool: cands.len(),
            lazy,
            best_of_two,
            seconds: t0.elapsed().as_secs_f64(),
        }
    };
    let seeds = match &selection {
        Selection::Rr(c) => c.seeds.clone(),
        Selection::Celf { lazy, .. } => lazy.seeds.clone(),
    };
    // The strategies compared: top-k (or top within the budget) by each ranking rule, the
    // scenario's own rule if it is another one, random.
    let k = seeds.len();
    let take = |ranking: Vec<u32>| -> Vec<u32> {
        match &budget {
            Some(b) => b.fill(ranking),
            None => ranking.into_iter().take(k).collect(),
        }
    };
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
        let set = match &budget {
            Some(b) => b.fill(kols::rank_with(&base, &rule, &mut krng())),
            None => kols::select_with(&base, &rule, k, &mut krng()),
        };
        strategies.push((name, set));
    }
    let ranking = inputs::scenario_ranking(sc, &base)?;
    if matches!(
        sc.kols.rule,
        KolRuleSpec::Attribute(..) | KolRuleSpec::Explicit(..)
    ) {
        strategies.push((format!("{own} (KOL rule)"), take(ranking.clone())));
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
    // Random: k physicians per replicate from the replicate's seeding stream (with a budget:
    // a random order of everyone, spent down like the rankings).
    let rand_vals: Vec<f64> = (0..reps)
        .into_par_iter()
        .map_init(Scratch::default, |scr, r| {
            let mut rng = stream(sc.seed, Purpose::Seeding, r);
            let set = match &budget {
                None => Seeding::Random(k).choose(&real.net, &[], &mut rng),
                Some(b) => {
                    let mut order: Vec<u32> = (0..n as u32).collect();
                    order.shuffle(&mut rng);
                    let mut s = b.fill(order);
                    s.sort_unstable();
                    s
                }
            };
            fwd.one(&set, r, scr)
        })
        .collect();
    compared.push((seed::compare("random", &rand_vals, &opt_vals), Vec::new()));
    let mut out = SeedOutcome {
        kind,
        horizon: h,
        seeds,
        budget,
        selection,
        compared,
        kol_rule: own.to_string(),
        n,
        req,
        text: String::new(),
    };
    out.text = text::terminal(sc, &out, &real.net);
    let files = files::files(sc, &out, &base, &ranking)?;
    Ok((out, files))
}
