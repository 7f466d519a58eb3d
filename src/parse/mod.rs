//! Parsing: from one file's text to a checked record, with no IO.
//!
//! Each function takes a [`SourceFile`] and gives a `Parsed*` record or all
//! the diagnostics of that file. Names that point elsewhere (authors, tags,
//! post slugs) stay strings here, with where they were written, and are
//! resolved by [`crate::link`].

mod comments;
mod flat_yaml;
mod member;
mod page;
mod post;
mod term;
mod thread;

pub use comments::{parse_comments, ParsedComment, ParsedComments, ParsedReaction};
pub use member::{expand_link, parse_member, ParsedMember};
pub use page::{parse_page, ParsedPage};
pub use post::{parse_post, ParsedPost};
pub use term::{parse_term_page, ParsedTermPage};
pub use thread::{parse_thread, parse_thread_again, ParsedEntry, ParsedThread};

use std::path::Path;

use serde::Deserialize;

use crate::date::{parse_date, Date, DATE_HELP};
use crate::error::{Diagnostic, Position};
use crate::frontmatter;

pub use crate::load::SourceFile;

/// A front matter kept for errors found after parsing (an unknown author
/// is only known to be unknown once every member is read).
#[derive(Debug, Clone)]
pub struct FrontMatter {
    /// The YAML text.
    pub yaml: String,
    /// 1-based file line where it starts.
    pub first_line: usize,
}

impl FrontMatter {
    /// An error at `value` of `key` (or at the key, or the top).
    pub fn error(
        &self,
        path: &Path,
        key: &str,
        value: Option<&str>,
        message: String,
    ) -> Diagnostic {
        let pos = value
            .and_then(|v| frontmatter::locate_value(&self.yaml, key, v))
            .or_else(|| frontmatter::locate_key(&self.yaml, key))
            .unwrap_or(Position::new(1, 1));
        let line_text = self.yaml.lines().nth(pos.line - 1).map(str::to_owned);
        let mut d = Diagnostic::error(
            path,
            Some(frontmatter::shift(pos, self.first_line)),
            message,
        );
        d.line_text = line_text;
        d
    }
}

/// A scalar read as text whatever YAML made of it (`date: 2010` is a
/// number to YAML, but we want to say "bad date", not "expected a string").
#[derive(Debug, Clone, Default)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(s) => Ok(Scalar(s)),
            serde_yaml::Value::Number(n) => Ok(Scalar(n.to_string())),
            serde_yaml::Value::Bool(b) => Ok(Scalar(b.to_string())),
            _ => Err(serde::de::Error::custom("invalid type: expected a date")),
        }
    }
}

/// Checks `lang:` of a file's front matter ([`crate::lang::check_tag`]).
pub fn lang_field(
    fm: &FrontMatter,
    path: &Path,
    value: Option<String>,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let tag = value?;
    if let Err(msg) = crate::lang::check_tag(&tag) {
        errors.push(fm.error(path, "lang", Some(&tag), msg));
    }
    Some(tag)
}

/// Parses the date of `key`, or reports where it is and what was expected.
pub fn date_field(
    fm: &FrontMatter,
    path: &Path,
    key: &str,
    value: &Scalar,
    errors: &mut Vec<Diagnostic>,
) -> Option<Date> {
    let d = parse_date(&value.0);
    if d.is_none() {
        errors.push(
            fm.error(path, key, Some(&value.0), format!("bad date `{}`", value.0))
                .with_help(DATE_HELP),
        );
    }
    d
}

/// Checks that a slug or handle is one safe URL segment.
pub fn check_segment(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if s == "."
        || s == ".."
        || s.contains(['/', '\\', '?', '#', ':', '%', '\0'])
        || s.chars().any(char::is_whitespace)
    {
        return Err(format!(
            "{what} `{}` is not a plain name: it may not contain `/`, `\\`, `..`, `?`, `#`, `:`, `%` or spaces",
            s.escape_debug()
        ));
    }
    if let Some(c) = s.chars().find(|&c| crate::url::is_invisible(c)) {
        return Err(format!(
            "{what} `{}` holds the invisible character U+{:04X}: a URL that looks like another",
            s.escape_debug(),
            c as u32
        ));
    }
    if s.len() > crate::url::MAX_NAME_BYTES {
        return Err(format!(
            "{what} is {} bytes long; a file system takes at most {} in one name",
            s.len(),
            crate::url::MAX_NAME_BYTES
        ));
    }
    if crate::url::is_reserved_on_windows(s) {
        return Err(format!(
            "{what} `{s}` is a name Windows reserves (or ends in a dot): the site could not be copied there"
        ));
    }
    Ok(())
}

/// Refuses a slug or alias that would claim a name Salon keeps for itself
/// in the output folder (`.salon-manifest`, `.salon-lock`, …).
pub fn check_not_reserved(what: &str, s: &str) -> Result<(), String> {
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
    if crate::write::is_reserved_path(s.trim_matches('/'))
        || crate::write::is_reserved_path(decoded.trim_matches('/'))
    {
        return Err(format!(
            "{what} `{s}` claims a name Salon keeps for itself in the output folder (names starting with `.salon`)"
        ));
    }
    Ok(())
}

