//! The random draws of the RR-set sampler: uniforms for logarithms, geometric skips, and a
//! sorted list's independent subset by skips and thinning.

use super::InArc;
use rand::RngExt;

/// A uniform draw in `(0, 1]` (for logarithms).
#[inline]
pub(super) fn open01<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    1.0 - rng.random::<f64>()
}

/// Number of failures before the first success of Bernoulli(`b`) trials, `0 < b < 1`.
#[inline]
pub(super) fn skip<R: rand::Rng + ?Sized>(b: f64, rng: &mut R) -> usize {
    let g = open01(rng).ln() / (-b).ln_1p();
    if g >= usize::MAX as f64 {
        usize::MAX
    } else {
        g as usize
    }
}

/// Calls `take(k, f(p_k))` for each index `k` of `probs` (sorted descending) independently
/// with probability `f(p_k)`, where `f` is non-decreasing with `f(0) = 0`: geometric skips at
/// the current bound, thinning on landing (see the module docs).
#[inline]
pub(super) fn subset<R: rand::Rng + ?Sized>(
    probs: &[InArc],
    f: impl Fn(f32) -> f64,
    rng: &mut R,
    mut take: impl FnMut(usize, f64, &mut R),
) {
    let mut k = 0;
    while k < probs.len() {
        let b = f(probs[k].val);
        if b <= 0.0 {
            return;
        }
        if b >= 1.0 {
            take(k, 1.0, rng);
            k += 1;
            continue;
        }
        k = k.saturating_add(skip(b, rng));
        if k >= probs.len() {
            return;
        }
        let pk = f(probs[k].val);
        if pk >= b || rng.random::<f64>() * b < pk {
            take(k, pk, rng);
        }
        k += 1;
    }
}
