//! Writing the output folder: the only module of a build that writes.
//!
//! The output folder is brought in line with the rendered site, never
//! emptied:
//!
//! - While pages render, [`Output::stage`] compares each file with what the
//!   last build wrote (a manifest of hashes, sizes and mtimes in
//!   [`MANIFEST`]). An unchanged file is dropped on the spot; a changed one is
//!   kept in memory, LZ4-compressed (HTML shrinks about fourfold), so a
//!   large site does not need its whole output in memory.
//! - When the output folder does not exist yet (a clean build), files are
//!   written straight into a hidden sibling folder while pages render, and
//!   that folder is renamed into place at the end: one atomic step, no
//!   per-file renames, and nothing held in memory.
//! - Otherwise nothing touches the disk until the whole build succeeded. Then
//!   [`Output::commit`] writes the changed files in parallel, each to a
//!   temporary file in its own folder renamed into place (a rename is
//!   atomic: no reader and no crash sees half a file), removes files the last
//!   build wrote and this one did not, and records the new manifest. A build
//!   that fails simply drops its [`Output`]: the previous output stays
//!   exactly as it was.
//! - Files Salon never wrote are left alone and reported.
//! - The manifest also records a fingerprint of every input, so a build
//!   whose inputs and output are exactly as last time can stop before
//!   parsing anything ([`Output::is_up_to_date`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::Error;
use crate::url::OutputPath;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".salon-manifest";
const MANIFEST_HEADER: &str = "salon-manifest 2";
/// Suffix of the temporary files a commit renames into place.
const TEMP_SUFFIX: &str = ".salon-tmp";

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

/// A changed file waiting for the commit, compressed.
struct Pending {
    path: OutputPath,
    hash: u128,
    compressed: Vec<u8>,
}

/// How files reach the output folder.
enum Mode {
    /// The folder does not exist: files are written as they come into a
    /// hidden sibling, which the commit renames into place.
    Fresh {
        temp: PathBuf,
        /// Top-level folders, by real name, with the name they are built
        /// under (see [`mark_top_of_hierarchy`] for why).
        tops: Mutex<HashMap<String, String>>,
        made_dirs: Mutex<HashSet<String>>,
        written: Mutex<Vec<(String, Entry)>>,
    },
    /// The folder exists: changed files wait in memory for the commit.
    Update {
        pending: Mutex<Vec<Pending>>,
        kept: Mutex<Vec<(OutputPath, Entry)>>,
    },
}

/// An output folder being brought up to date. Dropping it without
/// [`Output::commit`] leaves the folder exactly as it was.
pub struct Output {
    dir: PathBuf,
    previous: HashMap<String, Entry>,
    previous_inputs: Option<u128>,
    /// Files on disk now: path → (len, mtime).
    on_disk: HashMap<String, (u64, u128)>,
    dirs_on_disk: HashSet<String>,
    mode: Mode,
    committed: bool,
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Mode::Fresh { temp, .. } = &self.mode {
            if !self.committed {
                let _ = fs::remove_dir_all(temp);
            }
        }
    }
}

