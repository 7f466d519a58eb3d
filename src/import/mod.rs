//! `salon import`: comments, posts and people from other platforms.
//!
//! Each source has a parser ([`wordpress`], [`disqus`], [`movabletype`],
//! [`json`]) that reads an `impl BufRead` as a stream and hands back
//! [`Item`]s through a callback: pure, no file access. [`Importer`] is the
//! one place that touches the site folder. It never overwrites or deletes:
//! new files are created with `O_EXCL`, and comments are appended, as YAML
//! text, to the end of an existing comment file only when their id is not
//! in it yet, so a hand-edited file survives byte for byte and a second run
//! changes nothing. Commenters' e-mail addresses are used to match members
//! and never written.
//!
//! Replies from other channels take the same road: [`webmention`] (what
//! webmention.io collected) and [`attach`] (a Mastodon, Bluesky or mailing
//! list conversation attached to a post with `--post`) hand comments to
//! the [`Importer`], which makes each new entry with
//! [`contribution::new_contribution`] and keeps a reply that arrived by
//! another channel once.

/// The largest file an importer reads whole (JSON and YAML comment lists,
/// saved API answers): 1 GiB. XML exports and mailboxes are streamed and
/// have no such limit.
pub const MAX_READ_WHOLE: u64 = 1 << 30;

/// All of `input` when it holds at most `limit` bytes, else `None`. The
/// buffer grows by doubling but never past `limit` (std's `read_to_end`
/// would double it once more to find the end: 3 GiB held for 1 GiB).
pub fn read_whole(mut input: impl std::io::Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if bytes.len() + n > limit {
            return Ok(None);
        }
        if bytes.len() + n > bytes.capacity() {
            let want = (bytes.capacity() * 2).max(bytes.len() + n).min(limit);
            bytes.reserve_exact(want - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// The message for a file over `limit` bytes ([`MAX_READ_WHOLE`]).
pub fn too_big_to_read_whole(limit: u64) -> String {
    let size = match limit {
        l if l >= 1 << 30 => format!("{} GiB", l >> 30),
        l => format!("{l} bytes"),
    };
    format!("larger than {size}, the most an import reads whole")
}

pub mod attach;
pub mod bluesky;
pub mod contribution;
pub mod conversation;
pub mod disqus;
pub mod html_to_markdown;
mod importer;
pub mod json;
pub mod mastodon;
pub mod matcher;
pub mod mbox;
mod moderated;
pub mod movabletype;
pub mod names;
mod report;
pub mod social;
pub mod social_parse;
pub mod text;
pub mod webmention;
pub mod wordpress;
mod xml;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::error::{Diagnostic, Error, Position};
pub use importer::Importer;
pub(crate) use importer::{head_of, markdown_files};
pub use matcher::{name_key, Matcher};
pub use report::{Failure, ImportReport};

/// The export formats `salon import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// WordPress WXR 1.x.
    Wordpress,
    /// Disqus XML export.
    Disqus,
    /// Movable Type / TypePad text export.
    MovableType,
    /// A plain JSON or YAML list of comments.
    Json,
}

/// A syntax error in an export, with its line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (bytes).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A post or page read from an export.
#[derive(Debug, Clone, Default)]
pub struct PostRecord {
    /// A page rather than a post.
    pub page: bool,
    /// Title (plain text).
    pub title: String,
    /// The slug the source gave, or empty.
    pub slug: String,
    /// Publication date, when the export has a usable one.
    pub date: Option<Date>,
    /// Author logins or names.
    pub authors: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Category names.
    pub categories: Vec<String>,
    /// The old URL.
    pub link: Option<String>,
    /// Not published.
    pub draft: bool,
    /// Untrusted HTML.
    pub body_html: String,
    /// The source's id, for messages.
    pub source_id: String,
}

/// An author of posts, from the export's author list.
#[derive(Debug, Clone, Default)]
pub struct AuthorRecord {
    /// Login name.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Only for matching; never written.
    pub email: Option<String>,
}

/// One comment read from an export.
#[derive(Debug, Clone, Default)]
pub struct CommentRecord {
    /// Stable id, prefixed by source (`wp-12`).
    pub id: String,
    /// The id replied to, same prefix.
    pub parent: Option<String>,
    /// Display name.
    pub author: String,
    /// Only for matching; never written.
    pub email: Option<String>,
    /// The commenter's site.
    pub url: Option<String>,
    /// When, if the export says.
    pub date: Option<Date>,
    /// Untrusted HTML.
    pub body_html: String,
    /// What the channel proves about who sent it.
    pub sender: Sender,
    /// The channel it arrived by (written as `source:`); `None` for a
    /// site's own comments.
    pub source: Option<crate::model::Channel>,
    /// The original (written as `source_url:`): how the same reply
    /// arriving by two channels is recognised.
    pub source_url: Option<String>,
    /// An account or a site that says who the author is: when given, the
    /// author is a member only if the member's `links` or `aka` list it.
    pub identity: Option<String>,
    /// A like, repost, bookmark or mention rather than a reply.
    pub reaction: Option<crate::model::ReactionKind>,
}

/// What a comment's channel proves about who sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Sender {
    /// An export of a platform that had its own accounts: its names and
    /// addresses are matched to members as they are.
    #[default]
    Export,
    /// A new contribution whose address was proven (an e-mail the site's
    /// server authenticated): it is the member that address belongs to.
    Proven,
    /// A new contribution whose address, if any, nobody vouched for, and
    /// why: it is linked to no member.
    Unproven(String),
}

/// Which post a group of comments belongs to.
#[derive(Debug, Clone)]
pub enum Target {
    /// The post with this slug (as the source spelled it).
    Slug(String),
    /// A Disqus thread, matched to a post by link, identifier, then title.
    Thread {
        /// The page the thread was on.
        link: String,
        /// Disqus identifier.
        identifier: String,
        /// Thread title.
        title: String,
    },
}

/// What a parser hands the importer.
#[derive(Debug, Clone)]
pub enum Item {
    /// An author of posts.
    Author(AuthorRecord),
    /// A post or page with its approved comments.
    Post(PostRecord, Vec<CommentRecord>),
    /// Comments for a post.
    Comments(Target, Vec<CommentRecord>),
    /// Something left out on purpose, with why ("spam", "pending").
    Skipped(String),
}

/// Runs `parse` over a file, with a progress bar when asked.
fn open(path: &Path, progress: bool) -> Result<(Box<dyn BufRead>, indicatif::ProgressBar), Error> {
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if progress && len > 4 * 1024 * 1024 {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} importing [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let reader = BufReader::with_capacity(256 * 1024, bar.wrap_read(file));
    Ok((Box::new(reader), bar))
}

/// Options of one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site folder.
    pub source: PathBuf,
    /// The export.
    pub file: PathBuf,
    /// Its format.
    pub format: Format,
    /// Print what would be written; write nothing.
    pub dry_run: bool,
    /// Show a progress bar (on a terminal, for big files).
    pub progress: bool,
}

/// Imports one export into the site. See the module docs.
///
/// The export is read twice: once as a dry run, which finds every problem
/// that can be found before writing (a malformed or foreign file, a comment
/// file that is not a list), then to write. So an import that fails
/// writes nothing.
pub fn import(opts: &ImportOptions) -> Result<ImportReport, Error> {
    if !opts.dry_run {
        run(opts, true)?;
    }
    run(opts, opts.dry_run)
}

/// One pass over the export: writing, or only checking when `dry_run`.
fn run(opts: &ImportOptions, dry_run: bool) -> Result<ImportReport, Error> {
    let mut importer = Importer::new(&opts.source, dry_run)?;
    let (reader, bar) = open(&opts.file, opts.progress)?;
    let mut sink = |item: Item| importer.take(item);
    let parsed = match opts.format {
        Format::Wordpress => wordpress::parse(reader, &mut sink),
        Format::Disqus => disqus::parse(reader, &mut sink),
        Format::MovableType => movabletype::parse(reader, &mut sink),
        Format::Json => json::parse(reader, &mut sink),
    };
    bar.finish_and_clear();
    match parsed {
        Ok(()) => {}
        Err(Failure::Parse(e)) => {
            return Err(Error::Content(vec![Diagnostic::error(
                &opts.file,
                Some(Position::new(e.line, e.column)),
                e.message,
            )]))
        }
        Err(Failure::NotAnExport { what, why }) => {
            let name = opts.file.file_name().unwrap_or(opts.file.as_os_str());
            return Err(Error::Content(vec![Diagnostic::error(
                &opts.file,
                None,
                format!("{} is not {what}: {why}", name.to_string_lossy()),
            )
            .with_help(format!(
                "check that this is the file you meant, and that `salon import {}` is its format",
                opts.format.command()
            ))]));
        }
        Err(Failure::Write(e)) => return Err(e),
    }
    Ok(importer.finish())
}

impl Format {
    /// The `salon import` subcommand of this format.
    pub fn command(self) -> &'static str {
        match self {
            Format::Wordpress => "wordpress",
            Format::Disqus => "disqus",
            Format::MovableType => "movabletype",
            Format::Json => "json",
        }
    }
}

