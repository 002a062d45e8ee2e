//! `stochastic_block`: physicians clustered in blocks (hospitals, regions).

use super::{Generator, Key, KeyType, Size, for_each_cell_with_prob, for_each_pair_with_prob};
use crate::network::{Attribute, Network};
use rand::Rng;

/// The registration (see [`super::GENERATORS`]).
pub const GENERATOR: Generator = Generator {
    kind: "stochastic_block",
    keys: &[
        Key {
            name: "sizes",
            ty: KeyType::Counts,
            what: "list of block sizes, e.g. [100, 200]",
        },
        Key {
            name: "p_in",
            ty: KeyType::Prob,
            what: "tie probability within a block",
        },
        Key {
            name: "p_out",
            ty: KeyType::Prob,
            what: "tie probability between blocks",
        },
    ],
    random: true,
    check: |_| Ok(()),
    size: |p| {
        let (sizes, p_in, p_out) = (p.counts("sizes"), p.number("p_in"), p.number("p_out"));
        let n: f64 = sizes.iter().map(|&s| s as f64).sum();
        let within: f64 = sizes
            .iter()
            .map(|&s| s as f64 * (s as f64 - 1.0) / 2.0)
            .sum();
        let between = (n * n - sizes.iter().map(|&s| (s as f64).powi(2)).sum::<f64>()) / 2.0;
        let ties = within * p_in.clamp(0.0, 1.0) + between * p_out.clamp(0.0, 1.0);
        let ties = ties + 6.0 * ties.sqrt() + 16.0;
        // The arc list grows by doubling: up to twice the arcs.
        Size {
            nodes: n,
            arcs: 2.0 * ties,
            arclist_cap: 4.0 * ties,
            extra: 0.0,
        }
    },
    build: |p, rng| stochastic_block(p.counts("sizes"), p.number("p_in"), p.number("p_out"), rng),
};

/// Stochastic block model: physicians in blocks (hospitals, regions) of the given sizes; a tie
/// within a block with probability `p_in`, between blocks with `p_out`. Adds the attribute
/// `block` (0-based block number).
pub fn stochastic_block<R: Rng + ?Sized>(
    sizes: &[usize],
    p_in: f64,
    p_out: f64,
    rng: &mut R,
) -> Network {
    let n: usize = sizes.iter().sum();
    let mut start = Vec::with_capacity(sizes.len());
    let mut block = Vec::with_capacity(n);
    let mut acc = 0;
    for (b, &s) in sizes.iter().enumerate() {
        start.push(acc);
        acc += s;
        block.extend(std::iter::repeat_n(Some(b as f64), s));
    }
    let mut ends: Vec<u32> = Vec::new();
    for (bi, &si) in sizes.iter().enumerate() {
        // Within block bi.
        let oi = start[bi] as u32;
        for_each_pair_with_prob(si, p_in, rng, |a, b| ends.extend([oi + a, oi + b]));
        // Between bi and each later block bj: a bipartite G(si, sj, p_out).
        for bj in bi + 1..sizes.len() {
            let (oj, sj) = (start[bj] as u32, sizes[bj]);
            for_each_cell_with_prob(si, sj, p_out, rng, |a, b| ends.extend([oi + a, oj + b]));
        }
    }
    Network::from_ties(n, &ends).with_attributes(vec![("block".into(), Attribute::Numeric(block))])
}
