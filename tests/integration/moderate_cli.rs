//! `salon moderate`, run as a user runs it: in the site folder, as a
//! child process, and while `salon watch` runs.

use std::fs;

use crate::binary::{eventually, run, Live, PATIENCE};
use crate::moderation::marked_site;

const FILE: &str = "content/comments/bridges.yaml";

#[test]
fn a_build_says_how_many_wait() {
    let site = marked_site();
    let built = run(site.root(), &["build"]).ok();
    assert!(
        built
            .stderr
            .contains("1 comment awaits moderation, 1 was held as spam: salon moderate"),
        "{}",
        built.stderr
    );
}

#[test]
fn moderate_lists_approves_and_edits_only_the_status() {
    let site = marked_site();
    let root = site.root();
    let listed = run(root, &["moderate"]).ok();
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert!(
        lines[0].starts_with("bridges#p1  pending  2024-03-03T10:00:00Z  Person qzpendauthqz"),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains("\"Pending qzpendbodyqz here\""),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains("why: first comment"),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains(&format!("in {FILE}:5")),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains("bridges#s1  spam"),
        "{}",
        listed.stdout
    );
    assert!(
        !listed.stdout.contains("x1"),
        "rejected ones are not listed"
    );
    assert!(
        listed.stderr.contains("1 pending, 1 held as spam"),
        "{}",
        listed.stderr
    );

    let json = run(root, &["moderate", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["pending"], 1);
    assert_eq!(v["spam"], 1);
    assert_eq!(v["waiting"][0]["id"], "bridges#p1");
    assert_eq!(v["waiting"][0]["post"], "bridges");
    assert_eq!(v["waiting"][0]["status"], "pending");
    assert_eq!(v["waiting"][0]["reason"], "first comment");
    assert_eq!(v["waiting"][1]["status"], "spam");

    // An unknown id changes nothing, and says which.
    let before = fs::read(root.join(FILE)).unwrap();
    let unknown = run(root, &["moderate", "approve", "p1", "nope"]);
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("`nope`"), "{}", unknown.stderr);
    assert_eq!(fs::read(root.join(FILE)).unwrap(), before);

    // A bare id works when one post has it; only the status bytes change.
    let approved = run(root, &["moderate", "approve", "p1", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&approved.stdout).unwrap();
    assert_eq!(
        v["changed"],
        serde_json::json!([{"id": "bridges#p1", "from": "pending", "to": "approved"}])
    );
    let text = String::from_utf8(before).unwrap();
    let after = fs::read_to_string(root.join(FILE)).unwrap();
    assert_eq!(
        after,
        text.replacen("status: pending", "status: approved", 1)
    );

    // Marking an approved comment as spam adds one line, nothing else.
    run(root, &["moderate", "spam", "bridges#c1"]).ok();
    let spammed = fs::read_to_string(root.join(FILE)).unwrap();
    assert_eq!(
        spammed,
        after.replacen("- id: c1\n", "- id: c1\n  status: spam\n", 1)
    );
    run(root, &["moderate", "reject", "c1", "s1"]).ok();
    let listed = run(root, &["moderate"]).ok();
    assert_eq!(listed.stdout, "");
    assert!(listed.stderr.contains("Nothing waits"), "{}", listed.stderr);
    // Rejected comments stay in the file, their words with them.
    let end = fs::read_to_string(root.join(FILE)).unwrap();
    assert!(end.contains("qzspambodyqz") && end.contains("qzokmarkqz"));
}

#[test]
fn approving_while_watch_runs_publishes_the_comment() {
    let site = marked_site();
    let page = site.out().join("posts/bridges/index.html");
    let mut live = Live::start(site.root(), &["watch"]);
    live.settle();
    assert!(!fs::read_to_string(&page).unwrap().contains("qzpendbodyqz"));
    assert!(
        live.log()
            .iter()
            .any(|l| l.contains("1 comment awaits moderation")),
        "{:?}",
        live.log()
    );
    run(site.root(), &["moderate", "approve", "bridges#p1"]).ok();
    let published = eventually(PATIENCE, || {
        fs::read_to_string(&page).is_ok_and(|t| t.contains("qzpendbodyqz"))
    });
    assert!(published, "{}", live.log().join("\n"));
    live.settle();
    // And the output is what a fresh build gives.
    let fresh = tempfile::tempdir().unwrap();
    drop(live);
    let out = fresh.path().join("out");
    run(site.root(), &["build", "--output", out.to_str().unwrap()]).ok();
    assert_eq!(
        crate::binary::differences(&site.out(), &out),
        Vec::<String>::new()
    );
}

#[test]
fn a_bad_policy_is_an_error_at_its_line_and_column() {
    let site = marked_site();
    site.write(
        "salon.yaml",
        &format!("{}moderation:\n  hold: sometimes\n", crate::common::CONFIG),
    );
    let built = run(site.root(), &["build"]);
    assert_eq!(built.code, Some(1));
    assert!(built.stderr.contains("salon.yaml:5:9"), "{}", built.stderr);
    assert!(built.stderr.contains("first_time"), "{}", built.stderr);
}

#[test]
fn the_mail_import_says_what_waits_and_why() {
    let site = crate::moderation::mail_site();
    let mbox = crate::moderation::fixture();
    let ran = run(
        site.root(),
        &["import", "mbox", mbox.to_str().unwrap(), "--comments"],
    )
    .ok();
    for said in [
        "4 comment(s) wait for a moderator",
        "claims to be member `ann` without proof: no Authentication-Results header from mx.site.example",
        "Refused 1 repl(ies)",
        "whose comments are closed",
    ] {
        assert!(ran.stderr.contains(said), "{said}:\n{}", ran.stderr);
    }
    let listed = run(site.root(), &["moderate", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        (v["pending"].as_u64(), v["spam"].as_u64()),
        (Some(3), Some(1))
    );
}
