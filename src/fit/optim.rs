//! Small-dimensional maximisation with box constraints, numerical derivatives, standard
//! errors and profile likelihood intervals (the χ² tail: [`super::chi2`]).
//!
//! The likelihoods are 1–3-parameter problems (count and share forms are concave after
//! reparametrisation), so a hand-written damped projected Newton with a backtracking line
//! search is enough: derivatives by finite differences of the log-likelihood (one-sided at a
//! bound), Levenberg damping when the Hessian is not negative definite, parameters at a bound
//! with the gradient pointing out held fixed. A short Nelder–Mead pass from the best grid start
//! guards against kinks (the threshold likelihood is only piecewise smooth). Profile
//! intervals, built on [`newton`], are in [`super::profile`] (which depends on this module,
//! not the reverse).

/// `χ²₁(0.95) / 2`: the drop in log-likelihood that bounds a 95% profile interval
/// ([`super::profile::profile_interval`]; the simulated fits' identification check).
pub const PROFILE_DROP: f64 = 3.841_458_820_694_124 / 2.0;

/// An objective to maximise (a log-likelihood; `−∞` where impossible).
pub type Objective<'a> = dyn Fn(&[f64]) -> f64 + 'a;

fn step(x: f64) -> f64 {
    1e-5 * x.abs().max(1e-2)
}

fn clamp(x: &mut [f64], b: &[(f64, f64)]) {
    for (v, &(lo, hi)) in x.iter_mut().zip(b) {
        *v = v.clamp(lo, hi);
    }
}

fn fixed(b: (f64, f64)) -> bool {
    b.1 - b.0 < 1e-15
}

/// Gradient and Hessian of `f` at `x` by finite differences, one-sided where a bound is
/// within a step. Entries of fixed parameters (`lo == hi`) are 0.
pub fn derivatives(
    f: &Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = x.len();
    let mut g = vec![0.0; d];
    let mut h = vec![vec![0.0; d]; d];
    let at = |dx: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(k, v) in dx {
            y[k] += v;
        }
        f(&y)
    };
    // sign: +1 forward only, -1 backward only, 0 central.
    let mut sign = vec![0i8; d];
    let mut del = vec![0.0; d];
    for k in 0..d {
        if fixed(b[k]) {
            continue;
        }
        let s = step(x[k]);
        del[k] = s;
        sign[k] = if x[k] - s < b[k].0 {
            1
        } else if x[k] + s > b[k].1 {
            -1
        } else {
            0
        };
        if sign[k] == 0 {
            let (fp, fm) = (at(&[(k, s)]), at(&[(k, -s)]));
            g[k] = (fp - fm) / (2.0 * s);
            h[k][k] = (fp - 2.0 * fx + fm) / (s * s);
        } else {
            let s = s * sign[k] as f64;
            let (f1, f2) = (at(&[(k, s)]), at(&[(k, 2.0 * s)]));
            g[k] = (-3.0 * fx + 4.0 * f1 - f2) / (2.0 * s);
            h[k][k] = (fx - 2.0 * f1 + f2) / (s * s);
        }
    }
    for k in 0..d {
        for l in k + 1..d {
            if fixed(b[k]) || fixed(b[l]) {
                continue;
            }
            let v = if sign[k] == 0 && sign[l] == 0 {
                let (sk, sl) = (del[k], del[l]);
                (at(&[(k, sk), (l, sl)]) - at(&[(k, sk), (l, -sl)]) - at(&[(k, -sk), (l, sl)])
                    + at(&[(k, -sk), (l, -sl)]))
                    / (4.0 * sk * sl)
            } else {
                let sk = del[k] * if sign[k] < 0 { -1.0 } else { 1.0 };
                let sl = del[l] * if sign[l] < 0 { -1.0 } else { 1.0 };
                (at(&[(k, sk), (l, sl)]) - at(&[(k, sk)]) - at(&[(l, sl)]) + fx) / (sk * sl)
            };
            h[k][l] = v;
            h[l][k] = v;
        }
    }
    (g, h)
}

/// Cholesky factor of a symmetric positive definite matrix, or `None`.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

