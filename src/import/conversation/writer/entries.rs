//! The entries a thread file gains, and what is written at all: ids,
//! text and URLs made safe, the thread parser's check, and the file
//! replaced only if no one changed it meanwhile.

use super::*;

/// `messages` with the ids the file knows them by ([`merge::former_ids`]),
/// their replies too, so nothing comes in twice.
pub(super) fn as_in_file(mut messages: Vec<Prepared>, existing: &merge::Existing) -> Vec<Prepared> {
    let renamed = merge::former_ids(
        existing,
        messages.iter().map(|m| (&m.entry.id, m.former_id.as_ref())),
    );
    for m in &mut messages {
        if let Some(former) = renamed.get(&m.entry.id) {
            m.entry.id = former.clone();
        }
        if let Some(former) = m.parent.as_ref().and_then(|p| renamed.get(p)) {
            m.parent = Some(former.clone());
        }
    }
    messages
}

/// The messages a thread file has neither in `entries` nor in `skip`, as
/// ids and as YAML items lined up with the file's; each answers its
/// nearest kept ancestor. Counts and notes go to `report`.
pub(super) fn new_entries(
    messages: &[Prepared],
    existing: &merge::Existing,
    report: &mut ThreadReport,
) -> (Vec<String>, String) {
    let in_file: HashSet<&str> = existing.ids.iter().map(String::as_str).collect();
    let skip: HashSet<&str> = existing.skip.iter().map(String::as_str).collect();
    let parent_of: HashMap<&str, Option<&str>> = messages
        .iter()
        .map(|m| (m.entry.id.as_str(), m.parent.as_deref()))
        .collect();
    let mut kept: HashSet<&str> = in_file.difference(&skip).copied().collect();
    let mut new = Vec::new();
    for m in messages {
        let id = m.entry.id.as_str();
        if skip.contains(id) {
            report.skipped += 1;
        } else if in_file.contains(id) {
            report.already += 1;
        } else {
            kept.insert(id);
            new.push(m);
        }
    }
    let newest_old = existing.dates.iter().filter_map(|d| parse_date(d)).max();
    let mut items = String::new();
    let mut older = Vec::new();
    for m in &new {
        let mut entry = m.entry.clone();
        // Answers to a skipped entry go to its nearest kept ancestor.
        let mut parent = m.parent.as_deref();
        let mut steps = 0;
        while let Some(p) = parent.filter(|p| !kept.contains(p)) {
            parent = parent_of.get(p).copied().flatten();
            steps += 1;
            if steps > messages.len() {
                parent = None;
            }
        }
        if parent != m.parent.as_deref() {
            report.notes.push(format!(
                "`{}` answers `{}`, which is not kept; it now answers {}",
                entry.id,
                m.parent.as_deref().unwrap_or(""),
                parent.map_or("nothing (top level)".to_owned(), |p| format!("`{p}`"))
            ));
        }
        entry.reply_to = parent.map(str::to_owned);
        if let (Some(d), Some(n)) = (m.date, newest_old) {
            if d < n {
                older.push(format!("`{}`", entry.id));
            }
        }
        items.push_str(&yaml::entry(&entry, existing.indent));
    }
    if !older.is_empty() {
        report.notes.push(format!(
                "{} added entries are older than the newest one in the file ({}); if you deleted them, list their ids under `skip:` so they stay removed",
                older.len(),
                older.join(", ")
            ));
    }
    (new.iter().map(|m| m.entry.id.clone()).collect(), items)
}

pub(super) enum Target {
    New(PathBuf),
    Existing(PathBuf),
}

/// The thread parser must accept `text`, or it is not written.
pub(super) fn check_parses(rel: &Path, text: &str) -> Result<(), Error> {
    let file = SourceFile {
        path: rel.to_path_buf(),
        text: text.to_owned(),
    };
    crate::parse::parse_thread(&file, &Default::default())
        .map(drop)
        .map_err(Error::Content)
}

/// Text as written: characters YAML cannot hold dropped first (they could
/// hide an address), then e-mail addresses taken out.
pub(super) fn safe_text(s: &str) -> String {
    email::redact(&clean(s))
}

/// An id as written: the source's own unless it could be mistaken for an
/// e-mail address (a Message-ID) or is not one line, then a stable hash.
pub(super) fn safe_id(id: &str) -> String {
    let id = id.trim();
    if id.contains('@') || id.chars().any(char::is_control) || id.len() > 120 {
        format!("h-{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    } else {
        id.to_owned()
    }
}

/// A URL worth writing: http(s) and free of e-mail addresses.
pub(super) fn safe_url(url: &str) -> Option<String> {
    let u = url.trim();
    ((u.starts_with("https://") || u.starts_with("http://"))
        && !email::contains(u)
        && !u.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then(|| u.to_owned())
}

/// Replaces `path` (whose text was `old`) with `new`, through a temporary
/// file renamed over it, unless someone changed the file meanwhile.
pub(super) fn replace(path: &Path, old: &str, new: &str) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.salon-{}", std::process::id()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| Error::io(&tmp, e))?;
    let written = f
        .write_all(new.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| fs::metadata(path))
        .and_then(|m| fs::set_permissions(&tmp, m.permissions()));
    let now = fs::read_to_string(path);
    let result = match (written, now) {
        (Err(e), _) | (_, Err(e)) => Err(Error::io(path, e)),
        (Ok(()), Ok(now)) if now != old => Err(Error::Refused(format!(
            "{} changed while importing; nothing was written, import again",
            path.display()
        ))),
        (Ok(()), Ok(_)) => fs::rename(&tmp, path).map_err(|e| Error::io(path, e)),
    };
    if result.is_err() {
        // Our own temporary file, never the user's.
        let _ = fs::remove_file(&tmp);
    }
    result
}