/// How a file that is not an export starts, for the message that says so:
/// its first characters quoted, or "binary data" when they are not text.
pub(crate) fn how_it_starts(text: &str) -> String {
    let start: String = text.trim().chars().take(30).collect();
    let binary = start
        .chars()
        .any(|c| c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace()));
    match binary {
        true => "binary data".into(),
        false => format!("`{}`", start.escape_debug()),
    }
}

/// What the items go to.
pub type Sink<'a> = dyn FnMut(Item) -> Result<(), Error> + 'a;

/// The moderation policy of the site's `salon.yaml`; a config error
/// stops the import before anything is written.
pub(crate) fn site_policy(root: &Path) -> Result<crate::moderation::Policy, Error> {
    let file = crate::load::read_config(root)?;
    let config = crate::config::Config::parse(&file.path, &file.text).map_err(Error::Content)?;
    Ok(config.moderation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_whole_takes_up_to_the_limit_and_never_buffers_past_it() {
        assert_eq!(read_whole(&b"abcd"[..], 4).unwrap(), Some(b"abcd".to_vec()));
        assert_eq!(read_whole(&b"abcde"[..], 4).unwrap(), None);
        let endless = std::io::repeat(0);
        assert_eq!(read_whole(endless, 1 << 20).unwrap(), None);
    }
}
