//! A mailing list's archive at scale, in small: the generator
//! (`examples/mbox_corpus.rs`) is deterministic, its archives import and
//! build, a grown archive adds only the new messages, and long threads,
//! busy members, months and `/threads/` are cut into pages no bigger than
//! 300 KB whose links and anchors all resolve.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use crate::binary::run;
use crate::common::*;
use salon::import::conversation::ThreadOptions;
use salon::import::mbox::{run as mbox_run, Selection};

#[path = "../../examples/mbox_corpus/main.rs"]
#[allow(dead_code)]
mod corpus;

fn archive(messages: usize, seed: u64, of: Option<usize>) -> Vec<u8> {
    let opts = corpus::Options {
        messages,
        seed,
        years: 1,
        of,
    };
    let mut out = Vec::new();
    let summary = corpus::generate(&opts, &mut out).unwrap();
    assert_eq!(summary.messages, messages);
    assert_eq!(summary.bytes, out.len() as u64);
    out
}

const LIST_CONFIG: &str = "title: List\nbase_url: https://example.org/\n";

fn all_messages() -> Selection {
    Selection {
        min_messages: Some(1),
        ..Default::default()
    }
}

/// Every thread file's entry ids, by file name.
fn entries_by_file(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for f in fs::read_dir(root.join("content/threads")).unwrap() {
        let path = f.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let ids = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("- id: "))
            .map(|s| s.trim().trim_matches('"').to_owned())
            .collect();
        out.insert(
            path.file_name().unwrap().to_string_lossy().into_owned(),
            ids,
        );
    }
    out
}

#[test]
fn the_generator_gives_the_same_bytes_for_a_seed_and_grows_as_a_list_does() {
    let a = archive(400, 7, None);
    assert_eq!(a, archive(400, 7, None), "same seed, same bytes");
    assert_ne!(a, archive(400, 8, None), "another seed, another archive");
    // The first 300 of an archive of 400 are the start of it.
    let first = archive(300, 7, Some(400));
    assert_eq!(&a[..first.len()], first.as_slice());
    // It is an mbox with the variety it promises.
    let text = String::from_utf8_lossy(&a);
    assert_eq!(text.matches("\nFrom ").count() + 1, 400);
    for needle in [
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Transfer-Encoding: base64",
        "multipart/alternative",
        "charset=iso-8859-1",
        "charset=koi8-r",
        "In-Reply-To: <",
        "References: <",
        "wrote:\n> ",
        "\n-- \n",
    ] {
        assert!(text.contains(needle), "no {needle:?} in the archive");
    }
}

