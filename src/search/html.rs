//! A document's HTML read for the index: the text a reader sees, where
//! words break, and where headings start and end, so that their words
//! weigh more and a snippet can link to the nearest heading's anchor.
//!
//! Every page, comment and thread message of a site passes through here,
//! so this is a scanner of its own rather than html5ever's tokenizer
//! (which cost a tenth of a clean build's CPU): it follows the HTML
//! standard's tokenizer in its data state (character references, tags
//! and their attributes with quotes, comments, bogus comments and
//! doctypes, CR LF as LF, a tag cut off by the end dropped), and a test
//! checks it against html5ever on random markup.

use std::borrow::Cow;

use memchr::memchr;

use super::text::is_inline;

/// What the reader meets, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// Text, entities decoded.
    Text(&'a str),
    /// An element that separates words starts or ends.
    Break,
    /// A heading (`h1`–`h6`) starts, with its `id` when it has one.
    Heading(Option<String>),
    /// The heading ends.
    HeadingEnd,
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Calls `each` with the events of the HTML fragment `html`, in order;
/// skips elements marked `aria-hidden="true"` (heading anchors) and what
/// is inside them.
pub fn read(html: &str, mut each: impl FnMut(Event)) {
    // The hidden element being skipped and how deep in it we are.
    let mut hidden: Option<(Cow<str>, usize)> = None;
    scan(html, |token| match token {
        Token::Text(text) => {
            if hidden.is_none() {
                each(Event::Text(&text));
            }
        }
        Token::Tag(tag) => {
            let name = &*tag.name;
            if let Some((h, depth)) = hidden.as_mut() {
                if h == name {
                    match (tag.end, tag.self_closing) {
                        (false, false) => *depth += 1,
                        (true, _) if *depth == 0 => hidden = None,
                        (true, _) => *depth -= 1,
                        _ => {}
                    }
                }
                return;
            }
            if !tag.end && !tag.self_closing && tag.attr("aria-hidden").as_deref() == Some("true") {
                hidden = Some((tag.name, 0));
            } else if is_heading(name) {
                each(if tag.end {
                    Event::HeadingEnd
                } else {
                    Event::Heading(tag.attr("id").map(Cow::into_owned))
                });
            } else if !is_inline(name) {
                each(Event::Break);
            }
        }
    });
}

/// A token of the standard's tokenizer that the reader uses.
enum Token<'a> {
    /// Text, references decoded; runs may come in any number of pieces.
    Text(Cow<'a, str>),
    Tag(Tag<'a>),
}

/// A start or end tag.
struct Tag<'a> {
    /// In lowercase.
    name: Cow<'a, str>,
    end: bool,
    self_closing: bool,
    /// Names and values as written, in order.
    attrs: Vec<(&'a str, &'a str)>,
}

impl Tag<'_> {
    /// The value of the first attribute called `name` (lowercase), decoded.
    fn attr(&self, name: &str) -> Option<Cow<'_, str>> {
        let (_, value) = self
            .attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(match clean(value) {
            Cow::Borrowed(v) => htmlize::unescape_attribute(v),
            Cow::Owned(v) => Cow::Owned(htmlize::unescape_attribute(v).into_owned()),
        })
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b' ' | b'\r')
}

/// `text` with CR LF and CR read as LF and NUL as U+FFFD, as the
/// tokenizer reads its input (outside text, where NUL is dropped).
fn clean(text: &str) -> Cow<'_, str> {
    if !has_cr_or_nul(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\0', "\u{FFFD}"),
    )
}

/// Whether `text` holds a CR or a NUL (bytes: a char pattern decodes
/// every character of every text run).
fn has_cr_or_nul(text: &str) -> bool {
    memchr::memchr2(b'\r', 0, text.as_bytes()).is_some()
}

/// Text between tags: references decoded, CR LF and CR as LF, NUL
/// dropped (the tokenizer hands it over as a token of its own, so it also
/// ends a reference: `&#` NUL `0` is the text `&#0`).
fn text(raw: &str) -> Cow<'_, str> {
    if !has_cr_or_nul(raw) {
        return crate::entities::decode(raw);
    }
    if raw.contains('\0') {
        return Cow::Owned(raw.split('\0').map(text).collect());
    }
    Cow::Owned(crate::entities::decode(&clean(raw)).into_owned())
}

