//! Build benchmark: clean builds and no-change builds of generated sites
//! of 1,000, 10,000 and 100,000 posts, with peak memory.
//!
//!     cargo bench --bench build                       # all three sizes
//!     SALON_BENCH_SIZES=1000,10000 cargo bench --bench build
//!     SALON_BENCH_RUNS=7 cargo bench --bench build    # runs per measure
//!
//! Sites are generated once (seeded, deterministic) under
//! `target/bench-sites/`. Each build runs in a child process (this same
//! binary with `--child`), so its wall time and peak RSS are its own. It
//! prints numbers; it asserts none.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

// The same allocator as the salon binary, so the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    let sizes: Vec<usize> = std::env::var("SALON_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("SALON_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    println!(
        "machine: {} cores; {} runs per measure (3 at 100,000 posts); medians",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        runs
    );
    println!(
        "\n| posts | clean build s (min-max) | no-change build s | peak RSS MiB | files written | ms/page |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let site = common::site(n);
        let runs = if n >= 100_000 { runs.min(3) } else { runs };
        let out = site.join("public");
        let mut clean = Vec::new();
        let mut peak = 0;
        let mut files = 0;
        for _ in 0..runs {
            let _ = std::fs::remove_dir_all(&out);
            let r = run_child(&site);
            clean.push(r.wall);
            peak = peak.max(r.peak_kib);
            files = r.written;
        }
        let mut unchanged = Vec::new();
        for _ in 0..runs {
            let r = run_child(&site);
            assert_eq!(r.written, 0, "a no-change build wrote files");
            unchanged.push(r.wall);
        }
        let (med, min, max) = stats(&mut clean);
        let (umed, _, _) = stats(&mut unchanged);
        println!(
            "| {n} | {:.2} ({:.2}-{:.2}) | {:.3} | {} | {files} | {:.3} |",
            med.as_secs_f64(),
            min.as_secs_f64(),
            max.as_secs_f64(),
            umed.as_secs_f64(),
            peak / 1024,
            med.as_secs_f64() * 1e3 / files.max(1) as f64
        );
    }
}

struct ChildRun {
    wall: Duration,
    peak_kib: u64,
    written: usize,
}

/// Runs one build in a child process; returns its wall time, peak RSS and
/// how many files it wrote.
fn run_child(site: &Path) -> ChildRun {
    let exe = std::env::current_exe().expect("own path");
    let start = Instant::now();
    let out = Command::new(exe)
        .arg("--child")
        .arg(site)
        .output()
        .expect("run child build");
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "child build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<u64>().expect("child prints numbers"));
    ChildRun {
        wall,
        written: fields.next().expect("files written") as usize,
        peak_kib: fields.next().expect("peak RSS"),
    }
}

/// The build itself, in the child: prints files written and peak RSS (KiB).
fn child(site: &Path) {
    salon::memory::keep_freed_memory();
    let report = salon::build(&salon::BuildOptions::new(site)).expect("build");
    println!("{} {}", report.written, common::peak_rss_kib());
}

fn stats(v: &mut [Duration]) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}
