//! `watts_strogatz`: small world.

use super::{Generator, Key, KeyType, Size};
use crate::network::Network;
use rand::{Rng, RngExt};
use std::collections::HashSet;

/// The registration (see [`super::GENERATORS`]).
pub const GENERATOR: Generator = Generator {
    kind: "watts_strogatz",
    keys: &[
        Key::n(3),
        Key {
            name: "k",
            ty: KeyType::Count { lo: 2 },
            what: "ring neighbours per physician, even",
        },
        Key {
            name: "rewire",
            ty: KeyType::Prob,
            what: "rewiring probability",
        },
    ],
    random: true,
    check: |p| {
        let (n, k) = (p.count("n"), p.count("k"));
        if !k.is_multiple_of(2) {
            return Err(("k", format!("k = {k} must be even")));
        }
        if k >= n {
            return Err(("k", format!("k = {k} must be smaller than n = {n}")));
        }
        Ok(())
    },
    size: |p| {
        let (n, k) = (p.count("n") as f64, p.count("k") as f64);
        let ties = n * k / 2.0;
        // The tie list (8 bytes) and the hash set of ties (about 24 bytes each).
        Size {
            nodes: n,
            arcs: 2.0 * ties,
            arclist_cap: 2.0 * ties,
            extra: 32.0 * ties,
        }
    },
    build: |p, rng| watts_strogatz(p.count("n"), p.count("k"), p.number("rewire"), rng),
};

/// Watts–Strogatz small world: a ring where each node ties to its `k` nearest neighbours
/// (`k` even), then each tie's far end is rewired with probability `rewire` to a uniform node,
/// avoiding self-loops and duplicate ties.
pub fn watts_strogatz<R: Rng + ?Sized>(n: usize, k: usize, rewire: f64, rng: &mut R) -> Network {
    assert!(k >= 2 && k.is_multiple_of(2) && k < n);
    let mut ties: Vec<(u32, u32)> = Vec::with_capacity(n * k / 2);
    let mut present: HashSet<(u32, u32)> = HashSet::with_capacity(n * k / 2);
    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    for a in 0..n {
        for d in 1..=k / 2 {
            let b = (a + d) % n;
            ties.push((a as u32, b as u32));
            present.insert(key(a as u32, b as u32));
        }
    }
    for t in &mut ties {
        if rng.random::<f64>() < rewire {
            let a = t.0;
            // Give up after a few tries on nearly complete graphs rather than loop forever.
            for _ in 0..64 {
                let c = rng.random_range(0..n as u32);
                if c != a && !present.contains(&key(a, c)) {
                    present.remove(&key(t.0, t.1));
                    present.insert(key(a, c));
                    t.1 = c;
                    break;
                }
            }
        }
    }
    let ends: Vec<u32> = ties.into_iter().flat_map(|(a, b)| [a, b]).collect();
    Network::from_ties(n, &ends)
}
