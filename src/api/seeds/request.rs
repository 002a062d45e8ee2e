//! What `kolsim seed` is asked: [`SeedRequest`] (one theory or several, `k` seeds or a
//! budget, the objective and method), [`Compare`] (the compared sets) and the request's
//! checks.

use super::SeedError;
use crate::seed::{Objective, Sentinel};
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
/// Only the KOL rules it compares are ranked.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Compare {
    /// The scenario's KOL list and arms, the top `k` by every global KOL rule, random seeds.
    #[default]
    All,
    /// The scenario's own KOL list and arms, and random seeds; no global KOL rule is ranked.
    Scenario,
    /// The recommended set alone (with several theories, the robust sets and each theory's
    /// own set): its forward value, nothing to compare against. No arm's seeds are chosen.
    None,
    /// The scenario's KOL list and arms, the top `k` by each of these global KOL rules (in
    /// the order of [`crate::kols::RANKED`]), random seeds: only these rules are ranked.
    Rules(Vec<crate::kols::KolRule>),
}

impl Compare {
    /// Parses `all`, `scenario`, `none` or a comma-separated list of KOL rule names
    /// (`in_degree,pagerank`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_arg(s).ok()
    }

    /// [`Compare::parse`], with the error naming the values accepted.
    pub fn from_arg(s: &str) -> Result<Self, String> {
        match s {
            "all" => return Ok(Compare::All),
            "scenario" => return Ok(Compare::Scenario),
            "none" => return Ok(Compare::None),
            _ => {}
        }
        let names: Vec<&str> = s.split(',').map(str::trim).collect();
        if let Some(bad) = names
            .iter()
            .find(|n| crate::kols::KolRule::ranked(n).is_none())
        {
            return Err(format!(
                "--compare {s}: \"{bad}\" is neither all, scenario, none nor a KOL rule ({})",
                crate::kols::KolRule::ranked_names()
            ));
        }
        Ok(Compare::Rules(
            crate::kols::RANKED
                .into_iter()
                .filter(|r| names.contains(&r.name()))
                .collect(),
        ))
    }

    /// The global KOL rules compared (ranked), in the order of [`crate::kols::RANKED`].
    pub fn rules(&self) -> Vec<crate::kols::KolRule> {
        match self {
            Compare::All => crate::kols::RANKED.to_vec(),
            Compare::Rules(r) => r.clone(),
            Compare::Scenario | Compare::None => Vec::new(),
        }
    }

    /// Its name as `--compare` takes it (`all`, `scenario`, `none`, or the rules' names).
    pub fn name(&self) -> String {
        match self {
            Compare::All => "all".into(),
            Compare::Scenario => "scenario".into(),
            Compare::None => "none".into(),
            Compare::Rules(r) => {
                let names: Vec<&str> = r.iter().map(crate::kols::KolRule::name).collect();
                names.join(",")
            }
        }
    }
}

impl serde::Serialize for Compare {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// First replicate index of the simulations CELF selects with: disjoint from the evaluation
/// replicates `0..R`, so the comparison is not biased towards the selected set.
pub const CELF_FIRST_REPLICATE: u64 = 1 << 40;

/// What to optimise: one theory or several, `k` seeds or a budget, the objective and method.
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
}

impl SeedRequest {
    /// `k` seeds under the scenario's model named `model` (`None`: set `theories`), with the defaults
    /// of `kolsim seed`: expected adopters at the scenario's horizon, RR sets where the model
    /// has them (else CELF), ε = 0.1, a CELF pool of 500, `replicates` forward replicates, all
    /// cores.
    pub fn new(model: Option<&str>, k: usize, replicates: u32) -> Self {
        SeedRequest {
            model: model.map(str::to_string),
            theories: None,
            robust: Robust::Mean,
            k: Some(k),
            budget: None,
            cost: None,
            horizon: None,
            compare: Compare::All,
            epsilon: 0.1,
            objective: Objective::Adopters,
            method: Method::Auto,
            candidates: None,
            candidates_file: None,
            sentinel: Sentinel::default(),
            pool: 500,
            replicates,
            threads: 0,
        }
    }
}

/// Refuses a request that asks for no seeds, for both `k` and a budget, or an ε out of range.
pub(crate) fn check_request(req: &SeedRequest) -> Result<(), SeedError> {
    match (req.k, req.budget, &req.cost) {
        (Some(0), _, _) => return Err(SeedError::NoSeeds),
        (Some(_), None, None) => {}
        (Some(_), _, _) => return Err(SeedError::KAndBudget),
        (None, Some(b), Some(_)) if b.is_finite() && b > 0.0 => {}
        (None, Some(b), Some(_)) => return Err(SeedError::Budget(b)),
        (None, Some(_), None) => return Err(SeedError::BudgetWithoutCost),
        (None, None, _) => return Err(SeedError::NoK),
    }
    if !(req.epsilon > 0.0 && req.epsilon < 1.0 - (-1.0f64).exp()) {
        return Err(SeedError::Epsilon);
    }
    Ok(())
}
