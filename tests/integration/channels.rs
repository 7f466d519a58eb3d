//! One conversation under a post, from every channel: webmentions (both
//! webmention.io formats), Mastodon, Bluesky and e-mail attached with
//! `--post`, the same reply arriving twice kept once, reactions counted,
//! sources marked, `syndication:` links, and member pages gathering a
//! person's replies. Fixtures are in tests/fixtures/channels/.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use salon::import::attach::{attach_bluesky, attach_mastodon};
use salon::import::mbox::{run as mbox, Selection};
use salon::import::webmention::import_webmentions;
use salon::import::ImportReport;
use scraper::Html;

use crate::binary::run;
use crate::common::*;

const SLUG: &str = "one-conversation-many-channels";
const COMMENTS: &str = "content/comments/one-conversation-many-channels.yaml";

const HANA: &str = "---\nname: Hana Mensah\nlinks: { website: \"https://hana.example.org/\", mastodon: \"https://social.example.net/@hana\" }\naka: [\"Hana M.\", \"hana@example.org\"]\n---\n\nArchivist.\n";
const KENJI: &str = "---\nname: Kenji Watanabe\nlinks: { website: \"https://kenji.example.net/\" }\n---\n\nMaintainer.\n";
const SAMIR: &str = "---\nname: Samir Haddad\n---\n\nAdmin.\n";
const POST: &str = "---\ntitle: One Conversation, Many Channels\ndate: 2026-11-20T09:00:00Z\nauthors: [hana]\nsyndication:\n  - https://social.example.net/@hana/113500000000000001\n  - https://bsky.app/profile/hana.example.org/post/3lchannels00a\n---\n\nEvery channel, one page.\n";
const BLOG_COMMENT: &str = "- id: json-1\n  author: Samir Haddad\n  date: 2026-11-20T10:15:00Z\n  body: \"<p>Five places to read one conversation.</p>\"\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/channels")
        .join(name)
}

fn site() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/hana.md", HANA),
            ("content/members/kenji.md", KENJI),
            ("content/members/samir.md", SAMIR),
            ("content/posts/one-conversation-many-channels.md", POST),
            (COMMENTS, BLOG_COMMENT),
        ],
    )
}

fn webmentions(site: &Site, name: &str) -> ImportReport {
    import_webmentions(site.root(), &fixture(name), false).unwrap()
}

fn bluesky(site: &Site) -> ImportReport {
    attach_bluesky(site.root(), &fixture("bluesky-thread.json"), SLUG, false).unwrap()
}

fn mastodon(site: &Site) -> ImportReport {
    attach_mastodon(
        site.root(),
        &fixture("mastodon-status.json"),
        &fixture("mastodon-context.json"),
        SLUG,
        false,
    )
    .unwrap()
}

fn comments_file(site: &Site) -> String {
    fs::read_to_string(site.root().join(COMMENTS)).unwrap()
}

fn post_page(site: &Site) -> Html {
    site.build();
    site.page("/posts/one-conversation-many-channels/")
}

/// Each comment's id (its anchor without `comment-`) with the id of the
/// comment it is nested under, as the page shows them.
fn nesting(doc: &Html) -> BTreeMap<String, Option<String>> {
    doc.select(&sel("article.comment"))
        .map(|a| {
            let id = a
                .value()
                .id()
                .unwrap()
                .trim_start_matches("comment-")
                .to_owned();
            let parent = a
                .ancestors()
                .skip(1)
                .filter_map(scraper::ElementRef::wrap)
                .find(|e| {
                    e.value().name() == "article" && e.value().classes().any(|c| c == "comment")
                })
                .map(|e| {
                    e.value()
                        .id()
                        .unwrap()
                        .trim_start_matches("comment-")
                        .to_owned()
                });
            (id, parent)
        })
        .collect()
}

