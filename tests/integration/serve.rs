//! `salon serve` and `salon watch`: the server over a real socket on
//! 127.0.0.1, the watcher on real files, live reload end to end. Every wait
//! is bounded.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use salon::serve::{self, http, reload, Debounce, Event};
use salon::BuildOptions;

use crate::common::*;

const WAIT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- client

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request over a fresh connection, the target sent exactly as given.
fn get(addr: SocketAddr, target: &str, extra: &[(&str, &str)]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("GET {target} HTTP/1.1\r\nConnection: close\r\n");
    if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// An open event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr, origin: Option<&str>) -> Result<Events, u16> {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut req = format!(
            "GET {} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n",
            reload::EVENTS_PATH
        );
        if let Some(o) = origin {
            req.push_str(&format!("Origin: {o}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut reader = BufReader::new(s);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let code: u16 = status.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            headers.push(line.to_ascii_lowercase());
        }
        if code != 200 {
            return Err(code);
        }
        assert!(headers
            .iter()
            .any(|h| h.starts_with("content-type: text/event-stream")));
        assert!(!headers
            .iter()
            .any(|h| h.starts_with("access-control-allow-origin")));
        Ok(Events { reader })
    }

    /// The next event (name, data) within `WAIT`.
    fn next(&mut self) -> Option<(String, String)> {
        let deadline = Instant::now() + WAIT;
        let (mut name, mut data) = (None::<String>, String::new());
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => panic!("{e}"),
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if let Some(n) = name.take() {
                    return Some((n, std::mem::take(&mut data)));
                }
            } else if let Some(n) = line.strip_prefix("event: ") {
                name = Some(n.to_owned());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            }
        }
        None
    }

    /// Asserts no event arrives within `d`.
    fn none_within(&mut self, d: Duration) {
        self.reader.get_ref().set_read_timeout(Some(d)).unwrap();
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Err(_) => {}
            Ok(_) => assert!(!line.starts_with("event:"), "unexpected event: {line}"),
        }
        self.reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
}

// ---------------------------------------------------------------- sessions

/// What a running session reported.
#[derive(Debug)]
enum Seen {
    Serving(SocketAddr),
    Rebuilding(Vec<PathBuf>),
    Built { written: usize, removed: usize },
    Failed(String),
}

/// `salon serve` (or `watch`) running in a thread, stopped when dropped.
/// The rebuilder `salon serve` uses (incremental, publishing in steps),
/// counting its rebuilds.
struct Counted {
    inner: salon::incremental::Incremental,
    count: Arc<AtomicUsize>,
}

impl salon::serve::Rebuild for Counted {
    fn rebuild(
        &mut self,
        opts: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<salon::BuildReport, salon::Error> {
        self.rebuild_in_steps(opts, changed, &mut |_| {})
    }

    fn rebuild_in_steps(
        &mut self,
        opts: &BuildOptions,
        changed: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
    ) -> Result<salon::BuildReport, salon::Error> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.inner.rebuild_in_steps(opts, changed, published)
    }
}

