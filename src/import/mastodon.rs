//! Mastodon: the two public API answers a curator saves for a
//! conversation, `GET /api/v1/statuses/ID` (the status) and
//! `GET /api/v1/statuses/ID/context` (its `ancestors` and `descendants`).
//!
//! The thread starts at the topmost ancestor in the answer (so a reply
//! saved mid-conversation keeps what it answers) and nests every status
//! by `in_reply_to_id`. A status whose parent is gone (deleted, or hidden
//! from whoever saved the answer) answers the first post. Followers-only
//! and direct posts are left out: a thread page is public. Pure: text in,
//! [`Parsed`] out.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::conversation::{Author, Conversation, Message};
use super::html_to_markdown::html_to_markdown;
use super::social_parse::{
    host_of, json_error, links_html, null_default, plain_text, title_from, tree_order, Id, Parsed,
};
use super::ParseError;
use crate::date::parse_date;
use crate::entities::escape;

/// A status, as the API gives it (only what is used).
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    id: Id,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    in_reply_to_id: Option<Id>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    account: Option<Account>,
    #[serde(default, deserialize_with = "null_default")]
    media_attachments: Vec<Media>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Account {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    acct: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Media {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    remote_url: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// The context answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    #[serde(default, deserialize_with = "null_default")]
    ancestors: Vec<Status>,
    #[serde(default, deserialize_with = "null_default")]
    descendants: Vec<Status>,
}

/// Reads the answer of `/api/v1/statuses/ID`.
pub fn parse_status(text: &str) -> Result<Status, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        let mut err = json_error(&e, "the answer of /api/v1/statuses/ID: one status");
        if text.contains("\"descendants\"") {
            err.message.push_str(
                "; this looks like the context answer: pass the status first, then the context",
            );
        }
        err
    })
}

/// Reads the answer of `/api/v1/statuses/ID/context`.
pub fn parse_context(text: &str) -> Result<Context, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        json_error(
            &e,
            "the answer of /api/v1/statuses/ID/context: `ancestors` and `descendants`",
        )
    })
}

/// The conversation of a status and its context; an error when the status
/// itself may not be published.
pub fn conversation(status: Status, context: Context) -> Result<Parsed, String> {
    if !is_public(&status) {
        return Err(format!(
            "status {} is {}: only public conversations are imported",
            status.id.0,
            status.visibility.as_deref().unwrap_or("")
        ));
    }
    let source_url = status_url(&status);
    let root_host = source_url
        .as_deref()
        .and_then(host_of)
        .or_else(|| status.account.as_ref()?.url.as_deref().and_then(host_of));
    let mut notes = Vec::new();
    let mut seen = HashSet::new();
    let mut left_out = 0;
    let mut messages = Vec::new();
    let mut plain = HashMap::new();
    let all = context
        .ancestors
        .into_iter()
        .chain(std::iter::once(status.clone()))
        .chain(context.descendants);
    for s in all {
        if s.id.0.trim().is_empty() || !seen.insert(s.id.0.clone()) {
            continue;
        }
        if !is_public(&s) {
            left_out += 1;
            continue;
        }
        plain.insert(
            s.id.0.trim().to_owned(),
            plain_text(s.content.as_deref().unwrap_or("")),
        );
        messages.push(message(&s, root_host.as_deref()));
    }
    if left_out > 0 {
        notes.push(format!(
            "{left_out} followers-only or direct post(s) left out"
        ));
    }
    // Replies name their parent by the server's id: map it to the
    // parent's namespaced one.
    let by_local: HashMap<String, String> = messages
        .iter()
        .filter_map(|m| Some((m.former_id.clone()?, m.id.clone())))
        .collect();
    for m in &mut messages {
        m.parent = m.parent.take().map(|p| match by_local.get(&p) {
            Some(id) => id.clone(),
            None => format!("{}/{p}", root_host.as_deref().unwrap_or("mastodon")),
        });
    }
    let plain: HashMap<String, String> = plain
        .into_iter()
        .filter_map(|(local, text)| Some((by_local.get(&local)?.clone(), text)))
        .collect();
    // The topmost post whose parent is not in the answer starts the thread.
    let ids: HashSet<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    let root = messages
        .iter()
        .find(|m| m.parent.as_deref().is_none_or(|p| !ids.contains(p)))
        .map_or_else(|| status.id.0.clone(), |m| m.id.clone());
    notes.extend(tree_order(&mut messages, &root));
    let first = messages.first();
    let name = first.map_or("someone", |m| m.author.name.as_str());
    let title = title_from(
        first
            .and_then(|m| plain.get(&m.id))
            .map_or("", String::as_str),
        &format!("A conversation started by {name}"),
    );
    Ok(Parsed {
        conversation: Conversation {
            title,
            source_name: "Mastodon".into(),
            source_url,
            messages,
        },
        notes,
    })
}

fn is_public(s: &Status) -> bool {
    !matches!(s.visibility.as_deref(), Some("private" | "direct"))
}

fn status_url(s: &Status) -> Option<String> {
    [&s.url, &s.uri]
        .into_iter()
        .flatten()
        .map(|u| u.trim())
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned)
}

