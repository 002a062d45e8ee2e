//! `seed`: the (near-)best `k` initial adopters under one of the scenario's models, or over
//! several theories at once (`--theories`, weighted mean or worst case), compared by forward
//! simulation with the scenario's own KOL list and arms, the top-`k` by each KOL rule and
//! random seeds (issues 13, 21 and 23).
//!
//! Runs on the scenario's network realisation 0 (for scenarios that redraw a random network
//! per replicate, the seeds are optimised and evaluated on that one draw).
//!
//! With `--budget B --cost ATTR` the number of seeds is not fixed: the best of two (cost-greedy
//! set, best single affordable physician, [`crate::seed::budget`]), and each comparison row
//! spends the same budget down its own ranking ([`crate::seed::Budget::fill`]).
//!
//! **Never worse than a compared set**: the greedy set and every candidate set are evaluated
//! by forward simulation with common random numbers ([`candidates`]); when a candidate of at
//! most `k` seeds beats the greedy set beyond the interval of the paired difference, that
//! candidate is recommended instead (the certificate still holds for it, since it is at least
//! as good as the certified set) and the output says so.
//!
//! Files: `theories.rs` reads `--theories`; `select.rs` chooses the sets; `candidates.rs`
//! builds and evaluates the compared sets and the regret table; `files.rs`, `text.rs` and
//! `page.rs` write the folder, the terminal text and the report.

mod candidates;
mod files;
mod inputs;
mod page;
mod regret;
mod select;
mod text;
mod theories;

pub use candidates::{Decision, Role, Row, Sets};
pub use regret::{RegretRow, Share};
pub use theories::Theory;

use crate::error::Error;
use crate::network::Network;
use crate::realise;
use crate::scenario::Scenario;
use crate::seed::robust::Saturated;
use crate::seed::{BestOfTwo, Budget, Certified, Compared, Forward, Lazy, Objective, Sentinel};
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

/// How several theories are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Robust {
    /// Maximise the weighted expected objective.
    Mean,
    /// Maximise the smallest ratio to each theory's own optimized set.
    Worst,
}

/// Which sets the forward comparison evaluates besides the recommended set (`--compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The scenario's KOL list and arms, the top `k` by every global KOL rule, random seeds.
    #[default]
    All,
    /// The scenario's own KOL list and arms, and random seeds; no global KOL rule is ranked.
    Scenario,
    /// The recommended set alone (with several theories, the robust sets and each theory's
    /// own set): its forward value, nothing to compare against.
    None,
}

impl Compare {
    /// Parses `all`, `scenario` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Compare::All),
            "scenario" => Some(Compare::Scenario),
            "none" => Some(Compare::None),
            _ => None,
        }
    }
}

/// First replicate index of the simulations CELF selects with: disjoint from the evaluation
/// replicates `0..R`, so the comparison is not biased towards the selected set.
pub const CELF_FIRST_REPLICATE: u64 = 1 << 40;

/// What to optimise and where to write it.
#[derive(Debug, Clone)]
pub struct SeedRequest {
    /// `name` of the scenario's `[[model]]` (one theory; or [`SeedRequest::theories`]).
    pub model: Option<String>,
    /// `--theories SPEC`: a list `name=weight,...` of the scenario's models or a fit's
    /// `fitted.toml` (read as `seed_job/theories.rs` documents).
    pub theories: Option<String>,
    /// How several theories are combined.
    pub robust: Robust,
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
    /// Which sets the forward comparison evaluates.
    pub compare: Compare,
    /// Replicates of the forward comparison (and of CELF's selection).
    pub replicates: u32,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Memory limit (`None`: the available memory).
    pub max_memory: Option<u64>,
    /// Also print the report to `report.pdf` with headless Chromium.
    pub pdf: bool,
    /// The output folder.
    pub dir: PathBuf,
    /// Replace an existing output folder that kolsim wrote.
    pub force: bool,
}

/// How a set was found.
#[derive(Debug, Clone)]
pub enum Selection {
    /// RR sets and OPIM-C (over the mixture of the theories with `--theories`), with its
    /// certificate.
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
    /// Saturate greedy for the worst case on each theory's RR sets (no guarantee with `k`
    /// seeds).
    Saturate {
        /// The result.
        sat: Saturated,
        /// RR sets per theory.
        rr_sets: Vec<u64>,
        /// Seconds.
        seconds: f64,
    },
}

impl Selection {
    /// The seeds, in selection order.
    pub fn seeds(&self) -> &[u32] {
        match self {
            Selection::Rr(c) => &c.seeds,
            Selection::Celf { lazy, .. } => &lazy.seeds,
            Selection::Saturate { sat, .. } => &sat.seeds,
        }
    }

    /// Seconds spent choosing.
    pub fn seconds(&self) -> f64 {
        match self {
            Selection::Rr(c) => c.seconds,
            Selection::Celf { seconds, .. } | Selection::Saturate { seconds, .. } => *seconds,
        }
    }
}

