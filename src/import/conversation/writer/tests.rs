//! The thread writer's tests: new files, re-imports, renamed files, and
//! what is never written.

use super::super::Message;
use super::*;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("salon.yaml"), "title: T\n").unwrap();
    fs::create_dir_all(dir.path().join("content/members")).unwrap();
    fs::write(
        dir.path().join("content/members/hana.md"),
        "---\nname: Hana Mensah\nlinks: { mastodon: \"https://social.example/@hana\" }\naka: [\"hana@mail.example\"]\n---\n",
    )
    .unwrap();
    dir
}

fn msg(id: &str, parent: Option<&str>, name: &str, account: Option<&str>, text: &str) -> Message {
    Message {
        id: id.into(),
        parent: parent.map(Into::into),
        author: Author {
            name: name.into(),
            account: account.map(Into::into),
            email: Some(format!(
                "{}@mail.example",
                name.to_lowercase().replace(' ', ".")
            )),
        },
        date: parse_date(&format!("2024-03-0{}T10:00:00Z", id.len().min(9))),
        url: Some(format!("https://social.example/@x/{id}")),
        text: text.into(),
        quoted: None,
        former_id: None,
    }
}

fn conv(messages: Vec<Message>) -> Conversation {
    Conversation {
        title: "Is a forum worth it?".into(),
        source_name: "Mastodon".into(),
        source_url: Some("https://social.example/@x/1".into()),
        messages,
    }
}

fn small() -> Vec<Message> {
    vec![
        msg(
            "1",
            None,
            "Hana",
            Some("@hana@social.example"),
            "Is it?\n\nMail me at hana@mail.example.",
        ),
        msg(
            "2",
            Some("1"),
            "Hana Mensah",
            Some("@imposter@elsewhere.example"),
            "Yes.",
        ),
        msg("3", Some("2"), "Ola", None, "No."),
    ]
}

fn thread_path(dir: &Path) -> PathBuf {
    dir.join("content/threads/is-a-forum-worth-it.md")
}

fn entries(text: &str) -> Vec<serde_yaml::Value> {
    let split = crate::frontmatter::split(Path::new("t"), text).unwrap();
    let v: serde_yaml::Value = serde_yaml::from_str(split.yaml).unwrap();
    v["entries"].as_sequence().unwrap().clone()
}

#[test]
fn a_new_thread_is_attributed_and_has_no_email_address() {
    let dir = site();
    let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    assert_eq!(
        (r.outcome, r.entries, r.by_members),
        (Outcome::Created, 3, 1)
    );
    let text = fs::read_to_string(thread_path(dir.path())).unwrap();
    assert!(!email::contains(&text), "{text}");
    let e = entries(&text);
    assert_eq!(e[0]["by"].as_str(), Some("hana"));
    assert_eq!(
        e[1]["by"].as_str(),
        Some("Hana Mensah (@imposter@elsewhere.example)")
    );
    assert_eq!(e[1]["reply_to"].as_str(), Some("1"));
    assert_eq!(e[2]["by"].as_str(), Some("Ola"));
    assert!(
        r.notes.iter().any(|n| n.contains("imposter")),
        "{:?}",
        r.notes
    );
}

