//! Watching the site folder: notify events, filtered and debounced into
//! batches, one batch per rebuild.
//!
//! - Only `salon.yaml` and files below `content/`, `static/`, `themes/`,
//!   `templates/` and `i18n/` count; editors' temporary and swap files
//!   ([`crate::load::is_ignored_name`]) and anything inside the output folder are
//!   ignored ([`relevant`]).
//! - The site folder itself is watched non-recursively, so a watched folder
//!   that is deleted and created again is watched again, and an editor's
//!   atomic save of `salon.yaml` (write a temporary file, rename it over) is
//!   seen.
//! - The system's events go through `notify-debouncer-full`, which holds
//!   each event for [`Debounce::quiet`], merges duplicates, pairs a rename's
//!   two halves and reports a deleted folder once. What it hands over in
//!   quick succession (a burst spans several of its ticks) is gathered into
//!   one batch ([`Batcher`]), held [`Debounce::max_wait`] at most; events
//!   that arrive while a rebuild runs wait in the channel and make the next
//!   batch, so a burst during a rebuild is one more rebuild, and the last
//!   event of a burst is never lost.
//! - Where the system's limit of watches is reached, or with `--poll`,
//!   watching polls instead (`poll.rs`: modification times to the
//!   nanosecond, every [`POLL_INTERVAL`]); one poll's changes are one batch.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};

use super::poll::Poller;
use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::load::is_ignored_name;

/// The folders of a site that are watched, recursively.
pub const WATCHED_DIRS: [&str; 5] = ["content", "static", "themes", "templates", "i18n"];

/// How long events are held before they count, and how long a batch may
/// be held back at most while events keep coming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    /// How long notify-debouncer-full holds each event (to merge it with
    /// its duplicates and pair renames) before handing it over.
    pub quiet: Duration,
    /// Longest wait after the first event of a batch.
    pub max_wait: Duration,
}

impl Default for Debounce {
    /// 5 ms: an editor's save, even an atomic one (write, rename over),
    /// takes well under that, and a person does not save twice in it. A
    /// burst that outlasts it (a slow checkout) is at most one more
    /// rebuild: what comes while a rebuild runs waits for the next one.
    /// From a save to its batch: 5 ms held, up to a tick (1.25 ms) until
    /// handed over, two ticks more for the rest of a burst.
    fn default() -> Self {
        Debounce {
            quiet: Duration::from_millis(5),
            max_wait: Duration::from_secs(2),
        }
    }
}

impl Debounce {
    /// How often notify-debouncer-full hands over what is due: a quarter
    /// of the quiet time, its own default.
    fn tick(&self) -> Duration {
        (self.quiet / 4).max(Duration::from_millis(1))
    }

    /// How long after one hand-over the next must come to join the same
    /// batch: two ticks, so a burst that keeps going stays one batch.
    fn gap(&self) -> Duration {
        self.tick() * 2
    }
}

/// Gathers the changed paths notify-debouncer-full hands over into one
/// batch, due once none came for a [`Debounce::gap`] or
/// [`Debounce::max_wait`] after the first. Pure: time is passed in.
#[derive(Debug)]
pub struct Batcher {
    gap: Duration,
    max_wait: Duration,
    first: Option<Instant>,
    last: Option<Instant>,
    paths: BTreeSet<PathBuf>,
}

impl Batcher {
    /// An empty batch.
    pub fn new(config: Debounce) -> Self {
        Batcher {
            gap: config.gap(),
            max_wait: config.max_wait,
            first: None,
            last: None,
            paths: BTreeSet::new(),
        }
    }

    /// Records a change of `path` handed over at `now`.
    pub fn push(&mut self, now: Instant, path: PathBuf) {
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.paths.insert(path);
    }

    /// Whether a change is waiting.
    pub fn is_pending(&self) -> bool {
        self.first.is_some()
    }

    /// When the waiting changes are due, if any wait.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        Some((last + self.gap).min(first + self.max_wait))
    }

    /// The waiting changes, sorted, if they are due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        if self.deadline()? > now {
            return None;
        }
        self.first = None;
        self.last = None;
        Some(std::mem::take(&mut self.paths).into_iter().collect())
    }
}

