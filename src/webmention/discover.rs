//! Finding things in HTML and headers, as the W3C Webmention
//! recommendation (§3.1.2) says: a target's endpoint is the first
//! `Link: <…>; rel="webmention"` header, else the first `<link>` or `<a>`
//! element with `rel` holding the word `webmention` and an `href`, resolved
//! against the page's URL (after redirects) or its `<base href>`. Also the
//! links of a post's own HTML.

use std::cell::RefCell;

use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult};
use url::Url;

/// One start tag of interest: its name and attributes.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Collects the start tags named in `wanted`, in document order.
struct Collector {
    wanted: &'static [&'static str],
    found: RefCell<Vec<Element>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token {
            if tag.kind == TagKind::StartTag && self.wanted.contains(&&*tag.name) {
                self.found.borrow_mut().push(Element {
                    name: tag.name.to_string(),
                    attrs: tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect(),
                });
            }
        }
        TokenSinkResult::Continue
    }
}

/// The `wanted` start tags of `html`, in order (entities decoded).
fn elements(html: &str, wanted: &'static [&'static str]) -> Vec<Element> {
    let sink = Collector {
        wanted,
        found: RefCell::new(Vec::new()),
    };
    let sink = crate::entities::tokenize(html, sink);
    sink.found.into_inner()
}

/// Whether a `rel` value holds the word `webmention` (rel values are
/// space-separated and case-insensitive).
fn rel_is_webmention(rel: &str) -> bool {
    rel.split_ascii_whitespace()
        .any(|w| w.eq_ignore_ascii_case("webmention"))
}

/// The endpoint a `Link` header value names, if one of its links has
/// `rel="webmention"` (quoted or not, among other rel words).
pub fn endpoint_in_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let uri = &rest[open + 1..close];
        let after = &rest[close + 1..];
        // This link's parameters run to the next `<` outside quotes.
        let mut end = after.len();
        let mut quoted = false;
        for (i, c) in after.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '<' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let params = &after[..end];
        for param in params.split(';') {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("rel")
                && rel_is_webmention(value.trim().trim_matches('"'))
            {
                return Some(uri.trim().to_owned());
            }
        }
        rest = &after[end..];
    }
    None
}

/// The endpoint declared in a page's HTML: the first `<link>` or `<a>`
/// with `rel` holding `webmention` and an `href` (which may be empty:
/// the page itself), resolved against `page` or the page's `<base href>`.
pub fn endpoint_in_html(html: &str, page: &Url) -> Option<Url> {
    let found = elements(html, &["link", "a", "base"]);
    let base = found
        .iter()
        .find(|e| e.name == "base")
        .and_then(|e| e.attr("href"))
        .and_then(|h| page.join(h).ok())
        .unwrap_or_else(|| page.clone());
    found
        .iter()
        .filter(|e| e.name != "base")
        .find(|e| e.attr("rel").is_some_and(rel_is_webmention) && e.attr("href").is_some())
        .and_then(|e| base.join(e.attr("href").unwrap_or("")).ok())
}

/// The absolute http(s) links of a post's HTML, in order, each once.
pub fn links_in(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in elements(html, &["a"]) {
        let Some(href) = e.attr("href").map(str::trim) else {
            continue;
        };
        if crate::url::is_web_url(href) && !out.iter().any(|h| h == href) {
            out.push(href.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_name_their_webmention_endpoint() {
        assert_eq!(
            endpoint_in_link_header(r#"<https://x.example/wm>; rel="webmention""#).as_deref(),
            Some("https://x.example/wm")
        );
        assert_eq!(
            endpoint_in_link_header(
                r#"<https://x.example/a>; rel="other", </wm?a=1>; rel="webmention me""#
            )
            .as_deref(),
            Some("/wm?a=1")
        );
        assert_eq!(
            endpoint_in_link_header("</wm>; rel=webmention").as_deref(),
            Some("/wm")
        );
        assert_eq!(
            endpoint_in_link_header(r#"<https://x.example/wm>; rel="not-webmention""#),
            None
        );
    }

    #[test]
    fn html_endpoints_come_first_in_document_order_and_resolve() {
        let page = Url::parse("https://x.example/posts/a/").unwrap();
        let html = r#"<a rel="nofollow" href="/no">no</a><link href="../../wm?x=1&amp;y=2" rel="Webmention"><a rel="webmention" href="/later">"#;
        assert_eq!(
            endpoint_in_html(html, &page).unwrap().as_str(),
            "https://x.example/wm?x=1&y=2"
        );
        let empty = r#"<link rel="webmention" href="">"#;
        assert_eq!(endpoint_in_html(empty, &page).unwrap(), page);
        assert_eq!(endpoint_in_html("<link rel=webmention>", &page), None);
    }

    #[test]
    fn post_links_are_absolute_web_links_once_each() {
        let html = r#"<p><a href="https://a.example/x">a</a> <a href="/local">l</a> <a href="mailto:x@y">m</a> <a href="https://a.example/x">again</a></p>"#;
        assert_eq!(links_in(html), vec!["https://a.example/x"]);
    }
}
