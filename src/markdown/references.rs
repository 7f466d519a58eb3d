//! What a document points at (wikilinks, member and term links), found
//! while rendering it, and the placeholders its HTML holds for wikilinks
//! until every page is known.

use super::Rendered;
use crate::entities::escape;

/// Something a document points at, found while rendering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefKind {
    /// `[[target#anchor|label]]`; resolved once every page is known. The
    /// HTML holds placeholders ([`placeholder_href`], [`placeholder_title`]).
    Wiki {
        /// `post-slug`, `members/handle`, `threads/slug`, `tags/Name`.
        target: String,
        /// The part after `#`, if any.
        anchor: Option<String>,
    },
    /// `@handle` of an existing member (already linked in the HTML).
    Mention(String),
    /// A markdown link to a root path of the site (`/posts/x/`), checked
    /// once every output path is known.
    Link(String),
}

/// A reference and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What it points at.
    pub kind: RefKind,
    /// Byte offset in the markdown source.
    pub offset: usize,
    /// 1-based line in the file, filled in by the parser that knows where
    /// the markdown starts (0 until then).
    pub line: usize,
    /// 1-based column (in characters) on that line; 1 when only the line
    /// is known.
    pub column: usize,
    /// The text of that line, for the snippet an error shows.
    pub line_text: Option<Box<str>>,
}

impl Reference {
    /// A reference at byte `offset`; its line is set later.
    pub(super) fn at(kind: RefKind, offset: usize) -> Self {
        Reference {
            kind,
            offset,
            line: 0,
            column: 1,
            line_text: None,
        }
    }

    /// Puts the reference on file line `line`, position in it unknown.
    pub fn place_on(&mut self, line: usize) {
        self.line = line;
        self.column = 1;
        self.line_text = None;
    }

    /// An error at this reference, with its line shown.
    pub fn error(&self, path: &std::path::Path, message: impl Into<String>) -> crate::Diagnostic {
        let mut d = crate::Diagnostic::error(
            path,
            Some(crate::error::Position::new(self.line, self.column)),
            message,
        );
        d.line_text = self.line_text.as_deref().map(str::to_owned);
        d
    }

    /// A warning at this reference, with its line shown.
    pub fn warning(&self, path: &std::path::Path, message: impl Into<String>) -> crate::Diagnostic {
        crate::Diagnostic {
            severity: crate::error::Severity::Warning,
            ..self.error(path, message)
        }
    }
}

impl Rendered {
    /// Replaces the document, and its digest.
    pub fn set_html(&mut self, html: String) {
        self.digest = crate::digest::of(&html);
        self.html = html;
        self.spilled = None;
    }

    /// The whole document, read back from disk if it was spilled.
    ///
    /// # Panics
    ///
    /// When the spill file, written by this process and held open, cannot
    /// be read back: a failing disk, which no page could be built on.
    pub fn document(&self) -> std::borrow::Cow<'_, str> {
        match &self.spilled {
            None => std::borrow::Cow::Borrowed(&self.html),
            Some(s) => std::borrow::Cow::Owned(
                s.read()
                    .unwrap_or_else(|e| panic!("reading back a spilled document: {e}")),
            ),
        }
    }

    /// Moves the document to `spill`, keeping only where it went. Left in
    /// memory if it cannot be written (a full disk): spilling saves memory,
    /// it is never needed for a correct build.
    pub fn spill(&mut self, spill: &std::sync::Arc<crate::spill::Spill>) {
        if self.spilled.is_some() || self.html.is_empty() {
            return;
        }
        if let Ok(s) = spill.put(&self.html) {
            self.spilled = Some(s);
            self.html = String::new();
        }
    }

    /// Sets each reference's file line, for markdown that starts on file
    /// line `first_line` (or, with `fixed`, puts them all on that line).
    pub fn locate_refs(&mut self, source: &str, first_line: usize, fixed: bool) {
        let mut line = first_line;
        let mut at = 0;
        for r in &mut self.refs {
            if fixed {
                r.place_on(first_line);
                continue;
            }
            let to = r.offset.min(source.len());
            if to >= at {
                line += source.as_bytes()[at..to]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                at = to;
            }
            r.line = line;
            let (Some(start), Some(end)) = (
                source.get(..to).map(|s| s.rfind('\n').map_or(0, |i| i + 1)),
                source
                    .get(to..)
                    .map(|s| s.find('\n').map_or(source.len(), |i| to + i)),
            ) else {
                continue;
            };
            r.column = source[start..to].chars().count() + 1;
            r.line_text = Some(source[start..end].trim_end_matches('\r').into());
        }
    }
}

/// The href a wikilink's HTML holds until it is resolved.
pub fn placeholder_href(n: usize) -> String {
    format!("\u{E000}{n}\u{E001}")
}

/// The text a label-less wikilink's HTML holds until resolved.
pub fn placeholder_title(n: usize) -> String {
    format!("\u{E000}{n}\u{E002}")
}

/// Replaces wikilink placeholders in `html` with `href(n)` and
/// `title(n)`, escaped. Documents without wikilinks are returned as is.
pub fn resolve_placeholders(
    html: &str,
    href: impl Fn(usize) -> String,
    title: impl Fn(usize) -> String,
) -> String {
    // In an href the HTML writer percent-encodes the markers.
    let decoded;
    let html = if html.contains("%EE%80%80") {
        decoded = html
            .replace("%EE%80%80", "\u{E000}")
            .replace("%EE%80%81", "\u{E001}");
        decoded.as_str()
    } else {
        html
    };
    if !html.contains('\u{E000}') {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('\u{E000}') {
        out.push_str(&rest[..start]);
        let after = &rest[start + '\u{E000}'.len_utf8()..];
        let end = after.find(['\u{E001}', '\u{E002}']).unwrap_or(after.len());
        let n: usize = after[..end].parse().unwrap_or(usize::MAX);
        let marker = after[end..].chars().next();
        match marker {
            Some('\u{E001}') => out.push_str(&escape(&href(n))),
            Some('\u{E002}') => out.push_str(&escape(&title(n))),
            _ => {}
        }
        rest = &after[(end + marker.map_or(0, char::len_utf8)).min(after.len())..];
    }
    out.push_str(rest);
    out
}

/// Renumbers the wikilink placeholders of `html` by `offset`, for HTML
/// rendered apart (a front matter summary) whose references are appended
/// to another document's.
pub fn renumber_placeholders(html: &str, offset: usize) -> String {
    if offset == 0 {
        return html.to_owned();
    }
    resolve_placeholders(
        html,
        |n| placeholder_href(n + offset),
        |n| placeholder_title(n + offset),
    )
}
