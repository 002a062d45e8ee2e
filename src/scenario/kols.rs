//! `[kols]`: the typed [`KolSpec`] (rule, size, κ) and its validation.

use super::ids::{IdList, id_list};
use super::raw::RawKols;
use super::{Ctx, ScenarioError};
use crate::kols::KolRule;
use std::ops::Range;
use toml::Spanned;

/// How KOLs are ranked.
#[derive(Debug, Clone)]
pub enum KolRuleSpec {
    /// A ranking computed from the network.
    Ranked(KolRule),
    /// A numeric node attribute (checked against the network).
    Attribute(String, Range<usize>),
    /// Listed ids.
    Explicit(IdList),
}

impl KolRuleSpec {
    /// The rule's name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            KolRuleSpec::Ranked(r) => r.name(),
            KolRuleSpec::Attribute(..) => "attribute",
            KolRuleSpec::Explicit(_) => "explicit",
        }
    }
}

/// How many KOLs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KolSize {
    /// A share of the physicians, rounded to the nearest whole number.
    Share(f64),
    /// A number.
    Count(usize),
    /// All listed (explicit rule).
    All,
}

impl KolSize {
    /// The number of KOLs in a network of `n` physicians.
    pub fn count(&self, n: usize) -> usize {
        match self {
            KolSize::Share(s) => ((s * n as f64).round() as usize).min(n),
            KolSize::Count(c) => (*c).min(n),
            KolSize::All => n,
        }
    }
}

/// `[kols]`, validated.
#[derive(Debug, Clone)]
pub struct KolSpec {
    /// Ranking rule.
    pub rule: KolRuleSpec,
    /// How many.
    pub size: KolSize,
    /// κ: multiplier on arcs leaving a KOL.
    pub weight: f32,
    /// `group`: a node attribute; the size (`count` or `share`) applies within each of its
    /// values (top KOLs per city, say). Its span in the scenario.
    pub group: Option<(String, Range<usize>)>,
    /// `where`: only physicians whose attribute equals the value (as written) may be KOLs.
    pub filter: Vec<(String, String, Range<usize>)>,
}

/// Validates `[kols]`; without it there are no KOLs. `known_n` bounds `count` when the
/// network's size is known before it is built.
pub(super) fn parse_kols(
    cx: &Ctx,
    kols: &Option<Spanned<RawKols>>,
    known_n: Option<usize>,
) -> Result<KolSpec, ScenarioError> {
    let Some(k) = kols else {
        return Ok(KolSpec::none());
    };
    let span = k.span();
    let r = k.get_ref();
    let rule_name = r
        .rule
        .as_ref()
        .map(|s| s.get_ref().as_str())
        .unwrap_or("in_degree");
    let rule = kol_rule(cx, r, rule_name, span.clone())?;
    check_rule_keys(cx, r, rule_name)?;
    let size = kol_size(cx, r, rule_name, span, known_n)?;
    let weight = kol_weight(cx, r)?;
    let group = r.group.as_ref().map(|g| (g.get_ref().clone(), g.span()));
    let filter = parse_where(cx, &r.filter, "kols")?;
    if (group.is_some() || !filter.is_empty()) && rule_name == "explicit" {
        return Err(cx.err(
            r.group
                .as_ref()
                .map(|g| g.span())
                .or(r.filter.as_ref().map(|f| f.span()))
                .unwrap_or(span_of_table(k)),
            "kols.group",
            "`group` and `where` do not apply with rule = \"explicit\" (the listed ids are the KOLs)",
        ));
    }
    Ok(KolSpec {
        rule,
        size,
        weight,
        group,
        filter,
    })
}

/// A `where` table (key path `table.where`): each attribute with the value to match, as
/// written (strings as they are, numbers in Rust's notation), and the table's span.
pub(super) fn parse_where(
    cx: &Ctx,
    w: &Option<Spanned<toml::Table>>,
    table: &str,
) -> Result<Vec<(String, String, Range<usize>)>, ScenarioError> {
    let mut filter = Vec::new();
    let Some(w) = w else {
        return Ok(filter);
    };
    for (name, v) in w.get_ref() {
        let value = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => {
                return Err(cx.err(
                    w.span(),
                    &format!("{table}.where.{name}"),
                    format!(
                        "{other} is not a value to match: give the attribute's value as a string or number, e.g. where = {{ specialty = \"cardiology\" }}"
                    ),
                ));
            }
        };
        filter.push((name.clone(), value, w.span()));
    }
    Ok(filter)
}

fn span_of_table(k: &Spanned<RawKols>) -> Range<usize> {
    k.span()
}

