//! The choice of a joint fit's start: every start's profile value is first bracketed by a
//! capped inner Newton run (a lower bound, the value reached, and an upper estimate from the
//! predicted gain of one more step), then only the starts that can still be the best are
//! solved fully (the inner maximum with its α grid checks, [`Profiled::solve`]).
//!
//! Solving every start fully cost about half the passes of a KOL fit (9 starts, ~30 passes
//! each, N = 100 000); the starts are far apart, so their rough values order them, and the
//! best is the start a full solve of each would pick wherever the upper estimates hold
//! (there: one full solve, and 138 passes for the starts instead of 272).

use crate::fit::hazard::{Profiled, inner};
use crate::fit::newton::{BOUND, pass, solve};

/// Most Newton iterations of a start's rough value (the inner Newton run checks every α
/// against its grid at its 8th iteration, and the rough value after its end).
const ROUGH_STEPS: usize = 8;

/// A start's rough value: the log-likelihood reached (a lower bound of its profile value) and
/// an upper estimate of the profile value (`+∞` where the steps do not bracket it).
struct Rough {
    lo: f64,
    up: f64,
}

/// One inner Newton run of at most [`ROUGH_STEPS`] iterations at network parameters `psi`
/// from `beta` (left at the point reached), then one check of every α against its grid: the
/// value reached is a lower bound of the profile at `psi`; the upper estimate is that value
/// plus twice the predicted gain of a Newton step from there (the quadratic model's remaining
/// gain is half of it), `+∞` where minus the Hessian is not positive definite there. One
/// pass more than the run's. Not a bound: a full solve's grid checks can still move an α to
/// a higher local maximum of its own (the starts are far apart, their values thousands of
/// log-likelihood units apart at N = 100 000).
fn rough(prof: &Profiled, psi: &[f64], beta: &mut [f64]) -> Rough {
    let lost = Rough {
        lo: f64::NEG_INFINITY,
        up: f64::INFINITY,
    };
    let Some(terms) = prof.terms(psi) else {
        return Rough {
            lo: f64::NEG_INFINITY,
            up: f64::NEG_INFINITY,
        };
    };
    let pr = &prof.pr;
    for (b, pinned) in beta.iter_mut().zip(&pr.pinned) {
        if let Some(v) = pinned {
            *b = *v;
        }
    }
    let run = inner::newton(&inner::Fixed { pr, h0: &terms }, beta, ROUGH_STEPS);
    if !run.ll.is_finite() {
        return lost;
    }
    inner::reseat_alphas(pr, &terms, beta);
    let (na, e) = (pr.n_alpha(), pr.e);
    let cur = pass(pr, &terms, beta, false);
    if !cur.ll.is_finite() {
        return lost;
    }
    let held: Vec<bool> = beta
        .iter()
        .zip(&cur.g)
        .map(|(&b, &g)| (b <= -BOUND && g <= 0.0) || (b >= BOUND && g >= 0.0))
        .collect();
    let Some(dir) = solve(&cur, na, e, &held) else {
        return Rough { lo: cur.ll, ..lost };
    };
    let gain: f64 = dir.iter().zip(&cur.g).map(|(d, g)| d * g).sum();
    if gain.is_nan() || gain < 0.0 {
        return Rough { lo: cur.ll, ..lost };
    }
    let tol = 1e-12 * (1.0 + cur.ll.abs());
    Rough {
        lo: cur.ll,
        up: cur.ll + 2.0 * gain + tol,
    }
}

/// The best of `starts` clamped to `b` by the profile log-likelihood: the start, its value
/// and inner solution. Each start is first valued roughly ([`rough`], warm-started from the
/// previous start's point); the start with the highest rough value is solved fully, then
/// every other whose upper estimate exceeds that full value, in the order of `starts`, and
/// the first with the highest full value wins (as when every start is solved fully).
pub(super) fn best_start(
    prof: &Profiled,
    starts: &[Vec<f64>],
    b: &[(f64, f64)],
) -> Option<(Vec<f64>, f64, Vec<f64>)> {
    let points: Vec<Vec<f64>> = starts
        .iter()
        .map(|s| {
            s.iter()
                .zip(b)
                .map(|(v, (lo, hi))| v.clamp(*lo, *hi))
                .collect()
        })
        .collect();
    if points.len() <= 1 {
        return points.into_iter().next().map(|x| {
            let (v, beta) = prof.solve(&x);
            (x, v, beta)
        });
    }
    let mut beta = prof.warm.borrow().clone();
    let mut roughs = Vec::with_capacity(points.len());
    for x in &points {
        let r = rough(prof, x, &mut beta);
        roughs.push((r, beta.clone()));
    }
    let first = (0..points.len())
        .filter(|&i| roughs[i].0.lo > f64::NEG_INFINITY)
        .fold(None, |best: Option<usize>, i| match best {
            Some(k) if roughs[k].0.lo >= roughs[i].0.lo => Some(k),
            _ => Some(i),
        })
        .unwrap_or(0);
    let full = |i: usize| {
        prof.warm.replace(roughs[i].1.clone());
        prof.solve(&points[i])
    };
    let mut solved: Vec<Option<(f64, Vec<f64>)>> = vec![None; points.len()];
    let top = full(first);
    let bar = top.0;
    solved[first] = Some(top);
    for i in 0..points.len() {
        if i != first && roughs[i].0.up > bar {
            solved[i] = Some(full(i));
        }
    }
    let mut best: Option<(Vec<f64>, f64, Vec<f64>)> = None;
    for (x, s) in points.into_iter().zip(solved) {
        if let Some((v, beta)) = s
            && best.as_ref().is_none_or(|(_, bv, _)| v > *bv)
        {
            best = Some((x, v, beta));
        }
    }
    best
}
