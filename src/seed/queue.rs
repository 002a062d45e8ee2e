//! The pending `(physician, deadline)` pairs of one reverse-reachable search ([`super::rr`]):
//! a bucket queue for small horizons, a binary heap above [`HEAP_ABOVE`], and two stacks
//! (this level, the next) for the rules that always move exactly one step back (live arcs,
//! one parent), all popping in the same order so that the choice never changes a sampled set.

/// Horizons above this use a binary heap for the pending `(physician, deadline)` pairs instead
/// of one bucket per deadline: a bucket scan costs `O(H)` per RR set, a heap `O(log)` per push.
/// Both pop in the same order, so the choice never changes a result.
pub const HEAP_ABOVE: u32 = 256;

/// The pending `(physician, deadline)` pairs of one search, popped largest deadline first and,
/// among equal deadlines, last pushed first. Every push has a deadline below the one just
/// popped (every rule moves at least one step back), so the order is the one of a bucket queue
/// scanned downwards, whichever form holds it.
#[derive(Debug, Clone)]
pub(crate) enum Queue {
    /// One stack per deadline (small horizons).
    Buckets(Buckets),
    /// A max-heap on `(deadline, push order)` (large horizons: cost bounded by the pushes,
    /// not by the horizon).
    Heap {
        /// `(deadline, push order, physician)`.
        heap: std::collections::BinaryHeap<(u32, u64, u32)>,
        /// Pushes so far in this search.
        seq: u64,
    },
    /// Rules whose every push is exactly one step below the deadline just popped (live arcs,
    /// one parent): a breadth-first search by levels. The pairs of deadline `level` are
    /// all pushed before the first of them is popped, so a stack for `level` and one for
    /// `level − 1` pop in the order of the heap and of the buckets, at `O(1)` a push
    /// whatever the horizon.
    Levels {
        /// Pending physicians of deadline `level` (popped last pushed first).
        cur: Vec<u32>,
        /// Pending physicians of deadline `level − 1`.
        next: Vec<u32>,
        /// The deadline being drained.
        level: u32,
    },
}

/// One stack per deadline; `cur` is the deadline being drained.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    /// Stacks by deadline.
    stacks: Vec<Vec<u32>>,
    /// The deadline being drained.
    cur: usize,
    /// Entries still queued.
    pending: usize,
}

impl Buckets {
    #[inline]
    fn push(&mut self, v: u32, d: u32) {
        self.stacks[d as usize].push(v);
        self.pending += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<(u32, u32)> {
        if self.pending == 0 {
            return None;
        }
        loop {
            if let Some(v) = self.stacks[self.cur].pop() {
                self.pending -= 1;
                return Some((v, self.cur as u32));
            }
            self.cur -= 1;
        }
    }

    /// Empties the stacks from the current deadline down.
    fn clear(&mut self) {
        while self.pending > 0 {
            self.pending -= self.stacks[self.cur].len();
            self.stacks[self.cur].clear();
            self.cur = self.cur.saturating_sub(1);
        }
    }
}

impl Default for Queue {
    fn default() -> Self {
        Queue::Heap {
            heap: Default::default(),
            seq: 0,
        }
    }
}

impl Queue {
    /// The form for deadlines up to `horizon` (`heap`: force the heap, for tests).
    pub(crate) fn for_horizon(horizon: u32, heap: bool) -> Self {
        if heap || horizon > HEAP_ABOVE {
            Queue::default()
        } else {
            Queue::Buckets(Buckets {
                stacks: vec![Vec::new(); horizon as usize + 1],
                cur: 0,
                pending: 0,
            })
        }
    }

    /// The form for rules whose every push is one step below the popped deadline
    /// ([`Queue::Levels`]), any horizon.
    pub(crate) fn levels() -> Self {
        Queue::Levels {
            cur: Vec::new(),
            next: Vec::new(),
            level: 0,
        }
    }

