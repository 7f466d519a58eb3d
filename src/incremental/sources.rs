//! The parsed content files of a site, kept between rebuilds: after a
//! change only the changed files are read and parsed again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics, Error};
use crate::link::Parsed;
use crate::load::{self, ContentFile, ContentFiles};
use crate::markdown::Context;
use crate::parse::{
    self, ParsedComments, ParsedMember, ParsedPage, ParsedPost, ParsedTermPage, ParsedThread,
};

/// A parsed file, or what is wrong with it.
pub type Slot<T> = Result<T, Vec<Diagnostic>>;

/// Parsed files of every kind, each list in the order of the matching
/// list of [`ContentFiles`].
#[derive(Default)]
pub struct Sources {
    /// `content/posts/`
    pub posts: Vec<Slot<ParsedPost>>,
    /// `content/members/`
    pub members: Vec<Slot<ParsedMember>>,
    /// `content/threads/`
    pub threads: Vec<Slot<ParsedThread>>,
    /// `content/pages/`
    pub pages: Vec<Slot<ParsedPage>>,
    /// `content/comments/`
    pub comments: Vec<Slot<ParsedComments>>,
    /// `content/tags/`
    pub tags: Vec<Slot<ParsedTermPage>>,
}

/// A post whose file changed: how it was, and its new index.
pub struct ChangedPost {
    /// The post as parsed before (`None` for a new file).
    pub before: Option<Slot<ParsedPost>>,
    /// Index into [`Sources::posts`] now.
    pub now: usize,
}

/// A thread whose file changed: how it was, and its new index.
pub struct ChangedThread {
    /// The thread as parsed before (`None` for a new file).
    pub before: Option<Slot<ParsedThread>>,
    /// Index into [`Sources::threads`] now.
    pub now: usize,
}

/// What a refresh changed.
#[derive(Default)]
pub struct Refresh {
    /// Kinds whose files changed, by index into [`load::KINDS`].
    pub kinds: HashSet<usize>,
    /// Files added or removed (not only changed).
    pub added_or_removed: bool,
    /// A kind listed again (a folder came or went): files other than the
    /// changed ones may have new sizes and times.
    pub relisted: bool,
    /// Posts whose files changed.
    pub posts: Vec<ChangedPost>,
    /// Threads whose files changed.
    pub threads: Vec<ChangedThread>,
}

/// Parses a file of one kind, given the file's last parse when it
/// parsed: a long thread takes the messages that stayed from it.
type Parse<T> = fn(&load::SourceFile, &Context, Option<&T>) -> Result<T, Vec<Diagnostic>>;

/// A kind's [`Parse`] that reuses nothing of the last parse.
macro_rules! afresh {
    ($parse:path) => {
        |file: &load::SourceFile, ctx: &Context, _| $parse(file, ctx)
    };
}

/// Reads and parses `file` once it stopped changing; returns it as read.
/// `previous` is its last parse.
fn parse_slot<T>(
    root: &Path,
    file: &ContentFile,
    ctx: &Context,
    parse: Parse<T>,
    previous: Option<&Slot<T>>,
) -> Result<(ContentFile, Slot<T>), Error> {
    let previous = previous.and_then(|s| s.as_ref().ok());
    parse_settled(
        root,
        file,
        ctx,
        |f, c| parse(f, c, previous),
        || std::thread::sleep(load::SETTLE_PAUSE * 2),
    )
}

/// How often a file that fails to parse is looked at again.
const PARSE_AGAIN: usize = 3;

