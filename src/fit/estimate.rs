//! Maximum-likelihood estimates of one model on pooled cells: with a constant spontaneous
//! rate ([`fit_pooled`]) or one rate per period, profiled out ([`fit_period`]); the KOL
//! premium κ̂ ([`kappa_estimate`]) and why a likelihood is −∞ ([`impossible_note`]).

use super::data::Design;
use super::data::{self, Cell};
use super::models::{Candidate, Counted};
use super::{Estimate, Method, ModelFit, hazard, optim, profile};

fn estimates(
    c: Option<Candidate>,
    names: &[&str],
    f: &optim::Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
) -> Vec<Estimate> {
    let se = optim::standard_errors(f, x, b, fx);
    let _ = c;
    names
        .iter()
        .enumerate()
        .map(|(k, name)| Estimate {
            name: name.to_string(),
            value: x[k],
            se: se[k],
            ci: profile::profile_interval(f, x, b, fx, k, se[k]),
        })
        .collect()
}

/// The maximum-likelihood estimate of candidate `c` on pooled cells and the maximum
/// log-likelihood, without standard errors or intervals. `p0`: the innovation-only estimate
/// (adoptions / person-periods at risk), used as the start and, for innovation only, as the
/// estimate itself (closed form).
pub fn maximum(c: Candidate, cells: &[Cell], p0: f64) -> (Vec<f64>, f64) {
    let f = |th: &[f64]| data::log_likelihood(cells, |x| c.hazard(th, x));
    if c.is_null() {
        return (vec![p0], f(&[p0]));
    }
    optim::maximize(&f, &c.starts(p0), &c.bounds(), c.rough())
}

/// Fits candidate `c` to pooled cells: estimates with standard errors and profile intervals,
/// and the maximum log-likelihood (`−∞`, with no estimates, if the model cannot produce the
/// data).
pub fn fit_pooled(c: Candidate, cells: &[Cell], p0: f64) -> (Vec<Estimate>, f64) {
    let f = |th: &[f64]| data::log_likelihood(cells, |x| c.hazard(th, x));
    let b = c.bounds();
    let (x, fx) = maximum(c, cells, p0);
    if !fx.is_finite() {
        return (Vec::new(), f64::NEG_INFINITY);
    }
    (estimates(Some(c), &c.params(), &f, &x, &b, fx), fx)
}

/// The per-period maximum over `p_t ∈ [0, 1]` of `Σ y ln h + (r − y) ln(1 − h)` with
/// `h = h0 + (h1 − h0) p` (every model's hazard is affine in its spontaneous `p`: two
/// independent channels). Concave: Newton with a bisection safeguard.
fn max_p(cells: &[(f64, f64, f64, f64)]) -> (f64, f64) {
    let ll = |p: f64| {
        let mut s = 0.0;
        for &(h0, h1, r, y) in cells {
            let h = h0 + (h1 - h0) * p;
            if y > 0.0 {
                s += y * h.ln();
            }
            if r > y {
                s += (r - y) * (-h).ln_1p();
            }
        }
        if s.is_nan() { f64::NEG_INFINITY } else { s }
    };
    let deriv = |p: f64| {
        let (mut d1, mut d2) = (0.0, 0.0);
        for &(h0, h1, r, y) in cells {
            let d = h1 - h0;
            let h = h0 + d * p;
            if y > 0.0 {
                d1 += y * d / h;
                d2 -= y * d * d / (h * h);
            }
            if r > y {
                d1 -= (r - y) * d / (1.0 - h);
                d2 -= (r - y) * d * d / ((1.0 - h) * (1.0 - h));
            }
        }
        (d1, d2)
    };
    let (g0, _) = deriv(0.0);
    if g0 <= 0.0 {
        return (0.0, ll(0.0));
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let total_r: f64 = cells.iter().map(|c| c.2).sum();
    let total_y: f64 = cells.iter().map(|c| c.3).sum();
    let mut p = if total_r > 0.0 {
        (total_y / total_r).clamp(1e-9, 1.0 - 1e-9)
    } else {
        0.5
    };
    for _ in 0..100 {
        let (d1, d2) = deriv(p);
        if d1.is_nan() || d1 > 0.0 {
            lo = p;
        } else {
            hi = p;
        }
        let mut next = p - d1 / d2;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - p).abs() <= 1e-14 * (1.0 + p) || hi - lo < 1e-15 {
            p = next;
            break;
        }
        p = next;
    }
    (p, ll(p))
}

/// The period-effects profile: for contagion parameters `psi`, the sum over periods of the
/// log-likelihood maximised over that period's `p_t`. `by_t`: cells sorted by period.
pub fn period_profile(
    c: Option<Candidate>,
    psi: &[f64],
    by_t: &[Cell],
    p_t: Option<&mut Vec<(u32, f64)>>,
) -> f64 {
    let full = |p: f64| -> Vec<f64> {
        match c {
            None => vec![p],
            Some(c) => {
                let pi = c.p_index().unwrap_or(0);
                let mut v = psi.to_vec();
                v.insert(pi, p);
                v
            }
        }
    };
    let (t0, t1) = (full(0.0), full(1.0));
    let cand = c.unwrap_or_else(Candidate::null);
    let mut total = 0.0;
    let mut ps = Vec::new();
    let mut start = 0;
    let mut buf = Vec::new();
    while start < by_t.len() {
        let t = by_t[start].x.t;
        let mut end = start;
        buf.clear();
        while end < by_t.len() && by_t[end].x.t == t {
            let x = &by_t[end].x;
            buf.push((
                cand.hazard(&t0, x),
                cand.hazard(&t1, x),
                by_t[end].r,
                by_t[end].y,
            ));
            end += 1;
        }
        let (p, l) = max_p(&buf);
        total += l;
        ps.push((t, p));
        start = end;
    }
    if let Some(out) = p_t {
        *out = ps;
    }
    total
}

