//! How the `salon` command prints paths, errors, notices and diagnostics.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};

use salon::error::Severity;
use salon::{Diagnostic, Error};

/// `path` as the user would type it from here: relative to the working
/// folder when it lies inside it (the library works with canonical paths).
pub(crate) fn shown(path: &Path) -> String {
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
pub(crate) fn report_scheduled(r: &salon::BuildReport) {
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

pub(crate) fn report_error(e: &Error) {
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
pub(crate) fn report_notices(notices: &[String]) {
    for n in notices {
        eprintln!("note: {n}");
    }
}

/// Prints diagnostics as rustc does: the file, the line, a caret.
pub(crate) fn report_diagnostics(diags: &[Diagnostic]) {
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
