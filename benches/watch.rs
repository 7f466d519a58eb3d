//! Watch-mode benchmark on a generated site (10,000 posts by default):
//! how long a rebuild takes, and how long from saving a file to the
//! changed page being served over HTTP.
//!
//!     cargo bench --bench watch
//!     SALON_BENCH_POSTS=1000 SALON_BENCH_EDITS=40 cargo bench --bench watch
//!     SALON_BENCH_ROWS="tag added,title change" cargo bench --bench watch
//!     SALON_BENCH_SERVED=only cargo bench --bench watch   # save → served alone
//!     SALON_BENCH_SERVED=no cargo bench --bench watch     # rebuilds alone
//!     SALON_BENCH_SITE=/path/to/site cargo bench --bench watch  # thread edits
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
//!
//! A site with threads (`content/threads/`) gets a "thread edit" row in
//! the save → served table ([`threads`]): a sentence appended to one
//! message of a thread, timed to the page of the thread holding it.
//! `SALON_BENCH_SITE=DIR` runs that row alone on the site folder `DIR`
//! (a mailing list's archive from `salon import mbox`, say), with `salon
//! serve`'s whole stack writing `DIR`'s output folder as `salon serve`
//! does. A site under 64 MB (its output left out) is copied first; a
//! larger one is edited in place, each thread file written back byte for
//! byte right after its edit is timed (and when the benchmark panics; a
//! run killed in between can leave one file with a sentence "One more
//! sentence from the watch benchmark, number N." appended).

mod common;
#[path = "watch/served.rs"]
mod served;
#[path = "watch/threads.rs"]
mod threads;

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
    if let Some(site) = std::env::var_os("SALON_BENCH_SITE") {
        on_site(Path::new(&site), edits);
        return;
    }
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

    let mut pick = seeded();
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
    // The generated blog has no threads: this row is for sites that do.
    let threads = if wanted(THREAD_EDIT) && served_mode != "no" {
        threads::thread_files(&work)
    } else {
        Vec::new()
    };
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
        let p = |q| percentile(&times, q);
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
    if !served_rows.is_empty() || !threads.is_empty() {
        // The in-process rebuilder's memory and background work end here.
        rebuild.flush().expect("flush");
        drop(rebuild);
        served(
            &work,
            &posts,
            edits,
            &mut pick,
            &served_rows,
            &threads,
            stages_wanted,
        );
    }
}

/// Sites smaller than this (their output left out) are copied before
/// they are edited; larger ones are edited in place and restored.
const COPY_LIMIT: u64 = 64 << 20;

/// `SALON_BENCH_SITE`: the "thread edit" row of save → served, on the
/// site folder `site`.
fn on_site(site: &Path, edits: usize) {
    assert!(
        site.join("salon.yaml").is_file(),
        "SALON_BENCH_SITE={}: no salon.yaml there",
        site.display()
    );
    if std::env::var("SALON_BENCH_SERVED").is_ok_and(|m| m == "no") {
        eprintln!(
            "SALON_BENCH_SITE times save → served alone: SALON_BENCH_SERVED=no leaves nothing"
        );
        return;
    }
    let bytes = source_bytes(site);
    let work = if bytes <= COPY_LIMIT {
        let copy = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-sites/watch-site-copy");
        let _ = fs::remove_dir_all(&copy);
        for e in fs::read_dir(site).expect("read the site folder") {
            let e = e.expect("read the site folder");
            let name = e.file_name();
            if name == "public" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            let to = copy.join(&name);
            if e.file_type().expect("file type").is_dir() {
                copy_dir(&e.path(), &to);
            } else {
                fs::create_dir_all(&copy).expect("mkdir");
                fs::copy(e.path(), &to).expect("copy");
            }
        }
        copy
    } else {
        site.to_path_buf()
    };
    let threads = threads::thread_files(&work);
    assert!(
        !threads.is_empty(),
        "{}: no thread files under content/threads",
        work.display()
    );
    let in_place = work == site;
    println!(
        "machine: {} cores; site: {} ({:.0} MB of sources, {}), {} thread files, the largest {:.0} KB",
        std::thread::available_parallelism().map_or(0, |c| c.get()),
        site.display(),
        bytes as f64 / 1e6,
        if in_place {
            "edited in place, each file restored after its edit"
        } else {
            "edited on a copy"
        },
        threads.len(),
        threads[0].bytes as f64 / 1024.0
    );
    let mut pick = seeded();
    let stages_wanted = std::env::var_os("SALON_BENCH_STAGES").is_some();
    served(&work, &[], edits, &mut pick, &[], &threads, stages_wanted);
    println!(
        "\npeak memory (`salon serve`'s first build and the edits): {} MiB",
        common::peak_rss_kib() / 1024
    );
    if in_place {
        println!(
            "{}/public now holds pages for the local server's address, as after `salon serve`: \
             `salon build` writes the site's own again",
            site.display()
        );
    }
}

