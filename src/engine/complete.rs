//! The complete graph, kept implicit: every physician listens to every other, arcs leaving `j`
//! weigh `s_j` (κ for KOLs, else 1). For a non-adopter `i`, `c_i = Σ_{j adopted} s_j` and
//! `w_i = Σ_j s_j - s_i`, so a step costs `O(n)` with global sums instead of `O(n²)`.
//! One uniform draw per non-adopter with `0 < P < 1`, as in the reference engine.

use super::{Hazard, NEVER, Observer, Replicate, Scratch, finish_step, start};
use crate::rng::Purpose;
use rand::RngExt;

/// Runs one replicate on the implicit complete graph.
pub fn run<H: Hazard, O: Observer + ?Sized>(
    model: &H,
    rep: &Replicate<'_>,
    s: &mut Scratch,
    obs: &mut O,
) {
    let net = rep.net;
    let n = net.n();
    let mut rng = rep.stream(Purpose::Dynamics);
    s.adopted_at.clear();
    s.adopted_at.resize(n, NEVER);
    let (mut adopters, mut go) = start(rep, &mut s.adopted_at, obs);
    let total: f64 = (0..n).map(|j| net.source_scale(j) as f64).sum();
    let mut adopted_weight: f64 = rep
        .initial
        .iter()
        .map(|&j| net.source_scale(j as usize) as f64)
        .sum();
    // Log-probability of escaping the one-shot chances of last step's adopters.
    let log_escape = |new: &[u32]| -> f64 {
        new.iter()
            .map(|&j| {
                let pj = model.arc_prob(net.source_scale(j as usize)).unwrap_or(0.0);
                (1.0 - pj).ln()
            })
            .sum()
    };
    let mut escape = log_escape(rep.initial).exp();
    for t in 1..=rep.steps {
        if !go {
            return;
        }
        s.new.clear();
        for i in 0..n {
            if s.adopted_at[i] != NEVER {
                continue;
            }
            let w = total - net.source_scale(i) as f64;
            let p = 1.0 - (1.0 - model.prob(i, adopted_weight, w)) * escape;
            if p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p) {
                s.new.push(i as u32);
            }
        }
        adopted_weight += s
            .new
            .iter()
            .map(|&j| net.source_scale(j as usize) as f64)
            .sum::<f64>();
        escape = log_escape(&s.new).exp();
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
    }
}
