//! The fast path for comment files ([`flat_yaml`]) changes no result and
//! no error, and takes what the importers write.

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::sample::Index;

use super::*;
use crate::import::contribution::{new_contribution, Placement};
use crate::import::CommentRecord;
use crate::moderation::Verdict;

fn file(text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from("content/comments/post.yaml"),
        text: text.into(),
    }
}

/// What the fast path reads from `text`, when it reads it, and what
/// serde_yaml reads, both as `Debug` text.
fn both_readings(text: &str) -> (Option<String>, String) {
    let fast = flat_yaml::read::<RawComment>(text).map(|raw| format!("{raw:?}"));
    let slow = serde_yaml::from_str::<Option<Vec<RawComment>>>(text)
        .map(|raw| format!("{:?}", raw.unwrap_or_default()))
        .unwrap_or_else(|e| format!("error: {e}"));
    (fast, slow)
}

/// Pieces of a double-quoted scalar as written: text, every escape
/// libyaml knows, and what leaves the subset or is an error.
fn quoted_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        24 => "[a-zA-Z0-9 <>/=.&;,'!?()-]{1,8}",
        12 => prop::sample::select(vec![
            "<p>", "</p>", "<strong>", "&amp;", "é", "Lúcia", "日本", "😀", "\u{a0}", "—",
            r#"\""#, r"\\", r"\n", r"\t", r"\/", r"\r", r"\0", r"\ ",
            r"\x41", r"\xe9", r"\u00e9", r"\u2028", r"\U0001F600", r"\e", r"\N", r"\_",
            r"\L", r"\P", r"\a", r"\b", r"\v", r"\f", r"\u0000", "#", ": ", " #", "  ",
        ]).prop_map(str::to_owned),
        1 => prop::sample::select(vec![
            r"\ud800", r"\udfff", r"\U00110000", r"\x4", r"\q", r"\'", "\\\t", "\\\n  ",
            "\"", "\\", "\t", "\n", "\n    ", "\r", "\u{7}", "\u{7f}", "\u{85}", "\u{9f}",
            "\u{2028}", "\u{2029}", "\u{feff}", "\u{fffe}",
        ]).prop_map(str::to_owned),
    ]
}

/// A double-quoted scalar, written as the importers write one (JSON)
/// or piece by piece.
fn quoted() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(quoted_piece(), 0..6).prop_map(|p| format!("\"{}\"", p.concat())),
        prop::collection::vec(quoted_piece(), 0..6)
            .prop_map(|p| serde_json::to_string(&p.concat()).unwrap()),
    ]
}

