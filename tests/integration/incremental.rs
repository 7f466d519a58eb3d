//! Watch mode's incremental rebuilds: after any sequence of edits the
//! output is byte for byte a clean build's, and an edit renders only the
//! pages it can change.

use std::fs;
use std::path::{Path, PathBuf};

use salon::incremental::Incremental;
use salon::serve::Rebuild;
use salon::BuildOptions;

use crate::common::{clean_twin, output_files, post, rewritten_paths, sel, Site, CONFIG};

/// Fails with the first difference between two output trees.
pub(crate) fn assert_same_output(incremental: &Path, clean: &Path, log: &[String]) {
    let a = output_files(incremental);
    let b = output_files(clean);
    let only_a: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "after {log:#?}\nonly in the incremental output: {only_a:?}\nonly in the clean build: {only_b:?}"
    );
    for (path, bytes) in &a {
        let other = &b[path];
        if bytes != other {
            let at = bytes
                .iter()
                .zip(other)
                .position(|(x, y)| x != y)
                .unwrap_or(bytes.len().min(other.len()));
            let around = |v: &[u8]| {
                String::from_utf8_lossy(&v[at.saturating_sub(120)..(at + 120).min(v.len())])
                    .into_owned()
            };
            panic!(
                "after {log:#?}\n{path} differs at byte {at}:\nincremental: …{}…\nclean:       …{}…",
                around(bytes),
                around(other)
            );
        }
    }
}

/// A small deterministic random stream (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The paths of `changed` outside the search index's folder.
fn outside_search(changed: &[String]) -> Vec<&str> {
    changed
        .iter()
        .map(String::as_str)
        .filter(|p| !p.starts_with("search/"))
        .collect()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file());
    v.sort();
    v
}

/// Replaces the first line starting with `key:` in the front matter, or
/// adds one.
fn set_field(path: &Path, key: &str, value: &str) {
    let text = fs::read_to_string(path).unwrap();
    let (fm, body) = text[4..].split_once("\n---").unwrap();
    let mut lines: Vec<String> = fm
        .lines()
        .filter(|l| !l.starts_with(&format!("{key}:")))
        .map(str::to_owned)
        .collect();
    lines.push(format!("{key}: {value}"));
    fs::write(path, format!("---\n{}\n---{body}", lines.join("\n"))).unwrap();
}

fn append(path: &Path, text: &str) {
    let mut old = fs::read_to_string(path).unwrap();
    old.push_str(text);
    fs::write(path, old).unwrap();
}

fn new_post(n: usize, date: &str, tags: &str) -> String {
    format!(
        "---\ntitle: Added post {n}\ndate: {date}\nauthors: [luciaf]\ntags: [{tags}]\n---\nA new post, number {n}, about @samirh and [[members/amarao]].\n\n<!-- more -->\n\nMore text.\n"
    )
}

/// Applies one random edit and returns what it did and the paths it
/// touched.
fn random_edit(
    site: &Site,
    rng: &mut Rng,
    step: usize,
    added: &mut Vec<PathBuf>,
) -> (String, Vec<PathBuf>) {
    let root = site.root();
    let posts = files_in(&root.join("content/posts"));
    let post = rng.pick(&posts).clone();
    let tags: &[&str] = &[
        "Community",
        "Moderation",
        "Fresh Tag",
        "Knowledge Management",
        "Archives",
    ];
    match rng.below(20) {
        0..=3 => {
            // Now and then with letters beyond ASCII, which the search
            // index lists in its fold table while some document uses them.
            let word = ["café", "naïve", "Zürich", "plain"][step % 4];
            append(
                &post,
                &format!("\n\nAn edit in step {step}, with *emphasis* and {word}.\n"),
            );
            (format!("body edit of {}", post.display()), vec![post])
        }
        4 => {
            let text = fs::read_to_string(&post).unwrap();
            // An edit inside the summary, before `<!-- more -->`.
            let text = text.replacen(
                "\n---\n",
                &format!("\n---\nStep {step} opens this post. "),
                1,
            );
            fs::write(&post, text).unwrap();
            (format!("summary edit of {}", post.display()), vec![post])
        }
        5 => {
            set_field(&post, "title", &format!("\"Retitled in step {step}\""));
            (format!("title of {}", post.display()), vec![post])
        }
        6 => {
            let a = *rng.pick(tags);
            let b = *rng.pick(tags);
            set_field(&post, "tags", &format!("[{a}, {b}]"));
            (
                format!("tags of {} to {a}, {b}", post.display()),
                vec![post],
            )
        }
        7 => {
            append(
                &post,
                &format!(
                    "\nSee [[members/{}]] and @hmensah.\n",
                    rng.pick(&["amarao", "tnowak", "luciaf"])
                ),
            );
            (format!("new links in {}", post.display()), vec![post])
        }
        8 => {
            let path = root.join(format!("content/posts/added-{step}.md"));
            // Up to 2027: some are dated after the moving clock, held
            // back until it passes their date.
            let date = format!(
                "20{:02}-0{}-1{}",
                15 + rng.below(13),
                1 + rng.below(9),
                rng.below(10)
            );
            fs::write(&path, new_post(step, &date, tags[rng.below(tags.len())])).unwrap();
            added.push(path.clone());
            (
                format!("new post {} dated {date}", path.display()),
                vec![path],
            )
        }
        9 if !added.is_empty() => {
            let path = added.remove(rng.below(added.len()));
            fs::remove_file(&path).unwrap();
            (format!("deleted {}", path.display()), vec![path])
        }
        10 if !added.is_empty() => {
            let i = rng.below(added.len());
            let to = root.join(format!("content/posts/renamed-{step}.md"));
            fs::rename(&added[i], &to).unwrap();
            let from = std::mem::replace(&mut added[i], to.clone());
            (
                format!("renamed {} to {}", from.display(), to.display()),
                vec![from, to],
            )
        }
        11 => {
            let files = files_in(&root.join("content/comments"));
            let file = rng.pick(&files).clone();
            append(&file, &format!("- id: step-{step}\n  author: Wen Zhao\n  date: 2025-0{}-02T10:00:00Z\n  body: \"<p>Comment of step {step}.</p>\"\n", 1 + rng.below(9)));
            (format!("comment added to {}", file.display()), vec![file])
        }
        12 => {
            let files = files_in(&root.join("content/members"));
            let file = rng.pick(&files).clone();
            append(&file, &format!("\nUpdated in step {step}.\n"));
            (format!("bio of {}", file.display()), vec![file])
        }
        13 => {
            let files = files_in(&root.join("content/threads"));
            let file = rng.pick(&files).clone();
            let text = fs::read_to_string(&file).unwrap();
            let title = text
                .lines()
                .find(|l| l.starts_with("title:"))
                .unwrap()
                .to_owned();
            fs::write(
                &file,
                text.replacen(&title, &format!("title: Thread retitled in step {step}"), 1),
            )
            .unwrap();
            (format!("title of {}", file.display()), vec![file])
        }
        14 => {
            let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
            let name = *rng.pick(&["post.html", "base.html", "member.html", "term.html"]);
            let text = fs::read_to_string(theme.join(name)).unwrap();
            let path = root.join("templates").join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            let marked = text.replacen("</h1>", &format!("</h1><!-- step {step} -->"), 1);
            fs::write(
                &path,
                if marked == text {
                    format!("{text}<!-- step {step} -->")
                } else {
                    marked
                },
            )
            .unwrap();
            (format!("template {name}"), vec![path])
        }
        15 => {
            // A commenter's name becomes a member's (and back): comments
            // already linked to nobody now link to them.
            let path = root.join("content/members/tnowak.md");
            let text = fs::read_to_string(&path).unwrap();
            let (from, to) = ("aka: [\"Tomek\"", "aka: [\"Oliver Tang\", \"Tomek\"");
            let (from, to) = if text.contains(to) {
                (to, from)
            } else {
                (from, to)
            };
            fs::write(&path, text.replacen(from, to, 1)).unwrap();
            (format!("aka of tnowak: {to}"), vec![path])
        }
        16 => {
            // A member joins, or the one who joined leaves: handles change,
            // so everything is parsed again.
            let path = root.join("content/members/newcomer.md");
            if path.exists() {
                fs::remove_file(&path).unwrap();
                ("member newcomer left".into(), vec![path])
            } else {
                fs::write(&path, "---\nname: New Comer\n---\nJust arrived.\n").unwrap();
                ("member newcomer joined".into(), vec![path])
            }
        }
        17 => {
            let path = root.join(format!("static/files/note-{}.txt", step % 2));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, format!("static file of step {step}\n")).unwrap();
            (format!("static {}", path.display()), vec![path])
        }
        18 => {
            let path = root.join("salon.yaml");
            let text = fs::read_to_string(&path).unwrap();
            let line = text
                .lines()
                .find(|l| l.starts_with("paginate:"))
                .unwrap()
                .to_owned();
            let per = if line.ends_with(" 5") { 4 } else { 5 };
            fs::write(&path, text.replacen(&line, &format!("paginate: {per}"), 1)).unwrap();
            (format!("paginate {per}"), vec![path])
        }
        _ => {
            // A broken post, fixed by a later step rewriting it.
            let path = root.join("content/posts/broken.md");
            if path.exists() {
                fs::write(&path, new_post(step, "2024-02-02", "Community")).unwrap();
                (format!("fixed {}", path.display()), vec![path])
            } else {
                fs::write(&path, "---\ntitle: [unclosed\n---\nBody\n").unwrap();
                (format!("broke {}", path.display()), vec![path])
            }
        }
    }
}

