//! Link previews (Open Graph, Twitter cards), descriptions, robots.txt,
//! the 404 page, the favicon and theme colour, and feed autodiscovery,
//! read from the built pages with an HTML parser.

use std::collections::BTreeSet;
use std::fs;

use scraper::Html;

use crate::common::*;
use crate::structured::{json_ld, kind_of, pages, Kind};

fn meta(doc: &Html, attr: &str, name: &str) -> Vec<String> {
    attrs(doc, &format!("meta[{attr}='{name}']"), "content")
}

fn one(doc: &Html, attr: &str, name: &str) -> String {
    let v = meta(doc, attr, name);
    assert_eq!(v.len(), 1, "{name}: {v:?}");
    v.into_iter().next().unwrap()
}

/// `text` without whitespace: the page's text nodes join with spaces.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn every_demo_page_has_a_preview_and_a_description_of_its_own() {
    let site = Site::demo();
    let config = fs::read_to_string(site.root().join("salon.yaml")).unwrap();
    site.write("salon.yaml", &format!("{config}image: /images/card.png\n"));
    site.write(
        "content/posts/with-a-picture.md",
        &post(
            "title: With a picture\ndate: 2021-05-01\nauthors: [amarao]",
            "Look:\n\n![The long table](table.jpg)\n\n![Another](/images/b.png)",
        ),
    );
    site.build();
    let out = site.out();
    let site_description = "A community of practice about online communities";
    let mut descriptions = BTreeSet::new();
    for (path, doc) in pages(&out, "/") {
        let kind = kind_of(&path);
        let description = one(&doc, "name", "description");
        assert!(!description.is_empty(), "{path}");
        assert_eq!(one(&doc, "property", "og:description"), description);
        assert_eq!(one(&doc, "name", "twitter:description"), description);
        assert_eq!(one(&doc, "property", "og:site_name"), "The Long Table");
        let title = one(&doc, "property", "og:title");
        assert!(!title.is_empty(), "{path}");
        assert_eq!(one(&doc, "name", "twitter:title"), title);
        assert!(["summary", "summary_large_image"]
            .contains(&one(&doc, "name", "twitter:card").as_str()));
        assert_eq!(one(&doc, "name", "theme-color"), "#3d3bb0");
        let image = one(&doc, "property", "og:image");
        assert!(image.starts_with("https://"), "{path}: {image}");
        let og_type = one(&doc, "property", "og:type");
        let canonical = attrs(&doc, "link[rel=canonical]", "href");
        if kind == Kind::NotFound {
            assert!(
                canonical.is_empty(),
                "the 404 page has no address of its own"
            );
            assert_eq!(one(&doc, "name", "robots"), "noindex");
            assert!(meta(&doc, "property", "og:url").is_empty());
            assert!(description.contains("nothing at this address"));
            continue;
        }
        assert!(meta(&doc, "name", "robots").is_empty(), "{path} is indexed");
        assert_eq!(canonical, vec![one(&doc, "property", "og:url")]);
        assert_eq!(canonical[0], format!("https://example.org{path}"));
        if kind != Kind::Home {
            // Pages but the front page say something of their own.
            assert!(
                !description.starts_with(site_description),
                "{path}: {description}"
            );
            assert!(
                descriptions.insert(description.clone()),
                "{path} repeats {description}"
            );
        }
        match kind {
            Kind::Post => {
                assert_eq!(og_type, "article");
                assert_eq!(
                    title,
                    texts(&doc, "h1.p-name")[0].trim_end_matches(" Draft")
                );
                let published = one(&doc, "property", "article:published_time");
                assert_eq!(
                    attrs(&doc, "h1 ~ .meta .dt-published", "datetime"),
                    vec![published.clone()]
                );
                chrono::DateTime::parse_from_rfc3339(&one(
                    &doc,
                    "property",
                    "article:modified_time",
                ))
                .unwrap();
                let authors = meta(&doc, "property", "article:author");
                let bylines: Vec<String> = attrs(&doc, ".post-header a[rel=author]", "href")
                    .iter()
                    .map(|h| format!("https://example.org{h}"))
                    .collect();
                assert_eq!(authors, bylines, "{path}");
                assert_eq!(
                    meta(&doc, "property", "article:tag"),
                    texts(&doc, ".post-terms .tags a")
                );
            }
            Kind::Member => {
                assert_eq!(og_type, "profile");
                let handle = path.trim_end_matches('/').rsplit('/').next().unwrap();
                assert_eq!(one(&doc, "property", "profile:username"), handle);
                let bio = squeeze(&texts(&doc, ".bio").join(" "));
                assert!(
                    bio.starts_with(&squeeze(description.trim_end_matches('…'))),
                    "{path}: {description}"
                );
            }
            Kind::Thread => {
                assert_eq!(og_type, "article");
                let first = squeeze(&texts(&doc, "article.entry .comment-body")[0]);
                assert!(
                    first.starts_with(&squeeze(description.trim_end_matches('…'))),
                    "{first} / {description}"
                );
            }
            // A tag with its own description file says what it is about.
            Kind::Term if !texts(&doc, ".term-description").is_empty() => {
                let text = squeeze(&texts(&doc, ".term-description").join(" "));
                assert!(!description.starts_with("Posts "), "{path}: {description}");
                assert!(!text.is_empty(), "{path}");
            }
            Kind::Term => assert!(description.starts_with("Posts "), "{description}"),
            Kind::Search => assert!(description.starts_with("Search"), "{description}"),
            _ => assert_eq!(og_type, "website", "{path}"),
        }
        if kind == Kind::Member && path == "/members/hmensah/" {
            assert_eq!(
                image, "https://example.org/avatars/hmensah.svg",
                "the member's avatar"
            );
        } else if path == "/posts/with-a-picture/" {
            assert_eq!(
                image, "https://example.org/posts/with-a-picture/table.jpg",
                "its first picture"
            );
            let ld = json_ld(&doc);
            assert_eq!(ld[0]["image"][0], image.as_str());
            assert_eq!(one(&doc, "name", "twitter:card"), "summary_large_image");
        } else {
            assert_eq!(image, "https://example.org/images/card.png", "{path}");
        }
    }
}

