//! `salon serve` and `salon watch`: build, watch, rebuild, and (for serve)
//! serve the output with live reload.
//!
//! This layer sits on top of the build, never inside it: every rebuild goes
//! through the [`Rebuild`] trait ([`crate::incremental::Incremental`] keeps
//! the site in memory; [`FullBuild`] calls [`fn@crate::build`]), so
//! an incremental rebuilder can take its place without touching the rest.
//!
//! - [`watch`]: notify events, filtered and debounced into batches.
//! - [`http`]: the HTTP server (hyper on a one-thread tokio loop) and its
//!   limits; `paths` decides what a request may see.
//! - [`reload`]: the server-sent-events hub and the injected script.
//!
//! A tab is told to reload only once the files it will fetch are in place
//! (after the rebuild returned, or after each step it published) and only
//! when bytes changed; told which files changed, a tab reloads only if it
//! shows or loaded one of them. A failed rebuild
//! leaves the output, and so the served site, as it was, and shows its
//! errors over the page until a rebuild works again.

mod body;
pub mod http;
mod paths;
mod poll;
pub mod reload;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::{BuildOptions, BuildReport};
use crate::error::Error;

pub use watch::Debounce;

/// Rebuilds the site after changes. `changed` lists the changed source
/// paths (empty for the first build); an implementation may use them to
/// redo less.
pub trait Rebuild {
    /// Brings the output folder up to date with the sources.
    fn rebuild(&mut self, opts: &BuildOptions, changed: &[PathBuf]) -> Result<BuildReport, Error>;

    /// Like [`Rebuild::rebuild`], but may tell which files it wrote or
    /// removed: when it calls `published`, it does so after each step it
    /// publishes (a change may be published in steps, the edited page
    /// first), with the files of that step (paths below the output
    /// folder), and so once for every file it changes. When it never calls
    /// it, every open tab reloads once it returns.
    fn rebuild_in_steps(
        &mut self,
        opts: &BuildOptions,
        changed: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
    ) -> Result<BuildReport, Error> {
        let _ = published;
        self.rebuild(opts, changed)
    }
}

impl<F> Rebuild for F
where
    F: FnMut(&BuildOptions, &[PathBuf]) -> Result<BuildReport, Error>,
{
    fn rebuild(&mut self, opts: &BuildOptions, changed: &[PathBuf]) -> Result<BuildReport, Error> {
        self(opts, changed)
    }
}

/// Rebuilds with a whole [`fn@crate::build`], which itself skips unchanged
/// inputs and writes only changed files.
#[derive(Debug, Default, Clone, Copy)]
pub struct FullBuild;

impl Rebuild for FullBuild {
    fn rebuild(&mut self, opts: &BuildOptions, _changed: &[PathBuf]) -> Result<BuildReport, Error> {
        crate::build(opts)
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The build; for serving, its `base_url` is replaced by the server's.
    pub build: BuildOptions,
    /// Where to serve, if at all (`salon watch` does not).
    pub serve: Option<SocketAddr>,
    /// Debouncing of file events.
    pub debounce: Debounce,
    /// Poll instead of using the system's file events.
    pub poll: bool,
}

/// What happened, for the caller to report.
#[derive(Debug)]
pub enum Event<'a> {
    /// The server listens at this URL.
    Serving {
        /// `http://<addr>/`.
        url: &'a str,
        /// The bound address.
        addr: SocketAddr,
    },
    /// Watching started.
    Watching,
    /// Something the user should know (a fallback to polling).
    Warning(&'a str),
    /// A (re)build started because of these changes.
    Rebuilding {
        /// Changed source paths; empty for the first build.
        changed: &'a [PathBuf],
    },
    /// A build succeeded.
    Built {
        /// What it did.
        report: &'a BuildReport,
        /// How long it took.
        elapsed: Duration,
        /// Whether open tabs were told to reload.
        reloaded: bool,
        /// When the change was published in steps: how long until the
        /// first (the edited pages) was.
        first_step: Option<Duration>,
    },
    /// A build failed; the output is as it was.
    Failed {
        /// Why.
        error: &'a Error,
        /// How long it took.
        elapsed: Duration,
    },
}

/// Builds, then watches and rebuilds (and serves, when asked) until `stop`
/// is set. Build errors are reported through `on_event`, never returned:
/// only failing to bind or to watch ends the session.
pub fn run(
    config: Config,
    rebuild: &mut dyn Rebuild,
    on_event: &mut dyn FnMut(Event<'_>),
    stop: &AtomicBool,
) -> Result<(), Error> {
    // One canonical root for the whole run: the watcher reports canonical
    // paths, and the rebuilder compares them with this root.
    let mut opts = config.build.resolve()?;
    let output = opts.output_dir();
    // Held for the whole session: a `salon build` in another terminal
    // would write the real base URL under this session's pages, so it is
    // refused with a message naming this process.
    let command = if config.serve.is_some() {
        "salon serve"
    } else {
        "salon watch"
    };
    let _lock = crate::write::OutputLock::acquire(&output, command)?;
    let hub = Arc::new(reload::Hub::new());
    let server = match config.serve {
        Some(addr) => {
            let server = http::Server::start(addr, output.clone(), hub.clone()).map_err(|e| {
                let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                    " (another server runs there: pick another --port, or 0 for any free one)"
                } else {
                    ""
                };
                Error::Refused(format!("cannot listen on {addr}: {e}{hint}"))
            })?;
            let url = format!("http://{}/", server.addr());
            opts.base_url = Some(url.clone());
            on_event(Event::Serving {
                url: &url,
                addr: server.addr(),
            });
            Some(server)
        }
        None => None,
    };
    // Watch before the first build, so nothing saved during it is missed.
    let mut watch = watch::Watch::start(&opts.source, &output, config.debounce, config.poll)?;
    let mut session = Session {
        opts,
        rebuild,
        hub: &hub,
    };
    session.build(&[], on_event);
    for notice in watch.take_notices() {
        let watch::WatchNotice::Polling(text) = notice;
        on_event(Event::Warning(&text));
    }
    on_event(Event::Watching);
    while let Some(changed) = watch.next_batch(stop)? {
        for notice in watch.take_notices() {
            let watch::WatchNotice::Polling(text) = notice;
            on_event(Event::Warning(&text));
        }
        session.build(&changed, on_event);
    }
    drop(server);
    Ok(())
}

struct Session<'a> {
    opts: BuildOptions,
    rebuild: &'a mut dyn Rebuild,
    hub: &'a reload::Hub,
}

