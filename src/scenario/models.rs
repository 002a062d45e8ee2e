//! Validation of `[[model]]` tables into configured models.

use super::raw::{RawBudget, RawModel, RawTheta};
use super::{Ctx, NamedModel, ScenarioError};
use crate::models::{
    Bass, CATALOGUE, Detailing, ExposureKind, Imitation, IndependentCascade, ModelKind, Policy,
    SocialLearning, StructuralEquivalence, Theta, Threshold,
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
            "independent_cascade" => &["beta", "p"][..],
            "social_learning" => &[
                "quality",
                "prior_mean",
                "prior_sd",
                "signal_sd",
                "signals_per_step",
                "kol_signals_per_step",
                "u0",
                "risk_aversion",
                "discontinue_margin",
            ][..],
            "detailing" => &[
                "alpha",
                "beta",
                "gamma",
                "decay",
                "budget",
                "policy",
                "volume_attribute",
            ][..],
            _ => &["q", "top_k"][..],
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
    let sp = |v: Option<Range<usize>>| v;
    let set: [(&str, Option<Range<usize>>); 21] = [
        ("p", r.p.as_ref().map(|v| v.span())),
        ("q", r.q.as_ref().map(|v| v.span())),
        ("beta", r.beta.as_ref().map(|v| v.span())),
        ("theta", r.theta.as_ref().map(|v| v.span())),
        ("exposure", r.exposure.as_ref().map(|v| v.span())),
        ("quality", sp(r.quality.as_ref().map(|v| v.span()))),
        ("prior_mean", r.prior_mean.as_ref().map(|v| v.span())),
        ("prior_sd", r.prior_sd.as_ref().map(|v| v.span())),
        ("signal_sd", r.signal_sd.as_ref().map(|v| v.span())),
        (
            "signals_per_step",
            r.signals_per_step.as_ref().map(|v| v.span()),
        ),
        (
            "kol_signals_per_step",
            r.kol_signals_per_step.as_ref().map(|v| v.span()),
        ),
        ("u0", r.u0.as_ref().map(|v| v.span())),
        ("risk_aversion", r.risk_aversion.as_ref().map(|v| v.span())),
        (
            "discontinue_margin",
            r.discontinue_margin.as_ref().map(|v| v.span()),
        ),
        ("alpha", r.alpha.as_ref().map(|v| v.span())),
        ("gamma", r.gamma.as_ref().map(|v| v.span())),
        ("decay", r.decay.as_ref().map(|v| v.span())),
        ("budget", r.budget.as_ref().map(|v| v.span())),
        ("policy", r.policy.as_ref().map(|v| v.span())),
        (
            "volume_attribute",
            r.volume_attribute.as_ref().map(|v| v.span()),
        ),
        ("top_k", r.top_k.as_ref().map(|v| v.span())),
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
    // A finite number >= lo (lo = -inf for any number); `default` None means required.
    let num = |v: &Option<Spanned<f64>>,
               p: &str,
               default: Option<f64>,
               lo: f64,
               what: &str|
     -> Result<f64, ScenarioError> {
        match (v, default) {
            (Some(v), _) => {
                let x = *v.get_ref();
                if x.is_finite() && x >= lo {
                    Ok(x)
                } else {
                    Err(cx.err(v.span(), &key(p), format!("{x} is not allowed ({what})")))
                }
            }
            (None, Some(d)) => Ok(d),
            (None, None) => Err(cx.missing(
                span.clone(),
                &key(p),
                &format!("{what}; needed by model kind \"{kind}\""),
            )),
        }
    };
    let int = |v: &Option<Spanned<i64>>,
               p: &str,
               default: i64,
               what: &str|
     -> Result<u32, ScenarioError> {
        match v {
            Some(v) => Ok(cx.int_in(
                v,
                &key(p),
                if p == "top_k" { 1 } else { 0 },
                1_000_000,
                what,
            )? as u32),
            None => Ok(default as u32),
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
        "independent_cascade" => ModelKind::IndependentCascade(IndependentCascade {
            beta: req(&r.beta, "beta", "conversion probability per arc")?,
            p: opt(&r.p, "p", "spontaneous adoption probability per step")?,
        }),
        "social_learning" => {
            let signals = int(
                &r.signals_per_step,
                "signals_per_step",
                1,
                "patient outcomes per user per step",
            )?;
            ModelKind::SocialLearning(SocialLearning {
                quality: num(
                    &r.quality,
                    "quality",
                    None,
                    f64::NEG_INFINITY,
                    "true quality of the drug",
                )?,
                prior_mean: num(
                    &r.prior_mean,
                    "prior_mean",
                    Some(0.0),
                    f64::NEG_INFINITY,
                    "prior mean belief",
                )?,
                prior_sd: num(
                    &r.prior_sd,
                    "prior_sd",
                    Some(1.0),
                    f64::MIN_POSITIVE,
                    "prior standard deviation, > 0",
                )?,
                signal_sd: num(
                    &r.signal_sd,
                    "signal_sd",
                    Some(1.0),
                    f64::MIN_POSITIVE,
                    "outcome noise, > 0",
                )?,
                signals_per_step: signals,
                kol_signals_per_step: int(
                    &r.kol_signals_per_step,
                    "kol_signals_per_step",
                    signals as i64,
                    "patient outcomes per KOL user per step",
                )?,
                u0: num(
                    &r.u0,
                    "u0",
                    None,
                    f64::NEG_INFINITY,
                    "value of the incumbent therapy",
                )?,
                risk_aversion: num(
                    &r.risk_aversion,
                    "risk_aversion",
                    Some(1.0),
                    0.0,
                    "risk aversion, >= 0",
                )?,
                discontinue_margin: num(
                    &r.discontinue_margin,
                    "discontinue_margin",
                    Some(0.1),
                    0.0,
                    "discontinuation margin, >= 0",
                )?,
            })
        }
        "detailing" => {
            let budget = match &r.budget {
                None => {
                    return Err(cx.missing(
                        span.clone(),
                        &key("budget"),
                        "detailing visits per step: a number or a list per step",
                    ));
                }
                Some(b) => {
                    let v = match b.get_ref() {
                        RawBudget::Each(x) => vec![*x],
                        RawBudget::PerStep(v) => v.clone(),
                    };
                    if v.is_empty() || v.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
                        return Err(cx.err(b.span(), &key("budget"), "visits per step must be numbers >= 0 (a number, or a non-empty list per step)"));
                    }
                    v
                }
            };
            let policy = match r.policy.as_ref().map(|p| (p.get_ref().as_str(), p.span())) {
                None | Some(("kols_first", _)) => Policy::KolsFirst,
                Some(("uniform", _)) => Policy::Uniform,
                Some(("random", _)) => Policy::Random,
                Some(("by_volume", _)) => Policy::ByVolume(
                    r.volume_attribute
                        .as_ref()
                        .map(|a| a.get_ref().clone())
                        .unwrap_or_else(|| "volume".into()),
                ),
                Some((other, s)) => {
                    return Err(cx.err(s, &key("policy"), format!("\"{other}\" is not allowed (allowed: kols_first, by_volume, uniform, random)")));
                }
            };
            if let (Some(a), false) = (&r.volume_attribute, matches!(policy, Policy::ByVolume(_))) {
                return Err(cx.err(
                    a.span(),
                    &key("volume_attribute"),
                    "applies only with policy = \"by_volume\"",
                ));
            }
            ModelKind::Detailing(Detailing {
                alpha: num(
                    &r.alpha,
                    "alpha",
                    Some(0.0),
                    0.0,
                    "baseline hazard per step, >= 0",
                )?,
                beta: num(
                    &r.beta,
                    "beta",
                    None,
                    0.0,
                    "hazard per unit of detailing stock, >= 0",
                )?,
                gamma: num(
                    &r.gamma,
                    "gamma",
                    Some(0.0),
                    0.0,
                    "hazard per unit of exposure, >= 0",
                )?,
                decay: match &r.decay {
                    Some(d) => cx.prob(
                        d,
                        &key("decay"),
                        "share of the detailing stock kept per step",
                    )?,
                    None => 0.7,
                },
                budget,
                policy,
            })
        }
        _ => ModelKind::StructuralEquivalence(StructuralEquivalence {
            q: req(&r.q, "q", "imitation probability per step")?,
            top_k: int(&r.top_k, "top_k", 10, "most similar peers per physician")?.max(1) as usize,
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
                format!(
                    "{what} = {x} is outside {range} for {} exposure",
                    if upper == 1.0 { "share" } else { "count" }
                ),
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
