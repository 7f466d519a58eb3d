//! `salon import webmentions FILE`: the webmentions webmention.io
//! collected for the site, from its API's JF2 feed
//! (`/api/mentions.jf2`) or its older format (`/api/mentions`).
//!
//! Replies become comments under the post they target, nested under a
//! comment when they target its address (`/posts/x/#comment-wp-1`);
//! likes, reposts, bookmarks and plain mentions become reactions (counted
//! and shown as faces). Each keeps its source URL; ids are `wm-<wm-id>`,
//! so a second import adds only what is new, and a reply already in the
//! file from another channel (the Bluesky reply Bridgy sent a webmention
//! for) is recognised by its original's URL and left out. Targets that
//! are no post's are reported, never dropped silently.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::social_parse::{host_of, null_default, Id};
use super::text::parse_any_date;
use super::{CommentRecord, ImportReport, Importer, Item, ParseError, Target};
use crate::date::Date;
use crate::entities::escape;
use crate::error::Error;
use crate::model::{Channel, ReactionKind};

/// What a webmention says about its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Property {
    /// A reply: becomes a comment.
    Reply,
    /// A like, repost, bookmark or mention: becomes a reaction.
    Reaction(ReactionKind),
    /// Anything else (an RSVP): counted and left out.
    Other(String),
}

/// One webmention, in either format.
#[derive(Debug, Clone)]
pub struct Mention {
    /// webmention.io's id (`wm-id`, or `id` in the older format).
    pub id: String,
    /// What it is.
    pub property: Property,
    /// The page that sent it (`wm-source`).
    pub source: String,
    /// The page of this site it mentions (`wm-target`).
    pub target: String,
    /// The original's own URL (Bridgy's source carries the Mastodon or
    /// Bluesky post's address here).
    pub url: Option<String>,
    /// The author's name.
    pub author: String,
    /// The author's site or profile.
    pub author_url: Option<String>,
    /// Untrusted HTML (or escaped text).
    pub html: String,
    /// When it was published, or else received.
    pub date: Option<Date>,
    /// Marked private: not to be published.
    pub private: bool,
}

#[derive(Deserialize, Default)]
struct Author {
    #[serde(default, deserialize_with = "null_default")]
    name: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "wm-id", default)]
    wm_id: Option<Id>,
    #[serde(rename = "wm-property", default)]
    property: Option<String>,
    #[serde(rename = "wm-source", default)]
    source: Option<String>,
    #[serde(rename = "wm-target", default)]
    target: Option<String>,
    #[serde(rename = "wm-received", default)]
    received: Option<String>,
    #[serde(rename = "wm-private", default)]
    private: bool,
    #[serde(default, deserialize_with = "null_default")]
    author: Author,
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize, Default)]
struct LinkData {
    #[serde(default, deserialize_with = "null_default")]
    author: Author,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize, Default)]
struct Activity {
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    verified_date: Option<String>,
    #[serde(default)]
    private: bool,
    #[serde(default, deserialize_with = "null_default")]
    activity: Activity,
    #[serde(default, deserialize_with = "null_default")]
    data: LinkData,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    children: Option<Vec<Entry>>,
    #[serde(default)]
    links: Option<Vec<Link>>,
}

const WHAT: &str = "a webmention.io API answer: a JF2 feed {\"type\": \"feed\", \"children\": [...]} or {\"links\": [...]}";

/// Reads a webmention.io answer in either format.
pub fn parse(text: &str) -> Result<Vec<Mention>, ParseError> {
    let answer: Answer = super::social_parse::deep_json(text, WHAT)?;
    let not_one = || ParseError {
        line: 1,
        column: 1,
        message: format!("no `children` or `links` list (expected {WHAT})"),
    };
    match (answer.children, answer.links) {
        (Some(children), _) => Ok(children.into_iter().filter_map(from_entry).collect()),
        (None, Some(links)) => Ok(links.into_iter().filter_map(from_link).collect()),
        (None, None) => Err(not_one()),
    }
}

