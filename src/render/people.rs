//! Template views of people: members in the directory and on their
//! profiles, and the avatars every page draws beside a name.

use serde_json::{json, Value};

use super::thread_view::entry_url;
use super::views::{backlinks, comment_anchor, date, member_ref};
use crate::config::Config;
use crate::model::*;

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
        "bio_excerpt": bio_excerpt(m),
        "topics": topics(site, m, TOPICS),
    })
}

/// The first words of a member's bio, as plain text: for cards.
fn bio_excerpt(m: &Member) -> String {
    crate::search::text::plain_excerpt(&m.bio.html, 140)
}

/// A member's main topics: the `limit` tags their posts carry most, most
/// used first (ties by name), as term references.
fn topics<'a>(site: &'a Site, m: &Member, limit: usize) -> Vec<super::views::TermRef<'a>> {
    super::views::term_refs(&site.config, &site.tags, &top_tags(site, m, limit))
}

/// The `limit` tags member `m`'s posts carry most, most used first (ties
/// by name): what [`member_summary`] shows as their topics.
pub fn top_tags(site: &Site, m: &Member, limit: usize) -> Vec<TermIdx> {
    let mut counts: rustc_hash::FxHashMap<TermIdx, usize> = Default::default();
    for &p in &m.posts {
        for &t in &site.posts[p].tags {
            *counts.entry(t).or_default() += 1;
        }
    }
    let mut ranked: Vec<(TermIdx, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| site.tags.terms[a.0].name.cmp(&site.tags.terms[b.0].name))
    });
    ranked.into_iter().take(limit).map(|(t, _)| t).collect()
}

/// How many topics [`member_summary`] shows.
pub const TOPICS: usize = 3;

/// A post author's card, shown after the post: name, avatar, a line of
/// bio and the profile's address.
pub fn author_card(site: &Site, m: MemberIdx) -> Value {
    let member = &site.members[m];
    let mut v = json!({
        "handle": member.handle,
        "name": member.name,
        "url": site.config.url(&member.path),
        "role": member.role,
        "bio_excerpt": bio_excerpt(member),
    });
    let obj = v.as_object_mut().expect("object");
    for (k, f) in avatar_fields(site, &member.name, Some(m)) {
        obj.insert(k.into(), f);
    }
    v
}

/// What a profile link shows: the handle or the host it leads to, never a
/// bare word. `https://social.example/@ada` is `@ada@social.example`,
/// `https://github.com/ada` is `github.com/ada`, a deeper or empty path
/// is the host alone; a link that is no web address keeps its name.
pub fn link_label(link: &Link) -> String {
    let parsed = link.url.as_deref().and_then(|u| url::Url::parse(u).ok());
    let Some((u, host)) = parsed.as_ref().and_then(|u| Some((u, u.host_str()?))) else {
        return link.name.clone();
    };
    let host = host.strip_prefix("www.").unwrap_or(host);
    let segments: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    match segments.as_slice() {
        [one] if one.starts_with('@') => format!("{one}@{host}"),
        [one] => format!("{host}/{one}"),
        _ => host.to_owned(),
    }
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
        super::views::list_json_feed_url(&site.config, &m.path),
    );
    obj.insert(
        "links".into(),
        m.links
            .iter()
            .map(|l| json!({"name": l.name, "url": l.url, "label": link_label(l)}))
            .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_labels_show_the_handle_or_host() {
        let label = |url: &str| {
            link_label(&Link {
                name: "site".into(),
                url: Some(url.into()),
            })
        };
        assert_eq!(label("https://social.example/@ada"), "@ada@social.example");
        assert_eq!(label("https://github.com/ada/"), "github.com/ada");
        assert_eq!(label("https://www.ada.example/"), "ada.example");
        assert_eq!(label("https://ada.example/blog/2024/"), "ada.example");
        let bare = Link {
            name: "matrix".into(),
            url: None,
        };
        assert_eq!(link_label(&bare), "matrix");
    }

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
}