/// Whether a change of `path` matters to the build of the site in `root`
/// with output folder `output` (both absolute, as watched).
pub fn relevant(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let names: Vec<&str> = match rel
        .components()
        .map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
    {
        Some(names) => names,
        None => return false,
    };
    match names.as_slice() {
        [] => false,
        [file] if *file == CONFIG_FILE => true,
        [top, rest @ ..] => WATCHED_DIRS.contains(top) && !rest.iter().any(|n| is_ignored_name(n)),
    }
}

/// What the notify thread tells the watching loop.
pub(super) enum Note {
    /// Changed paths; `true` when entries may have appeared or vanished.
    Paths(Vec<PathBuf>, bool),
    /// Something may have been missed: rebuild.
    Rescan,
    LimitReached,
}

/// Something the watcher wants the user to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchNotice {
    /// Native watching hit the system's limit; polling instead.
    Polling(String),
}

/// The native watcher, behind notify-debouncer-full.
type Native = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

enum Backend {
    Native(Native),
    /// Held for its `Drop`, which stops the polling thread.
    Poll {
        _poller: Poller,
    },
}

impl Backend {
    fn poll(root: PathBuf, output: PathBuf, tx: Sender<Note>) -> Backend {
        Backend::Poll {
            _poller: Poller::start(root, output, tx),
        }
    }

    fn watcher(&mut self) -> Option<&mut Native> {
        match self {
            Backend::Native(w) => Some(w),
            Backend::Poll { .. } => None,
        }
    }
}

/// How often the fallback poller looks.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How often a waiting loop checks whether it was asked to stop.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// A watched site folder handing out debounced batches of changed paths.
pub struct Watch {
    root: PathBuf,
    output: PathBuf,
    backend: Backend,
    tx: Sender<Note>,
    rx: Receiver<Note>,
    batch: Batcher,
    notices: Vec<WatchNotice>,
}

