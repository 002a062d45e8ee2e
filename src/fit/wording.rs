//! Estimates worded for people: intervals with ∞ for an unbounded end, and κ̂ (the KOL
//! premium) worded so that a degenerate interval — no network effect to split, no upper end —
//! is read correctly in the terminal, `verdict.txt` and `report.html`.

use super::lrtest::short;
use super::models::HIGH_MAX;
use super::{Estimate, ModelFit};

/// An Akaike weight for people: 3 decimals, `<0.001` for a positive weight that would round
/// to 0, and `0` only for a weight that is exactly 0 (a −∞ likelihood).
pub fn weight_text(w: f64) -> String {
    if w == 0.0 {
        "0".into()
    } else if w < 0.0005 {
        "<0.001".into()
    } else {
        format!("{w:.3}")
    }
}

/// Upper interval end of κ̂ (or threshold's `high`) at its search bound is reported as
/// unbounded.
pub fn ci_high(e: &Estimate) -> f64 {
    if (e.name == "kappa" || e.name == "high") && e.ci.1 >= 1000.0 {
        f64::INFINITY
    } else {
        e.ci.1
    }
}

/// What κ̂'s interval can say ([`kappa_shape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KappaShape {
    /// The KOL model found no network effect (`q_kol = q_other = 0`): there is nothing to
    /// split between KOLs and other advisers, so κ has no estimate.
    NotIdentified,
    /// The interval runs from 0 to ∞: the data cannot tell KOLs from other advisers.
    Unbounded,
    /// The interval has a lower end above 0 and no upper end.
    NoUpper,
    /// An ordinary interval (or none at all).
    Bounded,
}

/// Below this, a network parameter or κ's lower end is 0.
const ZERO: f64 = 1e-6;

/// What κ̂'s interval (of the KOL model `m`) can say.
pub fn kappa_shape(m: &ModelFit, k: &Estimate) -> KappaShape {
    let q: f64 = m
        .params
        .iter()
        .filter(|e| e.name.starts_with("q_"))
        .map(|e| e.value)
        .sum();
    if q <= ZERO {
        KappaShape::NotIdentified
    } else if k.ci.0.is_nan() || ci_high(k).is_finite() {
        KappaShape::Bounded
    } else if k.ci.0 <= ZERO {
        KappaShape::Unbounded
    } else {
        KappaShape::NoUpper
    }
}

/// `x` for people: ∞ for an infinite value, else [`short`].
pub fn human(x: f64) -> String {
    if x == f64::INFINITY {
        "∞".into()
    } else {
        short(x)
    }
}

/// An estimate with its 95% interval for people: `0.1145 [0.0943, 0.137]`, `(no interval)`
/// where there is none, ∞ for an unbounded end.
pub fn with_ci(e: &Estimate) -> String {
    if e.name == "high" && e.value >= HIGH_MAX * (1.0 - 1e-6) {
        // θ ~ U(0, high) with high at its search bound: a share 1 − 1/high → 1 of the
        // physicians never adopts through the network, so the network term vanishes. The
        // bound is a numerical cap, not an estimate: "1000" would read as one.
        return format!(
            "∞ [{}, ∞] (no network effect in the best fit)",
            human(e.ci.0)
        );
    }
    if e.ci.0.is_nan() {
        format!("{} (no interval)", short(e.value))
    } else {
        format!(
            "{} [{}, {}]",
            short(e.value),
            human(e.ci.0),
            human(ci_high(e))
        )
    }
}

/// κ̂ of the KOL model `m` for people, worded so that a degenerate interval is read
/// correctly: `0 [0, ∞] (… the data cannot bound κ above)`, `not identified (…)`.
pub fn kappa_text(m: &ModelFit, k: &Estimate) -> String {
    match kappa_shape(m, k) {
        KappaShape::NotIdentified => {
            "not identified (no network effect to split between KOLs and other advisers)".into()
        }
        KappaShape::Unbounded if k.value <= ZERO => format!(
            "{} (adopted KOLs add nothing beyond other advisers in the best fit, but the data cannot bound κ above)",
            with_ci(k)
        ),
        KappaShape::Unbounded => format!(
            "{} (the data cannot tell whether KOLs weigh more or less than other advisers)",
            with_ci(k)
        ),
        KappaShape::NoUpper => format!("{} (the data cannot bound κ above)", with_ci(k)),
        KappaShape::Bounded => with_ci(k),
    }
}
