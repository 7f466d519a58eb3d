//! The YAML text of a thread file's front matter and entries, written so
//! a curator can edit it: texts as literal blocks (`|-`), everything else
//! on one line.

use super::super::text::{clean, yaml_str};

/// One entry, ready to be written.
#[derive(Debug, Clone, Default)]
pub struct EntryText {
    /// Its id (already safe to write).
    pub id: String,
    /// A member handle or a plain name.
    pub by: String,
    /// The entry it answers.
    pub reply_to: Option<String>,
    /// RFC 3339.
    pub date: Option<String>,
    /// The original.
    pub url: Option<String>,
    /// Markdown.
    pub text: String,
    /// Folded quote or signature (markdown).
    pub quoted: Option<String>,
}

/// A scalar as written: bare when YAML reads it back as the same string
/// (a handle like `hmensah`), quoted otherwise.
pub fn scalar(s: &str) -> String {
    let bare = !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if bare {
        s.to_owned()
    } else {
        yaml_str(s)
    }
}

/// `key: value` for a possibly long markdown text at `indent` spaces:
/// a literal block when it reads back unchanged, else a quoted string.
pub fn text_field(key: &str, text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let text = clean(text);
    let text = text.trim_matches('\n').trim_end();
    if text.is_empty() {
        return format!("{pad}{key}: \"\"\n");
    }
    let first = text.lines().next().unwrap_or("");
    if !first.starts_with([' ', '\t']) {
        let mut block = format!("{pad}{key}: |-\n");
        for line in text.lines() {
            if line.trim().is_empty() {
                block.push('\n');
            } else {
                block.push_str(&pad);
                block.push_str("  ");
                block.push_str(line);
                block.push('\n');
            }
        }
        // Blank lines lose their spaces and tabs may upset a reader:
        // keep the block only when it reads back as the same text.
        let back: Option<serde_yaml::Mapping> = serde_yaml::from_str(&block).ok();
        let same = back
            .as_ref()
            .and_then(|m| m.get(key))
            .and_then(|v| v.as_str())
            == Some(normalize_blank_lines(text).as_str());
        if same {
            return block;
        }
    }
    format!("{pad}{key}: {}\n", yaml_str(text))
}

/// Lines holding only whitespace become empty (markdown cannot tell).
fn normalize_blank_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| if l.trim().is_empty() { "" } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The YAML of one list item whose `-` is at column `indent`.
pub fn entry(e: &EntryText, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    let mut out = format!("{}- id: {}\n", " ".repeat(indent), yaml_str(&e.id));
    out.push_str(&format!("{pad}by: {}\n", scalar(&e.by)));
    if let Some(r) = &e.reply_to {
        out.push_str(&format!("{pad}reply_to: {}\n", yaml_str(r)));
    }
    if let Some(d) = &e.date {
        out.push_str(&format!("{pad}date: {d}\n"));
    }
    if let Some(u) = &e.url {
        out.push_str(&format!("{pad}url: {}\n", yaml_str(u)));
    }
    out.push_str(&text_field("text", &e.text, indent + 2));
    if let Some(q) = e.quoted.as_deref().filter(|q| !q.trim().is_empty()) {
        out.push_str(&text_field("quoted", q, indent + 2));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(yaml: &str) -> serde_yaml::Value {
        let list: Vec<serde_yaml::Value> = serde_yaml::from_str(yaml).unwrap();
        list.into_iter().next().unwrap()
    }

    #[test]
    fn texts_read_back_as_written() {
        for text in [
            "one line",
            "two\n\nparagraphs: with # and - and \"quotes\"",
            "  starts with spaces",
            "tab\tinside\n\tand at a line start",
            "- a list\n- here",
            "ends with spaces   \nnext",
            "key: value\n---\n...",
            "blank   \n   \nlines",
        ] {
            let e = EntryText {
                id: "00123".into(),
                by: "true".into(),
                text: text.into(),
                ..Default::default()
            };
            let v = read_back(&entry(&e, 0));
            assert_eq!(v["id"].as_str(), Some("00123"));
            assert_eq!(v["by"].as_str(), Some("true"));
            assert_eq!(
                v["text"].as_str(),
                Some(normalize_blank_lines(text.trim_end()).as_str()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn handles_are_bare_names_are_quoted() {
        assert_eq!(scalar("hmensah"), "hmensah");
        assert_eq!(scalar("Hana Mensah"), "\"Hana Mensah\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("123"), "\"123\"");
    }
}