impl Watch {
    /// Starts watching the site in `source`, whose output folder is
    /// `output`. `poll` forces polling.
    pub fn start(
        source: &Path,
        output: &Path,
        debounce: Debounce,
        poll: bool,
    ) -> Result<Watch, Error> {
        let root = crate::build::site_root(source)?;
        let output = crate::build::absolute(output);
        let (tx, rx) = mpsc::channel();
        let backend = if poll {
            Backend::poll(root.clone(), output.clone(), tx.clone())
        } else {
            match notify_debouncer_full::new_debouncer(
                debounce.quiet,
                Some(debounce.tick()),
                handler(tx.clone()),
            ) {
                Ok(w) => Backend::Native(w),
                // Too many inotify instances: poll.
                Err(e) if is_limit(&e) => Backend::poll(root.clone(), output.clone(), tx.clone()),
                Err(e) => return Err(notify_error(&root, e)),
            }
        };
        let mut watch = Watch {
            root,
            output,
            backend,
            tx,
            rx,
            batch: Batcher::new(debounce),
            notices: Vec::new(),
        };
        if let Err(e) = watch.watch_all() {
            if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) || is_limit(&e) {
                watch.fall_back_to_polling()?;
            } else {
                return Err(notify_error(&watch.root, e));
            }
        }
        Ok(watch)
    }

    /// Whether the watcher polls (forced, or after reaching the limit).
    pub fn is_polling(&self) -> bool {
        matches!(self.backend, Backend::Poll { .. })
    }

    /// Notices since the last call (a fallback to polling).
    pub fn take_notices(&mut self) -> Vec<WatchNotice> {
        std::mem::take(&mut self.notices)
    }

    fn watch_all(&mut self) -> notify::Result<()> {
        let root = self.root.clone();
        let Some(w) = self.backend.watcher() else {
            return Ok(());
        };
        w.watch(&root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED_DIRS {
            self.watch_dir(&root.join(dir))?;
        }
        Ok(())
    }

    /// (Re)watches one top-level folder if it exists.
    fn watch_dir(&mut self, dir: &Path) -> notify::Result<()> {
        let Some(w) = self.backend.watcher() else {
            return Ok(());
        };
        let _ = w.unwatch(dir);
        if dir.is_dir() {
            w.watch(dir, RecursiveMode::Recursive)?;
        }
        Ok(())
    }

    fn fall_back_to_polling(&mut self) -> Result<(), Error> {
        self.notices.push(WatchNotice::Polling(format!(
            "the system's limit of watched files is reached; polling {} every {} ms instead \
             (on Linux, raise fs.inotify.max_user_watches to watch natively)",
            self.root.display(),
            POLL_INTERVAL.as_millis()
        )));
        self.backend = Backend::Poll {
            _poller: Poller::start(self.root.clone(), self.output.clone(), self.tx.clone()),
        };
        Ok(())
    }

    /// Blocks until a batch of changes is due and returns it, or returns
    /// `None` once `stop` is set.
    pub fn next_batch(&mut self, stop: &AtomicBool) -> Result<Option<Vec<PathBuf>>, Error> {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let now = Instant::now();
            if let Some(batch) = self.batch.take_due(now) {
                return Ok(Some(batch));
            }
            let wait = self
                .batch
                .deadline()
                .map_or(STOP_CHECK, |d| d.saturating_duration_since(now))
                .min(STOP_CHECK);
            match self.rx.recv_timeout(wait) {
                Ok(note) => self.note(note)?,
                Err(RecvTimeoutError::Timeout) => {}
                // The sender lives in `self`: cannot happen.
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
            }
        }
    }

    fn note(&mut self, note: Note) -> Result<(), Error> {
        let now = Instant::now();
        match note {
            Note::Paths(paths, names_changed) => {
                for path in paths {
                    if let Some(top) = self.top_dir(&path).filter(|_| names_changed) {
                        // A watched folder (re)appeared or went away.
                        let _ = self.watch_dir(&top);
                    }
                    if relevant(&self.root, &self.output, &path) {
                        self.batch.push(now, path);
                    }
                }
            }
            Note::Rescan => self.batch.push(now, self.root.clone()),
            Note::LimitReached => {
                if !self.is_polling() {
                    self.fall_back_to_polling()?;
                }
                self.batch.push(now, self.root.clone());
            }
        }
        Ok(())
    }

    /// `path` itself when it is one of the watched top-level folders.
    fn top_dir(&self, path: &Path) -> Option<PathBuf> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let name = rel.to_str()?;
        WATCHED_DIRS.contains(&name).then(|| path.to_path_buf())
    }
}

fn handler(
    tx: Sender<Note>,
) -> impl FnMut(notify_debouncer_full::DebounceEventResult) + Send + 'static {
    move |res: notify_debouncer_full::DebounceEventResult| {
        let events = match res {
            Ok(events) => events,
            Err(errors) => {
                let limit = errors
                    .iter()
                    .any(|e| matches!(e.kind, notify::ErrorKind::MaxFilesWatch) || is_limit(e));
                let _ = tx.send(if limit {
                    Note::LimitReached
                } else {
                    Note::Rescan
                });
                return;
            }
        };
        let mut paths = Vec::new();
        let mut names_changed = false;
        for event in events {
            if event.need_rescan() {
                let _ = tx.send(Note::Rescan);
                continue;
            }
            // Reads (the build's own among them) change nothing.
            if matches!(event.kind, EventKind::Access(_)) {
                continue;
            }
            names_changed |= matches!(
                event.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(notify::event::ModifyKind::Name(_))
                    | EventKind::Any
                    | EventKind::Other
            );
            paths.extend(event.event.paths);
        }
        if !paths.is_empty() {
            let _ = tx.send(Note::Paths(paths, names_changed));
        }
    }
}

/// Whether a notify error says a system limit was reached (watches or
/// inotify instances).
fn is_limit(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => {
            matches!(io.raw_os_error(), Some(24 /* EMFILE */ | 28 /* ENOSPC */))
        }
        _ => false,
    }
}

