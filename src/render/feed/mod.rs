//! Feeds, written in code so escaping is never a theme's job. What a feed
//! lists is gathered once into a [`Feed`], then written as Atom 1.0
//! ([`atom`]) or JSON Feed 1.1 ([`json`]): the two files beside each other
//! always say the same.

mod atom;
mod json;

use super::jobs::FeedKind;
use super::views::{comment_anchor, entry_anchor};
use crate::date::Date;
use crate::model::*;

/// Which file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Atom 1.0 (`.xml`).
    Atom,
    /// JSON Feed 1.1 (`.json`).
    Json,
}

/// Renders one feed in `format`.
pub fn render(site: &Site, kind: &FeedKind, format: Format) -> String {
    let feed = gather(site, *kind);
    match format {
        Format::Atom => atom::write(site, &feed),
        Format::Json => json::write(site, &feed),
    }
}

/// The root path of a feed's Atom file.
pub fn atom_path(site: &Site, kind: FeedKind) -> String {
    match kind {
        FeedKind::Site => "/feed.xml".into(),
        FeedKind::Comments => "/comments/feed.xml".into(),
        FeedKind::PostComments(i) => format!("{}comments.xml", site.posts[i].path),
        FeedKind::Term(k, t) => format!("{}feed.xml", site.taxonomy(k).terms[t].path),
        FeedKind::Member(i) => format!("{}feed.xml", site.members[i].path),
        FeedKind::Thread(i) => format!("{}feed.xml", site.threads[i].path),
    }
}

/// The root path of a feed's JSON Feed file: beside the Atom one.
pub fn json_path(site: &Site, kind: FeedKind) -> String {
    let atom = atom_path(site, kind);
    format!("{}.json", atom.strip_suffix(".xml").unwrap_or(&atom))
}

/// A feed's head and entries, whatever the format.
pub struct Feed<'a> {
    /// What it is called.
    pub title: String,
    /// Which feed: its paths follow.
    pub kind: FeedKind,
    /// The root path of the page it follows.
    pub page_path: &'a str,
    /// Newest first.
    pub items: Vec<Item<'a>>,
    /// Whose it is, as `(name, page)`, when one person's; else the site's.
    pub author: Option<(&'a str, String)>,
}

/// One entry of a feed.
pub struct Item<'a> {
    /// Its title.
    pub title: String,
    /// The absolute URL it is read at; also its id.
    pub link: String,
    /// Its own language, when not the site's.
    pub lang: Option<&'a str>,
    /// When it was written.
    pub published: Date,
    /// When it last changed.
    pub updated: Date,
    /// Who wrote it: `(name, member page)`. None: the site.
    pub authors: Vec<(&'a str, Option<String>)>,
    /// Its tags.
    pub tags: Vec<&'a Term>,
    /// An HTML summary.
    pub summary: Option<&'a str>,
    /// The whole HTML.
    pub content: Option<std::borrow::Cow<'a, str>>,
}

/// What `kind` lists.
fn gather(site: &Site, kind: FeedKind) -> Feed<'_> {
    let c = &site.config;
    let limit = c.feed_limit;
    let mut author = None;
    let site_lang = c.i18n.interface_language(&c.language);
    let say = |lang: &str, key: &str, args: &[(&str, &str)]| c.i18n.say(lang, key, None, args);
    let (title, page_path, items): (String, &str, Vec<Item>) = match kind {
        FeedKind::Site => {
            let items = (0..site.posts.len().min(limit))
                .map(|i| post_item(site, i, true))
                .collect();
            (c.title.clone(), "/", items)
        }
        FeedKind::Term(k, t) => {
            let term = &site.taxonomy(k).terms[t];
            let heading = match k {
                TaxonomyKind::Tags => "posts_tagged",
                TaxonomyKind::Categories => "posts_in_category",
            };
            let title = format!(
                "{} – {}",
                c.title,
                say(site_lang, heading, &[("term", &term.name)])
            );
            // Term feeds carry summaries: with hundreds of tags, full
            // content in each would repeat the whole site many times over.
            let items = term.posts[..term.posts.len().min(limit)]
                .iter()
                .map(|&i| post_item(site, i, false))
                .collect();
            (title, term.path.as_str(), items)
        }
        FeedKind::Comments => {
            let all = site.posts.iter().enumerate().flat_map(|(p, post)| {
                (0..post.visible_comments().len()).map(move |c| Written::Comment(p, c))
            });
            let items = newest(site, all.collect(), limit)
                .into_iter()
                .map(|w| written_item(site, w))
                .collect();
            let heading = say(site_lang, "comments_heading", &[]);
            (format!("{} – {heading}", c.title), "/", items)
        }
        FeedKind::PostComments(p) => {
            let post = &site.posts[p];
            let items = (0..post.visible_comments().len())
                .rev()
                .map(|c| written_item(site, Written::Comment(p, c)))
                .collect();
            let lang = c
                .i18n
                .interface_language(post.lang.as_deref().unwrap_or(site_lang));
            (
                say(lang, "comments_on", &[("title", &post.title)]),
                post.path.as_str(),
                items,
            )
        }
        FeedKind::Member(m) => {
            let member = &site.members[m];
            // Everything they wrote, newest first, capped like the others.
            let all: Vec<Written> = member
                .posts
                .iter()
                .map(|&p| Written::Post(p))
                .chain(member.comments.iter().map(|&(p, c)| Written::Comment(p, c)))
                .chain(member.entries.iter().map(|&(t, e)| Written::Entry(t, e)))
                .collect();
            let items = newest(site, all, limit)
                .into_iter()
                .map(|w| written_item(site, w))
                .collect();
            author = Some((member.name.as_str(), c.permalink(&member.path)));
            (
                format!("{} – {}", c.title, member.name),
                member.path.as_str(),
                items,
            )
        }
        FeedKind::Thread(t) => {
            let thread = &site.threads[t];
            let all = (0..thread.entries.len())
                .map(|e| Written::Entry(t, e))
                .collect();
            let items = newest(site, all, limit)
                .into_iter()
                .map(|w| written_item(site, w))
                .collect();
            let lang = c
                .i18n
                .interface_language(thread.lang.as_deref().unwrap_or(site_lang));
            (
                format!(
                    "{} – {}",
                    c.title,
                    say(lang, "feed_thread", &[("title", &thread.title)])
                ),
                thread.path.as_str(),
                items,
            )
        }
    };
    Feed {
        title,
        kind,
        page_path,
        items,
        author,
    }
}

