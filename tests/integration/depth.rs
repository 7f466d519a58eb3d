//! Deep and huge input: reply chains thousands deep, long reply cycles and
//! huge lists build in linear time with a normal thread stack, and render
//! readably (nesting stops at eight levels; deeper replies are listed flat,
//! each naming whom it answers).

use std::sync::mpsc;
use std::time::Duration;

use crate::binary::run;
use crate::common::{sel, Site, CONFIG};

/// Runs `f` on a thread with the 2 MiB stack threads get by default, and
/// fails if it takes longer than `secs`.
pub fn on_small_stack<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("a thread starts");
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("not done within {secs} s: {e}"))
}

const POST: &str = "---\ntitle: Deep\ndate: 2024-01-01\n---\n\nA post.\n";

/// A comment file: `n` comments, each (but the first) answering the one
/// before; with `cycle`, the first answers the last.
fn comment_chain(n: usize, cycle: bool) -> String {
    let mut s = String::with_capacity(n * 90);
    for i in 0..n {
        s.push_str(&format!(
            "- id: c{i}\n  author: Person {}\n  date: 2024-01-01 {:02}:{:02}:{:02}\n  body: reply {i}\n",
            i % 3,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60
        ));
        if i > 0 {
            s.push_str(&format!("  parent: c{}\n", i - 1));
        } else if cycle {
            s.push_str(&format!("  parent: c{}\n", n - 1));
        }
    }
    s
}

/// A thread of `n` entries, each answering the one before.
fn entry_chain(n: usize) -> String {
    let mut s = String::from("---\ntitle: Long back and forth\ndate: 2024-01-01\nentries:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - id: e{i}\n    by: Person {}\n    text: entry {i}\n",
            i % 2
        ));
        if i > 0 {
            s.push_str(&format!("    reply_to: e{}\n", i - 1));
        }
    }
    s.push_str("---\nTwo people, answering each other.\n");
    s
}

/// How many `ol` an element sits in.
fn nesting(el: scraper::ElementRef<'_>) -> usize {
    el.ancestors()
        .filter(|a| a.value().as_element().is_some_and(|e| e.name() == "ol"))
        .count()
}

#[test]
fn a_comment_chain_two_thousand_deep_builds_and_flattens_past_eight_levels() {
    let n = 2000;
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/deep.md", POST),
            ("content/comments/deep.yaml", &comment_chain(n, false)),
        ],
    );
    let options = site.options();
    on_small_stack(60, move || salon::build(&options).map(|_| ())).expect("builds");
    let page = site.page("/posts/deep/");
    let comments: Vec<_> = page.select(&sel("article.comment")).collect();
    assert_eq!(comments.len(), n, "every comment is shown");
    let deepest = comments.iter().map(|c| nesting(*c)).max().unwrap();
    assert_eq!(deepest, 8, "nesting stops at eight levels");
    // Past the eighth level, each names and links the comment it answers.
    let c500 = page.select(&sel("#comment-c500")).next().expect("c500");
    assert_eq!(nesting(c500), 8);
    let reply_to = c500
        .select(&sel(".comment-meta .reply-to a"))
        .next()
        .expect("names whom it answers");
    assert_eq!(reply_to.value().attr("href"), Some("#comment-c499"));
    assert_eq!(reply_to.text().collect::<String>(), "to Person 1");
    // Reading order is kept: c7 then c8, c9, ... in one list.
    let flat: Vec<&str> = page
        .select(&sel(
            "#comment-c6 > details.thread-fold > ol.replies > li > article",
        ))
        .filter_map(|a| a.value().attr("id"))
        .collect();
    assert_eq!(flat.len(), n - 7);
    assert_eq!(&flat[..3], ["comment-c7", "comment-c8", "comment-c9"]);
}

