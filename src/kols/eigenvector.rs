//! Eigenvector centrality behind the `eigenvector` KOL rule.
//!
//! On a symmetric network (every arc has a reverse arc of the same weight, as in the
//! Barabási–Albert, Erdős–Rényi and other undirected generators) the dominant eigenvector is
//! found by LOBPCG (Knyazev 2001) with a residual stopping rule; otherwise (directed
//! nominations, the implicit complete graph) by shifted power iteration. Both are
//! deterministic: every node's sum is serial, and reductions add fixed blocks of nodes in a
//! fixed order, so results do not depend on the number of threads.

use super::spmv::Product;
use crate::network::Network;
use rayon::prelude::*;

/// Nodes per block of a deterministic parallel reduction.
const BLOCK: usize = 1 << 14;

/// Which algorithm produced eigenvector scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EigenSolver {
    /// LOBPCG on a symmetric network; the error is the relative residual
    /// `‖Ax − λx‖₂ / (λ ‖x‖₂)`.
    Lobpcg,
    /// Power iteration on `A + I`; the error is the L1 change of the last iteration.
    PowerIteration,
}

impl EigenSolver {
    /// Name used in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            EigenSolver::Lobpcg => "lobpcg",
            EigenSolver::PowerIteration => "power_iteration",
        }
    }
}

/// Eigenvector scores and how they were obtained (for the manifest).
#[derive(Debug, Clone, PartialEq)]
pub struct EigenvectorScores {
    /// Score of each node: non-negative, `Σ x² = 1` (before clamping round-off negatives).
    pub scores: Vec<f64>,
    /// The algorithm used.
    pub solver: EigenSolver,
    /// Iterations (sparse matrix–vector products of the main loop).
    pub iterations: usize,
    /// The stopping tolerance asked for.
    pub tolerance: f64,
    /// The final error measure (see [`EigenSolver`]).
    pub error: f64,
    /// Whether `error ≤ tolerance` was reached within the iteration cap.
    pub converged: bool,
}

/// Eigenvector centrality of the nomination graph: a physician is central when named by
/// central physicians, `x_j ∝ Σ_{i listens to j} w_ji x_i` (the orientation PageRank uses;
/// arc weights count). Scores are non-negative with `Σ x² = 1`.
///
/// * Symmetric networks ([`is_symmetric`]): LOBPCG for the largest eigenvalue, started from
///   the uniform vector, stopping when the relative residual `‖Ax − λx‖₂ ≤ tol · λ ‖x‖₂`
///   (checked on a freshly computed `Ax`) or after `max_iter` iterations. The eigenvector's
///   angle to the exact one is then at most `tol · λ / gap` (`gap` = λ₁ − λ₂). Its
///   convergence depends on the square root of the relative spectral gap, so scale-free
///   networks with their nearly symmetric spectra need tens of iterations, not thousands.
///   Round-off negatives (nodes whose exact score is 0) are clamped to 0.
/// * Otherwise: power iteration on `A + I` (the shift keeps the dominant eigenvector but
///   stops the oscillation of bipartite graphs such as stars) from the uniform vector,
///   normalising to unit length after each step, stopping when the L1 change is below `tol`
///   or after `max_iter` iterations. On a network that is not strongly connected the limit
///   concentrates on the strongly connected components that nobody upstream outranks, and on
///   acyclic parts convergence is only algebraic, so `max_iter` bounds the work.
///
/// # Complexity
/// `O(n + arcs)` time per iteration (parallel over nodes, each node's sum serial; on large
/// networks the products run in column blocks that keep the part of the vector read in
/// cache, with the same sums bit for bit), `O(n)` extra memory (eight vectors for LOBPCG)
/// plus 8 bytes per (node, column block) pair with arcs for the blocks. The implicit complete graph takes `O(n)` per
/// iteration. Deterministic whatever the thread count.
pub fn eigenvector(net: &Network, tol: f64, max_iter: usize) -> EigenvectorScores {
    if !net.is_complete() && is_symmetric(net) {
        lobpcg(net, tol, max_iter)
    } else {
        power_iteration(net, tol, max_iter)
    }
}

