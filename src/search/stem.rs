//! Stemming per document language with the Snowball stemmers of
//! `rust-stemmers`: `gardens` and `garden` share the key `garden`,
//! `модераторы` and `модератор` the key `модератор`.
//!
//! Stemming runs once per distinct term and language when the index is
//! assembled, not once per word of text: a site has millions of words but
//! tens of thousands of distinct terms.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};

use super::terms::MIN_TERM;

/// Languages with a Snowball stemmer: primary subtag and algorithm. A
/// language's id is its place here plus one; 0 is "no stemmer".
const STEMMERS: [(&str, Algorithm); 20] = [
    ("ar", Algorithm::Arabic),
    ("da", Algorithm::Danish),
    ("nl", Algorithm::Dutch),
    ("en", Algorithm::English),
    ("fi", Algorithm::Finnish),
    ("fr", Algorithm::French),
    ("de", Algorithm::German),
    ("el", Algorithm::Greek),
    ("hu", Algorithm::Hungarian),
    ("it", Algorithm::Italian),
    ("no", Algorithm::Norwegian),
    ("nb", Algorithm::Norwegian),
    ("nn", Algorithm::Norwegian),
    ("pt", Algorithm::Portuguese),
    ("ro", Algorithm::Romanian),
    ("ru", Algorithm::Russian),
    ("es", Algorithm::Spanish),
    ("sv", Algorithm::Swedish),
    ("ta", Algorithm::Tamil),
    ("tr", Algorithm::Turkish),
];

/// How many language ids there are, "no stemmer" included.
pub const LANGS: usize = STEMMERS.len() + 1;

/// The stemmer id of a language tag (`de-AT` → German); 0 when Snowball
/// has no stemmer for it (Chinese, Japanese, Hebrew...).
pub fn lang_id(tag: &str) -> u8 {
    let primary = crate::lang::primary(tag);
    STEMMERS
        .iter()
        .position(|(code, _)| *code == primary)
        .map_or(0, |i| i as u8 + 1)
}

/// The stem of index term `term` in language `lang`: the term itself when
/// the language has no stemmer, the term holds a digit or a CJK character
/// (a pair of characters is not a word), or the stem would be shorter than
/// [`MIN_TERM`].
pub fn stem(lang: u8, term: &str) -> Cow<'_, str> {
    let Some(&(_, algorithm)) = (lang as usize).checked_sub(1).and_then(|i| STEMMERS.get(i)) else {
        return Cow::Borrowed(term);
    };
    if term.chars().any(|c| {
        c.is_numeric() || (!c.is_ascii() && super::terms::class(c) == super::terms::Class::Cjk)
    }) {
        return Cow::Borrowed(term);
    }
    let stem = Stemmer::create(algorithm).stem(term).into_owned();
    if stem.chars().count() < MIN_TERM || stem == term {
        Cow::Borrowed(term)
    } else {
        Cow::Owned(stem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stem_in_their_language() {
        let en = lang_id("en-US");
        assert_eq!(stem(en, "gardens"), "garden");
        assert_eq!(stem(en, "communities"), stem(en, "community"));
        let ru = lang_id("ru");
        assert_eq!(stem(ru, "модераторы"), stem(ru, "модератор"));
        let de = lang_id("de");
        assert_eq!(stem(de, "gemeinschaften"), stem(de, "gemeinschaft"));
        // No stemmer, digits, pairs of CJK characters: as they are.
        assert_eq!(stem(lang_id("zh"), "gardens"), "gardens");
        assert_eq!(stem(en, "2020s"), "2020s");
        assert_eq!(stem(en, "知识"), "知识");
    }
}
