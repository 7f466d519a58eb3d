//! Moderation: held comments stay out of every output file, and e-mailed
//! replies are credited and held by the site's policy
//! (tests/fixtures/moderation/replies.mbox).

use std::fs;
use std::path::{Path, PathBuf};

use salon::import::mbox::mail::message_key;
use salon::import::mbox::run;
use serde_yaml::Value;

use crate::common::*;

const ANN: &str = "---\nname: Ann Nakamura\naka: [\"ann@example.org\"]\n---\n\nGardener.\n";
const BOB: &str = "---\nname: Bob Stone\naka: [\"bob@bob.example\"]\n---\n\nRakes.\n";
const BRIDGES: &str = "---\ntitle: Bridges\ndate: 2024-03-01\n---\n\nOn bridges.\n";
const CLOSED: &str =
    "---\ntitle: Closed post\ndate: 2024-02-01\ncomments: closed\n---\n\nNo more.\n";
const EXISTING: &str = "- id: wp-1\n  author: The Long Table\n  date: 2024-03-02T10:00:00Z\n  body: \"<p>Great bridge metaphor.</p>\"\n";
const POLICY: &str = "moderation:\n  hold: first_time\n  spam_words: [casino]\n  max_links: 3\n  authserv_id: mx.site.example\n";

pub fn mail_site() -> Site {
    Site::new(
        &format!("{CONFIG}{POLICY}"),
        &[
            ("content/members/ann.md", ANN),
            ("content/members/bob.md", BOB),
            ("content/posts/bridges.md", BRIDGES),
            ("content/posts/closed-post.md", CLOSED),
            ("content/comments/bridges.yaml", EXISTING),
        ],
    )
}

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/moderation/replies.mbox")
}

#[test]
fn e_mailed_replies_are_credited_only_when_the_sites_server_vouches() {
    let site = mail_site();
    let loaded = run::load(&fixture()).unwrap();
    let report = run::import_comments(site.root(), &loaded, false).unwrap();
    let said = report.to_string();

    let text = fs::read_to_string(site.root().join("content/comments/bridges.yaml")).unwrap();
    assert!(text.starts_with(EXISTING), "appended, never rewritten");
    let list: Vec<Value> = serde_yaml::from_str(&text).unwrap();
    let get = |name: &str| {
        let id = message_key(&format!("{name}@mail.example"));
        list.iter()
            .find(|c| c["id"].as_str() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .clone()
    };
    let status = |c: &Value| c["status"].as_str().unwrap_or("approved").to_owned();
    let reason = |c: &Value| c["moderation_reason"].as_str().unwrap_or("").to_owned();

    // A forged From: pending, not linked, shown as unverified, and why.
    let forged = get("forged");
    assert_eq!(status(&forged), "pending");
    assert!(forged["member"].is_null(), "{forged:?}");
    assert_eq!(forged["author"].as_str(), Some("Ann Nakamura (unverified)"));
    assert!(
        reason(&forged).contains("member `ann`")
            && reason(&forged).contains("no Authentication-Results header from mx.site.example"),
        "{}",
        reason(&forged)
    );
    // DMARC pass from the site's server: Ann, approved though first-time.
    let dmarc = get("dmarc");
    assert_eq!(dmarc["member"].as_str(), Some("ann"));
    assert_eq!(status(&dmarc), "approved");
    // DKIM pass for the From domain, behind comments and quoted strings.
    let dkim = get("dkim");
    assert_eq!(dkim["member"].as_str(), Some("bob"));
    assert_eq!(status(&dkim), "approved");
    // A pass from another server is nobody's word.
    let untrusted = get("untrusted");
    assert_eq!(status(&untrusted), "pending");
    assert!(untrusted["member"].is_null());
    assert!(reason(&untrusted).contains("mx.site.example"));
    // hold: first_time holds a newcomer, not someone approved before.
    let first = get("first");
    assert_eq!(status(&first), "pending");
    assert!(
        reason(&first).contains("hold: first_time"),
        "{}",
        reason(&first)
    );
    assert_eq!(status(&get("known")), "approved");
    // Spam words.
    let spam = get("spam");
    assert_eq!(status(&spam), "spam");
    assert!(reason(&spam).contains("\"casino\""), "{}", reason(&spam));
    // The reply to a closed post is refused, listed and never written.
    assert!(!site
        .root()
        .join("content/comments/closed-post.yaml")
        .exists());
    assert_eq!(report.refused.len(), 1, "{said}");
    assert!(
        report.refused[0].contains("replies.mbox:47")
            && report.refused[0].contains("closed-post")
            && report.refused[0].contains("closed"),
        "{}",
        report.refused[0]
    );
    // The report says what waits and why, without an address.
    assert_eq!(report.held.len(), 4, "{said}");
    assert!(said.contains("claims to be member `ann`"), "{said}");
    assert!(!said.contains("@example.org"), "{said}");
    assert!(
        !text.contains("@example"),
        "an address was written:\n{text}"
    );
    assert_eq!(report.matched, 2, "{said}");

    // Only approved replies reach the page.
    site.build();
    let doc = site.page("/posts/bridges/");
    let bodies = texts(&doc, ".comment").join(" | ");
    for shown in [
        "Authenticated by DMARC",
        "Signed by my domain",
        "Back again",
    ] {
        assert!(bodies.contains(shown), "{shown} not in {bodies}");
    }
    for held in [
        "FORGEDMARK",
        "UNTRUSTEDMARK",
        "FIRSTMARK",
        "SPAMMARK",
        "CLOSEDMARK",
    ] {
        assert!(!bodies.contains(held), "{held} in {bodies}");
    }
}

const MARKED: &str = "- id: c1
  author: The Long Table
  date: 2024-03-02T10:00:00Z
  body: \"<p>Approved qzokmarkqz words.</p>\"
- id: p1
  author: Person qzpendauthqz
  member: ann
  date: 2024-03-03T10:00:00Z
  status: pending
  moderation_reason: \"first comment\"
  body: \"<p>Pending qzpendbodyqz <a href=\\\"https://qzpendlinkqz.example/\\\">here</a></p>\"
- id: r1
  parent: p1
  author: Replier
  date: 2024-03-04T10:00:00Z
  body: \"<p>A reply to a held comment.</p>\"
- id: s1
  author: qzspamauthqz
  date: 2024-03-05T10:00:00Z
  status: spam
  body: \"<p>Buy qzspambodyqz now</p>\"
- id: x1
  author: Rejected qzrejectauthqz
  date: 2024-03-06T10:00:00Z
  status: rejected
  body: \"<p>qzrejectbodyqz</p>\"
";

const QUOTING: &str = "---\ntitle: Quoting\ndate: 2024-03-10\nentries:\n  - id: 1\n    comment: \"bridges#p1\"\n  - id: 2\n    by: ann\n    reply_to: 1\n    text: \"An answer.\"\n---\n\nIntro.\n";

const HELD_MARKS: [&str; 7] = [
    "qzpendauthqz",
    "qzpendbodyqz",
    "qzpendlinkqz",
    "qzspamauthqz",
    "qzspambodyqz",
    "qzrejectauthqz",
    "qzrejectbodyqz",
];

/// Every output file (relative path) whose bytes hold `mark`, case
/// ignored.
fn files_holding(out: &Path, mark: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in walkdir::WalkDir::new(out) {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        let bytes = fs::read(e.path()).unwrap().to_ascii_lowercase();
        if bytes.windows(mark.len()).any(|w| w == mark.as_bytes()) {
            found.push(e.path().strip_prefix(out).unwrap().display().to_string());
        }
    }
    found
}

pub fn marked_site() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/ann.md", ANN),
            ("content/posts/bridges.md", BRIDGES),
            ("content/comments/bridges.yaml", MARKED),
            ("content/threads/quoting.md", QUOTING),
        ],
    )
}

