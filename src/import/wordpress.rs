//! WordPress WXR 1.x exports, read as a stream.
//!
//! Each `item` is a post, page or something else (attachments, menu items:
//! skipped and counted); its `wp:comment`s come with it, so an item is
//! handed on as soon as it closes and memory holds one item at a time.

use std::io::BufRead;

use super::text::{decode_entities, parse_any_date};
use super::xml::{walk, Node, Root};
use super::{AuthorRecord, CommentRecord, Failure, Item, ParseError, PostRecord, Sink};

#[derive(Default)]
struct State {
    item: Option<PostRecord>,
    status: String,
    kind: String,
    post_date_local: Option<crate::date::Date>,
    pub_date: Option<crate::date::Date>,
    comments: Vec<CommentRecord>,
    comment: Option<(CommentRecord, String, Option<crate::date::Date>)>,
    category_domain: String,
    author: Option<AuthorRecord>,
}

/// Parses a WXR export, handing each author, post and page (with its
/// approved comments) to `sink`.
pub fn parse<R: BufRead>(input: R, sink: &mut Sink<'_>) -> Result<(), Failure> {
    let mut st = State::default();
    let mut failed = None;
    let result = walk(input, &ROOT, |node| {
        let emitted = step(&mut st, node);
        for item in emitted {
            if let Err(e) = sink(item) {
                failed = Some(e);
                return Err(ParseError {
                    line: 0,
                    column: 0,
                    message: String::new(),
                });
            }
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(Failure::Write(e));
    }
    result
}

/// A WXR export is RSS with WordPress's export namespace.
const ROOT: Root = Root {
    what: "a WordPress export",
    name: "rss",
    namespace: Some("http://wordpress.org/export/"),
    expected: "<rss> with the WXR namespace (xmlns:wp=\"http://wordpress.org/export/1.2/\")",
};

fn step(st: &mut State, node: Node<'_>) -> Vec<Item> {
    let mut out = Vec::new();
    match node {
        Node::Open { path, attrs } => {
            let name = path.last().map(String::as_str).unwrap_or("");
            match name {
                "item" => {
                    st.item = Some(PostRecord::default());
                    st.status.clear();
                    st.kind = "post".into();
                    st.post_date_local = None;
                    st.pub_date = None;
                    st.comments.clear();
                }
                "wp:comment" if st.item.is_some() => {
                    st.comment = Some((CommentRecord::default(), "1".into(), None));
                }
                "wp:author" if st.item.is_none() => st.author = Some(AuthorRecord::default()),
                "category" => {
                    st.category_domain = attrs
                        .into_iter()
                        .find(|(k, _)| k == "domain")
                        .map(|(_, v)| v)
                        .unwrap_or_default();
                }
                _ => {}
            }
        }
        Node::Close { path, text } => {
            let name = path.last().map(String::as_str).unwrap_or("");
            if let Some((c, approved, local)) = st.comment.as_mut() {
                let t = text.trim();
                match name {
                    "wp:comment_id" => c.id = format!("wp-{t}"),
                    "wp:comment_author" => c.author = decode_entities(t),
                    "wp:comment_author_email" => {
                        c.email = Some(t.to_owned()).filter(|e| !e.is_empty())
                    }
                    "wp:comment_author_url" => c.url = Some(t.to_owned()).filter(|u| !u.is_empty()),
                    "wp:comment_date_gmt" => c.date = parse_any_date(t),
                    "wp:comment_date" => *local = parse_any_date(t),
                    "wp:comment_content" => c.body_html = text,
                    "wp:comment_approved" => *approved = t.to_owned(),
                    "wp:comment_parent" => {
                        c.parent = Some(t)
                            .filter(|p| !p.is_empty() && *p != "0")
                            .map(|p| format!("wp-{p}"))
                    }
                    "wp:comment" => {
                        let (mut c, approved, local) = st.comment.take().expect("in a comment");
                        c.date = c.date.or(local);
                        match approved.as_str() {
                            "1" | "approve" | "approved" if c.id.len() > 3 => st.comments.push(c),
                            "1" | "approve" | "approved" => {
                                out.push(Item::Skipped("comments with no id".into()))
                            }
                            "0" | "hold" | "pending" => {
                                out.push(Item::Skipped("pending comments".into()))
                            }
                            "spam" => out.push(Item::Skipped("spam comments".into())),
                            "trash" | "post-trashed" => {
                                out.push(Item::Skipped("trashed comments".into()))
                            }
                            other => out.push(Item::Skipped(format!(
                                "comments with status `{}`",
                                other.chars().take(20).collect::<String>()
                            ))),
                        }
                    }
                    _ => {}
                }
                return out;
            }
            if let Some(a) = st.author.as_mut() {
                let t = decode_entities(text.trim());
                match name {
                    "wp:author_login" => a.login = t,
                    "wp:author_email" => a.email = Some(t).filter(|e| !e.is_empty()),
                    "wp:author_display_name" => a.name = t,
                    "wp:author" => out.push(Item::Author(st.author.take().expect("in an author"))),
                    _ => {}
                }
                return out;
            }
            let Some(p) = st.item.as_mut() else {
                return out;
            };
            let t = text.trim();
            match name {
                "title" => p.title = decode_entities(t),
                "link" => p.link = Some(t.to_owned()).filter(|l| !l.is_empty()),
                "pubDate" => st.pub_date = parse_any_date(t),
                "dc:creator" if !t.is_empty() => p.authors.push(decode_entities(t)),
                "content:encoded" => p.body_html = text,
                "wp:post_id" => p.source_id = format!("wp-{t}"),
                "wp:post_date_gmt" => p.date = parse_any_date(t),
                "wp:post_date" => st.post_date_local = parse_any_date(t),
                "wp:post_name" => p.slug = t.to_owned(),
                "wp:status" => st.status = t.to_owned(),
                "wp:post_type" => st.kind = t.to_owned(),
                "category" => {
                    let v = decode_entities(t);
                    match st.category_domain.as_str() {
                        "post_tag" => p.tags.push(v),
                        "category" if v != "Uncategorized" => p.categories.push(v),
                        _ => {}
                    }
                }
                "item" => {
                    let mut p = st.item.take().expect("in an item");
                    p.date = p.date.or(st.post_date_local).or(st.pub_date);
                    let comments = std::mem::take(&mut st.comments);
                    p.page = st.kind == "page";
                    if st.kind != "post" && st.kind != "page" {
                        out.push(Item::Skipped(
                            "attachments, menu items and other non-posts".into(),
                        ));
                        return out;
                    }
                    match st.status.as_str() {
                        "publish" | "" => {}
                        "draft" | "pending" | "future" | "private" => p.draft = true,
                        "trash" => {
                            out.push(Item::Skipped("trashed posts".into()));
                            return out;
                        }
                        _ => {
                            out.push(Item::Skipped("auto-drafts and revisions".into()));
                            return out;
                        }
                    }
                    out.push(Item::Post(p, comments));
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn collect(text: &[u8]) -> Result<Vec<Item>, Failure> {
        let mut items = Vec::new();
        parse(text, &mut |i| {
            items.push(i);
            Ok(())
        })?;
        Ok(items)
    }

    #[test]
    fn malformed_xml_has_a_line_and_column() {
        let err = collect(b"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<item><title>x</titel></item>\n</channel></rss>")
            .unwrap_err();
        let Failure::Parse(e) = err else { panic!() };
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("malformed"), "{e:?}");
    }

    #[test]
    fn entity_declarations_are_refused() {
        let bomb = b"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><title>&lol2;</title></item></channel></rss>";
        let Failure::Parse(e) = collect(bomb).unwrap_err() else {
            panic!()
        };
        assert!(e.message.contains("entit"), "{e:?}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in ".{0,400}") {
            let _ = collect(s.as_bytes());
        }

        #[test]
        fn arbitrary_xmlish_input_never_panics(s in "(<item>|</item>|<wp:comment>|</wp:comment>|<wp:comment_id>|</wp:comment_id>|<title>|</title>|<!\\[CDATA\\[|\\]\\]>|&amp;|&#[0-9]{1,8};|&[a-z]{1,5};|[a-z <>&;\"]){0,60}") {
            let _ = collect(format!("<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>{s}</channel></rss>").as_bytes());
        }
    }
}
