//! Disqus XML exports, read as a stream.
//!
//! `thread` elements say where a discussion was (link, identifier, title);
//! `post` elements are comments naming their thread and parent by
//! `dsq:id`. Comments are grouped by thread and handed on at the end, so
//! memory holds the approved comments (what is imported) and one small
//! record per thread.

use std::collections::HashMap;
use std::io::BufRead;

use super::text::{decode_entities, parse_any_date};
use super::xml::{walk, Node, Root};
use super::{CommentRecord, Failure, Item, Sink, Target};

#[derive(Default)]
struct ThreadInfo {
    link: String,
    identifier: String,
    title: String,
}

#[derive(Default)]
struct State {
    threads: HashMap<String, ThreadInfo>,
    order: Vec<String>,
    comments: HashMap<String, Vec<CommentRecord>>,
    thread: Option<(String, ThreadInfo)>,
    post: Option<Post>,
}

#[derive(Default)]
struct Post {
    c: CommentRecord,
    thread: String,
    deleted: bool,
    spam: bool,
}

fn dsq_id(attrs: &[(String, String)]) -> String {
    attrs
        .iter()
        .find(|(k, _)| k.ends_with(":id") || k == "id")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A Disqus export's root element.
const ROOT: Root = Root {
    what: "a Disqus export",
    name: "disqus",
    namespace: None,
    expected: "<disqus> (xmlns=\"http://disqus.com\")",
};

/// Parses a Disqus export, handing `sink` the comments of each thread.
pub fn parse<R: BufRead>(input: R, sink: &mut Sink<'_>) -> Result<(), Failure> {
    let mut st = State::default();
    let mut skipped = Vec::new();
    walk(input, &ROOT, |node| {
        step(&mut st, node, &mut skipped);
        Ok(())
    })?;
    for why in skipped {
        sink(Item::Skipped(why)).map_err(Failure::Write)?;
    }
    for id in st.order {
        let comments = st.comments.remove(&id).unwrap_or_default();
        let info = st.threads.remove(&id).unwrap_or_default();
        let target = Target::Thread {
            link: info.link,
            identifier: info.identifier,
            title: info.title,
        };
        sink(Item::Comments(target, comments)).map_err(Failure::Write)?;
    }
    Ok(())
}

fn step(st: &mut State, node: Node<'_>, skipped: &mut Vec<String>) {
    match node {
        Node::Open { path, attrs } => {
            let name = path.last().map(String::as_str).unwrap_or("");
            let parent = if path.len() >= 2 {
                path[path.len() - 2].as_str()
            } else {
                ""
            };
            match (parent, name) {
                ("post", "thread") => {
                    if let Some(p) = st.post.as_mut() {
                        p.thread = dsq_id(&attrs);
                    }
                }
                ("post", "parent") => {
                    if let Some(p) = st.post.as_mut() {
                        let id = dsq_id(&attrs);
                        p.c.parent = Some(id)
                            .filter(|i| !i.is_empty())
                            .map(|i| format!("disqus-{i}"));
                    }
                }
                (_, "thread") if st.post.is_none() => {
                    st.thread = Some((dsq_id(&attrs), ThreadInfo::default()));
                }
                (_, "post") if st.post.is_none() => {
                    st.post = Some(Post {
                        c: CommentRecord {
                            id: format!("disqus-{}", dsq_id(&attrs)),
                            ..Default::default()
                        },
                        ..Default::default()
                    });
                }
                _ => {}
            }
        }
        Node::Close { path, text } => {
            let name = path.last().map(String::as_str).unwrap_or("");
            let t = text.trim();
            if let Some(p) = st.post.as_mut() {
                let parent = if path.len() >= 2 {
                    path[path.len() - 2].as_str()
                } else {
                    ""
                };
                match (parent, name) {
                    ("post", "message") => p.c.body_html = text,
                    ("post", "createdAt") => p.c.date = parse_any_date(t),
                    ("post", "isDeleted") => p.deleted = t == "true",
                    ("post", "isSpam") => p.spam = t == "true",
                    ("author", "name") => p.c.author = decode_entities(t),
                    ("author", "email") => p.c.email = Some(t.to_owned()).filter(|e| !e.is_empty()),
                    ("author", "username") if p.c.author.is_empty() => {
                        p.c.author = decode_entities(t)
                    }
                    (_, "post") => {
                        let p = st.post.take().expect("in a post");
                        if p.deleted {
                            skipped.push("deleted comments".into());
                        } else if p.spam {
                            skipped.push("spam comments".into());
                        } else if p.c.id == "disqus-" {
                            skipped.push("comments with no id".into());
                        } else {
                            if !st.comments.contains_key(&p.thread) {
                                st.order.push(p.thread.clone());
                            }
                            st.comments.entry(p.thread).or_default().push(p.c);
                        }
                    }
                    _ => {}
                }
                return;
            }
            if let Some((_, info)) = st.thread.as_mut() {
                match name {
                    "link" => info.link = t.to_owned(),
                    "id" => info.identifier = decode_entities(t),
                    "title" => info.title = decode_entities(t),
                    "thread" => {
                        let (id, info) = st.thread.take().expect("in a thread");
                        st.threads.insert(id, info);
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &[u8]) -> Result<Vec<Item>, Failure> {
        let mut items = Vec::new();
        parse(text, &mut |i| {
            items.push(i);
            Ok(())
        })?;
        Ok(items)
    }

    #[test]
    fn posts_group_by_thread() {
        let items = collect(br#"<disqus xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="7"><id>x</id><link>http://e.org/a/</link><title>A</title></thread><post dsq:id="1"><message><![CDATA[<p>hi</p>]]></message><createdAt>2010-01-01T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>N</name></author><thread dsq:id="7"/></post><post dsq:id="2"><message>x</message><isSpam>true</isSpam><thread dsq:id="7"/></post></disqus>"#).unwrap();
        assert!(matches!(&items[0], Item::Skipped(s) if s == "spam comments"));
        let Item::Comments(Target::Thread { link, .. }, c) = &items[1] else {
            panic!("{items:?}")
        };
        assert_eq!(link, "http://e.org/a/");
        assert_eq!(c[0].id, "disqus-1");
        assert_eq!(c[0].body_html, "<p>hi</p>");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "(<post dsq:id=\"1\">|</post>|<thread dsq:id=\"2\"/>|<thread>|</thread>|<parent dsq:id=\"3\"/>|<message>|</message>|<!\\[CDATA\\[|\\]\\]>|&amp;|&#[0-9]{1,8};|[a-z <>&;\"]){0,60}") {
            let _ = collect(format!("<disqus>{s}</disqus>").as_bytes());
        }

        #[test]
        fn arbitrary_bytes_never_panic(s in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = collect(&s);
        }
    }
}