/// Runs the standard's tokenizer over `html` in its data state (as
/// html5ever's does when no tree builder switches it), calling `each`
/// with text and tags; comments and doctypes are passed over.
fn scan<'a>(html: &'a str, mut each: impl FnMut(Token<'a>)) {
    // As html5ever does, a byte order mark at the start is no text.
    let html = html.strip_prefix('\u{FEFF}').unwrap_or(html);
    let b = html.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        let Some(lt) = memchr(b'<', &b[pos..]).map(|i| pos + i) else {
            each(Token::Text(text(&html[pos..])));
            return;
        };
        if lt > pos {
            each(Token::Text(text(&html[pos..lt])));
        }
        pos = lt + 1;
        match b.get(pos) {
            Some(c) if c.is_ascii_alphabetic() => match tag(html, pos, false) {
                Some((t, next)) => {
                    each(Token::Tag(t));
                    pos = next;
                }
                None => return,
            },
            Some(b'/') => match b.get(pos + 1) {
                Some(c) if c.is_ascii_alphabetic() => match tag(html, pos + 1, true) {
                    Some((t, next)) => {
                        each(Token::Tag(t));
                        pos = next;
                    }
                    None => return,
                },
                Some(b'>') => pos += 2,
                None => {
                    each(Token::Text(Cow::Borrowed("</")));
                    return;
                }
                Some(_) => pos = bogus_comment(b, pos + 1),
            },
            Some(b'!') if b[pos + 1..].starts_with(b"--") => pos = comment(b, pos + 3),
            Some(b'!' | b'?') => pos = bogus_comment(b, pos + 1),
            // A `<` that opens nothing is text.
            _ => each(Token::Text(Cow::Borrowed("<"))),
        }
    }
}

/// Past the `>` that ends a bogus comment (or a doctype) whose text starts
/// at `pos`, or the end.
fn bogus_comment(b: &[u8], pos: usize) -> usize {
    memchr(b'>', &b[pos..]).map_or(b.len(), |i| pos + i + 1)
}

/// Past the end of a comment whose text starts at `pos` (after `<!--`):
/// `-->`, `--!>` or more dashes before `>`; `<!-->` and `<!--->` end at
/// once.
fn comment(b: &[u8], pos: usize) -> usize {
    let rest = &b[pos.min(b.len())..];
    if rest.starts_with(b">") {
        return pos + 1;
    }
    if rest.starts_with(b"->") {
        return pos + 2;
    }
    let mut i = 0;
    while i + 1 < rest.len() {
        if rest[i] == b'-' && rest[i + 1] == b'-' {
            let mut j = i + 2;
            while rest.get(j) == Some(&b'-') {
                j += 1;
            }
            match rest.get(j) {
                Some(b'>') => return pos + j + 1,
                Some(b'!') if rest.get(j + 1) == Some(&b'>') => return pos + j + 2,
                _ => {}
            }
            i = j.max(i + 1);
            // `--` then `!` or anything else goes back to the comment.
            continue;
        }
        i += 1;
    }
    b.len()
}