/// Converts a YAML value (`extra:`) into JSON for templates.
pub fn to_json(value: serde_yaml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The stem of a source file name.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Splits and parses a front matter file into `T` plus its body.
pub fn front_matter<T: serde::de::DeserializeOwned>(
    file: &SourceFile,
) -> Result<(T, FrontMatter, Body<'_>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let split = frontmatter::split(&file.path, &file.text)?;
    let (raw, problems) =
        frontmatter::parse::<T>(&file.path, &file.text, split.yaml, split.yaml_line)?;
    let fm = FrontMatter {
        yaml: split.yaml.to_owned(),
        first_line: split.yaml_line,
    };
    Ok((
        raw,
        fm,
        Body {
            text: split.body,
            line: split.body_line,
        },
        problems,
    ))
}

/// How many tags (or categories) one post or thread may list. Each term
/// page shows the post with all its terms, so a post's terms cost their
/// number squared in output: 50,000 tags would be 2.5 billion links.
pub const MAX_TERMS: usize = 100;

/// An error when `terms` (the `key:` list) is longer than [`MAX_TERMS`].
pub fn check_term_count(
    terms: &[String],
    key: &str,
    fm: &FrontMatter,
    path: &Path,
    errors: &mut Vec<Diagnostic>,
) {
    if terms.len() > MAX_TERMS {
        errors.push(
            fm.error(
                path,
                key,
                None,
                format!(
                    "`{key}:` lists {} terms; at most {MAX_TERMS} are allowed",
                    terms.len()
                ),
            )
            .with_help("keep the terms a reader would browse by; the rest can go in the text"),
        );
    }
}

/// A required text field: missing or blank is an error, unless a misspelt
/// key already suggested it (one mistake, one message).
pub fn required(
    value: Option<String>,
    key: &str,
    what: &str,
    fm: &FrontMatter,
    path: &Path,
    errors: &mut Vec<Diagnostic>,
) -> String {
    match value {
        Some(v) if !v.trim().is_empty() => v,
        Some(_) => {
            errors.push(
                fm.error(path, key, None, format!("`{key}` is empty"))
                    .with_help(format!("every {what} needs a {key}")),
            );
            String::new()
        }
        None => {
            let suggested = errors.iter().any(|d| {
                d.help
                    .as_deref()
                    .is_some_and(|h| h.contains(&format!("did you mean `{key}`")))
            });
            if !suggested {
                let mut d = Diagnostic::error(
                    path,
                    Some(Position::new(fm.first_line.saturating_sub(1).max(1), 1)),
                    format!("missing `{key}`"),
                );
                d = d.with_help(format!(
                    "every {what} needs a `{key}:` line in its front matter"
                ));
                errors.push(d);
            }
            String::new()
        }
    }
}

/// The markdown after the front matter, and the file line it starts on.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    /// The markdown.
    pub text: &'a str,
    /// 1-based file line of its first line.
    pub line: usize,
}

impl Body<'_> {
    /// Renders the body, with every reference placed on its file line.
    pub fn render(&self, ctx: &crate::markdown::Context) -> crate::markdown::Rendered {
        let mut r = crate::markdown::render(self.text, ctx);
        r.locate_refs(self.text, self.line, false);
        // A mention names a member known before parsing: it is never
        // reported, so the line it was written on (kept for the snippet of
        // a report, often a whole paragraph) is not kept.
        for m in &mut r.refs {
            if matches!(m.kind, crate::markdown::RefKind::Mention(_)) {
                m.line_text = None;
            }
        }
        r.html = fitted(r.html);
        r
    }
}

/// `text` in an allocation of its own length. The markdown renderer
/// reserves room for the longest likely HTML, a quarter more than most
/// documents need; the body is kept for the whole build, and an
/// allocator shrinks a block in place only when it loses half of it, so
/// it is copied: at 100,000 posts that is about 250 MB less held.
pub fn fitted(text: String) -> String {
    if text.capacity() - text.len() > text.len() / 16 {
        text.as_str().to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{Context, RefKind};

    #[test]
    fn a_rendered_body_holds_no_spare_room_and_no_line_of_a_mention() {
        let ctx = Context {
            handles: std::sync::Arc::new(["ada".to_owned()].into()),
            ..Context::default()
        };
        let prose = "Plain words of a long paragraph with nothing to mark up. ".repeat(40);
        let text = format!("Thanks @ada, see [[elsewhere]].\n\n{prose}\n");
        let r = Body {
            text: &text,
            line: 5,
        }
        .render(&ctx);
        // The renderer reserves half the source again; the body is kept
        // for the whole build, so that room must be given back.
        assert!(
            r.html.capacity() - r.html.len() <= r.html.len() / 16,
            "{} bytes held for {}",
            r.html.capacity(),
            r.html.len()
        );
        let line = |kind: fn(&RefKind) -> bool| {
            let found = r.refs.iter().find(|x| kind(&x.kind)).expect("a reference");
            (found.line, found.line_text.as_deref())
        };
        // Only what can be reported keeps its line's text.
        assert_eq!(line(|k| matches!(k, RefKind::Mention(_))), (5, None));
        assert_eq!(
            line(|k| matches!(k, RefKind::Wiki { .. })),
            (5, Some("Thanks @ada, see [[elsewhere]].")),
        );
    }
}
