//! Every file system call the writer makes that changes the disk, in one
//! place, so tests can make any one of them fail ([`faults`]).

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Nanoseconds since the epoch of a file's mtime (0 when unknown).
pub(super) fn mtime_of(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// Creates `dir` and its missing parents.
pub(super) fn create_dir_all(dir: &Path) -> io::Result<()> {
    check(dir)?;
    fs::create_dir_all(dir)
}

/// Creates the folder `dir`, whose parent exists.
pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
    check(dir)?;
    fs::create_dir(dir)
}

/// Writes `bytes` to a new or truncated file; returns the mtime the file
/// system gave it.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> io::Result<u128> {
    check(path)?;
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    Ok(mtime_of(&file.metadata()?))
}

/// Writes `bytes` to a new file and waits until they are on the disk.
pub(super) fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    check(path)?;
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Waits until the entries of `dir` (a rename into it) are on the disk.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    check(dir)?;
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Opens the lock file: on Unix created if missing (the lock is `flock`),
/// elsewhere only created, never opened (its existence is the lock).
pub(super) fn open_lock_file(path: &Path) -> io::Result<fs::File> {
    check(path)?;
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true);
    if cfg!(unix) {
        options.create(true).truncate(false);
    } else {
        options.create_new(true);
    }
    options.open(path)
}

/// Renames `from` to `to`, replacing a file there (atomic).
pub(super) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    check(to)?;
    fs::rename(from, to)
}

/// Removes a file.
pub(super) fn remove_file(path: &Path) -> io::Result<()> {
    check(path)?;
    fs::remove_file(path)
}

/// Removes an empty folder.
pub(super) fn remove_dir(path: &Path) -> io::Result<()> {
    check(path)?;
    fs::remove_dir(path)
}

/// Removes a folder and everything in it.
pub(super) fn remove_dir_all(path: &Path) -> io::Result<()> {
    check(path)?;
    fs::remove_dir_all(path)
}

#[cfg(not(test))]
#[inline(always)]
fn check(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
fn check(path: &Path) -> io::Result<()> {
    faults::check(path)
}

/// Test-only fault injection: the Nth file system call below a folder
/// fails, as a full disk or a missing permission would make it fail.
#[cfg(test)]
pub(crate) mod faults {
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    struct Plan {
        root: PathBuf,
        /// The call (from 1) that fails; `usize::MAX` counts only.
        fail_at: usize,
        /// Every call from `fail_at` on fails too: the process "died" there
        /// and nothing after it, cleanup included, reaches the disk.
        crash: bool,
        seen: usize,
    }

    static PLANS: Mutex<Vec<Plan>> = Mutex::new(Vec::new());

    /// Arms a plan for calls on paths below `root` until the guard drops.
    pub(crate) struct Armed {
        root: PathBuf,
    }

    impl Armed {
        /// How many calls below the root were made so far.
        pub(crate) fn calls(&self) -> usize {
            let plans = PLANS.lock().unwrap_or_else(|p| p.into_inner());
            plans
                .iter()
                .find(|p| p.root == self.root)
                .map_or(0, |p| p.seen)
        }
    }

    impl Drop for Armed {
        fn drop(&mut self) {
            let mut plans = PLANS.lock().unwrap_or_else(|p| p.into_inner());
            plans.retain(|p| p.root != self.root);
        }
    }

    /// Counts calls below `root`; the `fail_at`th fails (and, with
    /// `crash`, every later one).
    pub(crate) fn arm(root: &Path, fail_at: usize, crash: bool) -> Armed {
        let mut plans = PLANS.lock().unwrap_or_else(|p| p.into_inner());
        plans.push(Plan {
            root: root.to_path_buf(),
            fail_at,
            crash,
            seen: 0,
        });
        Armed {
            root: root.to_path_buf(),
        }
    }

    pub(super) fn check(path: &Path) -> io::Result<()> {
        let mut plans = PLANS.lock().unwrap_or_else(|p| p.into_inner());
        let Some(plan) = plans.iter_mut().find(|p| path.starts_with(&p.root)) else {
            return Ok(());
        };
        plan.seen += 1;
        let fails = plan.seen == plan.fail_at || (plan.crash && plan.seen > plan.fail_at);
        if fails {
            Err(io::Error::other(format!(
                "injected failure of call {}",
                plan.seen
            )))
        } else {
            Ok(())
        }
    }
}
