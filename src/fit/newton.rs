//! The inner maximisation of [`super::hazard`]: for fixed network terms, the control
//! coefficients `β = (α, δ, γ)` of `p = logistic(α_t + z·(δ, γ))` by Newton's method with the
//! analytic gradient and Hessian (Fisher scoring where the observed information is not
//! positive definite), step halving, and coefficients held at ±[`BOUND`].
//!
//! The α block of the Hessian is diagonal (each cell has one period), so each step solves a
//! Schur complement in the `E` group and covariate coefficients: one pass over the cells,
//! `O(cells · E + patterns · E²)`.

use super::data::Cell;
use super::optim;

/// Bound on every control coefficient (log-odds): a group or period without adoptions
/// drives its coefficient to −∞; it stops here (probability ≈ 10⁻¹³).
pub const BOUND: f64 = 30.0;

/// The controls' design: the pattern rows and whether α is one per period.
#[derive(Debug, Clone, Copy)]
pub struct Spont<'a> {
    /// Design row of each pattern (`E` values).
    pub rows: &'a [Vec<f64>],
    /// Names of the `E` coefficients.
    pub names: &'a [String],
    /// One α per period (cells split by period) or one α.
    pub by_period: bool,
}

/// The cells of one model with their α index, ready for the inner maximisation.
pub(super) struct Problem<'a> {
    pub(super) cells: &'a [Cell],
    pub(super) alpha: Vec<u32>,
    pub(super) periods: Vec<u32>,
    pub(super) rows: &'a [Vec<f64>],
    pub(super) e: usize,
}

impl<'a> Problem<'a> {
    pub(super) fn new(cells: &'a [Cell], s: &Spont<'a>) -> Self {
        let mut periods: Vec<u32> = if s.by_period {
            cells.iter().map(|c| c.x.t).collect()
        } else {
            vec![0]
        };
        periods.sort_unstable();
        periods.dedup();
        let alpha = cells
            .iter()
            .map(|c| {
                if s.by_period {
                    periods.partition_point(|&t| t < c.x.t) as u32
                } else {
                    0
                }
            })
            .collect();
        Problem {
            cells,
            alpha,
            periods,
            rows: s.rows,
            e: s.rows.first().map_or(0, Vec::len),
        }
    }

    pub(super) fn n_alpha(&self) -> usize {
        self.periods.len()
    }

    pub(super) fn dim(&self) -> usize {
        self.n_alpha() + self.e
    }
}

