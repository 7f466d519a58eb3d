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
    let mut text = String::with_capacity(64 + entries.len() * 96);
    text.push_str(HEADER);
    text.push_str("\ninputs ");
    push_hex(&mut text, inputs);
    text.push('\n');
    // Written by hand rather than with `write!`: watch mode renders the
    // manifest (a line per file) after every change, and the formatter
    // cost more than the rest of it.
    for (path, e) in entries {
        push_hex(&mut text, e.hash);
        text.push(' ');
        push_decimal(&mut text, e.len.into());
        text.push(' ');
        push_decimal(&mut text, e.mtime);
        text.push(' ');
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// `n` as 32 lowercase hex digits, as `{:032x}` writes it.
fn push_hex(text: &mut String, n: u128) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 32];
    for (i, b) in buf.iter_mut().enumerate() {
        *b = DIGITS[((n >> (4 * (31 - i))) & 0xf) as usize];
    }
    text.push_str(std::str::from_utf8(&buf).expect("hex digits are ASCII"));
}

/// `n` in decimal, as `{}` writes it.
fn push_decimal(text: &mut String, n: u128) {
    // Sizes and mtimes (nanoseconds until 2554) fit in 64 bits, whose
    // division is cheap.
    let Ok(mut n) = u64::try_from(n) else {
        text.push_str(&n.to_string());
        return;
    };
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    text.push_str(std::str::from_utf8(&buf[at..]).expect("decimal digits are ASCII"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_written_as_the_formatter_writes_them_and_read_back() {
        let entries = [
            (
                "a/index.html".to_owned(),
                Entry {
                    hash: 0,
                    len: 0,
                    mtime: 0,
                },
            ),
            (
                "b.xml".to_owned(),
                Entry {
                    hash: u128::MAX,
                    len: u64::MAX,
                    mtime: 1_765_000_000_123_456_789,
                },
            ),
            (
                "c d/é.json".to_owned(),
                Entry {
                    hash: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
                    len: 10,
                    mtime: u128::from(u64::MAX) + 1,
                },
            ),
        ];
        let text = render(7, entries.iter().map(|(p, e)| (p, e)));
        let mut expected = format!("{HEADER}\ninputs {:032x}\n", 7u128);
        for (p, e) in &entries {
            expected += &format!("{:032x} {} {} {p}\n", e.hash, e.len, e.mtime);
        }
        assert_eq!(text, expected);
        let dir = tempfile::tempdir().expect("temp dir");
        install(dir.path(), &text).expect("install");
        let (inputs, files) = read(dir.path());
        assert_eq!(inputs, Some(7));
        assert_eq!(files.len(), 3);
        assert_eq!(files["c d/é.json"].mtime, u128::from(u64::MAX) + 1);
    }
}
