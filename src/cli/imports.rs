//! `salon import`, `salon moderate` and `salon webmentions send`: run the
//! library's importers and print their reports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use salon::Error;

use super::report::report_diagnostics;
use crate::{ExportArgs, ImportCommand, MboxArgs, ModerateAction};

pub(crate) fn import(source: PathBuf, what: ImportCommand) -> Result<(), Error> {
    use salon::import::{social, Format};
    let (format, args) = match what {
        ImportCommand::Wordpress(a) => (Format::Wordpress, a),
        ImportCommand::Disqus(a) => (Format::Disqus, a),
        ImportCommand::Movabletype(a) => (Format::MovableType, a),
        ImportCommand::Json(a) => (Format::Json, a),
        ImportCommand::Webmentions(a) => {
            let r = salon::import::webmention::import_webmentions(&source, &a.file, a.dry_run);
            return comments_report(r, a.dry_run);
        }
        ImportCommand::Mastodon {
            status,
            context,
            thread,
        } => {
            if let Some(post) = &thread.post {
                let r = salon::import::attach::attach_mastodon(
                    &source,
                    &status,
                    &context,
                    post,
                    thread.dry_run,
                );
                return comments_report(r, thread.dry_run);
            }
            let opts = thread.options();
            let r = social::import_mastodon(&source, &status, &context, &opts);
            return thread_report(r, opts.dry_run);
        }
        ImportCommand::Bluesky {
            thread_file,
            thread,
        } => {
            if let Some(post) = &thread.post {
                let r = salon::import::attach::attach_bluesky(
                    &source,
                    &thread_file,
                    post,
                    thread.dry_run,
                );
                return comments_report(r, thread.dry_run);
            }
            let opts = thread.options();
            let r = social::import_bluesky(&source, &thread_file, &opts);
            return thread_report(r, opts.dry_run);
        }
        ImportCommand::Mbox(args) => return import_mbox(&source, args),
    };
    export(source, format, args)
}

/// `salon moderate`: the list on stdout (the summary on stderr), or the
/// changes made.
pub(crate) fn moderate(
    source: &Path,
    action: Option<ModerateAction>,
    json: bool,
) -> Result<(), Error> {
    use salon::moderation::{queue, report, Status};
    if !salon::build::is_site(source) {
        return Err(Error::Refused(format!(
            "{} holds no site (salon.yaml); run it in the site folder or pass --source",
            source.display()
        )));
    }
    let (ids, to) = match action {
        None => {
            let waiting = queue::list(source)?;
            match json {
                true => println!("{}", report::list_json(&waiting)),
                false => {
                    print!("{}", report::list_text(&waiting));
                    eprintln!("{}", report::list_summary(&waiting));
                }
            }
            return Ok(());
        }
        Some(ModerateAction::Approve(c)) => (c.ids, Status::Approved),
        Some(ModerateAction::Reject(c)) => (c.ids, Status::Rejected),
        Some(ModerateAction::Spam(c)) => (c.ids, Status::Spam),
    };
    let changes = queue::set_status(source, &ids, to)?;
    match json {
        true => println!("{}", report::changes_json(&changes)),
        false => print!("{}", report::changes_text(&changes)),
    }
    Ok(())
}

/// Prints what an import of comments did (and, on a dry run, the files).
pub(crate) fn comments_report(
    result: Result<salon::import::ImportReport, Error>,
    dry_run: bool,
) -> Result<(), Error> {
    import_report(
        result,
        dry_run,
        "nothing was imported; fix the file named above and run the import again",
    )
}

/// Prints an import's report (and, on a dry run, the files it would
/// write), or its content errors followed by `refused`.
pub(crate) fn import_report(
    result: Result<salon::import::ImportReport, Error>,
    dry_run: bool,
    refused: &str,
) -> Result<(), Error> {
    let report = match result {
        Ok(r) => r,
        Err(Error::Content(diags)) => {
            report_diagnostics(&diags);
            return Err(Error::Refused(refused.into()));
        }
        Err(e) => return Err(e),
    };
    if dry_run {
        for f in &report.files {
            println!("would write {f}");
        }
    }
    eprint!("{report}");
    Ok(())
}

/// `salon webmentions send`: prints each link's outcome as it goes.
pub(crate) fn send_webmentions(source: &Path, dry_run: bool) -> Result<(), Error> {
    use salon::webmention::{send, Outcome, SendOptions};
    let mut failed = 0;
    let opts = SendOptions {
        dry_run,
        ..Default::default()
    };
    let report = send(source, &opts, &mut |link| {
        let what = match &link.outcome {
            Outcome::Sent { endpoint, status } => format!("sent to {endpoint} ({status})"),
            Outcome::WouldSend { endpoint } => format!("would send to {endpoint}"),
            Outcome::NoEndpoint => "no webmention endpoint".into(),
            Outcome::Failed(why) => {
                failed += 1;
                format!("failed: {why}")
            }
        };
        println!("{} -> {}: {what}", link.source, link.target);
    })?;
    eprint!("{report}");
    if failed > 0 {
        return Err(Error::Refused(format!(
            "{failed} webmention(s) failed; they are tried again on the next run"
        )));
    }
    Ok(())
}

