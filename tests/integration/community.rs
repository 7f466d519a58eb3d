//! Community features: member pages, mentions, wikilinks, backlinks,
//! threads, comment trees and the comments feed.

use crate::common::*;

const ANN: &str = "---\nname: Ann Smith\naka: [\"Annie S\", \"ann@example.org\"]\n---\nAnn's bio mentions @bob.\n";
const BOB: &str = "---\nname: Bob Jones\n---\nBob.\n";

fn community() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/ann.md", ANN),
            ("content/members/bob.md", BOB),
            (
                "content/posts/first.md",
                &post("title: First Post\ndate: 2020-01-01\nauthors: [ann, bob]\ntags: [Rare, Common]", "Hello from the first post."),
            ),
            (
                "content/posts/second.md",
                &post(
                    "title: Second Post\ndate: 2020-02-01\nauthors: [bob]\ntags: [Common]",
                    "See [[first]] and [[first|the start]], ask @ann or @nobody.\n\nNot in code: `@ann` nor\n\n```\n@ann\n```\n\nMail ann@example.org or [@ann's page](https://example.com/).",
                ),
            ),
            ("content/posts/third.md", &post("title: Third\ndate: 2020-03-01\nauthors: [bob]\ntags: [Rare]", "Links to [[members/bob]] and [[threads/talk#entry-2]].")),
            ("content/posts/fourth.md", &post("title: Fourth\ndate: 2020-06-01\ntags: [Common]", "Newest.")),
            (
                "content/comments/first.yaml",
                "- id: c1\n  author: Annie S\n  date: 2020-01-02\n  body: <p>Matched by aka. Hi @bob</p>\n- id: c2\n  parent: c1\n  author: Bob Jones\n  date: 2020-01-03\n  body: <p>Reply to <code>@ann</code></p>\n- id: c3\n  author: Stranger\n  date: 2020-01-04\n  body: <p>Not a member.</p>\n",
            ),
            (
                "content/threads/talk.md",
                "---\ntitle: A Talk\ndate: 2020-04-01\nentries:\n  - id: 1\n    by: ann\n    text: \"Opening, about [[second]].\"\n  - id: 2\n    by: Carol Visitor\n    reply_to: 1\n    text: A reply.\n  - id: 3\n    reply_to: 2\n    comment: first#c1\n  - id: 4\n    by: bob\n    reply_to: 3\n    text: Deep.\n---\nIntro.\n",
            ),
        ],
    )
}

#[test]
fn member_page_lists_exactly_their_posts_comments_and_entries() {
    let site = community();
    site.build();
    let ann = site.page("/members/ann/");
    let posts = texts(
        &ann,
        "#posts-title ~ * article h3 a, section[aria-labelledby=posts-title] article h3 a",
    );
    assert_eq!(posts, vec!["First Post"]);
    // c1 was written as "Annie S": matched through aka.
    let comments = attrs(
        &ann,
        "section[aria-labelledby=comments-title] a[href*='#comment-']",
        "href",
    );
    assert_eq!(comments, vec!["/posts/first/#comment-c1"]);
    // Entry 1 by handle, entry 3 through the quoted comment's author.
    let entries = attrs(
        &ann,
        "section[aria-labelledby=entries-title] a[href*='#entry-']",
        "href",
    );
    assert_eq!(
        entries,
        vec!["/threads/talk/#entry-1", "/threads/talk/#entry-3"]
    );
    // Bob co-wrote with Ann and replied to her comment and her entry.
    let talks = texts(&ann, ".talks-with li");
    assert_eq!(talks, vec!["Bob Jones 3"]);

    let bob = site.page("/members/bob/");
    let posts = texts(&bob, "section[aria-labelledby=posts-title] article h3 a");
    assert_eq!(posts, vec!["Third", "Second Post", "First Post"]);
}

