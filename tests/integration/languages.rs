//! Language per document: `language` in salon.yaml is the default, `lang:`
//! in a file's front matter overrides it for that page and its feed entry.

use crate::binary::run;
use crate::common::*;

fn html_attr(site: &Site, path: &str, attr: &str) -> Option<String> {
    let page = site.page(path);
    let html = page.select(&sel("html")).next().unwrap();
    html.value().attr(attr).map(str::to_owned)
}

fn multilingual() -> Site {
    Site::new(
        "title: Polyglot\nbase_url: https://example.org/\nlanguage: en-GB\n",
        &[
            (
                "content/posts/plain.md",
                &post("title: Plain\ndate: 2020-01-01", "In English."),
            ),
            (
                "content/posts/garten.md",
                &post("title: Garten\ndate: 2020-01-02\nlang: de", "Auf Deutsch."),
            ),
            (
                "content/posts/salam.md",
                &post("title: Salam\ndate: 2020-01-03\nlang: ar-EG", "مرحبا"),
            ),
            (
                "content/pages/about.md",
                "---\ntitle: Über\nlang: fa\n---\nدرباره\n",
            ),
            (
                "content/members/dana.md",
                "---\nname: Dana\nlang: he-IL\n---\nשלום\n",
            ),
            ("content/members/ann.md", "---\nname: Ann\n---\nHi.\n"),
            (
                "content/threads/chat.md",
                "---\ntitle: Chat\ndate: 2020-01-04\nlang: ru\n---\nПривет.\n",
            ),
        ],
    )
}

#[test]
fn html_lang_and_dir_follow_the_document_then_the_site() {
    let site = multilingual();
    site.build();
    let cases = [
        ("/posts/plain/", "en-GB", None),
        ("/posts/garten/", "de", None),
        ("/posts/salam/", "ar-EG", Some("rtl")),
        ("/about/", "fa", Some("rtl")),
        ("/members/dana/", "he-IL", Some("rtl")),
        ("/members/ann/", "en-GB", None),
        ("/threads/chat/", "ru", None),
        ("/", "en-GB", None),
        ("/search/", "en-GB", None),
    ];
    for (path, lang, dir) in cases {
        assert_eq!(
            html_attr(&site, path, "lang").as_deref(),
            Some(lang),
            "{path}"
        );
        assert_eq!(html_attr(&site, path, "dir").as_deref(), dir, "{path}");
    }
}

#[test]
fn feed_entries_carry_their_own_language() {
    let site = multilingual();
    site.build();
    let xml = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
    let root = doc.root_element();
    assert_eq!(root.attribute((XML_NS, "lang")), Some("en-GB"));
    let langs: Vec<(String, Option<String>)> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            let title = e
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap()
                .to_owned();
            (title, e.attribute((XML_NS, "lang")).map(str::to_owned))
        })
        .collect();
    assert_eq!(
        langs,
        [
            ("Salam".to_owned(), Some("ar-EG".to_owned())),
            ("Garten".to_owned(), Some("de".to_owned())),
            ("Plain".to_owned(), None),
        ]
    );
}

#[test]
fn a_malformed_lang_is_an_error_at_its_line_from_the_cli() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/bad.md",
            &post("title: Bad\ndate: 2020-01-01\nlang: english please", "x"),
        )],
    );
    let ran = run(site.root(), &["build"]);
    assert_ne!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("english please"), "{}", ran.stderr);
    assert!(ran.stderr.contains("bad.md:4"), "{}", ran.stderr);
}

#[test]
fn a_malformed_site_language_is_an_error() {
    let site = Site::new(
        "title: T\nbase_url: https://example.org/\nlanguage: en_US\n",
        &[],
    );
    match site.try_build() {
        Err(e) => assert!(
            e.to_string().contains("en_US") || format!("{e:?}").contains("en_US"),
            "{e:?}"
        ),
        Ok(_) => panic!("en_US was accepted"),
    }
}
