//! A conversation gathered from elsewhere (a mailing list, Mastodon,
//! Bluesky) on its way to becoming a thread file in `content/threads/`.
//!
//! Source parsers (`mbox`, `mastodon`, `bluesky`) are pure: they turn an
//! export into [`Conversation`]s. Writing a thread file, and merging a
//! re-import into an existing one, happens in one place (this module), so
//! every source gets the same guarantees: entries are keyed by their source
//! id, a curator's edits survive, `skip:` ids stay removed, and no e-mail
//! address is ever written.

use crate::date::Date;

/// One conversation, ready to become a thread.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    /// The root's subject or first words (plain text).
    pub title: String,
    /// Where it happened: "Mastodon", a list's name...
    pub source_name: String,
    /// A link to the original conversation, when public.
    pub source_url: Option<String>,
    /// Messages, parents before their replies.
    pub messages: Vec<Message>,
}

/// One message of a conversation.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// Stable id from the source, unique in the conversation. Never an
    /// e-mail-like string: sources whose ids contain `@` (Message-IDs)
    /// hash them first.
    pub id: String,
    /// The id of the message it answers, if that message is in
    /// the conversation.
    pub parent: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// When, if the source says.
    pub date: Option<Date>,
    /// The original, when it has a public address.
    pub url: Option<String>,
    /// Markdown; already converted from HTML and sanitized.
    pub text: String,
    /// Quoted replies and signatures, folded under the entry (markdown).
    pub quoted: Option<String>,
}

/// A message's author, as the source knows them.
#[derive(Debug, Clone, Default)]
pub struct Author {
    /// Display name.
    pub name: String,
    /// `@user@host` on Mastodon, `handle.bsky.social` on Bluesky.
    pub account: Option<String>,
    /// Only for matching members; never written.
    pub email: Option<String>,
}
