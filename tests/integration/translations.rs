//! The interface in the page's language: translation tables, plural
//! forms, dates, reading times of CJK text, a site's own `i18n/` files.

use crate::binary::run;
use crate::common::*;

/// `n` comments on the post `slug`, as a comments file.
fn comments(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "- id: c{i}\n  author: Reader {i}\n  date: 2020-03-06T10:00:00Z\n  body: \"<p>Comment {i}</p>\"\n"
            )
        })
        .collect()
}

fn config(language: &str) -> String {
    format!("title: T\nbase_url: https://example.org/\nlanguage: {language}\npaginate: 2\n")
}

fn one(doc: &scraper::Html, selector: &str) -> String {
    texts(doc, selector)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {selector}"))
}

#[test]
fn a_german_site_speaks_german() {
    let site = Site::new(
        &config("de"),
        &[
            (
                "content/posts/garten.md",
                &post("title: Garten\ndate: 2020-03-05", "Ein Text."),
            ),
            (
                "content/posts/b.md",
                &post("title: B\ndate: 2020-04-01", "x"),
            ),
            (
                "content/posts/c.md",
                &post("title: C\ndate: 2020-05-01", "x"),
            ),
            ("content/comments/garten.yaml", &comments(2)),
        ],
    );
    site.build();
    let page = site.page("/posts/garten/");
    assert_eq!(one(&page, "#comments-title"), "2 Kommentare");
    assert_eq!(one(&page, ".post-header time"), "5. März 2020");
    assert_eq!(one(&page, ".search-link"), "Suche");
    assert_eq!(one(&page, ".skip-link"), "Zum Inhalt springen");
    let menu = texts(&page, ".site-nav a");
    assert_eq!(
        menu,
        [
            "Beiträge",
            "Archiv",
            "Schlagwörter",
            "Mitglieder",
            "Diskussionen"
        ]
    );
    let home = site.page("/");
    assert_eq!(one(&home, ".pager-status"), "Seite 1 von 2");
    assert_eq!(one(&home, "#latest-title"), "Neueste Beiträge");
    let missing = site.page("/404.html");
    assert_eq!(one(&missing, "h1"), "Seite nicht gefunden");
    let month = site.page("/2020/03/");
    assert_eq!(one(&month, "h1"), "Beiträge aus März 2020");
}

#[test]
fn russian_counts_take_their_three_plural_forms() {
    let mut files = Vec::new();
    for n in [1, 3, 5, 21] {
        files.push((
            format!("content/posts/p{n}.md"),
            post(&format!("title: P{n}\ndate: 2020-03-05"), "Текст."),
        ));
        files.push((format!("content/comments/p{n}.yaml"), comments(n)));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let site = Site::new(&config("ru"), &files);
    site.build();
    let said = |n: usize| one(&site.page(&format!("/posts/p{n}/")), "#comments-title");
    assert_eq!(said(1), "1 комментарий");
    assert_eq!(said(3), "3 комментария");
    assert_eq!(said(5), "5 комментариев");
    assert_eq!(said(21), "21 комментарий");
    let page = site.page("/posts/p1/");
    assert_eq!(one(&page, ".post-header time"), "5 марта 2020 г.");
    assert_eq!(
        one(&page, ".post-header .meta"),
        "5 марта 2020 г. · 1 минута чтения · 1 комментарий"
    );
}

#[test]
fn chinese_posts_count_characters_and_write_dates_in_chinese() {
    let long = "知识管理是社区的记忆。".repeat(120); // 1,200 Han characters
    let site = Site::new(
        &config("zh"),
        &[
            (
                "content/posts/long.md",
                &post("title: 长文\ndate: 2021-11-08", &long),
            ),
            (
                "content/posts/short.md",
                &post("title: 短文\ndate: 2021-11-09", "社区。"),
            ),
        ],
    );
    site.build();
    let meta = |slug: &str| {
        texts(
            &site.page(&format!("/posts/{slug}/")),
            ".post-header .meta p, .post-header .meta",
        )[0]
        .clone()
    };
    assert!(meta("long").contains("阅读约需 3 分钟"), "{}", meta("long"));
    assert!(
        meta("short").contains("阅读约需 1 分钟"),
        "{}",
        meta("short")
    );
    assert_eq!(
        one(&site.page("/posts/long/"), ".post-header time"),
        "2021年11月8日"
    );
    let xml = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
    assert_eq!(doc.root_element().attribute((XML_NS, "lang")), Some("zh"));
}

#[test]
fn the_interface_follows_the_page_language_when_a_table_speaks_it() {
    let site = Site::new(
        &config("en"),
        &[
            (
                "content/posts/salam.md",
                &post("title: Salam\ndate: 2020-03-05\nlang: ar", "مرحبا"),
            ),
            (
                "content/posts/garten.md",
                &post("title: Garten\ndate: 2020-03-06\nlang: de-AT", "Text."),
            ),
        ],
    );
    site.build();
    let salam = site.page("/posts/salam/");
    let html = salam.select(&sel("html")).next().unwrap();
    assert_eq!(html.value().attr("dir"), Some("rtl"));
    assert_eq!(html.value().attr("lang"), Some("ar"));
    // No Arabic table ships: the site's language speaks.
    assert_eq!(one(&salam, "#comments-title"), "No comments");
    let garten = site.page("/posts/garten/");
    assert_eq!(one(&garten, "#comments-title"), "Keine Kommentare");
    assert_eq!(one(&garten, ".post-header time"), "6. März 2020");
    let xml = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
    let langs: Vec<Option<&str>> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| e.attribute((XML_NS, "lang")))
        .collect();
    assert_eq!(langs, [Some("de-AT"), Some("ar")]);
}

