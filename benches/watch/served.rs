//! Save → served: `salon serve`'s whole stack (file watcher, debounce,
//! incremental rebuild, HTTP server, live reload) on the benchmark's site,
//! timed as an open tab lives it: from the moment an edit is written,
//! through the server's "reload" message on the tab's event stream, to
//! the moment the GET of the post's page that follows returns bytes that
//! show the edit.
//!
//! The client does what a browser does and no more: it waits on the event
//! stream, then fetches once. (Fetching the page in a loop while the
//! rebuild ran, as this benchmark did before, took a share of the two
//! cores from the rebuild it timed.)

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use salon::incremental::Incremental;
use salon::serve::{self, Event};

/// What a finished rebuild of the session reported.
pub struct Built {
    /// Each stage's name and time.
    pub stages: Vec<(&'static str, Duration)>,
    /// Pages rendered.
    pub rendered: usize,
}

/// `salon serve` running in a thread over the site in `root`.
pub struct Session {
    addr: SocketAddr,
    tab: Tab,
    built: Receiver<Built>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Session {
    /// Starts serving `root` on a free loopback port and waits for the
    /// first (full) build.
    pub fn start(root: &Path) -> Session {
        let config = serve::Config {
            build: salon::BuildOptions::new(root),
            serve: Some("127.0.0.1:0".parse().expect("address")),
            debounce: serve::Debounce::default(),
            poll: false,
        };
        let (addr_tx, addr_rx) = mpsc::channel();
        let (built_tx, built) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut rebuild = Incremental::new();
                let mut on_event = |e: Event<'_>| match e {
                    Event::Serving { addr, .. } => {
                        let _ = addr_tx.send(addr);
                    }
                    Event::Built { report, .. } => {
                        let _ = built_tx.send(Built {
                            stages: report
                                .timings
                                .stages
                                .iter()
                                .map(|(s, _, _, d)| (*s, *d))
                                .collect(),
                            rendered: report.rendered,
                        });
                    }
                    // A save caught half written (a thread file of
                    // megabytes takes longer to write than the debounce):
                    // the rest of the write brings another rebuild.
                    Event::Failed { error, .. } => eprintln!("a rebuild failed: {error}"),
                    _ => {}
                };
                serve::run(config, &mut rebuild, &mut on_event, &stop).expect("serve");
            })
        };
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server started");
        let session = Session {
            addr,
            tab: Tab::open(addr),
            built,
            stop,
            thread: Some(thread),
        };
        // A million-message archive's first build takes half an hour on
        // a busy machine.
        session
            .built
            .recv_timeout(Duration::from_secs(4 * 3600))
            .expect("the first build");
        session
    }

    /// The body of `GET path`.
    pub fn get(&self, path: &str) -> Vec<u8> {
        self.get_status(path).1
    }

    /// The status code and body of `GET path`.
    pub fn get_status(&self, path: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("response");
        // `HTTP/1.1 200 OK`
        let status = out
            .get(9..12)
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = match out.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) => out.split_off(end + 4),
            None => out,
        };
        (status, body)
    }

    /// Forgets the reload messages the tab got so far.
    pub fn settle(&mut self) {
        self.tab.clear();
    }

    /// Waits for the tab to be told to reload, then fetches `path`, until
    /// `shows` holds of its body; the time from `since` to that response,
    /// or `None` after `limit`.
    pub fn wait_until(
        &mut self,
        path: &str,
        since: Instant,
        limit: Duration,
        shows: &dyn Fn(&[u8]) -> bool,
    ) -> Option<Duration> {
        loop {
            if !self.tab.next_reload(since + limit, path) {
                return None;
            }
            let body = self.get(path);
            if shows(&body) {
                return Some(since.elapsed());
            }
        }
    }

    /// Every rebuild reported since the last call, waiting for the first
    /// (the page may be served before its rebuild ends: the edited page
    /// is published first), then until none came for `quiet`.
    pub fn drain_builds(&self, quiet: Duration) -> Vec<Built> {
        let mut out: Vec<Built> = self
            .built
            .recv_timeout(Duration::from_secs(60))
            .into_iter()
            .collect();
        while let Ok(b) = self.built.recv_timeout(quiet) {
            out.push(b);
        }
        out
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The URL path of the post written from `source` (`content/posts/x.md`
/// is `/posts/x/` in the generated site).
pub fn post_url(source: &Path) -> String {
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("post file name");
    format!("/posts/{stem}/")
}

/// Whether a served page (second) shows an edit, given the page before
/// it (first).
pub type Shows = Box<dyn Fn(&[u8], &[u8]) -> bool>;

/// An edit to time: the file it saved and what its page shows after.
pub struct Edit {
    /// The saved file.
    pub path: PathBuf,
    /// Whether a served page shows the edit, given the page before it.
    pub shows: Shows,
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// An open tab's live-reload event stream.
struct Tab {
    stream: TcpStream,
    /// Bytes received and not yet looked at.
    seen: Vec<u8>,
}

impl Tab {
    fn open(addr: SocketAddr) -> Tab {
        let mut stream = TcpStream::connect(addr).expect("connect the event stream");
        write!(
            stream,
            "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
            salon::serve::reload::EVENTS_PATH
        )
        .expect("request the event stream");
        stream.set_nodelay(true).expect("nodelay");
        let mut tab = Tab {
            stream,
            seen: Vec::new(),
        };
        // The response's head: the stream is open once it came.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !contains(&tab.seen, b"\r\n\r\n") {
            assert!(tab.read_until(deadline), "the event stream opened");
        }
        assert!(
            tab.seen.starts_with(b"HTTP/1.1 200"),
            "event stream: {}",
            String::from_utf8_lossy(&tab.seen)
        );
        tab.seen.clear();
        tab
    }

    /// Reads what arrives before `deadline`; false if nothing did.
    fn read_until(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        self.stream.set_read_timeout(Some(left)).expect("timeout");
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(0) => panic!("the event stream ended"),
            Ok(n) => {
                self.seen.extend_from_slice(&buf[..n]);
                true
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
            Err(e) => panic!("event stream: {e}"),
        }
    }

    /// Drops every message that came so far.
    fn clear(&mut self) {
        while self.read_until(Instant::now() + Duration::from_millis(5)) {}
        self.seen.clear();
    }

    /// Waits for the next "reload" message that a tab showing the page at
    /// URL path `page` acts on (one naming no files, or naming the page's
    /// file, as the live-reload script decides); false if none came before
    /// `deadline`. A failed build is waited past: a save read half
    /// written fails, and the rest of the write rebuilds again (the time
    /// counts both, as the user waits for both); a build that keeps
    /// failing runs into `deadline`.
    fn next_reload(&mut self, deadline: Instant, page: &str) -> bool {
        const RELOAD: &[u8] = b"event: reload\ndata: ";
        const FAILED: &[u8] = b"event: failed\n";
        let file = if page.ends_with('/') {
            format!("{page}index.html")
        } else {
            page.to_owned()
        };
        loop {
            if let Some(at) = self.seen.windows(RELOAD.len()).position(|w| w == RELOAD) {
                let data = at + RELOAD.len();
                if let Some(end) = self.seen[data..].iter().position(|&b| b == b'\n') {
                    let files: Option<serde_json::Value> =
                        serde_json::from_slice(&self.seen[data..data + end]).ok();
                    self.seen.drain(..data + end);
                    let mine = files.is_none_or(|v| {
                        v["files"]
                            .as_array()
                            .is_some_and(|f| f.iter().any(|f| f.as_str() == Some(&file)))
                    });
                    if mine {
                        return true;
                    }
                    continue;
                }
            } else if let Some(at) = self.seen.windows(FAILED.len()).position(|w| w == FAILED) {
                self.seen.drain(..at + FAILED.len());
                continue;
            }
            if !self.read_until(deadline) {
                return false;
            }
        }
    }
}
