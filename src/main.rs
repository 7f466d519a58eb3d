//! The `salon` command: parses arguments, calls the library, reports.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use salon::scaffold::{self, NewKind};
use salon::{BuildOptions, Error};

mod cli;
use cli::imports::{import, moderate, send_webmentions};
use cli::live::live;
use cli::report::{report_diagnostics, report_error, report_notices, report_scheduled, shown};

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
            ..Default::default()
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
                ..Default::default()
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

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
