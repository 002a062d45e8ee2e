//! Choosing the initial adopters (step 0).

use crate::network::Network;
use rand::Rng;

/// How initial adopters are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum AdopterRule {
    /// Nobody adopts at step 0.
    None,
    /// `count` physicians uniformly at random (per replicate).
    Random(usize),
    /// The top `count` KOLs.
    Kols(usize),
    /// Listed node indices.
    Explicit(Vec<u32>),
    /// The `count` physicians with the highest value of a numeric attribute.
    Attribute(String, usize),
}

impl AdopterRule {
    /// The initial adopters, sorted. `kols` is the KOL list in rank order. Randomness only
    /// from `rng`.
    pub fn choose<R: Rng + ?Sized>(&self, net: &Network, kols: &[u32], rng: &mut R) -> Vec<u32> {
        let n = net.n();
        let mut v: Vec<u32> = match self {
            AdopterRule::None => Vec::new(),
            AdopterRule::Random(count) => rand::seq::index::sample(rng, n, (*count).min(n))
                .into_iter()
                .map(|i| i as u32)
                .collect(),
            AdopterRule::Kols(count) => kols.iter().take(*count).copied().collect(),
            AdopterRule::Explicit(ids) => ids.clone(),
            AdopterRule::Attribute(name, count) => {
                let mut top = crate::kols::by_attribute(net, name);
                top.truncate(*count);
                top
            }
        };
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn random_is_distinct_and_reproducible() {
        let net = Network::complete(50);
        let a =
            AdopterRule::Random(10).choose(&net, &[], &mut stream(1, Purpose::InitialAdopters, 3));
        let b =
            AdopterRule::Random(10).choose(&net, &[], &mut stream(1, Purpose::InitialAdopters, 3));
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn kols_take_the_top() {
        let net = Network::complete(50);
        let s = AdopterRule::Kols(2).choose(
            &net,
            &[7, 3, 9],
            &mut stream(1, Purpose::InitialAdopters, 0),
        );
        assert_eq!(s, vec![3, 7]);
    }
}
