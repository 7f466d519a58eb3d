//! `feeds:` in `salon.yaml`: a post's comments feed and the lists' JSON
//! Feeds are written, and linked, only when asked for; the site's feeds
//! and every list's Atom feed always are.

use crate::binary;
use crate::common::*;

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn site(feeds: &str) -> Site {
    Site::new(
        &format!("title: Feeds\nbase_url: https://example.org/\n{feeds}"),
        &[
            ("content/members/ann.md", "---\nname: Ann Smith\n---\nBio.\n"),
            (
                "content/posts/talked.md",
                &post(
                    "title: Talked About\ndate: 2020-01-01\nauthors: [ann]\ntags: [Garden]",
                    "Body.",
                ),
            ),
            (
                "content/comments/talked.yaml",
                "- id: c1\n  author: Bob\n  date: 2020-01-02\n  body: <p>First.</p>\n- id: c2\n  author: Cy\n  date: 2020-01-03\n  body: <p>Second.</p>\n",
            ),
            (
                "content/threads/talk.md",
                "---\ntitle: A Talk\ndate: 2020-04-01\nentries:\n  - id: 1\n    by: ann\n    text: Opening.\n---\nIntro.\n",
            ),
        ],
    )
}

/// The optional files, by whether each exists.
fn optional_files(site: &Site) -> Vec<(&'static str, bool)> {
    [
        "posts/talked/comments.xml",
        "tags/garden/feed.json",
        "members/ann/feed.json",
        "threads/talk/feed.json",
    ]
    .into_iter()
    .map(|rel| (rel, site.out().join(rel).exists()))
    .collect()
}

/// The `href`s of a page's `<link rel="alternate">`, and of the links
/// in its body to feeds below its own path.
fn feed_hrefs(site: &Site, url_path: &str) -> (Vec<String>, Vec<String>) {
    let page = site.page(url_path);
    let head = attrs(&page, "head link[rel=alternate]", "href");
    let body = attrs(&page, "body a[href]", "href")
        .into_iter()
        .filter(|h| h.starts_with(url_path) && (h.ends_with(".xml") || h.ends_with(".json")))
        .collect();
    (head, body)
}

#[test]
fn rarely_read_feeds_are_neither_written_nor_linked_by_default() {
    let site = site("");
    site.build();
    assert!(
        optional_files(&site).iter().all(|(_, exists)| !exists),
        "{:?}",
        optional_files(&site)
    );
    // What is always written still is, and parses.
    for rel in [
        "feed.xml",
        "comments/feed.xml",
        "tags/garden/feed.xml",
        "members/ann/feed.xml",
        "threads/talk/feed.xml",
    ] {
        let xml = site.read(rel);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(doc.root_element().has_tag_name((ATOM, "feed")), "{rel}");
    }
    for rel in ["feed.json", "comments/feed.json"] {
        let feed: serde_json::Value = serde_json::from_str(&site.read(rel)).unwrap();
        assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1", "{rel}");
    }

    let (head, body) = feed_hrefs(&site, "/posts/talked/");
    assert_eq!(
        head,
        vec![
            "/feed.xml",
            "/feed.json",
            "/comments/feed.xml",
            "/comments/feed.json"
        ],
        "a post links the site's feeds only"
    );
    assert!(body.is_empty(), "{body:?}");
    for (page, atom) in [
        ("/tags/garden/", "/tags/garden/feed.xml"),
        ("/members/ann/", "/members/ann/feed.xml"),
        ("/threads/talk/", "/threads/talk/feed.xml"),
    ] {
        let (head, body) = feed_hrefs(&site, page);
        assert_eq!(head[0], atom, "{page}");
        assert_eq!(
            &head[1..],
            [
                "/feed.xml",
                "/feed.json",
                "/comments/feed.xml",
                "/comments/feed.json"
            ],
            "{page}"
        );
        assert_eq!(body, vec![atom.to_owned()], "{page}");
    }
    assert_eq!(broken_links(&site.out(), "/"), vec![]);
}

#[test]
fn feeds_asked_for_are_written_and_linked() {
    let site = site("feeds:\n  post_comments: true\n  json: all\n");
    site.build();
    assert!(
        optional_files(&site).iter().all(|(_, exists)| *exists),
        "{:?}",
        optional_files(&site)
    );
    let xml = site.read("posts/talked/comments.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let entries = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .count();
    assert_eq!(entries, 2);
    for rel in [
        "tags/garden/feed.json",
        "members/ann/feed.json",
        "threads/talk/feed.json",
    ] {
        let feed: serde_json::Value = serde_json::from_str(&site.read(rel)).unwrap();
        assert_eq!(
            feed["feed_url"],
            format!("https://example.org/{rel}"),
            "{rel}"
        );
    }

    let (head, body) = feed_hrefs(&site, "/posts/talked/");
    assert_eq!(head[0], "/posts/talked/comments.xml");
    assert_eq!(body, vec!["/posts/talked/comments.xml"]);
    for (page, own) in [
        ("/tags/garden/", "/tags/garden/"),
        ("/members/ann/", "/members/ann/"),
        ("/threads/talk/", "/threads/talk/"),
    ] {
        let (head, body) = feed_hrefs(&site, page);
        let both = vec![format!("{own}feed.xml"), format!("{own}feed.json")];
        assert_eq!(head[..2], both, "{page}");
        assert_eq!(body, both, "{page}");
    }
    assert_eq!(broken_links(&site.out(), "/"), vec![]);
}

#[test]
fn an_unknown_feeds_value_is_an_error_at_its_line() {
    let site = site("feeds:\n  json: every\n");
    let err = site.try_build().expect_err("`every` is not a choice");
    let salon::Error::Content(diags) = err else {
        panic!("expected a content error, got {err}");
    };
    let d = &diags[0];
    assert!(d.path.ends_with("salon.yaml"), "{d:?}");
    assert!(d.message.contains("every"), "{d:?}");
    assert_eq!(d.position.map(|p| p.line), Some(4), "{d:?}");
}

#[test]
fn the_cli_build_writes_a_post_comments_feed_only_when_configured() {
    let site = site("");
    binary::run(site.root(), &["build"]).ok();
    assert!(!site.out().join("posts/talked/comments.xml").exists());
    site.write(
        "salon.yaml",
        "title: Feeds\nbase_url: https://example.org/\nfeeds:\n  post_comments: true\n",
    );
    binary::run(site.root(), &["build"]).ok();
    let xml = site.read("posts/talked/comments.xml");
    roxmltree::Document::parse(&xml).expect("comments.xml is XML");
    assert!(
        !site.out().join("tags/garden/feed.json").exists(),
        "json stays site-only"
    );
}
