//! Comments under posts and the reactions beside them: what each says,
//! who wrote it, and the channel it came by.

use super::*;

/// A comment under a post.
#[derive(Debug, Clone)]
pub struct Comment {
    /// Unique within its post.
    pub id: String,
    /// Index of the parent in the post's comments; `None` at top level (and
    /// for orphans whose parent is missing).
    pub parent: Option<usize>,
    /// Display name.
    pub author: String,
    /// The member who wrote it, when known.
    pub member: Option<MemberIdx>,
    /// The commenter's own site.
    pub url: Option<String>,
    /// When it was written.
    pub date: Date,
    /// Sanitized HTML.
    pub body: Html,
    /// The channel it arrived by, when not written on the site.
    pub source: Option<Channel>,
    /// The original, where it was first published.
    pub source_url: Option<String>,
}

/// Where a comment or reaction came from (`source:` in a comment file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A reply by e-mail or on a mailing list.
    Email,
    /// A Mastodon (or other fediverse) reply.
    Mastodon,
    /// A Bluesky reply.
    Bluesky,
    /// A webmention from another site (or Bridgy).
    Webmention,
}

impl Channel {
    /// The `source:` value: `email`, `mastodon`, ...
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Mastodon => "mastodon",
            Channel::Bluesky => "bluesky",
            Channel::Webmention => "webmention",
        }
    }

    /// How a page names it: `E-mail`, `Mastodon`, ...
    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "E-mail",
            Channel::Mastodon => "Mastodon",
            Channel::Bluesky => "Bluesky",
            Channel::Webmention => "Webmention",
        }
    }
}

/// What a reaction is (`kind:` in a comment file).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ReactionKind {
    /// A like or favourite.
    Like,
    /// A repost, boost or reblog.
    Repost,
    /// A bookmark.
    Bookmark,
    /// A page that links to the post without replying.
    Mention,
}

impl ReactionKind {
    /// The `kind:` value.
    pub fn key(self) -> &'static str {
        match self {
            ReactionKind::Like => "like",
            ReactionKind::Repost => "repost",
            ReactionKind::Bookmark => "bookmark",
            ReactionKind::Mention => "mention",
        }
    }
}

/// A like, repost, bookmark or mention of a post: counted and shown as a
/// face, never as a comment.
#[derive(Debug, Clone)]
pub struct Reaction {
    /// Unique within the post's comment file.
    pub id: String,
    /// What it is.
    pub kind: ReactionKind,
    /// Display name.
    pub author: String,
    /// The member, when known.
    pub member: Option<MemberIdx>,
    /// The person's own site or profile.
    pub url: Option<String>,
    /// When.
    pub date: Date,
    /// The channel it arrived by.
    pub source: Option<Channel>,
    /// The like, repost or page itself.
    pub source_url: Option<String>,
}

/// The anchor of a comment: `comment-<id>` with unsafe characters dropped.
pub fn comment_anchor(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("comment-{clean}")
}
