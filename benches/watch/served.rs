//! Save → served: `salon serve`'s whole stack (file watcher, debounce,
//! incremental rebuild, HTTP server) on the benchmark's site, timed from
//! the moment an edit is written to the moment a plain HTTP GET of the
//! post's page on 127.0.0.1 returns bytes that show the edit.

use std::io::{Read, Write};
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
                    Event::Failed { error, .. } => panic!("rebuild failed: {error}"),
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
            built,
            stop,
            thread: Some(thread),
        };
        session
            .built
            .recv_timeout(Duration::from_secs(600))
            .expect("the first build");
        session
    }

    /// The body of `GET path`.
    pub fn get(&self, path: &str) -> Vec<u8> {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("response");
        match out.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) => out.split_off(end + 4),
            None => out,
        }
    }

    /// Polls `GET path` until `shows` holds of its body; the time from
    /// `since` to that response, or `None` after `limit`.
    pub fn wait_until(
        &self,
        path: &str,
        since: Instant,
        limit: Duration,
        shows: &dyn Fn(&[u8]) -> bool,
    ) -> Option<Duration> {
        loop {
            let body = self.get(path);
            if shows(&body) {
                return Some(since.elapsed());
            }
            if since.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// Every rebuild reported since the last call, waiting until none
    /// came for `quiet`.
    pub fn drain_builds(&self, quiet: Duration) -> Vec<Built> {
        let mut out = Vec::new();
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
