//! The profile interval of one network parameter on the joint surface: each point a joint
//! maximum with the parameter held, whose slope in the held parameter is the joint gradient's
//! there (the envelope theorem), so the interval's ends are found by Newton's method on the
//! profile's crossing of its target, started at the Wald end, safeguarded by a bracket.

use super::{Climb, Joint, climb};
use crate::fit::hazard::Profiled;
use crate::fit::hazard::inner::Surface;
use crate::fit::profile::PROFILE_DROP;

/// Most profile points per side.
const MAX_POINTS: usize = 60;

/// A side ends where the profile is within this of its target (log-likelihood units, as
/// [`crate::fit::profile::interval`]).
const TOL: f64 = 1e-6;

/// `Φ⁻¹(0.975)`: the Wald end, where a quadratic profile crosses its target.
const Z95: f64 = 1.959_963_984_540_054;

/// The profile interval of network parameter `k` of `prof`'s model at the joint maximum
/// `top` (bounds `b`, `se` its standard error): each side from the Wald end by Newton's
/// method on the profile, each point warm-started from the previous one of its side. An end
/// at a bound means the bound is inside the interval.
pub(super) fn interval(
    prof: &Profiled,
    top: &Climb,
    b: &[(f64, f64)],
    k: usize,
    se: Option<f64>,
) -> (f64, f64) {
    let mut hold = vec![false; top.psi.len()];
    hold[k] = true;
    let free = vec![false; top.psi.len()];
    let dim = prof.pr.dim();
    // The profile at `v` and its slope, from the warm point `warm` (moved there).
    let at = |v: f64, warm: &mut (Vec<f64>, Vec<f64>)| -> (f64, f64) {
        let mut psi = warm.1.clone();
        psi[k] = v;
        let r = climb(prof, &psi, &warm.0, &hold);
        if !r.ll.is_finite() {
            return (r.ll, f64::NAN);
        }
        let j = Joint::new(prof, &r.psi, &free);
        let slope = j.pass(&j.point(&r.beta), false).g[dim + k];
        *warm = (r.beta, r.psi);
        (r.ll, slope)
    };
    let target = top.ll - PROFILE_DROP;
    let start = top.psi[k];
    let side = |end: f64| -> f64 {
        if (end - start).abs() < 1e-15 {
            return end;
        }
        let dir = (end - start).signum();
        let mut warm = (top.beta.clone(), top.psi.clone());
        let scale = se.unwrap_or(0.0).max(1e-3 * (1.0 + start.abs()));
        // Bracket: `inside` above the target, `outside` below it (with their values).
        let mut inside = (start, top.ll - target);
        let mut outside: Option<(f64, f64)> = None;
        let mut v = match se {
            Some(s) => start + dir * Z95 * s,
            None => start + dir * 2.0 * scale,
        };
        for _ in 0..MAX_POINTS {
            if dir * (v - end) >= 0.0 {
                v = end;
            }
            let (ll, slope) = at(v, &mut warm);
            let f = if ll.is_nan() {
                f64::NEG_INFINITY
            } else {
                ll - target
            };
            if f.abs() < TOL {
                return v;
            }
            if f >= 0.0 {
                if v == end {
                    return end;
                }
                inside = (v, f);
            } else {
                outside = Some((v, f));
            }
            let newton = v - f / slope;
            let within = |x: f64| match outside {
                Some((o, _)) => (x - inside.0) * (x - o) < 0.0,
                None => dir * (x - inside.0) > 0.0,
            };
            // Where no outside is known, at most 4 times the inside's distance out.
            let far = start + dir * 4.0 * (inside.0 - start).abs().max(scale);
            v = if newton.is_finite() && within(newton) {
                if outside.is_none() && dir * (newton - far) > 0.0 {
                    far
                } else {
                    newton
                }
            } else {
                match outside {
                    Some((o, fo)) if fo > -1e6 => {
                        let m = inside.0 + (o - inside.0) * inside.1 / (inside.1 - fo);
                        if within(m) { m } else { 0.5 * (inside.0 + o) }
                    }
                    Some((o, _)) => 0.5 * (inside.0 + o),
                    None => start + 2.0 * dir * (inside.0 - start).abs().max(scale),
                }
            };
            if let Some((o, _)) = outside
                && (o - inside.0).abs() <= 1e-10 * (1.0 + v.abs())
            {
                return v;
            }
        }
        outside.map_or(inside.0, |(o, _)| 0.5 * (inside.0 + o))
    };
    let lo = side(b[k].0);
    let hi = side(b[k].1);
    (lo, hi)
}
