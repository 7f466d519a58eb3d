//! What a post page shows of the conversation beyond its own comments:
//! where each comment came from, the likes, reposts, bookmarks and
//! mentions it received, and where else the post was published.

use serde_json::{json, Value};

use super::views::{avatar_fields, member_ref};
use crate::model::{Comment, Post, ReactionKind, Site};

/// The order reactions are shown in.
const KINDS: [ReactionKind; 4] = [
    ReactionKind::Like,
    ReactionKind::Repost,
    ReactionKind::Bookmark,
    ReactionKind::Mention,
];

/// A comment's source mark: `{key, name, url}`, or null for a comment
/// written on the site.
pub fn comment_source(c: &Comment) -> Value {
    match (c.source, &c.source_url) {
        (None, None) => Value::Null,
        (Some(ch), url) => json!({"key": ch.key(), "name": ch.label(), "url": url}),
        (None, Some(url)) => json!({"key": "web", "name": place_name(url), "url": url}),
    }
}

/// The post's reactions by kind, each group with its `count` and the
/// `people` (name, link, avatar fields), oldest first; the theme words the
/// count ("3 likes") in the page's language.
pub fn reactions(site: &Site, p: &Post) -> Value {
    let all = p.visible_reactions();
    let groups = KINDS.iter().filter_map(|&kind| {
        let people: Vec<Value> = all
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| {
                let link = match r.member {
                    Some(m) => Some(site.config.url(&site.members[m].path)),
                    None => r.url.clone().or_else(|| r.source_url.clone()),
                };
                let name = r
                    .member
                    .map_or(r.author.as_str(), |m| &site.members[m].name);
                let mut v = json!({
                    "name": name,
                    "member": r.member.map(|m| member_ref(site, m)),
                    "url": link,
                    "source_url": r.source_url,
                });
                let obj = v.as_object_mut().expect("object");
                for (k, f) in avatar_fields(site, &r.author, r.member) {
                    obj.insert(k.into(), f);
                }
                v
            })
            .collect();
        let n = people.len();
        (n > 0).then(|| {
            json!({
                "kind": kind.key(),
                "count": n,
                "people": people,
            })
        })
    });
    Value::Array(groups.collect())
}

/// The post's `syndication:` links as `{url, name}`: "Mastodon",
/// "Bluesky" or the host.
pub fn syndication(p: &Post) -> Value {
    Value::Array(
        p.syndication
            .iter()
            .map(|url| json!({"url": url, "name": place_name(url)}))
            .collect(),
    )
}

/// What a reader calls the place a URL points to: Bluesky for
/// `bsky.app`, Mastodon for a status address (`/@user/123`,
/// `/users/user/statuses/123`), else the host without `www.`.
pub fn place_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit('@').next().unwrap_or(host).to_lowercase();
    let host = host.split(':').next().unwrap_or(&host).to_owned();
    let segments: Vec<&str> = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mastodon = match segments.as_slice() {
        [user, id] => user.starts_with('@') && numeric(id),
        ["users", _, "statuses", id] => numeric(id),
        _ => false,
    };
    if host == "bsky.app" || host.ends_with(".bsky.social") {
        "Bluesky".into()
    } else if mastodon || host.starts_with("mastodon.") {
        "Mastodon".into()
    } else {
        host.strip_prefix("www.").unwrap_or(&host).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_as_readers_know_them() {
        assert_eq!(
            place_name("https://bsky.app/profile/a.example/post/3k"),
            "Bluesky"
        );
        assert_eq!(place_name("https://social.example/@ann/1123"), "Mastodon");
        assert_eq!(
            place_name("https://social.example/users/ann/statuses/9"),
            "Mastodon"
        );
        assert_eq!(
            place_name("https://www.news.example/item?id=1"),
            "news.example"
        );
        assert_eq!(place_name("https://blog.example:8080/x"), "blog.example");
    }
}
