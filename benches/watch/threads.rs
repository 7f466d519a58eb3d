//! The "thread edit" row: a sentence appended to one message of a thread
//! file (`content/threads/*.md`, as `salon import mbox` writes them), timed
//! from the save to the `GET` of the thread's page holding that message
//! (the right page of a paginated thread) returning bytes that show it.
//!
//! Each edit is undone once it is timed: the file's original bytes are
//! written back (also when the benchmark panics), and the rebuild that
//! follows is waited for and left out of the numbers. That is what lets
//! the row run on a site folder of the user's own, in place.

use std::fs;
use std::path::{Path, PathBuf};

use super::served::{contains, Session};

/// A thread file and its size in bytes.
pub struct ThreadFile {
    pub path: PathBuf,
    pub bytes: u64,
}

/// The thread files under `root/content/threads`, largest first.
pub fn thread_files(root: &Path) -> Vec<ThreadFile> {
    let mut files: Vec<ThreadFile> = walkdir::WalkDir::new(root.join("content/threads"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| {
            let bytes = e.metadata().ok()?.len();
            Some(ThreadFile {
                path: e.into_path(),
                bytes,
            })
        })
        .collect();
    files.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    files
}

/// Chooses the threads to edit, seeded by `pick`: among the largest ten
/// (or tenth, for fewer than 100 threads) or among all; no thread twice
/// while some are left.
pub struct Chooser {
    used: Vec<bool>,
}

impl Chooser {
    pub fn new(threads: &[ThreadFile]) -> Chooser {
        Chooser {
            used: vec![false; threads.len()],
        }
    }

    /// How many threads count as the largest.
    pub fn largest(&self) -> usize {
        (self.used.len() / 10).clamp(1, 10)
    }

    /// The index of a thread: one of the largest if `largest`.
    pub fn next(&mut self, largest: bool, pick: &mut dyn FnMut(usize) -> usize) -> usize {
        let pool = if largest {
            self.largest()
        } else {
            self.used.len()
        };
        let unused: Vec<usize> = (0..pool).filter(|&i| !self.used[i]).collect();
        let i = if unused.is_empty() {
            pick(pool)
        } else {
            unused[pick(unused.len())]
        };
        self.used[i] = true;
        i
    }
}

/// An edit ready to save: the file's text with a sentence appended to one
/// message, and where that message is served.
pub struct Prepared {
    pub path: PathBuf,
    pub original: Vec<u8>,
    pub edited: String,
    /// The URL path of the thread's page holding the message.
    pub url: String,
    /// The sentence appended: the page shows the edit when it holds it.
    pub marker: String,
    /// Entries in the thread file.
    pub entries: usize,
}

/// Prepares an edit of a message of `path` picked by `pick`, with marker
/// `i`, finding the page that shows the message on `session`; `None` if
/// no message of the thread could be edited and found (a thread with
/// skipped entries, or with texts written in a form this does not edit).
pub fn prepare(
    path: &Path,
    i: usize,
    session: &Session,
    pick: &mut dyn FnMut(usize) -> usize,
) -> Option<Prepared> {
    let original = fs::read(path).expect("read thread");
    let text = std::str::from_utf8(&original).ok()?;
    let entries = entries(text);
    if entries.is_empty() {
        return None;
    }
    let base = format!("/threads/{}/", slug(path, text));
    // No colon, quote or markup: it reads the same in any YAML scalar and
    // in the HTML.
    let marker = format!("One more sentence from the watch benchmark, number {i}.");
    for _ in 0..5 {
        let k = pick(entries.len());
        let Some(edited) = append_to_entry(text, &entries, k, &marker)
            .filter(|e| reads_back(e, &entries[k].id, &marker))
        else {
            continue;
        };
        let Some(url) = page_of(session, &base, &entry_anchor(&entries[k].id)) else {
            continue;
        };
        return Some(Prepared {
            path: path.to_path_buf(),
            original,
            edited,
            url,
            marker,
            entries: entries.len(),
        });
    }
    None
}

/// Writes a file's original bytes back when dropped, unless taken: an
/// edit is undone even when the benchmark panics meanwhile.
pub struct Restore {
    path: PathBuf,
    original: Option<Vec<u8>>,
}

impl Restore {
    pub fn new(path: &Path, original: Vec<u8>) -> Restore {
        Restore {
            path: path.to_path_buf(),
            original: Some(original),
        }
    }

    /// Writes the original back now.
    pub fn restore(mut self) {
        self.write();
    }

    fn write(&mut self) {
        if let Some(o) = self.original.take() {
            if let Err(e) = fs::write(&self.path, o) {
                eprintln!("could not restore {}: {e}", self.path.display());
            }
        }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        self.write();
    }
}

/// The URL path of page `page` of the thread at `base`.
fn page_path(base: &str, page: usize) -> String {
    if page == 1 {
        base.to_owned()
    } else {
        format!("{base}page/{page}/")
    }
}

/// The page of the thread at `base` holding the element `id="anchor"`,
/// asked of the server page by page.
fn page_of(session: &Session, base: &str, anchor: &str) -> Option<String> {
    let needle = format!("id=\"{anchor}\"");
    for page in 1.. {
        let url = page_path(base, page);
        let (status, body) = session.get_status(&url);
        if status != 200 {
            return None;
        }
        if contains(&body, needle.as_bytes()) {
            return Some(url);
        }
    }
    None
}

/// The anchor of a thread entry, as the renderer writes it.
fn entry_anchor(id: &str) -> String {
    format!(
        "entry-{}",
        salon::model::comment_anchor(id).trim_start_matches("comment-")
    )
}

/// The thread's slug: its `slug:`, else its file name (the importer's
/// file names are slugs).
fn slug(path: &Path, text: &str) -> String {
    let fm = front_matter(text);
    for line in fm.lines() {
        if let Some(v) = line.strip_prefix("slug:") {
            return unquote(v.trim());
        }
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("file name");
    salon::slug::slugify(stem)
}

/// The front matter of a content file: between the first two `---` lines.
fn front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return "";
    };
    let end = rest.find("\n---\n").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn unquote(v: &str) -> String {
    if v.starts_with('"') {
        serde_json::from_str(v).unwrap_or_else(|_| v.to_owned())
    } else {
        v.trim_matches('\'').to_owned()
    }
}

/// An entry of a thread file: its id and the byte offset of its `- id:`
/// line.
pub struct Entry {
    pub id: String,
    pub at: usize,
}

/// The entries of the front matter of `text`: the `- id:` items at the
/// indentation of the first one (a message's text, indented deeper,
/// cannot pass for one).
fn entries(text: &str) -> Vec<Entry> {
    let fm_start = if text.starts_with("---\n") { 4 } else { 0 };
    let fm = front_matter(text);
    let mut out = Vec::new();
    let mut indent = None;
    let mut offset = fm_start;
    for line in fm.split_inclusive('\n') {
        let t = line.trim_start();
        let ind = line.len() - t.len();
        if let Some(v) = t.strip_prefix("- id:") {
            if indent.is_none_or(|i| i == ind) {
                indent = Some(ind);
                out.push(Entry {
                    id: unquote(v.trim()),
                    at: offset,
                });
            }
        }
        offset += line.len();
    }
    out
}

/// `text` with `marker` appended to the text of entry `k`: a paragraph
/// of its own at the end of a block scalar (`text: |-`), or a sentence at
/// the end of a one-line scalar. `None` when the entry has no `text:` or
/// writes it otherwise.
fn append_to_entry(text: &str, entries: &[Entry], k: usize, marker: &str) -> Option<String> {
    let start = entries[k].at;
    let item_indent = text[start..].len() - text[start..].trim_start().len();
    let end = match entries.get(k + 1) {
        Some(e) => e.at,
        None => item_end(text, start, item_indent),
    };
    let item = &text[start..end];
    let mut offset = start;
    let mut lines = item.split_inclusive('\n');
    // The `text:` key, at the item's field indentation.
    let field_indent = item_indent + 2;
    let (line_at, line) = loop {
        let line = lines.next()?;
        let at = offset;
        offset += line.len();
        let t = line.trim_start();
        if line.len() - t.len() == field_indent && t.starts_with("text:") {
            break (at, line);
        }
    };
    let value = line.trim_start()["text:".len()..].trim();
    if value.starts_with('|') || value.starts_with('>') {
        // The block runs while lines are blank or indented deeper than
        // the key; the sentence goes after its last non-blank line.
        let mut last_end = line_at + line.len();
        let mut block_indent = None;
        for l in lines {
            let t = l.trim_start();
            let ind = l.len() - t.len();
            if !t.trim().is_empty() {
                if ind <= field_indent {
                    break;
                }
                block_indent.get_or_insert(ind);
                last_end = offset + l.len();
            }
            offset += l.len();
        }
        let pad = " ".repeat(block_indent.unwrap_or(field_indent + 2));
        let mut out = String::with_capacity(text.len() + marker.len() + pad.len() + 2);
        out.push_str(&text[..last_end]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&pad);
        out.push_str(marker);
        out.push('\n');
        out.push_str(&text[last_end..]);
        Some(out)
    } else {
        // A quoted scalar on one line (as the importer writes a text that
        // a block would not read back as written).
        let closes = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value.len() >= 2 && value.ends_with(q),
            _ => false,
        };
        if !closes {
            return None;
        }
        // The sentence goes before the closing quote.
        let quote_at = line_at + line.trim_end().len() - 1;
        let sep = if value.len() == 2 { "" } else { " " };
        Some(format!(
            "{}{sep}{marker}{}",
            &text[..quote_at],
            &text[quote_at..]
        ))
    }
}

/// Where the last entry, starting at `start`, ends: at the next line as
/// indented as its `-` or less, or where the front matter does.
fn item_end(text: &str, start: usize, item_indent: usize) -> usize {
    let fm_end = if text.starts_with("---\n") { 4 } else { 0 } + front_matter(text).len();
    let mut at = start;
    for (n, line) in text[start..fm_end].split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if n > 0 && !t.trim().is_empty() && line.len() - t.len() <= item_indent {
            return at;
        }
        at += line.len();
    }
    fm_end
}

/// Whether the front matter of `edited` reads back, its entry `id` with
/// `marker` in its text.
fn reads_back(edited: &str, id: &str, marker: &str) -> bool {
    let Ok(fm) = serde_yaml::from_str::<serde_yaml::Value>(front_matter(edited)) else {
        return false;
    };
    let Some(list) = fm.get("entries").and_then(|e| e.as_sequence()) else {
        return false;
    };
    list.iter().any(|e| {
        let same = match e.get("id") {
            Some(serde_yaml::Value::String(s)) => s == id,
            Some(serde_yaml::Value::Number(n)) => n.to_string() == id,
            _ => false,
        };
        same && e
            .get("text")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.contains(marker))
    })
}
