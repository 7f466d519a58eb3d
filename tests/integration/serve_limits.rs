//! `salon serve` under hostile clients: the real binary as a child process
//! in the site folder, raw TCP clients on 127.0.0.1 only. A request that
//! is too large, too slow or one too many gets an error or is dropped, the
//! server keeps serving, and its threads and memory stay bounded. Every
//! loop is bounded in count and time.

use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use salon::serve::http::{HEAD_TIMEOUT, MAX_CONNECTIONS, MAX_EVENT_STREAMS};
use scraper::Html;

use crate::common::*;

/// `salon serve --port 0` running in a site folder; killed when dropped.
struct Serve {
    child: Child,
    url: String,
    addr: SocketAddr,
}

impl Serve {
    /// Starts it with `envs` and waits until the first build is done.
    fn start(site: &Site, extra: &[&str], envs: &[(&str, &str)]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_salon"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(site.root())
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("salon serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut url = None;
        // A dead server ends the lines.
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("Serving at ") {
                assert!(rest.ends_with(" with live reload"), "{line}");
                url = rest.split_whitespace().next().map(str::to_owned);
            } else if line.starts_with("Built ") || line.starts_with("error") {
                break;
            }
        }
        // Keep draining so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let url = url.expect("salon serve said where it listens");
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Serve { child, url, addr }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// A line of `/proc/PID/status`, as a number (`Threads`, `VmRSS` in kB).
    fn status(&self, key: &str) -> u64 {
        let text = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in /proc status"))
    }

    /// Asserts the server is alive and still serves its home page.
    fn still_serves(&mut self) {
        assert!(self.alive(), "the server died");
        let (status, body) = fetch(self.addr, &request("GET", "/", self.addr, ""));
        assert_eq!(status, Some(200));
        assert!(body.contains("<html"), "{body}");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn site() -> Site {
    Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: Hello there\ndate: 2021-05-01", "Body text."),
        )],
    )
}

/// A request head for `target`, with `extra` header lines (each ending in
/// CRLF).
fn request(method: &str, target: &str, addr: SocketAddr, extra: &str) -> String {
    format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n")
}

/// Sends `raw` on a fresh connection and reads the answer to its end (10 s
/// at most): the status, if one came, and the body. A write the server
/// cut short (it answered early and closed) is not an error.
fn fetch(addr: SocketAddr, raw: &str) -> (Option<u16>, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(raw.as_bytes());
    let mut raw = Vec::new();
    // A reset after an early answer is fine: keep what was read.
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|t| t.get(2..5))
        .and_then(|c| c.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

#[test]
fn serve_binary_prints_its_url_and_serves_the_site() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let (status, body) = fetch(serve.addr, &request("GET", "/posts/a/", serve.addr, ""));
    assert_eq!(status, Some(200));
    let page = Html::parse_document(&body);
    assert_eq!(texts(&page, "h1"), ["Hello there"]);
    assert_eq!(
        attrs(&page, "script[src]", "src")
            .last()
            .map(String::as_str),
        Some("/__salon/live.js")
    );
    // The site is built for the server's address.
    let (_, feed) = fetch(serve.addr, &request("GET", "/feed.xml", serve.addr, ""));
    let feed = roxmltree::Document::parse(&feed).unwrap();
    assert!(feed
        .descendants()
        .any(|n| n.text() == Some(&format!("{}posts/a/", serve.url))));
    serve.still_serves();
}

#[test]
fn a_huge_content_length_is_refused_and_the_server_keeps_serving() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let addr = serve.addr;
    let huge = "Content-Length: 99999999999999\r\n";
    let (status, _) = fetch(addr, &request("GET", "/", addr, huge));
    assert_eq!(status, Some(413));
    serve.still_serves();
    let (status, _) = fetch(addr, &request("HEAD", "/", addr, huge));
    assert_eq!(status, Some(413));
    let (status, _) = fetch(addr, &request("POST", "/", addr, huge));
    assert_eq!(status, Some(405));
    // Neither Content-Length nor chunks: a chunked body over the limit.
    let mut chunked = request("GET", "/", addr, "Transfer-Encoding: chunked\r\n");
    for _ in 0..40 {
        chunked.push_str(&format!("400\r\n{}\r\n", "x".repeat(1024)));
    }
    assert_eq!(fetch(addr, &chunked).0, Some(413));
    serve.still_serves();

    // A small body on a GET is read and ignored: the connection serves the
    // next request.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let keep = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\n\r\nhello");
    s.write_all(format!("{keep}{}", request("GET", "/", addr, "")).as_bytes())
        .unwrap();
    let mut answers = String::new();
    let _ = s.read_to_string(&mut answers);
    assert_eq!(answers.matches("HTTP/1.1 200 OK").count(), 2, "{answers}");
    serve.still_serves();
}

#[test]
fn an_oversized_head_gets_431_and_is_not_kept() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let addr = serve.addr;
    // One 1 MB header line: 431, or the connection closed before the
    // server could say so; never read in full and answered.
    let line = format!("X-Big: {}\r\n", "a".repeat(1 << 20));
    let (status, _) = fetch(addr, &request("GET", "/", addr, &line));
    assert!(matches!(status, None | Some(431)), "{status:?}");
    serve.still_serves();

    // 32 MB of header in 1 MB lines: none of it is kept.
    let before = serve.status("VmRSS");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut sent = s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n").as_bytes());
    for _ in 0..32 {
        sent = sent.and_then(|()| s.write_all(line.as_bytes()));
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
    assert!(sent.is_err(), "the server read all 32 MB");
    serve.still_serves();
    let grown = serve.status("VmRSS").saturating_sub(before);
    eprintln!("32 MB head: {before} kB, then +{grown} kB");
    assert!(grown < 16 * 1024, "the server grew by {grown} kB");
}

