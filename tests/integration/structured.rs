//! JSON-LD on every page of the demo site, parsed with serde_json and
//! checked against the properties Google documents for each type; and
//! escaped so that no content closes its script element.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use scraper::{ElementRef, Html};
use serde_json::Value;

use crate::common::*;

/// What kind of page a root path is, by the site's URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Home,
    Post,
    Member,
    Thread,
    Term,
    NotFound,
    Search,
    Other,
}

pub fn kind_of(path: &str) -> Kind {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => Kind::Home,
        ["404.html"] => Kind::NotFound,
        ["search"] => Kind::Search,
        ["posts", _] => Kind::Post,
        ["members", h] if *h != "by-activity" => Kind::Member,
        ["threads", _] => Kind::Thread,
        ["tags" | "categories", _, ..] => Kind::Term,
        _ => Kind::Other,
    }
}

/// Every HTML page below `out` but redirects, as (root path, document).
pub fn pages(out: &Path, base_path: &str) -> Vec<(String, Html)> {
    let mut found = Vec::new();
    for e in walkdir::WalkDir::new(out) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let path = match rel.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{rel}"),
        };
        let doc = Html::parse_document(&fs::read_to_string(e.path()).unwrap());
        if doc
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some()
        {
            continue;
        }
        let _ = base_path;
        found.push((path, doc));
    }
    assert!(found.len() > 40, "only {} pages", found.len());
    found
}

/// The parsed JSON-LD graph of a page: its nodes.
pub fn json_ld(doc: &Html) -> Vec<Value> {
    let scripts: Vec<ElementRef> = doc
        .select(&sel("script[type='application/ld+json']"))
        .collect();
    if scripts.is_empty() {
        return Vec::new();
    }
    assert_eq!(scripts.len(), 1, "one JSON-LD script per page");
    let text: String = scripts[0].text().collect();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["@context"], "https://schema.org");
    v["@graph"].as_array().expect("a @graph").clone()
}

fn node<'a>(nodes: &'a [Value], ty: &str) -> Option<&'a Value> {
    nodes.iter().find(|n| n["@type"] == ty)
}

fn string<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is no string in {v:#}"))
}

fn date(v: &Value, key: &str) {
    chrono::DateTime::parse_from_rfc3339(string(v, key))
        .unwrap_or_else(|e| panic!("`{key}` is no RFC 3339 date ({e}) in {v:#}"));
}

/// A root path for an absolute URL of the demo site, checked to be one.
fn local(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://example.org")
        .unwrap_or_else(|| panic!("{url} is not under the base URL"));
    rest.split('#').next().unwrap()
}

/// A `Person` with a name; a member's carries their page's URL.
fn person(out: &Path, v: &Value) {
    assert!(
        v["@type"] == "Person" || v["@type"] == "Organization",
        "{v:#}"
    );
    assert!(!string(v, "name").is_empty());
    if let Some(url) = v["url"].as_str() {
        if url.starts_with("https://example.org/") {
            assert!(file_for(out, local(url)).is_some(), "{url} leads nowhere");
        }
    }
}

/// Every `Comment` below `nodes` (depth first) with its parent's id.
fn comments(nodes: &[Value], parent: Option<&str>, out: &mut Vec<(Option<String>, Value)>) {
    for c in nodes {
        out.push((parent.map(str::to_owned), c.clone()));
        if let Some(replies) = c["comment"].as_array() {
            comments(replies, Some(string(c, "@id")), out);
        }
    }
}

/// The comments of a page as the HTML nests them: (parent anchor, anchor).
fn html_tree(doc: &Html, selector: &str) -> BTreeSet<(Option<String>, String)> {
    let mut pairs = BTreeSet::new();
    for el in doc.select(&sel(selector)) {
        let id = el.value().attr("id").unwrap().to_owned();
        let parent = el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "article" && a.value().classes().any(|c| c == "comment"))
            .map(|a| a.value().attr("id").unwrap().to_owned());
        pairs.insert((parent, id));
    }
    pairs
}

