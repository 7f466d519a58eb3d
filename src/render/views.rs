//! Template views: what each template receives, as documented in
//! `docs/templates.md`. Views borrow from the model; a post's summary view
//! is serialized once and shared by every listing that shows it.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::date::Date;
use crate::model::*;

/// A member, as linked from elsewhere.
#[derive(Serialize)]
pub struct MemberRef<'a> {
    handle: &'a str,
    name: &'a str,
    url: String,
}

/// A tag or category, as linked from elsewhere.
#[derive(Serialize)]
pub struct TermRef<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
}

/// A post in a listing.
#[derive(Serialize)]
struct PostSummary<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    date: String,
    updated: Option<String>,
    authors: Vec<MemberRef<'a>>,
    tags: Vec<TermRef<'a>>,
    categories: Vec<TermRef<'a>>,
    summary: &'a str,
    has_more: bool,
    word_count: usize,
    reading_time: usize,
    comment_count: usize,
    comments_mode: CommentMode,
    draft: bool,
}

/// Formats a date for templates (RFC 3339).
pub fn date(d: &Date) -> String {
    d.to_rfc3339()
}

/// A member reference.
pub fn member_ref<'a>(site: &'a Site, m: MemberIdx) -> MemberRef<'a> {
    let m = &site.members[m];
    MemberRef {
        handle: &m.handle,
        name: &m.name,
        url: site.config.url(&m.path),
    }
}

fn term_refs<'a>(config: &Config, tax: &'a Taxonomy, terms: &[TermIdx]) -> Vec<TermRef<'a>> {
    terms
        .iter()
        .map(|&t| {
            let t = &tax.terms[t];
            TermRef {
                name: &t.name,
                slug: &t.slug,
                url: config.url(&t.path),
            }
        })
        .collect()
}

/// Minutes to read `words`, of which `cjk` are Chinese or Japanese
/// characters, at 200 words or 400 such characters a minute; at least 1.
pub fn reading_time(words: usize, cjk: usize) -> usize {
    let other = words.saturating_sub(cjk);
    (2 * other + cjk).div_ceil(400).max(1)
}

/// The summary view of post `idx`.
pub fn post_summary(site: &Site, idx: PostIdx) -> Value {
    let p = &site.posts[idx];
    let c = &site.config;
    serde_json::to_value(PostSummary {
        title: &p.title,
        slug: &p.slug,
        url: c.url(&p.path),
        permalink: c.permalink(&p.path),
        date: date(&p.date),
        updated: p.updated.as_ref().map(date),
        authors: p.authors.iter().map(|&a| member_ref(site, a)).collect(),
        tags: term_refs(c, &site.tags, &p.tags),
        categories: term_refs(c, &site.categories, &p.categories),
        summary: &p.body.summary,
        has_more: p.body.has_more,
        word_count: p.body.word_count,
        reading_time: reading_time(p.body.word_count, p.body.cjk_chars),
        comment_count: p.visible_comments().len(),
        comments_mode: p.comment_mode,
        draft: p.draft,
    })
    .expect("views serialize")
}

