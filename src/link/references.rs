//! Wikilinks and backlinks.
//!
//! Markdown was rendered before every page was known, so wikilinks hold
//! placeholders. Here each one is resolved to a URL and a title (or
//! reported with its file and line), and every wikilink, mention and
//! internal link becomes a backlink on the page it points at.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::Diagnostics;
use crate::markdown::{resolve_placeholders, RefKind, Reference, Rendered};
use crate::model::*;
use crate::slug::term_key;

/// What a link can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Post(PostIdx),
    Page(PageIdx),
    Thread(ThreadIdx),
    Member(MemberIdx),
    Term(TaxonomyKind, TermIdx),
}

/// Every name a wikilink or internal link can use, borrowed from the
/// site (a relink in watch mode builds this for every edit).
struct Lookup<'a> {
    posts: FxHashMap<&'a str, PostIdx>,
    pages: FxHashMap<&'a str, PageIdx>,
    threads: FxHashMap<&'a str, ThreadIdx>,
    members: &'a FxHashMap<String, MemberIdx>,
    tags: FxHashMap<String, TermIdx>,
    categories: FxHashMap<String, TermIdx>,
    /// Root paths of posts, threads and members, for plain links.
    by_path: FxHashMap<&'a str, Target>,
    /// Posts held back until their date, by slug (index in `site.scheduled`).
    scheduled: FxHashMap<&'a str, usize>,
}

impl<'a> Lookup<'a> {
    fn new(site: &'a Site) -> Self {
        let mut by_path = FxHashMap::default();
        by_path.reserve(site.posts.len() + site.threads.len() + site.members.len());
        for (i, p) in site.posts.iter().enumerate() {
            by_path.insert(p.path.as_str(), Target::Post(i));
        }
        for (i, t) in site.threads.iter().enumerate() {
            by_path.insert(t.path.as_str(), Target::Thread(i));
        }
        for (i, m) in site.members.iter().enumerate() {
            by_path.insert(m.path.as_str(), Target::Member(i));
        }
        Lookup {
            posts: index(site.posts.iter().map(|p| p.slug.as_str())),
            pages: index(site.pages.iter().map(|p| p.slug.as_str())),
            threads: index(site.threads.iter().map(|t| t.slug.as_str())),
            members: &site.member_by_handle,
            tags: index(site.tags.terms.iter().map(|t| term_key(&t.name))),
            categories: index(site.categories.terms.iter().map(|t| term_key(&t.name))),
            by_path,
            scheduled: index(site.scheduled.iter().map(|s| s.slug.as_str())),
        }
    }

    /// The held-back post `[[target]]` names, when it names one.
    fn scheduled(&self, target: &str) -> Option<usize> {
        let slug = match target.split_once('/') {
            Some(("posts", s)) => s,
            Some(_) => return None,
            None => target,
        };
        self.scheduled.get(slug).copied()
    }

    /// The target of `[[target]]`.
    fn wiki(&self, target: &str) -> Option<Target> {
        match target.split_once('/') {
            Some(("members", h)) => self.members.get(h).map(|&i| Target::Member(i)),
            Some(("threads", s)) => self.threads.get(s).map(|&i| Target::Thread(i)),
            Some(("posts", s)) => self.posts.get(s).map(|&i| Target::Post(i)),
            Some(("pages", s)) => self.pages.get(s).map(|&i| Target::Page(i)),
            Some(("tags", n)) => self
                .tags
                .get(&term_key(n))
                .map(|&i| Target::Term(TaxonomyKind::Tags, i)),
            Some(("categories", n)) => self
                .categories
                .get(&term_key(n))
                .map(|&i| Target::Term(TaxonomyKind::Categories, i)),
            Some(_) => None,
            None => self
                .posts
                .get(target)
                .map(|&i| Target::Post(i))
                .or_else(|| self.pages.get(target).map(|&i| Target::Page(i))),
        }
    }

    /// The post, thread or member a root path (`/posts/x/#c`) points at.
    fn path(&self, path: &str) -> Option<Target> {
        // Bytes, not a pattern of chars: every link of every post comes
        // through here on each relink.
        let end = path.bytes().position(|b| b == b'#' || b == b'?');
        let path = &path[..end.unwrap_or(path.len())];
        if let Some(&t) = self.by_path.get(path) {
            return Some(t);
        }
        self.by_path
            .get(format!("{}/", path.trim_end_matches('/')).as_str())
            .copied()
    }
}

/// Each name's first index.
fn index<K: Eq + std::hash::Hash>(names: impl Iterator<Item = K>) -> FxHashMap<K, usize> {
    let mut map = FxHashMap::default();
    for (i, n) in names.enumerate() {
        map.entry(n).or_insert(i);
    }
    map
}

