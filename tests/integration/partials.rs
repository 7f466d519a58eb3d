//! Partials: the default theme's header and footer come from
//! `partial(name=...)`, rendered once per set of values and page language
//! and repeated from memory. The memo must never show: pages come out
//! exactly as the theme with its header and footer written inside
//! `base.html` made them, the header marks the page's own link, and each
//! page speaks its language.

use std::fs;

use crate::common::*;

/// `base.html` as the theme wrote it before partials: each `partial(...)`
/// call replaced by the template it names, which then reads `site` and
/// `current` from the page.
fn inline_base() -> String {
    let mut base = theme_template("base.html").to_owned();
    for name in ["header.html", "footer.html"] {
        let start = base
            .find(&format!("{{{{- partial(name=\"{name}\""))
            .unwrap_or_else(|| panic!("base.html calls the {name} partial"));
        let end = start + base[start..].find("}}").unwrap() + 2;
        // `{{-` trimmed the white space before the call.
        let before = base[..start].trim_end().len();
        base = format!(
            "{}{}{}",
            &base[..before],
            theme_template(name),
            &base[end..]
        );
    }
    assert!(!base.contains("partial("));
    base
}

/// Posts, a member whose profile is in French, and a thread: pages in two
/// languages, and pages that are and are not in the header's menu.
fn community() -> Site {
    let mut files = vec![
        (
            "content/members/ann.md".to_owned(),
            "---\nname: Ann Smith\nlang: fr\n---\nBonjour.\n".to_owned(),
        ),
        (
            "content/threads/t.md".to_owned(),
            "---\ntitle: A thread\ndate: 2020-01-05\nentries:\n  - id: 1\n    by: ann\n    text: Hello\n---\n".to_owned(),
        ),
    ];
    for i in 1..=4 {
        files.push((
            format!("content/posts/p{i}.md"),
            post(
                &format!("title: Post {i}\ndate: 2020-01-1{i}\nauthors: [ann]\ntags: [T]"),
                "Text.",
            ),
        ));
    }
    Site::generated(
        &format!("{CONFIG}description: A site about <things> & more\n"),
        &files,
    )
}

#[test]
fn remembered_headers_and_footers_equal_ones_written_inline() {
    let site = community();
    site.build();
    let remembered = html_files(&site.out());
    site.write("templates/base.html", &inline_base());
    fs::remove_dir_all(site.out()).unwrap();
    site.build();
    let inline = html_files(&site.out());
    assert_eq!(
        remembered.keys().collect::<Vec<_>>(),
        inline.keys().collect::<Vec<_>>()
    );
    for (path, html) in &inline {
        // Not `assert_eq!`: a whole page twice says less than its name.
        assert!(&remembered[path] == html, "{path} differs");
    }
    assert!(inline.len() > 20, "only {} pages", inline.len());
}

#[test]
fn the_header_marks_the_page_s_own_link_and_speaks_its_language() {
    let site = community();
    site.build();
    let current = |path: &str| {
        site.page(path)
            .select(&sel("header.site-header a[aria-current=page]"))
            .map(|a| a.value().attr("href").unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(current("/"), ["/", "/"], "the brand and Posts");
    assert_eq!(current("/archive/"), ["/archive/"]);
    assert_eq!(current("/search/"), ["/search/"]);
    assert!(current("/posts/p1/").is_empty());
    assert!(current("/page/2/").is_empty());
    let menu = |path: &str| {
        let page = site.page(path);
        let texts = |css: &str| -> Vec<String> {
            page.select(&sel(css))
                .map(|e| e.text().collect::<String>())
                .collect()
        };
        (texts("header .site-nav a"), texts("footer .footer-links a"))
    };
    let english = menu("/posts/p1/");
    let french = menu("/members/ann/");
    assert_eq!(english.0[1], "Archive");
    assert_eq!(english.1[0], "Archive");
    assert_ne!(
        french.0, english.0,
        "Ann's profile keeps the English header"
    );
    assert_ne!(
        french.1, english.1,
        "Ann's profile keeps the English footer"
    );
    assert_eq!(french.0[1], "Archives");
    // The escaped description, from `site`.
    let about = site
        .page("/")
        .select(&sel("footer .footer-about"))
        .next()
        .map(|p| p.text().collect::<String>());
    assert_eq!(about.as_deref(), Some("A site about <things> & more"));
}

#[test]
fn a_sites_own_header_is_a_partial_too() {
    let site = community();
    site.write(
        "templates/header.html",
        "<header class=\"mine\">{{ current }}|{{ site.title }}|{{ page_url | default(value=\"unseen\") }}</header>",
    );
    site.build();
    let header = |path: &str| {
        site.page(path)
            .select(&sel("header.mine"))
            .next()
            .map(|h| h.text().collect::<String>())
            .unwrap_or_else(|| panic!("no header on {path}"))
    };
    assert_eq!(header("/"), "/|Test Site|unseen");
    assert_eq!(header("/tags/"), "/tags/|Test Site|unseen");
    // Pages outside the menu share one header.
    assert_eq!(header("/posts/p1/"), "|Test Site|unseen");
    assert_eq!(header("/posts/p2/"), "|Test Site|unseen");
}

#[test]
fn a_partial_that_reads_a_page_variable_fails_saying_what_it_sees() {
    let site = community();
    site.write("templates/header.html", "<header>{{ page_url }}</header>");
    let err = salon::build(&site.options()).unwrap_err().to_string();
    assert!(err.contains("header.html"), "{err}");
    assert!(err.contains("sees only `site`, `current`"), "{err}");
    assert!(err.contains("page_url"), "{err}");
}
