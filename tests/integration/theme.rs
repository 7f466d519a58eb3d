//! The default theme: its weight, its promise to ask no other host for
//! anything, landmarks, palettes, avatars and comment threads.

use std::fs;

use scraper::Html;

use crate::common::*;

/// What the search helper's script may weigh when the theme does not ship
/// it yet: the 40 KB budget is for all of the theme's CSS and JavaScript.
const SEARCH_JS_RESERVE: usize = 8 * 1024;
const BUDGET: usize = 40 * 1024;

/// The budget counts what a build ships: the theme's stylesheets and
/// scripts as written to the output, minified.
#[test]
fn theme_css_and_js_stay_under_40_kb() {
    let site = Site::new(CONFIG, &[]);
    site.build();
    let assets: Vec<(&str, usize, usize)> = salon::theme::DEFAULT_THEME
        .iter()
        .filter_map(|(p, bytes)| p.strip_prefix("static/").map(|rel| (rel, bytes.len())))
        .filter(|(rel, _)| rel.ends_with(".css") || rel.ends_with(".js"))
        .map(|(rel, source)| {
            let shipped = std::fs::metadata(site.out().join(rel))
                .unwrap_or_else(|e| panic!("{rel}: {e}"))
                .len() as usize;
            (rel, source, shipped)
        })
        .collect();
    assert!(assets.iter().any(|(p, _, _)| *p == "style.css"));
    let shipped: usize = assets.iter().map(|(_, _, n)| n).sum();
    let source: usize = assets.iter().map(|(_, n, _)| n).sum();
    // Minified, every file is smaller than its source.
    assert!(assets.iter().all(|(_, src, out)| out < src), "{assets:?}");
    let has_search = assets.iter().any(|(p, _, _)| *p == "search.js");
    let total = shipped + if has_search { 0 } else { SEARCH_JS_RESERVE };
    println!(
        "theme CSS + JS: {source} bytes of source, {shipped} shipped, {total} counted: \
         (file, source, shipped) {assets:?}"
    );
    assert!(total < BUDGET, "{total} bytes: {assets:?}");
}

/// A site's own static files are its business: copied byte for byte, even
/// a stylesheet that overrides the theme's.
#[test]
fn a_sites_own_stylesheet_is_copied_as_it_is() {
    let css = "/* mine */\nbody {\n  color: red;\n}\n";
    let site = Site::new(
        CONFIG,
        &[
            ("static/style.css", css),
            ("static/extra.js", "// x\nvar a = 1;\n"),
        ],
    );
    site.build();
    assert_eq!(site.read("style.css"), css);
    assert_eq!(site.read("extra.js"), "// x\nvar a = 1;\n");
}

/// The outputs of a build, parsed: `(path below the output, document)`.
fn html_pages(site: &Site) -> Vec<(String, Html)> {
    walkdir::WalkDir::new(site.out())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(site.out())
                .unwrap()
                .display()
                .to_string();
            (
                rel,
                Html::parse_document(&fs::read_to_string(e.path()).unwrap()),
            )
        })
        .collect()
}

