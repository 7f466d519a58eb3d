//! Real-browser tests: `salon serve` serves the demo site on 127.0.0.1 and
//! `tests/browser/run.mjs` drives Chromium through it (a reader's journey,
//! screenshots at 320, 390 and 1280 px, Lighthouse, overflow and axe-core checks).
//!
//! They need Debian's `chromium`, Node.js and `npm ci` in `tests/browser/`.
//! Without them the test says so and passes, so `cargo test` works on any
//! machine; `.ci/run` installs them and sets `SALON_REQUIRE_BROWSER=1`,
//! which turns a missing tool into a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::*;

/// Kills the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What is missing to run the browser tests, if anything.
fn missing(chromium: &Path, browser_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!("{} (apt-get install chromium)", chromium.display()));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node (Node.js 20 or newer)".into());
    }
    for package in ["playwright-core", "axe-core", "lighthouse"] {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            missing.push(format!(
                "{package} (npm ci --prefix {})",
                browser_dir.display()
            ));
        }
    }
    missing
}

/// Starts `salon serve` on a free port and returns it with its URL once
/// the first build is done.
fn serve(site: &Site) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salon"))
        .args(["serve", "--port", "0", "--source"])
        .arg(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("salon serve starts");
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let mut url = None;
    // Reads until the first build reports; a dead server ends the lines.
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Serving at ") {
            url = rest.split_whitespace().next().map(str::to_owned);
        } else if line.starts_with("Built ") || line.starts_with("The ") {
            break;
        } else if line.starts_with("error") {
            panic!("the demo site failed to build: {line}");
        }
    }
    // Keep draining so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (server, url.expect("salon serve said where it listens"))
}

#[test]
fn demo_site_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let chromium = PathBuf::from(
        std::env::var("SALON_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    let required = std::env::var("SALON_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing = missing(&chromium, &browser_dir);
    if !missing.is_empty() {
        let what = missing.join(", ");
        assert!(!required, "SALON_REQUIRE_BROWSER=1 but missing: {what}");
        // Straight to stderr: the test harness captures eprintln! of
        // passing tests, and a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED browser tests: missing {what}; .ci/run installs them"
        );
        return;
    }
    let site = Site::demo();
    let (_server, url) = serve(&site);
    // target/browser, beside the test binaries' target/tmp.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser");
    let _ = std::fs::remove_dir_all(&out);
    let has_search = salon::theme::DEFAULT_THEME
        .iter()
        .any(|(p, _)| *p == "templates/search.html");
    let run = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .arg(&url)
        .env("SALON_CHROMIUM", &chromium)
        .env("SALON_BROWSER_OUT", &out)
        .env("SALON_SITE", site.root())
        .env("SALON_EXPECT_SEARCH", if has_search { "1" } else { "0" })
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "browser tests failed (screenshots in {}):\n{stdout}\n{stderr}",
        out.display()
    );
    for shot in ["home", "post", "member", "thread"] {
        for width in [390, 1280] {
            let file = out.join(format!("screenshots/{shot}-{width}.png"));
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", file.display());
        }
    }
}
