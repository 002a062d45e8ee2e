//! `[observed]`: the launch that actually happened, read by `kolsim fit` and drawn as points on
//! the run report's adoption figure.

use super::raw::{Opt, RawObserved};
use super::{Ctx, ScenarioError};
use std::path::PathBuf;
use toml::Spanned;

/// The observed launch: a per-physician file (`id,adopted_at`) or an aggregate one
/// (`step,adopters`), as `kolsim fit --observed` reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedSpec {
    /// The file, resolved against the scenario's folder.
    pub path: PathBuf,
    /// Id column of a per-physician file (default `id`).
    pub id_column: String,
    /// Adoption-period column of a per-physician file (default `adopted_at`).
    pub time_column: String,
    /// Values meaning "adoption unknown" (default `["NA"]`).
    pub missing: Vec<String>,
    /// A marketing series `step,effort` (covariate of the `detailing` likelihood), resolved.
    pub marketing: Option<PathBuf>,
    /// Per-physician detailing visits `id,step,visits` (covariate of the `detailing`
    /// likelihood), resolved.
    pub detailing: Option<PathBuf>,
    /// `kolsim fit`'s group fixed effects: a node-file column (`--strata`).
    pub strata: Option<String>,
    /// `kolsim fit`'s physician covariates: node-file columns, `name` or `name:factor`
    /// (`--covariates`).
    pub covariates: Vec<String>,
}

/// Validates `[observed]`: the file must exist (its contents are read against the network
/// later, with errors naming the file and line).
pub(super) fn parse_observed(
    cx: &Ctx,
    raw: &Option<Spanned<RawObserved>>,
) -> Result<Option<ObservedSpec>, ScenarioError> {
    let Some(r) = raw else {
        return Ok(None);
    };
    let r = r.get_ref();
    let text = |v: &Opt<String>, default: &str| {
        v.as_ref()
            .map_or(default.to_string(), |s| s.get_ref().clone())
    };
    let file = |v: &Opt<String>, key: &str, what: &str| {
        v.as_ref().map(|p| cx.data_file(p, key, what)).transpose()
    };
    Ok(Some(ObservedSpec {
        marketing: file(&r.marketing, "observed.marketing", "marketing series")?,
        detailing: file(&r.detailing, "observed.detailing", "detailing visits")?,
        path: cx.data_file(&r.path, "observed.path", "observed launch")?,
        id_column: text(&r.id_column, "id"),
        time_column: text(&r.time_column, "adopted_at"),
        strata: r.strata.as_ref().map(|s| s.get_ref().clone()),
        covariates: r
            .covariates
            .as_ref()
            .map_or_else(Vec::new, |c| c.get_ref().clone()),
        missing: r
            .missing
            .as_ref()
            .map_or(vec!["NA".to_string()], |m| m.get_ref().clone()),
    }))
}
