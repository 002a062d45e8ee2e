//! [`SeedError`]: the seed selection's own error, converted into [`crate::Error`] by `jobs`.

use crate::error::Error;

/// A seed request that cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// `k = 0`.
    #[error("--k must be at least 1")]
    NoSeeds,
    /// Both `k` and a budget.
    #[error("give either --k or --budget with --cost, not both")]
    KAndBudget,
    /// A budget that is not a positive number.
    #[error("--budget {0}: the budget must be positive")]
    Budget(f64),
    /// A budget without the cost attribute.
    #[error("--budget needs --cost ATTR (the numeric node attribute with each physician's cost)")]
    BudgetWithoutCost,
    /// Neither `k` nor a budget.
    #[error("give --k (number of seeds) or --budget with --cost")]
    NoK,
    /// ε outside `(0, 1 − 1/e)`.
    #[error("--epsilon must be in (0, 0.632): the target ratio is 1 - 1/e - ε")]
    Epsilon,
    /// A budget with several theories.
    #[error("--budget works with one theory (--model); with --theories give --k")]
    BudgetWithTheories,
    /// The selection failed below the request: the scenario, the input files, the threads.
    #[error(transparent)]
    Failed(#[from] Error),
}
