//! The joint maximum of a controlled fit over the control coefficients `β` and the network
//! parameters `ψ`, for the models whose network term has analytic derivatives in `ψ`
//! ([`supported`]): `h0 = Σ ψ_k f_k` over each cell's exposure features `f` (Bass, structural
//! equivalence, the KOL term) or `h0 = q_O (κ f_K + f_O)` (the KOL term in `κ`).
//!
//! The `ψ` coordinates join the dense block of the inner Newton's Hessian (the α block stays
//! diagonal, so a step still solves a small Schur complement), and the same projected Newton
//! climbs the joint surface ([`inner::newton`]: halving, Levenberg steps, coordinates at a
//! bound with the gradient pointing out held, so `q = 0` is an active constraint and not a
//! clamp). Where it converges every α is checked against its grid at the reached `ψ` (as
//! in [`inner::inner`]); where one moves, the joint Newton runs again. One joint run replaces
//! the profile's outer optimiser and its finite differences (tens of inner Newton runs), and
//! a profile interval's points are joint maxima with one `ψ` held, the interval's ends found by
//! Newton's method on the profile (its slope is the joint gradient's, `interval.rs`).
//!
//! Derivatives, with `h = h0 + (1 − h0) p`, `G = ∂h0/∂ψ`, `K = ∂²h0/∂ψ²`, `q = 1 − p`: an
//! adoption adds `y q G / h` to the gradient in `ψ`, `y (q² G Gᵀ / h² − q K / h)` to minus the
//! Hessian and `y p q G / h²` to minus the cross derivative with its `η`; a censored cell
//! adds `−w G / (1 − h0)` and `w (K / (1 − h0) + G Gᵀ / (1 − h0)²)`, `w = r − y`. The positive
//! semi-definite fallback keeps only the outer products (Gauss–Newton).

use super::inner::{self, Surface};
use super::{ControlledFit, Profiled};
use crate::fit::Estimate;
use crate::fit::models::Candidate;
use crate::fit::newton::{
    BOUND, CHUNK, Neumaier, PASSES, Pass, Problem, Terms, assemble, event_chunks, event_terms,
    group_part, inner_variance, pattern_eta,
};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::Ordering;

mod interval;
mod starts;
mod sweep;
use interval::interval;
use starts::best_start;
use sweep::{Acc, Sweep, chunked};

/// Whether `c`'s network term has analytic derivatives here.
pub(super) fn supported(c: Candidate) -> bool {
    c.linear() || c.ratio_of().is_some_and(Candidate::linear)
}

/// The joint surface of one model: `x = (β, ψ over the free network parameters)`.
pub(super) struct Joint<'p, 'a> {
    prof: &'p Profiled<'a>,
    /// Per cell, the exposure features (`h0` of each linear network parameter at 1).
    feats: Vec<[f64; 2]>,
    /// The network parameters, the free ones overwritten from `x`.
    psi: Vec<f64>,
    /// The indices of the free network parameters.
    free: Vec<usize>,
    bounds: Vec<(f64, f64)>,
}

impl<'p, 'a> Joint<'p, 'a> {
    /// The surface of `prof`'s model at network parameters `psi`, those with `hold` fixed.
    pub(super) fn new(prof: &'p Profiled<'a>, psi: &[f64], hold: &[bool]) -> Self {
        let c = prof.cand.expect("a network model");
        let lin = c.ratio_of().unwrap_or(c);
        let (names, _) = super::network_params(Some(lin));
        let feats = prof
            .pr
            .cells
            .iter()
            .map(|cell| {
                let mut f = [0.0; 2];
                for (k, fk) in f.iter_mut().enumerate().take(names.len()) {
                    let mut th = vec![0.0; names.len()];
                    th[k] = 1.0;
                    if let Some(pi) = lin.p_index() {
                        th.insert(pi, 0.0);
                    }
                    *fk = lin.hazard(&th, &cell.x);
                }
                f
            })
            .collect();
        let (_, bounds) = super::network_params(Some(c));
        Joint {
            prof,
            feats,
            psi: psi.to_vec(),
            free: (0..psi.len()).filter(|&k| !hold[k]).collect(),
            bounds,
        }
    }

    /// The network parameters at `x`.
    pub(super) fn psi(&self, x: &[f64]) -> Vec<f64> {
        let dim = self.prof.pr.dim();
        let mut psi = self.psi.clone();
        for (j, &k) in self.free.iter().enumerate() {
            psi[k] = x[dim + j];
        }
        psi
    }

    /// The joint point of coefficients `beta` and this surface's network parameters.
    pub(super) fn point(&self, beta: &[f64]) -> Vec<f64> {
        let mut x = beta.to_vec();
        x.extend(self.free.iter().map(|&k| self.psi[k]));
        x
    }
}

