//! Structured data: the JSON-LD (schema.org) each page carries, with the
//! properties Google documents as required and recommended for its type:
//! `BlogPosting` for posts (comments as nested `Comment`s),
//! `DiscussionForumPosting` for threads, `ProfilePage` for members,
//! `WebSite` with a `SearchAction` on the front page, `BreadcrumbList`
//! wherever a page sits below another. Built as JSON values and serialized
//! by serde_json, then made safe inside `<script>` by [`script_text`].

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::model::*;
use crate::search::text::html_text;
use crate::tree;

use super::views::{comment_anchor, entry_anchor};

/// JSON text that can stand inside a `<script>` element: `<`, `>` and
/// `&` are written as `\u003c`, `\u003e`, `\u0026` (the same string to a
/// JSON parser), so no content can close the element or open a comment;
/// U+2028 and U+2029 likewise, for scripts that read it as JavaScript.
/// An `@` in a value is `\u0040`, so that a mention beside a quote
/// (`"text":"@ann.example.org`) never reads as an e-mail address.
pub fn script_text(value: &Value) -> String {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe { in_key: false });
    serde::Serialize::serialize(&Sorted(value), &mut ser).expect("JSON values serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A JSON value whose objects serialize with their keys sorted, whether
/// or not serde_json keeps insertion order (a dependency may turn its
/// `preserve_order` on): the same text in every build.
struct Sorted<'a>(&'a Value);

impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_unstable();
                let mut m = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    m.serialize_entry(k, &Sorted(&map[k]))?;
                }
                m.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Sorted(item))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// A compact JSON formatter that escapes what [`script_text`] says.
struct ScriptSafe {
    in_key: bool,
}

impl serde_json::ser::Formatter for ScriptSafe {
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.in_key = true;
        if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                '@' if !self.in_key => "\\u0040",
                _ => continue,
            };
            w.write_all(&fragment.as_bytes()[start..i])?;
            w.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// The graph of a page: its nodes under one `@context`.
pub fn graph(nodes: Vec<Value>) -> Value {
    // Moved in, not through `json!`, which would copy every node.
    let mut graph = Map::new();
    graph.insert("@context".into(), "https://schema.org".into());
    graph.insert("@graph".into(), Value::Array(nodes));
    Value::Object(graph)
}

/// The whole readable text of an HTML fragment, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    html_text(html, |piece| {
        crate::search::text::push_collapsed(piece, &mut out, usize::MAX / 2)
    });
    out.trim().to_owned()
}

/// A `BreadcrumbList` of `(name, root path)` steps, the home page first.
pub fn breadcrumbs(config: &Config, steps: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = std::iter::once((config.title.as_str(), "/"))
        .chain(steps.iter().copied())
        .enumerate()
        .map(|(i, (name, path))| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": name,
                "item": config.permalink(path),
            })
        })
        .collect();
    json!({"@type": "BreadcrumbList", "itemListElement": items})
}

/// The site as a `WebSite`, with the search it answers.
pub fn website(config: &Config) -> Value {
    json!({
        "@type": "WebSite",
        "@id": format!("{}#website", config.base_url),
        "name": config.title,
        "url": config.base_url,
        "description": non_empty(&config.description),
        "inLanguage": config.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": format!("{}?q={{search_term_string}}", config.permalink(crate::search::PAGE_PATH)),
            },
            "query-input": "required name=search_term_string",
        },
    })
}

/// A page of the site that is none of the richer kinds: a listing
/// (`CollectionPage`), a standalone page (`WebPage`), the search page.
pub fn web_page(config: &Config, kind: &str, name: &str, path: &str, description: &str) -> Value {
    json!({
        "@type": kind,
        "name": name,
        "url": config.permalink(path),
        "description": non_empty(description),
        "isPartOf": {"@type": "WebSite", "@id": format!("{}#website", config.base_url), "name": config.title, "url": config.base_url},
    })
}

/// `Some(text)` unless it is empty: an empty property is left out.
fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// An absolute URL for an address written on a page at `page_path`: a
/// web URL as it is, a root path under the base URL, a relative one
/// against the page. Anything else (`data:`, `javascript:`) is none.
pub fn absolute(config: &Config, address: &str, page_path: &str) -> Option<String> {
    let address = address.trim();
    if address.starts_with("https://") || address.starts_with("http://") {
        return Some(address.to_owned());
    }
    if let Some(rest) = address.strip_prefix("//") {
        let scheme = config.base_url.split("://").next().unwrap_or("https");
        return Some(format!("{scheme}://{rest}"));
    }
    if address.is_empty() || address.split(['/', '?', '#']).next()?.contains(':') {
        return None;
    }
    if address.starts_with('/') {
        return Some(config.permalink(address));
    }
    let page = url::Url::parse(&config.permalink(page_path)).ok()?;
    page.join(address).ok().map(String::from)
}

