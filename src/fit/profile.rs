//! 95% profile-likelihood intervals: the values of one parameter whose profile
//! log-likelihood (maximised over the others with [`super::optim::newton`]) is within
//! [`PROFILE_DROP`] of the maximum, bracketed by walking out from the estimate and located by
//! regula falsi.

pub use super::optim::PROFILE_DROP;
use super::optim::{Objective, newton};

/// 95% profile-likelihood interval of parameter `k`: the values whose profile log-likelihood
/// (maximised over the other parameters) is within [`PROFILE_DROP`] of the maximum `fx` at
/// `x`. An end at a bound means the bound is inside the interval.
pub fn profile_interval(
    f: &Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
    k: usize,
    se: Option<f64>,
) -> (f64, f64) {
    let mut warm = x.to_vec();
    let mut profile = |v: f64, restart: bool| -> f64 {
        if restart {
            warm = x.to_vec();
        }
        let mut bb = b.to_vec();
        bb[k] = (v, v);
        let mut y = warm.clone();
        y[k] = v;
        if x.len() == 1 {
            return f(&y);
        }
        let (y, fy) = newton(f, &y, &bb);
        if fy.is_finite() {
            warm = y;
        }
        fy
    };
    interval(&mut profile, x[k], b[k], fx, se)
}

/// The 95% profile interval of one parameter estimated at `start` with maximum `fx`, bounds
/// `bound` and standard error `se`, from its profile log-likelihood `profile(v, restart)`
/// (`restart`: the first value of each side, where a warm start goes back to the estimate).
pub fn interval(
    profile: &mut dyn FnMut(f64, bool) -> f64,
    start: f64,
    bound: (f64, f64),
    fx: f64,
    se: Option<f64>,
) -> (f64, f64) {
    let target = fx - PROFILE_DROP;
    let mut side = |end: f64| -> f64 {
        if (end - start).abs() < 1e-15 {
            return end;
        }
        let mut restart = true;
        // Bracket: walk out from the estimate.
        let scale = se.unwrap_or(0.0).max(1e-3 * (1.0 + start.abs()));
        let mut inside = start;
        let mut dist = 2.0 * scale;
        let mut outside = None;
        for _ in 0..60 {
            let v = if (end > start && start + dist >= end) || (end < start && start - dist <= end)
            {
                end
            } else if end > start {
                start + dist
            } else {
                start - dist
            };
            let fv = profile(v, std::mem::take(&mut restart));
            if fv.is_nan() || fv < target {
                outside = Some(v);
                break;
            }
            inside = v;
            if v == end {
                return end;
            }
            dist *= 2.0;
        }
        let Some(out) = outside else {
            return inside;
        };
        crossing(&mut |v| profile(v, false), inside, out, target)
    };
    let lo = side(bound.0);
    let hi = side(bound.1);
    (lo, hi)
}

/// Where `profile` crosses `target` between `inside` (above it) and `out` (below it):
/// regula falsi (Illinois), the profile being unimodal and nearly quadratic, so a few
/// evaluations suffice. Stops when the profile is within 1e-6 log-likelihood units of the
/// target.
fn crossing(
    profile: &mut dyn FnMut(f64) -> f64,
    mut inside: f64,
    mut out: f64,
    target: f64,
) -> f64 {
    // Regula falsi (Illinois) on the crossing of the profile with the target: the profile
    // is unimodal and nearly quadratic, so a few evaluations suffice. Stops when the
    // profile is within 1e-6 log-likelihood units of the target.
    let (mut g_in, mut g_out) = (profile(inside) - target, profile(out) - target);
    if !g_out.is_finite() {
        g_out = -1e300;
    }
    let mut side_kept = 0i8;
    for _ in 0..60 {
        let mid = if g_out < -1e6 || !g_in.is_finite() {
            0.5 * (inside + out)
        } else {
            let m = inside + (out - inside) * g_in / (g_in - g_out);
            let lo = inside.min(out);
            let hi = inside.max(out);
            if m > lo && m < hi {
                m
            } else {
                0.5 * (inside + out)
            }
        };
        if (out - inside).abs() <= 1e-10 * (1.0 + mid.abs()) {
            return mid;
        }
        let g = profile(mid) - target;
        if g.abs() < 1e-6 {
            return mid;
        }
        if g >= 0.0 {
            inside = mid;
            g_in = g;
            if side_kept == 1 {
                g_out *= 0.5;
            }
            side_kept = 1;
        } else {
            out = mid;
            g_out = if g.is_finite() { g } else { -1e300 };
            if side_kept == -1 {
                g_in *= 0.5;
            }
            side_kept = -1;
        }
    }
    0.5 * (inside + out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::optim::{maximize, standard_errors};

    #[test]
    fn profile_of_a_binomial() {
        // log L = 30 ln p + 70 ln(1 - p): p̂ = 0.3.
        let f = |x: &[f64]| 30.0 * x[0].ln() + 70.0 * (1.0 - x[0]).ln();
        let (x, fx) = maximize(&f, &[vec![0.5]], &[(0.0, 1.0)], false);
        let se = standard_errors(&f, &x, &[(0.0, 1.0)], fx);
        let (lo, hi) = profile_interval(&f, &x, &[(0.0, 1.0)], fx, 0, se[0]);
        assert!((f(&[lo]) - (fx - PROFILE_DROP)).abs() < 1e-5);
        assert!((f(&[hi]) - (fx - PROFILE_DROP)).abs() < 1e-5);
        assert!(lo < 0.3 && hi > 0.3);
    }
}