#[test]
fn mentions_link_only_where_they_should() {
    let site = community();
    site.build();
    let second = site.page("/posts/second/");
    let mentions = attrs(&second, ".prose a.mention", "href");
    assert_eq!(
        mentions,
        vec!["/members/ann/"],
        "only the prose mention links"
    );
    let text = second.root_element().text().collect::<String>();
    assert!(text.contains("@nobody"), "unknown handles stay text");
    assert!(
        text.contains("ann@example.org"),
        "e-mail addresses stay text"
    );
    assert_eq!(texts(&second, "code"), vec!["@ann", "@ann"]);
    // Mentions in comments and bios link too, not inside <code>.
    let first = site.page("/posts/first/");
    assert_eq!(
        attrs(&first, "#comment-c1 a.mention", "href"),
        vec!["/members/bob/"]
    );
    assert!(first.select(&sel("#comment-c2 a.mention")).next().is_none());
    let ann = site.page("/members/ann/");
    assert_eq!(attrs(&ann, ".bio a.mention", "href"), vec!["/members/bob/"]);
}

#[test]
fn wikilinks_resolve_with_titles_and_anchors() {
    let site = community();
    site.build();
    let second = site.page("/posts/second/");
    let links: Vec<(String, String)> = second
        .select(&sel(".prose a[href='/posts/first/']"))
        .map(|a| {
            (
                a.value().attr("href").unwrap().to_owned(),
                a.text().collect(),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            ("/posts/first/".to_string(), "First Post".to_string()),
            ("/posts/first/".to_string(), "the start".to_string())
        ]
    );
    let third = site.page("/posts/third/");
    assert_eq!(
        attrs(&third, ".prose a", "href"),
        vec!["/members/bob/", "/threads/talk/#entry-2"]
    );
    assert!(
        broken_links(&site.out(), "/").is_empty(),
        "{:?}",
        broken_links(&site.out(), "/")
    );
}

#[test]
fn broken_wikilinks_and_internal_links_fail_naming_file_and_line() {
    let site = community();
    site.write("content/posts/bad.md", &post("title: Bad\ndate: 2020-05-01", "Fine line.\n\nSee [[no-such-post]].\n\nAnd [[members/ghost]] and [gone](/posts/gone/)."));
    let errors = match site.try_build() {
        Err(salon::Error::Content(d)) => d,
        other => panic!("expected errors, got {other:?}"),
    };
    let lines: Vec<(String, usize)> = errors
        .iter()
        .filter(|d| d.path.ends_with("bad.md"))
        .map(|d| (d.message.clone(), d.position.unwrap().line))
        .collect();
    assert_eq!(lines.len(), 3, "{errors:#?}");
    assert!(lines
        .iter()
        .any(|(m, l)| m.contains("no-such-post") && *l == 8));
    assert!(lines
        .iter()
        .any(|(m, l)| m.contains("members/ghost") && *l == 10));
    assert!(lines
        .iter()
        .any(|(m, l)| m.contains("/posts/gone/") && *l == 10));
    assert!(!site.out().exists(), "a failed build writes nothing");
}

#[test]
fn backlinks_appear_on_the_target() {
    let site = community();
    site.build();
    let first = site.page("/posts/first/");
    assert_eq!(texts(&first, ".backlinks li a"), vec!["Second Post"]);
    let second = site.page("/posts/second/");
    assert_eq!(texts(&second, ".backlinks li a"), vec!["A Talk"]);
    let bob = site.page("/members/bob/");
    assert_eq!(texts(&bob, ".backlinks li a"), vec!["Third", "Ann Smith"]);
    let talk = site.page("/threads/talk/");
    assert_eq!(texts(&talk, ".backlinks li a"), vec!["Third"]);
}

#[test]
fn threads_nest_replies_with_anchors_and_quote_comments() {
    let site = community();
    site.build();
    let talk = site.page("/threads/talk/");
    for (outer, inner) in [
        ("entry-1", "entry-2"),
        ("entry-2", "entry-3"),
        ("entry-3", "entry-4"),
    ] {
        let nested = talk.select(&sel(&format!("#{outer} #{inner}"))).count();
        assert_eq!(nested, 1, "{inner} inside {outer}");
    }
    let quote = texts(&talk, "#entry-3 > .comment-main .quoted-comment footer");
    assert_eq!(quote.len(), 1);
    assert!(
        quote[0].contains("Ann Smith") || quote[0].contains("Annie S"),
        "{quote:?}"
    );
    assert_eq!(
        attrs(
            &talk,
            "#entry-3 .quoted-comment footer a[href*='#comment-']",
            "href"
        ),
        vec!["/posts/first/#comment-c1"]
    );
    // Non-members are named, not linked.
    assert_eq!(
        texts(&talk, "#entry-2 > .comment-main .comment-author"),
        vec!["Carol Visitor"]
    );
    let index = site.page("/threads/");
    let text = index.root_element().text().collect::<String>();
    assert!(text.contains("4"), "entry count shown");
}

#[test]
fn a_thread_reply_cycle_is_an_error() {
    let site = Site::new(
        CONFIG,
        &[("content/threads/loop.md", "---\ntitle: Loop\ndate: 2020-01-01\nentries:\n  - id: a\n    by: x\n    reply_to: b\n  - id: b\n    by: y\n    reply_to: a\n---\n")],
    );
    match site.try_build() {
        Err(salon::Error::Content(d)) => {
            assert!(d.iter().any(|e| e.message.contains("cycle")
                && e.path.ends_with("loop.md")
                && e.position.is_some()));
        }
        other => panic!("expected a cycle error, got {other:?}"),
    }
}

#[test]
fn a_comment_tree_ten_deep_and_an_orphan_are_all_rendered() {
    let mut comments = String::new();
    for i in 1..=10 {
        comments.push_str(&format!(
            "- id: {i}\n  author: A{i}\n  date: 2020-01-{i:02}\n  body: <p>level {i}</p>\n"
        ));
        if i > 1 {
            comments.push_str(&format!("  parent: {}\n", i - 1));
        }
    }
    comments.push_str(
        "- id: orphan\n  parent: missing\n  author: O\n  date: 2020-02-01\n  body: <p>lost</p>\n",
    );
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/deep.md",
                &post("title: Deep\ndate: 2020-01-01", "x"),
            ),
            ("content/comments/deep.yaml", &comments),
        ],
    );
    let report = site.build();
    assert!(
        report.warnings.iter().any(|w| w.message.contains("orphan")),
        "{:?}",
        report.warnings
    );
    let page = site.page("/posts/deep/");
    assert_eq!(page.select(&sel("article[id^=comment-]")).count(), 11);
    assert_eq!(
        page.select(&sel("#comment-1 #comment-10")).count(),
        1,
        "ten deep"
    );
    assert_eq!(
        page.select(&sel(".comment-list > li > #comment-orphan"))
            .count(),
        1,
        "orphan at top level"
    );
    assert_eq!(texts(&page, "#comments-title"), vec!["11 comments"]);
}

