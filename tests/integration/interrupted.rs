//! Interrupted and concurrent builds, run as the `salon` binary: the
//! output folder is never left mixing two builds, and one build at a time
//! writes it.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn salon(site: &Site) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salon"));
    cmd.current_dir(site.root());
    cmd
}

fn run(site: &Site, args: &[&str]) -> Output {
    salon(site).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A site of `n` posts whose every page shows the site title.
fn posts(n: usize) -> Site {
    let site = Site::new(&config("Before"), &[]);
    for i in 0..n {
        site.write(
            &format!("content/posts/p{i}.md"),
            &post(
                &format!(
                    "title: Post {i}\ndate: 2020-01-{:02}\ntags: [t{}]",
                    i % 28 + 1,
                    i % 7
                ),
                &format!("Body of post {i}."),
            ),
        );
    }
    site
}

fn config(title: &str) -> String {
    format!("title: {title}\nbase_url: https://example.org/\npaginate: 10\n")
}

/// The site's files with their bytes (not the manifest, whose mtimes
/// differ from build to build); fails if anything else of Salon's own is
/// left in the folder.
fn site_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            rel == ".salon-manifest" || !rel.contains(".salon"),
            "{rel} left in the output"
        );
        if entry.file_type().is_file() && rel != ".salon-manifest" {
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The files a clean build of `site` as it is now gives.
fn clean_build(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("public");
    let mut opts = site.options();
    opts.output = Some(out.clone());
    salon::build(&opts).unwrap();
    site_files(&out)
}

/// Starts a build and kills it (SIGKILL) as soon as `now` is true.
/// Returns whether it was killed.
fn kill_when(site: &Site, now: impl Fn() -> bool) -> bool {
    let mut child = salon(site)
        .arg("build")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let killed = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if now() {
            child.kill().unwrap(); // SIGKILL on Unix
            break true;
        }
        std::hint::spin_loop();
    };
    child.wait().unwrap();
    killed
}

/// Of the files that differ between `old` and `new`, how many in `out`
/// are as in `old` and how many as in `new`.
fn old_and_new(out: &Path, old: &Files, new: &Files) -> (usize, usize) {
    let (mut as_old, mut as_new) = (0, 0);
    for (path, bytes) in new {
        if old.get(path) == Some(bytes) {
            continue;
        }
        match std::fs::read(out.join(path)) {
            Ok(now) if &now == bytes => as_new += 1,
            Ok(now) if old.get(path) == Some(&now) => as_old += 1,
            _ if !old.contains_key(path) => as_old += 1, // not there yet
            _ => {}
        }
    }
    (as_old, as_new)
}

type Files = BTreeMap<String, Vec<u8>>;

/// Found by issue 15: 11 of 18 kills during an update left pages of both
/// builds (and temporary files) in the output folder.
#[cfg(unix)]
#[test]
fn a_build_killed_during_its_update_is_completed_by_the_next_build() {
    let site = posts(200);
    assert!(run(&site, &["build"]).status.success());
    let before = site_files(&site.out());

    // Killed while staging: the live site is the old one, byte for byte.
    site.write("salon.yaml", &config("After"));
    let after = clean_build(&site);
    let stage = site.out().join(".salon-stage");
    if kill_when(&site, || stage.exists()) && !site.out().join(".salon-commit").exists() {
        assert_eq!(old_and_new(&site.out(), &before, &after).1, 0);
    }
    let next = run(&site, &["build"]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert_eq!(site_files(&site.out()), after);

    // Killed once the first live page changed: the site mixes both
    // builds, and the next build completes the update before anything.
    site.write("salon.yaml", &config("Again"));
    let again = clean_build(&site);
    let home = site.out().join("index.html");
    let old_home = std::fs::read(&home).unwrap();
    kill_when(&site, || {
        std::fs::read(&home).is_ok_and(|now| now != old_home)
    });
    let (as_old, as_new) = old_and_new(&site.out(), &after, &again);
    let next = run(&site, &["build"]);
    assert!(next.status.success(), "{}", stderr(&next));
    if as_old > 0 && as_new > 0 {
        assert!(
            stderr(&next).contains("an interrupted build of"),
            "{as_old} old and {as_new} new files, and the next build said: {}",
            stderr(&next)
        );
    } else {
        eprintln!("the kill came after the commit: nothing to complete");
    }
    assert!(texts(&site.page("/"), "title")[0].contains("Again"));
    assert_eq!(site_files(&site.out()), again);
}

/// Found by issue 15: two builds of one folder at once ended with one
/// failure, one "success" and 9,159 temporary files left in `public/`.
#[test]
fn two_builds_of_one_folder_at_once_both_end_well() {
    let site = posts(60);
    let start = |site: &Site| -> Child {
        salon(site)
            .arg("build")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(&site), start(&site));
    for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
        let text = stderr(&out);
        assert!(
            out.status.success() || text.contains("(pid "),
            "neither success nor a message naming the other build: {text}"
        );
    }
    assert_eq!(site_files(&site.out()), clean_build(&site));
    assert!(run(&site, &["build"]).status.success());
    assert_eq!(site_files(&site.out()), clean_build(&site));
}

/// A build in another terminal while `salon watch` writes the folder
/// would mix its pages with the session's: it stops and names the session.
#[test]
fn a_build_while_watch_runs_is_refused_naming_it() {
    let site = posts(3);
    let mut watch = salon(&site)
        .arg("watch")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("Watching") => break,
            Some(_) => {}
            None => panic!("salon watch ended"),
        }
    }
    let refused = run(&site, &["build"]);
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(&format!("in use by salon watch (pid {})", watch.id())),
        "{}",
        stderr(&refused)
    );
    // Its session over, the folder builds again.
    let again = run(&site, &["build"]);
    assert!(again.status.success(), "{}", stderr(&again));
    site_files(&site.out());
}

/// Issue 15, section 6: `.salon-manifest` (and Salon's other names) cannot
/// be claimed by an alias or a static file.
#[test]
fn aliases_and_static_files_cannot_claim_salons_own_names() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            "---\ntitle: A\ndate: 2020-01-01\naliases:\n  - /ok/\n  - /.salon-manifest\n---\nx\n",
        )],
    );
    let Err(salon::Error::Content(diags)) = site.try_build() else {
        panic!("an alias claimed .salon-manifest")
    };
    let d = diags.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.path, Path::new("content/posts/a.md"));
    assert_eq!(d.position.map(|p| p.line), Some(6), "{d}");
    assert!(d.message.contains(".salon-manifest"), "{d}");
    assert!(
        !site.out().exists(),
        "a failed first build leaves no folder"
    );

    let site = Site::new(CONFIG, &[("static/.salon-lock", "x")]);
    let Err(salon::Error::Content(diags)) = site.try_build() else {
        panic!("a static file claimed .salon-lock")
    };
    assert!(
        diags
            .iter()
            .any(|d| d.is_error() && d.path == Path::new("static/.salon-lock")),
        "{diags:#?}"
    );
}
