//! Validation of `[[model]]` tables into configured models.

use super::raw::{RawModel, RawTheta};
use super::{Ctx, NamedModel, ScenarioError};
use crate::models::{
    Bass, CATALOGUE, ExposureKind, Imitation, IndependentCascade, ModelKind, Theta, Threshold,
};
use std::ops::Range;
use toml::Spanned;

/// Parameters each kind accepts (besides `name` and `kind`).
fn allowed(kind: &str) -> Option<&'static [&'static str]> {
    CATALOGUE
        .iter()
        .find(|m| m.kind == kind)
        .map(|m| match m.kind {
            "imitation" => &["q", "exposure"][..],
            "bass" => &["p", "q"][..],
            "threshold" => &["theta", "p", "exposure"][..],
            _ => &["beta", "p"][..],
        })
}

pub(crate) fn parse_model(
    cx: &Ctx,
    k: usize,
    m: &Spanned<RawModel>,
) -> Result<NamedModel, ScenarioError> {
    let span = m.span();
    let r = m.get_ref();
    let kind = r.kind.get_ref().as_str();
    let key = |p: &str| format!("model[{k}].{p}");
    let keys = allowed(kind).ok_or_else(|| {
        let kinds: Vec<&str> = CATALOGUE.iter().map(|m| m.kind).collect();
        cx.err(
            r.kind.span(),
            &key("kind"),
            format!(
                "unknown model kind \"{kind}\" (allowed: {}; `kolsim models` describes them)",
                kinds.join(", ")
            ),
        )
    })?;
    let set: [(&str, Option<Range<usize>>); 5] = [
        ("p", r.p.as_ref().map(|v| v.span())),
        ("q", r.q.as_ref().map(|v| v.span())),
        ("beta", r.beta.as_ref().map(|v| v.span())),
        ("theta", r.theta.as_ref().map(|v| v.span())),
        ("exposure", r.exposure.as_ref().map(|v| v.span())),
    ];
    for (p, s) in set {
        if let Some(s) = s
            && !keys.contains(&p)
        {
            return Err(cx.err(
                s,
                &key(p),
                format!(
                    "`{p}` is not a parameter of model kind \"{kind}\" (its parameters: {})",
                    keys.join(", ")
                ),
            ));
        }
    }
    let req = |v: &Option<Spanned<f64>>, p: &str, what: &str| -> Result<f64, ScenarioError> {
        match v {
            Some(v) => cx.prob(v, &key(p), what),
            None => Err(cx.missing(
                span.clone(),
                &key(p),
                &format!("{what}; needed by model kind \"{kind}\""),
            )),
        }
    };
    let opt = |v: &Option<Spanned<f64>>, p: &str, what: &str| -> Result<f64, ScenarioError> {
        match v {
            Some(v) => cx.prob(v, &key(p), what),
            None => Ok(0.0),
        }
    };
    let exposure = match &r.exposure {
        None => ExposureKind::Share,
        Some(e) => ExposureKind::parse(e.get_ref()).ok_or_else(|| {
            cx.err(
                e.span(),
                &key("exposure"),
                format!("\"{}\" is not allowed (allowed: share, count)", e.get_ref()),
            )
        })?,
    };
    let model = match kind {
        "imitation" => ModelKind::Imitation(Imitation {
            q: req(&r.q, "q", "imitation probability per step")?,
            exposure,
        }),
        "bass" => ModelKind::Bass(Bass {
            p: req(&r.p, "p", "external influence probability per step")?,
            q: req(&r.q, "q", "imitation probability per step")?,
        }),
        "threshold" => {
            let t = r.theta.as_ref().ok_or_else(|| {
                cx.missing(
                    span.clone(),
                    &key("theta"),
                    "adoption threshold: a number or a distribution table",
                )
            })?;
            ModelKind::Threshold(Threshold {
                theta: parse_theta(cx, &key("theta"), t, exposure)?,
                p: opt(&r.p, "p", "spontaneous adoption probability per step")?,
                exposure,
            })
        }
        _ => ModelKind::IndependentCascade(IndependentCascade {
            beta: req(&r.beta, "beta", "conversion probability per arc")?,
            p: opt(&r.p, "p", "spontaneous adoption probability per step")?,
        }),
    };
    let name = match &r.name {
        Some(n) => {
            let s = n.get_ref().trim().to_string();
            if s.is_empty() || s.contains([',', '"', '\n']) {
                return Err(cx.err(
                    n.span(),
                    &key("name"),
                    format!("\"{s}\" is not a usable model name (non-empty, no commas or quotes)"),
                ));
            }
            s
        }
        None => kind.to_string(),
    };
    Ok(NamedModel { name, model })
}

fn parse_theta(
    cx: &Ctx,
    key: &str,
    t: &Spanned<RawTheta>,
    exposure: ExposureKind,
) -> Result<Theta, ScenarioError> {
    let span = t.span();
    let upper = match exposure {
        ExposureKind::Share => 1.0,
        ExposureKind::Count => f64::INFINITY,
    };
    let range = if upper == 1.0 { "[0, 1]" } else { "[0, ∞)" };
    let check = |x: f64, what: &str| -> Result<f64, ScenarioError> {
        if x >= 0.0 && x <= upper {
            Ok(x)
        } else {
            Err(cx.err(
                span.clone(),
                key,
                format!("{what} = {x} is outside {range} for {exposure:?} exposure"),
            ))
        }
    };
    let need = |v: Option<f64>, what: &str| -> Result<f64, ScenarioError> {
        v.ok_or_else(|| {
            cx.err(
                span.clone(),
                key,
                format!("missing `{what}` in the theta table"),
            )
        })
    };
    match t.get_ref() {
        RawTheta::Fixed(x) => Ok(Theta::Fixed(check(*x, "theta")?)),
        RawTheta::Table(tb) => {
            if let Some(a) = &tb.attribute {
                if tb.dist.is_some() {
                    return Err(cx.err(span, key, "give either `dist` or `attribute`, not both"));
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
                        return Err(cx.err(
                            span,
                            key,
                            format!("low = {low} is above high = {high}"),
                        ));
                    }
                    Ok(Theta::Uniform { low, high })
                }
                Some("beta") => {
                    let (a, b) = (need(tb.a, "a")?, need(tb.b, "b")?);
                    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
                        return Err(cx.err(
                            span,
                            key,
                            format!("beta shapes a = {a}, b = {b} must be positive"),
                        ));
                    }
                    Ok(Theta::Beta { a, b })
                }
                Some("normal") => {
                    let (mean, sd) = (need(tb.mean, "mean")?, need(tb.sd, "sd")?);
                    if !(sd > 0.0 && sd.is_finite() && mean.is_finite()) {
                        return Err(cx.err(span, key, format!("sd = {sd} must be positive")));
                    }
                    Ok(Theta::Normal { mean, sd, upper })
                }
                Some(other) => Err(cx.err(
                    span,
                    key,
                    format!("unknown dist \"{other}\" (allowed: uniform, beta, normal)"),
                )),
                None => Err(cx.err(
                    span,
                    key,
                    "a theta table needs `dist` (uniform, beta, normal) or `attribute`",
                )),
            }
        }
    }
}