/// `rule` (named `rule_name`) with the keys it takes, in the table at `span`.
fn kol_rule(
    cx: &Ctx,
    r: &RawKols,
    rule_name: &str,
    span: Range<usize>,
) -> Result<KolRuleSpec, ScenarioError> {
    match rule_name {
        "attribute" => {
            let a = r.attribute.as_ref().ok_or_else(|| {
                cx.missing(
                    span,
                    "kols.attribute",
                    "the node-file column to rank by, with rule = \"attribute\"",
                )
            })?;
            Ok(KolRuleSpec::Attribute(a.get_ref().clone(), a.span()))
        }
        "explicit" => Ok(KolRuleSpec::Explicit(id_list(
            cx, &r.ids, &r.path, "kols", span,
        )?)),
        name => {
            let Some(mut rule) = KolRule::ranked(name) else {
                let rule_span = r.rule.as_ref().map(|s| s.span()).unwrap_or(span);
                return Err(cx.err(
                    rule_span,
                    "kols.rule",
                    format!(
                        "unknown rule \"{name}\" (allowed: {}, attribute, explicit)",
                        KolRule::ranked_names()
                    ),
                ));
            };
            if let (KolRule::Betweenness { pivots, .. }, Some(p)) = (&mut rule, &r.pivots) {
                *pivots = Some(cx.int_in(
                    p,
                    "kols.pivots",
                    1,
                    10_000_000,
                    "BFS sources sampled for betweenness beyond the exact limit",
                )? as usize);
            }
            Ok(KolRuleSpec::Ranked(rule))
        }
    }
}

/// Rejects `pivots`, `attribute` and `ids`/`path` under rules that do not take them.
fn check_rule_keys(cx: &Ctx, r: &RawKols, rule_name: &str) -> Result<(), ScenarioError> {
    if rule_name != "betweenness"
        && let Some(p) = &r.pivots
    {
        return Err(cx.err(
            p.span(),
            "kols.pivots",
            "applies only with rule = \"betweenness\"",
        ));
    }
    if rule_name != "attribute"
        && let Some(a) = &r.attribute
    {
        return Err(cx.err(
            a.span(),
            "kols.attribute",
            "applies only with rule = \"attribute\"",
        ));
    }
    if rule_name != "explicit"
        && let Some(s) = r
            .ids
            .as_ref()
            .map(|v| v.span())
            .or(r.path.as_ref().map(|v| v.span()))
    {
        return Err(cx.err(
            s,
            "kols.ids",
            "ids/path apply only with rule = \"explicit\"",
        ));
    }
    Ok(())
}

/// `share` or `count` (an explicit list may give neither: all listed are KOLs).
fn kol_size(
    cx: &Ctx,
    r: &RawKols,
    rule_name: &str,
    span: Range<usize>,
    known_n: Option<usize>,
) -> Result<KolSize, ScenarioError> {
    match (&r.share, &r.count, rule_name) {
        (Some(s), Some(_), _) => Err(cx.err(
            s.span(),
            "kols.share",
            "give either `share` or `count`, not both",
        )),
        (Some(s), None, _) => {
            let x = *s.get_ref();
            if !(x > 0.0 && x <= 1.0) {
                return Err(cx.err(
                    s.span(),
                    "kols.share",
                    format!("{x} is outside (0, 1] (share of physicians who are KOLs)"),
                ));
            }
            Ok(KolSize::Share(x))
        }
        (None, Some(c), _) => {
            let hi = known_n.map(|n| n as i64).unwrap_or(i64::MAX);
            let c = cx.int_in(c, "kols.count", 0, hi, "number of KOLs, at most n")?;
            Ok(KolSize::Count(c as usize))
        }
        (None, None, "explicit") => Ok(KolSize::All),
        (None, None, _) => Err(cx.missing(
            span,
            "kols.share",
            "share of physicians who are KOLs (or `count`)",
        )),
    }
}

/// The largest KOL weight κ: arc weights are single precision, and a physician's in-weight
/// (a sum over its advisers) must stay finite and exact enough for exposure shares.
pub const MAX_KOL_WEIGHT: f64 = 1e6;

/// κ, `weight`: in [1, [`MAX_KOL_WEIGHT`]], 1 when absent.
fn kol_weight(cx: &Ctx, r: &RawKols) -> Result<f32, ScenarioError> {
    let Some(w) = &r.weight else {
        return Ok(1.0);
    };
    let x = *w.get_ref();
    if !(1.0..=MAX_KOL_WEIGHT).contains(&x) {
        return Err(cx.err(
            w.span(),
            "kols.weight",
            format!(
                "{} is not allowed: κ must be in [1, {MAX_KOL_WEIGHT:e}] (1 = KOLs are ordinary)",
                if x.abs() >= 1e9 {
                    format!("{x:e}")
                } else {
                    x.to_string()
                }
            ),
        ));
    }
    Ok(x as f32)
}
