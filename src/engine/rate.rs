//! The event engine's per-touch arithmetic, made cheaper without changing a bit of it.
//!
//! Every touch of a physician turns its adoption probability `p` into a cumulative-hazard
//! rate `-ln(1 - p)` and its remaining resistance into a waiting time `ceil(rho / rate)`. On
//! the national benchmark the library calls behind these (`log1p`, and `ceil`, which the
//! baseline x86-64 target has no instruction for) took about 10 % of the run. Both are pure
//! functions, so:
//! - [`RateMemo`] remembers the rate of recently seen probabilities: the models' `p` is a
//!   function of a physician's exposure share, which takes few distinct values, so nearly
//!   every touch finds its rate in a small direct-mapped table. A hit returns the very value
//!   the library computed for the same bits, so results are unchanged.
//! - [`wait_steps`] rounds up with an integer conversion where that is exact.

/// Slots in a [`RateMemo`] (a power of two): 2,048 × 16 bytes = 32 KiB, one L1 cache.
const SLOTS: usize = 1 << 11;

/// `-ln(1 - p)`, infinite for `p ≥ 1`: the cumulative-hazard rate of a per-step probability.
#[inline]
pub fn rate_exact(prob: f64) -> f64 {
    if prob >= 1.0 {
        f64::INFINITY
    } else {
        -(-prob).ln_1p()
    }
}

/// A direct-mapped cache of [`rate_exact`], keyed by the probability's bits. Per worker.
#[derive(Debug, Clone)]
pub struct RateMemo {
    slots: Box<[(u64, f64)]>,
}

impl Default for RateMemo {
    fn default() -> Self {
        // Every slot starts valid: the rate of 0.0.
        let zero = (0.0f64.to_bits(), rate_exact(0.0));
        RateMemo {
            slots: vec![zero; SLOTS].into_boxed_slice(),
        }
    }
}

impl RateMemo {
    /// [`rate_exact`]`(prob)`, bit for bit, from the table when `prob` was seen last in its slot.
    #[inline]
    pub fn rate(&mut self, prob: f64) -> f64 {
        let bits = prob.to_bits();
        let slot =
            (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize;
        let entry = &mut self.slots[slot];
        if entry.0 == bits {
            return entry.1;
        }
        let rate = rate_exact(prob);
        *entry = (bits, rate);
        rate
    }
}

/// `q.ceil().max(1.0)` for a positive quotient `q` (or `+∞`, or NaN): the whole steps until
/// a remaining resistance is used up. Below 2^52 the truncating conversion is exact, so the
/// result is the same double as the library's `ceil`.
#[inline]
pub fn wait_steps(q: f64) -> f64 {
    const EXACT: f64 = (1u64 << 52) as f64;
    if (0.0..EXACT).contains(&q) {
        let t = q as u64 as f64;
        (if t < q { t + 1.0 } else { t }).max(1.0)
    } else {
        q.ceil().max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_returns_the_exact_bits() {
        let mut memo = RateMemo::default();
        let probs = [
            0.0,
            -0.0,
            1e-300,
            0.002,
            0.08 / 7.0,
            0.5,
            0.999_999_999,
            1.0,
            1.5,
            f64::NAN,
        ];
        // Twice: first misses, then hits; and many values colliding in the table.
        for round in 0..2 {
            for &p in probs.iter().chain(&[0.3; 1]) {
                let (a, b) = (memo.rate(p), rate_exact(p));
                assert!(
                    a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan(),
                    "{p} {round}"
                );
            }
            for k in 0..20_000u32 {
                let p = f64::from(k) / 20_000.0;
                assert_eq!(memo.rate(p).to_bits(), rate_exact(p).to_bits());
            }
        }
    }

    #[test]
    fn wait_is_the_library_ceiling() {
        let qs = [
            1e-12,
            0.3,
            1.0,
            1.0 + f64::EPSILON,
            2.0,
            2.5,
            119.999_999_999_999_99,
            4_294_967_295.5,
            (1u64 << 52) as f64 - 0.5,
            (1u64 << 52) as f64,
            1e300,
            f64::INFINITY,
        ];
        for q in qs
            .into_iter()
            .chain((1..10_000).map(|k| f64::from(k) * 0.0137))
        {
            assert_eq!(wait_steps(q).to_bits(), q.ceil().max(1.0).to_bits(), "{q}");
        }
        assert_eq!(wait_steps(f64::NAN), 1.0);
    }
}
