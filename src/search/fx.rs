//! A hash map for the index's hot path: one lookup per word of the site.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map with a fast hash for short keys. Flooding it would take a site
/// author attacking their own build, so SipHash's defence buys nothing.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The multiply-rotate hash of rustc (FxHash).
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        // Byte by byte: a copy into a buffer would call memcpy per word.
        let last = chunks
            .remainder()
            .iter()
            .rev()
            .fold(0u64, |w, &b| w << 8 | b as u64);
        self.add(last);
    }

    fn write_u8(&mut self, b: u8) {
        self.add(b as u64);
    }

    fn write_u128(&mut self, n: u128) {
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        // The product's high bits are its best; hashbrown picks buckets by
        // the low ones (as rustc-hash 2 does).
        self.0.rotate_left(26)
    }
}