#[test]
fn jf2_replies_nest_under_their_target_and_reactions_are_counted_with_faces() {
    let site = site();
    let report = webmentions(&site, "webmentions.jf2.json");
    assert_eq!((report.comments, report.reactions), (3, 7), "{report}");
    assert_eq!(
        report.unmatched_threads,
        vec!["https://example.org/posts/no-such-post/: 1 webmention(s)"]
    );
    let doc = post_page(&site);
    let tree = nesting(&doc);
    assert_eq!(
        tree["wm-1800001"], None,
        "a reply to the post is at top level"
    );
    assert_eq!(
        tree["wm-1800002"].as_deref(),
        Some("json-1"),
        "a reply to #comment-json-1 nests under it: {tree:?}"
    );
    assert_eq!(tree.len(), 4, "likes are no comments: {tree:?}");
    // The source mark links to the original.
    let marks = attrs(&doc, "#comment-wm-1800001 .comment-source", "href");
    assert_eq!(marks, vec!["https://ann.example.net/2026/11/re-channels"]);
    assert_eq!(
        texts(&doc, "#comment-wm-1800001 .comment-source"),
        vec!["via Webmention"]
    );
    // Kenji's site is in his profile: his reply is his.
    assert_eq!(
        attrs(&doc, "#comment-wm-1800002 .comment-author a", "href"),
        vec!["/members/kenji/"]
    );
    // Counts and faces, each face named for screen readers.
    assert_eq!(
        texts(&doc, ".reactions h3"),
        vec!["3 likes", "2 reposts", "1 bookmark", "1 mention"]
    );
    assert_eq!(doc.select(&sel(".reaction-like .faces li")).count(), 3);
    assert_eq!(
        texts(&doc, ".reaction-repost .faces .visually-hidden"),
        vec!["Tomasz Nowak", "Beatriz Souza"]
    );
    assert_eq!(
        doc.select(&sel(".reaction-like li.u-like a.h-card[href]"))
            .count(),
        3
    );
    assert_eq!(
        texts(&doc, "#comments-title"),
        vec!["4 comments"],
        "reactions are not counted as comments"
    );
}

#[test]
fn the_older_format_imports_alike() {
    let site = site();
    let report = webmentions(&site, "webmentions-old.json");
    assert_eq!((report.comments, report.reactions), (1, 1), "{report}");
    let doc = post_page(&site);
    assert_eq!(
        texts(&doc, "#comment-wm-900001 .comment-body"),
        vec!["Old API, same comment."]
    );
    assert_eq!(
        attrs(&doc, "#comment-wm-900001 .comment-source", "href"),
        vec!["https://cy.example.com/2026/11/channels"]
    );
    assert_eq!(texts(&doc, ".reactions h3"), vec!["1 like"]);
}

#[test]
fn importing_again_adds_nothing_and_leaves_the_file_as_it_was() {
    let site = site();
    webmentions(&site, "webmentions.jf2.json");
    mastodon(&site);
    let before = comments_file(&site);
    let again = webmentions(&site, "webmentions.jf2.json");
    assert_eq!(
        (again.comments, again.reactions, again.already_imported),
        (0, 0, 10),
        "{again}"
    );
    let again = mastodon(&site);
    assert_eq!((again.comments, again.already_imported), (0, 2), "{again}");
    assert_eq!(comments_file(&site), before);
}

#[test]
fn a_bluesky_reply_and_its_bridgy_webmention_appear_once_in_either_order() {
    for bluesky_first in [true, false] {
        let site = site();
        let report = if bluesky_first {
            bluesky(&site);
            webmentions(&site, "webmentions.jf2.json")
        } else {
            webmentions(&site, "webmentions.jf2.json");
            bluesky(&site)
        };
        assert_eq!(
            report
                .skipped
                .get("replies already here by another channel"),
            Some(&1),
            "{report}"
        );
        let doc = post_page(&site);
        let wen: Vec<String> = texts(&doc, ".comment-body")
            .into_iter()
            .filter(|t| t.contains("Curious whether it shows up twice"))
            .collect();
        assert_eq!(wen.len(), 1, "bluesky first: {bluesky_first}");
    }
}