/// A finished `seed` job.
#[derive(Debug)]
pub struct SeedOutcome {
    /// The theories (one for `--model`), weights summing to 1.
    pub theories: Vec<Theory>,
    /// Where the weights came from.
    pub weights_from: String,
    /// Horizon used.
    pub horizon: u32,
    /// The recommended seeds (the greedy set unless a compared set beat it), in selection
    /// order.
    pub seeds: Vec<u32>,
    /// The costs and budget (`None`: `k` seeds).
    pub budget: Option<Budget>,
    /// How the greedy set of the objective was found.
    pub selection: Selection,
    /// With several theories: each theory's own selection, in theory order.
    pub own: Vec<Selection>,
    /// The compared sets with their forward values per theory.
    pub rows: Vec<Row>,
    /// Forward comparison on the weighted objective, paired against the recommended set,
    /// one per row.
    pub compared: Vec<Compared>,
    /// With several theories: the regret table, one per row.
    pub regret: Vec<RegretRow>,
    /// Which set is recommended, and why.
    pub decision: Decision,
    /// Seconds spent building and forward-simulating the compared sets.
    pub compare_seconds: f64,
    /// The scenario's KOL list as seeded with `k` seeds (whether compared or not).
    pub kol_list: Vec<u32>,
    /// `marginal_gain` and `estimated_so_far` of the recommended seeds (one sample).
    pub prefix: (Vec<f64>, Vec<f64>),
    /// Physicians.
    pub n: usize,
    /// The request.
    pub req: SeedRequest,
    /// The terminal text (also `summary.txt`).
    pub text: String,
}

impl SeedOutcome {
    /// Whether several theories were combined.
    pub fn multi(&self) -> bool {
        self.theories.len() > 1
    }
}

/// What the selection and the evaluation share.
pub(crate) struct Ctx<'a> {
    /// The scenario the theories run in.
    pub sc: &'a Scenario,
    /// The request.
    pub req: &'a SeedRequest,
    /// The network, KOL weights applied.
    pub net: &'a Network,
    /// The network before KOL weights (rankings).
    pub base: &'a Network,
    /// One forward evaluator per theory.
    pub fwds: Vec<Forward<'a>>,
    /// The theories.
    pub theories: &'a [Theory],
    /// Allowed seeds (`None`: everyone).
    pub mask: Option<Vec<bool>>,
    /// The budget.
    pub budget: Option<Budget>,
    /// Horizon.
    pub h: u32,
    /// Seeds requested (0 with a budget).
    pub k: usize,
    /// Master seed.
    pub seed: u64,
}

/// Runs the job and writes its folder atomically.
pub fn seed_folder(sc: &Scenario, req: SeedRequest) -> Result<SeedOutcome, Error> {
    crate::folder::check_out(&req.dir, req.force)?;
    let (out, files) = select_seeds(sc, req)?;
    crate::folder::write_folder(&out.req.dir, &files, out.req.force)?;
    Ok(out)
}