#[test]
fn comments_feeds_are_atom_with_the_right_entries() {
    let site = community();
    site.write("salon.yaml", &format!("{CONFIG}{ALL_FEEDS}"));
    site.build();
    for (path, expected) in [("comments/feed.xml", 3), ("posts/first/comments.xml", 3)] {
        let xml = site.read(path);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let atom = "http://www.w3.org/2005/Atom";
        assert!(doc.root_element().has_tag_name((atom, "feed")));
        let links: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((atom, "entry")))
            .filter_map(|e| {
                e.children()
                    .find(|c| c.has_tag_name((atom, "link")))?
                    .attribute("href")
            })
            .collect();
        assert_eq!(links.len(), expected, "{path}");
        assert_eq!(
            links[0], "https://example.org/posts/first/#comment-c3",
            "newest first"
        );
    }
    assert!(
        !site.out().join("posts/second/comments.xml").exists(),
        "no feed without comments"
    );
}

#[test]
fn related_posts_prefer_rare_shared_tags_and_the_cloud_weighs_terms() {
    let site = community();
    site.build();
    let first = site.page("/posts/first/");
    // Third shares the rare tag and ranks above the newer Fourth, which
    // shares only the common one; Second ties with Fourth and is older.
    assert_eq!(
        texts(&first, ".related li > a"),
        vec!["Third", "Fourth", "Second Post"]
    );
    let tags = site.page("/tags/");
    let common = attrs(
        &tags,
        ".term-cloud li:has(a[href='/tags/common/'])",
        "class",
    );
    let rare = attrs(&tags, ".term-cloud li:has(a[href='/tags/rare/'])", "class");
    assert_eq!(
        (common, rare),
        (vec!["weight-5".to_string()], vec!["weight-4".to_string()])
    );
}

