//! A plain JSON or YAML list of comments, for any other source.
//!
//! ```yaml
//! - id: 17                       # required: unique in the source
//!   post: building-bridges       # the post's slug; or `link:` (its URL) or `title:`
//!   parent: 16                   # optional: the id replied to
//!   author: Jane Doe             # required
//!   email: jane@example.org      # optional: matches members, never written
//!   url: https://jane.example    # optional
//!   date: 2010-09-26T10:00:00Z   # required
//!   body: "<p>Hello</p>"         # HTML (sanitized) or plain text
//!   status: approved             # optional: approved | pending | spam | deleted
//! ```
//! Ids become `json-<id>`. JSON is read as YAML, of which it is a subset.

use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;

use super::text::{decode_entities, parse_any_date};
use super::{CommentRecord, Failure, Item, ParseError, Sink, Target};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: serde_yaml::Value,
    #[serde(default)]
    post: Option<serde_yaml::Value>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    parent: Option<serde_yaml::Value>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    date: Option<serde_yaml::Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
}

/// Why `text` cannot be a JSON or YAML list, judged by how it starts (a
/// list opens with `[` or `- `), so an HTML page or random bytes are named
/// for what they are not rather than reported as a syntax error.
fn not_a_list(text: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let Some(first) = first else {
        return Some("it is empty (an export with no comments is `[]`)".into());
    };
    if first.starts_with(['[', '-', '%']) {
        return None;
    }
    Some(format!(
        "it starts with {}, expected a JSON or YAML list of comments (`[` or `- `)",
        super::how_it_starts(first)
    ))
}

/// Parses a comment list, handing `sink` the comments of each post.
pub fn parse<R: BufRead>(input: R, sink: &mut Sink<'_>) -> Result<(), Failure> {
    parse_at_most(input, super::MAX_READ_WHOLE, sink)
}

/// [`parse`], refusing input over `limit` bytes.
fn parse_at_most<R: BufRead>(input: R, limit: u64, sink: &mut Sink<'_>) -> Result<(), Failure> {
    // Read whole (YAML is no stream), so never more than the limit.
    let read = super::read_whole(input, limit).map_err(|e| {
        Failure::Parse(ParseError {
            line: 1,
            column: 1,
            message: format!("could not read: {e}"),
        })
    })?;
    let Some(bytes) = read else {
        return Err(Failure::Parse(ParseError {
            line: 1,
            column: 1,
            message: super::too_big_to_read_whole(limit),
        }));
    };
    let text = String::from_utf8_lossy(&bytes);
    if let Some(at) = crate::frontmatter::too_deep(&text) {
        return Err(Failure::Parse(ParseError {
            line: at.line,
            column: at.column,
            message: format!(
                "nested deeper than {} levels (expected a list of comments)",
                crate::frontmatter::MAX_NESTING
            ),
        }));
    }
    let raw: Vec<Raw> = if let Some(why) = not_a_list(&text) {
        return Err(Failure::NotAnExport {
            what: "a comment list",
            why,
        });
    } else {
        serde_yaml::from_str::<Option<Vec<Raw>>>(&text)
            .map_err(|e| {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                Failure::Parse(ParseError {
                    line,
                    column,
                    message: format!(
                        "not a list of comments: {e} (see `salon import json` in docs/content.md)"
                    ),
                })
            })?
            .unwrap_or_default()
    };
    let mut order: Vec<(String, String, String)> = Vec::new();
    let mut groups: HashMap<(String, String, String), Vec<CommentRecord>> = HashMap::new();
    for r in raw {
        match r.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("approved") | Some("approve") | Some("published") => {}
            Some("spam") => {
                sink(Item::Skipped("spam comments".into())).map_err(Failure::Write)?;
                continue;
            }
            Some("deleted") | Some("trash") => {
                sink(Item::Skipped("deleted comments".into())).map_err(Failure::Write)?;
                continue;
            }
            Some(_) => {
                sink(Item::Skipped("pending comments".into())).map_err(Failure::Write)?;
                continue;
            }
        }
        let Some(id) = scalar(&r.id) else {
            sink(Item::Skipped("comments with no id".into())).map_err(Failure::Write)?;
            continue;
        };
        let key = (
            r.post.as_ref().and_then(scalar).unwrap_or_default(),
            r.link.unwrap_or_default(),
            r.title.unwrap_or_default(),
        );
        let c = CommentRecord {
            id: format!("json-{id}"),
            parent: r
                .parent
                .as_ref()
                .and_then(scalar)
                .map(|p| format!("json-{p}")),
            // Exports built from a platform's pages carry names as HTML.
            author: decode_entities(&r.author.unwrap_or_default()),
            email: r.email,
            url: r.url,
            date: r
                .date
                .as_ref()
                .and_then(scalar)
                .and_then(|d| parse_any_date(&d)),
            body_html: r.body.unwrap_or_default(),
            ..Default::default()
        };
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(c);
    }
    for key in order {
        let comments = groups.remove(&key).unwrap_or_default();
        let (identifier, link, title) = key;
        sink(Item::Comments(
            Target::Thread {
                link,
                identifier,
                title,
            },
            comments,
        ))
        .map_err(Failure::Write)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_stops_at_the_limit() {
        let endless = std::io::BufReader::new(std::io::repeat(b'-'));
        match parse_at_most(endless, 1 << 20, &mut |_| Ok(())) {
            Err(Failure::Parse(e)) => {
                assert!(
                    e.message.contains("larger than 1048576 bytes"),
                    "{}",
                    e.message
                )
            }
            _ => panic!("an endless input must be refused"),
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        match parse(deep.as_bytes(), &mut |_| Ok(())) {
            Err(Failure::Parse(e)) => assert!(e.message.contains("nested deeper than 64 levels")),
            _ => panic!("deep nesting must be refused"),
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "(- |  |id: |post: |parent: |date: |body: |status: |\\[|\\]|\\{|\\}|,|\"|[a-z0-9:-]|\n){0,80}") {
            let _ = parse(s.as_bytes(), &mut |_| Ok(()));
        }
    }
}