struct Session {
    addr: Option<SocketAddr>,
    seen: Receiver<Seen>,
    rebuilds: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Session {
    fn start(site: &Site, serve_it: bool, poll: bool) -> Session {
        let config = serve::Config {
            build: BuildOptions::new(site.root()),
            serve: serve_it.then(|| "127.0.0.1:0".parse().unwrap()),
            // Longer than the default so a busy test machine never splits
            // a burst.
            debounce: Debounce {
                quiet: Duration::from_millis(250),
                max_wait: Duration::from_secs(5),
            },
            poll,
        };
        let (tx, seen) = mpsc::channel();
        let rebuilds = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (rebuilds, stop) = (rebuilds.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut rebuild = Counted {
                    inner: salon::incremental::Incremental::new(),
                    count: rebuilds,
                };
                let mut on_event = |e: Event<'_>| {
                    let seen = match e {
                        Event::Serving { addr, .. } => Seen::Serving(addr),
                        Event::Rebuilding { changed } => Seen::Rebuilding(changed.to_vec()),
                        Event::Built { report, .. } => Seen::Built {
                            written: report.written,
                            removed: report.removed,
                        },
                        Event::Failed { error, .. } => Seen::Failed(serve::error_text(error)),
                        Event::Watching | Event::Warning(_) => return,
                    };
                    let _ = tx.send(seen);
                };
                serve::run(config, &mut rebuild, &mut on_event, &stop).unwrap();
            })
        };
        let mut session = Session {
            addr: None,
            seen,
            rebuilds,
            stop,
            thread: Some(thread),
        };
        if serve_it {
            match session.next() {
                Seen::Serving(a) => session.addr = Some(a),
                other => panic!("expected the server first, got {other:?}"),
            }
        }
        assert!(matches!(session.next(), Seen::Rebuilding(c) if c.is_empty()));
        session.next_outcome();
        session
    }

    fn addr(&self) -> SocketAddr {
        self.addr.unwrap()
    }

    fn next(&self) -> Seen {
        self.seen
            .recv_timeout(WAIT)
            .expect("the session reported nothing in time")
    }

    /// The outcome of the next build.
    fn next_outcome(&self) -> Seen {
        loop {
            match self.next() {
                Seen::Rebuilding(_) => {}
                other => return other,
            }
        }
    }

    /// The changes that started the next rebuild, and its outcome.
    fn next_rebuild(&self) -> (Vec<PathBuf>, Seen) {
        match self.next() {
            Seen::Rebuilding(c) => (c, self.next_outcome()),
            other => panic!("expected a rebuild, got {other:?}"),
        }
    }

    /// Asserts nothing else happens for a while.
    fn quiet(&self) {
        if let Ok(s) = self.seen.recv_timeout(Duration::from_millis(1200)) {
            panic!("unexpected: {s:?}");
        }
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

fn demo_built() -> Site {
    let site = Site::demo();
    site.build();
    site
}

fn post_with_title(title: &str) -> String {
    post(&format!("title: {title}\ndate: 2021-05-01"), "Body text.")
}

// ---------------------------------------------------------------- server

/// A server alone over `out` on an ephemeral loopback port.
fn server(out: &Path) -> http::Server {
    http::Server::start(
        "127.0.0.1:0".parse().unwrap(),
        out.to_path_buf(),
        Arc::new(reload::Hub::new()),
    )
    .unwrap()
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_output_folder_is_served() {
    let site = Site::new(CONFIG, &[("content/posts/a.md", &post_with_title("A"))]);
    site.build();
    fs::write(site.root().join("secret.txt"), "TOP-SECRET").unwrap();
    std::os::unix::fs::symlink(site.root().join("secret.txt"), site.out().join("leak.txt"))
        .unwrap();
    std::os::unix::fs::symlink(site.root(), site.out().join("leakdir")).unwrap();
    let abs = site.root().join("secret.txt");
    let abs = abs.to_str().unwrap();
    let cases = [
        "/../secret.txt".to_owned(),
        "/posts/../../secret.txt".to_owned(),
        "/%2e%2e/secret.txt".to_owned(),
        "/%2E%2E/secret.txt".to_owned(),
        "/.%2e/secret.txt".to_owned(),
        "/%2e%2e%2fsecret.txt".to_owned(),
        "/posts%2f..%2f..%2fsecret.txt".to_owned(),
        "/..%5csecret.txt".to_owned(),
        "/..\\secret.txt".to_owned(),
        "/posts\\..\\..\\secret.txt".to_owned(),
        format!("/{abs}"),
        format!("/{}", abs.replace('/', "%2f")),
        "/leak.txt".to_owned(),
        "/leakdir/secret.txt".to_owned(),
        "/leakdir/".to_owned(),
    ];
    for target in &cases {
        // A fresh server on a fresh ephemeral port for each case.
        let srv = server(&site.out());
        let r = get(srv.addr(), target, &[]);
        assert!(
            [400, 403, 404].contains(&r.status),
            "{target}: status {}",
            r.status
        );
        assert!(!r.body.contains("TOP-SECRET"), "{target} leaked the file");
    }
    // The same server does serve what is inside.
    let srv = server(&site.out());
    assert_eq!(get(srv.addr(), "/posts/a/", &[]).status, 200);
}

#[test]
fn pages_have_their_types_folders_redirect_and_missing_pages_get_the_404_page() {
    let site = demo_built();
    let srv = server(&site.out());
    let addr = srv.addr();
    for (target, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/tags/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/__salon/live.js", "text/javascript; charset=utf-8"),
    ] {
        let r = get(addr, target, &[]);
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.header("content-type"), Some(kind), "{target}");
        assert_eq!(r.header("access-control-allow-origin"), None, "{target}");
    }

    let r = get(addr, "/tags?x=1", &[]);
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/tags/?x=1"));

    let r = get(addr, "/no/such/page/", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let page = fs::read_to_string(site.out().join("404.html")).unwrap();
    assert_eq!(
        r.body,
        String::from_utf8(reload::inject(page.as_bytes())).unwrap()
    );

    // The script is injected when served, never written.
    let home = get(addr, "/", &[]);
    assert!(home.body.contains(reload::SCRIPT_TAG));
    for file in snapshot(&site.out()).keys() {
        if file.ends_with(".html") {
            let text = fs::read_to_string(site.out().join(file)).unwrap();
            assert!(!text.contains("__salon"), "{file} contains the script");
        }
    }
    // Pages are not given to other sites' names for this address (DNS
    // rebinding).
    let r = get(
        addr,
        "/",
        &[("Host", &format!("evil.example:{}", addr.port()))],
    );
    assert_eq!(r.status, 421);
    let r = get(
        addr,
        "/",
        &[("Host", &format!("localhost:{}", addr.port()))],
    );
    assert_eq!(r.status, 200);

    // Percent-encoded UTF-8 paths are decoded.
    fs::create_dir_all(site.out().join("café")).unwrap();
    fs::write(site.out().join("café/index.html"), "<p>crème</p>").unwrap();
    let r = get(addr, "/caf%C3%A9/", &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("crème"));
}

// ---------------------------------------------------------------- live reload

#[test]
fn tabs_reload_after_a_rebuild_and_other_origins_are_refused() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/a.md", &post_with_title("First title")),
            ("static/extra.css", "p { color: red }"),
        ],
    );
    let session = Session::start(&site, true, false);
    let addr = session.addr();
    let own = format!("http://{addr}");

    assert_eq!(
        Events::open(addr, Some("http://evil.example")).err(),
        Some(403)
    );
    assert_eq!(Events::open(addr, Some("null")).err(), Some(403));
    let mut events = Events::open(addr, Some(&own)).unwrap();
    let mut bare = Events::open(addr, None).unwrap();

    // The site is built for the server's address.
    let page = get(addr, "/posts/a/", &[]);
    assert!(page.body.contains("First title"));
    let feed = get(addr, "/feed.xml", &[]);
    assert!(
        feed.body.contains(&format!("http://{addr}/posts/a/")),
        "{}",
        feed.body
    );

    let started = Instant::now();
    site.write("content/posts/a.md", &post_with_title("Second title"));
    let (_, outcome) = session.next_rebuild();
    assert!(matches!(outcome, Seen::Built { written, .. } if written > 0));
    let (name, data) = events.next().unwrap();
    assert_eq!(name, "reload");
    assert_eq!(bare.next().unwrap().0, "reload");
    eprintln!("save to reload event: {:?}", started.elapsed());
    // It names the files the rebuild changed, for tabs to pick theirs.
    let data: serde_json::Value = serde_json::from_str(&data).expect("JSON data");
    let files: Vec<&str> = data["files"]
        .as_array()
        .expect("a list of files")
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(files.contains(&"/posts/a/index.html"), "{files:?}");
    assert!(files.contains(&"/feed.xml"), "{files:?}");
    assert!(!files.contains(&"/extra.css"), "{files:?}");
    // The files were in place when the tab was told.
    assert!(get(addr, "/posts/a/", &[]).body.contains("Second title"));

    // A stylesheet alone: swap stylesheets, no reload.
    site.write("static/extra.css", "p { color: blue }");
    session.next_rebuild();
    assert_eq!(events.next().unwrap().0, "css");

    // A change that changes no byte of output: no event.
    site.write("content/posts/a.md", &post_with_title("Second title"));
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(
            outcome,
            Seen::Built {
                written: 0,
                removed: 0
            }
        ),
        "{outcome:?}"
    );
    events.none_within(Duration::from_millis(800));
}