#[test]
fn random_edits_give_the_same_output_as_a_clean_build() {
    let site = Site::demo();
    let clean_dir = tempfile::tempdir().unwrap();
    // The clock moves 12 days a step from mid-2024, past the demo's last
    // posts and the future-dated posts the edits add, which are held back
    // until it reaches them.
    let at = |step: usize| {
        let start = chrono::DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z").unwrap();
        Some(start.to_utc() + chrono::Duration::days(12 * step as i64))
    };
    let mut opts = BuildOptions {
        now: at(0),
        ..site.options()
    };
    let mut rebuild = Incremental::new();
    let first = rebuild.rebuild(&opts, &[]).expect("the demo builds");
    assert!(first.scheduled > 0, "the demo's 2025 and 2026 posts wait");
    let mut rng = Rng(0x5a10_2026);
    let mut added = Vec::new();
    let mut log = Vec::new();
    let mut patched = 0;
    for step in 0..80 {
        let (what, paths) = random_edit(&site, &mut rng, step, &mut added);
        log.push(what);
        opts.now = at(step + 1);
        let clean_opts = BuildOptions {
            output: Some(clean_dir.path().join("out")),
            ..opts.clone()
        };
        let incremental = rebuild.rebuild(&opts, &paths);
        let clean = salon::build(&clean_opts);
        assert_eq!(
            incremental.is_ok(),
            clean.is_ok(),
            "after {log:#?}\nincremental: {:?}\nclean: {:?}",
            incremental.as_ref().err(),
            clean.as_ref().err()
        );
        if let Ok(r) = &incremental {
            if r.rendered < r.files {
                patched += 1;
            }
            assert_same_output(
                &opts.output_dir(),
                clean_dir.path().join("out").as_path(),
                &log,
            );
        }
    }
    assert!(
        patched > 30,
        "most edits should render only part of the site ({patched} did)"
    );
    // The manifest is a clean build's too: nothing left to do.
    rebuild.flush().unwrap();
    let r = salon::build(&opts).unwrap();
    assert!(
        r.up_to_date,
        "a build after the edits should find nothing to do"
    );
}

/// Rewrites every wikilink under `content/` as its plain words: a site
/// without wikilinks links again by lending its backlinks.
fn without_wikilinks(root: &Path) {
    for dir in ["posts", "pages", "members", "threads"] {
        for file in files_in(&root.join("content").join(dir)) {
            let text = fs::read_to_string(&file).unwrap();
            fs::write(&file, text.replace("[[", "").replace("]]", "")).unwrap();
        }
    }
}

