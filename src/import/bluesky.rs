//! Bluesky: the public `app.bsky.feed.getPostThread` answer a curator
//! saves for a conversation.
//!
//! The answer is a tree: `thread` is a `threadViewPost` with its `post`,
//! its `parent` chain and its `replies`, recursively. Deleted and blocked
//! posts (`#notFoundPost`, `#blockedPost`) are left out; anything below
//! them answers their nearest kept ancestor. Like on Mastodon, the thread
//! starts at the topmost ancestor in the answer. Post text is plain text:
//! its facets (links, mentions, tags) become links, the rest is escaped
//! so it reads as written. Entry ids are the posts' record keys. Pure:
//! text in, [`Parsed`] out.

use std::collections::HashMap;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::Value;

use super::conversation::{Author, Conversation, Message};
use super::html_to_markdown::html_to_markdown;
use super::social_parse::{deep_json, links_html, null_default, title_from, tree_order, Parsed};
use super::ParseError;
use crate::date::parse_date;
use crate::entities::escape;

#[derive(Debug, Deserialize)]
struct Answer {
    thread: Node,
}

/// A `threadViewPost`, `notFoundPost` or `blockedPost`: one struct, the
/// fields a kind lacks are absent.
#[derive(Debug, Default, Deserialize)]
struct Node {
    #[serde(rename = "$type", default)]
    kind: Option<String>,
    #[serde(default)]
    post: Option<Post>,
    #[serde(default)]
    parent: Option<Box<Node>>,
    #[serde(default, deserialize_with = "null_default")]
    replies: Vec<Node>,
}

