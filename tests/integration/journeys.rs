//! The README's journeys, run as a user runs them: the built `salon`
//! binary, from inside the site folder (or naming it with `--source`:
//! relative, absolute, through a symlink, with spaces and non-ASCII
//! characters in its path), its output parsed.

use std::fs;
use std::path::{Path, PathBuf};

use scraper::Html;

use crate::binary::*;
use crate::common::*;

/// Where a command is run from and how it names the site.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// `cd site && salon ...`
    SiteFolder,
    /// `salon --source site ...` from the folder above.
    Relative,
    /// `salon --source /abs/site ...` from an unrelated folder.
    Absolute,
    /// `salon --source link ...` where `link` is a symlink to the site.
    Symlink,
    /// `salon --source "my sites/Café 社区" ...`
    SpacesAndUnicode,
}

/// A site folder somewhere below a temp dir, and how to reach it.
struct Placed {
    _tmp: tempfile::TempDir,
    /// The site folder itself.
    site: PathBuf,
    /// Where commands run.
    cwd: PathBuf,
    /// `--source X`, or nothing.
    source: Vec<String>,
}

impl Placed {
    /// The demo site, copied to a folder reached from `place`.
    fn demo(place: Place) -> Placed {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_path_buf();
        let site = match place {
            Place::SpacesAndUnicode => base.join("my sites").join("Café 社区"),
            _ => base.join("site"),
        };
        let demo = Site::demo();
        copy_dir(demo.root(), &site);
        let (cwd, source) = match place {
            Place::SiteFolder => (site.clone(), vec![]),
            Place::Relative => (base.clone(), vec!["--source".into(), "site".into()]),
            Place::Absolute => {
                let elsewhere = base.join("elsewhere");
                fs::create_dir(&elsewhere).unwrap();
                (
                    elsewhere,
                    vec!["--source".into(), site.to_string_lossy().into_owned()],
                )
            }
            Place::Symlink => {
                symlink_dir(&site, &base.join("link"));
                (base.clone(), vec!["--source".into(), "link".into()])
            }
            Place::SpacesAndUnicode => (
                base.clone(),
                vec!["--source".into(), "my sites/Café 社区".into()],
            ),
        };
        Placed {
            _tmp: tmp,
            site,
            cwd,
            source,
        }
    }

    /// The arguments of `salon ARGS` with `--source` where this place needs it.
    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all: Vec<&str> = self.source.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        all
    }

    fn run(&self, args: &[&str]) -> Ran {
        run(&self.cwd, &self.args(args))
    }

    fn live(&self, args: &[&str]) -> Live {
        Live::start(&self.cwd, &self.args(args))
    }

    /// A folder beside the site for a clean build to compare with.
    fn scratch(&self, name: &str) -> PathBuf {
        self.site.parent().unwrap().join(name)
    }
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::windows::fs::symlink_dir(target, link).unwrap();
}

const EDITED: &str = "content/posts/2019-01-14-what-a-community-of-practice-is.md";
const EDITED_URL: &str = "/posts/what-a-community-of-practice-is/";

/// Reads a page of the running site: over HTTP for `serve`, from the
/// output folder for `watch`. `None` when there is no such page.
fn view(live: &Live, out: &Path, url_path: &str) -> Option<Html> {
    let text = match &live.url {
        Some(url) => {
            let answer = get(&format!("{}{}", url.trim_end_matches('/'), url_path))?;
            match answer.status {
                200 => answer.body,
                404 => return None,
                other => panic!("GET {url_path}: status {other}"),
            }
        }
        None => fs::read_to_string(file_for(out, url_path)?).ok()?,
    };
    Some(Html::parse_document(&text))
}

/// The text of the element(s) matching `selector`, or "" when absent.
fn text_of(page: &Option<Html>, selector: &str) -> String {
    page.as_ref()
        .map(|p| texts(p, selector).join(" "))
        .unwrap_or_default()
}

/// Waits until `check` holds of the page at `url_path`.
fn until(
    live: &mut Live,
    out: &Path,
    url_path: &str,
    what: &str,
    check: impl Fn(&Option<Html>) -> bool,
) {
    let seen = eventually(PATIENCE, || check(&view(live, out, url_path)));
    assert!(
        seen,
        "{what}: {url_path} did not change\n{}",
        live.log().join("\n")
    );
}

