//! Solving a pass's Newton system: the Schur complement over the dense coefficients (the α
//! block is diagonal), the step, and the coefficients' variances.

use super::*;

/// The inverse of the Schur complement `c − bᵀ diag(a)⁻¹ b` of minus the Hessian over the
/// coefficients not `held` (a held coefficient's row and column are the identity's; empty
/// when `E = 0`); `None` if that matrix is not positive definite.
fn schur_inverse(p: &Pass, na: usize, e: usize, held: &[bool]) -> Option<Vec<Vec<f64>>> {
    let free = |k: usize| !held.get(k).copied().unwrap_or(false);
    if (0..na).any(|t| free(t) && (p.a[t].is_nan() || p.a[t] <= 0.0)) {
        return None;
    }
    if e == 0 {
        return Some(Vec::new());
    }
    let mut s: Vec<Vec<f64>> = (0..e)
        .map(|i| (0..e).map(|j| p.c[i * e + j]).collect())
        .collect();
    for t in (0..na).filter(|&t| free(t)) {
        let bt = &p.b[t * e..(t + 1) * e];
        for i in 0..e {
            for j in 0..e {
                s[i][j] -= bt[i] * bt[j] / p.a[t];
            }
        }
    }
    for i in (0..e).filter(|&i| !free(na + i)) {
        s[i].fill(0.0);
        for row in s.iter_mut() {
            row[i] = 0.0;
        }
        s[i][i] = 1.0;
    }
    optim::inverse_spd(&s)
}

/// Solves `[[diag a, b], [bᵀ, c]] d = g` over the coefficients not `held` (their step is 0)
/// by the Schur complement in the (δ, γ) block; `None` if the matrix is not positive
/// definite.
pub(in crate::fit) fn solve(p: &Pass, na: usize, e: usize, held: &[bool]) -> Option<Vec<f64>> {
    let inv = schur_inverse(p, na, e, held)?;
    let mut rhs: Vec<f64> = p.g[na..].to_vec();
    for t in (0..na).filter(|&t| !held[t]) {
        for (r, bi) in rhs.iter_mut().zip(&p.b[t * e..(t + 1) * e]) {
            *r -= bi * p.g[t] / p.a[t];
        }
    }
    for (r, h) in rhs.iter_mut().zip(&held[na..]) {
        if *h {
            *r = 0.0;
        }
    }
    let db: Vec<f64> = (0..e)
        .map(|i| (0..e).map(|j| inv[i][j] * rhs[j]).sum())
        .collect();
    let mut d: Vec<f64> = (0..na)
        .map(|t| {
            if held[t] {
                return 0.0;
            }
            let bt = &p.b[t * e..(t + 1) * e];
            (p.g[t] - bt.iter().zip(&db).map(|(x, y)| x * y).sum::<f64>()) / p.a[t]
        })
        .collect();
    d.extend(db);
    d.iter().all(|v| v.is_finite()).then_some(d)
}

/// The diagonal of the inverse of minus the inner Hessian (`None` if not positive definite).
pub(in crate::fit) fn inner_variance(p: &Pass, na: usize, e: usize) -> Option<Vec<f64>> {
    let inv = schur_inverse(p, na, e, &[])?;
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
