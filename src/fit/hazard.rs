//! One hazard with controls: every model's spontaneous probability is
//! `p_i(t) = logistic(α_t + δ_g(i) + x_iᵀγ)` (α constant or one per period; `δ`, `γ` from
//! [`crate::fit::controls`]), combined with the model's network term as in MODELS.md:
//! `h = 1 − (1 − p_i(t))(1 − n)`, `n` the model's hazard with `p = 0`.
//!
//! # Method
//! For the network parameters `ψ` (the model's parameters other than `p`), the control
//! coefficients `β = (α, δ, γ)` are profiled out: the inner maximisation is Newton's method
//! with the analytic gradient and Hessian in `β` (one pass over the cells per iteration; the
//! α block is diagonal, so the step solves a small Schur complement in `(δ, γ)`), falling back
//! to Fisher scoring where the observed information is not positive definite and to Levenberg
//! steps where halving a Newton step does not help, warm-started from the previous solution
//! (and from the cold start too where the warm solution has a coefficient in a flat tail), each
//! Newton run capped at [`MAX_ITERATIONS`] iterations ([`Profiled::capped`] counts the
//! evaluations that stopped there). `ψ` is maximised over the profile with [`optim`] (profile
//! intervals, as without controls); a kinked one-parameter profile (threshold's `high`) by
//! the profile's analytic slope instead (`slope.rs`).
//!
//! Where the network term has analytic derivatives in `ψ` (Bass, structural equivalence, the
//! KOL term and its `(q_O, κ)` form: `joint.rs`), the maximum is instead one projected Newton
//! over `(β, ψ)` jointly, the standard errors come from the joint information, and each
//! profile-interval point is a joint maximum with one `ψ` held; neither the outer optimiser's
//! finite differences nor the cold re-start of the profile path are needed there.
//!
//! The coefficients' standard errors are those of the full information matrix, from the
//! inner information and the derivative of the inner solution in `ψ`:
//! `Var β̂ = I_ββ⁻¹ + J V Jᵀ`, `J = dβ̂/dψ`, `V` the profile covariance of `ψ̂`. Their 95%
//! intervals are Wald intervals on the log-odds scale.
//!
//! The data ([`Controlled`]) factor the likelihood: the network term is evaluated once per
//! `ψ` on the exposure cells (pooled over periods and patterns), and the inner pass costs
//! `O((groups + events) + patterns · E²)`, `groups` the `(period, pattern)` pairs at risk and
//! `events` the adoptions by period, pattern and exposure (the inner Newton of `newton.rs`, made
//! independent of its start in `hazard/inner.rs`).

mod inner;
mod joint;
mod slope;

use super::models::Candidate;
use super::newton::{BOUND, CHUNK, Problem, Terms, inner_variance, pass};
pub use super::newton::{Controlled, Spont};
use super::{Estimate, optim, profile};
use rayon::prelude::*;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;

/// A free control coefficient beyond this (log-odds) is in a flat tail of the logistic
/// (`p < 5·10⁻⁵`), where a warm start can stop at a lower local maximum ([`Profiled::solve`]).
const TAIL: f64 = 10.0;

/// Most iterations of one inner Newton run ([`Profiled::capped`]).
pub const MAX_ITERATIONS: usize = inner::MAX_ITERATIONS;

/// `Φ⁻¹(0.975)`.
const Z95: f64 = 1.959_963_984_540_054;

/// Passes over the data ([`pass_totals`]) and α grid checks made by the phases of one
/// controlled fit, read from process-wide counters before and after each phase: exact where
/// one fit runs at a time (fits running in parallel count each other's passes too, so its
/// `Debug` form leaves the counts out: a fit's printed form stays deterministic).
#[derive(Clone, Default)]
pub struct PassCounts {
    /// Per phase, in order: its name, passes, grid checks (each a sweep of every α over its
    /// grid) and maximisations (inner or joint climbs).
    pub phases: Vec<(String, u64, u64, u64)>,
}

impl std::fmt::Debug for PassCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassCounts { .. }")
    }
}

/// Passes over the data and α grid checks made by this process so far (every fit).
pub fn pass_totals() -> (u64, u64) {
    (
        super::newton::PASSES.load(Ordering::Relaxed),
        inner::GRID_CHECKS.load(Ordering::Relaxed),
    )
}

/// A model with controls: its profile log-likelihood in `ψ`, with the last inner solution
/// kept as the next start.
pub struct Profiled<'a> {
    pr: Problem<'a>,
    cand: Option<Candidate>,
    warm: RefCell<Vec<f64>>,
    start: Vec<f64>,
    cap: usize,
    capped: Cell<usize>,
    /// Maximisations so far ([`PassCounts`]).
    climbs: Cell<u64>,
    counts: RefCell<PassCounts>,
}

