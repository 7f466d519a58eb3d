//! Template views of threads: the thread index and a thread's pages,
//! entries nested by reply as comments are.

use serde_json::{json, Value};

use super::people::avatar_fields;
use super::views::{backlinks, comment_anchor, date, member_ref, term_refs};
use crate::model::*;

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

/// The full view of page `page` of a thread laid out as `layout` says,
/// from its `summary` (see [`thread_summary`]): its entries on that page
/// in reading order, nested as on one long page; an entry whose parent is
/// on another page links there ("in reply to").
pub fn thread_full(
    site: &Site,
    t: &Thread,
    (layout, page): (&ThreadLayout, usize),
    summary: Value,
    summaries: &[super::PostSummary],
) -> Value {
    let shown = &layout.shown;
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
    let mut v = summary;
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
        super::views::list_json_feed_url(&site.config, &t.path),
    );
    obj.insert("backlinks".into(), backlinks(site, &t.backlinks));
    obj.insert(
        "entries".into(),
        Value::Array(
            layout
                .tops(page)
                .iter()
                .map(|&i| node(site, t, i, true, shown, &on_page))
                .collect(),
        ),
    );
    obj.insert(
        "related".into(),
        Value::Array(t.related.iter().map(|&p| summaries[p].view()).collect()),
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