/// A plain scalar: those the subset reads and those it leaves alone.
fn plain() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => r#"[a-zA-Z][a-zA-Z0-9 ._@/:#"'\[\]{},&*!|>%`\\-]{0,10}"#,
        1 => "[éü日\u{a0}—][a-z :]{0,5}",
        1 => "[1-9][0-9]{0,4}",
        4 => prop::sample::select(vec![
            "0", "1", "007", "00", "18446744073709551615", "18446744073709551616", "-1",
            "+1", "1.5", "1e3", "0x1F", "0o17", "0b1", "1_000", "12:30", ".inf", "-.inf",
            "inf", "nan", "NaN", "infinity", "null", "Null", "NULL", "~", "true", "True",
            "FALSE", "yes", "no", "on", "off", "y", "like", "repost", "pending", "spam",
            "approved", "rejected", "aproved", "mastodon", "webmention", "email", "wm-1",
            "2016-12-05T23:17:21Z", "2016-12-05T23:17:21.250+02:00", "2010-01-01",
            "2010-01-01 10:00", "2010-13-45", "yesterday", "Joe Pellegrini", "Lúcia Ferreira",
            "é", "a: b", "a:b", "a #b", "a#b", "x:", "a  b", "x ", "[1, 2]", "{a: 1}",
            "&anchor x", "*alias", "!tag x", "!!str x", "|", ">", "'single'", "@x", "`x`",
            "%x", ",x", "a,b", "-x", "- x", "?x", ":x", "https://a.example/b?c=d",
            "a\tb", "\u{85}x", "x\u{2028}y", "",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Any value.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![quoted(), plain()]
}

/// A value usual for `key`, now and then any value.
fn value_for(key: &'static str) -> BoxedStrategy<String> {
    let usual: BoxedStrategy<String> = match key {
        "id" | "parent" => {
            prop_oneof!["[1-9][0-9]{0,3}", "wp-[0-9]{1,3}", "\"[a-z0-9-]{1,5}\""].boxed()
        }
        "date" => prop_oneof![
            "20[0-2][0-9]-0[1-9]-[12][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9](Z|\\+02:00)",
            "\"20[0-2][0-9]-0[1-9]-[12][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9]Z\"",
            "20[0-2][0-9]-0[1-9]-[12][0-9]",
        ]
        .boxed(),
        "status" => "\"?(approved|pending|spam|rejected)\"?".boxed(),
        "kind" => "(like|repost|bookmark|mention)".boxed(),
        "source" => "(email|mastodon|bluesky|webmention)".boxed(),
        "member" => "[a-z][a-z0-9-]{0,8}".boxed(),
        "url" | "source_url" => "\"https://[a-z]{1,5}\\.example/[a-z?=&#]{0,6}\"".boxed(),
        _ => quoted().boxed(),
    };
    prop_oneof![20 => usual, 1 => value()].boxed()
}

/// One comment: its `key: value` pairs, in any order.
fn comment() -> impl Strategy<Value = Vec<(String, String)>> {
    // `extra` is no field: serde's error, rarely, so most files are read.
    const OPTIONAL: [(&str, f64); 10] = [
        ("parent", 0.3),
        ("member", 0.3),
        ("url", 0.3),
        ("body", 0.8),
        ("status", 0.2),
        ("moderation_reason", 0.1),
        ("kind", 0.2),
        ("source", 0.3),
        ("source_url", 0.3),
        ("extra", 0.02),
    ];
    let required = ["id", "author", "date"].map(|k| value_for(k).prop_map(move |v| (k, v)));
    let optional =
        OPTIONAL.map(|(k, p)| prop::option::weighted(p, value_for(k).prop_map(move |v| (k, v))));
    (
        required.to_vec(),
        optional.to_vec(),
        prop::option::weighted(0.05, any::<Index>()),
    )
        .prop_flat_map(|(required, optional, dropped)| {
            let mut pairs: Vec<(String, String)> = required
                .into_iter()
                .chain(optional.into_iter().flatten())
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            // A missing required field or an unknown one is serde's error.
            if let Some(i) = dropped {
                pairs.remove(i.index(3));
            }
            Just(pairs).prop_shuffle()
        })
}

/// Lines that leave the subset, to put anywhere in a file.
fn junk_line() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "# note",
        "  # note",
        "---",
        "...",
        "\t",
        "   extra: 1",
        "  - x",
        "  nested:",
        "    a: 1",
        "- ",
        "-",
        "  id: 9",
        "  author: \"X\"",
        "- id: 5",
        "  body: |",
        "    text",
        "  a: b: c",
        "x",
        "\u{feff}",
    ])
    .prop_map(str::to_owned)
}

/// A comment file, mostly in the subset, with mutations that leave it.
fn comment_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(comment(), 1..5),
        prop::option::weighted(0.15, (any::<Index>(), junk_line())),
        prop::option::weighted(0.05, any::<Index>()),
        prop::sample::select(
            vec!["\n"; 16]
                .into_iter()
                .chain(["\n\n", "\r\n", " \n"])
                .collect::<Vec<_>>(),
        ),
        any::<bool>(),
        prop::option::weighted(0.03, Just("\u{feff}")),
        prop::option::weighted(0.5, (any::<Index>(), value())),
    )
        .prop_map(
            |(comments, junk, trailing_space, newline, last_newline, bom, odd)| {
                let mut lines: Vec<String> = Vec::new();
                for pairs in comments {
                    for (n, (k, v)) in pairs.iter().enumerate() {
                        let lead = if n == 0 { "- " } else { "  " };
                        lines.push(format!("{lead}{k}: {v}"));
                    }
                }
                // One value of any kind for any key: the near misses.
                if let Some((at, value)) = odd {
                    let n = at.index(lines.len());
                    let key_end = lines[n].find(": ").expect("a pair") + 2;
                    lines[n].replace_range(key_end.., &value);
                }
                if let Some((at, line)) = junk {
                    lines.insert(at.index(lines.len() + 1), line);
                }
                if let Some(at) = trailing_space {
                    let n = at.index(lines.len());
                    lines[n].push(' ');
                }
                let mut text = bom.unwrap_or_default().to_owned() + &lines.join(newline);
                if last_newline {
                    text.push_str(newline);
                }
                text
            },
        )
}

