//! The `salon import mbox` commands: read the file, pick conversations,
//! hand them to the writers. The only part of the mbox import that
//! touches the disk, and only through [`ThreadWriter`] and [`Importer`].

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::comments::collect;
use super::{index, read, Found, Mailbox, Selection};
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

/// Reads `file`'s headers and finds its conversations; bodies stay in
/// the file until written. An error names the file and the line where
/// it stops being an mbox.
pub fn load(file: &Path) -> Result<Loaded, Error> {
    load_with(file, false)
}

/// [`load`], with a progress bar on stderr when `progress` is set.
pub fn load_with(file: &Path, progress: bool) -> Result<Loaded, Error> {
    let f = fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = bar(
        progress,
        len,
        "reading",
        "{bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    );
    let reader = BufReader::with_capacity(256 * 1024, bar.wrap_read(f));
    let mailbox = index(reader, file).map_err(|e| located(file, e))?;
    bar.finish_and_clear();
    Ok(loaded(file, mailbox, true))
}

/// A progress bar on stderr, or a hidden one. indicatif draws only on a
/// terminal, so piped output and tests stay clean either way.
fn bar(progress: bool, len: u64, what: &str, counts: &str) -> indicatif::ProgressBar {
    if !progress {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!("{what} [{{bar:40}}] {counts}"))
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

fn located(file: &Path, e: crate::import::ParseError) -> Error {
    Error::Content(vec![Diagnostic::error(
        file,
        Some(Position::new(e.line, e.column)),
        e.message,
    )])
}

/// Reads `file` whole, bodies decoded in memory (for `--comments`: a
/// mailbox of replies to the site, not a list's archive).
fn load_whole(file: &Path) -> Result<Loaded, Error> {
    let f = fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let mailbox = read(BufReader::with_capacity(256 * 1024, f)).map_err(|e| located(file, e))?;
    Ok(loaded(file, mailbox, false))
}

/// The mailbox with its conversations; `take` moves what only threading
/// needs out of the mails (see [`Mailbox::take_conversations`]).
fn loaded(file: &Path, mut mailbox: Mailbox, take: bool) -> Loaded {
    let warnings = mailbox
        .notes
        .iter()
        .map(|(line, why)| Diagnostic::warning(file, Some(Position::new(*line, 1)), why.clone()))
        .collect();
    let found = if take {
        mailbox.take_conversations()
    } else {
        mailbox.conversations()
    };
    Loaded {
        file: file.to_path_buf(),
        mailbox,
        found,
        warnings,
    }
}

/// What importing conversations did.
#[derive(Debug, Default)]
pub struct ThreadsReport {
    /// One per conversation written (or that would be); each `preview`
    /// only in a dry run.
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
    import_threads_with(root, loaded, selection, opts, false)
}

/// How many messages' bodies are read and decoded at once (in parallel)
/// before their conversations are written: enough to keep both cores
/// busy, few enough that memory stays flat.
const BATCH_MESSAGES: usize = 20_000;

/// [`import_threads`], with a progress bar on stderr when `progress` is
/// set. Bodies are read back from the mbox a batch of conversations at a
/// time, and not at all for a conversation the site has in full.
pub fn import_threads_with(
    root: &Path,
    loaded: &Loaded,
    selection: &Selection,
    opts: &ThreadOptions,
    progress: bool,
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
    let total: usize = picked.iter().map(|f| f.len()).sum();
    let bar = bar(
        progress,
        total as u64,
        "writing",
        "{pos}/{len} messages ({per_sec}, {eta} left)",
    );
    let mut rest = picked.as_slice();
    while !rest.is_empty() {
        // Each conversation with what the site has of it already: one it
        // has in full needs no body read.
        let mut batch: Vec<(&Found, Option<ThreadReport>)> = Vec::new();
        let mut messages = 0;
        while let Some((&found, tail)) = rest.split_first() {
            if messages > 0 && messages + found.len() > BATCH_MESSAGES {
                break;
            }
            rest = tail;
            let known = writer.unchanged(&loaded.mailbox.conversation(found), opts);
            if known.is_none() {
                messages += found.len();
            }
            batch.push((found, known));
        }
        let filled: Vec<_> = batch
            .par_iter()
            .map(|(found, known)| known.is_none().then(|| loaded.mailbox.filled(found)))
            .collect();
        for ((found, known), conversation) in batch.into_iter().zip(filled) {
            bar.inc(found.len() as u64);
            match (known, conversation) {
                (Some(r), _) => report.threads.push(r),
                (None, Some(conversation)) => {
                    let conversation = conversation.map_err(|e| Error::io(&loaded.file, e))?;
                    write_one(&mut writer, &conversation, opts, &mut report)?;
                }
                (None, None) => unreachable!("filled when not known"),
            }
        }
    }
    bar.finish_and_clear();
    Ok(report)
}

/// Writes one conversation; what the writer refuses goes in the report.
fn write_one(
    writer: &mut ThreadWriter,
    conversation: &crate::import::conversation::Conversation,
    opts: &ThreadOptions,
    report: &mut ThreadsReport,
) -> Result<(), Error> {
    {
        let found = conversation;
        match writer.write(found, opts) {
            Ok(mut r) => {
                // The text written is shown only by a dry run: held for
                // every thread of an archive, it would be the archive.
                if !opts.dry_run {
                    r.preview = String::new();
                }
                report.threads.push(r);
            }
            Err(Error::Refused(why)) => report.failed.push((found.title.clone(), why)),
            Err(Error::Content(diags)) => report.failed.push((
                found.title.clone(),
                diags
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Turns the replies in the mbox into comments under their posts
/// (`--comments`).
pub fn import_comments(root: &Path, loaded: &Loaded, dry_run: bool) -> Result<ImportReport, Error> {
    let whole;
    let loaded = if loaded.mailbox.bodies.is_some() {
        whole = load_whole(&loaded.file)?;
        &whole
    } else {
        loaded
    };
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
    // Texts are read back here: the mailbox may hold headers only.
    let picked = selection
        .pick(&loaded.mailbox, &loaded.found)
        .into_iter()
        .map(|f| loaded.mailbox.filled(f))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(&loaded.file, e))?;
    crate::import::attach::attach(root, &picked, crate::model::Channel::Email, slug, dry_run)
}
