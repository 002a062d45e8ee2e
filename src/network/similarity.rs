//! Structural equivalence (Burt 1987): how alike two physicians' tie patterns are.
//!
//! Two physicians are structurally equivalent when they are tied to the same others, whether or
//! not they are tied to each other. The measure used here is the cosine similarity of
//! *undirected* neighbour sets: `N(i)` is everyone `i` listens to or who listens to `i` (an arc
//! either way is one tie; arc weights are ignored), and
//!
//! `s_ij = |N(i) ∩ N(j)| / sqrt(|N(i)| · |N(j)|)`.
//!
//! `i` and `j` themselves are not part of the overlap: two physicians tied only to each other
//! have similarity 0, and two physicians tied to each other *and* to the same third one have
//! similarity 1/2 (Burt's measure as a plain set overlap; it does not add the pair's own tie).
//!
//! [`most_similar`] finds, for every physician, the `k` peers with the highest positive
//! similarity without ever forming the `n × n` similarity matrix: it walks the two-hop paths
//! `i – j – l` and counts `|N(i) ∩ N(l)|` in a dense per-worker counter. Its cost is the number
//! of two-hop paths, [`two_hop_cost`]; [`estimate_bytes`] bounds its memory. Callers should
//! check both before running it on a large network. [`structural_equivalence`] turns the
//! result into a [`Network`] on which the ordinary imitation machinery computes exposure over
//! each physician's most similar peers.

use super::{ArcList, Network};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Iterator over the undirected neighbours of a node (the sorted union of its in- and
/// out-neighbours, each once), returned by [`undirected_neighbours`].
#[derive(Debug, Clone)]
pub struct UndirectedNeighbours<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for UndirectedNeighbours<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match (self.a.first(), self.b.first()) {
            (Some(&x), Some(&y)) => {
                if x <= y {
                    self.a = &self.a[1..];
                }
                if y <= x {
                    self.b = &self.b[1..];
                }
                Some(x.min(y))
            }
            (Some(&x), None) => {
                self.a = &self.a[1..];
                Some(x)
            }
            (None, Some(&y)) => {
                self.b = &self.b[1..];
                Some(y)
            }
            (None, None) => None,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (a, b) = (self.a.len(), self.b.len());
        (a.max(b), Some(a + b))
    }
}

/// The undirected neighbours of `i`: everyone `i` listens to or who listens to `i`, in
/// ascending order, each once (a reciprocal pair of arcs is one tie).
///
/// The implicit complete graph stores no arcs, so for it the iterator is empty; callers treat
/// the complete graph in closed form.
///
/// # Complexity
/// `O(in_degree(i) + out_degree(i))` time for a full pass (a merge of two sorted lists),
/// `O(1)` memory.
pub fn undirected_neighbours(net: &Network, i: usize) -> UndirectedNeighbours<'_> {
    if net.is_complete() {
        return UndirectedNeighbours { a: &[], b: &[] };
    }
    UndirectedNeighbours {
        a: net.in_arcs().arcs(i).0,
        b: net.out_arcs().arcs(i).0,
    }
}

/// The undirected neighbour sets of all nodes in CSR form.
struct UndirectedCsr {
    offsets: Vec<usize>,
    nodes: Vec<u32>,
}

impl UndirectedCsr {
    fn new(net: &Network) -> Self {
        let n = net.n();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut nodes = Vec::with_capacity(net.arc_count() as usize);
        for i in 0..n {
            nodes.extend(undirected_neighbours(net, i));
            offsets.push(nodes.len());
        }
        nodes.shrink_to_fit();
        UndirectedCsr { offsets, nodes }
    }

