//! Words folded into index terms, exactly as `search.js` folds a query.
//!
//! Folding: ASCII is lowercased; any other character becomes its
//! `deunicode` transliteration, lowercased (`é` → `e`, `ß` → `ss`). A term
//! is a run of `[a-z0-9]` of [`MIN_TERM`] to [`MAX_TERM`] bytes. Words are
//! not stemmed: the site's language is unknown, and the script matches the
//! word being typed as a prefix, which covers plurals while typing.
//!
//! Terms of up to [`PACKED`] letters travel as numbers (6 bits a letter):
//! hashing and comparing a number is far cheaper than a string, and the
//! build looks up every word of the site.

/// Shortest indexed term: single letters would match nearly everything.
pub const MIN_TERM: usize = 2;
/// Longest indexed term: longer runs are hashes, URLs or noise.
pub const MAX_TERM: usize = 32;
/// Longest term that travels packed in a `u128`.
pub const PACKED: usize = 21;

/// A term, as the [`Splitter`] hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a> {
    /// Up to [`PACKED`] letters, packed by [`pack`].
    Packed(u128),
    /// A longer term.
    Long(&'a str),
}

/// Letter codes of bytes: 0 separates words, 1–10 are digits, 11–36 are
/// letters of either case.
const CODES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'0'..=b'9' => b as u8 - b'0' + 1,
            b'a'..=b'z' => b as u8 - b'a' + 11,
            b'A'..=b'Z' => b as u8 - b'A' + 11,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The letter of a code of [`CODES`].
fn letter(code: u8) -> char {
    (if code <= 10 {
        b'0' + code - 1
    } else {
        b'a' + code - 11
    }) as char
}

/// A term of `[a-z0-9]` as a number, when it has at most [`PACKED`] letters.
pub fn pack(term: &str) -> Option<u128> {
    (term.len() <= PACKED).then(|| {
        term.bytes()
            .fold(0, |k, b| k << 6 | CODES[b as usize] as u128)
    })
}

/// The term [`pack`] packed.
pub fn unpack(mut key: u128) -> String {
    let mut letters = Vec::with_capacity(PACKED);
    while key != 0 {
        letters.push(letter((key & 63) as u8));
        key >>= 6;
    }
    letters.into_iter().rev().collect()
}

/// Appends the folded form of `c` to `out`; returns whether `c` is
/// outside ASCII and folds to at least one letter or digit (the
/// characters `search.js` must learn from `fold.json`).
pub fn fold_char(c: char, out: &mut String) -> bool {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return false;
    }
    match deunicode::deunicode_char(c) {
        Some(s) if s.bytes().any(|b| b.is_ascii_alphanumeric()) => {
            out.extend(s.chars().map(|b| b.to_ascii_lowercase()));
            true
        }
        // A folding with no letter is a separator, as in search.js.
        _ => {
            out.push(' ');
            false
        }
    }
}

/// Cuts text into terms as it streams in: a word may run on from one
/// piece into the next (`<em>bold</em>er`), so pieces of HTML text are
/// fed in order and [`Splitter::finish`] ends the last word.
#[derive(Debug, Default)]
pub struct Splitter {
    /// The current word's first [`PACKED`] letters.
    key: u128,
    /// Its length, counted past [`MAX_TERM`].
    len: usize,
    /// The whole word once it is longer than [`PACKED`].
    long: String,
}

impl Splitter {
    /// Feeds `text`: `found` gets each term it completes, `foreign` each
    /// non-ASCII character that folds to a letter.
    pub fn feed(
        &mut self,
        text: &str,
        found: &mut impl FnMut(Term),
        foreign: &mut impl FnMut(char),
    ) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // The common case, ASCII words of up to 10 letters (60 bits),
            // runs on a u64 in locals: this loop sees every byte of text.
            if self.len < 10 {
                let (mut key, mut len) = (self.key as u64, self.len);
                while i < bytes.len() && len < 10 {
                    let b = bytes[i];
                    let code = CODES[b as usize];
                    if code != 0 {
                        key = key << 6 | code as u64;
                        len += 1;
                        i += 1;
                    } else if b.is_ascii() {
                        if len >= MIN_TERM {
                            found(Term::Packed(key as u128));
                        }
                        key = 0;
                        len = 0;
                        i += 1;
                    } else {
                        break;
                    }
                }
                (self.key, self.len) = (key as u128, len);
            }
            let Some(&b) = bytes.get(i) else { break };
            if b.is_ascii() {
                self.byte(b, found);
                i += 1;
                continue;
            }
            let c = text[i..].chars().next().expect("a char at a boundary");
            i += c.len_utf8();
            match deunicode::deunicode_char(c) {
                Some(s) if s.bytes().any(|b| b.is_ascii_alphanumeric()) => {
                    foreign(c);
                    s.bytes().for_each(|b| self.byte(b, found));
                }
                _ => self.finish(found),
            }
        }
    }

    /// Takes one byte of folded text: a letter, or the end of a word.
    fn byte(&mut self, b: u8, found: &mut impl FnMut(Term)) {
        let code = CODES[b as usize];
        if code == 0 {
            self.finish(found);
            return;
        }
        self.len += 1;
        if self.len <= PACKED {
            self.key = self.key << 6 | code as u128;
        } else if self.len <= MAX_TERM {
            if self.len == PACKED + 1 {
                self.long = unpack(self.key);
            }
            self.long.push(letter(code));
        }
    }

    /// Ends the current word, if any.
    pub fn finish(&mut self, found: &mut impl FnMut(Term)) {
        match self.len {
            0 => return,
            n if !(MIN_TERM..=MAX_TERM).contains(&n) => {}
            n if n <= PACKED => found(Term::Packed(self.key)),
            _ => found(Term::Long(&self.long)),
        }
        self.key = 0;
        self.len = 0;
    }
}

