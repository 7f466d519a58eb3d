//! Conversation imports write only into their own thread: ids are
//! namespaced by their source, a thread is found by its source address,
//! and thread files written by an older Salon (bare ids) are still found
//! and updated without doubling their entries.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use salon::import::conversation::{Outcome, ThreadOptions};
use salon::import::social;

use crate::common::*;

fn social_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/social")
        .join(name)
}

/// The id Salon gives a fixture status or post, from its number or record
/// key: `<host>/<id>` from a Mastodon status's address, `<did>/<rkey>`
/// from a Bluesky post's at-uri.
pub(crate) fn nsid(short: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut HashMap<String, String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let (Some(id), Some(url)) = (
                    o.get("id").and_then(|i| i.as_str()),
                    o.get("url").and_then(|u| u.as_str()),
                ) {
                    let host = url.split('/').nth(2).unwrap_or_default();
                    out.entry(id.to_owned()).or_insert(format!("{host}/{id}"));
                }
                if let Some(uri) = o.get("uri").and_then(|u| u.as_str()) {
                    let parts: Vec<&str> = uri.trim_start_matches("at://").split('/').collect();
                    if let [did, "app.bsky.feed.post", rkey] = parts.as_slice() {
                        out.insert((*rkey).to_owned(), format!("{did}/{rkey}"));
                    }
                }
                o.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut ids = HashMap::new();
    for f in fs::read_dir(social_fixture("")).unwrap() {
        let text = fs::read_to_string(f.unwrap().path()).unwrap();
        walk(&serde_json::from_str(&text).unwrap(), &mut ids);
    }
    ids.remove(short)
        .unwrap_or_else(|| panic!("no fixture post {short}"))
}

/// The HTML id of the entry of a fixture post.
pub(crate) fn anchor(short: &str) -> String {
    let id = nsid(short).replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
        "-",
    );
    format!("entry-{id}")
}

/// Thread files as the Salon before namespaced ids wrote them (made with
/// its binary from the same fixtures).
fn older_fixture(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/social-older")
            .join(name),
    )
    .unwrap()
}

/// A curator's own thread whose entry ids are bare numbers, the same as
/// the fixture's Mastodon status ids.
const HAND_WRITTEN: &str = "---\ntitle: Our garden plans\ndate: 2024-01-01\nentries:\n  - id: 1001\n    by: Ann\n    text: Tomatoes.\n  - id: 1002\n    by: Bo\n    reply_to: 1001\n    text: Beans.\n  - id: 5\n    by: Cy\n    text: Both.\n---\n";

fn entry_ids(site: &Site, rel: &str) -> Vec<String> {
    let text = fs::read_to_string(site.root().join(rel)).unwrap();
    let head = text
        .trim_start_matches("---\n")
        .split("\n---\n")
        .next()
        .unwrap();
    let fm: serde_yaml::Value = serde_yaml::from_str(head).unwrap();
    fm["entries"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| match &e["id"] {
            serde_yaml::Value::Number(n) => n.to_string(),
            v => v.as_str().unwrap().to_owned(),
        })
        .collect()
}

