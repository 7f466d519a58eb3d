//! Linking: parsed records in, the indexed [`Site`] out.
//!
//! Resolves author handles, comment authors, thread participants, related
//! posts and taxonomy terms; builds the archives and each member's list of
//! posts and comments. Every name that resolves to nothing is a diagnostic
//! with the file and line it was written on. All lookups go through hash
//! maps built once, so linking stays linear in the size of the site.

mod listings;
mod people;
mod references;
mod related;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::parse::{
    ParsedComments, ParsedMember, ParsedPage, ParsedPost, ParsedTermPage, ParsedThread,
};
use crate::slug::{slugify, term_key};
use listings::{archive, describe_terms, TermBuilder};
use people::People;
pub use references::{resolve_post_body, resolve_thread_entries};
use rustc_hash::FxHashMap;

/// Everything parsed, ready to link. Borrowed, so that watch mode can keep
/// its parsed files and link them again after a change.
#[derive(Debug, Default)]
pub struct Parsed<'a> {
    /// Posts, in any order.
    pub posts: Vec<&'a ParsedPost>,
    /// Members, in any order.
    pub members: Vec<&'a ParsedMember>,
    /// Threads, in any order.
    pub threads: Vec<&'a ParsedThread>,
    /// Pages, in any order.
    pub pages: Vec<&'a ParsedPage>,
    /// Comment files, in any order.
    pub comments: Vec<&'a ParsedComments>,
    /// Tag descriptions, in any order.
    pub tags: Vec<&'a ParsedTermPage>,
}

/// What a build publishes.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// Drafts too.
    pub drafts: bool,
    /// Posts dated after `now` too.
    pub future: bool,
    /// The build's moment: a post dated after it is held back.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Visibility {
    /// Whether `post` waits for its date (a draft left out is not waiting).
    fn holds_back(&self, post: &ParsedPost) -> bool {
        !self.future && post.date > self.now
    }
}

