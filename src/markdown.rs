//! Markdown to HTML, once per document.
//!
//! One pass over pulldown-cmark's events gives the HTML, the summary, the
//! table of contents and the word count, so no listing ever renders a post
//! again. Headings get unique ids and anchor links; fenced code with a known
//! language is highlighted at build time ([`crate::highlight`]).

use std::collections::HashSet;

use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};

use crate::highlight;
use crate::slug::slugify;

/// A rendered markdown document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The whole document.
    pub html: String,
    /// The text before `<!-- more -->`, else the first paragraph.
    pub summary: String,
    /// Whether the document goes on past its summary.
    pub has_more: bool,
    /// Headings, in order.
    pub toc: Vec<Heading>,
    /// Words of prose (code not counted).
    pub word_count: usize,
}

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The element id, for `#anchor` links.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// What rendering needs to know about the site.
#[derive(Debug, Clone)]
pub struct Context {
    /// The site's base path (`/` or `/community/`): root-relative links
    /// written in markdown (`/posts/x/`) get it in front, so they work
    /// wherever the site is hosted.
    pub base_path: String,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            base_path: "/".into(),
        }
    }
}

impl Context {
    /// `url` with the base path in front when it is root-relative.
    fn rebase<'a>(&self, url: CowStr<'a>) -> CowStr<'a> {
        if self.base_path != "/" && url.starts_with('/') && !url.starts_with("//") {
            crate::url::with_base(&self.base_path, &url).into()
        } else {
            url
        }
    }
}

/// The summary divider, as Zola writes it (spaces optional).
fn is_more_marker(html: &str) -> bool {
    let t = html.trim();
    t.strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim() == "more")
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `source` to HTML with its summary, toc and word count.
pub fn render(source: &str, ctx: &Context) -> Rendered {
    let mut events: Vec<Event> = Vec::with_capacity(source.len() / 16);
    let mut toc = Vec::new();
    let mut ids = HashSet::new();
    let mut word_count = 0;
    let mut more_at = None;
    let mut first_paragraph_end = None;
    let mut depth = 0usize;

    let mut parser = Parser::new_ext(source, options());
    while let Some(event) = parser.next() {
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                let inner = take_until_end(&mut parser);
                let title = plain_text(&inner);
                word_count += count_words(&title);
                let id = unique_id(
                    id.map(|s| s.to_string()).unwrap_or_else(|| slugify(&title)),
                    &mut ids,
                );
                let level = heading_level(level);
                let class = if classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", escape(&classes.join(" ")))
                };
                events.push(Event::Html(
                    format!("<h{level} id=\"{}\"{class}>", escape(&id)).into(),
                ));
                events.extend(inner);
                events.push(Event::Html(
                    format!(
                        "<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\">#</a></h{level}>\n",
                        escape(&id)
                    )
                    .into(),
                ));
                toc.push(Heading { level, id, title });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                }
                .to_owned();
                let mut code = String::new();
                for e in parser.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                events.push(Event::Html(highlight::code_block(&code, &lang).into()));
            }
            Event::Html(ref h) | Event::InlineHtml(ref h)
                if more_at.is_none() && is_more_marker(h) =>
            {
                more_at = Some(events.len());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: ctx.rebase(dest_url),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: ctx.rebase(dest_url),
                    title,
                    id,
                }));
            }
            Event::Text(ref t) => {
                word_count += count_words(t);
                events.push(event);
            }
            Event::Start(_) => {
                depth += 1;
                events.push(event);
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                events.push(event);
                if end == TagEnd::Paragraph && depth == 0 && first_paragraph_end.is_none() {
                    first_paragraph_end = Some(events.len());
                }
            }
            other => events.push(other),
        }
    }

    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events.iter().cloned());
    let (summary_end, has_more) = match (more_at, first_paragraph_end) {
        (Some(i), _) => (i, i < events.len()),
        (None, Some(i)) => (i, i < events.len()),
        (None, None) => (events.len(), false),
    };
    let summary = if summary_end == events.len() {
        out.clone()
    } else {
        let mut s = String::new();
        html::push_html(&mut s, events[..summary_end].iter().cloned());
        s
    };
    Rendered {
        html: out,
        summary,
        has_more,
        toc,
        word_count,
    }
}

