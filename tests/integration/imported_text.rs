//! Text from other platforms arrives as people wrote it: every HTML5
//! entity decoded once, no e-mail address written or published. Fixtures
//! in tests/fixtures/text/ carry rare entities and addresses (non-ASCII,
//! quoted, `%40`, full-width `＠`) in every field of every source.

use std::fs;
use std::path::{Path, PathBuf};

use salon::import::conversation::ThreadOptions;
use salon::import::mbox::{run, Selection};
use salon::import::{import, social, Format, ImportOptions};
use serde_yaml::Value;

use crate::common::*;

/// The domains of every address in the fixtures: none may appear in a
/// file written by an import or by the build, in any spelling.
const DOMAINS: [&str; 13] = [
    "müller.de",
    "例え.jp",
    "bücher.de",
    "quoted.example",
    "percent.example",
    "fullwidth.example",
    "gina.example",
    "asa.example",
    "rene.example",
    "zoe.example",
    "ids.example",
    "mueller.example",
    "buecher.example",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(name)
}

fn export(site: &Site, format: Format, file: &str) {
    import(&ImportOptions {
        source: site.root().to_path_buf(),
        file: fixture(file),
        format,
        dry_run: false,
        progress: false,
    })
    .unwrap_or_else(|e| panic!("{file}: {e:?}"));
}

/// A site with every source imported into it.
fn imported() -> Site {
    let site = Site::new(CONFIG, &[]);
    export(&site, Format::Wordpress, "wordpress.xml");
    export(&site, Format::Disqus, "disqus.xml");
    export(&site, Format::MovableType, "movabletype.txt");
    export(&site, Format::Json, "comments.json");
    let all = Selection {
        min_messages: Some(1),
        ..Default::default()
    };
    let list = run::load(&fixture("list.mbox")).unwrap();
    let r = run::import_threads(site.root(), &list, &all, &ThreadOptions::default()).unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    let replies = run::load(&fixture("replies.mbox")).unwrap();
    let r = run::import_comments(site.root(), &replies, false).unwrap();
    assert_eq!(r.comments, 1, "{r:?}");
    let r = social::import_mastodon(
        site.root(),
        &fixture("mastodon-status.json"),
        &fixture("mastodon-context.json"),
        &ThreadOptions::default(),
    )
    .unwrap();
    // A display name that is only an address is its local part.
    assert_eq!(
        r.unmatched,
        ["Gina (@gina@social.example)", "info (@ann@social.example)"]
    );
    site
}

/// Every file below `dir` with its text (binary files skipped).
fn texts_below(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some((e.path().to_owned(), fs::read_to_string(e.path()).ok()?)))
        .collect()
}