/// Calls `each` with every term of `text`, in order, repeats included, and
/// `foreign` with every non-ASCII character that folds to a letter.
pub fn terms(text: &str, mut each: impl FnMut(&str), mut foreign: impl FnMut(char)) {
    let mut s = Splitter::default();
    let mut found = |t: Term| match t {
        Term::Packed(k) => each(&unpack(k)),
        Term::Long(t) => each(t),
    };
    s.feed(text, &mut found, &mut foreign);
    s.finish(&mut found);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms_of(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        terms(text, |t| v.push(t.to_owned()), |_| {});
        v
    }

    #[test]
    fn terms_are_folded_and_filtered() {
        assert_eq!(
            terms_of("Café Straße, a ÉLAN don't x2 é"),
            ["cafe", "strasse", "elan", "don", "x2"]
        );
        assert_eq!(terms_of(&"a".repeat(MAX_TERM + 1)), Vec::<String>::new());
        let long = "Abcdefghijklmnopqrstuvwxyz0123";
        assert_eq!(terms_of(long), [long.to_lowercase()]);
    }

    #[test]
    fn words_run_on_across_pieces_and_long_runs_are_dropped() {
        let mut got = Vec::new();
        let mut s = Splitter::default();
        let long = "x".repeat(MAX_TERM + 1);
        let mut found = |t: Term| {
            got.push(match t {
                Term::Packed(k) => unpack(k),
                Term::Long(t) => t.to_owned(),
            })
        };
        for piece in ["bo", "ld ", &long, " ok"] {
            s.feed(piece, &mut found, &mut |_| {});
        }
        s.finish(&mut found);
        assert_eq!(got, ["bold", "ok"]);
    }

    #[test]
    fn foreign_letters_are_reported_for_the_fold_table() {
        let mut seen = Vec::new();
        terms("é—ß", |_| {}, |c| seen.push(c));
        assert_eq!(seen, ['é', 'ß']);
    }

    /// The terms of `text` by the plain definition: fold every character,
    /// split on anything not `[a-z0-9]`, keep lengths in range.
    fn reference(text: &str) -> Vec<String> {
        let mut folded = String::new();
        for c in text.chars() {
            fold_char(c, &mut folded);
        }
        folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| (MIN_TERM..=MAX_TERM).contains(&w.len()))
            .map(str::to_owned)
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn the_fast_splitter_agrees_with_the_definition(
            text in "([a-zA-Z0-9]{0,40}[ ,.'éß中—]{0,2}){0,12}",
            cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            // Fed in pieces cut at arbitrary char boundaries.
            let mut bounds: Vec<usize> = cuts
                .into_iter()
                .map(|c| c.min(text.len()))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            bounds.sort_unstable();
            let mut got = Vec::new();
            let mut found = |t: Term| {
                got.push(match t {
                    Term::Packed(k) => unpack(k),
                    Term::Long(t) => t.to_owned(),
                })
            };
            let mut s = Splitter::default();
            let mut at = 0;
            for b in bounds.into_iter().chain([text.len()]) {
                s.feed(&text[at..b], &mut found, &mut |_| {});
                at = b;
            }
            s.finish(&mut found);
            proptest::prop_assert_eq!(got, reference(&text));
        }
    }

    #[test]
    fn packed_terms_unpack_to_themselves() {
        for t in ["ab", "z9", "0a", "abcdefghijklmnopqrstu", "2010"] {
            assert_eq!(unpack(pack(t).unwrap()), t);
        }
        assert_eq!(pack("abcdefghijklmnopqrstuv"), None);
    }
}
