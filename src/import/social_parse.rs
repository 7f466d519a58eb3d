//! What the Mastodon and Bluesky parsers ([`super::mastodon`],
//! [`super::bluesky`]) and the webmention importer share: JSON errors
//! with positions, a title from the first words, plain text from HTML,
//! hosts of URLs, and reply trees put in order. It sits below all three,
//! and below [`super::social`], which runs them.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Deserializer};

use super::conversation::{Conversation, Message};
use super::text::decode_entities;
use super::ParseError;
use crate::entities::escape;
use crate::error::Position;
use crate::sanitize::sanitize;

/// A parsed conversation, with what the parser left out and why.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The conversation.
    pub conversation: Conversation,
    /// Deleted, blocked or private posts left out, replies moved...
    pub notes: Vec<String>,
}

/// A serde_json error as a [`ParseError`], with `what` the file should be.
pub fn json_error(e: &serde_json::Error, what: &str) -> ParseError {
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("{message} (expected {what})"),
    }
}

/// How deeply an API answer may nest. A Bluesky thread answer nests two
/// levels per reply and one per ancestor, and the API gives at most 1,000
/// of each; past this, the file is refused rather than read.
pub const MAX_JSON_DEPTH: usize = 4096;

/// Reads JSON that nests as deep as its conversation: serde_json's own
/// limit (128 levels) stops at about 60 replies, so the limit is lifted,
/// checked here instead ([`MAX_JSON_DEPTH`], in one pass before parsing),
/// and the parser's stack grows on the heap as it needs.
pub fn deep_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, ParseError> {
    if let Some(at) = too_deep(text, MAX_JSON_DEPTH) {
        let pos = Position::of_offset(text, at);
        return Err(ParseError {
            line: pos.line,
            column: pos.column,
            message: format!("nested deeper than {MAX_JSON_DEPTH} levels (expected {what})"),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| json_error(&e, what))?;
    Ok(value)
}

/// The byte offset of the first `[` or `{` opening level `limit + 1` of
/// `text`, outside strings; `None` when the text stays within `limit`.
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads `null` as the type's default (APIs write `"replies": null`).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An id written as a string or a number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Id(s)),
            serde_json::Value::Number(n) => Ok(Id(n.to_string())),
            _ => Err(serde::de::Error::custom(
                "expected an id (a string or a number)",
            )),
        }
    }
}

/// The host of an http(s) URL, lowercased, as a reader writes it
/// (`münchen.example`, not its punycode).
pub fn host_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = match url.host()? {
        url::Host::Domain(d) => idna::domain_to_unicode(d).0,
        ip => ip.to_string(),
    };
    (!host.is_empty()).then_some(host)
}

