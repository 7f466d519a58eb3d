//! The static search index under `/search/` and the search page: every
//! document indexed, words found through the shards, ranking data, sub-path
//! URLs, determinism, and (when Node is installed) search.js itself.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::*;

/// One document's display row: title, path, kind, date, text.
#[derive(Debug, Clone)]
struct Row {
    title: String,
    path: String,
    kind: String,
    text: String,
}

/// The index of a built site, read the way search.js reads it.
struct Index {
    dir: PathBuf,
    manifest: Value,
    rows: Vec<Row>,
}

impl Index {
    fn read(out: &Path) -> Index {
        let dir = out.join("search");
        let manifest = json(&dir.join("index.json"));
        let count = manifest["documents"].as_u64().unwrap() as usize;
        let sizes = shard_sizes(&manifest);
        assert_eq!(sizes.iter().sum::<usize>(), count, "shards vs documents");
        let mut rows = Vec::new();
        for (n, &size) in sizes.iter().enumerate() {
            let shard = json(&dir.join(format!("d-{n}.json")));
            let shard = shard.as_array().unwrap();
            assert_eq!(shard.len(), size, "d-{n}.json");
            for r in shard {
                let f = |i: usize| r[i].as_str().unwrap_or("").to_owned();
                rows.push(Row {
                    title: f(0),
                    path: f(1),
                    kind: f(2),
                    text: f(4),
                });
            }
        }
        assert_eq!(rows.len(), count, "documents in shards vs manifest");
        Index {
            dir,
            manifest,
            rows,
        }
    }

    /// The id of the document at `path` (`posts/x/`).
    fn id(&self, path: &str) -> u32 {
        self.rows
            .iter()
            .position(|r| r.path == path)
            .unwrap_or_else(|| panic!("{path} is not indexed")) as u32
    }

    /// The entry of index key `key`, from the shard of the longest key
    /// it starts with.
    fn entry(&self, key: &str) -> Option<Value> {
        let keys = self.manifest["terms"].as_object().unwrap();
        let chars: Vec<char> = key.chars().collect();
        let home: String = (0..=chars.len())
            .rev()
            .map(|n| chars[..n].iter().collect::<String>())
            .find(|k| keys.contains_key(k))?;
        let file = salon::search::term_shard_path(&home);
        let shard = json(&self.dir.join(file.trim_start_matches("/search/")));
        shard.get(key).cloned()
    }

    /// The documents `term` finds as search.js reads them, with their
    /// weight (1–63, higher is better): the union over its stems (the key
    /// itself when it is one, and the stems it leads to), the best weight
    /// of each document.
    fn weights(&self, term: &str) -> Option<BTreeMap<u32, u32>> {
        let e = self.entry(term)?;
        let mut keys = Vec::new();
        let others = match &e {
            Value::String(s) => s.clone(),
            Value::Array(a) => {
                keys.push(term.to_owned());
                a.get(2).and_then(Value::as_str).unwrap_or("").to_owned()
            }
            _ => panic!("{term}: {e}"),
        };
        keys.extend(
            others
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        let mut out = BTreeMap::new();
        for k in keys {
            let entry = self.entry(&k)?;
            let ids = salon::search::decode_id_set(entry[0].as_str().unwrap()).unwrap();
            let weights = entry[1].as_str().unwrap().as_bytes();
            assert_eq!(ids.len(), weights.len(), "{k}: one weight a document");
            for (id, w) in ids.into_iter().zip(weights) {
                let level = B64.iter().position(|b| b == w).unwrap() as u32;
                let best = out.entry(id).or_insert(level);
                *best = (*best).max(level);
            }
        }
        Some(out)
    }
}

/// The number of documents of each document shard, from the manifest:
/// each `window` of documents cut into equal shards, as many as the
/// window's digit of `shards` says (`<digit>*<n>` for n windows).
fn shard_sizes(manifest: &Value) -> Vec<usize> {
    let window = manifest["window"].as_u64().unwrap() as usize;
    let count = manifest["documents"].as_u64().unwrap() as usize;
    let table = manifest["shards"].as_str().unwrap();
    let mut ks = Vec::new();
    let mut chars = table.chars().peekable();
    while let Some(c) = chars.next() {
        let k = B64.iter().position(|&b| b as char == c).unwrap();
        let mut n = 1;
        if chars.next_if_eq(&'*').is_some() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            n = digits.parse().unwrap();
        }
        ks.extend(std::iter::repeat_n(k, n));
    }
    assert_eq!(
        ks.len(),
        count.div_ceil(window),
        "one digit a window: {table}"
    );
    let mut sizes = Vec::new();
    for (w, &k) in ks.iter().enumerate() {
        let len = window.min(count - w * window);
        assert!(k >= 1 && k <= len, "window {w}: {k} shards");
        sizes.extend((0..k).map(|j| (j + 1) * len / k - j * len / k));
    }
    sizes
}

