//! `barabasi_albert`: preferential attachment.

use super::{Generator, Key, KeyType, Size};
use crate::network::Network;
use rand::{Rng, RngExt};

/// The registration (see [`super::GENERATORS`]).
pub const GENERATOR: Generator = Generator {
    kind: "barabasi_albert",
    keys: &[
        Key::n(2),
        Key {
            name: "m",
            ty: KeyType::Count { lo: 1 },
            what: "ties per new physician",
        },
    ],
    random: true,
    check: |p| {
        let (n, m) = (p.count("n"), p.count("m"));
        if m >= n {
            return Err(("m", format!("m = {m} must be smaller than n = {n}")));
        }
        Ok(())
    },
    size: |p| {
        let (n, m) = (p.count("n") as f64, p.count("m") as f64);
        let ties = m * (m + 1.0) / 2.0 + (n - m - 1.0).max(0.0) * m;
        // The arc list has room for 2mn arcs; the list of tie ends (4 bytes each) lives
        // until the network is built.
        Size {
            nodes: n,
            arcs: 2.0 * ties,
            arclist_cap: 2.0 * m * n,
            extra: 8.0 * m * n,
        }
    },
    build: |p, rng| barabasi_albert(p.count("n"), p.count("m"), rng),
};

/// Barabási–Albert preferential attachment: starts from a clique of `m + 1` nodes; each new
/// node ties to `m` distinct existing nodes chosen with probability proportional to degree.
pub fn barabasi_albert<R: Rng + ?Sized>(n: usize, m: usize, rng: &mut R) -> Network {
    assert!(m >= 1 && m < n);
    // Every tie's two endpoints in draw order: a uniform pick is degree-proportional, and the
    // list is the network itself (two arcs of weight 1 per tie, built by
    // [`Network::from_ties`] without a separate arc list).
    let mut ends: Vec<u32> = Vec::with_capacity(2 * m * n);
    for a in 0..=m as u32 {
        for b in 0..a {
            ends.push(a);
            ends.push(b);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    let mut first: Vec<u32> = vec![0; m];
    for v in (m + 1) as u32..n as u32 {
        chosen.clear();
        // A node's draws do not depend on what they pick (the list grows only after its
        // last draw), so its first m are drawn at once and their random loads overlap; any
        // further draws (after a repeat) follow one by one, in the same order.
        let len = ends.len();
        for p in first.iter_mut() {
            *p = ends[rng.random_range(0..len)];
        }
        for &t in &first {
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        while chosen.len() < m {
            let t = ends[rng.random_range(0..len)];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            ends.push(v);
            ends.push(t);
        }
    }
    Network::from_ties(n, &ends)
}