#[test]
fn a_second_import_changes_nothing() {
    let dir = site();
    write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    let before = fs::read(thread_path(dir.path())).unwrap();
    let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    assert_eq!((r.outcome, r.already), (Outcome::Unchanged, 3));
    assert_eq!(fs::read(thread_path(dir.path())).unwrap(), before);
    assert_eq!(
        fs::read_dir(dir.path().join("content/threads"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn a_grown_conversation_adds_only_new_entries_and_keeps_edits() {
    let dir = site();
    write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    let path = thread_path(dir.path());
    // The curator renames, introduces, edits an entry and skips one.
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace(
            "title: \"Is a forum worth it?\"",
            "title: Forums, worth it?",
        )
        .replace("skip: []", "skip: [\"2\"]")
        .replace("      No.", "      No. (edited)")
        + "My introduction.\n";
    fs::write(&path, &edited).unwrap();
    let mut grown = small();
    grown.push(msg(
        "44",
        Some("2"),
        "Kai",
        None,
        "Answer to the skipped one.",
    ));
    grown.push(msg(
        "55",
        Some("44"),
        "Hana",
        Some("@hana@social.example"),
        "Deeper.",
    ));
    let dry = ThreadOptions {
        dry_run: true,
        ..Default::default()
    };
    let r = write_thread(dir.path(), &conv(grown.clone()), &dry).unwrap();
    assert_eq!((r.outcome, r.entries), (Outcome::Added, 2));
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "dry run wrote");
    let r = write_thread(dir.path(), &conv(grown.clone()), &ThreadOptions::default()).unwrap();
    assert_eq!((r.entries, r.already, r.skipped), (2, 2, 1));
    let after = fs::read_to_string(&path).unwrap();
    assert!(after.starts_with(&edited[..edited.find("---\nMy").unwrap()]));
    assert!(after.ends_with("---\nMy introduction.\n"));
    let e = entries(&after);
    let ids: Vec<&str> = e.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "44", "55"]);
    // "2" is skipped: its answer goes to the nearest kept ancestor.
    assert_eq!(e[3]["reply_to"].as_str(), Some("1"));
    assert_eq!(e[4]["reply_to"].as_str(), Some("44"));
    let again = write_thread(dir.path(), &conv(grown), &ThreadOptions::default()).unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged);
    assert_eq!(fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn a_renamed_file_is_found_by_its_ids() {
    let dir = site();
    write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    let moved = dir.path().join("content/threads/renamed.md");
    fs::rename(thread_path(dir.path()), &moved).unwrap();
    let mut grown = small();
    grown.push(msg("4", Some("3"), "Ola", None, "More."));
    let r = write_thread(dir.path(), &conv(grown), &ThreadOptions::default()).unwrap();
    assert_eq!(r.path, Path::new("content/threads/renamed.md"));
    assert_eq!(entries(&fs::read_to_string(&moved).unwrap()).len(), 4);
}

#[test]
fn files_that_are_not_threads_are_never_touched() {
    let dir = site();
    let path = thread_path(dir.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let broken = "---\ntitle: [unclosed\n---\n";
    fs::write(&path, broken).unwrap();
    let opts = ThreadOptions {
        slug: Some("is-a-forum-worth-it".into()),
        dry_run: false,
    };
    match write_thread(dir.path(), &conv(small()), &opts) {
        Err(Error::Content(d)) => {
            assert_eq!(
                d[0].path,
                Path::new("content/threads/is-a-forum-worth-it.md")
            );
            assert!(d[0].position.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
    // Without --slug, a new name is found instead.
    let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
    assert_eq!(
        r.path,
        Path::new("content/threads/is-a-forum-worth-it-2.md")
    );
}

#[test]
fn a_control_character_cannot_hide_an_address() {
    let dir = site();
    let mut m = small();
    m[2].text = "reach me: a\r@b.org".into();
    m[2].author.name = "c\u{0}@d.org".into();
    write_thread(dir.path(), &conv(m), &ThreadOptions::default()).unwrap();
    let text = fs::read_to_string(thread_path(dir.path())).unwrap();
    assert!(!email::contains(&text), "{text}");
    assert!(text.contains("reach me: (address removed)"), "{text}");
}

#[test]
fn message_ids_are_never_written() {
    let dir = site();
    let mut m = small();
    m[0].id = "<abc@mail.example>".into();
    m[1].parent = Some("<abc@mail.example>".into());
    write_thread(dir.path(), &conv(m), &ThreadOptions::default()).unwrap();
    let text = fs::read_to_string(thread_path(dir.path())).unwrap();
    assert!(!text.contains("abc@"), "{text}");
    let e = entries(&text);
    assert_eq!(e[1]["reply_to"], e[0]["id"]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Whatever a source hands over, the file written parses as a
    /// thread, holds no e-mail address, and a second run changes
    /// nothing.
    #[test]
    fn any_conversation_writes_a_thread_that_parses(
        raw in proptest::collection::vec((
            "[0-9a-c@<>. \n-]{0,6}",
            proptest::option::of("[0-9a-c@<>. -]{0,6}"),
            "[A-Za-z@.: \"#-]{0,12}",
            proptest::option::of("@[a-z]{1,3}@[a-z]{1,3}\\.example|[a-z]{1,3}\\.bsky\\.social"),
            "([A-Za-z0-9 *_#>|:\"'\\[\\]{}-]|\n|\t|@|\\.org|ann@b\\.org|\r|\u{0}|\u{FEFF}){0,40}",
        ), 1..8),
        title in "[A-Za-z0-9 @.:#-]{0,30}",
    ) {
        let dir = site();
        let messages: Vec<Message> = raw
            .into_iter()
            .map(|(id, parent, name, account, text)| Message {
                id,
                parent,
                author: Author { name, account, email: Some("x@mail.example".into()) },
                date: None,
                url: None,
                quoted: Some(text.chars().rev().collect()),
                text,
                former_id: None,
            })
            .collect();
        let c = Conversation { title, source_name: "Test".into(), source_url: None, messages };
        match write_thread(dir.path(), &c, &ThreadOptions::default()) {
            Ok(r) => {
                let path = dir.path().join(&r.path);
                let text = fs::read_to_string(&path).unwrap();
                check_parses(&r.path, &text).unwrap();
                // Checked on the values: a YAML escape (`\n@x.org`) can
                // look like an address in the raw text without being one.
                let split = crate::frontmatter::split(&path, &text).unwrap();
                let v: serde_yaml::Value = serde_yaml::from_str(split.yaml).unwrap();
                let mut strings = vec![v["title"].clone(), v["started_by"].clone()];
                for e in v["entries"].as_sequence().unwrap() {
                    strings.extend(["id", "by", "text", "quoted", "reply_to"].map(|k| e[k].clone()));
                }
                for s in strings.iter().filter_map(|s| s.as_str()) {
                    proptest::prop_assert!(!email::contains(s), "{:?} in {}", s, text);
                }
                let again = write_thread(dir.path(), &c, &ThreadOptions::default()).unwrap();
                proptest::prop_assert_eq!(again.outcome, Outcome::Unchanged);
                proptest::prop_assert_eq!(fs::read_to_string(&path).unwrap(), text);
            }
            Err(Error::Refused(why)) => proptest::prop_assert!(why.contains("no message"), "{}", why),
            Err(e) => proptest::prop_assert!(false, "{:?}", e),
        }
    }
}
