//! The writer's guarantees, with every file system call it makes failing
//! in turn ([`fsops::faults`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::fsops::faults;
use super::*;

fn p(s: &str) -> OutputPath {
    OutputPath::from_relative(s).unwrap()
}

type Files = &'static [(&'static str, &'static str)];

/// The last build: a page kept, pages changed, an alias page and a file
/// standing where the next build makes a folder (and the reverse).
const OLD: Files = &[
    ("a/index.html", "kept"),
    ("b/index.html", "old b"),
    ("feed.xml", "old feed"),
    ("old/alias/index.html", "redirect"),
    ("c", "a file where a folder goes"),
    ("d/index.html", "a folder where a file goes"),
];
/// The update: changes, new pages and folders, stale files.
const NEW: Files = &[
    ("a/index.html", "kept"),
    ("b/index.html", "NEW b"),
    ("feed.xml", "new feed"),
    ("new/deep/page/index.html", "new"),
    ("c/index.html", "now a folder"),
    ("d", "now a file"),
    ("index.html", "home"),
];

/// How the update reaches the disk.
#[derive(Clone, Copy, Debug)]
enum Writer {
    /// `salon build`: [`Output`].
    Build,
    /// Watch mode's rebuilds: [`Published`].
    Watch,
}

fn build(out: &Path, files: Files, inputs: u128) -> Result<WriteReport, Error> {
    let o = Output::open(out)?;
    for (path, text) in files {
        o.stage(&p(path), text.as_bytes())?;
    }
    o.commit(inputs)
}

fn update(writer: Writer, out: &Path, files: Files, inputs: u128) -> Result<WriteReport, Error> {
    match writer {
        Writer::Build => build(out, files, inputs),
        Writer::Watch => {
            let mut published = Published::read(out);
            let changed = files
                .iter()
                .filter(|(path, text)| !published.holds(&p(path), text.as_bytes()))
                .map(|(path, text)| (p(path), text.as_bytes().to_vec()))
                .collect();
            let now: rustc_hash::FxHashSet<&str> = files.iter().map(|(path, _)| *path).collect();
            let report = published.update(changed, Planned::Files(&now), inputs)?;
            published.flush()?;
            Ok(report)
        }
    }
}

/// Every file below `out` with its bytes, and every folder.
fn tree(out: &Path) -> (BTreeMap<String, Vec<u8>>, BTreeSet<String>) {
    let (mut files, mut dirs) = (BTreeMap::new(), BTreeSet::new());
    if !out.exists() {
        return (files, dirs);
    }
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.unwrap();
        let rel = relative(out, entry.path());
        if entry.file_type().is_dir() {
            dirs.insert(rel);
        } else {
            files.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    (files, dirs)
}

/// Site files with their bytes, folders, and the manifest's paths and
/// hashes.
type SiteState = (
    BTreeMap<String, Vec<u8>>,
    BTreeSet<String>,
    Vec<(String, u128)>,
);

/// The site files of `out` and the manifest's paths and hashes: what a
/// build must leave, whatever happened before it.
fn site(out: &Path) -> SiteState {
    let (mut files, dirs) = tree(out);
    let own: Vec<&String> = files
        .keys()
        .chain(dirs.iter())
        .filter(|p| names::is_reserved_path(p) && *p != MANIFEST)
        .collect();
    assert!(own.is_empty(), "left behind: {own:?}");
    files.remove(MANIFEST);
    let (_, entries) = manifest::read(out);
    let mut entries: Vec<(String, u128)> = entries.into_iter().map(|(p, e)| (p, e.hash)).collect();
    entries.sort();
    (files, dirs, entries)
}

struct Case {
    _root: tempfile::TempDir,
    out: PathBuf,
}

/// An output folder holding the build of `OLD` and a file of the user's.
fn old_site() -> Case {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("public");
    build(&out, OLD, 1).unwrap();
    fs::write(out.join("CNAME"), "example.org").unwrap();
    Case { out, _root: root }
}

/// What a clean build of `NEW` leaves (with the user's file).
fn clean_new() -> SiteState {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("public");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("CNAME"), "example.org").unwrap();
    build(&out, NEW, 2).unwrap();
    site(&out)
}

/// How many file system calls the update of `OLD` to `NEW` makes.
fn calls_of_update(writer: Writer) -> usize {
    let case = old_site();
    let armed = faults::arm(&case.out, usize::MAX, false);
    update(writer, &case.out, NEW, 2).unwrap();
    armed.calls()
}

