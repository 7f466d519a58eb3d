//! Microformats2 on posts, threads and member pages, read with a real mf2
//! parser (the `microformats` crate) into the canonical mf2 JSON.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::*;
use crate::structured::{kind_of, pages, Kind};

/// The page's mf2 JSON: `{items, rels, rel-urls}`.
fn mf2(doc: &scraper::Html, path: &str) -> Value {
    let url = url::Url::parse(&format!("https://example.org{path}")).unwrap();
    let parsed = microformats::from_html(&doc.html(), &url).expect("mf2 parses");
    serde_json::to_value(parsed).unwrap()
}

fn items_of_type<'a>(v: &'a Value, ty: &str) -> Vec<&'a Value> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"].as_array().unwrap().iter().any(|t| t == ty))
        .collect()
}

/// The property's values as strings (a nested item by its `value`, an
/// HTML fragment by its `html`).
fn strings(item: &Value, prop: &str) -> Vec<String> {
    item["properties"][prop]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(o) if o.contains_key("html") => {
                        o["html"].as_str().unwrap().to_owned()
                    }
                    Value::Object(o) => o["value"].as_str().unwrap_or("").to_owned(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn one(item: &Value, prop: &str) -> String {
    let v = strings(item, prop);
    assert_eq!(v.len(), 1, "`{prop}` of {item:#}");
    v.into_iter().next().unwrap()
}

/// An `h-card` author with a name and a URL.
fn author_card(v: &Value) {
    assert!(
        v["type"].as_array().unwrap().iter().any(|t| t == "h-card"),
        "{v:#}"
    );
    assert!(!one(v, "name").is_empty());
}

/// Every `comment` below `entry` (depth first), checked as replies: an
/// h-entry with author, date, content, and what it answers.
fn replies(entry: &Value, answers: &str, count: &mut usize, base: &str) {
    for c in entry["properties"]["comment"]
        .as_array()
        .map_or(&[][..], |v| v)
    {
        assert!(
            c["type"].as_array().unwrap().iter().any(|t| t == "h-entry"),
            "{c:#}"
        );
        *count += 1;
        let authors = c["properties"]["author"].as_array().unwrap();
        author_card(&authors[0]);
        let url = one(c, "url");
        assert!(url.starts_with(base) && url.contains('#'), "{url}");
        assert_eq!(one(c, "in-reply-to"), answers);
        if c["properties"].get("published").is_some() {
            chrono::DateTime::parse_from_rfc3339(&one(c, "published")).unwrap();
        }
        replies(c, &url, count, base);
    }
}

#[test]
fn posts_threads_and_members_are_complete_microformats() {
    let site = Site::demo();
    site.build();
    let mut checked = [0usize; 3];
    for (path, doc) in pages(&site.out(), "/") {
        let kind = kind_of(&path);
        if !matches!(kind, Kind::Post | Kind::Thread | Kind::Member) {
            continue;
        }
        let v = mf2(&doc, &path);
        let permalink = format!("https://example.org{path}");
        match kind {
            Kind::Post | Kind::Thread => {
                let entries = items_of_type(&v, "h-entry");
                assert_eq!(entries.len(), 1, "{path}: one top-level h-entry");
                let e = entries[0];
                assert_eq!(
                    one(e, "name"),
                    texts(&doc, "h1")[0].trim_end_matches(" Draft")
                );
                assert_eq!(strings(e, "url")[0], permalink);
                chrono::DateTime::parse_from_rfc3339(&one(e, "published")).unwrap();
                let authors = e["properties"]["author"].as_array().unwrap();
                authors.iter().for_each(author_card);
                let categories = strings(e, "category");
                let tags = texts(&doc, ".post-terms .tags a");
                assert!(
                    tags.iter().all(|t| categories.contains(t)),
                    "{path}: {categories:?}"
                );
                let mut count = 0;
                replies(e, &permalink, &mut count, &permalink);
                let shown = doc.select(&sel("article.comment")).count();
                assert_eq!(
                    count, shown,
                    "{path}: every comment is a reply in the h-entry"
                );
                if kind == Kind::Post {
                    assert!(!one(e, "content").is_empty());
                    checked[0] += 1;
                } else {
                    checked[1] += 1;
                }
            }
            Kind::Member => {
                let cards = items_of_type(&v, "h-card");
                assert_eq!(cards.len(), 1, "{path}");
                let card = cards[0];
                assert_eq!(one(card, "name"), texts(&doc, ".h-card h1")[0]);
                let urls = strings(card, "url");
                assert_eq!(urls[0], permalink);
                let me: BTreeSet<String> = v["rels"]["me"]
                    .as_array()
                    .map(|m| m.iter().map(|u| u.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                assert_eq!(me, attrs(&doc, "a[rel=me]", "href").into_iter().collect());
                assert!(me.iter().all(|u| urls.contains(u)));
                assert_eq!(
                    one(card, "nickname"),
                    path.trim_end_matches('/').rsplit('/').next().unwrap()
                );
                if path == "/members/hmensah/" {
                    assert_eq!(
                        one(card, "photo"),
                        "https://example.org/avatars/hmensah.svg"
                    );
                }
                checked[2] += 1;
            }
            _ => unreachable!(),
        }
    }
    assert!(checked.iter().all(|&n| n >= 2), "{checked:?}");
}
