//! Every `salon import` command of the README, run with the built binary
//! inside a new site folder on the fixture exports, then `salon build` of
//! what they made: an import must always leave a site that builds.

use std::fs;
use std::path::{Path, PathBuf};

use scraper::Html;

use crate::binary::*;
use crate::common::*;

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A new site made by `salon init`, as a user starts.
fn new_site(tmp: &Path) -> PathBuf {
    run(tmp, &["init", "imported"]).ok();
    tmp.join("imported")
}

fn page(site: &Path, url_path: &str) -> Html {
    let file = file_for(&site.join("public"), url_path)
        .unwrap_or_else(|| panic!("{url_path} was not built"));
    Html::parse_document(&fs::read_to_string(file).unwrap())
}

#[test]
fn every_readme_import_command_leaves_a_site_that_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let site = new_site(tmp.path());
    let content = |site: &Path| tree(&site.join("content"));

    // A dry run writes nothing and says what it would write.
    let before = content(&site);
    let dry = run(
        &site,
        &[
            "import",
            "wordpress",
            &fixture("import/wordpress.xml"),
            "--dry-run",
        ],
    )
    .ok();
    assert!(
        dry.stdout.contains("would write content/posts/"),
        "{}",
        dry.stdout
    );
    assert_eq!(before, content(&site), "a dry run wrote something");

    let imports: [&[&str]; 6] = [
        &["import", "wordpress", &fixture("import/wordpress.xml")],
        &["import", "disqus", &fixture("import/disqus.xml")],
        &["import", "movabletype", &fixture("import/movabletype.txt")],
        &["import", "json", &fixture("import/comments.json")],
        &[
            "import",
            "mastodon",
            &fixture("social/mastodon-status.json"),
            &fixture("social/mastodon-context.json"),
        ],
        &["import", "bluesky", &fixture("social/bluesky-thread.json")],
    ];
    for args in imports {
        let ran = run(&site, args);
        assert_eq!(ran.code, Some(0), "salon {args:?}:\n{}", ran.stderr);
    }

    // Mailing lists: list, then pick conversations in each README way.
    let mbox = fixture("mbox/list.mbox");
    let listed = run(&site, &["import", "mbox", &mbox, "--list"]).ok();
    let first_id = listed
        .stdout
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().next())
        .expect("--list prints an id first")
        .to_owned();
    assert!(first_id.starts_with("m-"), "{}", listed.stdout);
    let before = content(&site);
    let dry = run(
        &site,
        &["import", "mbox", &mbox, "--min-messages", "1", "--dry-run"],
    )
    .ok();
    assert!(dry.stdout.contains("entries:"), "{}", dry.stdout);
    assert_eq!(before, content(&site), "a dry run wrote something");
    for args in [
        &["import", "mbox", &mbox, "--thread", &first_id][..],
        &["import", "mbox", &mbox, "--subject", "Café"],
        &["import", "mbox", &mbox, "--min-messages", "5"],
        &[
            "import",
            "mbox",
            &fixture("mbox/replies.mbox"),
            "--comments",
        ],
    ] {
        let ran = run(&site, args);
        assert_eq!(ran.code, Some(0), "salon {args:?}:\n{}", ran.stderr);
    }

    // Importing everything again changes nothing.
    let settled = content(&site);
    for args in imports {
        run(&site, args).ok();
    }
    run(&site, &["import", "mbox", &mbox, "--min-messages", "1"]).ok();
    assert_eq!(settled, content(&site), "a second import changed files");

    let built = run(&site, &["build"]);
    assert_eq!(
        built.code,
        Some(0),
        "the imported site builds:\n{}",
        built.stderr
    );
    let out = site.join("public");
    assert!(broken_links(&out, "/").is_empty());

    // What came in is on the pages: WordPress comments and the e-mailed
    // replies under their post, conversations as threads.
    let bridges = page(&site, "/posts/building-bridges/");
    assert!(
        texts(&bridges, "h1").join(" ").contains("Building Bridges"),
        "{:?}",
        texts(&bridges, "h1")
    );
    let comments = bridges.select(&sel(".comment")).count();
    assert!(comments >= 4, "building-bridges shows {comments} comments");
    let threads = page(&site, "/threads/");
    let titles = texts(&threads, "main a").join(" | ");
    for title in ["Sharing garden tools", "Café evenings", "reading circle"] {
        assert!(titles.contains(title), "{title} not in {titles}");
    }
}
