//! The commit: moving a build's staged files into place, and finishing a
//! commit a crash interrupted.
//!
//! Everything a commit does is first written to a journal
//! ([`names::JOURNAL`]): written whole under another name, flushed to the
//! disk and renamed, so it is either complete or absent. Then the renames
//! and removals it lists run, each atomic on its own, then the manifest,
//! and the journal goes. The output folder mixes old and new files only
//! while the renames run.
//!
//! Every step is safe to repeat. A build that finds a journal (the commit
//! before it was killed, or failed halfway) first runs it again from the
//! start: a staged file already moved is simply no longer in the stage. A
//! journal still being written when the crash came means nothing was
//! moved yet: the stage is dropped and the output is as it was.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{fsops, manifest, names, Entry};
use crate::error::Error;

const HEADER: &str = "salon-commit 1";

/// One step of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Op {
    /// Removes a file of the last build.
    Remove(String),
    /// Removes a folder of the last build that stands where a file goes
    /// (emptied by the removals before it).
    RemoveDir(String),
    /// Moves `from` (below the stage) to `to` (below the output folder).
    /// `entry`: what the manifest records of the file, in an update.
    Move {
        from: String,
        to: String,
        entry: Option<Entry>,
    },
    /// Removes this folder, then its parents, while they are empty.
    Prune(String),
}

/// What a commit does, as written to the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Journal {
    pub(super) inputs: u128,
    /// Whether the new manifest is the old one with this commit's moves
    /// and removals applied (an update) rather than a staged file moved
    /// into place like any other (a clean build).
    pub(super) delta: bool,
    pub(super) ops: Vec<Op>,
}

/// How far a journal is written before its steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Durability {
    /// On the disk: it outlives a power cut (`salon build`).
    Flushed,
    /// Handed to the system: it outlives the process being killed. Watch
    /// mode's rebuilds, where waiting for the disk is a fifth of a small
    /// rebuild's time.
    Written,
}

/// What a commit changed in the output folder.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Applied {
    pub(super) moved: usize,
    pub(super) removed: usize,
}