/// An edit a writer makes to a site without wikilinks: titles and tags
/// most often (a tag added, removed, or new to the site), links and
/// mentions, bodies, dates, a thread's title, a bio.
fn random_front_matter_edit(site: &Site, rng: &mut Rng, step: usize) -> (String, Vec<PathBuf>) {
    let root = site.root();
    let posts = files_in(&root.join("content/posts"));
    let post = rng.pick(&posts).clone();
    let tags = ["Community", "Moderation", "Archives", "Fresh Tag"];
    let what = match rng.below(10) {
        0..=1 => {
            set_field(&post, "title", &format!("\"Retitled in step {step}\""));
            "title"
        }
        2 => {
            let (a, b) = (rng.pick(&tags), rng.pick(&tags));
            set_field(&post, "tags", &format!("[{a}, {b}]"));
            "tags"
        }
        3 => {
            set_field(&post, "tags", "[]");
            "tags removed"
        }
        4 => {
            set_field(
                &post,
                "tags",
                &format!("[{}, Step {step}]", rng.pick(&tags)),
            );
            "a new tag"
        }
        5 => {
            let to = rng.pick(&[
                "/posts/moderation-is-gardening/",
                "/threads/what-is-twitter-for/",
                "/members/samirh/",
            ]);
            let who = rng.pick(&["amarao", "tnowak", "luciaf"]);
            append(&post, &format!("\nSee [this]({to}) and @{who}.\n"));
            "a link and a mention"
        }
        6 => {
            append(&post, &format!("\nAn edit in step {step}.\n"));
            "body"
        }
        7 => {
            let date = format!(
                "20{:02}-0{}-1{}",
                18 + rng.below(6),
                1 + rng.below(9),
                rng.below(10)
            );
            set_field(&post, "date", &date);
            "date"
        }
        8 => {
            let files = files_in(&root.join("content/threads"));
            let file = rng.pick(&files).clone();
            set_field(&file, "title", &format!("Thread retitled in step {step}"));
            return (format!("title of {}", file.display()), vec![file]);
        }
        _ => {
            let files = files_in(&root.join("content/members"));
            let file = rng.pick(&files).clone();
            append(&file, &format!("\nUpdated in step {step}, with @luciaf.\n"));
            return (format!("bio of {}", file.display()), vec![file]);
        }
    };
    (format!("{what} of {}", post.display()), vec![post])
}

/// Title and tag edits on a site without wikilinks relink lending the
/// backlinks and the cards of what they cannot reach: the output stays
/// a clean build's.
#[test]
fn title_and_tag_edits_without_wikilinks_give_the_same_output_as_a_clean_build() {
    let site = Site::demo();
    without_wikilinks(site.root());
    let at = chrono::DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z").unwrap();
    let opts = BuildOptions {
        now: Some(at.to_utc()),
        ..site.options()
    };
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).expect("the demo builds");
    let mut rng = Rng(0x7a65_2026);
    let mut log = Vec::new();
    for step in 0..60 {
        let (what, paths) = random_front_matter_edit(&site, &mut rng, step);
        log.push(what);
        let incremental = rebuild.rebuild(&opts, &paths);
        let clean = salon::build(&clean_opts);
        assert_eq!(
            incremental.is_ok(),
            clean.is_ok(),
            "after {log:#?}\nincremental: {:?}\nclean: {:?}",
            incremental.as_ref().err(),
            clean.as_ref().err()
        );
        assert_same_output(&opts.output_dir(), &clean_opts.output_dir(), &log);
    }
}

#[test]
fn a_body_edit_renders_its_post_and_the_listings_showing_its_summary() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    let first = rebuild.rebuild(&opts, &[]).unwrap();
    let post = site
        .root()
        .join("content/posts/2022-03-14-tacit-knowledge-and-the-faq-trap.md");

    // A body edit: the post page, the site feeds (full content), and the
    // listings that show its summary (its word count changed): the home
    // page, its tags', category's, month's, year's and author's pages and
    // feeds (Atom and JSON), the posts that list it as related. Not the
    // site.
    append(&post, "\n\nA closing thought.\n");
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&post)).unwrap();
    eprintln!(
        "body edit: {} rendered, {} written of {}",
        r.rendered, r.written, r.files
    );
    assert!(
        r.rendered >= 2 && r.rendered <= 30,
        "{} rendered of {}",
        r.rendered,
        r.files
    );
    assert!(r.written >= 2 && r.written <= r.rendered);
    assert_eq!(r.files, first.files);

    let text = fs::read_to_string(&post).unwrap();
    fs::write(
        &post,
        text.replacen("A closing thought.", "A closing idea.", 1),
    )
    .unwrap();
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&post)).unwrap();
    eprintln!(
        "same-length edit: {} rendered, {} written",
        r.rendered, r.written
    );
    assert_eq!(
        (r.rendered, r.written),
        (6, 6),
        "the word count stays: the post page, the site's Atom and JSON feeds, and the search index's manifest, (on this small site, only) term shard and the document shard holding the post's text"
    );

    // Saving without a change renders nothing that differs, writes nothing.
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&post)).unwrap();
    assert_eq!((r.rendered, r.written), (0, 0));
}

#[test]
fn a_template_edit_renders_the_pages_that_use_it() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let text = fs::read_to_string(theme.join("member.html")).unwrap();
    site.write("templates/member.html", &format!("{text}<!-- changed -->"));
    let r = rebuild
        .rebuild(&opts, &[site.root().join("templates/member.html")])
        .unwrap();
    let members = fs::read_dir(site.root().join("content/members"))
        .unwrap()
        .count();
    assert_eq!(r.rendered, members, "one page per member, nothing else");
}

#[test]
fn a_partial_edit_renders_every_page_that_shows_it() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let text = fs::read_to_string(theme.join("footer.html")).unwrap();
    assert!(text.contains("class=\"footer-generator\""));
    site.write(
        "templates/footer.html",
        &text.replace(
            "class=\"footer-generator\"",
            "class=\"footer-generator edited\"",
        ),
    );
    rebuild
        .rebuild(&opts, &[site.root().join("templates/footer.html")])
        .unwrap();
    // The manifest is written in the background; wait for it.
    rebuild.flush().unwrap();
    let (mut footers, mut edited) = (0, 0);
    for (path, bytes) in output_files(&opts.output_dir()) {
        if path.ends_with(".html") {
            let page = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
            footers += page.select(&sel("footer.site-footer")).count();
            edited += page.select(&sel("footer .footer-generator.edited")).count();
        }
    }
    assert!(footers > 20, "only {footers} footers");
    assert_eq!(edited, footers, "every footer is the edited one");
}

