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
//!
//! Where the maximum lies at infinity along a direction that is not a coordinate (a
//! quasi-separation: a late period's α running up in the linear part of the softplus while a
//! region's δ runs down to its bound), the Newton step is thousands of log-odds units long and
//! its quadratic model useless; after [`HALVINGS`] halvings the run takes Levenberg steps
//! instead (network seed 42 of `tests/it/fit_inner.rs`: every evaluation used to stop at the
//! iteration cap after ~2700 passes, at a value that depended on the start, and the profile
//! took over ten minutes; now seconds).
//!
//! Where minus the Hessian is not positive definite (away from the maximum of the joint
//! surface, or with an α in the non-concave part of its tail), a run takes Levenberg steps on
//! the true Hessian, which fall back to Newton's once the damping drops off; the scoring steps
//! it used to take converge linearly, hundreds of passes per profile point at N = 100 000. A
//! run still climbing after every [`STALL`] iterations checks every α against its grid
//! mid-run, so an α crawling down a flat tail or through a valley jumps to the grid value the
//! end-of-run check would have found.

use crate::fit::newton::{BOUND, CHUNK, Pass, Problem, Terms, pass, pattern_eta, solve};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Grid checks of every α ([`reseat_alphas`]) made by this process so far, over every fit.
pub(super) static GRID_CHECKS: AtomicU64 = AtomicU64::new(0);

/// A log-likelihood surface the Newton runs below climb: the inner one over `β` at fixed
/// network terms ([`Fixed`]), or the joint one over `(β, ψ)` of `super::joint`. Its
/// coordinates are the α's (a diagonal block of the Hessian) then the dense ones.
pub(super) trait Surface {
    /// Log-likelihood, gradient and minus the Hessian at `x` ([`pass`]'s layout).
    fn pass(&self, x: &[f64], psd: bool) -> Pass;
    /// The box of coordinate `k`.
    fn bounds(&self, k: usize) -> (f64, f64);
    /// Number of α's and of dense coordinates.
    fn dims(&self) -> (usize, usize);
    /// Moves every free α of `x` to the best of its grid where that is higher
    /// ([`reseat_alphas`] at `x`'s network terms); whether any moved.
    fn reseat(&self, x: &mut [f64]) -> bool;
}

/// The inner surface: `β` at fixed network terms.
pub(super) struct Fixed<'a, 'b> {
    pub(super) pr: &'b Problem<'a>,
    pub(super) h0: &'b Terms,
}

impl Surface for Fixed<'_, '_> {
    fn pass(&self, x: &[f64], psd: bool) -> Pass {
        pass(self.pr, self.h0, x, psd)
    }

    fn bounds(&self, _: usize) -> (f64, f64) {
        (-BOUND, BOUND)
    }

    fn dims(&self) -> (usize, usize) {
        (self.pr.n_alpha(), self.pr.e)
    }

    fn reseat(&self, x: &mut [f64]) -> bool {
        reseat_alphas(self.pr, self.h0, x)
    }
}

/// The candidate values of every α: −[`BOUND`] (its maximum where the network terms explain
/// its adoptions) and a grid over the log-odds, denser where the logistic bends.
const GRID: [f64; 22] = [
    -BOUND, -24.0, -19.0, -15.0, -12.0, -10.0, -8.5, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0,
    1.0, 2.0, 3.5, 5.0, 8.0, 14.0, BOUND,
];

/// Most Newton runs (each followed by the check of every α).
pub(super) const ROUNDS: usize = 4;

/// Most extrapolations along a flat tail ([`expand`]) per Newton run.
const MAX_EXPANSIONS: usize = 4;