#[test]
fn held_comments_are_in_no_output_file() {
    let site = marked_site();
    let report = site.build();
    assert_eq!(
        report.held,
        salon::moderation::Held {
            pending: 1,
            spam: 1
        }
    );
    // The approved comment's words do reach pages, feeds and the search
    // index: the scan would see a leak where they go.
    let ok = files_holding(&site.out(), "qzokmarkqz");
    for place in ["posts/bridges/index.html", "comments/feed.xml", "search/"] {
        assert!(
            ok.iter().any(|f| f.starts_with(place)),
            "{place} not in {ok:?}"
        );
    }
    for mark in HELD_MARKS {
        assert_eq!(
            files_holding(&site.out(), mark),
            Vec::<String>::new(),
            "{mark}"
        );
    }
    // The reply to the held comment stands at top level; counts agree.
    let doc = site.page("/posts/bridges/");
    assert_eq!(doc.select(&sel(".comment")).count(), 2);
    assert_eq!(doc.select(&sel(".comment .comment")).count(), 0);
    // The thread entry quoting it is told apart from a broken reference.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("`bridges#p1`, which is not approved")),
        "{:?}",
        report.warnings
    );
    // Approving it publishes it, under its replies' parent again.
    let text = fs::read_to_string(site.root().join("content/comments/bridges.yaml")).unwrap();
    let changes = salon::moderation::queue::set_status(
        site.root(),
        &["bridges#p1".to_owned()],
        salon::moderation::Status::Approved,
    )
    .unwrap();
    assert_eq!(changes.len(), 1);
    let after = fs::read_to_string(site.root().join("content/comments/bridges.yaml")).unwrap();
    assert_eq!(after, text.replace("status: pending", "status: approved"));
    let report = site.build();
    assert_eq!(report.held.pending, 0);
    assert!(!files_holding(&site.out(), "qzpendbodyqz").is_empty());
    let doc = site.page("/posts/bridges/");
    assert_eq!(doc.select(&sel("#comment-p1 #comment-r1")).count(), 1);
}
