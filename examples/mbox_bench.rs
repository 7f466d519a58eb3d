//! Benchmark of a mailing list's archive: generate, import, build.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example mbox_bench -- [N] [--seed S] [--runs R] [--grow P] [--keep DIR]
//! ```
//!
//! Generates an archive of `N` messages (100,000 by default) with
//! `examples/mbox_corpus.rs`, then runs the release `salon` binary (beside
//! this example, or `$SALON_BIN`) as a child process for each step and
//! prints its wall time and peak memory (the child's own, from `wait4`):
//! `salon import mbox --min-messages 1` into a new site, the same import
//! again (nothing new), a clean `salon build`, and a build with nothing
//! changed; then the output's files, bytes and largest page. With
//! `--runs R` each step runs R times (a new site or an emptied output
//! each time) and the median is printed.
//!
//! Then the archive grows, as a list's does: a new site imports and
//! builds the archive's first messages (all but `--grow P` percent, 1 by
//! default; 0 skips this), and the import of the whole archive (only the
//! new messages are added) and the build after it are timed. Unix only
//! (`wait4`).

#[cfg(unix)]
#[path = "mbox_corpus/main.rs"]
#[allow(dead_code)]
mod corpus;

#[cfg(not(unix))]
fn main() {
    eprintln!("mbox_bench measures children with wait4: Unix only");
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    match bench::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mbox_bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
mod bench {
    use std::fs;
    use std::io::{BufWriter, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::corpus;

    type Result<T> = std::result::Result<T, String>;

    /// One run of a step: wall time and the child's peak resident memory.
    #[derive(Clone, Copy)]
    struct Measured {
        wall: Duration,
        peak_kib: u64,
    }

    pub fn run() -> Result<()> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut messages = 100_000;
        let mut seed = 1;
        let mut runs = 1;
        let mut keep: Option<PathBuf> = None;
        let mut grow = 1.0_f64;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
            match a.as_str() {
                "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--runs" => runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
                "--keep" => keep = Some(PathBuf::from(value()?)),
                "--grow" => grow = value()?.parse().map_err(|e| format!("--grow: {e}"))?,
                n => messages = n.parse().map_err(|e| format!("N: {e}"))?,
            }
        }
        let runs: usize = runs.max(1);
        let salon = salon_binary()?;
        let tmp = tempdir()?;
        let work = keep.unwrap_or_else(|| tmp.clone());
        fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let mbox = work.join("list.mbox");
        let started = Instant::now();
        let summary = {
            let f = fs::File::create(&mbox).map_err(|e| e.to_string())?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            let opts = corpus::Options {
                messages,
                seed,
                years: 15,
                of: None,
            };
            let s = corpus::generate(&opts, &mut w).map_err(|e| e.to_string())?;
            w.flush().map_err(|e| e.to_string())?;
            s
        };
        println!(
            "archive: {} messages, {} conversations (largest drawn {}), {:.0} MB, generated in {:.1} s",
            summary.messages,
            summary.conversations,
            summary.largest,
            summary.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        let mbox_arg = mbox.to_string_lossy().into_owned();
        let import = ["import", "mbox", mbox_arg.as_str(), "--min-messages", "1"];
        let mut imports = Vec::new();
        let mut again = Vec::new();
        let mut site = PathBuf::new();
        for r in 0..runs {
            site = work.join(format!("site-{r}"));
            if site.exists() {
                fs::remove_dir_all(&site).map_err(|e| e.to_string())?;
            }
            new_site(&site)?;
            imports.push(measure(&salon, &site, &import)?);
            again.push(measure(&salon, &site, &import)?);
        }
        let mut clean = Vec::new();
        let mut unchanged = Vec::new();
        for _ in 0..runs {
            let public = site.join("public");
            if public.exists() {
                fs::remove_dir_all(&public).map_err(|e| e.to_string())?;
            }
            clean.push(measure(&salon, &site, &["build"])?);
            unchanged.push(measure(&salon, &site, &["build"])?);
        }
        report("import", &imports);
        report("import again (nothing new)", &again);
        report("clean build", &clean);
        report("build, nothing changed", &unchanged);
        let (files, bytes, largest) = output(&site.join("public"))?;
        println!(
            "output: {files} files, {:.0} MB; largest page {:.0} KB ({})",
            bytes as f64 / 1e6,
            largest.0 as f64 / 1024.0,
            largest.1
        );
        if grow > 0.0 {
            let older = work.join("older.mbox");
            let kept = summary.messages - (summary.messages as f64 * grow / 100.0).round() as usize;
            let kept = first_messages(&mbox, &older, kept)?;
            let older_arg = older.to_string_lossy().into_owned();
            let mut grown_imports = Vec::new();
            let mut grown_builds = Vec::new();
            for r in 0..runs {
                let site = work.join(format!("grown-{r}"));
                if site.exists() {
                    fs::remove_dir_all(&site).map_err(|e| e.to_string())?;
                }
                new_site(&site)?;
                measure(
                    &salon,
                    &site,
                    &["import", "mbox", &older_arg, "--min-messages", "1"],
                )?;
                measure(&salon, &site, &["build"])?;
                grown_imports.push(measure(&salon, &site, &import)?);
                grown_builds.push(measure(&salon, &site, &["build"])?);
                fs::remove_dir_all(&site).map_err(|e| e.to_string())?;
            }
            let added = summary.messages - kept;
            report(&format!("import, {added} new"), &grown_imports);
            report(&format!("build after {added} new"), &grown_builds);
        }
        if work == tmp {
            let _ = fs::remove_dir_all(&tmp);
        }
        Ok(())
    }

    /// An empty site folder at `site`: only its `salon.yaml`.
    fn new_site(site: &Path) -> Result<()> {
        fs::create_dir_all(site).map_err(|e| e.to_string())?;
        fs::write(
            site.join("salon.yaml"),
            "title: Developers\nbase_url: https://lists.example.org/\n",
        )
        .map_err(|e| e.to_string())
    }

    /// Copies the first `n` messages of the mbox `from` to `to`, cut where
    /// the importer's own splitter says the next message starts; returns
    /// how many it copied (fewer when the archive holds fewer). Streams:
    /// the archive may be larger than memory.
    fn first_messages(from: &Path, to: &Path, n: usize) -> Result<usize> {
        use std::io::Read;
        let file = fs::File::open(from).map_err(|e| e.to_string())?;
        let (mut seen, mut cut) = (0, 0);
        salon::import::mbox::split::split(std::io::BufReader::with_capacity(1 << 20, file), |m| {
            if seen < n {
                seen += 1;
                cut = m.end;
            }
        })
        .map_err(|e| e.message)?;
        let head = fs::File::open(from).map_err(|e| e.to_string())?;
        let mut out =
            BufWriter::with_capacity(1 << 20, fs::File::create(to).map_err(|e| e.to_string())?);
        std::io::copy(&mut head.take(cut), &mut out).map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
        Ok(seen)
    }

    fn salon_binary() -> Result<PathBuf> {
        if let Some(p) = std::env::var_os("SALON_BIN") {
            return Ok(PathBuf::from(p));
        }
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        // target/<profile>/examples/mbox_bench -> target/<profile>/salon
        let bin = exe
            .parent()
            .and_then(Path::parent)
            .map(|d| d.join("salon"))
            .filter(|p| p.is_file())
            .ok_or("no salon binary beside this example: run `cargo build --release` first, or set SALON_BIN")?;
        Ok(bin)
    }

    fn tempdir() -> Result<PathBuf> {
        let dir = std::env::temp_dir().join(format!("salon-mbox-bench-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        Ok(dir)
    }

    /// Runs `salon ARGS` in `dir` and measures it; fails if it fails.
    fn measure(salon: &Path, dir: &Path, args: &[&str]) -> Result<Measured> {
        let started = Instant::now();
        let mut child = Command::new(salon)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", salon.display()))?;
        // stderr is read to its end before reaping, so the child never
        // blocks on a full pipe.
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        // SAFETY: rusage is plain data that wait4 fills; pid is our child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let wall = started.elapsed();
        if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
            let tail: String = err.lines().rev().take(10).collect::<Vec<_>>().join("\n");
            return Err(format!("salon {} failed:\n{tail}", args.join(" ")));
        }
        // Linux reports ru_maxrss in KiB.
        Ok(Measured {
            wall,
            peak_kib: usage.ru_maxrss as u64,
        })
    }

    fn report(what: &str, runs: &[Measured]) {
        let mut walls: Vec<f64> = runs.iter().map(|m| m.wall.as_secs_f64()).collect();
        walls.sort_by(f64::total_cmp);
        let mut peaks: Vec<u64> = runs.iter().map(|m| m.peak_kib).collect();
        peaks.sort_unstable();
        let median = walls[walls.len() / 2];
        let range = if walls.len() > 1 {
            format!(" ({:.1}-{:.1})", walls[0], walls[walls.len() - 1])
        } else {
            String::new()
        };
        println!(
            "{what:<28} {median:>8.1} s{range}  peak {:>6} MiB  ({} run{})",
            peaks[peaks.len() / 2] / 1024,
            runs.len(),
            if runs.len() == 1 { "" } else { "s" }
        );
    }

    /// Files, bytes, and the largest HTML page (bytes, path) under `dir`.
    fn output(dir: &Path) -> Result<(u64, u64, (u64, String))> {
        let (mut files, mut bytes, mut largest) = (0, 0, (0, String::new()));
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).map_err(|e| e.to_string())? {
                let entry = entry.map_err(|e| e.to_string())?;
                let path = entry.path();
                let name = entry.file_name();
                if name.to_string_lossy().starts_with(".salon") {
                    continue;
                }
                let meta = entry.metadata().map_err(|e| e.to_string())?;
                if meta.is_dir() {
                    stack.push(path);
                    continue;
                }
                files += 1;
                bytes += meta.len();
                if path.extension().is_some_and(|e| e == "html") && meta.len() > largest.0 {
                    let rel = path.strip_prefix(dir).unwrap_or(&path);
                    largest = (meta.len(), rel.display().to_string());
                }
            }
        }
        Ok((files, bytes, largest))
    }
}
