//! `[initial_adopters]` and `[[arm]]`: the typed [`InitialAdopters`] and [`Arm`], and their
//! validation.

use super::ids::{IdList, id_list};
use super::kols::KolSpec;
use super::raw::{RawAdopters, RawScenario};
use super::{Ctx, ScenarioError};
use crate::kols::KolRule;
use std::ops::Range;
use toml::Spanned;

/// `[initial_adopters]`, validated.
#[derive(Debug, Clone)]
pub enum InitialAdopters {
    /// Nobody.
    None,
    /// At random.
    Random(usize),
    /// The top KOLs.
    Kols(usize),
    /// The top physicians by another ranking rule (`strategy = "kols"` with `rule`), e.g. to
    /// compare KOL identification rules as arms.
    TopBy(KolRule, usize),
    /// Listed ids.
    Explicit(IdList),
    /// Highest values of an attribute.
    Attribute(String, usize, Range<usize>),
    /// The (near-)best `count` seeds for a model by reverse-reachable sets and OPIM-C
    /// ([`crate::seed`]), chosen once per network realisation (`strategy = "optimized"`).
    Optimized {
        /// `name` of the scenario's `[[model]]`.
        model: String,
        /// Number of seeds.
        count: usize,
        /// Horizon `H` in steps (`None`: the scenario's `steps`).
        horizon: Option<u32>,
    },
}

/// A seeding arm: a named initial-adopter strategy.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Unique name.
    pub name: String,
    /// How its initial adopters are chosen.
    pub adopters: InitialAdopters,
    /// Span of its `count` (or of its table), for errors found once the network is built.
    pub span: Option<Range<usize>>,
    /// `group` (with `strategy = "kols"`, `"random"`, `"attribute"` or `"by_volume"`): `count`
    /// seeds within each value of this node attribute (the top ones by the arm's ranking, or
    /// drawn at random within each value); with its span.
    pub group: Option<(String, Range<usize>)>,
    /// `where` (same strategies): only physicians whose attribute equals the value (as
    /// written) may be seeded; `(attribute, value, span)`.
    pub filter: Vec<(String, String, Range<usize>)>,
}

/// The strategies that take `group` and `where`.
const STRATIFIED: [&str; 4] = ["kols", "random", "attribute", "by_volume"];

/// The `group` and `where` of seeding table `a` (key path `table`): allowed with the
/// [`STRATIFIED`] strategies only.
#[allow(clippy::type_complexity)]
fn arm_strata(
    cx: &Ctx,
    a: &Spanned<RawAdopters>,
    table: &str,
) -> Result<
    (
        Option<(String, Range<usize>)>,
        Vec<(String, String, Range<usize>)>,
    ),
    ScenarioError,
> {
    let r = a.get_ref();
    let strategy = r.strategy.get_ref().as_str();
    for (key, span) in [
        ("group", r.group.as_ref().map(|g| g.span())),
        ("where", r.filter.as_ref().map(|w| w.span())),
    ] {
        if let Some(span) = span
            && !STRATIFIED.contains(&strategy)
        {
            return Err(cx.err(
                span,
                &format!("{table}.{key}"),
                format!(
                    "does not apply to strategy = \"{strategy}\"; `group` and `where` apply with strategy = \"kols\", \"random\", \"attribute\" or \"by_volume\" (`count` seeds per group, chosen among the physicians that match `where`)"
                ),
            ));
        }
    }
    let group = r.group.as_ref().map(|g| (g.get_ref().clone(), g.span()));
    let filter = super::kols::parse_where(cx, &r.filter, table)?;
    Ok((group, filter))
}

/// Where a seeding table's errors point: its `count` if given, else the table.
fn count_span(s: &Spanned<RawAdopters>) -> Range<usize> {
    s.get_ref()
        .count
        .as_ref()
        .map_or_else(|| s.span(), |c| c.span())
}

/// Validates the `[[arm]]` tables, or else `[initial_adopters]` as one arm named `default`.
pub(super) fn parse_arms(
    cx: &Ctx,
    raw: &RawScenario,
    kols: &KolSpec,
    known_n: Option<usize>,
) -> Result<Vec<Arm>, ScenarioError> {
    let Some(list) = &raw.arms else {
        return default_arm(cx, raw, kols, known_n);
    };
    if let Some(s) = &raw.initial_adopters {
        return Err(cx.err(
            s.span(),
            "initial_adopters",
            "give either [initial_adopters] or [[arm]] tables, not both",
        ));
    }
    if list.get_ref().is_empty() {
        return Err(cx.err(
            list.span(),
            "arm",
            "no arms: add at least one [[arm]] table",
        ));
    }
    let mut arms: Vec<Arm> = Vec::new();
    for (k, a) in list.get_ref().iter().enumerate() {
        let table = format!("arm[{k}]");
        let seeding = parse_seeding(cx, a, &table, kols, known_n)?;
        let name = arm_name(cx, a, &table, &arms)?;
        let (group, filter) = arm_strata(cx, a, &table)?;
        arms.push(Arm {
            name,
            adopters: seeding,
            span: Some(count_span(a)),
            group,
            filter,
        });
    }
    Ok(arms)
}

