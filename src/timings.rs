//! Where a build's time went, for `salon build --timings`.

use std::fmt;
use std::time::{Duration, Instant};

/// Stage and template timings of one build.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// `(stage, what was counted, count, wall time)` in pipeline order. A
    /// name indented by spaces is a part of the stage that follows it,
    /// run beside the other parts: [`Timings::total`] leaves it out.
    pub stages: Vec<(&'static str, &'static str, usize, Duration)>,
    /// `(template, pages, summed render time)`, slowest first. Summed over
    /// threads, so the total can exceed the render stage's wall time.
    pub templates: Vec<(&'static str, usize, Duration)>,
    /// The process's peak resident memory in KiB when each stage ended
    /// (0 where the system does not say), in the order of `stages`.
    pub peaks: Vec<u64>,
}

/// The process's peak resident set so far (Linux's VmHWM), in KiB; 0
/// elsewhere.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

impl Timings {
    /// Records a stage that started at `start`.
    pub fn stage(&mut self, name: &'static str, unit: &'static str, count: usize, start: Instant) {
        self.took(name, unit, count, start.elapsed());
    }

    /// Records a stage, or an indented part of one, that took `took`.
    pub fn took(&mut self, name: &'static str, unit: &'static str, count: usize, took: Duration) {
        self.stages.push((name, unit, count, took));
        self.peaks.push(peak_rss_kib());
    }

    /// Total wall time of the stages.
    pub fn total(&self) -> Duration {
        self.stages
            .iter()
            .filter(|s| !s.0.starts_with(' '))
            .map(|s| s.3)
            .sum()
    }
}

impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>10} {:>9}  {:>8}",
            "stage", "ms", "peak MiB", "count"
        )?;
        for (i, (name, unit, count, d)) in self.stages.iter().enumerate() {
            let peak = match self.peaks.get(i) {
                Some(&kib) if kib > 0 => format!("{}", kib / 1024),
                _ => "-".into(),
            };
            writeln!(
                f,
                "{name:<10} {:>10.1} {peak:>9}  {count:>8} {unit}",
                d.as_secs_f64() * 1e3
            )?;
        }
        writeln!(
            f,
            "{:<10} {:>10.1}",
            "total",
            self.total().as_secs_f64() * 1e3
        )?;
        if !self.templates.is_empty() {
            writeln!(
                f,
                "\n{:<22} {:>8} {:>12} {:>10}",
                "render by template", "pages", "cpu ms", "µs/page"
            )?;
            for (name, n, d) in &self.templates {
                let per = d.as_secs_f64() * 1e6 / (*n).max(1) as f64;
                writeln!(
                    f,
                    "{name:<22} {n:>8} {:>12.1} {per:>10.0}",
                    d.as_secs_f64() * 1e3
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_leaves_out_the_parts_of_a_stage() {
        let mut t = Timings::default();
        t.took("  index", "documents", 1, Duration::from_millis(30));
        t.took("  cards", "posts", 1, Duration::from_millis(20));
        t.took("link", "posts", 1, Duration::from_millis(40));
        assert_eq!(t.total(), Duration::from_millis(40));
        assert_eq!(t.peaks.len(), 3);
    }
}
