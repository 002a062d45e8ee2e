//! Core numbers behind the `kcore` KOL rule (eigenvector centrality and betweenness are in
//! [`super::eigenvector`](mod@super::eigenvector) and [`super::betweenness`](mod@super::betweenness)).

use crate::network::Network;
use crate::network::similarity::undirected_neighbours;
use rayon::prelude::*;

/// Core number of every node on the undirected view (an arc either way is one tie): the
/// largest `k` such that the node belongs to a subgraph in which everyone has at least `k`
/// ties (k-core decomposition, Batagelj & Zaversnik 2003). Isolated nodes have core 0; on the
/// implicit complete graph every node has core `n - 1`.
///
/// # Complexity
/// `O(n + arcs)` time (bin sort by degree, each node and tie processed once), serial; `O(n)`
/// memory (three `u32` arrays and one bin per degree value).
pub fn core_numbers(net: &Network) -> Vec<u32> {
    let n = net.n();
    if net.is_complete() {
        return vec![n.saturating_sub(1) as u32; n];
    }
    let mut deg: Vec<u32> = (0..n)
        .into_par_iter()
        .map(|i| undirected_neighbours(net, i).count() as u32)
        .collect();
    let max_deg = deg.iter().copied().max().unwrap_or(0) as usize;
    // bin[d]: start of the block of degree-d nodes in `vert`.
    let mut bin = vec![0u32; max_deg + 1];
    for &d in &deg {
        bin[d as usize] += 1;
    }
    let mut start = 0u32;
    for b in bin.iter_mut() {
        let count = *b;
        *b = start;
        start += count;
    }
    let mut pos = vec![0u32; n];
    let mut vert = vec![0u32; n];
    for v in 0..n {
        let d = deg[v] as usize;
        pos[v] = bin[d];
        vert[bin[d] as usize] = v as u32;
        bin[d] += 1;
    }
    for d in (1..=max_deg).rev() {
        bin[d] = bin[d - 1];
    }
    bin[0] = 0;
    for i in 0..n {
        let v = vert[i] as usize;
        for u in undirected_neighbours(net, v) {
            let u = u as usize;
            if deg[u] > deg[v] {
                // Move u to the front of its degree block, then shrink the block.
                let du = deg[u] as usize;
                let pu = pos[u] as usize;
                let pw = bin[du] as usize;
                let w = vert[pw] as usize;
                if u != w {
                    pos[u] = pw as u32;
                    vert[pu] = w as u32;
                    pos[w] = pu as u32;
                    vert[pw] = u as u32;
                }
                bin[du] += 1;
                deg[u] -= 1;
            }
        }
    }
    deg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ArcList;
    use crate::network::generators;
    use crate::rng::{Purpose, stream};

    fn undirected(n: usize, ties: &[(u32, u32)]) -> Network {
        let mut a = ArcList::default();
        for &(x, y) in ties {
            a.push_undirected(x, y, 1.0);
        }
        Network::from_arcs(n, a)
    }

    #[test]
    fn core_numbers_of_clique_with_pendants() {
        // 4-clique {0,1,2,3}; pendants 4 (on 0) and 5 (on 4); 6 isolated; 7 tied to 1 by a
        // single directed arc (still a tie in the undirected view).
        let mut a = ArcList::default();
        for x in 0..4 {
            for y in x + 1..4 {
                a.push_undirected(x, y, 1.0);
            }
        }
        a.push_undirected(0, 4, 1.0);
        a.push_undirected(4, 5, 1.0);
        a.push(7, 1, 1.0);
        let net = Network::from_arcs(8, a);
        assert_eq!(core_numbers(&net), vec![3, 3, 3, 3, 1, 1, 0, 1]);
        assert_eq!(core_numbers(&Network::complete(5)), vec![4; 5]);
        // Two triangles and a bridge: everyone is in the 2-core.
        let bridged = undirected(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]);
        assert_eq!(core_numbers(&bridged), vec![2; 6]);
    }

    #[test]
    fn core_numbers_match_peeling() {
        let net = generators::erdos_renyi(200, 5.0, &mut stream(11, Purpose::Network, 0));
        let n = net.n();
        let nb: Vec<Vec<u32>> = (0..n)
            .map(|i| undirected_neighbours(&net, i).collect())
            .collect();
        // Naive peeling: repeatedly remove a minimum-degree node; core = running max.
        let mut alive = vec![true; n];
        let mut deg: Vec<usize> = nb.iter().map(|v| v.len()).collect();
        let mut core = vec![0u32; n];
        let mut k = 0;
        for _ in 0..n {
            let v = (0..n)
                .filter(|&v| alive[v])
                .min_by_key(|&v| deg[v])
                .expect("alive");
            k = k.max(deg[v]);
            core[v] = k as u32;
            alive[v] = false;
            for &u in &nb[v] {
                if alive[u as usize] {
                    deg[u as usize] -= 1;
                }
            }
        }
        assert_eq!(core_numbers(&net), core);
    }
}