/// Whether every arc `j → i` has a reverse arc `i → j` of the same weight (an undirected
/// network). The implicit complete graph counts as not symmetric (its arcs are scaled by
/// the source's KOL weight).
///
/// # Complexity
/// `O(n + arcs)`, parallel over nodes.
pub fn is_symmetric(net: &Network) -> bool {
    if net.is_complete() {
        return false;
    }
    let (out, inn) = (net.out_arcs(), net.in_arcs());
    // Both directions are sorted by the other end, so a symmetric node has equal lists.
    (0..net.n())
        .into_par_iter()
        .all(|j| out.arcs(j) == inn.arcs(j))
}

/// `K` sums over `0..n` of `f(i)`, added within fixed blocks and then block by block, so the
/// result is the same for any thread count.
fn sums<const K: usize>(n: usize, f: impl Fn(usize) -> [f64; K] + Sync) -> [f64; K] {
    let blocks: Vec<[f64; K]> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut s = [0.0; K];
            for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
                for (t, v) in s.iter_mut().zip(f(i)) {
                    *t += v;
                }
            }
            s
        })
        .collect();
    let mut s = [0.0; K];
    for b in &blocks {
        for (t, v) in s.iter_mut().zip(b) {
            *t += v;
        }
    }
    s
}

/// `x ← s x`, `Ax ← s Ax`, `r ← Ax − λ x` in one pass; returns `Σ r²`, added as [`sums`]
/// adds (within blocks of [`BLOCK`], then block by block).
fn normalise_and_residual(
    x: &mut [f64],
    ax: &mut [f64],
    r: &mut [f64],
    s: f64,
    lambda: f64,
) -> f64 {
    let blocks: Vec<f64> = x
        .par_chunks_mut(BLOCK)
        .zip(ax.par_chunks_mut(BLOCK))
        .zip(r.par_chunks_mut(BLOCK))
        .map(|((xb, axb), rb)| {
            let mut t = 0.0;
            for ((xi, axi), ri) in xb.iter_mut().zip(axb.iter_mut()).zip(rb.iter_mut()) {
                *xi *= s;
                *axi *= s;
                *ri = *axi - lambda * *xi;
                t += *ri * *ri;
            }
            t
        })
        .collect();
    blocks.iter().fold(0.0, |t, b| t + b)
}

/// Locally optimal block preconditioned conjugate gradient (block size 1, no
/// preconditioner) for the largest eigenpair of the symmetric `A`: each step takes the best
/// Ritz vector in the span of the iterate, its residual and the previous step.
fn lobpcg(net: &Network, tol: f64, max_iter: usize) -> EigenvectorScores {
    let n = net.n();
    if n == 0 {
        return power_iteration(net, tol, max_iter);
    }
    let mut x = vec![1.0 / (n as f64).sqrt(); n];
    let mut ax = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut ar = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut ap = vec![0.0; n];
    let mut have_p = false;
    let mut iterations = 0;
    let mut error = f64::INFINITY;
    let mut converged = false;
    let a = Product::new(net);
    a.apply(&x, &mut ax);
    let mut fresh = true;
    loop {
        // Normalise x (and Ax) and take the Rayleigh quotient.
        let [xx, xax] = sums(n, |i| [x[i] * x[i], x[i] * ax[i]]);
        if xx <= 0.0 {
            break;
        }
        let s = 1.0 / xx.sqrt();
        let lambda = xax / xx;
        let rn = normalise_and_residual(&mut x, &mut ax, &mut r, s, lambda).sqrt();
        error = if lambda > 0.0 {
            rn / lambda
        } else if rn == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        if error <= tol {
            if fresh {
                converged = true;
                break;
            }
            // The recurrence for Ax drifts: confirm on a fresh product.
            a.apply(&x, &mut ax);
            fresh = true;
            continue;
        }
        if iterations >= max_iter {
            break;
        }
        iterations += 1;
        fresh = false;
        let inv = 1.0 / rn;
        r.par_iter_mut().for_each(|v| *v *= inv);
        a.apply(&r, &mut ar);
        let c = step_coefficients([&x, &r, &p, &ar, &ap], lambda, have_p);
        // x ← c0 x + c1 r + c2 p, p ← c1 r + c2 p, and the same for the products.
        x.par_iter_mut()
            .zip(p.par_iter_mut())
            .zip(ax.par_iter_mut().zip(ap.par_iter_mut()))
            .enumerate()
            .for_each(|(i, ((xi, pi), (axi, api)))| {
                let np = c[1] * r[i] + c[2] * *pi;
                let nap = c[1] * ar[i] + c[2] * *api;
                *xi = c[0] * *xi + np;
                *axi = c[0] * *axi + nap;
                *pi = np;
                *api = nap;
            });
        have_p = true;
    }
    // The Perron vector is non-negative: fix the sign, clamp round-off below zero.
    let [sum] = sums(n, |i| [x[i]]);
    let sign = if sum < 0.0 { -1.0 } else { 1.0 };
    x.par_iter_mut().for_each(|v| *v = (*v * sign).max(0.0));
    EigenvectorScores {
        scores: x,
        solver: EigenSolver::Lobpcg,
        iterations,
        tolerance: tol,
        error,
        converged,
    }
}

