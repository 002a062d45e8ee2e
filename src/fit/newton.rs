//! The inner maximisation of [`super::hazard`]: for fixed network terms, the control
//! coefficients `β = (α, δ, γ)` of `p = logistic(α_t + z·(δ, γ))` by Newton's method with the
//! analytic gradient and Hessian (a positive semi-definite approximation where the observed
//! information is not positive definite), step halving, and coefficients held at ±[`BOUND`].
//!
//! The log-likelihood factors: `ln(1 − h) = ln(1 − h0) + ln(1 − p)`, so the person-periods
//! without adoption contribute `Σ_cells (r − y) ln(1 − h0)` (the network term, fixed here) plus
//! `−Σ_(t,z) R_tz softplus(η_tz)` ([`AtRisk`]); only the adoptions need `ln(h0 + (1 − h0) p)`
//! per [`Event`]. One pass costs `O(groups + events)`, `groups` the `(α, pattern)` pairs, not
//! `O(person-periods)`. The α block of the Hessian is diagonal (each group has one α), so
//! each step solves a Schur complement in the `E` group and covariate coefficients.

use super::data::{AtRisk, Cell, Event};
use super::optim;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

mod solve;
pub(super) use solve::{inner_variance, solve};

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

/// The data of one model under controls ([`super::data::cells_and_events`],
/// [`super::data::at_risk`]).
#[derive(Debug, Clone, Copy)]
pub struct Controlled<'a> {
    /// Person-periods pooled by exposure (over periods and patterns).
    pub cells: &'a [Cell],
    /// Adoptions by period, pattern and cell.
    pub events: &'a [Event],
    /// Person-periods at risk without adoption by period and pattern.
    pub risk: &'a [AtRisk],
}

/// One model's data indexed for the inner maximisation.
pub(super) struct Problem<'a> {
    pub(super) cells: &'a [Cell],
    /// Per `(α, pattern)` group, sorted: α index, pattern, censored person-periods.
    pub(super) groups: Vec<(u32, u32, f64)>,
    /// Per event, sorted by group: group, cell, adoptions.
    pub(super) events: Vec<(u32, u32, f64)>,
    /// The groups of α `t`: `alpha_groups[t]..alpha_groups[t + 1]`.
    pub(super) alpha_groups: Vec<usize>,
    /// The events of group `g`: `group_events[g]..group_events[g + 1]`.
    pub(super) group_events: Vec<usize>,
    pub(super) periods: Vec<u32>,
    /// Per α held at a bound whatever the other coefficients: −[`BOUND`] where its periods
    /// saw no adoption, +[`BOUND`] where everyone at risk adopted.
    pub(super) pinned: Vec<Option<f64>>,
    pub(super) rows: &'a [Vec<f64>],
    pub(super) e: usize,
}