/// Links `parsed` into a site. Drafts are kept only when
/// `visibility.drafts` is set, posts dated in the future only when
/// `visibility.future` is. Rendered bodies are shared with `parsed`, not
/// copied. `previous`, the same site linked before an edit, lends what the
/// edit cannot change.
pub fn link(
    config: &Config,
    parsed: Parsed<'_>,
    visibility: &Visibility,
    previous: Option<&Site>,
    diags: &mut Diagnostics,
) -> Site {
    let Parsed {
        mut posts,
        mut members,
        mut threads,
        mut pages,
        comments,
        tags: tag_pages,
    } = parsed;
    let drafts = visibility.drafts;
    // Comment files of posts left out of this build are left out too.
    let hidden_posts: rustc_hash::FxHashSet<String> = posts
        .iter()
        .filter(|p| (p.draft && !drafts) || visibility.holds_back(p))
        .map(|p| p.slug.clone())
        .collect();
    let mut scheduled: Vec<Scheduled> = posts
        .iter()
        .filter(|p| (drafts || !p.draft) && visibility.holds_back(p))
        .map(|p| Scheduled {
            source: p.source.clone(),
            slug: p.slug.clone(),
            title: p.title.clone(),
            date: p.date,
            path: post_path(&config.post_permalink, p),
        })
        .collect();
    scheduled.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.slug.cmp(&b.slug)));
    let scheduled_by_slug: FxHashMap<&str, &Scheduled> =
        scheduled.iter().map(|s| (s.slug.as_str(), s)).collect();
    posts.retain(|p| (drafts || !p.draft) && !visibility.holds_back(p));
    threads.retain(|t| drafts || !t.draft);
    pages.retain(|p| drafts || !p.draft);
    // Newest first; slug breaks ties so the order never depends on the disk.
    posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    threads.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    members.sort_by(|a, b| a.handle.cmp(&b.handle));
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));

    let people = People::new(&members);
    let mut tags = TermBuilder::new(TaxonomyKind::Tags);
    let mut categories = TermBuilder::new(TaxonomyKind::Categories);

    // What each post is on its own (copies of its fields, its path, its
    // term keys) is built in parallel: a relink in watch mode does this for
    // every post. What ties posts together (slugs, terms) follows in order.
    // Authors are looked up here too; a handle no member has is reported
    // in post order below.
    type Own = (Post, Vec<String>, Vec<String>);
    let own: Vec<Own> = posts
        .par_iter()
        .map(|p| {
            let post = Post {
                path: post_path(&config.post_permalink, p),
                source: p.source.clone(),
                slug: p.slug.clone(),
                title: p.title.clone(),
                date: p.date,
                updated: p.updated,
                authors: p
                    .authors
                    .iter()
                    .filter_map(|h| people.by_handle.get(h).copied())
                    .collect(),
                tags: Vec::new(),
                categories: Vec::new(),
                body: p.body.clone(),
                draft: p.draft,
                comment_mode: p.comment_mode,
                aliases: p.aliases.clone(),
                comments: Arc::from([]),
                reactions: Arc::from([]),
                comments_key: 0,
                syndication: p.syndication.clone(),
                backlinks: Vec::new(),
                related: Vec::new(),
                lang: p.lang.clone(),
                extra: p.extra.clone(),
            };
            let keys = |names: &[String]| names.iter().map(|n| term_key(n)).collect();
            (post, keys(&p.tags), keys(&p.categories))
        })
        .collect();
    // Borrowed from the parsed posts: no copy of 10,000 slugs per relink.
    let mut post_by_slug: FxHashMap<&str, PostIdx> =
        FxHashMap::with_capacity_and_hasher(posts.len(), Default::default());
    let mut site_posts: Vec<Post> = Vec::with_capacity(posts.len());
    for (idx, (p, (mut post, tag_keys, category_keys))) in posts.iter().zip(own).enumerate() {
        if let Some(&other) = post_by_slug.get(p.slug.as_str()) {
            let other: &Post = &site_posts[other];
            diags.push(
                p.front_matter
                    .error(
                        &p.source,
                        "slug",
                        None,
                        format!(
                            "slug `{}` is also used by {}",
                            p.slug,
                            other.source.display()
                        ),
                    )
                    .with_help("give one of them another `slug:`"),
            );
        }
        post_by_slug.insert(&p.slug, idx);
        if post.authors.len() < p.authors.len() {
            for handle in &p.authors {
                if !people.by_handle.contains_key(handle) {
                    diags.push(unknown_member(
                        &p.front_matter,
                        &p.source,
                        "authors",
                        handle,
                        &people,
                    ));
                }
            }
        }
        let add = |terms: &mut TermBuilder, names: &[String], keys: Vec<String>| {
            let added = names
                .iter()
                .zip(keys)
                .map(|(name, key)| terms.add_post(name, key, idx))
                .collect();
            dedup(added)
        };
        post.tags = add(&mut tags, &p.tags, tag_keys);
        post.categories = add(&mut categories, &p.categories, category_keys);
        site_posts.push(post);
    }

    // Held comments are in no page, but a build says how many wait, and a
    // thread entry quoting one is told apart from a broken reference.
    let mut held = crate::moderation::Held::default();
    let mut held_refs = std::collections::HashSet::new();
    for file in &comments {
        held.add(file.held);
        for id in &file.held_ids {
            held_refs.insert((file.post_slug.as_str(), id.as_str()));
        }
    }
    // Comment files are independent: linked in parallel (most of a large
    // site's names to look up are commenters'), reported in file order.
    // A comment file linked before an edit, among the same members, links
    // to the same comments: the previous site's lists are shared instead
    // of looking up every commenter's name again.
    let people_key = people.key();
    let previous_comments = previous.map(|site| (site, site.posts_by_comments_key()));
    type Comments = (PostIdx, Arc<[Comment]>, Arc<[Reaction]>, u64);
    type Linked = (Option<Comments>, Vec<Diagnostic>);
    let linked: Vec<Linked> =
        comments
            .par_iter()
            .filter(|file| !hidden_posts.contains(&file.post_slug))
            .map(|file| {
                let mut found = file.warnings.clone();
                let Some(&post) = post_by_slug.get(file.post_slug.as_str()) else {
                    found.push(
                        Diagnostic::error(
                            &file.source,
                            None,
                            format!("no post has the slug `{}`", file.post_slug),
                        )
                        .with_help("a comment file is named after the slug of its post"),
                    );
                    return (None, found);
                };
                // Never 0, which marks a post without a file.
                let key = crate::digest::Digest::new()
                    .n(file.digest)
                    .n(people_key)
                    .done()
                    .max(1);
                let before = previous_comments
                    .as_ref()
                    .and_then(|(site, by_key)| Some(&site.posts[*by_key.get(&key)?]));
                if let Some(before) = before {
                    let (comments, reactions) = (before.comments.clone(), before.reactions.clone());
                    return (Some((post, comments, reactions, key)), found);
                }
                let mut member_of =
                    |handle: &Option<String>, author: &str, id: &str, position| match handle {
                        Some(handle) => {
                            let m = people.by_handle.get(handle).copied();
                            if m.is_none() {
                                found.push(Diagnostic::error(
                            &file.source,
                            position,
                            format!("comment `{id}` names member `{handle}`, who has no profile"),
                        ));
                            }
                            m
                        }
                        None => people.find(author),
                    };
                let list = file
                    .comments
                    .iter()
                    .map(|c| Comment {
                        id: c.id.clone(),
                        parent: c.parent,
                        author: c.author.clone(),
                        member: member_of(&c.member, &c.author, &c.id, c.position),
                        url: c.url.clone(),
                        date: c.date,
                        body: c.body.clone(),
                        source: c.source,
                        source_url: c.source_url.clone(),
                    })
                    .collect();
                let reactions = file
                    .reactions
                    .iter()
                    .map(|r| Reaction {
                        id: r.id.clone(),
                        kind: r.kind,
                        author: r.author.clone(),
                        member: member_of(&r.member, &r.author, &r.id, r.position),
                        url: r.url.clone(),
                        date: r.date,
                        source: r.source,
                        source_url: r.source_url.clone(),
                    })
                    .collect();
                (Some((post, list, reactions, key)), found)
            })
            .collect();
    for (comments, found) in linked {
        diags.extend(found);
        if let Some((post, list, reactions, key)) = comments {
            site_posts[post].comments = list;
            site_posts[post].reactions = reactions;
            site_posts[post].comments_key = key;
        }
    }

    let mut site_threads = Vec::with_capacity(threads.len());
    for (idx, t) in threads.into_iter().enumerate() {
        let mut related = Vec::new();
        for slug in &t.related {
            match post_by_slug.get(slug.as_str()) {
                Some(&p) => related.push(p),
                None if scheduled_by_slug.contains_key(slug.as_str()) => {
                    let note = scheduled_note(slug, scheduled_by_slug[slug.as_str()]);
                    let mut d = t.front_matter.error(&t.source, "related", Some(slug), note);
                    d.severity = crate::error::Severity::Warning;
                    diags.push(d);
                }
                None => diags.push(t.front_matter.error(
                    &t.source,
                    "related",
                    Some(slug),
                    format!("no post has the slug `{slug}`"),
                )),
            }
        }
        let thread_tags = t
            .tags
            .iter()
            .map(|name| tags.add_thread(name, idx))
            .collect();
        let entries: Vec<Entry> = t
                .entries
                .iter()
                .map(|e| {
                    let quote = e.comment.as_deref().and_then(|reference| {
                        let found = find_comment(&site_posts, &post_by_slug, reference);
                        let (slug, id) = reference.split_once('#').map_or(("", ""), |(s, i)| (s.trim(), i.trim()));
                        if found.is_none() && held_refs.contains(&(slug, id)) {
                            diags.push(Diagnostic::warning(
                                &t.source,
                                Some(crate::error::Position::new(e.line, 1)),
                                format!("entry `{}` quotes comment `{reference}`, which is not approved (its status keeps it off the site); the entry is shown without it", e.id),
                            ));
                        } else if let (None, Some(waiting)) = (found, scheduled_by_slug.get(slug)) {
                            diags.push(Diagnostic::warning(
                                &t.source,
                                Some(crate::error::Position::new(e.line, 1)),
                                format!("entry `{}` quotes a comment of a scheduled post: {}", e.id, scheduled_note(slug, waiting)),
                            ));
                        } else if found.is_none() {
                            diags.push(
                                Diagnostic::error(&t.source, Some(crate::error::Position::new(e.line, 1)), format!("entry `{}` quotes comment `{reference}`, which does not exist", e.id))
                                    .with_help("expected `comment: <post-slug>#<comment-id>` naming a comment in content/comments/<post-slug>.yaml"),
                            );
                        }
                        found
                    });
                    // A quoting entry speaks with the comment's voice
                    // unless the curator says otherwise.
                    let by = match (&e.by, quote) {
                        (Some(name), _) => people.participant(name),
                        (None, Some((p, c))) => {
                            let c = &site_posts[p].comments[c];
                            Participant { name: c.author.clone(), member: c.member }
                        }
                        (None, None) => people.participant("anonymous"),
                    };
                    let date = e.date.or_else(|| quote.map(|(p, c)| site_posts[p].comments[c].date));
                    Entry {
                        by,
                        id: e.id.clone(),
                        parent: e.parent,
                        date,
                        text: e.text.clone(),
                        refs: e.refs.clone(),
                        quote,
                        url: e.url.clone(),
                    }
                })
                .collect();
        let parents: Vec<Option<usize>> = entries.iter().map(|e| e.parent).collect();
        site_threads.push(Thread {
            entry_pages: crate::tree::pages(&parents, config.paginate_entries),
            path: format!("/threads/{}/", t.slug),
            source: t.source.clone(),
            slug: t.slug.clone(),
            title: t.title.clone(),
            date: t.date,
            tags: dedup(thread_tags),
            started_by: t.started_by.as_deref().map(|n| people.participant(n)),
            origin: t.origin.clone(),
            related,
            intro: t.intro.clone(),
            entries,
            backlinks: Vec::new(),
            lang: t.lang.clone(),
        });
    }

    let (mut tags, tag_remap) = tags.finish();
    describe_terms(&mut tags, &tag_pages, diags);
    let (categories, category_remap) = categories.finish();
    for p in &mut site_posts {
        p.tags.iter_mut().for_each(|t| *t = tag_remap[*t]);
        p.categories
            .iter_mut()
            .for_each(|t| *t = category_remap[*t]);
    }
    for t in &mut site_threads {
        t.tags.iter_mut().for_each(|x| *x = tag_remap[*x]);
    }

    let mut site_members: Vec<Member> = members
        .into_iter()
        .map(|m| Member {
            path: format!("/members/{}/", m.handle),
            source: m.source.clone(),
            handle: m.handle.clone(),
            name: m.name.clone(),
            role: m.role.clone(),
            location: m.location.clone(),
            links: m.links.clone(),
            aka: m.aka.clone(),
            avatar: m.avatar.clone(),
            bio: m.bio.clone(),
            posts: Vec::new(),
            comments: Vec::new(),
            entries: Vec::new(),
            backlinks: Vec::new(),
            talks_with: Vec::new(),
            lang: m.lang.clone(),
            extra: m.extra.clone(),
        })
        .collect();
    for (idx, p) in site_posts.iter().enumerate() {
        for &a in &p.authors {
            site_members[a].posts.push(idx);
        }
        for (ci, c) in p.visible_comments().iter().enumerate() {
            if let Some(m) = c.member {
                site_members[m].comments.push((idx, ci));
            }
        }
    }
    for m in &mut site_members {
        m.posts.dedup();
        m.comments.sort_by(|a, b| {
            site_posts[b.0].comments[b.1]
                .date
                .cmp(&site_posts[a.0].comments[a.1].date)
        });
    }

    let site_pages = pages
        .into_iter()
        .map(|p| Page {
            path: format!("/{}/", p.slug),
            source: p.source.clone(),
            slug: p.slug.clone(),
            title: p.title.clone(),
            date: p.date,
            body: p.body.clone(),
            aliases: p.aliases.clone(),
            lang: p.lang.clone(),
            extra: p.extra.clone(),
        })
        .collect();

    let mut site = Site {
        archive: archive(&site_posts),
        member_by_handle: people.by_handle,
        config: config.clone(),
        posts: site_posts,
        members: site_members,
        threads: site_threads,
        pages: site_pages,
        tags,
        categories,
        scheduled,
        held,
    };
    references::resolve(&mut site, previous, diags);
    related::fill(&mut site, previous);
    for (t, thread) in site.threads.iter().enumerate() {
        for (e, entry) in thread.entries.iter().enumerate() {
            if let Some(m) = entry.by.member {
                site.members[m].entries.push((t, e));
            }
        }
    }
    for (m, talks) in people::talks_with(&site, 5).into_iter().enumerate() {
        site.members[m].talks_with = talks;
    }
    site
}