impl Journal {
    fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut text = format!(
            "{HEADER}\ninputs {:032x}\nmanifest {}\n",
            self.inputs,
            if self.delta { "delta" } else { "staged" }
        );
        for op in &self.ops {
            let _ = match op {
                Op::Remove(p) => writeln!(text, "rm\t{p}"),
                Op::RemoveDir(p) => writeln!(text, "rmdir\t{p}"),
                Op::Prune(p) => writeln!(text, "prune\t{p}"),
                Op::Move {
                    from,
                    to,
                    entry: Some(e),
                } if from == to => {
                    writeln!(text, "put\t{:032x}\t{}\t{}\t{to}", e.hash, e.len, e.mtime)
                }
                Op::Move { from, to, .. } => writeln!(text, "mv\t{from}\t{to}"),
            };
        }
        let _ = writeln!(text, "end\t{}", self.ops.len());
        text
    }

    /// Parses a journal; `None` when it is damaged or names a path that
    /// could leave the output folder.
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        (lines.next()? == HEADER).then_some(())?;
        let inputs = u128::from_str_radix(lines.next()?.strip_prefix("inputs ")?, 16).ok()?;
        let delta = match lines.next()? {
            "manifest delta" => true,
            "manifest staged" => false,
            _ => return None,
        };
        let mut ops = Vec::new();
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            let op = match fields.as_slice() {
                ["rm", p] => Op::Remove(manifest::safe_path(p)?),
                ["rmdir", p] => Op::RemoveDir(manifest::safe_path(p)?),
                ["prune", p] => Op::Prune(manifest::safe_path(p)?),
                ["put", hash, len, mtime, p] => Op::Move {
                    from: manifest::safe_path(p)?,
                    to: manifest::safe_path(p)?,
                    entry: Some(Entry {
                        hash: u128::from_str_radix(hash, 16).ok()?,
                        len: len.parse().ok()?,
                        mtime: mtime.parse().ok()?,
                    }),
                },
                ["mv", from, to] => {
                    let one_name =
                        !from.is_empty() && !from.contains('/') && *from != "." && *from != "..";
                    let to = if *to == names::MANIFEST {
                        (*to).to_owned()
                    } else {
                        manifest::safe_path(to)?
                    };
                    one_name.then_some(())?;
                    Op::Move {
                        from: (*from).to_owned(),
                        to,
                        entry: None,
                    }
                }
                ["end", n] => {
                    return (n.parse::<usize>().ok()? == ops.len()).then_some(Journal {
                        inputs,
                        delta,
                        ops,
                    });
                }
                _ => return None,
            };
            ops.push(op);
        }
        None
    }

    /// Writes the journal: complete, or not there at all. Nothing live has
    /// changed when this fails.
    ///
    /// [`Durability::Flushed`]: wait until it is on the disk, so it outlives a power cut
    /// too. Without, a killed process still leaves it whole (it is renamed
    /// into place only once written); a power cut can leave it damaged,
    /// and [`recover`] then drops it and the next build rewrites what
    /// differs.
    pub(super) fn begin(&self, dir: &Path, durability: Durability) -> Result<(), Error> {
        let temp = dir.join(names::JOURNAL_TEMP);
        let path = dir.join(names::JOURNAL);
        let text = self.render();
        match durability {
            Durability::Flushed => fsops::write_durably(&temp, text.as_bytes()),
            Durability::Written => fsops::write_file(&temp, text.as_bytes()).map(drop),
        }
        .and_then(|()| fsops::rename(&temp, &path))
        .and_then(|()| match durability {
            Durability::Flushed => fsops::sync_dir(dir),
            Durability::Written => Ok(()),
        })
        .map_err(|e| {
            // Renamed already, the journal must stay: it may be
            // complete on disk. Otherwise nothing is left of it.
            if !path.exists() {
                let _ = fsops::remove_file(&temp);
            }
            Error::io(&path, e)
        })
    }

    /// Runs the steps, each skipped when it is done already.
    pub(super) fn apply(&self, dir: &Path) -> Result<Applied, Error> {
        let stage = dir.join(names::STAGE);
        let mut applied = Applied::default();
        let failed = |(path, e): (PathBuf, std::io::Error)| {
            Error::Refused(format!(
                "could not finish updating {}: {}: {e}. The files are staged and listed in {}: the next build of this folder completes the update",
                dir.display(),
                path.display(),
                dir.join(names::JOURNAL).display()
            ))
        };
        let mut rest = self.ops.as_slice();
        while let Some(op) = rest.first() {
            // Moves have different targets: they run in parallel, which
            // shortens the time a reader can see old and new pages mixed.
            let moves = rest
                .iter()
                .take_while(|op| matches!(op, Op::Move { .. }))
                .count();
            if moves > 0 {
                applied.moved += rest[..moves]
                    .par_iter()
                    .map(|op| move_into_place(dir, &stage, op))
                    .try_reduce(|| 0, |a, b| Ok(a + b))
                    .map_err(failed)?;
                rest = &rest[moves..];
            } else {
                apply(dir, op, &mut applied).map_err(failed)?;
                rest = &rest[1..];
            }
        }
        Ok(applied)
    }

    /// The manifest's files after this commit, from those before it.
    pub(super) fn updated_files(&self, files: &mut HashMap<String, Entry>) {
        for op in &self.ops {
            match op {
                Op::Remove(p) => {
                    files.remove(p);
                }
                Op::Move {
                    to, entry: Some(e), ..
                } => {
                    files.insert(to.clone(), *e);
                }
                _ => {}
            }
        }
    }
}

/// Moves one staged file or folder into place; 1 if it was still staged.
fn move_into_place(dir: &Path, stage: &Path, op: &Op) -> Result<usize, (PathBuf, std::io::Error)> {
    let Op::Move { from, to, .. } = op else {
        return Ok(0);
    };
    let (source, target) = (stage.join(from), dir.join(to));
    match fsops::rename(&source, &target) {
        Ok(()) => return Ok(1),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err((target, e)),
        Err(_) if fs::symlink_metadata(&source).is_err() => return Ok(0), // moved before
        Err(_) => {}                                                      // its folder is new
    }
    if let Some(parent) = target.parent() {
        fsops::create_dir_all(parent).map_err(|e| (parent.to_path_buf(), e))?;
    }
    fsops::rename(&source, &target).map_err(|e| (target, e))?;
    Ok(1)
}