/// Runs the job in memory, on `req.threads` threads: the outcome and the files of its folder
/// (names and bytes, in order), written nowhere (`req.dir` only names paths in the texts).
pub fn select_seeds(sc: &Scenario, req: SeedRequest) -> Result<(SeedOutcome, Files), Error> {
    check_request(&req)?;
    browser(req.pdf)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(req.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    pool.install(|| compute(sc, req))
}

fn check_request(req: &SeedRequest) -> Result<(), Error> {
    let usage = |m: &str| Err(Error::Usage(m.into()));
    match (req.k, req.budget, &req.cost) {
        (Some(0), _, _) => return usage("--k must be at least 1"),
        (Some(_), None, None) => {}
        (Some(_), _, _) => return usage("give either --k or --budget with --cost, not both"),
        (None, Some(b), Some(_)) if b.is_finite() && b > 0.0 => {}
        (None, Some(b), Some(_)) => {
            return Err(Error::Usage(format!(
                "--budget {b}: the budget must be positive"
            )));
        }
        (None, Some(_), None) => {
            return usage(
                "--budget needs --cost ATTR (the numeric node attribute with each physician's cost)",
            );
        }
        (None, None, _) => return usage("give --k (number of seeds) or --budget with --cost"),
    }
    if !(req.epsilon > 0.0 && req.epsilon < 1.0 - (-1.0f64).exp()) {
        return usage("--epsilon must be in (0, 0.632): the target ratio is 1 - 1/e - ε");
    }
    Ok(())
}

/// The headless browser for `--pdf` (`None` without it); refused when there is none.
fn browser(pdf: bool) -> Result<Option<PathBuf>, Error> {
    if !pdf {
        return Ok(None);
    }
    super::run_job::find_browser().map(Some).ok_or_else(|| {
        Error::Usage(
            "--pdf needs headless Chromium: none of chromium, chromium-browser or google-chrome is on PATH (install chromium, or print report.html from a browser)".into(),
        )
    })
}

/// The output files of a seed job (names and bytes), in order.
pub type Files = Vec<(&'static str, Vec<u8>)>;

/// Refuses a job whose estimated memory exceeds the limit: the network, each theory's reverse
/// graph, the RR sets (at most [`crate::seed::opim::MAX_NODES`] members) and the per-replicate
/// values of the compared sets.
fn check_memory(sc: &Scenario, req: &SeedRequest, theories: usize) -> Result<(), Error> {
    let mut est = crate::jobs::memory::estimate_network(sc);
    let (n, arcs) = (est.nodes, est.arcs);
    let t = theories as f64;
    let cap = crate::seed::opim::MAX_NODES as f64;
    let members = cap.min(4096.0 * n)
        * if req.robust == Robust::Worst {
            1.5
        } else {
            1.0
        };
    let rows = 12.0 + 2.0 * t;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as f64;
    let threads = if req.threads == 0 {
        cores
    } else {
        req.threads as f64
    };
    est.parts.extend([
        ("reverse graphs", (t * (8.0 * arcs + 8.0 * n)) as u64),
        ("RR sets", (6.0 * members) as u64),
        ("engine state", (threads * (64.0 * n + 4.0 * arcs)) as u64),
        (
            "compared sets",
            (rows * (t + 1.0) * req.replicates as f64 * 8.0 + rows * n * 4.0) as u64,
        ),
    ]);
    est.parts.sort_by_key(|p| std::cmp::Reverse(p.1));
    crate::jobs::memory::check(&est, req.max_memory, "this seed selection", true)
}

fn compute(sc: &Scenario, req: SeedRequest) -> Result<(SeedOutcome, Files), Error> {
    let res = theories::resolve(sc, req.model.as_deref(), req.theories.as_deref())?;
    let multi = res.theories.len() > 1;
    if multi && req.budget.is_some() {
        return Err(Error::Usage(
            "--budget works with one theory (--model); with --theories give --k".into(),
        ));
    }
    check_memory(&res.scenario, &req, res.theories.len())?;
    // The network is read (or generated) once; the theories' scenario shares it.
    let base = realise::build_network(sc, 0)?;
    let real = realise::realise_on(&res.scenario, base.clone(), 0)?;
    let own_real = if res.fitted {
        Some(realise::realise_on(sc, base.clone(), 0)?)
    } else {
        None
    };
    let (mask, budget) = inputs::filters(&real.net, &req)?;
    let h = req.horizon.unwrap_or(sc.steps);
    let fwds = res
        .theories
        .iter()
        .map(|t| Forward {
            model: real.models[t.model].as_ref(),
            net: &real.net,
            is_kol: &real.is_kol,
            steps: h,
            seed: sc.seed,
            engine: sc.engine,
            objective: req.objective,
        })
        .collect();
    let cx = Ctx {
        sc: &res.scenario,
        req: &req,
        net: &real.net,
        base: &base,
        fwds,
        theories: &res.theories,
        mask,
        budget,
        h,
        k: req.k.unwrap_or(0),
        seed: sc.seed,
    };
    let graphs = select::graphs(&cx)?;
    let g = graphs.as_deref();
    let (selection, own, worst) = if multi {
        let own: Vec<Selection> = (0..res.theories.len())
            .map(|t| select::one(&cx, t, g))
            .collect();
        let worst = select::worst(&cx, g, &own);
        (select::mean(&cx, g)?, own, Some(worst))
    } else {
        (select::one(&cx, 0, g), Vec::new(), None)
    };
    let own_sc = if res.fitted { sc } else { &res.scenario };
    let arms_real = own_real.as_ref().unwrap_or(&real);
    let t_compare = std::time::Instant::now();
    let (rows, kol_list) =
        candidates::rows(&cx, own_sc, arms_real, &selection, worst.as_ref(), &own)?;
    let selection = match (req.robust, worst) {
        (Robust::Worst, Some(w)) if multi => w,
        _ => selection,
    };
    let ev = candidates::evaluate(&cx, rows, matches!(selection, Selection::Rr(_)));
    let compare_seconds = t_compare.elapsed().as_secs_f64();
    let seeds = ev.rows[ev.decision.chosen].fixed().to_vec();
    let prefix = candidates::prefix(&cx, &selection, &seeds, ev.decision.replaced());
    let mut out = SeedOutcome {
        theories: res.theories.clone(),
        weights_from: res.source.clone(),
        horizon: h,
        seeds,
        budget: cx.budget.clone(),
        selection,
        own,
        rows: ev.rows,
        compared: ev.compared,
        regret: ev.regret,
        decision: ev.decision,
        compare_seconds,
        kol_list,
        prefix,
        n: real.net.n(),
        req: req.clone(),
        text: String::new(),
    };
    out.text = text::terminal(sc, &out, &real.net);
    let files = files::files(sc, &out, &base)?;
    Ok((out, files))
}