fn check_every_call(writer: Writer, crash: bool) {
    let expected = clean_new();
    let calls = calls_of_update(writer);
    assert!(calls > 20, "{writer:?}: only {calls} calls counted");
    let mut committed_halfway = 0;
    for n in 1..=calls {
        let case = old_site();
        let before = tree(&case.out);
        let armed = faults::arm(&case.out, n, crash);
        let result = update(writer, &case.out, NEW, 2);
        drop(armed);
        let journal_text = fs::read_to_string(case.out.join(names::JOURNAL));
        let journal = journal_text.is_ok();
        let what = format!(
            "{writer:?}, call {n} of {calls} failing (crash: {crash}): {result:?}; journal {journal_text:?}"
        );
        if result.is_err() && !journal {
            // Nothing live changed: the old site, byte for byte (a crash
            // may leave its stage and lock, which are not the site's).
            let mut after = tree(&case.out);
            if crash {
                after
                    .0
                    .retain(|k, _| !names::is_reserved_path(k) || k == MANIFEST);
                after.1.retain(|k| !names::is_reserved_path(k));
            }
            assert_eq!(after, before, "{what}");
        }
        if journal {
            committed_halfway += 1;
        }
        // The next build finishes the job and says what it repaired.
        let next = build(&case.out, NEW, 2).unwrap_or_else(|e| panic!("{what}: then {e}"));
        if journal {
            assert!(
                next.notices.iter().any(|n| n.contains("was completed")),
                "{what}: {:?}",
                next.notices
            );
        }
        assert_eq!(site(&case.out), expected, "{what}");
        let o = Output::open(&case.out).unwrap();
        assert!(o.is_up_to_date(2), "{what}");
    }
    assert!(committed_halfway > 0, "no failure fell inside a commit");
}

#[test]
fn a_build_failing_at_any_call_leaves_the_old_site_or_is_completed_next_time() {
    check_every_call(Writer::Build, false);
}

#[test]
fn a_build_crashing_at_any_call_is_recovered_by_the_next_build() {
    check_every_call(Writer::Build, true);
}

#[test]
fn a_watch_rebuild_failing_at_any_call_leaves_the_old_site_or_is_completed() {
    check_every_call(Writer::Watch, false);
}

#[test]
fn a_watch_rebuild_crashing_at_any_call_is_recovered_by_the_next_build() {
    check_every_call(Writer::Watch, true);
}

#[test]
fn a_clean_build_failing_or_crashing_at_any_call_leaves_nothing_or_is_recovered() {
    let expected = {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("public");
        build(&out, NEW, 2).unwrap();
        site(&out)
    };
    let calls = {
        let root = tempfile::tempdir().unwrap();
        let armed = faults::arm(root.path(), usize::MAX, false);
        build(&root.path().join("public"), NEW, 2).unwrap();
        armed.calls()
    };
    for crash in [false, true] {
        for n in 1..=calls {
            let root = tempfile::tempdir().unwrap();
            let out = root.path().join("public");
            let armed = faults::arm(root.path(), n, crash);
            let result = build(&out, NEW, 2);
            drop(armed);
            let what = format!("call {n} of {calls} failing (crash: {crash}): {result:?}");
            if result.is_err() && !crash && !out.join(names::JOURNAL).exists() {
                assert!(!out.exists(), "{what}: {:?}", tree(&out));
            }
            let left_behind = out.join(names::JOURNAL).exists()
                || out.join(names::JOURNAL_TEMP).exists()
                || walkdir::WalkDir::new(out.join(names::STAGE))
                    .into_iter()
                    .filter_map(Result::ok)
                    .any(|e| e.file_type().is_file());
            let next = build(&out, NEW, 2).unwrap_or_else(|e| panic!("{what}: then {e}"));
            if left_behind {
                assert!(!next.notices.is_empty(), "{what}");
            }
            assert_eq!(site(&out), expected, "{what}");
        }
    }
}

#[test]
fn second_identical_write_touches_nothing_and_stale_files_go() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let o = Output::open(&out).unwrap();
    o.stage(&p("a/index.html"), b"one").unwrap();
    o.stage(&p("b/index.html"), b"two").unwrap();
    let r = o.commit(1).unwrap();
    assert_eq!(r.written, 2);
    fs::write(out.join("CNAME"), "example.org").unwrap();

    let o = Output::open(&out).unwrap();
    assert!(o.is_up_to_date(1));
    assert!(!o.is_up_to_date(2));
    o.stage(&p("a/index.html"), b"one").unwrap();
    let r = o.commit(2).unwrap();
    assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
    assert!(!out.join("b").exists(), "emptied folder removed");
    assert_eq!(r.foreign, vec!["CNAME".to_string()]);
    assert!(out.join("CNAME").exists());
}