fn apply(dir: &Path, op: &Op, applied: &mut Applied) -> Result<(), (PathBuf, std::io::Error)> {
    let is_dir = |p: &Path| fs::symlink_metadata(p).map(|m| m.is_dir());
    match op {
        Op::Remove(p) => {
            let abs = dir.join(p);
            // A folder there now is one a later step made: done already.
            if matches!(is_dir(&abs), Ok(false)) {
                fsops::remove_file(&abs).map_err(|e| (abs, e))?;
                applied.removed += 1;
            }
        }
        Op::RemoveDir(p) => {
            let abs = dir.join(p);
            if matches!(is_dir(&abs), Ok(true)) {
                fsops::remove_dir(&abs).map_err(|e| (abs, e))?;
            }
        }
        Op::Move { .. } => unreachable!("moves run in parallel in Journal::apply"),
        Op::Prune(p) => {
            let mut p = p.as_str();
            loop {
                let abs = dir.join(p);
                match is_dir(&abs) {
                    Ok(true) => match fsops::remove_dir(&abs) {
                        Ok(()) => {}
                        // Holding a file of the user's: it stays, and so do
                        // its parents.
                        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => break,
                        Err(e) => return Err((abs, e)),
                    },
                    Ok(false) => break, // a file of this build now
                    Err(_) => {}        // gone already; its parent may not be
                }
                match p.rsplit_once('/') {
                    Some((up, _)) => p = up,
                    None => break,
                }
            }
        }
    }
    Ok(())
}

/// Drops the stage and the journal of a finished commit. Best effort: a
/// leftover is removed by the next build.
pub(super) fn finish(dir: &Path) {
    let _ = fsops::remove_dir_all(&dir.join(names::STAGE));
    let _ = fsops::remove_file(&dir.join(names::JOURNAL));
}

/// What the commit of an update must do to the live folder, as the
/// folder is now.
pub(super) trait LiveTree {
    /// Whether `path` is a folder.
    fn is_dir(&self, path: &str) -> bool;
    /// Whether `path` is a file.
    fn is_file(&self, path: &str) -> bool;
    /// The files and the folders below the folder `dir`.
    fn below(&self, dir: &str) -> (Vec<String>, Vec<String>);
}

/// The steps of an update: `puts` staged files, `stale` files of the last
/// build to remove. Refuses (before anything is written) when something
/// Salon did not write, or still writes, stands in the way.
pub(super) fn plan_update(
    live: &dyn LiveTree,
    dir: &Path,
    puts: &[(String, Entry)],
    stale: &HashSet<&str>,
) -> Result<Vec<Op>, Error> {
    let mut first = Vec::new();
    let mut first_removed = HashSet::new();
    let mut dirs_first = Vec::new();
    let mut checked: HashSet<&str> = HashSet::new();
    for (path, _) in puts {
        // A file of the last build where a folder of this one goes.
        let mut ancestor = path.as_str();
        while let Some((up, _)) = ancestor.rsplit_once('/') {
            ancestor = up;
            if !checked.insert(ancestor) {
                break; // and so were its parents
            }
            if live.is_file(ancestor) {
                if !stale.contains(ancestor) {
                    return Err(in_the_way(dir, path, ancestor, "the file"));
                }
                if first_removed.insert(ancestor.to_owned()) {
                    first.push(Op::Remove(ancestor.to_owned()));
                }
            }
        }
        // A folder of the last build where a file of this one goes.
        if live.is_dir(path) {
            let (files, mut dirs) = live.below(path);
            if let Some(keep) = files.iter().find(|f| !stale.contains(f.as_str())) {
                return Err(in_the_way(dir, path, keep, "the folder holds"));
            }
            for f in files {
                if first_removed.insert(f.clone()) {
                    first.push(Op::Remove(f));
                }
            }
            dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
            dirs_first.extend(dirs.into_iter().map(Op::RemoveDir));
            dirs_first.push(Op::RemoveDir(path.clone()));
        }
    }
    let mut ops = first;
    ops.extend(dirs_first);
    let mut moves: Vec<&(String, Entry)> = puts.iter().collect();
    moves.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    ops.extend(moves.into_iter().map(|(p, e)| Op::Move {
        from: p.clone(),
        to: p.clone(),
        entry: Some(*e),
    }));
    let mut rest: Vec<&str> = stale
        .iter()
        .copied()
        .filter(|p| !first_removed.contains(*p))
        .collect();
    rest.sort_unstable();
    let mut emptied: Vec<String> = rest
        .iter()
        .copied()
        .chain(first_removed.iter().map(String::as_str))
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_owned()))
        .collect();
    ops.extend(rest.into_iter().map(|p| Op::Remove(p.to_owned())));
    // Folders left empty go too, deepest first; a folder holding anything
    // (a file of the user's, say) stays.
    emptied.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    emptied.dedup();
    ops.extend(emptied.into_iter().map(Op::Prune));
    Ok(ops)
}

