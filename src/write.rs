//! Writing the output folder: the only module of a build that writes.
//!
//! The output folder is brought in line with the rendered site, never
//! emptied:
//!
//! - While pages render, [`Output::stage`] compares each file with what the
//!   last build wrote (a manifest of hashes, sizes and mtimes in
//!   [`MANIFEST`]). An unchanged file is dropped on the spot; a changed one is
//!   written flat into a staging folder, so memory stays small.
//! - Only when the whole build succeeded does [`Output::commit`] rename the
//!   staged files into place (a rename is atomic: no reader sees half a
//!   file), remove files the last build wrote and this one did not, and
//!   record the new manifest. [`Output::abort`] throws the staging away and
//!   leaves the previous output exactly as it was.
//! - Files Salon never wrote are left alone and reported.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use crate::error::Error;
use crate::url::OutputPath;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".salon-manifest";
const STAGING: &str = ".salon-staging";

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
    /// Files in the output folder that Salon never wrote (left alone).
    pub foreign: Vec<String>,
}

struct Staged {
    path: OutputPath,
    temp: PathBuf,
    entry: Entry,
}

/// An output folder being brought up to date.
pub struct Output {
    dir: PathBuf,
    created_dir: bool,
    previous: HashMap<String, Entry>,
    /// Files on disk now: path → (len, mtime).
    on_disk: HashMap<String, (u64, u128)>,
    dirs_on_disk: HashSet<String>,
    staging: OnceLock<Result<PathBuf, String>>,
    counter: AtomicUsize,
    staged: Mutex<Vec<Staged>>,
    kept: Mutex<Vec<(OutputPath, Entry)>>,
}

