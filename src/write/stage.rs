//! The stage: the files a build writes, put beside the live ones in a
//! hidden folder of the output folder ([`names::STAGE`], on the same file
//! system, so moving them into place is a rename).
//!
//! Files are written into it as pages render, in the folders they will
//! live in, so a name the file system refuses (too long, say) fails here,
//! before anything live is touched. In a clean build (an empty output
//! folder) the stage holds the whole site, and the commit moves only its
//! top-level entries.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use super::{fsops, hash, names, Entry};
use crate::error::Error;
use crate::url::OutputPath;

/// Files staged for one commit.
pub(super) struct Stage {
    root: PathBuf,
    /// Whether the stage holds a whole site for an empty output folder.
    clean: bool,
    /// Clean builds: top-level folders, by real name, with the name they
    /// are built under (see [`mark_top_of_hierarchy`] for why).
    tops: Mutex<HashMap<String, String>>,
    made_dirs: Mutex<HashSet<String>>,
    written: Mutex<Vec<(String, Entry)>>,
}

impl Stage {
    /// The stage of the output folder `out`; nothing is created before the
    /// first file.
    pub(super) fn new(out: &Path, clean: bool) -> Stage {
        Stage {
            root: out.join(names::STAGE),
            clean,
            tops: Mutex::default(),
            made_dirs: Mutex::default(),
            written: Mutex::default(),
        }
    }

    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// Writes one file; `digest` is its hash when the caller has it
    /// already. Safe to call from many threads.
    pub(super) fn write(
        &self,
        path: &OutputPath,
        bytes: &[u8],
        digest: Option<u128>,
    ) -> Result<(), Error> {
        let rel = self.staged_as(path.as_str());
        let parent = rel.rsplit_once('/').map_or("", |(d, _)| d);
        self.make_dirs(parent)?;
        let target = self.root.join(&rel);
        let mtime = match fsops::write_file(&target, bytes) {
            // Its folder is listed as made by another thread, still making it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let abs = self.root.join(parent);
                fsops::create_dir_all(&abs).map_err(|e| Error::io(&abs, e))?;
                fsops::write_file(&target, bytes)
            }
            written => written,
        }
        .map_err(|e| Error::io(&target, e))?;
        let entry = Entry {
            hash: digest.unwrap_or_else(|| hash(bytes)),
            len: bytes.len() as u64,
            mtime,
        };
        self.written
            .lock()
            .expect("lock")
            .push((path.as_str().to_owned(), entry));
        Ok(())
    }

    /// Makes `dir` (below the root) and its missing parents, each with one
    /// `mkdir`, top down: no folder is asked for twice and none is looked
    /// at first (the stage is new, so what it holds is what was made).
    fn make_dirs(&self, dir: &str) -> Result<(), Error> {
        let missing: Vec<String> = {
            let mut made = self.made_dirs.lock().expect("lock");
            if made.contains(dir) {
                return Ok(());
            }
            if made.is_empty() {
                // The mark spreads only folders made after it: set it
                // before the first one.
                fsops::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
                if self.clean {
                    mark_top_of_hierarchy(&self.root);
                }
                made.insert(String::new());
            }
            let mut missing = Vec::new();
            let mut d = dir;
            while !made.contains(d) {
                missing.push(d.to_owned());
                made.insert(d.to_owned());
                d = d.rsplit_once('/').map_or("", |(up, _)| up);
            }
            missing
        };
        // Outside the lock. A folder listed by another thread may not be
        // made yet: whoever needs it first makes it (and its parents), and
        // the other finds it there.
        for d in missing.iter().rev() {
            let abs = self.root.join(d);
            let made = match fsops::create_dir(&abs) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => fsops::create_dir_all(&abs),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                made => made,
            };
            made.map_err(|e| Error::io(&abs, e))?;
        }
        Ok(())
    }

    /// Where `path` goes below the stage root.
    fn staged_as(&self, path: &str) -> String {
        if !self.clean {
            return path.to_owned();
        }
        let Some((top, rest)) = path.split_once('/') else {
            return path.to_owned();
        };
        let mut tops = self.tops.lock().expect("lock");
        let built_as = tops
            .entry(top.to_owned())
            .or_insert_with(|| format!(".{top}{}", nonce()));
        format!("{built_as}/{rest}")
    }

    /// The files written so far, with what the manifest records of each.
    pub(super) fn take_written(&self) -> Vec<(String, Entry)> {
        std::mem::take(&mut *self.written.lock().expect("lock"))
    }

    /// Clean builds: the top-level entries to move into place, as (name
    /// in the stage, live name), sorted.
    pub(super) fn top_level_moves(&self, files: &[(String, Entry)]) -> Vec<(String, String)> {
        let tops = self.tops.lock().expect("lock");
        let mut moves: Vec<(String, String)> = tops
            .iter()
            .map(|(top, built_as)| (built_as.clone(), top.clone()))
            .chain(
                files
                    .iter()
                    .filter(|(p, _)| !p.contains('/'))
                    .map(|(p, _)| (p.clone(), p.clone())),
            )
            .collect();
        moves.sort();
        moves
    }

    /// Whether the stage holds a whole site for an empty output folder.
    pub(super) fn is_clean(&self) -> bool {
        self.clean
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
///
/// It does not remove the cost, only its worst cases: the kernel's
/// `recently_deleted` check is ~40% of a clean build's kernel time even
/// when the tree lands well and 84% when it does not (perf, 2026-12-06),
/// because the emptiest groups it prefers are often the ones just freed.
/// Timing a probe file in each top-level folder and trying another name
/// when it is slow did not help: probes were fast and the slow part came
/// once the first group filled. The cost grows with the inodes created,
/// so fewer files and folders is what lowers it.
#[cfg(target_os = "linux")]
fn mark_top_of_hierarchy(dir: &Path) {
    use std::os::unix::io::AsRawFd;
    const FS_TOPDIR_FL: libc::c_long = 0x0002_0000;
    let Ok(folder) = std::fs::File::open(dir) else {
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