#[test]
fn a_large_file_is_sent_as_it_is_read() {
    let site = site();
    let big: Vec<u8> = (0..16u32 << 20).map(|i| (i % 251) as u8).collect();
    fs::create_dir_all(site.root().join("static")).unwrap();
    fs::write(site.root().join("static/big.bin"), &big).unwrap();
    let mut serve = Serve::start(&site, &[], &[]);
    let addr = serve.addr;

    // Sixteen clients that ask for it and read nothing hold a piece each,
    // not the file.
    let before = serve.status("VmRSS");
    let stalled: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(request("GET", "/big.bin", addr, "").as_bytes())
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let grown = serve.status("VmRSS").saturating_sub(before);
    eprintln!("16 stalled downloads of 16 MB: {before} kB, then +{grown} kB");
    assert!(grown < 32 * 1024, "the server holds {grown} kB");
    serve.still_serves();
    drop(stalled);

    // It arrives whole, with its length.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request("GET", "/big.bin", addr, "").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-length: 16777216\r\n"), "{head}");
    assert!(raw[split..] == big[..], "the file arrived changed");
    let (status, body) = fetch(addr, &request("HEAD", "/big.bin", addr, ""));
    assert_eq!((status, body.as_str()), (Some(200), ""));
}

/// Opens a reload stream; its status and the open connection.
fn open_stream(addr: SocketAddr) -> (u16, Vec<String>, TcpStream) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "GET /__salon/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        lines.push(line.trim().to_ascii_lowercase());
    }
    let status = lines[0].split(' ').nth(1).unwrap().parse().unwrap();
    (status, lines, s)
}

#[test]
fn reload_streams_are_bounded_and_cost_no_thread() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let addr = serve.addr;
    // Warm up: the file threads exist once files were read.
    for _ in 0..8 {
        serve.still_serves();
    }
    let threads = serve.status("Threads");
    let rss = serve.status("VmRSS");

    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..200 {
        let (status, head, stream) = open_stream(addr);
        match status {
            200 => open.push(stream),
            503 => {
                assert!(
                    head.iter().any(|h| h.starts_with("retry-after:")),
                    "{head:?}"
                );
                refused += 1;
            }
            other => panic!("status {other}"),
        }
    }
    assert_eq!(open.len(), MAX_EVENT_STREAMS);
    assert_eq!(refused, 200 - MAX_EVENT_STREAMS);
    let busy = serve.status("Threads");
    assert!(busy <= threads + 2, "{threads} threads became {busy}");
    assert!(busy < 32, "{busy} threads");
    serve.still_serves();

    // The tabs leave: their slots are free again, and the memory is given
    // back.
    drop(open);
    let deadline = Instant::now() + Duration::from_secs(10);
    let again = loop {
        let (status, _, stream) = open_stream(addr);
        if status == 200 {
            break stream;
        }
        assert!(
            Instant::now() < deadline,
            "the closed streams kept their slots"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(again);
    serve.still_serves();
    assert!(serve.status("Threads") <= threads + 2);
    let grown = serve.status("VmRSS").saturating_sub(rss);
    eprintln!("200 streams: {threads} threads, then {busy}; {rss} kB, then +{grown} kB");
    assert!(grown < 8 * 1024, "the server kept {grown} kB");
}

#[test]
fn a_client_sending_a_byte_a_second_is_dropped() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let mut slow = TcpStream::connect(serve.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let head = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: ", serve.addr);
    let start = Instant::now();
    let limit = HEAD_TIMEOUT + Duration::from_secs(10);
    let mut bytes = head.bytes().chain(std::iter::repeat(b'a'));
    let dropped = loop {
        if start.elapsed() > limit {
            break false;
        }
        if slow.write_all(&[bytes.next().unwrap()]).is_err() {
            break true;
        }
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            // Closed, or answered (with an error status) and closed.
            Ok(_) => break true,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break true,
        }
        // Others are served meanwhile.
        serve.still_serves();
    };
    let after = start.elapsed();
    eprintln!("slow client dropped after {after:?}");
    assert!(dropped, "a slow client was still connected after {after:?}");
    assert!(after >= HEAD_TIMEOUT - Duration::from_secs(1), "{after:?}");
    serve.still_serves();
}

#[test]
fn connections_beyond_the_limit_wait_to_be_accepted() {
    let site = site();
    let mut serve = Serve::start(&site, &[], &[]);
    let fds = || {
        fs::read_dir(format!("/proc/{}/fd", serve.child.id()))
            .unwrap()
            .count()
    };
    let before = fds();
    let idle: Vec<TcpStream> = (0..MAX_CONNECTIONS + 44)
        .map(|_| TcpStream::connect(serve.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let during = fds();
    eprintln!(
        "{} idle connections: {before} open files, then {during}",
        idle.len()
    );
    assert!(
        during <= before + MAX_CONNECTIONS,
        "{before} open files became {during}"
    );
    assert!(
        during >= before + MAX_CONNECTIONS / 2,
        "connections were not accepted"
    );
    drop(idle);
    serve.still_serves();
}

#[cfg(unix)]
#[test]
fn open_starts_the_browser_named_by_the_browser_variable() {
    use std::os::unix::fs::PermissionsExt;
    let site = site();
    let log = site.root().join("opened.txt");
    let browser = site.root().join("browser.sh");
    fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", log.display()),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    let serve = Serve::start(
        &site,
        &["--open"],
        &[("BROWSER", browser.to_str().unwrap())],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.exists() {
        assert!(Instant::now() < deadline, "no browser was started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(fs::read_to_string(&log).unwrap(), serve.url);
}
