//! The watcher's batches with the default (short) debounce: saves that
//! arrive while a rebuild runs make one following rebuild, however many
//! they are and however the debouncer spread them over its ticks.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use salon::serve::{self, Debounce, Event};
use salon::BuildOptions;

use crate::common::*;

/// What a session reported: the changes of each rebuild it started.
fn rebuilds_seen(rx: &mpsc::Receiver<Vec<PathBuf>>, quiet: Duration) -> Vec<Vec<PathBuf>> {
    let mut out = Vec::new();
    while let Ok(changed) = rx.recv_timeout(quiet) {
        out.push(changed);
    }
    out
}

#[test]
fn a_burst_during_a_rebuild_is_one_following_rebuild() {
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/a.md",
            &post("title: A\ndate: 2021-05-01", "A."),
        )],
    );
    let (started_tx, started) = mpsc::channel::<()>();
    let (changes_tx, changes) = mpsc::channel::<Vec<PathBuf>>();
    let stop = Arc::new(AtomicBool::new(false));
    let config = serve::Config {
        build: BuildOptions::new(site.root()),
        serve: None,
        debounce: Debounce::default(),
        poll: false,
    };
    let session = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut calls = 0;
            // The first rebuild after a change is slow, so the burst
            // lands while it runs.
            let mut rebuild = |opts: &BuildOptions, _changed: &[PathBuf]| {
                calls += 1;
                if calls == 2 {
                    let _ = started_tx.send(());
                    std::thread::sleep(Duration::from_millis(800));
                }
                salon::build(opts)
            };
            let mut on_event = |e: Event<'_>| {
                if let Event::Rebuilding { changed } = e {
                    let _ = changes_tx.send(changed.to_vec());
                }
            };
            serve::run(config, &mut rebuild, &mut on_event, &stop).unwrap();
        })
    };
    let wait = Duration::from_secs(15);
    assert_eq!(changes.recv_timeout(wait).unwrap(), Vec::<PathBuf>::new());

    site.write(
        "content/posts/a.md",
        &post("title: A2\ndate: 2021-05-01", "A."),
    );
    started.recv_timeout(wait).expect("the rebuild started");
    let first = changes.recv_timeout(wait).unwrap();
    assert!(first.iter().all(|p| p.ends_with("a.md")), "{first:?}");
    // Twenty saves, 8 ms apart: several of the debouncer's hand-overs,
    // all while the slow rebuild runs.
    for i in 0..20 {
        site.write(
            &format!("content/posts/b{i:02}.md"),
            &post(&format!("title: B{i}\ndate: 2021-05-02"), "B."),
        );
        std::thread::sleep(Duration::from_millis(8));
    }
    // The slow rebuild and the one after it take their time on a busy
    // machine: wait for the next rebuild, then for quiet.
    let next = changes.recv_timeout(wait).expect("a rebuild for the burst");
    let more = rebuilds_seen(&changes, Duration::from_secs(2));
    stop.store(true, Ordering::SeqCst);
    session.join().unwrap();
    assert!(more.is_empty(), "one rebuild for the burst, then {more:?}");
    let names: Vec<String> = next
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .collect();
    for i in 0..20 {
        assert!(names.contains(&format!("b{i:02}.md")), "{names:?}");
    }
    assert!(site.read("posts/b19/index.html").contains("B19"));
    assert!(fs::metadata(site.out().join("posts/a/index.html")).is_ok());
}

#[test]
fn the_default_debounce_is_short() {
    let d = Debounce::default();
    assert!(d.quiet <= Duration::from_millis(20), "{d:?}");
    assert!(d.max_wait >= Duration::from_secs(1), "{d:?}");
}
