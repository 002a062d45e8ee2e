//! How a paired difference is told in words, shared by the run report's summary and models
//! sections: its interval ([`ci`]) and whether 50% was reached at all ([`fifty_not_reached`]).

use crate::output::Comparison;

/// A 95% interval of a difference told in words (“more”, “sooner”): the bounds of `lo..hi`
/// times `scale` in the sentence's direction (negated when `flip`, so “2.8 months sooner
/// [95% CI 2.7, 3.0]”), with `dec` decimals; empty when unknown.
pub(super) fn ci(lo: Option<f64>, hi: Option<f64>, scale: f64, dec: usize, flip: bool) -> String {
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return String::new();
    };
    let (a, b) = if flip {
        (-hi * scale, -lo * scale)
    } else {
        (lo * scale, hi * scale)
    };
    // A bound that rounds to zero prints unsigned (no “-0.0”).
    let num = |x: f64| {
        let s = format!("{x:.dec$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    };
    format!(" [95% CI {}, {}]", num(a), num(b))
}

/// Whether neither arm of `c` reaches 50% within the horizon: no pair where both reach it,
/// and the restricted times (all the horizon) do not differ.
pub(super) fn fifty_not_reached(c: &Comparison) -> bool {
    let t = &c.t50_restricted;
    c.t50.pairs == 0
        && t.mean == Some(0.0)
        && t.lo.unwrap_or(0.0) == 0.0
        && t.hi.unwrap_or(0.0) == 0.0
}
