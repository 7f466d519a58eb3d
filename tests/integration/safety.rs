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