impl<'a> Profiled<'a> {
    /// Model `cand` (`None`: the controls alone) on data `d` with controls `s`.
    pub fn new(cand: Option<Candidate>, d: &Controlled<'a>, s: &Spont<'a>) -> Self {
        let pr = Problem::new(d, s);
        let (r, y) = d
            .cells
            .iter()
            .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
        let p0 = if r > 0.0 {
            (y / r).clamp(1e-9, 1.0 - 1e-9)
        } else {
            0.5
        };
        let mut start = vec![(p0 / (1.0 - p0)).ln(); pr.n_alpha()];
        start.resize(pr.dim(), 0.0);
        Profiled {
            warm: RefCell::new(start.clone()),
            start,
            pr,
            cand,
            cap: inner::MAX_ITERATIONS,
            capped: Cell::new(0),
            climbs: Cell::new(0),
            counts: RefCell::default(),
        }
    }

    /// `f()`, its passes, grid checks and maximisations counted as phase `name`.
    fn phase<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let ((p0, g0), c0) = (pass_totals(), self.climbs.get());
        let out = f();
        let (p1, g1) = pass_totals();
        self.counts.borrow_mut().phases.push((
            name.to_string(),
            p1 - p0,
            g1 - g0,
            self.climbs.get() - c0,
        ));
        out
    }

    /// The passes counted so far, by phase.
    pub fn pass_counts(&self) -> PassCounts {
        self.counts.borrow().clone()
    }

    /// The same, each inner Newton run capped at `cap` iterations instead of
    /// [`MAX_ITERATIONS`].
    pub fn with_iteration_cap(mut self, cap: usize) -> Self {
        self.cap = cap;
        self
    }

    /// How many evaluations so far stopped at the iteration cap: their value is the highest
    /// log-likelihood the inner Newton reached, a lower bound of the profile (0 in every fit
    /// the tests make).
    pub fn capped(&self) -> usize {
        self.capped.get()
    }

    /// Each cell's network term at `psi` (the model's hazard with `p = 0`).
    fn h0(&self, psi: &[f64]) -> Vec<f64> {
        match self.cand {
            None => vec![0.0; self.pr.cells.len()],
            Some(c) => {
                let mut th = psi.to_vec();
                th.insert(c.p_index().unwrap_or(0), 0.0);
                self.pr
                    .cells
                    .par_iter()
                    .with_min_len(CHUNK)
                    .map(|cell| c.hazard(&th, &cell.x))
                    .collect()
            }
        }
    }

    /// The profile log-likelihood at `psi` and the inner solution.
    pub fn solve(&self, psi: &[f64]) -> (f64, Vec<f64>) {
        let Some(h0) = self.terms(psi) else {
            return (f64::NEG_INFINITY, self.start.clone());
        };
        self.climbs.set(self.climbs.get() + 1);
        let mut beta = self.warm.borrow().clone();
        let mut run = inner::inner(&self.pr, &h0, &mut beta, self.cap);
        // A warm start left in a flat tail by an earlier ψ can stay in it at a lower local
        // maximum (seen: network seed 42 of tests/it/fit_inner.rs, 2.4 log-likelihood units
        // below the cold start's value): where the warm solution has a free coefficient in a
        // tail, the cold start runs too and the higher maximum is kept.
        let in_tail = |b: &[f64]| {
            b.iter()
                .zip(&self.pr.pinned)
                .any(|(v, pin)| pin.is_none() && v.abs() > TAIL)
        };
        if !run.ll.is_finite() || (in_tail(&beta) && *self.warm.borrow() != self.start) {
            let mut cold = self.start.clone();
            let other = inner::inner(&self.pr, &h0, &mut cold, self.cap);
            if !run.ll.is_finite() || other.ll > run.ll {
                (beta, run) = (cold, other);
            }
        }
        if run.ll.is_finite() {
            self.warm.replace(beta.clone());
        }
        if run.capped {
            self.capped.set(self.capped.get() + 1);
        }
        (run.ll, beta)
    }

    /// The profile log-likelihood at `psi`.
    pub fn value(&self, psi: &[f64]) -> f64 {
        self.solve(psi).0
    }

    /// The log-likelihood at network parameters `psi` and control coefficients `beta` as
    /// given, not maximised (a holdout scores an early fit's `beta` on the full data).
    pub fn loglik_at(&self, psi: &[f64], beta: &[f64]) -> f64 {
        self.terms(psi)
            .map_or(f64::NEG_INFINITY, |h0| pass(&self.pr, &h0, beta, false).ll)
    }

    /// The network term's parts at `psi`, `None` where a cell's hazard leaves `[0, 1]` or the
    /// censored part is not finite (the log-likelihood is `−∞` whatever `β`).
    fn terms(&self, psi: &[f64]) -> Option<Terms> {
        let h0 = self.h0(psi);
        if h0.iter().any(|h| !(0.0..=1.0).contains(h)) {
            return None;
        }
        let terms = Terms::new(self.pr.cells, h0);
        terms.censored.is_finite().then_some(terms)
    }

    /// The names and Wald estimates of `β` at `psi` (the maximum), with `V` the covariance of
    /// `ψ̂` over its free parameters `free` and `bounds` for the finite-difference steps.
    pub fn coefficients(
        &self,
        psi: &[f64],
        cov: &[(usize, Vec<f64>)],
        names: &[String],
    ) -> Vec<Estimate> {
        let (_, beta) = self.solve(psi);
        let h0 = Terms::new(self.pr.cells, self.h0(psi));
        let p = pass(&self.pr, &h0, &beta, false);
        let var = inner_variance(&p, self.pr.n_alpha(), self.pr.e);
        // J V Jᵀ: the inner solution's derivatives in the free ψ (central differences).
        let mut jac: Vec<Vec<f64>> = Vec::new();
        for (k, _) in cov {
            let s = 1e-5 * psi[*k].abs().max(1e-2);
            let mut up = psi.to_vec();
            up[*k] += s;
            let mut dn = psi.to_vec();
            dn[*k] -= s;
            let (_, bu) = self.solve(&up);
            let (_, bd) = self.solve(&dn);
            jac.push(
                bu.iter()
                    .zip(&bd)
                    .map(|(u, d)| (u - d) / (2.0 * s))
                    .collect(),
            );
        }
        self.warm.replace(beta.clone());
        let var: Option<Vec<f64>> = var.map(|d| {
            d.iter()
                .enumerate()
                .map(|(i, di)| {
                    let extra: f64 = cov
                        .iter()
                        .enumerate()
                        .map(|(a, (_, row))| {
                            row.iter()
                                .enumerate()
                                .map(|(b, vab)| jac[a][i] * vab * jac[b][i])
                                .sum::<f64>()
                        })
                        .sum();
                    di + extra
                })
                .collect()
        });
        self.estimates(&beta, var.as_deref(), names)
    }

    /// The Wald estimates of coefficients `beta` with variances `var` (`None`: not
    /// identified), named `alpha`/`alpha_<t>` then `names`.
    fn estimates(&self, beta: &[f64], var: Option<&[f64]>, names: &[String]) -> Vec<Estimate> {
        let mut out = Vec::with_capacity(beta.len());
        for (i, &v) in beta.iter().enumerate() {
            let se = var
                .map(|d| d[i])
                .filter(|x| *x > 0.0 && v.abs() < BOUND - 1e-6)
                .map(f64::sqrt);
            let ci = se.map_or((f64::NAN, f64::NAN), |s| (v - Z95 * s, v + Z95 * s));
            let name = if i < self.pr.n_alpha() {
                if self.pr.periods[i] == 0 {
                    "alpha".to_string()
                } else {
                    format!("alpha_{}", self.pr.periods[i])
                }
            } else {
                names[i - self.pr.n_alpha()].clone()
            };
            out.push(Estimate {
                name,
                value: v,
                se,
                ci,
            });
        }
        out
    }

    /// Number of control coefficients (α's and `E`).
    pub fn n_coefficients(&self) -> usize {
        self.pr.dim()
    }
}

