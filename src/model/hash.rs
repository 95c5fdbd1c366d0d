//! The crate's one 64-bit hash of bytes: whole 8-byte words (the tail zero-padded) through
//! a bijective step `h = (h.rotl(23) ^ word) × φ`, then the SplitMix64 finaliser. Two
//! callers with their own starting states: the id index ([`hash_id`], in memory only) and
//! the snapshot frames' checksum ([`checksum`], written to disk). The golden values in the
//! tests pin both, so a change to this module that would change the snapshot format fails
//! them. Beside it, the hasher of the maps keyed by shift index ([`IxHasher`]): one multiply.

/// φ × 2⁶⁴, odd: the word step's multiplier.
const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser (also the output step of the generator's random streams).
pub(crate) fn splitmix_finalise(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Absorbs `b` into `h` 8 bytes at a time (a word read, not a `memcpy` per chunk), the tail
/// zero-padded, then finalises.
fn absorb(mut h: u64, b: &[u8]) -> u64 {
    let step = |h: u64, w: u64| (h.rotate_left(23) ^ w).wrapping_mul(PHI);
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        h = step(h, <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes));
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        let w = tail
            .iter()
            .enumerate()
            .fold(0u64, |w, (k, &x)| w | u64::from(x) << (8 * k));
        h = step(h, w);
    }
    splitmix_finalise(h)
}

/// A 64-bit hash of an id (deterministic, in memory only).
pub(crate) fn hash_id(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

/// A 64-bit hash of bytes (see [`hash_id`]).
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    absorb(0x243F_6A88_85A3_08D3 ^ b.len() as u64, b)
}

/// The checksum of a snapshot frame's body (`seed` = the frame's number): changing any one
/// 8-byte word, or the length, always changes it. Part of the snapshot format.
pub(crate) fn checksum(seed: u64, b: &[u8]) -> u64 {
    let h = 0x6A09_E667_F3BC_C908 ^ seed.wrapping_mul(PHI) ^ (b.len() as u64).rotate_left(17);
    absorb(h, b)
}

/// The hasher of the maps keyed by shift index (the shift store's side records, breaks and
/// tips): one multiply by φ (Fibonacci hashing). Shift indexes are dense numbers the twin
/// assigns, never chosen by input, so the DoS-resistant default (SipHash, a fifth of an
/// import's time in these lookups) buys nothing here. In memory only.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IxHasher(u64);

impl std::hash::Hasher for IxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(PHI);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = (self.0 ^ u64::from(x)).wrapping_mul(PHI);
    }
}

/// A map keyed by shift index, hashed with [`IxHasher`].
pub(crate) type IxMap<V> =
    std::collections::HashMap<u32, V, std::hash::BuildHasherDefault<IxHasher>>;

/// Bytes a map's table holds on the heap: its buckets (a power of two, of which it fills at
/// most 7 in 8 before it grows) of one entry and one control byte each, and a group of 16
/// trailing control bytes; 0 for a map that never allocated.
pub(crate) fn map_bytes<V>(m: &IxMap<V>) -> usize {
    let cap = m.capacity();
    if cap == 0 {
        return 0;
    }
    // A table of fewer than 8 buckets uses all but one; a larger one 7 in 8.
    let buckets = if cap < 8 {
        (cap + 1).next_power_of_two()
    } else {
        (cap / 7 * 8).next_power_of_two()
    };
    buckets * (std::mem::size_of::<(u32, V)>() + 1) + 16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_hasher_spreads_dense_indexes() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<IxHasher>::default();
        // 4,096 consecutive indexes: distinct hashes, and distinct low 12 bits (buckets).
        let hashes: Vec<u64> = (0u32..4096).map(|x| b.hash_one(x)).collect();
        let mut low: Vec<u64> = hashes.iter().map(|h| h & 0xFFF).collect();
        low.sort_unstable();
        low.dedup();
        assert_eq!(low.len(), 4096);
        let mut m: IxMap<u32> = IxMap::default();
        for x in 0..10_000u32 {
            m.insert(x * 3, x);
        }
        assert_eq!(m.get(&2_997), Some(&999));
        assert_eq!(m.get(&2_998), None);
    }

    #[test]
    fn map_bytes_follow_the_table() {
        let mut m: IxMap<u64> = IxMap::default();
        assert_eq!(map_bytes(&m), 0);
        m.insert(1, 1);
        assert_eq!(m.capacity(), 3);
        assert_eq!(map_bytes(&m), 4 * 17 + 16);
        for x in 0..1_000u32 {
            m.insert(x, 0);
        }
        // 1,000 entries fill 1,024 buckets past 7/8: 2,048 buckets.
        assert_eq!(m.capacity(), 1_792);
        assert_eq!(map_bytes(&m), 2_048 * 17 + 16);
        let m: IxMap<u64> = IxMap::with_capacity_and_hasher(7, Default::default());
        assert_eq!(map_bytes(&m), 8 * 17 + 16);
    }

    #[test]
    fn golden_values_pin_the_hash_and_the_snapshot_checksum() {
        // Values of the implementations this module replaced (twin/shifts.rs `hash_bytes`,
        // twin/snapshot.rs `checksum`), printed by both before the move and checked equal
        // on other inputs too; not computable by hand (three 64-bit multiplications).
        assert_eq!(hash_id(""), 0xe9e0_033e_3bad_af36);
        assert_eq!(hash_id("s0000042-007"), 0x641b_1f8a_852a_ce6c);
        assert_eq!(checksum(0, b""), 0x492b_8d60_66c0_9227);
        assert_eq!(checksum(3, b"0123456789abcdefXYZ"), 0x54d8_dc44_f209_1498);
    }

    #[test]
    fn every_byte_and_the_length_count() {
        let base = b"abcdefghijklmnopq".to_vec();
        let h = hash_bytes(&base);
        for i in 0..base.len() {
            let mut b = base.clone();
            b[i] ^= 1;
            assert_ne!(hash_bytes(&b), h, "byte {i}");
            assert_ne!(checksum(1, &b), checksum(1, &base), "byte {i}");
        }
        // A zero byte appended pads to the same word: only the length tells them apart.
        let mut longer = base.clone();
        longer.push(0);
        assert_ne!(hash_bytes(&longer), h);
        assert_ne!(checksum(1, &longer), checksum(1, &base));
        assert_ne!(checksum(1, &base), checksum(2, &base), "the seed counts");
    }
}
