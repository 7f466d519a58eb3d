//! The output folder and the sources stay apart, and what a build reads
//! stays inside the site folder: links leading out are refused by name.

use std::fs;
use std::path::Path;

use crate::binary::*;
use crate::common::*;

fn small_site() -> Site {
    Site::new(
        CONFIG,
        &[
            (
                "content/posts/hello.md",
                &post("title: Hello\ndate: 2024-01-01", "Hi."),
            ),
            ("static/robots.txt", "User-agent: *\n"),
        ],
    )
}

#[test]
fn an_output_folder_mixed_with_the_sources_is_refused() {
    let site = small_site();
    fs::create_dir_all(site.root().join("templates")).unwrap();
    let before = tree(site.root());
    for output in [
        "static",
        "static/out",
        "content",
        "content/posts/out",
        "themes",
        "templates",
        ".",
        "..",
    ] {
        let ran = run(site.root(), &["build", "--output", output]);
        assert_eq!(
            ran.code,
            Some(1),
            "--output {output} was accepted: {}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains("--output") && ran.stderr.contains("public"),
            "--output {output}: {}",
            ran.stderr
        );
    }
    assert_eq!(before, tree(site.root()), "a refused build wrote something");
    // Its own folder, inside or outside the site, is fine.
    run(site.root(), &["build", "--output", "dist"]).ok();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("out");
    run(site.root(), &["build", "--output", &out.to_string_lossy()]).ok();
    assert!(out.join("posts/hello/index.html").is_file());
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    fn secret() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret.txt");
        fs::write(&file, "the machine's secret").unwrap();
        (dir, file)
    }

    fn refused(site: &Site, names: &[&str]) -> String {
        let ran = run(site.root(), &["build"]);
        assert_eq!(ran.code, Some(1), "the build was accepted:\n{}", ran.stderr);
        for name in names {
            assert!(
                ran.stderr.contains(name),
                "{name} not named in:\n{}",
                ran.stderr
            );
        }
        assert!(!site.out().exists(), "a refused build wrote the output");
        ran.stderr
    }

    #[test]
    fn links_leading_out_of_the_site_are_refused_naming_link_and_target() {
        let (_dir, secret) = secret();
        let site = small_site();
        symlink(&secret, site.root().join("static/passwd")).unwrap();
        symlink(&secret, site.root().join("content/posts/stolen.md")).unwrap();
        fs::create_dir_all(site.root().join("templates")).unwrap();
        symlink(&secret, site.root().join("templates/post.html")).unwrap();
        let text = refused(
            &site,
            &[
                "static/passwd",
                "content/posts/stolen.md",
                "templates/post.html",
                &secret.to_string_lossy(),
            ],
        );
        assert!(text.contains("outside the site folder"), "{text}");
    }

    #[test]
    fn a_source_folder_that_is_a_link_out_of_the_site_is_refused() {
        let (dir, _) = secret();
        let site = small_site();
        fs::remove_dir_all(site.root().join("static")).unwrap();
        symlink(dir.path(), site.root().join("static")).unwrap();
        refused(&site, &["static"]);
    }

    #[test]
    fn links_inside_the_site_keep_working() {
        let site = small_site();
        fs::create_dir_all(site.root().join("assets")).unwrap();
        fs::write(site.root().join("assets/logo.svg"), "<svg/>").unwrap();
        symlink(
            site.root().join("assets/logo.svg"),
            site.root().join("static/logo.svg"),
        )
        .unwrap();
        symlink(
            Path::new("../../drafts-elsewhere.md"),
            site.root().join("content/posts/linked.md"),
        )
        .unwrap();
        fs::write(
            site.root().join("drafts-elsewhere.md"),
            post("title: Linked\ndate: 2024-02-01", "Through a link."),
        )
        .unwrap();
        run(site.root(), &["build"]).ok();
        assert_eq!(fs::read(site.out().join("logo.svg")).unwrap(), b"<svg/>");
        let page = site.page("/posts/linked/");
        assert_eq!(texts(&page, "h1"), ["Linked"]);
    }

    #[test]
    fn folder_links_broken_links_and_pipes_are_reported_not_skipped() {
        let site = small_site();
        fs::create_dir_all(site.root().join("more-posts")).unwrap();
        symlink(
            site.root().join("more-posts"),
            site.root().join("content/posts/more"),
        )
        .unwrap();
        symlink(
            site.root().join("nothing-here.md"),
            site.root().join("content/posts/gone.md"),
        )
        .unwrap();
        fs::create_dir_all(site.root().join("content/comments")).unwrap();
        let fifo = site.root().join("content/comments/hello.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let text = refused(&site, &["content/posts/more", "content/posts/gone.md"]);
        assert!(text.contains("folder"), "{text}");
        assert!(text.contains("broken link"), "{text}");
        if made.is_ok_and(|s| s.success()) {
            assert!(
                text.contains("content/comments/hello.yaml") && text.contains("not a regular file"),
                "{text}"
            );
        }
    }
}