/// What fitting one model with controls found.
#[derive(Debug, Clone)]
pub struct ControlledFit {
    /// The network parameters (profile intervals).
    pub params: Vec<Estimate>,
    /// The control coefficients: `alpha` or `alpha_<t>`, then `δ` and `γ` (Wald).
    pub coefficients: Vec<Estimate>,
    /// Maximum log-likelihood.
    pub loglik: f64,
    /// Free parameters: the network's and the coefficients.
    pub k: usize,
    /// Passes over the data by phase.
    pub passes: PassCounts,
}

/// The network parameters of `c` other than `p`: names and bounds.
pub fn network_params(c: Option<Candidate>) -> (Vec<&'static str>, Vec<(f64, f64)>) {
    match c {
        None => (Vec::new(), Vec::new()),
        Some(c) => {
            let pi = c.p_index().unwrap_or(0);
            let b = c.bounds();
            c.params()
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != pi)
                .map(|(k, n)| (*n, b[k]))
                .unzip()
        }
    }
}

/// Starting points of `c`'s network parameters (the best, by the profile log-likelihood, is
/// where the search begins).
pub fn starts(c: Option<Candidate>) -> Vec<Vec<f64>> {
    c.map(|c| {
        let pi = c.p_index().unwrap_or(0);
        c.starts(0.05)
            .into_iter()
            .map(|mut s| {
                s.remove(pi);
                s
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Fits `c` (or the controls alone, `None`) with controls `s` on data `d`.
pub fn fit(c: Option<Candidate>, d: &Controlled<'_>, s: &Spont<'_>) -> ControlledFit {
    let prof = Profiled::new(c, d, s);
    let (names, b) = network_params(c);
    if let Some(c) = c.filter(|&c| joint::supported(c)) {
        let top = joint::maximize(&prof, &starts(Some(c)), &b);
        return joint::fit(&prof, top, &names, &b, s.names);
    }
    let f = |psi: &[f64]| prof.value(psi);
    let (x, fx) = prof.phase("maximum", || {
        if names.is_empty() {
            (Vec::new(), f(&[]))
        } else {
            match c {
                // One kinked parameter (threshold's `high`): the profile's slope, not
                // Nelder–Mead and finite differences.
                Some(c) if c.rough() && b.len() == 1 && b[0].0 > 0.0 => {
                    slope::maximize(&prof, &starts(Some(c)), b[0])
                }
                _ => optim::maximize(&f, &starts(c), &b, c.is_some_and(Candidate::rough)),
            }
        }
    });
    let k = names.len() + prof.n_coefficients();
    if !fx.is_finite() {
        return ControlledFit {
            params: Vec::new(),
            coefficients: Vec::new(),
            loglik: f64::NEG_INFINITY,
            k,
            passes: prof.pass_counts(),
        };
    }
    let se = prof.phase("standard errors", || optim::standard_errors(&f, &x, &b, fx));
    let params: Vec<Estimate> = names
        .iter()
        .enumerate()
        .map(|(k, name)| Estimate {
            name: name.to_string(),
            value: x[k],
            se: se[k],
            ci: prof.phase(&format!("interval {name}"), || {
                profile::profile_interval(&f, &x, &b, fx, k, se[k])
            }),
        })
        .collect();
    let cov = prof.phase("covariance", || optim::covariance(&f, &x, &b, fx));
    let coefficients = prof.phase("coefficients", || prof.coefficients(&x, &cov, s.names));
    ControlledFit {
        params,
        coefficients,
        loglik: fx,
        k,
        passes: prof.pass_counts(),
    }
}

/// κ̂ = q_kol / q_other with controls: the KOL term reparametrised as `(q_other, κ)` over the
/// profile, started at the fitted `(q_kol, q_other)`.
pub fn kappa(
    ratio: Candidate,
    d: &Controlled<'_>,
    s: &Spont<'_>,
    est: &[Estimate],
) -> Option<Estimate> {
    kappa_counted(ratio, d, s, est).map(|(k, _)| k)
}

/// [`kappa`] with the passes it made by phase.
pub fn kappa_counted(
    ratio: Candidate,
    d: &Controlled<'_>,
    s: &Spont<'_>,
    est: &[Estimate],
) -> Option<(Estimate, PassCounts)> {
    let n = est.len();
    if n < 2 {
        return None;
    }
    let (qk, qo) = (est[n - 2].value, est[n - 1].value);
    let k0 = if qo > 0.0 { (qk / qo).min(999.0) } else { 1.0 };
    let prof = Profiled::new(Some(ratio), d, s);
    let (_, b) = network_params(Some(ratio));
    let k = joint::kappa(&prof, &[qo, k0], &b);
    Some((k, prof.pass_counts()))
}

/// The correlation of the two boundary parameters at the null (ψ = 0) under the controls,
/// for the χ̄² weights of a two-parameter test.
pub fn null_rho(c: Candidate, d: &Controlled<'_>, s: &Spont<'_>) -> Option<f64> {
    if c.boundary_params() != 2 || c.p_index().is_none() {
        return None;
    }
    let prof = Profiled::new(Some(c), d, s);
    let f = |psi: &[f64]| prof.value(psi);
    let (_, b) = network_params(Some(c));
    super::lrtest::boundary_rho(&f, &[0.0, 0.0], &b, 0, 1)
}