#[test]
fn feeds_are_announced_on_the_pages_they_follow() {
    let site = Site::demo();
    site.build();
    let out = site.out();
    for (path, doc) in pages(&out, "/") {
        let atom = attrs(
            &doc,
            "link[rel=alternate][type='application/atom+xml']",
            "href",
        );
        let json = attrs(
            &doc,
            "link[rel=alternate][type='application/feed+json']",
            "href",
        );
        // A post's comments feed is Atom alone.
        let twinned: Vec<&String> = atom
            .iter()
            .filter(|a| !a.ends_with("/comments.xml"))
            .collect();
        assert_eq!(
            twinned.len(),
            json.len(),
            "{path}: a JSON Feed beside each Atom feed"
        );
        for (a, j) in twinned.into_iter().zip(&json) {
            assert_eq!(a.replace(".xml", ".json"), *j);
            assert!(
                file_for(&out, a).is_some() && file_for(&out, j).is_some(),
                "{a}"
            );
        }
        for site_feed in ["/feed.xml", "/comments/feed.xml"] {
            assert!(
                atom.iter().any(|a| a == site_feed),
                "{path} lacks {site_feed}"
            );
        }
        let own = match kind_of(&path) {
            Kind::Member | Kind::Thread => Some(format!("{path}feed.xml")),
            Kind::Term if !path.contains("/page/") => Some(format!("{path}feed.xml")),
            Kind::Post if doc.select(&sel("article.comment")).next().is_some() => {
                Some(format!("{path}comments.xml"))
            }
            _ => None,
        };
        if let Some(own) = own {
            assert_eq!(atom[0], own, "{path}: its own feed first");
            // And a link a reader can see.
            let visible = attrs(&doc, "main a", "href");
            let json = own.replace(".xml", ".json");
            assert!(visible.contains(&own), "{path}");
            assert_eq!(
                visible.contains(&json),
                !own.ends_with("/comments.xml"),
                "{path}"
            );
        }
    }
}

#[test]
fn robots_txt_names_the_sitemap_and_a_site_may_give_its_own() {
    let site = Site::demo();
    let mut opts = site.options();
    opts.base_url = Some("https://example.org/community/".into());
    salon::build(&opts).unwrap();
    let robots = site.read("robots.txt");
    let sitemaps: Vec<&str> = robots
        .lines()
        .filter_map(|l| l.strip_prefix("Sitemap:"))
        .map(str::trim)
        .collect();
    assert_eq!(sitemaps, vec!["https://example.org/community/sitemap.xml"]);
    assert!(robots.lines().any(|l| l.trim() == "User-agent: *"));
    roxmltree::Document::parse(&site.read("sitemap.xml")).unwrap();
    // Under a sub-path, every absolute URL a page gives carries it.
    let doc = site.page("/posts/moderation-is-gardening/");
    for (attr, name) in [("property", "og:url"), ("property", "article:author")] {
        for url in meta(&doc, attr, name) {
            assert!(url.starts_with("https://example.org/community/"), "{url}");
        }
    }
    let nodes = json_ld(&doc);
    let text = serde_json::to_string(&nodes).unwrap();
    assert!(
        !text.contains("https://example.org/posts/")
            && !text.contains("https://example.org/members/")
    );
    for href in attrs(&doc, "link[rel=alternate], link[rel=icon]", "href") {
        assert!(href.starts_with("/community/"), "{href}");
    }

    site.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    site.build();
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /drafts/\n"
    );
}

#[test]
fn the_favicon_and_theme_colour_are_the_theme_s_until_the_site_gives_its_own() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2024-01-01", "Text."),
        )],
    );
    site.build();
    let doc = site.page("/posts/a/");
    let icon = attrs(&doc, "link[rel=icon]", "href");
    assert_eq!(icon, vec!["/favicon.svg"]);
    let svg = site.read("favicon.svg");
    let parsed = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(parsed.root_element().tag_name().name(), "svg");
    assert_eq!(one(&doc, "name", "theme-color"), "#3d3bb0");

    site.write(
        "static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write("salon.yaml", &format!("{CONFIG}theme_color: '#112233'\n"));
    site.build();
    assert_eq!(
        site.read("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    assert_eq!(
        one(&site.page("/posts/a/"), "name", "theme-color"),
        "#112233"
    );

    site.write(
        "salon.yaml",
        &format!("{CONFIG}theme_color: blue-ish\nimage: 'javascript:x'\n"),
    );
    let Err(salon::Error::Content(diags)) = site.try_build() else {
        panic!("a bad colour and image should fail the build")
    };
    let mut lines: Vec<usize> = diags
        .iter()
        .filter_map(|d| d.position.map(|p| p.line))
        .collect();
    lines.sort();
    assert_eq!(lines, vec![4, 5], "{diags:#?}");
}
