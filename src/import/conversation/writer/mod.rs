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

mod entries;
mod report;
#[cfg(test)]
mod tests;

use entries::{
    as_in_file, check_parses, new_entries, replace, safe_id, safe_text, safe_url, Target,
};
pub use report::{Outcome, ThreadOptions, ThreadReport};

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
