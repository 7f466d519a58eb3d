//! Writing a [`Conversation`] as `content/threads/<slug>.md`, or adding
//! what is new in it to the thread file it was imported into before.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::merge;
use super::yaml::{self, EntryText};
use super::{Author, Conversation};
use crate::date::{parse_date, Date};
use crate::email;
use crate::error::Error;
use crate::import::matcher::Matcher;
use crate::import::text::{clean, format_date, yaml_str};
use crate::load::SourceFile;
use crate::slug::slugify;

/// How to write one conversation.
#[derive(Debug, Clone, Default)]
pub struct ThreadOptions {
    /// The file name (without `.md`) instead of one made from the title.
    pub slug: Option<String>,
    /// Work out what would change; write nothing.
    pub dry_run: bool,
}

/// What happened to the thread file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new file.
    Created,
    /// New entries added to an existing file.
    Added,
    /// The file already had every entry (or skips it).
    Unchanged,
}

/// What one conversation did to the site.
#[derive(Debug, Clone)]
pub struct ThreadReport {
    /// The thread file, relative to the site folder.
    pub path: PathBuf,
    /// Created, added to, or left alone.
    pub outcome: Outcome,
    /// Entries written (or that would be).
    pub entries: usize,
    /// Of those, entries by members.
    pub by_members: usize,
    /// Messages the file already had.
    pub already: usize,
    /// Messages left out because their id is in `skip:`.
    pub skipped: usize,
    /// Authors who are not members (name and account, never an e-mail).
    pub unmatched: Vec<String>,
    /// Things the curator should know.
    pub notes: Vec<String>,
    /// The YAML written (a whole new file, or the entries appended).
    pub preview: String,
    /// Nothing was written.
    pub dry_run: bool,
}

impl ThreadReport {
    /// A report of a conversation nothing was done to yet.
    fn nothing_yet(dry_run: bool) -> Self {
        ThreadReport {
            path: PathBuf::new(),
            outcome: Outcome::Unchanged,
            entries: 0,
            by_members: 0,
            already: 0,
            skipped: 0,
            unmatched: Vec::new(),
            notes: Vec::new(),
            preview: String::new(),
            dry_run,
        }
    }
}