#[test]
fn hostile_html_in_a_webmention_is_sanitized() {
    let site = site();
    webmentions(&site, "webmentions-hostile.json");
    let file = comments_file(&site);
    assert!(!file.contains("javascript:"), "{file}");
    let doc = post_page(&site);
    let comment = doc
        .select(&sel("#comment-wm-66601"))
        .next()
        .expect("the reply is kept");
    let html = comment.html();
    for bad in ["<script", "onclick", "onerror", "<iframe", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert_eq!(
        texts(&doc, "#comment-wm-66601 .comment-author"),
        vec!["Mallory<script>alert(1)</script>"],
        "the name is text, not markup"
    );
    let links = attrs(&doc, "#comment-wm-66601 .comment-body a[href]", "href");
    assert_eq!(links, vec!["https://mallory.example/"]);
    assert_eq!(
        attrs(&doc, "#comment-wm-66601 .comment-body a[href]", "rel"),
        vec!["nofollow ugc noopener"]
    );
}

#[test]
fn social_replies_attach_to_the_post_and_members_gather_every_channel() {
    let site = site();
    let report = mastodon(&site);
    assert_eq!(
        report.comments, 2,
        "the post's own toot is left out: {report}"
    );
    bluesky(&site);
    webmentions(&site, "webmentions.jf2.json");
    let doc = post_page(&site);
    let tree = nesting(&doc);
    let oskar = "mastodon-forum-example-113500000000000002";
    assert_eq!(tree[oskar], None);
    assert_eq!(
        tree["mastodon-social-example-net-113500000000000003"].as_deref(),
        Some(oskar)
    );
    assert_eq!(
        texts(
            &doc,
            &format!("#comment-{oskar} > .comment-main .comment-source")
        ),
        vec!["via Mastodon"]
    );
    assert_eq!(
        attrs(&doc, "[id^='comment-bluesky-'] .comment-source", "href"),
        vec!["https://bsky.app/profile/wen.bsky.social/post/3lchannels00b"]
    );
    // Hana's Mastodon account is in her profile: that reply is hers, and
    // her page lists it beside her blog comments.
    let hana = site.page("/members/hana/");
    let listed = attrs(&hana, "main a[href*='#comment-']", "href");
    assert!(
        listed
            .iter()
            .any(|h| h.ends_with("#comment-mastodon-social-example-net-113500000000000003")),
        "{listed:?}"
    );
}

#[test]
fn a_mailing_list_thread_attaches_to_a_post() {
    let site = site();
    let loaded = mbox::load(&fixture("replies.mbox")).unwrap();
    let selection = Selection {
        min_messages: Some(1),
        ..Default::default()
    };
    let report = mbox::attach_threads(site.root(), &loaded, &selection, SLUG, false).unwrap();
    assert_eq!(report.comments, 2, "{report}");
    let doc = post_page(&site);
    let tree = nesting(&doc);
    let emailed: Vec<(&String, &Option<String>)> =
        tree.iter().filter(|(id, _)| id.starts_with("m-")).collect();
    assert_eq!(emailed.len(), 2, "{tree:?}");
    assert!(
        emailed
            .iter()
            .any(|(_, p)| p.as_deref().is_some_and(|p| p.starts_with("m-"))),
        "the reply nests: {tree:?}"
    );
    assert_eq!(
        texts(&doc, ".comment-source.source-email"),
        vec!["via E-mail", "via E-mail"]
    );
    // The mbox is read headers first: the bodies are read back for the
    // comments, not left empty.
    let bodies = texts(&doc, "[id^='comment-m-'] > .comment-main .comment-body");
    assert!(
        bodies.iter().any(|b| b.contains("which I still prefer"))
            && bodies
                .iter()
                .any(|b| b.contains("same thread as the toots")),
        "{bodies:?}"
    );
    // A member's address in `aka` links the mail to her.
    let hana = site.page("/members/hana/");
    assert!(attrs(&hana, "main a[href*='#comment-m-']", "href").len() == 1);
}

#[test]
fn a_stranger_using_a_members_name_is_not_credited_to_her() {
    let site = site();
    let forged = r#"{"type":"feed","children":[{"type":"entry","wm-id":5,"wm-property":"in-reply-to",
      "wm-source":"https://evil.example/r","wm-target":"https://example.org/posts/one-conversation-many-channels/",
      "author":{"name":"Hana Mensah","url":"https://evil.example/"},"published":"2026-11-21T10:00:00Z",
      "content":{"text":"I am Hana."}}]}"#;
    let path = site.root().join("forged.json");
    fs::write(&path, forged).unwrap();
    import_webmentions(site.root(), &path, false).unwrap();
    let doc = post_page(&site);
    assert_eq!(
        texts(&doc, "#comment-wm-5 .comment-author"),
        vec!["Hana Mensah (evil.example)"]
    );
    assert!(attrs(&doc, "#comment-wm-5 .comment-author a", "href")
        .iter()
        .all(|h| !h.contains("/members/")));
}

