//! Choosing the seeds: for one theory (RR sets + OPIM-C, or CELF on simulations), for the
//! weighted mean over theories (mixture RR sets, or CELF on the weighted forward objective)
//! and for the worst case (saturate greedy on each theory's RR sets, or CELF on the worst
//! ratio).

use super::{CELF_FIRST_REPLICATE, Ctx, Method, Selection};
use crate::engine::Scratch;
use crate::error::Error;
use crate::kols::{self, KolRule};
use crate::rng::{Purpose, stream};
use crate::seed::collection::{BATCH, Source};
use crate::seed::robust::{Scored, saturate};
use crate::seed::{self, Forward, Mixture, OpimOptions, ReverseGraph};
use rayon::prelude::*;

/// The reverse graph of every theory, or `None` when some theory has none (or the method
/// is CELF). `Err` for `--method rr` with a theory that has no reverse-reachable form.
pub(super) fn graphs(cx: &Ctx) -> Result<Option<Vec<ReverseGraph>>, Error> {
    if cx.req.method == Method::Celf {
        return Ok(None);
    }
    let mut out = Vec::new();
    for t in cx.theories {
        let model = &cx.sc.models[t.model].model;
        match model.reverse_reachable() {
            Some(_) if cx.net.is_complete() => {
                return Err(Error::Usage(
                    "the complete graph has no structure to optimise over: every set of k physicians spreads the same".into(),
                ));
            }
            Some(rule) => {
                out.push(ReverseGraph::new(cx.net, rule, cx.h).map_err(Error::Usage)?);
            }
            None if cx.req.method == Method::Rr => {
                return Err(Error::Usage(format!(
                    "--method rr: model \"{}\" ({}) has no reverse-reachable form: {}. Use --method celf (greedy on simulations, no guarantee).",
                    t.name,
                    t.kind,
                    seed::no_rr_reason(t.kind)
                )));
            }
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Why CELF is used (the first theory without a reverse-reachable form).
fn why_celf(cx: &Ctx) -> String {
    if cx.req.method == Method::Celf {
        return "--method celf".into();
    }
    cx.theories
        .iter()
        .find(|t| cx.sc.models[t.model].model.reverse_reachable().is_none())
        .map(|t| format!("{} ({}): {}", t.name, t.kind, seed::no_rr_reason(t.kind)))
        .unwrap_or_else(|| "--method celf".into())
}

fn options(cx: &Ctx) -> OpimOptions {
    OpimOptions {
        k: cx.k,
        epsilon: cx.req.epsilon,
        delta: None,
        objective: cx.req.objective,
        seed: cx.seed,
        candidates: cx.mask.clone(),
        min_sets: seed::opim::MIN_SETS,
        budget: cx.budget.clone(),
        sentinel: cx.req.sentinel,
        max_nodes: seed::opim::MAX_NODES,
    }
}

/// The CELF candidate pool: the allowed (and affordable) physicians, the top `--pool` by
/// in-degree when there are more.
fn pool(cx: &Ctx) -> Vec<u32> {
    let n = cx.net.n();
    let mut cands: Vec<u32> = (0..n as u32)
        .filter(|&v| cx.mask.as_ref().is_none_or(|m| m[v as usize]))
        .collect();
    if let Some(b) = &cx.budget {
        cands.retain(|&v| b.fits(v, b.budget));
    }
    if cands.len() > cx.req.pool {
        let rank = kols::rank_with(
            cx.base,
            &KolRule::InDegree,
            &mut stream(cx.seed, Purpose::Kols, 0),
        );
        let mut ok = vec![false; n];
        for &v in &cands {
            ok[v as usize] = true;
        }
        cands = rank
            .into_iter()
            .filter(|&v| ok[v as usize])
            .take(cx.req.pool)
            .collect();
        cands.sort_unstable();
    }
    cands
}

/// Mean objective of `set` under `fwd` over the CELF selection replicates (disjoint from the
/// evaluation replicates).
fn celf_mean(fwd: &Forward, set: &[u32], reps: u64) -> f64 {
    let mut s = set.to_vec();
    s.sort_unstable();
    let v: Vec<f64> = (0..reps)
        .into_par_iter()
        .map_init(Scratch::default, |sc, r| {
            fwd.one(&s, CELF_FIRST_REPLICATE + r, sc)
        })
        .collect();
    v.iter().sum::<f64>() / reps.max(1) as f64
}

/// CELF (or the budgeted best of two) on `eval`.
fn celf_with(cx: &Ctx, eval: &(dyn Fn(&[u32]) -> f64 + Sync), why: String) -> Selection {
    let t0 = std::time::Instant::now();
    let cands = pool(cx);
    let (lazy, best_of_two) = match &cx.budget {
        None => (seed::celf(cx.k, &cands, eval), None),
        Some(b) => {
            let (l, c) = seed::celf_budget(&cands, b, eval);
            (l, Some(c))
        }
    };
    Selection::Celf {
        why,
        pool: cands.len(),
        lazy,
        best_of_two,
        seconds: t0.elapsed().as_secs_f64(),
    }
}

/// The best set for theory `t` alone.
pub(super) fn one(cx: &Ctx, t: usize, graphs: Option<&[ReverseGraph]>) -> Selection {
    match graphs {
        Some(g) => Selection::Rr(seed::opim_c(&g[t], &options(cx))),
        None => {
            let reps = cx.req.replicates as u64;
            let fwd = &cx.fwds[t];
            celf_with(cx, &|s| celf_mean(fwd, s, reps), why_celf(cx))
        }
    }
}

/// The best set for the weighted mean over the theories.
pub(super) fn mean(cx: &Ctx, graphs: Option<&[ReverseGraph]>) -> Result<Selection, Error> {
    match graphs {
        Some(g) => {
            let mix = Mixture::new(
                g.iter()
                    .zip(cx.theories)
                    .map(|(g, t)| (g, t.weight))
                    .collect(),
            )
            .map_err(Error::Other)?;
            Ok(Selection::Rr(seed::opim_mix(&mix, &options(cx))))
        }
        None => {
            let reps = cx.req.replicates as u64;
            let eval = |s: &[u32]| -> f64 {
                cx.theories
                    .iter()
                    .zip(&cx.fwds)
                    .map(|(t, f)| t.weight * celf_mean(f, s, reps))
                    .sum()
            };
            Ok(celf_with(cx, &eval, why_celf(cx)))
        }
    }
}

/// The seed stream of theory `t`'s own RR sets for the worst-case objective (a key of its
/// own, independent of the certificate's collections).
fn theory_seed(seed: u64, t: usize) -> u64 {
    seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(t as u64 + 1))
}

/// The best set for the worst case over the theories, given each theory's own selection.
pub(super) fn worst(cx: &Ctx, graphs: Option<&[ReverseGraph]>, own: &[Selection]) -> Selection {
    let Some(g) = graphs else {
        let reps = cx.req.replicates as u64;
        let best: Vec<f64> = own
            .iter()
            .zip(&cx.fwds)
            .map(|(s, f)| celf_mean(f, s.seeds(), reps).max(1e-9))
            .collect();
        let eval = |s: &[u32]| -> f64 {
            cx.fwds
                .iter()
                .zip(&best)
                .map(|(f, b)| celf_mean(f, s, reps) / b)
                .fold(f64::INFINITY, f64::min)
        };
        return celf_with(
            cx,
            &eval,
            format!("worst case by CELF on the smallest ratio; {}", why_celf(cx)),
        );
    };
    let t0 = std::time::Instant::now();
    let cap = seed::opim::MAX_NODES / (2 * g.len() as u64);
    let colls: Vec<_> = g
        .iter()
        .enumerate()
        .map(|(t, gt)| {
            let sets = match &own[t] {
                Selection::Rr(c) => c.rr_sets,
                _ => seed::opim::MIN_SETS,
            };
            Source {
                g: &Mixture::single(gt),
                objective: cx.req.objective,
                seed: theory_seed(cx.seed, t),
                purpose: Purpose::RrSets,
                c: 0,
                batch: BATCH,
                stop: None,
                limit: 0,
            }
            .sample_capped(0..sets.div_ceil(BATCH).max(1), cap)
            .0
        })
        .collect();
    let n = cx.net.n();
    let scored: Vec<Scored> = colls
        .iter()
        .zip(own)
        .map(|(c, s)| Scored {
            coll: c,
            best: (c.coverage(s.seeds(), n) + c.precovered) as f64,
        })
        .collect();
    let sat = saturate(&scored, n, cx.k, cx.mask.as_deref());
    Selection::Saturate {
        rr_sets: colls.iter().map(|c| c.theta).collect(),
        sat,
        seconds: t0.elapsed().as_secs_f64(),
    }
}
