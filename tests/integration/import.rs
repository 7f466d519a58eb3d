//! `salon import`: fixtures in tests/fixtures/import/, imported into fresh
//! sites, then read back and built.

use std::fs;
use std::path::{Path, PathBuf};

use salon::import::{import, Format, ImportOptions, ImportReport};
use serde_yaml::Value;

use crate::common::*;

const MEMBER: &str =
    "---\nname: Esteban Kolsky\naka: [\"Esteban\", \"ek@example.invalid\"]\n---\n\nAnalyst.\n";
const WELCOME: &str = "---\ntitle: Welcome\ndate: 2020-01-01\n---\n\nHello.\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn site() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/ekolsky.md", MEMBER),
            ("content/posts/welcome.md", WELCOME),
        ],
    )
}

fn opts(site: &Site, format: Format, file: &str) -> ImportOptions {
    ImportOptions {
        source: site.root().to_path_buf(),
        file: fixture(file),
        format,
        dry_run: false,
        progress: false,
    }
}

fn run(site: &Site, format: Format, file: &str) -> ImportReport {
    import(&opts(site, format, file)).unwrap_or_else(|e| panic!("{file}: {e:?}"))
}

fn comments(site: &Site, slug: &str) -> Vec<Value> {
    let text = fs::read_to_string(site.root().join(format!("content/comments/{slug}.yaml")))
        .unwrap_or_else(|e| panic!("{slug}: {e}"));
    serde_yaml::from_str(&text).unwrap()
}

fn by_id<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|c| c["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no comment {id} in {list:?}"))
}

