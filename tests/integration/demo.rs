//! The demo site in the repository builds into a fully linked site.

use crate::common::*;

#[test]
fn demo_site_builds_with_no_broken_internal_link() {
    let site = Site::demo();
    let report = site.build();
    assert!(report.posts >= 12, "demo has {} posts", report.posts);
    assert!(report.warnings.iter().all(|w| !w.is_error()));
    let broken = broken_links(&site.out(), "/");
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn demo_site_links_work_under_a_sub_path() {
    let site = Site::demo();
    let mut opts = site.options();
    opts.base_url = Some("https://example.org/community/".into());
    salon::build(&opts).unwrap();
    let broken = broken_links(&site.out(), "/community/");
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    // Absolute URLs carry the sub-path too.
    let home = site.page("/");
    let canonical = attrs(&home, "link[rel=canonical]", "href");
    assert_eq!(canonical, vec!["https://example.org/community/"]);
    // The search script fetches its index under the sub-path.
    let page = site.page("/search/");
    let base = attrs(&page, "#search-form", "data-base").remove(0);
    assert_eq!(base, "/community/");
}

#[test]
fn terms_differing_in_case_or_spacing_are_one_term() {
    let site = Site::demo();
    site.build();
    let tags = site.page("/tags/");
    let names = texts(&tags, "main .term-cloud a[href*='/tags/social-crm/']");
    assert_eq!(names.len(), 1, "{names:?}");
    // Every spelling's posts are in the one archive.
    let archive_posts: usize = (1..=5)
        .filter_map(|n| {
            file_for(
                &site.out(),
                &if n == 1 {
                    "/tags/social-crm/".to_string()
                } else {
                    format!("/tags/social-crm/page/{n}/")
                },
            )
        })
        .map(|f| {
            scraper::Html::parse_document(&std::fs::read_to_string(f).unwrap())
                // Posts, not the tag's threads listed below them.
                .select(&sel(
                    "article:not(.thread-card) h2 a, article:not(.thread-card) h3 a",
                ))
                .count()
        })
        .sum();
    let tagged = std::fs::read_dir(site.root().join("content/posts"))
        .unwrap()
        .filter(|e| {
            let text = std::fs::read_to_string(e.as_ref().unwrap().path()).unwrap();
            let front = text.split("---").nth(1).unwrap().to_lowercase();
            let tags_line = front
                .lines()
                .find(|l| l.starts_with("tags:"))
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            !front.contains("draft: true") && tags_line.contains("social crm")
        })
        .count();
    assert_eq!(archive_posts, tagged);
}

#[test]
fn listings_say_how_many_comments() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/none.md",
                &post("title: None\ndate: 2020-01-01", "x"),
            ),
            (
                "content/posts/one.md",
                &post("title: One\ndate: 2020-01-02", "x"),
            ),
            (
                "content/posts/six.md",
                &post("title: Six\ndate: 2020-01-03", "x"),
            ),
            (
                "content/comments/one.yaml",
                "- id: 1\n  author: A\n  date: 2020-02-01\n  body: <p>hi</p>\n",
            ),
            (
                "content/comments/six.yaml",
                &(1..=6)
                    .map(|i| {
                        format!(
                            "- id: {i}\n  author: A\n  date: 2020-02-0{i}\n{}  body: <p>hi</p>\n",
                            if i > 1 { "  parent: 1\n" } else { "" }
                        )
                    })
                    .collect::<String>(),
            ),
        ],
    );
    site.build();
    let home = site.page("/");
    let text = home.root_element().text().collect::<String>();
    for expected in ["No comments", "1 comment", "6 comments"] {
        assert!(text.contains(expected), "missing {expected}");
    }
    // Replies are nested under their parent, all six shown.
    let six = site.page("/posts/six/");
    assert_eq!(six.select(&sel("[id^=comment-]")).count(), 6);
    assert_eq!(six.select(&sel("#comment-1 [id^=comment-]")).count(), 5);
}

#[test]
fn a_site_without_themes_folder_builds_with_the_builtin_theme() {
    let site = Site::new(CONFIG, &[]);
    let report = site.build();
    assert!(site.out().join("style.css").is_file());
    assert!(report.files > 5);
    let home = site.page("/");
    assert_eq!(texts(&home, "title"), vec!["Test Site"]);
}

#[test]
fn site_templates_override_the_theme_file_by_file() {
    let site = Site::new(
        CONFIG,
        &[(
            "templates/404.html",
            "<!doctype html><title>custom</title><p id=x>Lost</p>",
        )],
    );
    site.build();
    assert!(site.read("404.html").contains("Lost"));
    // Other templates still come from the theme.
    assert!(site.read("index.html").contains("Test Site"));
}

#[test]
fn init_makes_a_site_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    salon::scaffold::init(dir.path(), "New Place").unwrap();
    let report = salon::build(&salon::BuildOptions::new(dir.path())).unwrap();
    assert_eq!(report.posts, 1);
    assert!(broken_links(&dir.path().join("public"), "/").is_empty());
}
