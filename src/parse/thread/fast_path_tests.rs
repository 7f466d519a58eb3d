//! The fast path for thread files (entries read by [`flat_yaml`]) changes
//! no result and no error, and takes what the importers write.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;

use super::*;
use crate::import::conversation::{write_thread, Author, Conversation, Message, ThreadOptions};

fn file(text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from("content/threads/t.md"),
        text: text.into(),
    }
}

/// What the fast path reads from `file`, when it reads it, and what
/// serde_yaml alone reads, both as `Debug` text.
fn both_readings(file: &SourceFile) -> (Option<String>, String) {
    let fast = fast_front_matter(file).map(|read| format!("{read:?}"));
    let slow = match front_matter::<RawThread>(file) {
        Ok(read) => format!("{read:?}"),
        Err(errors) => format!("errors: {errors:?}"),
    };
    (fast, slow)
}

/// A line of a literal block's text: what importers write, and what
/// leaves the subset or that libyaml reads otherwise.
fn block_line() -> impl Strategy<Value = String> {
    prop_oneof![
        60 => "[a-zA-Z][a-zA-Z0-9 .,!?'\"()-]{0,12}",
        // Paragraph breaks, one or more empty lines.
        16 => Just(String::new()),
        6 => prop::sample::select(vec![
            "", "", "  deeper", "    code", "- item", "> quote", "# heading", "key: value",
            "---", "...", "a # b", "\"q\"", "'s'", "\\", "é—日本", "😀", "\u{a0}x", "x\ty",
            "|", "&a", "*b", "!t", "%", "@x", "`x`", "[x]", "{y}",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec![
            "\tlead", " ", "   ", "x ", "\r", "a\rb", "\u{85}", "\u{2028}", "\u{feff}x",
            "\u{7f}", "\u{1}", "\u{fffe}",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A literal (or other block) scalar for a key at column `key_col`,
/// written from the indicator on.
fn block(key_col: usize) -> impl Strategy<Value = String> {
    (
        prop::sample::select(
            [
                ["|-"; 30].as_slice(),
                &["|"; 10],
                &["|+", ">-", "|2-", "|- # c"],
            ]
            .concat(),
        ),
        // Importers start a block with text; now and then anything.
        prop_oneof![20 => "[a-zA-Z][a-z ]{0,8}", 1 => block_line()],
        prop::collection::vec(block_line(), 0..5),
        prop::sample::select([[2usize; 40].as_slice(), &[1, 3, 0]].concat()),
        prop::sample::select(vec![0usize, 0, 0, 1, 2]),
    )
        .prop_map(move |(indicator, first, lines, deeper, trailing)| {
            let pad = " ".repeat(key_col + deeper);
            let mut out = indicator.to_owned();
            for l in std::iter::once(first).chain(lines) {
                out.push('\n');
                if !l.is_empty() {
                    out.push_str(&pad);
                    out.push_str(&l);
                }
            }
            out.push_str(&"\n".repeat(trailing));
            out
        })
}

/// A one-line value: quoted or plain, usual or not.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        10 => "\"[a-zA-Z0-9 .,'#:-]{0,10}\"",
        6 => "[a-z][a-z0-9-]{0,8}",
        1 => prop::sample::select(vec![
            "\"a\\\"b\"", "\"é\\n\"", "1", "007", "-1", "1.5", "null", "~", "true", "yes",
            "[a]", "{a: 1}", "'s'", "&a x", "*a", "a: b", "a #c", "", "\"x\" # c",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A value usual for `key` of an entry whose keys are at `key_col`.
fn entry_value(key: &'static str, key_col: usize) -> BoxedStrategy<String> {
    let usual: BoxedStrategy<String> = match key {
        "id" | "reply_to" => {
            prop_oneof!["\"m-[0-9a-f]{1,4}\"", "[1-9][0-9]{0,2}", "m-[a-f]{1,3}"].boxed()
        }
        "date" => {
            "20[0-2][0-9]-0[1-9]-[12][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9](Z|\\+05:30)".boxed()
        }
        "by" => prop_oneof!["[a-z][a-z0-9-]{0,6}", "\"[A-Z][a-z]{1,5} [A-Z][a-z]{1,5}\""].boxed(),
        "url" => "\"https://[a-z]{1,5}\\.example/[a-z0-9]{0,6}\"".boxed(),
        "comment" => "\"[a-z]{1,5}#[0-9]{1,2}\"".boxed(),
        _ => prop_oneof![3 => block(key_col), 1 => scalar()].boxed(),
    };
    prop_oneof![200 => usual, 1 => scalar(), 1 => block(key_col)].boxed()
}

/// One entry's `key: value` pairs, in any order, its keys at `key_col`.
fn entry(key_col: usize) -> impl Strategy<Value = Vec<String>> {
    const OPTIONAL: [(&str, f64); 7] = [
        ("by", 0.9),
        ("reply_to", 0.5),
        ("date", 0.8),
        ("url", 0.2),
        ("text", 0.9),
        ("quoted", 0.2),
        ("comment", 0.05),
    ];
    let optional = OPTIONAL
        .map(|(k, p)| prop::option::weighted(p, entry_value(k, key_col).prop_map(move |v| (k, v))));
    (
        entry_value("id", key_col),
        optional.to_vec(),
        prop::option::weighted(0.02, Just(("extra", "1".to_owned()))),
    )
        .prop_flat_map(|(id, optional, extra)| {
            let pairs: Vec<String> = std::iter::once(("id", id))
                .chain(optional.into_iter().flatten())
                .chain(extra)
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            Just(pairs).prop_shuffle()
        })
}

/// The lines before `entries:`, as importers and curators write them.
fn header() -> impl Strategy<Value = Vec<String>> {
    let line = |k: &'static str, v: BoxedStrategy<String>| v.prop_map(move |v| format!("{k}: {v}"));
    (
        prop::option::weighted(0.97, line("title", scalar().boxed())),
        prop::option::weighted(
            0.97,
            line("date", "20[0-2][0-9]-0[1-9]-[12][0-9]T10:00:00Z".boxed()),
        ),
        prop::option::weighted(0.5, line("tags", "\\[(\"[a-z]{1,4}\")?\\]".boxed())),
        prop::option::weighted(0.5, line("started_by", scalar().boxed())),
        prop::option::weighted(
            0.5,
            Just("source: { name: \"Developers\", url: \"https://l.example/a\" }".to_owned()),
        ),
        prop::option::weighted(
            0.5,
            Just("skip: []  # ids of entries to leave out".to_owned()),
        ),
        prop::option::weighted(0.1, Just("draft: true".to_owned())),
        prop::option::weighted(0.1, Just("source:\n  name: List".to_owned())),
        prop::option::weighted(
            0.05,
            prop::sample::select(vec![
                "# a note",
                "",
                "  # indented note",
                "titel: T",
                "entries: []",
                "entries_x: 1",
                "\"quoted\": 1",
                "---",
                "...",
                "- x",
                "{a: 1}",
                "tags:\n- a",
                "? k",
                "%YAML 1.1",
                "title: \"open",
                "\ttab: 1",
                "lang: fr",
                "related: [\"a\"]",
                "slug: x",
                "&a k: 1",
            ])
            .prop_map(str::to_owned),
        ),
    )
        .prop_flat_map(|(a, b, c, d, e, f, g, h, junk)| {
            let lines: Vec<String> = [a, b, c, d, e, f, g, h, junk]
                .into_iter()
                .flatten()
                .collect();
            Just(lines).prop_shuffle()
        })
}

/// Lines that leave the subset, to put anywhere among the entries.
fn junk_line() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "# note",
        "  # note",
        "    # note",
        "---",
        "...",
        "\t",
        "     extra: 1",
        "  -",
        "  - ",
        "- id: 5",
        "    nested:",
        "      a: 1",
        "entries:",
        "title: x",
        "   x",
        "  x",
        "\u{feff}",
    ])
    .prop_map(str::to_owned)
}

/// A thread file, mostly laid out as importers write it, with mutations
/// that leave the subset or are errors.
fn thread_file() -> impl Strategy<Value = String> {
    (
        header(),
        prop::collection::vec(entry(4), 0..5),
        prop::option::weighted(0.05, (any::<Index>(), junk_line())),
        prop::sample::select(
            [["entries:"; 40].as_slice(), &["entries: ", "entries: # x"]].concat(),
        ),
        prop::sample::select([["\n"; 40].as_slice(), &["\n\n", "\r\n"]].concat()),
        prop::sample::select(vec!["Intro.\n", "", "A [[link]].\n"]),
    )
        .prop_map(|(header, entries, junk, key, newline, body)| {
            let mut lines = header;
            lines.push(key.to_owned());
            for pairs in entries {
                for (n, pair) in pairs.iter().enumerate() {
                    let lead = if n == 0 { "  - " } else { "    " };
                    lines.push(format!("{lead}{pair}"));
                }
            }
            if let Some((at, line)) = junk {
                let at = at.index(lines.len() + 1);
                lines.insert(at, line);
            }
            let mut text = String::from("---\n");
            for l in lines {
                text.push_str(&l);
                text.push_str(newline);
            }
            text.push_str("---\n");
            text.push_str(body);
            text
        })
}

#[test]
fn the_fast_path_changes_no_result_and_no_error() {
    flat_yaml::check_agreement(thread_file(), 3000, |text| {
        let (fast, slow) = both_readings(&file(text));
        let taken = fast.is_some();
        if let Some(fast) = fast {
            prop_assert_eq!(fast, slow, "{:?}", text);
        }
        Ok(taken)
    });
}

/// A message as the mbox importer hands one to the thread writer.
fn message(n: usize, text: &str, quoted: Option<&str>) -> Message {
    Message {
        id: format!("m-{n:04x}"),
        parent: n.checked_sub(1).map(|p| format!("m-{p:04x}")),
        author: Author {
            name: ["Hana Mensah", "true", "ola", "Łukasz O'Brien"][n % 4].into(),
            ..Default::default()
        },
        date: crate::date::parse_date(&format!("2024-03-0{}T10:00:00+05:30", n % 9 + 1)),
        url: (n % 3 == 0).then(|| format!("https://lists.example/m/{n}")),
        text: text.into(),
        quoted: quoted.map(Into::into),
        ..Default::default()
    }
}

#[test]
fn what_importers_write_takes_the_fast_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("salon.yaml"), "title: T\n").unwrap();
    let texts = [
        "One line.",
        "Two\n\nparagraphs: with # and - and \"quotes\" and \\ too",
        "  starts with spaces",
        "tab\tinside\n\tand at a line start",
        "- a list\n- here\n\n      code, indented",
        "ends with spaces   \nnext",
        "key: value\n---\n...",
        "blank   \n   \nlines",
        "é—日本 😀",
    ];
    let messages: Vec<Message> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| message(n, t, (n % 2 == 1).then_some("> earlier\n> words")))
        .collect();
    let conv = Conversation {
        title: "A \"quoted\" subject: yes".into(),
        source_name: "Developers".into(),
        source_url: Some("https://lists.example/t/1".into()),
        messages,
    };
    let r = write_thread(dir.path(), &conv, &ThreadOptions::default()).unwrap();
    let text = std::fs::read_to_string(dir.path().join(&r.path)).unwrap();
    let f = SourceFile {
        path: Path::new("content/threads").join(r.path.file_name().unwrap()),
        text,
    };
    let (fast, slow) = both_readings(&f);
    assert_eq!(fast.as_deref(), Some(slow.as_str()), "{}", f.text);
    let parsed = parse_thread(&f, &Default::default()).unwrap();
    assert_eq!(parsed.entries.len(), texts.len());
}