#[test]
fn members_directory_sorts_by_name_and_by_activity() {
    let site = community();
    site.build();
    let by_name = texts(&site.page("/members/"), ".member-card h2 a");
    assert_eq!(by_name, vec!["Ann Smith", "Bob Jones"]);
    let by_activity = texts(&site.page("/members/by-activity/"), ".member-card h2 a");
    assert_eq!(by_activity, vec!["Bob Jones", "Ann Smith"]);
}

/// Found in review: wikilinks, mentions and links inside headings were
/// copied raw (`<a href="first">`), unchecked and with no backlink.
#[test]
fn headings_link_like_any_text() {
    let site = community();
    site.write(
        "content/posts/fifth.md",
        &post(
            "title: Fifth\ndate: 2020-07-01",
            "## About [[first]] and @ann\n\ntext",
        ),
    );
    site.build();
    let page = site.page("/posts/fifth/");
    assert_eq!(
        attrs(&page, ".prose h2 a:not(.anchor)", "href"),
        vec!["/posts/first/", "/members/ann/"]
    );
    assert_eq!(
        texts(&page, ".toc li a").len(),
        0,
        "one heading: no table of contents"
    );
    assert!(texts(&site.page("/posts/first/"), ".backlinks li a").contains(&"Fifth".to_string()));
    site.write(
        "content/posts/fifth.md",
        &post(
            "title: Fifth\ndate: 2020-07-01",
            "## About [[nothing-here]]\n",
        ),
    );
    assert!(
        matches!(site.try_build(), Err(salon::Error::Content(d)) if d[0].message.contains("nothing-here") && d[0].position.unwrap().line == 6)
    );
}

/// Found in review: a wikilink in a front matter `summary:` resolved to
/// the body's first reference.
#[test]
fn a_summary_wikilink_resolves_to_its_own_target() {
    let site = community();
    site.write(
        "content/posts/sixth.md",
        &post(
            "title: Sixth\ndate: 2020-08-01\nsummary: \"See [[third]]\"",
            "Body with [[first]] and @bob.",
        ),
    );
    site.build();
    let home = site.page("/");
    let links = attrs(
        &home,
        "article:has(a[href='/posts/sixth/']) .summary a",
        "href",
    );
    assert_eq!(links, vec!["/posts/third/"]);
}

/// Found in review: a thread entry's `quoted` text was not sanitized and
/// its wikilinks leaked placeholders.
#[test]
fn quoted_email_text_is_sanitized_and_linked() {
    let site = community();
    site.write(
        "content/threads/mail.md",
        "---\ntitle: Mail\ndate: 2020-05-01\nentries:\n  - id: 1\n    by: ann\n    text: Hi\n    quoted: \"> see [[first]]\\n\\n<img src=x onerror=alert(1)>\"\n---\n",
    );
    site.build();
    let html = site.read("threads/mail/index.html");
    assert!(!html.contains("onerror"), "sanitized");
    assert!(
        !html.contains('\u{E000}') && !html.contains("%EE%80%80"),
        "no placeholder left"
    );
    assert_eq!(
        attrs(&site.page("/threads/mail/"), ".quoted a", "href"),
        vec!["/posts/first/"]
    );
}

/// Found in review: a literal U+E000 (used by icon fonts) in a document
/// with wikilinks ate text up to the next link.
#[test]
fn a_private_use_character_in_text_survives() {
    let site = community();
    site.write(
        "content/posts/icons.md",
        &post(
            "title: Icons\ndate: 2020-09-01",
            "Icon \u{E000} here. See [[first]]. After.",
        ),
    );
    site.build();
    let page = site.page("/posts/icons/");
    let text: String = page
        .select(&sel(".prose p"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(text, "Icon \u{E000} here. See First Post. After.");
}