#[test]
fn the_search_page_hands_its_words_to_the_script() {
    let site = Site::new(
        &config("ru"),
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-03-05", "Текст."),
        )],
    );
    site.build();
    let page = site.page("/search/");
    let json = attrs(&page, "#search-form", "data-words");
    let words: serde_json::Value = serde_json::from_str(&json[0]).unwrap();
    assert_eq!(words["lang"], "ru");
    assert_eq!(
        words["text"]["results"]["few"],
        "{count} результата по запросу «{query}»"
    );
    assert_eq!(one(&page, "h1"), "Поиск");
}

fn overridden() -> Site {
    Site::new(
        &config("de"),
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2020-03-05", "Text."),
            ),
            ("content/comments/a.yaml", &comments(1)),
            (
                "i18n/de.yaml",
                "# Unsere Wörter\ncomments_count:\n  one: \"{count} Antwort\"\n  other: \"{count} Antworten\"\nsearch: Finden\n",
            ),
        ],
    )
}

#[test]
fn a_site_file_overrides_the_shipped_strings() {
    let site = overridden();
    site.build();
    let page = site.page("/posts/a/");
    assert_eq!(one(&page, "#comments-title"), "1 Antwort");
    assert_eq!(one(&page, ".search-link"), "Finden");
    // What the file does not set still comes from the shipped table.
    assert_eq!(one(&page, ".skip-link"), "Zum Inhalt springen");
    // A changed translation file is a changed input.
    site.write("i18n/de.yaml", "search: Suchen\n");
    let report = site.build();
    assert!(!report.up_to_date);
    assert_eq!(one(&site.page("/posts/a/"), ".search-link"), "Suchen");
}

#[test]
fn an_unknown_key_is_an_error_at_its_line() {
    let site = Site::new(
        &config("en"),
        &[("i18n/fr.yaml", "search: Chercher\n\ncoments_count: x\n")],
    );
    let errors = match site.try_build() {
        Err(salon::Error::Content(d)) => d,
        other => panic!("expected content errors, got {other:?}"),
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.path, std::path::Path::new("i18n/fr.yaml"));
    assert_eq!(e.position.map(|p| (p.line, p.column)), Some((3, 1)));
    assert!(e.message.contains("coments_count"), "{e:?}");
    assert_eq!(e.help.as_deref(), Some("did you mean `comments_count`?"));
}