impl Surface for Joint<'_, '_> {
    fn pass(&self, x: &[f64], psd: bool) -> Pass {
        PASSES.fetch_add(1, Ordering::Relaxed);
        let pr = &self.prof.pr;
        let (na, dim, m) = (pr.n_alpha(), pr.dim(), self.free.len());
        let psi = self.psi(x);
        let terms = Terms::new(pr.cells, self.prof.h0(&psi));
        let eta_z = pattern_eta(pr, x);
        let (mut ll, pq, mut gw) = group_part(pr, &terms, &x[..dim], &eta_z);
        let sw = Sweep {
            pr,
            feats: &self.feats,
            free: &self.free,
            ratio: self.prof.cand.is_some_and(|c| c.ratio_of().is_some()),
            n: self.psi.len(),
            psi: &psi,
            terms: &terms,
            psd,
        };
        let mut acc = Acc::new(na, pr.e, m);
        chunked(pr.cells.len(), &mut acc, &|r, acc| sw.censored(r, acc));
        // One sweep of the adoptions for the log-likelihood, the coefficients' sums (as
        // `newton::pass`, the same bits) and the network parameters' sums.
        sw.adoptions(&pq, &mut ll, &mut gw, &mut acc);
        let base = assemble(pr, &ll, &gw);
        if !base.ll.is_finite() {
            return base;
        }
        base.extended(na, &acc.g, &acc.bx, &acc.cross, &acc.c)
    }

    fn bounds(&self, k: usize) -> (f64, f64) {
        let dim = self.prof.pr.dim();
        if k < dim {
            (-BOUND, BOUND)
        } else {
            self.bounds[self.free[k - dim]]
        }
    }

    fn dims(&self) -> (usize, usize) {
        let pr = &self.prof.pr;
        (pr.n_alpha(), pr.e + self.free.len())
    }

    fn reseat(&self, x: &mut [f64]) -> bool {
        let dim = self.prof.pr.dim();
        let terms = Terms::new(self.prof.pr.cells, self.prof.h0(&self.psi(x)));
        inner::reseat_alphas(&self.prof.pr, &terms, &mut x[..dim])
    }
}

/// What a joint maximisation reached.
pub(super) struct Climb {
    /// The log-likelihood at the maximum.
    pub(super) ll: f64,
    /// The control coefficients.
    pub(super) beta: Vec<f64>,
    /// The network parameters.
    pub(super) psi: Vec<f64>,
}

/// The joint maximum of `prof`'s model from network parameters `psi` and coefficients `beta`
/// over `β` and the network parameters not `hold`: Newton on the joint surface, every α
/// checked against its grid after each run (at most [`inner::ROUNDS`] runs).
pub(super) fn climb(prof: &Profiled, psi: &[f64], beta: &[f64], hold: &[bool]) -> Climb {
    prof.climbs.set(prof.climbs.get() + 1);
    let j = Joint::new(prof, psi, hold);
    let dim = prof.pr.dim();
    let mut x = j.point(beta);
    let mut run = inner::Run {
        ll: f64::NEG_INFINITY,
        capped: false,
    };
    for _ in 0..inner::ROUNDS {
        run = inner::newton(&j, &mut x, prof.cap);
        if !run.ll.is_finite() {
            break;
        }
        let terms = Terms::new(prof.pr.cells, prof.h0(&j.psi(&x)));
        if !inner::reseat_alphas(&prof.pr, &terms, &mut x[..dim]) {
            break;
        }
    }
    if run.capped {
        prof.capped.set(prof.capped.get() + 1);
    }
    Climb {
        ll: run.ll,
        psi: j.psi(&x),
        beta: x[..dim].to_vec(),
    }
}

/// The joint maximum from the best of `starts` (by the profile log-likelihood, as
/// [`crate::fit::optim::maximize`] picks its start), clamped to `b`.
pub(super) fn maximize(prof: &Profiled, starts: &[Vec<f64>], b: &[(f64, f64)]) -> Climb {
    let best = prof.phase("starts", || best_start(prof, starts, b));
    let Some((psi, v, beta)) = best.filter(|(_, v, _)| v.is_finite()) else {
        return Climb {
            ll: f64::NEG_INFINITY,
            beta: prof.start.clone(),
            psi: b.iter().map(|&(lo, _)| lo).collect(),
        };
    };
    let out = prof.phase("maximum", || {
        climb(prof, &psi, &beta, &vec![false; psi.len()])
    });
    if out.ll.is_finite() && out.ll >= v {
        out
    } else {
        Climb { ll: v, beta, psi }
    }
}

