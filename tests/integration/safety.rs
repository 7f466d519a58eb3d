//! Paths from content can never write outside the output folder.

use crate::common::*;

fn refused(site: &Site) -> Vec<salon::Diagnostic> {
    match site.try_build() {
        Err(salon::Error::Content(d)) => d,
        other => panic!("expected the build to be refused, got {other:?}"),
    }
}

#[test]
fn a_slug_with_dot_dot_is_refused_and_nothing_is_written() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01\nslug: ../../escape", "x"),
        )],
    );
    let errors = refused(&site);
    assert!(errors[0].message.contains("slug"), "{errors:?}");
    assert_eq!(errors[0].position.unwrap().line, 4);
    assert!(!site.out().exists());
    assert!(!site.root().parent().unwrap().join("escape").exists());
}

#[test]
fn aliases_that_leave_the_output_folder_are_refused() {
    for alias in [
        "/../../outside/",
        "../x/",
        "/a/../../b/",
        "/C:/windows/",
        "/a\\\\..\\\\b/",
    ] {
        let site = Site::new(
            CONFIG,
            &[(
                "content/posts/a.md",
                &post(
                    &format!("title: A\ndate: 2020-01-01\naliases: [\"{alias}\"]"),
                    "x",
                ),
            )],
        );
        let errors = refused(&site);
        assert!(errors[0].path.ends_with("a.md"), "{alias}: {errors:?}");
        assert!(!site.out().exists(), "{alias}: output written");
        assert!(!site.root().parent().unwrap().join("outside").exists());
    }
}

#[test]
fn an_alias_over_a_real_page_is_refused() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2020-01-01\naliases: [/posts/b/]", "x"),
            ),
            (
                "content/posts/b.md",
                &post("title: B\ndate: 2020-01-02", "x"),
            ),
        ],
    );
    let errors = refused(&site);
    assert!(errors[0].message.contains("written twice"), "{errors:?}");
}

#[test]
fn a_good_alias_redirects() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post(
                "title: A\ndate: 2020-01-01\naliases: [/2020/01/old-a/]",
                "x",
            ),
        )],
    );
    site.build();
    let page = site.page("/2020/01/old-a/");
    let refresh = attrs(&page, "meta[http-equiv=refresh]", "content");
    assert_eq!(refresh, vec!["0; url=/posts/a/"]);
}

/// Found in review: a newline in an alias forged a manifest line, and a
/// later build deleted a file outside the output folder.
#[test]
fn an_alias_with_a_newline_cannot_forge_the_manifest() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("keep.html");
    std::fs::write(&victim, "mine").unwrap();
    let alias = format!("/x\\n0 8 0 {}", victim.display());
    let site = Site::new(
        CONFIG,
        &[(
            "content/pages/evil.md",
            &format!("---\ntitle: Evil\naliases: [\"{alias}\"]\n---\n"),
        )],
    );
    assert!(matches!(site.try_build(), Err(salon::Error::Content(_))));
    // A manifest tampered by hand is not trusted either.
    site.remove("content/pages/evil.md");
    site.build();
    let manifest = site.out().join(".salon-manifest");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!(
        "{:032x} 4 0 {}\n{:032x} 4 0 ../keep.html\n",
        0,
        victim.display(),
        0
    ));
    std::fs::write(&manifest, text).unwrap();
    site.write(
        "content/posts/a.md",
        &post("title: A\ndate: 2020-01-01", "x"),
    );
    site.build();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine");
}

/// Found in review: last build's folder standing where this build writes a
/// file made the commit fail halfway.
#[test]
fn a_stale_folder_where_a_file_now_goes_is_replaced() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/pages/notes.md",
            "---\ntitle: Notes\nslug: notes.txt\n---\nx\n",
        )],
    );
    site.build();
    assert!(site.out().join("notes.txt").is_dir());
    site.write(
        "content/pages/notes.md",
        "---\ntitle: Notes\nslug: notes\naliases: [/notes.txt]\n---\nx\n",
    );
    site.build();
    assert!(site.out().join("notes.txt").is_file());
    assert!(site.out().join("notes/index.html").is_file());
}

#[test]
fn a_foreign_folder_in_the_way_fails_before_anything_is_written() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "first"),
        )],
    );
    site.build();
    std::fs::create_dir_all(site.out().join("old.html")).unwrap();
    std::fs::write(site.out().join("old.html/mine.txt"), "mine").unwrap();
    let before = snapshot(&site.out());
    site.write(
        "content/posts/a.md",
        &post(
            "title: A\ndate: 2020-01-01\naliases: [/old.html]",
            "changed",
        ),
    );
    assert!(matches!(site.try_build(), Err(salon::Error::Refused(_))));
    assert_eq!(snapshot(&site.out()), before, "nothing written");
}

/// Found in review: a percent-encoded alias made a folder literally named
/// `caf%C3%A9`, which no server ever finds.
#[test]
fn percent_encoded_aliases_are_decoded() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post(
                "title: A\ndate: 2020-01-01\naliases: [\"/caf%C3%A9/\"]",
                "x",
            ),
        )],
    );
    site.build();
    assert!(site.out().join("café/index.html").is_file());
}

#[test]
fn thread_links_a_browser_would_run_are_errors_at_their_line() {
    let thread = "---\ntitle: T\ndate: 2020-01-01\nsource: { name: Elsewhere, url: \"javascript:alert(1)\" }\nentries:\n  - id: 1\n    by: ann\n    text: hi\n    url: \"data:text/html,<script>alert(1)</script>\"\n  - id: 2\n    by: bob\n    text: fine\n    url: https://example.org/2\n---\n";
    let member = "---\nname: Eve\navatar: \"/\\\\evil.example/a.png\"\n---\n";
    let site = Site::new(
        CONFIG,
        &[
            ("content/threads/t.md", thread),
            ("content/members/eve.md", member),
        ],
    );
    let errs = match site.try_build() {
        Err(salon::Error::Content(d)) => d,
        other => panic!("expected content errors, got {:?}", other.map(|r| r.files)),
    };
    let at = |file: &str, what: &str| {
        errs.iter()
            .find(|d| d.path == std::path::Path::new(file) && d.message.contains(what))
            .unwrap_or_else(|| panic!("no error about {what} in {file}: {errs:#?}"))
            .position
            .map(|p| p.line)
    };
    assert_eq!(at("content/threads/t.md", "source.url"), Some(4));
    assert_eq!(at("content/threads/t.md", "entry `1`"), Some(6));
    assert_eq!(at("content/members/eve.md", "avatar"), Some(3));
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