fn mtime_of(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The 128-bit xxh3 hash used for output files and input fingerprints.
pub fn hash(bytes: &[u8]) -> u128 {
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
                    // Skip our own bookkeeping and version control; other
                    // hidden files (.nojekyll, .well-known/) may be the site's.
                    let name = e.file_name().to_string_lossy();
                    !(e.depth() == 1
                        && (name == ".git"
                            || name.starts_with(".salon")
                            || name.ends_with(TEMP_SUFFIX)))
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
        let (previous_inputs, previous) = read_manifest(&dir.join(MANIFEST));
        let mode = if exists {
            Mode::Update {
                pending: Mutex::new(Vec::new()),
                kept: Mutex::new(Vec::new()),
            }
        } else {
            let name = dir.file_name().ok_or_else(|| {
                Error::Refused(format!("{} cannot be an output folder", dir.display()))
            })?;
            let temp = dir.with_file_name(format!(".{}{TEMP_SUFFIX}", name.to_string_lossy()));
            // A build that crashed may have left one behind.
            let _ = fs::remove_dir_all(&temp);
            fs::create_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
            mark_top_of_hierarchy(&temp);
            Mode::Fresh {
                temp,
                tops: Mutex::new(HashMap::new()),
                made_dirs: Mutex::new(HashSet::new()),
                written: Mutex::new(Vec::new()),
            }
        };
        Ok(Output {
            previous,
            previous_inputs,
            dir: dir.to_path_buf(),
            on_disk,
            dirs_on_disk,
            mode,
            committed: false,
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
                .all(|(p, e)| self.on_disk.get(p) == Some(&(e.len, e.mtime)))
    }

    /// The inputs' fingerprint the last build recorded, if any.
    pub fn previous_inputs(&self) -> Option<u128> {
        self.previous_inputs
    }

    /// How many files the last build wrote.
    pub fn previous_files(&self) -> usize {
        self.previous.len()
    }

    /// Files in the output folder that neither the last build nor this one
    /// (whose files are `now`) wrote.
    pub fn foreign(&self, now: &HashSet<&str>) -> Vec<String> {
        let mut foreign: Vec<String> = self
            .on_disk
            .keys()
            .filter(|p| !now.contains(p.as_str()) && !self.previous.contains_key(p.as_str()))
            .cloned()
            .collect();
        foreign.sort();
        foreign
    }

    /// Refuses to write `path` when a folder stands there that this build
    /// will not empty (it holds files the user or this build keeps).
    fn check_no_folder_in_the_way(&self, path: &str, now: &HashSet<&str>) -> Result<(), Error> {
        if !self.dirs_on_disk.contains(path) {
            return Ok(());
        }
        let prefix = format!("{path}/");
        let blocking = self.on_disk.keys().find(|f| {
            f.starts_with(&prefix) && (now.contains(f.as_str()) || !self.previous.contains_key(*f))
        });
        match blocking {
            Some(f) => Err(Error::Refused(format!(
                "cannot write {}: the folder {} is in the way (it holds {f}, which Salon did not write or still writes); nothing was changed",
                self.dir.join(path).display(),
                self.dir.join(path).display()
            ))),
            None => Ok(()),
        }
    }

    /// Offers one rendered file. Unchanged files are noted and dropped;
    /// changed ones are kept, compressed, for the commit. Safe to call from
    /// many threads.
    pub fn stage(&self, path: &OutputPath, bytes: &[u8]) -> Result<(), Error> {
        let h = hash(bytes);
        let len = bytes.len() as u64;
        let (pending, kept) = match &self.mode {
            Mode::Fresh {
                temp,
                tops,
                made_dirs,
                written,
            } => {
                let rel = match path.as_str().split_once('/') {
                    Some((top, rest)) => {
                        let mut tops = tops.lock().expect("lock");
                        let built_as = match tops.get(top) {
                            Some(name) => name.clone(),
                            None => {
                                let name = format!(".{top}{}{TEMP_SUFFIX}", nonce());
                                tops.insert(top.to_owned(), name.clone());
                                name
                            }
                        };
                        drop(tops);
                        format!("{built_as}/{rest}")
                    }
                    None => path.as_str().to_owned(),
                };
                if let Some((parent, _)) = rel.rsplit_once('/') {
                    if !made_dirs.lock().expect("lock").contains(parent) {
                        let abs = temp.join(parent);
                        fs::create_dir_all(&abs).map_err(|e| Error::io(&abs, e))?;
                        made_dirs.lock().expect("lock").insert(parent.to_owned());
                    }
                }
                let target = temp.join(&rel);
                let mtime = (|| {
                    let mut file = fs::File::create(&target)?;
                    file.write_all(bytes)?;
                    Ok(mtime_of(&file.metadata()?))
                })()
                .map_err(|e| Error::io(&target, e))?;
                let entry = Entry {
                    hash: h,
                    len,
                    mtime,
                };
                written
                    .lock()
                    .expect("lock")
                    .push((path.as_str().to_owned(), entry));
                return Ok(());
            }
            Mode::Update { pending, kept } => (pending, kept),
        };
        if let Some(prev) = self.previous.get(path.as_str()) {
            let same_on_disk = self.on_disk.get(path.as_str()) == Some(&(prev.len, prev.mtime));
            if prev.hash == h && prev.len == len && same_on_disk {
                kept.lock().expect("lock").push((path.clone(), *prev));
                return Ok(());
            }
        }
        let compressed = lz4_flex::compress_prepend_size(bytes);
        pending.lock().expect("lock").push(Pending {
            path: path.clone(),
            hash: h,
            compressed,
        });
        Ok(())
    }

    /// Writes the changed files, removes what the last build wrote and this
    /// one did not, and records the new manifest with the inputs'
    /// fingerprint.
    pub fn commit(mut self, inputs: u128) -> Result<WriteReport, Error> {
        let (pending, kept) = match &self.mode {
            Mode::Fresh {
                temp,
                tops,
                written,
                ..
            } => {
                for (top, built_as) in tops.lock().expect("lock").iter() {
                    let (from, to) = (temp.join(built_as), temp.join(top));
                    fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
                }
                let mut manifest = std::mem::take(&mut *written.lock().expect("lock"));
                manifest.sort_by(|a, b| a.0.cmp(&b.0));
                write_manifest(temp, inputs, manifest.iter().map(|(p, e)| (p, e)))?;
                fs::rename(temp, &self.dir).map_err(|e| Error::io(&self.dir, e))?;
                self.committed = true;
                return Ok(WriteReport {
                    written: manifest.len(),
                    ..WriteReport::default()
                });
            }
            Mode::Update { pending, kept } => (
                std::mem::take(&mut *pending.lock().expect("lock")),
                std::mem::take(&mut *kept.lock().expect("lock")),
            ),
        };
        let mut report = WriteReport {
            written: pending.len(),
            unchanged: kept.len(),
            ..WriteReport::default()
        };

        // Everything that can refuse is checked before anything is written,
        // so a refusal leaves the output as it was.
        let now_paths: Vec<String> = pending
            .iter()
            .map(|p| p.path.as_str().to_owned())
            .chain(kept.iter().map(|(p, _)| p.as_str().to_owned()))
            .collect();
        let now: HashSet<&str> = now_paths.iter().map(String::as_str).collect();
        for p in &pending {
            self.check_no_folder_in_the_way(p.path.as_str(), &now)?;
        }
        // Stale files go first: a folder of last build's pages may stand
        // where this build writes a file.
        let (removed, removed_dirs) = remove_stale(&self.dir, &self.previous, &now)?;
        report.removed = removed;
        report.foreign = self.foreign(&now);
        drop(now);

        // Each missing folder once, deepest paths only (create_dir_all makes
        // the parents), in parallel: on this kind of disk, creating folders
        // and files is most of a clean build's writing time.
        let mut missing: Vec<&str> = pending
            .iter()
            .filter_map(|p| p.path.as_str().rsplit_once('/').map(|(d, _)| d))
            .filter(|d| !self.dirs_on_disk.contains(*d) || removed_dirs.contains(*d))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing.par_iter().try_for_each(|d| {
            let abs = self.dir.join(d);
            fs::create_dir_all(&abs).map_err(|e| Error::io(&abs, e))
        })?;

        let dir = &self.dir;
        let mut manifest: Vec<(String, Entry)> = pending
            .into_par_iter()
            .map(|p| {
                let bytes = lz4_flex::decompress_size_prepended(&p.compressed)
                    .expect("we compressed it ourselves");
                let mtime = write_atomically(&dir.join(p.path.as_str()), &bytes)?;
                Ok((
                    p.path.as_str().to_owned(),
                    Entry {
                        hash: p.hash,
                        len: bytes.len() as u64,
                        mtime,
                    },
                ))
            })
            .collect::<Result<_, Error>>()?;
        manifest.extend(kept.into_iter().map(|(p, e)| (p.as_str().to_owned(), e)));

        manifest.sort_by(|a, b| a.0.cmp(&b.0));
        write_manifest(&self.dir, inputs, manifest.iter().map(|(p, e)| (p, e)))?;
        self.committed = true;
        Ok(report)
    }
}

/// The output folder as the last build left it, known from its manifest
/// without reading the folder again. Watch mode keeps one between
/// rebuilds, so a rebuild costs what changed, not what exists.
#[derive(Debug)]
pub struct Published {
    dir: PathBuf,
    files: std::sync::Arc<BTreeMap<String, Entry>>,
    inputs: Option<u128>,
    /// The manifest being written in the background: rewriting it (every
    /// file's line) is most of a small rebuild's writing time, and no page
    /// a reader fetches depends on it.
    manifest: Option<std::thread::JoinHandle<Result<(), Error>>>,
}

impl Drop for Published {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

impl Published {
    /// What the build that just committed into `dir` wrote.
    pub fn read(dir: &Path) -> Self {
        let (inputs, files) = read_manifest(&dir.join(MANIFEST));
        Published {
            dir: dir.to_path_buf(),
            files: std::sync::Arc::new(files.into_iter().collect()),
            inputs,
            manifest: None,
        }
    }

    /// Waits until the manifest of the last update is on disk.
    pub fn flush(&mut self) -> Result<(), Error> {
        match self.manifest.take() {
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
            .is_some_and(|e| e.len == bytes.len() as u64 && e.hash == hash(bytes))
    }

    /// Writes `changed` (each atomically), removes the files of the last
    /// build that are not in `now`, and records the manifest with the
    /// inputs' fingerprint, so a later `salon build` of the same inputs
    /// finds nothing to do.
    pub fn update(
        &mut self,
        changed: Vec<(OutputPath, Vec<u8>)>,
        now: &HashSet<&str>,
        inputs: u128,
    ) -> Result<WriteReport, Error> {
        self.flush()?;
        let mut report = WriteReport {
            written: changed.len(),
            ..WriteReport::default()
        };
        // The writer is done: no copy is made here.
        let files = std::sync::Arc::make_mut(&mut self.files);
        let stale: Vec<String> = files
            .keys()
            .filter(|p| !now.contains(p.as_str()))
            .cloned()
            .collect();
        if !stale.is_empty() {
            let gone: HashMap<String, Entry> =
                stale.iter().filter_map(|p| files.remove_entry(p)).collect();
            report.removed = remove_stale(&self.dir, &gone, &HashSet::new())?.0;
        }
        let dir = &self.dir;
        let written: Vec<(String, Entry)> = changed
            .into_par_iter()
            .map(|(path, bytes)| {
                let target = dir.join(path.as_str());
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                let mtime = write_atomically(&target, &bytes)?;
                let entry = Entry {
                    hash: hash(&bytes),
                    len: bytes.len() as u64,
                    mtime,
                };
                Ok((path.as_str().to_owned(), entry))
            })
            .collect::<Result<_, Error>>()?;
        files.extend(written);
        report.unchanged = files.len() - report.written;
        if report.written > 0 || report.removed > 0 || self.inputs != Some(inputs) {
            let (dir, files) = (self.dir.clone(), self.files.clone());
            self.manifest = Some(std::thread::spawn(move || {
                write_manifest(&dir, inputs, files.iter())
            }));
            self.inputs = Some(inputs);
        }
        Ok(report)
    }
}

/// Tells ext4's Orlov allocator that `dir` is the top of a hierarchy
/// (`chattr +T`), so each of its subfolders starts in a block group chosen
/// from a hash of its name, instead of next to the parent.
///
/// Why: `rm -rf public && salon build` is how many deploy scripts run. On
/// ext4 without a journal, for about 30 s after a delete, every new inode
/// scans past the just-freed ones of its block group before taking one.
/// A new output tree lands in exactly the groups the old one freed, so
/// each page (a folder and a file) costs far more: measured here over
/// repeated delete-and-build cycles, 359, 945, then 1,465 µs a page. With
/// this flag and top-level folders built under a fresh random name (then
/// renamed), the tree lands in other groups: 55 µs a page every cycle.
/// File systems without the flag refuse the call, which changes nothing.
#[cfg(target_os = "linux")]
fn mark_top_of_hierarchy(dir: &Path) {
    use std::os::unix::io::AsRawFd;
    const FS_TOPDIR_FL: libc::c_long = 0x0002_0000;
    let Ok(folder) = fs::File::open(dir) else {
        return;
    };
    let mut flags: libc::c_long = 0;
    // SAFETY: both calls get a valid descriptor and a pointer to a live,
    // long-sized integer, as FS_IOC_GETFLAGS/SETFLAGS expect; the kernel
    // reads or writes at most that much.
    unsafe {
        if libc::ioctl(folder.as_raw_fd(), libc::FS_IOC_GETFLAGS, &mut flags) == 0 {
            flags |= FS_TOPDIR_FL;
            libc::ioctl(folder.as_raw_fd(), libc::FS_IOC_SETFLAGS, &flags);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn mark_top_of_hierarchy(_dir: &Path) {}

/// A value that differs from build to build (not secret, just varied).
fn nonce() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mixed = hash(
        &[
            now.to_le_bytes(),
            u128::from(std::process::id()).to_le_bytes(),
        ]
        .concat(),
    );
    format!(".{:08x}", mixed as u32)
}

/// Writes `bytes` to `target` through a temporary file in the same folder
/// renamed over it; returns the mtime the file system gave it.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<u128, Error> {
    if target.is_dir() {
        return Err(Error::Refused(format!(
            "cannot write {}: a folder is in the way (remove it by hand)",
            target.display()
        )));
    }
    let name = target
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let temp = target.with_file_name(format!(".{name}{TEMP_SUFFIX}"));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        let mtime = mtime_of(&file.metadata()?);
        fs::rename(&temp, target)?;
        Ok(mtime)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io(target, e)
    })
}

/// Removes the files of the last build that this one did not produce, and
/// the folders that leaves empty. Returns how many files went, and the
/// folders removed.
fn remove_stale(
    dir: &Path,
    previous: &HashMap<String, Entry>,
    now: &HashSet<&str>,
) -> Result<(usize, HashSet<String>), Error> {
    let mut removed = 0;
    let mut removed_dirs = HashSet::new();
    let mut emptied = HashSet::new();
    let mut stale: Vec<&String> = previous
        .keys()
        .filter(|p| !now.contains(p.as_str()))
        .collect();
    stale.sort();
    for rel in stale {
        let abs = dir.join(rel);
        match fs::remove_file(&abs) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&abs, e)),
        }
        if let Some((parent, _)) = rel.rsplit_once('/') {
            emptied.insert(parent.to_owned());
        }
    }
    // Folders left empty go too, deepest first; a folder holding anything
    // (a file of the user's, say) stays.
    let mut emptied: Vec<String> = emptied.into_iter().collect();
    emptied.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in emptied {
        let mut p = d.as_str();
        while fs::remove_dir(dir.join(p)).is_ok() {
            removed_dirs.insert(p.to_owned());
            match p.rsplit_once('/') {
                Some((up, _)) => p = up,
                None => break,
            }
        }
    }
    Ok((removed, removed_dirs))
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a manifest: the inputs' fingerprint and the files. A missing,
/// unreadable or older one means "nothing written before", which is safe:
/// every file is then written again.
fn read_manifest(path: &Path) -> (Option<u128>, HashMap<String, Entry>) {
    let Ok(text) = fs::read_to_string(path) else {
        return (None, HashMap::new());
    };
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        return (None, HashMap::new());
    }
    let inputs = lines
        .next()
        .and_then(|l| l.strip_prefix("inputs "))
        .and_then(|h| u128::from_str_radix(h, 16).ok());
    let files = lines
        .filter_map(|line| {
            let mut parts = line.splitn(4, ' ');
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            let mtime = parts.next()?.parse().ok()?;
            // Never trust a path read back from disk: it decides what a
            // later build deletes.
            let path = parts.next()?;
            let safe = OutputPath::from_relative(path).ok()?;
            (safe.as_str() == path).then(|| (path.to_owned(), Entry { hash, len, mtime }))
        })
        .collect();
    (inputs, files)
}