/// The inner maximum over `β` for the network terms `h0`, from `beta` (left at the
/// maximiser). Coefficients at ±[`BOUND`] with the gradient pointing out are held; an α
/// whose periods saw no adoption is held at −[`BOUND`], one whose periods saw every physician
/// at risk adopt at +[`BOUND`] (their maxima whatever the other coefficients). Each Newton
/// run is capped at `cap` iterations ([`MAX_ITERATIONS`] in a fit).
pub(super) fn inner(pr: &Problem, h0: &Terms, beta: &mut [f64], cap: usize) -> Run {
    for (b, pinned) in beta.iter_mut().zip(&pr.pinned) {
        if let Some(v) = pinned {
            *b = *v;
        }
    }
    let mut run = Run {
        ll: f64::NEG_INFINITY,
        capped: false,
    };
    for _ in 0..ROUNDS {
        run = newton(&Fixed { pr, h0 }, beta, cap);
        if !run.ll.is_finite() || !reseat_alphas(pr, h0, beta) {
            break;
        }
    }
    run
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

/// The grid candidates' terms per pattern, shared by every α of one check: for pattern `z`
/// and grid value `v`, `w = e^v · e^(η_z)` (or `e^(v + η_z)` where `|η_z| ≥ 300`),
/// `ln(1 + w)` (`v + η_z` where `w` overflows) and `p = w / (1 + w)` (1 where it overflows),
/// computed exactly as [`alpha_logliks`] did per group: the grid is the same for every α, so
/// its logarithms cost one per pattern instead of one per `(period, pattern)` group. The
/// last row is the pattern term 0 (a pattern without a row).
struct GridTable {
    /// Per pattern: `(ln(1 + w), p)` for each grid value.
    rows: Vec<[(f64, f64); GRID.len()]>,
}

impl GridTable {
    fn new(eta_z: &[f64]) -> Self {
        let ev = GRID.map(f64::exp);
        let row = |base: f64| {
            let mut out = [(0.0, 0.0); GRID.len()];
            let eb = base.exp();
            for ((o, e), v) in out.iter_mut().zip(&ev).zip(&GRID) {
                let w = if base.abs() < 300.0 {
                    e * eb
                } else {
                    (v + base).exp()
                };
                *o = if w.is_finite() {
                    (w.ln_1p(), w / (1.0 + w))
                } else {
                    (v + base, 1.0)
                };
            }
            out
        };
        GridTable {
            rows: eta_z.iter().chain([&0.0]).map(|&b| row(b)).collect(),
        }
    }

    /// The row of pattern `z` (the last row where `z` has none).
    fn row(&self, z: usize) -> &[(f64, f64); GRID.len()] {
        &self.rows[z.min(self.rows.len() - 1)]
    }
}

/// One α's log-likelihood (its groups and adoptions only) at its value now `v` (first) and
/// at each grid value (the rest, from `table`), `eta_z` the pattern terms, in one sweep over
/// its data: per group one exponential and one `ln(1 + ·)` for `v`, per adoption a product.
fn alpha_logliks(
    pr: &Problem,
    h0: &Terms,
    t: usize,
    eta_z: &[f64],
    v: f64,
    table: &GridTable,
) -> [f64; POINTS] {
    let ev = v.exp();
    let mut cens = [0.0; POINTS];
    let mut prods = [Product {
        prod: 1.0,
        logs: 0.0,
    }; POINTS];
    let mut terms = [(0.0, 0.0); POINTS];
    for g in pr.alpha_groups[t]..pr.alpha_groups[t + 1] {
        let (_, z, r) = pr.groups[g];
        let base = eta_z.get(z as usize).copied().unwrap_or(0.0);
        let w = if base.abs() < 300.0 {
            ev * base.exp()
        } else {
            (v + base).exp()
        };
        terms[0] = if w.is_finite() {
            (w.ln_1p(), w / (1.0 + w))
        } else {
            (v + base, 1.0)
        };
        terms[1..].copy_from_slice(table.row(z as usize));
        if r > 0.0 {
            for (c, (sp, _)) in cens.iter_mut().zip(&terms) {
                *c -= r * sp;
            }
        }
        for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
            let h0 = h0.h0[cell as usize];
            for (pk, (_, p)) in prods.iter_mut().zip(&terms) {
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
/// value now by more than rounding; whether any moved. The α's are checked in parallel
/// (each α's values depend on its own data only, so the outcome does not depend on the
/// threads).
pub(super) fn reseat_alphas(pr: &Problem, h0: &Terms, beta: &mut [f64]) -> bool {
    GRID_CHECKS.fetch_add(1, Ordering::Relaxed);
    let na = pr.n_alpha();
    let eta_z = pattern_eta(pr, beta);
    let table = GridTable::new(&eta_z);
    let best = |t: usize| {
        let ll = alpha_logliks(pr, h0, t, &eta_z, beta[t], &table);
        let now = ll[0];
        let tol = 1e-10 * (1.0 + now.abs());
        let mut best = (beta[t], now);
        for (&v, &l) in GRID.iter().zip(&ll[1..]) {
            if l > best.1 + tol {
                best = (v, l);
            }
        }
        best.0
    };
    let free: Vec<usize> = (0..na).filter(|&t| pr.pinned[t].is_none()).collect();
    let moves: Vec<f64> = if pr.groups.len() <= CHUNK {
        free.iter().map(|&t| best(t)).collect()
    } else {
        free.par_iter().map(|&t| best(t)).collect()
    };
    let mut moved = false;
    for (&t, v) in free.iter().zip(moves) {
        if v != beta[t] {
            beta[t] = v;
            moved = true;
        }
    }
    moved
}

/// Most iterations of one Newton run. A run that reaches it stops at the highest point it
/// found, a lower bound of the inner maximum, and says so ([`Run::capped`]).
pub(super) const MAX_ITERATIONS: usize = 200;

/// Every this many iterations without convergence, a Newton run checks every α against its
/// grid ([`Surface::reseat`]) and moves those that gain.
const STALL: usize = 8;

/// Halvings of a Newton step tried before the run turns to Levenberg steps.
const HALVINGS: usize = 4;

/// Most increases of the Levenberg damping within one step.
const DAMPINGS: usize = 40;

/// Below this the Levenberg damping is dropped (pure Newton steps again).
const MU_MIN: f64 = 1e-10;

/// What one inner maximisation reached.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    /// The log-likelihood at the coefficients left in `beta`.
    pub(super) ll: f64,
    /// Whether a Newton run stopped at [`MAX_ITERATIONS`] rather than converging.
    pub(super) capped: bool,
}

/// The coordinates at a bound whose gradient points out of the box.
fn held_at_bounds(s: &impl Surface, beta: &[f64], g: &[f64]) -> Vec<bool> {
    beta.iter()
        .zip(g)
        .enumerate()
        .map(|(k, (&b, &g))| {
            let (lo, hi) = s.bounds(k);
            (b <= lo && g <= 0.0) || (b >= hi && g >= 0.0)
        })
        .collect()
}

/// `beta + step · dir`, clamped to the box.
fn along(s: &impl Surface, beta: &[f64], dir: &[f64], step: f64) -> Vec<f64> {
    beta.iter()
        .zip(dir)
        .enumerate()
        .map(|(k, (b, d))| {
            let (lo, hi) = s.bounds(k);
            (b + step * d).clamp(lo, hi)
        })
        .collect()
}

/// Projected Newton from `beta` that never lets the log-likelihood fall, at most `cap`
/// iterations. A Newton step is halved up to [`HALVINGS`] times (as glm's IRLS); where that
/// does not raise the log-likelihood the quadratic model is poor (a curved, nearly flat
/// valley: an α and a δ both running to their bounds, the α in the linear part of the
/// softplus, where Newton's step is thousands of log-odds units long), and the run takes
/// Levenberg steps `(−H + μI)⁻¹ g` with `μ` adapted to how well the model predicted the
/// gain, back to pure Newton once `μ` falls below [`MU_MIN`]. It ends when the Newton
/// step's predicted gain is below the tolerance and the step is short (a long one crosses a
/// flat tail of the logistic, where gains are tiny: see [`expand`]).
pub(super) fn newton(s: &impl Surface, beta: &mut [f64], cap: usize) -> Run {
    let (na, e) = s.dims();
    let mut cur = s.pass(beta, false);
    let done = |cur: &Pass, capped| Run { ll: cur.ll, capped };
    if !cur.ll.is_finite() {
        return Run {
            ll: f64::NEG_INFINITY,
            capped: false,
        };
    }
    let (mut expansions, mut mu) = (0, 0.0f64);
    for it in 1..=cap {
        if it % STALL == 0 && s.reseat(beta) {
            // A long run is usually crawling towards a maximum of one α that its grid
            // holds (a flat tail, or a valley where the Hessian is not negative definite
            // and scoring steps converge linearly): jump there.
            cur = s.pass(beta, false);
            mu = 0.0;
            if !cur.ll.is_finite() {
                return done(&cur, false);
            }
        }
        let held = held_at_bounds(s, beta, &cur.g);
        let dir = match solve(&cur, na, e, &held) {
            Some(d) => d,
            None => {
                // Minus the Hessian is not positive definite here: Levenberg steps on the
                // true Hessian (back to Newton's once the damping falls off) converge where
                // scoring steps crawl linearly; scoring only where no damping rises.
                if mu == 0.0 {
                    mu = cur.g.iter().fold(0.0f64, |m, g| m.max(g.abs()));
                }
                if let Some(next) = levenberg(s, beta, &cur, &held, &mut mu) {
                    cur = next;
                    continue;
                }
                match solve(&s.pass(beta, true), na, e, &held) {
                    Some(d) => d,
                    None => return done(&cur, false),
                }
            }
        };
        let gain: f64 = dir.iter().zip(&cur.g).map(|(d, g)| d * g).sum();
        if gain.is_nan() || gain <= 0.0 {
            return done(&cur, false);
        }
        let tol = 1e-12 * (1.0 + cur.ll.abs());
        if gain <= tol {
            // A full Newton step, taken unless it loses more than rounding.
            let trial = along(s, beta, &dir, 1.0);
            let next = s.pass(&trial, false);
            if !(next.ll.is_finite() && next.ll >= cur.ll - tol) {
                return done(&cur, false);
            }
            beta.copy_from_slice(&trial);
            cur = next;
            if !dir.iter().any(|d| d.abs() > 1e-6) {
                return done(&cur, false);
            }
            if expansions < MAX_EXPANSIONS {
                expansions += 1;
                cur = expand(s, beta, &dir, cur);
            }
            continue;
        }
        if mu == 0.0 {
            if let Some(next) = halved(s, beta, &dir, &cur) {
                cur = next;
                continue;
            }
            mu = cur.g.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        }
        match levenberg(s, beta, &cur, &held, &mut mu) {
            Some(next) => cur = next,
            None => return done(&cur, false),
        }
    }
    done(&cur, true)
}

/// The Newton step from `cur` along `dir`, halved up to [`HALVINGS`] times, where the
/// log-likelihood does not fall (`beta` moved there); `None` where every try falls.
fn halved(s: &impl Surface, beta: &mut [f64], dir: &[f64], cur: &Pass) -> Option<Pass> {
    let mut step = 1.0;
    for _ in 0..=HALVINGS {
        let trial = along(s, beta, dir, step);
        let next = s.pass(&trial, false);
        if next.ll.is_finite() && next.ll >= cur.ll {
            beta.copy_from_slice(&trial);
            return Some(next);
        }
        step *= 0.5;
    }
    None
}

/// One Levenberg step from `cur` (`beta` moved there): `μ` raised ×10 until the
/// log-likelihood rises (at most [`DAMPINGS`] times), then lowered ×10 where the gain was at
/// least ¾ of the quadratic model's, raised ×4 where below ¼. `None` where no damping rises
/// (`beta` is a maximum to rounding).
fn levenberg(
    s: &impl Surface,
    beta: &mut [f64],
    cur: &Pass,
    held: &[bool],
    mu: &mut f64,
) -> Option<Pass> {
    let (na, e) = s.dims();
    *mu = mu.max(MU_MIN);
    for _ in 0..DAMPINGS {
        if let Some(d) = solve(&cur.damped(*mu), na, e, held) {
            let trial = along(s, beta, &d, 1.0);
            let next = s.pass(&trial, false);
            if next.ll.is_finite() && next.ll > cur.ll {
                let gd: f64 = d.iter().zip(&cur.g).map(|(d, g)| d * g).sum();
                let dd: f64 = d.iter().map(|d| d * d).sum();
                let ratio = (next.ll - cur.ll) / (0.5 * (gd + *mu * dd));
                if ratio > 0.75 {
                    *mu *= 0.1;
                } else if ratio < 0.25 {
                    *mu *= 4.0;
                }
                if *mu < MU_MIN {
                    *mu = 0.0;
                }
                beta.copy_from_slice(&trial);
                return Some(next);
            }
        }
        *mu *= 10.0;
    }
    None
}

/// After a full step with a negligible gain along a long direction (a coefficient crawling
/// down a flat tail of the logistic, about one log-odds unit per Newton step), moves the
/// long coordinates on along `dir` by 4, 16, … times the step, up to the bounds, while the
/// log-likelihood rises: the tail's end (its bound) in a few passes instead of one pass per
/// unit.
fn expand(s: &impl Surface, beta: &mut [f64], dir: &[f64], mut cur: Pass) -> Pass {
    let mut m = 4.0;
    while m <= 1024.0 {
        let trial: Vec<f64> = beta
            .iter()
            .zip(dir)
            .enumerate()
            .map(|(k, (b, d))| {
                if d.abs() > 1e-6 {
                    let (lo, hi) = s.bounds(k);
                    (b + m * d).clamp(lo, hi)
                } else {
                    *b
                }
            })
            .collect();
        if trial == *beta {
            break;
        }
        let next = s.pass(&trial, false);
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
        let got = alpha_logliks(&pr, &h0, 0, &eta_z, vs[0], &GridTable::new(&eta_z));
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
