//! One build at a time per output folder.
//!
//! A build holds an exclusive lock on [`names::LOCK`] inside the output
//! folder from before it looks at the folder until its commit is done. The
//! file holds the holder's pid and command, for the message a second build
//! gets. A second `salon build` waits for the first (up to [`WAIT`]);
//! `salon serve` and `salon watch` hold the lock for their whole session,
//! so a build in another terminal stops at once with a message naming
//! them (its output would not be theirs: they build with the local URL).
//!
//! On Unix the lock is `flock(2)`: the kernel drops it when the process
//! ends, however it ends, so a crash never leaves the folder locked. The
//! file is removed on release (a waiter checks that the file it locked is
//! still the one in place). Elsewhere the file is created exclusively and
//! a crash leaves it behind; the message says to remove it.
//!
//! Within one process the lock is shared: the rebuilds of a `salon serve`
//! session run under the session's lock.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::{fsops, names};
use crate::error::Error;

/// How long a build waits for another build of the same folder.
pub const WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(50);

/// The lock of an output folder, held until dropped (by every clone).
#[derive(Clone)]
pub struct OutputLock {
    held: Arc<Held>,
    /// How long this acquisition waited, and for whom.
    waited: Option<(Duration, String)>,
}

struct Held {
    /// The output folder, canonical.
    dir: PathBuf,
    /// Holds the lock (Unix) or is the lock (elsewhere).
    file: Option<fs::File>,
    /// Whether taking the lock created the folder: released unused, it
    /// goes again, so a failed first build leaves nothing behind.
    created_dir: bool,
}

/// Locks held by this process, by canonical output folder.
static HELD: Mutex<Vec<(PathBuf, Weak<Held>)>> = Mutex::new(Vec::new());

impl Drop for Held {
    fn drop(&mut self) {
        // On Unix removed while still locked: a waiter that opened this
        // file finds it gone once it gets the lock, and tries again.
        // Elsewhere an open file cannot be removed: closed first.
        if !cfg!(unix) {
            drop(self.file.take());
        }
        let _ = fsops::remove_file(&self.dir.join(names::LOCK));
        if self.created_dir {
            let _ = fsops::remove_dir(&self.dir);
        }
    }
}

impl OutputLock {
    /// Takes the lock of the output folder `dir` (created if missing) for
    /// `command` (`salon build`, `salon serve`, `salon watch`).
    pub fn acquire(dir: &Path, command: &str) -> Result<OutputLock, Error> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Refused(format!(
                "the output path {} is a file, not a folder",
                dir.display()
            )));
        }
        let created_dir = !dir.exists();
        fsops::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let result = dir
            .canonicalize()
            .map_err(|e| Error::io(dir, e))
            .and_then(|canonical| Self::wait_for(&canonical, command, created_dir));
        if result.is_err() && created_dir {
            let _ = fsops::remove_dir(dir);
        }
        result
    }

    /// Takes the lock of `dir`, waiting for a build that holds it.
    fn wait_for(dir: &Path, command: &str, created_dir: bool) -> Result<OutputLock, Error> {
        let start = Instant::now();
        let mut waited_for = None;
        loop {
            if let Some(mut lock) = Self::try_acquire(dir, command, created_dir)? {
                lock.waited = waited_for.map(|who| (start.elapsed(), who));
                return Ok(lock);
            }
            let holder = fs::read_to_string(dir.join(names::LOCK)).unwrap_or_default();
            let (pid, what) = holder
                .trim()
                .split_once(' ')
                .unwrap_or(("?", "salon build"));
            let who = format!("{what} (pid {pid})");
            let stale_hint = if cfg!(unix) {
                String::new()
            } else {
                format!(
                    "; if no salon process runs, remove {}",
                    dir.join(names::LOCK).display()
                )
            };
            if what != "salon build" {
                return Err(Error::Refused(format!(
                    "{} is in use by {who}: stop it first, or build into another folder with --output{stale_hint}",
                    dir.display()
                )));
            }
            if start.elapsed() >= WAIT {
                return Err(Error::Refused(format!(
                    "{} is still being written by {who} after {} s: try again once it has finished{stale_hint}",
                    dir.display(),
                    WAIT.as_secs()
                )));
            }
            waited_for = Some(who);
            std::thread::sleep(POLL);
        }
    }

    /// One attempt: the shared lock of this process, or a new one.
    fn try_acquire(
        dir: &Path,
        command: &str,
        created_dir: bool,
    ) -> Result<Option<OutputLock>, Error> {
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        held.retain(|(_, w)| w.strong_count() > 0);
        if let Some(shared) = held
            .iter()
            .find(|(d, _)| d == dir)
            .and_then(|(_, w)| w.upgrade())
        {
            return Ok(Some(OutputLock {
                held: shared,
                waited: None,
            }));
        }
        let path = dir.join(names::LOCK);
        let Some(mut file) = lock_file(&path).map_err(|e| Error::io(&path, e))? else {
            return Ok(None);
        };
        // Who holds it, for the message a second build gets.
        let _ = file
            .set_len(0)
            .and_then(|()| write!(file, "{} {command}", std::process::id()));
        let lock = Arc::new(Held {
            dir: dir.to_path_buf(),
            file: Some(file),
            created_dir,
        });
        held.push((dir.to_path_buf(), Arc::downgrade(&lock)));
        Ok(Some(OutputLock {
            held: lock,
            waited: None,
        }))
    }

    /// The output folder, canonical.
    pub fn dir(&self) -> &Path {
        &self.held.dir
    }

    /// When taking the lock had to wait for another build: a note saying
    /// for how long and for whom.
    pub fn waited(&self) -> Option<String> {
        self.waited.as_ref().map(|(d, who)| {
            format!(
                "waited {:.1} s for {who} to finish writing {}",
                d.as_secs_f64(),
                self.held.dir.display()
            )
        })
    }

    /// Whether `self` and `other` are the same hold.
    #[cfg(test)]
    pub(super) fn same(&self, other: &OutputLock) -> bool {
        Arc::ptr_eq(&self.held, &other.held)
    }
}

/// Opens and locks the lock file; `None` when another process holds it.
#[cfg(unix)]
fn lock_file(path: &Path) -> std::io::Result<Option<fs::File>> {
    use std::os::unix::fs::MetadataExt as _;
    use std::os::unix::io::AsRawFd as _;
    loop {
        let file = fsops::open_lock_file(path)?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let e = std::io::Error::last_os_error();
            return match e.kind() {
                std::io::ErrorKind::WouldBlock => Ok(None),
                _ => Err(e),
            };
        }
        // The holder before us may have removed the file as it released
        // it: then this lock guards nothing, and another file is in place.
        let ours = file.metadata()?;
        match fs::metadata(path) {
            Ok(now) if (now.dev(), now.ino()) == (ours.dev(), ours.ino()) => return Ok(Some(file)),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Creates the lock file; `None` when it exists (another process holds it,
/// or one crashed).
#[cfg(not(unix))]
fn lock_file(path: &Path) -> std::io::Result<Option<fs::File>> {
    match fsops::open_lock_file(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}