fn in_the_way(dir: &Path, path: &str, blocking: &str, what: &str) -> Error {
    Error::Refused(format!(
        "cannot write {}: {what} {} is in the way (Salon did not write it, or still writes it); nothing was changed",
        dir.join(path).display(),
        dir.join(blocking).display()
    ))
}

/// Finishes or undoes a commit a crash interrupted, before a build looks
/// at the folder. Returns what it did, for the build's report.
pub(super) fn recover(dir: &Path) -> Result<Option<String>, Error> {
    let path = dir.join(names::JOURNAL);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let temp = dir.join(names::JOURNAL_TEMP);
            if !temp.exists() {
                return Ok(None);
            }
            let _ = fsops::remove_dir_all(&dir.join(names::STAGE));
            fsops::remove_file(&temp).map_err(|e| Error::io(&temp, e))?;
            return Ok(Some(format!(
                "an interrupted build of {} was rolled back: it had not changed the output yet",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::io(&path, e)),
    };
    let Some(journal) = Journal::parse(&text) else {
        // Only a damaged disk gives a journal that is there but not whole.
        // The manifest of the build before it still stands: files that
        // differ from it are written again by this build.
        let _ = fsops::remove_dir_all(&dir.join(names::STAGE));
        fsops::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        return Ok(Some(format!(
            "{} held a damaged journal of an interrupted build; it was removed and this build rewrites every file that differs",
            path.display()
        )));
    };
    let applied = journal.apply(dir)?;
    if journal.delta {
        let (_, mut files) = manifest::read(dir);
        journal.updated_files(&mut files);
        manifest::write(dir, journal.inputs, &files)?;
    }
    finish(dir);
    Ok(Some(format!(
        "an interrupted build of {} was completed: its last {} rename(s) and {} removal(s) were done now",
        dir.display(),
        applied.moved,
        applied.removed
    )))
}

/// Removes what an interrupted build or an earlier Salon version left at
/// the top of the output folder (and beside it); returns how many files.
pub(super) fn remove_leftovers(dir: &Path) -> usize {
    let mut removed = 0;
    let mut gone = |path: &Path| {
        let files = walkdir::WalkDir::new(path)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| !e.file_type().is_dir())
            .count();
        let result = if path.is_dir() {
            fsops::remove_dir_all(path)
        } else {
            fsops::remove_file(path)
        };
        if result.is_ok() {
            removed += files;
        }
    };
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name == names::STAGE
                || name == names::JOURNAL_TEMP
                || name == names::MANIFEST_TEMP
                || name.ends_with(names::LEGACY_TEMP_SUFFIX);
            if ours {
                gone(&entry.path());
            }
        }
    }
    // Earlier versions built a clean site in a sibling folder.
    if let Some(name) = dir.file_name() {
        let sibling = dir.with_file_name(format!(
            ".{}{}",
            name.to_string_lossy(),
            names::LEGACY_TEMP_SUFFIX
        ));
        if sibling.exists() {
            gone(&sibling);
        }
    }
    removed
}