impl<'a> Problem<'a> {
    pub(super) fn new(d: &Controlled<'a>, s: &Spont<'a>) -> Self {
        let mut periods: Vec<u32> = if s.by_period {
            d.risk
                .iter()
                .map(|a| a.t)
                .chain(d.events.iter().map(|e| e.t))
                .collect()
        } else {
            vec![0]
        };
        periods.sort_unstable();
        periods.dedup();
        let a_of = |t: u32| {
            if s.by_period {
                periods.partition_point(|&p| p < t) as u32
            } else {
                0
            }
        };
        let mut groups: Vec<(u32, u32, f64)> = d
            .risk
            .iter()
            .map(|a| (a_of(a.t), a.z, a.r))
            .chain(d.events.iter().map(|e| (a_of(e.t), e.z, 0.0)))
            .collect();
        groups.sort_unstable_by_key(|g| (g.0, g.1));
        groups.dedup_by(|next, kept| {
            let same = (next.0, next.1) == (kept.0, kept.1);
            if same {
                kept.2 += next.2;
            }
            same
        });
        let mut events = d
            .events
            .iter()
            .map(|e| {
                let key = (a_of(e.t), e.z);
                let g = groups.partition_point(|g| (g.0, g.1) < key);
                (g as u32, e.cell, e.y)
            })
            .collect::<Vec<(u32, u32, f64)>>();
        events.sort_by_key(|e| (e.0, e.1));
        let mut adopted = vec![false; periods.len()];
        let mut censored = vec![false; periods.len()];
        for &(g, _, _) in &events {
            adopted[groups[g as usize].0 as usize] = true;
        }
        for g in &groups {
            censored[g.0 as usize] |= g.2 > 0.0;
        }
        let pinned = adopted
            .iter()
            .zip(&censored)
            .map(|(&a, &c)| match (a, c) {
                (false, _) => Some(-BOUND),
                (true, false) => Some(BOUND),
                _ => None,
            })
            .collect();
        let alpha_groups = (0..=periods.len() as u32)
            .map(|t| groups.partition_point(|g| g.0 < t))
            .collect();
        let group_events = (0..=groups.len() as u32)
            .map(|g| events.partition_point(|e| e.0 < g))
            .collect();
        Problem {
            cells: d.cells,
            groups,
            events,
            alpha_groups,
            group_events,
            pinned,
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

/// The network term of one model at fixed parameters: each cell's hazard with `p = 0` and
/// `Σ_cells (r − y) ln(1 − h0)`.
pub(super) struct Terms {
    pub(super) h0: Vec<f64>,
    pub(super) censored: f64,
}

impl Terms {
    /// The terms of hazards `h0` on `cells` (`−∞` where a censored person-period has
    /// `h0 = 1`).
    pub(super) fn new(cells: &[Cell], h0: Vec<f64>) -> Self {
        let censored = |cells: &[Cell], h0: &[f64], sum: &mut Neumaier| {
            for (c, h) in cells.iter().zip(h0) {
                if c.r > c.y {
                    sum.add((c.r - c.y) * (-h).ln_1p());
                }
            }
        };
        let mut sum = Neumaier::default();
        if cells.len() <= CHUNK {
            censored(cells, &h0, &mut sum);
        } else {
            let parts: Vec<f64> = cells
                .par_chunks(CHUNK)
                .zip(h0.par_chunks(CHUNK))
                .map(|(cells, h0)| {
                    let mut part = Neumaier::default();
                    censored(cells, h0, &mut part);
                    part.total()
                })
                .collect();
            parts.into_iter().for_each(|v| sum.add(v));
        }
        Terms {
            h0,
            censored: sum.total(),
        }
    }
}

/// Neumaier-compensated sum, as [`super::data::log_likelihood`].
#[derive(Default)]
pub(super) struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    pub(super) fn add(&mut self, v: f64) {
        let t = self.sum + v;
        self.comp += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    pub(super) fn total(&self) -> f64 {
        self.sum + self.comp
    }
}

/// Log-likelihood, gradient and minus the Hessian (blocks: diagonal `a` for α, `b` α×(δ,γ)
/// row-major, `c` (δ,γ)²) at `beta`.
#[derive(Clone)]
pub(super) struct Pass {
    pub(super) ll: f64,
    pub(super) g: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

impl Pass {
    /// This pass (over `na` α's and `e` dense coefficients) with `m` more dense coordinates
    /// appended: their gradient `g`, their α rows `b` (`na × m`), their rows against the
    /// first `e` dense ones `cross` (`e × m`) and their own block `c` (`m × m`), all minus the
    /// Hessian as the pass's.
    pub(super) fn extended(
        &self,
        na: usize,
        g: &[f64],
        b: &[f64],
        cross: &[f64],
        c: &[f64],
    ) -> Pass {
        let (m, e) = (g.len(), self.g.len() - na);
        let n = e + m;
        let mut bb = Vec::with_capacity(na * n);
        for t in 0..na {
            bb.extend_from_slice(&self.b[t * e..(t + 1) * e]);
            bb.extend_from_slice(&b[t * m..(t + 1) * m]);
        }
        let mut cc = vec![0.0; n * n];
        for i in 0..e {
            cc[i * n..i * n + e].copy_from_slice(&self.c[i * e..(i + 1) * e]);
            for k in 0..m {
                cc[i * n + e + k] = cross[i * m + k];
                cc[(e + k) * n + i] = cross[i * m + k];
            }
        }
        for k in 0..m {
            cc[(e + k) * n + e..(e + k + 1) * n].copy_from_slice(&c[k * m..(k + 1) * m]);
        }
        let mut gg = self.g.clone();
        gg.extend_from_slice(g);
        Pass {
            ll: self.ll,
            g: gg,
            a: self.a.clone(),
            b: bb,
            c: cc,
        }
    }

    /// Minus the Hessian's entry `(k, l)` (coordinates: the α's, then the dense ones).
    #[cfg(test)]
    pub(super) fn info(&self, k: usize, l: usize) -> f64 {
        let (na, e) = (self.a.len(), self.g.len() - self.a.len());
        match (k < na, l < na) {
            (true, true) => {
                if k == l {
                    self.a[k]
                } else {
                    0.0
                }
            }
            (true, false) => self.b[k * e + l - na],
            (false, true) => self.b[l * e + k - na],
            (false, false) => self.c[(k - na) * e + l - na],
        }
    }

    /// The same pass with `mu` added to the diagonal of minus the Hessian (a Levenberg
    /// step `(−H + μI)⁻¹ g` through [`solve`]).
    pub(super) fn damped(&self, mu: f64) -> Pass {
        let mut p = self.clone();
        p.a.iter_mut().for_each(|a| *a += mu);
        let e = self.g.len() - self.a.len();
        for i in 0..e {
            p.c[i * e + i] += mu;
        }
        p
    }
}

/// `(p, 1 − p, ln(1 + e^η))` of `p = logistic(η)`, each without cancellation or overflow,
/// from one exponential.
pub(super) fn logistic_softplus(eta: f64) -> (f64, f64, f64) {
    let e = (-eta.abs()).exp();
    let (small, large) = (e / (1.0 + e), 1.0 / (1.0 + e));
    if eta > 0.0 {
        (large, small, eta + e.ln_1p())
    } else {
        (small, large, e.ln_1p())
    }
}

/// One adoption's log-likelihood `y ln h`, `h = h0 + (1 − h0) p`, and its first and second
/// derivatives in η (`psd`: minus the second derivative's non-negative part only, so the
/// information stays positive semi-definite).
pub(super) fn event_terms(h0: f64, (p, q): (f64, f64), y: f64, psd: bool) -> (f64, f64, f64) {
    let h = h0 + (1.0 - h0) * p;
    let u = (1.0 - h0) * p * q; // dh/dη
    let g = y * u / h;
    let w = if psd {
        y * u * u / (h * h)
    } else {
        -y * (u * (1.0 - 2.0 * p) / h - u * u / (h * h))
    };
    (y * h.ln(), g, w)
}

/// Groups, adoptions or cells per parallel chunk of a pass: fixed, and the chunks' sums
/// combined in chunk order, so a pass gives the same bits on any number of threads (and a
/// data set of one chunk the same bits as a sequential sum).
pub(super) const CHUNK: usize = 1 << 13;

/// One chunk of adoptions' log-likelihood, its first group, its groups' gradient and weight
/// in η, and its other sums.
type ChunkSums<A> = (f64, usize, Vec<(f64, f64)>, A);

/// What [`event_chunks`] runs on one chunk: `(events, ll, gw from first, first, extra)`.
pub(super) type EachChunk<'f, A> =
    dyn Fn(&[(u32, u32, f64)], &mut Neumaier, &mut [(f64, f64)], usize, &mut A) + Sync + 'f;

/// `each(events, ll, gw, first, extra)` over the adoptions `events` (sorted by group) into
/// the log-likelihood `ll`, the per-group gradient and weight in η `gw` and other sums
/// `extra`: in one call where the events fit a [`CHUNK`], else over fixed chunks in parallel
/// (each into its own range of groups from `first`, its `extra` starting from `zero`), their
/// sums added in chunk order (`merge` for `extra`): the same bits on any number of threads.
pub(super) fn event_chunks<A: Clone + Send + Sync>(
    events: &[(u32, u32, f64)],
    (ll, gw, extra): (&mut Neumaier, &mut [(f64, f64)], &mut A),
    zero: &A,
    each: &EachChunk<'_, A>,
    merge: impl Fn(&mut A, &A),
) {
    if events.len() <= CHUNK {
        each(events, ll, gw, 0, extra);
        return;
    }
    let parts: Vec<ChunkSums<A>> = events
        .par_chunks(CHUNK)
        .map(|events| {
            let first = events[0].0 as usize;
            let mut local = vec![(0.0, 0.0); events[events.len() - 1].0 as usize - first + 1];
            let mut part = Neumaier::default();
            let mut more = zero.clone();
            each(events, &mut part, &mut local, first, &mut more);
            (part.total(), first, local, more)
        })
        .collect();
    for (v, first, local, more) in parts {
        ll.add(v);
        for (acc, (gi, w)) in gw[first..].iter_mut().zip(local) {
            acc.0 += gi;
            acc.1 += w;
        }
        merge(extra, &more);
    }
}

/// Per group of `groups`: `(p, q)` into `pq`, the censored log-likelihood into `ll`, the
/// censored gradient and weight in η into `gw`.
fn group_terms(
    groups: &[(u32, u32, f64)],
    beta: &[f64],
    eta_z: &[f64],
    ll: &mut Neumaier,
    pq: &mut [(f64, f64)],
    gw: &mut [(f64, f64)],
) {
    for ((&(t, z, r), pq), gw) in groups.iter().zip(pq).zip(gw) {
        let eta = beta[t as usize] + eta_z.get(z as usize).copied().unwrap_or(0.0);
        let (p, q, sp) = logistic_softplus(eta);
        *pq = (p, q);
        if r > 0.0 {
            ll.add(-r * sp);
        }
        *gw = (-r * p, r * p * q);
    }
}

/// The adoptions `events` (group, cell, count): their log-likelihood into `ll`, their
/// gradient and weight in η into `gw[group − first]`.
fn adoption_terms(
    events: &[(u32, u32, f64)],
    h0: &[f64],
    pq: &[(f64, f64)],
    psd: bool,
    ll: &mut Neumaier,
    gw: &mut [(f64, f64)],
    first: usize,
) {
    for &(g, cell, y) in events {
        let (l, gi, w) = event_terms(h0[cell as usize], pq[g as usize], y, psd);
        ll.add(l);
        let acc = &mut gw[g as usize - first];
        acc.0 += gi;
        acc.1 += w;
    }
}

/// Each pattern's part `z·(δ, γ)` of the log-odds at coefficients `beta`.
pub(super) fn pattern_eta(pr: &Problem, beta: &[f64]) -> Vec<f64> {
    let na = pr.n_alpha();
    pr.rows
        .iter()
        .map(|row| row.iter().zip(&beta[na..]).map(|(x, b)| x * b).sum())
        .collect()
}

/// Passes ([`pass`]) made by this process so far, over every fit (a relaxed counter for the
/// speed figures of [`super::hazard::PassCounts`]).
pub(super) static PASSES: AtomicU64 = AtomicU64::new(0);

/// A pass's per-group part at coefficients `beta` (pattern terms `eta_z`): the
/// log-likelihood so far (the network term's censored part and each group's censored
/// person-periods), each group's `(p, q)` and its censored gradient and weight in η.
pub(super) type GroupPart = (Neumaier, Vec<(f64, f64)>, Vec<(f64, f64)>);

/// The per-group part of a pass ([`GroupPart`]).
pub(super) fn group_part(pr: &Problem, terms: &Terms, beta: &[f64], eta_z: &[f64]) -> GroupPart {
    let mut ll = Neumaier::default();
    ll.add(terms.censored);
    // Per group: (p, q), then the group's gradient and weight in η.
    let n = pr.groups.len();
    let mut pq = vec![(0.0, 0.0); n];
    let mut gw = vec![(0.0, 0.0); n];
    if n <= CHUNK {
        group_terms(&pr.groups, beta, eta_z, &mut ll, &mut pq, &mut gw);
    } else {
        let parts: Vec<f64> = pr
            .groups
            .par_chunks(CHUNK)
            .zip(pq.par_chunks_mut(CHUNK))
            .zip(gw.par_chunks_mut(CHUNK))
            .map(|((groups, pq), gw)| {
                let mut part = Neumaier::default();
                group_terms(groups, beta, eta_z, &mut part, pq, gw);
                part.total()
            })
            .collect();
        parts.into_iter().for_each(|v| ll.add(v));
    }
    (ll, pq, gw)
}

pub(super) fn pass(pr: &Problem, terms: &Terms, beta: &[f64], psd: bool) -> Pass {
    PASSES.fetch_add(1, Ordering::Relaxed);
    let eta_z = pattern_eta(pr, beta);
    let (mut ll, pq, mut gw) = group_part(pr, terms, beta, &eta_z);
    event_chunks(
        &pr.events,
        (&mut ll, &mut gw, &mut ()),
        &(),
        &|events, ll, gw, first, _| adoption_terms(events, &terms.h0, &pq, psd, ll, gw, first),
        |_, _| {},
    );
    assemble(pr, &ll, &gw)
}

/// The pass of log-likelihood `ll` and per-group gradient and weight in η `gw`: the gradient
/// and minus the Hessian over the α's and the dense coefficients.
pub(super) fn assemble(pr: &Problem, ll: &Neumaier, gw: &[(f64, f64)]) -> Pass {
    let (na, e) = (pr.n_alpha(), pr.e);
    let mut g = vec![0.0; na + e];
    let mut a = vec![0.0; na];
    let mut b = vec![0.0; na * e];
    let mut wz = vec![0.0; pr.rows.len()];
    let mut gz = vec![0.0; pr.rows.len()];
    for (&(t, z, _), &(gi, w)) in pr.groups.iter().zip(gw) {
        let (t, z) = (t as usize, z as usize);
        g[t] += gi;
        a[t] += w;
        if e > 0 {
            for (bj, x) in b[t * e..(t + 1) * e].iter_mut().zip(&pr.rows[z]) {
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
    let ll = ll.total();
    Pass {
        ll: if ll.is_nan() { f64::NEG_INFINITY } else { ll },
        g,
        a,
        b,
        c,
    }
}
