//! The writer: no-change builds rewrite nothing, deletions propagate, and
//! files Salon never wrote survive.

use crate::common::*;

#[test]
fn a_second_build_with_no_change_rewrites_nothing() {
    let site = Site::demo();
    let first = site.build();
    let before = snapshot(&site.out());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = site.build();
    assert_eq!(second.written, 0);
    assert_eq!(second.unchanged, first.files);
    assert_eq!(snapshot(&site.out()), before, "bytes and mtimes unchanged");
}

#[test]
fn deleting_a_post_removes_its_page_and_its_place_in_every_listing() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/keep.md",
                &post("title: Keep\ndate: 2020-01-01\ntags: [Shared]", "x"),
            ),
            (
                "content/posts/gone.md",
                &post(
                    "title: Gone\ndate: 2020-02-01\ntags: [Shared, Lonely]\naliases: [/old/gone/]",
                    "x",
                ),
            ),
            (
                "content/comments/gone.yaml",
                "- id: 1\n  author: A\n  date: 2020-03-01\n",
            ),
        ],
    );
    site.build();
    assert!(site.out().join("posts/gone/index.html").exists());
    site.remove("content/posts/gone.md");
    site.remove("content/comments/gone.yaml");
    let r = site.build();
    assert!(r.removed > 0);
    for gone in ["posts/gone", "tags/lonely", "old/gone", "2020/02"] {
        assert!(!site.out().join(gone).exists(), "{gone} still there");
    }
    for listing in ["/", "/tags/shared/", "/2020/", "/archive/"] {
        let text = site.page(listing).root_element().text().collect::<String>();
        assert!(!text.contains("Gone"), "{listing} still lists the post");
    }
    assert!(!site.read("feed.xml").contains("Gone"));
    assert!(!site.read("sitemap.xml").contains("/posts/gone/"));
    assert!(broken_links(&site.out(), "/").is_empty());
}

#[test]
fn files_salon_never_wrote_survive_and_are_reported() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "x"),
        )],
    );
    site.build();
    std::fs::write(site.out().join("CNAME"), "example.org").unwrap();
    std::fs::create_dir_all(site.out().join("posts/a/extra")).unwrap();
    std::fs::write(site.out().join("posts/a/extra/mine.txt"), "mine").unwrap();
    site.remove("content/posts/a.md");
    let r = site.build();
    assert_eq!(
        std::fs::read_to_string(site.out().join("CNAME")).unwrap(),
        "example.org"
    );
    assert_eq!(
        std::fs::read_to_string(site.out().join("posts/a/extra/mine.txt")).unwrap(),
        "mine"
    );
    assert!(!site.out().join("posts/a/index.html").exists());
    assert!(r.foreign.contains(&"CNAME".to_string()), "{:?}", r.foreign);
}

#[test]
fn changing_one_post_rewrites_only_what_shows_it() {
    let files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("content/posts/p{i}.md"),
                post(
                    &format!("title: P{i}\ndate: 2020-01-{:02}\ntags: [T{i}]", i + 1),
                    "Body.",
                ),
            )
        })
        .collect();
    let site = Site::generated(CONFIG, &files);
    let first = site.build();
    // p0 is the oldest: on the last home page, not the first.
    site.write(
        "content/posts/p0.md",
        &post("title: P0\ndate: 2020-01-01\ntags: [T0]", "Body, edited."),
    );
    let r = site.build();
    assert!(
        r.written > 0 && r.written < first.files / 3,
        "wrote {} of {}",
        r.written,
        first.files
    );
}

#[test]
fn an_input_change_that_changes_no_output_writes_nothing() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "x"),
        )],
    );
    site.build();
    let before = snapshot(&site.out());
    // A template comment changes the inputs but not one output byte.
    site.write(
        "templates/404.html",
        "{# a note #}<!doctype html><title>404</title>",
    );
    site.build();
    site.write(
        "templates/404.html",
        "{# another note #}<!doctype html><title>404</title>",
    );
    let r = site.build();
    assert!(
        !r.up_to_date,
        "the inputs changed, so everything is rendered"
    );
    assert_eq!(r.written, 0);
    let after = snapshot(&site.out());
    let changed: Vec<_> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    // Only the manifest (new inputs fingerprint) and the new 404 page differ.
    assert!(
        changed
            .iter()
            .all(|k| k == ".salon-manifest" || k == "404.html"),
        "{changed:?}"
    );
}

#[test]
fn a_hand_deleted_output_file_is_restored_by_the_next_build() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "x"),
        )],
    );
    site.build();
    std::fs::remove_file(site.out().join("posts/a/index.html")).unwrap();
    let r = site.build();
    assert!(!r.up_to_date);
    assert_eq!(r.written, 1);
    assert!(site.out().join("posts/a/index.html").is_file());
    assert!(site.build().up_to_date);
}

/// Found in review: `static/CNAME` failed the build and dotfiles such as
/// `.nojekyll` were silently left out.
#[test]
fn static_files_without_extension_and_hidden_ones_are_published() {
    let site = Site::new(
        CONFIG,
        &[
            ("static/CNAME", "example.org"),
            ("static/.nojekyll", ""),
            (
                "static/.well-known/security.txt",
                "Contact: mailto:x@example.org",
            ),
            ("static/.notes.md.swp", "editor swap"),
            ("static/draft.txt~", "editor backup"),
        ],
    );
    site.build();
    assert_eq!(site.read("CNAME"), "example.org");
    assert!(site.out().join(".nojekyll").is_file());
    assert!(site.out().join(".well-known/security.txt").is_file());
    assert!(!site.out().join(".notes.md.swp").exists());
    assert!(!site.out().join("draft.txt~").exists());
    let again = site.build();
    assert!(again.up_to_date, "hidden files are tracked like any other");
}
