//! Watch mode's search index on a site big enough for many term shards:
//! edits that touch a few shards, a few filter values or none are applied
//! in place, and after each the output is byte for byte a clean build's.

use std::fs;
use std::path::Path;

use salon::incremental::Incremental;
use salon::serve::Rebuild;

use crate::common::{clean_twin, post, Site, CONFIG};
use crate::incremental::assert_same_output;

/// Made-up words from syllables: about 20,000 of them, so the index's
/// entries pass many times the size of one term shard.
fn word(seed: &mut u64) -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "ne", "ru", "si", "ta", "ve", "zo", "pa", "qui", "xe",
    ];
    let mut w = String::new();
    for _ in 0..4 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        w.push_str(SYLLABLES[(*seed >> 33) as usize % SYLLABLES.len()]);
    }
    w
}

fn words(seed: &mut u64, n: usize) -> String {
    (0..n).map(|_| word(seed)).collect::<Vec<_>>().join(" ")
}

const TAGS: [&str; 5] = ["Soil", "Seeds", "Tools", "Weather", "Bees"];

fn post_file(i: usize, title: &str, tags: &str, body: &str) -> String {
    post(
        &format!(
            "title: {title}\ndate: 20{:02}-0{}-1{}\nauthors: [{}]\ntags: [{tags}]",
            15 + i % 10,
            1 + i % 9,
            i % 10,
            ["ana", "bo"][i % 2]
        ),
        body,
    )
}

/// Replaces the front matter's `key:` line of a post.
fn set_field(path: &Path, key: &str, value: &str) {
    let text = fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{key}:")))
        .unwrap()
        .to_owned();
    fs::write(path, text.replacen(&line, &format!("{key}: {value}"), 1)).unwrap();
}

fn append(path: &Path, text: &str) {
    let mut old = fs::read_to_string(path).unwrap();
    old.push_str(text);
    fs::write(path, old).unwrap();
}

#[test]
fn edits_to_a_many_shard_index_give_a_clean_builds_index() {
    let mut seed = 0x5a10_u64;
    let mut files = vec![
        (
            "content/members/ana.md".to_owned(),
            "---\nname: Ana Lima\n---\nGrows zucchini.\n".to_owned(),
        ),
        (
            "content/members/bo.md".to_owned(),
            "---\nname: Bo Berg\n---\nKeeps bees.\n".to_owned(),
        ),
        (
            "content/comments/post-1.yaml".to_owned(),
            "- id: c1\n  author: Bea\n  date: 2022-02-01T10:00:00Z\n  body: \"<p>Noted.</p>\"\n"
                .to_owned(),
        ),
    ];
    for i in 0..120 {
        let body = format!("{}\n\n{}", words(&mut seed, 40), words(&mut seed, 40));
        let tags = format!("{}, {}", TAGS[i % 5], TAGS[(i / 5) % 5]);
        files.push((
            format!("content/posts/post-{i}.md"),
            post_file(i, &format!("Post {i} {}", word(&mut seed)), &tags, &body),
        ));
    }
    let site = Site::generated(CONFIG, &files);
    let opts = site.options();
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).expect("the site builds");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(site.out().join("search/index.json")).unwrap()).unwrap();
    let shards = manifest["terms"].as_object().unwrap().len();
    assert!(shards > 8, "{shards} term shards");

    let mut log = Vec::new();
    let mut patched = 0;
    for step in 0..18 {
        let n = (step * 37) % 120;
        let path = site.root().join(format!("content/posts/post-{n}.md"));
        let what = match step % 6 {
            0 => {
                // New words, and words other posts have.
                let text = format!("\n\nfresh{step}word {}\n", words(&mut seed, 6));
                append(&path, &text);
                "body: words added"
            }
            1 => {
                set_field(&path, "tags", &format!("[{}, New{step}]", TAGS[step % 5]));
                "tags"
            }
            2 => {
                set_field(
                    &path,
                    "title",
                    &format!("Retitled {step} {}", word(&mut seed)),
                );
                "title"
            }
            3 => {
                // Most of the post's words go: entries shrink or vanish.
                let text = fs::read_to_string(&path).unwrap();
                let (front, _) = text.rsplit_once("\n---\n").unwrap();
                fs::write(&path, format!("{front}\n---\n\nShort now.\n")).unwrap();
                "body: words removed"
            }
            4 => {
                append(
                    &site.root().join("content/members/bo.md"),
                    &format!("\nAlso {}.\n", word(&mut seed)),
                );
                "member bio"
            }
            _ => {
                append(&path, "\n\nkalomi kalomi kalomi\n");
                "body: a word repeated"
            }
        };
        log.push(format!("{what} of post-{n}"));
        let changed = match step % 6 {
            4 => site.root().join("content/members/bo.md"),
            _ => path,
        };
        let r = rebuild.rebuild(&opts, &[changed]).expect("rebuild");
        if r.rendered < r.files {
            patched += 1;
        }
        salon::build(&clean_opts).expect("clean build");
        assert_same_output(&site.out(), &clean_opts.output_dir(), &log);
    }
    assert!(patched > 12, "only {patched} rebuilds were partial");
}

/// The document shards of a built site, by file name.
fn doc_shards(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fs::read_dir(out.join("search"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("d-"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_text_edit_rewrites_only_its_own_document_shard() {
    // Shards are packed by the most each kind keeps, not by each text's
    // length: a text growing or shrinking moves no boundary.
    let (site, _) = crate::search::chatty();
    let opts = site.options();
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).expect("the site builds");
    let comments = site.root().join("content/comments/post-9.yaml");
    let post = site.root().join("content/posts/post-17.md");
    let edits: [(&str, &Path); 4] = [
        ("a short comment grows", &comments),
        ("a long comment shrinks", &comments),
        ("a post grows", &post),
        ("a post shrinks", &post),
    ];
    let mut log = Vec::new();
    for (what, path) in edits {
        let text = fs::read_to_string(path).unwrap();
        let long = "Soil and seeds and the weather this spring. ".repeat(20);
        let edited = match what {
            "a short comment grows" => text.replacen("zz9c1 Noted.", &format!("zz9c1 {long}"), 1),
            "a long comment shrinks" => text.replacen(&format!("zz9c0 {long}"), "zz9c0 Noted.", 1),
            "a post grows" => format!("{text}\n{long}\n"),
            _ => text.replacen(&format!("\n{long}\n"), "", 1),
        };
        assert_ne!(edited, text, "{what}");
        let before = doc_shards(&site.out());
        fs::write(path, edited).unwrap();
        log.push(what.to_owned());
        rebuild.rebuild(&opts, &[path.to_owned()]).expect("rebuild");
        let after = doc_shards(&site.out());
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{what}"
        );
        let changed: Vec<&String> = before
            .iter()
            .filter(|(name, bytes)| after[*name] != **bytes)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(changed.len(), 1, "{what}: {changed:?}");
        salon::build(&clean_opts).expect("clean build");
        assert_same_output(&site.out(), &clean_opts.output_dir(), &log);
    }
}
