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

/// Per group of one α, for [`alpha_logliks`]: its pattern `z` and term `base`, the value
/// now's terms `(ln(1 + w), p)`, and over its adoptions: `zero` the count with `h0 = 0`
/// (exactly `y ln p`), and over those with `0 < h0 < 1` the slope `Σ y (1 − h0) / h` in `p` at
/// the value now and `spread = Σ y (1 − h0)` (those with `h0 = 1` add nothing).
struct GroupSums {
    z: u32,
    base: f64,
    now: (f64, f64),
    zero: f64,
    slope: f64,
    spread: f64,
}

/// One α's log-likelihood (its groups and adoptions only) at its value now `v` (first) and
/// at each grid value (the rest, from `table`), `eta_z` the pattern terms: per group one
/// exponential and one `ln(1 + ·)` for `v`, per adoption a product. With `skip`, a candidate
/// whose upper bound ([`bounds`]) is below the value now is not evaluated (its value is
/// `−∞`: it could not be chosen, so no decision changes, and every candidate evaluated gets
/// the same bits as without `skip`).
fn alpha_logliks(
    pr: &Problem,
    h0: &Terms,
    t: usize,
    eta_z: &[f64],
    v: f64,
    table: &GridTable,
    skip: bool,
) -> [f64; POINTS] {
    let ev = v.exp();
    let mut cens = [0.0; POINTS];
    let new = Product {
        prod: 1.0,
        logs: 0.0,
    };
    let mut prods = [new; POINTS];
    let groups = pr.alpha_groups[t]..pr.alpha_groups[t + 1];
    let mut sums = Vec::with_capacity(groups.len());
    let mut mid = (0.0, 0.0);
    for g in groups.clone() {
        let (_, z, r) = pr.groups[g];
        let base = eta_z.get(z as usize).copied().unwrap_or(0.0);
        let w = if base.abs() < 300.0 {
            ev * base.exp()
        } else {
            (v + base).exp()
        };
        let now = if w.is_finite() {
            (w.ln_1p(), w / (1.0 + w))
        } else {
            (v + base, 1.0)
        };
        if r > 0.0 {
            cens[0] -= r * now.0;
            for (c, (sp, _)) in cens[1..].iter_mut().zip(table.row(z as usize)) {
                *c -= r * sp;
            }
        }
        let mut s = GroupSums {
            z,
            base,
            now,
            zero: 0.0,
            slope: 0.0,
            spread: 0.0,
        };
        for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
            let h0 = h0.h0[cell as usize];
            let h = h0 + (1.0 - h0) * now.1;
            prods[0].mul(h, y);
            if h0 == 0.0 {
                s.zero += y;
            } else if h0 < 1.0 {
                s.slope += y * (1.0 - h0) / h;
                s.spread += y * (1.0 - h0);
                mid.0 += y;
                mid.1 += y * h0;
            }
        }
        sums.push(s);
    }
    let now = cens[0] + prods[0].total();
    let mut active = [true; POINTS];
    if skip {
        let b = bounds(&cens, &sums, table, v, mid, now);
        active = b.map(|b| b.is_nan() || b >= now);
    }
    active[0] = false;
    if active.iter().any(|&a| a) {
        for (g, s) in groups.zip(&sums) {
            let row = table.row(s.z as usize);
            for &(_, cell, y) in &pr.events[pr.group_events[g]..pr.group_events[g + 1]] {
                let h0 = h0.h0[cell as usize];
                for ((pk, (_, p)), _) in prods[1..]
                    .iter_mut()
                    .zip(row)
                    .zip(&active[1..])
                    .filter(|(_, a)| **a)
                {
                    pk.mul(h0 + (1.0 - h0) * p, y);
                }
            }
        }
    }
    let mut out = [f64::NEG_INFINITY; POINTS];
    for (k, o) in out.iter_mut().enumerate() {
        if k == 0 || active[k] {
            let v = cens[k] + prods[k].total();
            *o = if v.is_nan() { f64::NEG_INFINITY } else { v };
        }
    }
    out
}

