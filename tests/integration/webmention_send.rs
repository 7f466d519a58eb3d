//! `salon webmentions send` against a local server on 127.0.0.1: endpoint
//! discovery by header, by HTML, relative and after a redirect; failures
//! reported per link; a second run and a dry run send nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use salon::webmention::{send, LinkOutcome, Outcome, SendOptions, STATE_FILE};

use crate::binary::run;
use crate::common::*;

/// One request the server received: method, path and form body.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    body: String,
}

/// A tiny HTTP/1.1 server with the pages of a few sites: each answers in
/// its own way, and every request is recorded.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                thread::spawn(move || answer(stream, &log));
            }
        });
        Server { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn posts(&self) -> Vec<Request> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|r| r.method == "POST")
            .cloned()
            .collect()
    }
}

fn answer(stream: TcpStream, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut length = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    log.lock().unwrap().push(Request {
        method: method.clone(),
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let page = |head: &str| {
        format!("<!doctype html><html><head>{head}</head><body><p>A page.</p></body></html>")
    };
    let (status, headers, body): (&str, Vec<String>, String) = match (method.as_str(), path.as_str()) {
        ("GET", "/header") => (
            "200 OK",
            vec![r#"Link: <https://elsewhere.example/x>; rel="me", </endpoint?via=header>; rel="webmention""#.into()],
            page(r#"<link rel="webmention" href="/not-this-one">"#),
        ),
        ("GET", "/html") => (
            "200 OK",
            vec![],
            page(r#"<link rel="stylesheet" href="/s.css"><link rel="webmention" href="/endpoint?via=html">"#),
        ),
        ("GET", "/deep/er/page") => (
            "200 OK",
            vec![],
            page("").replace("<p>", r#"<p><a rel="webmention" href="../endpoint">endpoint</a> "#),
        ),
        ("GET", "/redirect") => ("302 Found", vec!["Location: /moved/".into()], String::new()),
        ("GET", "/moved/") => ("200 OK", vec![], page(r#"<link rel="webmention" href="endpoint">"#)),
        ("GET", "/broken") => (
            "200 OK",
            vec!["Link: </endpoint-500>; rel=webmention".into()],
            page(""),
        ),
        ("GET", "/none") => ("200 OK", vec![], page(r#"<link rel="me" href="/x">"#)),
        ("GET", "/slow") => {
            thread::sleep(Duration::from_secs(3));
            ("200 OK", vec![], page(""))
        }
        ("POST", "/endpoint-500") => ("500 Internal Server Error", vec![], "no".into()),
        ("POST", p) if p.contains("endpoint") => ("202 Accepted", vec![], "queued".into()),
        _ => ("404 Not Found", vec![], "not found".into()),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(&h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// A site whose one post links to every kind of target on `server`, to
/// itself, and to a relative path.
fn site_linking_to(server: &Server, extra: &[&str]) -> Site {
    let mut links: Vec<String> = [
        "/header",
        "/html",
        "/deep/er/page",
        "/redirect",
        "/broken",
        "/none",
    ]
    .iter()
    .chain(extra)
    .map(|p| format!("- [{p}]({})\n", server.url(p)))
    .collect();
    links.push("- [self](https://example.org/posts/other/) and [relative](/about/)\n".into());
    Site::new(
        CONFIG,
        &[
            (
                "content/posts/links.md",
                &post("title: Links\ndate: 2024-01-01", &links.concat()),
            ),
            (
                "content/posts/other.md",
                &post("title: Other\ndate: 2024-01-02", "Nothing."),
            ),
            (
                "content/posts/draft.md",
                &post(
                    "title: Draft\ndate: 2024-01-03\ndraft: true",
                    &format!("[x]({})", server.url("/html")),
                ),
            ),
        ],
    )
}

fn send_all(
    site: &Site,
    opts: &SendOptions,
) -> (salon::webmention::SendReport, BTreeMap<String, Outcome>) {
    let mut outcomes = BTreeMap::new();
    let report = send(site.root(), opts, &mut |l: &LinkOutcome| {
        let path = l
            .target
            .split_once("127.0.0.1:")
            .map_or(l.target.clone(), |(_, r)| {
                r[r.find('/').unwrap()..].to_owned()
            });
        outcomes.insert(path, l.outcome.clone());
    })
    .unwrap();
    (report, outcomes)
}

fn endpoint(o: &Outcome) -> &str {
    match o {
        Outcome::Sent { endpoint, .. } | Outcome::WouldSend { endpoint } => endpoint,
        other => panic!("no endpoint: {other:?}"),
    }
}

#[test]
fn endpoints_are_discovered_sent_to_once_and_failures_reported_per_link() {
    let server = Server::start();
    let site = site_linking_to(&server, &[]);
    let (report, got) = send_all(&site, &SendOptions::default());
    let base = server.url("");
    assert_eq!(
        endpoint(&got["/header"]),
        format!("{base}/endpoint?via=header"),
        "the Link header wins over the HTML"
    );
    assert_eq!(endpoint(&got["/html"]), format!("{base}/endpoint?via=html"));
    assert_eq!(
        endpoint(&got["/deep/er/page"]),
        format!("{base}/deep/endpoint"),
        "relative to the page"
    );
    assert_eq!(
        endpoint(&got["/redirect"]),
        format!("{base}/moved/endpoint"),
        "relative to the page after the redirect"
    );
    assert_eq!(got["/none"], Outcome::NoEndpoint);
    match &got["/broken"] {
        Outcome::Failed(why) => assert!(why.contains("500"), "{why}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        got.len(),
        6,
        "only external links of published posts: {got:?}"
    );
    assert_eq!(
        (report.sent, report.no_endpoint, report.failed, report.links),
        (4, 1, 1, 6)
    );
    // Each notification is the post's URL and the target, form-encoded.
    let posts = server.posts();
    let header = posts
        .iter()
        .find(|r| r.path == "/endpoint?via=header")
        .unwrap();
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(header.body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(form["source"], "https://example.org/posts/links/");
    assert_eq!(form["target"], server.url("/header"));
    assert_eq!(posts.len(), 5, "four sent and one refused: {posts:?}");

    // The state file remembers what was sent and what has no endpoint.
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.root().join(STATE_FILE)).unwrap())
            .unwrap();
    assert_eq!(state["sent"].as_array().unwrap().len(), 5);

    // A second run sends nothing that was sent; only the failure is retried.
    let (again, got) = send_all(&site, &SendOptions::default());
    assert_eq!((again.sent, again.remembered, again.failed), (0, 5, 1));
    assert_eq!(got.keys().collect::<Vec<_>>(), vec!["/broken"]);
    let posts = server.posts();
    assert_eq!(posts.len(), 6, "{posts:?}");
    assert_eq!(posts[5].path, "/endpoint-500");
}

#[test]
fn a_slow_target_times_out_and_is_reported() {
    let server = Server::start();
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/slow.md",
            &post(
                "title: Slow\ndate: 2024-01-01",
                &format!("[slow]({})", server.url("/slow")),
            ),
        )],
    );
    let opts = SendOptions {
        timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let (report, got) = send_all(&site, &opts);
    assert_eq!(report.failed, 1);
    match &got["/slow"] {
        Outcome::Failed(why) => assert!(why.contains("timed out"), "{why}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        !site.root().join(STATE_FILE).exists(),
        "a failure is not remembered"
    );
}

#[test]
fn the_command_sends_nothing_on_a_dry_run_and_reports_failures_on_a_real_one() {
    let server = Server::start();
    let site = site_linking_to(&server, &[]);
    let dry = run(site.root(), &["webmentions", "send", "--dry-run"]).ok();
    assert!(
        server.posts().is_empty(),
        "a dry run posts nothing: {:?}",
        server.posts()
    );
    assert!(
        !site.root().join(STATE_FILE).exists(),
        "a dry run remembers nothing"
    );
    let header_line = dry.stdout.lines().find(|l| l.contains("/header:")).unwrap();
    assert!(
        header_line.contains("would send to") && header_line.contains("/endpoint?via=header"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stderr.contains("Would send 5 webmention(s)"),
        "{}",
        dry.stderr
    );

    let real = run(site.root(), &["webmentions", "send"]);
    assert_eq!(
        real.code,
        Some(1),
        "a failed link fails the command: {}",
        real.stderr
    );
    assert!(
        real.stdout
            .lines()
            .any(|l| l.contains("/broken") && l.contains("failed") && l.contains("500")),
        "{}",
        real.stdout
    );
    assert_eq!(server.posts().len(), 5);
    // Afterwards only the failed link is tried again.
    let again = run(site.root(), &["webmentions", "send", "--dry-run"]).ok();
    let retried: Vec<&str> = again
        .stdout
        .lines()
        .filter(|l| l.contains("would send"))
        .collect();
    assert_eq!(retried.len(), 1, "{}", again.stdout);
    assert!(retried[0].contains("/broken"), "{}", again.stdout);
}
