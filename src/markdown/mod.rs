//! Markdown to HTML, once per document.
//!
//! One pass over pulldown-cmark's events gives the HTML, the summary, the
//! table of contents and the word count, so no listing ever renders a post
//! again. Headings get unique ids and anchor links; fenced code with a known
//! language is highlighted at build time ([`crate::highlight`]).

use std::collections::HashSet;
use std::sync::Arc;

use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use crate::entities::escape;
use crate::highlight;
use crate::slug::slugify;

mod mentions;
mod references;
mod words;

use mentions::mention_anchor;
pub use mentions::{find_mentions, link_mentions_in_html};
pub use references::{
    placeholder_href, placeholder_title, renumber_placeholders, resolve_placeholders, RefKind,
    Reference,
};
use words::count_words;

/// A rendered markdown document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The whole document. Replace it with [`Rendered::set_html`], which
    /// keeps `digest` true. Empty once spilled ([`Rendered::spill`]): read
    /// it with [`Rendered::document`] where that may have happened.
    pub html: String,
    /// Where `html` went when a big build moved it to disk.
    pub spilled: Option<crate::spill::Spilled>,
    /// A hash of `html`, taken once: what watch mode compares instead of
    /// hashing every body again after each edit.
    pub digest: u64,
    /// The text before `<!-- more -->`, else the first paragraph.
    pub summary: String,
    /// Whether the document goes on past its summary.
    pub has_more: bool,
    /// Headings, in order.
    pub toc: Vec<Heading>,
    /// Words of prose (code not counted); each Chinese or Japanese
    /// character counts as one, as those languages count text.
    pub word_count: usize,
    /// Of those, Chinese and Japanese characters: they read faster than
    /// words ([`crate::render::views::reading_time`]).
    pub cjk_chars: usize,
    /// Wikilinks, mentions and internal links, in order.
    pub refs: Vec<Reference>,
    /// The address of the first image, as written: what link previews
    /// show of the document.
    pub image: Option<String>,
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
    /// Member handles: `@handle` becomes a link only for these. Known
    /// before any file is parsed (they are the member files' names).
    pub handles: Arc<HashSet<String>>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            base_path: "/".into(),
            handles: Arc::default(),
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

    /// The URL of a member's page.
    pub fn member_url(&self, handle: &str) -> String {
        crate::url::with_base(&self.base_path, &format!("/members/{handle}/"))
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
        | Options::ENABLE_WIKILINKS
}