fn mtime_of(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

impl Output {
    /// Opens `dir` (which need not exist yet) and reads what is there.
    pub fn open(dir: &Path) -> Result<Output, Error> {
        let mut on_disk = HashMap::new();
        let mut dirs_on_disk = HashSet::new();
        let exists = dir.is_dir();
        if dir.exists() && !exists {
            return Err(Error::Refused(format!(
                "the output path {} is a file, not a folder",
                dir.display()
            )));
        }
        if exists {
            let walker = WalkDir::new(dir)
                .min_depth(1)
                .into_iter()
                .filter_entry(|e| {
                    // Skip our own files and hidden folders such as .git.
                    !(e.depth() == 1 && e.file_name().to_string_lossy().starts_with('.'))
                });
            for entry in walker {
                let entry = entry
                    .map_err(|e| Error::io(e.path().unwrap_or(dir).to_path_buf(), e.into()))?;
                let rel = relative(dir, entry.path());
                if entry.file_type().is_dir() {
                    dirs_on_disk.insert(rel);
                } else {
                    let meta = entry
                        .metadata()
                        .map_err(|e| Error::io(entry.path(), e.into()))?;
                    on_disk.insert(rel, (meta.len(), mtime_of(&meta)));
                }
            }
        }
        Ok(Output {
            previous: read_manifest(&dir.join(MANIFEST)),
            dir: dir.to_path_buf(),
            created_dir: !exists,
            on_disk,
            dirs_on_disk,
            staging: OnceLock::new(),
            counter: AtomicUsize::new(0),
            staged: Mutex::new(Vec::new()),
            kept: Mutex::new(Vec::new()),
        })
    }

    fn staging_dir(&self) -> Result<&Path, Error> {
        let made = self.staging.get_or_init(|| {
            let staging = self.dir.join(STAGING);
            // A crashed build may have left one behind.
            let _ = fs::remove_dir_all(&staging);
            fs::create_dir_all(&staging)
                .map(|_| staging)
                .map_err(|e| e.to_string())
        });
        match made {
            Ok(p) => Ok(p),
            Err(e) => Err(Error::io(
                self.dir.join(STAGING),
                std::io::Error::other(e.clone()),
            )),
        }
    }

    /// Offers one rendered file. Unchanged files are noted and dropped;
    /// changed ones are staged. Safe to call from many threads.
    pub fn stage(&self, path: &OutputPath, bytes: &[u8]) -> Result<(), Error> {
        let h = hash(bytes);
        let len = bytes.len() as u64;
        if let Some(prev) = self.previous.get(path.as_str()) {
            let same_on_disk = self.on_disk.get(path.as_str()) == Some(&(prev.len, prev.mtime));
            if prev.hash == h && prev.len == len && same_on_disk {
                self.kept.lock().expect("lock").push((path.clone(), *prev));
                return Ok(());
            }
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temp = self.staging_dir()?.join(n.to_string());
        let mut file = fs::File::create(&temp).map_err(|e| Error::io(&temp, e))?;
        file.write_all(bytes).map_err(|e| Error::io(&temp, e))?;
        let meta = file.metadata().map_err(|e| Error::io(&temp, e))?;
        self.staged.lock().expect("lock").push(Staged {
            path: path.clone(),
            temp,
            entry: Entry {
                hash: h,
                len,
                mtime: mtime_of(&meta),
            },
        });
        Ok(())
    }

    /// Throws away everything staged; the output folder is as before.
    pub fn abort(self) {
        if let Some(Ok(staging)) = self.staging.get() {
            let _ = fs::remove_dir_all(staging);
        }
        if self.created_dir {
            let _ = fs::remove_dir(&self.dir);
        }
    }

    /// Moves staged files into place, removes what the last build wrote and
    /// this one did not, and records the new manifest.
    pub fn commit(self) -> Result<WriteReport, Error> {
        let mut staged = self.staged.into_inner().expect("lock");
        let kept = self.kept.into_inner().expect("lock");
        staged.sort_by(|a, b| a.path.cmp(&b.path));
        let mut report = WriteReport {
            written: staged.len(),
            unchanged: kept.len(),
            ..WriteReport::default()
        };
        let mut dirs = self.dirs_on_disk;
        let mut manifest: Vec<(String, Entry)> = Vec::with_capacity(staged.len() + kept.len());
        for s in &staged {
            let target = self.dir.join(s.path.as_str());
            if let Some((parent, _)) = s.path.as_str().rsplit_once('/') {
                if !dirs.contains(parent) {
                    let abs = self.dir.join(parent);
                    fs::create_dir_all(&abs).map_err(|e| Error::io(&abs, e))?;
                    let mut p = parent;
                    loop {
                        dirs.insert(p.to_owned());
                        match p.rsplit_once('/') {
                            Some((up, _)) => p = up,
                            None => break,
                        }
                    }
                }
            }
            if target.is_dir() {
                return Err(Error::Refused(format!(
                    "cannot write {}: a folder is in the way (remove it by hand)",
                    target.display()
                )));
            }
            fs::rename(&s.temp, &target).map_err(|e| Error::io(&target, e))?;
            manifest.push((s.path.as_str().to_owned(), s.entry));
        }
        manifest.extend(kept.into_iter().map(|(p, e)| (p.as_str().to_owned(), e)));
        let now: HashSet<&str> = manifest.iter().map(|(p, _)| p.as_str()).collect();

        let mut emptied = HashSet::new();
        let mut stale: Vec<&String> = self
            .previous
            .keys()
            .filter(|p| !now.contains(p.as_str()))
            .collect();
        stale.sort();
        for rel in stale {
            let abs = self.dir.join(rel);
            match fs::remove_file(&abs) {
                Ok(()) => report.removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&abs, e)),
            }
            if let Some((parent, _)) = rel.rsplit_once('/') {
                emptied.insert(parent.to_owned());
            }
        }
        // Folders left empty by removals go too, deepest first.
        let mut emptied: Vec<String> = emptied.into_iter().collect();
        emptied.sort_by_key(|d| std::cmp::Reverse(d.len()));
        for d in emptied {
            let mut p = d.as_str();
            while fs::remove_dir(self.dir.join(p)).is_ok() {
                match p.rsplit_once('/') {
                    Some((up, _)) => p = up,
                    None => break,
                }
            }
        }

        report.foreign = self
            .on_disk
            .keys()
            .filter(|p| !now.contains(p.as_str()) && !self.previous.contains_key(p.as_str()))
            .cloned()
            .collect();
        report.foreign.sort();

        manifest.sort_by(|a, b| a.0.cmp(&b.0));
        write_manifest(&self.dir, &manifest)?;
        if let Some(Ok(staging)) = self.staging.get() {
            let _ = fs::remove_dir_all(staging);
        }
        Ok(report)
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

/// Reads a manifest; a missing or unreadable one means "nothing written
/// before", which is safe: every file is then compared by rewriting it.
fn read_manifest(path: &Path) -> HashMap<String, Entry> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some("salon-manifest 1") {
        return HashMap::new();
    }
    lines
        .filter_map(|line| {
            let mut parts = line.splitn(4, ' ');
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            let mtime = parts.next()?.parse().ok()?;
            let path = parts.next()?.to_owned();
            Some((path, Entry { hash, len, mtime }))
        })
        .collect()
}

fn write_manifest(dir: &Path, entries: &[(String, Entry)]) -> Result<(), Error> {
    let mut text = String::with_capacity(32 + entries.len() * 96);
    text.push_str("salon-manifest 1\n");
    for (path, e) in entries {
        text.push_str(&format!("{:032x} {} {} {path}\n", e.hash, e.len, e.mtime));
    }
    let path = dir.join(MANIFEST);
    // Unchanged entries give the same text: leave the file (and its mtime)
    // alone, so a no-change build touches nothing at all.
    if fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let temp = dir.join(format!("{MANIFEST}.tmp"));
    fs::write(&temp, text).map_err(|e| Error::io(&temp, e))?;
    fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> OutputPath {
        OutputPath::from_relative(s).unwrap()
    }

    #[test]
    fn second_identical_write_touches_nothing_and_stale_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::open(&out).unwrap();
        o.stage(&p("a/index.html"), b"one").unwrap();
        o.stage(&p("b/index.html"), b"two").unwrap();
        let r = o.commit().unwrap();
        assert_eq!(r.written, 2);
        fs::write(out.join("CNAME"), "example.org").unwrap();

        let o = Output::open(&out).unwrap();
        o.stage(&p("a/index.html"), b"one").unwrap();
        let r = o.commit().unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(!out.join("b").exists(), "emptied folder removed");
        assert_eq!(r.foreign, vec!["CNAME".to_string()]);
        assert!(out.join("CNAME").exists());
    }

    #[test]
    fn abort_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"x").unwrap();
        o.abort();
        assert!(!out.exists());
    }

    #[test]
    fn a_hand_edited_output_file_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"right").unwrap();
        o.commit().unwrap();
        fs::write(out.join("a.html"), "wrong!").unwrap();
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"right").unwrap();
        assert_eq!(o.commit().unwrap().written, 1);
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"right");
    }
}