#[test]
fn a_broken_file_fails_the_rebuild_and_fixing_it_recovers() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let before = output_files(&opts.output_dir());
    let post = site
        .root()
        .join("content/posts/2022-03-14-tacit-knowledge-and-the-faq-trap.md");
    let good = fs::read_to_string(&post).unwrap();
    fs::write(&post, good.replacen("title:", "title: [unclosed", 1)).unwrap();
    let err = rebuild
        .rebuild(&opts, std::slice::from_ref(&post))
        .unwrap_err();
    let salon::Error::Content(diags) = err else {
        panic!("expected a content error")
    };
    assert!(diags[0]
        .path
        .ends_with("2022-03-14-tacit-knowledge-and-the-faq-trap.md"));
    assert!(diags[0].position.is_some());
    assert_eq!(
        output_files(&opts.output_dir()),
        before,
        "the last good site stays"
    );

    // Another file edited meanwhile is still an error build.
    let other = site
        .root()
        .join("content/posts/2019-01-14-what-a-community-of-practice-is.md");
    append(&other, "\nMore.\n");
    assert!(rebuild
        .rebuild(&opts, std::slice::from_ref(&other))
        .is_err());

    fs::write(&post, good.replacen("\n---\n", "\n---\nFixed. ", 1)).unwrap();
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&post)).unwrap();
    assert!(r.written >= 2, "both edits are published");
    let clean = tempfile::tempdir().unwrap();
    salon::build(&BuildOptions {
        output: Some(clean.path().join("out")),
        ..site.options()
    })
    .unwrap();
    assert_same_output(
        &opts.output_dir(),
        &clean.path().join("out"),
        &["fix".into()],
    );
}

#[test]
fn a_member_feed_follows_an_edit_of_their_comment() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let file = site
        .root()
        .join("content/comments/moderation-is-gardening.yaml");
    let text = fs::read_to_string(&file).unwrap();
    // Kenji's comment (`member: kwatanabe`), which his feeds list.
    let marker = "Edited while watching";
    let edited = text.replacen("<p>Mine too.", &format!("<p>{marker}."), 1);
    assert_ne!(edited, text);
    fs::write(&file, edited).unwrap();
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&file)).unwrap();
    assert!(r.rendered < r.files, "an edit, not a full build");
    let out = opts.output_dir();
    let atom = fs::read_to_string(out.join("members/kwatanabe/feed.xml")).unwrap();
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let contents: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("content"))
        .filter_map(|n| n.text())
        .collect();
    assert!(contents.iter().any(|c| c.contains(marker)), "{contents:#?}");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("members/kwatanabe/feed.json")).unwrap())
            .unwrap();
    assert!(json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["content_html"].as_str().unwrap().contains(marker)));
    let clean = tempfile::tempdir().unwrap();
    salon::build(&BuildOptions {
        output: Some(clean.path().join("out")),
        ..site.options()
    })
    .unwrap();
    assert_same_output(&out, &clean.path().join("out"), &["comment edit".into()]);
}

#[test]
fn a_tag_description_edit_renders_the_tag_page() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let file = site.root().join("content/tags/moderation.md");
    let marker = "Edited while watching";
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{text}\n{marker}.\n")).unwrap();
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&file)).unwrap();
    assert!(r.rendered < r.files, "an edit, not a full build");
    let out = opts.output_dir();
    let page = fs::read_to_string(out.join("tags/moderation/index.html")).unwrap();
    assert!(page.contains(marker));
    // A new description file for another tag, then that file removed.
    let added = site.root().join("content/tags/community.md");
    fs::write(&added, "---\n---\nAll of us.\n").unwrap();
    rebuild
        .rebuild(&opts, std::slice::from_ref(&added))
        .unwrap();
    let page = fs::read_to_string(out.join("tags/community/index.html")).unwrap();
    assert!(page.contains("All of us."));
    fs::remove_file(&added).unwrap();
    rebuild
        .rebuild(&opts, std::slice::from_ref(&added))
        .unwrap();
    let page = fs::read_to_string(out.join("tags/community/index.html")).unwrap();
    assert!(!page.contains("All of us."));
    let clean = tempfile::tempdir().unwrap();
    salon::build(&BuildOptions {
        output: Some(clean.path().join("out")),
        ..site.options()
    })
    .unwrap();
    assert_same_output(
        &out,
        &clean.path().join("out"),
        &["tag description edits".into()],
    );
}

#[test]
fn link_warnings_stay_after_a_title_edit_and_follow_a_link_that_moved() {
    let site = Site::demo();
    site.write(
        "content/posts/2099-01-01-later.md",
        "---\ntitle: Later\nauthors: [amarao]\n---\nNot yet.\n",
    );
    let linking = site
        .root()
        .join("content/posts/2020-06-08-lurkers-are-members-too.md");
    let text = fs::read_to_string(&linking).unwrap();
    fs::write(
        &linking,
        format!("{text}\nSee [what comes](/posts/later/).\n"),
    )
    .unwrap();
    let other = site
        .root()
        .join("content/posts/2019-09-23-social-crm-is-a-conversation.md");
    let opts = site.options();
    let mut rebuild = Incremental::new();
    // The warning at the link: its file and line.
    let at_link = |r: &salon::BuildReport| -> Vec<(String, usize)> {
        r.warnings
            .iter()
            .filter(|w| w.message.contains("`/posts/later/`"))
            .map(|w| {
                let file = w.path.file_name().unwrap().to_string_lossy().into_owned();
                (file, w.position.map_or(0, |p| p.line))
            })
            .collect()
    };
    let file = "2020-06-08-lurkers-are-members-too.md".to_owned();
    let first = rebuild.rebuild(&opts, &[]).unwrap();
    let line = fs::read_to_string(&linking)
        .unwrap()
        .lines()
        .position(|l| l.contains("/posts/later/"))
        .unwrap()
        + 1;
    assert_eq!(at_link(&first), vec![(file.clone(), line)]);

    // Another post's title: the same files, the same links.
    set_field(&other, "title", "Social CRM, Again");
    let r = rebuild
        .rebuild(&opts, std::slice::from_ref(&other))
        .unwrap();
    assert_eq!(at_link(&r), vec![(file.clone(), line)]);

    // Two lines before the link: a body edit, patched in place; the next
    // relink reports the link where it is now.
    let text = fs::read_to_string(&linking).unwrap();
    fs::write(
        &linking,
        text.replacen("See [what comes]", "One more.\n\nSee [what comes]", 1),
    )
    .unwrap();
    rebuild
        .rebuild(&opts, std::slice::from_ref(&linking))
        .unwrap();
    set_field(&other, "title", "Social CRM, Once More");
    let r = rebuild
        .rebuild(&opts, std::slice::from_ref(&other))
        .unwrap();
    assert_eq!(at_link(&r), vec![(file.clone(), line + 2)]);
}

