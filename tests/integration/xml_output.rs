//! Feeds and sitemaps are well-formed XML whatever the content holds:
//! every `.xml` file of a build is parsed.

use crate::common::*;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

#[test]
fn every_feed_and_sitemap_of_the_demo_parses() {
    let site = Site::demo();
    site.build();
    let parsed = parse_all_xml(&site.out());
    for want in ["feed.xml", "comments/feed.xml", "sitemap.xml"] {
        assert!(parsed.iter().any(|p| p == want), "{want} not in {parsed:?}");
    }
    assert!(parsed.iter().any(|p| p.ends_with("/comments.xml")));
    assert!(parsed.iter().any(|p| p.starts_with("tags/")));
}

/// Text with the controls XML 1.0 forbids, between words.
const CONTROLS: &str = "form\u{c}feed vertical\u{b}tab nul\u{1}byte";

fn control_site() -> Site {
    // YAML's own escapes for the same characters.
    let comments = "- id: c1\n  author: \"Ann\\fBell\"\n  date: 2024-03-02T10:00:00Z\n  \
                    body: \"<p>form\\ffeed vertical\\vtab nul\\x01byte &amp; more</p>\"\n";
    Site::new(
        &format!("{CONFIG}{ALL_FEEDS}"),
        &[
            (
                "content/posts/ctl.md",
                &post(
                    "title: \"Bad\\vTitle\"\ndate: 2024-03-01\ntags: [Ctl]",
                    &format!("Body {CONTROLS}.\n"),
                ),
            ),
            ("content/comments/ctl.yaml", comments),
        ],
    )
}

#[test]
fn control_characters_in_content_leave_every_feed_well_formed() {
    let site = control_site();
    // Built by the binary, as a user would.
    crate::binary::run(site.root(), &["build"]).ok();
    let parsed = parse_all_xml(&site.out());
    for want in [
        "comments/feed.xml",
        "posts/ctl/comments.xml",
        "feed.xml",
        "tags/ctl/feed.xml",
        "sitemap.xml",
    ] {
        assert!(parsed.iter().any(|p| p == want), "{want} not in {parsed:?}");
    }
    // The text is kept, the forbidden characters dropped.
    let xml = site.read("posts/ctl/comments.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let entry = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM, "entry")))
        .unwrap();
    let text = |name: &str| {
        entry
            .descendants()
            .find(|n| n.has_tag_name((ATOM, name)))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(text("title"), "AnnBell on ‘BadTitle’");
    assert!(
        text("content").contains("formfeed verticaltab nulbyte &amp; more"),
        "{}",
        text("content")
    );
    let feed = site.read("feed.xml");
    assert!(
        feed.contains("Body formfeed verticaltab nulbyte."),
        "{feed}"
    );
}

#[test]
fn sitemap_locs_are_urls_escaped_for_xml() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/pages/odd.md",
            &post("title: Odd\nslug: 'a&b\"d<e>'", "Odd."),
        )],
    );
    site.build();
    parse_all_xml(&site.out());
    let xml = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.root_element().has_tag_name((SITEMAP, "urlset")));
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "loc")))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.contains(&"https://example.org/a&b%22d%3Ce%3E/"),
        "{locs:?}"
    );
    assert!(locs.iter().all(|l| !l.contains([' ', '"', '<', '>'])));
}