/// Log-likelihood, gradient and minus the Hessian (blocks: diagonal `a` for α, `b` α×(δ,γ)
/// row-major, `c` (δ,γ)²) at `beta`.
pub(super) struct Pass {
    ll: f64,
    g: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// One cell's log-likelihood and its first and second derivatives in η (`fisher`: the
/// expected information instead of minus the observed second derivative).
fn cell_terms(h0: f64, eta: f64, r: f64, y: f64, fisher: bool) -> (f64, f64, f64) {
    let p = 1.0 / (1.0 + (-eta).exp());
    let q = 1.0 / (1.0 + eta.exp());
    let h = h0 + (1.0 - h0) * p;
    let u = (1.0 - h0) * p * q; // dh/dη
    let ln_1mh = (-h0).ln_1p() - softplus(eta);
    let mut ll = 0.0;
    if y > 0.0 {
        ll += y * h.ln();
    }
    if r > y {
        ll += (r - y) * ln_1mh;
    }
    let g = if y > 0.0 { y * u / h } else { 0.0 } - (r - y) * p;
    let w = if fisher {
        r * u * u / (h * (1.0 - h)).max(1e-300)
    } else {
        let obs = if y > 0.0 {
            y * (u * (1.0 - 2.0 * p) / h - u * u / (h * h))
        } else {
            0.0
        } - (r - y) * p * q;
        -obs
    };
    (ll, g, w)
}

pub(super) fn pass(pr: &Problem, h0: &[f64], beta: &[f64], fisher: bool) -> Pass {
    let (na, e) = (pr.n_alpha(), pr.e);
    let eta_z: Vec<f64> = pr
        .rows
        .iter()
        .map(|row| row.iter().zip(&beta[na..]).map(|(x, b)| x * b).sum())
        .collect();
    let mut g = vec![0.0; na + e];
    let mut a = vec![0.0; na];
    let mut b = vec![0.0; na * e];
    let mut wz = vec![0.0; pr.rows.len()];
    let mut gz = vec![0.0; pr.rows.len()];
    let (mut ll, mut comp) = (0.0f64, 0.0f64);
    for (k, cell) in pr.cells.iter().enumerate() {
        let (t, z) = (pr.alpha[k] as usize, cell.z as usize);
        let eta = beta[t] + eta_z.get(z).copied().unwrap_or(0.0);
        let (l, gi, w) = cell_terms(h0[k], eta, cell.r, cell.y, fisher);
        // Neumaier-compensated sum, as data::log_likelihood.
        let s = ll + l;
        comp += if ll.abs() >= l.abs() {
            (ll - s) + l
        } else {
            (l - s) + ll
        };
        ll = s;
        g[t] += gi;
        a[t] += w;
        if e > 0 {
            let row = &pr.rows[z];
            for (bj, x) in b[t * e..(t + 1) * e].iter_mut().zip(row) {
                *bj += w * x;
            }
            wz[z] += w;
            gz[z] += gi;
        }
    }
    let mut c = vec![0.0; e * e];
    for (z, row) in pr.rows.iter().enumerate() {
        for i in 0..e {
            g[na + i] += gz[z] * row[i];
            for j in 0..e {
                c[i * e + j] += wz[z] * row[i] * row[j];
            }
        }
    }
    let ll = ll + comp;
    Pass {
        ll: if ll.is_nan() { f64::NEG_INFINITY } else { ll },
        g,
        a,
        b,
        c,
    }
}

/// The inverse of the Schur complement `c − bᵀ diag(a)⁻¹ b` of minus the Hessian (empty
/// when `E = 0`); `None` if minus the Hessian is not positive definite.
fn schur_inverse(p: &Pass, na: usize, e: usize) -> Option<Vec<Vec<f64>>> {
    if p.a.iter().any(|&a| a.is_nan() || a <= 0.0) {
        return None;
    }
    if e == 0 {
        return Some(Vec::new());
    }
    let mut s: Vec<Vec<f64>> = (0..e)
        .map(|i| (0..e).map(|j| p.c[i * e + j]).collect())
        .collect();
    for t in 0..na {
        let bt = &p.b[t * e..(t + 1) * e];
        for i in 0..e {
            for j in 0..e {
                s[i][j] -= bt[i] * bt[j] / p.a[t];
            }
        }
    }
    optim::inverse_spd(&s)
}

/// Solves `[[diag a, b], [bᵀ, c]] d = g` by the Schur complement in the (δ, γ) block;
/// `None` if the matrix is not positive definite.
fn solve(p: &Pass, na: usize, e: usize) -> Option<Vec<f64>> {
    let inv = schur_inverse(p, na, e)?;
    let mut rhs: Vec<f64> = p.g[na..].to_vec();
    for t in 0..na {
        for (r, bi) in rhs.iter_mut().zip(&p.b[t * e..(t + 1) * e]) {
            *r -= bi * p.g[t] / p.a[t];
        }
    }
    let db: Vec<f64> = (0..e)
        .map(|i| (0..e).map(|j| inv[i][j] * rhs[j]).sum())
        .collect();
    let mut d: Vec<f64> = (0..na)
        .map(|t| {
            let bt = &p.b[t * e..(t + 1) * e];
            (p.g[t] - bt.iter().zip(&db).map(|(x, y)| x * y).sum::<f64>()) / p.a[t]
        })
        .collect();
    d.extend(db);
    d.iter().all(|v| v.is_finite()).then_some(d)
}

/// The inner maximum over `β` for hazards `h0` (each cell's network term), from `beta`.
pub(super) fn inner(pr: &Problem, h0: &[f64], beta: &mut [f64]) -> f64 {
    let (na, e) = (pr.n_alpha(), pr.e);
    let mut cur = pass(pr, h0, beta, false);
    if !cur.ll.is_finite() {
        return f64::NEG_INFINITY;
    }
    for _ in 0..200 {
        let mut dir = match solve(&cur, na, e) {
            Some(d) => d,
            None => {
                let f = pass(pr, h0, beta, true);
                match solve(&f, na, e) {
                    Some(d) => d,
                    None => break,
                }
            }
        };
        // Coefficients held at the bound (a period or group without adoptions) stay there.
        for (d, b) in dir.iter_mut().zip(beta.iter()) {
            if (*b <= -BOUND && *d < 0.0) || (*b >= BOUND && *d > 0.0) {
                *d = 0.0;
            }
        }
        let gain: f64 = dir.iter().zip(&cur.g).map(|(d, g)| d * g).sum();
        if gain.is_nan() || gain <= 0.0 {
            break;
        }
        // Step halving until the log-likelihood does not fall (as glm's IRLS); the last step
        // is taken even when the predicted gain is below the tolerance.
        let mut step = 1.0;
        let mut moved = false;
        for _ in 0..40 {
            let trial: Vec<f64> = beta
                .iter()
                .zip(&dir)
                .map(|(b, d)| (b + step * d).clamp(-BOUND, BOUND))
                .collect();
            let next = pass(pr, h0, &trial, false);
            if next.ll.is_finite() && next.ll >= cur.ll {
                beta.copy_from_slice(&trial);
                cur = next;
                moved = true;
                break;
            }
            step *= 0.5;
        }
        if !moved || gain <= 1e-12 * (1.0 + cur.ll.abs()) {
            break;
        }
    }
    cur.ll
}

/// The diagonal of the inverse of minus the inner Hessian (`None` if not positive definite).
pub(super) fn inner_variance(p: &Pass, na: usize, e: usize) -> Option<Vec<f64>> {
    let inv = schur_inverse(p, na, e)?;
    let mut d: Vec<f64> = (0..na)
        .map(|t| {
            let u: Vec<f64> = p.b[t * e..(t + 1) * e].iter().map(|x| x / p.a[t]).collect();
            let quad: f64 = (0..e)
                .map(|i| (0..e).map(|j| u[i] * inv[i][j] * u[j]).sum::<f64>())
                .sum();
            1.0 / p.a[t] + quad
        })
        .collect();
    d.extend((0..e).map(|i| inv[i][i]));
    Some(d)
}
