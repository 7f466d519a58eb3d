//! Template views: what each template receives, as documented in
//! `docs/templates.md`. Views borrow from the model; a post's summary view
//! is serialized once and shared by every listing that shows it.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::date::Date;
use crate::model::*;

pub(crate) use super::people::avatar_fields;
pub use super::people::{
    author_card, initials, member_comments, member_entries, member_full, member_summary, tint,
};
pub use super::thread_view::{entry_anchor, entry_url, thread_full, thread_summary};
pub use crate::model::comment_anchor;

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

/// Term references of `terms` in `tax`.
pub(super) fn term_refs<'a>(
    config: &Config,
    tax: &'a Taxonomy,
    terms: &[TermIdx],
) -> Vec<TermRef<'a>> {
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

/// The full view of post `idx`: its summary view plus content, toc,
/// neighbours and the comment tree.
pub fn post_full(site: &Site, idx: PostIdx, summaries: &[super::PostSummary]) -> Value {
    let p = &site.posts[idx];
    let c = &site.config;
    let mut v = summaries[idx].view();
    let obj = v.as_object_mut().expect("summary is an object");
    let neighbour = |i: Option<PostIdx>| match i {
        Some(i) => json!({"title": site.posts[i].title, "url": c.url(&site.posts[i].path)}),
        None => Value::Null,
    };
    obj.insert(
        "content".into(),
        Value::String(p.body.document().into_owned()),
    );
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
    let has_feed = super::FeedKind::PostComments(idx).is_written(site);
    obj.insert(
        "comments_feed_url".into(),
        match has_feed {
            true => Value::String(c.url(&format!("{}comments.xml", p.path))),
            false => Value::Null,
        },
    );
    obj.insert("backlinks".into(), backlinks(site, &p.backlinks));
    obj.insert(
        "related".into(),
        Value::Array(p.related.iter().map(|&r| summaries[r].view()).collect()),
    );
    obj.insert(
        "author_cards".into(),
        p.authors.iter().map(|&a| author_card(site, a)).collect(),
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

/// The `mailto:` link that answers post `p` (or one of its comments) by
/// e-mail: only with `reply_to` set and comments open.
fn reply_url(site: &Site, p: &Post, comment: Option<&str>) -> Option<String> {
    let address = site.config.reply_to.as_deref()?;
    (p.comment_mode == CommentMode::Open)
        .then(|| crate::reply::mailto(address, &p.title, &p.slug, comment))
}

/// The visible comments of `p` as the tree the page shows.
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
        let replies: Vec<Value> = shown[i]
            .replies
            .iter()
            .map(|&k| node(site, p, k, shown))
            .collect();
        // Everything under it, for the "N replies" that folds the subtree.
        let reply_count: u64 = replies
            .iter()
            .map(|r| 1 + r["reply_count"].as_u64().unwrap_or(0))
            .sum();
        let member_name = c.member.map(|m| site.members[m].name.as_str());
        let mut v = json!({
            "id": c.id,
            "anchor": comment_anchor(&c.id),
            "author": c.author,
            // The name they wrote under, when a member's differs.
            "alias": member_name.filter(|n| *n != c.author).map(|_| &c.author),
            "is_author": c.member.is_some_and(|m| p.authors.contains(&m)),
            "member": c.member.map(|m| member_ref(site, m)),
            "url": c.url,
            "date": date(&c.date),
            "body": c.body,
            "reply_url": reply_url(site, p, Some(&c.id)),
            "source": super::channels::comment_source(c),
            "in_reply_to": in_reply_to,
            "in_reply_to_url": in_reply_to_url,
            "reply_count": reply_count,
        });
        let obj = v.as_object_mut().expect("object");
        // Moved in, not through `json!`, which would copy the subtree.
        obj.insert("replies".into(), Value::Array(replies));
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

/// The URL of the JSON Feed of the list (a term, member or thread) at
/// root path `path`, or null when `feeds.json` leaves it unwritten.
pub fn list_json_feed_url(config: &crate::config::Config, path: &str) -> Value {
    match config.feeds.json {
        crate::config::JsonFeeds::All => Value::String(config.url(&format!("{path}feed.json"))),
        crate::config::JsonFeeds::Site => Value::Null,
    }
}

/// A term with its post count and feed.
pub fn term(site: &Site, t: &Term) -> Value {
    json!({
        "name": t.name,
        "slug": t.slug,
        "url": site.config.url(&t.path),
        "feed_url": site.config.url(&format!("{}feed.xml", t.path)),
        "json_feed_url": list_json_feed_url(&site.config, &t.path),
        "count": t.posts.len(),
        "description": t.description.as_ref().map(|d| d.body.html.as_str()),
        "summary": t.description.as_ref().and_then(|d| d.summary.as_deref()),
    })
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
