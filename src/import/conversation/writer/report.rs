//! What a thread import is told ([`ThreadOptions`]) and what it says back
//! ([`ThreadReport`]).

use super::*;

/// How to write one conversation.
#[derive(Debug, Clone, Default)]
pub struct ThreadOptions {
    /// The file name (without `.md`) instead of one made from the title.
    pub slug: Option<String>,
    /// Work out what would change; write nothing.
    pub dry_run: bool,
}

/// What happened to the thread file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new file.
    Created,
    /// New entries added to an existing file.
    Added,
    /// The file already had every entry (or skips it).
    Unchanged,
}

/// What one conversation did to the site.
#[derive(Debug, Clone)]
pub struct ThreadReport {
    /// The thread file, relative to the site folder.
    pub path: PathBuf,
    /// Created, added to, or left alone.
    pub outcome: Outcome,
    /// Entries written (or that would be).
    pub entries: usize,
    /// Of those, entries by members.
    pub by_members: usize,
    /// Messages the file already had.
    pub already: usize,
    /// Messages left out because their id is in `skip:`.
    pub skipped: usize,
    /// Authors who are not members (name and account, never an e-mail).
    pub unmatched: Vec<String>,
    /// Things the curator should know.
    pub notes: Vec<String>,
    /// The YAML written (a whole new file, or the entries appended).
    pub preview: String,
    /// Nothing was written.
    pub dry_run: bool,
}

impl ThreadReport {
    /// A report of a conversation nothing was done to yet.
    pub(super) fn nothing_yet(dry_run: bool) -> Self {
        ThreadReport {
            path: PathBuf::new(),
            outcome: Outcome::Unchanged,
            entries: 0,
            by_members: 0,
            already: 0,
            skipped: 0,
            unmatched: Vec::new(),
            notes: Vec::new(),
            preview: String::new(),
            dry_run,
        }
    }
}

impl fmt::Display for ThreadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let (create, add) = if self.dry_run {
            ("Would create", "Would add")
        } else {
            ("Created", "Added")
        };
        let members = format!("{} by members", self.by_members);
        match self.outcome {
            Outcome::Created => writeln!(
                f,
                "{create} {path} with {} entries ({members}).",
                self.entries
            )?,
            Outcome::Added => writeln!(
                f,
                "{add} {} entries ({members}) to {path}; {} were there already, {} are in `skip:`.",
                self.entries, self.already, self.skipped
            )?,
            Outcome::Unchanged => writeln!(
                f,
                "{path} is up to date: {} entries there already, {} in `skip:`.",
                self.already, self.skipped
            )?,
        }
        if !self.unmatched.is_empty() {
            writeln!(
                f,
                "Not members, written by name (list their account in a member's `links:` or `aka:` to link them): {}",
                self.unmatched.join(", ")
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}
