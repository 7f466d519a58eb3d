//! Atom feeds and the sitemap parse as XML and hold the right entries.

use crate::common::*;

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn entries<'a>(doc: &'a roxmltree::Document) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .collect()
}

fn child_text<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    n.children()
        .find(|c| c.has_tag_name((ATOM, name)))
        .and_then(|c| c.text())
        .unwrap_or("")
}

#[test]
fn site_and_tag_feeds_are_atom_with_entries_newest_first() {
    let mut files = vec![];
    for i in 1..=25 {
        let tags = if i % 2 == 0 { "[Even, All]" } else { "[All]" };
        files.push((
            format!("content/posts/p{i}.md"),
            post(
                &format!(
                    "title: \"Post <{i}> & co\"\ndate: 2020-01-{i:02}T10:00:00+02:00\ntags: {tags}"
                ),
                "Body with <b>html</b> & entities.",
            ),
        ));
    }
    let site = Site::generated(
        "title: Feeds\nbase_url: https://example.org/sub/\nfeed_limit: 20\n",
        &files,
    );
    site.build();

    let xml = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&xml).expect("feed.xml is XML");
    assert!(doc.root_element().has_tag_name((ATOM, "feed")));
    for required in ["id", "title", "updated"] {
        assert!(
            !child_text(doc.root_element(), required).is_empty(),
            "feed needs <{required}>"
        );
    }
    let es = entries(&doc);
    assert_eq!(es.len(), 20, "feed_limit caps entries");
    let titles: Vec<&str> = es.iter().map(|e| child_text(*e, "title")).collect();
    assert_eq!(titles[0], "Post <25> & co");
    assert_eq!(titles[19], "Post <6> & co");
    let dates: Vec<&str> = es.iter().map(|e| child_text(*e, "published")).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    for e in &es {
        for required in ["id", "title", "updated"] {
            assert!(!child_text(*e, required).is_empty());
        }
        assert!(child_text(*e, "id").starts_with("https://example.org/sub/posts/"));
        assert!(
            e.children().any(|c| c.has_tag_name((ATOM, "author"))),
            "every entry has an author"
        );
    }

    let tag = site.read("tags/even/feed.xml");
    let doc = roxmltree::Document::parse(&tag).unwrap();
    let es = entries(&doc);
    assert_eq!(es.len(), 12);
    assert!(es.iter().all(|e| child_text(*e, "title")
        .parse::<String>()
        .unwrap()
        .contains('<')));
    assert_eq!(child_text(es[0], "title"), "Post <24> & co");
}

#[test]
fn sitemap_lists_every_post_under_the_base_url() {
    let site = Site::new(
        "title: S\nbase_url: https://example.org/sub/\n",
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2020-01-01", "x"),
            ),
            ("content/pages/about.md", "---\ntitle: About\n---\nHi\n"),
        ],
    );
    site.build();
    let xml = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"https://example.org/sub/posts/a/"));
    assert!(locs.contains(&"https://example.org/sub/about/"));
    assert!(locs
        .iter()
        .all(|l| l.starts_with("https://example.org/sub/")));
}
