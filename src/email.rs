//! Finding and removing e-mail addresses: no address from imported text is
//! ever written into content, and none reaches the search index.
//!
//! [`find`] is linkify's RFC 5321/6531 scanner (non-ASCII local parts and
//! internationalized domains included) run over the text with the
//! disguises it does not know undone first: a quoted local part
//! (`"b"@host`), a percent-escaped `%40`, the full-width `＠` and small
//! `﹫`, `&#64;` and `&commat;` (markdown decodes them), the full-width
//! dot `．`. [`redact`] is the one function every writer of imported text
//! calls; [`redact_name`] is its form for a person's name.
//!
//! A fediverse account (`@user@host`, also inside a profile URL) and an
//! `@` in a URL path (`logo@2x.png`) are not addresses.

use std::borrow::Cow;
use std::sync::OnceLock;

use linkify::{LinkFinder, LinkKind};

/// What an address in running text is replaced with.
pub const REMOVED: &str = "(address removed)";

/// An address found: where it starts, where its at-sign is, where it ends
/// (byte offsets into the text searched).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    at: usize,
    end: usize,
}

/// Byte ranges of the e-mail addresses in `text`, in order.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    spans(text).into_iter().map(|s| (s.start, s.end)).collect()
}

/// Whether `text` holds an e-mail address.
pub fn contains(text: &str) -> bool {
    !spans(text).is_empty()
}

