//! Search benchmark: the index of the generated site and of the
//! multilingual fixture: build time, bytes and files, and for a fixed
//! query list the bytes a reader's first search fetches and the time to
//! results, through search.js under Node.
//!
//!     cargo bench --bench search
//!     SALON_BENCH_POSTS=1000 cargo bench --bench search
//!
//! It prints numbers; it asserts none. Without Node the query columns
//! are left out.

#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One word, a prefix, inflections, four words, a sentence.
const QUERIES: &[&str] = &[
    "trust ",
    "community ",
    "communities ",
    "moder",
    "privacy ",
    "gardens ",
    "research design knowledge podcasts ",
    "how do communities build trust online ",
    "learning ",
    "identity ",
];

/// The same kinds of query for the multilingual fixture.
const POLYGLOT_QUERIES: &[&str] = &[
    "gardens ",
    "Gemeinschaften ",
    "модераторы ",
    "知识管理",
    "自転車",
    "المجتمعات ",
    "garden compost tomatoes ",
];

fn main() {
    let n: usize = std::env::var("SALON_BENCH_POSTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    println!("| site | index build ms (median of 5; CPU ms of all threads) | index bytes | term shards | doc shards | files | cold query KB median / p95 / max | ms to results median |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    measure(&format!("{n} posts"), &common::site(n), QUERIES);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multilingual");
    measure("multilingual (48 posts)", &fixture, POLYGLOT_QUERIES);
}

fn measure(name: &str, site: &Path, queries: &[&str]) {
    let out = std::env::temp_dir().join(format!("salon-search-bench-{}", std::process::id()));
    let mut opts = salon::BuildOptions::new(site);
    opts.output = Some(out.clone());
    let loaded = salon::build::load_site(&opts).expect("load the site");
    // Wall time, and CPU time of every thread: on a shared machine the
    // second says more about the work than the first.
    let (mut times, mut cpu): (Vec<Duration>, Vec<f64>) = (0..5)
        .map(|_| {
            let (start, start_cpu) = (Instant::now(), cpu_seconds());
            let index = salon::search::build(&loaded.site);
            let t = (start.elapsed(), cpu_seconds() - start_cpu);
            drop(index);
            t
        })
        .unzip();
    times.sort();
    cpu.sort_by(f64::total_cmp);
    salon::build(&opts).expect("build");
    let dir = out.join("search");
    let (mut total, mut terms, mut docs, mut files) = (0u64, 0u64, 0u64, 0usize);
    for e in std::fs::read_dir(&dir).expect("search folder") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        let len = e.metadata().expect("metadata").len();
        total += len;
        files += 1;
        if name.starts_with("t-") {
            terms += len;
        } else if name.starts_with("d-") {
            docs += len;
        }
    }
    let queries = node_queries(&out, queries);
    let _ = std::fs::remove_dir_all(&out);
    let kb = |b: u64| b as f64 / 1024.0;
    let query_cols = match queries {
        Some((mut bytes, mut ms)) => {
            bytes.sort_unstable();
            ms.sort_by(f64::total_cmp);
            let p95 = bytes[((bytes.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
            format!(
                "{:.0} / {:.0} / {:.0} | {:.1}",
                kb(bytes[bytes.len() / 2]),
                kb(p95),
                kb(*bytes.last().unwrap_or(&0)),
                ms[ms.len() / 2]
            )
        }
        None => "(no node) | -".into(),
    };
    println!(
        "| {name} | {:.0} ({:.0} CPU) | {:.1} MB | {:.1} MB | {:.1} MB | {files} | {query_cols} |",
        times[times.len() / 2].as_secs_f64() * 1e3,
        cpu[cpu.len() / 2] * 1e3,
        total as f64 / 1e6,
        terms as f64 / 1e6,
        docs as f64 / 1e6,
    );
}

/// CPU seconds this process has used, all threads (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command's closing parenthesis; utime and stime are
    // the 14th and 15th of the line, in clock ticks of 1/100 s.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Bytes fetched and milliseconds to results of each query on a fresh
/// engine (a reader's first search), or `None` without Node.
fn node_queries(out: &Path, queries: &[&str]) -> Option<(Vec<u64>, Vec<f64>)> {
    let script: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/search.js");
    let run = Command::new("node")
        .arg(script)
        .arg(out)
        .args(queries)
        .output()
        .ok()?;
    if !run.status.success() {
        eprintln!("search.js: {}", String::from_utf8_lossy(&run.stderr));
        return None;
    }
    let results: serde_json::Value = serde_json::from_slice(&run.stdout).ok()?;
    let results = results.as_array()?;
    Some((
        results
            .iter()
            .map(|r| r["bytes"].as_u64().unwrap_or(0))
            .collect(),
        results
            .iter()
            .map(|r| r["ms"].as_f64().unwrap_or(0.0))
            .collect(),
    ))
}