#[test]
fn a_broken_file_keeps_the_last_good_site_and_a_fix_recovers() {
    let site = Site::new(CONFIG, &[("content/posts/a.md", &post_with_title("Good"))]);
    let session = Session::start(&site, true, false);
    let addr = session.addr();
    let mut events = Events::open(addr, None).unwrap();

    site.write(
        "content/posts/a.md",
        "---\ntitle: Broken\ndate: [unclosed\n---\n\nx\n",
    );
    let (_, outcome) = session.next_rebuild();
    let Seen::Failed(text) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(text.contains("content/posts/a.md:4:"), "{text}");
    let (name, data) = events.next().unwrap();
    assert_eq!(name, "failed");
    assert!(data.contains("content/posts/a.md:4:"), "{data}");
    // The last good site is still served.
    let page = get(addr, "/posts/a/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Good"));
    // A tab opened now sees the error too.
    let mut late = Events::open(addr, None).unwrap();
    assert_eq!(late.next().unwrap().0, "failed");

    site.write("content/posts/a.md", &post_with_title("Fixed"));
    let (_, outcome) = session.next_rebuild();
    assert!(matches!(outcome, Seen::Built { .. }), "{outcome:?}");
    // The error is hidden in every tab, then the tabs showing a changed
    // file reload.
    assert_eq!(events.next().unwrap().0, "ok");
    assert_eq!(events.next().unwrap().0, "reload");
    assert!(get(addr, "/posts/a/", &[]).body.contains("Fixed"));

    // A broken template: the same.
    site.write("templates/post.html", "{% if %}");
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(&outcome, Seen::Failed(t) if t.contains("post.html")),
        "{outcome:?}"
    );
    assert_eq!(events.next().unwrap().0, "failed");
    assert!(get(addr, "/posts/a/", &[]).body.contains("Fixed"));
    // Undoing it gives back the same bytes: the overlay just goes away.
    fs::remove_dir_all(site.root().join("templates")).unwrap();
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(
            outcome,
            Seen::Built {
                written: 0,
                removed: 0
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(events.next().unwrap().0, "ok");
}

#[test]
fn a_first_build_that_fails_still_serves_a_page_that_shows_the_error() {
    let site = Site::new(CONFIG, &[("content/posts/a.md", "---\ntitle: [\n---\n")]);
    let session = Session::start(&site, true, false);
    let addr = session.addr();
    let r = get(addr, "/", &[]);
    assert_eq!(r.status, 404);
    assert!(r.body.contains(reload::SCRIPT_TAG));
    let mut events = Events::open(addr, None).unwrap();
    assert_eq!(events.next().unwrap().0, "failed");
    site.write("content/posts/a.md", &post_with_title("Now good"));
    let (_, outcome) = session.next_rebuild();
    assert!(matches!(outcome, Seen::Built { .. }), "{outcome:?}");
    assert_eq!(events.next().unwrap().0, "ok");
    assert_eq!(events.next().unwrap().0, "reload");
    assert!(get(addr, "/posts/a/", &[]).body.contains("Now good"));
}

// ---------------------------------------------------------------- watching

#[test]
fn an_atomic_save_and_a_burst_are_one_rebuild_each() {
    let site = Site::new(CONFIG, &[("content/posts/a.md", &post_with_title("A"))]);
    let session = Session::start(&site, false, false);
    let base = session.rebuilds.load(Ordering::SeqCst);

    // An editor's atomic save: write a temporary file, rename it over.
    let posts = site.root().join("content/posts");
    fs::write(posts.join(".a.md.swp"), "swap").unwrap();
    fs::write(posts.join("a.md.tmp"), post_with_title("A saved")).unwrap();
    fs::rename(posts.join("a.md.tmp"), posts.join("a.md")).unwrap();
    fs::remove_file(posts.join(".a.md.swp")).unwrap();
    let (changed, outcome) = session.next_rebuild();
    assert!(
        matches!(outcome, Seen::Built { written, .. } if written > 0),
        "{outcome:?}"
    );
    assert!(changed.iter().all(|p| p.ends_with("a.md")), "{changed:?}");
    session.quiet();
    assert_eq!(session.rebuilds.load(Ordering::SeqCst), base + 1);
    assert!(site.read("posts/a/index.html").contains("A saved"));

    // Temporary and swap files alone change nothing.
    fs::write(posts.join(".#a.md"), "lock").unwrap();
    fs::write(posts.join("a.md~"), "backup").unwrap();
    fs::write(posts.join("4913"), "").unwrap();
    session.quiet();
    assert_eq!(session.rebuilds.load(Ordering::SeqCst), base + 1);

    // 200 files in a new folder (a `git checkout`): one rebuild.
    let burst = posts.join("burst");
    fs::create_dir(&burst).unwrap();
    for i in 0..200 {
        fs::write(
            burst.join(format!("p{i:03}.md")),
            post_with_title(&format!("Burst {i}")),
        )
        .unwrap();
    }
    let (changed, outcome) = session.next_rebuild();
    assert!(matches!(outcome, Seen::Built { .. }), "{outcome:?}");
    assert!(changed.len() >= 2, "{changed:?}");
    session.quiet();
    assert_eq!(session.rebuilds.load(Ordering::SeqCst), base + 2);
    // The last file of the burst made it in.
    assert!(site.read("posts/p199/index.html").contains("Burst 199"));

    // Deleting files is a change too.
    fs::remove_dir_all(&burst).unwrap();
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(outcome, Seen::Built { removed, .. } if removed >= 200),
        "{outcome:?}"
    );
    session.quiet();
    assert_eq!(session.rebuilds.load(Ordering::SeqCst), base + 3);
}