/// The one arm, `default`, of a scenario without `[[arm]]`.
fn default_arm(
    cx: &Ctx,
    raw: &RawScenario,
    kols: &KolSpec,
    known_n: Option<usize>,
) -> Result<Vec<Arm>, ScenarioError> {
    let span = raw.initial_adopters.as_ref().map(count_span);
    let (group, filter) = match &raw.initial_adopters {
        Some(s) => arm_strata(cx, s, "initial_adopters")?,
        None => (None, Vec::new()),
    };
    let seeding = match &raw.initial_adopters {
        Some(s) => {
            if let Some(n) = &s.get_ref().name {
                return Err(cx.err(
                    n.span(),
                    "initial_adopters.name",
                    "[initial_adopters] takes no name; use [[arm]] tables to compare named seeding strategies",
                ));
            }
            parse_seeding(cx, s, "initial_adopters", kols, known_n)?
        }
        None => InitialAdopters::None,
    };
    Ok(vec![Arm {
        name: "default".into(),
        adopters: seeding,
        span,
        group,
        filter,
    }])
}

/// The `name` of arm `a` (key path `table`), unique among the `earlier` arms.
fn arm_name(
    cx: &Ctx,
    a: &Spanned<RawAdopters>,
    table: &str,
    earlier: &[Arm],
) -> Result<String, ScenarioError> {
    let Some(n) = &a.get_ref().name else {
        return Err(cx.missing(
            a.span(),
            &format!("{table}.name"),
            "a name for the arm, e.g. \"kols\"",
        ));
    };
    let v = n.get_ref().trim().to_string();
    if v.is_empty() || v.contains([',', '"', '\n']) {
        return Err(cx.err(
            n.span(),
            &format!("{table}.name"),
            format!("\"{v}\" is not a usable arm name (non-empty, no commas or quotes)"),
        ));
    }
    if earlier.iter().any(|o| o.name == v) {
        return Err(cx.err(
            n.span(),
            &format!("{table}.name"),
            format!("duplicate arm name \"{v}\": names must be unique"),
        ));
    }
    Ok(v)
}

/// Validates one seeding table (`[initial_adopters]` or an `[[arm]]`, key path `table`).
fn parse_seeding(
    cx: &Ctx,
    s: &Spanned<RawAdopters>,
    table: &str,
    kols: &KolSpec,
    known_n: Option<usize>,
) -> Result<InitialAdopters, ScenarioError> {
    let t = Table {
        cx,
        r: s.get_ref(),
        span: s.span(),
        table,
        known_n,
    };
    let r = t.r;
    let strategy = r.strategy.get_ref().as_str();
    for (key, set) in [
        ("model", r.model.as_ref().map(|v| v.span())),
        ("horizon", r.horizon.as_ref().map(|v| v.span())),
    ] {
        if let Some(span) = set
            && strategy != "optimized"
        {
            return Err(cx.err(
                span,
                &format!("{table}.{key}"),
                "applies only with strategy = \"optimized\"",
            ));
        }
    }
    if let Some(rule) = &r.rule
        && strategy != "kols"
    {
        return Err(cx.err(
            rule.span(),
            &format!("{table}.rule"),
            "applies only with strategy = \"kols\" (the top `count` physicians by that rule)",
        ));
    }
    let allowed: &[&str] = match strategy {
        "none" => &[],
        "random" => &["count"],
        "kols" => &["count", "rule"],
        "explicit" => &["ids", "path"],
        _ => &["attribute", "count"],
    };
    let given = [
        ("count", r.count.as_ref().map(|v| v.span())),
        ("attribute", r.attribute.as_ref().map(|v| v.span())),
        ("ids", r.ids.as_ref().map(|v| v.span())),
        ("path", r.path.as_ref().map(|v| v.span())),
    ];
    if let Some((key, Some(span))) = given
        .into_iter()
        .find(|(k, sp)| sp.is_some() && !allowed.contains(k))
    {
        return Err(cx.err(
            span,
            &format!("{table}.{key}"),
            format!(
                "does not apply to strategy = \"{strategy}\" (it takes {})",
                if allowed.is_empty() {
                    "no other keys".to_string()
                } else {
                    allowed.join(", ")
                }
            ),
        ));
    }
    Ok(match strategy {
        "none" => InitialAdopters::None,
        "random" => InitialAdopters::Random(t.count("chosen at random")?),
        "kols" => match &r.rule {
            Some(rule) => t.top_by(rule)?,
            None => t.top_kols(kols)?,
        },
        "explicit" => {
            InitialAdopters::Explicit(id_list(cx, &r.ids, &r.path, table, t.span.clone())?)
        }
        "by_volume" if r.attribute.is_none() => InitialAdopters::Attribute(
            "volume".into(),
            t.count("highest prescribing volume")?,
            r.strategy.span(),
        ),
        "attribute" | "by_volume" => t.attribute()?,
        "optimized" => t.optimized()?,
        other => {
            return Err(cx.err(
                r.strategy.span(),
                &format!("{table}.strategy"),
                format!("unknown strategy \"{other}\" (allowed: none, random, kols, explicit, attribute, by_volume, optimized)"),
            ));
        }
    })
}