#[test]
fn an_uncommitted_output_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    // Clean: staged aside, thrown away on drop with the folder made for it.
    let o = Output::open(&out).unwrap();
    o.stage(&p("a/b.html"), b"x").unwrap();
    drop(o);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    // Update: nothing live changes before the commit.
    build(&out, &[("a.html", "x")], 1).unwrap();
    let before = tree(&out);
    let o = Output::open(&out).unwrap();
    o.stage(&p("a.html"), b"changed").unwrap();
    o.stage(&p("new/c.html"), b"new").unwrap();
    drop(o);
    assert_eq!(tree(&out), before);
}

#[test]
fn a_hand_edited_output_file_is_rewritten_and_not_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&out, &[("a.html", "right")], 7).unwrap();
    fs::write(out.join("a.html"), "wrong!").unwrap();
    let o = Output::open(&out).unwrap();
    assert!(!o.is_up_to_date(7));
    o.stage(&p("a.html"), b"right").unwrap();
    assert_eq!(o.commit(7).unwrap().written, 1);
    assert_eq!(fs::read(out.join("a.html")).unwrap(), b"right");
}

#[test]
fn an_unfinished_journal_is_rolled_back_and_said() {
    let case = old_site();
    let before = tree(&case.out);
    fs::create_dir(case.out.join(names::STAGE)).unwrap();
    fs::write(case.out.join(names::STAGE).join("b"), "staged").unwrap();
    fs::write(case.out.join(names::JOURNAL_TEMP), "salon-commit 1\ninputs").unwrap();
    let o = Output::open(&case.out).unwrap();
    assert!(o.notices()[0].contains("rolled back"), "{:?}", o.notices());
    drop(o);
    assert_eq!(tree(&case.out), before);
}

#[test]
fn leftovers_of_earlier_versions_and_crashes_are_removed_and_counted() {
    let case = old_site();
    let out = &case.out;
    fs::create_dir_all(out.join(".posts.1234abcd.salon-tmp/x")).unwrap();
    fs::write(out.join(".posts.1234abcd.salon-tmp/x/index.html"), "x").unwrap();
    fs::write(out.join("b/.index.html.salon-tmp"), "x").unwrap();
    fs::create_dir_all(out.join(names::STAGE).join("b")).unwrap();
    fs::write(out.join(names::STAGE).join("b/index.html"), "x").unwrap();
    let r = build(out, OLD, 1).unwrap();
    assert!(
        r.notices
            .iter()
            .any(|n| n.starts_with("removed 3 temporary file(s)")),
        "{:?}",
        r.notices
    );
    assert!(r.foreign == vec!["CNAME".to_string()], "{:?}", r.foreign);
    site(out);
}

#[test]
fn the_lock_is_shared_within_a_process_and_released_with_its_last_holder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let first = OutputLock::acquire(&out, "salon serve").unwrap();
    let second = OutputLock::acquire(&out, "salon build").unwrap();
    assert!(first.same(&second));
    assert_eq!(
        fs::read_to_string(out.join(names::LOCK)).unwrap(),
        format!("{} salon serve", std::process::id())
    );
    drop(first);
    assert!(out.join(names::LOCK).exists());
    drop(second);
    assert!(!out.exists(), "the folder made for the lock goes with it");
}

#[test]
fn many_threads_staging_into_the_same_new_folders_write_every_file() {
    use rayon::prelude::*;
    // Files of the same folders, deep and shallow, offered in an order
    // that makes threads meet on folders another thread is still making.
    let paths: Vec<String> = (0..2000)
        .map(|i| match i % 3 {
            0 => format!("t{}/i{i}.html", i % 7),
            1 => format!("t{}/p{}/i{i}.html", i % 7, i % 50),
            _ => format!("t{}/p{}/q{i}/x.json", i % 7, i % 50),
        })
        .collect();
    for clean in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        if !clean {
            build(&out, &[("old.html", "x")], 1).unwrap();
        }
        let o = Output::open(&out).unwrap();
        rayon::ThreadPoolBuilder::new()
            .num_threads(8)
            .build()
            .unwrap()
            .install(|| {
                paths
                    .par_iter()
                    .with_max_len(1)
                    .try_for_each(|path| o.stage(&p(path), path.as_bytes()))
            })
            .unwrap();
        o.commit(2).unwrap();
        let (files, _, manifest) = site(&out);
        for path in &paths {
            assert_eq!(files.get(path).map(Vec::as_slice), Some(path.as_bytes()));
        }
        assert_eq!(manifest.len(), paths.len(), "clean: {clean}");
    }
}
