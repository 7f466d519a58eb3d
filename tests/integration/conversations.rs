//! `salon import mastodon|bluesky`: hand-made API answers in
//! tests/fixtures/social/ imported into fresh sites; the thread files are
//! read back, the sites built and the thread pages parsed.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use salon::email as emails;
use salon::import::conversation::{Outcome, ThreadOptions, ThreadReport};
use salon::import::social;
use scraper::{ElementRef, Html};
use serde_yaml::Value;

use crate::common::*;
use crate::conversation_ids::{anchor, nsid};

/// A member by her Mastodon and Bluesky profile links.
const HANA: &str = "---\nname: Hana Mensah\nlinks: { mastodon: \"https://social.example/@hana\", bluesky: hana.example.org }\n---\n\nArchivist.\n";
/// A member by the accounts in `aka`; the e-mail there must never leak.
const OSKAR: &str = "---\nname: Oskar Brandt\naka: [\"@oskar@forum.example\", \"oskar.bsky.social\", \"oskar@mail.example\"]\n---\n\nForum admin.\n";

fn site() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/hana.md", HANA),
            ("content/members/oskar.md", OSKAR),
        ],
    )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/social")
        .join(name)
}

fn mastodon(site: &Site, context: &str, opts: &ThreadOptions) -> ThreadReport {
    social::import_mastodon(
        site.root(),
        &fixture("mastodon-status.json"),
        &fixture(context),
        opts,
    )
    .unwrap_or_else(|e| panic!("{context}: {e:?}"))
}

fn bluesky(site: &Site, file: &str, opts: &ThreadOptions) -> ThreadReport {
    social::import_bluesky(site.root(), &fixture(file), opts)
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
}

fn write() -> ThreadOptions {
    ThreadOptions::default()
}

/// The front matter of a thread file.
fn front(site: &Site, rel: &Path) -> Value {
    let text = fs::read_to_string(site.root().join(rel)).unwrap();
    let yaml = text
        .split("\n---\n")
        .next()
        .unwrap()
        .trim_start_matches("---\n");
    serde_yaml::from_str(yaml).unwrap()
}

/// The entry of a fixture post (by its number or record key).
fn entry<'a>(front: &'a Value, short: &str) -> &'a Value {
    let id = nsid(short);
    front["entries"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_str() == Some(id.as_str()))
        .unwrap_or_else(|| panic!("no entry {id}"))
}

/// The id a fixture post's entry answers.
fn parent(front: &Value, short: &str) -> Option<String> {
    entry(front, short)["reply_to"].as_str().map(str::to_owned)
}

fn ids(front: &Value) -> Vec<String> {
    front["entries"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The thread page of a thread file.
fn page(site: &Site, rel: &Path) -> Html {
    let stem = rel.file_stem().unwrap().to_string_lossy();
    site.page(&format!("/threads/{stem}/"))
}

/// Each rendered entry's nesting: how many entries it sits inside.
fn depths(doc: &Html) -> HashMap<String, usize> {
    doc.select(&sel("article.entry"))
        .map(|e| {
            let depth = e
                .ancestors()
                .filter_map(ElementRef::wrap)
                .filter(|a| {
                    a.value().name() == "article" && a.value().classes().any(|c| c == "entry")
                })
                .count();
            (e.value().attr("id").unwrap().to_owned(), depth)
        })
        .collect()
}

/// The author cell of an entry: its text and its member link, if any.
fn author(doc: &Html, id: &str) -> (String, Option<String>) {
    let sel_author = sel(&format!("#{} > .comment-main .comment-author", anchor(id)));
    let cell = doc
        .select(&sel_author)
        .next()
        .unwrap_or_else(|| panic!("no author for {id}"));
    let text = cell.text().collect::<String>().trim().to_owned();
    let link = cell
        .select(&sel("a"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned));
    (text, link)
}

/// The rendered text of an entry (its own body, not its replies').
fn body<'a>(doc: &'a Html, id: &str) -> ElementRef<'a> {
    doc.select(&sel(&format!(
        "#{} > .comment-main .comment-body",
        anchor(id)
    )))
    .next()
    .unwrap_or_else(|| panic!("no body for {id}"))
}