/// One LOBPCG step's coefficients `c` of the new iterate `c0 x + c1 r + c2 p`: the top Ritz
/// vector in the span of `v = [x, r, p, Ar, Ap]` (`p` only once `have_p`), given the Rayleigh
/// quotient `lambda` of `x`.
fn step_coefficients(v: [&[f64]; 5], lambda: f64, have_p: bool) -> [f64; 3] {
    let [x, r, p, ar, ap] = v;
    let n = x.len();
    // Gram matrices of the basis [x, r, p] (p normalised in coefficient space).
    let g = sums(n, |i| {
        let (xi, ri, pi) = (x[i], r[i], p[i]);
        [
            xi * ri,
            xi * pi,
            ri * ri,
            ri * pi,
            pi * pi,
            xi * ar[i],
            xi * ap[i],
            ri * ar[i],
            ri * ap[i],
            pi * ap[i],
        ]
    });
    let k = if have_p { 3 } else { 2 };
    let pn = if have_p {
        g[4].sqrt().max(f64::MIN_POSITIVE)
    } else {
        1.0
    };
    let d = [1.0, 1.0, 1.0 / pn];
    let gram = [[1.0, g[0], g[1]], [g[0], g[2], g[3]], [g[1], g[3], g[4]]];
    let proj = [[lambda, g[5], g[6]], [g[5], g[7], g[8]], [g[6], g[8], g[9]]];
    let mut sm = vec![0.0; k * k];
    let mut hm = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            sm[a * k + b] = gram[a][b] * d[a] * d[b];
            hm[a * k + b] = proj[a][b] * d[a] * d[b];
        }
    }
    let c = top_ritz_vector(&sm, &hm, k);
    [c[0], c[1], if k == 3 { c[2] * d[2] } else { 0.0 }]
}

/// Coefficients `c` (length `k`) of the Ritz vector for the largest Ritz value of the pencil
/// `(H, S)` (`k × k`, row-major, `S` positive semi-definite with unit diagonal): directions
/// that are numerically dependent on earlier ones are dropped.
fn top_ritz_vector(s: &[f64], h: &[f64], k: usize) -> Vec<f64> {
    // S-orthonormal basis Q of the coefficient space by modified Gram–Schmidt.
    let dot = |a: &[f64], b: &[f64]| {
        let mut t = 0.0;
        for i in 0..k {
            for j in 0..k {
                t += a[i] * s[i * k + j] * b[j];
            }
        }
        t
    };
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(k);
    for e in 0..k {
        let mut w = vec![0.0; k];
        w[e] = 1.0;
        for _ in 0..2 {
            for qj in &q {
                let proj = dot(qj, &w);
                for (wi, qi) in w.iter_mut().zip(qj) {
                    *wi -= proj * qi;
                }
            }
        }
        let nrm = dot(&w, &w);
        if nrm > 1e-14 {
            let inv = 1.0 / nrm.sqrt();
            q.push(w.into_iter().map(|v| v * inv).collect());
        }
    }
    let m = q.len();
    // Projected matrix M = Qᵀ H Q.
    let mut mm = vec![0.0; m * m];
    for a in 0..m {
        for b in 0..m {
            let mut t = 0.0;
            for i in 0..k {
                for j in 0..k {
                    t += q[a][i] * h[i * k + j] * q[b][j];
                }
            }
            mm[a * m + b] = t;
        }
    }
    let (values, vectors) = symmetric_eigen(mm, m);
    let top = (0..m)
        .max_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    let mut c = vec![0.0; k];
    for a in 0..m {
        let y = vectors[a * m + top];
        for (ci, qi) in c.iter_mut().zip(&q[a]) {
            *ci += y * qi;
        }
    }
    c
}

