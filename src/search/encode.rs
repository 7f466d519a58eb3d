//! Sets of document ids as short strings: base64 of a kind byte, then
//! either LEB128 gaps (sparse sets) or a bitmap (dense sets), whichever is
//! shorter. `search.js` decodes them with `atob`.
//!
//! Base64 is the `base64` crate's standard alphabet with padding. LEB128
//! stays our own: the writer is ten lines for the one width we use (u32),
//! and a varint crate would add a dependency for less code than its
//! `use` lines and error type take.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Encodes ascending, distinct `ids`; the empty set is `""`.
pub fn id_set(ids: &[u32]) -> String {
    let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
        return String::new();
    };
    let mut gaps = vec![0u8];
    let mut prev = 0;
    for &id in ids {
        varint(id - prev, &mut gaps);
        prev = id;
    }
    let start = first / 8;
    let bitmap_len = (last / 8 - start + 1) as usize;
    let bytes = if bitmap_len + 6 < gaps.len() {
        let mut b = vec![1u8];
        varint(start, &mut b);
        let head = b.len();
        b.resize(head + bitmap_len, 0);
        for &id in ids {
            let bit = (id - start * 8) as usize;
            b[head + bit / 8] |= 1 << (bit % 8);
        }
        b
    } else {
        gaps
    };
    base64(&bytes)
}

/// Appends `n` as LEB128: 7 bits a byte, low first, high bit = more.
fn varint(mut n: u32, out: &mut Vec<u8>) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// The digits of base64, by value.
pub const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (what `atob` reads).
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes what [`id_set`] wrote (for tests and tools reading the index).
pub fn decode_id_set(s: &str) -> Option<Vec<u32>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    let bytes = unbase64(s)?;
    let (&kind, body) = bytes.split_first()?;
    let mut pos = 0;
    let read = |pos: &mut usize| -> Option<u32> {
        let mut n = 0u32;
        for shift in (0..35).step_by(7) {
            let b = *body.get(*pos)?;
            *pos += 1;
            n |= ((b & 0x7f) as u32) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    };
    let mut ids = Vec::new();
    match kind {
        0 => {
            let mut id = 0;
            while pos < body.len() {
                id += read(&mut pos)?;
                ids.push(id);
            }
        }
        1 => {
            let start = read(&mut pos)? * 8;
            for (i, &b) in body[pos..].iter().enumerate() {
                for bit in 0..8 {
                    if b >> bit & 1 == 1 {
                        ids.push(start + (i * 8 + bit) as u32);
                    }
                }
            }
        }
        _ => return None,
    }
    Some(ids)
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sparse_sets_are_gaps_and_dense_sets_bitmaps() {
        let sparse = unbase64(&id_set(&[3, 1000, 70000])).unwrap();
        assert_eq!(sparse[0], 0);
        let dense: Vec<u32> = (100..400).collect();
        let bytes = unbase64(&id_set(&dense)).unwrap();
        assert_eq!(bytes[0], 1);
        assert!(bytes.len() < 45, "{} bytes", bytes.len());
    }

    proptest! {
        #[test]
        fn sets_decode_to_what_was_encoded(mut ids in proptest::collection::vec(0u32..5000, 0..300)) {
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(decode_id_set(&id_set(&ids)).unwrap(), ids);
        }
    }
}
