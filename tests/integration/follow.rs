//! Feeds to follow people and conversations: an Atom feed per member and
//! per thread, and a JSON Feed 1.1 beside every Atom feed, parsed with
//! roxmltree and serde_json.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::*;

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// An Atom entry: (id, title, published, author names, content).
type AtomEntry = (String, String, String, Vec<String>, String);

fn atom_entries(text: &str) -> Vec<AtomEntry> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((ATOM, name)))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_owned()
    };
    feed.children()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .map(|e| {
            let authors = e
                .children()
                .filter(|a| a.has_tag_name((ATOM, "author")))
                .map(|a| child(a, "name"))
                .collect();
            let content = child(e, "content");
            (
                child(e, "id"),
                child(e, "title"),
                child(e, "published"),
                authors,
                content,
            )
        })
        .collect()
}

/// Checks a JSON Feed against JSON Feed 1.1 and returns its items.
fn json_feed(text: &str, feed_url: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert!(!v["title"].as_str().unwrap().is_empty());
    assert_eq!(v["feed_url"], feed_url);
    assert!(v["home_page_url"]
        .as_str()
        .unwrap()
        .starts_with("https://example.org/"));
    let items = v["items"].as_array().unwrap().clone();
    for i in &items {
        assert!(
            !i["id"].as_str().unwrap().is_empty(),
            "every item has an id"
        );
        assert!(i["content_html"].is_string() || i["content_text"].is_string());
        chrono::DateTime::parse_from_rfc3339(i["date_published"].as_str().unwrap()).unwrap();
        for a in i["authors"].as_array().unwrap() {
            assert!(!a["name"].as_str().unwrap().is_empty());
        }
    }
    items
}