/// The root path and title of a target.
fn describe(site: &Site, t: Target) -> (String, String) {
    match t {
        Target::Post(i) => (site.posts[i].path.clone(), site.posts[i].title.clone()),
        Target::Page(i) => (site.pages[i].path.clone(), site.pages[i].title.clone()),
        Target::Thread(i) => (site.threads[i].path.clone(), site.threads[i].title.clone()),
        Target::Member(i) => (site.members[i].path.clone(), site.members[i].name.clone()),
        Target::Term(kind, i) => {
            let term = &site.taxonomy(kind).terms[i];
            (term.path.clone(), term.name.clone())
        }
    }
}

/// Resolves the references of one document. Returns the (url, title) of
/// each wikilink by placeholder number, records backlinks, and reports
/// wikilinks that point at nothing.
fn resolve_refs(
    site: &Site,
    lookup: &Lookup,
    from: Doc,
    source: &Path,
    refs: &[Reference],
    backlinks: &mut Vec<(Target, Doc)>,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    let mut table = Vec::with_capacity(refs.len());
    for r in refs {
        let resolved = match &r.kind {
            RefKind::Wiki { target, anchor } => match lookup.wiki(target) {
                // A link to a post waiting for its date points where the
                // post will be: the site still builds, with a warning.
                None if lookup.scheduled(target).is_some() => {
                    let waiting = lookup.scheduled(target).map(|i| &site.scheduled[i]);
                    scheduled_link(source, r, target, anchor.as_deref(), waiting, site, diags)
                }
                Some(t) => {
                    backlinks.push((t, from));
                    let (path, title) = describe(site, t);
                    let url = match anchor {
                        Some(a) => format!("{}#{a}", site.config.url(&path)),
                        None => site.config.url(&path),
                    };
                    (url, title)
                }
                None => {
                    diags.push(
                        r.error(source, format!("[[{target}]] links to nothing"))
                            .with_help("expected a post slug, or members/<handle>, threads/<slug>, tags/<name>, categories/<name>, pages/<slug>"),
                    );
                    (String::new(), target.clone())
                }
            },
            RefKind::Mention(handle) => {
                if let Some(&m) = lookup.members.get(handle) {
                    backlinks.push((Target::Member(m), from));
                }
                (String::new(), String::new())
            }
            RefKind::Link(path) => {
                if let Some(t) = lookup.path(path) {
                    backlinks.push((t, from));
                }
                (String::new(), String::new())
            }
        };
        table.push(resolved);
    }
    table
}

/// The (url, title) of a wikilink to a post held back until its date,
/// with a warning at the link.
fn scheduled_link(
    source: &Path,
    at: &Reference,
    target: &str,
    anchor: Option<&str>,
    post: Option<&Scheduled>,
    site: &Site,
    diags: &mut Diagnostics,
) -> (String, String) {
    let Some(post) = post else {
        return (String::new(), target.to_owned());
    };
    diags.push(at.warning(
        source,
        format!("[[{target}]]: {}", super::scheduled_note(&post.slug, post)),
    ));
    let url = site.config.url(&post.path);
    match anchor {
        Some(a) => (format!("{url}#{a}"), post.title.clone()),
        None => (url, post.title.clone()),
    }
}

fn has_wiki(refs: &[Reference]) -> bool {
    refs.iter().any(|r| matches!(r.kind, RefKind::Wiki { .. }))
}

fn fill(html: &str, table: &[(String, String)]) -> String {
    resolve_placeholders(
        html,
        |n| table.get(n).map(|t| t.0.clone()).unwrap_or_default(),
        |n| table.get(n).map(|t| t.1.clone()).unwrap_or_default(),
    )
}

/// Post `i`'s new `body` with its wikilinks resolved against `site`. For a
/// body whose references are those the post had when `site` was linked, so
/// backlinks and diagnostics stay as they are.
pub fn resolve_post_body(site: &Site, i: PostIdx, body: &Arc<Rendered>) -> Arc<Rendered> {
    if !has_wiki(&body.refs) {
        return body.clone();
    }
    let lookup = Lookup::new(site);
    let table = resolve_refs(
        site,
        &lookup,
        Doc::Post(i),
        &site.posts[i].source,
        &body.refs,
        &mut Vec::new(),
        &mut Diagnostics::new(),
    );
    let mut resolved = (**body).clone();
    resolved.set_html(fill(&body.document(), &table));
    resolved.summary = fill(&body.summary, &table);
    Arc::new(resolved)
}