/// [`parse_slot`], with `pause` between a failed parse and a second look.
/// A save that truncates the file and then writes it (as `fs::write` and
/// many editors do) can be read in between, empty or cut short, and hold
/// still for a moment: a file that fails to parse and then changes during
/// `pause` is read and parsed again. A file that is really broken costs
/// one pause before its errors show.
fn parse_settled<T>(
    root: &Path,
    file: &ContentFile,
    ctx: &Context,
    parse: impl Fn(&load::SourceFile, &Context) -> Result<T, Vec<Diagnostic>>,
    pause: impl Fn(),
) -> Result<(ContentFile, Slot<T>), Error> {
    let mut listed = file.clone();
    let mut looks = 0;
    loop {
        let (read, text) = load::read_settled(root, &listed)?;
        let slot = match text {
            Ok(source) => parse(&source, ctx),
            Err(unreadable) => Err(vec![unreadable]),
        };
        looks += 1;
        if slot.is_ok() || looks > PARSE_AGAIN {
            return Ok((read, slot));
        }
        pause();
        match load::stat(&read.abs) {
            Ok(now) if now.len != read.len || now.mtime != read.mtime => listed = now,
            _ => return Ok((read, slot)),
        }
    }
}

/// Brings `slots` from `before` to `after` (both sorted by path): a file
/// listed in both with the same size and mtime, and not in `touched`, keeps
/// its slot; every other file of `after` is parsed (and its entry set to
/// the file as read). Returns the slots that were replaced, with the new
/// index of their file.
#[allow(clippy::type_complexity)]
fn refresh<T: Send + Sync>(
    root: &Path,
    ctx: &Context,
    before: &[ContentFile],
    after: &mut [ContentFile],
    slots: &mut Vec<Slot<T>>,
    touched: &HashSet<PathBuf>,
    parse: Parse<T>,
) -> Result<Vec<(Option<Slot<T>>, usize)>, Error> {
    let by_path: HashMap<&Path, usize> = before
        .iter()
        .enumerate()
        .map(|(i, f)| (f.abs.as_path(), i))
        .collect();
    let mut old: Vec<Option<Slot<T>>> = std::mem::take(slots).into_iter().map(Some).collect();
    let mut keep: Vec<Option<Slot<T>>> = Vec::with_capacity(after.len());
    let mut to_parse = Vec::new();
    for (i, f) in after.iter().enumerate() {
        let same = by_path.get(f.abs.as_path()).filter(|&&j| {
            before[j].len == f.len && before[j].mtime == f.mtime && !touched.contains(&f.abs)
        });
        match same {
            Some(&j) => keep.push(old[j].take()),
            None => {
                keep.push(None);
                to_parse.push(i);
            }
        }
    }
    let parsed: Vec<(usize, ContentFile, Slot<T>)> = to_parse
        .par_iter()
        .map(|&i| {
            let previous = by_path
                .get(after[i].abs.as_path())
                .and_then(|&j| old[j].as_ref());
            let (read, slot) = parse_slot(root, &after[i], ctx, parse, previous)?;
            Ok((i, read, slot))
        })
        .collect::<Result<_, Error>>()?;
    let mut replaced = Vec::new();
    for (i, read, slot) in parsed {
        let was = by_path
            .get(after[i].abs.as_path())
            .and_then(|&j| old[j].take());
        replaced.push((was, i));
        keep[i] = Some(slot);
        after[i] = read;
    }
    *slots = keep
        .into_iter()
        .map(|s| s.expect("every file kept or parsed"))
        .collect();
    Ok(replaced)
}