fn content_files(site: &Site) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(site.root().join("content")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            out.push((
                e.path().display().to_string(),
                fs::read_to_string(e.path()).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn import_all(site: &Site) {
    run(site, Format::Wordpress, "wordpress.xml");
    run(site, Format::Wordpress, "wordpress-latin1.xml");
    run(site, Format::Disqus, "disqus.xml");
    run(site, Format::MovableType, "movabletype.txt");
    run(site, Format::Json, "comments.json");
    run(site, Format::Json, "comments.yaml");
}

#[test]
fn wordpress_posts_pages_members_and_threaded_comments() {
    let site = site();
    let r = run(&site, Format::Wordpress, "wordpress.xml");
    assert_eq!(
        (r.posts, r.pages, r.members, r.comments),
        (3, 1, 1, 6),
        "{r}"
    );
    assert_eq!(r.skipped["spam comments"], 1, "{r}");
    assert_eq!(r.skipped["pending comments"], 1, "{r}");
    assert_eq!(r.skipped["trashed comments"], 1, "{r}");
    assert_eq!(r.skipped["attachments, menu items and other non-posts"], 1);
    assert_eq!(r.unmatched[0], ("Zoë Ångström".to_owned(), 2), "{r}");

    let post = fs::read_to_string(site.root().join("content/posts/building-bridges.md")).unwrap();
    for want in [
        "title: \"Building Bridges & Walls\"",
        "date: 2010-09-25T10:00:00Z",
        "authors: [\"ada\"]",
        "tags: [\"Community\"]",
        "categories: [\"Social CRM\"]",
        "aliases: [\"/2010/09/25/building-bridges/\"]",
        "Bridges are *better* than walls — mostly.",
        "[that](https://example.org/)",
        "E = mc<sup>2</sup> – café",
        "<table>",
    ] {
        assert!(post.contains(want), "{want:?} not in\n{post}");
    }
    let draft = fs::read_to_string(site.root().join("content/posts/work-in-progress.md")).unwrap();
    assert!(draft.contains("draft: true"), "{draft}");
    let quiet = fs::read_to_string(site.root().join("content/posts/a-quiet-post.md")).unwrap();
    assert!(quiet.contains("date: 2010-09-26T08:00:00-07:00"), "{quiet}");
    assert!(!site
        .root()
        .join("content/comments/a-quiet-post.yaml")
        .exists());
    assert!(site.root().join("content/pages/about-old.md").exists());
    let ada = fs::read_to_string(site.root().join("content/members/ada.md")).unwrap();
    assert!(ada.contains("name: \"Ada Quill\""), "{ada}");
    // ekolsky exists: no second profile for the WordPress author.
    assert_eq!(
        fs::read_to_string(site.root().join("content/members/ekolsky.md")).unwrap(),
        MEMBER
    );

    let c = comments(&site, "building-bridges");
    assert_eq!(c.len(), 6);
    // Four deep: wp-4 → wp-3 → wp-2 → wp-1.
    assert_eq!(by_id(&c, "wp-4")["parent"].as_str(), Some("wp-3"));
    assert_eq!(by_id(&c, "wp-3")["parent"].as_str(), Some("wp-2"));
    assert_eq!(by_id(&c, "wp-2")["parent"].as_str(), Some("wp-1"));
    assert!(by_id(&c, "wp-1")["parent"].is_null());
    // The parent was not exported: kept, at top level.
    assert!(by_id(&c, "wp-8")["parent"].is_null());
    // No GMT date: the local one is used.
    assert_eq!(
        by_id(&c, "wp-8")["date"].as_str(),
        Some("2010-09-27T09:30:00Z")
    );
    // Members by aka, by e-mail, by handle with @ and another case.
    assert_eq!(by_id(&c, "wp-1")["member"].as_str(), Some("ekolsky"));
    assert_eq!(by_id(&c, "wp-3")["member"].as_str(), Some("ekolsky"));
    assert_eq!(by_id(&c, "wp-9")["member"].as_str(), Some("ada"));
    assert!(by_id(&c, "wp-2")["member"].is_null());
    assert_eq!(by_id(&c, "wp-2")["author"].as_str(), Some("Zoë Ångström"));
    assert_eq!(
        by_id(&c, "wp-2")["body"].as_str(),
        Some("<p>A reply &amp; a question.</p>")
    );
    // javascript: commenter links are dropped.
    assert!(by_id(&c, "wp-8")["url"].is_null());
    assert!(by_id(&c, "wp-3")["body"]
        .as_str()
        .unwrap()
        .contains("rel=\"nofollow ugc"));

    site.build();
    assert!(site
        .out()
        .join("2010/09/25/building-bridges/index.html")
        .exists());
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn nothing_unsafe_and_no_email_is_written() {
    let site = site();
    import_all(&site);
    for (path, text) in content_files(&site) {
        if path.ends_with("members/ekolsky.md") {
            continue; // written by this test, with an e-mail in `aka`
        }
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "alert(",
            "@example.invalid",
        ] {
            assert!(!text.contains(bad), "{bad} in {path}:\n{text}");
        }
    }
}

#[test]
fn importing_twice_changes_nothing() {
    let site = site();
    import_all(&site);
    let before = content_files(&site);
    let r = run(&site, Format::Wordpress, "wordpress.xml");
    assert_eq!(
        (r.posts, r.pages, r.members, r.comments),
        (0, 0, 0, 0),
        "{r}"
    );
    assert_eq!(r.already_imported, 6);
    assert!(
        r.existing.iter().any(|e| e == "posts/building-bridges"),
        "{r}"
    );
    run(&site, Format::Wordpress, "wordpress-latin1.xml");
    let d = run(&site, Format::Disqus, "disqus.xml");
    assert_eq!(d.comments, 0);
    run(&site, Format::MovableType, "movabletype.txt");
    run(&site, Format::Json, "comments.json");
    run(&site, Format::Json, "comments.yaml");
    assert_eq!(before, content_files(&site));
}

#[test]
fn a_hand_edited_comment_file_survives_reimport_byte_for_byte() {
    let site = site();
    run(&site, Format::Wordpress, "wordpress.xml");
    let path = site.root().join("content/comments/building-bridges.yaml");
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("Great bridge metaphor.", "Great bridge metaphor (edited).")
        .replace("- id: \"wp-8\"", "# a curator's note\n- id: \"wp-8\"");
    // Also drop the trailing newline: the import must add one, not glue.
    fs::write(&path, edited.trim_end()).unwrap();
    run(&site, Format::Wordpress, "wordpress.xml");
    let r = run(&site, Format::Disqus, "disqus.xml");
    assert!(r.comments > 0);
    let after = fs::read_to_string(&path).unwrap();
    assert!(after.starts_with(edited.trim_end()), "{after}");
    assert!(after.contains("disqus-5001"));
    let c = comments(&site, "building-bridges");
    assert_eq!(
        by_id(&c, "disqus-5004")["parent"].as_str(),
        Some("disqus-5003")
    );
    site.build();
}

#[test]
fn disqus_threads_match_by_link_identifier_and_title() {
    let site = site();
    run(&site, Format::Wordpress, "wordpress.xml");
    let r = run(&site, Format::Disqus, "disqus.xml");
    assert_eq!(r.comments, 6, "{r}");
    assert_eq!(r.skipped["deleted comments"], 1, "{r}");
    assert_eq!(r.skipped["spam comments"], 1, "{r}");
    assert_eq!(r.unmatched_threads.len(), 1, "{r}");
    assert!(r.unmatched_threads[0].contains("A Post Nobody Kept"), "{r}");
    assert!(r.to_string().contains("A Post Nobody Kept"));
    let c = comments(&site, "building-bridges");
    assert_eq!(by_id(&c, "disqus-5001")["member"].as_str(), Some("ekolsky"));
    assert_eq!(
        by_id(&c, "disqus-5002")["parent"].as_str(),
        Some("disqus-5001")
    );
    assert_eq!(
        by_id(&c, "disqus-5004")["author"].as_str(),
        Some("Ωmega Writer")
    );
    // By identifier (the quiet post's link is elsewhere) and by link.
    by_id(&comments(&site, "a-quiet-post"), "disqus-5007");
    by_id(&comments(&site, "welcome"), "disqus-5008");
    site.build();
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn latin1_movabletype_json_and_yaml() {
    let site = site();
    let r = run(&site, Format::Wordpress, "wordpress-latin1.xml");
    assert_eq!((r.posts, r.comments), (1, 1), "{r}");
    let post = fs::read_to_string(site.root().join("content/posts/cafe-societe.md")).unwrap();
    assert!(post.contains("title: \"Café Société\""), "{post}");
    assert!(post.contains("Crème brûlée for all."), "{post}");
    assert_eq!(
        by_id(&comments(&site, "cafe-societe"), "wp-21")["author"].as_str(),
        Some("José Muñoz")
    );

    let r = run(&site, Format::MovableType, "movabletype.txt");
    assert_eq!((r.posts, r.comments), (2, 2), "{r}");
    let c = comments(&site, "typepad-days");
    assert_eq!(
        by_id(&c, "mt-typepad-days-1")["member"].as_str(),
        Some("ekolsky")
    );
    assert_eq!(
        by_id(&c, "mt-typepad-days-2")["body"].as_str(),
        Some("Me too")
    );
    let mt = fs::read_to_string(site.root().join("content/posts/typepad-days.md")).unwrap();
    assert!(mt.contains("tags: [\"old times\", \"blogging\"]"), "{mt}");
    assert!(mt.contains("It was **fine**."), "{mt}");
    let quiet =
        fs::read_to_string(site.root().join("content/posts/nobody-commented-here.md")).unwrap();
    assert!(quiet.contains("draft: true"));

    let r = run(&site, Format::Json, "comments.json");
    assert_eq!(r.comments, 3, "{r}");
    assert_eq!(r.skipped["spam comments"], 1);
    assert_eq!(r.unmatched_threads.len(), 1, "{r}");
    let c = comments(&site, "welcome");
    assert_eq!(by_id(&c, "json-2")["parent"].as_str(), Some("json-1"));
    // An e-mail used as a name is not written as the name.
    assert_eq!(by_id(&c, "json-2")["author"].as_str(), Some("esteban"));
    by_id(&c, "json-4");
    let r = run(&site, Format::Json, "comments.yaml");
    assert_eq!(r.comments, 2, "{r}");
    assert_eq!(
        by_id(&comments(&site, "welcome"), "json-a2")["parent"].as_str(),
        Some("json-a1")
    );
    site.build();
}

#[test]
fn dry_run_writes_nothing_and_existing_posts_are_left_alone() {
    let site = site();
    let mine = "---\ntitle: Mine\ndate: 2010-01-01\n---\n\nMy own words.\n";
    site.write("content/posts/a-quiet-post.md", mine);
    let before = content_files(&site);
    let r = import(&ImportOptions {
        dry_run: true,
        ..opts(&site, Format::Wordpress, "wordpress.xml")
    })
    .unwrap();
    assert_eq!(before, content_files(&site));
    assert!(
        r.files.iter().any(|f| f.contains("building-bridges.md")),
        "{r:?}"
    );
    assert!(r.to_string().starts_with("Would import"));
    let r = run(&site, Format::Wordpress, "wordpress.xml");
    assert!(r.existing.iter().any(|e| e == "posts/a-quiet-post"), "{r}");
    assert_eq!(
        fs::read_to_string(site.root().join("content/posts/a-quiet-post.md")).unwrap(),
        mine
    );
}

#[test]
fn broken_exports_are_errors_with_a_position() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.xml");
    fs::write(
        &broken,
        "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<item><title>x</title>\n<wp:comment></item>\n</channel></rss>\n",
    )
    .unwrap();
    let bomb = dir.path().join("bomb.xml");
    fs::write(&bomb, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<rss><channel><item><title>&b;</title></item></channel></rss>\n").unwrap();
    for (file, want_line) in [(&broken, 4), (&bomb, 2)] {
        let err = import(&ImportOptions {
            file: file.clone(),
            ..opts(&site, Format::Wordpress, "x")
        })
        .unwrap_err();
        let salon::Error::Content(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d[0].position.unwrap().line, want_line, "{d:?}");
    }
    assert!(!site.root().join("content/comments").exists());
}
