//! Watch-mode benchmark: how long from saving a file to its output being
//! written, on a generated site (10,000 posts by default).
//!
//!     cargo bench --bench watch
//!     SALON_BENCH_POSTS=1000 SALON_BENCH_EDITS=40 cargo bench --bench watch
//!     SALON_BENCH_ROWS="tag added,title change" cargo bench --bench watch
//!
//! It builds the site once with the incremental rebuilder `salon serve`
//! uses, then saves edits one at a time and times each rebuild, from the
//! save to the last output file written: body edits (a sentence appended),
//! a tag added or removed, title changes, and template edits. The debounce of the
//! file watcher (100 ms by default, `--debounce-ms` in serve) comes on
//! top, as it does for every watcher. Prints medians and 95th
//! percentiles (and, with `SALON_BENCH_STAGES=1`, the median time of each
//! stage of the rebuild); asserts nothing.

mod common;

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
    let mut pick = |len: usize| {
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
    let mut time = |name: &str, edit: &mut dyn FnMut(usize) -> PathBuf| {
        if !wanted(name) {
            return;
        }
        let mut times = Vec::new();
        let mut rendered = Vec::new();
        let mut stages: Vec<(&'static str, Vec<Duration>)> = Vec::new();
        for i in 0..edits {
            let start = Instant::now();
            let path = edit(i);
            let r = rebuild.rebuild(&opts, &[path]).expect("rebuild");
            times.push(start.elapsed());
            if i == edits / 2 && std::env::var_os("SALON_BENCH_VERBOSE").is_some() {
                eprintln!("{name}:\n{}", r.timings);
            }
            rendered.push(r.rendered);
            for (stage, _, _, d) in &r.timings.stages {
                match stages.iter_mut().find(|(s, _)| s == stage) {
                    Some((_, ds)) => ds.push(*d),
                    None => stages.push((stage, vec![*d])),
                }
            }
        }
        if std::env::var_os("SALON_BENCH_STAGES").is_some() {
            let medians: Vec<String> = stages
                .iter_mut()
                .map(|(stage, ds)| {
                    ds.sort();
                    format!("{stage} {:.1}", ms(ds[ds.len() / 2]))
                })
                .collect();
            eprintln!("{name}, median ms by stage: {}", medians.join(", "));
        }
        rows.push((name.to_owned(), times, rendered));
    };
    time("body edit", &mut |i| {
        let p = &posts[pick(posts.len())];
        append(p, &format!("\nOne more sentence, number {i}.\n"));
        p.clone()
    });
    // A tag added, as a writer tags a post; a tag removed.
    time("tag added", &mut |i| {
        let p = &posts[pick(posts.len())];
        let text = fs::read_to_string(p).expect("read post");
        let tagged = text.replacen("tags: [", &format!("tags: [\"benchmark tag {i}\", "), 1);
        fs::write(p, tagged).expect("write post");
        p.clone()
    });
    time("tag removed", &mut |_| {
        let p = &posts[pick(posts.len())];
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
        p.clone()
    });
    time("title change", &mut |i| {
        let p = &posts[pick(posts.len())];
        replace_line(p, "title:", &format!("title: \"Retitled {i}\""));
        p.clone()
    });
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