/// An avatar's absolute URL: a path of the site is below the base URL
/// (`avatars/x.png` is `/avatars/x.png`), a web URL stays.
pub fn avatar(config: &Config, avatar: &str) -> Option<String> {
    if avatar.contains("://") || avatar.starts_with("//") {
        absolute(config, avatar, "/")
    } else {
        absolute(config, &format!("/{}", avatar.trim_start_matches('/')), "/")
    }
}

/// A member as a `Person`: name and the URL of their page.
pub fn member_person(site: &Site, m: MemberIdx) -> Value {
    let m = &site.members[m];
    let mut v = json!({
        "@type": "Person",
        "name": m.name,
        "url": site.config.permalink(&m.path),
    });
    if let Some(image) = m.avatar.as_deref().and_then(|a| avatar(&site.config, a)) {
        v["image"] = Value::String(image);
    }
    v
}

/// Someone who is not (known as) a member: a name, and their own site
/// when they gave one.
fn named_person(name: &str, url: Option<&str>) -> Value {
    let mut v = json!({"@type": "Person", "name": name});
    if let Some(url) = url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        v["url"] = Value::String(url.to_owned());
    }
    v
}

/// The site as the `Organization` that publishes it.
fn publisher(config: &Config) -> Value {
    json!({"@type": "Organization", "name": config.title, "url": config.base_url})
}

/// A post as a `BlogPosting`, with its comments nested by reply.
pub fn blog_posting(site: &Site, i: PostIdx, image: Option<&str>, description: &str) -> Value {
    let c = &site.config;
    let p = &site.posts[i];
    let url = c.permalink(&p.path);
    let authors: Vec<Value> = if p.authors.is_empty() {
        vec![publisher(c)]
    } else {
        p.authors.iter().map(|&a| member_person(site, a)).collect()
    };
    let mut v = json!({
        "@type": "BlogPosting",
        "@id": format!("{url}#article"),
        "headline": p.title,
        "name": p.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": p.date.to_rfc3339(),
        "dateModified": p.updated.unwrap_or(p.date).to_rfc3339(),
        "publisher": publisher(c),
        "description": non_empty(description),
        "inLanguage": p.lang.as_deref().unwrap_or(&c.language),
        "wordCount": p.body.word_count,
        "isPartOf": {"@type": "WebSite", "@id": format!("{}#website", c.base_url), "name": c.title, "url": c.base_url},
    });
    let obj = v.as_object_mut().expect("object");
    obj.insert("author".into(), Value::Array(authors));
    if let Some(image) = image {
        obj.insert("image".into(), json!([image]));
    }
    let keywords: Vec<&str> = p
        .tags
        .iter()
        .map(|&t| site.tags.terms[t].name.as_str())
        .collect();
    if !keywords.is_empty() {
        obj.insert("keywords".into(), json!(keywords));
    }
    let sections: Vec<&str> = p
        .categories
        .iter()
        .map(|&t| site.categories.terms[t].name.as_str())
        .collect();
    if !sections.is_empty() {
        obj.insert("articleSection".into(), json!(sections));
    }
    let comments = p.visible_comments();
    if !comments.is_empty() || p.comment_mode != CommentMode::Hidden {
        obj.insert("commentCount".into(), comments.len().into());
    }
    if !comments.is_empty() {
        obj.insert("comment".into(), Value::Array(comment_nodes(site, p)));
    }
    v
}