fn write_manifest<'a>(
    dir: &Path,
    inputs: u128,
    entries: impl ExactSizeIterator<Item = (&'a String, &'a Entry)>,
) -> Result<(), Error> {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(64 + entries.len() * 96);
    text.push_str(MANIFEST_HEADER);
    let _ = write!(text, "\ninputs {inputs:032x}\n");
    for (path, e) in entries {
        let _ = writeln!(text, "{:032x} {} {} {path}", e.hash, e.len, e.mtime);
    }
    let path = dir.join(MANIFEST);
    // Unchanged entries give the same text: leave the file (and its mtime)
    // alone, so a no-change build touches nothing at all.
    if fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    write_atomically(&path, text.as_bytes()).map(|_| ())
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
        let r = o.commit(1).unwrap();
        assert_eq!(r.written, 2);
        fs::write(out.join("CNAME"), "example.org").unwrap();

        let o = Output::open(&out).unwrap();
        assert!(o.is_up_to_date(1));
        assert!(!o.is_up_to_date(2));
        o.stage(&p("a/index.html"), b"one").unwrap();
        let r = o.commit(2).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(!out.join("b").exists(), "emptied folder removed");
        assert_eq!(r.foreign, vec!["CNAME".to_string()]);
        assert!(out.join("CNAME").exists());
    }

    #[test]
    fn an_uncommitted_output_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // Fresh: written aside, thrown away on drop.
        let o = Output::open(&out).unwrap();
        o.stage(&p("a/b.html"), b"x").unwrap();
        drop(o);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // Update: nothing reaches the disk before the commit.
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"x").unwrap();
        o.commit(1).unwrap();
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"changed").unwrap();
        o.stage(&p("new/c.html"), b"new").unwrap();
        drop(o);
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"x");
        assert!(!out.join("new").exists());
    }

    #[test]
    fn a_hand_edited_output_file_is_rewritten_and_not_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let o = Output::open(&out).unwrap();
        o.stage(&p("a.html"), b"right").unwrap();
        o.commit(7).unwrap();
        fs::write(out.join("a.html"), "wrong!").unwrap();
        let o = Output::open(&out).unwrap();
        assert!(!o.is_up_to_date(7));
        o.stage(&p("a.html"), b"right").unwrap();
        assert_eq!(o.commit(7).unwrap().written, 1);
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"right");
    }
}