/// The text of each entry of thread `i` from `entries` (the thread parsed
/// again), its wikilinks resolved against `site`. For entries whose
/// references are those the thread had when `site` was linked, so
/// backlinks and diagnostics stay as they are.
pub fn resolve_thread_entries(
    site: &Site,
    i: ThreadIdx,
    entries: &[crate::parse::ParsedEntry],
) -> Vec<String> {
    if !entries.iter().any(|e| has_wiki(&e.refs)) {
        return entries.iter().map(|e| e.text.clone()).collect();
    }
    let lookup = Lookup::new(site);
    let source = &site.threads[i].source;
    entries
        .iter()
        .map(|e| {
            if !has_wiki(&e.refs) {
                return e.text.clone();
            }
            let table = resolve_refs(
                site,
                &lookup,
                Doc::Thread(i),
                source,
                &e.refs,
                &mut Vec::new(),
                &mut Diagnostics::new(),
            );
            fill(&e.text, &table)
        })
        .collect()
}

/// Resolves every wikilink of the site and fills in backlinks.
/// `previous`, the same site linked before an edit, lends its backlinks
/// when they cannot have changed ([`same_backlinks`]).
pub fn resolve(site: &mut Site, previous: Option<&Site>, diags: &mut Diagnostics) {
    if let Some(old) = previous.filter(|old| same_backlinks(old, site)) {
        lend_backlinks(old, site);
        return;
    }
    let lookup = Lookup::new(site);
    let mut backlinks = Vec::new();
    // Resolve against the immutable site first, then write the results.
    // Posts are most of the work: resolved in parallel, merged in order so
    // backlinks and diagnostics come out as a sequential pass gives them.
    type Resolved = (Option<(String, String)>, Vec<(Target, Doc)>, Diagnostics);
    let resolved: Vec<Resolved> = site
        .posts
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let (mut links, mut found) = (Vec::new(), Diagnostics::new());
            let table = resolve_refs(
                site,
                &lookup,
                Doc::Post(i),
                &p.source,
                &p.body.refs,
                &mut links,
                &mut found,
            );
            let filled = has_wiki(&p.body.refs).then(|| {
                (
                    fill(&p.body.document(), &table),
                    fill(&p.body.summary, &table),
                )
            });
            (filled, links, found)
        })
        .collect();
    let mut posts = Vec::new();
    for (i, (filled, links, found)) in resolved.into_iter().enumerate() {
        backlinks.extend(links);
        diags.extend(found.iter().cloned());
        if let Some((html, summary)) = filled {
            posts.push((i, html, summary));
        }
    }
    let mut pages = Vec::new();
    for (i, p) in site.pages.iter().enumerate() {
        let table = resolve_refs(
            site,
            &lookup,
            Doc::Page(i),
            &p.source,
            &p.body.refs,
            &mut backlinks,
            diags,
        );
        if has_wiki(&p.body.refs) {
            pages.push((i, fill(&p.body.html, &table)));
        }
    }
    let mut members = Vec::new();
    for (i, m) in site.members.iter().enumerate() {
        let table = resolve_refs(
            site,
            &lookup,
            Doc::Member(i),
            &m.source,
            &m.bio.refs,
            &mut backlinks,
            diags,
        );
        if has_wiki(&m.bio.refs) {
            members.push((i, fill(&m.bio.html, &table)));
        }
    }
    let mut threads = Vec::new();
    for (i, t) in site.threads.iter().enumerate() {
        let doc = Doc::Thread(i);
        let table = resolve_refs(
            site,
            &lookup,
            doc,
            &t.source,
            &t.intro.refs,
            &mut backlinks,
            diags,
        );
        let intro = has_wiki(&t.intro.refs).then(|| fill(&t.intro.html, &table));
        let mut entries = Vec::new();
        for (e, entry) in t.entries.iter().enumerate() {
            let table = resolve_refs(
                site,
                &lookup,
                doc,
                &t.source,
                &entry.refs,
                &mut backlinks,
                diags,
            );
            if has_wiki(&entry.refs) {
                entries.push((e, fill(&entry.text, &table)));
            }
        }
        threads.push((i, intro, entries));
    }
    for (i, html, summary) in posts {
        let body = &mut site.posts[i].body;
        *body = Arc::new(with_html(body, html, Some(summary)));
    }
    for (i, html) in pages {
        let body = &mut site.pages[i].body;
        *body = Arc::new(with_html(body, html, None));
    }
    for (i, html) in members {
        let bio = &mut site.members[i].bio;
        *bio = Arc::new(with_html(bio, html, None));
    }
    for (i, intro, entries) in threads {
        if let Some(intro) = intro {
            let old = &mut site.threads[i].intro;
            *old = Arc::new(with_html(old, intro, None));
        }
        for (e, text) in entries {
            site.threads[i].entries[e].text = text;
        }
    }
    set_backlinks(site, backlinks);
}

