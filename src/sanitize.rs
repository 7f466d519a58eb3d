//! Sanitizing untrusted HTML (comment bodies, imported posts).
//!
//! An allowlist (ammonia): no scripts, styles, event handlers, iframes,
//! forms, or `javascript:`/`data:` URLs; links get `rel="nofollow ugc"`.
//!
//! [`rewrite_text`] changes the text of sanitized HTML (mentions in
//! comments) with html5ever's tokenizer and serializer, the same pair the
//! sanitizer's own output comes from, so what it leaves alone comes back
//! byte for byte.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::OnceLock;

use html5ever::serialize::{HtmlSerializer, SerializeOpts, Serializer};
use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::{ns, LocalName, QualName};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("nofollow ugc noopener"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]));
        b
    })
}

/// `html` with everything outside the allowlist removed.
pub fn sanitize(html: &str) -> String {
    cleaner()
        .clean(&flatten_nesting(html, MAX_HTML_DEPTH))
        .to_string()
}

/// How deeply sanitized HTML may nest elements. The HTML parser checks
/// the open elements at every tag, so 100,000 nested blockquotes cost
/// 100,000² steps (29 s); deeper elements lose their tags, not their text.
pub const MAX_HTML_DEPTH: usize = 64;

/// `html` with the tags of elements nested deeper than `max` left out
/// (their text stays), in one pass. Tags are found the simple way; the
/// parser after this sorts out whatever is not well formed.
fn flatten_nesting(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    const VOID: [&str; 13] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let mut out = String::new();
    let mut copied = 0;
    let mut depth = 0usize;
    let mut dropped: std::collections::HashMap<String, usize> = Default::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        let at = i + found;
        let closing = bytes.get(at + 1) == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let Some(end) = html[at..].find('>').map(|e| at + e + 1) else {
            break;
        };
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = at + 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let drop = if closing {
            match dropped.get_mut(&name) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => {
                    depth = depth.saturating_sub(1);
                    false
                }
            }
        } else if VOID.contains(&name.as_str()) || html[..end].ends_with("/>") {
            false
        } else if depth >= max {
            *dropped.entry(name).or_default() += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            out.push_str(&html[copied..at]);
            copied = end;
        }
        i = end;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Where [`rewrite_text`]'s callback writes a run of text's new form.
pub struct TextOut<'a>(&'a mut HtmlSerializer<Vec<u8>>);

impl TextOut<'_> {
    /// Writes `text`, escaped as the sanitizer escapes text.
    pub fn text(&mut self, text: &str) {
        self.0.write_text(text).expect("writing to memory");
    }

    /// Writes `html` as it is; the caller vouches for it.
    pub fn html(&mut self, html: &str) {
        self.0.writer.extend_from_slice(html.as_bytes());
    }
}

/// Elements without content or end tag: the serializer must close them
/// at once, since the tokenizer reports no end for them.
const VOID: [&str; 18] = [
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// The tokenizer's sink: writes tags back at once, gathers text runs
/// (the tokenizer cuts them at character references) for the callback.
struct Rewriter<'s, F> {
    skip: &'s [&'s str],
    state: RefCell<RewriteState<F>>,
}

struct RewriteState<F> {
    out: HtmlSerializer<Vec<u8>>,
    text: String,
    /// How many elements named in `skip` are open.
    skipping: usize,
    f: F,
}

impl<F: FnMut(&str, &mut TextOut)> RewriteState<F> {
    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.text);
        if self.skipping == 0 {
            (self.f)(&text, &mut TextOut(&mut self.out));
        } else {
            self.out.write_text(&text).expect("writing to memory");
        }
    }
}

fn html_name(local: &LocalName) -> QualName {
    QualName::new(None, ns!(html), local.clone())
}