fn newest_first(dates: &[String]) {
    let parsed: Vec<_> = dates
        .iter()
        .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn every_atom_feed_but_a_posts_comments_has_a_json_feed_beside_it_saying_the_same() {
    let site = Site::demo();
    site.build();
    let out = site.out();
    let mut feeds = 0;
    let mut post_comments = 0;
    for rel in parse_all_xml(&out) {
        if rel.starts_with("sitemap") {
            continue;
        }
        if rel.ends_with("/comments.xml") {
            // One post's comments: Atom alone.
            post_comments += 1;
            assert!(!out.join(rel.replace(".xml", ".json")).exists(), "{rel}");
            continue;
        }
        feeds += 1;
        let atom = atom_entries(&fs::read_to_string(out.join(&rel)).unwrap());
        let json_rel = rel.replace(".xml", ".json");
        let url = format!("https://example.org/{json_rel}");
        let items = json_feed(&fs::read_to_string(out.join(&json_rel)).unwrap(), &url);
        let atom_ids: Vec<&str> = atom.iter().map(|e| e.0.as_str()).collect();
        let json_ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(atom_ids, json_ids, "{rel}");
        for (e, i) in atom.iter().zip(&items) {
            assert_eq!(e.1, i["title"].as_str().unwrap());
            let names: Vec<&str> = i["authors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            assert_eq!(e.3, names);
        }
    }
    let members = fs::read_dir(site.root().join("content/members"))
        .unwrap()
        .count();
    let threads = fs::read_dir(site.root().join("content/threads"))
        .unwrap()
        .count();
    assert!(feeds > members + threads + 2, "{feeds} feeds");
    assert!(post_comments > 0, "the demo's posts have comments feeds");
}

/// Everything a member wrote, as the member page lists it.
fn written_by(out: &Path, handle: &str) -> usize {
    let doc = scraper::Html::parse_document(
        &fs::read_to_string(out.join(format!("members/{handle}/index.html"))).unwrap(),
    );
    ["posts-title", "comments-title", "entries-title"]
        .iter()
        .map(|id| {
            texts(&doc, &format!("#{id} .count"))
                .first()
                .map_or(0, |n| n.parse::<usize>().unwrap())
        })
        .sum()
}

#[test]
fn a_member_feed_lists_everything_they_wrote_newest_first() {
    let site = Site::demo();
    site.build();
    let out = site.out();
    let mut kinds_seen = [false; 3];
    for handle in ["amarao", "luciaf", "tnowak", "hmensah"] {
        let text = site.read(&format!("members/{handle}/feed.xml"));
        let entries = atom_entries(&text);
        assert_eq!(entries.len(), written_by(&out, handle).min(20), "{handle}");
        newest_first(&entries.iter().map(|e| e.2.clone()).collect::<Vec<_>>());
        let doc = site.page(&format!("/members/{handle}/"));
        let name = texts(&doc, "h1")[0].clone();
        for (id, title, _, authors, _) in &entries {
            assert!(id.starts_with("https://example.org/"));
            let path = id.strip_prefix("https://example.org").unwrap();
            assert!(
                file_for(&out, path.split('#').next().unwrap()).is_some(),
                "{id}"
            );
            if id.contains("#comment-") {
                kinds_seen[1] = true;
                assert!(title.contains(" on ‘"), "{title}");
            } else if id.contains("#entry-") {
                kinds_seen[2] = true;
                assert!(authors.contains(&name), "{authors:?}");
            } else {
                kinds_seen[0] = true;
                assert!(authors.contains(&name), "{authors:?}");
            }
        }
        let json = site.read(&format!("members/{handle}/feed.json"));
        let items = json_feed(
            &json,
            &format!("https://example.org/members/{handle}/feed.json"),
        );
        assert_eq!(items.len(), entries.len());
        // The feed is theirs, in both formats.
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["authors"][0]["name"], name.as_str());
        let atom = roxmltree::Document::parse(&text).unwrap();
        let owner = atom
            .root_element()
            .children()
            .find(|n| n.has_tag_name((ATOM, "author")))
            .expect("a feed-level author");
        let owner_name = owner.children().find(|n| n.has_tag_name((ATOM, "name")));
        assert_eq!(owner_name.unwrap().text(), Some(name.as_str()));
    }
    assert_eq!(kinds_seen, [true; 3], "posts, comments and thread entries");
}

#[test]
fn member_feeds_are_capped_like_the_site_feed() {
    let mut files = vec![(
        "content/members/ann.md".to_owned(),
        "---\nname: Ann\n---\nHi.\n".to_owned(),
    )];
    let mut comments = String::new();
    for n in 0..6 {
        files.push((
            format!("content/posts/p{n}.md"),
            post(
                &format!("title: P{n}\ndate: 2024-01-0{}\nauthors: [ann]", n + 1),
                "Body.",
            ),
        ));
        comments.push_str(&format!("- id: c{n}\n  author: Ann\n  member: ann\n  date: 2024-02-0{}T10:00:00Z\n  body: '<p>C{n}</p>'\n", n + 1));
    }
    files.push(("content/comments/p0.yaml".into(), comments));
    let site = Site::generated(&format!("{CONFIG}feed_limit: 4\n"), &files);
    site.build();
    let entries = atom_entries(&site.read("members/ann/feed.xml"));
    let titles: Vec<&str> = entries.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        titles,
        vec!["Ann on ‘P0’"; 4],
        "the newest four: the comments"
    );
    let contents: Vec<&str> = entries.iter().map(|e| e.4.as_str()).collect();
    assert_eq!(
        contents,
        vec!["<p>C5</p>", "<p>C4</p>", "<p>C3</p>", "<p>C2</p>"]
    );
}

#[test]
fn a_thread_feed_lists_its_entries_newest_first() {
    let site = Site::demo();
    site.build();
    let slug = "should-a-small-forum-federate";
    let doc = site.page(&format!("/threads/{slug}/"));
    let shown = doc.select(&sel("article.entry")).count();
    let entries = atom_entries(&site.read(&format!("threads/{slug}/feed.xml")));
    assert_eq!(entries.len(), shown.min(20));
    newest_first(&entries.iter().map(|e| e.2.clone()).collect::<Vec<_>>());
    let anchors = attrs(&doc, "article.entry", "id");
    for e in &entries {
        let anchor = e.0.rsplit_once('#').unwrap().1;
        assert!(anchors.iter().any(|a| a == anchor), "{anchor}");
        assert!(!e.4.is_empty());
    }
    let items = json_feed(
        &site.read(&format!("threads/{slug}/feed.json")),
        &format!("https://example.org/threads/{slug}/feed.json"),
    );
    assert_eq!(items.len(), entries.len());
}

#[test]
fn salon_build_writes_the_new_feeds_and_robots_txt() {
    let site = Site::demo();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
        .arg("build")
        .current_dir(site.root())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(site
        .read("robots.txt")
        .contains("Sitemap: https://example.org/sitemap.xml"));
    json_feed(&site.read("feed.json"), "https://example.org/feed.json");
    atom_entries(&site.read("members/amarao/feed.xml"));
    json_feed(
        &site.read("threads/what-is-twitter-for/feed.json"),
        "https://example.org/threads/what-is-twitter-for/feed.json",
    );
}
