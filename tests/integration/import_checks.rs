//! Imports that must not leave a site half written or unbuildable: the
//! `salon` binary run from the site folder on edge-case and foreign files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// `salon ARGS` in the site folder: success and stderr.
fn salon(site: &Site, args: &[&str]) -> (bool, String) {
    crate::binary::outcome(site.root(), args)
}

fn empty_site() -> Site {
    Site::new(
        CONFIG,
        &[(
            "content/posts/welcome.md",
            "---\ntitle: Welcome\ndate: 2020-01-01\n---\n\nHello.\n",
        )],
    )
}

/// Every file under the site's `content/`, with its text.
fn content(site: &Site) -> Vec<(String, String)> {
    walkdir::WalkDir::new(site.root().join("content"))
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(site.root()).unwrap();
            (
                rel.display().to_string(),
                fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn front_matter(site: &Site, rel: &str) -> serde_yaml::Value {
    let text = fs::read_to_string(site.root().join(rel)).unwrap();
    let head = text
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---")
        .next()
        .unwrap();
    serde_yaml::from_str(head).unwrap()
}

#[test]
fn untitled_posts_get_a_title_and_the_imported_site_builds() {
    let site = empty_site();
    let file = fixture("wordpress-edge-cases.xml");
    let (ok, err) = salon(&site, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("Imported 9 posts, 1 pages"), "{err}");
    assert!(
        err.contains("2 post(s) or page(s) had no title")
            && err.contains("content/posts/post-wp-1149.md")
            && err.contains("content/posts/post-wp-1150.md"),
        "the report lists the posts to retitle: {err}"
    );
    assert_eq!(
        front_matter(&site, "content/posts/post-wp-1149.md")["title"],
        "This post has no title, but it does…"
    );
    let (ok, err) = salon(&site, &["build"]);
    assert!(ok, "an imported site builds: {err}");
    let page = site.page("/posts/post-wp-1149/");
    assert_eq!(
        texts(&page, "h1"),
        vec!["This post has no title, but it does…"]
    );
    assert_eq!(texts(&page, ".comment-body"), vec!["Who needs titles?"]);
    let page = site.page("/posts/post-wp-1150/");
    assert_eq!(texts(&page, "h1"), vec!["Untitled post of 2010-09-03"]);
}

#[test]
fn an_overlong_post_name_is_shortened_and_reported() {
    let site = empty_site();
    let file = fixture("wordpress-edge-cases.xml");
    let (ok, err) = salon(&site, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let posts: Vec<String> = fs::read_dir(site.root().join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("a-very-long"))
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let slug = posts[0].trim_end_matches(".md");
    assert!(slug.len() <= 100, "{slug}");
    assert!(
        err.contains("2 slug(s) were changed") && err.contains(&posts[0]),
        "{err}"
    );
    assert!(site
        .root()
        .join(format!("content/comments/{slug}.yaml"))
        .is_file());
    assert!(
        err.contains("content/pages/archive-page.md (/archive/ is a page Salon makes)"),
        "{err}"
    );
    let (ok, err) = salon(&site, &["build"]);
    assert!(ok, "{err}");
    let page = site.page(&format!("/posts/{slug}/"));
    assert_eq!(texts(&page, "h1"), vec!["A post with a pasted permalink"]);
    // A page named like Salon's own /archive/ moves aside.
    assert_eq!(texts(&site.page("/archive-page/"), "h1"), vec!["Archive"]);
    // A second import finds the same names and changes nothing.
    let before = content(&site);
    let (ok, err) = salon(&site, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(ok && err.contains("Imported 0 posts"), "{err}");
    assert_eq!(before, content(&site));
}

#[test]
fn a_movabletype_entry_with_no_title_gets_one() {
    let site = empty_site();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.txt");
    fs::write(
        &file,
        "AUTHOR: ann\nTITLE: \nBASENAME: quiet\nSTATUS: Publish\nDATE: 09/25/2010 10:00:00 AM\n-----\nBODY:\n<p>Just a few words here.</p>\n-----\n--------\n",
    )
    .unwrap();
    let (ok, err) = salon(&site, &["import", "movabletype", file.to_str().unwrap()]);
    assert!(ok && err.contains("content/posts/quiet.md"), "{err}");
    let (ok, err) = salon(&site, &["build"]);
    assert!(ok, "{err}");
    assert_eq!(
        texts(&site.page("/posts/quiet/"), "h1"),
        vec!["Just a few words here."]
    );
}

/// Files that are no export: (name, bytes).
fn foreign_files() -> Vec<(&'static str, Vec<u8>)> {
    let mut noise = Vec::new();
    let mut x: u32 = 0x2545_f491;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push((x >> 24) as u8);
    }
    vec![
        ("empty.xml", Vec::new()),
        ("noise.bin", noise),
        (
            "page.html",
            b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Hi</title></head>\n<body><p>A page: not an export.</p></body></html>\n".to_vec(),
        ),
    ]
}

#[test]
fn a_file_that_is_no_export_is_named_for_what_it_is_not() {
    let site = empty_site();
    let before = content(&site);
    let dir = tempfile::tempdir().unwrap();
    let formats = [
        ("wordpress", "is not a WordPress export"),
        ("disqus", "is not a Disqus export"),
        ("movabletype", "is not a Movable Type export"),
        ("json", "is not a comment list"),
    ];
    for (name, bytes) in foreign_files() {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        for (format, says) in formats {
            let (ok, err) = salon(&site, &["import", format, path.to_str().unwrap()]);
            assert!(!ok, "{format} {name} must fail: {err}");
            assert!(
                err.contains(&format!("{name} {says}")),
                "{format} {name}: {err}"
            );
            assert!(!err.contains("Imported"), "{err}");
            if name == "noise.bin" {
                assert!(err.contains("starts with binary data"), "{err}");
            }
        }
    }
    let html = dir.path().join("page.html");
    let (_, err) = salon(&site, &["import", "wordpress", html.to_str().unwrap()]);
    assert!(
        err.contains("its root element is <html>, expected <rss> with the WXR namespace"),
        "{err}"
    );
    assert_eq!(before, content(&site), "nothing was written");
}

#[test]
fn an_import_that_fails_writes_no_file() {
    let site = empty_site();
    let before = content(&site);
    let dir = tempfile::tempdir().unwrap();
    // Six good posts, then the file breaks.
    let good = fs::read_to_string(fixture("wordpress-edge-cases.xml")).unwrap();
    let cut = good.find("<title>A post with a pasted").unwrap();
    let broken = dir.path().join("broken.xml");
    fs::write(&broken, format!("{}<title>oops</titel>\n", &good[..cut])).unwrap();
    let (ok, err) = salon(&site, &["import", "wordpress", broken.to_str().unwrap()]);
    assert!(!ok, "{err}");
    assert!(
        err.contains("broken.xml:"),
        "the error has its place: {err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(before, content(&site), "no file was written");

    // A comment file that is no list, met after eight posts were taken
    // in: the last post's (a dry run names it).
    let file = fixture("wordpress-edge-cases.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_salon"))
        .args(["import", "wordpress", file.to_str().unwrap(), "--dry-run"])
        .current_dir(site.root())
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let last = listed
        .lines()
        .filter_map(|l| l.strip_prefix("would write "))
        .filter_map(|l| l.split(' ').next())
        .find(|f| f.starts_with("content/comments/a-very-long"))
        .unwrap_or_else(|| panic!("{listed}"));
    site.write(last, "not: a list\n");
    let before = content(&site);
    let (ok, err) = salon(&site, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(!ok && err.contains("is not a list of comments"), "{err}");
    assert_eq!(before, content(&site), "no file was written");
}