/// The digits of base64, by value: a weight is one of them.
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A garden club: one word ("compost") in a title, a tag, a body and a
/// comment, so the fields rank against each other.
pub(crate) fn garden() -> Site {
    Site::new(
        CONFIG,
        &[
            ("content/members/ana.md", "---\nname: Ana Lima\nrole: grower\n---\nGrows zucchini on a balcony.\n"),
            ("content/posts/compost-heaps.md", &post("title: Compost Heaps\ndate: 2020-01-01\nauthors: [ana]", "Turning the pile weekly keeps it warm.")),
            ("content/posts/autumn-jobs.md", &post("title: Autumn Jobs\ndate: 2021-01-01\ntags: [Compost]", "Leaves, and more leaves.")),
            ("content/posts/garden-notes.md", &post("title: Garden Notes\ndate: 2022-01-01", "A word on compost: *patience*.\n\n## Mulch<br>layers\n\nBold<em>er</em> moves, &amp; more.")),
            ("content/posts/cafe.md", &post("title: Café Crème\ndate: 2019-05-01", "A straße of crêpes.")),
            ("content/comments/garden-notes.yaml", "- id: c1\n  author: Bea\n  date: 2022-02-01\n  body: \"<p>My compost smells &amp; I love it.</p>\"\n"),
            ("content/pages/about.md", "---\ntitle: About the club\n---\nWe garden together on Sundays.\n"),
            ("content/threads/seed-swap.md", "---\ntitle: Seed swap\ndate: 2021-06-01\nentries:\n  - id: 1\n    by: ana\n    text: Who has zucchini seeds?\n---\nOur yearly swap.\n"),
        ],
    )
}

#[test]
fn every_document_of_the_demo_is_indexed_once() {
    let site = Site::demo();
    site.build();
    let index = Index::read(&site.out());
    let indexed: Vec<&str> = index.rows.iter().map(|r| r.path.as_str()).collect();
    let unique: BTreeSet<&str> = indexed.iter().copied().collect();
    assert_eq!(unique.len(), indexed.len(), "a document is indexed twice");

    // Posts, pages, threads and members, as the sitemap lists them.
    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let listings = ["tags/", "categories/", "archive/", "members/", "threads/"];
    let mut expected: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| {
            n.text()
                .unwrap()
                .trim_start_matches("https://example.org/")
                .to_owned()
        })
        .filter(|p| {
            !p.is_empty()
                && !listings.contains(&p.as_str())
                && !listings[..2].iter().any(|l| p.starts_with(l))
                && !p.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    // And every comment shown under a post.
    let posts: Vec<String> = expected
        .iter()
        .filter(|p| p.starts_with("posts/"))
        .cloned()
        .collect();
    for post in posts {
        let page = site.page(&format!("/{post}"));
        for id in attrs(&page, "[id^='comment-']", "id") {
            expected.insert(format!("{post}#{id}"));
        }
    }
    assert!(expected.iter().any(|p| p.contains("#comment-")));
    assert_eq!(unique, expected.iter().map(String::as_str).collect());

    let kinds: BTreeSet<&str> = index.rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["comment", "member", "page", "post", "thread"])
    );
}

