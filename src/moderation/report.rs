//! What `salon moderate` prints: for people, or as JSON for scripts.

use std::fmt::Write as _;

use super::queue::{Change, Waiting};
use super::Status;

/// The list of what waits: one block per comment, for a terminal.
pub fn list_text(waiting: &[Waiting]) -> String {
    let mut out = String::new();
    for w in waiting {
        let _ = writeln!(
            out,
            "{}  {}  {}  {}",
            w.id,
            w.status.as_str(),
            w.date,
            w.author
        );
        if !w.first_line.is_empty() {
            let _ = writeln!(out, "    \"{}\"", w.first_line);
        }
        let why = w.reason.as_deref().unwrap_or("no reason recorded");
        let _ = writeln!(out, "    why: {why}");
        let _ = writeln!(out, "    in {}:{}", w.file.display(), w.line);
    }
    out
}

/// The one-line summary after the list.
pub fn list_summary(waiting: &[Waiting]) -> String {
    let pending = waiting
        .iter()
        .filter(|w| w.status == Status::Pending)
        .count();
    let spam = waiting.len() - pending;
    match waiting.len() {
        0 => "Nothing waits for moderation.".to_owned(),
        _ => format!(
            "{pending} pending, {spam} held as spam. Publish with `salon moderate approve ID…`; `reject ID…` or `spam ID…` keep them off the site."
        ),
    }
}

/// The list as JSON: `{"waiting": [...], "pending": n, "spam": n}`.
pub fn list_json(waiting: &[Waiting]) -> String {
    let pending = waiting
        .iter()
        .filter(|w| w.status == Status::Pending)
        .count();
    serde_json::json!({
        "waiting": waiting,
        "pending": pending,
        "spam": waiting.len() - pending,
    })
    .to_string()
}

/// What a change did, a line per comment.
pub fn changes_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let _ = match c.from == c.to {
            true => writeln!(out, "{} is {} already", c.id, c.to.as_str()),
            false => writeln!(out, "{}: {} (was {})", c.id, c.to.as_str(), c.from.as_str()),
        };
    }
    out
}

/// What a change did, as JSON: `{"changed": [{"id", "from", "to"}]}`.
pub fn changes_json(changes: &[Change]) -> String {
    serde_json::json!({ "changed": changes }).to_string()
}
