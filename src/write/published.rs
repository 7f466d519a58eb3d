//! The output folder as watch mode keeps it between rebuilds.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::FxHashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::commit::{self, Durability, Journal, LiveTree};
use super::stage::Stage;
use super::{fsops, interrupted, manifest, Entry, OutputLock, WriteReport};
use crate::error::Error;
use crate::url::OutputPath;

/// The output folder as the last build left it, known from its manifest
/// without reading the folder again. Watch mode keeps one between
/// rebuilds, so a rebuild costs what changed, not what exists.
#[derive(Debug)]
pub struct Published {
    dir: PathBuf,
    files: Arc<BTreeMap<String, Entry>>,
    inputs: Option<u128>,
    /// The end of the last commit (its manifest, then dropping its journal
    /// and stage) running in the background: rewriting the manifest
    /// (every file's line) is most of a small rebuild's writing time, and
    /// no page a reader fetches depends on it. It holds the folder's lock.
    finishing: Option<std::thread::JoinHandle<Result<(), Error>>>,
}

impl Drop for Published {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// The files a rebuild makes, for [`Published::update`] to find the files
/// of the last build that are stale.
#[derive(Debug, Clone, Copy)]
pub enum Planned<'a> {
    /// The same files as the build that last updated the folder (a body
    /// edit, a retitled post): nothing is stale. At 36,000 files, looking
    /// each known file up in a set of the planned ones was a third of a
    /// small rebuild's writing time.
    Same,
    /// These files (their paths below the output folder).
    Files(&'a FxHashSet<&'a str>),
    /// The files of the build that last updated the folder but these (and
    /// with the new ones this update writes): a search index whose shards
    /// came and went. Looking up every known file among 334,000 planned
    /// ones, for a handful gone, was most of such an edit's writing time.
    Without(&'a [OutputPath]),
}

/// The live folder, asked as needed: watch mode does not scan it.
struct Disk<'a>(&'a Path);

impl LiveTree for Disk<'_> {
    fn is_dir(&self, path: &str) -> bool {
        fs::symlink_metadata(self.0.join(path)).is_ok_and(|m| m.is_dir())
    }
    fn is_file(&self, path: &str) -> bool {
        fs::symlink_metadata(self.0.join(path)).is_ok_and(|m| !m.is_dir())
    }
    fn below(&self, dir: &str) -> (Vec<String>, Vec<String>) {
        let (mut files, mut dirs) = (Vec::new(), Vec::new());
        for entry in walkdir::WalkDir::new(self.0.join(dir))
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
        {
            let rel = super::relative(self.0, entry.path());
            if entry.file_type().is_dir() {
                dirs.push(rel);
            } else {
                files.push(rel);
            }
        }
        (files, dirs)
    }
}

impl Published {
    /// What the build that just committed into `dir` wrote.
    pub fn read(dir: &Path) -> Self {
        let (inputs, files) = manifest::read(dir);
        Published {
            dir: dir.to_path_buf(),
            files: Arc::new(files.into_iter().collect()),
            inputs,
            finishing: None,
        }
    }

    /// Waits until the last commit is finished on disk.
    pub fn flush(&mut self) -> Result<(), Error> {
        match self.finishing.take() {
            Some(writer) => writer
                .join()
                .unwrap_or_else(|_| Err(Error::Refused("writing the manifest panicked".into()))),
            None => Ok(()),
        }
    }

    /// Whether `path` already holds exactly `bytes`.
    pub fn holds(&self, path: &OutputPath, bytes: &[u8]) -> bool {
        self.files
            .get(path.as_str())
            .is_some_and(|e| e.len == bytes.len() as u64 && e.hash == super::hash(bytes))
    }

    /// The output folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The inputs' stamp the manifest records.
    pub(crate) fn inputs(&self) -> Option<u128> {
        self.inputs
    }

    /// How many files the last build wrote and this one knows of.
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the last build wrote `path`.
    pub(crate) fn has(&self, path: &OutputPath) -> bool {
        self.files.contains_key(path.as_str())
    }

    /// Stages `changed`, then moves them into place and removes the files
    /// of the last build that this one no longer makes (`now`), as a
    /// build's commit does; records the manifest with the inputs'
    /// fingerprint, so a later `salon build` of the same inputs finds
    /// nothing to do.
    pub fn update(
        &mut self,
        changed: Vec<(OutputPath, Vec<u8>)>,
        now: Planned<'_>,
        inputs: u128,
    ) -> Result<WriteReport, Error> {
        let finished = self.flush();
        let lock = OutputLock::acquire(&self.dir, "salon build")?;
        let mut report = WriteReport {
            written: changed.len(),
            notices: lock.waited().into_iter().collect(),
            ..WriteReport::default()
        };
        if finished.is_err() || interrupted(&self.dir) {
            report.notices.extend(commit::recover(&self.dir)?);
            *self = Published::read(&self.dir);
        }
        let dir = self.dir.clone();
        let stage = Stage::new(&dir, false);
        let drop_stage = || {
            let _ = fsops::remove_dir_all(stage.root());
        };
        if let Err(e) = changed
            .par_iter()
            .try_for_each(|(p, b)| stage.write(p, b, None))
        {
            drop_stage();
            return Err(e);
        }
        let puts = stage.take_written();
        let stale: Vec<String> = match now {
            // Every file known was made by a build that planned these
            // same files: none is stale, and none need be looked up.
            Planned::Same => Vec::new(),
            Planned::Files(now) => self
                .files
                .keys()
                .filter(|p| !now.contains(p.as_str()))
                .cloned()
                .collect(),
            Planned::Without(gone) => gone
                .iter()
                .filter(|p| self.files.contains_key(p.as_str()))
                .map(|p| p.as_str().to_owned())
                .collect(),
        };
        let stale_set: HashSet<&str> = stale.iter().map(String::as_str).collect();
        let ops = match commit::plan_update(&Disk(&dir), &dir, &puts, &stale_set) {
            Ok(ops) => ops,
            Err(e) => {
                drop_stage();
                return Err(e);
            }
        };
        let journaled = !ops.is_empty();
        if journaled {
            let journal = Journal {
                inputs,
                delta: true,
                ops,
            };
            if let Err(e) = journal.begin(&dir, Durability::Written) {
                drop_stage();
                return Err(e);
            }
            report.removed = journal.apply(&dir)?.removed;
        }
        // The writer is done: no copy is made here.
        let files = Arc::make_mut(&mut self.files);
        for p in &stale {
            files.remove(p);
        }
        files.extend(puts);
        report.unchanged = files.len() - report.written;
        report.stale = stale;
        if journaled || self.inputs != Some(inputs) {
            let files = self.files.clone();
            self.finishing = Some(std::thread::spawn(move || {
                let _held = lock;
                manifest::write(&dir, inputs, files.iter())?;
                if journaled {
                    commit::finish(&dir);
                }
                Ok(())
            }));
            self.inputs = Some(inputs);
        }
        Ok(report)
    }
}
