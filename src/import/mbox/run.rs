//! The `salon import mbox` commands: read the file, pick conversations,
//! hand them to the writers. The only part of the mbox import that
//! touches the disk, and only through [`ThreadWriter`] and [`Importer`].

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::comments::collect;
use super::{read, Found, Mailbox, Selection};
use crate::error::{Diagnostic, Error, Position};
use crate::import::conversation::{ThreadOptions, ThreadReport, ThreadWriter};
use crate::import::{CommentRecord, ImportReport, Importer, Item, Target};
use crate::slug::slugify;

/// An mbox read from a file, with its conversations.
#[derive(Debug)]
pub struct Loaded {
    /// The file, as given.
    pub file: PathBuf,
    /// Its messages.
    pub mailbox: Mailbox,
    /// Its conversations, oldest first.
    pub found: Vec<Found>,
    /// Messages left out, as warnings with their line.
    pub warnings: Vec<Diagnostic>,
}

/// Reads `file`; an error names the file and the line where it stops
/// being an mbox.
pub fn load(file: &Path) -> Result<Loaded, Error> {
    let f = fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let mailbox = read(BufReader::with_capacity(256 * 1024, f)).map_err(|e| {
        Error::Content(vec![Diagnostic::error(
            file,
            Some(Position::new(e.line, e.column)),
            e.message,
        )])
    })?;
    let warnings = mailbox
        .notes
        .iter()
        .map(|(line, why)| Diagnostic::warning(file, Some(Position::new(*line, 1)), why.clone()))
        .collect();
    let found = mailbox.conversations();
    Ok(Loaded {
        file: file.to_path_buf(),
        mailbox,
        found,
        warnings,
    })
}

/// What importing conversations did.
#[derive(Debug, Default)]
pub struct ThreadsReport {
    /// One per conversation written (or that would be).
    pub threads: Vec<ThreadReport>,
    /// Conversations the writer refused: title and why.
    pub failed: Vec<(String, String)>,
    /// `--thread` ids no conversation holds.
    pub unknown_ids: Vec<String>,
}

/// Writes each selected conversation as a thread (`--thread`,
/// `--subject`, `--min-messages`); `opts.slug` only names the file of a
/// selection of one.
pub fn import_threads(
    root: &Path,
    loaded: &Loaded,
    selection: &Selection,
    opts: &ThreadOptions,
) -> Result<ThreadsReport, Error> {
    let picked = selection.pick(&loaded.mailbox, &loaded.found);
    if opts.slug.is_some() && picked.len() > 1 {
        return Err(Error::Refused(format!(
            "--slug names one thread file, but {} conversations were selected",
            picked.len()
        )));
    }
    let mut writer = ThreadWriter::new(root)?;
    let mut report = ThreadsReport {
        unknown_ids: selection.unknown_ids(&loaded.mailbox, &loaded.found),
        ..Default::default()
    };
    for found in picked {
        match writer.write(&found.conversation, opts) {
            Ok(r) => report.threads.push(r),
            Err(Error::Refused(why)) => report.failed.push((found.conversation.title.clone(), why)),
            Err(Error::Content(diags)) => report.failed.push((
                found.conversation.title.clone(),
                diags
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// Turns the replies in the mbox into comments under their posts
/// (`--comments`).
pub fn import_comments(root: &Path, loaded: &Loaded, dry_run: bool) -> Result<ImportReport, Error> {
    let mut importer = Importer::new(root, dry_run)?;
    let policy = crate::import::site_policy(root)?;
    let intake = collect(&loaded.mailbox, policy.authserv_id.as_deref());
    importer.moderate(policy);
    let file = loaded.file.display();
    for post in intake.posts {
        let slug = slugify(&post.slug);
        if let Some(mode) = importer.comments_closed(&slug).map(str::to_owned) {
            for (line, r) in &post.replies {
                importer.refuse(format!(
                    "{file}:{line}: a reply by {} to `{slug}`, whose comments are {mode}",
                    r.author
                ));
            }
            continue;
        }
        if !importer.has_post(&slug) {
            let lines: Vec<String> = post.replies.iter().map(|(l, _)| l.to_string()).collect();
            let at = match lines.as_slice() {
                [one] => format!("the message at line {one}"),
                many => format!("the messages at lines {}", many.join(", ")),
            };
            importer.unmatched_target(
                format!("`{}` (no post has this slug): {file}, {at}", post.slug),
                post.replies.len(),
            );
            continue;
        }
        let records: Vec<CommentRecord> = post.replies.into_iter().map(|(_, r)| r).collect();
        importer.take(Item::Comments(Target::Slug(slug), records))?;
    }
    importer.skip(
        "messages that answer no post (no [salon:…] tag in the subject)",
        intake.untagged.len(),
    );
    for (line, subject) in intake.untagged.iter().take(3) {
        importer.note(format!(
            "{file}:{line}: \"{subject}\" answers no post; only replies sent with a \"Reply\" link of the site are imported"
        ));
    }
    importer.skip("replies with no words of their own", intake.empty.len());
    for line in intake.empty.iter().take(3) {
        importer.note(format!(
            "{file}:{line}: the reply only quotes; nothing to import"
        ));
    }
    Ok(importer.finish())
}

/// Attaches the selected conversations to post `slug` as comments
/// (`--post SLUG`) instead of writing threads.
pub fn attach_threads(
    root: &Path,
    loaded: &Loaded,
    selection: &Selection,
    slug: &str,
    dry_run: bool,
) -> Result<ImportReport, Error> {
    let picked: Vec<_> = selection
        .pick(&loaded.mailbox, &loaded.found)
        .into_iter()
        .map(|f| f.conversation.clone())
        .collect();
    crate::import::attach::attach(root, &picked, crate::model::Channel::Email, slug, dry_run)
}
