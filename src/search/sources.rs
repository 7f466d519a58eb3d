//! The documents of a site as the index reads them: posts, their visible
//! comments, pages, members and threads, each with its fields and what
//! the filters need (tags, authors, date).

use std::borrow::Cow;

use rayon::prelude::*;

use super::stem::lang_id;
use super::Kind;
use crate::date::Date;
use crate::digest::Digest;
use crate::model::{Member, Page, Participant, Post, Site, Thread};

/// A document before analysis, borrowing from the site.
pub struct Source<'a> {
    pub kind: Kind,
    pub date: Option<Date>,
    /// Stemmer id of its language ([`lang_id`]).
    pub lang: u8,
    pub path: String,
    pub title: String,
    /// Whether `title` is the document's own (a comment's is made up).
    pub title_indexed: bool,
    /// Tags, categories, author names and handles... (the meta field).
    pub meta: Vec<&'a str>,
    /// HTML parts, each with its digest (what a fingerprint reads instead
    /// of the text).
    pub body: Vec<(Cow<'a, str>, u64)>,
    /// Tag names, for the tag filter.
    pub tags: Vec<&'a str>,
    /// Author names, for the author filter.
    pub authors: Vec<&'a str>,
}

/// A hash of everything a source gives its document.
pub fn fingerprint(src: &Source) -> u64 {
    let mut h = Digest::new();
    h.str(src.kind.name()).n(src.lang.into());
    date(&mut h, src.date);
    h.str(&src.path)
        .str(&src.title)
        .n(src.title_indexed as u64)
        .n(src.meta.len() as u64);
    for m in src.meta.iter().chain(&src.tags).chain(&src.authors) {
        h.str(m);
    }
    h.n(src.tags.len() as u64).n(src.authors.len() as u64);
    for &(_, digest) in &src.body {
        h.n(digest);
    }
    h.done()
}

/// A post and its visible comments.
pub fn post_sources<'a>(site: &'a Site, p: &'a Post) -> Vec<Source<'a>> {
    let mut out = Vec::with_capacity(1 + p.visible_comments().len());
    out.push(post_source(site, p));
    out.extend((0..p.visible_comments().len()).map(|c| comment_source(site, p, c, None)));
    out
}

/// A post without its comments.
fn post_source<'a>(site: &'a Site, p: &'a Post) -> Source<'a> {
    let tags: Vec<&str> = p
        .tags
        .iter()
        .map(|&t| site.tags.terms[t].name.as_str())
        .collect();
    let authors: Vec<&str> = p
        .authors
        .iter()
        .map(|&a| site.members[a].name.as_str())
        .collect();
    let mut meta: Vec<&str> = tags.clone();
    meta.extend(
        p.categories
            .iter()
            .map(|&t| site.categories.terms[t].name.as_str()),
    );
    for &a in &p.authors {
        meta.push(&site.members[a].name);
        meta.push(&site.members[a].handle);
    }
    Source {
        kind: Kind::Post,
        date: Some(p.date),
        lang: post_lang(site, p),
        path: root(&p.path).to_owned(),
        title: p.title.clone(),
        title_indexed: true,
        meta,
        body: vec![(p.body.document(), p.body.digest)],
        tags,
        authors,
    }
}

/// Stemmer id of a post's language: its comments are read in it too.
fn post_lang(site: &Site, p: &Post) -> u8 {
    lang_id(p.lang.as_deref().unwrap_or(&site.config.language))
}

/// The path of visible comment `c` of post `p`.
fn comment_path(p: &Post, c: usize) -> String {
    let id = &p.visible_comments()[c].id;
    format!("{}#{}", root(&p.path), crate::model::comment_anchor(id))
}

/// Visible comment `i` of post `p`; `path` is its path when already made.
fn comment_source<'a>(site: &'a Site, p: &'a Post, i: usize, path: Option<String>) -> Source<'a> {
    let c = &p.visible_comments()[i];
    let author = c
        .member
        .map_or(c.author.as_str(), |m| &site.members[m].name);
    Source {
        kind: Kind::Comment,
        date: Some(c.date),
        lang: post_lang(site, p),
        path: path.unwrap_or_else(|| comment_path(p, i)),
        title: format!("{author} on {}", p.title),
        title_indexed: false,
        meta: vec![author],
        body: vec![(Cow::Borrowed(&*c.body), c.body.digest())],
        tags: Vec::new(),
        authors: vec![author],
    }
}

/// Where a document comes from, and what orders it: its date and path.
/// A clean build sorts these, a few dozen bytes a document, and makes
/// each [`Source`] only when it indexes it, so the sources of every
/// document (a comment's made-up title, lists of names) are never all
/// held at once.
#[derive(Clone)]
pub struct Key {
    pub date: Option<Date>,
    pub path: String,
    /// Index into [`units`].
    unit: u32,
    /// 0 for the unit's own document, `c + 1` for a post's comment `c`.
    part: u32,
}