/// Whether resolving `site` would give the backlinks `old` has, and
/// nothing else: no document holds a wikilink (whose text, title and
/// diagnostics read every name of the site), and every document sits at
/// the index it had, with the same date and the same mentions and links,
/// among the same root paths and handles they resolve against. A title
/// or a tag edit leaves all of that as it was.
fn same_backlinks(old: &Site, site: &Site) -> bool {
    fn same(a: &Rendered, b: &Rendered) -> bool {
        same_targets(&a.refs, &b.refs)
    }
    let posts = old.posts.len() == site.posts.len()
        && site.posts.iter().zip(&old.posts).all(|(p, o)| {
            !has_wiki(&p.body.refs)
                && p.path == o.path
                && p.date == o.date
                && (Arc::ptr_eq(&p.body, &o.body) || same(&p.body, &o.body))
        });
    let pages =
        old.pages.len() == site.pages.len()
            && site.pages.iter().zip(&old.pages).all(|(p, o)| {
                !has_wiki(&p.body.refs) && p.date == o.date && same(&p.body, &o.body)
            });
    let members = old.members.len() == site.members.len()
        && old.member_by_handle == site.member_by_handle
        && site
            .members
            .iter()
            .zip(&old.members)
            .all(|(m, o)| !has_wiki(&m.bio.refs) && m.path == o.path && same(&m.bio, &o.bio));
    let threads = old.threads.len() == site.threads.len()
        && site.threads.iter().zip(&old.threads).all(|(t, o)| {
            !has_wiki(&t.intro.refs)
                && t.path == o.path
                && t.date == o.date
                && same(&t.intro, &o.intro)
                && t.entries.len() == o.entries.len()
                && t.entries
                    .iter()
                    .zip(&o.entries)
                    .all(|(e, f)| !has_wiki(&e.refs) && same_targets(&e.refs, &f.refs))
        });
    posts && pages && members && threads
}

/// The same references to the same targets, in order (where in the file
/// they are written does not count).
fn same_targets(a: &[Reference], b: &[Reference]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.kind == y.kind)
}

/// Gives each post, thread and member of `site` the backlinks it has in
/// `old`, where [`same_backlinks`] holds.
fn lend_backlinks(old: &Site, site: &mut Site) {
    for (p, o) in site.posts.iter_mut().zip(&old.posts) {
        p.backlinks.clone_from(&o.backlinks);
    }
    for (t, o) in site.threads.iter_mut().zip(&old.threads) {
        t.backlinks.clone_from(&o.backlinks);
    }
    for (m, o) in site.members.iter_mut().zip(&old.members) {
        m.backlinks.clone_from(&o.backlinks);
    }
}

/// `old` with its wikilinks resolved: `html`, and `summary` when given.
/// Built anew rather than through `Arc::make_mut`: the parsed file still
/// shares `old` while the site is linked, and making it unique would
/// copy its whole HTML only to replace it.
fn with_html(old: &Rendered, html: String, summary: Option<String>) -> Rendered {
    let Rendered {
        html: _,
        spilled: _,
        digest: _,
        summary: old_summary,
        has_more,
        toc,
        word_count,
        cjk_chars,
        refs,
        image,
    } = old;
    let mut new = Rendered {
        html: String::new(),
        spilled: None,
        digest: 0,
        summary: summary.unwrap_or_else(|| old_summary.clone()),
        has_more: *has_more,
        toc: toc.clone(),
        word_count: *word_count,
        cjk_chars: *cjk_chars,
        refs: refs.clone(),
        image: image.clone(),
    };
    new.set_html(crate::parse::fitted(html));
    new
}

/// Stores each target's distinct linking pages, newest first.
fn set_backlinks(site: &mut Site, mut links: Vec<(Target, Doc)>) {
    let date = |site: &Site, d: Doc| match d {
        Doc::Post(i) => Some(site.posts[i].date),
        Doc::Thread(i) => Some(site.threads[i].date),
        Doc::Page(i) => site.pages[i].date,
        Doc::Member(_) => None,
    };
    links.retain(|(t, d)| match (t, d) {
        // A page linking to itself is no backlink.
        (Target::Post(a), Doc::Post(b))
        | (Target::Thread(a), Doc::Thread(b))
        | (Target::Member(a), Doc::Member(b)) => a != b,
        _ => true,
    });
    links.sort_by_key(|l| std::cmp::Reverse(date(site, l.1)));
    for (t, d) in links {
        let list = match t {
            Target::Post(i) => &mut site.posts[i].backlinks,
            Target::Thread(i) => &mut site.threads[i].backlinks,
            Target::Member(i) => &mut site.members[i].backlinks,
            Target::Page(_) | Target::Term(..) => continue,
        };
        if !list.contains(&d) {
            list.push(d);
        }
    }
}
