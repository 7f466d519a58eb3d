//! The watcher's polling fallback (`--poll`, or the system's limit of
//! watches reached): every [`POLL_INTERVAL`] it compares each watched
//! file's size and modification time with the last look.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use super::watch::{Note, POLL_INTERVAL, WATCHED_DIRS};
use crate::config::CONFIG_FILE;

/// Polls the watched parts of a site folder, comparing each file's size and
/// modification time (to the nanosecond, where notify's poller compares
/// whole seconds and would miss a second save within the same second).
pub(super) struct Poller {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What a poll saw of one path: size, modification time, whether a folder.
type Stamp = (u64, Option<std::time::SystemTime>, bool);

impl Poller {
    pub(super) fn start(root: PathBuf, output: PathBuf, tx: Sender<Note>) -> Poller {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut before = scan(&root, &output);
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(POLL_INTERVAL);
                    let now = scan(&root, &output);
                    let changed: Vec<PathBuf> = now
                        .iter()
                        .filter(|(p, stamp)| before.get(*p) != Some(stamp))
                        .map(|(p, _)| p.clone())
                        .chain(before.keys().filter(|p| !now.contains_key(*p)).cloned())
                        .collect();
                    if !changed.is_empty() && tx.send(Note::Paths(changed, true)).is_err() {
                        break;
                    }
                    before = now;
                }
            })
        };
        Poller {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Every watched path below `root` with its stamp.
fn scan(root: &Path, output: &Path) -> std::collections::HashMap<PathBuf, Stamp> {
    let mut out = std::collections::HashMap::new();
    let stamp = |m: &std::fs::Metadata| (m.len(), m.modified().ok(), m.is_dir());
    if let Ok(m) = std::fs::metadata(root.join(CONFIG_FILE)) {
        out.insert(root.join(CONFIG_FILE), stamp(&m));
    }
    for dir in WATCHED_DIRS {
        let walker = walkdir::WalkDir::new(root.join(dir))
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| !e.path().starts_with(output));
        for entry in walker.flatten() {
            if let Ok(m) = entry.metadata() {
                out.insert(entry.into_path(), stamp(&m));
            }
        }
    }
    out
}
