//! Bad content fails the build with every error located, and leaves the
//! previous output exactly as it was.

use crate::common::*;

fn content_errors(r: Result<salon::BuildReport, salon::Error>) -> Vec<salon::Diagnostic> {
    match r {
        Err(salon::Error::Content(d)) => d.into_iter().filter(|d| d.is_error()).collect(),
        Err(e) => panic!("expected content errors, got {e}"),
        Ok(_) => panic!("expected the build to fail"),
    }
}

#[test]
fn every_bad_file_is_reported_with_file_line_and_expectation() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/members/ann.md", "---\nname: Ann\n---\n"),
            (
                "content/posts/good.md",
                &post("title: Good\ndate: 2020-01-01\nauthors: [ann]", "ok"),
            ),
            (
                "content/posts/typo.md",
                &post("titel: Typo\ndate: 2020-01-01", "x"),
            ),
            (
                "content/posts/baddate.md",
                &post("title: Bad date\ndate: 2020-13-01", "x"),
            ),
            (
                "content/posts/author.md",
                &post(
                    "title: Who\ndate: 2020-01-01\nauthors:\n  - ann\n  - bob",
                    "x",
                ),
            ),
            ("content/posts/yaml.md", "---\ntitle: [unclosed\n---\n"),
        ],
    );
    let errors = content_errors(site.try_build());
    let find = |file: &str| {
        errors
            .iter()
            .find(|d| d.path.ends_with(file))
            .unwrap_or_else(|| panic!("no error for {file}: {errors:#?}"))
    };
    let typo = errors
        .iter()
        .find(|d| d.path.ends_with("typo.md") && d.message.contains("titel"))
        .unwrap();
    assert_eq!(typo.position.unwrap().line, 2);
    assert!(typo
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `title`"));
    let bad_date = find("baddate.md");
    assert_eq!(bad_date.position.unwrap().line, 3);
    assert!(bad_date.help.as_deref().unwrap().contains("2010-09-25"));
    let author = find("author.md");
    assert_eq!(author.position.unwrap().line, 6, "{author:?}");
    assert!(author.message.contains("bob"));
    assert!(find("yaml.md").position.is_some());
    assert!(!errors.iter().any(|d| d.path.ends_with("good.md")));
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_for_byte() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "first"),
        )],
    );
    site.build();
    let before = snapshot(&site.out());
    assert!(!before.is_empty());
    site.write(
        "content/posts/a.md",
        &post("title: A\ndate: 2020-01-01", "changed"),
    );
    site.write(
        "content/posts/b.md",
        &post("title: B\ndate: someday", "new"),
    );
    site.write("content/posts/c.md", "no front matter");
    let errors = content_errors(site.try_build());
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(snapshot(&site.out()), before);
}

#[test]
fn a_broken_template_fails_without_touching_the_output() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "x"),
        )],
    );
    site.build();
    let before = snapshot(&site.out());
    site.write(
        "templates/post.html",
        "{% extends \"base.html\" %}{% block content %}{{ post.nosuchfield }}{% endblock %}",
    );
    match site.try_build() {
        Err(salon::Error::Template { name, .. }) => assert!(name.contains("post.html"), "{name}"),
        other => panic!("expected a template error, got {other:?}"),
    }
    assert_eq!(snapshot(&site.out()), before);
}

#[test]
fn a_comment_file_for_no_post_is_an_error() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/comments/ghost.yaml",
            "- id: 1\n  author: A\n  date: 2020-01-01\n",
        )],
    );
    let errors = content_errors(site.try_build());
    assert!(errors[0].message.contains("ghost"));
}

/// A misspelt key used to hide every other problem of its file.
#[test]
fn a_misspelt_key_does_not_hide_the_files_other_errors() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/two.md",
            &post("titel: Two\ndate: 2020-13-01", "x"),
        )],
    );
    let errors = content_errors(site.try_build());
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec!["unknown field `titel`", "bad date `2020-13-01`"],
        "{errors:#?}"
    );
    assert_eq!(errors[1].position.unwrap().line, 3);
}
