//! Watch-mode benchmark on a generated site (10,000 posts by default):
//! how long a rebuild takes, and how long from saving a file to the
//! changed page being served over HTTP.
//!
//!     cargo bench --bench watch
//!     SALON_BENCH_POSTS=1000 SALON_BENCH_EDITS=40 cargo bench --bench watch
//!     SALON_BENCH_ROWS="tag added,title change" cargo bench --bench watch
//!     SALON_BENCH_SERVED=only cargo bench --bench watch   # save → served alone
//!     SALON_BENCH_SERVED=no cargo bench --bench watch     # rebuilds alone
//!
//! First it builds the site once with the incremental rebuilder `salon
//! serve` uses, then saves edits one at a time and times each rebuild, from
//! the save to the last output file written: body edits (a sentence
//! appended), a tag added or removed, title changes, and template edits.
//! Then it runs `salon serve`'s whole stack (watcher, debounce, rebuild,
//! HTTP server) over the same site and times, for the same kinds of edit
//! (at least 20 each), the save to the page as an open tab gets it: the
//! server's reload message, then the `GET` of the post's page on
//! 127.0.0.1 whose bytes show the edit ([`served`]). Prints medians and
//! 95th percentiles (and, with `SALON_BENCH_STAGES=1`, the median time of
//! each stage of the rebuild); asserts nothing.

mod common;
#[path = "watch/served.rs"]
mod served;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use salon::incremental::Incremental;
use salon::serve::Rebuild;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n: usize = env_num("SALON_BENCH_POSTS", 10_000);
    let edits: usize = env_num("SALON_BENCH_EDITS", 30);
    salon::memory::keep_freed_memory();
    let site = common::site(n);
    // Its own copy: the edits must not change the build benchmark's site.
    let work = site.with_file_name(format!("watch-{n}"));
    let _ = fs::remove_dir_all(&work);
    copy_dir(&site.join("content"), &work.join("content"));
    fs::copy(site.join("salon.yaml"), work.join("salon.yaml")).expect("config");
    let opts = salon::BuildOptions::new(&work);

    let mut posts: Vec<PathBuf> = walkdir::WalkDir::new(work.join("content/posts"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    posts.sort();

    let mut rebuild = Incremental::new();
    let start = Instant::now();
    let first = rebuild.rebuild(&opts, &[]).expect("first build");
    let clean = start.elapsed();
    println!(
        "machine: {} cores; site: {n} posts, {} files",
        std::thread::available_parallelism().map_or(0, |c| c.get()),
        first.files
    );

    let mut seed = 0x5a10_u64;
    let mut pick = move |len: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % len
    };
    let mut rows = Vec::new();
    // Only the rows named in SALON_BENCH_ROWS (comma-separated), if set:
    // for profiling one kind of edit.
    let only = std::env::var("SALON_BENCH_ROWS").ok();
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|r| r.trim() == name))
    };
    let stages_wanted = std::env::var_os("SALON_BENCH_STAGES").is_some();
    // SALON_BENCH_SERVED=only: save → served alone; =no: the rebuilds alone.
    let served_mode = std::env::var("SALON_BENCH_SERVED").unwrap_or_default();
    let served_rows: Vec<_> = EDITS
        .iter()
        .copied()
        .filter(|(name, _)| wanted(name) && served_mode != "no")
        .collect();
    for &(name, edit) in EDITS {
        if !wanted(name) || served_mode == "only" {
            continue;
        }
        let mut times = Vec::new();
        let mut rendered = Vec::new();
        let mut stages = Stages::default();
        for i in 0..edits {
            let post = &posts[pick(posts.len())];
            let start = Instant::now();
            let e = edit(post, i);
            let r = rebuild.rebuild(&opts, &[e.path]).expect("rebuild");
            times.push(start.elapsed());
            if i == edits / 2 && std::env::var_os("SALON_BENCH_VERBOSE").is_some() {
                eprintln!("{name}:\n{}", r.timings);
            }
            rendered.push(r.rendered);
            stages.add(r.timings.stages.iter().map(|(s, _, _, d)| (*s, *d)));
        }
        if stages_wanted {
            eprintln!("{name}, median ms by stage: {}", stages.medians());
        }
        rows.push((name.to_owned(), times, rendered));
    }
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let post_html = fs::read_to_string(theme.join("post.html")).expect("post.html");
    let member_html = fs::read_to_string(theme.join("member.html")).expect("member.html");
    let templates = work.join("templates");
    fs::create_dir_all(&templates).expect("templates/");
    let mut t = 0;
    let mut template = |name: &str, text: &str| {
        let t0 = Instant::now();
        t += 1;
        let p = templates.join(name);
        fs::write(&p, format!("{text}<!-- edit {t} -->")).expect("write template");
        let r = rebuild.rebuild(&opts, &[p]).expect("rebuild");
        (t0.elapsed(), r.rendered)
    };
    let wanted = |name: &str| wanted(name) && served_mode != "only";
    let member_edit =
        wanted("template edit (member.html)").then(|| template("member.html", &member_html));
    let post_edit = wanted("template edit (post.html)").then(|| template("post.html", &post_html));

    println!("\n| change | runs | p50 ms | p95 ms | max ms | pages rendered (median) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, mut times, mut rendered) in rows {
        times.sort();
        rendered.sort();
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {} |",
            times.len(),
            ms(p(0.5)),
            ms(p(0.95)),
            ms(times[times.len() - 1]),
            rendered[rendered.len() / 2]
        );
    }
    for (name, edit) in [
        ("template edit (member.html)", member_edit),
        ("template edit (post.html)", post_edit),
    ] {
        let Some((d, pages)) = edit else { continue };
        println!("| {name} | 1 | {:.1} | | | {pages} |", ms(d));
    }
    println!(
        "| full build (first, clean) | 1 | {:.1} | | | {} |",
        ms(clean),
        first.files
    );
    println!(
        "\npeak memory (the site kept in memory, and the rebuilds): {} MiB",
        common::peak_rss_kib() / 1024
    );
    if !served_rows.is_empty() {
        // The in-process rebuilder's memory and background work end here.
        rebuild.flush().expect("flush");
        drop(rebuild);
        served(&work, &posts, edits, &mut pick, &served_rows, stages_wanted);
    }
}