/// The diagonal of the inverse of minus the joint Hessian at `top` over `β` and the network
/// parameters not `hold` (`None` where not positive definite): the coefficients' variances
/// with the network parameters' uncertainty included, then the free parameters'.
fn variance(prof: &Profiled, top: &Climb, hold: &[bool]) -> Option<Vec<f64>> {
    let j = Joint::new(prof, &top.psi, hold);
    let p = j.pass(&j.point(&top.beta), false);
    let (na, dense) = j.dims();
    inner_variance(&p, na, dense)
}

/// The estimates of network parameters `keep` (by index, named `names`) at the joint maximum
/// `top`: standard errors from the joint information (`None` at a bound), profile intervals;
/// with the variances of the coefficients.
fn estimates(
    prof: &Profiled,
    top: &Climb,
    b: &[(f64, f64)],
    names: &[&str],
    keep: &[usize],
) -> (Vec<Estimate>, Option<Vec<f64>>) {
    let hold: Vec<bool> = top
        .psi
        .iter()
        .zip(b)
        .map(|(v, (lo, hi))| v <= lo || v >= hi)
        .collect();
    let var = prof.phase("standard errors", || variance(prof, top, &hold));
    let dim = prof.pr.dim();
    let mut se = vec![None; hold.len()];
    let mut j = dim;
    for (k, h) in hold.iter().enumerate() {
        if !h {
            se[k] = var
                .as_ref()
                .map(|v| v[j])
                .filter(|x| *x > 0.0)
                .map(f64::sqrt);
            j += 1;
        }
    }
    let params = keep
        .iter()
        .zip(names)
        .map(|(&k, name)| Estimate {
            name: name.to_string(),
            value: top.psi[k],
            se: se[k],
            ci: prof.phase(&format!("interval {name}"), || {
                interval(prof, top, b, k, se[k])
            }),
        })
        .collect();
    (
        params,
        var.map(|mut v| {
            v.truncate(dim);
            v
        }),
    )
}

/// The fit of `prof`'s model at its joint maximum `top` (network parameters `names` with
/// bounds `b`, coefficients named after `coef_names`).
pub(super) fn fit(
    prof: &Profiled,
    top: Climb,
    names: &[&str],
    b: &[(f64, f64)],
    coef_names: &[String],
) -> ControlledFit {
    let k = names.len() + prof.n_coefficients();
    if !top.ll.is_finite() {
        return ControlledFit {
            params: Vec::new(),
            coefficients: Vec::new(),
            loglik: f64::NEG_INFINITY,
            k,
            passes: prof.pass_counts(),
        };
    }
    prof.warm.replace(top.beta.clone());
    let keep: Vec<usize> = (0..names.len()).collect();
    let (params, var) = estimates(prof, &top, b, names, &keep);
    ControlledFit {
        params,
        coefficients: prof.estimates(&top.beta, var.as_deref(), coef_names),
        loglik: top.ll,
        k,
        passes: prof.pass_counts(),
    }
}