/// Renders `source` to HTML with its summary, toc, word count and the
/// references it makes (wikilinks, mentions, internal links).
pub fn render(source: &str, ctx: &Context) -> Rendered {
    let mut events: Vec<Event> = Vec::with_capacity(source.len() / 16);
    let mut toc = Vec::new();
    let mut ids = HashSet::new();
    let mut refs = Vec::new();
    let mut word_count = 0;
    let mut cjk_chars = 0;
    let mut more_at = None;
    let mut first_paragraph_end = None;
    let mut depth = 0usize;
    // Inside a link, text is never turned into mention links.
    let mut link_depth = 0usize;
    let mut heading: Option<OpenHeading> = None;
    let mut image: Option<String> = None;

    let mut parser = Parser::new_ext(source, options()).into_offset_iter();
    while let Some((event, range)) = parser.next() {
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                // The heading's content goes through the same handling as
                // any text (mentions, wikilinks, links); its tags are
                // written when it ends, once its text (for the id) is known.
                depth += 1;
                heading = Some(OpenHeading {
                    at: events.len(),
                    level: heading_level(level),
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    text: String::new(),
                });
                events.push(Event::Html("".into()));
            }
            Event::End(TagEnd::Heading(_)) => {
                depth = depth.saturating_sub(1);
                if let Some(h) = heading.take() {
                    let title = h.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let id = unique_id(h.id.unwrap_or_else(|| slugify(&title)), &mut ids);
                    let class = if h.classes.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"{}\"", escape(&h.classes.join(" ")))
                    };
                    let level = h.level;
                    events[h.at] =
                        Event::Html(format!("<h{level} id=\"{}\"{class}>", escape(&id)).into());
                    events.push(Event::Html(
                        format!(
                            // Hidden from screen readers and the tab order: the
                            // table of contents links every heading already.
                            "<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n",
                            escape(&id)
                        )
                        .into(),
                    ));
                    toc.push(Heading { level, id, title });
                }
            }
            Event::TaskListMarker(done) => {
                // A disabled checkbox still needs a name for assistive
                // technology; pulldown-cmark's has none.
                events.push(Event::Html(
                    if done {
                        "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
                    } else {
                        "<input type=\"checkbox\" disabled aria-label=\"to do\"> "
                    }
                    .into(),
                ));
            }
            Event::Code(ref c) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(c);
                }
                events.push(event);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                }
                .to_owned();
                let mut code = String::new();
                for (e, _) in parser.by_ref() {
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
                link_type: LinkType::WikiLink { has_pothole },
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                link_depth += 1;
                let (target, anchor) = match dest_url.split_once('#') {
                    Some((t, a)) => (t.trim().to_owned(), Some(a.trim().to_owned())),
                    None => (dest_url.trim().to_owned(), None),
                };
                let n = refs.len();
                refs.push(Reference::at(RefKind::Wiki { target, anchor }, range.start));
                events.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: placeholder_href(n).into(),
                    title,
                    id,
                }));
                if !has_pothole {
                    if let Some(h) = heading.as_mut() {
                        h.text.push_str(&dest_url);
                    }
                    // `[[slug]]` shows the target's title, known later.
                    for (e, _) in parser.by_ref() {
                        if matches!(e, Event::End(TagEnd::Link)) {
                            break;
                        }
                    }
                    events.push(Event::InlineHtml(placeholder_title(n).into()));
                    events.push(Event::End(TagEnd::Link));
                    depth -= 1;
                    link_depth -= 1;
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                link_depth += 1;
                if dest_url.starts_with('/') && !dest_url.starts_with("//") {
                    refs.push(Reference::at(
                        RefKind::Link(dest_url.to_string()),
                        range.start,
                    ));
                }
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
                if image.is_none() && !dest_url.is_empty() {
                    image = Some(dest_url.to_string());
                }
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: ctx.rebase(dest_url),
                    title,
                    id,
                }));
            }
            Event::Text(t) => {
                let (words, cjk) = count_words(&t);
                word_count += words;
                cjk_chars += cjk;
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                }
                let mentions = if link_depth == 0 {
                    find_mentions(&t, &ctx.handles)
                } else {
                    Vec::new()
                };
                if mentions.is_empty() {
                    push_text(&mut events, t);
                } else {
                    let mut copied = 0;
                    for (start, end) in mentions {
                        let handle = &t[start + 1..end];
                        if start > copied {
                            push_text(&mut events, t[copied..start].to_owned().into());
                        }
                        events.push(Event::InlineHtml(mention_anchor(ctx, handle).into()));
                        refs.push(Reference::at(
                            RefKind::Mention(handle.to_owned()),
                            range.start,
                        ));
                        copied = end;
                    }
                    if copied < t.len() {
                        push_text(&mut events, t[copied..].to_owned().into());
                    }
                }
            }
            Event::Start(tag) => {
                depth += 1;
                events.push(Event::Start(tag));
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if end == TagEnd::Link {
                    link_depth = link_depth.saturating_sub(1);
                }
                events.push(Event::End(end));
                if end == TagEnd::Paragraph && depth == 0 && first_paragraph_end.is_none() {
                    first_paragraph_end = Some(events.len());
                }
            }
            other => events.push(other),
        }
    }

    let mut out = String::with_capacity(source.len() * 3 / 2);
    let (summary_end, has_more) = match (more_at, first_paragraph_end) {
        (Some(i), _) => (i, i < events.len()),
        (None, Some(i)) => (i, i < events.len()),
        (None, None) => (events.len(), false),
    };
    let summary = if summary_end == events.len() {
        html::push_html(&mut out, events.into_iter());
        out.clone()
    } else {
        let mut s = String::new();
        html::push_html(&mut s, events[..summary_end].iter().cloned());
        html::push_html(&mut out, events.into_iter());
        s
    };
    Rendered {
        digest: crate::digest::of(&out),
        html: out,
        spilled: None,
        summary,
        has_more,
        toc,
        word_count,
        cjk_chars,
        refs,
        image,
    }
}

/// A heading being rendered: where its opening tag goes, and its text.
struct OpenHeading {
    at: usize,
    level: u8,
    id: Option<String>,
    classes: Vec<String>,
    text: String,
}

/// Pushes text, writing any U+E000 as a character reference: raw, it
/// would be read as the start of a wikilink placeholder.
fn push_text<'a>(events: &mut Vec<Event<'a>>, text: CowStr<'a>) {
    if text.contains('\u{E000}') {
        events.push(Event::InlineHtml(
            escape(&text).replace('\u{E000}', "&#xE000;").into(),
        ));
    } else {
        events.push(Event::Text(text));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // Task boxes carry a name for screen readers (axe: `label`).
        assert!(r
            .html
            .contains("<input type=\"checkbox\" disabled checked aria-label=\"done\">"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("\u{201c}quoted\u{201d}"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let ctx = Context {
            base_path: "/community/".into(),
            ..Context::default()
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
        assert!(r
            .html
            .contains("<pre class=\"code\" data-lang=\"rust\" tabindex=\"0\">"));
        assert!(r.html.contains("hl-keyword"), "{}", r.html);
    }
}