#[test]
fn syndication_links_say_where_else_the_post_is() {
    let site = site();
    let doc = post_page(&site);
    assert_eq!(
        texts(&doc, ".h-entry a.u-syndication"),
        vec!["Mastodon", "Bluesky"]
    );
    assert_eq!(
        attrs(&doc, "a.u-syndication", "href"),
        vec![
            "https://social.example.net/@hana/113500000000000001",
            "https://bsky.app/profile/hana.example.org/post/3lchannels00a"
        ]
    );
}

#[test]
fn the_command_imports_webmentions_from_the_site_folder() {
    let site = site();
    let dry = run(
        site.root(),
        &[
            "import",
            "webmentions",
            fixture("webmentions.jf2.json").to_str().unwrap(),
            "--dry-run",
        ],
    )
    .ok();
    assert!(dry.stdout.contains("would write content/comments/one-conversation-many-channels.yaml (+3 comments, +7 reactions)"), "{}", dry.stdout);
    assert_eq!(
        comments_file(&site),
        BLOG_COMMENT,
        "a dry run writes nothing"
    );
    let real = run(
        site.root(),
        &[
            "import",
            "webmentions",
            fixture("webmentions.jf2.json").to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        real.stderr
            .contains("https://example.org/posts/no-such-post/: 1 webmention(s)"),
        "unmatched targets are reported: {}",
        real.stderr
    );
    assert!(
        comments_file(&site).starts_with(BLOG_COMMENT),
        "appended, never rewritten"
    );
    let doc = post_page(&site);
    assert_eq!(doc.select(&sel("article.comment")).count(), 4);
    let broken = run(
        site.root(),
        &[
            "import",
            "webmentions",
            fixture("blog-comments.json").to_str().unwrap(),
        ],
    );
    assert_eq!(broken.code, Some(1));
    assert!(broken.stderr.contains("webmention.io"), "{}", broken.stderr);
}

#[test]
fn the_demo_post_shows_one_conversation_from_five_channels() {
    let site = Site::demo();
    site.build();
    let doc = site.page("/posts/one-conversation-many-channels/");
    let mut channels: Vec<String> = doc
        .select(&sel("article.comment"))
        .map(|c| {
            let own = format!(
                "#{} > .comment-main .comment-source",
                c.value().id().unwrap()
            );
            doc.select(&sel(&own))
                .next()
                .map_or("site".to_owned(), |s| s.text().collect::<String>())
        })
        .collect();
    channels.sort();
    channels.dedup();
    assert_eq!(
        channels,
        [
            "site",
            "via Bluesky",
            "via E-mail",
            "via Mastodon",
            "via Webmention"
        ]
    );
    assert_eq!(
        texts(&doc, ".reactions h3"),
        vec!["3 likes", "2 reposts", "1 bookmark", "1 mention"]
    );
    // Hana answered on the site, by e-mail and on Mastodon: her page has all three.
    let hana = site.page("/members/hmensah/");
    let hrefs = attrs(
        &hana,
        "main a[href*='one-conversation-many-channels/#comment-']",
        "href",
    );
    for id in ["json-2", "m-", "mastodon-"] {
        assert!(
            hrefs.iter().any(|h| h.contains(&format!("#comment-{id}"))),
            "{id}: {hrefs:?}"
        );
    }
}

#[test]
fn targets_match_under_a_sub_path_base_url_whatever_the_scheme_or_slash() {
    let site = site();
    site.write(
        "salon.yaml",
        "title: Test Site\nbase_url: https://example.org/community/\n",
    );
    let mentions = r#"{"type":"feed","children":[
      {"type":"entry","wm-id":1,"wm-property":"like-of","wm-source":"https://a.example/l","wm-target":"http://EXAMPLE.org/community/posts/one-conversation-many-channels","author":{"name":"A"},"published":"2026-11-21T10:00:00Z"},
      {"type":"entry","wm-id":2,"wm-property":"like-of","wm-source":"https://b.example/l","wm-target":"https://example.org/posts/one-conversation-many-channels/","author":{"name":"B"},"published":"2026-11-21T10:00:00Z"},
      {"type":"entry","wm-id":3,"wm-property":"like-of","wm-source":"https://c.example/l","wm-target":"https://example.org/community/","author":{"name":"C"},"published":"2026-11-21T10:00:00Z"}]}"#;
    let path = site.root().join("mentions.json");
    fs::write(&path, mentions).unwrap();
    let report = import_webmentions(site.root(), &path, false).unwrap();
    assert_eq!(report.reactions, 2, "{report}");
    assert_eq!(
        report.unmatched_threads,
        vec!["https://example.org/community/: 1 webmention(s)"],
        "the home page is no post"
    );
}

