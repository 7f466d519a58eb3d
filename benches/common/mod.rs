//! What both benchmarks need: the generated sites and peak memory.

use std::path::{Path, PathBuf};

#[path = "../../examples/corpus.rs"]
#[allow(dead_code)]
mod corpus;

/// The generated site of `n` posts, shared by the benchmarks and kept
/// between runs (generated on first use).
pub fn site(n: usize) -> PathBuf {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-sites/site-{n}"));
    let marker = site.join(".generated");
    if !marker.exists() {
        eprintln!("generating {n} posts into {}", site.display());
        corpus::generate(n, &site).expect("generate the corpus");
        std::fs::write(marker, n.to_string()).expect("write marker");
    }
    site
}

#[allow(unused_imports)] // not every benchmark prints memory
pub use salon::timings::peak_rss_kib;