/// The bytes of the files of a site folder, its output and hidden
/// folders left out.
fn source_bytes(site: &Path) -> u64 {
    walkdir::WalkDir::new(site)
        .into_iter()
        .filter_entry(|e| {
            e.depth() != 1
                || (e.file_name() != "public" && !e.file_name().to_string_lossy().starts_with('.'))
        })
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
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

/// The row of edits to threads.
const THREAD_EDIT: &str = "thread edit";

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
    threads: &[threads::ThreadFile],
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
        served_row(name, times, rebuilds, rendered);
        if stages_wanted {
            eprintln!("{name} (served), median ms by stage: {}", stages.medians());
        }
    }
    if !threads.is_empty() {
        thread_row(&mut session, threads, edits, pick);
    }
}

/// Prints a row of the save → served table.
/// The `q` quantile (0 to 1) of `sorted`, nearest rank.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn served_row(
    name: &str,
    mut times: Vec<Duration>,
    mut rebuilds: Vec<usize>,
    mut rendered: Vec<usize>,
) {
    times.sort();
    rebuilds.sort();
    rendered.sort();
    let p = |q| percentile(&times, q);
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
        times.len(),
        ms(p(0.5)),
        ms(p(0.95)),
        ms(times[times.len() - 1]),
        rebuilds[rebuilds.len() / 2],
        rendered[rendered.len() / 2]
    );
}

/// The "thread edit" row: `edits` threads, each a different one while
/// some are left (every fourth among the largest), a sentence appended
/// to one message, timed from the save to the `GET` of the thread's page
/// holding the message showing it; then the file is written back as it
/// was, and that rebuild waited for, untimed.
fn thread_row(
    session: &mut served::Session,
    threads: &[threads::ThreadFile],
    edits: usize,
    pick: &mut dyn FnMut(usize) -> usize,
) {
    let mut chooser = threads::Chooser::new(threads);
    let (mut times, mut rebuilds, mut rendered) = (Vec::new(), Vec::new(), Vec::new());
    let mut stages = Stages::default();
    // Messages in each thread edited, and the page edited.
    let mut edited = Vec::new();
    let mut passed = 0;
    // Generous: a slow save is reported, not mistaken for one that never
    // shows.
    let limit = Duration::from_secs(300);
    while times.len() < edits {
        // Every fourth among the largest.
        let large = times.len() % 4 == 0;
        let thread = &threads[chooser.next(large, pick)];
        let Some(p) = threads::prepare(&thread.path, 20_000 + times.len(), session, pick) else {
            passed += 1;
            assert!(
                passed <= 10 * edits,
                "no message of {passed} threads could be edited and found on its page"
            );
            continue;
        };
        let restore = threads::Restore::new(&p.path, p.original);
        session.settle();
        let t0 = Instant::now();
        fs::write(&p.path, &p.edited).expect("write thread");
        let took = session
            .wait_until(&p.url, t0, limit, &|now| {
                served::contains(now, p.marker.as_bytes())
            })
            .unwrap_or_else(|| panic!("{THREAD_EDIT}: {} never showed the edit", p.url));
        times.push(took);
        let builds = session.drain_builds(Duration::from_millis(150));
        rebuilds.push(builds.len());
        rendered.push(builds.iter().map(|b| b.rendered).sum::<usize>());
        for b in &builds {
            stages.add(b.stages.iter().copied());
        }
        let page = p
            .url
            .rsplit("/page/")
            .next()
            .filter(|_| p.url.contains("/page/"))
            .and_then(|n| n.trim_end_matches('/').parse().ok())
            .unwrap_or(1);
        edited.push((p.entries, page, took, large));
        // Undone, and the rebuild that follows left out.
        session.settle();
        restore.restore();
        let t1 = Instant::now();
        session
            .wait_until(&p.url, t1, limit, &|now| {
                !served::contains(now, p.marker.as_bytes())
            })
            .unwrap_or_else(|| panic!("{THREAD_EDIT}: {} never showed the file restored", p.url));
        session.drain_builds(Duration::from_millis(150));
    }
    served_row(THREAD_EDIT, times, rebuilds, rendered);
    let beyond = edited.iter().filter(|e| e.1 > 1).count();
    let mut sizes: Vec<usize> = edited.iter().map(|e| e.0).collect();
    sizes.sort();
    println!(
        "\n{THREAD_EDIT}: {} threads of {} to {} messages (median {}); the message edited on a page after the first in {beyond}, up to page {}",
        sizes.len(),
        sizes[0],
        sizes[sizes.len() - 1],
        sizes[sizes.len() / 2],
        edited.iter().map(|e| e.1).max().unwrap_or(1)
    );
    for (which, large) in [
        (format!("the {} largest threads", chooser.largest()), true),
        ("the others".to_owned(), false),
    ] {
        let mut t: Vec<Duration> = edited
            .iter()
            .filter(|e| e.3 == large)
            .map(|e| e.2)
            .collect();
        t.sort();
        if let (Some(first), Some(last)) = (t.first(), t.last()) {
            println!(
                "  edits in {which}: {}, p50 {:.1} ms, {:.1}-{:.1} ms",
                t.len(),
                ms(t[t.len() / 2]),
                ms(*first),
                ms(*last)
            );
        }
    }
    // Always: what a thread's edit costs is what this row is for.
    println!("{THREAD_EDIT}, median ms by stage: {}", stages.medians());
}

/// A seeded pick of an index below `len`: the same edits on every run.
fn seeded() -> impl FnMut(usize) -> usize {
    let mut seed = 0x5a10_u64;
    move |len: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % len
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
