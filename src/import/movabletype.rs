//! Movable Type / TypePad text exports, read line by line.
//!
//! An entry is header lines (`AUTHOR:`, `TITLE:`, `BASENAME:`, `STATUS:`,
//! `DATE:`, `CATEGORY:`, `TAGS:`), then sections (`BODY:`, `EXTENDED
//! BODY:`, `EXCERPT:`, `KEYWORDS:`, `COMMENT:`, `PING:`), each ended by a
//! line of five dashes; a line of eight dashes ends the entry. Comments have
//! no ids in this format: each gets `mt-<entry slug>-<n>`, `n` counting from
//! 1 in file order, so a re-import gives the same ids.

use std::io::BufRead;

use super::text::{decode_entities, parse_any_date};
use super::{CommentRecord, Failure, Item, ParseError, PostRecord, Sink};
use crate::slug::slugify;

#[derive(PartialEq)]
enum Section {
    Head,
    Body,
    Extended,
    Comment { in_body: bool },
    Other,
}

#[derive(Default)]
struct Entry {
    post: PostRecord,
    basename: String,
    status: String,
    body: String,
    extended: String,
    comments: Vec<CommentRecord>,
}

/// Parses a Movable Type export, handing `sink` each entry with its
/// comments.
pub fn parse<R: BufRead>(mut input: R, sink: &mut Sink<'_>) -> Result<(), Failure> {
    let mut entry = Entry::default();
    let mut section = Section::Head;
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let mut count = 0usize;
    let mut started = false;
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf).map_err(|e| {
            Failure::Parse(ParseError {
                line: line_no + 1,
                column: 1,
                message: format!("could not read: {e}"),
            })
        })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if !started {
            if line.trim().is_empty() {
                continue;
            }
            check_first_line(line)?;
            started = true;
        }
        if line == "--------" {
            count += 1;
            finish(std::mem::take(&mut entry), count, sink)?;
            section = Section::Head;
            continue;
        }
        if line == "-----" {
            section = Section::Other;
            continue;
        }
        if section == Section::Other || section == Section::Head {
            match line {
                "BODY:" => {
                    section = Section::Body;
                    continue;
                }
                "EXTENDED BODY:" => {
                    section = Section::Extended;
                    continue;
                }
                "COMMENT:" => {
                    entry.comments.push(CommentRecord::default());
                    section = Section::Comment { in_body: false };
                    continue;
                }
                "EXCERPT:" | "KEYWORDS:" | "PING:" => {
                    section = Section::Other;
                    continue;
                }
                _ => {}
            }
        }
        match &mut section {
            Section::Head => {
                let Some((key, value)) = line.split_once(':') else {
                    continue;
                };
                let value = value.trim();
                let p = &mut entry.post;
                match key.trim() {
                    "AUTHOR" => p.authors.push(decode_entities(value)),
                    "TITLE" => p.title = decode_entities(value),
                    "BASENAME" => entry.basename = value.to_owned(),
                    "STATUS" => entry.status = value.to_ascii_lowercase(),
                    "DATE" => p.date = parse_any_date(value),
                    "PRIMARY CATEGORY" | "CATEGORY"
                        if !value.is_empty() && !p.categories.iter().any(|c| c == value) =>
                    {
                        p.categories.push(value.to_owned())
                    }
                    "TAGS" => p.tags.extend(split_tags(value)),
                    _ => {}
                }
            }
            Section::Body => {
                entry.body.push_str(line);
                entry.body.push('\n');
            }
            Section::Extended => {
                entry.extended.push_str(line);
                entry.extended.push('\n');
            }
            Section::Comment { in_body } => {
                let c = entry.comments.last_mut().expect("a comment was opened");
                if !*in_body {
                    if let Some((key, value)) = line.split_once(':') {
                        let value = value.trim();
                        match key {
                            "AUTHOR" => {
                                c.author = decode_entities(value);
                                continue;
                            }
                            "EMAIL" => {
                                c.email = Some(value.to_owned()).filter(|e| !e.is_empty());
                                continue;
                            }
                            "URL" => {
                                c.url = Some(value.to_owned()).filter(|u| !u.is_empty());
                                continue;
                            }
                            "IP" => continue,
                            "DATE" => {
                                c.date = parse_any_date(value);
                                continue;
                            }
                            _ => {}
                        }
                    }
                    *in_body = true;
                }
                c.body_html.push_str(line);
                c.body_html.push('\n');
            }
            Section::Other => {}
        }
    }
    if !started {
        return Err(not_an_export("it is empty".into()));
    }
    if !entry.post.title.is_empty() || !entry.body.is_empty() || !entry.comments.is_empty() {
        count += 1;
        finish(entry, count, sink)?;
    }
    Ok(())
}