#[test]
fn a_deleted_and_recreated_folder_is_watched_again() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/a.md", &post_with_title("A")),
            ("static/one.txt", "one"),
        ],
    );
    let session = Session::start(&site, false, false);
    fs::remove_dir_all(site.root().join("static")).unwrap();
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(outcome, Seen::Built { removed: 1, .. }),
        "{outcome:?}"
    );
    assert!(!site.out().join("one.txt").exists());

    fs::create_dir(site.root().join("static")).unwrap();
    // Wait for the folder to be watched again before writing into it.
    let _ = session.seen.recv_timeout(Duration::from_millis(600));
    site.write("static/two.txt", "two");
    let deadline = Instant::now() + WAIT;
    while !site.out().join("two.txt").exists() {
        assert!(Instant::now() < deadline, "static/two.txt was never built");
        let _ = session.seen.recv_timeout(Duration::from_millis(100));
    }
    // Editing it later is seen too: the new folder is watched.
    site.write("static/two.txt", "two, edited");
    let deadline = Instant::now() + WAIT;
    while site.read("two.txt") != "two, edited" {
        assert!(Instant::now() < deadline, "the edit was never built");
        let _ = session.seen.recv_timeout(Duration::from_millis(100));
    }

    // A renamed folder is followed: files in it are watched where it went.
    site.write("static/sub/three.txt", "three");
    wait_for(&session, || site.out().join("sub/three.txt").exists());
    fs::rename(
        site.root().join("static/sub"),
        site.root().join("static/moved"),
    )
    .unwrap();
    wait_for(&session, || site.out().join("moved/three.txt").exists());
    site.write("static/moved/three.txt", "three, edited");
    wait_for(&session, || site.read("moved/three.txt") == "three, edited");
}

/// Waits (bounded) until `done` holds, draining the session's reports.
fn wait_for(session: &Session, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        let _ = session.seen.recv_timeout(Duration::from_millis(100));
    }
}

#[test]
fn polling_sees_changes_too() {
    let site = Site::new(CONFIG, &[("content/posts/a.md", &post_with_title("A"))]);
    let session = Session::start(&site, false, true);
    site.write("content/posts/a.md", &post_with_title("A polled, longer"));
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(outcome, Seen::Built { written, .. } if written > 0),
        "{outcome:?}"
    );
    assert!(site.read("posts/a/index.html").contains("A polled"));
    // A second save of the same size within the same second is seen too.
    site.write("content/posts/a.md", &post_with_title("B polled, longer"));
    let (_, outcome) = session.next_rebuild();
    assert!(
        matches!(outcome, Seen::Built { written, .. } if written > 0),
        "{outcome:?}"
    );
    assert!(site.read("posts/a/index.html").contains("B polled"));
}