#[test]
fn a_hand_written_thread_sharing_a_bare_id_is_never_written_to() {
    let site = Site::new(CONFIG, &[("content/threads/garden.md", HAND_WRITTEN)]);
    let out = Command::new(env!("CARGO_BIN_EXE_salon"))
        .args(["import", "mastodon"])
        .arg(social_fixture("mastodon-status.json"))
        .arg(social_fixture("mastodon-context.json"))
        .current_dir(site.root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        fs::read_to_string(site.root().join("content/threads/garden.md")).unwrap(),
        HAND_WRITTEN,
        "{err}"
    );
    let made = "content/threads/our-reading-circle-outgrew-its-group-chat.md";
    assert_eq!(entry_ids(&site, made)[0], nsid("1001"));
    assert_eq!(nsid("1001"), "social.example/1001");
    assert!(!err.contains("up to date"), "{err}");
    let (ok, err) = {
        let o = Command::new(env!("CARGO_BIN_EXE_salon"))
            .arg("build")
            .current_dir(site.root())
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert!(ok, "{err}");
}

#[test]
fn a_bluesky_post_id_is_its_authors_did_and_record_key() {
    let site = Site::new(CONFIG, &[]);
    let r = social::import_bluesky(
        site.root(),
        &social_fixture("bluesky-thread.json"),
        &ThreadOptions::default(),
    )
    .unwrap();
    let ids = entry_ids(&site, r.path.to_str().unwrap());
    assert_eq!(ids[0], "did:plc:hanaexample0000000000001/3kroot00000a");
    assert!(ids.iter().all(|i| i.starts_with("did:")), "{ids:?}");
}

#[test]
fn a_mastodon_thread_of_an_older_salon_takes_only_the_new_replies() {
    let site = Site::new(CONFIG, &[]);
    let older = older_fixture("older-mastodon.md");
    site.write("content/threads/older-mastodon.md", &older);
    let run = |context: &str| {
        social::import_mastodon(
            site.root(),
            &social_fixture("mastodon-status.json"),
            &social_fixture(context),
            &ThreadOptions::default(),
        )
        .unwrap()
    };
    let again = run("mastodon-context.json");
    assert_eq!(
        (again.path.as_path(), again.outcome, again.already),
        (
            Path::new("content/threads/older-mastodon.md"),
            Outcome::Unchanged,
            8
        ),
        "{again}"
    );
    let grown = run("mastodon-context-grown.json");
    assert_eq!(
        (grown.outcome, grown.entries, grown.already),
        (Outcome::Added, 3, 8),
        "{grown}"
    );
    let rel = "content/threads/older-mastodon.md";
    let after = fs::read_to_string(site.root().join(rel)).unwrap();
    let close = older.find("\n---\n").unwrap() + 1;
    assert!(
        after.starts_with(&older[..close]),
        "the old entries stay byte for byte"
    );
    let ids = entry_ids(&site, rel);
    assert_eq!(ids.len(), 11, "{ids:?}");
    assert_eq!(&ids[8..], ["1011", "1012", "1013"].map(nsid));
    // New replies to old entries name them as the file does.
    let fm: serde_yaml::Value = serde_yaml::from_str(
        after
            .trim_start_matches("---\n")
            .split("\n---\n")
            .next()
            .unwrap(),
    )
    .unwrap();
    let reply_to = |id: &str| {
        fm["entries"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|e| e["id"].as_str() == Some(id))
            .and_then(|e| e["reply_to"].as_str().map(str::to_owned))
    };
    assert_eq!(reply_to(&nsid("1011")).as_deref(), Some("1003"));
    assert_eq!(reply_to(&nsid("1012")), Some(nsid("1011")));
    assert_eq!(
        run("mastodon-context-grown.json").outcome,
        Outcome::Unchanged
    );
    site.build();
}

#[test]
fn a_bluesky_thread_of_an_older_salon_takes_only_the_new_replies() {
    let site = Site::new(CONFIG, &[]);
    site.write(
        "content/threads/older-bluesky.md",
        &older_fixture("older-bluesky.md"),
    );
    let run = |file: &str| {
        social::import_bluesky(
            site.root(),
            &social_fixture(file),
            &ThreadOptions::default(),
        )
        .unwrap()
    };
    let again = run("bluesky-thread.json");
    assert_eq!(
        (again.outcome, again.already),
        (Outcome::Unchanged, 6),
        "{again}"
    );
    let grown = run("bluesky-thread-grown.json");
    assert_eq!(
        (grown.outcome, grown.entries),
        (Outcome::Added, 2),
        "{grown}"
    );
    assert_eq!(grown.path, Path::new("content/threads/older-bluesky.md"));
    let ids = entry_ids(&site, "content/threads/older-bluesky.md");
    assert_eq!(&ids[6..], ["3kreply0000i", "3kreply0000j"].map(nsid));
    site.build();
}