impl fmt::Display for ThreadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let (create, add) = if self.dry_run {
            ("Would create", "Would add")
        } else {
            ("Created", "Added")
        };
        let members = format!("{} by members", self.by_members);
        match self.outcome {
            Outcome::Created => writeln!(
                f,
                "{create} {path} with {} entries ({members}).",
                self.entries
            )?,
            Outcome::Added => writeln!(
                f,
                "{add} {} entries ({members}) to {path}; {} were there already, {} are in `skip:`.",
                self.entries, self.already, self.skipped
            )?,
            Outcome::Unchanged => writeln!(
                f,
                "{path} is up to date: {} entries there already, {} in `skip:`.",
                self.already, self.skipped
            )?,
        }
        if !self.unmatched.is_empty() {
            writeln!(
                f,
                "Not members, written by name (list their account in a member's `links:` or `aka:` to link them): {}",
                self.unmatched.join(", ")
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

/// A thread file already in the site.
#[derive(Debug)]
struct Known {
    /// Relative to the site folder.
    path: PathBuf,
}

/// Writes conversations into one site, remembering what it wrote so a
/// batch (an mbox) never gives two conversations the same file.
///
/// What the site's thread files hold is indexed by id and source URL, so
/// finding a conversation's file costs the same with 20 threads as with
/// 200,000 (a list's whole archive imported again).
#[derive(Debug)]
pub struct ThreadWriter {
    root: PathBuf,
    matcher: Matcher,
    known: Vec<Known>,
    /// Every id in a known file's `entries:` or `skip:`: the first file
    /// holding it, and whether it is in that file's `skip:`.
    ids: HashMap<String, (usize, bool)>,
    /// The further files of an id more than one file holds (rare).
    more_ids: HashMap<String, Vec<usize>>,
    /// Known files by their trimmed `source: url`.
    urls: HashMap<String, Vec<usize>>,
    /// Known files (those this writer created too) by path.
    paths: HashMap<PathBuf, usize>,
}

/// Writes one conversation into the site at `root`; see [`ThreadWriter`].
pub fn write_thread(
    root: &Path,
    conv: &Conversation,
    opts: &ThreadOptions,
) -> Result<ThreadReport, Error> {
    ThreadWriter::new(root)?.write(conv, opts)
}

/// A message on its way into the file: ids made safe, author attributed,
/// e-mail addresses gone.
#[derive(Debug)]
struct Prepared {
    entry: EntryText,
    parent: Option<String>,
    /// The id an older Salon wrote for it ([`Message::former_id`]).
    former_id: Option<String>,
    member: bool,
    date: Option<Date>,
}

const THREADS: &str = "content/threads";

impl ThreadWriter {
    /// Reads the site's members (for attribution) and threads (to find
    /// where a conversation was imported before).
    pub fn new(root: &Path) -> Result<Self, Error> {
        if !crate::build::is_site(root) {
            return Err(Error::Refused(format!(
                "{} holds no site (salon.yaml); run `salon init` first or pass --source",
                root.display()
            )));
        }
        let mut writer = ThreadWriter {
            root: root.to_path_buf(),
            matcher: Matcher::load(root)?,
            known: Vec::new(),
            ids: HashMap::new(),
            more_ids: HashMap::new(),
            urls: HashMap::new(),
            paths: HashMap::new(),
        };
        for path in crate::import::markdown_files(&root.join(THREADS)) {
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            // Files that cannot be read are only an error if we must write
            // to them; the build reports them anyway.
            if let Ok(e) = merge::read(&rel, &text) {
                let skip: Vec<(String, bool)> = e.skip.into_iter().map(|i| (i, true)).collect();
                let ids = skip
                    .into_iter()
                    .chain(e.ids.into_iter().map(|i| (i, false)));
                writer.add_known(rel, ids, e.source_url.as_deref());
            }
        }
        Ok(writer)
    }

    /// Records a thread file and what it holds; `ids` with whether each
    /// is in `skip:` (a skipped id listed first wins over its entry).
    fn add_known(
        &mut self,
        path: PathBuf,
        ids: impl Iterator<Item = (String, bool)>,
        source_url: Option<&str>,
    ) {
        let k = self.known.len();
        self.paths.insert(path.clone(), k);
        self.known.push(Known { path });
        for (id, skipped) in ids {
            self.add_id(k, id, skipped);
        }
        if let Some(u) = source_url.map(str::trim).filter(|u| !u.is_empty()) {
            self.urls.entry(u.to_owned()).or_default().push(k);
        }
    }

    fn add_id(&mut self, k: usize, id: String, skipped: bool) {
        match self.ids.get(&id) {
            None => {
                self.ids.insert(id, (k, skipped));
            }
            Some(&(first, _)) if first == k => {}
            Some(_) => {
                let more = self.more_ids.entry(id).or_default();
                if !more.contains(&k) {
                    more.push(k);
                }
            }
        }
    }

    /// The known files holding one of `ids` or whose source is one of
    /// `urls`, in the order they were found.
    fn holding<'a>(
        &self,
        ids: impl Iterator<Item = &'a str>,
        urls: impl Iterator<Item = &'a str>,
    ) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        for id in ids {
            if let Some(&(k, _)) = self.ids.get(id) {
                found.push(k);
                found.extend(self.more_ids.get(id).into_iter().flatten());
            }
        }
        for u in urls {
            found.extend(self.urls.get(u.trim()).into_iter().flatten());
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// What [`ThreadWriter::write`] would report for a conversation whose
    /// every message is in one thread file already (in `entries:` or
    /// `skip:`): found from the index, without its texts or reading the
    /// file. `None` when something may be new, or with `--slug`.
    pub fn unchanged(&self, conv: &Conversation, opts: &ThreadOptions) -> Option<ThreadReport> {
        if opts.slug.is_some() {
            return None;
        }
        let mut report = ThreadReport::nothing_yet(opts.dry_run);
        let messages = self.prepare(conv, &mut report);
        let mut file = None;
        for m in &messages {
            let &(k, skipped) = self.ids.get(&m.entry.id)?;
            if self.more_ids.contains_key(&m.entry.id) || file.is_some_and(|f| f != k) {
                return None;
            }
            file = Some(k);
            if skipped {
                report.skipped += 1;
            } else {
                report.already += 1;
            }
        }
        let urls = conv
            .source_url
            .iter()
            .chain(conv.messages.iter().filter_map(|m| m.url.as_ref()));
        let holding = self.holding(
            messages.iter().map(|m| m.entry.id.as_str()),
            urls.map(String::as_str),
        );
        if holding != [file?] {
            return None;
        }
        report.path = self.known[file?].path.clone();
        Some(report)
    }

    /// Writes `conv` as a new thread file, or adds its new messages to the
    /// file that has some of its ids. See the module docs of
    /// [`crate::import::conversation`].
    pub fn write(
        &mut self,
        conv: &Conversation,
        opts: &ThreadOptions,
    ) -> Result<ThreadReport, Error> {
        let mut report = ThreadReport::nothing_yet(opts.dry_run);
        let messages = self.prepare(conv, &mut report);
        if messages.is_empty() {
            return Err(Error::Refused(format!(
                "the conversation \"{}\" has no message to import",
                conv.title
            )));
        }
        match self.target(conv, &messages, opts)? {
            Target::New(rel) => self.create(conv, messages, rel, opts, report),
            Target::Existing(rel) => self.merge(messages, rel, opts, report),
        }
    }

    fn prepare(&self, conv: &Conversation, report: &mut ThreadReport) -> Vec<Prepared> {
        let mut seen = HashSet::new();
        let mut out: Vec<Prepared> = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        for m in &conv.messages {
            let id = safe_id(&m.id);
            if id.is_empty() || !seen.insert(id.clone()) {
                report.notes.push(format!(
                    "a message with {} id was left out",
                    if id.is_empty() {
                        "an empty"
                    } else {
                        "a repeated"
                    }
                ));
                continue;
            }
            let (by, member, who) = self.attribute(&m.author, report);
            if !member && !unmatched.contains(&who) {
                unmatched.push(who);
            }
            out.push(Prepared {
                entry: EntryText {
                    id,
                    by,
                    reply_to: None,
                    date: m.date.as_ref().map(format_date),
                    url: m.url.as_deref().and_then(safe_url),
                    text: safe_text(&m.text),
                    quoted: m.quoted.as_deref().map(safe_text),
                },
                parent: m.parent.as_deref().map(safe_id),
                former_id: m.former_id.as_deref().map(safe_id),
                member,
                date: m.date,
            });
        }
        report.unmatched = unmatched;
        // A parent that is not in the conversation, or a chain of parents
        // that loops, would not parse: those messages start a branch. Both
        // found in one pass, however long the chains.
        let index: HashMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, p)| (p.entry.id.clone(), i))
            .collect();
        for p in &mut out {
            if p.parent
                .as_ref()
                .is_some_and(|parent| !index.contains_key(parent))
            {
                report.notes.push(format!(
                    "message `{}` answers one that is not in the conversation; it is shown at top level",
                    p.entry.id
                ));
                p.parent = None;
            }
        }
        let parents: Vec<Option<usize>> = out
            .iter()
            .map(|p| p.parent.as_ref().map(|parent| index[parent]))
            .collect();
        for cycle in crate::tree::cycles(&parents) {
            let first = &mut out[cycle[0]];
            report.notes.push(format!(
                "message `{}` is part of a reply cycle of {} message(s); it is shown at top level",
                first.entry.id,
                cycle.len()
            ));
            first.parent = None;
        }
        out
    }

    /// The `by:` of an author, whether it is a member, and how the report
    /// names a non-member.
    fn attribute(&self, a: &Author, report: &mut ThreadReport) -> (String, bool, String) {
        // `Gina <gina@…>` is Gina; a name that is only an address, its
        // local part.
        let name = email::redact_name(&clean(a.name.trim()));
        let account = a
            .account
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && !email::contains(s));
        let member = match account {
            // Anyone can take a member's name on a social network: only an
            // account the member lists is them.
            Some(acc) => self.matcher.find_account(acc),
            None => self.matcher.find(&a.name, a.email.as_deref()),
        };
        if let Some(handle) = member {
            return (handle.to_owned(), true, String::new());
        }
        let shown = match (name.is_empty(), account) {
            (false, _) => name.clone(),
            (true, Some(acc)) => acc.to_owned(),
            (true, None) => "Anonymous".to_owned(),
        };
        let who = match account {
            Some(acc) if acc != shown => format!("{shown} ({acc})"),
            _ => shown.clone(),
        };
        // A stranger whose display name is a member's name must not be
        // linked to that member by the build.
        if let Some(acc) = account {
            if self.matcher.find(&shown, None).is_some() || self.matcher.has_handle(&shown) {
                let by = format!("{shown} ({acc})");
                let note = format!(
                    "{acc} is called \"{shown}\" like a member but is not linked to one; written as \"{by}\""
                );
                if !report.notes.contains(&note) {
                    report.notes.push(note);
                }
                return (by, false, who);
            }
        }
        (shown, false, who)
    }

    fn target(
        &self,
        conv: &Conversation,
        messages: &[Prepared],
        opts: &ThreadOptions,
    ) -> Result<Target, Error> {
        // Ids are namespaced by their source, and so are addresses: a file
        // holds this conversation when it has one of its ids, or when its
        // source is the conversation's address or one of its messages'.
        let urls = conv
            .source_url
            .iter()
            .chain(conv.messages.iter().filter_map(|m| m.url.as_ref()))
            .map(|u| u.trim())
            .filter(|u| !u.is_empty());
        let holding: Vec<&Known> = self
            .holding(messages.iter().map(|m| m.entry.id.as_str()), urls)
            .into_iter()
            .map(|k| &self.known[k])
            .collect();
        let names = |list: &[&Known]| {
            list.iter()
                .map(|k| k.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(slug) = &opts.slug {
            crate::parse::check_segment("--slug", slug).map_err(Error::Refused)?;
            let rel = Path::new(THREADS).join(format!("{slug}.md"));
            if holding.iter().any(|k| k.path == rel) {
                return Ok(Target::Existing(rel));
            }
            if self.root.join(&rel).exists() {
                // Either a thread of another conversation or one we cannot
                // read: the merge reports which, with the position.
                if self.paths.contains_key(&rel) {
                    return Err(Error::Refused(format!(
                        "{} exists and holds another conversation (no entry id in common); choose another --slug",
                        rel.display()
                    )));
                }
                return Ok(Target::Existing(rel));
            }
            if !holding.is_empty() {
                return Err(Error::Refused(format!(
                    "this conversation was imported into {} already; import again without --slug to update it",
                    names(&holding)
                )));
            }
            return Ok(Target::New(rel));
        }
        match holding.as_slice() {
            [one] => Ok(Target::Existing(one.path.clone())),
            [] => {
                // Named after the title as written: no address, not even
                // one made into a slug.
                let mut base = slugify(&safe_text(&conv.title).replace(email::REMOVED, " "));
                if base.len() > 60 {
                    let cut = base[..60].rfind('-').unwrap_or(60);
                    base.truncate(cut);
                }
                if base.is_empty() {
                    base = "conversation".into();
                }
                let rel = (1..)
                    .map(|n| match n {
                        1 => base.clone(),
                        n => format!("{base}-{n}"),
                    })
                    .map(|s| Path::new(THREADS).join(format!("{s}.md")))
                    .find(|p| !self.paths.contains_key(p) && !self.root.join(p).exists())
                    .expect("some name is free");
                Ok(Target::New(rel))
            }
            many => Err(Error::Refused(format!(
                "messages of this conversation are in several threads ({}); pass --slug to say which one to update",
                names(many)
            ))),
        }
    }

    fn create(
        &mut self,
        conv: &Conversation,
        mut messages: Vec<Prepared>,
        rel: PathBuf,
        opts: &ThreadOptions,
        mut report: ThreadReport,
    ) -> Result<ThreadReport, Error> {
        let title = safe_text(conv.title.trim());
        let title = if title.is_empty() {
            "Untitled conversation".to_owned()
        } else {
            title
        };
        let date = messages
            .iter()
            .find_map(|m| m.date)
            .or_else(|| messages.iter().filter_map(|m| m.date).min())
            .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
        let mut text = format!(
            "---\ntitle: {}\ndate: {}\ntags: []\nstarted_by: {}\n",
            yaml_str(&title),
            format_date(&date),
            yaml::scalar(&messages[0].entry.by)
        );
        let source_name = safe_text(conv.source_name.trim());
        if !source_name.is_empty() {
            text.push_str(&format!("source: {{ name: {}", yaml_str(&source_name)));
            if let Some(u) = conv.source_url.as_deref().and_then(safe_url) {
                text.push_str(&format!(", url: {}", yaml_str(&u)));
            }
            text.push_str(" }\n");
        }
        text.push_str("skip: []  # ids of entries to leave out: a re-import never brings them back\nentries:\n");
        for m in &mut messages {
            m.entry.reply_to = m.parent.clone();
            text.push_str(&yaml::entry(&m.entry, 2));
        }
        text.push_str("---\n");
        check_parses(&rel, &text)?;
        report.outcome = Outcome::Created;
        report.entries = messages.len();
        report.by_members = messages.iter().filter(|m| m.member).count();
        report.path = rel.clone();
        report.preview = text.clone();
        if !opts.dry_run {
            let path = self.root.join(&rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            f.write_all(text.as_bytes())
                .map_err(|e| Error::io(&path, e))?;
        }
        self.add_known(
            rel,
            messages.into_iter().map(|m| (m.entry.id, false)),
            conv.source_url.as_deref(),
        );
        Ok(report)
    }

    fn merge(
        &mut self,
        messages: Vec<Prepared>,
        rel: PathBuf,
        opts: &ThreadOptions,
        mut report: ThreadReport,
    ) -> Result<ThreadReport, Error> {
        report.path = rel.clone();
        let path = self.root.join(&rel);
        let old = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let existing = merge::read(&rel, &old).map_err(Error::Content)?;
        check_parses(&rel, &old)?;
        let messages = as_in_file(messages, &existing);
        let (new, mut items) = new_entries(&messages, &existing, &mut report);
        report.entries = new.len();
        report.by_members = messages
            .iter()
            .filter(|m| m.member && new.contains(&m.entry.id))
            .count();
        if new.is_empty() {
            return Ok(report);
        }
        report.outcome = Outcome::Added;
        report.preview = items.clone();
        // Keep the file's own line ends.
        if old.contains("\r\n") {
            items = items.replace('\n', "\r\n");
        }
        let merged = merge::insert(&rel, &old, &items)?;
        check_parses(&rel, &merged)?;
        if !opts.dry_run {
            replace(&path, &old, &merged)?;
        }
        match self.paths.get(&rel).copied() {
            Some(k) => {
                for id in new {
                    self.add_id(k, id, false);
                }
            }
            None => self.add_known(rel, new.into_iter().map(|id| (id, false)), None),
        }
        Ok(report)
    }
}

/// `messages` with the ids the file knows them by ([`merge::former_ids`]),
/// their replies too, so nothing comes in twice.
fn as_in_file(mut messages: Vec<Prepared>, existing: &merge::Existing) -> Vec<Prepared> {
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
fn new_entries(
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

enum Target {
    New(PathBuf),
    Existing(PathBuf),
}

/// The thread parser must accept `text`, or it is not written.
fn check_parses(rel: &Path, text: &str) -> Result<(), Error> {
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
fn safe_text(s: &str) -> String {
    email::redact(&clean(s))
}

/// An id as written: the source's own unless it could be mistaken for an
/// e-mail address (a Message-ID) or is not one line, then a stable hash.
fn safe_id(id: &str) -> String {
    let id = id.trim();
    if id.contains('@') || id.chars().any(char::is_control) || id.len() > 120 {
        format!("h-{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    } else {
        id.to_owned()
    }
}

/// A URL worth writing: http(s) and free of e-mail addresses.
fn safe_url(url: &str) -> Option<String> {
    let u = url.trim();
    ((u.starts_with("https://") || u.starts_with("http://"))
        && !email::contains(u)
        && !u.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then(|| u.to_owned())
}

/// Replaces `path` (whose text was `old`) with `new`, through a temporary
/// file renamed over it, unless someone changed the file meanwhile.
fn replace(path: &Path, old: &str, new: &str) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use super::super::Message;
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("salon.yaml"), "title: T\n").unwrap();
        fs::create_dir_all(dir.path().join("content/members")).unwrap();
        fs::write(
            dir.path().join("content/members/hana.md"),
            "---\nname: Hana Mensah\nlinks: { mastodon: \"https://social.example/@hana\" }\naka: [\"hana@mail.example\"]\n---\n",
        )
        .unwrap();
        dir
    }

    fn msg(
        id: &str,
        parent: Option<&str>,
        name: &str,
        account: Option<&str>,
        text: &str,
    ) -> Message {
        Message {
            id: id.into(),
            parent: parent.map(Into::into),
            author: Author {
                name: name.into(),
                account: account.map(Into::into),
                email: Some(format!(
                    "{}@mail.example",
                    name.to_lowercase().replace(' ', ".")
                )),
            },
            date: parse_date(&format!("2024-03-0{}T10:00:00Z", id.len().min(9))),
            url: Some(format!("https://social.example/@x/{id}")),
            text: text.into(),
            quoted: None,
            former_id: None,
        }
    }

    fn conv(messages: Vec<Message>) -> Conversation {
        Conversation {
            title: "Is a forum worth it?".into(),
            source_name: "Mastodon".into(),
            source_url: Some("https://social.example/@x/1".into()),
            messages,
        }
    }

    fn small() -> Vec<Message> {
        vec![
            msg(
                "1",
                None,
                "Hana",
                Some("@hana@social.example"),
                "Is it?\n\nMail me at hana@mail.example.",
            ),
            msg(
                "2",
                Some("1"),
                "Hana Mensah",
                Some("@imposter@elsewhere.example"),
                "Yes.",
            ),
            msg("3", Some("2"), "Ola", None, "No."),
        ]
    }

    fn thread_path(dir: &Path) -> PathBuf {
        dir.join("content/threads/is-a-forum-worth-it.md")
    }

    fn entries(text: &str) -> Vec<serde_yaml::Value> {
        let split = crate::frontmatter::split(Path::new("t"), text).unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(split.yaml).unwrap();
        v["entries"].as_sequence().unwrap().clone()
    }

    #[test]
    fn a_new_thread_is_attributed_and_has_no_email_address() {
        let dir = site();
        let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        assert_eq!(
            (r.outcome, r.entries, r.by_members),
            (Outcome::Created, 3, 1)
        );
        let text = fs::read_to_string(thread_path(dir.path())).unwrap();
        assert!(!email::contains(&text), "{text}");
        let e = entries(&text);
        assert_eq!(e[0]["by"].as_str(), Some("hana"));
        assert_eq!(
            e[1]["by"].as_str(),
            Some("Hana Mensah (@imposter@elsewhere.example)")
        );
        assert_eq!(e[1]["reply_to"].as_str(), Some("1"));
        assert_eq!(e[2]["by"].as_str(), Some("Ola"));
        assert!(
            r.notes.iter().any(|n| n.contains("imposter")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn a_second_import_changes_nothing() {
        let dir = site();
        write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        let before = fs::read(thread_path(dir.path())).unwrap();
        let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        assert_eq!((r.outcome, r.already), (Outcome::Unchanged, 3));
        assert_eq!(fs::read(thread_path(dir.path())).unwrap(), before);
        assert_eq!(
            fs::read_dir(dir.path().join("content/threads"))
                .unwrap()
                .count(),
            1
        );
    }

    #[test]
    fn a_grown_conversation_adds_only_new_entries_and_keeps_edits() {
        let dir = site();
        write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        let path = thread_path(dir.path());
        // The curator renames, introduces, edits an entry and skips one.
        let edited = fs::read_to_string(&path)
            .unwrap()
            .replace(
                "title: \"Is a forum worth it?\"",
                "title: Forums, worth it?",
            )
            .replace("skip: []", "skip: [\"2\"]")
            .replace("      No.", "      No. (edited)")
            + "My introduction.\n";
        fs::write(&path, &edited).unwrap();
        let mut grown = small();
        grown.push(msg(
            "44",
            Some("2"),
            "Kai",
            None,
            "Answer to the skipped one.",
        ));
        grown.push(msg(
            "55",
            Some("44"),
            "Hana",
            Some("@hana@social.example"),
            "Deeper.",
        ));
        let dry = ThreadOptions {
            dry_run: true,
            ..Default::default()
        };
        let r = write_thread(dir.path(), &conv(grown.clone()), &dry).unwrap();
        assert_eq!((r.outcome, r.entries), (Outcome::Added, 2));
        assert_eq!(fs::read_to_string(&path).unwrap(), edited, "dry run wrote");
        let r = write_thread(dir.path(), &conv(grown.clone()), &ThreadOptions::default()).unwrap();
        assert_eq!((r.entries, r.already, r.skipped), (2, 2, 1));
        let after = fs::read_to_string(&path).unwrap();
        assert!(after.starts_with(&edited[..edited.find("---\nMy").unwrap()]));
        assert!(after.ends_with("---\nMy introduction.\n"));
        let e = entries(&after);
        let ids: Vec<&str> = e.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "2", "3", "44", "55"]);
        // "2" is skipped: its answer goes to the nearest kept ancestor.
        assert_eq!(e[3]["reply_to"].as_str(), Some("1"));
        assert_eq!(e[4]["reply_to"].as_str(), Some("44"));
        let again = write_thread(dir.path(), &conv(grown), &ThreadOptions::default()).unwrap();
        assert_eq!(again.outcome, Outcome::Unchanged);
        assert_eq!(fs::read_to_string(&path).unwrap(), after);
    }

    #[test]
    fn a_renamed_file_is_found_by_its_ids() {
        let dir = site();
        write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        let moved = dir.path().join("content/threads/renamed.md");
        fs::rename(thread_path(dir.path()), &moved).unwrap();
        let mut grown = small();
        grown.push(msg("4", Some("3"), "Ola", None, "More."));
        let r = write_thread(dir.path(), &conv(grown), &ThreadOptions::default()).unwrap();
        assert_eq!(r.path, Path::new("content/threads/renamed.md"));
        assert_eq!(entries(&fs::read_to_string(&moved).unwrap()).len(), 4);
    }

    #[test]
    fn files_that_are_not_threads_are_never_touched() {
        let dir = site();
        let path = thread_path(dir.path());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let broken = "---\ntitle: [unclosed\n---\n";
        fs::write(&path, broken).unwrap();
        let opts = ThreadOptions {
            slug: Some("is-a-forum-worth-it".into()),
            dry_run: false,
        };
        match write_thread(dir.path(), &conv(small()), &opts) {
            Err(Error::Content(d)) => {
                assert_eq!(
                    d[0].path,
                    Path::new("content/threads/is-a-forum-worth-it.md")
                );
                assert!(d[0].position.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), broken);
        // Without --slug, a new name is found instead.
        let r = write_thread(dir.path(), &conv(small()), &ThreadOptions::default()).unwrap();
        assert_eq!(
            r.path,
            Path::new("content/threads/is-a-forum-worth-it-2.md")
        );
    }

    #[test]
    fn a_control_character_cannot_hide_an_address() {
        let dir = site();
        let mut m = small();
        m[2].text = "reach me: a\r@b.org".into();
        m[2].author.name = "c\u{0}@d.org".into();
        write_thread(dir.path(), &conv(m), &ThreadOptions::default()).unwrap();
        let text = fs::read_to_string(thread_path(dir.path())).unwrap();
        assert!(!email::contains(&text), "{text}");
        assert!(text.contains("reach me: (address removed)"), "{text}");
    }

    #[test]
    fn message_ids_are_never_written() {
        let dir = site();
        let mut m = small();
        m[0].id = "<abc@mail.example>".into();
        m[1].parent = Some("<abc@mail.example>".into());
        write_thread(dir.path(), &conv(m), &ThreadOptions::default()).unwrap();
        let text = fs::read_to_string(thread_path(dir.path())).unwrap();
        assert!(!text.contains("abc@"), "{text}");
        let e = entries(&text);
        assert_eq!(e[1]["reply_to"], e[0]["id"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever a source hands over, the file written parses as a
        /// thread, holds no e-mail address, and a second run changes
        /// nothing.
        #[test]
        fn any_conversation_writes_a_thread_that_parses(
            raw in proptest::collection::vec((
                "[0-9a-c@<>. \n-]{0,6}",
                proptest::option::of("[0-9a-c@<>. -]{0,6}"),
                "[A-Za-z@.: \"#-]{0,12}",
                proptest::option::of("@[a-z]{1,3}@[a-z]{1,3}\\.example|[a-z]{1,3}\\.bsky\\.social"),
                "([A-Za-z0-9 *_#>|:\"'\\[\\]{}-]|\n|\t|@|\\.org|ann@b\\.org|\r|\u{0}|\u{FEFF}){0,40}",
            ), 1..8),
            title in "[A-Za-z0-9 @.:#-]{0,30}",
        ) {
            let dir = site();
            let messages: Vec<Message> = raw
                .into_iter()
                .map(|(id, parent, name, account, text)| Message {
                    id,
                    parent,
                    author: Author { name, account, email: Some("x@mail.example".into()) },
                    date: None,
                    url: None,
                    quoted: Some(text.chars().rev().collect()),
                    text,
                    former_id: None,
                })
                .collect();
            let c = Conversation { title, source_name: "Test".into(), source_url: None, messages };
            match write_thread(dir.path(), &c, &ThreadOptions::default()) {
                Ok(r) => {
                    let path = dir.path().join(&r.path);
                    let text = fs::read_to_string(&path).unwrap();
                    check_parses(&r.path, &text).unwrap();
                    // Checked on the values: a YAML escape (`\n@x.org`) can
                    // look like an address in the raw text without being one.
                    let split = crate::frontmatter::split(&path, &text).unwrap();
                    let v: serde_yaml::Value = serde_yaml::from_str(split.yaml).unwrap();
                    let mut strings = vec![v["title"].clone(), v["started_by"].clone()];
                    for e in v["entries"].as_sequence().unwrap() {
                        strings.extend(["id", "by", "text", "quoted", "reply_to"].map(|k| e[k].clone()));
                    }
                    for s in strings.iter().filter_map(|s| s.as_str()) {
                        proptest::prop_assert!(!email::contains(s), "{:?} in {}", s, text);
                    }
                    let again = write_thread(dir.path(), &c, &ThreadOptions::default()).unwrap();
                    proptest::prop_assert_eq!(again.outcome, Outcome::Unchanged);
                    proptest::prop_assert_eq!(fs::read_to_string(&path).unwrap(), text);
                }
                Err(Error::Refused(why)) => proptest::prop_assert!(why.contains("no message"), "{}", why),
                Err(e) => proptest::prop_assert!(false, "{:?}", e),
            }
        }
    }
}
