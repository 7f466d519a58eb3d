//! Driving the built `salon` binary as a user does: a child process whose
//! working folder is the site folder, its output read as a terminal shows
//! it, and `serve`/`watch` kept running while files change under them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one command printed and how it ended.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Panics with everything it printed unless it exited 0.
    pub fn ok(self) -> Ran {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A `salon` command, not started yet.
pub fn salon(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salon"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs `salon ARGS` in `dir` to its end.
pub fn run(dir: &Path, args: &[&str]) -> Ran {
    let out = salon(dir, args).output().expect("the salon binary runs");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `salon ARGS` in `dir`: whether it succeeded, and what it said on
/// stderr.
pub fn outcome(dir: &Path, args: &[&str]) -> (bool, String) {
    let ran = run(dir, args);
    (ran.code == Some(0), ran.stderr)
}

/// Calls `done` until it is true or `limit` passes; true if it became so.
pub fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How long a change may take to reach the output in a test, rebuild
/// included, on a loaded CI machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `salon serve` or `salon watch`, killed when dropped.
pub struct Live {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    /// The server's URL, for `serve`.
    pub url: Option<String>,
}

impl Live {
    /// Starts `salon ARGS` in `dir` and waits until its first build is done.
    pub fn start(dir: &Path, args: &[&str]) -> Live {
        let mut child = salon(dir, args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the salon binary starts");
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        let mut live = Live {
            child,
            lines,
            url: None,
        };
        let ready = eventually(PATIENCE, || {
            live.log()
                .iter()
                .any(|l| l.starts_with("Watching for changes"))
                || live.has_exited()
        });
        assert!(
            ready && !live.has_exited(),
            "salon {args:?} did not start watching:\n{}",
            live.log().join("\n")
        );
        live.url = live
            .log()
            .iter()
            .find_map(|l| l.strip_prefix("Serving at "))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned);
        live
    }

    /// Everything it printed so far, a line each.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits until the last rebuild it started has reported, so the output
    /// is settled: no rebuild is running and the last one has ended.
    pub fn settle(&mut self) {
        let settled = eventually(PATIENCE, || {
            let log = self.log();
            let started = log.iter().filter(|l| l.starts_with("Changed: ")).count();
            let ended = log
                .iter()
                .filter(|l| {
                    l.starts_with("Built ")
                        || l.starts_with("Rebuilt: ")
                        || l.starts_with("The last good site")
                        || l.starts_with("The ")
                })
                .count();
            // The first build ends without a "Changed:" line before it.
            ended > started
        });
        assert!(settled, "no rebuild ended:\n{}", self.log().join("\n"));
        assert!(!self.has_exited(), "it exited:\n{}", self.log().join("\n"));
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// `GET url` over a fresh connection (the servers under test are on
/// 127.0.0.1); `None` when nothing answers.
pub fn get(url: &str) -> Option<Answer> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Some(Answer { status, body })
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Every file below `dir` by its `/`-separated path, with its bytes;
/// Salon's own bookkeeping (`.salon*`) left out.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .filter(|(rel, _)| !rel.split('/').any(|n| n.starts_with(".salon")))
        .collect()
}

/// The files that differ between two output folders, by name.
pub fn differences(a: &Path, b: &Path) -> Vec<String> {
    let (ta, tb) = (tree(a), tree(b));
    let mut out: Vec<String> = ta
        .iter()
        .filter(|(k, v)| tb.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(tb.keys().filter(|k| !ta.contains_key(*k)).cloned());
    out
}

/// `path` with `text` written as an editor with atomic saves writes it: a
/// temporary file beside it, then renamed over it.
pub fn save_atomically(path: &Path, text: &str) {
    let tmp: PathBuf = path.with_extension("md.tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
