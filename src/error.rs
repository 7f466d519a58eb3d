//! Errors and diagnostics.
//!
//! Content problems are [`Diagnostic`]s: each names a file, a 1-based line
//! and column, what went wrong and, where we know it, what was expected.
//! Stages collect them instead of stopping at the first, and the build fails
//! with [`Error::Content`] holding all of them. Everything else (I/O, a
//! broken template) is an [`Error`] variant that carries its path.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; the user is told.
    Warning,
}

/// A position in a source file, 1-based like an editor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// A position from 1-based line and column.
    pub fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    /// The position of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

/// How many characters of the offending line a diagnostic shows.
pub const SHOWN_LINE: usize = 200;

/// One problem found in the content, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site folder when it lies inside it.
    pub path: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
    /// What was expected, or how to fix it.
    pub help: Option<String>,
    /// The text of the offending line, for snippet rendering.
    pub line_text: Option<String>,
}

impl Diagnostic {
    /// An error in `path` at `position` (if known).
    pub fn error(path: &Path, position: Option<Position>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.to_path_buf(),
            position,
            message: message.into(),
            help: None,
            line_text: None,
        }
    }

    /// A warning in `path` at `position` (if known).
    pub fn warning(path: &Path, position: Option<Position>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, position, message)
        }
    }

    /// Adds what was expected or how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the offending line, taken from the whole file's `text`.
    pub fn with_source(mut self, text: &str) -> Self {
        if let Some(pos) = self.position {
            self.line_text = text
                .lines()
                .nth(pos.line.saturating_sub(1))
                .map(str::to_owned);
        }
        self
    }

    /// The offending line as shown under the message, with the column of
    /// the position in it: cut to [`SHOWN_LINE`] characters around the
    /// column (`…` where cut), so a minified or deeply nested line of
    /// 200 KB does not flood the terminal.
    pub fn shown_line(&self) -> Option<(String, usize)> {
        let line = self.line_text.as_deref()?;
        let column = self.position.map_or(1, |p| p.column.max(1));
        let count = line.chars().count();
        if count <= SHOWN_LINE {
            return Some((line.to_owned(), column));
        }
        let at = (column - 1).min(count);
        let start = at.saturating_sub(SHOWN_LINE / 2).min(count - SHOWN_LINE);
        let end = start + SHOWN_LINE;
        let mut shown = String::new();
        if start > 0 {
            shown.push('…');
        }
        shown.extend(line.chars().skip(start).take(SHOWN_LINE));
        if end < count {
            shown.push('…');
        }
        Some((shown, at - start + 1 + usize::from(start > 0)))
    }

    /// Whether this diagnostic fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}", self.path.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Diagnostics gathered by a stage; errors and warnings together.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// The warnings only.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.0.iter().filter(|d| !d.is_error()).cloned().collect()
    }

    /// Sorted by file and position, so reports read in a stable order
    /// whatever order the parallel stages finished in.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| {
            (&a.path, a.position.map(|p| (p.line, p.column)))
                .cmp(&(&b.path, b.position.map(|p| (p.line, p.column))))
        });
        self.0
    }

    /// `Err(Error::Content)` with every diagnostic when any is an error.
    pub fn into_result(self) -> Result<Vec<Diagnostic>, Error> {
        if self.has_errors() {
            Err(Error::Content(self.into_sorted()))
        } else {
            Ok(self.into_sorted())
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The content has errors; every one found is listed (warnings too).
    #[error("{} error(s) in the content", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A template failed to parse or render.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name (its path below `templates/`).
        name: String,
        /// Tera's message with its causes.
        message: String,
    },
    /// A command was asked to do something it must refuse.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    /// Keeps `result`'s value, or moves its content diagnostics into
    /// `diags` so a stage can go on and report every problem at once;
    /// any other error is returned.
    pub fn gather<T>(
        result: Result<T, Error>,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Option<T>, Error> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(Error::Content(found)) => {
                diags.extend(found);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `Ok(v)` when `diags` is empty, else the content error listing them.
    pub fn unless<T>(v: T, diags: Vec<Diagnostic>) -> Result<T, Error> {
        if diags.is_empty() {
            Ok(v)
        } else {
            Err(Error::Content(diags))
        }
    }
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A Tera error with its whole chain of causes.
    pub fn template(name: &str, err: &tera::Error) -> Self {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Error::Template {
            name: name.to_owned(),
            message,
        }
    }
}

/// The closest of `candidates` to `word`, when close enough to suggest.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_shown_cut_around_the_column() {
        let mut d = Diagnostic::error(Path::new("a.md"), Some(Position::new(1, 50_001)), "x");
        d.line_text = Some(format!("{}X{}", "[".repeat(50_000), "]".repeat(50_000)));
        let (shown, column) = d.shown_line().unwrap();
        assert_eq!(shown.chars().count(), SHOWN_LINE + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
        d.line_text = Some("short".into());
        d.position = Some(Position::new(1, 3));
        assert_eq!(d.shown_line(), Some(("short".into(), 3)));
    }

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 2), Position::new(1, 3));
        assert_eq!(Position::of_offset(text, 3), Position::new(2, 1));
        // Columns count characters, not bytes.
        assert_eq!(Position::of_offset(text, 7), Position::new(2, 4));
        assert_eq!(Position::of_offset(text, 8), Position::new(3, 1));
    }

    #[test]
    fn suggests_close_names_only() {
        let fields = ["title", "date", "tags", "categories"];
        assert_eq!(did_you_mean("titel", &fields), Some("title"));
        assert_eq!(did_you_mean("tag", &fields), Some("tags"));
        assert_eq!(did_you_mean("colour", &fields), None);
    }
}