#[test]
fn a_generated_archive_imports_streamed_and_builds() {
    let site = Site::new(LIST_CONFIG, &[]);
    let mbox = site.root().join("list.mbox");
    fs::write(&mbox, archive(600, 3, None)).unwrap();
    let loaded = mbox_run::load(&mbox).unwrap();
    assert!(loaded.mailbox.bodies.is_some(), "only headers are held");
    assert!(loaded.mailbox.mails.iter().all(|m| m.text.is_empty()));
    let report = mbox_run::import_threads(
        site.root(),
        &loaded,
        &all_messages(),
        &ThreadOptions::default(),
    )
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let written: usize = entries_by_file(site.root()).values().map(Vec::len).sum();
    assert_eq!(written, loaded.mailbox.mails.len(), "every message once");
    // Bodies were decoded on the way out: every charset reads as text.
    let all: String = fs::read_dir(site.root().join("content/threads"))
        .unwrap()
        .map(|f| fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    for decoded in ["Спасибо", "ありがとう", "Grüße"] {
        assert!(all.contains(decoded), "{decoded} was not decoded");
    }
    site.build();
    // The front page names the threads most active in the newest month.
    let home = site.page("/");
    let active = texts(&home, "[aria-labelledby=side-active] li .meta");
    assert!((1..=5).contains(&active.len()), "{active:?}");
    let counts: Vec<usize> = active
        .iter()
        .map(|t| t.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    for href in attrs(&home, "[aria-labelledby=side-active] li a", "href") {
        assert!(href.starts_with("/threads/"), "{href}");
        assert!(file_for(&site.out(), &href).is_some(), "{href}");
    }
    let threads = site.page("/threads/");
    assert_eq!(
        threads.select(&sel("main .thread-card")).count(),
        50,
        "a page of /threads/ shows paginate_threads threads"
    );
}

#[test]
fn importing_a_grown_archive_adds_only_the_new_messages() {
    let site = Site::new(LIST_CONFIG, &[]);
    let first = site.root().join("first.mbox");
    let grown = site.root().join("grown.mbox");
    fs::write(&first, archive(500, 11, Some(700))).unwrap();
    fs::write(&grown, archive(700, 11, None)).unwrap();
    let source = |rel: &str| fs::read_to_string(site.root().join(rel)).unwrap();
    let import = |file: &Path| {
        let loaded = mbox_run::load(file).unwrap();
        let r = mbox_run::import_threads(
            site.root(),
            &loaded,
            &all_messages(),
            &ThreadOptions::default(),
        )
        .unwrap();
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        (loaded.mailbox.mails.len(), r)
    };
    let (old_count, _) = import(&first);
    let before = entries_by_file(site.root());
    let texts: BTreeMap<String, String> = before
        .keys()
        .map(|k| (k.clone(), source(&format!("content/threads/{k}"))))
        .collect();
    // A curator's edit survives.
    let edited = before.keys().next().unwrap().clone();
    let path = format!("content/threads/{edited}");
    let text = source(&path).replacen("title: ", "title: Curated — ", 1);
    site.write(&path, &text);

    let (new_count, report) = import(&grown);
    let after = entries_by_file(site.root());
    let total: usize = after.values().map(Vec::len).sum();
    assert_eq!(total, new_count, "every message once, none twice");
    assert!(new_count > old_count);
    for (file, ids) in &before {
        let now = &after[file];
        assert_eq!(
            &now[..ids.len()],
            ids.as_slice(),
            "{file}: old entries stay first"
        );
        // New entries go in after the old ones; nothing else moves.
        let old = &texts[file];
        let old_entries = &old[..old.rfind("\n---").unwrap()];
        let now_text = source(&format!("content/threads/{file}"));
        if file == &edited {
            assert!(now_text.contains("title: Curated — "));
        } else {
            assert!(now_text.starts_with(old_entries), "{file} was rewritten");
        }
    }
    assert!(report
        .threads
        .iter()
        .any(|t| t.outcome == salon::import::conversation::Outcome::Added));
    // And once more: nothing changes.
    let settled = entries_by_file(site.root());
    let (_, again) = import(&grown);
    assert_eq!(entries_by_file(site.root()), settled);
    assert!(again
        .threads
        .iter()
        .all(|t| t.outcome == salon::import::conversation::Outcome::Unchanged));
}

#[test]
fn the_binary_imports_a_grown_archive_from_the_site_folder() {
    let site = Site::new(LIST_CONFIG, &[]);
    fs::write(site.root().join("a.mbox"), archive(300, 5, Some(400))).unwrap();
    fs::write(site.root().join("b.mbox"), archive(400, 5, None)).unwrap();
    let first = run(
        site.root(),
        &["import", "mbox", "a.mbox", "--min-messages", "1"],
    )
    .ok();
    assert!(
        first.stderr.contains("Created content/threads/"),
        "{}",
        first.stderr
    );
    // No progress bar where stderr is not a terminal.
    assert!(!first.stderr.contains("messages/s"), "{}", first.stderr);
    let before: usize = entries_by_file(site.root()).values().map(Vec::len).sum();
    let grown = run(
        site.root(),
        &["import", "mbox", "b.mbox", "--min-messages", "1"],
    )
    .ok();
    let after: usize = entries_by_file(site.root()).values().map(Vec::len).sum();
    assert!(after > before, "{}", grown.stderr);
    assert!(grown.stderr.contains("is up to date"), "{}", grown.stderr);
    let again = run(
        site.root(),
        &["import", "mbox", "b.mbox", "--min-messages", "1"],
    )
    .ok();
    assert!(!again.stderr.contains("Created"), "{}", again.stderr);
    assert!(!again.stderr.contains("Added"), "{}", again.stderr);
    run(site.root(), &["build"]).ok();
}

/// A thread of `n` entries: mostly a chain, with branches, bodies long
/// enough that one page of them all would be megabytes.
fn long_thread(n: usize) -> String {
    let mut s = String::from("---\ntitle: Long thread\ndate: 2024-01-01\nentries:\n");
    let para = "A paragraph of a long and winding argument about the build. ".repeat(12);
    for i in 0..n {
        s.push_str(&format!("  - id: e{i}\n    by: Person {}\n", i % 3));
        s.push_str(&format!("    text: \"{i}: {para}\"\n"));
        if i > 0 {
            // Every seventh answers one far back: replies across pages.
            let parent = if i % 7 == 0 { i / 2 } else { i - 1 };
            s.push_str(&format!("    reply_to: e{parent}\n"));
        }
    }
    s.push_str("---\n");
    s
}

/// The pages of a paginated listing at `base`, following `rel=next`
/// from the first; checks that `rel=prev` points back.
fn follow_pages(site: &Site, base: &str) -> Vec<(String, scraper::Html)> {
    let mut pages: Vec<(String, scraper::Html)> = Vec::new();
    let mut path = Some(base.to_owned());
    while let Some(p) = path.take() {
        let doc = site.page(&p);
        let prev = attrs(&doc, "head link[rel=prev]", "href");
        match pages.last() {
            None => assert!(prev.is_empty(), "{p}: a first page has no prev"),
            Some((last, _)) => assert_eq!(prev, vec![last.clone()], "{p}"),
        }
        let pager_next = attrs(&doc, "nav.pager a[rel=next]", "href");
        let next = attrs(&doc, "head link[rel=next]", "href");
        assert_eq!(next, pager_next, "{p}: head and pager agree");
        path = next.into_iter().next();
        pages.push((p, doc));
    }
    pages
}

#[test]
fn a_long_thread_is_paged_in_reading_order_with_links_that_resolve() {
    let n = 523;
    let site = Site::new(CONFIG, &[("content/threads/long.md", &long_thread(n))]);
    site.build();
    let pages = follow_pages(&site, "/threads/long/");
    assert_eq!(pages.len(), n.div_ceil(50));
    assert_eq!(pages[1].0, "/threads/long/page/2/");
    // Each page previews under its own title, so shared links tell them apart.
    let previews: HashSet<String> = pages
        .iter()
        .flat_map(|(_, doc)| attrs(doc, "meta[property='og:title']", "content"))
        .collect();
    assert_eq!(previews.len(), pages.len(), "{previews:?}");
    // page/1/ sends readers to the first page.
    assert!(file_for(&site.out(), "/threads/long/page/1/").is_some());
    let mut seen: Vec<String> = Vec::new();
    let mut anchors: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for (path, doc) in &pages {
        let ids = attrs(doc, "article.entry", "id");
        assert!(ids.len() <= 50, "{path}");
        anchors.insert(path.clone(), ids.iter().cloned().collect());
        seen.extend(ids);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), n, "every entry shown");
    assert_eq!(unique.len(), n, "and only once");
    // Every "in reply to" link lands on an entry of the page it names.
    let mut across = 0;
    for (path, doc) in &pages {
        for href in attrs(doc, ".reply-to a", "href") {
            let (page, anchor) = href.split_once('#').unwrap();
            let page = if page.is_empty() { path.as_str() } else { page };
            across += usize::from(page != path);
            assert!(
                anchors[page].contains(anchor),
                "{path}: {href} leads nowhere"
            );
        }
    }
    assert!(across > 0, "some replies answer an entry on another page");
}

#[test]
fn no_page_of_a_big_list_passes_300_kb() {
    // A list archive, a member who writes a large share of it, and one
    // thread of 2,000 long messages.
    let site = Site::new(
        LIST_CONFIG,
        &[
            ("content/threads/huge.md", &long_thread(2000)),
            (
                "content/members/top.md",
                "---\nname: Person 0\n---\nThe list's busiest writer.\n",
            ),
        ],
    );
    let mbox = site.root().join("list.mbox");
    fs::write(&mbox, archive(1500, 21, None)).unwrap();
    let loaded = mbox_run::load(&mbox).unwrap();
    mbox_run::import_threads(
        site.root(),
        &loaded,
        &all_messages(),
        &ThreadOptions::default(),
    )
    .unwrap();
    site.build();
    let member = follow_pages(&site, "/members/top/");
    assert!(member.len() >= 13, "{} pages", member.len());
    let listed: usize = member
        .iter()
        .map(|(_, d)| d.select(&sel("#entries-title ~ ol > li")).count())
        .sum();
    assert!(
        listed >= 666,
        "every message of the member is listed: {listed}"
    );
    let mut largest = (0, String::new());
    for f in walkdir::WalkDir::new(site.out()) {
        let f = f.unwrap();
        if f.path().extension().is_some_and(|e| e == "html") {
            let len = f.metadata().unwrap().len();
            if len > largest.0 {
                largest = (len, f.path().display().to_string());
            }
        }
    }
    assert!(largest.0 <= 300 * 1024, "{largest:?}");
}