/// The full view of post `idx`: its summary view plus content, toc,
/// neighbours and the comment tree.
pub fn post_full(site: &Site, idx: PostIdx, summaries: &[Value]) -> Value {
    let p = &site.posts[idx];
    let c = &site.config;
    let mut v = summaries[idx].clone();
    let obj = v.as_object_mut().expect("summary is an object");
    let neighbour = |i: Option<PostIdx>| match i {
        Some(i) => json!({"title": site.posts[i].title, "url": c.url(&site.posts[i].path)}),
        None => Value::Null,
    };
    obj.insert("content".into(), Value::String(p.body.html.clone()));
    obj.insert(
        "description".into(),
        Value::String(description(&p.body.summary)),
    );
    obj.insert(
        "toc".into(),
        serde_json::to_value(&p.body.toc).expect("toc"),
    );
    obj.insert(
        "previous".into(),
        neighbour((idx + 1 < site.posts.len()).then_some(idx + 1)),
    );
    obj.insert("next".into(), neighbour(idx.checked_sub(1)));
    obj.insert("comments".into(), Value::Array(comment_tree(site, p)));
    obj.insert("reactions".into(), super::channels::reactions(site, p));
    obj.insert("syndication".into(), super::channels::syndication(p));
    obj.insert(
        "reply_url".into(),
        reply_url(site, p, None).map_or(Value::Null, Value::String),
    );
    let has_comments = !p.visible_comments().is_empty();
    obj.insert(
        "comments_feed_url".into(),
        match has_comments {
            true => Value::String(c.url(&format!("{}comments.xml", p.path))),
            false => Value::Null,
        },
    );
    obj.insert(
        "comments_json_feed_url".into(),
        match has_comments {
            true => Value::String(c.url(&format!("{}comments.json", p.path))),
            false => Value::Null,
        },
    );
    obj.insert("backlinks".into(), backlinks(site, &p.backlinks));
    obj.insert(
        "related".into(),
        Value::Array(p.related.iter().map(|&r| summaries[r].clone()).collect()),
    );
    obj.insert("extra".into(), p.extra.clone());
    v
}

/// The plain text of `summary`, cut at a word before 200 bytes: for the
/// description meta tag. Done here once rather than in the template, where
/// `striptags | truncate` cost more than the rest of the page's head.
fn description(summary: &str) -> String {
    crate::search::text::plain_excerpt(summary, 200)
}

/// "Linked from": each linking page with its title, URL, kind and date.
pub fn backlinks(site: &Site, docs: &[Doc]) -> Value {
    let c = &site.config;
    Value::Array(
        docs.iter()
            .map(|d| {
                let (kind, title, path, date_of) = match *d {
                    Doc::Post(i) => ("post", &site.posts[i].title, &site.posts[i].path, Some(site.posts[i].date)),
                    Doc::Thread(i) => ("thread", &site.threads[i].title, &site.threads[i].path, Some(site.threads[i].date)),
                    Doc::Page(i) => ("page", &site.pages[i].title, &site.pages[i].path, site.pages[i].date),
                    Doc::Member(i) => ("member", &site.members[i].name, &site.members[i].path, None),
                };
                json!({"kind": kind, "title": title, "url": c.url(path), "date": date_of.as_ref().map(date)})
            })
            .collect(),
    )
}

/// The anchor of a comment: `comment-<id>` with unsafe characters dropped.
pub fn comment_anchor(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("comment-{clean}")
}

/// The `mailto:` link that answers post `p` (or one of its comments) by
/// e-mail: only with `reply_to` set and comments open.
fn reply_url(site: &Site, p: &Post, comment: Option<&str>) -> Option<String> {
    let address = site.config.reply_to.as_deref()?;
    (p.comment_mode == CommentMode::Open)
        .then(|| crate::reply::mailto(address, &p.title, &p.slug, comment))
}

fn comment_tree(site: &Site, p: &Post) -> Vec<Value> {
    let comments = p.visible_comments();
    let parents: Vec<Option<usize>> = comments.iter().map(|c| c.parent).collect();
    let (roots, shown) = crate::tree::layout(&parents, crate::tree::MAX_DEPTH);
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(site: &Site, p: &Post, i: usize, shown: &[crate::tree::Shown]) -> Value {
        let c = &p.comments[i];
        let in_reply_to = c.parent.map(|k| {
            let parent = &p.comments[k];
            json!({"author": parent.author, "anchor": comment_anchor(&parent.id)})
        });
        // What it answers, for microformats readers: the post or a comment.
        let page = site.config.permalink(&p.path);
        let in_reply_to_url = match c.parent {
            Some(k) => format!("{page}#{}", comment_anchor(&p.comments[k].id)),
            None => page,
        };
        let mut v = json!({
            "id": c.id,
            "anchor": comment_anchor(&c.id),
            "author": c.author,
            "member": c.member.map(|m| member_ref(site, m)),
            "url": c.url,
            "date": date(&c.date),
            "body": c.body,
            "reply_url": reply_url(site, p, Some(&c.id)),
            "source": super::channels::comment_source(c),
            "in_reply_to": in_reply_to,
            "in_reply_to_url": in_reply_to_url,
            "replies": shown[i].replies.iter().map(|&k| node(site, p, k, shown)).collect::<Vec<_>>(),
        });
        let obj = v.as_object_mut().expect("object");
        for (k, f) in avatar_fields(site, &c.author, c.member) {
            obj.insert(k.into(), f);
        }
        v
    }
    roots.iter().map(|&i| node(site, p, i, &shown)).collect()
}

