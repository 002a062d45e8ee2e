//! A fast, deterministic hasher for the id maps of the edge-list reader (the FxHash mixing
//! step of rustc and Firefox): one multiply per 8 bytes instead of SipHash's rounds. Not
//! resistant to adversarial collisions, which a local data file does not need.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The FxHash hasher.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits depending on the first bytes only (ids such as
        // "12345" and "12346" would share their bucket): fold the high bits down.
        let h = self.hash;
        (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
    }
}

/// Ids below this are indexed by a plain vector (4 bytes per possible value).
pub(super) const DENSE_BELOW: u64 = 1 << 24;

/// Not an index in [`IdIndex`]'s dense vector.
const NONE: u32 = u32::MAX;

/// Id → dense index, for the edge-list reader. Ids written as canonical non-negative integers
/// (`0`, `17`, `4096`; no sign, no leading zero) — the common case for survey and CRM exports
/// — are looked up by value: a vector for small values, an integer map above. Every other id
/// goes through a string map. Each id string has one canonical home, so `"017"` and `"17"`
/// stay different ids, as before.
#[derive(Debug, Default, Clone)]
pub struct IdIndex {
    dense: Vec<u32>,
    wide: FastMap<u64, u32>,
    text: FastMap<String, u32>,
}

/// The value of `id` when it is a canonical non-negative integer below 10^19.
#[inline]
fn canonical_integer(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

impl IdIndex {
    /// The index of `id`, if it has one.
    #[inline]
    pub fn get(&self, id: &str) -> Option<u32> {
        match canonical_integer(id) {
            Some(v) if v < DENSE_BELOW => match self.dense.get(v as usize) {
                Some(&k) if k != NONE => Some(k),
                _ => None,
            },
            Some(v) => self.wide.get(&v).copied(),
            None => self.text.get(id).copied(),
        }
    }

    /// The index of the id written as the canonical integer `v` < [`DENSE_BELOW`] (what
    /// [`IdIndex::get`] answers for that text, without parsing it).
    #[inline]
    pub(super) fn get_small(&self, v: u32) -> Option<u32> {
        match self.dense.get(v as usize) {
            Some(&k) if k != NONE => Some(k),
            _ => None,
        }
    }

    /// Hints the CPU to fetch where [`IdIndex::get`] will look `id` up (for a small integer
    /// id; nothing otherwise).
    #[inline]
    pub fn prefetch(&self, id: &str) {
        if let Some(v) = canonical_integer(id)
            && v < self.dense.len() as u64
        {
            super::prefetch(self.dense.as_ptr().wrapping_add(v as usize));
        }
    }

    /// [`IdIndex::prefetch`] for the id written as the canonical integer `v`.
    #[inline]
    pub(super) fn prefetch_small(&self, v: u32) {
        if (v as usize) < self.dense.len() {
            super::prefetch(self.dense.as_ptr().wrapping_add(v as usize));
        }
    }

    /// Gives `id` the index `k` (replacing any earlier one).
    pub fn insert(&mut self, id: &str, k: u32) {
        match canonical_integer(id) {
            Some(v) if v < DENSE_BELOW => {
                let v = v as usize;
                if v >= self.dense.len() {
                    let len = (v + 1).max(self.dense.len() * 2).min(DENSE_BELOW as usize);
                    self.dense.resize(len, NONE);
                }
                self.dense[v] = k;
            }
            Some(v) => {
                self.wide.insert(v, k);
            }
            None => {
                self.text.insert(id.to_string(), k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_identity() {
        let mut ix = IdIndex::default();
        for (k, id) in ["17", "017", "0", "x", "18446744073709551615", "99999999999"]
            .iter()
            .enumerate()
        {
            ix.insert(id, k as u32);
        }
        assert_eq!(ix.get("17"), Some(0));
        assert_eq!(ix.get("017"), Some(1));
        assert_eq!(ix.get("0"), Some(2));
        assert_eq!(ix.get("x"), Some(3));
        assert_eq!(ix.get("18446744073709551615"), Some(4));
        assert_eq!(ix.get("99999999999"), Some(5));
        assert_eq!(ix.get("16"), None);
        assert_eq!(ix.get("+17"), None);
        assert_eq!(ix.get(""), None);
        assert_eq!(ix.get("99999999998"), None);
    }
}
