//! Words folded into index terms, exactly as `search.js` folds a query.
//!
//! Folding: ASCII is lowercased; Latin letters with marks become their
//! `deunicode` transliteration (`é` → `e`, `ß` → `ss`); letters of other
//! scripts are lowercased and kept (a Russian word stays Cyrillic, so its
//! stemmer can read it); Chinese and Japanese characters, written without
//! spaces, become overlapping pairs (`知识管理` → `知识 识管 管理`), never
//! a transliteration, which would match homophones. A word term has
//! [`MIN_TERM`] to [`MAX_TERM`] characters. Stemming happens per distinct
//! term when the index is assembled ([`super::stem`]).
//!
//! ASCII terms of up to [`PACKED`] letters travel as numbers (6 bits a
//! letter): hashing and comparing a number is far cheaper than a string,
//! and the build looks up every word of the site.

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

/// How a character beyond ASCII takes part in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A Latin letter with marks, a ligature or a fullwidth Latin letter:
    /// folded to ASCII by `deunicode` (`é` → `e`, `ß` → `ss`).
    Latin,
    /// Chinese, Japanese kana: no spaces between words, so indexed as
    /// overlapping pairs of characters (bigrams).
    Cjk,
    /// Any other letter or digit (Cyrillic, Greek, Arabic, Hebrew, Hangul,
    /// Devanagari...): kept, lowercased, so a stemmer can read it.
    Letter,
    /// Punctuation, spaces, symbols: ends a word.
    Other,
}

/// The [`Class`] of a character beyond ASCII; `search.js` has the same
/// ranges.
pub fn class(c: char) -> Class {
    match c as u32 {
        0xC0..=0x24F | 0x1E00..=0x1EFF | 0xFB00..=0xFB06 => Class::Latin,
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Class::Latin,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => Class::Cjk,
        0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FFFF => Class::Cjk,
        _ if c.is_alphanumeric() => Class::Letter,
        _ => Class::Other,
    }
}

/// Appends the folded form of a [`Class::Latin`] (or ASCII) `c` to `out`;
/// returns whether `c` is outside ASCII and folds to at least one letter
/// or digit (the characters `search.js` learns from `fold.json`).
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
    /// The current word's first [`PACKED`] letters, while it is ASCII.
    key: u128,
    /// Its length in characters, counted past [`MAX_TERM`].
    len: usize,
    /// The whole word once it is longer than [`PACKED`] or has a letter
    /// beyond ASCII.
    long: String,
    /// Whether the word has a letter beyond ASCII (so `key` is unused).
    wide: bool,
    /// The last character of the current run of CJK characters.
    cjk: Option<char>,
    /// How many characters that run has.
    cjk_run: usize,
}