impl Key {
    /// The source this key names, taking its path.
    pub fn source<'a>(self, site: &'a Site, units: &[Unit<'a>]) -> Source<'a> {
        let mut src = match (units[self.unit as usize], self.part) {
            (Unit::Post(p), 0) => post_source(site, p),
            (Unit::Post(p), c) => return comment_source(site, p, c as usize - 1, Some(self.path)),
            (Unit::Page(p), _) => page_source(site, p),
            (Unit::Member(m), _) => member_source(site, m),
            (Unit::Thread(t), _) => thread_source(site, t),
        };
        src.path = self.path;
        src
    }

    /// Whether it names a comment ([`Kind::Comment`]), without reading it.
    pub fn is_comment(&self) -> bool {
        self.part != 0
    }
}

/// The key of every document of `units`: each unit's own, then a post's
/// comments.
pub fn keys(units: &[Unit]) -> Vec<Key> {
    units
        .par_iter()
        .enumerate()
        .flat_map_iter(|(u, &unit)| {
            let own = Key {
                date: unit.date(),
                path: unit.path().to_owned(),
                unit: u as u32,
                part: 0,
            };
            let comments: Vec<Key> = match unit {
                Unit::Post(p) => (p.visible_comments().iter().enumerate())
                    .map(|(c, comment)| Key {
                        date: Some(comment.date),
                        path: comment_path(p, c),
                        unit: u as u32,
                        part: c as u32 + 1,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            std::iter::once(own).chain(comments)
        })
        .collect()
}

/// A document's path as the index keeps it: without its leading `/`.
fn root(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// Stemmer id of a document's own language, else the site's.
fn lang_of(site: &Site, own: &Option<String>) -> u8 {
    lang_id(own.as_deref().unwrap_or(&site.config.language))
}

/// A standalone page.
fn page_source<'a>(site: &'a Site, p: &'a Page) -> Source<'a> {
    Source {
        kind: Kind::Page,
        date: p.date,
        lang: lang_of(site, &p.lang),
        path: root(&p.path).to_owned(),
        title: p.title.clone(),
        title_indexed: true,
        meta: Vec::new(),
        body: vec![(p.body.document(), p.body.digest)],
        tags: Vec::new(),
        authors: Vec::new(),
    }
}

/// A member's profile.
fn member_source<'a>(site: &'a Site, m: &'a Member) -> Source<'a> {
    let mut meta = vec![m.handle.as_str()];
    meta.extend(m.role.as_deref());
    meta.extend(m.location.as_deref());
    Source {
        kind: Kind::Member,
        date: None,
        lang: lang_of(site, &m.lang),
        path: root(&m.path).to_owned(),
        title: m.name.clone(),
        title_indexed: true,
        meta,
        body: vec![(Cow::Borrowed(m.bio.html.as_str()), m.bio.digest)],
        tags: Vec::new(),
        authors: Vec::new(),
    }
}

/// A participant's name: its member's, when known.
fn participant<'s>(site: &'s Site, p: &'s Participant) -> &'s str {
    p.member
        .map_or(p.name.as_str(), |m| site.members[m].name.as_str())
}

/// A curated thread, its entries' text as its body.
fn thread_source<'a>(site: &'a Site, t: &'a Thread) -> Source<'a> {
    let tags: Vec<&str> = t
        .tags
        .iter()
        .map(|&i| site.tags.terms[i].name.as_str())
        .collect();
    let mut authors: Vec<&str> = t.started_by.iter().map(|p| participant(site, p)).collect();
    // A mailing-list thread has thousands of messages by hundreds of
    // people: looked up in a set, not in the list.
    let mut seen: rustc_hash::FxHashSet<&str> = authors.iter().copied().collect();
    for e in &t.entries {
        let n = participant(site, &e.by);
        if seen.insert(n) {
            authors.push(n);
        }
    }
    let mut meta = tags.clone();
    meta.extend(t.origin.as_ref().map(|o| o.name.as_str()));
    for a in &authors {
        if !meta.contains(a) {
            meta.push(a);
        }
    }
    // Entries' text is hashed here: threads are few.
    let mut body = vec![(Cow::Borrowed(t.intro.html.as_str()), t.intro.digest)];
    body.extend(
        t.entries
            .iter()
            .map(|e| (Cow::Borrowed(e.text.as_str()), crate::digest::of(&e.text))),
    );
    Source {
        kind: Kind::Thread,
        date: Some(t.date),
        lang: lang_of(site, &t.lang),
        path: root(&t.path).to_owned(),
        title: t.title.clone(),
        title_indexed: true,
        meta,
        body,
        tags,
        authors,
    }
}

/// What the documents of the index are made from: a post (with its
/// comments), a page, a member or a thread of the site.
#[derive(Clone, Copy)]
pub enum Unit<'a> {
    Post(&'a Post),
    Page(&'a Page),
    Member(&'a Member),
    Thread(&'a Thread),
}

/// Every unit of `site`.
pub fn units(site: &Site) -> Vec<Unit<'_>> {
    let mut out = Vec::with_capacity(
        site.posts.len() + site.pages.len() + site.members.len() + site.threads.len(),
    );
    out.extend(site.posts.iter().map(Unit::Post));
    out.extend(site.pages.iter().map(Unit::Page));
    out.extend(site.members.iter().map(Unit::Member));
    out.extend(site.threads.iter().map(Unit::Thread));
    out
}

impl<'a> Unit<'a> {
    /// The path of its first document, which names it.
    pub fn path(self) -> &'a str {
        root(match self {
            Unit::Post(p) => &p.path,
            Unit::Page(p) => &p.path,
            Unit::Member(m) => &m.path,
            Unit::Thread(t) => &t.path,
        })
    }

    /// The date of its first document.
    pub fn date(self) -> Option<Date> {
        match self {
            Unit::Post(p) => Some(p.date),
            Unit::Page(p) => p.date,
            Unit::Member(_) => None,
            Unit::Thread(t) => Some(t.date),
        }
    }

    /// Its documents.
    pub fn sources(self, site: &'a Site) -> Vec<Source<'a>> {
        match self {
            Unit::Post(p) => post_sources(site, p),
            Unit::Page(p) => vec![page_source(site, p)],
            Unit::Member(m) => vec![member_source(site, m)],
            Unit::Thread(t) => vec![thread_source(site, t)],
        }
    }

    /// Its own document: a post without its comments.
    pub fn own_source(self, site: &'a Site) -> Source<'a> {
        match self {
            Unit::Post(p) => post_source(site, p),
            Unit::Page(p) => page_source(site, p),
            Unit::Member(m) => member_source(site, m),
            Unit::Thread(t) => thread_source(site, t),
        }
    }

    /// How many documents it has.
    pub fn documents(self) -> usize {
        match self {
            Unit::Post(p) => 1 + p.visible_comments().len(),
            _ => 1,
        }
    }

    /// A hash of everything its documents are made from, taken without
    /// making them (watch mode takes it of every unit after each link):
    /// it reads what the `*_source` functions above read, names resolved.
    pub fn fingerprint(self, site: &Site) -> u64 {
        let mut h = Digest::new();
        match self {
            Unit::Post(p) => {
                h.n(0)
                    .str(&p.path)
                    .str(&p.title)
                    .n(lang_of(site, &p.lang).into());
                date(&mut h, Some(p.date));
                let tags = p.tags.iter().map(|&t| &site.tags.terms[t].name);
                let categories = p.categories.iter().map(|&t| &site.categories.terms[t].name);
                h.n(p.tags.len() as u64).n(p.categories.len() as u64);
                for name in tags.chain(categories) {
                    h.str(name);
                }
                h.n(p.authors.len() as u64);
                for &a in &p.authors {
                    h.str(&site.members[a].name).str(&site.members[a].handle);
                }
                h.n(p.body.digest);
                let comments = p.visible_comments();
                h.n(comments.len() as u64);
                for c in comments {
                    let author = c
                        .member
                        .map_or(c.author.as_str(), |m| &site.members[m].name);
                    h.str(&c.id).str(author).n(c.body.digest());
                    date(&mut h, Some(c.date));
                }
            }
            Unit::Page(p) => {
                h.n(1)
                    .str(&p.path)
                    .str(&p.title)
                    .n(lang_of(site, &p.lang).into());
                date(&mut h, p.date);
                h.n(p.body.digest);
            }
            Unit::Member(m) => {
                h.n(2)
                    .str(&m.path)
                    .str(&m.name)
                    .n(lang_of(site, &m.lang).into());
                h.str(&m.handle);
                for field in [&m.role, &m.location] {
                    h.n(field.is_some() as u64)
                        .str(field.as_deref().unwrap_or(""));
                }
                h.n(m.bio.digest);
            }
            Unit::Thread(t) => {
                h.n(3)
                    .str(&t.path)
                    .str(&t.title)
                    .n(lang_of(site, &t.lang).into());
                date(&mut h, Some(t.date));
                h.n(t.tags.len() as u64);
                for &i in &t.tags {
                    h.str(&site.tags.terms[i].name);
                }
                h.n(t.started_by.is_some() as u64);
                if let Some(p) = &t.started_by {
                    h.str(participant(site, p));
                }
                h.n(t.origin.is_some() as u64);
                if let Some(o) = &t.origin {
                    h.str(&o.name);
                }
                h.n(t.intro.digest).n(t.entries.len() as u64);
                for e in &t.entries {
                    h.str(participant(site, &e.by)).str(&e.text);
                }
            }
        }
        h.done()
    }
}

/// Adds a date, to the nanosecond and with its offset, to `h`.
fn date(h: &mut Digest, d: Option<Date>) {
    h.n(d.is_some() as u64);
    if let Some(d) = d {
        h.n(d.timestamp() as u64)
            .n(d.timestamp_subsec_nanos().into())
            .n(d.offset().local_minus_utc() as u64);
    }
}
