//! `salon import mbox`: the hand-made mailing list in tests/fixtures/mbox/
//! imported as threads and as e-mailed comments, then built and read back.

use std::fs;
use std::path::{Path, PathBuf};

use salon::import::conversation::ThreadOptions;
use salon::import::mbox::mail::message_key;
use salon::import::mbox::run::{self, Loaded};
use salon::import::mbox::Selection;
use salon::Error;
use scraper::{ElementRef, Html};
use serde_yaml::Value;

use crate::common::*;

const REPLY_TO: &str = "community@example.org";

const ANN: &str = "---\nname: Ann Nakamura\naka: [\"ann@example.org\"]\n---\n\nGardener.\n";
const BOB: &str = "---\nname: Bob Stone\naka: [\"bstone@example.net\"]\n---\n\nKeeps the rakes.\n";
const BRIDGES: &str = "---\ntitle: Building Bridges\ndate: 2024-03-01\n---\n\nOn bridges.\n";
const BRIDGES_COMMENTS: &str = "- id: wp-1\n  author: The Long Table\n  date: 2024-03-02T10:00:00Z\n  body: \"<p>Great bridge metaphor.</p>\"\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mbox")
        .join(name)
}

fn site() -> Site {
    Site::new(
        &format!("{CONFIG}reply_to: {REPLY_TO}\nmoderation:\n  authserv_id: mx.example.org\n"),
        &[
            ("content/members/ann.md", ANN),
            ("content/members/bob.md", BOB),
            ("content/posts/building-bridges.md", BRIDGES),
            ("content/comments/building-bridges.yaml", BRIDGES_COMMENTS),
        ],
    )
}

fn load(name: &str) -> Loaded {
    run::load(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn import_threads(site: &Site) -> run::ThreadsReport {
    let selection = Selection {
        min_messages: Some(1),
        ..Default::default()
    };
    let r = run::import_threads(site.root(), &load("list.mbox"), &selection, &write()).unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    r
}

fn write() -> ThreadOptions {
    ThreadOptions::default()
}

fn dry_run() -> ThreadOptions {
    ThreadOptions {
        dry_run: true,
        ..Default::default()
    }
}

fn import_comments(site: &Site) -> salon::import::ImportReport {
    run::import_comments(site.root(), &load("replies.mbox"), false).unwrap()
}

/// The article of an entry: its own header and body, without replies.
fn entry<'a>(doc: &'a Html, message_id: &str) -> ElementRef<'a> {
    let id = format!("entry-{}", message_key(message_id));
    let article = doc
        .select(&sel(&format!("article#{id}")))
        .next()
        .unwrap_or_else(|| panic!("no {id}"));
    article
        .children()
        .filter_map(ElementRef::wrap)
        .find(|c| c.value().classes().any(|k| k == "comment-main"))
        .expect("an entry has a main part")
}

/// The entries an entry (as [`entry`] gives it) answers, innermost first.
fn enclosing(e: ElementRef<'_>) -> Vec<String> {
    e.ancestors()
        .filter_map(ElementRef::wrap)
        .filter(|a| a.value().name() == "article" && a.value().classes().any(|c| c == "entry"))
        .skip(1)
        .map(|a| a.value().id().unwrap_or("").to_owned())
        .collect()
}

fn text_of(e: ElementRef<'_>, selector: &str) -> String {
    e.select(&sel(selector))
        .next()
        .map(|x| x.text().collect::<String>())
        .unwrap_or_default()
}

