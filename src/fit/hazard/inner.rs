//! The inner maximum of [`crate::fit::hazard`] over the control coefficients `β = (α, δ, γ)` for
//! fixed network terms: Newton's method ([`crate::fit::newton`]) made safe against the
//! non-concavity of `ln h`, `h = h0 + (1 − h0) p`, in `β`.
//!
//! Where an adoption's network term `h0` is positive, `ln h` flattens to `ln h0` as the
//! log-odds go to −∞: one α may have a local maximum in that tail (at −[`BOUND`]) besides an
//! interior one, and Newton's method, warm- or cold-started, can stop at the lower of the
//! two. Each α's log-likelihood with the other coefficients fixed is a sum over its own
//! `(period, pattern)` groups and adoptions only, so after Newton converges every α is checked
//! against a grid of candidate values ([`GRID`], the bound −[`BOUND`] among them) at the cost
//! of one pass per grid point. Where a candidate is higher, α moves there and Newton runs
//! again, so the log-likelihood never falls and does not depend on the start.

use crate::fit::newton::{
    BOUND, Neumaier, Problem, Terms, event_terms, logistic, pass, softplus, solve,
};

/// The candidate values of every α: −[`BOUND`] (its maximum where the network terms explain
/// its adoptions) and a grid over the log-odds, denser where the logistic bends.
const GRID: [f64; 22] = [
    -BOUND, -24.0, -19.0, -15.0, -12.0, -10.0, -8.5, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0,
    1.0, 2.0, 3.5, 5.0, 8.0, 14.0, BOUND,
];

/// Most Newton runs (each followed by the check of every α).
const ROUNDS: usize = 4;

/// The inner maximum over `β` for the network terms `h0`, from `beta` (left at the
/// maximiser). Coefficients at ±[`BOUND`] with the gradient pointing out are held; an α
/// whose periods saw no adoption is held at −[`BOUND`], one whose periods saw every physician
/// at risk adopt at +[`BOUND`] (their maxima whatever the other coefficients).
pub(super) fn inner(pr: &Problem, h0: &Terms, beta: &mut [f64]) -> f64 {
    for (b, pinned) in beta.iter_mut().zip(&pr.pinned) {
        if let Some(v) = pinned {
            *b = *v;
        }
    }
    let mut ll = f64::NEG_INFINITY;
    for _ in 0..ROUNDS {
        ll = newton(pr, h0, beta);
        if !ll.is_finite() || !reseat_alphas(pr, h0, beta) {
            break;
        }
    }
    ll
}

/// One α's log-likelihood at `v` (its groups and adoptions only), `eta_z` the pattern terms.
fn alpha_loglik(pr: &Problem, h0: &Terms, t: usize, eta_z: &[f64], v: f64) -> f64 {
    let mut ll = Neumaier::default();
    for g in pr.alpha_groups[t]..pr.alpha_groups[t + 1] {
        let (_, z, r) = pr.groups[g];
        let eta = v + eta_z.get(z as usize).copied().unwrap_or(0.0);
        if r > 0.0 {
            ll.add(-r * softplus(eta));
        }
        let pq = logistic(eta);
        for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
            ll.add(event_terms(h0.h0[cell as usize], pq, y, false).0);
        }
    }
    let v = ll.total();
    if v.is_nan() { f64::NEG_INFINITY } else { v }
}

/// Moves every free α to the best of its candidate maxima where that is higher than its
/// value now by more than rounding; whether any moved.
fn reseat_alphas(pr: &Problem, h0: &Terms, beta: &mut [f64]) -> bool {
    let na = pr.n_alpha();
    let eta_z: Vec<f64> = pr
        .rows
        .iter()
        .map(|row| row.iter().zip(&beta[na..]).map(|(x, b)| x * b).sum())
        .collect();
    let mut moved = false;
    for t in (0..na).filter(|&t| pr.pinned[t].is_none()) {
        let now = alpha_loglik(pr, h0, t, &eta_z, beta[t]);
        let tol = 1e-10 * (1.0 + now.abs());
        let mut best = (beta[t], now);
        let mut try_at = |v: f64| {
            let l = alpha_loglik(pr, h0, t, &eta_z, v);
            if l > best.1 + tol {
                best = (v, l);
            }
        };
        for v in GRID {
            try_at(v);
        }
        if best.0 != beta[t] {
            beta[t] = best.0;
            moved = true;
        }
    }
    moved
}

/// Projected Newton from `beta` with step halving that never lets the log-likelihood fall.
fn newton(pr: &Problem, h0: &Terms, beta: &mut [f64]) -> f64 {
    let (na, e) = (pr.n_alpha(), pr.e);
    let mut cur = pass(pr, h0, beta, false);
    if !cur.ll.is_finite() {
        return f64::NEG_INFINITY;
    }
    for _ in 0..200 {
        let held: Vec<bool> = beta
            .iter()
            .zip(&cur.g)
            .map(|(&b, &g)| (b <= -BOUND && g <= 0.0) || (b >= BOUND && g >= 0.0))
            .collect();
        let dir = match solve(&cur, na, e, &held) {
            Some(d) => d,
            None => match solve(&pass(pr, h0, beta, true), na, e, &held) {
                Some(d) => d,
                None => break,
            },
        };
        let gain: f64 = dir.iter().zip(&cur.g).map(|(d, g)| d * g).sum();
        if gain.is_nan() || gain <= 0.0 {
            break;
        }
        // Step halving until the log-likelihood does not fall (as glm's IRLS). A step whose
        // predicted gain is below the tolerance is a full Newton step taken unless it loses
        // more than rounding (no halving); the iteration ends when such a step is also short
        // (a long one crosses a flat tail of the logistic, where gains are tiny).
        let tol = 1e-12 * (1.0 + cur.ll.abs());
        let small = gain <= tol;
        let mut step = 1.0;
        let mut moved = false;
        for _ in 0..if small { 1 } else { 40 } {
            let trial: Vec<f64> = beta
                .iter()
                .zip(&dir)
                .map(|(b, d)| (b + step * d).clamp(-BOUND, BOUND))
                .collect();
            let next = pass(pr, h0, &trial, false);
            if next.ll.is_finite() && next.ll >= cur.ll - if small { tol } else { 0.0 } {
                beta.copy_from_slice(&trial);
                cur = next;
                moved = true;
                break;
            }
            step *= 0.5;
        }
        let long = dir.iter().any(|d| d.abs() > 1e-6);
        if !moved || (small && !long) {
            break;
        }
    }
    cur.ll
}