/// The view of a standalone page.
pub fn page(site: &Site, page: &Page) -> Value {
    let c = &site.config;
    json!({
        "title": page.title,
        "slug": page.slug,
        "url": c.url(&page.path),
        "permalink": c.permalink(&page.path),
        "date": page.date.as_ref().map(date),
        "content": page.body.html,
        "toc": page.body.toc,
        "extra": page.extra,
    })
}

/// `{kind, name, singular, url}` of a taxonomy.
pub fn taxonomy(site: &Site, tax: &Taxonomy) -> Value {
    json!({
        "kind": tax.kind.key(),
        "name": tax.kind.title(),
        "singular": tax.kind.singular(),
        "url": site.config.url(&tax.path()),
    })
}

/// A term's weight in a cloud, 1 to 5, from its post count on a log
/// scale against the largest term's.
pub fn cloud_weight(count: usize, max: usize) -> usize {
    if max <= 1 || count <= 1 {
        return 1;
    }
    1 + ((count as f64).ln() / (max as f64).ln() * 4.0).round() as usize
}

/// The terms of `tax` as a cloud (each term view plus `weight`), sorted by
/// name; with a `limit`, only that many of the most used terms.
pub fn cloud(site: &Site, tax: &Taxonomy, limit: Option<usize>) -> Vec<Value> {
    let max = tax.terms.iter().map(|t| t.posts.len()).max().unwrap_or(0);
    let mut picked: Vec<&Term> = tax.terms.iter().collect();
    if let Some(n) = limit {
        // Stable: equally used terms keep their order. A term only threads
        // use has no posts to show beside them.
        picked.retain(|t| !t.posts.is_empty());
        picked.sort_by_key(|t| std::cmp::Reverse(t.posts.len()));
        picked.truncate(n);
    }
    let mut terms: Vec<Value> = picked
        .into_iter()
        .map(|t| {
            let mut v = term(site, t);
            v["weight"] = cloud_weight(t.posts.len(), max).into();
            v
        })
        .collect();
    terms.sort_by_cached_key(|t| t["name"].as_str().unwrap_or("").to_lowercase());
    terms
}

/// A term with its post count and feed.
pub fn term(site: &Site, t: &Term) -> Value {
    json!({
        "name": t.name,
        "slug": t.slug,
        "url": site.config.url(&t.path),
        "feed_url": site.config.url(&format!("{}feed.xml", t.path)),
        "json_feed_url": site.config.url(&format!("{}feed.json", t.path)),
        "count": t.posts.len(),
        "description": t.description.as_ref().map(|d| d.body.html.as_str()),
        "summary": t.description.as_ref().and_then(|d| d.summary.as_deref()),
    })
}

/// The name a participant is shown under: the member's, when one.
fn participant_name<'a>(site: &'a Site, p: &'a Participant) -> &'a str {
    p.member
        .map_or(p.name.as_str(), |m| site.members[m].name.as_str())
}

/// A participant: a name, linked when a member.
fn participant(site: &Site, p: &Participant) -> Value {
    let name = participant_name(site, p);
    let mut v = json!({"name": name, "member": p.member.map(|m| member_ref(site, m))});
    let obj = v.as_object_mut().expect("object");
    for (k, f) in avatar_fields(site, name, p.member) {
        obj.insert(k.into(), f);
    }
    v
}