#[test]
fn a_link_to_a_tag_page_holds_while_tags_come_and_breaks_when_its_tag_goes() {
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2024-01-01\ntags: [Solo]", "Alone."),
            ),
            (
                "content/posts/b.md",
                &post(
                    "title: B\ndate: 2024-01-02",
                    "See [the solo tag](/tags/solo/).",
                ),
            ),
            (
                "content/posts/c.md",
                &post("title: C\ndate: 2024-01-03\ntags: [Other]", "Else."),
            ),
        ],
    );
    let opts = site.options();
    let mut rebuild = Incremental::new();
    let first = rebuild.rebuild(&opts, &[]).unwrap();
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    // New pages, none gone: the links are not checked again, and hold.
    let c = site.root().join("content/posts/c.md");
    set_field(&c, "tags", "[Other, Fresh]");
    let grown = rebuild.rebuild(&opts, std::slice::from_ref(&c)).unwrap();
    assert!(
        grown.files > first.files,
        "{} then {}",
        first.files,
        grown.files
    );
    // The tag's page goes: the link leads nowhere, at its line.
    let a = site.root().join("content/posts/a.md");
    set_field(&a, "tags", "[]");
    let Err(salon::Error::Content(diags)) = rebuild.rebuild(&opts, std::slice::from_ref(&a)) else {
        panic!("a link to a page that went must fail the rebuild");
    };
    let broken: Vec<_> = diags
        .iter()
        .filter(|d| d.message.contains("`/tags/solo/` leads nowhere"))
        .collect();
    assert_eq!(broken.len(), 1, "{diags:?}");
    assert!(broken[0].path.ends_with("content/posts/b.md"));
    // Its page back: the rebuild passes again.
    set_field(&a, "tags", "[Solo]");
    rebuild.rebuild(&opts, std::slice::from_ref(&a)).unwrap();
}

/// A site where member `ana` commented once on each of six posts by `bo`
/// (the newest comment on `p6`), her profile cut `per` comments a page.
fn commenter_site(per: usize) -> Site {
    let mut files: Vec<(String, String)> = vec![
        (
            "content/members/ana.md".into(),
            "---\nname: Ana\n---\n\nReads.\n".into(),
        ),
        (
            "content/members/bo.md".into(),
            "---\nname: Bo\n---\n\nWrites.\n".into(),
        ),
    ];
    for i in 1..=6 {
        files.push((
            format!("content/posts/p{i}.md"),
            post(
                &format!("title: Post {i}\ndate: 2024-01-0{i}T10:00:00Z\nauthors: [bo]"),
                "Text.",
            ),
        ));
        files.push((
            format!("content/comments/p{i}.yaml"),
            format!(
                "- id: c1\n  author: Ana\n  member: ana\n  date: 2024-02-0{i}T10:00:00Z\n  body: \"<p>On {i}.</p>\"\n"
            ),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Site::new(&format!("{CONFIG}paginate_entries: {per}\n"), &files)
}

#[test]
fn a_retitled_post_renders_only_the_profile_page_that_lists_it() {
    // Pages rendered after retitling p6, whose comment by Ana is the
    // first of her profile, with her profile on one page or three.
    let rendered = |per: usize| {
        let site = commenter_site(per);
        let opts = site.options();
        let mut rebuild = Incremental::new();
        let first = rebuild.rebuild(&opts, &[]).unwrap();
        let p6 = site.root().join("content/posts/p6.md");
        let text = fs::read_to_string(&p6).unwrap();
        fs::write(&p6, text.replacen("title: Post 6", "title: Post Six", 1)).unwrap();
        let r = rebuild.rebuild(&opts, std::slice::from_ref(&p6)).unwrap();
        let page = site.read("members/ana/index.html");
        assert!(page.contains("Post Six"), "page 1 lists the new title");
        let pages = (2..)
            .take_while(|n| site.out().join(format!("members/ana/page/{n}")).exists())
            .count();
        eprintln!(
            "{per} a page: {} files, {} rendered",
            first.files, r.rendered
        );
        (pages, r.rendered)
    };
    let (no_more, one) = rendered(50);
    let (two_more, three) = rendered(2);
    assert_eq!(
        (no_more, two_more),
        (0, 2),
        "Ana's profile takes one page or three"
    );
    assert_eq!(
        three, one,
        "her pages 2 and 3 list other posts: they are not rendered again"
    );
}

/// Whether a rebuild patched the linked site in place rather than
/// linking it again.
fn was_patched(r: &salon::BuildReport) -> bool {
    r.timings
        .stages
        .iter()
        .any(|s| s.1 == "posts and threads patched")
}

/// The lines of `text` where an entry's `text:` block starts.
fn entry_text_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("text: ") && l.ends_with('-'))
        .map(|(i, _)| i)
        .collect()
}

/// Applies one random edit to a thread (most of them to the text of its
/// messages only, which watch mode patches in place; some to what it is
/// made of, which needs a relink) or to a post's body, and returns what
/// it did, the paths it touched and whether it changed only text.
fn random_thread_edit(site: &Site, rng: &mut Rng, step: usize) -> (String, Vec<PathBuf>, bool) {
    let root = site.root();
    let threads = files_in(&root.join("content/threads"));
    let file = rng.pick(&threads).clone();
    let text = fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let starts = entry_text_lines(&text);
    let at = *rng.pick(&starts);
    let indent = " ".repeat(lines[at + 1].len() - lines[at + 1].trim_start().len());
    let write = |lines: &[String]| fs::write(&file, format!("{}\n", lines.join("\n"))).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    match rng.below(12) {
        0..=3 => {
            // A sentence more: the messages after it move down a line.
            let word = ["café", "naïve", "Zürich", "plain"][step % 4];
            lines.insert(
                at + 1,
                format!("{indent}Step {step} adds a sentence with *emphasis* and {word}."),
            );
            write(&lines);
            (
                format!("message text of {name}, line {at}"),
                vec![file],
                true,
            )
        }
        4..=5 => {
            // On the same line: nothing moves.
            lines[at + 1].push_str(&format!(" Said again in step {step}."));
            write(&lines);
            (
                format!("same-line text of {name}, line {at}"),
                vec![file],
                true,
            )
        }
        6 => {
            // A new wikilink and mention: the thread's links change.
            let who = *rng.pick(&["amarao", "tnowak", "luciaf"]);
            lines.insert(
                at + 1,
                format!("{indent}See [[members/{who}]] and @hmensah."),
            );
            write(&lines);
            (format!("new links in {name}, line {at}"), vec![file], false)
        }
        7 => {
            // Another author for a message.
            let by = lines[..at]
                .iter()
                .rposition(|l| l.trim_start().starts_with("by: "))
                .unwrap();
            let who = *rng.pick(&["luciaf", "Wen Zhao", "samirh"]);
            let indent = &lines[by][..lines[by].len() - lines[by].trim_start().len()];
            lines[by] = format!("{indent}by: {who}");
            write(&lines);
            (
                format!("author of a message of {name}: {who}"),
                vec![file],
                false,
            )
        }
        8 => {
            // A message added at the end of the entries.
            let end = lines.iter().rposition(|l| l == "---").unwrap();
            lines.insert(
                end,
                format!(
                    "  - id: step-{step}\n    by: luciaf\n    reply_to: 1\n    date: 2021-0{}-01T10:00:00Z\n    text: A reply added in step {step}.",
                    1 + rng.below(9)
                ),
            );
            write(&lines);
            (format!("message added to {name}"), vec![file], false)
        }
        9 => {
            // Text of a thread and a post's body in one batch.
            lines.insert(at + 1, format!("{indent}Step {step} edits two files."));
            write(&lines);
            let posts = files_in(&root.join("content/posts"));
            let post = rng.pick(&posts).clone();
            append(&post, &format!("\n\nAnd a post in step {step}.\n"));
            (
                format!("text of {name} and body of {}", post.display()),
                vec![file, post],
                true,
            )
        }
        10 => {
            // A title: every listing of the thread changes.
            let title = lines.iter().position(|l| l.starts_with("title:")).unwrap();
            lines[title] = format!("title: Thread retitled in step {step}");
            write(&lines);
            (format!("title of {name}"), vec![file], false)
        }
        _ => {
            let posts = files_in(&root.join("content/posts"));
            let post = rng.pick(&posts).clone();
            append(&post, &format!("\n\nA post edit in step {step}.\n"));
            (format!("body edit of {}", post.display()), vec![post], true)
        }
    }
}

#[test]
fn random_thread_edits_give_the_same_output_as_a_clean_build() {
    let site = Site::demo();
    let opts = site.options();
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).expect("the demo builds");
    let mut rng = Rng(0x7e4d_2026);
    let mut log = Vec::new();
    let (mut patched, mut relinked) = (0, 0);
    for step in 0..40 {
        let (what, paths, text_only) = random_thread_edit(&site, &mut rng, step);
        log.push(what);
        let r = rebuild.rebuild(&opts, &paths).unwrap_or_else(|e| {
            panic!("after {log:#?}\n{e}");
        });
        salon::build(&clean_opts).expect("a clean build");
        // Text edits take the patch path, anything else links again.
        assert_eq!(was_patched(&r), text_only, "after {log:#?}");
        if text_only {
            patched += 1;
        } else {
            relinked += 1;
        }
        assert_same_output(&opts.output_dir(), &clean_opts.output_dir(), &log);
    }
    assert!(
        patched > 20 && relinked > 5,
        "{patched} patched, {relinked} relinked"
    );
}

