//! `salon serve` and `salon watch`: build, then rebuild on every change.

use std::net::SocketAddr;

use salon::serve::Event;
use salon::{BuildOptions, Error};
use std::sync::atomic::AtomicBool;

use super::report::{report_diagnostics, report_error, report_notices, report_scheduled, shown};

/// `salon serve` (with `serve`) and `salon watch`: runs until interrupted.
pub(crate) fn live(
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
            first_step,
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
                    "Built {} files: {} rendered, {} written, {} removed ({:.0} ms{}){}",
                    r.files,
                    r.rendered,
                    r.written,
                    r.removed,
                    elapsed.as_secs_f64() * 1000.0,
                    match first_step {
                        Some(t) =>
                            format!("; the edited page after {:.0} ms", t.as_secs_f64() * 1000.0),
                        None => String::new(),
                    },
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