fn solve_chol(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// Inverse of a symmetric positive definite matrix, or `None`.
pub fn inverse_spd(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let l = cholesky(a)?;
    let n = a.len();
    let mut inv = vec![vec![0.0; n]; n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let col = solve_chol(&l, &e);
        for i in 0..n {
            inv[i][j] = col[i];
        }
    }
    Some(inv)
}

/// Damped projected Newton from `x0` (feasible with finite `f`). Returns the maximiser and
/// the maximum.
pub fn newton(f: &Objective<'_>, x0: &[f64], b: &[(f64, f64)]) -> (Vec<f64>, f64) {
    let mut x = x0.to_vec();
    clamp(&mut x, b);
    let mut fx = f(&x);
    if !fx.is_finite() {
        return (x, fx);
    }
    let d = x.len();
    for _ in 0..200 {
        let (g, h) = derivatives(f, &x, b, fx);
        let free: Vec<usize> = (0..d)
            .filter(|&k| {
                !(fixed(b[k]) || (x[k] <= b[k].0 && g[k] <= 0.0) || (x[k] >= b[k].1 && g[k] >= 0.0))
            })
            .collect();
        if free.is_empty() {
            break;
        }
        let gf: Vec<f64> = free.iter().map(|&k| g[k]).collect();
        let mut lambda = 0.0;
        let mut improved = false;
        let mut converged = false;
        let mut stalled = false;
        while lambda < 1e12 && !stalled {
            let a: Vec<Vec<f64>> = free
                .iter()
                .map(|&k| {
                    free.iter()
                        .map(|&l| {
                            let mut v = -h[k][l];
                            if k == l {
                                v += lambda * h[k][k].abs().max(1e-8);
                            }
                            v
                        })
                        .collect()
                })
                .collect();
            let Some(l) = cholesky(&a) else {
                lambda = if lambda == 0.0 { 1e-4 } else { lambda * 10.0 };
                continue;
            };
            let dir = solve_chol(&l, &gf);
            let mut alpha = 1.0;
            for _ in 0..40 {
                let mut y = x.clone();
                for (j, &k) in free.iter().enumerate() {
                    y[k] += alpha * dir[j];
                }
                clamp(&mut y, b);
                // A step that no longer moves `x` (beyond rounding) cannot raise `f`: stop
                // rather than halve and damp on against the objective's rounding noise
                // (a profile over an inner maximisation is not smooth to the last digit).
                if (0..d).all(|k| (y[k] - x[k]).abs() <= 1e-12 * (1.0 + x[k].abs())) {
                    stalled = true;
                    break;
                }
                let fy = f(&y);
                let gain: f64 = free.iter().map(|&k| g[k] * (y[k] - x[k])).sum();
                if fy.is_finite() && fy >= fx + 1e-4 * gain.max(0.0) {
                    let moved = (0..d).all(|k| (y[k] - x[k]).abs() <= 1e-10 * (1.0 + x[k].abs()));
                    converged = fy - fx <= 1e-11 * (1.0 + fx.abs()) && moved
                        || (fy - fx).abs() <= 1e-13 * (1.0 + fx.abs());
                    improved = fy > fx || converged;
                    x = y;
                    fx = fy;
                    break;
                }
                alpha *= 0.5;
            }
            if improved {
                break;
            }
            lambda = if lambda == 0.0 { 1e-4 } else { lambda * 10.0 };
        }
        if !improved || converged {
            break;
        }
    }
    (x, fx)
}

/// Nelder–Mead on the box (points clamped), `iters` iterations.
pub fn nelder_mead(
    f: &Objective<'_>,
    x0: &[f64],
    b: &[(f64, f64)],
    iters: usize,
) -> (Vec<f64>, f64) {
    let d = x0.len();
    let eval = |x: &mut Vec<f64>| {
        clamp(x, b);
        let v = f(x);
        if v.is_nan() { f64::NEG_INFINITY } else { v }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    let mut p = x0.to_vec();
    let v = eval(&mut p);
    simplex.push((p, v));
    for k in 0..d {
        let mut p = x0.to_vec();
        let span = (b[k].1 - b[k].0).min(1.0);
        let s = (0.25 * p[k].abs()).max(0.05 * span);
        p[k] = if p[k] + s <= b[k].1 {
            p[k] + s
        } else {
            p[k] - s
        };
        let v = eval(&mut p);
        simplex.push((p, v));
    }
    for _ in 0..iters {
        simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
        let worst = simplex[d].clone();
        let centroid: Vec<f64> = (0..d)
            .map(|k| simplex[..d].iter().map(|s| s.0[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (worst.0[k] - centroid[k]))
                .collect()
        };
        let mut r = along(-1.0);
        let fr = eval(&mut r);
        if fr > simplex[0].1 {
            let mut e = along(-2.0);
            let fe = eval(&mut e);
            simplex[d] = if fe > fr { (e, fe) } else { (r, fr) };
        } else if fr > simplex[d - 1].1 {
            simplex[d] = (r, fr);
        } else {
            let mut c = along(0.5);
            let fc = eval(&mut c);
            if fc > worst.1 {
                simplex[d] = (c, fc);
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    let mut p: Vec<f64> =
                        (0..d).map(|k| best[k] + 0.5 * (s.0[k] - best[k])).collect();
                    let v = eval(&mut p);
                    *s = (p, v);
                }
            }
        }
    }
    simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
    simplex.swap_remove(0)
}

/// Maximises `f` over the box from the best of `starts`: Nelder–Mead first when `rough` (a
/// likelihood with kinks), then Newton.
pub fn maximize(
    f: &Objective<'_>,
    starts: &[Vec<f64>],
    b: &[(f64, f64)],
    rough: bool,
) -> (Vec<f64>, f64) {
    let mut best: Option<(Vec<f64>, f64)> = None;
    for s in starts {
        let mut x = s.clone();
        clamp(&mut x, b);
        let v = f(&x);
        if best.as_ref().is_none_or(|(_, bv)| v > *bv) {
            best = Some((x, v));
        }
    }
    let (x0, f0) =
        best.unwrap_or_else(|| (b.iter().map(|&(lo, _)| lo).collect(), f64::NEG_INFINITY));
    if !f0.is_finite() {
        return (x0, f0);
    }
    if !rough {
        return newton(f, &x0, b);
    }
    let (x1, f1) = nelder_mead(f, &x0, b, 60 * x0.len());
    let (x1, _) = if f1 >= f0 { (x1, f1) } else { (x0, f0) };
    newton(f, &x1, b)
}

/// Standard errors from the observed information (the inverse of minus the Hessian) over the
/// parameters not at a bound; `None` for parameters at a bound or where the information is
/// not positive definite.
pub fn standard_errors(
    f: &Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
) -> Vec<Option<f64>> {
    let d = x.len();
    let (_, h) = derivatives(f, x, b, fx);
    let free = interior(x, b);
    let a: Vec<Vec<f64>> = free
        .iter()
        .map(|&k| free.iter().map(|&l| -h[k][l]).collect())
        .collect();
    let mut out = vec![None; d];
    if let Some(inv) = inverse_spd(&a) {
        for (j, &k) in free.iter().enumerate() {
            if inv[j][j] > 0.0 {
                out[k] = Some(inv[j][j].sqrt());
            }
        }
    }
    out
}

/// The covariance of the estimates over the parameters not at a bound (the inverse of minus
/// the Hessian): `(k, row)` per free parameter `k`, `row` over the free parameters in order;
/// empty where the information is not positive definite.
pub fn covariance(
    f: &Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
) -> Vec<(usize, Vec<f64>)> {
    let (_, h) = derivatives(f, x, b, fx);
    let free = interior(x, b);
    let a: Vec<Vec<f64>> = free
        .iter()
        .map(|&k| free.iter().map(|&l| -h[k][l]).collect())
        .collect();
    match inverse_spd(&a) {
        Some(inv) => free.into_iter().zip(inv).collect(),
        None => Vec::new(),
    }
}

/// The parameters strictly inside their bounds.
fn interior(x: &[f64], b: &[(f64, f64)]) -> Vec<usize> {
    (0..x.len())
        .filter(|&k| {
            let tol = 1e-9 * (b[k].1 - b[k].0).max(1.0);
            !fixed(b[k]) && x[k] - b[k].0 > tol && b[k].1 - x[k] > tol
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newton_on_binomial() {
        // log L = 30 ln p + 70 ln(1 - p): p̂ = 0.3.
        let f = |x: &[f64]| 30.0 * x[0].ln() + 70.0 * (1.0 - x[0]).ln();
        let (x, fx) = maximize(&f, &[vec![0.5]], &[(0.0, 1.0)], false);
        assert!((x[0] - 0.3).abs() < 1e-8, "{x:?}");
        let se = standard_errors(&f, &x, &[(0.0, 1.0)], fx);
        assert!((se[0].unwrap() - (0.3f64 * 0.7 / 100.0).sqrt()).abs() < 1e-6);
    }

    #[test]
    fn bound_is_respected() {
        // Increasing in x: the maximum sits at the upper bound.
        let f = |x: &[f64]| -(x[0] - 2.0).powi(2) - (x[1] - 0.2).powi(2);
        let (x, _) = maximize(&f, &[vec![0.5, 0.5]], &[(0.0, 1.0), (0.0, 1.0)], true);
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 0.2).abs() < 1e-6,
            "{x:?}"
        );
    }
}
