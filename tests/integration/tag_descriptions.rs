//! Tag descriptions: `content/tags/<tag>.md` shown on the tag's page and
//! describing it to search engines; its mistakes reported at their line.

use std::process::Command;

use crate::common::*;

#[test]
fn a_tag_page_shows_the_tags_description() {
    let site = Site::demo();
    site.build();
    let tag = site.page("/tags/moderation/");
    let description = tag
        .select(&sel(".page-header .term-description"))
        .collect::<Vec<_>>();
    assert_eq!(description.len(), 1);
    assert!(description[0]
        .text()
        .collect::<String>()
        .trim()
        .starts_with("Moderation here means"));
    let meta = attrs(&tag, "meta[name=description]", "content");
    assert_eq!(
        meta,
        ["How a community keeps its conversations worth having, and who does the work."]
    );
    // A tag without a file has none.
    let other = site.page("/tags/community/");
    assert_eq!(other.select(&sel(".term-description")).count(), 0);
}

#[test]
fn a_tag_description_with_a_bad_key_is_an_error_at_its_line() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2024-01-01\ntags: [Garden]", "Hi."),
            ),
            (
                "content/tags/garden.md",
                "---\ndescriptoin: Green things.\n---\nText.\n",
            ),
            ("content/tags/nothing.md", "---\n---\nNo such tag.\n"),
        ],
    );
    let Err(salon::Error::Content(diags)) = site.try_build() else {
        panic!("a misspelt key fails the build");
    };
    let d = diags
        .iter()
        .find(|d| d.path.ends_with("content/tags/garden.md"))
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert!(d.is_error());
    let at = d.position.expect("a position");
    assert_eq!((at.line, at.column), (2, 1), "{d:?}");
    site.write(
        "content/tags/garden.md",
        "---\ndescription: Green things.\n---\nText.\n",
    );
    let report = site.build();
    // A file for a tag no post carries is a warning, at its first line.
    let w = report
        .warnings
        .iter()
        .find(|w| w.path.ends_with("content/tags/nothing.md"))
        .unwrap_or_else(|| panic!("{:#?}", report.warnings));
    assert!(!w.is_error() && w.message.contains("nothing"));
    assert_eq!(
        texts(&site.page("/tags/garden/"), ".term-description"),
        ["Text."]
    );
}

#[test]
fn salon_build_shows_tag_descriptions() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2024-01-01\ntags: [Garden]", "Hi."),
            ),
            (
                "content/tags/garden.md",
                "---\n---\nAll about *green* things.\n",
            ),
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_salon"))
        .arg("build")
        .current_dir(site.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tag = site.page("/tags/garden/");
    assert_eq!(texts(&tag, ".term-description em"), ["green"]);
    // Without a `description:`, the text's first words describe the page.
    assert_eq!(
        attrs(&tag, "meta[name=description]", "content"),
        ["All about green things."]
    );
}