    /// Starts a search at deadline `h` (the queue is empty).
    pub(crate) fn start(&mut self, h: u32) {
        match self {
            Queue::Buckets(b) => b.cur = h as usize,
            Queue::Heap { seq, .. } => *seq = 0,
            Queue::Levels { level, .. } => *level = h,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, v: u32, d: u32) {
        match self {
            Queue::Buckets(b) => b.push(v, d),
            Queue::Heap { heap, seq } => {
                heap.push((d, *seq, v));
                *seq += 1;
            }
            Queue::Levels { cur, next, level } => {
                if d == *level {
                    cur.push(v);
                } else {
                    debug_assert_eq!(d + 1, *level, "Levels needs unit steps");
                    next.push(v);
                }
            }
        }
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(u32, u32)> {
        match self {
            Queue::Buckets(b) => b.pop(),
            Queue::Heap { heap, .. } => heap.pop().map(|(d, _, v)| (v, d)),
            Queue::Levels { cur, next, level } => {
                if let Some(v) = cur.pop() {
                    return Some((v, *level));
                }
                if next.is_empty() {
                    return None;
                }
                std::mem::swap(cur, next);
                *level -= 1;
                cur.pop().map(|v| (v, *level))
            }
        }
    }

    /// Empties the queue (after a search that stopped early).
    pub(crate) fn clear(&mut self) {
        match self {
            Queue::Buckets(b) => b.clear(),
            Queue::Heap { heap, .. } => heap.clear(),
            Queue::Levels { cur, next, .. } => {
                cur.clear();
                next.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_heap_pop_in_the_same_order() {
        let mut a = Queue::for_horizon(20, false);
        let mut b = Queue::for_horizon(20, true);
        assert!(matches!(a, Queue::Buckets(_)) && matches!(b, Queue::Heap { .. }));
        for q in [&mut a, &mut b] {
            q.start(20);
            q.push(7, 20);
        }
        let mut seen = [Vec::new(), Vec::new()];
        for (i, q) in [&mut a, &mut b].into_iter().enumerate() {
            let mut x = 1u32;
            while let Some((v, d)) = q.pop() {
                seen[i].push((v, d));
                // Pushes below the popped deadline, several per deadline, some repeated.
                for _ in 0..(2 + v % 3) {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    if d > 0 && seen[i].len() < 200 {
                        q.push(x % 50, (x >> 8) % d);
                    }
                }
            }
        }
        assert!(seen[0].len() > 20, "{:?}", seen[0]);
        assert_eq!(seen[0], seen[1]);
        // Unit steps (every push one below the popped deadline): the levels pop as the others.
        let mut qs = [
            Queue::for_horizon(30, false),
            Queue::for_horizon(30, true),
            Queue::levels(),
        ];
        let mut seen = [Vec::new(), Vec::new(), Vec::new()];
        for (i, q) in qs.iter_mut().enumerate() {
            q.start(30);
            q.push(7, 30);
            let mut x = 3u32;
            while let Some((v, d)) = q.pop() {
                seen[i].push((v, d));
                for _ in 0..(v % 4) {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    if d > 0 && seen[i].len() < 300 {
                        q.push((x >> 4) % 50, d - 1);
                    }
                }
            }
        }
        assert!(seen[0].len() > 50, "{:?}", seen[0]);
        assert_eq!(seen[0], seen[1]);
        assert_eq!(seen[0], seen[2]);
        // Clearing mid-search leaves each form empty.
        for q in [&mut a, &mut b] {
            q.start(20);
            q.push(1, 20);
            q.push(2, 3);
            q.push(3, 3);
            assert_eq!(q.pop(), Some((1, 20)));
            q.clear();
            assert_eq!(q.pop(), None);
        }
        let mut c = Queue::levels();
        c.start(20);
        c.push(1, 20);
        assert_eq!(c.pop(), Some((1, 20)));
        c.push(2, 19);
        c.push(3, 19);
        c.clear();
        assert_eq!(c.pop(), None);
    }
}