fn property(word: &str) -> Property {
    match word {
        "in-reply-to" | "reply" => Property::Reply,
        "like-of" | "like" => Property::Reaction(ReactionKind::Like),
        "repost-of" | "repost" => Property::Reaction(ReactionKind::Repost),
        "bookmark-of" | "bookmark" => Property::Reaction(ReactionKind::Bookmark),
        "mention-of" | "mention" | "link" => Property::Reaction(ReactionKind::Mention),
        other => Property::Other(other.to_owned()),
    }
}

/// The body: HTML as sent (sanitized when written), or plain text escaped.
fn body(html: Option<String>, text: Option<String>) -> String {
    match (html.filter(|h| !h.trim().is_empty()), text) {
        (Some(h), _) => h,
        (None, Some(t)) => escape(t.trim()),
        (None, None) => String::new(),
    }
}

fn from_entry(e: Entry) -> Option<Mention> {
    let source = e.source?;
    let target = e.target?;
    let id = e
        .wm_id
        .map(|i| i.0)
        .unwrap_or_else(|| hashed(&source, &target));
    let (html, text) = match e.content {
        Some(c) => (c.html, c.text),
        None => (None, e.summary),
    };
    Some(Mention {
        id,
        property: property(e.property.as_deref().unwrap_or("mention-of")),
        date: e
            .published
            .as_deref()
            .and_then(parse_any_date)
            .or_else(|| e.received.as_deref().and_then(parse_any_date)),
        author: e.author.name.trim().to_owned(),
        author_url: e.author.url,
        html: body(html, text),
        url: e.url,
        private: e.private,
        source,
        target,
    })
}

fn from_link(l: Link) -> Option<Mention> {
    let source = l.source?;
    let target = l.target?;
    let id =
        l.id.map(|i| i.0)
            .unwrap_or_else(|| hashed(&source, &target));
    Some(Mention {
        id,
        property: property(l.activity.kind.as_deref().unwrap_or("mention")),
        date: l
            .data
            .published
            .as_deref()
            .and_then(parse_any_date)
            .or_else(|| l.verified_date.as_deref().and_then(parse_any_date)),
        author: l.data.author.name.trim().to_owned(),
        author_url: l.data.author.url,
        html: body(l.data.content, None),
        url: l.data.url,
        private: l.private,
        source,
        target,
    })
}

/// An id for a mention that has none: a hash of its source and target.
fn hashed(source: &str, target: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_64(format!("{source} {target}").as_bytes());
    format!("h{h:016x}")
}

/// `salon import webmentions FILE [--dry-run]`. Like every import, it is
/// checked in full (a dry run) before anything is written.
pub fn import_webmentions(root: &Path, file: &Path, dry_run: bool) -> Result<ImportReport, Error> {
    let text = super::social::read(file)?;
    let mentions = parse(&text).map_err(|e| super::social::at(file, e))?;
    if !dry_run {
        run(root, &mentions, true)?;
    }
    run(root, &mentions, dry_run)
}

/// The anchor a target names (`comment-wp-1` in `.../#comment-wp-1`).
fn anchor_of(target: &str) -> Option<&str> {
    target
        .split_once('#')
        .map(|(_, a)| a)
        .filter(|a| a.starts_with("comment-"))
}

/// A comment with the anchor it answers, until that is found.
type Pending = (Option<String>, CommentRecord);