/// The host of an absolute or protocol-relative URL.
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("//")
        .or_else(|| url.split_once("://").map(|(_, r)| r))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Everything a page loads by itself (scripts, styles, images, frames,
/// media, preloads) must come from the site's own host; plain outbound
/// `<a>` links, and `<link>`s that only name a page (canonical, feeds),
/// are not requests.
#[test]
fn no_built_page_loads_anything_from_another_host() {
    let site = Site::demo();
    // Avatars given as URLs elsewhere must not be fetched either.
    site.write(
        "content/members/zed.md",
        "---\nname: Zed Remote\navatar: https://cdn.example.net/zed.png\n---\nHi.\n",
    );
    site.build();
    let own = "example.org";
    let loaders = sel(
        "[src], [srcset], [poster], [data], object, embed, link[rel~=stylesheet], \
         link[rel~=preload], link[rel~=prefetch], link[rel~=modulepreload], link[rel~=icon], \
         link[rel~=manifest], link[rel~=dns-prefetch], link[rel~=preconnect], form[action], [style]",
    );
    let mut foreign = Vec::new();
    let pages = html_pages(&site);
    assert!(pages.len() > 50, "the demo has {} pages", pages.len());
    for (rel, doc) in &pages {
        for el in doc.select(&loaders) {
            let e = el.value();
            let mut urls: Vec<&str> = ["src", "poster", "data", "href", "action"]
                .iter()
                .filter_map(|a| e.attr(a))
                .collect();
            if let Some(set) = e.attr("srcset") {
                urls.extend(set.split(',').filter_map(|c| c.split_whitespace().next()));
            }
            if let Some(style) = e.attr("style") {
                urls.extend(
                    style
                        .split("url(")
                        .skip(1)
                        .map(|u| u.trim_matches(['\'', '"'])),
                );
            }
            for url in urls {
                if host_of(url).is_some_and(|h| h != own) {
                    foreign.push(format!("{rel}: <{}> {url}", e.name()));
                }
            }
        }
    }
    for (path, bytes) in salon::theme::DEFAULT_THEME {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".css") {
            for url in text.split("url(").skip(1) {
                let url = url.split(')').next().unwrap().trim_matches(['\'', '"']);
                if host_of(url).is_some() {
                    foreign.push(format!("{path}: url({url})"));
                }
            }
            assert!(!text.contains("@import"), "{path} imports a stylesheet");
        }
    }
    assert!(
        foreign.is_empty(),
        "requests to other hosts:\n{}",
        foreign.join("\n")
    );
    // The remote avatar gave way to initials.
    let zed = site.page("/members/zed/");
    assert_eq!(texts(&zed, ".profile-header .avatar-initials"), vec!["ZR"]);
    assert!(zed.select(&sel(".profile-header img")).next().is_none());
}

#[test]
fn every_page_has_landmarks_a_skip_link_and_alt_texts() {
    let site = Site::demo();
    site.build();
    for (rel, doc) in html_pages(&site) {
        let refresh = doc
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some();
        if refresh {
            continue; // alias redirects are not pages
        }
        let count = |s: &str| doc.select(&sel(s)).count();
        assert_eq!(count("body > header.site-header"), 1, "{rel}: banner");
        assert_eq!(count("body > main#main"), 1, "{rel}: main");
        assert_eq!(count("body > footer.site-footer"), 1, "{rel}: contentinfo");
        assert_eq!(count("nav[aria-label=Main]"), 1, "{rel}: main navigation");
        let unnamed = count("nav:not([aria-label]):not([aria-labelledby])");
        assert_eq!(unnamed, 0, "{rel}: every nav is named");
        let first_link = doc.select(&sel("body a")).next().unwrap();
        assert_eq!(
            first_link.value().attr("href"),
            Some("#main"),
            "{rel}: skip link first"
        );
        assert_eq!(count("img:not([alt])"), 0, "{rel}: images without alt");
        assert_eq!(count("html[lang]"), 1, "{rel}: language");
        assert!(count("h1") >= 1, "{rel}: a heading");
    }
    // A member's own picture is described on the profile.
    let hana = site.page("/members/hmensah/");
    assert_eq!(
        attrs(&hana, ".profile-header img.avatar", "alt"),
        vec!["Avatar of Hana Mensah"]
    );
}

#[test]
fn the_configured_palette_shows_and_the_picker_offers_all() {
    let site = Site::new(
        "title: T\nbase_url: https://example.org/\npalette: water\n",
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2020-01-01", "x"),
        )],
    );
    site.build();
    let home = site.page("/");
    assert_eq!(attrs(&home, "html", "data-palette"), vec!["water"]);
    // Hidden until the script shows it: without JavaScript it cannot work.
    assert_eq!(home.select(&sel(".palette-picker[hidden]")).count(), 1);
    let options = attrs(&home, "#palette-select option", "value");
    let expected: Vec<String> = salon::config::PALETTES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(options, expected);
    assert_eq!(attrs(&home, "label[for=palette-select]", "for").len(), 1);
    // The remembered choice is applied in <head>, before the stylesheet.
    let head_script = texts(&home, "head script:not([src])");
    assert!(
        head_script.iter().any(|s| s.contains("localStorage")),
        "{head_script:?}"
    );
    let script_src = attrs(&home, "head script[src]", "src");
    assert_eq!(script_src, vec!["/salon.js"]);
    assert!(site.out().join("salon.js").is_file());
}

