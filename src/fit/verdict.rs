//! The verdict: what the AIC ranking says, in one to four plain sentences, first in the
//! terminal output, first in `report.html`, and alone in `verdict.txt`.
//!
//! 1. Which control family wins: a constant adoption rate or period effects.
//! 2. Whether a network term survives those controls: the best model with a network term
//!    against the same controls without it (boundary-corrected likelihood-ratio p, Akaike
//!    weight), and, when period effects win, whether an effect seen under a constant rate
//!    vanished under them. Always "association", never "contagion".
//! 3. Whether KOLs weigh more than other advisers (κ̂ and its interval against 1).
//! 4. The homophily / shared-shock caveat when an association survives, and the families that
//!    cannot produce the data at all (as families, not as theories).

use super::lrtest::{p_text, short};
use super::wording::{KappaShape, ci_high, human, kappa_shape};
use super::{FitReport, Method, ModelFit};
use std::fmt::Write as _;

/// The exact fits, best AIC first.
fn ranked(r: &FitReport) -> Vec<&ModelFit> {
    let mut v: Vec<&ModelFit> = r
        .models
        .iter()
        .filter(|m| m.method == Method::Exact)
        .collect();
    v.sort_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)));
    v
}

/// An Akaike weight as a percentage.
fn percent(w: f64) -> String {
    if w < 0.005 {
        "under 1%".into()
    } else if w > 0.995 {
        "over 99%".into()
    } else {
        format!("{:.0}%", 100.0 * w)
    }
}

/// What the controls are, in words.
fn controls(pe: bool) -> &'static str {
    if pe {
        "period effects"
    } else {
        "a constant adoption rate"
    }
}

/// Sentence 1: which control family wins (without its final stop).
fn family_sentence(r: &FitReport, top: &ModelFit) -> Option<String> {
    if !r.models.iter().any(|m| m.period_effects) {
        return None;
    }
    let w_pe: f64 = r
        .models
        .iter()
        .filter(|m| m.method == Method::Exact && m.period_effects)
        .map(|m| m.weight)
        .sum();
    Some(if top.period_effects {
        format!(
            "Period effects win: letting the adoption rate change from period to period (common shocks such as marketing waves or news) fits better than a constant rate; the models with period effects carry {} of the Akaike weight",
            percent(w_pe)
        )
    } else {
        format!(
            "A constant adoption rate wins: period effects (one rate per period) do not improve the fit enough to pay for their parameters; the models with a constant rate carry {} of the Akaike weight",
            percent(1.0 - w_pe)
        )
    })
}

/// The best model with a network term under controls `pe`, and whether it beats the same
/// controls without it (AIC and, where valid, the boundary-corrected LR test at 5%).
fn best_network(r: &FitReport, pe: bool) -> Option<(&ModelFit, bool)> {
    let null = null_of(r, pe)?;
    let best = ranked(r)
        .into_iter()
        .filter(|m| m.period_effects == pe && !m.is_null() && m.loglik.is_finite())
        .find(|m| m.candidate.is_some())?;
    let survives = best.aic < null.aic && best.lr.as_ref().is_none_or(|t| t.p < 0.05);
    Some((best, survives))
}

/// Where the association is looked for, in words.
fn beyond(pe: bool) -> &'static str {
    if pe {
        "survives period effects"
    } else {
        "shows beyond a constant adoption rate"
    }
}

/// The test of a model's network term against `null` (the same controls without it), in
/// words.
fn test_text(m: &ModelFit, null: Option<&ModelFit>) -> String {
    match (&m.lr, null) {
        (Some(t), _) => {
            let p = format!("LR {}", p_text(t.p));
            match t.p_bootstrap {
                Some(b) => format!(
                    "{p}, boundary-corrected; parametric bootstrap {} over {} launches",
                    p_text(b),
                    t.bootstrap
                ),
                None => format!("{p}, boundary-corrected"),
            }
        }
        (None, Some(n)) => format!(
            "no valid LR test; its AIC is {} {} {}",
            short((m.aic - n.aic).abs()),
            if m.aic < n.aic { "below" } else { "above" },
            n.name
        ),
        (None, None) => "no valid LR test".into(),
    }
}

/// The model without a network term under controls `pe`.
fn null_of(r: &FitReport, pe: bool) -> Option<&ModelFit> {
    r.models
        .iter()
        .find(|m| m.method == Method::Exact && m.is_null() && m.period_effects == pe)
}