#[test]
fn a_thread_chained_two_thousand_deep_builds_and_flattens_past_eight_levels() {
    let n = 2000;
    let site = Site::new(CONFIG, &[("content/threads/long.md", &entry_chain(n))]);
    let options = site.options();
    on_small_stack(60, move || salon::build(&options).map(|_| ())).expect("builds");
    // Fifty entries a page (`paginate_entries`), in reading order.
    let pages = n / 50;
    let mut ids = Vec::new();
    for number in 1..=pages {
        let path = match number {
            1 => "/threads/long/".to_owned(),
            k => format!("/threads/long/page/{k}/"),
        };
        let page = site.page(&path);
        let entries: Vec<_> = page.select(&sel("article.entry")).collect();
        assert_eq!(entries.len(), 50, "{path}");
        if number == 1 {
            assert_eq!(entries.iter().map(|e| nesting(*e)).max(), Some(8));
        }
        ids.extend(
            entries
                .iter()
                .filter_map(|e| e.value().attr("id").map(str::to_owned)),
        );
    }
    let expected: Vec<String> = (0..n).map(|i| format!("entry-e{i}")).collect();
    assert_eq!(ids, expected, "every entry once, in order");
    let page = site.page(&format!("/threads/long/page/{pages}/"));
    let e1999 = page
        .select(&sel("#entry-e1999"))
        .next()
        .expect("last entry");
    let to = e1999
        .select(&sel(".reply-to a"))
        .next()
        .expect("in reply to");
    assert_eq!(to.value().attr("href"), Some("#entry-e1998"));
    assert_eq!(to.text().collect::<String>(), "to Person 0");
}

#[test]
fn shallow_trees_still_say_whom_they_answer_from_the_fourth_level() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/deep.md", POST),
            ("content/comments/deep.yaml", &comment_chain(5, false)),
        ],
    );
    site.build();
    let page = site.page("/posts/deep/");
    for (id, answered) in [("c3", Some("c2")), ("c4", Some("c3")), ("c2", None)] {
        let c = page.select(&sel(&format!("#comment-{id}"))).next().unwrap();
        let to = c
            .select(&sel(":scope > .comment-main .reply-to a"))
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_owned));
        assert_eq!(to, answered.map(|a| format!("#comment-{a}")), "{id}");
    }
}

#[test]
fn a_long_reply_cycle_is_found_and_reported_once() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/deep.md", POST),
            ("content/comments/deep.yaml", &comment_chain(5000, true)),
        ],
    );
    let options = site.options();
    let warnings = on_small_stack(60, move || salon::check(&options)).expect("checks");
    let cycles: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("reply cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert!(
        cycles[0].message.contains("and 4995 more"),
        "{}",
        cycles[0].message
    );
    assert_eq!(cycles[0].position.map(|p| p.line), Some(1));
}

#[test]
fn salon_check_and_build_survive_deep_chains_as_a_process() {
    let site = Site::new(
        CONFIG,
        &[
            ("content/posts/deep.md", POST),
            ("content/comments/deep.yaml", &comment_chain(1200, false)),
            ("content/threads/long.md", &entry_chain(1200)),
        ],
    );
    run(site.root(), &["check"]).ok();
    run(site.root(), &["build"]).ok();
    assert!(site.out().join("threads/long/index.html").is_file());
}

#[test]
fn a_post_with_thousands_of_tags_is_refused_at_once_naming_the_limit() {
    let tags: String = (0..50_000).map(|i| format!("  - tag {i}\n")).collect();
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/tags.md",
            &format!("---\ntitle: Tags\ndate: 2024-01-01\ntags:\n{tags}---\n\nBody.\n"),
        )],
    );
    let options = site.options();
    let result = on_small_stack(60, move || salon::check(&options));
    let Err(salon::Error::Content(diags)) = result else {
        panic!("50,000 tags must be refused");
    };
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(diags[0].path.ends_with("content/posts/tags.md"));
    assert_eq!(diags[0].position.map(|p| p.line), Some(4));
    assert!(
        diags[0].message.contains("lists 50000 terms; at most 100"),
        "{}",
        diags[0].message
    );
}

#[test]
fn deeply_nested_front_matter_and_comments_are_refused_with_a_short_snippet() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/nest.md",
                &format!("---\ntitle: Nest\ndate: 2024-01-01\nextra:\n  x: {deep}\n---\n\nBody.\n"),
            ),
            ("content/posts/other.md", POST),
            (
                "content/comments/other.yaml",
                &format!(
                    "- id: 1\n  author: A\n  date: 2024-01-01\n  body: \"{}x{}\"\n",
                    "<blockquote>".repeat(100_000),
                    "</blockquote>".repeat(100_000)
                ),
            ),
        ],
    );
    let ran = run(site.root(), &["check"]);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("nested deeper than 64 levels (content/posts/nest.md:5:68)"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.lines().all(|l| l.chars().count() < 400),
        "no line of the report is huge"
    );
    // Only the front matter is an error: the deep comment is flattened.
    assert!(ran.stderr.contains("1 error(s)"), "{}", ran.stderr);
}

