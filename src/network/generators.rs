//! Random network generators. Randomness comes only from the `rng` argument.
//!
//! All generated ties are undirected (two arcs of weight 1). Parameters are validated by the
//! scenario layer before these are called; the functions assert their preconditions.

use super::{Attribute, Network};
use rand::{Rng, RngExt};
use std::collections::HashSet;

/// Erdős–Rényi `G(n, p)` with `p = mean_degree / (n - 1)`, drawn by geometric skipping
/// (Batagelj & Brandes 2005) in `O(n + m)`.
pub fn erdos_renyi<R: Rng + ?Sized>(n: usize, mean_degree: f64, rng: &mut R) -> Network {
    assert!(n >= 2);
    let p = (mean_degree / (n - 1) as f64).clamp(0.0, 1.0);
    let mut ends = Vec::with_capacity((mean_degree * n as f64 * 1.1) as usize + 16);
    for_each_pair_with_prob(n, p, rng, |a, b| ends.extend([a, b]));
    Network::from_ties(n, &ends)
}

/// Calls `f(a, b)` (with `a > b`) for each unordered pair of `0..n` independently with
/// probability `p`.
fn for_each_pair_with_prob<R: Rng + ?Sized>(
    n: usize,
    p: f64,
    rng: &mut R,
    mut f: impl FnMut(u32, u32),
) {
    if p <= 0.0 {
        return;
    }
    if p >= 1.0 {
        for a in 1..n {
            for b in 0..a {
                f(a as u32, b as u32);
            }
        }
        return;
    }
    let lq = (1.0 - p).ln();
    let (mut v, mut w): (i64, i64) = (1, -1);
    let n = n as i64;
    while v < n {
        let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
        w += 1 + (u.ln() / lq).floor() as i64;
        while w >= v && v < n {
            w -= v;
            v += 1;
        }
        if v < n {
            f(v as u32, w as u32);
        }
    }
}

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
    for v in (m + 1) as u32..n as u32 {
        chosen.clear();
        while chosen.len() < m {
            let t = ends[rng.random_range(0..ends.len())];
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

/// Calls `f(a, b)` for each cell of an `r × c` grid independently with probability `p`.
fn for_each_cell_with_prob<R: Rng + ?Sized>(
    r: usize,
    c: usize,
    p: f64,
    rng: &mut R,
    mut f: impl FnMut(u32, u32),
) {
    if p <= 0.0 || r == 0 || c == 0 {
        return;
    }
    let total = (r as u64) * (c as u64);
    if p >= 1.0 {
        for k in 0..total {
            f((k / c as u64) as u32, (k % c as u64) as u32);
        }
        return;
    }
    let lq = (1.0 - p).ln();
    let mut k: i64 = -1;
    loop {
        let u: f64 = 1.0 - rng.random::<f64>();
        k += 1 + (u.ln() / lq).floor() as i64;
        if k < 0 || k as u64 >= total {
            return;
        }
        f((k as u64 / c as u64) as u32, (k as u64 % c as u64) as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn barabasi_albert_has_m_ties_per_new_node() {
        let (n, m) = (1000, 3);
        let net = barabasi_albert(n, m, &mut stream(1, Purpose::Network, 0));
        let ties = m * (m + 1) / 2 + (n - m - 1) * m;
        assert_eq!(net.arc_count(), 2 * ties as u64);
        assert_eq!(net.report().duplicates_merged, 0);
        assert!((0..n).all(|i| net.in_degree(i) >= m));
        // Preferential attachment: the hub is far above the mean degree 2m.
        let max = (0..n).map(|i| net.in_degree(i)).max().unwrap();
        assert!(max > 8 * m, "max degree {max}");
    }

    #[test]
    fn erdos_renyi_mean_degree() {
        let n = 20_000;
        let net = erdos_renyi(n, 6.0, &mut stream(2, Purpose::Network, 0));
        let mean = net.arc_count() as f64 / n as f64;
        // Ties ~ Binomial(n(n-1)/2, p): sd of the mean degree = 2*sqrt(ties)/n ~ 0.017.
        assert!((mean - 6.0).abs() < 0.1, "mean degree {mean}");
        assert_eq!(net.report().duplicates_merged, 0);
        assert_eq!(net.report().self_loops_dropped, 0);
    }

    #[test]
    fn watts_strogatz_keeps_tie_count() {
        let net = watts_strogatz(500, 6, 0.2, &mut stream(3, Purpose::Network, 0));
        assert_eq!(net.arc_count(), 500 * 6);
        assert_eq!(net.report().duplicates_merged, 0);
        let lattice = watts_strogatz(10, 2, 0.0, &mut stream(3, Purpose::Network, 0));
        assert_eq!(lattice.in_arcs().arcs(0).0, &[1, 9]);
    }

    #[test]
    fn stochastic_block_densities() {
        let sizes = [300, 300];
        let net = stochastic_block(&sizes, 0.1, 0.01, &mut stream(4, Purpose::Network, 0));
        let block = match net.attribute("block").unwrap() {
            Attribute::Numeric(v) => v.clone(),
            _ => unreachable!(),
        };
        let (mut within, mut between) = (0u64, 0u64);
        for i in 0..net.n() {
            for &j in net.in_arcs().arcs(i).0 {
                if block[i] == block[j as usize] {
                    within += 1;
                } else {
                    between += 1;
                }
            }
        }
        // Expected within arcs: 2 * 2 * C(300,2) * 0.1 = 17940 (sd ~ 190); between 2*90000*0.01=1800 (sd ~ 60).
        assert!((within as f64 - 17940.0).abs() < 1000.0, "within {within}");
        assert!((between as f64 - 1800.0).abs() < 300.0, "between {between}");
    }

    #[test]
    fn same_stream_same_graph() {
        let a = barabasi_albert(300, 2, &mut stream(9, Purpose::Network, 5));
        let b = barabasi_albert(300, 2, &mut stream(9, Purpose::Network, 5));
        assert_eq!(a.in_arcs().nodes, b.in_arcs().nodes);
    }
}
