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

use crate::fit::newton::{BOUND, Pass, Problem, Terms, pass, solve};

/// The candidate values of every α: −[`BOUND`] (its maximum where the network terms explain
/// its adoptions) and a grid over the log-odds, denser where the logistic bends.
const GRID: [f64; 22] = [
    -BOUND, -24.0, -19.0, -15.0, -12.0, -10.0, -8.5, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0,
    1.0, 2.0, 3.5, 5.0, 8.0, 14.0, BOUND,
];

/// Most Newton runs (each followed by the check of every α).
const ROUNDS: usize = 4;

/// Most extrapolations along a flat tail ([`expand`]) per Newton run.
const MAX_EXPANSIONS: usize = 4;

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

/// Candidates per α: its value now, then [`GRID`].
const POINTS: usize = GRID.len() + 1;

/// Running `Σ y ln h` of one candidate as a product of the `h`s (one logarithm per
/// [`Product::FLOOR`] of shrinkage, not one per adoption).
#[derive(Clone, Copy)]
struct Product {
    prod: f64,
    logs: f64,
}

impl Product {
    /// The product is folded into `logs` before it can underflow (every `h` ≥ 1e-100 here:
    /// `p ≥ logistic(−BOUND − 300)`, or the term is taken by its logarithm).
    const FLOOR: f64 = 1e-150;

    fn mul(&mut self, h: f64, y: f64) {
        if y == 1.0 && h >= 1e-100 {
            self.prod *= h;
            if self.prod < Self::FLOOR {
                self.logs += self.prod.ln();
                self.prod = 1.0;
            }
        } else {
            self.logs += y * h.ln();
        }
    }

    fn total(&self) -> f64 {
        self.logs + self.prod.ln()
    }
}

/// One α's log-likelihood (its groups and adoptions only) at each of `vs`, `eta_z` the
/// pattern terms, in one sweep over its data: per group one exponential (`e^(v + η) =
/// e^v · e^η`) and one `ln(1 + ·)` per candidate, per adoption a product.
fn alpha_logliks(
    pr: &Problem,
    h0: &Terms,
    t: usize,
    eta_z: &[f64],
    vs: &[f64; POINTS],
) -> [f64; POINTS] {
    let ev = vs.map(f64::exp);
    let mut cens = [0.0; POINTS];
    let mut prods = [Product {
        prod: 1.0,
        logs: 0.0,
    }; POINTS];
    let mut w = [0.0; POINTS];
    for g in pr.alpha_groups[t]..pr.alpha_groups[t + 1] {
        let (_, z, r) = pr.groups[g];
        let base = eta_z.get(z as usize).copied().unwrap_or(0.0);
        if base.abs() < 300.0 {
            let eb = base.exp();
            for (wk, e) in w.iter_mut().zip(&ev) {
                *wk = e * eb;
            }
        } else {
            for (wk, v) in w.iter_mut().zip(vs) {
                *wk = (v + base).exp();
            }
        }
        if r > 0.0 {
            for ((c, wk), v) in cens.iter_mut().zip(&w).zip(vs) {
                let sp = if wk.is_finite() { wk.ln_1p() } else { v + base };
                *c -= r * sp;
            }
        }
        for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
            let h0 = h0.h0[cell as usize];
            for (pk, wk) in prods.iter_mut().zip(&w) {
                let p = if wk.is_finite() { wk / (1.0 + wk) } else { 1.0 };
                pk.mul(h0 + (1.0 - h0) * p, y);
            }
        }
    }
    let mut out = [0.0; POINTS];
    for ((o, c), pk) in out.iter_mut().zip(&cens).zip(&prods) {
        let v = c + pk.total();
        *o = if v.is_nan() { f64::NEG_INFINITY } else { v };
    }
    out
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
        let mut vs = [beta[t]; POINTS];
        vs[1..].copy_from_slice(&GRID);
        let ll = alpha_logliks(pr, h0, t, &eta_z, &vs);
        let now = ll[0];
        let tol = 1e-10 * (1.0 + now.abs());
        let mut best = (beta[t], now);
        for (&v, &l) in vs.iter().zip(&ll).skip(1) {
            if l > best.1 + tol {
                best = (v, l);
            }
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
    let mut expansions = 0;
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
        if small && expansions < MAX_EXPANSIONS {
            expansions += 1;
            cur = expand(pr, h0, beta, &dir, cur);
        }
    }
    cur.ll
}

/// After a full step with a negligible gain along a long direction (a coefficient crawling
/// down a flat tail of the logistic, about one log-odds unit per Newton step), moves the
/// long coordinates on along `dir` by 4, 16, … times the step, up to the bounds, while the
/// log-likelihood rises: the tail's end (its bound) in a few passes instead of one pass per
/// unit.
fn expand(pr: &Problem, h0: &Terms, beta: &mut [f64], dir: &[f64], mut cur: Pass) -> Pass {
    let mut m = 4.0;
    while m <= 1024.0 {
        let trial: Vec<f64> = beta
            .iter()
            .zip(dir)
            .map(|(b, d)| {
                if d.abs() > 1e-6 {
                    (b + m * d).clamp(-BOUND, BOUND)
                } else {
                    *b
                }
            })
            .collect();
        if trial == *beta {
            break;
        }
        let next = pass(pr, h0, &trial, false);
        if !(next.ll.is_finite() && next.ll > cur.ll) {
            break;
        }
        beta.copy_from_slice(&trial);
        cur = next;
        m *= 4.0;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-sweep grid values equal the log-likelihood summed term by term.
    #[test]
    fn grid_sweep_equals_the_direct_sum() {
        let rows = vec![vec![0.0], vec![1.0]];
        let pr = Problem {
            cells: &[],
            groups: vec![(0, 0, 50.0), (0, 1, 30.0)],
            events: vec![(0, 0, 1.0), (0, 1, 2.0), (1, 2, 1.0)],
            alpha_groups: vec![0, 2],
            group_events: vec![0, 2, 3],
            periods: vec![1],
            pinned: vec![None],
            rows: &rows,
            e: 1,
        };
        let h0 = Terms {
            h0: vec![0.0, 0.3, 0.05],
            censored: 0.0,
        };
        let eta_z = [0.0, 0.7];
        let mut vs = [-2.5; POINTS];
        vs[1..].copy_from_slice(&GRID);
        let got = alpha_logliks(&pr, &h0, 0, &eta_z, &vs);
        let sp = |x: f64| {
            if x > 0.0 {
                x + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            }
        };
        for (&v, &l) in vs.iter().zip(&got) {
            let mut want = 0.0;
            for (g, &(_, z, r)) in pr.groups.iter().enumerate() {
                let eta = v + eta_z[z as usize];
                want -= r * sp(eta);
                for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
                    let h = h0.h0[cell as usize];
                    want += y * (h + (1.0 - h) / (1.0 + (-eta).exp())).ln();
                }
            }
            assert!(
                (l - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "v = {v}: {l} vs {want}"
            );
        }
    }
}
