//! The check of every α against a grid of candidate values ([`GRID`]), after each Newton run
//! of [`super::inner`]: each α's log-likelihood with the other coefficients fixed is a sum
//! over its own `(period, pattern)` groups and adoptions, evaluated at every candidate in one
//! sweep over its data ([`alpha_logliks`]), the grid's logarithms shared by every α
//! ([`GridTable`]).

use crate::fit::newton::{BOUND, CHUNK, Problem, Terms, pattern_eta};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Grid checks of every α ([`reseat_alphas`]) made by this process so far, over every fit.
pub(in crate::fit::hazard) static GRID_CHECKS: AtomicU64 = AtomicU64::new(0);

/// The candidate values of every α: −[`BOUND`] (its maximum where the network terms explain
/// its adoptions) and a grid over the log-odds, denser where the logistic bends.
const GRID: [f64; 22] = [
    -BOUND, -24.0, -19.0, -15.0, -12.0, -10.0, -8.5, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0,
    1.0, 2.0, 3.5, 5.0, 8.0, 14.0, BOUND,
];

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
pub(in crate::fit::hazard) fn reseat_alphas(pr: &Problem, h0: &Terms, beta: &mut [f64]) -> bool {
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