/// No e-mail address in the site's output, nor in any thread file.
fn assert_no_email(site: &Site) {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(site.out())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .collect();
    files.extend(
        fs::read_dir(site.root().join("content/threads"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    for f in files {
        if let Ok(text) = fs::read_to_string(&f) {
            let found: Vec<&str> = emails::find(&text)
                .into_iter()
                .map(|(a, b)| &text[a..b])
                .collect();
            assert!(found.is_empty(), "{}: {found:?}", f.display());
        }
    }
}

fn thread_files(site: &Site) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = site.root().join("content/threads");
    if !dir.exists() {
        return Vec::new();
    }
    let mut out: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_mastodon_conversation_becomes_a_nested_attributed_thread() {
    let site = site();
    let r = mastodon(&site, "mastodon-context.json", &write());
    assert_eq!(
        (r.outcome, r.entries, r.by_members),
        (Outcome::Created, 8, 4),
        "{r}"
    );
    assert_eq!(
        r.path,
        Path::new("content/threads/our-reading-circle-outgrew-its-group-chat.md")
    );
    let fm = front(&site, &r.path);
    assert_eq!(
        fm["title"].as_str(),
        Some("Our reading circle outgrew its group chat.")
    );
    assert_eq!(fm["started_by"].as_str(), Some("hana"));
    assert_eq!(
        fm["source"]["url"].as_str(),
        Some("https://social.example/@hana/1001")
    );
    // Members by their profile link (hana) and by `aka` (oskar).
    for (id, by, reply_to) in [
        ("1001", "hana", None),
        ("1002", "oskar", Some("1001")),
        ("1003", "Wen Zhao", Some("1002")),
        ("1004", "hana", Some("1003")),
        ("1005", "oskar", Some("1004")),
        // Someone else calling themselves Hana Mensah is not her.
        ("1006", "Hana Mensah (@hmensah@fake.example)", Some("1001")),
        // Its parent was deleted: it answers the first post.
        ("1008", "quiet", Some("1001")),
    ] {
        let e = entry(&fm, id);
        assert_eq!(e["by"].as_str(), Some(by), "{id}");
        assert_eq!(parent(&fm, id), reply_to.map(nsid), "{id}");
    }
    // Followers-only: never published.
    assert!(!ids(&fm).contains(&nsid("1009")));
    assert_eq!(
        entry(&fm, "1003")["url"].as_str(),
        Some("https://elsewhere.example/@wen/1003")
    );

    site.build();
    let doc = page(&site, &r.path);
    let d = depths(&doc);
    for (id, depth) in [
        ("1001", 0),
        ("1002", 1),
        ("1003", 2),
        ("1004", 3),
        ("1005", 4),
        ("1010", 2),
        ("1006", 1),
        ("1008", 1),
    ] {
        assert_eq!(d[&anchor(id)], depth, "{id}: {d:?}");
    }
    assert_eq!(d.len(), 8);
    assert_eq!(
        author(&doc, "1002"),
        (
            "Oskar Brandt".to_owned(),
            Some("/members/oskar/".to_owned())
        )
    );
    assert_eq!(
        author(&doc, "1006"),
        ("Hana Mensah (@hmensah@fake.example)".to_owned(), None)
    );
    assert_eq!(author(&doc, "1003").1, None);
    // Sanitized: the script is gone; media are links named by their
    // description; markdown characters in the text stay text.
    assert_eq!(doc.select(&sel("article.entry script")).count(), 0);
    let wen = body(&doc, "1003");
    assert!(!wen.text().collect::<String>().contains("alert"));
    assert_eq!(
        attrs(
            &Html::parse_fragment(&wen.html()),
            "a[href=\"https://files.social.example/media/notes.png\"]",
            "href"
        )
        .len(),
        1
    );
    assert!(wen
        .text()
        .collect::<String>()
        .contains("Image: A hand-drawn chart of moderation hours per week"));
    let oskar = body(&doc, "1005").text().collect::<String>();
    assert!(oskar.contains("*stars* and [brackets]"), "{oskar}");
    assert!(body(&doc, "1010")
        .text()
        .collect::<String>()
        .contains("Content warning: forum history"));
    assert_no_email(&site);
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn a_bluesky_thread_becomes_a_nested_attributed_thread() {
    let site = site();
    let r = bluesky(&site, "bluesky-thread.json", &write());
    assert_eq!(
        (r.outcome, r.entries, r.by_members),
        (Outcome::Created, 6, 4),
        "{r}"
    );
    assert!(r.notes.iter().any(|n| n.contains("1 deleted")), "{r}");
    assert!(r.notes.iter().any(|n| n.contains("1 blocked")), "{r}");
    let fm = front(&site, &r.path);
    assert_eq!(
        fm["title"].as_str(),
        Some("Does a small community need a forum, or is a curated thread page enough?")
    );
    for (id, by, reply_to) in [
        ("3kroot00000a", "hana", None),
        ("3kreply0000b", "oskar", Some("3kroot00000a")),
        ("3kreply0000c", "Wen Zhao", Some("3kreply0000b")),
        ("3kreply0000d", "hana", Some("3kreply0000c")),
        ("3kreply0000e", "oskar", Some("3kreply0000d")),
        // Under a deleted post, by an author whose handle is invalid.
        ("3kreply0000g", "Anonymous", Some("3kroot00000a")),
    ] {
        let e = entry(&fm, id);
        assert_eq!(e["by"].as_str(), Some(by), "{id}");
        assert_eq!(parent(&fm, id), reply_to.map(nsid), "{id}");
    }
    assert_eq!(
        entry(&fm, "3kreply0000b")["url"].as_str(),
        Some("https://bsky.app/profile/oskar.bsky.social/post/3kreply0000b")
    );

    site.build();
    let doc = page(&site, &r.path);
    let d = depths(&doc);
    assert_eq!(d[&anchor("3kreply0000e")], 4, "{d:?}");
    assert_eq!(d[&anchor("3kreply0000g")], 1, "{d:?}");
    assert_eq!(d.len(), 6);
    assert_eq!(
        author(&doc, "3kreply0000d").1.as_deref(),
        Some("/members/hana/")
    );
    // Facets are links; the plain text reads as written, `<script>` too,
    // but as text, never as an element.
    let hrefs = |id: &str| attrs(&Html::parse_fragment(&body(&doc, id).html()), "a", "href");
    assert!(hrefs("3kroot00000a").contains(&"https://example.org/notes".to_owned()));
    assert!(hrefs("3kreply0000b")
        .contains(&"https://bsky.app/profile/did:plc:hanaexample0000000000001".to_owned()));
    assert!(hrefs("3kreply0000c").contains(&"https://bsky.app/hashtag/community".to_owned()));
    assert!(hrefs("3kreply0000c").contains(&"https://cdn.bsky.example/img/full.jpg".to_owned()));
    assert!(hrefs("3kreply0000d").contains(&"https://example.org/members/".to_owned()));
    assert_eq!(doc.select(&sel("article.entry script")).count(), 0);
    let wen = body(&doc, "3kreply0000c").text().collect::<String>();
    assert!(wen.contains("<script>alert(1)</script>"), "{wen}");
    let oskar = body(&doc, "3kreply0000b");
    assert!(oskar.text().collect::<String>().contains("*Really*."));
    assert_eq!(oskar.select(&sel("em")).count(), 0);
    assert_no_email(&site);
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn re_importing_changes_nothing_then_adds_only_what_is_new() {
    let site = site();
    let first = mastodon(&site, "mastodon-context.json", &write());
    let path = site.root().join(&first.path);
    let before = thread_files(&site);
    let again = mastodon(&site, "mastodon-context.json", &write());
    assert_eq!(
        (again.outcome, again.already),
        (Outcome::Unchanged, 8),
        "{again}"
    );
    assert_eq!(
        thread_files(&site),
        before,
        "a second import changed a file"
    );

    // The curator retitles, introduces, edits a text, skips one entry
    // (deleting it) and deletes another without listing it in `skip:`.
    let text = fs::read_to_string(&path).unwrap();
    let cut = |text: &str, id: &str| {
        let start = text.find(&format!("  - id: \"{id}\"")).unwrap();
        let end = text[start + 4..]
            .find("  - id: ")
            .map_or_else(|| text.find("\n---\n").unwrap() + 1, |i| start + 4 + i);
        format!("{}{}", &text[..start], &text[end..])
    };
    let edited = cut(&cut(&text, &nsid("1006")), &nsid("1008"))
        .replace(
            "title: \"Our reading circle outgrew its group chat.\"",
            "title: Forum or static site?",
        )
        .replace("skip: []", &format!("skip: [\"{}\"]", nsid("1006")))
        .replace("Slower is the point", "Slowness is the point")
        + "\nWe asked on Mastodon; the answers were better than expected.\n";
    fs::write(&path, &edited).unwrap();

    let dry = ThreadOptions {
        dry_run: true,
        ..Default::default()
    };
    let preview = mastodon(&site, "mastodon-context-grown.json", &dry);
    assert_eq!(
        (preview.outcome, preview.entries),
        (Outcome::Added, 4),
        "{preview}"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        edited,
        "the dry run wrote"
    );

    let r = mastodon(&site, "mastodon-context-grown.json", &write());
    assert_eq!(
        (r.outcome, r.entries, r.already, r.skipped),
        (Outcome::Added, 4, 6, 1),
        "{r}"
    );
    // 1008 was deleted without `skip:`: it is back, and the report says so.
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains(&format!("`{}`", nsid("1008"))) && n.contains("skip")),
        "{r}"
    );
    let after = fs::read_to_string(&path).unwrap();
    let close = edited.find("\n---\n").unwrap() + 1;
    assert!(after.starts_with(&edited[..close]), "{after}");
    assert!(after.ends_with(&edited[close..]), "{after}");
    let fm = front(&site, &first.path);
    assert_eq!(
        ids(&fm),
        // New entries in reply order (depth first), after the old ones.
        ["1001", "1002", "1003", "1004", "1005", "1010", "1011", "1012", "1013", "1008"].map(nsid)
    );
    assert_eq!(parent(&fm, "1011"), Some(nsid("1003")));
    assert_eq!(parent(&fm, "1012"), Some(nsid("1011")));
    // 1013 answers the skipped 1006: it goes to the nearest kept ancestor.
    assert_eq!(parent(&fm, "1013"), Some(nsid("1001")));
    assert_eq!(entry(&fm, "1013")["by"].as_str(), Some("hana"));

    let third = mastodon(&site, "mastodon-context-grown.json", &write());
    assert_eq!(third.outcome, Outcome::Unchanged);
    assert_eq!(fs::read_to_string(&path).unwrap(), after);

    site.build();
    let doc = page(&site, &first.path);
    assert_eq!(texts(&doc, "h1"), ["Forum or static site?"]);
    assert!(texts(&doc, ".intro")[0].contains("better than expected"));
    assert!(body(&doc, "1004")
        .text()
        .collect::<String>()
        .contains("Slowness is the point"));
    let d = depths(&doc);
    assert!(!d.contains_key(&anchor("1006")));
    assert_eq!((d[&anchor("1012")], d[&anchor("1013")]), (4, 1), "{d:?}");
    assert_no_email(&site);
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn a_grown_bluesky_thread_adds_its_new_replies_once() {
    let site = site();
    let first = bluesky(&site, "bluesky-thread.json", &write());
    let r = bluesky(&site, "bluesky-thread-grown.json", &write());
    assert_eq!(
        (r.outcome, r.entries, r.already),
        (Outcome::Added, 2, 6),
        "{r}"
    );
    let fm = front(&site, &first.path);
    assert_eq!(parent(&fm, "3kreply0000i"), Some(nsid("3kreply0000b")));
    assert_eq!(entry(&fm, "3kreply0000j")["by"].as_str(), Some("hana"));
    let bytes = thread_files(&site);
    let again = bluesky(&site, "bluesky-thread-grown.json", &write());
    assert_eq!(again.outcome, Outcome::Unchanged);
    assert_eq!(thread_files(&site), bytes);
    site.build();
    assert_eq!(
        depths(&page(&site, &first.path))[&anchor("3kreply0000j")],
        3
    );
}

#[test]
fn a_dry_run_writes_nothing_and_shows_the_yaml() {
    let site = site();
    let before = snapshot(site.root());
    let r = bluesky(
        &site,
        "bluesky-thread.json",
        &ThreadOptions {
            dry_run: true,
            slug: Some("chosen-name".into()),
        },
    );
    assert_eq!(r.path, Path::new("content/threads/chosen-name.md"));
    assert!(
        r.dry_run
            && r.preview
                .contains(&format!("id: \"{}\"", nsid("3kreply0000e"))),
        "{}",
        r.preview
    );
    assert_eq!(snapshot(site.root()), before);
    assert!(!site.root().join("content/threads").exists());
}

#[test]
fn malformed_answers_and_threads_are_errors_with_file_and_position() {
    let site = site();
    let bad = site.root().join("status.json");
    fs::write(&bad, "{\n  \"id\": \"1\",\n  \"content\": <p>\n}\n").unwrap();
    let err = social::import_mastodon(
        site.root(),
        &bad,
        &fixture("mastodon-context.json"),
        &write(),
    )
    .unwrap_err();
    let salon::Error::Content(d) = err else {
        panic!("{err:?}")
    };
    assert_eq!(d[0].path, bad);
    let p = d[0].position.unwrap();
    assert_eq!((p.line, p.column), (3, 14), "{}", d[0].message);

    let bad = site.root().join("thread.json");
    fs::write(&bad, "{\"thread\": {\"replies\": 3}}").unwrap();
    let err = social::import_bluesky(site.root(), &bad, &write()).unwrap_err();
    let salon::Error::Content(d) = err else {
        panic!("{err:?}")
    };
    assert_eq!(d[0].path, bad);
    assert_eq!(d[0].position.unwrap().line, 1);

    // A thread file that does not parse is never written to.
    // (It is found by its source address.)
    let broken = "---\ntitle: Forum or static site?\ndate: 2024-05-01\nsource: { name: Mastodon, url: \"https://social.example/@hana/1001\" }\nentries:\n  - id: \"1001\"\n    by: hana\n    reply_to: nowhere\n---\n";
    site.write("content/threads/forum.md", broken);
    let err = social::import_mastodon(
        site.root(),
        &fixture("mastodon-status.json"),
        &fixture("mastodon-context.json"),
        &write(),
    )
    .unwrap_err();
    let salon::Error::Content(d) = err else {
        panic!("{err:?}")
    };
    assert_eq!(d[0].path, Path::new("content/threads/forum.md"));
    assert_eq!(d[0].position.unwrap().line, 6, "{}", d[0].message);
    assert_eq!(
        fs::read_to_string(site.root().join("content/threads/forum.md")).unwrap(),
        broken
    );
}

#[test]
fn the_command_line_takes_each_sources_own_arguments() {
    let site = site();
    let salon = env!("CARGO_BIN_EXE_salon");
    let out = std::process::Command::new(salon)
        .arg("--source")
        .arg(site.root())
        .args(["import", "mastodon"])
        .arg(fixture("mastodon-status.json"))
        .arg(fixture("mastodon-context.json"))
        .args(["--dry-run", "--slug", "from-cli"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = String::from_utf8(out.stdout).unwrap();
    let fm: Value = serde_yaml::from_str(
        yaml.trim_end()
            .trim_start_matches("---\n")
            .trim_end_matches("---"),
    )
    .unwrap();
    assert_eq!(parent(&fm, "1005"), Some(nsid("1004")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("content/threads/from-cli.md"));
    assert!(!site.root().join("content/threads").exists());
    // The export formats still take FILE and --dry-run.
    let out = std::process::Command::new(salon)
        .arg("--source")
        .arg(site.root())
        .args(["import", "json"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/comments.json"))
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!site.root().join("content/comments").exists());
}