/// Applies `edits` (a file with its new size and mtime, or `None` when it
/// is gone) to `list` and `slots` in place and parses the changed files,
/// in parallel. Returns the slots replaced with the new index of their
/// file; sets `added_or_removed` when a file came or went.
#[allow(clippy::type_complexity)]
fn edit<T: Send + Sync>(
    root: &Path,
    ctx: &Context,
    list: &mut Vec<ContentFile>,
    slots: &mut Vec<Slot<T>>,
    edits: Vec<(&Path, Option<ContentFile>)>,
    parse: Parse<T>,
    added_or_removed: &mut bool,
) -> Result<Vec<(Option<Slot<T>>, usize)>, Error> {
    let find = |list: &[ContentFile], p: &Path| list.binary_search_by(|f| f.abs.as_path().cmp(p));
    let mut before: Vec<(PathBuf, Option<Slot<T>>)> = Vec::new();
    let mut to_parse: Vec<ContentFile> = Vec::new();
    for (path, now) in edits {
        match (find(list, path), now) {
            (Ok(i), Some(f)) => {
                list[i] = f.clone();
                before.push((
                    f.abs.clone(),
                    Some(std::mem::replace(&mut slots[i], Err(Vec::new()))),
                ));
                to_parse.push(f);
            }
            (Err(i), Some(f)) => {
                list.insert(i, f.clone());
                slots.insert(i, Err(Vec::new()));
                *added_or_removed = true;
                before.push((f.abs.clone(), None));
                to_parse.push(f);
            }
            (Ok(i), None) => {
                list.remove(i);
                drop(slots.remove(i));
                *added_or_removed = true;
            }
            (Err(_), None) => {}
        }
    }
    let parsed: Vec<(ContentFile, Slot<T>)> = to_parse
        .par_iter()
        .zip(&before)
        .map(|(f, (_, was))| parse_slot(root, f, ctx, parse, was.as_ref()))
        .collect::<Result<_, Error>>()?;
    let mut replaced = Vec::with_capacity(parsed.len());
    for ((path, was), (read, slot)) in before.into_iter().zip(parsed) {
        // A file saved twice in one batch is parsed twice; the last wins.
        if let Ok(i) = find(list, &path) {
            list[i] = read;
            slots[i] = slot;
            replaced.push((was, i));
        }
    }
    Ok(replaced)
}

impl Sources {
    /// Reads and parses every file of `files`, in parallel.
    pub fn parse_all(root: &Path, files: &mut ContentFiles, ctx: &Context) -> Result<Self, Error> {
        let mut s = Sources::default();
        let none = HashSet::new();
        refresh(
            root,
            ctx,
            &[],
            &mut files.posts,
            &mut s.posts,
            &none,
            afresh!(parse::parse_post),
        )?;
        refresh(
            root,
            ctx,
            &[],
            &mut files.members,
            &mut s.members,
            &none,
            afresh!(parse::parse_member),
        )?;
        refresh(
            root,
            ctx,
            &[],
            &mut files.threads,
            &mut s.threads,
            &none,
            parse::parse_thread_again,
        )?;
        refresh(
            root,
            ctx,
            &[],
            &mut files.pages,
            &mut s.pages,
            &none,
            afresh!(parse::parse_page),
        )?;
        refresh(
            root,
            ctx,
            &[],
            &mut files.comments,
            &mut s.comments,
            &none,
            afresh!(parse::parse_comments),
        )?;
        refresh(
            root,
            ctx,
            &[],
            &mut files.tags,
            &mut s.tags,
            &none,
            afresh!(parse::parse_term_page),
        )?;
        Ok(s)
    }