impl Drop for Node {
    /// Takes the tree apart with a stack of its own: the derived drop
    /// recurses once per level of replies or parents.
    fn drop(&mut self) {
        let mut stack: Vec<Node> = std::mem::take(&mut self.replies);
        stack.extend(self.parent.take().map(|p| *p));
        while let Some(mut n) = stack.pop() {
            stack.append(&mut n.replies);
            stack.extend(n.parent.take().map(|p| *p));
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Post {
    #[serde(default)]
    uri: String,
    #[serde(default)]
    author: Profile,
    #[serde(default)]
    record: Record,
    #[serde(default)]
    embed: Option<Value>,
    #[serde(rename = "indexedAt", default)]
    indexed_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Profile {
    #[serde(default)]
    handle: Option<String>,
    #[serde(rename = "displayName", default)]
    display_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Record {
    #[serde(default)]
    text: Option<String>,
    #[serde(rename = "createdAt", default)]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    facets: Vec<Value>,
}

/// Reads a `getPostThread` answer into a conversation.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let answer: Answer = deep_json(
        text,
        "the answer of app.bsky.feed.getPostThread: `{\"thread\": ...}`",
    )?;
    let mut walk = Walk::default();
    // Ancestors, topmost first; each answers the one before it.
    let mut chain = Vec::new();
    let mut up = answer.thread.parent.as_deref();
    while let Some(n) = up {
        chain.push(n);
        up = n.parent.as_deref();
    }
    let mut parent: Option<String> = None;
    for n in chain.into_iter().rev() {
        if let Some(uri) = walk.take(n, parent.clone()) {
            parent = Some(uri);
        }
    }
    walk.tree(&answer.thread, parent);
    let main_url = answer.thread.post.as_ref().and_then(post_url);
    walk.finish(main_url)
}

#[derive(Default)]
struct Walk {
    /// Messages keyed by at-uri for now; ids are given at the end.
    messages: Vec<Message>,
    /// Plain text of each post, for the title.
    plain: HashMap<String, String>,
    gone: usize,
    blocked: usize,
}

impl Walk {
    /// A node and its replies, depth first, with a stack of its own: a
    /// thread can be a thousand replies deep.
    fn tree(&mut self, node: &Node, parent: Option<String>) {
        let mut stack = vec![(node, parent)];
        while let Some((node, parent)) = stack.pop() {
            let me = self.take(node, parent.clone());
            let below = me.or(parent);
            stack.extend(node.replies.iter().rev().map(|r| (r, below.clone())));
        }
    }

    /// The node's post as a message answering `parent`; `None` when it is
    /// gone or blocked (counted).
    fn take(&mut self, node: &Node, parent: Option<String>) -> Option<String> {
        let kind = node.kind.as_deref().unwrap_or("");
        let Some(post) = node.post.as_ref().filter(|p| !p.uri.trim().is_empty()) else {
            if kind.ends_with("#blockedPost") {
                self.blocked += 1;
            } else {
                self.gone += 1;
            }
            return None;
        };
        let uri = post.uri.trim().to_owned();
        if self.plain.contains_key(&uri) {
            return Some(uri);
        }
        let text = post.record.text.clone().unwrap_or_default();
        self.plain.insert(uri.clone(), text.clone());
        let handle = valid_handle(&post.author);
        let name = post
            .author
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or(handle.clone())
            .unwrap_or_default();
        let mut html = text_html(&text, &post.record.facets);
        html.push_str(&links_html(&embed_links(
            post.embed.as_ref(),
            post_url(post).as_deref(),
        )));
        self.messages.push(Message {
            id: uri.clone(),
            parent,
            author: Author {
                name,
                account: handle,
                email: None,
            },
            date: post
                .record
                .created_at
                .as_deref()
                .and_then(parse_date)
                .or_else(|| post.indexed_at.as_deref().and_then(parse_date)),
            url: post_url(post),
            text: html_to_markdown(&html),
            quoted: None,
            former_id: None,
        });
        Some(uri)
    }

    fn finish(mut self, source_url: Option<String>) -> Result<Parsed, ParseError> {
        let Some(first) = self.messages.first() else {
            return Err(ParseError {
                line: 1,
                column: 1,
                message: "the thread has no post that can be read (deleted or blocked)".into(),
            });
        };
        let title = title_from(
            self.plain.get(&first.id).map_or("", String::as_str),
            &format!("A conversation started by {}", first.author.name),
        );
        // Older Salon wrote the record key alone (unique per author; should
        // two authors' collide, both with a hash of their at-uri): still
        // recognized in the files it wrote.
        let mut by_rkey: HashMap<String, usize> = HashMap::new();
        for m in &self.messages {
            *by_rkey.entry(rkey(&m.id)).or_default() += 1;
        }
        let id_of: HashMap<String, String> = self
            .messages
            .iter()
            .map(|m| {
                let k = rkey(&m.id);
                let id = if by_rkey[&k] == 1 && !k.is_empty() {
                    k
                } else {
                    format!(
                        "{k}-{:08x}",
                        xxhash_rust::xxh3::xxh3_64(m.id.as_bytes()) as u32
                    )
                };
                (m.id.clone(), id)
            })
            .collect();
        for m in &mut self.messages {
            m.former_id = Some(id_of[&m.id].clone());
            m.id = namespaced_id(&m.id);
            m.parent = m.parent.as_deref().map(namespaced_id);
        }
        let root = self.messages[0].id.clone();
        let mut notes = tree_order(&mut self.messages, &root);
        if self.gone > 0 {
            notes.push(format!(
                "{} deleted post(s) left out; their replies answer the post before them",
                self.gone
            ));
        }
        if self.blocked > 0 {
            notes.push(format!("{} blocked post(s) left out", self.blocked));
        }
        Ok(Parsed {
            conversation: Conversation {
                title,
                source_name: "Bluesky".into(),
                source_url,
                messages: self.messages,
            },
            notes,
        })
    }
}

/// A post's id namespaced by its author: `<did>/<rkey>` from
/// `at://<did>/app.bsky.feed.post/<rkey>`, unique across the network.
fn namespaced_id(uri: &str) -> String {
    let rest = uri.trim().strip_prefix("at://").unwrap_or(uri);
    let did = rest.split('/').next().unwrap_or("");
    match (did, rkey(uri)) {
        (did, key) if !did.is_empty() && !key.is_empty() && did != key => format!("{did}/{key}"),
        _ => format!("at-{:016x}", xxhash_rust::xxh3::xxh3_64(uri.as_bytes())),
    }
}

/// The record key: the last segment of `at://did/app.bsky.feed.post/<rkey>`.
fn rkey(uri: &str) -> String {
    uri.rsplit('/')
        .next()
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-'))
        })
        .unwrap_or("")
        .to_owned()
}

/// The author's handle, unless Bluesky could not verify it.
fn valid_handle(p: &Profile) -> Option<String> {
    p.handle
        .as_deref()
        .map(|h| h.trim().trim_start_matches('@').to_lowercase())
        .filter(|h| {
            h.contains('.')
                && h != "handle.invalid"
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
}

/// `https://bsky.app/profile/<handle or did>/post/<rkey>`.
fn post_url(post: &Post) -> Option<String> {
    let rest = post.uri.trim().strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (authority, collection, key) = (parts.next()?, parts.next()?, parts.next()?);
    if collection != "app.bsky.feed.post" || parts.next().is_some() || rkey(key).is_empty() {
        return None;
    }
    let who = valid_handle(&post.author).or_else(|| {
        Some(authority.to_owned()).filter(|a| {
            a.starts_with("did:")
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '.' || c == '-')
        })
    })?;
    Some(format!("https://bsky.app/profile/{who}/post/{key}"))
}

/// Plain text with its facets as links, as HTML paragraphs.
fn text_html(text: &str, facets: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = facets
        .iter()
        .filter_map(|f| {
            let start = usize::try_from(f["index"]["byteStart"].as_u64()?).ok()?;
            let end = usize::try_from(f["index"]["byteEnd"].as_u64()?).ok()?;
            if start >= end
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                return None;
            }
            let href = f["features"].as_array()?.iter().find_map(feature_href)?;
            Some((start, end, href))
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut html = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for (start, end, href) in spans {
        if start < last {
            continue;
        }
        html.push_str(&escape(&text[last..start]));
        html.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(&href),
            escape(&text[start..end])
        ));
        last = end;
    }
    html.push_str(&escape(&text[last..]));
    let html = html.replace("\r\n", "\n");
    html.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
        .collect()
}

fn feature_href(f: &Value) -> Option<String> {
    match f["$type"].as_str()? {
        "app.bsky.richtext.facet#link" => f["uri"]
            .as_str()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(str::to_owned),
        "app.bsky.richtext.facet#mention" => f["did"]
            .as_str()
            .filter(|d| d.starts_with("did:"))
            .map(|d| format!("https://bsky.app/profile/{d}")),
        "app.bsky.richtext.facet#tag" => f["tag"].as_str().map(|t| {
            format!(
                "https://bsky.app/hashtag/{}",
                utf8_percent_encode(t.trim_start_matches('#'), NON_ALPHANUMERIC)
            )
        }),
        _ => None,
    }
}

/// Images, videos, link cards and quoted posts, as (text, URL) links.
fn embed_links(embed: Option<&Value>, own_url: Option<&str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(mut e) = embed else {
        return out;
    };
    // A record with media carries its media as one more embed; a hostile
    // answer could nest them without end, so this loops, once per level.
    loop {
        match embed_links_of(e, own_url, &mut out) {
            Some(media) => e = media,
            None => return out,
        }
    }
}

/// The links of one embed into `out`; the media embed of a record with
/// media, still to be read.
fn embed_links_of<'a>(
    e: &'a Value,
    own_url: Option<&str>,
    out: &mut Vec<(String, String)>,
) -> Option<&'a Value> {
    let http = |v: &Value| {
        v.as_str()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(str::to_owned)
    };
    let described = |kind: &str, alt: &Value| match alt.as_str().map(str::trim) {
        Some(a) if !a.is_empty() => format!("{kind}: {a}"),
        _ => format!("{kind} (no description)"),
    };
    match e["$type"].as_str().unwrap_or("") {
        "app.bsky.embed.images#view" => {
            for img in e["images"].as_array().into_iter().flatten() {
                if let Some(url) = http(&img["fullsize"]).or_else(|| http(&img["thumb"])) {
                    out.push((described("Image", &img["alt"]), url));
                }
            }
        }
        "app.bsky.embed.video#view" => {
            if let Some(url) = own_url {
                out.push((described("Video", &e["alt"]), url.to_owned()));
            }
        }
        "app.bsky.embed.external#view" => {
            if let Some(url) = http(&e["external"]["uri"]) {
                let title = e["external"]["title"].as_str().map(str::trim).unwrap_or("");
                out.push((
                    if title.is_empty() {
                        url.clone()
                    } else {
                        title.to_owned()
                    },
                    url,
                ));
            }
        }
        "app.bsky.embed.record#view" => out.extend(quoted(&e["record"])),
        "app.bsky.embed.recordWithMedia#view" => {
            out.extend(quoted(&e["record"]["record"]));
            return Some(&e["media"]);
        }
        _ => {}
    }
    None
}