#[test]
fn words_of_every_demo_post_body_find_that_post() {
    let site = Site::demo();
    site.build();
    let index = Index::read(&site.out());
    let mut checked = 0;
    for entry in fs::read_dir(site.root().join("content/posts")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let front = text.split("---").nth(1).unwrap();
        if front.contains("draft: true") {
            continue;
        }
        let title = front
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .unwrap()
            .trim()
            .trim_matches('"');
        let row = index.rows.iter().find(|r| r.title == title).unwrap();
        let id = index.id(&row.path);
        let body = text.splitn(3, "---").nth(2).unwrap();
        // Words of plain prose lines: no links, code, tables or HTML.
        let words: Vec<String> = body
            .lines()
            .filter(|l| !l.contains(['[', '`', '<', '|', '@', '*', '_', '(']))
            .flat_map(|l| l.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| w.len() >= 5 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_lowercase)
            .collect();
        assert!(words.len() >= 3, "{title}: too few plain words");
        for w in words.iter().step_by(words.len() / 3).take(3) {
            let found = index
                .weights(w)
                .unwrap_or_else(|| panic!("`{w}` of {title} is not in the index"));
            assert!(found.contains_key(&id), "`{w}` does not find {title}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} words checked");
}

#[test]
fn weights_say_where_a_word_was_found() {
    let site = garden();
    site.build();
    let index = Index::read(&site.out());
    let id = |p: &str| index.id(p);
    let compost = index.weights("compost").unwrap();
    let docs: Vec<u32> = compost.keys().copied().collect();
    let mut expected = vec![
        id("posts/compost-heaps/"),
        id("posts/autumn-jobs/"),
        id("posts/garden-notes/"),
        id("posts/garden-notes/#comment-c1"),
    ];
    expected.sort();
    assert_eq!(docs, expected);
    // A title weighs more than a tag, a tag more than the text.
    let w = |p: &str| compost[&id(p)];
    assert!(
        w("posts/compost-heaps/") > w("posts/autumn-jobs/"),
        "{compost:?}"
    );
    assert!(
        w("posts/autumn-jobs/") > w("posts/garden-notes/"),
        "{compost:?}"
    );
    // Authors count as meta; members' handles and roles too.
    assert!(index
        .weights("ana")
        .unwrap()
        .contains_key(&id("posts/compost-heaps/")));
    assert!(index
        .weights("grower")
        .unwrap()
        .contains_key(&id("members/ana/")));
    // Thread entries are part of the thread's text.
    assert!(index
        .weights("zucchini")
        .unwrap()
        .contains_key(&id("threads/seed-swap/")));
    // Words run on across inline tags, not across blocks or entities.
    assert!(index.weights("bolder").is_some());
    assert!(index.weights("mulchlayers").is_none());
    assert!(index.weights("amp").is_none());
}

#[test]
fn newer_documents_get_larger_ids() {
    let site = garden();
    site.build();
    let index = Index::read(&site.out());
    let order = [
        "members/ana/",
        "posts/cafe/",
        "posts/compost-heaps/",
        "posts/autumn-jobs/",
        "threads/seed-swap/",
        "posts/garden-notes/",
        "posts/garden-notes/#comment-c1",
    ];
    let ids: Vec<u32> = order.iter().map(|p| index.id(p)).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let comment = &index.rows[index.id("posts/garden-notes/#comment-c1") as usize];
    assert_eq!(comment.title, "Bea on Garden Notes");
    assert_eq!(comment.text, "My compost smells & I love it.");
}

#[test]
fn letters_beyond_ascii_are_folded_and_listed_for_the_script() {
    let site = garden();
    site.build();
    let index = Index::read(&site.out());
    let cafe = index.id("posts/cafe/");
    assert!(index.weights("cafe").unwrap().contains_key(&cafe));
    assert!(index.weights("strasse").unwrap().contains_key(&cafe));
    let fold = json(&site.out().join("search/fold.json"));
    assert_eq!(fold["é"], "e");
    assert_eq!(fold["ß"], "ss");
    assert_eq!(fold["ê"], "e");
    assert_eq!(
        index.manifest["fold"].as_u64().unwrap() as usize,
        site.read("search/fold.json").len()
    );
}

#[test]
fn manifest_sizes_match_the_shards() {
    let site = Site::demo();
    site.build();
    let index = Index::read(&site.out());
    let terms = index.manifest["terms"].as_object().unwrap();
    assert!(!terms.is_empty());
    let mut on_disk: BTreeSet<String> = BTreeSet::new();
    for entry in fs::read_dir(&index.dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(key) = name
            .strip_prefix("t-")
            .and_then(|n| n.strip_suffix(".json"))
        {
            on_disk.insert(key.to_owned());
        }
    }
    assert_eq!(on_disk, terms.keys().cloned().collect());
    for (key, size) in terms {
        let bytes = fs::read(index.dir.join(format!("t-{key}.json"))).unwrap();
        assert_eq!(bytes.len() as u64, size.as_u64().unwrap(), "t-{key}.json");
        // Every term of a shard is under its key.
        let shard: Value = serde_json::from_slice(&bytes).unwrap();
        for term in shard.as_object().unwrap().keys() {
            assert!(term.starts_with(key.as_str()), "{term} in t-{key}.json");
        }
    }
}

#[test]
fn the_search_page_keeps_its_contract() {
    let site = Site::demo();
    site.build();
    let page = site.page("/search/");
    let input =
        "form#search-form[role=search][action='/search/'] input#search-input[type=search][name=q]";
    assert_eq!(page.select(&sel(input)).count(), 1);
    assert_eq!(page.select(&sel("ol#search-results")).count(), 1);
    assert_eq!(page.select(&sel("[aria-live]#search-status")).count(), 1);
    assert_eq!(attrs(&page, "#search-form", "data-base"), ["/"]);
    assert_eq!(
        attrs(&page, "#search-form", "data-index"),
        ["/search/index.json"]
    );
    assert!(attrs(&page, "script[src]", "src").contains(&"/search.js".to_owned()));
    // Without JavaScript: the tag and member directories.
    let browse = attrs(&page, ".search-browse a", "href");
    assert!(browse.contains(&"/tags/".to_owned()), "{browse:?}");
    assert!(browse.contains(&"/members/".to_owned()), "{browse:?}");
    // Every page's header leads to it.
    for path in [
        "/",
        "/posts/moderation-is-gardening/",
        "/members/",
        "/404.html",
    ] {
        let doc = site.page(path);
        let to_search = "header a[href='/search/'], header form[action='/search/']";
        assert_eq!(doc.select(&sel(to_search)).count(), 1, "{path}");
    }
}

#[test]
fn two_builds_write_the_same_index_bytes() {
    let site = Site::demo();
    let mut a = site.options();
    a.output = Some(site.root().join("out-a"));
    let mut b = site.options();
    b.output = Some(site.root().join("out-b"));
    salon::build(&a).unwrap();
    salon::build(&b).unwrap();
    let files = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = fs::read_dir(dir.join("search"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (
        files(&site.root().join("out-a")),
        files(&site.root().join("out-b")),
    );
    assert!(fa.len() > 5);
    assert_eq!(fa.len(), fb.len());
    for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "search/{na} differs between builds");
    }
}

/// Runs search.js under Node on the built site; `None` when Node is not
/// installed (the browser tests cover the script then).
pub(crate) fn node_search(out: &Path, queries: &[&str]) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/search.js");
    let run = match Command::new("node")
        .arg(script)
        .arg(out)
        .args(queries)
        .output()
    {
        Ok(run) => run,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("node is not installed: search.js not run");
            return None;
        }
        Err(e) => panic!("node: {e}"),
    };
    assert!(
        run.status.success(),
        "search.js failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(serde_json::from_slice(&run.stdout).unwrap())
}

/// The titles of one query's hits, in rank order.
pub(crate) fn titles(result: &Value) -> Vec<&str> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect()
}