#[test]
fn the_command_attaches_a_conversation_with_post() {
    let site = site();
    let status = fixture("mastodon-status.json");
    let context = fixture("mastodon-context.json");
    let (status, context) = (status.to_str().unwrap(), context.to_str().unwrap());
    let both = run(
        site.root(),
        &[
            "import", "mastodon", status, context, "--post", SLUG, "--slug", "x",
        ],
    );
    assert_eq!(
        both.code,
        Some(2),
        "--post and --slug exclude each other: {}",
        both.stderr
    );
    let unknown = run(
        site.root(),
        &["import", "mastodon", status, context, "--post", "nope"],
    );
    assert_eq!(unknown.code, Some(1));
    assert!(
        unknown.stderr.contains("no post has the slug `nope`"),
        "{}",
        unknown.stderr
    );
    run(
        site.root(),
        &["import", "mastodon", status, context, "--post", SLUG],
    )
    .ok();
    assert!(
        !site.root().join("content/threads").exists(),
        "no thread is written"
    );
    let doc = post_page(&site);
    assert_eq!(texts(&doc, ".comment-source.source-mastodon").len(), 2);
}

/// Webmentions are new contributions: the site's policy holds them, and
/// a post closed to comments takes none.
#[test]
fn webmentions_follow_the_moderation_policy_and_closed_posts_refuse_them() {
    let site = site();
    let config = format!("{CONFIG}moderation:\n  hold: all\n");
    fs::write(site.root().join("salon.yaml"), config).unwrap();
    let report = webmentions(&site, "webmentions.jf2.json");
    assert!(!report.held.is_empty(), "{report}");
    let entries: Vec<serde_yaml::Value> = serde_yaml::from_str(&comments_file(&site)).unwrap();
    let held: Vec<&serde_yaml::Value> = entries
        .iter()
        .filter(|e| e["id"].as_str().is_some_and(|id| id.starts_with("wm-")))
        .collect();
    assert!(!held.is_empty());
    for e in &held {
        assert_eq!(e["status"].as_str(), Some("pending"), "{e:?}");
    }
    // None of them reaches the page: only the blog comment is there.
    let doc = post_page(&site);
    assert_eq!(nesting(&doc).len(), 1, "{:?}", nesting(&doc));

    // The same webmentions to a post whose comments are closed.
    let closed = Site::new(
        CONFIG,
        &[
            ("content/members/hana.md", HANA),
            (
                "content/posts/one-conversation-many-channels.md",
                &POST.replacen("---\n\n", "comments: closed\n---\n\n", 1),
            ),
        ],
    );
    let report = webmentions(&closed, "webmentions.jf2.json");
    assert!(!report.refused.is_empty(), "{report}");
    assert!(!closed.root().join(COMMENTS).exists());
}