    /// Takes in the changed paths below `content/`: updates `files` (as a
    /// new listing would find them) and parses what changed.
    pub fn update(
        &mut self,
        root: &Path,
        ctx: &Context,
        files: &mut ContentFiles,
        changed: &[PathBuf],
    ) -> Result<Refresh, Error> {
        let mut by_kind: HashMap<usize, Vec<&PathBuf>> = HashMap::new();
        for p in changed {
            if let Some((k, _)) = load::content_kind(root, p) {
                by_kind.entry(k).or_default().push(p);
            }
        }
        let mut out = Refresh::default();
        for (k, paths) in by_kind {
            out.kinds.insert(k);
            // Each changed file, with its new size and mtime (`None`: gone).
            let mut edits: Vec<(&Path, Option<ContentFile>)> = Vec::new();
            let mut relist = false;
            for p in &paths {
                let listed = load::content_kind(root, p).is_some_and(|(_, l)| l);
                if !listed {
                    // A folder (new, renamed or deleted): look again at
                    // the whole kind. Anything else (a swap file) is no
                    // content.
                    relist |= p.is_dir()
                        || files
                            .kind_mut(k)
                            .iter()
                            .any(|f| f.abs.starts_with(p.as_path()));
                    continue;
                }
                match load::stat(p) {
                    Ok(f) if p.is_file() => edits.push((p.as_path(), Some(f))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        edits.push((p.as_path(), None))
                    }
                    // A folder named like a file, or unreadable: list again.
                    _ => relist = true,
                }
            }
            let list = files.kind_mut(k);
            if relist {
                out.relisted = true;
                let mut after = load::list_kind(root, k)?;
                let names = |v: &[ContentFile]| v.iter().map(|f| f.abs.clone()).collect::<Vec<_>>();
                out.added_or_removed |= names(list) != names(&after);
                let touched: HashSet<PathBuf> = paths.iter().map(|p| (*p).clone()).collect();
                macro_rules! relist {
                    ($slots:expr, $parse:expr) => {
                        refresh(root, ctx, list, &mut after, &mut $slots, &touched, $parse)?
                    };
                }
                match k {
                    load::POSTS => {
                        let replaced = relist!(self.posts, afresh!(parse::parse_post));
                        out.posts.extend(
                            replaced
                                .into_iter()
                                .map(|(before, now)| ChangedPost { before, now }),
                        );
                    }
                    1 => drop(relist!(self.members, afresh!(parse::parse_member))),
                    load::THREADS => {
                        let replaced = relist!(self.threads, parse::parse_thread_again);
                        out.threads.extend(
                            replaced
                                .into_iter()
                                .map(|(before, now)| ChangedThread { before, now }),
                        );
                    }
                    3 => drop(relist!(self.pages, afresh!(parse::parse_page))),
                    4 => drop(relist!(self.comments, afresh!(parse::parse_comments))),
                    _ => drop(relist!(self.tags, afresh!(parse::parse_term_page))),
                }
                *list = after;
                continue;
            }
            macro_rules! edit {
                ($slots:expr, $parse:expr) => {
                    edit(
                        root,
                        ctx,
                        list,
                        &mut $slots,
                        edits,
                        $parse,
                        &mut out.added_or_removed,
                    )?
                };
            }
            match k {
                load::POSTS => {
                    let replaced = edit!(self.posts, afresh!(parse::parse_post));
                    out.posts.extend(
                        replaced
                            .into_iter()
                            .map(|(before, now)| ChangedPost { before, now }),
                    );
                }
                1 => drop(edit!(self.members, afresh!(parse::parse_member))),
                load::THREADS => {
                    let replaced = edit!(self.threads, parse::parse_thread_again);
                    out.threads.extend(
                        replaced
                            .into_iter()
                            .map(|(before, now)| ChangedThread { before, now }),
                    );
                }
                3 => drop(edit!(self.pages, afresh!(parse::parse_page))),
                4 => drop(edit!(self.comments, afresh!(parse::parse_comments))),
                _ => drop(edit!(self.tags, afresh!(parse::parse_term_page))),
            }
        }
        Ok(out)
    }

    /// The files that parsed, ready to link; the errors of those that did
    /// not go to `diags`.
    pub fn parsed(&self, diags: &mut Diagnostics) -> Parsed<'_> {
        fn ok<'a, T>(slots: &'a [Slot<T>], diags: &mut Diagnostics) -> Vec<&'a T> {
            let mut out = Vec::with_capacity(slots.len());
            for s in slots {
                match s {
                    Ok(t) => out.push(t),
                    Err(ds) => diags.extend(ds.iter().cloned()),
                }
            }
            out
        }
        Parsed {
            posts: ok(&self.posts, diags),
            members: ok(&self.members, diags),
            threads: ok(&self.threads, diags),
            pages: ok(&self.pages, diags),
            comments: ok(&self.comments, diags),
            tags: ok(&self.tags, diags),
        }
    }
}