#[test]
fn the_fast_path_changes_no_result_and_no_error() {
    let ctx = Default::default();
    flat_yaml::check_agreement(comment_file(), 3000, |text| {
        let (fast, slow) = both_readings(text);
        let taken = fast.is_some();
        if let Some(fast) = fast {
            prop_assert_eq!(&fast, &slow, "read differently: {:?}", text);
        }
        let with = parse_with(&file(text), &ctx, Reader::FastPath);
        let without = parse_with(&file(text), &ctx, Reader::SerdeYaml);
        prop_assert_eq!(
            format!("{with:?}"),
            format!("{without:?}"),
            "parsed differently: {:?}",
            text
        );
        Ok(taken)
    });
}

/// Comments as an importer writes them, with what makes YAML hard.
fn imported_file() -> String {
    let date = |s| crate::date::parse_date(s).unwrap();
    let reply = CommentRecord {
        id: "1".into(),
        author: "ignored".into(),
        url: Some("https://dana.example/a?b=c&d=e#f".into()),
        body_html:
            "a: b # c\n\n\"quoted\" \\ back\\slash\ttab\r\nbell\u{7} é 😀 \u{2028} \u{feff}</p>"
                .into(),
        ..CommentRecord::default()
    };
    let answer = CommentRecord {
        id: "wp-2".into(),
        parent: Some("1".into()),
        body_html: "<p>Not <strong>x</strong> &amp; y</p>\n<p>z</p>".into(),
        source: Some(Channel::Email),
        source_url: Some("https://lists.example/m/2".into()),
        ..CommentRecord::default()
    };
    let like = CommentRecord {
        id: "wm-3".into(),
        reaction: Some(ReactionKind::Like),
        source: Some(Channel::Webmention),
        source_url: Some("https://brid.gy/like/x/3".into()),
        ..CommentRecord::default()
    };
    let held = Verdict {
        status: Status::Pending,
        reason: Some("first \"time\"\nhere: #1".into()),
    };
    let mut text = new_contribution(
        &reply,
        &Placement {
            parent: None,
            author: "Dana \"DJ\" O'Neil \\ # : ü 😀 -x",
            member: Some("dana-o"),
            date: date("2016-12-05T23:17:21Z"),
            held: None,
        },
    );
    text += &new_contribution(
        &answer,
        &Placement {
            parent: answer.parent.as_deref(),
            author: "- Anonymous: [1] {2} &a *b !c |d >e 'f' %g @h `i`",
            member: None,
            date: date("2016-12-06T01:02:03.250+02:00"),
            held: Some(&held),
        },
    );
    text += &new_contribution(
        &like,
        &Placement {
            parent: None,
            author: "null",
            member: None,
            date: date("2016-12-07T00:00:00-05:00"),
            held: None,
        },
    );
    text
}

#[test]
fn what_an_importer_writes_takes_the_fast_path() {
    let text = imported_file();
    let (fast, slow) = both_readings(&text);
    assert_eq!(fast.as_deref(), Some(slow.as_str()), "{text}");
    // The shapes worth checking were written: plain dates, enums, handles.
    for line in [
        "  date: 2016-12-06T01:02:03.250+02:00",
        "  kind: like",
        "  member: dana-o",
    ] {
        assert!(text.contains(line), "{line} not in {text}");
    }
    let c = parse_comments(&file(&text), &Default::default()).unwrap();
    assert_eq!((c.comments.len(), c.reactions.len()), (1, 1));
}