/// The model with a network term and the smallest LR p under controls `pe`.
fn strongest(r: &FitReport, pe: bool) -> Option<&ModelFit> {
    r.models
        .iter()
        .filter(|m| m.method == Method::Exact && m.period_effects == pe && !m.is_null())
        .filter_map(|m| m.lr.as_ref().map(|t| (m, t.p)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.name.cmp(&b.0.name)))
        .map(|(m, _)| m)
}

/// The model whose likelihood-ratio test the verdict reports: the best model with a network
/// term under the winning controls, when it has one.
pub fn tested_model(r: &FitReport) -> Option<&ModelFit> {
    if r.facts.aggregate {
        return None;
    }
    let top = ranked(r).into_iter().find(|m| m.loglik.is_finite())?;
    let (best, _) = best_network(r, top.period_effects)?;
    best.lr.is_some().then_some(best)
}

/// Sentence 2: does an association with advisers' adoption survive the winning controls?
fn network_sentence(r: &FitReport, pe: bool) -> (String, bool) {
    let null = null_of(r, pe);
    let null_name = null.map_or("", |m| m.name.as_str());
    let null_weight = null.map_or(0.0, |m| m.weight);
    let Some((best, survives)) = best_network(r, pe) else {
        return (
            format!(
                "No model with a network term can produce the data under {}.",
                controls(pe)
            ),
            false,
        );
    };
    let mut s = if survives {
        format!(
            "An association between adopting and advisers' earlier adoption {}: {} beats {} ({}; Akaike weight {} against {}).",
            beyond(pe),
            best.name,
            null_name,
            test_text(best, null),
            percent(best.weight),
            percent(null_weight)
        )
    } else {
        format!(
            "No association between adopting and advisers' earlier adoption {}: the best model with a network term, {}, does not beat {} ({}; Akaike weight {} against {}).",
            beyond(pe),
            best.name,
            null_name,
            test_text(best, null),
            percent(best.weight),
            percent(null_weight)
        )
    };
    let other = r.models.iter().any(|m| m.period_effects) && !r.facts.aggregate;
    if !survives
        && other
        && let Some((b0, other_survives)) = best_network(r, !pe)
    {
        s.pop();
        let null0 = null_of(r, !pe);
        if pe && other_survives {
            let b0 = strongest(r, false)
                .filter(|m| m.lr.as_ref().is_some_and(|t| t.p < 0.05))
                .unwrap_or(b0);
            let _ = write!(
                s,
                "; under a constant rate {} looked like an effect ({}), so that apparent network effect is explained by timing.",
                b0.name,
                test_text(b0, null0)
            );
        } else if !other_survives {
            let strongest = strongest(r, !pe).unwrap_or(b0);
            let _ = write!(
                s,
                ", nor under {} (the smallest LR p there: {}, {}).",
                controls(!pe),
                strongest.name,
                test_text(strongest, null0)
            );
        } else {
            s.push('.');
        }
    }
    (s, survives)
}

/// Sentence 3: the KOL premium under the winning controls, worded so that a degenerate
/// interval (no network effect to split, no upper end) is read correctly.
fn kol_sentence(r: &FitReport, pe: bool) -> Option<String> {
    let m = r
        .models
        .iter()
        .find(|m| m.candidate.is_some_and(|c| c.ratio().is_some()) && m.period_effects == pe)?;
    let k = m.kappa.as_ref()?;
    let (v, lo) = (short(k.value), short(k.ci.0));
    let est = format!("κ̂ = {v} [{lo}, {}]", human(ci_high(k)));
    Some(match kappa_shape(m, k) {
        KappaShape::NotIdentified => "Whether KOLs weigh more than other advisers cannot be told: the KOL model finds no network effect at all to split between KOLs and other advisers, so κ (the weight of an adopted KOL against another adopted adviser) has no estimate.".into(),
        KappaShape::Unbounded if k.value <= 1e-6 => format!(
            "No evidence that KOLs weigh more than other advisers: κ̂ = 0 (in the best fit, adopted KOLs add nothing beyond other advisers), but the data cannot bound κ above (95% interval {lo} to ∞), so they cannot tell whether KOLs weigh more or less."
        ),
        KappaShape::Unbounded => format!(
            "No evidence either way on a KOL premium: κ̂ = {v}, but the data cannot bound κ (95% interval {lo} to ∞), so they cannot tell whether KOLs weigh more or less than other advisers."
        ),
        KappaShape::NoUpper if k.ci.0 > 1.0 => format!(
            "A KOL premium: an adopted KOL weighs at least {lo} times as much as another adopted adviser (κ̂ = {v}; 95% interval above 1, and the data cannot bound it above)."
        ),
        KappaShape::NoUpper => format!(
            "No evidence that KOLs weigh more than other advisers (κ̂ = {v}, 95% interval from {lo} with no upper bound, which contains 1)."
        ),
        KappaShape::Bounded if k.ci.0 > 1.0 => format!(
            "A KOL premium: an adopted KOL weighs more than another adopted adviser ({est}, 95% interval above 1)."
        ),
        KappaShape::Bounded if k.ci.1 < 1.0 => format!(
            "No KOL premium: an adopted KOL weighs less than another adopted adviser ({est}, 95% interval below 1)."
        ),
        KappaShape::Bounded => format!(
            "No evidence that KOLs weigh more than other advisers ({est}, an interval that contains 1)."
        ),
    })
}

