//! Seed selection in memory: the (near-)best `k` initial adopters under one of the scenario's
//! models, or over several theories at once (weighted mean or worst case), compared by forward
//! simulation with the scenario's own KOL list and arms, the top-`k` by each KOL rule and
//! random seeds (issues 13, 21 and 23). `kolsim seed` ([`crate::jobs::seed_folder`]) writes its
//! folder from the [`SeedOutcome`]; nothing here writes, prints or reads argv.
//!
//! Runs on the scenario's network realisation 0 (for scenarios that redraw a random network
//! per replicate, the seeds are optimised and evaluated on that one draw).
//!
//! With a budget `B` and a cost attribute the number of seeds is not fixed: the best of two
//! (cost-greedy set, best single affordable physician, [`crate::seed::budget`]), and each
//! comparison row spends the same budget down its own ranking ([`crate::seed::Budget::fill`]).
//!
//! **Never worse than a compared set**: the greedy set and every candidate set are evaluated
//! by forward simulation with common random numbers ([`candidates`]); when a candidate of at
//! most `k` seeds beats the greedy set beyond the interval of the paired difference, that
//! candidate is recommended instead (the certificate still holds for it, since it is at least
//! as good as the certified set) and the output says so.
//!
//! Files: `request.rs` holds the request; `theories.rs` reads the theories; `inputs.rs` the candidate filters and costs;
//! `select.rs` chooses the sets; `candidates.rs` builds and evaluates the compared sets and
//! `regret.rs` the regret table.

mod candidates;
mod error;
mod inputs;
mod realised;
mod regret;
mod request;
mod select;
mod theories;

pub use candidates::{Decision, Role, Row, Sets};
use realised::realisations;
pub use regret::{RegretRow, Share};
pub(crate) use request::check_request;
pub use request::{CELF_FIRST_REPLICATE, Compare, Method, Robust, SeedRequest};
pub use theories::Theory;

use crate::error::Error;
use crate::network::Network;
use crate::realise;
use crate::scenario::Scenario;
use crate::seed::robust::Saturated;
use crate::seed::{BestOfTwo, Budget, Certified, Compared, Forward, Lazy};
pub use error::SeedError;

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

/// A finished seed selection, in memory.
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
    /// Every ranked physician in the order of the scenario's KOL rule, on the network before
    /// the KOL weight (`seeds.csv`'s `kol_rule_rank`): the realisation's own ranking.
    pub kol_ranking: Vec<u32>,
    /// `marginal_gain` and `estimated_so_far` of the recommended seeds (one sample).
    pub prefix: (Vec<f64>, Vec<f64>),
    /// Physicians.
    pub n: usize,
    /// The request.
    pub req: SeedRequest,
    /// Realisation 0's network before the KOL weights (the physicians' ids and attributes).
    pub network: Network,
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

/// A check of the resolved theories' scenario and their number before any work (the seed
/// job refuses what would not fit in memory there).
pub type Check<'a> = &'a (dyn Fn(&Scenario, usize) -> Result<(), Error> + Sync);

/// Selects seeds in memory on `req.threads` threads: the recommended set, how it was found and
/// the compared sets. Writes and prints nothing.
///
/// ```
/// use kolsim::api::{Method, Robust, SeedRequest, select_seeds};
/// use kolsim::models::bass::Bass;
/// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
/// use kolsim::seed::{Objective, Sentinel};
/// let sc = Scenario::new("doc", 10, 20, NetworkSpec::BarabasiAlbert { n: 300, m: 2 },
///     vec![NamedModel::of("bass", Bass { p: 0.01, q: 0.3 })]);
/// let req = SeedRequest::new(Some("bass"), 5, sc.replicates);
/// let out = select_seeds(&sc, &req)?;
/// assert_eq!(out.seeds.len(), 5);
/// assert!(out.rows.len() > 1); // the compared sets: KOL rules, random, ...
/// # let _ = (Method::Auto, Robust::Mean, Objective::Adopters, Sentinel::default());
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn select_seeds(sc: &Scenario, req: &SeedRequest) -> Result<SeedOutcome, SeedError> {
    select_seeds_checked(sc, req, &|_, _| Ok(()))
}

/// [`select_seeds`], calling `check` with the theories' scenario and their number once they
/// are resolved, before any network is built.
///
/// ```
/// use kolsim::api::{SeedRequest, select_seeds_checked};
/// use kolsim::models::bass::Bass;
/// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
/// let sc = Scenario::new("doc", 10, 10, NetworkSpec::BarabasiAlbert { n: 200, m: 2 },
///     vec![NamedModel::of("bass", Bass { p: 0.01, q: 0.3 })]);
/// let refuse = |_: &Scenario, theories: usize| -> Result<(), kolsim::Error> {
///     Err(kolsim::Error::Usage(format!("{theories} theory: too big today")))
/// };
/// let err = select_seeds_checked(&sc, &SeedRequest::new(Some("bass"), 3, 10), &refuse).unwrap_err();
/// assert_eq!(err.to_string(), "1 theory: too big today");
/// # Ok::<(), kolsim::Error>(())
/// ```
pub fn select_seeds_checked(
    sc: &Scenario,
    req: &SeedRequest,
    check: Check,
) -> Result<SeedOutcome, SeedError> {
    check_request(req)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(req.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    pool.install(|| compute(sc, req, check))
}

fn compute(sc: &Scenario, req: &SeedRequest, check: Check) -> Result<SeedOutcome, SeedError> {
    let res = theories::resolve(sc, req.model.as_deref(), req.theories.as_deref())?;
    let multi = res.theories.len() > 1;
    if multi && req.budget.is_some() {
        return Err(SeedError::BudgetWithTheories);
    }
    check(&res.scenario, res.theories.len())?;
    // The network is read (or generated) once and held once: the theories' scenario and the
    // scenario's own arms share it (with κ ≠ 1, the weighted copy shares its arcs).
    let realised = realisations(sc, &res, req, realise::build_network(sc, 0)?)?;
    let (real, base) = (&realised.real, realised.base());
    let (mask, budget) = inputs::filters(&real.net, req)?;
    let h = req.horizon.unwrap_or(sc.steps);
    let fwds = real
        .models
        .iter()
        .map(|model| Forward {
            model: model.as_ref(),
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
        req,
        net: &real.net,
        base,
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
    let t_compare = std::time::Instant::now();
    let (rows, kol_list) = candidates::rows(&cx, own_sc, real, &selection, worst.as_ref(), &own)?;
    let selection = match (req.robust, worst) {
        (Robust::Worst, Some(w)) if multi => w,
        _ => selection,
    };
    let kol_ranking = inputs::kol_ranking(sc, real, base)?;
    let ev = candidates::evaluate(&cx, rows, matches!(selection, Selection::Rr(_)));
    let compare_seconds = t_compare.elapsed().as_secs_f64();
    let seeds = ev.rows[ev.decision.chosen].fixed().to_vec();
    let prefix = candidates::prefix(&cx, &selection, &seeds, ev.decision.replaced());
    let (budget, n) = (cx.budget.clone(), real.net.n());
    drop(cx);
    Ok(SeedOutcome {
        theories: res.theories.clone(),
        weights_from: res.source.clone(),
        horizon: h,
        seeds,
        budget,
        selection,
        own,
        rows: ev.rows,
        compared: ev.compared,
        regret: ev.regret,
        decision: ev.decision,
        compare_seconds,
        kol_list,
        kol_ranking,
        prefix,
        n,
        req: req.clone(),
        network: realised.into_network(),
    })
}
