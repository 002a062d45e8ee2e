//! The inner maximum of [`crate::fit::hazard`] over the control coefficients `β = (α, δ, γ)` for
//! fixed network terms: Newton's method ([`crate::fit::newton`]) made safe against the
//! non-concavity of `ln h`, `h = h0 + (1 − h0) p`, in `β`.
//!
//! Where an adoption's network term `h0` is positive, `ln h` flattens to `ln h0` as the
//! log-odds go to −∞: one α may have a local maximum in that tail (at −[`BOUND`]) besides an
//! interior one, and Newton's method, warm- or cold-started, can stop at the lower of the
//! two. Each α's log-likelihood with the other coefficients fixed is a sum over its own
//! `(period, pattern)` groups and adoptions only, so after Newton converges every α is checked
//! against a grid of candidate values (`grid::GRID`, the bound −[`BOUND`] among them) at the cost
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

use crate::fit::newton::{BOUND, Pass, Problem, Terms, pass, solve};

mod grid;
pub(super) use grid::{GRID_CHECKS, reseat_alphas};

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