/// Says that `slug` names a post held back until its date, and what that
/// means for a link to it.
pub fn scheduled_note(slug: &str, post: &Scheduled) -> String {
    format!(
        "`{slug}` is a scheduled post, held back until {} (build with --future to include it); until a build after that date the link leads nowhere",
        post.date.to_rfc3339()
    )
}

/// The comment `post-slug#comment-id` names, as (post, comment index).
fn find_comment(
    posts: &[Post],
    by_slug: &FxHashMap<&str, PostIdx>,
    reference: &str,
) -> Option<(PostIdx, usize)> {
    let (slug, id) = reference.split_once('#')?;
    let &p = by_slug.get(slug.trim())?;
    let c = posts[p].comments.iter().position(|c| c.id == id.trim())?;
    Some((p, c))
}

/// Root URL path of a post from the permalink pattern.
fn post_path(pattern: &str, p: &ParsedPost) -> String {
    use chrono::Datelike;
    // Only the parts the pattern names, without chrono's formatter: this
    // runs for every post on every relink.
    let mut path = pattern.replace(":slug", &p.slug);
    for (name, width, value) in [
        (":year", 4, p.date.year()),
        (":month", 2, p.date.month() as i32),
        (":day", 2, p.date.day() as i32),
    ] {
        if path.contains(name) {
            path = path.replace(name, &format!("{value:0width$}"));
        }
    }
    path
}

