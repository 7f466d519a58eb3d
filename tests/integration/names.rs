//! Names that would collide on another system, or look like another
//! name, are errors naming the file, not a surprise at deploy time.

use std::path::Path;

use crate::common::*;

fn errors(site: &Site) -> Vec<salon::Diagnostic> {
    match site.try_build() {
        Err(salon::Error::Content(d)) => d.into_iter().filter(|d| d.is_error()).collect(),
        Err(e) => panic!("expected content errors, got {e}"),
        Ok(_) => panic!("the build was accepted"),
    }
}

/// The error about `file`, which must exist.
fn about<'a>(errors: &'a [salon::Diagnostic], file: &str) -> &'a salon::Diagnostic {
    errors
        .iter()
        .find(|d| d.path == Path::new(file))
        .unwrap_or_else(|| panic!("no error names {file}: {errors:#?}"))
}

fn dated(front: &str) -> String {
    post(&format!("title: T\ndate: 2020-01-01\n{front}"), "Body.")
}

#[test]
fn slugs_and_handles_differing_only_in_case_or_unicode_form_collide() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/a.md", &dated("slug: Hello")),
            ("content/posts/b.md", &dated("slug: hello")),
            ("content/posts/c.md", &dated("slug: \"caf\\u00e9\"")),
            ("content/posts/d.md", &dated("slug: \"cafe\\u0301\"")),
            ("content/members/amarao.md", "---\nname: A\n---\n"),
            ("content/members/AMARAO.md", "---\nname: B\n---\n"),
        ],
    );
    let errs = errors(&site);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    // Each pair is one error, on one file, naming the other.
    for pair in [
        ["content/posts/a.md", "content/posts/b.md"],
        ["content/posts/c.md", "content/posts/d.md"],
        ["content/members/amarao.md", "content/members/AMARAO.md"],
    ] {
        let e = errs
            .iter()
            .find(|d| pair.iter().any(|f| d.path == Path::new(f)))
            .unwrap_or_else(|| panic!("no error names {pair:?}: {errs:#?}"));
        let other = pair.iter().find(|f| e.path != Path::new(f)).unwrap();
        assert!(
            e.message.contains(other) && e.message.contains("case or Unicode form"),
            "{e}"
        );
    }
    assert!(!site.out().exists(), "the failed build wrote output");
}

#[test]
fn invisible_and_bidi_characters_and_encoded_separators_are_refused_at_their_line() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/rtl.md", &dated("slug: \"txt\\u202Eexe\"")),
            ("content/posts/zw.md", &dated("slug: \"hel\\u200Blo\"")),
            ("content/posts/pct.md", &dated("slug: \"a%2fb\"")),
            ("content/posts/con.md", &dated("slug: con")),
            (
                "content/posts/long.md",
                &dated(&format!("slug: {}", "x".repeat(300))),
            ),
        ],
    );
    let errs = errors(&site);
    for (file, says) in [
        ("content/posts/rtl.md", "U+202E"),
        ("content/posts/zw.md", "U+200B"),
        ("content/posts/pct.md", "`%`"),
        ("content/posts/con.md", "Windows"),
        ("content/posts/long.md", "300 bytes"),
    ] {
        let e = about(&errs, file);
        assert!(e.message.contains(says), "{e}");
        assert_eq!(e.position.map(|p| p.line), Some(4), "{e}");
    }
}

#[test]
fn a_slug_naming_a_file_the_site_writes_is_an_error_not_an_os_error() {
    for (slug, file) in [
        ("feed.xml", "feed.xml"),
        ("404.html", "404.html"),
        ("sitemap.xml", "sitemap.xml"),
    ] {
        let site = Site::new(
            CONFIG,
            &[(
                "content/pages/clash.md",
                &post(&format!("title: Clash\nslug: {slug}"), "x"),
            )],
        );
        let errs = errors(&site);
        let e = about(&errs, "content/pages/clash.md");
        assert!(
            e.message.contains(&format!("folder named `{file}`")),
            "{slug}: {e}"
        );
    }
}

#[test]
fn an_alias_with_an_invisible_character_or_an_overlong_name_is_refused() {
    let long = format!("/{}/", "y".repeat(256));
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/a.md", &dated("aliases: [\"/old\\u200D/\"]")),
            (
                "content/posts/b.md",
                &dated(&format!("aliases: [\"{long}\"]")),
            ),
        ],
    );
    let errs = errors(&site);
    assert!(about(&errs, "content/posts/a.md")
        .message
        .contains("U+200D"));
    assert!(about(&errs, "content/posts/b.md")
        .message
        .contains("256 bytes"));
}