/// `text` with every e-mail address taken out: an address in angle
/// brackets goes with its brackets (the name before it says who), a
/// markdown `mailto:` link keeps its text, any other address becomes
/// [`REMOVED`].
pub fn redact(text: &str) -> String {
    let mut found = spans(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let unlinked;
    let text = if text.contains("](mailto:") {
        unlinked = unlink_mailto(text);
        found = spans(&unlinked);
        unlinked.as_str()
    } else {
        text
    };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for Span {
        mut start, mut end, ..
    } in found
    {
        if start < last {
            continue;
        }
        let before = &text[last..start];
        if before.len() >= 7
            && before.is_char_boundary(before.len() - 7)
            && before[before.len() - 7..].eq_ignore_ascii_case("mailto:")
        {
            start -= 7;
        }
        let bracket = [("\\<", "\\>"), ("&lt;", "&gt;"), ("<", ">")]
            .into_iter()
            .find(|(open, close)| {
                text[last..start].ends_with(open) && text[end..].starts_with(close)
            });
        match bracket {
            Some((open, close)) => {
                start -= open.len();
                end += close.len();
                // The space before `<jane@…>` goes too: `Jane wrote:`.
                out.push_str(text[last..start].trim_end_matches([' ', '\t']));
            }
            None => {
                out.push_str(&text[last..start]);
                out.push_str(REMOVED);
            }
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// A person's name with any address taken out (`Gina <gina@example.org>`
/// is `Gina`); when the name was only an address, its local part (`gina`);
/// empty when nothing is left.
pub fn redact_name(name: &str) -> String {
    let found = spans(name);
    let Some(first) = found.first() else {
        return name.to_owned();
    };
    let kept = redact(name).replace(REMOVED, " ");
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let trim = |s: &str| {
        s.trim_matches(|c: char| c.is_whitespace() || "\"'()<>[],;:".contains(c))
            .to_owned()
    };
    let kept = trim(&kept);
    if !kept.is_empty() {
        return kept;
    }
    trim(&name[first.start..first.at])
}

/// Markdown links to `mailto:` become their text: `[Jane](mailto:…)` is
/// `Jane`.
fn unlink_mailto(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find("](mailto:") {
        let Some(open) = rest[..k].rfind('[') else {
            out.push_str(&rest[..k + 2]);
            rest = &rest[k + 2..];
            continue;
        };
        let Some(close) = rest[k..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..k]);
        rest = &rest[k + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The addresses in `text`, with offsets into `text`.
fn spans(text: &str) -> Vec<Span> {
    match Normalized::new(text) {
        Some(norm) => spans_in(&norm),
        None => Vec::new(),
    }
}

/// The addresses in normalized text, with offsets into the original.
fn spans_in(norm: &Normalized<'_>) -> Vec<Span> {
    static FINDER: OnceLock<LinkFinder> = OnceLock::new();
    let finder = FINDER.get_or_init(|| {
        let mut f = LinkFinder::new();
        f.kinds(&[LinkKind::Email]).email_domain_must_have_dot(true);
        f
    });
    let mut found: Vec<(usize, usize)> = finder
        .links(&norm.text)
        .map(|link| (link.start(), link.end()))
        .collect();
    found.extend(unicode_tld_candidates(&norm.text, &found));
    found.sort_unstable();
    found
        .into_iter()
        .filter_map(|(start, end)| refine(&norm.text, start, end))
        .map(|s| Span {
            start: norm.origin(s.start),
            at: norm.origin(s.at),
            end: norm.origin(s.end),
        })
        .collect()
}

/// Addresses whose top-level domain is written in its own script
/// (`.рф`, `.中国`, `.テスト`), which linkify does not take: the same
/// local part and domain rules, at the at-signs linkify left alone.
fn unicode_tld_candidates(norm: &str, taken: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (at, _) in norm.match_indices('@') {
        if taken.iter().any(|&(s, e)| s <= at && at < e) {
            continue;
        }
        let local = &norm[..at];
        let start = local
            .char_indices()
            .rev()
            .take_while(|&(_, c)| {
                c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || !c.is_ascii()
            })
            .last()
            .map(|(i, _)| i);
        let Some(start) = start else { continue };
        if local[..start].ends_with('@') {
            continue;
        }
        let domain = &norm[at + 1..];
        let len = domain
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.') || separates(c))
            .unwrap_or(domain.len());
        let host = domain[..len].trim_end_matches(['.', '-']);
        let tld = host.rsplit_once('.').map_or("", |(_, t)| t);
        if !tld.is_ascii() {
            out.push((start, at + 1 + host.len()));
        }
    }
    out
}

/// The address linkify found at `start..end` of `norm`, narrowed to what a
/// reader would call the address, or `None` when it is none.
fn refine(norm: &str, start: usize, end: usize) -> Option<Span> {
    let at = start + norm[start..end].find('@')?;
    // linkify's local part takes any non-ASCII character and URL
    // punctuation: a space, a quote mark or a query's `=` ends it.
    let mut start = match norm[start..at].rfind(|c: char| separates(c) || "/?=&".contains(c)) {
        Some(i) => {
            let c = norm[start + i..].chars().next()?;
            if c == '/' {
                // An `@` in a URL path: `/@user@host`, `logo@2x.png`.
                return None;
            }
            start + i + c.len_utf8()
        }
        None => start,
    };
    while norm[start..at].starts_with('.') {
        start += 1;
    }
    if start == at {
        return None;
    }
    let domain = &norm[at + 1..end];
    let mut host = &domain[..domain.find(separates).unwrap_or(domain.len())];
    // The last label must be a name: `x@1.2.3.4` is not an address, and
    // `例え.jp.次` ends a sentence after `jp`.
    loop {
        host = host.trim_end_matches(['.', '-']);
        let (rest, tld) = host.rsplit_once('.')?;
        if tld.chars().count() >= 2 && !tld.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        {
            break;
        }
        host = rest;
    }
    Some(Span {
        start,
        at,
        end: at + 1 + host.len(),
    })
}

/// Characters that end a local part or a domain although linkify would
/// take them: spaces and the punctuation and symbols past ASCII.
fn separates(c: char) -> bool {
    let c32 = c as u32;
    c.is_whitespace()
        || (('\u{A0}'..='\u{BF}').contains(&c) && !c.is_alphanumeric())
        || c == '\u{D7}'
        || c == '\u{F7}'
        || (0x2000..=0x2BFF).contains(&c32)
        || (0x3000..=0x303F).contains(&c32)
        || (0xFE10..=0xFE6F).contains(&c32)
        || (0xFF01..=0xFF0F).contains(&c32)
        || (0xFF1A..=0xFF20).contains(&c32)
        || (0xFF3B..=0xFF40).contains(&c32)
        || (0xFF5B..=0xFF65).contains(&c32)
        || c == '\u{FEFF}'
        || (0x1F000..=0x1FAFF).contains(&c32)
}

/// Text with the disguised at-signs and dots made plain and quoted local
/// parts made atoms, and where each of its bytes came from.
struct Normalized<'a> {
    text: Cow<'a, str>,
    /// `origin[i]`: offset in the original text of byte `i`, one more
    /// entry for the end; `None` when offsets are unchanged.
    origin: Option<Vec<usize>>,
}

/// Spellings of `@` and `.` that read as such.
const DISGUISES: [(&str, char); 7] = [
    ("%40", '@'),
    ("&#64;", '@'),
    ("&#x40;", '@'),
    ("&commat;", '@'),
    ("\u{FF20}", '@'),
    ("\u{FE6B}", '@'),
    ("\u{FF0E}", '.'),
];

impl<'a> Normalized<'a> {
    /// `None` when `text` has nothing that could make an address.
    fn new(text: &'a str) -> Option<Normalized<'a>> {
        let (plain, disguised) = scan(text);
        if !plain && !disguised {
            return None;
        }
        if !disguised {
            // Offsets stay those of the text: no map needed.
            let text = if text.contains("\"@") || text.contains("\u{201D}@") {
                let mut bytes = text.as_bytes().to_vec();
                unquote_local_parts(&mut bytes);
                Cow::Owned(String::from_utf8(bytes).expect("whole characters replaced by ASCII"))
            } else {
                Cow::Borrowed(text)
            };
            return Some(Normalized { text, origin: None });
        }
        // Every disguise starts with one of these bytes (0xEF leads the
        // full-width forms and never continues a character).
        let starts_disguise = |b: u8| matches!(b, b'%' | b'&' | 0xEF);
        let source = text.as_bytes();
        let mut bytes = Vec::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        let mut i = 0;
        while i < text.len() {
            if starts_disguise(source[i]) {
                let rest = &text[i..];
                let disguise = DISGUISES.iter().find(|(s, _)| {
                    rest.len() >= s.len()
                        && rest.is_char_boundary(s.len())
                        && rest[..s.len()].eq_ignore_ascii_case(s)
                });
                if let Some((s, plain)) = disguise {
                    bytes.push(*plain as u8);
                    origin.push(i);
                    i += s.len();
                    continue;
                }
            }
            bytes.push(source[i]);
            origin.push(i);
            i += 1;
        }
        origin.push(text.len());
        unquote_local_parts(&mut bytes);
        let text = String::from_utf8(bytes).expect("whole characters replaced by ASCII");
        Some(Normalized {
            text: Cow::Owned(text),
            origin: Some(origin),
        })
    }

    /// Offset in the original text of byte `i` of the normalized one.
    fn origin(&self, i: usize) -> usize {
        self.origin.as_ref().map_or(i, |o| o[i])
    }
}

/// Whether `text` has a plain at-sign that could end a local part, and
/// whether it has a disguised one or a full-width dot: a look at the few
/// bytes that can start either, as most text has neither. An at-sign
/// after white space (or first) starts an `@mention`, never an address,
/// whose local part is never empty: text with only mentions skips the
/// address scanner.
fn scan(text: &str) -> (bool, bool) {
    let bytes = text.as_bytes();
    let disguise_at = |i: usize| {
        let rest = &bytes[i..];
        DISGUISES.iter().any(|(s, _)| {
            rest.len() >= s.len() && rest[..s.len()].eq_ignore_ascii_case(s.as_bytes())
        })
    };
    let (mut plain, mut disguised) = (false, false);
    // memchr: this runs over every document's text for the search index.
    for i in memchr::memchr3_iter(b'@', b'%', b'&', bytes) {
        if bytes[i] == b'@' {
            plain |= i > 0 && !bytes[i - 1].is_ascii_whitespace();
        } else {
            disguised |= disguise_at(i);
        }
    }
    // The full-width forms all start with 0xEF.
    disguised = disguised || memchr::memchr_iter(0xEF, bytes).any(disguise_at);
    (plain, disguised)
}

/// Replaces each quoted local part (`"b c"@host`, also with the curly
/// quotes markdown's typographer makes of it: `“b”@host`) by as many `x`
/// as it has bytes, so the scanner sees an ordinary address of the same
/// length.
fn unquote_local_parts(bytes: &mut [u8]) {
    const CURLY_OPEN: &[u8] = "\u{201C}".as_bytes();
    const CURLY_CLOSE: &[u8] = "\u{201D}".as_bytes();
    for at in 1..bytes.len() {
        if bytes[at] != b'@' {
            continue;
        }
        let close = if bytes[at - 1] == b'"' {
            at - 1
        } else if bytes[..at].ends_with(CURLY_CLOSE) {
            at - CURLY_CLOSE.len()
        } else {
            continue;
        };
        let mut j = close;
        let open = loop {
            if j == 0 || close - j > 128 || bytes[j - 1] == b'\n' {
                break None;
            }
            j -= 1;
            if bytes[j] == b'"' && (j == 0 || bytes[j - 1] != b'\\') {
                break Some(j);
            }
            if bytes[j..].starts_with(CURLY_OPEN) {
                break Some(j);
            }
        };
        if let Some(open) = open.filter(|&o| o + 1 < close) {
            bytes[open..at].fill(b'x');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_go_names_stay() {
        assert_eq!(
            redact("On Mon, Jane Doe <jane.doe+list@example.org> wrote:"),
            "On Mon, Jane Doe wrote:"
        );
        assert_eq!(
            redact("write to community@lists.example.org."),
            "write to (address removed)."
        );
        assert_eq!(
            redact("see [Jane](mailto:jane@example.org) or <mailto:x@y.example>"),
            "see Jane or"
        );
        assert_eq!(redact("mailto:a@b.example, ok"), "(address removed), ok");
        assert_eq!(
            redact("<p>Gina &lt;gina@example.org&gt; said</p>"),
            "<p>Gina said</p>"
        );
    }

    #[test]
    fn disguised_and_international_addresses_are_found() {
        for (text, address) in [
            ("mail jürgen@müller.de now", "jürgen@müller.de"),
            ("李@例え.jp", "李@例え.jp"),
            ("(info@bücher.de)", "info@bücher.de"),
            ("say \"b\"@host.example!", "\"b\"@host.example"),
            ("say \"b c\"@host.example", "\"b c\"@host.example"),
            (
                "say \u{201C}b\u{201D}@host.example",
                "\u{201C}b\u{201D}@host.example",
            ),
            ("b%40host.example", "b%40host.example"),
            ("b\u{FF20}host.example", "b\u{FF20}host.example"),
            (
                "b\u{FE6B}host\u{FF0E}example",
                "b\u{FE6B}host\u{FF0E}example",
            ),
            ("b&#64;host.example", "b&#64;host.example"),
            ("b&commat;host.example", "b&commat;host.example"),
            ("«ann@x.example»", "ann@x.example"),
            ("连系李@例え.jp。次", "连系李@例え.jp"),
            ("?to=ann@x.example&x", "ann@x.example"),
            ("ADA@EXAMPLE.ORG", "ADA@EXAMPLE.ORG"),
            ("x@xn--p1ai.xn--p1ai", "x@xn--p1ai.xn--p1ai"),
        ] {
            let found: Vec<&str> = find(text).iter().map(|&(a, b)| &text[a..b]).collect();
            assert_eq!(found, [address], "{text}");
            let tail: String = address
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            assert!(!redact(text).contains(&tail), "{text}");
        }
    }

    proptest! {
        /// An at-sign after white space or first skips the scanner, which
        /// finds the same addresses in the text as without the skip.
        #[test]
        fn mentions_alone_hold_no_address(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "thanks", " ", "\n", "@theo-perez", "ann@x.example", "@", ".", ",",
                    "b.c@mail.example.org", "(", "@ann@social.example", "x",
                ]),
                0..10,
            )
        ) {
            let text = parts.concat();
            let scanned: Vec<(usize, usize)> =
                spans(&text).iter().map(|s| (s.start, s.end)).collect();
            let whole: Vec<(usize, usize)> =
                spans_in(&Normalized { text: Cow::Borrowed(&text), origin: None })
                    .iter()
                    .map(|s| (s.start, s.end))
                    .collect();
            prop_assert_eq!(scanned, whole, "{:?}", text);
        }
    }

    #[test]
    fn accounts_handles_and_prose_are_not_addresses() {
        for text in [
            "@hana@social.example",
            "see https://social.example/@hana@other.example",
            "https://social.example/@hana",
            "![logo](https://ex.org/img/logo@2x.png)",
            "meet @ 5pm at the café",
            "follow @jane@mastodon.example",
            "a @ b.com",
            "a@b",
            "x@localhost",
            "x@1.2.3.4",
            "2@3.4",
            "a@.org",
            "ann.bsky.social",
            "100%40 and &#65;",
            "]( mailto",
            "[a](mailto:",
        ] {
            assert!(!contains(text), "{text}");
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn names_keep_the_name() {
        assert_eq!(redact_name("Gina <gina@example.org>"), "Gina");
        assert_eq!(redact_name("\"Gina\" <gina@example.org>"), "Gina");
        assert_eq!(redact_name("gina@example.org"), "gina");
        assert_eq!(redact_name("\"b\"@host.example"), "b");
        assert_eq!(redact_name("jürgen@müller.de (Jürgen)"), "Jürgen");
        assert_eq!(redact_name("Ann"), "Ann");
    }

    /// A local part: ASCII atoms with dots, or letters beyond ASCII.
    fn local_part() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9][a-z0-9+_-]{0,7}(\\.[a-z0-9+_-]{1,6}){0,2}",
            "[a-zäöüßéñøåçłžя李王例ひ][a-z0-9äöüßéñøåçłžя李王例ひ]{0,7}",
            "[A-Za-z0-9]{1,6}\\.[ÄÖÜÉa-z]{1,6}",
        ]
    }

    /// A domain: ASCII or internationalized labels and a top-level name.
    fn domain() -> impl Strategy<Value = String> {
        let label = prop_oneof![
            "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?",
            "[a-zäöüéñçßøå例え中文бук]{1,8}",
            "xn--[a-z0-9]{2,8}",
        ];
        let tld = prop_oneof![
            "[a-z]{2,6}",
            Just("xn--p1ai".to_owned()),
            "(テスト|中国|рф|ελ)"
        ];
        (proptest::collection::vec(label, 1..3), tld)
            .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// However an address is written and whatever surrounds it, none
        /// survives redaction, in any of its spellings.
        #[test]
        fn no_generated_address_survives(
            local in local_part(),
            domain in domain(),
            form in 0..7usize,
            before in prop::sample::select(vec!["", " ", "Mail: ", "<", "(", "\"Gina\" <", "mailto:", "李", "«", "\n> ", "[x](mailto:", "&lt;"]),
            after in prop::sample::select(vec!["", " ", ">", ")", ".", ",", "!", " wrote:", "»", "。", "\n", "&gt;", "?"]),
        ) {
            let address = match form {
                0 => format!("{local}@{domain}"),
                1 => format!("\"{local}\"@{domain}"),
                2 => format!("{local}%40{domain}"),
                3 => format!("{local}\u{FF20}{domain}"),
                4 => format!("{local}&#64;{domain}"),
                5 => format!("\u{201C}{local}\u{201D}@{domain}"),
                _ => format!("{}@{domain}", local.to_uppercase()),
            };
            let text = format!("Hi {before}{address}{after} bye");
            let out = redact(&text);
            prop_assert!(!contains(&out), "{:?} -> {:?}", text, out);
            prop_assert!(!out.contains(&domain), "{:?} -> {:?}", text, out);
            let name = redact_name(&format!("{before}{address}{after}"));
            prop_assert!(!name.contains(&domain), "{:?}", name);
        }
    }
}
