//! `salon moderate`: what waits, and changing a comment's status in its
//! file.
//!
//! A change edits the one `status:` line of the comment (or adds one), as
//! text: every other byte of the file stays as it was. The new text is read
//! back before it is written; unless it holds the same comments with only
//! that status changed, nothing is written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_yaml::Value;

use super::Status;
use crate::error::Error;

/// A comment that waits for a moderator.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    /// `post-slug#comment-id`: what `salon moderate approve` takes.
    pub id: String,
    /// The post's slug.
    pub post: String,
    /// The comment's id in its file.
    pub comment: String,
    /// `pending` or `spam`.
    pub status: Status,
    /// Who wrote it.
    pub author: String,
    /// When, as written.
    pub date: String,
    /// Its first words.
    pub first_line: String,
    /// Why it waits (`moderation_reason:`), if the file says.
    pub reason: Option<String>,
    /// Its file, relative to the site.
    pub file: PathBuf,
    /// The line its entry starts on.
    pub line: usize,
}

/// A status changed (or already as asked).
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `post-slug#comment-id`.
    pub id: String,
    /// Its status before.
    pub from: Status,
    /// Its status now.
    pub to: Status,
}

/// One comment file, read for moderation.
struct CommentFile {
    abs: PathBuf,
    rel: PathBuf,
    slug: String,
    text: String,
    values: Vec<Value>,
    /// Byte range of each top-level entry, when the file is a block list
    /// whose entries start at column 1 (else it cannot be edited).
    spans: Option<Vec<(usize, usize)>>,
}

impl CommentFile {
    fn read(root: &Path, abs: &Path) -> Result<CommentFile, Error> {
        let text = std::fs::read_to_string(abs).map_err(|e| Error::io(abs, e))?;
        let rel = abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
        let values = read_values(&text).ok_or_else(|| {
            Error::Refused(format!(
                "{} is not a list of comments; `salon build` says where",
                rel.display()
            ))
        })?;
        let spans = item_spans(&text).filter(|s| s.len() == values.len());
        Ok(CommentFile {
            abs: abs.to_path_buf(),
            rel,
            slug: crate::parse::file_stem(abs),
            text,
            values,
            spans,
        })
    }

    fn status(&self, k: usize) -> Status {
        status_of(&self.values[k])
    }

    fn id(&self, k: usize) -> String {
        scalar(&self.values[k]["id"])
    }
}

fn read_values(text: &str) -> Option<Vec<Value>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    serde_yaml::from_str::<Option<Vec<Value>>>(text)
        .ok()
        .map(Option::unwrap_or_default)
}

fn status_of(v: &Value) -> Status {
    serde_yaml::from_value(v["status"].clone()).unwrap_or_default()
}

/// A scalar as text (ids may be numbers).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Where each top-level `- ` entry starts and ends.
fn item_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("- ") || line.trim_end() == "-" {
            starts.push(offset);
        }
        offset += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    Some(starts.iter().copied().zip(ends).collect())
}

/// Every comment file of the site, read and parsed in parallel.
fn comment_files(root: &Path) -> Result<Vec<CommentFile>, Error> {
    use rayon::prelude::*;
    let listed = crate::load::list_content(root)?;
    listed
        .comments
        .par_iter()
        .map(|f| CommentFile::read(root, &f.abs))
        .collect()
}