#[test]
fn the_cli_builds_with_a_site_translation_and_names_a_bad_one() {
    let site = overridden();
    let ran = run(site.root(), &["build"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(one(&site.page("/posts/a/"), "#comments-title"), "1 Antwort");
    site.write("i18n/de.yaml", "search: Finden\nreplyy: Antworten\n");
    let ran = run(site.root(), &["build"]);
    assert_ne!(ran.code, Some(0));
    assert!(ran.stderr.contains("i18n/de.yaml:2:1"), "{}", ran.stderr);
    assert!(ran.stderr.contains("replyy"), "{}", ran.stderr);
}

#[test]
fn watch_mode_rebuilds_when_a_translation_file_changes() {
    use salon::serve::Rebuild;
    let site = overridden();
    let opts = site.options();
    let mut rebuild = salon::incremental::Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    assert_eq!(one(&site.page("/posts/a/"), ".search-link"), "Finden");
    site.write("i18n/de.yaml", "search: Suchen\n");
    rebuild
        .rebuild(&opts, &[site.root().join("i18n/de.yaml")])
        .unwrap();
    let page = site.page("/posts/a/");
    assert_eq!(one(&page, ".search-link"), "Suchen");
    assert_eq!(one(&page, "#comments-title"), "1 Kommentar");
}

#[test]
fn a_site_file_adds_a_language_with_no_shipped_table() {
    let site = Site::new(
        &config("en"),
        &[
            (
                "content/posts/salam.md",
                &post("title: Salam\ndate: 2020-03-05\nlang: ar-EG", "مرحبا"),
            ),
            (
                "content/posts/hello.md",
                &post("title: Hello\ndate: 2020-03-06", "Hi."),
            ),
            ("i18n/ar.yaml", "no_comments: لا توجد تعليقات\n"),
        ],
    );
    site.build();
    let salam = site.page("/posts/salam/");
    assert_eq!(one(&salam, "#comments-title"), "لا توجد تعليقات");
    // What the Arabic file leaves out comes from the site's language.
    assert_eq!(one(&salam, ".search-link"), "Search");
    let hello = site.page("/posts/hello/");
    assert_eq!(one(&hello, "#comments-title"), "No comments");
}

/// What a page says of itself to search engines and link previews
/// (title, description, breadcrumbs) is in the site's language too.
#[test]
fn link_previews_and_structured_data_speak_the_site_language() {
    let site = Site::new(
        &config("de"),
        &[(
            "content/posts/garten.md",
            &post(
                "title: Garten\ndate: 2020-03-05\ntags: [Pflanzen]",
                "Ein Text.",
            ),
        )],
    );
    site.build();
    let tag = site.page("/tags/pflanzen/");
    let attr = |doc: &scraper::Html, css: &str| {
        doc.select(&sel(css))
            .next()
            .and_then(|e| e.value().attr("content"))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        attr(&tag, "meta[property='og:title']"),
        "Beiträge mit dem Schlagwort „Pflanzen“"
    );
    assert!(
        attr(&tag, "meta[name='description']").contains("1 Beitrag"),
        "{}",
        attr(&tag, "meta[name='description']")
    );
    let json: String = tag
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .unwrap()
        .text()
        .collect();
    let ld: serde_json::Value = serde_json::from_str(&json).unwrap();
    let crumbs: Vec<&str> = ld["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["@type"] == "BreadcrumbList")
        .flat_map(|n| n["itemListElement"].as_array().unwrap())
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(crumbs.contains(&"Schlagwörter"), "{crumbs:?}");
    let search = site.page("/search/");
    assert_eq!(attr(&search, "meta[property='og:title']"), "Suche");
}

#[test]
fn feeds_and_redirect_pages_speak_the_site_language() {
    let site = Site::new(
        &format!("{}{ALL_FEEDS}", config("de")),
        &[
            (
                "content/posts/garten.md",
                &post(
                    "title: Garten\ndate: 2020-03-05\ntags: [Pflanzen]\naliases: [/alt/garten/]",
                    "Ein Text.",
                ),
            ),
            ("content/comments/garten.yaml", &comments(1)),
        ],
    );
    site.build();
    let titles = |rel: &str| -> Vec<String> {
        let xml = site.read(rel);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("title"))
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        titles("tags/pflanzen/feed.xml")[0],
        "T – Beiträge mit dem Schlagwort „Pflanzen“"
    );
    assert_eq!(
        titles("posts/garten/comments.xml"),
        ["Kommentare zu „Garten“", "Reader 0 zu „Garten“"]
    );
    assert_eq!(titles("comments/feed.xml")[0], "T – Kommentare");
    let moved = site.page("/alt/garten/");
    assert_eq!(one(&moved, "title"), "Weiterleitung …");
    let sentence: String = moved
        .select(&sel("body p"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(
        sentence,
        "Diese Seite ist umgezogen: https://example.org/posts/garten/."
    );
    assert_eq!(attrs(&moved, "body p a", "href"), ["/posts/garten/"]);
}