/// A thread in the thread index.
pub fn thread_summary(site: &Site, t: &Thread) -> Value {
    // A set beside the list: a mailing-list thread has thousands of
    // entries and hundreds of people.
    let mut seen = std::collections::HashSet::new();
    let participants: Vec<&Participant> = t
        .entries
        .iter()
        .map(|e| &e.by)
        .filter(|p| seen.insert(p.name.as_str()))
        .collect();
    json!({
        "title": t.title,
        "slug": t.slug,
        "url": site.config.url(&t.path),
        "date": date(&t.date),
        "tags": term_refs(&site.config, &site.tags, &t.tags),
        "entry_count": t.entries.len(),
        "participants": participants.iter().map(|p| participant(site, p)).collect::<Vec<_>>(),
    })
}

/// The full view of page `page` of a thread: its entries on that page
/// in reading order, nested as on one long page; an entry whose parent is
/// on another page links there ("in reply to").
pub fn thread_full(site: &Site, t: &Thread, page: usize, summaries: &[Value]) -> Value {
    let (tops, shown) = t.page_layout(page);
    let on_page = |i: usize| t.on_page(i, page);
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(
        site: &Site,
        t: &Thread,
        i: usize,
        top: bool,
        shown: &[crate::tree::Shown],
        on_page: &dyn Fn(usize) -> bool,
    ) -> Value {
        let e = &t.entries[i];
        let quote = e.quote.map(|(p, ci)| {
            let post = &site.posts[p];
            let c = &post.comments[ci];
            json!({
                "author": c.author,
                "member": c.member.map(|m| member_ref(site, m)),
                "date": date(&c.date),
                "body": c.body,
                "post_title": post.title,
                "url": format!("{}#{}", site.config.url(&post.path), comment_anchor(&c.id)),
            })
        });
        let in_reply_to = e.parent.map(|k| {
            let parent = &t.entries[k];
            let anchor = entry_anchor(&parent.id);
            let elsewhere = !on_page(k);
            let href = if elsewhere {
                entry_url(site, t, k)
            } else {
                format!("#{anchor}")
            };
            json!({
                "author": participant_name(site, &parent.by),
                "anchor": anchor,
                "href": href,
                "elsewhere": elsewhere,
                // Not nested under what it answers: at the top of a page.
                "apart": top,
            })
        });
        // What it answers, for microformats readers: the thread, or an
        // entry on whichever page holds it.
        let in_reply_to_url = match e.parent {
            Some(k) => {
                let page = t.entry_pages.get(k).copied().unwrap_or(1) as usize;
                format!(
                    "{}#{}",
                    site.config
                        .permalink(&super::jobs::page_path(&t.path, page)),
                    entry_anchor(&t.entries[k].id)
                )
            }
            None => site.config.permalink(&t.path),
        };
        json!({
            "id": e.id,
            "quote": quote,
            "anchor": entry_anchor(&e.id),
            "by": participant(site, &e.by),
            "date": e.date.as_ref().map(date),
            "text": e.text,
            "url": e.url,
            "in_reply_to": in_reply_to,
            "in_reply_to_url": in_reply_to_url,
            "replies": shown[i]
                .replies
                .iter()
                .filter(|&&k| on_page(k))
                .map(|&k| node(site, t, k, false, shown, on_page))
                .collect::<Vec<_>>(),
        })
    }
    let mut v = thread_summary(site, t);
    let obj = v.as_object_mut().expect("object");
    obj.insert(
        "source".into(),
        serde_json::to_value(&t.origin).expect("origin"),
    );
    obj.insert(
        "started_by".into(),
        t.started_by
            .as_ref()
            .map_or(Value::Null, |p| participant(site, p)),
    );
    obj.insert("intro".into(), Value::String(t.intro.html.clone()));
    obj.insert(
        "feed_url".into(),
        site.config.url(&format!("{}feed.xml", t.path)).into(),
    );
    obj.insert(
        "json_feed_url".into(),
        site.config.url(&format!("{}feed.json", t.path)).into(),
    );
    obj.insert("backlinks".into(), backlinks(site, &t.backlinks));
    obj.insert(
        "entries".into(),
        Value::Array(
            tops.iter()
                .map(|&i| node(site, t, i, true, &shown, &on_page))
                .collect(),
        ),
    );
    obj.insert(
        "related".into(),
        Value::Array(t.related.iter().map(|&p| summaries[p].clone()).collect()),
    );
    v
}