fn json_tree(list: &[(Option<String>, Value)]) -> BTreeSet<(Option<String>, String)> {
    let anchor = |id: &str| id.rsplit_once('#').unwrap().1.to_owned();
    list.iter()
        .map(|(p, c)| (p.as_deref().map(anchor), anchor(string(c, "@id"))))
        .collect()
}

fn breadcrumbs(out: &Path, canonical: &str, list: &Value) {
    let items = list["itemListElement"].as_array().unwrap();
    assert!(items.len() >= 2, "{list:#}");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["@type"], "ListItem");
        assert_eq!(item["position"], i + 1);
        assert!(!string(item, "name").is_empty());
        let url = string(item, "item");
        assert!(file_for(out, local(url)).is_some(), "{url} leads nowhere");
    }
    assert_eq!(string(items.last().unwrap(), "item"), canonical);
}

#[test]
fn every_demo_page_carries_the_structured_data_of_its_kind() {
    let site = Site::demo();
    site.build();
    let out = site.out();
    let mut seen = BTreeSet::new();
    for (path, doc) in pages(&out, "/") {
        let kind = kind_of(&path);
        let nodes = json_ld(&doc);
        if kind == Kind::NotFound {
            assert!(nodes.is_empty(), "the 404 page describes nothing");
            continue;
        }
        assert!(!nodes.is_empty(), "{path} has no JSON-LD");
        seen.insert(format!("{kind:?}"));
        let canonical = attrs(&doc, "link[rel=canonical]", "href").remove(0);
        let crumbs = node(&nodes, "BreadcrumbList");
        if kind != Kind::Home {
            breadcrumbs(
                &out,
                &canonical,
                crumbs.unwrap_or_else(|| panic!("{path}: no trail")),
            );
        }
        match kind {
            Kind::Home => {
                let w = node(&nodes, "WebSite").expect("a WebSite on the front page");
                assert_eq!(string(w, "url"), "https://example.org/");
                assert_eq!(string(w, "name"), "The Long Table");
                let action = &w["potentialAction"];
                assert_eq!(action["@type"], "SearchAction");
                assert_eq!(
                    action["target"]["urlTemplate"],
                    "https://example.org/search/?q={search_term_string}"
                );
                assert_eq!(action["query-input"], "required name=search_term_string");
            }
            Kind::Post => {
                let p = node(&nodes, "BlogPosting").unwrap_or_else(|| panic!("{path}"));
                let title = texts(&doc, "h1.p-name").remove(0);
                assert!(title.starts_with(string(p, "headline")), "{title}");
                assert_eq!(string(p, "url"), canonical);
                assert_eq!(p["mainEntityOfPage"]["@id"], canonical.as_str());
                date(p, "datePublished");
                date(p, "dateModified");
                let authors = p["author"].as_array().expect("authors");
                assert!(!authors.is_empty());
                authors.iter().for_each(|a| person(&out, a));
                let tags = texts(&doc, ".post-terms .tags a");
                let keywords: Vec<String> = p["keywords"]
                    .as_array()
                    .map(|k| k.iter().map(|t| t.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                assert_eq!(keywords, tags, "{path}");
                // The comments, nested as the page nests them.
                let mut listed = Vec::new();
                comments(
                    p["comment"].as_array().map_or(&[][..], |v| v),
                    None,
                    &mut listed,
                );
                for (_, c) in &listed {
                    assert_eq!(c["@type"], "Comment");
                    person(&out, &c["author"]);
                    date(c, "datePublished");
                    assert!(!string(c, "text").is_empty(), "{c:#}");
                    assert_eq!(string(c, "url"), string(c, "@id"));
                }
                assert_eq!(
                    json_tree(&listed),
                    html_tree(&doc, "article.comment"),
                    "{path}"
                );
                if !listed.is_empty() {
                    assert_eq!(p["commentCount"], listed.len());
                }
            }
            Kind::Thread => {
                let t = node(&nodes, "DiscussionForumPosting").unwrap_or_else(|| panic!("{path}"));
                assert_eq!(texts(&doc, "h1").remove(0), string(t, "headline"));
                assert_eq!(string(t, "url"), canonical);
                date(t, "datePublished");
                person(&out, &t["author"]);
                assert!(!string(t, "text").is_empty());
                let mut listed = Vec::new();
                comments(t["comment"].as_array().unwrap(), None, &mut listed);
                for (_, c) in &listed {
                    person(&out, &c["author"]);
                    date(c, "datePublished");
                    assert!(!string(c, "text").is_empty());
                }
                assert_eq!(json_tree(&listed), html_tree(&doc, "article.entry"));
                assert_eq!(
                    t["interactionStatistic"]["userInteractionCount"],
                    listed.len()
                );
            }
            Kind::Member => {
                let p = node(&nodes, "ProfilePage").unwrap_or_else(|| panic!("{path}"));
                let m = &p["mainEntity"];
                assert_eq!(m["@type"], "Person");
                assert_eq!(string(m, "name"), texts(&doc, ".h-card h1").remove(0));
                assert_eq!(string(m, "url"), canonical);
                let same_as: Vec<&str> = m["sameAs"]
                    .as_array()
                    .map(|v| v.iter().map(|u| u.as_str().unwrap()).collect())
                    .unwrap_or_default();
                assert_eq!(same_as, attrs(&doc, "a[rel=me]", "href"), "{path}");
                let counts: Vec<(String, u64)> = m["agentInteractionStatistic"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        assert_eq!(c["@type"], "InteractionCounter");
                        (
                            string(c, "interactionType").to_owned(),
                            c["userInteractionCount"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                let shown = |id: &str| {
                    texts(&doc, &format!("#{id} .count"))
                        .first()
                        .map_or(0, |n| n.parse::<u64>().unwrap())
                };
                assert_eq!(
                    counts,
                    vec![
                        (
                            "https://schema.org/WriteAction".to_owned(),
                            shown("posts-title")
                        ),
                        (
                            "https://schema.org/CommentAction".to_owned(),
                            shown("comments-title") + shown("entries-title")
                        ),
                    ],
                    "{path}"
                );
            }
            Kind::Term | Kind::Search | Kind::Other => {
                let page = &nodes[0];
                assert!(!string(page, "name").is_empty());
                assert_eq!(string(page, "url"), canonical);
            }
            Kind::NotFound => unreachable!(),
        }
    }
    assert_eq!(seen.len(), 7, "every kind of page was checked: {seen:?}");
}

#[test]
fn a_title_that_closes_the_script_stays_inside_its_json() {
    let evil = "</script><script>alert(1)</script>";
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/evil.md",
                &post(&format!("title: '{evil}'\ndate: 2024-01-01\ntags: ['<!--']"), "Body & more."),
            ),
            (
                "content/comments/evil.yaml",
                "- id: c1\n  author: '</SCRIPT ><img src=x onerror=alert(2)>'\n  date: 2024-01-02\n  body: '<p>&lt;/script&gt; hi</p>'\n",
            ),
        ],
    );
    site.build();
    let doc = site.page("/posts/evil/");
    // No script but the theme's own and the JSON-LD.
    let scripts: Vec<String> = doc
        .select(&sel("script"))
        .map(|s| s.text().collect::<String>())
        .collect();
    assert!(
        scripts.iter().all(|s| !s.trim().starts_with("alert")),
        "{scripts:#?}"
    );
    assert_eq!(doc.select(&sel("img[onerror]")).count(), 0);
    let nodes = json_ld(&doc);
    let p = node(&nodes, "BlogPosting").unwrap();
    assert_eq!(p["headline"], evil);
    assert_eq!(p["keywords"][0], "<!--");
    let c = &p["comment"][0];
    assert_eq!(
        c["author"]["name"],
        "</SCRIPT ><img src=x onerror=alert(2)>"
    );
    assert_eq!(c["text"], "</script> hi");
    let og = attrs(&doc, "meta[property='og:title']", "content");
    assert_eq!(og, vec![evil]);
}
