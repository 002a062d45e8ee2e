//! `erdos_renyi`: `G(n, p)` with a given mean degree.

use super::{Generator, Key, KeyType, Size, for_each_pair_with_prob};
use crate::network::Network;
use rand::Rng;

/// The registration (see [`super::GENERATORS`]).
pub const GENERATOR: Generator = Generator {
    kind: "erdos_renyi",
    keys: &[
        Key::n(2),
        Key {
            name: "mean_degree",
            ty: KeyType::Number,
            what: "expected ties per physician",
        },
    ],
    random: true,
    check: |p| {
        let (n, x) = (p.count("n"), p.number("mean_degree"));
        if !(x >= 0.0 && x <= (n - 1) as f64) {
            let msg = format!(
                "{x} is outside [0, n - 1 = {}] (expected ties per physician)",
                n - 1
            );
            return Err(("mean_degree", msg));
        }
        Ok(())
    },
    size: |p| {
        let n = p.count("n") as f64;
        let mean = n * p.number("mean_degree").clamp(0.0, (n - 1.0).max(0.0));
        let hi = mean + 6.0 * mean.sqrt() + 16.0;
        let cap = 1.1 * mean + 16.0;
        let cap = if hi > cap { 2.0 * cap } else { cap };
        Size {
            nodes: n,
            arcs: hi,
            arclist_cap: cap,
            extra: 0.0,
        }
    },
    build: |p, rng| erdos_renyi(p.count("n"), p.number("mean_degree"), rng),
};

/// Erdős–Rényi `G(n, p)` with `p = mean_degree / (n - 1)`, drawn by geometric skipping
/// (Batagelj & Brandes 2005) in `O(n + m)`.
pub fn erdos_renyi<R: Rng + ?Sized>(n: usize, mean_degree: f64, rng: &mut R) -> Network {
    assert!(n >= 2);
    let p = (mean_degree / (n - 1) as f64).clamp(0.0, 1.0);
    let mut ends = Vec::with_capacity((mean_degree * n as f64 * 1.1) as usize + 16);
    for_each_pair_with_prob(n, p, rng, |a, b| ends.extend([a, b]));
    Network::from_ties(n, &ends)
}