/// Saves an edit to a post (the `i`th of its row).
type EditFn = fn(&Path, usize) -> served::Edit;

/// The edits timed, by row name: each saves a change to `post` (the
/// `i`th of its row) and says how its page shows it.
const EDITS: &[(&str, EditFn)] = &[
    ("body edit", body_edit),
    ("tag added", tag_added),
    ("tag removed", tag_removed),
    ("title change", title_change),
];

fn body_edit(p: &Path, i: usize) -> served::Edit {
    let marker = format!("One more sentence, number {i}.");
    append(p, &format!("\n{marker}\n"));
    served::Edit {
        path: p.to_path_buf(),
        shows: Box::new(move |_, now| served::contains(now, marker.as_bytes())),
    }
}

/// A tag added, as a writer tags a post.
fn tag_added(p: &Path, i: usize) -> served::Edit {
    let text = fs::read_to_string(p).expect("read post");
    let tag = format!("benchmark tag {i}");
    let tagged = text.replacen("tags: [", &format!("tags: [\"{tag}\", "), 1);
    fs::write(p, tagged).expect("write post");
    served::Edit {
        path: p.to_path_buf(),
        shows: Box::new(move |_, now| served::contains(now, tag.as_bytes())),
    }
}

fn tag_removed(p: &Path, _: usize) -> served::Edit {
    let text = fs::read_to_string(p).expect("read post");
    let line = text
        .lines()
        .find(|l| l.starts_with("tags: ["))
        .expect("tags")
        .to_owned();
    let fewer = match line.split_once(", ") {
        Some((_, rest)) => format!("tags: [{rest}"),
        None => "tags: []".to_owned(),
    };
    fs::write(p, text.replacen(&line, &fewer, 1)).expect("write post");
    served::Edit {
        path: p.to_path_buf(),
        // Nothing else changes the page meanwhile.
        shows: Box::new(|before, now| before != now),
    }
}

