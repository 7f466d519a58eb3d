//! The end-of-import summary, and why a parse stopped.

use std::collections::BTreeMap;
use std::fmt;

use super::ParseError;
use crate::error::Error;

/// Why a parse stopped: the export is broken, or writing failed.
#[derive(Debug)]
pub enum Failure {
    /// The export is malformed.
    Parse(ParseError),
    /// The file is not an export of this format at all.
    NotAnExport {
        /// The format: "a WordPress export".
        what: &'static str,
        /// What the file is instead: "its root element is <html>, ...".
        why: String,
    },
    /// The importer could not write.
    Write(Error),
}

impl From<ParseError> for Failure {
    fn from(e: ParseError) -> Self {
        Failure::Parse(e)
    }
}

/// The end-of-import summary.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// Posts written.
    pub posts: usize,
    /// Pages written.
    pub pages: usize,
    /// Member profiles written.
    pub members: usize,
    /// Comments written.
    pub comments: usize,
    /// Likes, reposts, bookmarks and mentions written.
    pub reactions: usize,
    /// Comments already in their file (a re-import).
    pub already_imported: usize,
    /// Things left out, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Posts and pages left alone because they exist.
    pub existing: Vec<String>,
    /// Comment authors who are not members, most frequent first.
    pub unmatched: Vec<(String, usize)>,
    /// Comment authors matched to a member.
    pub matched: usize,
    /// Threads that matched no post.
    pub unmatched_threads: Vec<String>,
    /// Every file created or appended to (or that would be).
    pub files: Vec<String>,
    /// Replies whose parent was not imported (shown at top level).
    pub orphans: usize,
    /// Posts and pages written with a title made from their first words or
    /// date, as they had none (their files, to retitle by hand).
    pub untitled: Vec<String>,
    /// Posts and pages whose slug could not be used as is (too long for a
    /// file name, or the address of a page Salon makes): their files, with
    /// why.
    pub renamed_slugs: Vec<String>,
    /// New comments written with a status that keeps them off the site:
    /// `post#id`, author, status and why.
    pub held: Vec<String>,
    /// New comments refused (never written), with why: a reply to a post
    /// whose comments are closed or hidden.
    pub refused: Vec<String>,
    /// Other things the curator should know (the first few).
    pub notes: Vec<String>,
    /// Nothing was written.
    pub dry_run: bool,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "Would import"
        } else {
            "Imported"
        };
        writeln!(
            f,
            "{verb} {} posts, {} pages, {} members, {} comments ({} by members).",
            self.posts, self.pages, self.members, self.comments, self.matched
        )?;
        if self.reactions > 0 {
            writeln!(
                f,
                "{verb} {} likes, reposts, bookmarks and mentions.",
                self.reactions
            )?;
        }
        if self.already_imported > 0 {
            writeln!(
                f,
                "{} comments were already imported and were left as they are.",
                self.already_imported
            )?;
        }
        if !self.existing.is_empty() {
            writeln!(
                f,
                "Left alone, as they exist already: {}",
                list(&self.existing, 10)
            )?;
        }
        if !self.skipped.is_empty() {
            let parts: Vec<String> = self
                .skipped
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect();
            writeln!(f, "Skipped: {}.", parts.join(", "))?;
        }
        if !self.unmatched_threads.is_empty() {
            writeln!(
                f,
                "{} thread(s) or target(s) matched no post; their comments were not imported:",
                self.unmatched_threads.len()
            )?;
            for t in &self.unmatched_threads {
                writeln!(f, "  {t}")?;
            }
        }
        if !self.unmatched.is_empty() {
            let top: Vec<String> = self
                .unmatched
                .iter()
                .take(10)
                .map(|(n, c)| format!("{n} ({c})"))
                .collect();
            writeln!(
                f,
                "Commenters who are not members, most frequent first (add an `aka:` to a member to link them): {}",
                top.join(", ")
            )?;
        }
        if self.orphans > 0 {
            let (n, verb) = match self.orphans {
                1 => ("1 reply answers".to_owned(), "it is"),
                n => (format!("{n} replies answer"), "they are"),
            };
            writeln!(
                f,
                "{n} a comment that was not imported (spam, pending, deleted or missing); {verb} shown at top level."
            )?;
        }
        if !self.untitled.is_empty() {
            writeln!(
                f,
                "{} post(s) or page(s) had no title and got one from their first words or date; retitle them: {}",
                self.untitled.len(),
                list(&self.untitled, 20)
            )?;
        }
        if !self.renamed_slugs.is_empty() {
            writeln!(
                f,
                "{} slug(s) were changed so the site builds (cut to at most {} characters, or moved off an address Salon uses): {}",
                self.renamed_slugs.len(),
                super::names::MAX_SLUG,
                list(&self.renamed_slugs, 20)
            )?;
        }
        if !self.held.is_empty() {
            writeln!(
                f,
                "{} comment(s) wait for a moderator and are not on the site (`salon moderate` lists them):",
                self.held.len()
            )?;
            for h in self.held.iter().take(50) {
                writeln!(f, "  {h}")?;
            }
            if self.held.len() > 50 {
                writeln!(f, "  and {} more", self.held.len() - 50)?;
            }
        }
        if !self.refused.is_empty() {
            writeln!(f, "Refused {} repl(ies), not written:", self.refused.len())?;
            for r in &self.refused {
                writeln!(f, "  {r}")?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

fn list(items: &[String], max: usize) -> String {
    let shown = items[..items.len().min(max)].join(", ");
    if items.len() > max {
        format!("{shown} and {} more", items.len() - max)
    } else {
        shown
    }
}