fn notify_error(path: &Path, e: notify::Error) -> Error {
    let path = e
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| path.to_path_buf());
    Error::io(path, std::io::Error::other(format!("cannot watch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Hand-overs every 50 ms; 100 ms without one closes a batch.
    fn debouncer() -> Batcher {
        Batcher::new(Debounce {
            quiet: ms(200),
            max_wait: ms(1000),
        })
    }

    #[test]
    fn a_burst_is_one_batch_due_after_the_quiet_time() {
        let t0 = Instant::now();
        let mut d = debouncer();
        assert_eq!(d.deadline(), None);
        assert_eq!(d.take_due(t0), None);
        for i in 0..500u64 {
            d.push(
                t0 + ms(i / 10),
                PathBuf::from(format!("content/posts/{i}.md")),
            );
        }
        let last = t0 + ms(49);
        assert_eq!(d.deadline(), Some(last + ms(100)));
        assert_eq!(d.take_due(last + ms(99)), None);
        let batch = d.take_due(last + ms(100)).unwrap();
        assert_eq!(batch.len(), 500);
        assert!(!d.is_pending());
        assert_eq!(d.take_due(last + ms(500)), None);
    }

    #[test]
    fn the_same_path_is_listed_once() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push(t0, "a".into());
        d.push(t0, "a".into());
        assert_eq!(d.take_due(t0 + ms(100)).unwrap(), vec![PathBuf::from("a")]);
    }

    #[test]
    fn events_after_a_batch_make_the_next_batch() {
        let t0 = Instant::now();
        let mut d = debouncer();
        d.push(t0, "a".into());
        assert!(d.take_due(t0 + ms(100)).is_some());
        d.push(t0 + ms(150), "b".into());
        assert_eq!(d.take_due(t0 + ms(200)), None);
        assert_eq!(d.take_due(t0 + ms(250)).unwrap(), vec![PathBuf::from("b")]);
    }

    #[test]
    fn a_never_ending_stream_is_flushed_after_max_wait() {
        let t0 = Instant::now();
        let mut d = debouncer();
        let mut flushed = 0;
        for i in 0..300u64 {
            let now = t0 + ms(i * 10);
            d.push(now, format!("{i}").into());
            if d.take_due(now).is_some() {
                flushed += 1;
            }
        }
        assert_eq!(flushed, 2, "one batch a second while events keep coming");
        assert!(d.is_pending(), "the tail waits for its own batch");
    }

    #[test]
    fn watch_limits_are_recognized() {
        assert!(is_limit(&notify::Error::new(
            notify::ErrorKind::MaxFilesWatch
        )));
        assert!(is_limit(&notify::Error::io(
            std::io::Error::from_raw_os_error(28)
        )));
        assert!(is_limit(&notify::Error::io(
            std::io::Error::from_raw_os_error(24)
        )));
        assert!(!is_limit(&notify::Error::path_not_found()));
    }

    #[test]
    fn only_sources_count() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let yes = [
            "/site/salon.yaml",
            "/site/content/posts/a.md",
            "/site/content/posts/new-folder",
            "/site/static/style.css",
            "/site/themes/t/templates/base.html",
            "/site/templates/post.html",
            "/site/content",
        ];
        let no = [
            "/site/public/index.html",
            "/site/public",
            "/site/.public.salon-tmp/x",
            "/site/README.md",
            "/site/salon.yaml~",
            "/site/.salon.yaml.swp",
            "/site/content/posts/.a.md.swp",
            "/site/content/posts/a.md~",
            "/site/content/posts/.#a.md",
            "/site/content/posts/4913",
            "/site/content/posts/a.md.tmp",
            "/site/content/posts/#a.md#",
            "/site/content/.git/index",
            "/elsewhere/content/a.md",
        ];
        for p in yes {
            assert!(relevant(root, out, Path::new(p)), "{p}");
        }
        for p in no {
            assert!(!relevant(root, out, Path::new(p)), "{p}");
        }
        // An output folder inside a watched folder is still ignored.
        let inner = Path::new("/site/static/out");
        assert!(!relevant(root, inner, Path::new("/site/static/out/a.html")));
    }
}
