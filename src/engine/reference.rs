//! The reference engine: the naive full sweep, kept for checking the fast engine.
//!
//! Each step, for each non-adopter `i`: recount `c_i = Σ_j w_ji a_j(t-1)` over the in-arcs,
//! combine with one-shot arc chances from last step's adopters, and draw one Bernoulli with
//! the hazard. `O(arcs)` per step; one uniform draw per non-adopter with `0 < P < 1`.

use super::{Hazard, NEVER, Observer, Replicate, Scratch, finish_step, start};
use crate::rng::Purpose;
use rand::RngExt;

/// Runs one replicate with the full sweep.
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
    let has_arc = model.arc_prob(1.0).is_some();
    let inn = net.in_arcs();
    for t in 1..=rep.steps {
        if !go {
            return;
        }
        s.new.clear();
        for i in 0..n {
            if s.adopted_at[i] != NEVER {
                continue;
            }
            let (src, w) = inn.arcs(i);
            let mut c = 0.0f64;
            let mut escape = 1.0f64; // probability of escaping every one-shot arc chance
            for (&j, &wj) in src.iter().zip(w) {
                let a = s.adopted_at[j as usize];
                if a < t {
                    c += wj as f64;
                    if has_arc && a == t - 1 {
                        escape *= 1.0 - model.arc_prob(wj).unwrap_or(0.0);
                    }
                }
            }
            let p = 1.0 - (1.0 - model.prob(i, c, net.in_weight(i))) * escape;
            if p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p) {
                s.new.push(i as u32);
            }
        }
        (adopters, go) = finish_step(rep, t, &s.new, &mut s.adopted_at, adopters, obs);
    }
}