fn run(root: &Path, mentions: &[Mention], dry_run: bool) -> Result<ImportReport, Error> {
    let mut importer = Importer::new(root, dry_run)?;
    // Webmentions are new contributions: the site's policy gives them
    // their status, and a post closed to comments takes none.
    importer.moderate(super::site_policy(root)?);
    let mut groups: Vec<(String, Vec<Pending>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut unmatched: BTreeMap<String, usize> = BTreeMap::new();
    for m in mentions {
        if m.private {
            importer.skip("private webmentions", 1);
            continue;
        }
        let reaction = match &m.property {
            Property::Reply => None,
            Property::Reaction(kind) => Some(*kind),
            Property::Other(word) => {
                importer.skip(&format!("webmentions of kind `{word}`"), 1);
                continue;
            }
        };
        let Some(slug) = importer.post_at(&m.target) else {
            *unmatched.entry(m.target.clone()).or_default() += 1;
            continue;
        };
        let original = m.url.clone().filter(|u| crate::url::is_web_url(u));
        let author_url = m.author_url.clone().filter(|u| crate::url::is_web_url(u));
        let author = match m.author.is_empty() {
            false => m.author.clone(),
            true => host_of(&m.source).unwrap_or_default(),
        };
        let record = CommentRecord {
            id: format!("wm-{}", m.id),
            parent: None,
            author,
            email: None,
            identity: author_url
                .clone()
                .or_else(|| host_of(&m.source).map(|h| format!("https://{h}/"))),
            url: author_url,
            date: m.date,
            body_html: m.html.clone(),
            source: Some(Channel::Webmention),
            source_url: original.or_else(|| Some(m.source.clone())),
            reaction,
            sender: super::Sender::Export,
        };
        // A reply to a comment's address nests under that comment.
        let anchor = reaction
            .is_none()
            .then(|| anchor_of(&m.target).map(str::to_owned))
            .flatten();
        let k = *group_of.entry(slug.clone()).or_insert_with(|| {
            groups.push((slug.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[k].1.push((anchor, record));
    }
    for (slug, records) in groups {
        let batch: HashMap<String, String> = records
            .iter()
            .map(|(_, r)| (crate::model::comment_anchor(&r.id), r.id.clone()))
            .collect();
        let mut comments = Vec::with_capacity(records.len());
        for (anchor, mut r) in records {
            if let Some(a) = anchor {
                r.parent = match batch.get(&a) {
                    Some(id) => Some(id.clone()),
                    None => importer.comment_at(&slug, &a)?,
                };
                if r.parent.is_none() {
                    importer.note(format!(
                        "webmention `{}` replies to #{a} on `{slug}`, which is no comment there; it is shown at top level",
                        r.id
                    ));
                }
            }
            comments.push(r);
        }
        // Oldest first, so the file reads as the conversation went.
        comments.sort_by_key(|c| (c.date.is_none(), c.date));
        importer.take(Item::Comments(Target::Slug(slug), comments))?;
    }
    for (target, n) in unmatched {
        importer.unmatched_target(format!("{target}: {n} webmention(s)"), n);
    }
    Ok(importer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_read_alike() {
        let jf2 = r#"{"type":"feed","name":"Webmentions","children":[
          {"type":"entry","author":{"type":"card","name":"Ann","photo":"https://a.example/me.jpg","url":"https://ann.example/"},
           "url":"https://ann.example/replies/1","published":"2024-03-02T10:00:00+00:00","wm-received":"2024-03-02T10:05:00Z",
           "wm-id":1601,"wm-source":"https://ann.example/replies/1","wm-target":"https://blog.example/posts/x/",
           "wm-property":"in-reply-to","content":{"html":"<p>Yes!</p>","text":"Yes!"}},
          {"type":"entry","author":{"name":"Bo","url":null},"url":null,"published":null,"wm-received":"2024-03-03T10:00:00Z",
           "wm-id":"1602","wm-source":"https://bo.example/l","wm-target":"https://blog.example/posts/x/","wm-property":"like-of"}]}"#;
        let m = parse(jf2).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].id.as_str(), &m[0].property),
            ("1601", &Property::Reply)
        );
        assert_eq!(m[0].html, "<p>Yes!</p>");
        assert_eq!(m[1].property, Property::Reaction(ReactionKind::Like));
        assert!(m[1].date.is_some(), "wm-received stands in for published");
        let old = r#"{"links":[{"id":77,"source":"https://cy.example/r","target":"https://blog.example/posts/x/",
          "verified_date":"2014-01-01T00:00:00+00:00","private":false,
          "activity":{"type":"reply","sentence":"Cy replied"},
          "data":{"author":{"name":"Cy","url":"https://cy.example/"},"content":"<p>Hi</p>","published":"2014-01-01T00:00:00+00:00","url":"https://cy.example/r"}}]}"#;
        let m = parse(old).unwrap();
        assert_eq!((m[0].id.as_str(), &m[0].property), ("77", &Property::Reply));
        assert_eq!(m[0].author, "Cy");
        assert!(parse("{\"items\": []}")
            .unwrap_err()
            .message
            .contains("webmention.io"));
    }
}
