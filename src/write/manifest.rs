//! The manifest: what the last build wrote (hash, size and mtime of every
//! file) and the fingerprint of its inputs.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::{fsops, names, Entry};
use crate::error::Error;
use crate::url::OutputPath;

const HEADER: &str = "salon-manifest 2";

/// The inputs' fingerprint and the files of a manifest.
pub(super) type Manifest = (Option<u128>, HashMap<String, Entry>);

/// Reads a manifest. A missing, unreadable or older one means "nothing
/// written before", which is safe: every file is then written again.
pub(super) fn read(dir: &Path) -> Manifest {
    let Ok(text) = fs::read_to_string(dir.join(names::MANIFEST)) else {
        return (None, HashMap::new());
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return (None, HashMap::new());
    }
    let inputs = lines
        .next()
        .and_then(|l| l.strip_prefix("inputs "))
        .and_then(|h| u128::from_str_radix(h, 16).ok());
    let files = lines
        .filter_map(|line| {
            let mut parts = line.splitn(4, ' ');
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            let mtime = parts.next()?.parse().ok()?;
            let path = safe_path(parts.next()?)?;
            Some((path, Entry { hash, len, mtime }))
        })
        .collect();
    (inputs, files)
}

/// `path` when it is a file path below the output folder written exactly
/// as Salon writes it. Never trust a path read back from disk: it decides
/// what a later build deletes.
pub(super) fn safe_path(path: &str) -> Option<String> {
    let safe = OutputPath::from_relative(path).ok()?;
    (safe.as_str() == path && !names::is_reserved_path(path)).then(|| path.to_owned())
}

/// The manifest's text, entries sorted by path.
pub(super) fn render<'a>(
    inputs: u128,
    entries: impl ExactSizeIterator<Item = (&'a String, &'a Entry)>,
) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(64 + entries.len() * 96);
    text.push_str(HEADER);
    let _ = write!(text, "\ninputs {inputs:032x}\n");
    for (path, e) in entries {
        let _ = writeln!(text, "{:032x} {} {} {path}", e.hash, e.len, e.mtime);
    }
    text
}

/// Puts `text` in place as the manifest of `dir`, atomically. An unchanged
/// manifest is left alone (with its mtime), so a no-change build touches
/// nothing.
pub(super) fn install(dir: &Path, text: &str) -> Result<(), Error> {
    let path = dir.join(names::MANIFEST);
    if fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let temp = dir.join(names::MANIFEST_TEMP);
    fsops::write_file(&temp, text.as_bytes())
        .and_then(|_| fsops::rename(&temp, &path))
        .map_err(|e| {
            let _ = fsops::remove_file(&temp);
            Error::io(&path, e)
        })
}

/// Renders and installs the manifest of `files`, sorted.
pub(super) fn write<'a>(
    dir: &Path,
    inputs: u128,
    files: impl IntoIterator<Item = (&'a String, &'a Entry)>,
) -> Result<(), Error> {
    let mut sorted: Vec<(&String, &Entry)> = files.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    install(dir, &render(inputs, sorted.into_iter()))
}