/// The tag whose name starts at `pos` (a letter), and where the text after
/// its `>` starts; `None` when the input ends inside it (the standard
/// drops such a tag).
fn tag(html: &str, pos: usize, end: bool) -> Option<(Tag<'_>, usize)> {
    let b = html.as_bytes();
    let mut i = pos;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let raw_name = &html[pos..i];
    let name = if raw_name.bytes().any(|c| c.is_ascii_uppercase() || c == 0) {
        Cow::Owned(clean(raw_name).to_ascii_lowercase())
    } else {
        Cow::Borrowed(raw_name)
    };
    let mut t = Tag {
        name,
        end,
        self_closing: false,
        attrs: Vec::new(),
    };
    // The standard's attribute states, from "before attribute name".
    loop {
        // Before an attribute's name (also after a quoted value).
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some((t, i + 1)),
            b'/' => {
                i += 1;
                match b.get(i)? {
                    b'>' => {
                        t.self_closing = true;
                        return Some((t, i + 1));
                    }
                    _ => continue,
                }
            }
            _ => {}
        }
        // The name: a leading `=` belongs to it.
        let start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &html[start..i];
        // After the name.
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i)? != &b'=' {
            t.attrs.push((name, ""));
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let value = match b.get(i)? {
            q @ (b'"' | b'\'') => {
                let close = memchr(*q, &b[i + 1..])? + i + 1;
                let v = &html[i + 1..close];
                i = close + 1;
                v
            }
            b'>' => "",
            _ => {
                let start = i;
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                &html[start..i]
            }
        };
        t.attrs.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn events(html: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        read(html, |e| match e {
            // Runs of text may come in pieces: compare them joined.
            Event::Text(t) => match out.last_mut() {
                Some(last) if last.starts_with('"') => {
                    last.pop();
                    last.push_str(t);
                    last.push('"');
                }
                _ => out.push(format!("\"{t}\"")),
            },
            Event::Break => out.push("|".into()),
            Event::Heading(id) => out.push(format!("<h#{}>", id.unwrap_or_default())),
            Event::HeadingEnd => out.push("</h>".into()),
        });
        out.retain(|e| e != "\"\"");
        out
    }

    /// The same events read with html5ever's tokenizer: what this scanner
    /// must match.
    fn html5ever_events(html: &str) -> Vec<String> {
        use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult};
        use std::cell::RefCell;
        #[derive(Default)]
        struct Sink {
            out: RefCell<Vec<String>>,
            hidden: RefCell<Option<(String, usize)>>,
        }
        impl TokenSink for Sink {
            type Handle = ();
            fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
                let mut hidden = self.hidden.borrow_mut();
                let mut out = self.out.borrow_mut();
                match token {
                    Token::TagToken(tag) => {
                        let name: &str = &tag.name;
                        if let Some((h, depth)) = hidden.as_mut() {
                            if h == name {
                                match tag.kind {
                                    TagKind::StartTag if !tag.self_closing => *depth += 1,
                                    TagKind::EndTag if *depth == 0 => *hidden = None,
                                    TagKind::EndTag => *depth -= 1,
                                    _ => {}
                                }
                            }
                            return TokenSinkResult::Continue;
                        }
                        let start = tag.kind == TagKind::StartTag;
                        if start
                            && !tag.self_closing
                            && tag
                                .attrs
                                .iter()
                                .any(|a| &*a.name.local == "aria-hidden" && &*a.value == "true")
                        {
                            *hidden = Some((name.to_owned(), 0));
                        } else if is_heading(name) {
                            out.push(if start {
                                let id = tag.attrs.iter().find(|a| &*a.name.local == "id");
                                format!(
                                    "<h#{}>",
                                    id.map(|a| a.value.to_string()).unwrap_or_default()
                                )
                            } else {
                                "</h>".into()
                            });
                        } else if !is_inline(name) {
                            out.push("|".into());
                        }
                    }
                    Token::CharacterTokens(t) if hidden.is_none() => match out.last_mut() {
                        Some(last) if last.starts_with('"') => {
                            last.pop();
                            last.push_str(&t);
                            last.push('"');
                        }
                        _ => out.push(format!("\"{}\"", &*t)),
                    },
                    _ => {}
                }
                TokenSinkResult::Continue
            }
        }
        let mut out = crate::entities::tokenize(html, Sink::default())
            .out
            .into_inner();
        out.retain(|e| e != "\"\"");
        out
    }

    #[test]
    fn headings_anchors_and_entities_are_read_as_a_reader_sees_them() {
        let html = "<h2 id=\"x\">Most <em>of</em> it<a class=\"anchor\" href=\"#x\" \
                    aria-hidden=\"true\">#<span>!</span></a></h2>\n<p>A &amp; b<br>c</p>";
        assert_eq!(
            events(html),
            [
                "<h#x>",
                "\"Most of it\"",
                "</h>",
                "\"\n\"",
                "|",
                "\"A & b\"",
                "|",
                "\"c\"",
                "|"
            ]
        );
        assert_eq!(events(html), html5ever_events(html));
    }

    #[test]
    fn markup_at_the_edges_reads_as_the_standard_says() {
        for html in [
            "<p>unclosed <b",
            "a < b &notit; &amp c&#x80;&#0;&#;&#xD800;",
            "<!-- a > b --> c <!--> d <!---> e <!----> f <!-- x --!> g <!-- y --!z --> h",
            "<!DOCTYPE html PUBLIC \"a>b\"> i <?xml x?> j </ k> l </> m </",
            "<H2 ID='Q&amp;A' id=second>T</H2><h3 id=a&ampb>U</h3><h4 id=\"&notit;\">V</h4>",
            "<a aria-hidden=true>x<a>y</a>z</a>w<span aria-hidden=\"true\"/>v",
            "\u{FEFF}r\r\ns\rt\0u<p\rclass=x\r\n>v<br/><br / >",
            "<p a=\"x>y\" b='c\"d' =e f g = h>i</p><p/x>j<p \"k>l",
        ] {
            assert_eq!(events(html), html5ever_events(html), "{html:?}");
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        let names = prop::sample::select(vec![
            "p", "h2", "H3", "h1", "a", "A", "span", "em", "div", "br", "code", "li",
        ]);
        let attr = (
            prop::sample::select(vec!["id", "ID", "aria-hidden", "class", "=x", "href"]),
            prop::sample::select(vec![
                "",
                "=x",
                "=\"true\"",
                "='true'",
                "=true",
                "=\"a>b\"",
                "='&amp;'",
                "=a&ampb",
                "= \"s p\"",
                "=\"&notit;\"",
            ]),
        )
            .prop_map(|(n, v)| format!(" {n}{v}"));
        prop_oneof![
            "[a-z &;#x0-9]{0,8}".prop_map(|s| s),
            prop::sample::select(vec![
                "&amp;", "&notit;", "&lt", "&#x80;", "&#0;", "&", "\r\n", "\r", "\0", "<", "</",
                "</>", "<!--", "-->", "--!>", "<!-->", "<!x>", "<?y>", ">", "\"", "'", "/", "=",
                "é", "\u{FEFF}",
            ])
            .prop_map(str::to_owned),
            (
                names.clone(),
                prop::collection::vec(attr, 0..3),
                any::<bool>()
            )
                .prop_map(|(n, attrs, slash)| format!(
                    "<{n}{}{}>",
                    attrs.concat(),
                    if slash { "/" } else { "" }
                )),
            names.prop_map(|n| format!("</{n}>")),
        ]
    }

    proptest! {
        #[test]
        fn random_markup_reads_as_html5ever_reads_it(pieces in prop::collection::vec(piece(), 0..24)) {
            let html = pieces.concat();
            prop_assert_eq!(events(&html), html5ever_events(&html), "{:?}", html);
        }
    }
}
