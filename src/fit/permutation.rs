//! The model-free exposure permutation test (issue 10): do physicians adopt after their
//! advisers more often than the timing alone explains?
//!
//! Statistic: among the physicians adopting in periods `2..=T`, the share with at least one
//! adviser (an in-neighbour, an arc `j → i`) who adopted in an earlier period. Null: adoption
//! times carry no network information, so shuffling them among the physicians of the same
//! (weakly connected) component leaves the statistic's distribution unchanged. Each component
//! keeps its own adoption times (so component-level differences in timing, e.g. one hospital
//! launching early, are not mistaken for contagion). `R` permutations, permutation `r` drawn
//! from its own stream `rng::stream(seed, Purpose::Permutation, r)` with the scenario's seed,
//! so the result depends on the scenario alone, never on threads. One-sided p-value
//! `(1 + #{null ≥ observed}) / (R + 1)`.

use super::data::{FitNet, NEVER};
use super::lrtest::{num, p_text};
use crate::rng::{Purpose, stream};
use rand::RngExt;
use rayon::prelude::*;

/// Default number of permutations.
pub const DEFAULT_PERMUTATIONS: u32 = 999;

/// The test's result.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationTest {
    /// Adopters in periods `2..=T` (the statistic's denominator).
    pub adopters: u64,
    /// Observed share of them with an earlier-adopting adviser.
    pub observed: f64,
    /// Mean of the statistic over the permutations.
    pub null_mean: f64,
    /// 5th percentile of the permuted statistic.
    pub null_p05: f64,
    /// 95th percentile of the permuted statistic.
    pub null_p95: f64,
    /// Number of permutations `R`.
    pub permutations: u32,
    /// One-sided p-value `(1 + #{null ≥ observed}) / (R + 1)`.
    pub p_value: f64,
    /// The seed the permutations were drawn from (the scenario's).
    pub seed: u64,
}

/// Share of adopters (periods `2..`) with an adviser who adopted earlier, and the number of
/// adopters.
pub fn statistic(net: &FitNet, tau: &[u32]) -> (f64, u64) {
    Advisers::of(net).statistic(tau, NEVER)
}

/// Each physician's advisers (in-neighbours), for [`statistic`] from the listeners' side: a
/// physician's scan stops at its first adviser who adopted earlier, so a permutation costs
/// about two looks per adopter instead of one per arc. Same statistic, exactly.
struct Advisers {
    offsets: Vec<usize>,
    sources: Vec<u32>,
}

