//! HTML character references (`&oacute;`, `&#233;`, `&#x2014;`): the one
//! escaper and the one decoder the whole program uses, the decoder with
//! the full WHATWG table (htmlize), and [`tokenize`], the one way every
//! reader of HTML (the sanitizer, imports, webmention discovery) runs
//! html5ever's tokenizer over a fragment. The search index reads rendered
//! pages with a faster scanner of its own (`search/html.rs`), tested
//! against this one.
//!
//! [`escape`] stays our own: it is Tera's escaper, so it runs on every
//! `{{ }}` of every page, and it copies runs of plain bytes at once; the
//! crates we looked at (htmlize, html-escape) spell `'` differently, which
//! would change every page for nothing.
//!
//! Importers decode the text they take from HTML exports (titles, names,
//! bodies) and the search index decodes rendered HTML, each exactly once:
//! `&amp;oacute;` is the text `&oacute;`, never `ó`.

use std::borrow::Cow;

/// `text` with every character reference decoded once, as a browser reads
/// text outside an attribute. References it does not know stay as written.
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    htmlize::unescape(text)
}

/// The text of the reference `&name;` (`oacute`, `#233`, `#x2014`), or
/// `None` when it is not one the HTML standard defines.
pub fn resolve(name: &str) -> Option<String> {
    let numeric = match name.strip_prefix('#') {
        Some(num) => match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()),
        },
        None => false,
    };
    let reference = format!("&{name};");
    if numeric {
        // The standard's rules for numbers: 0, surrogates and values past
        // U+10FFFF become U+FFFD; 0x80..0x9F are read as Windows-1252.
        return Some(htmlize::unescape(reference).into_owned());
    }
    htmlize::ENTITIES
        .get(reference.as_bytes())
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
}

/// What [`escape`] writes for each byte it replaces, by the number
/// [`SPECIAL`] holds for the byte.
const REPLACEMENTS: [&str; 5] = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];

/// For each byte, 0 if [`escape`] keeps it, else 1 + its index in
/// [`REPLACEMENTS`]: one load a byte instead of five comparisons.
const SPECIAL: [u8; 256] = {
    let mut table = [0; 256];
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 2;
    table[b'>' as usize] = 3;
    table[b'"' as usize] = 4;
    table[b'\'' as usize] = 5;
    table
};

/// Escapes text for an HTML attribute or element (also Tera's escaper, so
/// it runs on every `{{ }}`: text with nothing to escape is copied whole,
/// and other text in runs of plain bytes).
pub fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&b| SPECIAL[b as usize] != 0) else {
        return text.to_owned();
    };
    let mut s = String::with_capacity(text.len() + text.len() / 8 + 8);
    s.push_str(&text[..first]);
    let mut plain = first;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        let special = SPECIAL[b as usize];
        if special != 0 {
            s.push_str(&text[plain..i]);
            s.push_str(REPLACEMENTS[usize::from(special) - 1]);
            plain = i + 1;
        }
    }
    s.push_str(&text[plain..]);
    s
}

/// Runs html5ever's tokenizer (the one ammonia compiles in) over the
/// fragment `html`, feeding every token to `sink`, and hands the sink back.
pub fn tokenize<S: html5ever::tokenizer::TokenSink>(html: &str, sink: S) -> S {
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(html5ever::tendril::StrTendril::from_slice(html));
    // Sinks here never pause the tokenizer or ask for script handling.
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_reference_of_the_standard_decodes() {
        assert_eq!(
            decode("&oacute; &rarr; &Oslash; &hellip; &ThinSpace;&bigstar; &NotNestedLessLess;"),
            "ó → Ø … \u{2009}★ \u{2AA1}\u{338}"
        );
        assert_eq!(decode("&#233;&#x2014;&#X41;"), "é—A");
        assert_eq!(resolve("oacute").as_deref(), Some("ó"));
        assert_eq!(resolve("#8364").as_deref(), Some("€"));
        assert_eq!(resolve("#x80").as_deref(), Some("€"));
        assert_eq!(resolve("nosuch"), None);
        assert_eq!(resolve("ampx"), None);
        assert_eq!(resolve("#"), None);
    }

    #[test]
    fn the_five_characters_are_escaped() {
        assert_eq!(escape("a<b>&\"c'é"), "a&lt;b&gt;&amp;&quot;c&#39;é");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape(""), "");
        assert_eq!(escape("tail&"), "tail&amp;");
        assert_eq!(escape("''"), "&#39;&#39;");
    }

    #[test]
    fn text_is_decoded_once() {
        assert_eq!(decode("&amp;oacute;"), "&oacute;");
        assert_eq!(decode("&amp;amp;"), "&amp;");
        assert_eq!(decode("AT&T & co &zzz;"), "AT&T & co &zzz;");
        assert!(matches!(decode("plain"), Cow::Borrowed("plain")));
    }
}