/// The entry's own text: its body without the folded quote.
fn own_text(e: ElementRef<'_>) -> String {
    let body = e.select(&sel(".comment-body")).next().expect("a body");
    body.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| c.value().name() != "details")
        .map(|c| c.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_list_becomes_threads_nested_attributed_and_decoded() {
    let site = site();
    let r = import_threads(&site);
    assert_eq!(r.threads.len(), 2);
    site.build();
    let doc = site.page("/threads/sharing-garden-tools/");
    let root = format!("entry-{}", message_key("g1@lists.example.org"));

    // Five replies deep, each inside the one it answers.
    let chain: Vec<String> = ["g5", "g4", "g3", "g2", "g1"]
        .iter()
        .map(|g| format!("entry-{}", message_key(&format!("{g}@lists.example.org"))))
        .collect();
    assert_eq!(enclosing(entry(&doc, "g6@lists.example.org")), chain);
    // g5 has In-Reply-To only; g7 has neither header and joins by subject.
    assert_eq!(enclosing(entry(&doc, "g5@lists.example.org"))[0], chain[1]);
    assert_eq!(enclosing(entry(&doc, "g7@lists.example.org")), vec![root]);
    assert_eq!(doc.select(&sel("article.entry")).count(), 7);

    // Members by e-mail (Ann writes as "A. Nakamura") and by name.
    let author = |g: &str| {
        let e = entry(&doc, &format!("{g}@lists.example.org"));
        let a = e.select(&sel(".comment-author a")).next();
        (
            text_of(e, ".comment-author").trim().to_owned(),
            a.and_then(|a| a.value().attr("href")).map(str::to_owned),
        )
    };
    assert_eq!(
        author("g1"),
        ("Ann Nakamura".into(), Some("/members/ann/".into()))
    );
    assert_eq!(
        author("g2"),
        ("Bob Stone".into(), Some("/members/bob/".into()))
    );
    assert_eq!(author("g3"), ("Cy Young".into(), None));

    // Quoted-printable and base64, ISO-8859-1 and UTF-8.
    let own = |g: &str| own_text(entry(&doc, &format!("{g}@lists.example.org")));
    assert_eq!(own("g2"), "Oui, très bonne idée. Ça marche pour moi.");
    assert_eq!(own("g3"), "Agreed — who keeps the key? 🔑");
    assert_eq!(own("g5"), "Thanks Ann – I’ll bring the sign-up sheet.");
    assert_eq!(own("g6"), "Je serai là samedi.");

    // Quotes and signatures are folded, with the attribution, not lost.
    let g2 = entry(&doc, "g2@lists.example.org");
    let fold = text_of(g2, "details.quoted");
    assert!(fold.contains("A. Nakamura wrote:"), "{fold}");
    assert!(fold.contains("Should we lend them out to the"), "{fold}");
    let g1 = entry(&doc, "g1@lists.example.org");
    assert!(!own_text(g1).contains("garden.example.org"));
    assert!(text_of(g1, "details.quoted").contains("garden.example.org"));
    assert!(!own("g3").contains("Oui"));

    // The HTML-only message: sanitized, converted, no script.
    let g4 = entry(&doc, "g4@lists.example.org");
    assert_eq!(text_of(g4, ".comment-body strong"), "key");
    assert!(own_text(g4).contains("Write to me at"));
    assert_eq!(doc.select(&sel("main script, [onclick]")).count(), 0);

    // Plain text is not read as markdown or HTML; `>From` is unescaped.
    assert_eq!(
        own("g7"),
        "From the shed: *not* a [[link]], <b>not bold</b> & # not a heading\n1999. was a good year for rakes"
    );

    // Thread facts: the list's name, the archive link, the encoded-word
    // subject and sender of the other conversation.
    assert_eq!(texts(&doc, "h1"), vec!["Sharing garden tools"]);
    let cafe = site.page("/threads/cafe-evenings/");
    assert_eq!(texts(&cafe, "h1"), vec!["Café evenings"]);
    assert!(texts(&cafe, ".comment-author").contains(&"Zoë Quist".to_owned()));
    assert!(attrs(&doc, "a", "href")
        .contains(&"https://lists.example.org/commons/2024-03/g1.html".to_owned()));
    let thread =
        fs::read_to_string(site.root().join("content/threads/sharing-garden-tools.md")).unwrap();
    assert!(thread.contains("name: \"Commons Gardeners\""), "{thread}");
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn importing_again_changes_nothing() {
    let site = site();
    import_threads(&site);
    import_comments(&site);
    let before = snapshot(&site.root().join("content"));
    let again = import_threads(&site);
    assert!(
        again.threads.iter().all(|t| t.entries == 0),
        "{:?}",
        again.threads
    );
    let c = import_comments(&site);
    assert_eq!(c.comments, 0);
    assert_eq!(c.already_imported, 3);
    assert_eq!(before, snapshot(&site.root().join("content")));
}

#[test]
fn e_mailed_replies_become_comments_under_their_parent() {
    let site = site();
    let r = import_comments(&site);
    assert_eq!((r.comments, r.matched), (3, 2), "{r}");
    // The unknown post is named with the message's place in the mbox.
    assert_eq!(r.unmatched_threads.len(), 1, "{r}");
    let unknown = &r.unmatched_threads[0];
    assert!(
        unknown.contains("no-such-post")
            && unknown.contains("replies.mbox")
            && unknown.contains("line 51"),
        "{unknown}"
    );
    assert!(r.notes.iter().any(|n| n.contains("replies.mbox:62")), "{r}");

    let text =
        fs::read_to_string(site.root().join("content/comments/building-bridges.yaml")).unwrap();
    assert!(
        text.starts_with(BRIDGES_COMMENTS),
        "appended, never rewritten"
    );
    let list: Vec<Value> = serde_yaml::from_str(&text).unwrap();
    let by_id = |id: &str| {
        list.iter()
            .find(|c| c["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no {id} in {text}"))
    };
    let (m1, m2, m3) = (
        message_key("m1@mail.example.org"),
        message_key("m2@mail.example.com"),
        message_key("m3@mail.example.net"),
    );
    assert_eq!(by_id(&m1)["parent"].as_str(), Some("wp-1"));
    assert_eq!(by_id(&m1)["member"].as_str(), Some("ann"));
    assert_eq!(by_id(&m2)["parent"].as_str(), Some(m1.as_str()));
    assert!(by_id(&m3)["parent"].is_null());
    assert_eq!(by_id(&m3)["member"].as_str(), Some("bob"));
    // Only the reply's own words: the quoted comment and signature stay out.
    assert_eq!(
        by_id(&m1)["body"].as_str(),
        Some("<p>Yes, bridges first.</p>")
    );
    assert_eq!(by_id(&m2)["body"].as_str(), Some("<p>And then roads.</p>"));
    assert_eq!(
        by_id(&m3)["body"].as_str(),
        Some("<p>A bridge is a promise — kept by both banks.</p>")
    );

    site.build();
    let doc = site.page("/posts/building-bridges/");
    let nested = doc
        .select(&sel(&format!("#comment-wp-1 #comment-{m1} #comment-{m2}")))
        .count();
    assert_eq!(nested, 1);
    assert_eq!(
        broken_links(&site.out(), "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn reply_links_carry_post_and_comment_and_come_back() {
    let site = site();
    site.build();
    let doc = site.page("/posts/building-bridges/");
    let post_link = attrs(&doc, ".reply-by-mail a", "href");
    assert_eq!(post_link.len(), 1);
    let comment_link = attrs(&doc, "#comment-wp-1 .comment-reply", "href");
    assert_eq!(comment_link.len(), 1);
    let subject = |url: &str| {
        let (to, query) = url
            .strip_prefix("mailto:")
            .unwrap()
            .split_once("?subject=")
            .unwrap();
        assert_eq!(to, REPLY_TO);
        percent_encoding::percent_decode_str(query)
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    assert_eq!(
        subject(&post_link[0]),
        "Re: Building Bridges [salon:building-bridges]"
    );
    // The fixture's first reply was written with exactly this subject.
    assert_eq!(
        subject(&comment_link[0]),
        "Re: Building Bridges [salon:building-bridges#wp-1]"
    );
    let tag = salon::reply::find_tag(&subject(&comment_link[0])).unwrap();
    assert_eq!(
        (tag.slug.as_str(), tag.comment.as_deref()),
        ("building-bridges", Some("wp-1"))
    );

    // Without reply_to, or with comments closed, no link.
    let closed = Site::new(
        &format!("{CONFIG}reply_to: {REPLY_TO}\n"),
        &[(
            "content/posts/closed.md",
            "---\ntitle: Closed\ndate: 2024-01-01\ncomments: closed\n---\n\nx\n",
        )],
    );
    closed.build();
    assert!(attrs(&closed.page("/posts/closed/"), "a", "href")
        .iter()
        .all(|h| !h.starts_with("mailto:")));
    let plain = Site::new(
        CONFIG,
        &[
            ("content/posts/building-bridges.md", BRIDGES),
            ("content/comments/building-bridges.yaml", BRIDGES_COMMENTS),
        ],
    );
    plain.build();
    assert!(attrs(&plain.page("/posts/building-bridges/"), "a", "href")
        .iter()
        .all(|h| !h.starts_with("mailto:")));
}

/// Every e-mail address in `text`, percent-escapes decoded first: a word
/// with an `@` and a dotted domain after it. Broader than the importer's
/// own rule on purpose.
fn addresses(text: &str) -> Vec<String> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    let stop = |c: char| c.is_whitespace() || "<>\"'(),;:[]{}|\\`=&?".contains(c);
    let mut out = Vec::new();
    for (at, _) in decoded.match_indices('@') {
        let left: String = decoded[..at]
            .chars()
            .rev()
            .take_while(|&c| !stop(c))
            .collect();
        let right: String = decoded[at + 1..]
            .chars()
            .take_while(|&c| !stop(c))
            .collect();
        let domain = right.trim_end_matches(['.', '-']);
        let local = left.trim_end_matches(['.']);
        let fediverse = local.starts_with('@') || left.is_empty();
        if !fediverse
            && domain.contains('.')
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|t| t.len() >= 2 && t.chars().all(char::is_alphabetic))
        {
            out.push(format!(
                "{}@{domain}",
                left.chars().rev().collect::<String>()
            ));
        }
    }
    out
}

#[test]
fn no_e_mail_address_is_written_or_published() {
    let site = site();
    import_threads(&site);
    import_comments(&site);
    site.build();
    for e in walkdir::WalkDir::new(site.root().join("content")) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(site.root())
            .unwrap()
            .display()
            .to_string();
        // The member files were written by this test, `aka` and all.
        if !e.file_type().is_file()
            || rel == "content/members/ann.md"
            || rel == "content/members/bob.md"
        {
            continue;
        }
        let text = fs::read_to_string(e.path()).unwrap();
        assert_eq!(addresses(&text), Vec::<String>::new(), "{rel}");
    }
    let mut mailtos = 0;
    for e in walkdir::WalkDir::new(site.out()) {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(site.out())
            .unwrap()
            .display()
            .to_string();
        let text = String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned();
        // The configured reply_to is published on purpose, and only as the
        // address of the Reply links.
        let link = format!("href=\"mailto:{REPLY_TO}?subject=");
        mailtos += text.matches(&link).count();
        assert_eq!(
            text.matches(REPLY_TO).count(),
            text.matches(&link).count(),
            "{rel}"
        );
        let found: Vec<String> = addresses(&text)
            .into_iter()
            .filter(|a| a != REPLY_TO)
            .collect();
        assert_eq!(found, Vec::<String>::new(), "{rel}");
    }
    // Post, wp-1 and the three e-mailed comments.
    assert_eq!(mailtos, 5);
    // The scanner does see addresses.
    assert_eq!(
        addresses("x jane.doe@example.org, y"),
        vec!["jane.doe@example.org"]
    );
    assert_eq!(addresses("mailto:a%40b.example"), vec!["a@b.example"]);
}

#[test]
fn errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.mbox");
    fs::write(&bad, "\n\nSubject: not an mbox\n").unwrap();
    match run::load(&bad) {
        Err(Error::Content(d)) => {
            assert_eq!(d[0].path, bad);
            assert_eq!(d[0].position.map(|p| p.line), Some(3));
        }
        other => panic!("{other:?}"),
    }
    let twice = dir.path().join("twice.mbox");
    let list = fs::read_to_string(fixture("list.mbox")).unwrap();
    let first = &list[..list.find("\nFrom bstone").unwrap() + 1];
    fs::write(&twice, format!("{list}{first}")).unwrap();
    let loaded = run::load(&twice).unwrap();
    let copy_line = list.lines().count() + 1;
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].path, twice);
    assert_eq!(loaded.warnings[0].position.map(|p| p.line), Some(copy_line));
    assert!(matches!(
        run::load(&dir.path().join("missing.mbox")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn selections_pick_conversations_and_a_dry_run_writes_nothing() {
    let site = site();
    let loaded = load("list.mbox");
    let pick = |s: Selection| {
        let r = run::import_threads(site.root(), &loaded, &s, &dry_run()).unwrap();
        r.threads
            .iter()
            .map(|t| t.path.display().to_string())
            .collect::<Vec<_>>()
    };
    // What --list prints: titles and names, never an address.
    for f in &loaded.found {
        let participants = loaded.mailbox.participants(f);
        let listed = format!("{} {}", f.title, participants.join(", "));
        assert_eq!(addresses(&listed), Vec::<String>::new(), "{listed}");
    }
    assert_eq!(
        loaded.mailbox.participants(&loaded.found[0]),
        ["A. Nakamura", "Bob Stone", "Cy Young", "Dee"]
    );
    let garden = vec!["content/threads/sharing-garden-tools.md".to_owned()];
    assert_eq!(
        pick(Selection {
            thread: vec!["<g5@lists.example.org>".into()],
            ..Default::default()
        }),
        garden
    );
    assert_eq!(
        pick(Selection {
            thread: vec![message_key("g1@lists.example.org")],
            ..Default::default()
        }),
        garden
    );
    assert_eq!(
        pick(Selection {
            subject: Some("GARDEN".into()),
            ..Default::default()
        }),
        garden
    );
    assert_eq!(
        pick(Selection {
            min_messages: Some(3),
            ..Default::default()
        }),
        garden
    );
    assert_eq!(
        pick(Selection {
            min_messages: Some(2),
            ..Default::default()
        })
        .len(),
        2
    );
    let r = run::import_threads(
        site.root(),
        &loaded,
        &Selection {
            thread: vec!["nope@x.example".into()],
            ..Default::default()
        },
        &dry_run(),
    )
    .unwrap();
    assert_eq!(r.unknown_ids, vec!["nope@x.example"]);
    assert!(!site.root().join("content/threads").exists());

    // --slug names the file of one conversation, and only of one.
    let both = Selection {
        min_messages: Some(1),
        ..Default::default()
    };
    let named = ThreadOptions {
        slug: Some("garden".into()),
        ..Default::default()
    };
    assert!(matches!(
        run::import_threads(site.root(), &loaded, &both, &named),
        Err(Error::Refused(_))
    ));
    let one = Selection {
        subject: Some("garden".into()),
        ..Default::default()
    };
    let r = run::import_threads(site.root(), &loaded, &one, &named).unwrap();
    assert_eq!(r.threads[0].path, Path::new("content/threads/garden.md"));
    assert!(site.root().join("content/threads/garden.md").is_file());
}