/// A post's comments as `Comment`s, replies nested under what they
/// answer as the page shows them: at most [`tree::MAX_DEPTH`] deep,
/// deeper replies listed at the last level.
fn comment_nodes(site: &Site, p: &Post) -> Vec<Value> {
    let comments = p.visible_comments();
    let parents: Vec<Option<usize>> = comments.iter().map(|c| c.parent).collect();
    let (roots, shown) = tree::layout(&parents, tree::MAX_DEPTH);
    let page = site.config.permalink(&p.path);
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(site: &Site, p: &Post, page: &str, i: usize, shown: &[tree::Shown]) -> Value {
        let c = &p.comments[i];
        let author = match c.member {
            Some(m) => member_person(site, m),
            None => named_person(&c.author, c.url.as_deref()),
        };
        let url = format!("{page}#{}", comment_anchor(&c.id));
        let mut v = json!({
            "@type": "Comment",
            "@id": url,
            "datePublished": c.date.to_rfc3339(),
        });
        // Moved in, not through `json!`, which would copy them.
        let obj = v.as_object_mut().expect("object");
        obj.insert("url".into(), Value::String(url));
        obj.insert("author".into(), author);
        obj.insert("text".into(), Value::String(plain_text(&c.body)));
        let replies = &shown[i].replies;
        if !replies.is_empty() {
            v["comment"] = Value::Array(
                replies
                    .iter()
                    .map(|&k| node(site, p, page, k, shown))
                    .collect(),
            );
        }
        v
    }
    roots
        .iter()
        .map(|&i| node(site, p, &page, i, &shown))
        .collect()
}

/// The `Person` (or, for no one known, the site) behind a thread entry.
fn participant_person(site: &Site, p: &Participant) -> Value {
    match p.member {
        Some(m) => member_person(site, m),
        None => named_person(&p.name, None),
    }
}

/// A thread as a `DiscussionForumPosting`, its entries as `Comment`s.
/// Page `page` of a paged thread holds that page's entries only.
pub fn discussion(site: &Site, i: ThreadIdx, page: usize, description: &str) -> Value {
    let c = &site.config;
    let t = &site.threads[i];
    let url = c.permalink(&t.path);
    let modified = t.entries.iter().filter_map(|e| e.date).max();
    let starter = t
        .started_by
        .as_ref()
        .or_else(|| t.entries.first().map(|e| &e.by))
        .map_or_else(|| publisher(c), |p| participant_person(site, p));
    let intro = plain_text(&t.intro.html);
    let text = if intro.is_empty() {
        t.entries
            .first()
            .map(|e| plain_text(&e.text))
            .unwrap_or_default()
    } else {
        intro
    };
    let mut v = json!({
        "@type": "DiscussionForumPosting",
        "@id": format!("{url}#discussion"),
        "headline": t.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": t.date.to_rfc3339(),
        "dateModified": modified.map_or(t.date, |m| m.max(t.date)).to_rfc3339(),
        "author": starter,
        "text": non_empty(&text).unwrap_or(&t.title),
        "description": non_empty(description),
        "inLanguage": t.lang.as_deref().unwrap_or(&c.language),
        "commentCount": t.entries.len(),
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/CommentAction",
            "userInteractionCount": t.entries.len(),
        },
        "isPartOf": {"@type": "WebSite", "@id": format!("{}#website", c.base_url), "name": c.title, "url": c.base_url},
    });
    let obj = v.as_object_mut().expect("object");
    let keywords: Vec<&str> = t
        .tags
        .iter()
        .map(|&k| site.tags.terms[k].name.as_str())
        .collect();
    if !keywords.is_empty() {
        obj.insert("keywords".into(), json!(keywords));
    }
    if let Some(origin) = t.origin.as_ref().and_then(|o| o.url.as_deref()) {
        // Where the conversation happened first.
        obj.insert(
            "sharedContent".into(),
            json!({"@type": "WebPage", "url": origin}),
        );
    }
    if !t.entries.is_empty() {
        obj.insert("comment".into(), Value::Array(entry_nodes(site, t, page)));
    }
    v
}

