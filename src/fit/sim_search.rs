//! The search of the simulation-based fits ([`super::simulated`]): starting points,
//! Nelder–Mead with restarts, and the approximate 95% profile intervals (module docs of
//! [`super::simulated`]).

use super::optim::{PROFILE_DROP, nelder_mead};
use crate::models::FreeParam;
use crate::scenario::NamedModel;

/// Starting points: the scenario's values (`model`'s, the lower bound where it leaves a
/// parameter to its default) and a small grid per parameter.
pub(super) fn starts(params: &[FreeParam], model: &NamedModel) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for p in params {
        let (lo, hi) = p.bounds;
        let w = hi - lo;
        let vals: Vec<f64> = if lo == 0.0 && hi == 1.0 {
            vec![0.01, 0.05, 0.25]
        } else {
            vec![lo + 0.2 * w, lo + 0.5 * w, lo + 0.8 * w]
        };
        out = out
            .into_iter()
            .flat_map(|v| {
                vals.iter().map(move |&x| {
                    let mut v = v.clone();
                    v.push(x);
                    v
                })
            })
            .collect();
    }
    let own: Vec<f64> = params
        .iter()
        .map(|p| {
            model
                .number(p.key)
                .unwrap_or(p.bounds.0)
                .clamp(p.bounds.0, p.bounds.1)
        })
        .collect();
    out.insert(0, own);
    out
}

/// Maximises `f` by Nelder–Mead from the best two `starts`, then restarts from the best.
pub(super) fn optimise(
    f: &(dyn Fn(&[f64]) -> f64 + Sync),
    starts: &[Vec<f64>],
    b: &[(f64, f64)],
) -> (Vec<f64>, f64) {
    let mut scored: Vec<(Vec<f64>, f64)> = starts.iter().map(|s| (s.clone(), f(s))).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let iters = 40 * b.len().max(1);
    let mut best = scored[0].clone();
    for s in scored.iter().take(2) {
        let r = nelder_mead(f, &s.0, b, iters);
        if r.1 > best.1 {
            best = r;
        }
    }
    let r = nelder_mead(f, &best.0, b, iters);
    if r.1 > best.1 { r } else { best }
}

/// The approximate 95% profile interval of parameter `k` (module docs).
pub(super) fn profile(
    f: &(dyn Fn(&[f64]) -> f64 + Sync),
    x: &[f64],
    b: &[(f64, f64)],
    fx: f64,
    k: usize,
) -> (f64, f64) {
    let target = fx - PROFILE_DROP;
    let d = x.len();
    let at = |v: f64| -> f64 {
        if d == 1 {
            return f(&[v]);
        }
        let rest: Vec<f64> = (0..d).filter(|&j| j != k).map(|j| x[j]).collect();
        let rb: Vec<(f64, f64)> = (0..d).filter(|&j| j != k).map(|j| b[j]).collect();
        let g = |y: &[f64]| {
            let mut full = y.to_vec();
            full.insert(k, v);
            f(&full)
        };
        nelder_mead(&g, &rest, &rb, 15 * (d - 1)).1
    };
    let side = |end: f64| -> f64 {
        let start = x[k];
        if (end - start).abs() < 1e-12 {
            return end;
        }
        let mut delta = 0.05 * (b[k].1 - b[k].0);
        let mut inside = start;
        let mut outside = None;
        for _ in 0..6 {
            let v = if end > start {
                (start + delta).min(end)
            } else {
                (start - delta).max(end)
            };
            if at(v) < target {
                outside = Some(v);
                break;
            }
            inside = v;
            if v == end {
                return end;
            }
            delta *= 2.0;
        }
        let Some(mut out) = outside else {
            return inside;
        };
        for _ in 0..5 {
            let mid = 0.5 * (inside + out);
            if at(mid) < target {
                out = mid;
            } else {
                inside = mid;
            }
        }
        0.5 * (inside + out)
    };
    (side(b[k].0), side(b[k].1))
}