#[test]
fn an_unknown_palette_is_an_error_at_its_line() {
    let site = Site::new(
        "title: T\nbase_url: https://example.org/\npalette: neon\n",
        &[],
    );
    let Err(salon::Error::Content(diags)) = site.try_build() else {
        panic!("an unknown palette must fail the build");
    };
    let d = &diags[0];
    assert!(d.path.ends_with("salon.yaml"), "{d:?}");
    assert_eq!(d.position.unwrap().line, 3);
    assert!(d.message.contains("neon"), "{d:?}");
}

#[test]
fn comments_show_avatars_and_deep_replies_name_whom_they_answer() {
    let site = Site::demo();
    site.build();
    let page = site.page("/posts/leaving-a-platform-without-losing-the-room/");
    let comments = page.select(&sel("article.comment")).count();
    let avatars = page
        .select(&sel("article.comment > .comment-main > .avatar"))
        .count();
    assert_eq!(avatars, comments, "one avatar per comment");
    // Hana's member picture, Chidi's initials (not a member).
    assert_eq!(
        attrs(&page, "#comment-wp-210 > .comment-main > img.avatar", "src"),
        vec!["/avatars/hmensah.svg"]
    );
    assert_eq!(
        texts(&page, "#comment-wp-201 > .comment-main > .avatar-initials"),
        vec!["CE"]
    );
    // The demo nests eight levels: the fourth and deeper say whom they answer.
    let depth = page.select(&sel("#comment-wp-201 #comment-wp-211")).count();
    assert_eq!(depth, 1);
    assert_eq!(
        attrs(&page, "#comment-wp-211 > .comment-main .reply-to a", "href"),
        vec!["#comment-wp-210"]
    );
    assert!(texts(&page, "#comment-wp-211 > .comment-main .reply-to")[0].contains("Hana Mensah"));
    assert!(page
        .select(&sel("#comment-wp-202 > .comment-main .reply-to"))
        .next()
        .is_none());
}

#[test]
fn the_front_page_shows_top_tags_active_members_and_recent_threads() {
    let site = Site::demo();
    site.build();
    let home = site.page("/");
    let cloud = attrs(&home, "aside .term-cloud li", "class");
    assert!(!cloud.is_empty() && cloud.len() <= 24, "{cloud:?}");
    assert!(cloud.iter().all(|c| c.starts_with("weight-")));
    assert!(
        cloud.contains(&"weight-5".to_string()),
        "the biggest tag is largest"
    );
    let members = attrs(&home, "aside .people a", "href");
    assert!(!members.is_empty() && members.len() <= 8);
    assert!(members.iter().all(|m| m.starts_with("/members/")));
    let threads = attrs(&home, "aside .side-list a", "href");
    assert!(threads.iter().all(|t| t.starts_with("/threads/")) && !threads.is_empty());
    // Later pages of the listing are only the listing: the overview would
    // make every one of them change with each new comment.
    let second = site.page("/page/2/");
    assert!(second.select(&sel(".post-card")).next().is_some());
    assert!(second.select(&sel("aside")).next().is_none());
    // The tag directory is the full cloud, with counts.
    let tags = site.page("/tags/");
    assert!(
        tags.select(&sel("main .term-cloud li[class^=weight-] .count"))
            .count()
            > 10
    );
}

#[test]
fn a_post_is_described_by_its_summary_as_plain_text() {
    let long = "word ".repeat(80);
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/short.md",
                &post(
                    "title: Short\ndate: 2024-01-02",
                    "Fish &amp; chips, *with* [a link](https://example.org/).\n\n<!-- more -->\n\nRest.",
                ),
            ),
            (
                "content/posts/long.md",
                &post("title: Long\ndate: 2024-01-03", &long),
            ),
        ],
    );
    site.build();
    let describe = |path: &str| attrs(&site.page(path), "meta[name=description]", "content");
    // Tags gone, the entity decoded once (the parser decodes the attribute).
    assert_eq!(describe("/posts/short/"), ["Fish & chips, with a link."]);
    let long = describe("/posts/long/");
    assert_eq!(long.len(), 1);
    assert!(
        long[0].ends_with("word…") && long[0].len() <= 203,
        "{long:?}"
    );
}
