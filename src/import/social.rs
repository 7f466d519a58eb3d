//! `salon import mastodon` and `salon import bluesky`: reading the saved
//! API answers and writing the thread. What the two pure parsers share is
//! in [`super::social_parse`], below them.

use std::fs;
use std::path::Path;

use super::conversation::{ThreadOptions, ThreadReport, ThreadWriter};
use super::social_parse::Parsed;
use super::ParseError;
use crate::error::{Diagnostic, Error, Position};

/// `salon import mastodon STATUS.json CONTEXT.json`.
pub fn import_mastodon(
    root: &Path,
    status: &Path,
    context: &Path,
    opts: &ThreadOptions,
) -> Result<ThreadReport, Error> {
    write(root, read_mastodon(status, context)?, opts)
}

/// A Mastodon status and its context, read and parsed into one conversation.
pub(crate) fn read_mastodon(status: &Path, context: &Path) -> Result<Parsed, Error> {
    let status_text = read(status)?;
    let context_text = read(context)?;
    let s = super::mastodon::parse_status(&status_text).map_err(|e| at(status, e))?;
    let c = super::mastodon::parse_context(&context_text).map_err(|e| at(context, e))?;
    super::mastodon::conversation(s, c).map_err(Error::Refused)
}

/// `salon import bluesky THREAD.json`.
pub fn import_bluesky(
    root: &Path,
    thread: &Path,
    opts: &ThreadOptions,
) -> Result<ThreadReport, Error> {
    write(root, read_bluesky(thread)?, opts)
}

/// A saved Bluesky thread, read and parsed.
pub(crate) fn read_bluesky(thread: &Path) -> Result<Parsed, Error> {
    let text = read(thread)?;
    super::bluesky::parse(&text).map_err(|e| at(thread, e))
}

pub(crate) fn read(path: &Path) -> Result<String, Error> {
    let bytes = fs::File::open(path)
        .and_then(|f| super::read_whole(f, super::MAX_READ_WHOLE))
        .map_err(|e| Error::io(path, e))?
        .ok_or_else(|| {
            Error::Content(vec![Diagnostic::error(
                path,
                None,
                super::too_big_to_read_whole(super::MAX_READ_WHOLE),
            )])
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let pos = Position::of_offset(&String::from_utf8_lossy(valid), valid.len());
        Error::Content(vec![Diagnostic::error(
            path,
            Some(pos),
            "not UTF-8 text (an API answer is JSON in UTF-8)",
        )])
    })
}

pub(crate) fn at(path: &Path, e: ParseError) -> Error {
    Error::Content(vec![Diagnostic::error(
        path,
        Some(Position::new(e.line, e.column)),
        e.message,
    )])
}

fn write(root: &Path, parsed: Parsed, opts: &ThreadOptions) -> Result<ThreadReport, Error> {
    let mut report = ThreadWriter::new(root)?.write(&parsed.conversation, opts)?;
    report.notes.splice(0..0, parsed.notes);
    Ok(report)
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;
    use serde_json::Value;

    const KEYS: [&str; 40] = [
        "thread",
        "post",
        "parent",
        "replies",
        "$type",
        "uri",
        "author",
        "handle",
        "displayName",
        "record",
        "text",
        "createdAt",
        "facets",
        "index",
        "byteStart",
        "byteEnd",
        "features",
        "did",
        "tag",
        "embed",
        "images",
        "fullsize",
        "alt",
        "external",
        "title",
        "id",
        "in_reply_to_id",
        "content",
        "account",
        "acct",
        "username",
        "display_name",
        "url",
        "media_attachments",
        "type",
        "description",
        "visibility",
        "ancestors",
        "descendants",
        "created_at",
    ];

    /// JSON shaped like the answers: their keys, their kinds of values.
    fn answer_like() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..300).prop_map(Value::from),
            prop::sample::select(vec![
                "app.bsky.feed.defs#threadViewPost",
                "app.bsky.feed.defs#notFoundPost",
                "app.bsky.feed.defs#blockedPost",
                "app.bsky.richtext.facet#link",
                "app.bsky.richtext.facet#mention",
                "app.bsky.embed.images#view",
                "app.bsky.embed.record#view",
                "app.bsky.embed.recordWithMedia#view",
                "app.bsky.embed.record#viewRecord",
                "at://did:plc:a/app.bsky.feed.post/3k",
                "at://did:plc:b/app.bsky.feed.post/3k",
                "https://social.example/@a",
                "did:plc:a",
                "ann.bsky.social",
                "handle.invalid",
                "2024-01-01T00:00:00Z",
                "private",
                "1",
                "2",
                "",
            ])
            .prop_map(Value::from),
            "[a-zé@#*_<>\\[\\]/.: \n-]{0,16}".prop_map(Value::from),
        ];
        leaf.prop_recursive(8, 96, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..7).prop_map(
                    |kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                ),
            ]
        })
    }

    fn parse_all(text: &str) {
        let _ = super::super::bluesky::parse(text);
        let status = super::super::mastodon::parse_status(text);
        let context = super::super::mastodon::parse_context(text);
        if let (Ok(s), Ok(c)) = (status, context) {
            let _ = super::super::mastodon::conversation(s, c);
        }
    }

    const FIXTURES: [&str; 3] = [
        include_str!("../../tests/fixtures/social/bluesky-thread.json"),
        include_str!("../../tests/fixtures/social/mastodon-status.json"),
        include_str!("../../tests/fixtures/social/mastodon-context.json"),
    ];

    /// Every JSON pointer into `v`.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                pointers(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                )
            }),
            _ => {}
        }
        out.push(at);
    }

    proptest! {
        #[test]
        fn real_answers_with_one_part_replaced_never_panic(
            which in 0..FIXTURES.len(),
            pick in any::<prop::sample::Index>(),
            part in answer_like(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut v: Value = serde_json::from_str(FIXTURES[which]).unwrap();
            let mut all = Vec::new();
            pointers(&v, String::new(), &mut all);
            let at = pick.get(&all).clone();
            if let Some(slot) = v.pointer_mut(&at) {
                *slot = part;
            }
            let text = v.to_string();
            parse_all(&text);
            // And the same text cut short anywhere.
            let mut end = cut.index(text.len() + 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            parse_all(&text[..end]);
        }

        #[test]
        fn answer_like_json_never_panics_the_parsers(v in answer_like()) {
            parse_all(&v.to_string());
            parse_all(&serde_json::json!({ "thread": v.clone() }).to_string());
            parse_all(&serde_json::json!({ "descendants": [v.clone()], "id": "1" }).to_string());
        }

        #[test]
        fn json_like_text_never_panics_the_parsers(s in "(\\{|\\}|\\[|\\]|,|:|\"thread\"|\"post\"|\"replies\"|\"id\"|\"text\"|\"uri\"|\"at://x/app.bsky.feed.post/k\"|null|1|\"a\"| ){0,60}") {
            parse_all(&s);
        }
    }
}