/// Whether two parses of a post differ only in their body's text: same
/// front matter, and the same wikilinks, mentions and links in the same
/// order. Then linking the site again would change nothing but that post's
/// body.
pub fn same_links(a: &ParsedPost, b: &ParsedPost) -> bool {
    a.source == b.source
        && a.title == b.title
        && a.slug == b.slug
        && a.date == b.date
        && a.updated == b.updated
        && a.authors == b.authors
        && a.tags == b.tags
        && a.categories == b.categories
        && a.draft == b.draft
        && a.comment_mode == b.comment_mode
        && a.aliases == b.aliases
        && a.extra == b.extra
        && a.body.refs.len() == b.body.refs.len()
        && a.body
            .refs
            .iter()
            .zip(&b.body.refs)
            .all(|(x, y)| x.kind == y.kind)
}

/// Whether two parses of a thread differ only in the text of its entries:
/// the same front matter and introduction, the same entries (ids,
/// replies, authors, dates, quoted comments, links to the original) in
/// the same order, each with the same wikilinks, mentions and links in
/// the same order. Then linking the site again would change nothing but
/// those entries' text (and where their references sit).
pub fn same_thread_links(a: &ParsedThread, b: &ParsedThread) -> bool {
    let same_kinds = |x: &[crate::markdown::Reference], y: &[crate::markdown::Reference]| {
        x.len() == y.len() && x.iter().zip(y).all(|(r, s)| r.kind == s.kind)
    };
    let same_origin = match (&a.origin, &b.origin) {
        (Some(x), Some(y)) => x.name == y.name && x.url == y.url,
        (None, None) => true,
        _ => false,
    };
    a.source == b.source
        && a.slug == b.slug
        && a.title == b.title
        && a.date == b.date
        && a.tags == b.tags
        && a.started_by == b.started_by
        && same_origin
        && a.related == b.related
        && a.draft == b.draft
        && a.lang == b.lang
        && a.intro.digest == b.intro.digest
        && a.intro.html == b.intro.html
        && same_kinds(&a.intro.refs, &b.intro.refs)
        && a.entries.len() == b.entries.len()
        && a.entries.iter().zip(&b.entries).all(|(x, y)| {
            x.id == y.id
                && x.parent == y.parent
                && x.by == y.by
                && x.comment == y.comment
                && x.date == y.date
                && x.url == y.url
                && same_kinds(&x.refs, &y.refs)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_nonempty(file: &load::SourceFile, _: &Context) -> Result<String, Vec<Diagnostic>> {
        if file.text.is_empty() {
            Err(vec![Diagnostic::error(&file.path, None, "empty")])
        } else {
            Ok(file.text.clone())
        }
    }

    #[test]
    fn a_save_read_between_its_truncation_and_its_write_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("thread.md");
        // Truncated: the save has not written yet, and the file holds still.
        std::fs::write(&abs, "").unwrap();
        let listed = load::stat(&abs).unwrap();
        let ctx = Context::default();
        // The save's write lands while the parser looks away.
        let (read, slot) = parse_settled(dir.path(), &listed, &ctx, parse_nonempty, || {
            std::fs::write(&abs, "the whole text").unwrap()
        })
        .unwrap();
        assert_eq!(slot.unwrap(), "the whole text");
        assert_eq!(read.len, 14);
    }

    #[test]
    fn a_file_that_stays_broken_is_reported_after_one_look_more() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("thread.md");
        std::fs::write(&abs, "").unwrap();
        let listed = load::stat(&abs).unwrap();
        let pauses = std::cell::Cell::new(0);
        let (_, slot) = parse_settled(
            dir.path(),
            &listed,
            &Context::default(),
            parse_nonempty,
            || pauses.set(pauses.get() + 1),
        )
        .unwrap();
        assert!(slot.is_err());
        assert_eq!(pauses.get(), 1);
    }
}
