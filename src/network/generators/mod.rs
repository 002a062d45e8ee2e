//! Random network generators, one file each, listed in [`GENERATORS`]. Randomness comes only
//! from the `rng` argument.
//!
//! All generated ties are undirected (two arcs of weight 1). A generator declares its keys in
//! the scenario's `[network]` table with their types; the scenario layer checks each value
//! against its type, then the generator's `check` for what relates keys (e.g. `m < n`), so the
//! build functions only assert their preconditions. Adding a generator: a file here with its
//! `GENERATOR`, and one line in [`GENERATORS`] (a key not used before also needs its field in
//! the scenario's raw `[network]` table).

mod barabasi_albert;
mod complete;
mod erdos_renyi;
mod stochastic_block;
mod watts_strogatz;

pub use barabasi_albert::barabasi_albert;
pub use erdos_renyi::erdos_renyi;
pub use stochastic_block::stochastic_block;
pub use watts_strogatz::watts_strogatz;

use super::Network;
use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt};

/// Every generator, in the order `kind` values are listed in messages.
pub const GENERATORS: &[&Generator] = &[
    &complete::GENERATOR,
    &erdos_renyi::GENERATOR,
    &barabasi_albert::GENERATOR,
    &watts_strogatz::GENERATOR,
    &stochastic_block::GENERATOR,
];

/// The generator of a `kind`, if it is one.
pub fn find(kind: &str) -> Option<&'static Generator> {
    GENERATORS.iter().copied().find(|g| g.kind == kind)
}

/// A network generator: its scenario keys, checks, memory estimate and build.
#[derive(Debug)]
pub struct Generator {
    /// The `kind` in the scenario.
    pub kind: &'static str,
    /// Its keys besides `kind` and `draw`, in the order they are written.
    pub keys: &'static [Key],
    /// Whether building consumes randomness (so it is redrawn per replicate by default).
    pub random: bool,
    /// Checks what relates keys, after each value was checked against its type: `Err((key,
    /// message))` names the key the error is reported at.
    pub check: fn(&Params) -> Result<(), (&'static str, String)>,
    /// The size of the network and of what building it holds at its peak.
    pub size: fn(&Params) -> Size,
    /// Generates the network from the realisation's stream.
    pub build: fn(&Params, &mut ChaCha8Rng) -> Network,
}

/// One key of a generator.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key in `[network]`.
    pub name: &'static str,
    /// Its type and range.
    pub ty: KeyType,
    /// What it means, for messages.
    pub what: &'static str,
}

impl Key {
    /// `n`, the number of physicians, at least `lo`.
    pub const fn n(lo: u64) -> Key {
        Key {
            name: "n",
            ty: KeyType::Nodes { lo },
            what: "number of physicians",
        }
    }
}

/// The type of a generator's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// A number of physicians in `[lo, MAX_NODES]`.
    Nodes {
        /// Smallest allowed.
        lo: u64,
    },
    /// An integer at least `lo`.
    Count {
        /// Smallest allowed.
        lo: u64,
    },
    /// A real number (its range is the generator's `check`).
    Number,
    /// A probability in `[0, 1]`.
    Prob,
    /// A non-empty list of counts, each at least 1, their total at most `MAX_NODES`.
    Counts,
}

/// A checked value of a generator's key.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// [`KeyType::Nodes`] or [`KeyType::Count`].
    Count(usize),
    /// [`KeyType::Number`] or [`KeyType::Prob`].
    Number(f64),
    /// [`KeyType::Counts`].
    Counts(Vec<usize>),
}

/// A generator's checked key values, in the order of its keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Params(pub Vec<(&'static str, Value)>);

impl Params {
    fn get(&self, key: &str) -> &Value {
        let v = self.0.iter().find(|(k, _)| *k == key);
        &v.unwrap_or_else(|| panic!("generator key {key} not set")).1
    }

    /// A count key's value (panics if `key` is not one: a generator's own keys are set).
    pub fn count(&self, key: &str) -> usize {
        match self.get(key) {
            Value::Count(x) => *x,
            v => panic!("generator key {key} is {v:?}, not a count"),
        }
    }

    /// A number or probability key's value.
    pub fn number(&self, key: &str) -> f64 {
        match self.get(key) {
            Value::Number(x) => *x,
            v => panic!("generator key {key} is {v:?}, not a number"),
        }
    }

    /// A list key's value.
    pub fn counts(&self, key: &str) -> &[usize] {
        match self.get(key) {
            Value::Counts(x) => x,
            v => panic!("generator key {key} is {v:?}, not a list"),
        }
    }
}

/// A generated network's size in bytes-relevant units, for the memory estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Physicians.
    pub nodes: f64,
    /// Arcs of the finished network (an upper estimate for random counts).
    pub arcs: f64,
    /// The capacity of the arc list building holds (12 bytes an arc).
    pub arclist_cap: f64,
    /// Other bytes building holds at its peak.
    pub extra: f64,
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
    use crate::network::Attribute;
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