#[test]
fn the_script_ranks_titles_then_tags_then_text_newest_first() {
    let site = garden();
    site.build();
    let Some(results) = node_search(&site.out(), &["compost", "COMPOST ", "compo"]) else {
        return;
    };
    for r in results.as_array().unwrap() {
        assert_eq!(
            titles(r),
            [
                "Compost Heaps",
                "Autumn Jobs",
                "Bea on Garden Notes",
                "Garden Notes"
            ],
            "{}",
            r["query"]
        );
    }
    let hit = &results[0]["hits"][0];
    assert_eq!(hit["title_html"], "<mark>Compost</mark> Heaps");
    assert_eq!(hit["path"], "posts/compost-heaps/");
    let comment = &results[0]["hits"][2];
    assert_eq!(
        comment["snippet_html"],
        "My <mark>compost</mark> smells &#38; I love it."
    );
}

#[test]
fn a_word_in_thousands_of_documents_keeps_titles_first_at_a_bit_a_document() {
    // 2,100 comments say "zebra" in their text; one post has it in its
    // title. Its weights would be a digit a document: flags instead.
    let mut comments = String::new();
    for i in 0..2100 {
        comments.push_str(&format!(
            "- id: c{i}\n  author: Bea\n  date: 2023-01-01\n  body: \"<p>A zebra sighting, number {i}.</p>\"\n"
        ));
    }
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/zebra-crossings.md",
                &post(
                    "title: Zebra Crossings\ndate: 2020-01-01",
                    "Stripes on the road.",
                ),
            ),
            (
                "content/posts/sightings.md",
                &post("title: Sightings\ndate: 2022-01-01", "Report what you see."),
            ),
            ("content/comments/sightings.yaml", &comments),
        ],
    );
    site.build();
    let index = Index::read(&site.out());
    let zebra = index.entry("zebra").expect("zebra is a key");
    let (ids, weights) = (zebra[0].as_str().unwrap(), zebra[1].as_str().unwrap());
    assert_eq!(weights.len(), 1 + 2101_usize.div_ceil(6), "{weights:.20}");
    assert!(weights.starts_with('!'), "{weights:.20}");
    assert!(!ids.is_empty());
    let Some(results) = node_search(&site.out(), &["zebra "]) else {
        return;
    };
    let hits = results[0]["hits"].as_array().unwrap();
    assert_eq!(results[0]["total"], 2101);
    // The title first, though every comment is newer.
    assert_eq!(hits[0]["title"], "Zebra Crossings");
    assert_eq!(hits[1]["title"], "Bea on Sightings");
}