/// Drops repeats, keeping first occurrences in order. A set, not a scan
/// of what was kept: a post can list thousands of tags.
fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    // Most posts have a few: a scan costs less than a set's allocation.
    if v.len() <= 16 {
        let mut kept = 0;
        for i in 0..v.len() {
            if !v[..kept].contains(&v[i]) {
                v[kept] = v[i];
                kept += 1;
            }
        }
        v.truncate(kept);
        return v;
    }
    let mut seen = rustc_hash::FxHashSet::default();
    v.retain(|x| seen.insert(*x));
    v
}

fn unknown_member(
    fm: &crate::parse::FrontMatter,
    path: &std::path::Path,
    key: &str,
    handle: &str,
    people: &People,
) -> Diagnostic {
    let handles: Vec<&str> = people.by_handle.keys().map(String::as_str).collect();
    let help = match crate::error::did_you_mean(handle, &handles) {
        Some(s) => format!("did you mean `{s}`? expected the handle of a file in content/members/"),
        None => {
            "expected the handle of a file in content/members/ (its file name without .md)".into()
        }
    };
    fm.error(
        path,
        key,
        Some(handle),
        format!("unknown member `{handle}`"),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::dedup;

    #[test]
    fn dedup_keeps_first_occurrences_in_order_short_and_long() {
        assert_eq!(dedup(vec![3, 1, 3, 2, 1, 3]), vec![3, 1, 2]);
        assert_eq!(dedup(vec![]), Vec::<usize>::new());
        // Past the scan's length, the set gives the same answer.
        let long: Vec<usize> = (0..40).map(|i| (i * 7) % 13).collect();
        let mut expected = Vec::new();
        for &x in &long {
            if !expected.contains(&x) {
                expected.push(x);
            }
        }
        assert_eq!(dedup(long), expected);
    }
}