/// κ̂ of the KOL term reparametrised as `(q_O, κ)` (the KOL fit's [`Candidate::ratio`] in `prof`), from
/// `start`: the joint maximum from there, κ's standard error and profile interval.
pub(super) fn kappa(prof: &Profiled, start: &[f64], b: &[(f64, f64)]) -> Estimate {
    let top = maximize(prof, &[start.to_vec()], b);
    let lost = Estimate {
        name: "kappa".into(),
        value: f64::NAN,
        se: None,
        ci: (f64::NAN, f64::NAN),
    };
    if !top.ll.is_finite() {
        return lost;
    }
    let (mut est, _) = estimates(prof, &top, b, &["kappa"], &[1]);
    est.pop().unwrap_or(lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::data::{AtRisk, Cell, Event};
    use crate::fit::hazard::{Controlled, Spont};
    use crate::models::Exposure;

    /// Six exposure cells, two periods, two control patterns with two covariates.
    fn data() -> (Vec<Cell>, Vec<Event>, Vec<AtRisk>) {
        let cells: Vec<Cell> = (0..6)
            .map(|i| {
                let f = f64::from(i);
                Cell {
                    x: Exposure {
                        c: f,
                        w: 6.0,
                        kol: 0.5 * f,
                        other: 0.4 * f,
                        w_raw: 6.0,
                        ..Exposure::default()
                    },
                    r: 40.0 + f,
                    y: 3.0,
                }
            })
            .collect();
        let events = (0..6u32)
            .flat_map(|i| {
                [
                    Event {
                        cell: i,
                        t: 1 + i % 2,
                        z: i % 2,
                        y: 1.0,
                    },
                    Event {
                        cell: i,
                        t: 2,
                        z: 0,
                        y: 2.0,
                    },
                ]
            })
            .collect();
        let risk = (1..=2u32)
            .flat_map(|t| {
                (0..2u32).map(move |z| AtRisk {
                    t,
                    z,
                    r: f64::from(50 + 10 * t + 5 * z),
                })
            })
            .collect();
        (cells, events, risk)
    }

    /// The joint pass's gradient and minus Hessian equal central differences of its
    /// log-likelihood and gradient, in `β` and `ψ`.
    fn derivatives_match(c: Candidate, psi: &[f64]) {
        let (cells, events, risk) = data();
        let rows = vec![vec![0.0, 1.0], vec![1.0, -0.5]];
        let names = vec!["a".to_string(), "b".to_string()];
        let d = Controlled {
            cells: &cells,
            events: &events,
            risk: &risk,
        };
        let s = Spont {
            rows: &rows,
            names: &names,
            by_period: true,
        };
        let prof = Profiled::new(Some(c), &d, &s);
        let j = Joint::new(&prof, psi, &vec![false; psi.len()]);
        let x = j.point(&[-2.0, -1.5, 0.3, -0.2]);
        let p = j.pass(&x, false);
        assert!(p.ll.is_finite());
        let h = 1e-6;
        for k in 0..x.len() {
            let (mut up, mut dn) = (x.clone(), x.clone());
            up[k] += h;
            dn[k] -= h;
            let (pu, pd) = (j.pass(&up, false), j.pass(&dn, false));
            let g = (pu.ll - pd.ll) / (2.0 * h);
            assert!(
                (g - p.g[k]).abs() < 1e-5 * (1.0 + g.abs()),
                "{c:?} g[{k}]: {g} vs {}",
                p.g[k]
            );
            for l in 0..x.len() {
                let w = -(pu.g[l] - pd.g[l]) / (2.0 * h);
                let got = p.info(k, l);
                assert!(
                    (w - got).abs() < 1e-5 * (1.0 + w.abs()),
                    "{c:?} ({k}, {l}): {w} vs {got}"
                );
            }
        }
    }

    /// A pass over more groups, adoptions and cells than one [`CHUNK`] gives the same bits on
    /// one thread and on two.
    #[test]
    fn a_chunked_pass_does_not_depend_on_the_thread_count() {
        let n = 3 * CHUNK as u32;
        let cells: Vec<Cell> = (0..n)
            .map(|i| Cell {
                x: Exposure {
                    kol: f64::from(i % 7),
                    other: f64::from(i % 5),
                    w_raw: 12.0,
                    ..Exposure::default()
                },
                r: 10.0,
                y: 1.0,
            })
            .collect();
        let events: Vec<Event> = (0..n)
            .map(|i| Event {
                cell: i,
                t: 1 + i % 50,
                z: i % 700,
                y: 1.0,
            })
            .collect();
        let risk: Vec<AtRisk> = (1..=50u32)
            .flat_map(|t| (0..700u32).map(move |z| AtRisk { t, z, r: 3.0 }))
            .collect();
        let rows: Vec<Vec<f64>> = (0..700)
            .map(|z| vec![f64::from(z % 3), f64::from(z % 4)])
            .collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let d = Controlled {
            cells: &cells,
            events: &events,
            risk: &risk,
        };
        let s = Spont {
            rows: &rows,
            names: &names,
            by_period: true,
        };
        let mut beta = vec![-3.0; 50];
        beta.extend([0.1, -0.2]);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            pool.install(|| {
                let prof = Profiled::new(Some(Candidate::named("kol_contagion").unwrap()), &d, &s);
                let j = Joint::new(&prof, &[0.05, 0.02], &[false, false]);
                let x = j.point(&beta);
                let p = j.pass(&x, false);
                let info: Vec<u64> = (0..x.len())
                    .flat_map(|k| (0..x.len()).map(move |l| (k, l)))
                    .map(|(k, l)| p.info(k, l).to_bits())
                    .collect();
                (
                    p.ll.to_bits(),
                    p.g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    info,
                )
            })
        };
        let one = on(1);
        assert!(f64::from_bits(one.0).is_finite());
        assert_eq!(one, on(2));
    }

    #[test]
    fn joint_derivatives_are_the_log_likelihoods() {
        derivatives_match(Candidate::named("bass").unwrap(), &[0.3]);
        derivatives_match(Candidate::named("structural_equivalence").unwrap(), &[0.3]);
        derivatives_match(Candidate::named("kol_contagion").unwrap(), &[0.2, 0.4]);
        derivatives_match(
            Candidate::named("kol_contagion").unwrap().ratio().unwrap(),
            &[0.3, 1.5],
        );
    }
}