/// The edits a writer makes while `serve` or `watch` runs, each awaited
/// on the page it changes; then the output must equal a clean build.
fn live_journey(place: Place, command: &str) {
    let placed = Placed::demo(place);
    let site = &placed.site;
    let out = site.join("public");
    let mut live = match command {
        "serve" => placed.live(&["serve", "--port", "0"]),
        _ => placed.live(&[command]),
    };
    assert_eq!(live.url.is_some(), command == "serve");
    assert!(
        view(&live, &out, EDITED_URL).is_some(),
        "the post is served"
    );

    // A plain write.
    let original = fs::read_to_string(site.join(EDITED)).unwrap();
    fs::write(
        site.join(EDITED),
        format!("{original}\n\nA plain-edit-mark line.\n"),
    )
    .unwrap();
    until(&mut live, &out, EDITED_URL, "plain write", |p| {
        text_of(p, "article").contains("plain-edit-mark")
    });

    // An editor's atomic save: a temporary file renamed over the post.
    save_atomically(
        &site.join(EDITED),
        &format!("{original}\n\nAn atomic-save-mark line.\n"),
    );
    until(&mut live, &out, EDITED_URL, "atomic save", |p| {
        let text = text_of(p, "article");
        text.contains("atomic-save-mark") && !text.contains("plain-edit-mark")
    });

    // A burst of 50 new posts (a `git checkout`, say).
    live.settle();
    let before = live.log().len();
    for i in 0..50 {
        fs::write(
            site.join(format!("content/posts/burst-{i:02}.md")),
            post(
                &format!("title: Burst {i:02}\ndate: 2024-03-01"),
                "Burst body.",
            ),
        )
        .unwrap();
    }
    let all_there = eventually(PATIENCE, || {
        (0..50).all(|i| {
            text_of(&view(&live, &out, &format!("/posts/burst-{i:02}/")), "h1")
                .contains(&format!("Burst {i:02}"))
        })
    });
    assert!(all_there, "the burst was built:\n{}", live.log().join("\n"));
    live.settle();
    let rebuilds = live.log()[before..]
        .iter()
        .filter(|l| l.starts_with("Changed: "))
        .count();
    assert!(
        (1..10).contains(&rebuilds),
        "a burst of 50 files is a few rebuilds, not {rebuilds}"
    );

    // A deleted post is gone from the site.
    fs::remove_file(site.join("content/posts/burst-07.md")).unwrap();
    until(
        &mut live,
        &out,
        "/posts/burst-07/",
        "delete",
        Option::is_none,
    );

    // A template edit reaches every post page.
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/post.html");
    let template = fs::read_to_string(theme).unwrap();
    let marked = template.replacen(
        "<article class=\"post\">",
        "<article class=\"post\" data-edit=\"template-mark\">",
        1,
    );
    assert_ne!(
        marked, template,
        "the theme's post.html has the marked element"
    );
    fs::create_dir_all(site.join("templates")).unwrap();
    fs::write(site.join("templates/post.html"), marked).unwrap();
    until(&mut live, &out, "/posts/burst-42/", "template edit", |p| {
        p.as_ref()
            .is_some_and(|p| !attrs(p, "article[data-edit]", "data-edit").is_empty())
    });
    live.settle();

    // Byte for byte what a clean build of the same files gives.
    let clean = placed.scratch("clean");
    let clean_arg = clean.to_string_lossy().into_owned();
    let mut args = vec!["build", "--output", clean_arg.as_str()];
    if let Some(url) = &live.url {
        args.extend(["--base-url", url.as_str()]);
    }
    placed.run(&args).ok();
    let differ = differences(&out, &clean);
    assert!(
        differ.is_empty(),
        "{} files differ from a clean build: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
    // The session owns its output folder: a build there is refused while
    // it runs. Once it has ended, a build leaves the output as it was.
    let refused = placed.run(&["build"]);
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("in use by salon"),
        "{}",
        refused.stderr
    );
    let base_url = live.url.clone();
    drop(live);
    let mut args = vec!["build"];
    if let Some(url) = &base_url {
        args.extend(["--base-url", url.as_str()]);
    }
    placed.run(&args).ok();
    let differ = differences(&out, &clean);
    assert!(
        differ.is_empty(),
        "a build after the session changed {differ:?}"
    );
}

