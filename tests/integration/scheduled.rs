//! Scheduled posts: a post dated after the build's moment is on no page
//! until a build after its date, unless `--future` is given.

use std::fs;
use std::process::Command;

use chrono::{DateTime, Utc};
use salon::incremental::Incremental;
use salon::serve::Rebuild;
use salon::BuildOptions;

use crate::common::*;

const MEMBER: &str = "---\nname: Ana Lima\n---\nGardener.\n";

/// A site with a published post and one dated 2030-01-01 09:00 UTC that
/// the published one links to, with a comment, a tag of its own and a
/// thread naming it as related.
fn site() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/ana.md", MEMBER),
            (
                "content/posts/today.md",
                &post(
                    "title: Seed Swap\ndate: 2020-01-01\nauthors: [ana]\ntags: [Garden]\ncategories: [Notes]",
                    "We swap seeds.\n\nSee [[later|what comes next]] and [the plan](/posts/later/).",
                ),
            ),
            (
                "content/posts/later.md",
                &post(
                    "title: Zanzibar Plans\ndate: 2030-01-01T09:00:00Z\nauthors: [ana]\ntags: [Garden, Quixotic]\ncategories: [Notes]",
                    "A quixotic plan about the garden and seeds.",
                ),
            ),
            (
                "content/comments/later.yaml",
                "- id: c1\n  author: Wen Zhao\n  date: 2029-12-31T10:00:00Z\n  body: \"<p>Xylophonic remark.</p>\"\n",
            ),
            (
                "content/threads/talk.md",
                "---\ntitle: Garden talk\ndate: 2020-02-01\nrelated: [later]\nentries:\n  - id: 1\n    by: ana\n    text: Hello.\n---\nIntro.\n",
            ),
        ],
    )
}

fn at(text: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(text).unwrap().to_utc())
}

fn build_at(site: &Site, now: &str, future: bool) -> salon::BuildReport {
    salon::build(&BuildOptions {
        now: at(now),
        future,
        ..site.options()
    })
    .unwrap_or_else(|e| panic!("build failed: {e:?}"))
}

/// Every output file whose text mentions `word` (case-insensitive).
fn files_mentioning(site: &Site, word: &str) -> Vec<String> {
    let word = word.to_lowercase();
    walkdir::WalkDir::new(site.out())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            fs::read(e.path())
                .is_ok_and(|b| String::from_utf8_lossy(&b).to_lowercase().contains(&word))
        })
        .map(|e| {
            e.path()
                .strip_prefix(site.out())
                .unwrap()
                .display()
                .to_string()
        })
        .collect()
}

