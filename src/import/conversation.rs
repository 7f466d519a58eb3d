//! A conversation gathered from elsewhere (a mailing list, Mastodon,
//! Bluesky) on its way to becoming a thread file in `content/threads/`.
//!
//! Source parsers (`mbox`, `mastodon`, `bluesky`) are pure: they turn an
//! export into [`Conversation`]s. Writing a thread file, and merging a
//! re-import into an existing one, happens in one place (this module), so
//! every source gets the same guarantees: entries are keyed by their source
//! id, a curator's edits survive, `skip:` ids stay removed, and no e-mail
//! address is ever written.
//!
//! # Re-import
//!
//! A conversation goes back into the thread file whose `source: url` is
//! the conversation's or one of its messages' addresses, or that holds one
//! of its ids (in `entries:` or `skip:`); `--slug` names the file outright.
//! Sources namespace their ids (a Mastodon status is `<host>/<id>`, a
//! Bluesky post `<did>/<rkey>`, a mail `m-<hash>`), so a hand-written
//! thread's `id: 5` never takes in status 5. Files written before ids were
//! namespaced are found by their source URL, and the ids they hold
//! ([`Message::former_id`]) count as the messages'. Only messages whose id is in neither list are added, as YAML
//! text inserted after the last entry: the title, the introduction and
//! every entry the curator edited stay byte for byte, and the result must
//! read back as the old front matter plus the new entries or nothing is
//! written. An entry the curator deleted without listing its id in `skip:`
//! comes back (the file cannot tell "deleted" from "never imported"); the
//! report names added entries older than the file's newest one, so the
//! curator can add them to `skip:`. A new message whose parent is skipped
//! answers its nearest kept ancestor, or nothing. A second identical
//! import changes nothing.
//!
//! # Attribution
//!
//! An author with an account (Mastodon, Bluesky) is a member only when the
//! member's `links:` or `aka:` lists that account; others are matched by
//! name, `aka` and e-mail address. Members are written as `by: <handle>`,
//! others by display name; a non-member whose display name is a member's
//! name gets the account added, so the build does not link them.

mod merge;
mod writer;
mod yaml;

pub use writer::{write_thread, Outcome, ThreadOptions, ThreadReport, ThreadWriter};

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
    /// The id an older Salon wrote for this message, before ids were
    /// namespaced by their source: a thread file found by its source URL
    /// may still hold it, and it counts as this message.
    pub former_id: Option<String>,
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