/// Prints what a conversation import did (and, on a dry run, the YAML).
pub(crate) fn thread_report(
    result: Result<salon::import::conversation::ThreadReport, Error>,
    dry_run: bool,
) -> Result<(), Error> {
    let report = match result {
        Ok(r) => r,
        Err(Error::Content(diags)) => {
            report_diagnostics(&diags);
            return Err(Error::Refused(
                "nothing was imported; fix the file named above and run the import again".into(),
            ));
        }
        Err(e) => return Err(e),
    };
    if dry_run && !report.preview.is_empty() {
        println!("{}", report.preview.trim_end());
    }
    eprint!("{report}");
    Ok(())
}

pub(crate) fn export(
    source: PathBuf,
    format: salon::import::Format,
    args: ExportArgs,
) -> Result<(), Error> {
    use salon::import::{self, ImportOptions};
    let ExportArgs { file, dry_run } = args;
    let opts = ImportOptions {
        source,
        file,
        format,
        dry_run,
        progress: std::io::stderr().is_terminal(),
    };
    let start = Instant::now();
    import_report(
        import::import(&opts),
        dry_run,
        "the export could not be read; nothing was imported",
    )?;
    eprintln!("({:.2} s)", start.elapsed().as_secs_f64());
    Ok(())
}

/// `salon import mbox`: lists conversations, writes threads, or takes
/// e-mailed replies in as comments.
pub(crate) fn import_mbox(source: &Path, args: MboxArgs) -> Result<(), Error> {
    use salon::import::mbox::{run, Selection};
    let dry_run = args.dry_run;
    let start = Instant::now();
    let progress = std::io::stderr().is_terminal();
    let loaded = match run::load_with(&args.file, progress) {
        Ok(l) => l,
        Err(Error::Content(diags)) => {
            report_diagnostics(&diags);
            return Err(Error::Refused(
                "the mbox could not be read; nothing was imported".into(),
            ));
        }
        Err(e) => return Err(e),
    };
    report_diagnostics(&loaded.warnings);
    if args.list {
        for f in &loaded.found {
            let date = f.date.map_or_else(
                || "no date   ".to_owned(),
                |d| d.format("%Y-%m-%d").to_string(),
            );
            let root = &loaded.mailbox.mails[f.tree[0].0].id;
            println!("{root}  {date}  {:>3} messages  {}", f.len(), f.title);
            println!("    {}", loaded.mailbox.participants(f).join(", "));
        }
        eprintln!(
            "{} conversation(s) in {} message(s). Import one with --thread ID (the first column, or a Message-ID), or --subject TEXT, or --min-messages N.",
            loaded.found.len(),
            loaded.mailbox.mails.len()
        );
        return Ok(());
    }
    if let Some(post) = &args.post {
        let selection = Selection {
            thread: args.thread.clone(),
            subject: args.subject.clone(),
            min_messages: args.min_messages,
        };
        let r = run::attach_threads(source, &loaded, &selection, post, dry_run);
        return comments_report(r, dry_run);
    }
    if args.comments {
        comments_report(run::import_comments(source, &loaded, dry_run), dry_run)?;
        eprintln!("({:.2} s)", start.elapsed().as_secs_f64());
        return Ok(());
    }
    let selection = Selection {
        thread: args.thread,
        subject: args.subject,
        min_messages: args.min_messages,
    };
    let opts = salon::import::conversation::ThreadOptions {
        slug: args.slug,
        dry_run,
    };
    let report = run::import_threads_with(source, &loaded, &selection, &opts, progress)?;
    for id in &report.unknown_ids {
        eprintln!(
            "warning: no conversation in {} holds the message `{id}`",
            args.file.display()
        );
    }
    for r in &report.threads {
        if dry_run && !r.preview.is_empty() {
            println!("--- {}\n{}", r.path.display(), r.preview);
        }
        eprint!("{r}");
    }
    if report.threads.is_empty() && report.failed.is_empty() {
        eprintln!("No conversation matched; `--list` shows them.");
    }
    eprintln!("({:.2} s)", start.elapsed().as_secs_f64());
    if !report.failed.is_empty() {
        for (title, why) in &report.failed {
            eprintln!("error: \"{title}\": {why}");
        }
        return Err(Error::Refused(format!(
            "{} conversation(s) were not imported",
            report.failed.len()
        )));
    }
    Ok(())
}