/// A status's id namespaced by where it lives: `<host>/<id>` from its
/// own address (`https://social.example/@ann/1001` is
/// `social.example/1001`), the same whichever server the conversation was
/// saved from; without an address, the server's `local` id under the
/// conversation's host.
fn namespaced_id(s: &Status, local: &str, root_host: Option<&str>) -> String {
    let from_url = status_url(s).and_then(|u| {
        let host = host_of(&u)?;
        let path = u.split_once("://")?.1.split(['?', '#']).next()?;
        let (_, path) = path.split_once('/')?;
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        (!last.is_empty()).then(|| format!("{host}/{last}"))
    });
    from_url.unwrap_or_else(|| format!("{}/{local}", root_host.unwrap_or("mastodon")))
}

fn message(s: &Status, root_host: Option<&str>) -> Message {
    let acc = s.account.clone().unwrap_or_default();
    let nonempty = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let username = nonempty(&acc.username);
    let acct = nonempty(&acc.acct).or(username.clone());
    let account = acct.map(|a| {
        let a = a.trim_start_matches('@');
        if a.contains('@') {
            format!("@{a}")
        } else {
            // A local account: its server is the one in its profile URL.
            match acc
                .url
                .as_deref()
                .and_then(host_of)
                .or(root_host.map(str::to_owned))
            {
                Some(host) => format!("@{a}@{host}"),
                None => format!("@{a}"),
            }
        }
    });
    let name = nonempty(&acc.display_name)
        .or(username)
        .or(account.clone())
        .unwrap_or_default();
    let mut html = String::new();
    if let Some(cw) = nonempty(&s.spoiler_text) {
        html.push_str(&format!(
            "<p><strong>Content warning:</strong> {}</p>",
            escape(&cw)
        ));
    }
    html.push_str(s.content.as_deref().unwrap_or(""));
    let media: Vec<(String, String)> = s
        .media_attachments
        .iter()
        .filter_map(|m| {
            let url = [&m.url, &m.remote_url]
                .into_iter()
                .flatten()
                .find(|u| u.starts_with("https://") || u.starts_with("http://"))?;
            let kind = match m.kind.as_deref() {
                Some("image") => "Image",
                Some("video") | Some("gifv") => "Video",
                Some("audio") => "Audio",
                _ => "Attachment",
            };
            let text = match nonempty(&m.description) {
                Some(d) => format!("{kind}: {d}"),
                None => format!("{kind} (no description)"),
            };
            Some((text, url.clone()))
        })
        .collect();
    html.push_str(&links_html(&media));
    let local = s.id.0.trim().to_owned();
    Message {
        id: namespaced_id(s, &local, root_host),
        // The server's own ids until `conversation` maps them.
        parent: s.in_reply_to_id.as_ref().map(|p| p.0.trim().to_owned()),
        former_id: Some(local),
        author: Author {
            name,
            account,
            email: None,
        },
        date: s.created_at.as_deref().and_then(parse_date),
        url: status_url(s),
        text: html_to_markdown(&html),
        quoted: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str, parent: Option<&str>, acct: &str, content: &str) -> String {
        format!(
            r#"{{"id":"{id}","created_at":"2024-03-0{}T10:00:00.000Z","in_reply_to_id":{},"url":"https://social.example/@{acct}/{id}","content":{},"visibility":"public","account":{{"username":"{}","acct":"{acct}","display_name":"","url":"https://social.example/@{acct}"}},"media_attachments":[]}}"#,
            id.len(),
            parent.map_or("null".to_owned(), |p| format!("\"{p}\"")),
            serde_json::to_string(content).unwrap(),
            acct.split('@').next().unwrap(),
        )
    }

    #[test]
    fn local_accounts_get_their_host_and_replies_nest() {
        let s = parse_status(&status(
            "1",
            None,
            "ann",
            "<p>Is a <em>forum</em> worth it?</p>",
        ))
        .unwrap();
        let ctx = format!(
            r#"{{"ancestors":[],"descendants":[{},{}]}}"#,
            status(
                "22",
                Some("1"),
                "bob@other.example",
                "<p>Yes<script>alert(1)</script></p>"
            ),
            status("333", Some("22"), "ann", "<p>Why?</p>")
        );
        let p = conversation(s, parse_context(&ctx).unwrap()).unwrap();
        let c = p.conversation;
        assert_eq!(c.title, "Is a forum worth it?");
        assert_eq!(
            c.messages[0].author.account.as_deref(),
            Some("@ann@social.example")
        );
        assert_eq!(
            c.messages[1].author.account.as_deref(),
            Some("@bob@other.example")
        );
        assert_eq!(c.messages[1].author.name, "bob");
        assert_eq!(c.messages[2].parent.as_deref(), Some("social.example/22"));
        assert_eq!(c.messages[2].former_id.as_deref(), Some("333"));
        assert!(!c.messages[1].text.contains("script"));
    }

    #[test]
    fn the_context_file_first_is_explained() {
        let e = parse_status(r#"{"ancestors":[],"descendants":[]}"#).unwrap_err();
        assert!(e.message.contains("pass the status first"), "{}", e.message);
        let e = parse_context("{\n  \"ancestors\": [,]\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
    }

    #[test]
    fn private_statuses_are_refused() {
        let text = status("1", None, "ann", "x").replace("\"public\"", "\"direct\"");
        assert!(conversation(parse_status(&text).unwrap(), Context::default()).is_err());
    }
}