/// Renders a short piece of markdown (a thread entry, a summary given in
/// front matter) with no summary or toc.
pub fn render_inline(source: &str, ctx: &Context) -> String {
    render(source, ctx).html
}

fn take_until_end<'a>(parser: &mut Parser<'a>) -> Vec<Event<'a>> {
    let mut inner = Vec::new();
    let mut depth = 0;
    for e in parser.by_ref() {
        match e {
            Event::End(TagEnd::Heading(_)) if depth == 0 => break,
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        inner.push(e);
    }
    inner
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        if let Event::Text(t) | Event::Code(t) = e {
            s.push_str(t);
        }
    }
    s
}

fn unique_id(base: String, taken: &mut HashSet<String>) -> String {
    let base = if base.is_empty() {
        "section".to_owned()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 1;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Words in `text`: runs of non-space bytes (UTF-8 continuation bytes are
/// never ASCII space, so counting on bytes is exact for ASCII white space).
fn count_words(text: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        let space = b.is_ascii_whitespace();
        words += usize::from(!space && !in_word);
        in_word = !space;
    }
    words
}

/// Escapes text for an HTML attribute or element (also Tera's escaper, so
/// it runs on every `{{ }}`: it copies runs of plain bytes at once).
pub fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut s = String::with_capacity(text.len() + text.len() / 8);
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        s.push_str(&text[plain..i]);
        s.push_str(rep);
        plain = i + 1;
    }
    s.push_str(&text[plain..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_word_counts() {
        assert_eq!(escape("a<b>&\"c'é"), "a&lt;b&gt;&amp;&quot;c&#39;é");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(count_words("  two\twords\n"), 2);
        assert_eq!(count_words("Zoë’s café"), 2);
        assert_eq!(count_words(""), 0);
    }

    #[test]
    fn summary_stops_at_more_marker() {
        let r = render(
            "First *para*.\n\nSecond.\n\n<!-- more -->\n\nThird.\n",
            &Context::default(),
        );
        assert!(r.summary.contains("Second."));
        assert!(!r.summary.contains("Third."));
        assert!(r.has_more);
        assert!(r.html.contains("Third."));
        assert!(!r.html.contains("more -->"));
    }

    #[test]
    fn summary_falls_back_to_first_paragraph() {
        let r = render("# Title\n\nFirst.\n\nSecond.\n", &Context::default());
        assert!(r.summary.contains("First."));
        assert!(!r.summary.contains("Second."));
        assert!(r.has_more);
        let short = render("Only one.\n", &Context::default());
        assert!(!short.has_more);
        assert_eq!(short.summary, short.html);
    }

    #[test]
    fn headings_get_unique_anchors_and_toc() {
        let r = render(
            "## Why it matters\n\ntext\n\n## Why it matters\n",
            &Context::default(),
        );
        assert!(r.html.contains("<h2 id=\"why-it-matters\">"));
        assert!(r.html.contains("<h2 id=\"why-it-matters-1\">"));
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].title, "Why it matters");
    }

    #[test]
    fn extensions_are_on() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n", &Context::default());
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("\u{201c}quoted\u{201d}"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let ctx = Context {
            base_path: "/community/".into(),
        };
        let r = render(
            "[a](/posts/x/) [b](https://e.org/) [c](//cdn/x) ![i](/img.png)\n",
            &ctx,
        );
        assert!(r.html.contains("href=\"/community/posts/x/\""));
        assert!(r.html.contains("href=\"https://e.org/\""));
        assert!(r.html.contains("href=\"//cdn/x\""));
        assert!(r.html.contains("src=\"/community/img.png\""));
    }

    #[test]
    fn code_is_highlighted_and_not_counted() {
        let r = render(
            "Two words.\n\n```rust\nfn main() { let x = 1; }\n```\n",
            &Context::default(),
        );
        assert_eq!(r.word_count, 2);
        assert!(r.html.contains("<pre class=\"code\" data-lang=\"rust\">"));
        assert!(r.html.contains("hl-keyword"), "{}", r.html);
    }
}