#[test]
fn the_script_finds_a_demo_post_by_a_body_word_under_a_sub_path() {
    let site = Site::demo();
    let mut opts = site.options();
    opts.base_url = Some("https://example.org/community/".into());
    salon::build(&opts).unwrap();
    let Some(results) = node_search(&site.out(), &["dandelion"]) else {
        return;
    };
    let hits = results[0]["hits"].as_array().unwrap();
    assert_eq!(hits[0]["title"], "Moderation Is Gardening, Not Policing");
    // What the page links: the base path, then the document's path.
    let url = format!("/community/{}", hits[0]["path"].as_str().unwrap());
    assert!(
        file_for(&site.out(), &url["/community".len()..]).is_some(),
        "{url}"
    );
    let bytes = results[0]["bytes"].as_u64().unwrap();
    assert!(bytes < 100_000, "{bytes} bytes for one word of the demo");
}

#[test]
fn filters_list_every_document_under_its_kind_tags_authors_and_year() {
    let site = garden();
    site.build();
    let index = Index::read(&site.out());
    let filters = json(&site.out().join("search/filters.json"));
    let ids = |group: &str, value: &str| -> Vec<u32> {
        salon::search::decode_id_set(filters[group][value].as_str().unwrap()).unwrap()
    };
    let mut seen = 0;
    for (kind, set) in filters["kind"].as_object().unwrap() {
        for id in salon::search::decode_id_set(set.as_str().unwrap()).unwrap() {
            assert_eq!(&index.rows[id as usize].kind, kind, "document {id}");
            seen += 1;
        }
    }
    assert_eq!(seen, index.rows.len());
    let id = |p: &str| index.id(p);
    assert_eq!(ids("tag", "Compost"), [id("posts/autumn-jobs/")]);
    // A post's authors, a comment's author, a thread's participants.
    assert_eq!(ids("author", "Ana Lima"), {
        let mut v = vec![id("posts/compost-heaps/"), id("threads/seed-swap/")];
        v.sort();
        v
    });
    assert_eq!(ids("author", "Bea"), [id("posts/garden-notes/#comment-c1")]);
    assert_eq!(ids("year", "2022"), {
        let mut v = vec![
            id("posts/garden-notes/"),
            id("posts/garden-notes/#comment-c1"),
        ];
        v.sort();
        v
    });
    // Undated documents (members, most pages) have no year.
    let years: usize = filters["year"]
        .as_object()
        .unwrap()
        .keys()
        .map(|y| ids("year", y).len())
        .sum();
    assert_eq!(years, index.rows.len() - 2);
    assert_eq!(
        index.manifest["filters"].as_u64().unwrap() as usize,
        site.read("search/filters.json").len()
    );
}

#[test]
fn a_site_with_nothing_to_index_has_an_empty_index() {
    let site = Site::new(CONFIG, &[]);
    site.build();
    let index = Index::read(&site.out());
    assert!(index.rows.is_empty());
    assert_eq!(index.manifest["terms"], serde_json::json!({}));
    assert_eq!(index.manifest["fold"], 0);
    assert!(!site.out().join("search/fold.json").exists());
    let Some(results) = node_search(&site.out(), &["anything"]) else {
        return;
    };
    assert_eq!(results[0]["total"], 0);
}

