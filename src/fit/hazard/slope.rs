//! The maximum of a one-parameter profile with a kinked likelihood (threshold's `high`): the
//! profile's slope is the likelihood's derivative in `ψ` at the inner maximum (the envelope
//! theorem), one sweep over the cells and adoptions, the network term's derivative taken per
//! cell by a central difference of the model's hazard. The slope's zero is bracketed by
//! doubling steps uphill on `ln ψ` from the best start, then located by regula falsi
//! (Illinois) with bisection where a secant step leaves the bracket: about a dozen profile
//! evaluations where Nelder–Mead followed by Newton's method on finite differences took
//! ~160 (each an inner maximisation, at N = 10⁶ two to three passes over the adoptions and an
//! α grid check).

use super::Profiled;
use crate::fit::newton::{logistic_softplus, pattern_eta};

/// Relative step of the per-cell central difference of the network term.
const STEP: f64 = 1e-6;

/// Most profile evaluations of the bracket and of its refinement, each.
const MAX_EVALS: usize = 60;

/// The slope in `ψ` (one parameter) of the log-likelihood at network parameter `psi` and
/// control coefficients `beta` (at the inner maximum: the profile's slope).
pub(super) fn slope(prof: &Profiled<'_>, psi: f64, beta: &[f64], bound: (f64, f64)) -> f64 {
    let s = STEP * psi.abs().max(1e-3);
    let (up, dn) = ((psi + s).min(bound.1), (psi - s).max(bound.0));
    let (hu, hd, h) = (prof.h0(&[up]), prof.h0(&[dn]), prof.h0(&[psi]));
    let dh: Vec<f64> = hu
        .iter()
        .zip(&hd)
        .map(|(u, d)| (u - d) / (up - dn))
        .collect();
    let pr = &prof.pr;
    let mut sum = 0.0;
    for ((c, h), d) in pr.cells.iter().zip(&h).zip(&dh) {
        if c.r > c.y && *d != 0.0 {
            sum -= (c.r - c.y) * d / (1.0 - h);
        }
    }
    let eta_z = pattern_eta(pr, beta);
    for (g, &(t, z, _)) in pr.groups.iter().enumerate() {
        let eta = beta[t as usize] + eta_z.get(z as usize).copied().unwrap_or(0.0);
        let (p, q, _) = logistic_softplus(eta);
        for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
            let (h, d) = (h[cell as usize], dh[cell as usize]);
            if d != 0.0 {
                sum += y * q * d / (h + (1.0 - h) * p);
            }
        }
    }
    sum
}

/// One profile point: `ln ψ`, the profile log-likelihood and its slope in `ln ψ`.
#[derive(Clone, Copy)]
struct Point {
    u: f64,
    f: f64,
    g: f64,
}

/// The maximum of `prof`'s profile over its one network parameter in `bound` (`bound.0 > 0`),
/// searched from the best of `starts`: the maximiser and the maximum.
pub(super) fn maximize(
    prof: &Profiled<'_>,
    starts: &[Vec<f64>],
    bound: (f64, f64),
) -> (Vec<f64>, f64) {
    let (ulo, uhi) = (bound.0.ln(), bound.1.ln());
    let mut best: Option<(f64, f64)> = None;
    for s in starts {
        let x = s[0].clamp(bound.0, bound.1);
        let v = prof.value(&[x]);
        if best.is_none_or(|(_, bv)| v > bv) {
            best = Some((x, v));
        }
    }
    let Some((x0, f0)) = best.filter(|b| b.1.is_finite()) else {
        return best.map_or((vec![bound.0], f64::NEG_INFINITY), |(x, v)| (vec![x], v));
    };
    let eval = |u: f64| -> Point {
        let u = u.clamp(ulo, uhi);
        let x = u.exp().clamp(bound.0, bound.1);
        let (f, beta) = prof.solve(&[x]);
        let g = if f.is_finite() {
            slope(prof, x, &beta, bound) * x
        } else {
            f64::NAN
        };
        Point { u, f, g }
    };
    let mut top = (x0, f0);
    let mut keep = |p: &Point| {
        if p.f > top.1 {
            top = (p.u.exp().clamp(bound.0, bound.1), p.f);
        }
    };
    let mut a = eval(x0.ln());
    keep(&a);
    if !a.g.is_finite() || a.g == 0.0 {
        return (vec![top.0], top.1);
    }
    // Bracket: step uphill, doubling, until the slope turns or the profile falls.
    let dir = a.g.signum();
    let mut step = 0.25;
    let mut b = None;
    for _ in 0..MAX_EVALS {
        let next = eval(a.u + dir * step);
        keep(&next);
        if next.u == a.u {
            break; // at the bound, slope pointing out
        }
        if next.f.is_finite() && next.f >= a.f && next.g * dir > 0.0 {
            a = next;
            step *= 2.0;
            continue;
        }
        b = Some(next);
        break;
    }
    if let Some(b) = b {
        refine(&eval, &mut keep, a, b);
    }
    (vec![top.0], top.1)
}

