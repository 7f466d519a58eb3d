//! A new contribution from outside (an imported comment, an e-mailed or
//! social reply, a webmention) on its way into a comment file, and how the
//! same reply arriving by two channels is recognised.
//!
//! [`new_contribution`] is the one place where every such entry is made:
//! whatever decides its standing (a moderation status, a site policy)
//! belongs there.

use super::matcher::Matcher;
use super::text::{format_date, yaml_str};
use super::CommentRecord;
use crate::date::Date;
use crate::email::{self, redact, redact_name};
use crate::sanitize::sanitize;

/// What the importer decided about a new entry before it is written.
#[derive(Debug)]
pub struct Placement<'a> {
    /// The id replied to, when it is in the file or this import.
    pub parent: Option<&'a str>,
    /// The name to show (no e-mail address).
    pub author: &'a str,
    /// The member who wrote it, when matched.
    pub member: Option<&'a str>,
    /// When (the record's date, or a fallback from its batch).
    pub date: Date,
    /// The status and reason the site's policy gave it, unless approved.
    pub held: Option<&'a crate::moderation::Verdict>,
}

/// The YAML entry (`- id: ...`) for a new comment or reaction `c`, as
/// appended to `content/comments/<slug>.yaml`. Every importer's new entry
/// is made here, so a contribution's standing is decided in one place.
pub fn new_contribution(c: &CommentRecord, at: &Placement<'_>) -> String {
    let mut text = format!("- id: {}\n", yaml_str(&c.id));
    if let Some(kind) = c.reaction {
        text.push_str(&format!("  kind: {}\n", kind.key()));
    }
    if let Some(parent) = at.parent {
        text.push_str(&format!("  parent: {}\n", yaml_str(parent)));
    }
    text.push_str(&format!("  author: {}\n", yaml_str(at.author)));
    if let Some(m) = at.member {
        text.push_str(&format!("  member: {m}\n"));
    }
    if let Some(url) = web_url(c.url.as_deref()) {
        text.push_str(&format!("  url: {}\n", yaml_str(url)));
    }
    text.push_str(&format!("  date: {}\n", format_date(&at.date)));
    if let Some(source) = c.source {
        text.push_str(&format!("  source: {}\n", source.key()));
    }
    if let Some(url) = web_url(c.source_url.as_deref()) {
        text.push_str(&format!("  source_url: {}\n", yaml_str(url)));
    }
    if let Some(v) = at.held {
        text.push_str(&format!("  status: {}\n", v.status.as_str()));
        let why = v.reason.as_deref().unwrap_or_default();
        text.push_str(&format!("  moderation_reason: {}\n", yaml_str(why)));
    }
    if c.reaction.is_none() {
        let body = redact(&sanitize(&super::text::autop(&c.body_html)));
        text.push_str(&format!("  body: {}\n", yaml_str(body.trim())));
    }
    text
}

/// `url` when it is an http(s) URL holding no e-mail address.
fn web_url(url: Option<&str>) -> Option<&str> {
    url.map(str::trim)
        .filter(|u| crate::url::is_web_url(u))
        .filter(|u| !email::contains(u))
}

/// The keys under which a reply's original URL is known: the URL itself
/// (scheme, `www.` and a trailing slash ignored) and, for a Bluesky post,
/// `bsky:<rkey>`, found in a `bsky.app` address, an `at://` URI or a
/// Bridgy source that carries one (`https://brid.gy/comment/bluesky/...`),
/// so a Bluesky reply and the webmention Bridgy sends for it are one.
pub fn reply_keys(url: &str) -> Vec<String> {
    let url = url.trim();
    let mut keys = Vec::new();
    if url.is_empty() {
        return keys;
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    keys.push(format!("url:{host}/{}", path.trim_end_matches('/')));
    let decoded = super::text::percent_decode(url);
    let rkey = decoded
        .rsplit_once("app.bsky.feed.post/")
        .map(|(_, r)| r)
        .or_else(|| match host {
            "bsky.app" => decoded.rsplit_once("/post/").map(|(_, r)| r),
            _ => None,
        })
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""))
        .filter(|r| !r.is_empty());
    if let Some(r) = rkey {
        keys.push(format!("bsky:{r}"));
    }
    keys
}

/// Who wrote `c`: the member (if any) and the name to write. An author
/// known by an account or site is a member only when a member lists it;
/// a stranger who took a member's name is written with that account, so
/// the build does not link them by name.
pub(crate) fn attribute(matcher: &Matcher, c: &CommentRecord) -> (Option<String>, String) {
    let raw = c.author.trim();
    let identity = c
        .identity
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !email::contains(s));
    let member = match identity {
        Some(id) => matcher.find_identity(id),
        None => matcher.find(raw, c.email.as_deref()),
    };
    // An e-mail address used as a name is never written.
    let name = redact_name(raw);
    let name = match (name.is_empty(), identity) {
        (false, _) => name,
        (true, Some(id)) => id.to_owned(),
        (true, None) => "Anonymous".to_owned(),
    };
    if let (None, Some(id)) = (member, identity) {
        if id != name && (matcher.find(&name, None).is_some() || matcher.has_handle(&name)) {
            return (None, format!("{name} ({})", shown_identity(id)));
        }
    }
    (member.map(str::to_owned), name)
}

/// An account or site as a reader knows it: `@user@host`, or a site's
/// host and path without the scheme.
fn shown_identity(id: &str) -> &str {
    id.split_once("://")
        .map_or(id, |(_, rest)| rest)
        .trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bluesky_reply_and_its_bridgy_webmention_share_a_key() {
        let reply = reply_keys("https://bsky.app/profile/ann.example/post/3kabc");
        let bridgy = reply_keys("https://brid.gy/comment/bluesky/did:plc:me/at%3A%2F%2Fdid%3Aplc%3Ame%2Fapp.bsky.feed.post%2F3kroot/at%3A%2F%2Fdid%3Aplc%3Aann%2Fapp.bsky.feed.post%2F3kabc");
        assert!(bridgy.contains(&"bsky:3kabc".to_owned()), "{bridgy:?}");
        assert!(reply.contains(&"bsky:3kabc".to_owned()), "{reply:?}");
        assert_eq!(
            reply_keys("http://www.Blog.example/reply/")[0],
            reply_keys("https://blog.example/reply")[0]
        );
    }
}