/// A link to a quoted post, when it is one that can be seen.
fn quoted(record: &Value) -> Option<(String, String)> {
    if record["$type"].as_str() != Some("app.bsky.embed.record#viewRecord") {
        return None;
    }
    let post = Post {
        uri: record["uri"].as_str()?.to_owned(),
        author: Profile {
            handle: record["author"]["handle"].as_str().map(str::to_owned),
            ..Default::default()
        },
        ..Default::default()
    };
    let url = post_url(&post)?;
    let who = valid_handle(&post.author).map_or_else(String::new, |h| format!(" by @{h}"));
    Some((format!("Quoted post{who}"), url))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread `depth` replies deep under a root, and `up` ancestors above it.
    fn deep_answer(depth: usize, up: usize) -> String {
        let post = |i: usize| {
            format!(
                r#""post": {{"uri": "at://did:plc:a/app.bsky.feed.post/p{i}", "author": {{"handle": "a{}.bsky.social"}}, "record": {{"text": "reply {i}", "createdAt": "2024-01-01T00:00:00Z"}}}}"#,
                i % 2
            )
        };
        let mut s = String::from(r#"{"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "#);
        s.push_str(&post(0));
        for a in 0..up {
            s.push_str(&format!(r#", "parent": {{{}"#, post(1_000_000 + a)));
        }
        s.push_str(&"}".repeat(up));
        for i in 1..=depth {
            s.push_str(&format!(r#", "replies": [{{{}"#, post(i)));
        }
        s.push_str(&"}]".repeat(depth));
        s.push_str("}}");
        s
    }

    #[test]
    fn a_thousand_replies_deep_and_a_thousand_up_read_in_order() {
        let parsed = parse(&deep_answer(1000, 1000)).expect("a deep thread reads");
        let m = &parsed.conversation.messages;
        assert_eq!(m.len(), 2001);
        assert!(m
            .windows(2)
            .all(|w| w[1].parent.as_deref() == Some(w[0].id.as_str())));
        assert_eq!(m.last().map(|m| m.id.as_str()), Some("did:plc:a/p1000"));
    }

    #[test]
    fn nesting_past_the_limit_is_refused_with_its_place() {
        let err = parse(&deep_answer(3000, 0)).unwrap_err();
        assert!(
            err.message.contains("nested deeper than 4096 levels"),
            "{}",
            err.message
        );
        assert_eq!(err.line, 1);
    }

    #[test]
    fn facets_become_links_and_markdown_is_escaped() {
        let text = "*Not bold* see example.org and @ann.test #tag";
        let link = text.find("example.org").unwrap();
        let at = text.find("@ann").unwrap();
        let tag = text.find("#tag").unwrap();
        let facets: Vec<Value> = serde_json::from_str(&format!(
            r#"[{{"index":{{"byteStart":{link},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#link","uri":"https://example.org/"}}]}},
                {{"index":{{"byteStart":{at},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:abc"}}]}},
                {{"index":{{"byteStart":{tag},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#tag","tag":"tag"}}]}},
                {{"index":{{"byteStart":2,"byteEnd":900}},"features":[]}}]"#,
            link + 11,
            at + 9,
            tag + 4
        ))
        .unwrap();
        let md = html_to_markdown(&text_html(text, &facets));
        assert!(md.starts_with("\\*Not bold\\*"), "{md}");
        assert!(md.contains("[example.org](https://example.org/)"), "{md}");
        assert!(
            md.contains("[@ann.test](https://bsky.app/profile/did:plc:abc)"),
            "{md}"
        );
        assert!(md.contains("(https://bsky.app/hashtag/tag)"), "{md}");
    }

    #[test]
    fn urls_use_the_handle_or_the_did() {
        let mut p = Post {
            uri: "at://did:plc:abc/app.bsky.feed.post/3kabc".into(),
            ..Default::default()
        };
        assert_eq!(
            post_url(&p).as_deref(),
            Some("https://bsky.app/profile/did:plc:abc/post/3kabc")
        );
        p.author.handle = Some("Ann.Example.org".into());
        assert_eq!(
            post_url(&p).as_deref(),
            Some("https://bsky.app/profile/ann.example.org/post/3kabc")
        );
        p.uri = "at://did:plc:abc/app.bsky.feed.like/3kabc".into();
        assert_eq!(post_url(&p), None);
    }

    #[test]
    fn a_thread_of_only_deleted_posts_is_an_error() {
        let e = parse(r#"{"thread":{"$type":"app.bsky.feed.defs#notFoundPost","uri":"at://x","notFound":true}}"#)
            .unwrap_err();
        assert!(e.message.contains("no post"), "{}", e.message);
        let e = parse("{\"thread\": [}").unwrap_err();
        assert_eq!((e.line, e.column), (1, 13));
    }
}