fn title_change(p: &Path, i: usize) -> served::Edit {
    let title = format!("Retitled {i}");
    replace_line(p, "title:", &format!("title: \"{title}\""));
    served::Edit {
        path: p.to_path_buf(),
        shows: Box::new(move |_, now| served::contains(now, title.as_bytes())),
    }
}

/// Median time of each stage over the rebuilds added.
#[derive(Default)]
struct Stages(Vec<(&'static str, Vec<Duration>)>);

impl Stages {
    fn add(&mut self, stages: impl Iterator<Item = (&'static str, Duration)>) {
        for (stage, d) in stages {
            match self.0.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, ds)) => ds.push(d),
                None => self.0.push((stage, vec![d])),
            }
        }
    }

    fn medians(&mut self) -> String {
        let medians: Vec<String> = self
            .0
            .iter_mut()
            .map(|(stage, ds)| {
                ds.sort();
                format!("{stage} {:.1}", ms(ds[ds.len() / 2]))
            })
            .collect();
        medians.join(", ")
    }
}

/// Times save → served over HTTP for each row in `rows`, with `salon
/// serve`'s stack running over `work`.
fn served(
    work: &Path,
    posts: &[PathBuf],
    edits: usize,
    pick: &mut dyn FnMut(usize) -> usize,
    rows: &[(&str, EditFn)],
    stages_wanted: bool,
) {
    let start = Instant::now();
    let mut session = served::Session::start(work);
    println!(
        "\nsave → served over HTTP (`salon serve`'s watcher, debounce {} ms, rebuild, server; \
         first build {:.1} s)",
        salon::serve::Debounce::default().quiet.as_millis(),
        start.elapsed().as_secs_f64()
    );
    println!(
        "\n| change | runs | p50 ms | p95 ms | max ms | rebuilds per save (median) | pages rendered (median) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    // At least 20 saves each, whatever SALON_BENCH_EDITS says.
    let edits = edits.max(20);
    for &(name, edit) in rows {
        let mut times = Vec::new();
        let mut rebuilds = Vec::new();
        let mut rendered = Vec::new();
        let mut stages = Stages::default();
        for i in 0..edits {
            let post = &posts[pick(posts.len())];
            let url = served::post_url(post);
            let before = session.get(&url);
            session.settle();
            // Markers of their own: no earlier edit's page can show them.
            let t0 = Instant::now();
            let e = edit(post, 10_000 + i);
            let took = session
                .wait_until(&url, t0, Duration::from_secs(30), &|now| {
                    (e.shows)(&before, now)
                })
                .unwrap_or_else(|| panic!("{name}: {url} never showed the edit"));
            times.push(took);
            // A writer pauses between saves; late events settle.
            let builds = session.drain_builds(Duration::from_millis(150));
            rebuilds.push(builds.len());
            rendered.push(builds.iter().map(|b| b.rendered).sum::<usize>());
            for b in &builds {
                stages.add(b.stages.iter().copied());
            }
        }
        times.sort();
        rebuilds.sort();
        rendered.sort();
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
            times.len(),
            ms(p(0.5)),
            ms(p(0.95)),
            ms(times[times.len() - 1]),
            rebuilds[rebuilds.len() / 2],
            rendered[rendered.len() / 2]
        );
        if stages_wanted {
            eprintln!("{name} (served), median ms by stage: {}", stages.medians());
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn append(p: &Path, text: &str) {
    let mut s = fs::read_to_string(p).expect("read post");
    s.push_str(text);
    fs::write(p, s).expect("write post");
}

fn replace_line(p: &Path, key: &str, line: &str) {
    let s = fs::read_to_string(p).expect("read post");
    let out: Vec<&str> = s
        .lines()
        .map(|l| if l.starts_with(key) { line } else { l })
        .collect();
    fs::write(p, out.join("\n") + "\n").expect("write post");
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let target = to.join(e.path().strip_prefix(from).expect("inside"));
        if e.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}