/// Regula falsi (Illinois) on the slope between `a` (slope towards `b`) and `b`, bisection
/// where the secant leaves the bracket or `b` is not finite; every point goes to `keep`.
fn refine(eval: &dyn Fn(f64) -> Point, keep: &mut dyn FnMut(&Point), a: Point, b: Point) {
    let dir = (b.u - a.u).signum();
    let (mut a, mut b) = (a, b);
    // Slopes towards `b` are positive in `ga`'s sign convention.
    let (mut ga, mut gb) = (a.g * dir, if b.g.is_finite() { b.g * dir } else { -1.0 });
    let mut kept = 0i8;
    for _ in 0..MAX_EVALS {
        let width = (b.u - a.u).abs();
        if width <= 1e-10 * (1.0 + a.u.abs()) {
            break;
        }
        let secant = a.u + (b.u - a.u) * ga / (ga - gb);
        let lo = a.u.min(b.u);
        let hi = a.u.max(b.u);
        let u = if b.f.is_finite() && secant > lo && secant < hi {
            secant
        } else {
            0.5 * (a.u + b.u)
        };
        let m = eval(u);
        keep(&m);
        let gm = m.g * dir;
        if !m.f.is_finite() || !gm.is_finite() {
            (b, gb) = (m, -1.0);
            continue;
        }
        // Converged: the step the slope would take gains under 1e-9 log-likelihood units.
        if (gm * (b.u - a.u)).abs() < 1e-9 || gm == 0.0 {
            break;
        }
        if gm > 0.0 {
            (a, ga) = (m, gm);
            if kept == 1 {
                gb *= 0.5;
            }
            kept = 1;
        } else {
            (b, gb) = (m, gm);
            if kept == -1 {
                ga *= 0.5;
            }
            kept = -1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::data::{self, Design, FitNet, NEVER};
    use crate::fit::hazard::{Controlled, Spont};
    use crate::fit::models::Candidate;
    use crate::network::generators;
    use crate::rng::{Purpose, stream};
    use rand::RngExt as _;

    /// The analytic slope of the profile equals a central difference of the profile itself,
    /// and the search lands where the profile is highest among nearby points.
    #[test]
    fn slope_is_the_profile_derivative_and_the_maximum_is_one() {
        let n = 3000;
        let net = generators::barabasi_albert(n, 3, &mut stream(3, Purpose::Network, 0));
        let net = FitNet::restrict(&net, &vec![true; n], &vec![false; n]).unwrap();
        let mut rng = stream(3, Purpose::Network, 1);
        let tau: Vec<u32> = (0..n)
            .map(|_| match rng.random_range(0..40u32) {
                t if t >= 30 => NEVER,
                t => t + 1,
            })
            .collect();
        let z: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
        let (cells, events) =
            data::cells_and_events(&net, &tau, 30, &[Design::Threshold], &z).remove(0);
        let risk = data::at_risk(&tau, &z, 30);
        let d = Controlled {
            cells: &cells,
            events: &events,
            risk: &risk,
        };
        let rows = vec![vec![0.0], vec![1.0]];
        let names = vec!["x".to_string()];
        let s = Spont {
            rows: &rows,
            names: &names,
            by_period: true,
        };
        let c = Candidate::named("threshold").unwrap();
        let prof = Profiled::new(Some(c), &d, &s);
        let bound = (1e-3, 1000.0);
        // Above 1 every share exposure is below `high`: no cell at full hazard (random
        // adoption periods are no threshold launch, so below 1 the profile is −∞).
        for psi in [2.0, 5.0] {
            let (_, beta) = prof.solve(&[psi]);
            let g = slope(&prof, psi, &beta, bound);
            let h = 1e-4 * psi;
            let fd = (prof.value(&[psi + h]) - prof.value(&[psi - h])) / (2.0 * h);
            assert!(
                (g - fd).abs() <= 1e-3 * (1.0 + fd.abs()),
                "ψ {psi}: {g} vs {fd}"
            );
        }
        let (x, fx) = maximize(&prof, &[vec![0.3], vec![2.0], vec![5.0]], bound);
        assert!(fx.is_finite() && x[0] > 1.0, "{x:?} {fx}");
        // (Random adoption periods: no network effect, the maximum is at the upper bound.)
        for k in [0.99, 1.01] {
            let y = (x[0] * k).min(bound.1);
            assert!(prof.value(&[y]) <= fx + 1e-9, "{k} at {x:?}");
        }
    }
}
