//! 64-bit hashes of typed fields, for telling whether something changed.
//!
//! Watch mode hashes what every page shows after each edit, so this is on
//! the hot path: each field is hashed on its own (seeded with the hash so
//! far) instead of being copied through a streaming hasher's buffer, and
//! bodies carry a digest taken once when they are rendered.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Inputs longer than this are hashed unseeded and their hash chained: a
/// seeded xxh3 of a long input first derives a secret from the seed.
const SHORT: usize = 240;

/// A hash built from fields in order. Field boundaries count: `("ab", "c")`
/// and `("a", "bc")` differ.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest::new()
    }
}

impl Digest {
    /// An empty hash.
    pub fn new() -> Self {
        Digest(0x9e37_79b9_7f4a_7c15)
    }
    /// Adds a field of bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0 = if b.len() > SHORT {
            xxh3_64_with_seed(&xxh3_64(b).to_le_bytes(), self.0 ^ b.len() as u64)
        } else {
            xxh3_64_with_seed(b, self.0)
        };
        self
    }
    /// Adds a field of text.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    /// Adds a number (or a hash taken earlier). Numbers are most fields,
    /// so they are mixed in directly (a bijective finalizer, so order
    /// matters) rather than by a call to the byte hash.
    pub fn n(&mut self, n: u64) -> &mut Self {
        let mut x = self.0 ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        self.0 = x;
        self
    }
    /// The hash of the fields so far.
    pub fn done(&self) -> u64 {
        self.0
    }
}

/// The hash of one text, as bodies store it.
pub fn of(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of_fields(fields: &[&str]) -> u64 {
        let mut d = Digest::new();
        for f in fields {
            d.str(f);
        }
        d.done()
    }

    #[test]
    fn numbers_differ_by_value_and_order() {
        let of = |ns: &[u64]| {
            let mut d = Digest::new();
            for &n in ns {
                d.n(n);
            }
            d.done()
        };
        assert_ne!(of(&[1, 2]), of(&[2, 1]));
        assert_ne!(of(&[0]), of(&[]));
        assert_ne!(of(&[0, 0]), of(&[0]));
        assert_ne!(of(&[1 << 63]), of(&[1]));
    }

    #[test]
    fn field_boundaries_and_order_count() {
        assert_ne!(of_fields(&["ab", "c"]), of_fields(&["a", "bc"]));
        assert_ne!(of_fields(&["a", "b"]), of_fields(&["b", "a"]));
        assert_ne!(of_fields(&["", "x"]), of_fields(&["x"]));
        assert_eq!(of_fields(&["a", "b"]), of_fields(&["a", "b"]));
    }

    #[test]
    fn long_fields_differ_by_content_and_length() {
        let long = "x".repeat(1000);
        let other = format!("{}y", "x".repeat(999));
        assert_ne!(of_fields(&[&long]), of_fields(&[&other]));
        assert_ne!(of_fields(&[&long]), of_fields(&[&long[..999]]));
        assert_eq!(of_fields(&[&long]), of_fields(&[&long.clone()]));
    }
}