/// The keys an entry's first line can have.
const FIRST_KEYS: &[&str] = &[
    "AUTHOR",
    "TITLE",
    "BASENAME",
    "STATUS",
    "ALLOW COMMENTS",
    "ALLOW PINGS",
    "CONVERT BREAKS",
    "PRIMARY CATEGORY",
    "CATEGORY",
    "DATE",
    "TAGS",
    "NO ENTRY",
    "UNIQUE URL",
    "BODY",
];

/// An export starts with an entry's header line (`AUTHOR: ann`); anything
/// else (an HTML page, random bytes) is some other file.
fn check_first_line(line: &str) -> Result<(), Failure> {
    let key = line.split_once(':').map(|(k, _)| k.trim());
    if key.is_some_and(|k| FIRST_KEYS.contains(&k)) {
        return Ok(());
    }
    Err(not_an_export(format!(
        "it starts with {}, expected an entry's header lines (`AUTHOR:`, `TITLE:`, `DATE:`, ...)",
        super::how_it_starts(line)
    )))
}

fn not_an_export(why: String) -> Failure {
    Failure::NotAnExport {
        what: "a Movable Type export",
        why,
    }
}

fn split_tags(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

fn finish(mut e: Entry, count: usize, sink: &mut Sink<'_>) -> Result<(), Failure> {
    let mut slug = slugify(&e.basename);
    if slug.is_empty() {
        slug = slugify(&e.post.title);
    }
    if slug.is_empty() {
        slug = format!("entry-{count}");
    }
    e.post.slug = slug.clone();
    e.post.source_id = format!("mt-{slug}");
    e.post.draft = matches!(e.status.as_str(), "draft" | "future" | "review");
    e.post.body_html = if e.extended.trim().is_empty() {
        e.body
    } else {
        format!("{}\n\n{}", e.body.trim_end(), e.extended)
    };
    for (n, c) in e.comments.iter_mut().enumerate() {
        c.id = format!("mt-{slug}-{}", n + 1);
        c.body_html = c.body_html.trim().to_owned();
    }
    sink(Item::Post(e.post, e.comments)).map_err(Failure::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &[u8]) -> Vec<Item> {
        let mut items = Vec::new();
        parse(text, &mut |i| {
            items.push(i);
            Ok(())
        })
        .unwrap();
        items
    }

    #[test]
    fn entries_and_comments() {
        let items = collect(b"AUTHOR: ann\nTITLE: Hello\nSTATUS: Publish\nTAGS: \"a b\",c\nDATE: 09/25/2010 10:00:00 AM\n-----\nBODY:\nHi there.\n-----\nCOMMENT:\nAUTHOR: Bo\nEMAIL: bo@example.invalid\nDATE: 09/26/2010 01:00:00 PM\nNice.\nTwo lines.\n-----\n--------\n");
        let Item::Post(p, c) = &items[0] else {
            panic!()
        };
        assert_eq!(p.title, "Hello");
        assert_eq!(p.tags, ["a b", "c"]);
        assert!(p.date.is_some());
        assert_eq!(c[0].id, "mt-hello-1");
        assert_eq!(c[0].author, "Bo");
        assert_eq!(c[0].body_html, "Nice.\nTwo lines.");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "(AUTHOR: x\n|TITLE: t\n|DATE: [0-9/: APM]{0,22}\n|-----\n|--------\n|BODY:\n|COMMENT:\n|[a-z :]{0,10}\n){0,40}") {
            let mut items = Vec::new();
            let _ = parse(s.as_bytes(), &mut |i| { items.push(i); Ok(()) });
        }
    }
}