#[test]
fn serve_from_the_site_folder_follows_every_edit() {
    live_journey(Place::SiteFolder, "serve");
}

#[test]
fn watch_from_the_site_folder_follows_every_edit() {
    live_journey(Place::SiteFolder, "watch");
}

#[test]
fn watch_with_a_relative_source_follows_every_edit() {
    live_journey(Place::Relative, "watch");
}

#[test]
fn serve_with_an_absolute_source_follows_every_edit() {
    live_journey(Place::Absolute, "serve");
}

#[test]
fn watch_through_a_symlinked_folder_follows_every_edit() {
    live_journey(Place::Symlink, "watch");
}

#[test]
fn serve_from_a_path_with_spaces_and_unicode_follows_every_edit() {
    live_journey(Place::SpacesAndUnicode, "serve");
}

/// `salon build` and `salon check` work the same from every place.
#[test]
fn build_and_check_work_from_every_place() {
    for place in [
        Place::SiteFolder,
        Place::Relative,
        Place::Absolute,
        Place::Symlink,
        Place::SpacesAndUnicode,
    ] {
        let placed = Placed::demo(place);
        let built = placed.run(&["build"]).ok();
        assert!(
            built.stderr.starts_with("Built "),
            "{place:?}: {}",
            built.stderr
        );
        let out = placed.site.join("public");
        let home = Html::parse_document(&fs::read_to_string(out.join("index.html")).unwrap());
        assert!(
            !texts(&home, "article h2, .post-list h2, h2").is_empty(),
            "{place:?}"
        );
        assert!(broken_links(&out, "/").is_empty(), "{place:?}");
        let again = placed.run(&["build"]).ok();
        assert!(
            again.stderr.starts_with("Nothing changed"),
            "{place:?}: {}",
            again.stderr
        );
        let checked = placed.run(&["check"]).ok();
        assert!(
            checked.stderr.contains("No errors"),
            "{place:?}: {}",
            checked.stderr
        );
    }
}

/// The README's "Make your own site": init, new, build, build --drafts,
/// check, each run inside the new folder.
#[test]
fn make_your_own_site_journey() {
    let tmp = tempfile::tempdir().unwrap();
    let made = run(tmp.path(), &["init", "my-community"]).ok();
    assert!(made.stderr.contains("cd my-community"), "{}", made.stderr);
    let site = tmp.path().join("my-community");
    assert!(run(tmp.path(), &["init", "my-community"]).code == Some(1));

    let new = run(&site, &["new", "post", "Why we meet"]).ok();
    assert!(
        new.stderr.contains("content/posts/why-we-meet.md"),
        "{}",
        new.stderr
    );
    for (kind, title, file) in [
        ("member", "Ada Lovelace", "content/members/ada-lovelace.md"),
        (
            "thread",
            "What is a salon?",
            "content/threads/what-is-a-salon.md",
        ),
        (
            "page",
            "Code of conduct",
            "content/pages/code-of-conduct.md",
        ),
    ] {
        run(&site, &["new", kind, title]).ok();
        assert!(site.join(file).is_file(), "salon new {kind} made {file}");
    }
    // Never overwrites.
    let twice = run(&site, &["new", "post", "Why we meet"]);
    assert_eq!(twice.code, Some(1), "{}", twice.stderr);

    run(&site, &["build"]).ok();
    let out = site.join("public");
    assert!(out.join("index.html").is_file());
    assert!(
        file_for(&out, "/posts/why-we-meet/").is_none(),
        "a draft is not built"
    );

    run(&site, &["build", "--drafts"]).ok();
    let page = Html::parse_document(
        &fs::read_to_string(file_for(&out, "/posts/why-we-meet/").expect("built with --drafts"))
            .unwrap(),
    );
    assert!(texts(&page, "h1").join(" ").contains("Why we meet"));

    run(&site, &["check", "--drafts"]).ok();

    // A broken link: check fails naming the file, line and column, and a
    // build leaves the output as it was.
    let path = site.join("content/posts/why-we-meet.md");
    let text = fs::read_to_string(&path).unwrap();
    let line = text.lines().count() + 2;
    fs::write(&path, format!("{text}\nSee [[no-such-post]] here.\n")).unwrap();
    let checked = run(&site, &["check", "--drafts"]);
    assert_eq!(checked.code, Some(1), "{}", checked.stderr);
    let at = format!("content/posts/why-we-meet.md:{line}:5");
    assert!(
        checked.stderr.contains(&at),
        "expected {at} in:\n{}",
        checked.stderr
    );
    let before = tree(&out);
    let failed = run(&site, &["build", "--drafts"]);
    assert_eq!(failed.code, Some(1));
    assert!(failed.stderr.contains(&at), "{}", failed.stderr);
    assert_eq!(before, tree(&out), "a failed build touched the output");
}