/// A seeding table being validated.
struct Table<'a> {
    cx: &'a Ctx<'a>,
    r: &'a RawAdopters,
    span: Range<usize>,
    /// Key path of the table.
    table: &'a str,
    known_n: Option<usize>,
}

impl Table<'_> {
    /// The required `count`, at most n when known; `what` says whom it counts.
    fn count(&self, what: &str) -> Result<usize, ScenarioError> {
        let key = format!("{}.count", self.table);
        let c = self.r.count.as_ref().ok_or_else(|| {
            self.cx.missing(
                self.span.clone(),
                &key,
                &format!("number of initial adopters ({what})"),
            )
        })?;
        let hi = self.known_n.map(|n| n as i64).unwrap_or(i64::MAX);
        let what = "number of initial adopters, at most n";
        Ok(self.cx.int_in(c, &key, 0, hi, what)? as usize)
    }

    /// `strategy = "kols"` with `rule`: the top physicians by that rule.
    fn top_by(&self, rule: &Spanned<String>) -> Result<InitialAdopters, ScenarioError> {
        let Some(by) = KolRule::ranked(rule.get_ref()) else {
            return Err(self.cx.err(
                rule.span(),
                &format!("{}.rule", self.table),
                format!(
                    "unknown rule \"{}\" (allowed: {})",
                    rule.get_ref(),
                    KolRule::ranked_names()
                ),
            ));
        };
        Ok(InitialAdopters::TopBy(
            by,
            self.count("the top physicians by this rule")?,
        ))
    }

    /// `strategy = "kols"`: the top KOLs, no more than `[kols]` defines.
    fn top_kols(&self, kols: &KolSpec) -> Result<InitialAdopters, ScenarioError> {
        let c = self.count("the top KOLs")?;
        if let Some(n) = self.known_n {
            let k = kols.size.count(n);
            if c > k {
                let cs = self
                    .r
                    .count
                    .as_ref()
                    .map(|v| v.span())
                    .unwrap_or(self.span.clone());
                return Err(self.cx.err(
                    cs,
                    &format!("{}.count", self.table),
                    format!("{c} is more than the {k} KOLs defined in [kols]"),
                ));
            }
        }
        Ok(InitialAdopters::Kols(c))
    }

    /// `strategy = "optimized"`: `model` (checked against the models when the scenario is
    /// realised), `count`, optional `horizon`.
    fn optimized(&self) -> Result<InitialAdopters, ScenarioError> {
        let m = self.r.model.as_ref().ok_or_else(|| {
            self.cx.missing(
                self.span.clone(),
                &format!("{}.model", self.table),
                "the name of the [[model]] to optimise the seeds for",
            )
        })?;
        let horizon = match &self.r.horizon {
            Some(h) => Some(self.cx.int_in(
                h,
                &format!("{}.horizon", self.table),
                1,
                u32::MAX as i64,
                "horizon in steps",
            )? as u32),
            None => None,
        };
        Ok(InitialAdopters::Optimized {
            model: m.get_ref().clone(),
            count: self.count("the optimized seeds")?,
            horizon,
        })
    }

    /// `strategy = "attribute"` (or `"by_volume"` with `attribute`).
    fn attribute(&self) -> Result<InitialAdopters, ScenarioError> {
        let a = self.r.attribute.as_ref().ok_or_else(|| {
            self.cx.missing(
                self.span.clone(),
                &format!("{}.attribute", self.table),
                "the node-file column to rank by",
            )
        })?;
        Ok(InitialAdopters::Attribute(
            a.get_ref().clone(),
            self.count("highest attribute values")?,
            a.span(),
        ))
    }
}