impl Session<'_> {
    fn build(&mut self, changed: &[PathBuf], on_event: &mut dyn FnMut(Event<'_>)) {
        on_event(Event::Rebuilding { changed });
        let start = Instant::now();
        let css = css_only(changed);
        // When tabs were told which files changed, step by step.
        let mut steps: Vec<Duration> = Vec::new();
        let hub = self.hub;
        let mut published = |files: &[String]| {
            if !css {
                hub.published(files);
                steps.push(start.elapsed());
            }
        };
        // A panicking build must not take the server down with it.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.rebuild
                .rebuild_in_steps(&self.opts, changed, &mut published)
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::Refused(format!("the build panicked: {what}")))
        });
        let elapsed = start.elapsed();
        match result {
            Ok(report) => {
                // The build has returned: every file a tab will fetch is
                // in place.
                let reloaded = report.written > 0 || report.removed > 0;
                if !steps.is_empty() {
                    // Each step's tabs were told as it was published.
                } else if reloaded {
                    self.hub.changed(css);
                } else {
                    self.hub.unchanged();
                }
                on_event(Event::Built {
                    report: &report,
                    elapsed,
                    reloaded,
                    first_step: steps.first().copied().filter(|_| steps.len() > 1),
                });
            }
            Err(error) => {
                self.hub.failed(error_text(&error));
                on_event(Event::Failed {
                    error: &error,
                    elapsed,
                });
            }
        }
    }
}

/// Whether every change is a stylesheet: tabs can swap stylesheets instead
/// of reloading.
pub fn css_only(changed: &[PathBuf]) -> bool {
    !changed.is_empty()
        && changed
            .iter()
            .all(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("css")))
}

/// A build error as plain text for the browser: every diagnostic with its
/// file, line, column and the offending line.
pub fn error_text(error: &Error) -> String {
    match error {
        Error::Content(diags) => {
            let mut out = String::new();
            for d in diags {
                out.push_str(&d.to_string());
                out.push('\n');
                if let (Some(pos), Some((line, _))) = (d.position, d.shown_line()) {
                    out.push_str(&format!("{:>5} | {line}\n", pos.line));
                }
                out.push('\n');
            }
            out
        }
        other => other.to_string(),
    }
}

/// Opens `url` in the default browser (or `$BROWSER`), best effort. The
/// `opener` crate asks the system directly (ShellExecute on Windows, where
/// `cmd /C start` would cut the URL at a `&`; `open` on macOS; xdg-open on
/// Linux, with WSL handled).
pub fn open_browser(url: &str) -> std::io::Result<()> {
    opener::open_browser(url).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheet_changes_alone_swap_stylesheets() {
        assert!(css_only(&[
            "/s/static/a.css".into(),
            "/s/themes/t/static/b.CSS".into()
        ]));
        assert!(!css_only(&[
            "/s/static/a.css".into(),
            "/s/content/posts/a.md".into()
        ]));
        assert!(!css_only(&[]));
    }
}