/// The visible text of untrusted HTML, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    let clean = sanitize(html);
    let mut out = String::with_capacity(clean.len());
    let mut rest = clean.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        let tag = &rest[i..end];
        if tag.starts_with("</p") || tag.starts_with("<br") || tag.starts_with("</li") {
            out.push('\n');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// A title from a post's plain text: its first line, leading `@mentions`
/// dropped; when longer than 80 characters, its first sentences that fit,
/// or its first words; `fallback` when empty.
pub fn title_from(text: &str, fallback: &str) -> String {
    let line = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .skip_while(|w| w.starts_with('@'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.is_empty() {
        return fallback.to_owned();
    }
    if line.chars().count() <= 80 {
        return line;
    }
    let mut sentences = String::new();
    for (i, c) in line.char_indices() {
        let end = i + c.len_utf8();
        let at_break = matches!(c, '.' | '?' | '!') && line[end..].starts_with(' ');
        if at_break {
            if line[..end].chars().count() > 80 {
                break;
            }
            sentences = line[..end].to_owned();
        }
    }
    if !sentences.is_empty() {
        return sentences;
    }
    let mut cut: String = line.chars().take(80).collect();
    if let Some(i) = cut.rfind(' ').filter(|&i| i > 40) {
        cut.truncate(i);
    }
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ', '.']))
}

/// A link list (`<ul>` of `<a>`), for media and embeds.
pub fn links_html(links: &[(String, String)]) -> String {
    if links.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul>");
    for (text, url) in links {
        out.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            escape(url),
            escape(text)
        ));
    }
    out.push_str("</ul>");
    out
}

/// Orders `messages` parents first (depth first from `root`, siblings by
/// date then id). A message whose parent is missing (deleted) answers the
/// root; one that cannot be reached (a cycle) too. Returns the notes.
pub fn tree_order(messages: &mut Vec<Message>, root: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let ids: HashSet<String> = messages.iter().map(|m| m.id.clone()).collect();
    let mut moved = 0;
    for m in messages.iter_mut() {
        if m.id == root {
            m.parent = None;
        } else if !m.parent.as_ref().is_some_and(|p| ids.contains(p)) {
            moved += 1;
            m.parent = Some(root.to_owned());
        }
    }
    let mut children: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        if let Some(p) = &m.parent {
            children.entry(p.clone()).or_default().push(i);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|&a, &b| {
            let (a, b) = (&messages[a], &messages[b]);
            a.date
                .cmp(&b.date)
                .then_with(|| a.id.len().cmp(&b.id.len()))
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    let mut order = Vec::with_capacity(messages.len());
    let mut seen = vec![false; messages.len()];
    let start = messages.iter().position(|m| m.id == root);
    let mut stack: Vec<usize> = start.into_iter().collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push(i);
        if let Some(kids) = children.get(&messages[i].id) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    for (i, m) in messages.iter_mut().enumerate() {
        if !seen[i] {
            moved += 1;
            m.parent = Some(root.to_owned());
            order.push(i);
        }
    }
    if moved > 0 {
        notes.push(format!(
            "{moved} post(s) answer a post that is gone (deleted, or not in the saved answer); they answer the first post instead"
        ));
    }
    let mut taken: Vec<Option<Message>> = std::mem::take(messages).into_iter().map(Some).collect();
    *messages = order.into_iter().filter_map(|i| taken[i].take()).collect();
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_as_the_url_standard_reads_them() {
        let host = |u| host_of(u);
        assert_eq!(
            host("https://Ann@Social.Example:8443/@ann").as_deref(),
            Some("social.example")
        );
        // A `@` in the path is not user info.
        assert_eq!(
            host("https://social.example/@ann@other.example").as_deref(),
            Some("social.example")
        );
        assert_eq!(
            host("https://xn--mnchen-3ya.example/").as_deref(),
            Some("münchen.example")
        );
        assert_eq!(host("http://[::1]:8080/").as_deref(), Some("[::1]"));
        assert_eq!(host("mailto:ann@social.example"), None);
        assert_eq!(host("https://"), None);
    }

    #[test]
    fn titles_are_first_words() {
        assert_eq!(
            title_from("@ann @bob Is a forum\nworth it?", "x"),
            "Is a forum"
        );
        assert_eq!(title_from("\n@ann\n", "fallback"), "fallback");
        let two = format!(
            "Short first one. {}",
            "and a long second sentence ".repeat(4)
        );
        assert_eq!(title_from(&two, "x"), "Short first one.");
        let long = "word ".repeat(40);
        let t = title_from(&long, "x");
        assert!(t.ends_with('…') && t.chars().count() <= 81, "{t}");
    }

    #[test]
    fn plain_text_drops_tags_and_scripts() {
        assert_eq!(
            plain_text("<p>A &amp; <b>b</b><script>x()</script></p><p>c</p>"),
            "A & b\nc\n"
        );
    }

    #[test]
    fn orphans_and_cycles_answer_the_root() {
        let m = |id: &str, parent: Option<&str>| Message {
            id: id.into(),
            parent: parent.map(Into::into),
            ..Default::default()
        };
        let mut list = vec![
            m("c", Some("b")),
            m("r", None),
            m("b", Some("r")),
            m("o", Some("gone")),
            m("x", Some("y")),
            m("y", Some("x")),
        ];
        let notes = tree_order(&mut list, "r");
        let ids: Vec<&str> = list.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["r", "b", "c", "o", "x", "y"]);
        assert_eq!(list[3].parent.as_deref(), Some("r"));
        assert!(notes[0].starts_with("3 post(s)"), "{notes:?}");
    }
}