/// Eigenvalues and eigenvectors (the columns of the returned row-major matrix) of the small
/// symmetric `k × k` matrix `a` (row-major), by cyclic Jacobi rotations.
///
/// # Complexity
/// `O(k³)` per sweep, a handful of sweeps.
pub(crate) fn symmetric_eigen(mut a: Vec<f64>, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
    }
    for _ in 0..64 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * k + j] * a[i * k + j])
            .sum();
        let all: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-30 * all || off == 0.0 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[p * k + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[r * k + p], a[r * k + q]);
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[p * k + r], a[q * k + r]);
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[r * k + p], v[r * k + q]);
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..k).map(|i| a[i * k + i]).collect(), v)
}

/// Power iteration on `A + I` (see [`eigenvector`]).
fn power_iteration(net: &Network, tol: f64, max_iter: usize) -> EigenvectorScores {
    let n = net.n();
    let mut x = vec![1.0 / (n as f64).sqrt(); n];
    let mut y = vec![0.0; n];
    let (mut iterations, mut error, mut converged) = (0, f64::INFINITY, n == 0);
    let a = Product::new(net);
    while !converged && iterations < max_iter {
        iterations += 1;
        if net.is_complete() {
            // Arcs j → i of weight s_j for every i ≠ j: y_j = x_j + s_j (X - x_j).
            let total: f64 = x.iter().sum();
            y.par_iter_mut().enumerate().for_each(|(j, yj)| {
                *yj = x[j] + net.source_scale(j) as f64 * (total - x[j]);
            });
        } else {
            a.apply(&x, &mut y);
            y.par_iter_mut().zip(&x).for_each(|(yj, xj)| *yj += xj);
        }
        let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            y.par_iter_mut().for_each(|v| *v /= norm);
        }
        error = y.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut y);
        converged = error < tol;
    }
    EigenvectorScores {
        scores: x,
        solver: EigenSolver::PowerIteration,
        iterations,
        tolerance: tol,
        error,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{ArcList, generators};
    use crate::rng::{Purpose, stream};

    fn undirected(n: usize, ties: &[(u32, u32)]) -> Network {
        let mut a = ArcList::default();
        for &(x, y) in ties {
            a.push_undirected(x, y, 1.0);
        }
        Network::from_arcs(n, a)
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < tol)
    }

    fn ranking(x: &[f64]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[b].total_cmp(&x[a]).then(a.cmp(&b)));
        order
    }

    #[test]
    fn jacobi_diagonalises_small_matrices() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
        let (mut vals, _) = symmetric_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        vals.sort_by(f64::total_cmp);
        assert!(close(&vals, &[1.0, 3.0], 1e-14));
    }

    #[test]
    fn eigenvector_on_stars() {
        // Undirected star with 4 leaves: top eigenvalue 2, centre = 2 × leaf.
        let star = undirected(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        let e = eigenvector(&star, 1e-12, 1000);
        assert_eq!(e.solver, EigenSolver::Lobpcg);
        assert!(e.converged && e.error <= 1e-12, "{e:?}");
        let leaf = 1.0 / 8f64.sqrt();
        assert!(
            close(&e.scores, &[2.0 * leaf, leaf, leaf, leaf, leaf], 1e-12),
            "{e:?}"
        );
        // Directed: 0 advises 1..4 (named by all, names nobody): the centre dominates.
        let mut a = ArcList::default();
        for i in 1..5 {
            a.push(0, i, 1.0);
        }
        let e = eigenvector(&Network::from_arcs(5, a), 1e-12, 200);
        assert_eq!(e.solver, EigenSolver::PowerIteration);
        let x = e.scores;
        assert!(
            x[0] > 0.99 && x[1..].iter().all(|&v| v < 0.02 && v == x[1]),
            "{x:?}"
        );
        // Complete graph: uniform.
        let e = eigenvector(&Network::complete(4), 1e-15, 100);
        assert!(close(&e.scores, &[0.5; 4], 1e-12) && e.converged);
        // No arcs: the uniform start is already an eigenvector (of 0).
        let e = eigenvector(&undirected(3, &[]), 1e-10, 100);
        assert!(e.converged && e.iterations == 0);
    }

    #[test]
    fn lobpcg_matches_a_dense_eigensolver() {
        let net = generators::erdos_renyi(80, 5.0, &mut stream(3, Purpose::Network, 0));
        assert!(is_symmetric(&net));
        let n = net.n();
        let mut dense = vec![0.0; n * n];
        for j in 0..n {
            let (nb, w) = net.out_arcs().arcs(j);
            for (&i, &wi) in nb.iter().zip(w) {
                dense[j * n + i as usize] = wi as f64;
            }
        }
        let (vals, vecs) = symmetric_eigen(dense.clone(), n);
        let top = (0..n).max_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap();
        let mut want: Vec<f64> = (0..n).map(|i| vecs[i * n + top]).collect();
        if want.iter().sum::<f64>() < 0.0 {
            want.iter_mut().for_each(|v| *v = -*v);
        }
        let tol = 1e-10;
        let e = eigenvector(&net, tol, 500);
        assert!(e.converged && e.iterations < 100, "{e:?}");
        // The residual on an independent dense product, and the angle to the exact vector.
        let x = &e.scores;
        let lambda = vals[top];
        let res: f64 = (0..n)
            .map(|j| {
                let ax: f64 = (0..n).map(|i| dense[j * n + i] * x[i]).sum();
                (ax - lambda * x[j]).powi(2)
            })
            .sum::<f64>()
            .sqrt();
        assert!(res <= 2.0 * tol * lambda, "{res}");
        let mut sorted = vals.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let gap = sorted[0] - sorted[1];
        assert!(close(x, &want, 2.0 * tol * lambda / gap + 1e-12), "{x:?}");
    }

    #[test]
    fn lobpcg_ranks_like_converged_power_iteration() {
        for net in [
            generators::barabasi_albert(400, 3, &mut stream(4, Purpose::Network, 0)),
            generators::erdos_renyi(400, 6.0, &mut stream(4, Purpose::Network, 0)),
        ] {
            let p = power_iteration(&net, 1e-14, 100_000);
            let e = eigenvector(&net, 1e-12, 1_000);
            assert!(p.converged && e.converged && e.solver == EigenSolver::Lobpcg);
            assert!(
                2 * e.iterations < p.iterations,
                "{} {}",
                e.iterations,
                p.iterations
            );
            assert!(close(&e.scores, &p.scores, 1e-9));
            assert_eq!(ranking(&e.scores), ranking(&p.scores));
        }
    }

    #[test]
    fn eigenvector_is_thread_count_independent() {
        let ba = generators::barabasi_albert(40_000, 3, &mut stream(7, Purpose::Network, 0));
        let mut a = ArcList::default();
        for j in 0..500u32 {
            a.push(j, (j * 7 + 1) % 500, 1.0);
            a.push(j, (j * 13 + 5) % 500, 1.0);
        }
        let directed = Network::from_arcs(500, a);
        let go = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    (
                        eigenvector(&ba, 1e-10, 1000),
                        eigenvector(&directed, 1e-12, 300),
                    )
                })
        };
        let one = go(1);
        // More nodes than two reduction blocks, so the block sums are really split.
        assert!(one.0.converged && one.0.scores.len() > 2 * BLOCK);
        assert_eq!(one, go(2));
        assert_eq!(one, go(4));
    }
}
