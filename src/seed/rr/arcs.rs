//! The stored in-arcs of the reverse graph: the per-arc record, where each physician's arcs
//! start, and the weighted pick of one arc from cumulative shares.

/// One stored in-arc.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub(super) struct InArc {
    /// The in-neighbour.
    pub(super) src: u32,
    /// The rule's per-arc value (probability, or cumulative weight share).
    pub(super) val: f32,
}

/// Where each physician's in-arcs start: `u32` when the arcs fit (half the memory of `usize`).
#[derive(Debug, Clone)]
pub(super) enum Offsets {
    /// Fewer than `2³²` arcs.
    Narrow(Vec<u32>),
    /// Any number of arcs.
    Wide(Vec<usize>),
}

impl Offsets {
    /// None yet, with room for `n + 1`; narrow when `arcs` (the most there will be) fit `u32`.
    pub(super) fn new(n: usize, arcs: usize) -> Self {
        if arcs < u32::MAX as usize {
            Offsets::Narrow(Vec::with_capacity(n + 1))
        } else {
            Offsets::Wide(Vec::with_capacity(n + 1))
        }
    }

    /// Appends an offset (at most the `arcs` given to [`Offsets::new`]).
    pub(super) fn push(&mut self, o: usize) {
        match self {
            Offsets::Narrow(v) => v.push(o as u32),
            Offsets::Wide(v) => v.push(o),
        }
    }

    /// The arcs of physician `u`.
    #[inline]
    pub(super) fn range(&self, u: usize) -> std::ops::Range<usize> {
        match self {
            Offsets::Narrow(v) => v[u] as usize..v[u + 1] as usize,
            Offsets::Wide(v) => v[u]..v[u + 1],
        }
    }
}

/// The first index `k` with `cum[k].val > x` (`cum.len()` if none) of the non-decreasing
/// cumulative shares `cum`: exactly `cum.partition_point(|a| a.val <= x)`, found from the
/// guess `⌊x · len⌋` — right at once where the weights are equal (weighted cascade, unit
/// weights), one cache line instead of a binary search's dozen on a hub's thousands of
/// arcs — by a few steps up or down, then by bisection of what remains.
#[inline]
pub(super) fn first_above(cum: &[InArc], x: f32) -> usize {
    const STEPS: usize = 4;
    let len = cum.len();
    let mut k = ((x * len as f32) as usize).min(len);
    if k < len && cum[k].val <= x {
        // The answer is above k.
        for _ in 0..STEPS {
            k += 1;
            if k == len || cum[k].val > x {
                return k;
            }
        }
        k + cum[k..].partition_point(|a| a.val <= x)
    } else {
        // The answer is at most k.
        for _ in 0..STEPS {
            if k == 0 || cum[k - 1].val <= x {
                return k;
            }
            k -= 1;
        }
        cum[..k].partition_point(|a| a.val <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_and_wide_offsets_give_the_same_ranges() {
        let ends = [0usize, 3, 3, 7, 12];
        let (mut a, mut b) = (Offsets::new(4, 12), Offsets::new(4, u32::MAX as usize));
        assert!(matches!((&a, &b), (Offsets::Narrow(_), Offsets::Wide(_))));
        for &o in &ends {
            a.push(o);
            b.push(o);
        }
        for u in 0..4 {
            assert_eq!(a.range(u), ends[u]..ends[u + 1]);
            assert_eq!(b.range(u), a.range(u));
        }
    }

    #[test]
    fn first_above_is_the_partition_point() {
        let mut x = 11u64;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 40) as u32
        };
        for len in [1usize, 2, 3, 7, 40, 300] {
            for skew in 0..4 {
                // Equal, ramped, very skewed and tied weights (zeros give repeated shares).
                let w: Vec<f64> = (0..len)
                    .map(|i| match skew {
                        0 => 1.0,
                        1 => 1.0 + i as f64,
                        2 => (1.0 + (next() % 1000) as f64).powi(3),
                        _ => (next() % 3) as f64,
                    })
                    .collect();
                let total: f64 = w.iter().sum::<f64>().max(1.0);
                let mut acc = 0.0;
                let cum: Vec<InArc> = w
                    .iter()
                    .map(|&w| {
                        acc += w;
                        InArc {
                            src: 0,
                            val: (acc / total) as f32,
                        }
                    })
                    .collect();
                let mut xs: Vec<f32> = cum
                    .iter()
                    .flat_map(|a| [a.val, a.val.next_down()])
                    .collect();
                xs.extend((0..200).map(|_| (next() % 1_000_000) as f32 / 1e6));
                xs.extend([0.0, 1.0, 0.999_999_9]);
                for x in xs {
                    let want = cum.partition_point(|a| a.val <= x);
                    assert_eq!(first_above(&cum, x), want, "len {len} skew {skew} x {x}");
                }
            }
        }
    }
}