fn assert_no_address(files: &[(PathBuf, String)]) {
    assert!(!files.is_empty());
    for (path, text) in files {
        for domain in DOMAINS {
            assert!(!text.contains(domain), "{domain} in {}", path.display());
            // Nor made into a file name (`muller-de`).
            let slug = salon::slug::slugify(domain);
            let name = path.to_string_lossy();
            assert!(!name.contains(&slug), "{slug} in {name}");
        }
        let found: Vec<&str> = salon::email::find(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
}

fn source(site: &Site, rel: &str) -> String {
    fs::read_to_string(site.root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn comments(site: &Site, slug: &str) -> Vec<Value> {
    serde_yaml::from_str(&source(site, &format!("content/comments/{slug}.yaml"))).unwrap()
}

#[test]
fn no_address_is_written_by_any_import_nor_published() {
    let site = imported();
    let content = texts_below(&site.root().join("content"));
    // Posts, comments, members and threads were all written.
    for dir in ["posts/", "comments/", "members/", "threads/"] {
        assert!(
            content
                .iter()
                .any(|(p, _)| p.to_string_lossy().contains(&format!("content/{dir}"))),
            "nothing in {dir}"
        );
    }
    assert_no_address(&content);
    site.build();
    assert_no_address(&texts_below(&site.out()));
    // Names keep the name and lose the address.
    let cafe = comments(&site, "cafe");
    let authors: Vec<&str> = cafe.iter().filter_map(|c| c["author"].as_str()).collect();
    for want in ["Gina", "jürgen", "Åsa Ü", "Zóe"] {
        assert!(authors.contains(&want), "{want} not in {authors:?}");
    }
    let gina = source(&site, "content/members/gina.md");
    assert!(gina.contains("name: \"Gina Østby\""), "{gina}");
}

#[test]
fn rare_entities_are_decoded_once_from_every_source() {
    let site = imported();
    site.build();
    let post = site.page("/posts/cafe/");
    assert_eq!(
        texts(&post, "h1.p-name"),
        ["Café → Bar… &oacute; stays"],
        "the title, decoded once"
    );
    let body = texts(&post, ".e-content p").join("\n");
    assert!(
        body.contains("– Øresund ¾ &oacute; \u{2AA1}\u{338}"),
        "{body}"
    );
    let comment_text = texts(&post, ".comment-body").join("\n");
    for want in ["Thanks Þora!", "ça", "Åsa writes", "Šta?", "&oacute;"] {
        assert!(comment_text.contains(want), "{want} not in {comment_text}");
    }
    assert!(!comment_text.contains("ó"), "decoded twice: {comment_text}");
    let tags = texts(&post, ".post-terms a").join(" ");
    assert!(tags.contains("Señor"), "{tags}");
    let naive = site.page("/posts/naive/");
    assert_eq!(texts(&naive, "h1.p-name"), ["Naïve — ♥ &oacute;"]);
    let naive_text = texts(&naive, ".e-content p").join("\n");
    assert!(naive_text.contains("Ðora says"), "{naive_text}");
    let naive_comments = texts(&naive, ".comment-body").join("\n");
    assert!(naive_comments.contains("¿Qué?"), "{naive_comments}");
    assert_eq!(comments(&site, "naive")[0]["author"], "René");
    // The list's HTML message, as a thread entry.
    let threads = texts_below(&site.root().join("content/threads"));
    let list = threads
        .iter()
        .find(|(_, t)| t.contains("Where to mail"))
        .map(|(_, t)| t.as_str())
        .unwrap();
    assert!(list.contains("Øresund"), "{list}");
    assert!(
        list.contains("\\&oacute;"),
        "literal, escaped for markdown: {list}"
    );
}

#[test]
fn the_command_line_import_writes_no_address() {
    let site = Site::new(CONFIG, &[]);
    let wordpress = fixture("wordpress.xml");
    crate::binary::run(
        site.root(),
        &["import", "wordpress", &wordpress.to_string_lossy()],
    )
    .ok();
    assert_no_address(&texts_below(&site.root().join("content")));
    let post = source(&site, "content/posts/cafe.md");
    assert!(
        post.contains("title: \"Café → Bar… &oacute; stays\""),
        "{post}"
    );
}

#[test]
fn the_search_index_holds_no_address() {
    let comments =
        "- id: c1\n  author: \"Gina <gina@gina.example>\"\n  date: 2024-03-02T10:00:00Z\n  \
                    body: \"<p>Or b＠fullwidth.example</p>\"\n";
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/hello.md",
                &post(
                    "title: Hello\ndate: 2024-03-01",
                    "Write to jürgen@müller.de or \"b\"@quoted.example.\n",
                ),
            ),
            ("content/comments/hello.yaml", comments),
        ],
    );
    site.build();
    let index = texts_below(&site.out().join("search"));
    assert_no_address(&index);
    let docs: serde_json::Value = serde_json::from_str(&site.read("search/d-0.json")).unwrap();
    let shown = docs.to_string();
    assert!(
        shown.contains("Write to (address removed) or (address removed)."),
        "{shown}"
    );
    assert!(shown.contains("Gina on Hello"), "{shown}");
}