impl Advisers {
    fn of(net: &FitNet) -> Advisers {
        let n = net.n();
        let mut offsets = vec![0usize; n + 1];
        for j in 0..n {
            for &i in net.listeners(j) {
                offsets[i as usize + 1] += 1;
            }
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut sources = vec![0u32; offsets[n]];
        for j in 0..n {
            for &i in net.listeners(j) {
                sources[fill[i as usize]] = j as u32;
                fill[i as usize] += 1;
            }
        }
        Advisers { offsets, sources }
    }

    /// [`statistic`] of adoption periods `tau` (`never`: never adopted, the largest value).
    fn statistic<T: Copy + Ord + From<u8>>(&self, tau: &[T], never: T) -> (f64, u64) {
        let (mut adopters, mut with) = (0u64, 0u64);
        let two = T::from(2);
        for (i, &ti) in tau.iter().enumerate() {
            if ti == never || ti < two {
                continue;
            }
            adopters += 1;
            let from = &self.sources[self.offsets[i]..self.offsets[i + 1]];
            // `tau[j] < ti` excludes the never-adopting advisers (`never` is the largest).
            with += u64::from(from.iter().any(|&j| tau[j as usize] < ti));
        }
        (
            if adopters > 0 {
                with as f64 / adopters as f64
            } else {
                0.0
            },
            adopters,
        )
    }
}

/// The statistic under `permutations` permutations of `tau` (`never`: never adopted) within
/// the components `comps`, permutation `r` drawn from stream `r` of `seed`.
fn nulls<T: Copy + Ord + From<u8> + Send + Sync>(
    advisers: &Advisers,
    comps: &[Vec<u32>],
    tau: &[T],
    never: T,
    permutations: u32,
    seed: u64,
) -> Vec<f64> {
    (0..u64::from(permutations))
        .into_par_iter()
        .map_init(
            || tau.to_vec(),
            |perm, r| {
                let mut rng = stream(seed, Purpose::Permutation, r);
                perm.copy_from_slice(tau);
                for c in comps {
                    // Fisher–Yates over the component's adoption times; a component of
                    // consecutive physicians (a connected network's one) without looking its
                    // members up (same draws, same swaps).
                    let first = c[0] as usize;
                    if c[c.len() - 1] as usize == first + c.len() - 1 {
                        for k in (1..c.len()).rev() {
                            let l = rng.random_range(0..=k);
                            perm.swap(first + k, first + l);
                        }
                    } else {
                        for k in (1..c.len()).rev() {
                            let l = rng.random_range(0..=k);
                            perm.swap(c[k] as usize, c[l] as usize);
                        }
                    }
                }
                advisers.statistic(perm, never).0
            },
        )
        .collect()
}

/// The weakly connected components of `net`, as lists of physicians (in index order).
pub fn components(net: &FitNet) -> Vec<Vec<u32>> {
    let n = net.n();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for j in 0..n {
        for &i in net.listeners(j) {
            let (a, b) = (find(&mut parent, j as u32), find(&mut parent, i));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut index = vec![u32::MAX; n];
    let mut out: Vec<Vec<u32>> = Vec::new();
    for i in 0..n as u32 {
        let r = find(&mut parent, i) as usize;
        if index[r] == u32::MAX {
            index[r] = out.len() as u32;
            out.push(Vec::new());
        }
        out[index[r] as usize].push(i);
    }
    out
}

/// Runs the test with `permutations` permutations drawn from `seed`. `None` if nobody adopts
/// in periods `2..=T` or `permutations` is 0.
pub fn test(net: &FitNet, tau: &[u32], permutations: u32, seed: u64) -> Option<PermutationTest> {
    let advisers = Advisers::of(net);
    let (observed, adopters) = advisers.statistic(tau, NEVER);
    if adopters == 0 || permutations == 0 {
        return None;
    }
    let comps = components(net);
    // Periods as 16 bits where they fit: the permuted copies are half as large, so more of
    // their random accesses hit the cache (same order, same swaps, same statistic).
    let short = tau.iter().all(|&t| t == NEVER || t < u32::from(u16::MAX));
    let mut null = if short {
        let tau: Vec<u16> = tau
            .iter()
            .map(|&t| if t == NEVER { u16::MAX } else { t as u16 })
            .collect();
        nulls(&advisers, &comps, &tau, u16::MAX, permutations, seed)
    } else {
        nulls(&advisers, &comps, tau, NEVER, permutations, seed)
    };
    let exceed = null.iter().filter(|&&v| v >= observed - 1e-12).count();
    let null_mean = null.iter().sum::<f64>() / null.len() as f64;
    null.sort_by(f64::total_cmp);
    let q = |p: f64| null[((p * (null.len() - 1) as f64).round() as usize).min(null.len() - 1)];
    Some(PermutationTest {
        adopters,
        observed,
        null_mean,
        null_p05: q(0.05),
        null_p95: q(0.95),
        permutations,
        p_value: (1 + exceed) as f64 / (f64::from(permutations) + 1.0),
        seed,
    })
}

/// `permutation.csv`: one row.
pub fn csv(t: &PermutationTest) -> Vec<u8> {
    format!(
        "statistic,adopters,observed,null_mean,null_p05,null_p95,permutations,p_value,seed\nshare_of_adopters_with_earlier_adopting_adviser,{},{},{},{},{},{},{},{}\n",
        t.adopters,
        num(t.observed),
        num(t.null_mean),
        num(t.null_p05),
        num(t.null_p95),
        t.permutations,
        num(t.p_value),
        t.seed
    )
    .into_bytes()
}

/// The sentence printed beside the ranking.
pub fn text(t: &PermutationTest) -> String {
    format!(
        "Exposure permutation test (model-free): {:.1}% of the {} adopters in periods 2..T had an adviser who adopted earlier; with adoption times shuffled within network components, {:.1}% on average (5–95%: {:.1}–{:.1}%); {} ({} permutations, seed {}){}",
        100.0 * t.observed,
        t.adopters,
        100.0 * t.null_mean,
        100.0 * t.null_p05,
        100.0 * t.null_p95,
        p_text(t.p_value),
        t.permutations,
        t.seed,
        if t.p_value < 0.05 {
            ": adopters follow their advisers more often than timing alone explains."
        } else {
            ": no more than timing alone explains."
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::generators;

    /// The statistic as defined, written independently of [`Advisers`]: every adopter marks
    /// its listeners who adopted later, every arc looked at; `mark` is scratch.
    fn listeners_pass(net: &FitNet, tau: &[u32], mark: &mut Vec<bool>) -> (f64, u64) {
        mark.clear();
        mark.resize(net.n(), false);
        for (j, &tj) in tau.iter().enumerate() {
            if tj == NEVER {
                continue;
            }
            for &i in net.listeners(j) {
                let ti = tau[i as usize];
                if ti != NEVER && ti >= 2 && tj < ti {
                    mark[i as usize] = true;
                }
            }
        }
        let adopters = tau.iter().filter(|&&t| t != NEVER && t >= 2).count() as u64;
        let with = mark.iter().filter(|&&m| m).count() as f64;
        (
            if adopters > 0 {
                with / adopters as f64
            } else {
                0.0
            },
            adopters,
        )
    }

    /// The advisers' scan gives the statistic of the listeners' pass, exactly, on random
    /// adoption periods (some never, some initial).
    #[test]
    fn advisers_scan_equals_the_listeners_pass() {
        let net = generators::barabasi_albert(500, 3, &mut stream(7, Purpose::Network, 0));
        let net = FitNet::restrict(&net, &vec![true; 500], &vec![false; 500]).unwrap();
        let adv = Advisers::of(&net);
        let mut mark = Vec::new();
        for r in 0..20 {
            let mut rng = stream(7, Purpose::Permutation, r);
            let tau: Vec<u32> = (0..500)
                .map(|_| match rng.random_range(0..12u32) {
                    0 => NEVER,
                    t => t,
                })
                .collect();
            assert_eq!(
                adv.statistic(&tau, NEVER),
                listeners_pass(&net, &tau, &mut mark)
            );
            let short: Vec<u16> = tau
                .iter()
                .map(|&t| if t == NEVER { u16::MAX } else { t as u16 })
                .collect();
            assert_eq!(
                adv.statistic(&short, u16::MAX),
                listeners_pass(&net, &tau, &mut mark)
            );
        }
    }
}