#[test]
fn a_thread_text_edit_renders_the_thread_and_its_writers_pages_only() {
    let site = Site::demo();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    let first = rebuild.rebuild(&opts, &[]).unwrap();
    rebuild.flush().unwrap();
    let thread = site.root().join("content/threads/what-is-twitter-for.md");
    let text = fs::read_to_string(&thread).unwrap();
    let before = output_files(&opts.output_dir());
    let edited = text.replacen(
        "them is right. What would you say?",
        "them is right. What would you say, honestly?",
        1,
    );
    assert_ne!(edited, text);
    fs::write(&thread, edited).unwrap();
    let r = rebuild
        .rebuild(&opts, std::slice::from_ref(&thread))
        .unwrap();
    eprintln!(
        "thread text edit: {} rendered, {} written of {}",
        r.rendered, r.written, first.files
    );
    assert!(was_patched(&r), "a text edit is patched in place");
    rebuild.flush().unwrap();
    let after = output_files(&opts.output_dir());
    let changed = rewritten_paths(&before, &after);
    // The thread's page and feeds, its writer's (tnowak's) profile page
    // and feeds, and the search files its words are in: nothing else,
    // and nothing rendered for naught.
    let pages = outside_search(&changed);
    assert_eq!(
        pages,
        [
            "members/tnowak/feed.json",
            "members/tnowak/feed.xml",
            "members/tnowak/index.html",
            "threads/what-is-twitter-for/feed.json",
            "threads/what-is-twitter-for/feed.xml",
            "threads/what-is-twitter-for/index.html",
        ]
    );
    assert_eq!(r.rendered, changed.len(), "{changed:?}");
    let out = opts.output_dir();
    let page = fs::read_to_string(out.join("threads/what-is-twitter-for/index.html")).unwrap();
    assert!(page.contains("What would you say, honestly?"));
    let feed = fs::read_to_string(out.join("members/tnowak/feed.json")).unwrap();
    assert!(feed.contains("What would you say, honestly?"));
}

#[test]
fn a_thread_text_edit_that_splits_a_search_shard_writes_what_a_clean_build_does() {
    // 1,500 new words under one prefix: their term shard passes its
    // target size and splits into new files, and joins again once the
    // words go. The plan's search files are replaced in place: the new
    // shards must be written and the old ones removed, as a clean build's
    // output has them.
    let site = Site::demo();
    let opts = site.options();
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let thread = site.root().join("content/threads/what-is-twitter-for.md");
    let text = fs::read_to_string(&thread).unwrap();
    let shards = || -> Vec<String> {
        output_files(&opts.output_dir())
            .into_keys()
            .filter(|p| p.starts_with("search/"))
            .collect()
    };
    let before = shards();
    let words: Vec<String> = (0..1500)
        .map(|i| {
            format!(
                "zq{}{}{}",
                letter(i / 676),
                letter(i / 26 % 26),
                letter(i % 26)
            )
        })
        .collect();
    let edited = text.replacen(
        "them is right. What would you say?",
        &format!("them is right. What would you say? {}", words.join(" ")),
        1,
    );
    assert_ne!(edited, text);
    let mut log = vec!["1,500 new words in a message".to_owned()];
    for (step, now) in [edited, text].into_iter().enumerate() {
        fs::write(&thread, now).unwrap();
        let r = rebuild
            .rebuild(&opts, std::slice::from_ref(&thread))
            .unwrap();
        assert!(was_patched(&r), "after {log:?}: a text edit is patched");
        rebuild.flush().unwrap();
        let files = shards();
        if step == 0 {
            assert_ne!(files, before, "the shards split");
        } else {
            assert_eq!(files, before, "the shards joined again");
        }
        salon::build(&clean_opts).expect("a clean build");
        assert_same_output(&opts.output_dir(), &clean_opts.output_dir(), &log);
        log.push("the words taken out again".to_owned());
    }
}