/// Something a person wrote that a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Written {
    Post(PostIdx),
    Comment(PostIdx, usize),
    Entry(ThreadIdx, usize),
}

/// When `w` was written; a thread entry with no date of its own takes
/// its thread's.
fn written_at(site: &Site, w: Written) -> Date {
    match w {
        Written::Post(p) => site.posts[p].date,
        Written::Comment(p, c) => site.posts[p].comments[c].date,
        Written::Entry(t, e) => {
            let thread = &site.threads[t];
            thread.entries[e].date.unwrap_or(thread.date)
        }
    }
}

/// The `limit` newest of `all`, newest first; ties keep a fixed order.
fn newest(site: &Site, mut all: Vec<Written>, limit: usize) -> Vec<Written> {
    let order = |a: &Written, b: &Written| {
        written_at(site, *b)
            .cmp(&written_at(site, *a))
            .then(a.cmp(b))
    };
    let limit = limit.min(all.len());
    if limit < all.len() {
        all.select_nth_unstable_by(limit, order);
        all.truncate(limit);
    }
    all.sort_by(order);
    all
}

fn written_item(site: &Site, w: Written) -> Item<'_> {
    let c = &site.config;
    match w {
        Written::Post(p) => post_item(site, p, false),
        Written::Comment(p, i) => {
            let post = &site.posts[p];
            let comment = &post.comments[i];
            Item {
                title: c.i18n.say(
                    c.i18n.interface_language(&c.language),
                    "feed_comment_title",
                    None,
                    &[("author", &comment.author), ("title", &post.title)],
                ),
                link: format!(
                    "{}#{}",
                    c.permalink(&post.path),
                    comment_anchor(&comment.id)
                ),
                lang: None,
                published: comment.date,
                updated: comment.date,
                authors: vec![(
                    comment.author.as_str(),
                    comment.member.map(|m| c.permalink(&site.members[m].path)),
                )],
                tags: Vec::new(),
                summary: None,
                content: Some(std::borrow::Cow::Borrowed(&comment.body)),
            }
        }
        Written::Entry(t, e) => {
            let thread = &site.threads[t];
            let entry = &thread.entries[e];
            let name = entry
                .by
                .member
                .map_or(entry.by.name.as_str(), |m| site.members[m].name.as_str());
            let date = written_at(site, w);
            Item {
                title: c.i18n.say(
                    c.i18n
                        .interface_language(thread.lang.as_deref().unwrap_or(&c.language)),
                    "feed_entry_title",
                    None,
                    &[("author", name), ("title", &thread.title)],
                ),
                link: format!("{}#{}", c.permalink(&thread.path), entry_anchor(&entry.id)),
                lang: thread.lang.as_deref(),
                published: date,
                updated: date,
                authors: vec![(
                    name,
                    entry.by.member.map(|m| c.permalink(&site.members[m].path)),
                )],
                tags: Vec::new(),
                summary: None,
                content: Some(std::borrow::Cow::Borrowed(&entry.text)),
            }
        }
    }
}

/// A post as a feed entry: with its whole text when `full`.
fn post_item(site: &Site, i: PostIdx, full: bool) -> Item<'_> {
    let c = &site.config;
    let p = &site.posts[i];
    Item {
        title: p.title.clone(),
        link: c.permalink(&p.path),
        lang: p.lang.as_deref(),
        published: p.date,
        updated: p.updated.unwrap_or(p.date),
        authors: p
            .authors
            .iter()
            .map(|&a| {
                let m = &site.members[a];
                (m.name.as_str(), Some(c.permalink(&m.path)))
            })
            .collect(),
        tags: p.tags.iter().map(|&t| &site.tags.terms[t]).collect(),
        summary: Some(&p.body.summary),
        content: full.then(|| p.body.document()),
    }
}