mod random_sites {
    //! Random site trees through `salon::check`: it may refuse them, but
    //! it never panics, never overflows its stack and stays quick.

    use super::*;
    use proptest::prelude::*;

    /// How a comment or entry names its parent.
    #[derive(Debug, Clone)]
    enum Parent {
        None,
        /// The item before it (a chain).
        Previous,
        /// Any item, earlier or later (cycles).
        Any(prop::sample::Index),
        /// An id that is nowhere.
        Missing,
    }

    fn parent() -> impl Strategy<Value = Parent> {
        prop_oneof![
            1 => Just(Parent::None),
            6 => Just(Parent::Previous),
            2 => any::<prop::sample::Index>().prop_map(Parent::Any),
            1 => Just(Parent::Missing),
        ]
    }

    /// Names that break naive code: quotes, markup, bidi, YAML indicators.
    fn hostile_name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            Just("<script>alert(1)</script>".to_owned()),
            Just("\u{202e}evil".to_owned()),
            Just("a\"b'c".to_owned()),
            Just("- [x]: {y}".to_owned()),
            Just("@nobody [[nowhere]]".to_owned()),
            "\\PC{0,12}",
        ]
    }

    fn quoted(s: &str) -> String {
        serde_json::to_string(s).unwrap()
    }

    fn id_of(i: usize, parents: &[Parent], n: usize) -> Option<String> {
        match &parents[i] {
            Parent::None => None,
            Parent::Previous => i.checked_sub(1).map(|p| format!("i{p}")),
            Parent::Any(k) => Some(format!("i{}", k.index(n))),
            Parent::Missing => Some("gone".into()),
        }
    }

    fn comments(parents: &[Parent], names: &[String]) -> String {
        let mut s = String::new();
        for i in 0..parents.len() {
            let name = &names[i % names.len()];
            s.push_str(&format!(
                "- id: i{i}\n  author: {}\n  date: 2024-01-01 00:{:02}:{:02}\n  body: {}\n",
                quoted(name),
                i / 60 % 60,
                i % 60,
                quoted(&format!("<p>{name}</p>"))
            ));
            if let Some(p) = id_of(i, parents, parents.len()) {
                s.push_str(&format!("  parent: {p}\n"));
            }
        }
        s
    }

    fn thread(parents: &[Parent], names: &[String], tags: &[String]) -> String {
        let mut s = String::from("---\ntitle: T\ndate: 2024-01-01\ntags:\n");
        for t in tags {
            s.push_str(&format!("  - {}\n", quoted(t)));
        }
        s.push_str("entries:\n");
        for i in 0..parents.len() {
            let name = &names[i % names.len()];
            s.push_str(&format!(
                "  - id: i{i}\n    by: {}\n    text: {}\n",
                quoted(name),
                quoted(name)
            ));
            if let Some(p) = id_of(i, parents, parents.len()) {
                s.push_str(&format!("    reply_to: {p}\n"));
            }
        }
        s.push_str("---\nIntro\n");
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        #[test]
        fn check_never_panics_and_stays_quick(
            comment_parents in prop::collection::vec(parent(), 0..800),
            entry_parents in prop::collection::vec(parent(), 0..800),
            names in prop::collection::vec(hostile_name(), 1..6),
            tags in prop::collection::vec(hostile_name(), 0..150),
            junk in prop::collection::vec(any::<u8>(), 0..400),
        ) {
            let post_tags: String = tags.iter().map(|t| format!("  - {}\n", quoted(t))).collect();
            let site = Site::new(
                CONFIG,
                &[
                    ("content/posts/p.md", &format!("---\ntitle: P\ndate: 2024-01-01\ntags:\n{post_tags}---\n\nBody.\n")),
                    ("content/comments/p.yaml", &comments(&comment_parents, &names)),
                    ("content/threads/t.md", &thread(&entry_parents, &names, &tags)),
                ],
            );
            std::fs::write(site.root().join("content/posts/junk.md"), &junk).unwrap();
            std::fs::write(site.root().join("content/comments/junk.yaml"), &junk).unwrap();
            let options = site.options();
            // Refusing the site is fine; a panic or a stack overflow is not.
            let _ = on_small_stack(60, move || salon::check(&options));
        }
    }
}
