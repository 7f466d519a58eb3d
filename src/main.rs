//! The `salon` command: parses arguments, calls the library, reports.

use std::io::IsTerminal;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use annotate_snippets::{Level, Renderer, Snippet};
use clap::{Args, Parser, Subcommand, ValueEnum};

use salon::error::Severity;
use salon::scaffold::{self, NewKind};
use salon::serve::Event;
use salon::{BuildOptions, Diagnostic, Error};
use std::sync::atomic::AtomicBool;

/// A static site generator for knowledge communities.
#[derive(Parser)]
#[command(name = "salon", version, about)]
struct Cli {
    /// The site folder (holding salon.yaml).
    #[arg(long, short = 's', global = true, default_value = ".")]
    source: PathBuf,
    #[command(subcommand)]
    command: Command,
}

/// What `build` and `watch` both take.
#[derive(Args)]
struct BuildArgs {
    /// Output folder (default: <source>/public).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Use this base URL instead of salon.yaml's.
    #[arg(long, short = 'u')]
    base_url: Option<String>,
    /// Build drafts too.
    #[arg(long)]
    drafts: bool,
    /// Build posts dated in the future too (held back until their date otherwise).
    #[arg(long)]
    future: bool,
}

impl BuildArgs {
    fn options(self, source: PathBuf) -> BuildOptions {
        BuildOptions {
            source,
            output: self.output,
            base_url: self.base_url,
            drafts: self.drafts,
            future: self.future,
            now: None,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        #[command(flatten)]
        site: BuildArgs,
        /// Print where the time went, stage by stage and template by template.
        #[arg(long)]
        timings: bool,
    },
    /// Parse, link and render everything, checking for errors; write nothing.
    Check {
        /// Check drafts too.
        #[arg(long)]
        drafts: bool,
        /// Check posts dated in the future too.
        #[arg(long)]
        future: bool,
    },
    /// Build, serve on loopback, and rebuild and live-reload on every change.
    Serve {
        /// Port to listen on (0: any free port).
        #[arg(long, short = 'p', default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything but loopback exposes your drafts
        /// to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Build drafts too.
        #[arg(long)]
        drafts: bool,
        /// Build posts dated in the future too.
        #[arg(long)]
        future: bool,
        /// Output folder (default: <source>/public).
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Poll for changes instead of using the system's file events.
        #[arg(long)]
        poll: bool,
    },
    /// Build, then rebuild on every change (no server).
    Watch {
        #[command(flatten)]
        site: BuildArgs,
        /// Poll for changes instead of using the system's file events.
        #[arg(long)]
        poll: bool,
    },
    /// Create a new site.
    Init {
        /// Folder for the new site (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The site's title.
        #[arg(long, default_value = "My Community")]
        title: String,
    },
    /// Create a new post, member, thread or page.
    New {
        /// What to create.
        kind: Kind,
        /// Its title (or the member's name).
        title: String,
    },
    /// Import posts, members, comments or conversations from elsewhere.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// List the comments that wait for a moderator; approve, reject or
    /// mark them as spam (their files are edited in place).
    Moderate {
        #[command(subcommand)]
        action: Option<ModerateAction>,
        /// Print JSON, for scripts.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Notify the sites your posts link to (Webmention).
    Webmentions {
        #[command(subcommand)]
        what: WebmentionsCommand,
    },
}

/// The comments a `salon moderate` action changes.
#[derive(Args)]
struct CommentIds {
    /// `post-slug#comment-id`, as `salon moderate` lists them, or a comment
    /// id alone when only one post has it.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// `salon moderate <action> ID…`.
#[derive(Subcommand)]
enum ModerateAction {
    /// Publish these comments (`status: approved`).
    Approve(CommentIds),
    /// Turn them down (`status: rejected`): kept in the file, so a re-import
    /// does not bring them back, but never shown or listed again.
    Reject(CommentIds),
    /// Mark them as spam (`status: spam`): never shown.
    Spam(CommentIds),
}

/// `salon webmentions ...`.
#[derive(Subcommand)]
enum WebmentionsCommand {
    /// Send a webmention for each external link of each post, once per
    /// source and target (remembered in .salon-webmentions.json).
    Send {
        /// Discover endpoints and print what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `salon import <format> ...`: one subcommand per source, each with its
/// own files and options.
#[derive(Subcommand)]
enum ImportCommand {
    /// WordPress WXR export (.xml): posts, pages, authors and comments.
    Wordpress(ExportArgs),
    /// Disqus XML export: comments.
    Disqus(ExportArgs),
    /// Movable Type / TypePad text export: posts and comments.
    Movabletype(ExportArgs),
    /// A JSON or YAML list of comments (see docs/content.md).
    Json(ExportArgs),
    /// Webmentions: a webmention.io API answer (JF2 feed or the older format).
    Webmentions(ExportArgs),
    /// A Mastodon conversation: the saved answers of
    /// /api/v1/statuses/ID and /api/v1/statuses/ID/context.
    Mastodon {
        /// The status (/api/v1/statuses/ID).
        status: PathBuf,
        /// Its context (/api/v1/statuses/ID/context).
        context: PathBuf,
        #[command(flatten)]
        thread: ThreadArgs,
    },
    /// A Bluesky conversation: the saved answer of app.bsky.feed.getPostThread.
    Bluesky {
        /// The getPostThread answer.
        thread_file: PathBuf,
        #[command(flatten)]
        thread: ThreadArgs,
    },
    /// A mailing list's mbox: conversations become threads, or e-mailed
    /// replies become comments (--comments).
    Mbox(MboxArgs),
}

/// `salon import mbox`.
#[derive(Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true)
    .args(["list", "thread", "subject", "min_messages", "comments"])))]
struct MboxArgs {
    /// The mbox file.
    file: PathBuf,
    /// Print the conversations (id, date, messages, title, participants).
    #[arg(long, conflicts_with = "comments")]
    list: bool,
    /// Import the conversation holding this message (its Message-ID, or
    /// the id --list shows); may be repeated.
    #[arg(long, value_name = "MESSAGE-ID")]
    thread: Vec<String>,
    /// Import the conversations whose subject contains this text.
    #[arg(long, value_name = "TEXT")]
    subject: Option<String>,
    /// Import every conversation of at least N messages.
    #[arg(long, value_name = "N")]
    min_messages: Option<usize>,
    /// Import replies sent with the site's "Reply" links as comments.
    #[arg(long, conflicts_with_all = ["thread", "subject", "min_messages"])]
    comments: bool,
    /// Attach the selected conversations to this post as comments instead
    /// of writing threads.
    #[arg(long, value_name = "SLUG", conflicts_with_all = ["list", "comments", "slug"])]
    post: Option<String>,
    /// Print what would be written or added; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The thread's file name (content/threads/SLUG.md) when one
    /// conversation is selected; names the file to update on re-import.
    #[arg(long, conflicts_with_all = ["list", "comments"])]
    slug: Option<String>,
}

/// What the export formats take.
#[derive(Args)]
struct ExportArgs {
    /// The export file.
    file: PathBuf,
    /// Print what would be written; write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// What conversation imports (which write a thread file) take.
#[derive(Args)]
struct ThreadArgs {
    /// Print what would be written or added; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The thread's file name (content/threads/SLUG.md) instead of one
    /// made from the first words; names the file to update on re-import.
    #[arg(long)]
    slug: Option<String>,
    /// Attach the replies to this post as comments instead of writing a thread.
    #[arg(long, value_name = "SLUG", conflicts_with = "slug")]
    post: Option<String>,
}

impl ThreadArgs {
    fn options(self) -> salon::import::conversation::ThreadOptions {
        salon::import::conversation::ThreadOptions {
            slug: self.slug,
            dry_run: self.dry_run,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Post,
    Member,
    Thread,
    Page,
}

fn main() -> ExitCode {
    salon::memory::keep_freed_memory();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Import { what } => import(cli.source, what),
        Command::Moderate { action, json } => moderate(&cli.source, action, json),
        Command::Webmentions {
            what: WebmentionsCommand::Send { dry_run },
        } => send_webmentions(&cli.source, dry_run),
        Command::Build { site, timings } => {
            let opts = site.options(cli.source);
            let start = Instant::now();
            let r = salon::build(&opts)?;
            report_notices(&r.notices);
            report_diagnostics(&r.warnings);
            if !r.foreign.is_empty() {
                let listed: Vec<&str> = r.foreign.iter().take(5).map(String::as_str).collect();
                let more = r.foreign.len().saturating_sub(listed.len());
                eprintln!(
                    "warning: {} file(s) in {} were not written by Salon and were left alone: {}{}",
                    r.foreign.len(),
                    shown(&r.output),
                    listed.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                );
            }
            if timings {
                eprintln!("{}", r.timings);
            }
            if r.up_to_date {
                eprintln!(
                    "Nothing changed since the last build: {} files in {} are up to date ({:.2} s)",
                    r.files,
                    shown(&r.output),
                    start.elapsed().as_secs_f64()
                );
                report_scheduled(&r);
                return Ok(());
            }
            eprintln!(
                "Built {} posts into {} files in {}: {} written, {} unchanged, {} removed ({:.2} s)",
                r.posts,
                r.files,
                shown(&r.output),
                r.written,
                r.unchanged,
                r.removed,
                start.elapsed().as_secs_f64()
            );
            report_scheduled(&r);
            if let Some(said) = r.held.summary() {
                eprintln!("{said}");
            }
            Ok(())
        }
        Command::Serve {
            port,
            bind,
            open,
            drafts,
            future,
            output,
            poll,
        } => {
            if !bind.is_loopback() {
                eprintln!(
                    "warning: listening on {bind}, not loopback: anyone who can reach this machine can read the site, drafts included"
                );
            }
            let opts = BuildOptions {
                source: cli.source,
                output,
                base_url: None,
                drafts,
                future,
                now: None,
            };
            live(opts, Some(SocketAddr::new(bind, port)), open, poll)
        }
        Command::Watch { site, poll } => live(site.options(cli.source), None, false, poll),
        Command::Check { drafts, future } => {
            let opts = BuildOptions {
                source: cli.source,
                drafts,
                future,
                ..Default::default()
            };
            let warnings = salon::check(&opts)?;
            report_diagnostics(&warnings);
            eprintln!("No errors ({} warning(s)).", warnings.len());
            Ok(())
        }
        Command::Init { dir, title } => {
            let dir = if dir == Path::new(".") {
                cli.source
            } else {
                dir
            };
            let made = scaffold::init(&dir, &title)?;
            for p in &made {
                eprintln!("created {}", p.display());
            }
            if dir == Path::new(".") {
                eprintln!("Now run: salon serve");
            } else {
                eprintln!("Now run: cd {} && salon serve", dir.display());
            }
            Ok(())
        }
        Command::New { kind, title } => {
            let kind = match kind {
                Kind::Post => NewKind::Post,
                Kind::Member => NewKind::Member,
                Kind::Thread => NewKind::Thread,
                Kind::Page => NewKind::Page,
            };
            let path = scaffold::new(&cli.source, kind, &title)?;
            eprintln!("created {}", path.display());
            if kind == NewKind::Post {
                eprintln!("It is a draft: `salon build --drafts` shows it; remove `draft: true` to publish.");
            }
            Ok(())
        }
    }
}

fn import(source: PathBuf, what: ImportCommand) -> Result<(), Error> {
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
fn moderate(source: &Path, action: Option<ModerateAction>, json: bool) -> Result<(), Error> {
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
fn comments_report(
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
fn import_report(
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
fn send_webmentions(source: &Path, dry_run: bool) -> Result<(), Error> {
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
fn thread_report(
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

fn export(source: PathBuf, format: salon::import::Format, args: ExportArgs) -> Result<(), Error> {
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
fn import_mbox(source: &Path, args: MboxArgs) -> Result<(), Error> {
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

/// `salon serve` (with `serve`) and `salon watch`: runs until interrupted.
fn live(
    opts: BuildOptions,
    serve: Option<SocketAddr>,
    open: bool,
    poll: bool,
) -> Result<(), Error> {
    if !salon::build::is_site(&opts.source) {
        return Err(Error::Refused(format!(
            "{} is not a site folder (no salon.yaml); run `salon init` first",
            opts.source.display()
        )));
    }
    let config = salon::serve::Config {
        build: opts,
        serve,
        debounce: salon::serve::Debounce::default(),
        poll,
    };
    let mut url = None;
    let mut first = true;
    let mut held = salon::moderation::Held::default();
    let mut on_event = |event: Event<'_>| match event {
        Event::Serving { url: u, .. } => {
            eprintln!("Serving at {u} with live reload");
            url = Some(u.to_owned());
        }
        Event::Watching => eprintln!("Watching for changes (Ctrl-C to stop)"),
        Event::Warning(text) => eprintln!("warning: {text}"),
        Event::Rebuilding { changed } => {
            if let Some(first_change) = changed.first() {
                let more = changed.len() - 1;
                eprintln!(
                    "Changed: {}{}",
                    shown(first_change),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                );
            }
        }
        Event::Built {
            report: r,
            elapsed,
            reloaded,
        } => {
            report_notices(&r.notices);
            report_diagnostics(&r.warnings);
            if first && !reloaded {
                eprintln!(
                    "The {} files in {} are up to date ({:.0} ms)",
                    r.files,
                    shown(&r.output),
                    elapsed.as_secs_f64() * 1000.0
                );
            } else if !reloaded {
                eprintln!(
                    "Rebuilt: {} of {} files rendered, none changed ({:.0} ms)",
                    r.rendered,
                    r.files,
                    elapsed.as_secs_f64() * 1000.0
                );
            } else {
                eprintln!(
                    "Built {} files: {} rendered, {} written, {} removed ({:.0} ms){}",
                    r.files,
                    r.rendered,
                    r.written,
                    r.removed,
                    elapsed.as_secs_f64() * 1000.0,
                    if url.is_some() && !first {
                        "; reloading"
                    } else {
                        ""
                    }
                );
            }
            if first {
                report_scheduled(r);
            }
            // Said at the start and whenever the number changes.
            if first || r.held != held {
                if let Some(said) = r.held.summary() {
                    eprintln!("{said}");
                } else if !first {
                    eprintln!("Nothing waits for moderation.");
                }
                held = r.held;
            }
            if first && open {
                if let Some(u) = &url {
                    if let Err(e) = salon::serve::open_browser(u) {
                        eprintln!("warning: cannot open a browser: {e}");
                    }
                }
            }
            first = false;
        }
        Event::Failed { error, .. } => {
            report_error(error);
            eprintln!("The last good site is still served; fix the file and it rebuilds.");
            if first && open {
                if let Some(u) = &url {
                    let _ = salon::serve::open_browser(u);
                }
            }
            first = false;
        }
    };
    let stop = AtomicBool::new(false);
    salon::serve::run(
        config,
        &mut salon::incremental::Incremental::new(),
        &mut on_event,
        &stop,
    )
}

/// `path` as the user would type it from here: relative to the working
/// folder when it lies inside it (the library works with canonical paths).
fn shown(path: &Path) -> String {
    let rel = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    match rel {
        Some(r) if r.as_os_str().is_empty() => ".".to_owned(),
        Some(r) => r.display().to_string(),
        None => path.display().to_string(),
    }
}

/// Says what a build held back for its date, and when the next is due.
fn report_scheduled(r: &salon::BuildReport) {
    let Some(due) = r.next_scheduled else {
        return;
    };
    let due = due.format("%Y-%m-%d %H:%M UTC");
    match r.scheduled {
        // An up-to-date build parsed nothing: it knows only the next date.
        0 => eprintln!("A scheduled post is held back until {due}; a build after that publishes it."),
        n => eprintln!(
            "Held back {n} scheduled post(s) dated in the future (the next is due {due}); a build after that date publishes it, --future builds them now."
        ),
    }
}

fn report_error(e: &Error) {
    match e {
        Error::Content(diags) => {
            report_diagnostics(diags);
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: the build failed with {n} error(s); the output folder was not touched"
            );
        }
        other => eprintln!("error: {other}"),
    }
}

/// Prints what a build repaired or waited for before writing.
fn report_notices(notices: &[String]) {
    for n in notices {
        eprintln!("note: {n}");
    }
}

/// Prints diagnostics as rustc does: the file, the line, a caret.
fn report_diagnostics(diags: &[Diagnostic]) {
    let renderer = if std::io::stderr().is_terminal() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let origin = d.path.display().to_string();
        let location = match d.position {
            Some(p) => format!("{origin}:{}:{}", p.line, p.column),
            None => origin.clone(),
        };
        let title = format!("{} ({location})", d.message);
        let mut message = level.title(&title);
        let shown = d.shown_line();
        let snippet;
        if let (Some(pos), Some((line, column))) = (d.position, &shown) {
            let start = line
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line.len(), |(i, _)| i);
            let end = line[start..]
                .find([' ', ',', ']', '}'])
                .map_or(line.len(), |i| start + i.max(1))
                .max((start + 1).min(line.len()));
            snippet = Snippet::source(line)
                .line_start(pos.line)
                .origin(&origin)
                .annotation(level.span(start..end));
            message = message.snippet(snippet);
        }
        if let Some(help) = &d.help {
            message = message.footer(Level::Help.title(help));
        }
        eprintln!("{}\n", renderer.render(message));
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