/// A site of posts with many comments each, dated so that posts and
/// comments interleave by id, some comments longer than the 600 bytes
/// kept: its document shards hold different numbers of documents. Every
/// post's body has the word `zz<i>p` and every comment's `zz<i>c<j>`,
/// which no other document has. With the path of each such document.
pub(crate) fn chatty() -> (Site, Vec<(String, String)>) {
    let long = "Soil and seeds and the weather this spring. ".repeat(20);
    let mut files = vec![(
        "content/members/ana.md".to_owned(),
        "---\nname: Ana Lima\n---\nGrows zucchini.\n".to_owned(),
    )];
    let mut found = Vec::new();
    let day = |n: usize| {
        let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        start + chrono::Duration::days(n as i64)
    };
    for i in 0..30 {
        files.push((
            format!("content/posts/post-{i}.md"),
            post(
                &format!("title: Post {i}\ndate: {}", day(10 * i)),
                &format!("The body of zz{i}p, on compost."),
            ),
        ));
        found.push((format!("zz{i}p"), format!("posts/post-{i}/")));
        let mut comments = String::new();
        for j in 0..(i * 7) % 23 {
            let text = if j % 3 == 0 { long.as_str() } else { "Noted." };
            comments.push_str(&format!(
                "- id: c{j}\n  author: Bea\n  date: {}T10:00:00Z\n  body: \"<p>zz{i}c{j} {text}</p>\"\n",
                day(10 * i + 3 * (j + 1)),
            ));
            found.push((
                format!("zz{i}c{j}"),
                format!("posts/post-{i}/#comment-c{j}"),
            ));
        }
        if !comments.is_empty() {
            files.push((format!("content/comments/post-{i}.yaml"), comments));
        }
    }
    (Site::generated(CONFIG, &files), found)
}

#[test]
fn document_shards_are_packed_by_kind_within_their_budget() {
    let (site, found) = chatty();
    site.build();
    let index = Index::read(&site.out());
    let sizes = shard_sizes(&index.manifest);
    // Never more than a shard's budget counting each row at its kind's
    // most: 8 posts, 22 comments, or a mix.
    let budget = 8 * 2200;
    let cost = |r: &Row| if r.kind == "comment" { 800 } else { 2200 };
    let mut at = 0;
    for (n, &size) in sizes.iter().enumerate() {
        let rows = &index.rows[at..at + size];
        let used: usize = rows.iter().map(cost).sum();
        assert!(used <= budget, "d-{n}.json: {used} bytes counted");
        let bytes = fs::metadata(index.dir.join(format!("d-{n}.json")))
            .unwrap()
            .len();
        assert!(bytes <= budget as u64, "d-{n}.json: {bytes} bytes");
        at += size;
    }
    // Each window is cut into the fewest equal shards that fit: one
    // shard fewer would not.
    let window = index.manifest["window"].as_u64().unwrap() as usize;
    for (w, rows) in index.rows.chunks(window).enumerate() {
        let first = w * window;
        let k = sizes
            .iter()
            .scan(0, |at, &s| {
                *at += s;
                Some(*at - s)
            })
            .filter(|&start| start >= first && start < first + rows.len())
            .count();
        if k > 1 {
            let len = rows.len();
            let fewer = k - 1;
            let fits = (0..fewer).all(|j| {
                let part = &rows[j * len / fewer..(j + 1) * len / fewer];
                part.iter().map(cost).sum::<usize>() <= budget
            });
            assert!(!fits, "window {w} cut into {k} shards where {fewer} fit");
        }
    }
    let distinct: BTreeSet<usize> = sizes.iter().copied().collect();
    assert!(distinct.len() > 2, "{sizes:?}");
    assert!(sizes.iter().any(|&s| s > 8), "{sizes:?}");
    // Every document is where the rows read from the shards say.
    for (_, path) in &found {
        index.id(path);
    }
}

#[test]
fn the_script_finds_every_document_in_the_shard_it_computes() {
    let (site, found) = chatty();
    site.build();
    let queries: Vec<String> = found.iter().map(|(w, _)| format!("{w} ")).collect();
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    let Some(results) = node_search(&site.out(), &queries) else {
        return;
    };
    for (r, (word, path)) in results.as_array().unwrap().iter().zip(&found) {
        let hits = r["hits"].as_array().unwrap();
        assert_eq!(hits.len(), 1, "{word}: {hits:?}");
        assert_eq!(hits[0]["path"], path.as_str(), "{word}");
        assert!(
            hits[0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains(&format!("<mark>{word}</mark>")),
            "{word}: {}",
            hits[0]["snippet_html"]
        );
    }
    assert_eq!(results.as_array().unwrap().len(), found.len());
}