    #[inline]
    fn neighbours(&self, i: usize) -> &[u32] {
        &self.nodes[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Number of undirected two-hop paths `i – j – l` (with `l` possibly `i`), i.e.
/// `Σ_i Σ_{j ∈ N(i)} deg(j) = Σ_j deg(j)²` over undirected degrees: the number of counter
/// updates [`most_similar`] performs. The complete graph is handled in closed form and costs 0.
///
/// # Complexity
/// `O(n + arcs)` time, `O(1)` extra memory.
pub fn two_hop_cost(net: &Network) -> u64 {
    if net.is_complete() {
        return 0;
    }
    (0..net.n())
        .into_par_iter()
        .map(|j| {
            let d = undirected_neighbours(net, j).count() as u64;
            d * d
        })
        .sum()
}

/// An upper bound, in bytes, on the peak memory [`structural_equivalence`] allocates (not
/// counting the input network): the undirected neighbour lists, one dense counter and touched
/// list per rayon worker (of the current pool), the `n × k` peer table, and building the
/// output network of at most `n·k` arcs. `k` is capped at `n - 1`.
///
/// # Complexity
/// `O(n + arcs)` time (it counts undirected ties), `O(1)` extra memory.
pub fn estimate_bytes(net: &Network, k: usize) -> u64 {
    let n = net.n() as u64;
    let k = (k as u64).min(n.saturating_sub(1));
    let m = n * k; // output arcs, at most
    let ties: u64 = if net.is_complete() {
        0
    } else {
        (0..net.n())
            .map(|i| undirected_neighbours(net, i).count() as u64)
            .sum()
    };
    let threads = rayon::current_num_threads() as u64;
    let undirected = 8 * (n + 1) + 4 * ties;
    let workers = threads * 8 * n; // u32 counter + touched list of up to n
    let table = 4 * n + 12 * m; // lengths, peers (u32), similarities (f64)
    // ArcList (12 bytes an arc), the counting-sort permutations and merged copies inside
    // `Network::from_arcs` (≈ 40 bytes an arc at peak), and the finished network (two CSR
    // halves of 8 bytes an arc, offsets, in-weights, KOL scales).
    let output = 12 * m + 40 * m + 16 * m + 16 * (n + 1) + 12 * n;
    undirected + workers + table + output
}

/// Each physician's most similar peers: for node `i`, up to `k` peers `j ≠ i` with positive
/// cosine similarity, best first (ties by node index). Built by [`most_similar`].
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarPeers {
    k: usize,
    len: Vec<u32>,
    peers: Vec<u32>,
    sims: Vec<f64>,
}

impl SimilarPeers {
    /// Number of physicians.
    pub fn n(&self) -> usize {
        self.len.len()
    }

    /// The cap on peers per physician (the requested `k`, capped at `n - 1`).
    pub fn k(&self) -> usize {
        self.k
    }

    /// The peers of `i` and their similarities, most similar first, ties by node index.
    ///
    /// # Complexity
    /// `O(1)`.
    pub fn of(&self, i: usize) -> (&[u32], &[f64]) {
        let r = i * self.k..i * self.k + self.len[i] as usize;
        (&self.peers[r.clone()], &self.sims[r])
    }

    /// Total number of (physician, peer) pairs.
    pub fn pair_count(&self) -> usize {
        self.len.iter().map(|&l| l as usize).sum()
    }

    /// The similarity network: an arc `j → i` with weight `s_ij` (as `f32`) for each peer `j`
    /// of `i`, so that `i`'s weighted exposure is taken over its most similar peers. Node ids
    /// and attributes are copied from `net` (which must be the network this was computed from);
    /// KOL weights are not: apply them with [`Network::scale_sources`].
    ///
    /// # Complexity
    /// `O(n + n·k)` time and memory.
    pub fn to_network(&self, net: &Network) -> Network {
        let n = self.n();
        debug_assert_eq!(n, net.n());
        let mut arcs = ArcList::with_capacity(self.pair_count());
        for i in 0..n {
            let (peers, sims) = self.of(i);
            for (&j, &s) in peers.iter().zip(sims) {
                arcs.push(j, i as u32, s as f32);
            }
        }
        let mut out = Network::from_arcs(n, arcs).with_attributes(net.attributes().to_vec());
        if let Some(ids) = net.ids() {
            out = out.with_ids(ids.to_vec());
        }
        out
    }
}

/// For every physician, the `k` peers with the highest positive cosine similarity of undirected
/// neighbour sets (see the module documentation), excluding itself, ties broken by node index.
/// Peers with similarity 0 are never included, so a physician may have fewer than `k`.
///
/// Similarities are compared exactly (as the integer comparison `c_a² · d_b` vs `c_b² · d_a`
/// of overlap counts `c` and degrees `d`), so tie-breaking by index is never disturbed by
/// rounding. The result is deterministic and does not depend on the number of threads.
///
/// On the implicit complete graph every pair has similarity `(n - 2)/(n - 1)`, so each node's
/// peers are the `k` lowest other indices (none when `n ≤ 2`).
///
/// # Complexity
/// `O(n + arcs + C + Σ_i t_i log k)` time, where `C` = [`two_hop_cost`] and `t_i ≤ C_i` is the
/// number of distinct two-hop neighbours of `i`; parallel over physicians. Memory
/// `O(n·k + arcs)` plus `O(n)` per rayon worker (a dense counter and touched list); no `n × n`
/// matrix. See [`estimate_bytes`].
pub fn most_similar(net: &Network, k: usize) -> SimilarPeers {
    let n = net.n();
    let k = k.min(n.saturating_sub(1));
    let mut out = SimilarPeers {
        k,
        len: vec![0; n],
        peers: vec![0; n * k],
        sims: vec![0.0; n * k],
    };
    if k == 0 {
        return out;
    }
    if net.is_complete() {
        if n >= 3 {
            let s = (n - 2) as f64 / (n - 1) as f64;
            for i in 0..n {
                let ids = (0..n as u32).filter(|&j| j as usize != i).take(k);
                for (slot, j) in ids.enumerate() {
                    out.peers[i * k + slot] = j;
                    out.sims[i * k + slot] = s;
                }
                out.len[i] = k as u32;
            }
        }
        return out;
    }
    let adj = UndirectedCsr::new(net);
    let SimilarPeers {
        len, peers, sims, ..
    } = &mut out;
    peers
        .par_chunks_mut(k)
        .zip(sims.par_chunks_mut(k))
        .zip(len.par_iter_mut())
        .enumerate()
        .for_each_init(
            || (vec![0u32; n], Vec::<u32>::new()),
            |(count, touched), (i, ((peers, sims), len))| {
                let ni = adj.neighbours(i);
                for &j in ni {
                    for &l in adj.neighbours(j as usize) {
                        if l as usize == i {
                            continue;
                        }
                        let c = &mut count[l as usize];
                        if *c == 0 {
                            touched.push(l);
                        }
                        *c += 1;
                    }
                }
                let deg = |l: u32| adj.offsets[l as usize + 1] - adj.offsets[l as usize];
                // a before b iff s_ia > s_ib (c_a²/d_a > c_b²/d_b), then by index.
                let better = |count: &[u32], a: &u32, b: &u32| -> Ordering {
                    let (ca, cb) = (count[*a as usize] as u128, count[*b as usize] as u128);
                    (cb * cb * deg(*a) as u128)
                        .cmp(&(ca * ca * deg(*b) as u128))
                        .then(a.cmp(b))
                };
                if touched.len() > k {
                    touched.select_nth_unstable_by(k - 1, |a, b| better(count, a, b));
                    for &l in &touched[k..] {
                        count[l as usize] = 0;
                    }
                    touched.truncate(k);
                }
                touched.sort_unstable_by(|a, b| better(count, a, b));
                let di = ni.len() as f64;
                for (slot, &l) in touched.iter().enumerate() {
                    peers[slot] = l;
                    sims[slot] = count[l as usize] as f64 / (di * deg(l) as f64).sqrt();
                    count[l as usize] = 0;
                }
                *len = touched.len() as u32;
                touched.clear();
            },
        );
    out
}

/// The structural-equivalence network for the `structural_equivalence` model: arcs `j → i`
/// weighted by the cosine similarity `s_ij` for each of `i`'s top-`k` peers `j`
/// ([`most_similar`] then [`SimilarPeers::to_network`]), with `net`'s ids and attributes.
///
/// # Complexity
/// Time `O(n + arcs + C + n·k)` with `C` = [`two_hop_cost`], parallel over physicians; memory
/// `O(n·k + arcs)` plus `O(n)` per rayon worker, bounded by [`estimate_bytes`].
pub fn structural_equivalence(net: &Network, k: usize) -> Network {
    most_similar(net, k).to_network(net)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Attribute;
    use crate::rng::{Purpose, stream};

    /// Undirected ties: 0-1, 0-2, 1-2, 1-3, 2-3, 3-4, plus the directed arc 5 → 4 (4 listens
    /// to 5) and the reciprocal pair 4 ↔ 5 is *not* present, so N(5) = {4}.
    ///
    /// N(0) = {1,2}, N(1) = {0,2,3}, N(2) = {0,1,3}, N(3) = {1,2,4}, N(4) = {3,5}, N(5) = {4}.
    fn small() -> Network {
        let mut a = ArcList::default();
        for (x, y) in [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 4)] {
            a.push_undirected(x, y, 1.0);
        }
        a.push(5, 4, 1.0);
        Network::from_arcs(6, a)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn neighbour_union_is_sorted_and_deduplicated() {
        let net = small();
        let n4: Vec<u32> = undirected_neighbours(&net, 4).collect();
        assert_eq!(n4, vec![3, 5]);
        let n5: Vec<u32> = undirected_neighbours(&net, 5).collect();
        assert_eq!(n5, vec![4]);
        let n1: Vec<u32> = undirected_neighbours(&net, 1).collect();
        assert_eq!(n1, vec![0, 2, 3]);
        // Degrees 2,3,3,3,2,1: Σ d² = 4 + 9 + 9 + 9 + 4 + 1.
        assert_eq!(two_hop_cost(&net), 36);
    }

    #[test]
    fn hand_computed_similarity_lists() {
        let net = small();
        let sp = most_similar(&net, 3);
        let r6 = 1.0 / 6f64.sqrt();
        let r3 = 1.0 / 3.0;
        // 0: vs 3 (N={1,2,4}): 2/√6; vs 1 ({0,2,3}): |{2}| = 1 → 1/√6; vs 2: 1/√6.
        let (p, s) = sp.of(0);
        assert_eq!(p, &[3, 1, 2]);
        assert!(
            close(s[0], 2.0 * r6) && close(s[1], r6) && close(s[2], r6),
            "{s:?}"
        );
        // 1: vs 2 ({0,1,3}): {0,3} → 2/3; vs 0 ({1,2}): {2} → 1/√6; vs 3 ({1,2,4}): {2} → 1/3;
        //    vs 4 ({3,5}): {3} → 1/√6. Top 3: 2, then 0 and 4 tied at 1/√6 (by index), then 3.
        let (p, s) = sp.of(1);
        assert_eq!(p, &[2, 0, 4]);
        assert!(
            close(s[0], 2.0 * r3) && close(s[1], r6) && close(s[2], r6),
            "{s:?}"
        );
        // 3: vs 0: 2/√6; vs 1 ({0,2,3}): {2} → 1/3; vs 2: 1/3; vs 5 ({4}): 1/√3.
        let (p, s) = sp.of(3);
        assert_eq!(p, &[0, 5, 1]);
        assert!(close(s[0], 2.0 * r6) && close(s[1], 1.0 / 3f64.sqrt()) && close(s[2], r3));
        // 5: only 3 shares a neighbour (4): 1/√3. Similarity-0 peers are never included.
        let (p, s) = sp.of(5);
        assert_eq!(p, &[3]);
        assert!(close(s[0], 1.0 / 3f64.sqrt()));
        // 4: vs 1 and 2 (via 3): 1/√6 each; nobody else shares 3 or 5.
        assert_eq!(sp.of(4).0, &[1, 2]);

        // As a network: arcs peer → i, weight s_ij as f32.
        let se = structural_equivalence(&net, 3);
        assert_eq!(
            se.in_arcs().arcs(5),
            (&[3u32][..], &[(1.0 / 3f64.sqrt()) as f32][..])
        );
        assert_eq!(se.in_arcs().arcs(0).0, &[1, 2, 3]);
        assert_eq!(se.arc_count() as usize, sp.pair_count());
        // k = 1 keeps only the best.
        assert_eq!(most_similar(&net, 1).of(1).0, &[2]);
        // k = 0 and k ≥ n.
        assert_eq!(most_similar(&net, 0).pair_count(), 0);
        assert_eq!(most_similar(&net, 100).k(), 5);
    }

    #[test]
    fn structurally_equivalent_nodes_without_a_tie_have_similarity_one() {
        // 0 and 1 are both tied to 2, 3 and 4 (0 as adviser, 1 as asker), not to each other.
        let mut a = ArcList::default();
        for t in [2, 3, 4] {
            a.push(0, t, 1.0);
            a.push(t, 1, 1.0);
        }
        a.push_undirected(4, 5, 1.0);
        let net = Network::from_arcs(6, a);
        let sp = most_similar(&net, 2);
        assert_eq!(sp.of(0).0[0], 1);
        assert_eq!(sp.of(0).1[0], 1.0);
        assert_eq!(sp.of(1).0[0], 0);
        assert_eq!(sp.of(1).1[0], 1.0);
    }

    #[test]
    fn ids_and_attributes_are_kept() {
        let ids: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
        let attr = vec![(
            "volume".to_string(),
            Attribute::Numeric((0..6).map(|i| Some(i as f64)).collect()),
        )];
        let net = small().with_ids(ids.clone()).with_attributes(attr.clone());
        let se = structural_equivalence(&net, 2);
        assert_eq!(se.ids(), Some(&ids[..]));
        assert_eq!(se.attributes(), &attr[..]);
        assert_eq!(se.id(5), "p5");
    }

    #[test]
    fn complete_graph_in_closed_form() {
        let sp = most_similar(&Network::complete(5), 2);
        assert_eq!(sp.of(0).0, &[1, 2]);
        assert_eq!(sp.of(3).0, &[0, 1]);
        assert!(close(sp.of(3).1[0], 0.75));
        assert_eq!(most_similar(&Network::complete(2), 3).pair_count(), 0);
        assert_eq!(two_hop_cost(&Network::complete(100)), 0);
    }

    #[test]
    fn deterministic_across_thread_counts() {
        let net =
            crate::network::generators::erdos_renyi(400, 6.0, &mut stream(3, Purpose::Network, 0));
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| most_similar(&net, 7))
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
        assert!(one.pair_count() > 0);
        // Lists are sorted best first, ties by index, never include self or zeros.
        for i in 0..net.n() {
            let (p, s) = one.of(i);
            assert!(p.iter().all(|&j| j as usize != i));
            assert!(s.iter().all(|&x| x > 0.0 && x <= 1.0));
            for w in 0..p.len().saturating_sub(1) {
                assert!(s[w] > s[w + 1] || (s[w] == s[w + 1] && p[w] < p[w + 1]));
            }
        }
        assert!(estimate_bytes(&net, 7) > 0);
    }

    #[test]
    fn matches_brute_force() {
        let net =
            crate::network::generators::erdos_renyi(120, 5.0, &mut stream(9, Purpose::Network, 1));
        let n = net.n();
        let sets: Vec<Vec<u32>> = (0..n)
            .map(|i| undirected_neighbours(&net, i).collect())
            .collect();
        let k = 6;
        let sp = most_similar(&net, k);
        for i in 0..n {
            let mut all: Vec<(f64, u32)> = (0..n as u32)
                .filter(|&j| j as usize != i)
                .filter_map(|j| {
                    let c = sets[i]
                        .iter()
                        .filter(|x| sets[j as usize].contains(x))
                        .count();
                    (c > 0).then(|| {
                        let d = (sets[i].len() * sets[j as usize].len()) as f64;
                        (c as f64 / d.sqrt(), j)
                    })
                })
                .collect();
            // Mathematically equal similarities may round differently here, so compare the
            // similarity in each slot (up to rounding) rather than the peer order.
            all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            all.truncate(k);
            let (p, s) = sp.of(i);
            assert_eq!(p.len(), all.len());
            for (slot, &(sim, _)) in all.iter().enumerate() {
                assert!((s[slot] - sim).abs() < 1e-12);
            }
        }
    }
}