impl Splitter {
    /// Feeds `text`: `found` gets each term it completes, `foreign` each
    /// character beyond ASCII that folds to ASCII letters.
    pub fn feed(
        &mut self,
        text: &str,
        found: &mut impl FnMut(Term),
        foreign: &mut impl FnMut(char),
    ) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.cjk.is_some() && bytes[i].is_ascii() {
                self.end_cjk(found);
            }
            // The common case, ASCII words of up to 10 letters (60 bits),
            // runs on a u64 in locals: this loop sees every byte of text.
            if self.len < 10 && !self.wide {
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
            match class(c) {
                Class::Latin => match deunicode::deunicode_char(c) {
                    Some(s) if s.bytes().any(|b| b.is_ascii_alphanumeric()) => {
                        self.end_cjk(found);
                        foreign(c);
                        s.bytes().for_each(|b| self.byte(b, found));
                    }
                    _ => self.finish(found),
                },
                Class::Cjk => {
                    self.end_word(found);
                    if let Some(prev) = self.cjk {
                        let mut pair = [0u8; 8];
                        let n = prev.encode_utf8(&mut pair).len();
                        let m = c.encode_utf8(&mut pair[n..]).len();
                        found(Term::Long(
                            std::str::from_utf8(&pair[..n + m]).expect("two chars"),
                        ));
                    }
                    self.cjk = Some(c);
                    self.cjk_run += 1;
                }
                Class::Letter => {
                    self.end_cjk(found);
                    for l in c.to_lowercase() {
                        self.wide_letter(l);
                    }
                }
                Class::Other => self.finish(found),
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
        if self.wide {
            if self.len <= MAX_TERM {
                self.long.push(letter(code));
            }
        } else if self.len <= PACKED {
            self.key = self.key << 6 | code as u128;
        } else if self.len <= MAX_TERM {
            if self.len == PACKED + 1 {
                self.long = unpack(self.key);
            }
            self.long.push(letter(code));
        }
    }

    /// Takes a lowercased letter beyond ASCII (or one of its lowercasing).
    fn wide_letter(&mut self, l: char) {
        if !self.wide {
            if self.len <= PACKED {
                self.long = unpack(self.key);
            }
            self.wide = true;
        }
        self.len += 1;
        if self.len <= MAX_TERM {
            self.long.push(l);
        }
    }

    /// Ends the current word, if any.
    fn end_word(&mut self, found: &mut impl FnMut(Term)) {
        match self.len {
            0 => return,
            n if !(MIN_TERM..=MAX_TERM).contains(&n) => {}
            n if n <= PACKED && !self.wide => found(Term::Packed(self.key)),
            _ => found(Term::Long(&self.long)),
        }
        self.key = 0;
        self.len = 0;
        self.wide = false;
        self.long.clear();
    }

    /// Ends the current run of CJK characters: a run of one character is
    /// a term of its own, longer runs gave their pairs already.
    fn end_cjk(&mut self, found: &mut impl FnMut(Term)) {
        if let Some(c) = self.cjk.take() {
            if self.cjk_run == 1 {
                found(Term::Long(c.encode_utf8(&mut [0; 4])));
            }
        }
        self.cjk_run = 0;
    }

    /// Ends the current word or run of CJK characters, if any.
    pub fn finish(&mut self, found: &mut impl FnMut(Term)) {
        self.end_word(found);
        self.end_cjk(found);
    }
}

/// Calls `each` with every term of `text`, in order, repeats included, and
/// `foreign` with every character beyond ASCII that folds to ASCII.
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
    fn cjk_is_cut_into_pairs_and_other_scripts_kept() {
        assert_eq!(terms_of("知识管理"), ["知识", "识管", "管理"]);
        assert_eq!(terms_of("中 Модераторы, ok"), ["中", "модераторы", "ok"]);
        assert_eq!(terms_of("日本語abc"), ["日本", "本語", "abc"]);
    }

    #[test]
    fn foreign_letters_are_reported_for_the_fold_table() {
        let mut seen = Vec::new();
        terms("é—ß", |_| {}, |c| seen.push(c));
        assert_eq!(seen, ['é', 'ß']);
    }

    /// The terms of `text` by the plain definition: fold every Latin
    /// character, lowercase other letters, cut CJK runs into pairs, split
    /// on anything else, keep word lengths in range.
    fn reference(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word: Vec<char> = Vec::new();
        let mut run: Vec<char> = Vec::new();
        let end_word = |word: &mut Vec<char>, out: &mut Vec<String>| {
            if (MIN_TERM..=MAX_TERM).contains(&word.len()) {
                out.push(word.iter().collect());
            }
            word.clear();
        };
        let end_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
            if run.len() == 1 {
                out.push(run.iter().collect());
            }
            run.clear();
        };
        for c in text.chars() {
            let cls = if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    Class::Letter
                } else {
                    Class::Other
                }
            } else {
                class(c)
            };
            match cls {
                Class::Cjk => {
                    end_word(&mut word, &mut out);
                    if let Some(&p) = run.last() {
                        out.push([p, c].iter().collect());
                    }
                    run.push(c);
                }
                Class::Other => {
                    end_word(&mut word, &mut out);
                    end_run(&mut run, &mut out);
                }
                Class::Latin => {
                    end_run(&mut run, &mut out);
                    let mut f = String::new();
                    fold_char(c, &mut f);
                    for l in f.chars() {
                        if l.is_ascii_alphanumeric() {
                            word.push(l);
                        } else {
                            end_word(&mut word, &mut out);
                        }
                    }
                }
                Class::Letter => {
                    end_run(&mut run, &mut out);
                    word.extend(c.to_lowercase());
                }
            }
        }
        end_word(&mut word, &mut out);
        end_run(&mut run, &mut out);
        out
    }

    proptest::proptest! {
        #[test]
        fn the_fast_splitter_agrees_with_the_definition(
            text in "([a-zA-Z0-9]{0,40}[ ,.'éß中文日本語яЖ—]{0,3}){0,12}",
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