/// A period-effects fit: estimates, maximum log-likelihood, `(t, p̂_t)` per period.
pub type PeriodFit = (Vec<Estimate>, f64, Vec<(u32, f64)>);

/// Fits `c` (or period effects alone, `None`) with one `p_t` per period: the estimates of
/// the other parameters, the maximum log-likelihood and `(t, p̂_t)` per period.
pub fn fit_period(c: Option<Candidate>, by_t: &[Cell]) -> PeriodFit {
    let (names, b) = hazard::network_params(c);
    let f = |psi: &[f64]| period_profile(c, psi, by_t, None);
    let (x, fx) = period_maximum(c, by_t);
    let mut p_t = Vec::new();
    period_profile(c, &x, by_t, Some(&mut p_t));
    if !fx.is_finite() {
        return (Vec::new(), f64::NEG_INFINITY, p_t);
    }
    (estimates(c, &names, &f, &x, &b, fx), fx, p_t)
}

/// The maximum-likelihood estimate of `c` with one `p_t` per period (the parameters other
/// than `p`) and the maximum log-likelihood, without standard errors or intervals.
pub fn period_maximum(c: Option<Candidate>, by_t: &[Cell]) -> (Vec<f64>, f64) {
    let (names, b) = hazard::network_params(c);
    let f = |psi: &[f64]| period_profile(c, psi, by_t, None);
    if names.is_empty() {
        return (Vec::new(), f(&[]));
    }
    optim::maximize(&f, &hazard::starts(c), &b, c.is_some_and(Candidate::rough))
}

/// Why a model's likelihood is −∞ on these cells: which family cannot produce the data.
pub fn impossible_note(c: Option<Candidate>, cells: &[Cell]) -> String {
    let Some(why) = c.and_then(|c| c.fit().impossible) else {
        return "log-likelihood −∞: the model gives probability 0 to some observed event".into();
    };
    let counted = |c: &Cell| match why.counted {
        Counted::Adoptions => c.y,
        Counted::NonAdoptions => c.r - c.y,
    };
    let k = cells
        .iter()
        .map(|c| if (why.when)(&c.x) { counted(c) } else { 0.0 })
        .sum::<f64>() as u64;
    format!("log-likelihood −∞: {k} {}", why.says)
}

/// κ̂ = q_kol / q_other with its profile interval, from the KOL term reparametrised as
/// `(p, q_other, κ)`, started at the fitted `(p, q_kol, q_other)`; with `by_period`, `p` is one
/// rate per period (profiled out) and `est` holds `(q_kol, q_other)` only.
pub fn kappa_estimate(
    ratio: Candidate,
    cells: &[Cell],
    est: &[Estimate],
    by_period: bool,
) -> Estimate {
    let n = est.len();
    let (qk, qo) = (est[n - 2].value, est[n - 1].value);
    let k0 = if qo > 0.0 { (qk / qo).min(999.0) } else { 1.0 };
    let mut b = ratio.bounds();
    if by_period {
        b.remove(0);
        let f = |th: &[f64]| period_profile(Some(ratio), th, cells, None);
        ratio_estimate(&f, &[qo, k0], &b)
    } else {
        let f = |th: &[f64]| data::log_likelihood(cells, |x| ratio.hazard(th, x));
        ratio_estimate(&f, &[est[0].value, qo, k0], &b)
    }
}

/// The last parameter of `f` (κ) maximised from `start`, with its standard error and profile
/// interval.
fn ratio_estimate(f: &optim::Objective<'_>, start: &[f64], b: &[(f64, f64)]) -> Estimate {
    let k = start.len() - 1;
    let (x, fx) = optim::newton(f, start, b);
    let se = optim::standard_errors(f, &x, b, fx);
    let ci = profile::profile_interval(f, &x, b, fx, k, se[k]);
    Estimate {
        name: "kappa".into(),
        value: x[k],
        se: se[k],
        ci,
    }
}

/// The entry of candidate `c`'s design in `v` (`[Influence, KolSplit, Cascade, Threshold]`)
/// or `sim`.
pub fn slot<'a, T>(v: &'a [T], sim: Option<&'a T>, c: Candidate) -> Option<&'a T> {
    match c.design() {
        Design::Similar => sim,
        Design::Influence => Some(&v[0]),
        Design::KolSplit => Some(&v[1]),
        Design::Cascade => Some(&v[2]),
        _ => Some(&v[3]),
    }
}

/// A fitted exact model, not yet ranked.
pub fn new_fit(
    name: String,
    cand: Option<Candidate>,
    pe: bool,
    params: Vec<Estimate>,
    k: usize,
    ll: f64,
    cells: &[Cell],
) -> ModelFit {
    ModelFit {
        method: Method::Exact,
        warnings: Vec::new(),
        sim_model: None,
        note: (!ll.is_finite()).then(|| impossible_note(cand, cells)),
        name,
        candidate: cand,
        period_effects: pe,
        params: if ll.is_finite() { params } else { Vec::new() },
        k,
        loglik: ll,
        aic: f64::INFINITY,
        bic: f64::INFINITY,
        delta_aic: f64::INFINITY,
        weight: 0.0,
        lr: None,
        boundary_rho: None,
        kappa: None,
        period_rates: Vec::new(),
        holdout_log_score: None,
        coefficients: Vec::new(),
    }
}
