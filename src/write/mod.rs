//! Writing the output folder: the only module of a build that writes.
//!
//! The output folder is brought in line with the rendered site, never
//! emptied, and never left half-updated:
//!
//! - One build at a time ([`lock`]): a build locks the folder before it
//!   looks at it, and finishes or undoes what an interrupted build left
//!   ([`commit::recover`]) before anything else.
//! - While pages render, [`Output::stage`] compares each file with what the
//!   last build wrote (a [`manifest`] of hashes, sizes and mtimes). An
//!   unchanged file is dropped on the spot; a changed one is written into
//!   the [`stage`], a hidden folder beside the live files. Nothing live is
//!   touched, so a build that fails (a content error, a full disk, a name
//!   too long) leaves the output exactly as it was.
//! - Then [`Output::commit`] moves the staged files into place by renames
//!   listed first in a journal ([`commit`]), removes the files the last
//!   build wrote and this one did not, and records the new manifest. A
//!   clean build (an empty output folder) moves only the top-level entries
//!   of its stage.
//! - Files Salon never wrote are left alone and reported.
//! - The manifest also records a fingerprint of every input, so a build
//!   whose inputs and output are exactly as last time can stop before
//!   parsing anything ([`Output::is_up_to_date`]).
//! - [`Published`] does the same for watch mode's rebuilds.
//!
//! Every call that changes the disk goes through [`fsops`], where tests
//! make any one of them fail.

mod commit;
mod fsops;
pub mod lock;
mod manifest;
pub mod names;
mod published;
mod stage;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use walkdir::WalkDir;

use crate::error::Error;
use crate::url::OutputPath;
use commit::{Durability, Journal, LiveTree, Op};
pub use lock::OutputLock;
pub use names::{is_reserved_path, MANIFEST};
pub use published::{Planned, Published};
use stage::Stage;

/// What the last build recorded of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    hash: u128,
    len: u64,
    /// Nanoseconds since the epoch, as the file system reported after writing.
    mtime: u128,
}

/// What a commit did.
#[derive(Debug, Default, Clone)]
pub struct WriteReport {
    /// Files written (new or changed).
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files of an earlier build removed.
    pub removed: usize,
    /// The files of the build before that this one no longer makes (paths
    /// below the output folder): those removed, and any already gone.
    pub stale: Vec<String>,
    /// Files in the output folder that Salon never wrote (left alone).
    pub foreign: Vec<String>,
    /// What was repaired or waited for before the build could write: an
    /// interrupted build finished, leftovers removed.
    pub notices: Vec<String>,
}

/// The 128-bit xxh3 hash used for output files and input fingerprints.
pub fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The files and folders of the output folder, as a build found them.
#[derive(Default)]
struct Scanned {
    /// path → (len, mtime).
    files: HashMap<String, (u64, u128)>,
    dirs: HashSet<String>,
}

impl LiveTree for Scanned {
    fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }
    fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn below(&self, dir: &str) -> (Vec<String>, Vec<String>) {
        let prefix = format!("{dir}/");
        let under = |p: &&String| p.starts_with(&prefix);
        (
            self.files.keys().filter(under).cloned().collect(),
            self.dirs.iter().filter(under).cloned().collect(),
        )
    }
}

/// An output folder being brought up to date, locked until dropped.
/// Dropping it without [`Output::commit`] leaves the folder exactly as it
/// was.
pub struct Output {
    dir: PathBuf,
    previous: HashMap<String, Entry>,
    previous_inputs: Option<u128>,
    on_disk: Scanned,
    stage: Stage,
    kept: Mutex<Vec<(String, Entry)>>,
    notices: Vec<String>,
    /// Set once the journal is written: from then on the stage belongs to
    /// the commit, and a failure leaves it for the next build to finish.
    journaled: bool,
    _lock: OutputLock,
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.journaled {
            let _ = fsops::remove_dir_all(self.stage.root());
        }
    }
}