impl<F: FnMut(&str, &mut TextOut)> TokenSink for Rewriter<'_, F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut st = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(t) => st.text.push_str(&t),
            Token::NullCharacterToken => st.text.push('\u{FFFD}'),
            Token::TagToken(tag) => {
                st.flush();
                let skipped = self.skip.contains(&&*tag.name);
                let void = VOID.contains(&&*tag.name);
                let name = html_name(&tag.name);
                match tag.kind {
                    TagKind::StartTag => {
                        let names: Vec<QualName> = tag
                            .attrs
                            .iter()
                            .map(|a| QualName::new(None, ns!(), a.name.local.clone()))
                            .collect();
                        let attrs = names.iter().zip(&tag.attrs).map(|(n, a)| (n, &*a.value));
                        st.out
                            .start_elem(name.clone(), attrs)
                            .expect("writing to memory");
                        if void {
                            st.out.end_elem(name).expect("writing to memory");
                        } else if skipped {
                            st.skipping += 1;
                        }
                    }
                    TagKind::EndTag if void => {}
                    TagKind::EndTag => {
                        if skipped {
                            st.skipping = st.skipping.saturating_sub(1);
                        }
                        st.out.end_elem(name).expect("writing to memory");
                    }
                }
            }
            Token::CommentToken(c) => {
                st.flush();
                st.out.write_comment(&c).expect("writing to memory");
            }
            Token::EOFToken => st.flush(),
            Token::DoctypeToken(_) | Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

/// `html` (the sanitizer's output) with each run of text outside the
/// elements named in `skip` replaced by what `f` writes for it; `f` gets
/// the text with character references decoded. Tags, and text `f` writes
/// back with [`TextOut::text`], come out as the sanitizer writes them.
pub fn rewrite_text(html: &str, skip: &[&str], f: impl FnMut(&str, &mut TextOut)) -> String {
    let opts = SerializeOpts {
        // The tokenizer reports end tags the input has, even unmatched
        // ones; the serializer must not panic on them.
        create_missing_parent: true,
        ..SerializeOpts::default()
    };
    let sink = Rewriter {
        skip,
        state: RefCell::new(RewriteState {
            out: HtmlSerializer::new(Vec::with_capacity(html.len() + 64), opts),
            text: String::new(),
            skipping: 0,
            f,
        }),
    };
    let sink = crate::entities::tokenize(html, sink);
    let bytes = sink.state.into_inner().out.writer;
    String::from_utf8(bytes).expect("the serializer writes the UTF-8 it is given")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewriting_keeps_sanitized_html_byte_for_byte() {
        let clean = sanitize(
            "<p>A &amp; B &lt;x&gt; \"q\" 'a'\u{A0}b<br><img src=\"https://e.org/a?b=1&amp;c=2\" alt=\"x &quot;y&quot;\"></p>\
             <pre><code>&lt;b&gt;</code></pre><ul><li>one<a href=\"https://e.org/\">two</a></li></ul><hr>",
        );
        let same = rewrite_text(&clean, &[], |t, out| out.text(t));
        assert_eq!(same, clean);
    }

    #[test]
    fn text_in_skipped_elements_is_left_alone() {
        let clean =
            sanitize("<p>x &amp; <code>x</code> <a href=\"https://e.org/\">x<b>x</b></a> x</p>");
        let mut seen = Vec::new();
        let out = rewrite_text(&clean, &["a", "code"], |t, out| {
            seen.push(t.to_owned());
            out.text(&t.replace('x', "y"));
        });
        assert_eq!(seen, ["y & ", " ", " y"].map(|s| s.replace('y', "x")));
        assert!(
            out.starts_with("<p>y &amp; <code>x</code> <a href=\"https://e.org/\""),
            "{out}"
        );
        assert!(out.ends_with(">x<b>x</b></a> y</p>"), "{out}");
    }

    #[test]
    fn deep_nesting_is_flattened_to_the_depth_limit() {
        let n = 100_000;
        let deep = format!("{}x{}", "<blockquote>".repeat(n), "</blockquote>".repeat(n));
        let clean = sanitize(&deep);
        assert_eq!(clean.matches("<blockquote>").count(), MAX_HTML_DEPTH);
        assert_eq!(clean.matches("</blockquote>").count(), MAX_HTML_DEPTH);
        assert!(clean.contains('x'));
        let shallow = "<blockquote><p>a<br>b</p><blockquote>c</blockquote></blockquote>";
        assert_eq!(flatten_nesting(shallow, 2), shallow);
    }

    #[test]
    fn scripts_handlers_and_bad_urls_go() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">a</a><a href="https://e.org/">b</a><iframe src="https://e.org"></iframe></p>"#;
        let clean = sanitize(dirty);
        for bad in ["script", "onclick", "onerror", "javascript:", "iframe"] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains(r#"href="https://e.org/""#));
        assert!(clean.contains("nofollow ugc"));
    }
}