/// Upper bounds of one α's log-likelihood at its candidates (the first, the value now `v`, is
/// `now`): the censored parts `cens` and the `y ln p` of the adoptions with `h0 = 0` exactly;
/// over the others (`mid`: their `Y` and `Σ y h0`) the lower of the tangent in `p` at the
/// value now and Jensen's `Y ln(Σ y h / Y)`, both above `Σ y ln(h0 + (1 − h0) p)`, which is
/// concave in `p`.
fn bounds(
    cens: &[f64; POINTS],
    sums: &[GroupSums],
    table: &GridTable,
    v: f64,
    mid: (f64, f64),
    now: f64,
) -> [f64; POINTS] {
    let (mut zero, mut tangent, mut mass) = ([0.0; POINTS], [0.0; POINTS], [0.0; POINTS]);
    for s in sums {
        if s.zero == 0.0 && s.spread == 0.0 {
            continue;
        }
        // ln p = ln w − ln(1 + w), w = e^(v + base).
        zero[0] += s.zero * (v + s.base - s.now.0);
        for (c, (&(sp, p), vc)) in table.row(s.z as usize).iter().zip(GRID).enumerate() {
            zero[c + 1] += s.zero * (vc + s.base - sp);
            tangent[c + 1] += (p - s.now.1) * s.slope;
            mass[c + 1] += s.spread * p;
        }
    }
    let mid_now = now - cens[0] - zero[0];
    let mut out = [now; POINTS];
    for c in 1..POINTS {
        let jensen = if mid.0 > 0.0 {
            mid.0 * ((mid.1 + mass[c]) / mid.0).ln()
        } else {
            0.0
        };
        out[c] = cens[c] + zero[c] + (mid_now + tangent[c]).min(jensen);
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
        let ll = alpha_logliks(pr, h0, t, &eta_z, beta[t], &table, true);
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
        let got = alpha_logliks(&pr, &h0, 0, &eta_z, vs[0], &GridTable::new(&eta_z), false);
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

    /// With `skip`, every candidate is either evaluated to the same bits or skipped because
    /// it could not have been chosen (its value is at most the value now), and the cases do
    /// skip some (else the test would prove nothing).
    #[test]
    fn skipped_candidates_could_not_win() {
        use rand::RngExt as _;
        let mut rng = crate::rng::stream(5, crate::rng::Purpose::Network, 0);
        let rows = vec![vec![0.0], vec![1.0], vec![-0.5]];
        let (mut skipped, mut kept) = (0, 0);
        for case in 0..40 {
            let groups: Vec<(u32, u32, f64)> = (0..6)
                .map(|g| (0, g % 3, f64::from(rng.random_range(0..400u32))))
                .collect();
            let mut events = Vec::new();
            let mut group_events = vec![0];
            for g in 0..6u32 {
                for cell in 0..rng.random_range(0..6u32) {
                    events.push((g, g * 8 + cell, f64::from(rng.random_range(1..4u32))));
                }
                group_events.push(events.len());
            }
            let h0: Vec<f64> = (0..48)
                .map(|_| match rng.random_range(0..4u32) {
                    0 => 0.0,
                    1 => 1.0,
                    _ => rng.random::<f64>() * 0.3,
                })
                .collect();
            let pr = Problem {
                cells: &[],
                groups,
                events,
                alpha_groups: vec![0, 6],
                group_events,
                periods: vec![1],
                pinned: vec![None],
                rows: &rows,
                e: 1,
            };
            let h0 = Terms { h0, censored: 0.0 };
            let eta_z = [0.0, 0.4, -0.3];
            let table = GridTable::new(&eta_z);
            let v = -6.0 + 0.25 * f64::from(case % 20);
            let all = alpha_logliks(&pr, &h0, 0, &eta_z, v, &table, false);
            let some = alpha_logliks(&pr, &h0, 0, &eta_z, v, &table, true);
            let now = all[0];
            for (k, (a, b)) in all.iter().zip(&some).enumerate() {
                if *b == f64::NEG_INFINITY && *a != f64::NEG_INFINITY {
                    skipped += 1;
                    assert!(
                        *a <= now,
                        "case {case}, candidate {k}: {a} skipped above {now}"
                    );
                } else {
                    kept += 1;
                    assert_eq!(a.to_bits(), b.to_bits(), "case {case}, candidate {k}");
                }
            }
        }
        assert!(skipped > 0 && kept > 40, "skipped {skipped}, kept {kept}");
    }
}