impl Output {
    /// Locks `dir` (created if missing), finishes what an interrupted
    /// build left, and reads what is there.
    pub fn open(dir: &Path) -> Result<Output, Error> {
        let lock = OutputLock::acquire(dir, "salon build")?;
        let mut notices: Vec<String> = lock.waited().into_iter().collect();
        notices.extend(commit::recover(dir)?);
        let mut leftovers = commit::remove_leftovers(dir);

        let mut on_disk = Scanned::default();
        // Our own names at the top are not the site's; other hidden files
        // (.nojekyll, .well-known/) may be, and .git is left alone.
        let walker = WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                !(e.depth() == 1 && (name == ".git" || names::is_reserved(&name)))
            });
        for entry in walker {
            let entry =
                entry.map_err(|e| Error::io(e.path().unwrap_or(dir).to_path_buf(), e.into()))?;
            let rel = relative(dir, entry.path());
            if entry.file_type().is_dir() {
                on_disk.dirs.insert(rel);
            } else if names::is_legacy_temp(&entry.file_name().to_string_lossy()) {
                // A temporary file of an earlier version, left by a crash.
                if fsops::remove_file(entry.path()).is_ok() {
                    leftovers += 1;
                }
            } else {
                let meta = entry
                    .metadata()
                    .map_err(|e| Error::io(entry.path(), e.into()))?;
                on_disk
                    .files
                    .insert(rel, (meta.len(), fsops::mtime_of(&meta)));
            }
        }
        if leftovers > 0 {
            notices.push(format!(
                "removed {leftovers} temporary file(s) an interrupted build left in {}",
                dir.display()
            ));
        }
        let (previous_inputs, previous) = manifest::read(dir);
        let clean = on_disk.files.is_empty() && on_disk.dirs.is_empty();
        Ok(Output {
            previous,
            previous_inputs,
            stage: Stage::new(dir, clean),
            dir: dir.to_path_buf(),
            on_disk,
            kept: Mutex::default(),
            notices,
            journaled: false,
            _lock: lock,
        })
    }

    /// Whether the last build had exactly these inputs and every file it
    /// wrote is still on disk as it left it: then building again would
    /// change nothing.
    pub fn is_up_to_date(&self, inputs: u128) -> bool {
        self.previous_inputs == Some(inputs)
            && self
                .previous
                .iter()
                .all(|(p, e)| self.on_disk.files.get(p) == Some(&(e.len, e.mtime)))
    }

    /// The inputs' fingerprint the last build recorded, if any.
    pub fn previous_inputs(&self) -> Option<u128> {
        self.previous_inputs
    }

    /// How many files the last build wrote.
    pub fn previous_files(&self) -> usize {
        self.previous.len()
    }

    /// What opening the folder repaired or waited for.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Files in the output folder that neither the last build nor this one
    /// (whose files are `now`) wrote.
    pub fn foreign(&self, now: &HashSet<&str>) -> Vec<String> {
        let mut foreign: Vec<String> = self
            .on_disk
            .files
            .keys()
            .filter(|p| !now.contains(p.as_str()) && !self.previous.contains_key(p.as_str()))
            .cloned()
            .collect();
        foreign.sort();
        foreign
    }

    /// Offers one rendered file. Unchanged files are noted and dropped;
    /// changed ones are written into the stage. Safe to call from many
    /// threads.
    pub fn stage(&self, path: &OutputPath, bytes: &[u8]) -> Result<(), Error> {
        // Hashed at most once: the hash that finds a file changed is the
        // one its manifest line records.
        let mut digest = None;
        if let Some(prev) = self.previous.get(path.as_str()) {
            let same_on_disk =
                self.on_disk.files.get(path.as_str()) == Some(&(prev.len, prev.mtime));
            if same_on_disk && prev.len == bytes.len() as u64 {
                let h = *digest.insert(hash(bytes));
                if prev.hash == h {
                    self.kept
                        .lock()
                        .expect("lock")
                        .push((path.as_str().to_owned(), *prev));
                    return Ok(());
                }
            }
        }
        self.stage.write(path, bytes, digest)
    }

    /// Moves the staged files into place, removes what the last build
    /// wrote and this one did not, and records the new manifest with the
    /// inputs' fingerprint.
    pub fn commit(mut self, inputs: u128) -> Result<WriteReport, Error> {
        let written = self.stage.take_written();
        let kept = std::mem::take(&mut *self.kept.lock().expect("lock"));
        let mut report = WriteReport {
            written: written.len(),
            unchanged: kept.len(),
            notices: std::mem::take(&mut self.notices),
            ..WriteReport::default()
        };
        if self.stage.is_clean() {
            self.commit_clean(inputs, written)?;
            return Ok(report);
        }

        let now: HashSet<&str> = written
            .iter()
            .chain(&kept)
            .map(|(p, _)| p.as_str())
            .collect();
        report.foreign = self.foreign(&now);
        let stale: HashSet<&str> = self
            .previous
            .keys()
            .map(String::as_str)
            .filter(|p| !now.contains(p))
            .collect();
        // Refusals come before anything is written.
        let ops = commit::plan_update(&self.on_disk, &self.dir, &written, &stale)?;
        report.stale = stale.iter().map(|p| (*p).to_owned()).collect();
        let mut files: HashMap<String, Entry> = kept.into_iter().collect();
        files.extend(written);
        if !ops.is_empty() {
            let journal = Journal {
                inputs,
                delta: true,
                ops,
            };
            journal.begin(&self.dir, Durability::Flushed)?;
            self.journaled = true;
            report.removed = journal.apply(&self.dir)?.removed;
        }
        manifest::write(&self.dir, inputs, &files)?;
        if self.journaled {
            commit::finish(&self.dir);
        }
        Ok(report)
    }

    /// A clean build: the stage holds the whole site and its manifest;
    /// its top-level entries move into the empty output folder.
    fn commit_clean(&mut self, inputs: u128, files: Vec<(String, Entry)>) -> Result<(), Error> {
        let staged = self.stage.root().join(names::MANIFEST);
        let text = manifest::render(inputs, {
            let mut sorted: Vec<_> = files.iter().map(|(p, e)| (p, e)).collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            sorted.into_iter()
        });
        fsops::create_dir_all(self.stage.root())
            .and_then(|()| fsops::write_file(&staged, text.as_bytes()))
            .map_err(|e| Error::io(&staged, e))?;
        let mut ops: Vec<Op> = self
            .stage
            .top_level_moves(&files)
            .into_iter()
            .map(|(from, to)| Op::Move {
                from,
                to,
                entry: None,
            })
            .collect();
        ops.push(Op::Move {
            from: names::MANIFEST.to_owned(),
            to: names::MANIFEST.to_owned(),
            entry: None,
        });
        let journal = Journal {
            inputs,
            delta: false,
            ops,
        };
        journal.begin(&self.dir, Durability::Flushed)?;
        self.journaled = true;
        journal.apply(&self.dir)?;
        commit::finish(&self.dir);
        Ok(())
    }
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `dir` holds a journal or a leftover of an interrupted commit.
fn interrupted(dir: &Path) -> bool {
    dir.join(names::JOURNAL).exists() || dir.join(names::JOURNAL_TEMP).exists()
}