fn letter(i: usize) -> char {
    (b'a' + (i % 26) as u8) as char
}

/// A site with members `ana` and `bo`, who wrote the six messages of one
/// thread in turn (`m1` to `m6`, no replies), and a thread and profile
/// page holding two messages each.
fn long_thread_site() -> Site {
    let mut thread = String::from("---\ntitle: Long talk\ndate: 2024-03-01\nentries:\n");
    for i in 1..=6 {
        let by = if i % 2 == 1 { "ana" } else { "bo" };
        thread.push_str(&format!(
            "  - id: m{i}\n    by: {by}\n    date: 2024-03-0{i}T10:00:00Z\n    text: Message number {i} of the talk.\n"
        ));
    }
    thread.push_str("---\n");
    Site::new(
        &format!("{CONFIG}paginate_entries: 2\n"),
        &[
            ("content/members/ana.md", "---\nname: Ana\n---\n\nReads.\n"),
            ("content/members/bo.md", "---\nname: Bo\n---\n\nWrites.\n"),
            ("content/threads/long-talk.md", &thread),
        ],
    )
}

#[test]
fn a_message_edit_renders_the_thread_page_and_the_profile_page_holding_it() {
    let site = long_thread_site();
    let opts = site.options();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    rebuild.flush().unwrap();
    let out = opts.output_dir();
    let before = output_files(&out);
    assert!(
        before.contains_key("threads/long-talk/page/3/index.html")
            && before.contains_key("members/ana/page/2/index.html"),
        "three thread pages, two profile pages for Ana: {:?}",
        before.keys().collect::<Vec<_>>()
    );
    // Message 3 is Ana's, on the thread's page 2 and her profile's page 1
    // (m1 and m3; m5 on page 2).
    let file = site.root().join("content/threads/long-talk.md");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replacen("Message number 3 of", "Message number three of", 1),
    )
    .unwrap();
    let r = rebuild.rebuild(&opts, std::slice::from_ref(&file)).unwrap();
    assert!(was_patched(&r), "a text edit is patched in place");
    rebuild.flush().unwrap();
    let after = output_files(&out);
    let changed = rewritten_paths(&before, &after);
    let pages = outside_search(&changed);
    assert_eq!(
        pages,
        [
            "members/ana/feed.xml",
            "members/ana/index.html",
            "threads/long-talk/feed.xml",
            "threads/long-talk/page/2/index.html",
        ]
    );
    // The thread's other pages, Ana's other page and Bo's pages are not
    // even rendered.
    assert_eq!(r.rendered, changed.len(), "{changed:?}");
    assert!(site
        .read("threads/long-talk/page/2/index.html")
        .contains("Message number three"));
    let (_clean_dir, clean_opts) = clean_twin(&opts);
    salon::build(&clean_opts).expect("a clean build");
    assert_same_output(&out, &clean_opts.output_dir(), &["m3 edited".into()]);
}

#[test]
fn post_cards_are_rendered_once_until_the_theme_changes() {
    let site = Site::demo();
    let opts = site.options();
    // A card that says when it was rendered (`now()` has nanoseconds).
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let card = fs::read_to_string(theme.join("post_card.html")).unwrap();
    let opening = "<article class=\"card post-card\">";
    assert!(card.contains(opening));
    let stamped = card.replace(
        opening,
        "<article class=\"card post-card\" data-made=\"{{ now() }}\">",
    );
    site.write("templates/post_card.html", &stamped);
    // The home page's cards: (post URL, when the card was made).
    let home_cards = || -> Vec<(String, String)> {
        let html = fs::read_to_string(opts.output_dir().join("index.html")).unwrap();
        let page = scraper::Html::parse_document(&html);
        page.select(&sel("article.post-card[data-made]"))
            .map(|card| {
                let link = card.select(&sel(".card-title a")).next().unwrap();
                (
                    link.value().attr("href").unwrap().to_owned(),
                    card.value().attr("data-made").unwrap().to_owned(),
                )
            })
            .collect()
    };
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let first = home_cards();
    assert!(first.len() >= 3, "{first:?}");

    // Retitling the newest post re-renders the home page: its card is
    // made again, every other card comes from the first build.
    let slug = first[0].0.trim_end_matches('/').rsplit('/').next().unwrap();
    // Its file is named by its slug, after a date or not.
    let newest = fs::read_dir(site.root().join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == format!("{slug}.md") || name.ends_with(&format!("-{slug}.md"))
        })
        .unwrap();
    let text = fs::read_to_string(&newest).unwrap();
    let title = text.lines().find(|l| l.starts_with("title:")).unwrap();
    fs::write(
        &newest,
        text.replacen(title, "title: Retitled for the cards", 1),
    )
    .unwrap();
    rebuild
        .rebuild(&opts, std::slice::from_ref(&newest))
        .unwrap();
    let second = home_cards();
    assert_eq!(second.len(), first.len());
    let html = fs::read_to_string(opts.output_dir().join("index.html")).unwrap();
    assert!(
        html.contains("Retitled for the cards"),
        "the home page shows the edit"
    );
    let remade: Vec<&String> = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(_, b)| &b.0)
        .collect();
    assert_eq!(
        remade.len(),
        1,
        "only the retitled post's card is made again: {remade:?}"
    );

    // An edit of the theme starts over: every card is made again.
    site.write(
        "templates/post_card.html",
        &format!("{stamped}<!-- edited -->"),
    );
    rebuild
        .rebuild(&opts, &[site.root().join("templates/post_card.html")])
        .unwrap();
    let third = home_cards();
    assert!(
        second.iter().zip(&third).all(|(a, b)| a.1 != b.1),
        "{second:?}\n{third:?}"
    );
}

/// 100 posts tagged "popular", one a page: taking the tag off the newest
/// post moves every page of its listing.
fn popular_site(extra: &[(&str, &str)]) -> (Site, PathBuf) {
    let mut files: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("content/posts/p{i:03}.md"),
                post(
                    &format!(
                        "title: Post {i}\ndate: 2020-01-{:02}T{:02}:00:00Z\ntags: [popular]",
                        1 + i / 24,
                        i % 24
                    ),
                    &format!("Text of post {i}."),
                ),
            )
        })
        .collect();
    files.extend(extra.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    let site = Site::generated(
        "title: Popular\nbase_url: https://example.org/\npaginate: 1\n",
        &files,
    );
    let newest = site.root().join("content/posts/p099.md");
    (site, newest)
}

