//! `salon import mastodon|bluesky|mbox … --post SLUG`: a conversation
//! about a post becomes comments under that post, not a thread.
//!
//! Each message becomes a comment nested as it was, marked with its
//! channel (`source:`) and its original (`source_url:`). The conversation's
//! first message is left out when it is the post's own copy there (its
//! address is in the post's `syndication:`): its replies are then the
//! post's top-level comments. Comments go through the [`Importer`], so a
//! re-import adds only what is new, and a reply that came in already by
//! another channel (as a webmention from Bridgy, say) is not added twice.

use std::path::Path;

use pulldown_cmark::{html, Parser};

use super::contribution::reply_keys;
use super::conversation::Conversation;
use super::{CommentRecord, ImportReport, Importer, Item, Target};
use crate::error::Error;
use crate::model::Channel;
use crate::slug::slugify;

/// `salon import mastodon STATUS.json CONTEXT.json --post SLUG`.
pub fn attach_mastodon(
    root: &Path,
    status: &Path,
    context: &Path,
    slug: &str,
    dry_run: bool,
) -> Result<ImportReport, Error> {
    let parsed = super::social::read_mastodon(status, context)?;
    attach(
        root,
        &[parsed.conversation],
        Channel::Mastodon,
        slug,
        dry_run,
    )
}

/// `salon import bluesky THREAD.json --post SLUG`.
pub fn attach_bluesky(
    root: &Path,
    thread: &Path,
    slug: &str,
    dry_run: bool,
) -> Result<ImportReport, Error> {
    let parsed = super::social::read_bluesky(thread)?;
    attach(
        root,
        &[parsed.conversation],
        Channel::Bluesky,
        slug,
        dry_run,
    )
}

/// Attaches `conversations` to post `slug`, checking everything (a dry
/// run) before anything is written.
pub fn attach(
    root: &Path,
    conversations: &[Conversation],
    channel: Channel,
    slug: &str,
    dry_run: bool,
) -> Result<ImportReport, Error> {
    if !dry_run {
        attach_once(root, conversations, channel, slug, true)?;
    }
    attach_once(root, conversations, channel, slug, dry_run)
}

fn attach_once(
    root: &Path,
    conversations: &[Conversation],
    channel: Channel,
    slug: &str,
    dry_run: bool,
) -> Result<ImportReport, Error> {
    let mut importer = Importer::new(root, dry_run)?;
    // Replies from elsewhere are new contributions: the site's policy
    // gives them their status, and a post closed to comments takes none.
    importer.moderate(super::site_policy(root)?);
    let slug = slugify(slug);
    if !importer.has_post(&slug) {
        return Err(Error::Refused(format!(
            "no post has the slug `{slug}`; --post names a file in content/posts/ (its slug)"
        )));
    }
    let own_copies: Vec<String> = importer
        .syndication_of(&slug)
        .iter()
        .flat_map(|u| reply_keys(u).into_iter().take(1))
        .collect();
    for conversation in conversations {
        let records = comments_of(conversation, channel, &own_copies, &mut importer);
        importer.take(Item::Comments(Target::Slug(slug.clone()), records))?;
    }
    Ok(importer.finish())
}

/// The comment id of a message: mail ids (`m-…`) as `salon import mbox
/// --comments` writes them, so both paths find each other's; others
/// prefixed by their channel (`mastodon-<host>/<id>`).
fn comment_id(channel: Channel, message_id: &str) -> String {
    match channel {
        Channel::Email => message_id.to_owned(),
        other => format!("{}-{message_id}", other.key()),
    }
}

fn comments_of(
    conversation: &Conversation,
    channel: Channel,
    own_copies: &[String],
    importer: &mut Importer,
) -> Vec<CommentRecord> {
    let root = conversation.messages.first();
    let root_is_ours = root
        .and_then(|m| m.url.as_deref())
        .and_then(|u| reply_keys(u).into_iter().next())
        .is_some_and(|k| own_copies.contains(&k));
    if root_is_ours {
        importer.skip(
            "posts that are the post's own copy (listed in `syndication:`)",
            1,
        );
    } else if let Some(r) = root.filter(|_| channel != Channel::Email) {
        importer.note(format!(
            "the conversation's first post ({}) became a comment: list its address in the post's `syndication:` if it is the post's own copy",
            r.url.as_deref().unwrap_or(&r.id)
        ));
    }
    let skipped = root_is_ours.then(|| root.map(|m| m.id.as_str())).flatten();
    conversation
        .messages
        .iter()
        .filter(|m| Some(m.id.as_str()) != skipped)
        .map(|m| CommentRecord {
            id: comment_id(channel, &m.id),
            parent: m
                .parent
                .as_deref()
                .filter(|p| Some(*p) != skipped)
                .map(|p| comment_id(channel, p)),
            author: m.author.name.clone(),
            email: m.author.email.clone(),
            url: None,
            date: m.date,
            body_html: to_html(&m.text),
            source: Some(channel),
            source_url: m.url.clone(),
            identity: m.author.account.clone(),
            reaction: None,
            sender: super::Sender::Export,
        })
        .collect()
}

/// A message's markdown as HTML (sanitized again when written).
fn to_html(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new(markdown));
    out
}