/// The entries on page `page_no` of a thread as `Comment`s, nested like
/// [`comment_nodes`] and like the page shows them.
fn entry_nodes(site: &Site, t: &Thread, page_no: usize) -> Vec<Value> {
    let (tops, shown) = t.page_layout(page_no);
    let page = site
        .config
        .permalink(&super::jobs::page_path(&t.path, page_no));
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(
        site: &Site,
        t: &Thread,
        page: (&str, usize),
        i: usize,
        shown: &[tree::Shown],
    ) -> Value {
        let (url_of_page, page_no) = page;
        let e = &t.entries[i];
        let mut text = plain_text(&e.text);
        if text.is_empty() {
            if let Some((p, c)) = e.quote {
                text = plain_text(&site.posts[p].comments[c].body);
            }
        }
        let mut v = Map::new();
        v.insert("@type".into(), "Comment".into());
        let url = format!("{url_of_page}#{}", entry_anchor(&e.id));
        v.insert("@id".into(), url.clone().into());
        v.insert("url".into(), url.into());
        v.insert("author".into(), participant_person(site, &e.by));
        // An entry imported with no date says none rather than a guess.
        if let Some(d) = e.date {
            v.insert("datePublished".into(), d.to_rfc3339().into());
        }
        v.insert("text".into(), text.into());
        if let Some(original) = e.url.as_deref() {
            v.insert("sameAs".into(), original.into());
        }
        let replies = &shown[i].replies;
        if !replies.is_empty() {
            v.insert(
                "comment".into(),
                Value::Array(
                    replies
                        .iter()
                        .filter(|&&k| t.on_page(k, page_no))
                        .map(|&k| node(site, t, page, k, shown))
                        .collect(),
                ),
            );
        }
        Value::Object(v)
    }
    tops.iter()
        .map(|&i| node(site, t, (&page, page_no), i, &shown))
        .collect()
}

/// A member's page as a `ProfilePage` whose `mainEntity` is the
/// `Person`: their links as `sameAs`, what they wrote as counts.
pub fn profile(site: &Site, i: MemberIdx, description: &str) -> Value {
    let c = &site.config;
    let m = &site.members[i];
    let url = c.permalink(&m.path);
    let mut person = member_person(site, i);
    let obj = person.as_object_mut().expect("object");
    obj.insert("@id".into(), format!("{url}#person").into());
    obj.insert("alternateName".into(), m.handle.clone().into());
    obj.insert("identifier".into(), m.handle.clone().into());
    if !description.is_empty() {
        obj.insert("description".into(), description.into());
    }
    if let Some(role) = &m.role {
        obj.insert("jobTitle".into(), role.clone().into());
    }
    if let Some(place) = &m.location {
        obj.insert(
            "homeLocation".into(),
            json!({"@type": "Place", "name": place}),
        );
    }
    let same_as: Vec<&str> = m
        .links
        .iter()
        .filter_map(|l| l.url.as_deref())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .collect();
    if !same_as.is_empty() {
        obj.insert("sameAs".into(), json!(same_as));
    }
    // What the person did (Google's `agentInteractionStatistic`): posts
    // written, comments and thread messages written.
    let counter = |action: &str, n: usize| {
        json!({
            "@type": "InteractionCounter",
            "interactionType": format!("https://schema.org/{action}"),
            "userInteractionCount": n,
        })
    };
    obj.insert(
        "agentInteractionStatistic".into(),
        json!([
            counter("WriteAction", m.posts.len()),
            counter("CommentAction", m.comments.len() + m.entries.len()),
        ]),
    );
    json!({
        "@type": "ProfilePage",
        "@id": url,
        "url": url,
        "name": m.name,
        "inLanguage": m.lang.as_deref().unwrap_or(&c.language),
        "mainEntity": person,
        "isPartOf": {"@type": "WebSite", "@id": format!("{}#website", c.base_url), "name": c.title, "url": c.base_url},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_element_and_parses_back() {
        let v = json!({"@t": "</script><!-- & \u{2028} \"b\"@host.org", "n": [1, {"k": null}]});
        let text = script_text(&v);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        assert!(
            text.starts_with("{\"@t\":") && !text.contains("\"@host"),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn addresses_become_absolute_under_the_base() {
        let c = Config::parse(
            std::path::Path::new("salon.yaml"),
            "title: T\nbase_url: https://e.org/sub/\n",
        )
        .unwrap();
        let at = |a: &str| absolute(&c, a, "/posts/x/");
        assert_eq!(
            at("/img/a.png").as_deref(),
            Some("https://e.org/sub/img/a.png")
        );
        assert_eq!(
            at("a.png").as_deref(),
            Some("https://e.org/sub/posts/x/a.png")
        );
        assert_eq!(
            at("https://cdn.org/a.png").as_deref(),
            Some("https://cdn.org/a.png")
        );
        assert_eq!(
            at("//cdn.org/a.png").as_deref(),
            Some("https://cdn.org/a.png")
        );
        assert_eq!(at("javascript:alert(1)"), None);
        assert_eq!(at("data:image/png;base64,xx"), None);
        assert_eq!(
            avatar(&c, "avatars/a.png").as_deref(),
            Some("https://e.org/sub/avatars/a.png")
        );
    }
}