/// The links of a page of `out` to tag pages.
fn tag_links(out: &Path, page: &str) -> Vec<String> {
    let html = fs::read_to_string(out.join(page)).unwrap();
    let doc = scraper::Html::parse_document(&html);
    doc.select(&sel("a[href*='/tags/']"))
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect()
}

/// The post titles a listing page of `out` links to.
fn listed_titles(out: &Path, page: &str) -> Vec<String> {
    let html = fs::read_to_string(out.join(page)).unwrap();
    let doc = scraper::Html::parse_document(&html);
    doc.select(&sel(".card-title a"))
        .map(|a| a.text().collect::<String>().trim().to_owned())
        .collect()
}

#[test]
fn a_tag_taken_off_a_post_publishes_its_page_before_the_listings_it_moves() {
    let (site, newest) = popular_site(&[]);
    let opts = site.options();
    let out = opts.output_dir();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    let page = "posts/p099/index.html";
    let listing = "tags/popular/index.html";
    assert!(tag_links(&out, page)
        .iter()
        .any(|l| l.ends_with("/tags/popular/")));
    assert_eq!(listed_titles(&out, listing), ["Post 99"]);
    assert!(out.join("tags/popular/page/100/index.html").is_file());

    set_field(&newest, "tags", "[other]");
    // What the folder held when each step was told.
    let mut steps: Vec<(Vec<String>, Vec<String>, Vec<String>)> = Vec::new();
    let r = rebuild
        .rebuild_in_steps(&opts, std::slice::from_ref(&newest), &mut |files| {
            steps.push((
                files.to_vec(),
                tag_links(&out, page),
                listed_titles(&out, listing),
            ))
        })
        .unwrap();
    assert_eq!(steps.len(), 2, "{steps:#?}");
    let (first, links, listed) = &steps[0];
    assert_eq!(first, &[page], "the post's own page, alone");
    assert!(
        links.iter().all(|l| !l.ends_with("/tags/popular/"))
            && links.iter().any(|l| l.ends_with("/tags/other/")),
        "the post's page shows its new tag when the first step is told: {links:?}"
    );
    assert_eq!(listed, &["Post 99"], "the listings come in the second step");
    let (rest, _, listed) = &steps[1];
    assert_eq!(listed, &["Post 98"]);
    assert!(!rest.iter().any(|f| f == page));
    for f in [
        listing,
        "tags/popular/page/99/index.html",
        "tags/other/index.html",
    ] {
        assert!(rest.iter().any(|x| x == f), "{f} in {rest:?}");
    }
    assert!(
        rest.iter().any(|f| f == "tags/popular/page/100/index.html"),
        "a page gone is named too"
    );
    assert!(!out.join("tags/popular/page/100/index.html").exists());
    assert_eq!(r.written, first.len() + rest.len() - r.removed);
    assert_eq!(r.written + r.unchanged, r.files);

    let (_guard, twin) = clean_twin(&opts);
    salon::build(&twin).unwrap();
    assert_same_output(&out, &twin.output_dir(), &["tag taken off".into()]);

    // A small change is published in one step.
    append(&newest, "\nOne more line.\n");
    let mut told = 0;
    rebuild
        .rebuild_in_steps(&opts, std::slice::from_ref(&newest), &mut |_| told += 1)
        .unwrap();
    assert_eq!(told, 1);
}

#[test]
fn when_the_listings_fail_the_page_published_first_is_put_back() {
    // A tag page that cannot be rendered: the post's page can.
    let term = crate::common::theme_template("term.html").replacen(
        "{% block content %}",
        "{% block content %}{% if term.name == \"boom\" %}{{ throw(message=\"no boom here\") }}{% endif %}",
        1,
    );
    let (site, newest) = popular_site(&[("templates/term.html", &term)]);
    let opts = site.options();
    let out = opts.output_dir();
    let mut rebuild = Incremental::new();
    rebuild.rebuild(&opts, &[]).unwrap();
    rebuild.flush().unwrap();
    let before = output_files(&out);
    let inputs = |out: &Path| {
        let manifest = fs::read_to_string(out.join(".salon-manifest")).unwrap();
        manifest
            .lines()
            .find(|l| l.starts_with("inputs "))
            .unwrap()
            .to_owned()
    };
    let stamp = inputs(&out);

    set_field(&newest, "tags", "[boom]");
    let mut steps: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let page = "posts/p099/index.html";
    let e = rebuild
        .rebuild_in_steps(&opts, std::slice::from_ref(&newest), &mut |files| {
            steps.push((files.to_vec(), tag_links(&out, page)))
        })
        .unwrap_err();
    assert!(e.to_string().contains("no boom here"), "{e}");
    assert_eq!(steps.len(), 2, "published, then put back: {steps:#?}");
    assert_eq!(steps[0].0, [page]);
    assert!(steps[0].1.iter().any(|l| l.ends_with("/tags/boom/")));
    assert_eq!(steps[1].0, [page], "the tabs showing it reload again");
    rebuild.flush().unwrap();
    assert_eq!(output_files(&out), before, "the output is as it was");
    assert_eq!(inputs(&out), stamp, "and so is the manifest's stamp");

    // Fixed, the change goes through and matches a clean build.
    set_field(&newest, "tags", "[other]");
    rebuild
        .rebuild(&opts, std::slice::from_ref(&newest))
        .unwrap();
    let (_guard, twin) = clean_twin(&opts);
    salon::build(&twin).unwrap();
    assert_same_output(&out, &twin.output_dir(), &["tag fixed".into()]);

    // A new post whose tag page fails: the page the first step made is
    // removed again.
    rebuild.flush().unwrap();
    let before = output_files(&out);
    let added = site.root().join("content/posts/p100.md");
    fs::write(
        &added,
        post(
            "title: Post 100\ndate: 2020-01-06T00:00:00Z\ntags: [boom]",
            "New.",
        ),
    )
    .unwrap();
    let mut steps: Vec<Vec<String>> = Vec::new();
    rebuild
        .rebuild_in_steps(&opts, std::slice::from_ref(&added), &mut |files| {
            steps.push(files.to_vec())
        })
        .unwrap_err();
    assert_eq!(
        steps,
        [["posts/p100/index.html"], ["posts/p100/index.html"]]
    );
    rebuild.flush().unwrap();
    assert!(!out.join("posts/p100").exists());
    assert_eq!(output_files(&out), before, "the output is as it was");
}
