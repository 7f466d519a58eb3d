//! The documents of a site as the index reads them: posts, their visible
//! comments, pages, members and threads, each with its fields and what
//! the filters need (tags, authors, date).

use rayon::prelude::*;

use super::stem::lang_id;
use super::Kind;
use crate::date::Date;
use crate::digest::Digest;
use crate::model::{Participant, Post, Site};

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
    pub body: Vec<(&'a str, u64)>,
    /// Tag names, for the tag filter.
    pub tags: Vec<&'a str>,
    /// Author names, for the author filter.
    pub authors: Vec<&'a str>,
}

/// A hash of everything a source gives its document.
pub fn fingerprint(src: &Source) -> u64 {
    let mut h = Digest::new();
    h.str(src.kind.name())
        .n(src.date.is_some() as u64)
        .n(src.lang.into());
    if let Some(d) = src.date {
        h.n(d.timestamp() as u64)
            .n(d.timestamp_subsec_nanos().into())
            .n(d.offset().local_minus_utc() as u64);
    }
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

/// Every document of `site` in id order.
pub fn sorted_sources(site: &Site) -> Vec<Source<'_>> {
    let mut sources = sources(site);
    sources.par_sort_by(|a, b| (a.date, &a.path).cmp(&(b.date, &b.path)));
    sources
}

/// A post and its visible comments.
pub fn post_sources<'a>(site: &'a Site, p: &'a Post) -> Vec<Source<'a>> {
    let root = p.path.trim_start_matches('/');
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
    // Comments are read in their post's language.
    let lang = lang_id(p.lang.as_deref().unwrap_or(&site.config.language));
    let mut out = Vec::with_capacity(1 + p.visible_comments().len());
    out.push(Source {
        kind: Kind::Post,
        date: Some(p.date),
        lang,
        path: root.to_owned(),
        title: p.title.clone(),
        title_indexed: true,
        meta,
        body: vec![(&p.body.html, p.body.digest)],
        tags,
        authors,
    });
    for c in p.visible_comments() {
        let author = c
            .member
            .map_or(c.author.as_str(), |m| &site.members[m].name);
        out.push(Source {
            kind: Kind::Comment,
            date: Some(c.date),
            lang,
            path: format!("{root}#{}", crate::model::comment_anchor(&c.id)),
            title: format!("{author} on {}", p.title),
            title_indexed: false,
            meta: vec![author],
            body: vec![(&c.body, c.body.digest())],
            tags: Vec::new(),
            authors: vec![author],
        });
    }
    out
}

/// Every document of the site, in no particular order.
pub fn sources(site: &Site) -> Vec<Source<'_>> {
    // Posts and their comments are most of a site: made in parallel.
    let mut out: Vec<Source> = site
        .posts
        .par_iter()
        .flat_map_iter(|p| post_sources(site, p))
        .collect();
    let root = |p: &str| p.trim_start_matches('/').to_owned();
    let lang_of = |own: &Option<String>| lang_id(own.as_deref().unwrap_or(&site.config.language));
    for p in &site.pages {
        out.push(Source {
            kind: Kind::Page,
            date: p.date,
            lang: lang_of(&p.lang),
            path: root(&p.path),
            title: p.title.clone(),
            title_indexed: true,
            meta: Vec::new(),
            body: vec![(&p.body.html, p.body.digest)],
            tags: Vec::new(),
            authors: Vec::new(),
        });
    }
    for m in &site.members {
        let mut meta = vec![m.handle.as_str()];
        meta.extend(m.role.as_deref());
        meta.extend(m.location.as_deref());
        out.push(Source {
            kind: Kind::Member,
            date: None,
            lang: lang_of(&m.lang),
            path: root(&m.path),
            title: m.name.clone(),
            title_indexed: true,
            meta,
            body: vec![(&m.bio.html, m.bio.digest)],
            tags: Vec::new(),
            authors: Vec::new(),
        });
    }
    for t in &site.threads {
        fn name<'s>(site: &'s Site, p: &'s Participant) -> &'s str {
            p.member
                .map_or(p.name.as_str(), |m| site.members[m].name.as_str())
        }
        let tags: Vec<&str> = t
            .tags
            .iter()
            .map(|&i| site.tags.terms[i].name.as_str())
            .collect();
        let mut authors: Vec<&str> = t.started_by.iter().map(|p| name(site, p)).collect();
        for e in &t.entries {
            let n = name(site, &e.by);
            if !authors.contains(&n) {
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
        let mut body = vec![(t.intro.html.as_str(), t.intro.digest)];
        body.extend(
            t.entries
                .iter()
                .map(|e| (e.text.as_str(), crate::digest::of(&e.text))),
        );
        out.push(Source {
            kind: Kind::Thread,
            date: Some(t.date),
            lang: lang_of(&t.lang),
            path: root(&t.path),
            title: t.title.clone(),
            title_indexed: true,
            meta,
            body,
            tags,
            authors,
        });
    }
    out
}