/// The address of entry `e` of a thread: the page it is on, and its
/// anchor.
pub fn entry_url(site: &Site, t: &Thread, e: usize) -> String {
    let page = t.entry_pages.get(e).copied().unwrap_or(1) as usize;
    format!(
        "{}#{}",
        site.config.url(&super::jobs::page_path(&t.path, page)),
        entry_anchor(&t.entries[e].id)
    )
}

/// The anchor of a thread entry: `entry-<id>`.
pub fn entry_anchor(id: &str) -> String {
    format!(
        "entry-{}",
        comment_anchor(id).trim_start_matches("comment-")
    )
}

/// Initials for a generated avatar: "Esteban Kolsky" → "EK".
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let pick = match words.as_slice() {
        [] => Vec::new(),
        [one] => vec![*one],
        [first, .., last] => vec![*first, *last],
    };
    pick.iter()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Which of the theme's six avatar tints (1 to 6) a name gets: stable for
/// a name, spread over the tints so neighbours in a thread differ.
pub fn tint(name: &str) -> usize {
    // FNV-1a: tiny, stable across platforms and releases.
    let hash = name
        .trim()
        .to_lowercase()
        .bytes()
        .fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
    (hash % 6) as usize + 1
}

/// What an avatar needs, for a member or a plain name: `avatar` (an image
/// URL, members only), `initials` and `tint`.
pub(crate) fn avatar_fields(
    site: &Site,
    name: &str,
    member: Option<MemberIdx>,
) -> [(&'static str, Value); 3] {
    let (name, image) = match member {
        Some(m) => {
            let m = &site.members[m];
            (
                m.name.as_str(),
                m.avatar.as_deref().map(|a| avatar_url(&site.config, a)),
            )
        }
        None => (name, None),
    };
    [
        ("avatar", image.map_or(Value::Null, Value::String)),
        ("initials", Value::String(initials(name))),
        ("tint", tint(name).into()),
    ]
}

/// What the home page shows beside the posts: `top_tags` (a cloud of the 24
/// most used tags), `active_members` (the 8 most active, as in the member
/// directory) and `recent_threads` (the 3 newest, as in the thread index).
pub fn home_overview(site: &Site) -> Value {
    let mut members: Vec<&Member> = site.members.iter().collect();
    members.sort_by_cached_key(|m| m.name.to_lowercase());
    let activity = |m: &Member| m.posts.len() + m.comments.len() + m.entries.len();
    // Stable: equally active members stay in name order.
    members.sort_by_key(|m| std::cmp::Reverse(activity(m)));
    json!({
        "top_tags": cloud(site, &site.tags, Some(24)),
        "active_members": members
            .into_iter()
            .filter(|m| activity(m) > 0)
            .take(8)
            .map(|m| member_summary(site, m))
            .collect::<Vec<_>>(),
        "recent_threads": site.threads.iter().take(3).map(|t| thread_summary(site, t)).collect::<Vec<_>>(),
        "active_threads": active_threads(site, 5),
    })
}

/// The `limit` threads with most messages in the month of the site's
/// newest dated message (a list's front page: what people argue about
/// now), most first: `{month: {year, month, name}, threads: [thread
/// summary with `month_count`]}`, or null when no message is dated.
fn active_threads(site: &Site, limit: usize) -> Value {
    use chrono::Datelike;
    let newest = site
        .threads
        .iter()
        .flat_map(|t| t.entries.iter().filter_map(|e| e.date))
        .max();
    let Some(newest) = newest else {
        return Value::Null;
    };
    let (year, month) = (newest.year(), newest.month());
    let mut counts: Vec<(usize, usize)> = site
        .threads
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let n = t
                .entries
                .iter()
                .filter(|e| {
                    e.date
                        .is_some_and(|d| d.year() == year && d.month() == month)
                })
                .count();
            (i, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    // Ties keep the threads' own order (newest first).
    counts.sort_by_key(|&(i, n)| (std::cmp::Reverse(n), i));
    let threads: Vec<Value> = counts
        .into_iter()
        .take(limit)
        .map(|(i, n)| {
            let mut v = thread_summary(site, &site.threads[i]);
            v["month_count"] = Value::from(n);
            v
        })
        .collect();
    json!({
        "month": {"year": year, "month": month, "name": month_name(month)},
        "threads": threads,
    })
}

/// A member in the directory.
pub fn member_summary(site: &Site, m: &Member) -> Value {
    json!({
        "handle": m.handle,
        "name": m.name,
        "role": m.role,
        "location": m.location,
        "url": site.config.url(&m.path),
        "avatar": m.avatar.as_deref().map(|a| avatar_url(&site.config, a)),
        "initials": initials(&m.name),
        "tint": tint(&m.name),
        "post_count": m.posts.len(),
        "comment_count": m.comments.len(),
        "entry_count": m.entries.len(),
        "activity": m.posts.len() + m.comments.len() + m.entries.len(),
    })
}

/// An avatar's URL: a site path gets the base path (`avatars/x.png` is
/// `/avatars/x.png`, not relative to each page); a full URL is kept.
fn avatar_url(config: &Config, avatar: &str) -> String {
    if avatar.contains("://") || avatar.starts_with("//") {
        avatar.to_owned()
    } else {
        config.url(&format!("/{}", avatar.trim_start_matches('/')))
    }
}

/// A member's profile.
pub fn member_full(site: &Site, m: &Member) -> Value {
    let mut v = member_summary(site, m);
    let obj = v.as_object_mut().expect("object");
    obj.insert("bio".into(), Value::String(m.bio.html.clone()));
    obj.insert(
        "feed_url".into(),
        site.config.url(&format!("{}feed.xml", m.path)).into(),
    );
    obj.insert(
        "json_feed_url".into(),
        site.config.url(&format!("{}feed.json", m.path)).into(),
    );
    obj.insert(
        "links".into(),
        serde_json::to_value(&m.links).expect("links"),
    );
    // E-mail addresses in `aka` are there to match imported comments and
    // messages; they are never published.
    let aka: Vec<&String> = m
        .aka
        .iter()
        .filter(|a| !crate::email::contains(a))
        .collect();
    obj.insert("aka".into(), serde_json::to_value(aka).expect("aka"));
    obj.insert("extra".into(), m.extra.clone());
    obj.insert("backlinks".into(), backlinks(site, &m.backlinks));
    obj.insert(
        "talks_with".into(),
        Value::Array(
            m.talks_with
                .iter()
                .map(|&(o, n)| json!({"member": member_ref(site, o), "count": n}))
                .collect(),
        ),
    );
    v
}

/// A member's thread entries, newest thread first.
pub fn member_entries(site: &Site, entries: &[(ThreadIdx, usize)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|&(t, e)| {
                let thread = &site.threads[t];
                let entry = &thread.entries[e];
                json!({
                    "thread_title": thread.title,
                    "thread_url": site.config.url(&thread.path),
                    "url": entry_url(site, thread, e),
                    "date": entry.date.as_ref().map(date),
                    "text": entry.text,
                })
            })
            .collect(),
    )
}

/// A member's comments, newest first, each linking to its place.
pub fn member_comments(site: &Site, comments: &[(PostIdx, usize)]) -> Value {
    Value::Array(
        comments
            .iter()
            .map(|&(p, ci)| {
                let post = &site.posts[p];
                let c = &post.comments[ci];
                let post_url = site.config.url(&post.path);
                json!({
                    "post_title": post.title,
                    "url": format!("{post_url}#{}", comment_anchor(&c.id)),
                    "post_url": post_url,
                    "date": date(&c.date),
                    "body": c.body,
                })
            })
            .collect(),
    )
}

/// The `site` object every template receives.
pub fn site_globals(config: &Config) -> Value {
    let mut urls = Map::new();
    for (k, path) in [
        ("home", "/"),
        ("archive", "/archive/"),
        ("tags", "/tags/"),
        ("categories", "/categories/"),
        ("members", "/members/"),
        ("threads", "/threads/"),
        ("feed", "/feed.xml"),
        ("json_feed", "/feed.json"),
        ("comments_feed", "/comments/feed.xml"),
        ("comments_json_feed", "/comments/feed.json"),
        ("search", crate::search::PAGE_PATH),
    ] {
        urls.insert(k.into(), Value::String(config.url(path)));
    }
    let menu: Vec<Value> = config
        .menu
        .iter()
        .map(|m| {
            let url = if m.url.starts_with('/') {
                config.url(&m.url)
            } else {
                m.url.clone()
            };
            json!({"name": m.name, "url": url, "key": m.key})
        })
        .collect();
    json!({
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "menu": menu,
        "palette": config.palette,
        "theme_color": config.theme_color,
        "image": config.image,
        "palettes": crate::config::PALETTES
            .iter()
            .map(|(name, label)| json!({"name": name, "label": label}))
            .collect::<Vec<_>>(),
        "urls": urls,
        "extra": serde_json::to_value(&config.extra).unwrap_or(Value::Null),
        "generator": concat!("Salon ", env!("CARGO_PKG_VERSION")),
    })
}

/// The `search` variable of `search.html`.
pub fn search(config: &Config, documents: usize) -> Value {
    json!({
        "index_url": config.url(crate::search::MANIFEST_PATH),
        "documents": documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_first_and_last_words() {
        assert_eq!(initials("Esteban Kolsky"), "EK");
        assert_eq!(initials("Mary Jane van Dyke"), "MD");
        assert_eq!(initials("zoë"), "Z");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn tints_are_stable_and_spread() {
        assert_eq!(tint("Esteban Kolsky"), tint("  esteban kolsky "));
        let names = [
            "Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo",
        ];
        let mut seen: Vec<usize> = names.iter().map(|n| tint(n)).collect();
        assert!(seen.iter().all(|t| (1..=6).contains(t)));
        seen.sort();
        seen.dedup();
        assert!(seen.len() >= 3, "ten names got tints {seen:?}");
    }

    #[test]
    fn avatar_paths_get_the_base_path() {
        let mut c = Config::parse(
            std::path::Path::new("salon.yaml"),
            "title: T\nbase_url: https://e.org/sub/\n",
        )
        .unwrap();
        assert_eq!(avatar_url(&c, "/a/x.png"), "/sub/a/x.png");
        assert_eq!(avatar_url(&c, "a/x.png"), "/sub/a/x.png");
        assert_eq!(
            avatar_url(&c, "https://cdn.example/x.png"),
            "https://cdn.example/x.png"
        );
        c.set_base_url("https://e.org/").unwrap();
        assert_eq!(avatar_url(&c, "a/x.png"), "/a/x.png");
    }

    #[test]
    fn anchors_are_safe_ids() {
        assert_eq!(comment_anchor("wp-1"), "comment-wp-1");
        assert_eq!(comment_anchor("a b\"<"), "comment-a-b--");
    }

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_time(0, 0), 1);
        assert_eq!(reading_time(201, 0), 2);
        // 1,200 Chinese characters are three minutes, not six.
        assert_eq!(reading_time(1200, 1200), 3);
        assert_eq!(reading_time(1300, 1200), 4);
    }
}