fn feed_titles(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("a feed is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("title")))
        .filter_map(|t| t.text().map(str::to_owned))
        .collect()
}

fn sitemap_locs(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("the sitemap is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[test]
fn a_future_post_is_on_no_page_until_its_date() {
    let site = site();
    let r = build_at(&site, "2026-01-01T00:00:00Z", false);
    assert_eq!((r.posts, r.scheduled), (1, 1));
    assert_eq!(r.next_scheduled, at("2030-01-01T09:00:00Z"));
    assert!(file_for(&site.out(), "/posts/later/").is_none());
    assert!(file_for(&site.out(), "/tags/quixotic/").is_none());
    assert!(file_for(&site.out(), "/2030/").is_none());
    let home = site.page("/");
    assert_eq!(texts(&home, ".post-card .card-title"), vec!["Seed Swap"]);
    assert_eq!(feed_titles(&site.read("feed.xml")), vec!["Seed Swap"]);
    assert!(feed_titles(&site.read("comments/feed.xml")).is_empty());
    assert!(!sitemap_locs(&site.read("sitemap.xml"))
        .iter()
        .any(|l| l.contains("later")));
    let member = site.page("/members/ana/");
    assert!(!texts(&member, "main").concat().contains("Zanzibar"));
    // Its title, body, tag and comment are nowhere: not in the search
    // index, the archives, the tag pages, the related posts.
    for word in ["Zanzibar", "quixotic", "Xylophonic"] {
        assert_eq!(
            files_mentioning(&site, word),
            Vec::<String>::new(),
            "{word}"
        );
    }
    // The links to it are warnings naming where they are written; the
    // wikilink points where the post will be.
    let today = site.page("/posts/today/");
    assert!(attrs(&today, "main a", "href").contains(&"/posts/later/".into()));
    let warned: Vec<String> = r
        .warnings
        .iter()
        .map(|w| {
            format!(
                "{}:{} {}",
                w.path.display(),
                w.position.map_or(0, |p| p.line),
                w.message
            )
        })
        .collect();
    for place in [
        "today.md:11 [[later",
        "today.md:11 the link to `/posts/later/`",
        "talk.md:4 ",
    ] {
        assert!(
            warned
                .iter()
                .any(|w| w.contains(place) && w.contains("scheduled")),
            "no warning at {place}: {warned:#?}"
        );
    }

    let r = build_at(&site, "2026-01-01T00:00:00Z", true);
    assert_eq!((r.posts, r.scheduled), (2, 0));
    assert_eq!(
        texts(&site.page("/posts/later/"), "h1"),
        vec!["Zanzibar Plans"]
    );
    assert_eq!(
        feed_titles(&site.read("feed.xml")),
        vec!["Zanzibar Plans", "Seed Swap"]
    );
}

#[test]
fn a_build_after_the_date_publishes_what_a_no_change_build_before_it_skips() {
    let site = site();
    let before = build_at(&site, "2029-12-31T23:00:00Z", false);
    assert!(!before.up_to_date);
    let again = build_at(&site, "2030-01-01T08:59:59Z", false);
    assert!(again.up_to_date, "nothing changed before the date");
    assert_eq!(again.next_scheduled, at("2030-01-01T09:00:00Z"));
    assert!(file_for(&site.out(), "/posts/later/").is_none());

    // No input file changed, but the date passed.
    let due = build_at(&site, "2030-01-01T09:00:00Z", false);
    assert!(!due.up_to_date, "the date passing is a change");
    assert_eq!((due.posts, due.scheduled, due.next_scheduled), (2, 0, None));
    assert_eq!(
        texts(&site.page("/posts/later/"), "h1"),
        vec!["Zanzibar Plans"]
    );
    assert_eq!(
        texts(&site.page("/posts/later/"), ".comment .comment-body"),
        vec!["Xylophonic remark."],
        "its comments are published with it"
    );
    assert!(build_at(&site, "2031-01-01T00:00:00Z", false).up_to_date);
    // --future is another build.
    assert!(!build_at(&site, "2031-01-01T00:00:00Z", true).up_to_date);
}

#[test]
fn watch_mode_publishes_a_post_whose_date_came_as_a_clean_build_does() {
    let site = site();
    let mut rebuild = Incremental::new();
    let mut opts = BuildOptions {
        now: at("2029-06-01T00:00:00Z"),
        ..site.options()
    };
    let first = rebuild.rebuild(&opts, &[]).unwrap();
    assert_eq!(first.scheduled, 1);
    // A body edit of another post (patched in place otherwise) after the
    // date: the waiting post is published with it.
    let today = site.root().join("content/posts/today.md");
    let text = fs::read_to_string(&today).unwrap();
    fs::write(
        &today,
        text.replace("We swap seeds.", "We swap seeds often."),
    )
    .unwrap();
    opts.now = at("2030-02-01T00:00:00Z");
    let r = rebuild
        .rebuild(&opts, std::slice::from_ref(&today))
        .unwrap();
    assert_eq!((r.posts, r.scheduled), (2, 0));
    rebuild.flush().unwrap();
    let watched = snapshot_bytes(&site.out());
    let clean = tempfile::tempdir().unwrap();
    salon::build(&BuildOptions {
        output: Some(clean.path().join("out")),
        ..opts.clone()
    })
    .unwrap();
    assert_eq!(watched, snapshot_bytes(&clean.path().join("out")));
    assert!(
        salon::build(&opts).unwrap().up_to_date,
        "a later build finds nothing to do"
    );
}

/// Every output file but the manifest, with its bytes.
fn snapshot_bytes(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".salon-manifest")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `salon ARGS` in the site folder: success and stderr.
fn salon(site: &Site, args: &[&str]) -> (bool, String) {
    crate::binary::outcome(site.root(), args)
}

#[test]
fn the_binary_holds_back_a_2099_post_and_says_so() {
    let site = site();
    site.write(
        "content/posts/later.md",
        &post(
            "title: Zanzibar Plans\ndate: 2099-01-01\nauthors: [ana]",
            "A quixotic plan.",
        ),
    );
    let (ok, err) = salon(&site, &["check"]);
    assert!(ok, "{err}");
    assert!(err.contains("today.md:11"), "{err}");
    let (ok, err) = salon(&site, &["build"]);
    assert!(ok, "{err}");
    assert!(err.contains("Held back 1 scheduled post"), "{err}");
    assert!(err.contains("2099-01-01 00:00 UTC"), "{err}");
    assert!(file_for(&site.out(), "/posts/later/").is_none());
    let (ok, err) = salon(&site, &["build"]);
    assert!(ok && err.contains("Nothing changed"), "{err}");
    assert!(err.contains("held back until 2099-01-01"), "{err}");
    let (ok, err) = salon(&site, &["build", "--future"]);
    assert!(ok, "{err}");
    assert!(!err.contains("Held back"), "{err}");
    assert_eq!(
        texts(&site.page("/posts/later/"), "h1"),
        vec!["Zanzibar Plans"]
    );
    let (ok, err) = salon(&site, &["check", "--future"]);
    assert!(ok && !err.contains("scheduled"), "{err}");
}

#[test]
fn salon_serve_says_how_many_posts_it_held_back() {
    use std::io::{BufRead, BufReader};
    let site = site();
    let mut child = Command::new(env!("CARGO_BIN_EXE_salon"))
        .args(["serve", "--port", "0"])
        .current_dir(site.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    // Reads up to the line after the first build's report.
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Held back");
        seen.push(line);
        if done || seen.len() > 50 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("Held back 1 scheduled post")
                && l.contains("2030-01-01 09:00 UTC")),
        "{seen:#?}"
    );
}