/// The comments that wait (`pending`, then `spam`), oldest first.
pub fn list(root: &Path) -> Result<Vec<Waiting>, Error> {
    let mut out = Vec::new();
    for file in comment_files(root)? {
        for (k, v) in file.values.iter().enumerate() {
            let status = status_of(v);
            if !status.waits() {
                continue;
            }
            let comment = file.id(k);
            let line = file
                .spans
                .as_ref()
                .map_or(0, |s| file.text[..s[k].0].lines().count() + 1);
            let body = scalar(&v["body"]);
            out.push(Waiting {
                id: format!("{}#{comment}", file.slug),
                post: file.slug.clone(),
                comment,
                status,
                author: scalar(&v["author"]),
                date: scalar(&v["date"]),
                first_line: crate::search::text::plain_excerpt(&body, 72),
                reason: Some(scalar(&v["moderation_reason"])).filter(|r| !r.is_empty()),
                file: file.rel.clone(),
                line,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.status != Status::Pending, &a.date, &a.id).cmp(&(
            b.status != Status::Pending,
            &b.date,
            &b.id,
        ))
    });
    Ok(out)
}

/// Sets the status of the comments named by `ids` (`post#id`, or an id
/// alone when only one file has it). All or nothing: an unknown or
/// ambiguous id changes no file.
pub fn set_status(root: &Path, ids: &[String], to: Status) -> Result<Vec<Change>, Error> {
    let mut files = comment_files(root)?;
    let mut by_id: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (f, file) in files.iter().enumerate() {
        for k in 0..file.values.len() {
            // Only a mapping can be a comment (the build reports others).
            if !file.values[k].is_mapping() {
                continue;
            }
            let id = file.id(k);
            by_id
                .entry(format!("{}#{id}", file.slug))
                .or_default()
                .push((f, k));
            by_id.entry(id).or_default().push((f, k));
        }
    }
    let mut picked = Vec::new();
    let mut unknown = Vec::new();
    let mut ambiguous = Vec::new();
    for id in ids {
        match by_id.get(id.trim()).map(Vec::as_slice) {
            None | Some([]) => unknown.push(format!("`{id}`")),
            Some([one]) => picked.push(*one),
            Some(many) => ambiguous.push(format!(
                "`{id}` (in {})",
                many.iter()
                    .map(|&(f, _)| format!("{}#{id}", files[f].slug))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if !unknown.is_empty() || !ambiguous.is_empty() {
        let mut why = Vec::new();
        if !unknown.is_empty() {
            why.push(format!("no comment has the id {}", unknown.join(", ")));
        }
        if !ambiguous.is_empty() {
            why.push(format!("name the post of {}", ambiguous.join(", ")));
        }
        return Err(Error::Refused(format!(
            "{}; nothing was changed (`salon moderate` lists the comments that wait, as post#id)",
            why.join("; ")
        )));
    }
    picked.sort_unstable();
    picked.dedup();
    let mut changes = Vec::new();
    let mut touched = Vec::new();
    for &(f, k) in &picked {
        let file = &mut files[f];
        let from = file.status(k);
        changes.push(Change {
            id: format!("{}#{}", file.slug, file.id(k)),
            from,
            to,
        });
        if from == to {
            continue;
        }
        let text = edited(file, k, to)?;
        file.spans = item_spans(&text).filter(|s| s.len() == file.values.len());
        file.values[k]["status"] = Value::String(to.as_str().into());
        file.text = text;
        touched.push(f);
    }
    touched.dedup();
    for f in touched {
        let file = &files[f];
        write_in_place(&file.abs, &file.text)?;
    }
    Ok(changes)
}

/// The file's text with entry `k`'s status set to `to`, checked.
fn edited(file: &CommentFile, k: usize, to: Status) -> Result<String, Error> {
    let refuse = |why: &str| {
        Error::Refused(format!(
            "cannot change comment `{}` in {}: {why}; set `status: {}` there by hand",
            file.id(k),
            file.rel.display(),
            to.as_str()
        ))
    };
    let spans = file
        .spans
        .as_ref()
        .ok_or_else(|| refuse("its entries are not a block list starting at column 1"))?;
    let (start, end) = spans[k];
    let mut expected = file.values.clone();
    expected[k]["status"] = Value::String(to.as_str().into());
    for candidate in candidates(&file.text, start, end, to) {
        if read_values(&candidate).as_ref() == Some(&expected) {
            return Ok(candidate);
        }
    }
    Err(refuse(
        "no edit of its lines reads back as only that change",
    ))
}

/// Texts that may set the status of the entry at `start..end`: its
/// `status:` value replaced, else a `status:` line added after its first
/// line or after its last.
fn candidates(text: &str, start: usize, end: usize, to: Status) -> Vec<String> {
    let entry = &text[start..end];
    let first = entry.split_inclusive('\n').next().unwrap_or("");
    let indent = 1 + first[1..].len() - first[1..].trim_start_matches(' ').len();
    let newline = if first.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = Vec::new();
    let mut offset = start;
    for (n, line) in entry.split_inclusive('\n').enumerate() {
        let key_at = if n == 0 {
            indent
        } else {
            line.len() - line.trim_start_matches(' ').len()
        };
        if key_at == indent {
            if let Some(after) = line[key_at..].strip_prefix("status:") {
                let value_from = key_at + 7 + (after.len() - after.trim_start().len());
                let value_len = line[value_from..]
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(line.len() - value_from);
                let at = offset + value_from;
                out.push(format!(
                    "{}{}{}",
                    &text[..at],
                    to.as_str(),
                    &text[at + value_len..]
                ));
            }
        }
        offset += line.len();
    }
    let line = format!("{}status: {}{newline}", " ".repeat(indent), to.as_str());
    let after_first = start + first.len();
    let mut insert = |at: usize| {
        let glue = if text[..at].ends_with('\n') {
            ""
        } else {
            newline
        };
        out.push(format!("{}{glue}{line}{}", &text[..at], &text[at..]));
    };
    insert(after_first);
    let last = entry.trim_end().len();
    let last_line_end = entry[last..]
        .find('\n')
        .map_or(end, |i| start + last + i + 1);
    if last_line_end != after_first {
        insert(last_line_end);
    }
    out
}

/// Replaces `path`'s text through a temporary file beside it, so a crash
/// leaves the old file or the new one, never half of one.
fn write_in_place(path: &Path, text: &str) -> Result<(), Error> {
    let temp = path.with_extension("yaml.salon-moderate");
    std::fs::write(&temp, text)
        .and_then(|_| {
            if let Ok(meta) = std::fs::metadata(path) {
                std::fs::set_permissions(&temp, meta.permissions())?;
            }
            std::fs::rename(&temp, path)
        })
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Error::io(path, e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> CommentFile {
        let values = read_values(text).unwrap();
        CommentFile {
            abs: PathBuf::from("c.yaml"),
            rel: PathBuf::from("c.yaml"),
            slug: "c".into(),
            spans: item_spans(text).filter(|s| s.len() == values.len()),
            text: text.into(),
            values,
        }
    }

    #[test]
    fn a_status_value_is_replaced_and_nothing_else() {
        let text = "# my notes\n- id: 1\n  author: A   # hand edit\n  date: 2010-01-01\n  status: pending  # from mail\n  body: x\n\n- id: 2\n  author: B\n  date: 2010-01-02\n";
        let f = file(text);
        let new = edited(&f, 0, Status::Approved).unwrap();
        assert_eq!(new, text.replace("status: pending ", "status: approved "));
        let new = edited(&f, 1, Status::Spam).unwrap();
        assert_eq!(
            new,
            text.replace("  author: B\n", "  status: spam\n  author: B\n")
        );
    }

    #[test]
    fn a_block_scalar_first_key_gets_the_line_after_the_entry() {
        let text =
            "- body: |\n    line one\n    line two\n  id: 1\n  author: A\n  date: 2010-01-01\n";
        let f = file(text);
        let new = edited(&f, 0, Status::Spam).unwrap();
        assert_eq!(new, format!("{text}  status: spam\n"));
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = "- id: 1\r\n  author: A\r\n  date: 2010-01-01\r\n";
        let new = edited(&file(text), 0, Status::Rejected).unwrap();
        assert_eq!(
            new,
            "- id: 1\r\n  status: rejected\r\n  author: A\r\n  date: 2010-01-01\r\n"
        );
    }

    #[test]
    fn a_flow_list_is_refused() {
        let f = file("[{id: 1, author: A, date: 2010-01-01}]\n");
        assert!(edited(&f, 0, Status::Spam).is_err());
    }
}