/// The options of the README's commands table, each as a user types it.
#[test]
fn the_commands_table_options_do_what_they_say() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), &["init", "titled", "--title", "The Long Table"]).ok();
    let site = tmp.path().join("titled");
    let home =
        || Html::parse_document(&fs::read_to_string(site.join("public/index.html")).unwrap());
    let timed = run(&site, &["build", "--timings"]).ok();
    for stage in ["load", "parse", "link", "render", "write"] {
        let line = timed.stderr.lines().find(|l| l.starts_with(stage));
        let line =
            line.unwrap_or_else(|| panic!("--timings has no {stage} line:\n{}", timed.stderr));
        // Its time, then the peak memory so far (in MiB, on Linux).
        let numbers: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .take(2)
            .map(|n| n.parse().unwrap_or_else(|_| panic!("{line}")))
            .collect();
        if cfg!(target_os = "linux") {
            assert!(numbers[1] >= 1.0, "{line}");
        }
    }
    assert!(texts(&home(), "title").join(" ").contains("The Long Table"));

    // --output, --base-url (a sub-path) and --drafts together.
    run(&site, &["new", "post", "A draft of ours"]).ok();
    run(
        &site,
        &[
            "build",
            "--output",
            "dist",
            "--base-url",
            "https://example.org/club/",
            "--drafts",
        ],
    )
    .ok();
    let dist = site.join("dist");
    let draft = Html::parse_document(
        &fs::read_to_string(file_for(&dist, "/posts/a-draft-of-ours/").expect("the draft"))
            .unwrap(),
    );
    let css = attrs(&draft, "link[rel=stylesheet]", "href");
    assert!(css.iter().all(|h| h.starts_with("/club/")), "{css:?}");
    assert!(broken_links(&dist, "/club/").is_empty());

    // check --drafts sees the draft; check without it does not.
    let path = site.join("content/posts/a-draft-of-ours.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}\n[[missing-target]]\n")).unwrap();
    run(&site, &["check"]).ok();
    assert_eq!(run(&site, &["check", "--drafts"]).code, Some(1));
    fs::write(&path, text).unwrap();

    // watch --poll with its own output, base URL and drafts.
    let mut live = Live::start(
        &site,
        &[
            "watch",
            "--poll",
            "--output",
            "watched",
            "--base-url",
            "https://example.org/w/",
            "--drafts",
        ],
    );
    let watched = site.join("watched");
    fs::write(
        &path,
        format!(
            "{}\nA polled-edit-mark.\n",
            fs::read_to_string(&path).unwrap()
        ),
    )
    .unwrap();
    let seen = eventually(PATIENCE, || {
        file_for(&watched, "/posts/a-draft-of-ours/")
            .and_then(|f| fs::read_to_string(f).ok())
            .is_some_and(|t| t.contains("polled-edit-mark"))
    });
    assert!(
        seen,
        "watch --poll missed the edit:\n{}",
        live.log().join("\n")
    );
    live.settle();
    drop(live);

    // serve --drafts serves the draft, on the port asked for (0: any).
    let live = Live::start(
        &site,
        &["serve", "--drafts", "--port", "0", "--bind", "127.0.0.1"],
    );
    let url = live.url.clone().expect("serve says where it listens");
    let answer = get(&format!("{url}posts/a-draft-of-ours/")).expect("it answers");
    assert_eq!(answer.status, 200);
    let page = Html::parse_document(&answer.body);
    assert!(texts(&page, "h1").join(" ").contains("A draft of ours"));
}
