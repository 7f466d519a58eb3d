//! Post cards: every listing shows a post's card from `post_card.html`,
//! rendered once per post, heading level and language and repeated from
//! memory. The memo must never show: listings come out exactly as the
//! card written out inside `post_list` (the theme before the memo) made
//! them, in each page's language, and a site's own card template is used.

use std::fs;

use scraper::Html;

use crate::common::*;

/// `post_list` as the theme wrote it before the memo: the card of
/// `post_card.html` written out inside the loop, its macros called as
/// the macro file's own.
fn inline_post_list() -> String {
    let card = theme_template("post_card.html");
    let start = card.find("-#}\n").expect("the card's opening comment") + "-#}\n".len();
    let end = card
        .find("\n{#- end of the card -#}")
        .expect("the card's end");
    let card = card[start..end].replace("macros::", "self::");
    format!(
        "{{%- macro post_list(posts, level=2) -%}}\n<div class=\"post-list\">\n{{%- for post in posts %}}\n{card}\n{{%- endfor %}}\n</div>\n{{%- endmacro post_list -%}}"
    )
}

/// The default theme's `macros.html` with `post_list` replaced by `with`.
fn macros_with_post_list(with: &str) -> String {
    let text = theme_template("macros.html");
    let start = text.find("{%- macro post_list(").expect("post_list");
    let end_tag = "{%- endmacro post_list -%}";
    let end = text.find(end_tag).expect("end of post_list") + end_tag.len();
    format!("{}{with}{}", &text[..start], &text[end..])
}

/// Posts listed on home pages (level 3), terms and months (level 2) and
/// a French member's profile (level 3 in French), with authors, terms,
/// comments, a draft-free summary cut and a closed comment mode.
fn listed() -> Site {
    let mut files = vec![
        (
            "content/members/ann.md".to_owned(),
            "---\nname: Ann Smith\nlang: fr\n---\nBonjour.\n".to_owned(),
        ),
        (
            "content/members/bob.md".to_owned(),
            "---\nname: Bob Jones\n---\nBob.\n".to_owned(),
        ),
        (
            "content/comments/p1.yaml".to_owned(),
            "- id: c1\n  author: Bob Jones\n  date: 2020-01-02\n  body: <p>Hi</p>\n".to_owned(),
        ),
    ];
    for i in 1..=7 {
        let authors = match i % 3 {
            0 => "[ann, bob]",
            1 => "[ann]",
            _ => "[bob]",
        };
        let extra = if i == 4 { "\ncomments: closed" } else { "" };
        files.push((
            format!("content/posts/p{i}.md"),
            post(
                &format!(
                    "title: Post <{i}> & more\ndate: 2020-0{}-1{i}\nauthors: {authors}\ntags: [Common, T{}]\ncategories: [C{}]{extra}",
                    1 + i % 3,
                    i % 2,
                    i % 2
                ),
                &format!("First paragraph {i}.\n\n<!-- more -->\n\nRest {i}."),
            ),
        ));
    }
    Site::generated(CONFIG, &files)
}

#[test]
fn remembered_cards_equal_cards_written_inline() {
    let site = listed();
    site.build();
    let remembered = html_files(&site.out());
    site.write(
        "templates/macros.html",
        &macros_with_post_list(&inline_post_list()),
    );
    fs::remove_dir_all(site.out()).unwrap();
    site.build();
    let inline = html_files(&site.out());
    assert_eq!(
        remembered.keys().collect::<Vec<_>>(),
        inline.keys().collect::<Vec<_>>()
    );
    let mut cards = 0;
    for (path, html) in &inline {
        // Not `assert_eq!`: a whole page twice says less than its name.
        assert!(&remembered[path] == html, "{path} differs");
        cards += Html::parse_document(html)
            .select(&sel("article.post-card"))
            .count();
    }
    // Each post on several listings: the memo had cards to repeat.
    assert!(cards > 7 * 3, "only {cards} cards");
}

#[test]
fn cards_follow_the_heading_level_and_the_page_language() {
    let site = listed();
    site.build();
    let card_of = |path: &str| {
        let page = site.page(path);
        let card = page
            .select(&sel("article.post-card"))
            .find(|c| c.select(&sel("a[href='/posts/p7/']")).next().is_some())
            .unwrap_or_else(|| panic!("no card of p7 on {path}"));
        let heading = card
            .select(&sel(".card-title"))
            .next()
            .unwrap()
            .value()
            .name()
            .to_owned();
        let date = texts_of(&card, "time");
        (heading, date)
    };
    let (home_h, home_date) = card_of("/");
    let (tag_h, tag_date) = card_of("/tags/common/");
    let (ann_h, ann_date) = card_of("/members/ann/");
    assert_eq!((home_h.as_str(), tag_h.as_str()), ("h3", "h2"));
    assert_eq!(ann_h, "h3");
    assert_eq!(home_date, tag_date);
    // Ann's profile speaks French, cards included.
    assert_ne!(ann_date, home_date);
    assert_eq!(ann_date, vec!["17 février 2020"]);
}

#[test]
fn a_sites_own_card_template_is_used_on_every_listing() {
    let site = listed();
    site.write(
        "templates/post_card.html",
        "<article class=\"card post-card mine\"><h{{ level }}><a href=\"{{ post.url }}\">{{ post.title | upper }}</a></h{{ level }}></article>",
    );
    site.build();
    for path in ["/", "/tags/common/", "/members/ann/", "/2020/01/"] {
        let page = site.page(path);
        let cards: Vec<_> = page.select(&sel("article.post-card")).collect();
        assert!(!cards.is_empty(), "{path}");
        for card in cards {
            assert!(card.value().classes().any(|c| c == "mine"), "{path}");
            let title = texts_of(&card, "a").concat();
            assert_eq!(title, title.to_uppercase(), "{path}");
        }
    }
}

/// The texts of the elements below `el` that `css` selects.
fn texts_of(el: &scraper::ElementRef, css: &str) -> Vec<String> {
    el.select(&sel(css))
        .map(|e| e.text().collect::<String>())
        .collect()
}
