//! `theta` of a `threshold` model: read from its typed value (a number, a list with one value
//! per physician, or a distribution table) and checked against the exposure's range, with located errors.

use super::Theta;
use crate::models::{ExposureKind, Given, ParamTable, ParamValue};
use crate::source::ScenarioError;

/// `theta` as written: a number, a list of numbers (one per physician) or a table.
#[derive(Debug)]
enum RawTheta {
    Fixed(f64),
    List(Vec<f64>),
    Table(RawThetaTable),
}

impl RawTheta {
    /// `theta` read from its value: a number, a non-empty list of numbers, or a table of the
    /// keys below, each of its type (`None` otherwise).
    fn read(v: &ParamValue) -> Option<RawTheta> {
        if let Some(x) = v.as_number() {
            return Some(RawTheta::Fixed(x));
        }
        if let ParamValue::List(items) = v {
            let xs: Option<Vec<f64>> = items.iter().map(ParamValue::as_number).collect();
            return xs.filter(|xs| !xs.is_empty()).map(RawTheta::List);
        }
        let ParamValue::Table(entries) = v else {
            return None;
        };
        let mut tb = RawThetaTable::default();
        for (k, x) in entries {
            let (num, text) = (x.as_number(), x.as_text().map(str::to_string));
            match k.as_str() {
                "dist" => tb.dist = Some(text?),
                "attribute" => tb.attribute = Some(text?),
                "low" => tb.low = Some(num?),
                "high" => tb.high = Some(num?),
                "a" => tb.a = Some(num?),
                "b" => tb.b = Some(num?),
                "mean" => tb.mean = Some(num?),
                "sd" => tb.sd = Some(num?),
                _ => return None,
            }
        }
        Some(RawTheta::Table(tb))
    }
}

/// `theta = { dist = ..., ... }` or `theta = { attribute = "column" }`.
#[derive(Debug, Default)]
struct RawThetaTable {
    dist: Option<String>,
    low: Option<f64>,
    high: Option<f64>,
    a: Option<f64>,
    b: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    attribute: Option<String>,
}

/// Whether `value` has the shape of a `theta` (the registry's type check).
pub(super) fn check_theta(value: &ParamValue, written: &str) -> Result<(), String> {
    RawTheta::read(value).map(drop).ok_or_else(|| {
        format!(
            "invalid value `{written}`: expected a number in [0, 1], a list with one number \
             per physician (node order), or a table: \
             {{ dist = \"uniform\", low = .., high = .. }}, \
             {{ dist = \"beta\", a = .., b = .. }}, {{ dist = \"normal\", mean = .., sd = .. }} \
             or {{ attribute = \"column\" }}"
        )
    })
}

/// `theta` read from `v` and checked for `exposure` (errors located at `v`).
pub(super) fn parse_theta(
    t: &ParamTable<'_>,
    v: &Given,
    exposure: ExposureKind,
) -> Result<Theta, ScenarioError> {
    let span = v.span.clone();
    let err = |msg: String| t.error(span.clone(), "theta", msg);
    let raw =
        RawTheta::read(&v.value).ok_or_else(|| err(check_theta(&v.value, "").unwrap_err()))?;
    let upper = match exposure {
        ExposureKind::Share => 1.0,
        ExposureKind::Count => f64::INFINITY,
    };
    let range = if upper == 1.0 { "[0, 1]" } else { "[0, ∞)" };
    let check = |x: f64, what: &str| -> Result<f64, ScenarioError> {
        if x >= 0.0 && x <= upper {
            Ok(x)
        } else {
            Err(err(format!(
                "{what} = {x} is outside {range} for {} exposure",
                if upper == 1.0 { "share" } else { "count" }
            )))
        }
    };
    let need = |v: Option<f64>, what: &str| -> Result<f64, ScenarioError> {
        v.ok_or_else(|| err(format!("missing `{what}` in the theta table")))
    };
    match raw {
        RawTheta::Fixed(x) => Ok(Theta::Fixed(check(x, "theta")?)),
        RawTheta::List(xs) => {
            for (i, &x) in xs.iter().enumerate() {
                check(x, &format!("theta[{i}]"))?;
            }
            Ok(Theta::PerNode(xs))
        }
        RawTheta::Table(tb) => {
            let allowed: &[&str] = match (&tb.attribute, tb.dist.as_deref()) {
                (Some(_), None) => &["attribute"],
                (None, Some("uniform")) => &["dist", "low", "high"],
                (None, Some("beta")) => &["dist", "a", "b"],
                (None, Some("normal")) => &["dist", "mean", "sd"],
                _ => &["dist", "attribute", "low", "high", "a", "b", "mean", "sd"],
            };
            if let ParamValue::Table(table) = &v.value
                && let Some((extra, _)) = table.iter().find(|(k, _)| !allowed.contains(&k.as_str()))
            {
                return Err(err(format!(
                    "`{extra}` does not apply to this theta table (it takes {})",
                    allowed.join(", ")
                )));
            }
            if let Some(a) = &tb.attribute {
                if tb.dist.is_some() {
                    return Err(err("give either `dist` or `attribute`, not both".into()));
                }
                return Ok(Theta::Attribute(a.clone()));
            }
            match tb.dist.as_deref() {
                Some("uniform") => {
                    let (low, high) = (
                        check(need(tb.low, "low")?, "low")?,
                        check(need(tb.high, "high")?, "high")?,
                    );
                    if low > high {
                        return Err(err(format!("low = {low} is above high = {high}")));
                    }
                    Ok(Theta::Uniform { low, high })
                }
                Some("beta") => {
                    let (a, b) = (need(tb.a, "a")?, need(tb.b, "b")?);
                    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
                        return Err(err(format!(
                            "beta shapes a = {a}, b = {b} must be positive"
                        )));
                    }
                    Ok(Theta::Beta { a, b })
                }
                Some("normal") => {
                    let (mean, sd) = (need(tb.mean, "mean")?, need(tb.sd, "sd")?);
                    if !(sd > 0.0 && sd.is_finite() && mean.is_finite()) {
                        return Err(err(format!("sd = {sd} must be positive")));
                    }
                    Ok(Theta::Normal { mean, sd, upper })
                }
                Some(other) => Err(err(format!(
                    "unknown dist \"{other}\" (allowed: uniform, beta, normal)"
                ))),
                None => Err(err(
                    "a theta table needs `dist` (uniform, beta, normal) or `attribute`".into(),
                )),
            }
        }
    }
}