/// Sentence 4: the caveat on an association, and the families that cannot produce the data.
fn caveat_sentence(r: &FitReport, survives: bool) -> Option<String> {
    let impossible: Vec<&str> = r
        .models
        .iter()
        .filter(|m| m.method == Method::Exact && !m.loglik.is_finite())
        .map(|m| m.name.as_str())
        .collect();
    let families = (!impossible.is_empty()).then(|| {
        format!(
            "the {} {} cannot produce the data at all (a limit of {} exact form, not a test of the theory behind it)",
            impossible.join(" and "),
            if impossible.len() == 1 { "family" } else { "families" },
            if impossible.len() == 1 { "its" } else { "their" }
        )
    });
    let groups = match &r.facts.strata {
        Some(g) => format!(
            "shocks shared within {g} were controlled by fixed effects, but homophily and shocks shared within smaller circles (a practice, a hospital) remain possible"
        ),
        None => "no groups were controlled".to_string(),
    };
    match (survives, families) {
        (true, f) => Some(format!(
            "This is an association, not proof of contagion: physicians who resemble each other (homophily) or shocks shared within a town produce the same pattern, and {groups}{}.",
            f.map(|f| format!("; {f}")).unwrap_or_default()
        )),
        (false, Some(f)) => Some(format!("{}{}.", f[..1].to_uppercase(), &f[1..])),
        (false, None) => None,
    }
}

/// The verdict on aggregate data: only innovation only (and period effects) have an exact
/// likelihood.
fn aggregate_verdict(r: &FitReport, innov: &ModelFit) -> String {
    let mut s = String::from(
        "Only a constant adoption rate and period effects have an exact likelihood on an aggregate curve: these data cannot separate an association with advisers' adoption from a common shock.",
    );
    let best = r
        .models
        .iter()
        .filter(|m| m.method == Method::Simulated)
        .min_by(|a, b| a.aic.total_cmp(&b.aic).then(a.name.cmp(&b.name)));
    if let Some(best) = best {
        let _ = write!(
            s,
            " Of the simulation-based fits (approximate), {} fits the curve best, {:.2} log-likelihood units {} a constant rate.",
            best.name,
            (best.loglik - innov.loglik).abs(),
            if best.loglik >= innov.loglik {
                "above"
            } else {
                "below"
            }
        );
    }
    s
}

/// The plain-language verdict (one to four sentences), derived from the AIC ranking: the
/// winning controls (with what the physician controls show), the network association, the
/// KOL premium, and the caveat with the families that cannot produce the data.
pub fn verdict(r: &FitReport) -> String {
    let Some(innov) = r.models.iter().find(|m| m.is_null() && !m.period_effects) else {
        return "No model could be fitted.".into();
    };
    if r.facts.aggregate {
        return aggregate_verdict(r, innov);
    }
    let Some(top) = ranked(r).into_iter().find(|m| m.loglik.is_finite()) else {
        return "No model could be fitted.".into();
    };
    let pe = top.period_effects;
    let (net, survives) = network_sentence(r, pe);
    // At most four sentences: the controls share the first one.
    let first = match (family_sentence(r, top), super::odds::verdict_phrase(r, top)) {
        (Some(f), Some(c)) => Some(format!("{f}; {c}.")),
        (Some(f), None) => Some(format!("{f}.")),
        (None, Some(c)) => Some(format!("{}{}.", c[..1].to_uppercase(), &c[1..])),
        (None, None) => None,
    };
    let parts: Vec<String> = first
        .into_iter()
        .chain([net])
        .chain(kol_sentence(r, pe))
        .chain(caveat_sentence(r, survives))
        .collect();
    parts.join(" ")
}
