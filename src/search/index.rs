//! Building the index: every document's terms by field, merged into
//! postings, encoded, and cut into term shards by prefix.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use rayon::prelude::*;

use super::keys::{self, Raw};
use super::stem::lang_id;
use super::terms::{unpack, Splitter, Term, MAX_TERM};
use super::text::{excerpt, html_text, push_collapsed};
use super::{Index, Kind, Shown, TermShard};
use crate::date::Date;
use crate::digest::Digest;
use crate::model::{Participant, Post, Site};
use rustc_hash::FxHashMap as FxMap;

/// Field bit of a term found in a title.
pub const TITLE: u8 = 4;
/// Field bit of a term found in tags, categories or author names.
pub const META: u8 = 2;
/// Field bit of a term found in the text.
pub const BODY: u8 = 1;

/// A term shard is split by one more letter of prefix once its JSON
/// would pass this many bytes.
pub const TERM_SHARD_TARGET: usize = 16 * 1024;

/// Longest excerpt kept for posts, pages, threads and members, in bytes.
const EXCERPT: usize = 320;
/// Longest excerpt kept for a comment: they are many and mostly short.
const COMMENT_EXCERPT: usize = 200;
/// Longest e-mail address (RFC 5321's path limit), in bytes.
const ADDRESS_MAX: usize = 256;

/// A document before analysis, borrowing from the site.
struct Source<'a> {
    kind: Kind,
    date: Option<Date>,
    /// Stemmer id of its language ([`lang_id`]).
    lang: u8,
    path: String,
    title: String,
    /// Whether `title` is the document's own (a comment's is made up).
    title_indexed: bool,
    meta: Vec<&'a str>,
    /// HTML parts, each with its digest (what a fingerprint reads instead
    /// of the text).
    body: Vec<(&'a str, u64)>,
}

/// Builds the index of `site`.
pub fn build(site: &Site) -> Index {
    build_with(site, false)
}

/// Builds the index of `site` keeping its postings, so that watch mode can
/// update it after an edit ([`Index::replace_post`]).
pub fn build_for_updates(site: &Site) -> Index {
    build_with(site, true)
}

fn build_with(site: &Site, keep: bool) -> Index {
    let mut sources = sources(site);
    // Ids follow dates (undated documents first, ties by path), so a
    // newer document has a larger id, results of a query cluster in few
    // document shards, and a new post usually only appends.
    sources.par_sort_by(|a, b| (a.date, &a.path).cmp(&(b.date, &b.path)));
    let fingerprints: Vec<u64> = match keep {
        true => sources.par_iter().map(fingerprint).collect(),
        false => Vec::new(),
    };
    let Piece {
        mut docs,
        postings,
        foreign,
        doc_foreign_list,
        ..
    } = sources
        .into_par_iter()
        .enumerate()
        .fold(Piece::default, |piece, (id, src)| piece.add(id as u32, src))
        .reduce(Piece::default, Piece::merge);
    docs.sort_by_key(|d| d.0);
    let docs: Vec<Shown> = docs.into_iter().map(|d| d.1).collect();
    let mut raw: Vec<(Raw, Vec<u32>)> = postings
        .into_iter()
        .enumerate()
        .flat_map(|(lang, Postings { packed, long })| {
            packed
                .into_iter()
                .map(|(k, p)| (unpack(k), p))
                .chain(long)
                .map(move |(t, p)| ((lang as u8, t), p))
        })
        .collect();
    // Pieces are merged in id order, so this only checks it.
    raw.par_iter_mut().for_each(|(_, p)| p.sort_unstable());
    let entries = keys::entries(&raw);
    let term_shards = term_shards(entries.iter().map(|(t, e)| (t.as_str(), e.as_str())));
    let fold = fold_table(foreign.keys().copied());
    let kept = keep.then(|| Kept {
        ids: docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i as u32))
            .collect(),
        words: keys::Kept::new(raw, entries),
        foreign,
        fingerprints,
        doc_foreign: doc_foreign_list.into_iter().collect(),
    });
    let mut index = Index::new(docs, term_shards, fold);
    index.kept = kept.map(Box::new);
    index
}

/// The term shards of the sorted `(term, entry)` list.
fn term_shards<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<TermShard> {
    let entries: Vec<(&str, &str)> = entries.collect();
    plan_shards(&entries)
        .into_iter()
        .map(|(key, range)| {
            let mut json = String::from("{");
            for (i, (_, e)) in entries[range].iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(e);
            }
            json.push('}');
            TermShard { key, json }
        })
        .collect()
}

/// What an index keeps to be updated in place: every term's postings and
/// entry, how many documents use each letter beyond ASCII, and document
/// ids by path.
#[derive(Debug)]
pub struct Kept {
    words: keys::Kept,
    foreign: BTreeMap<char, u32>,
    ids: HashMap<String, u32>,
    /// [`fingerprint`] of each document's source, by id.
    fingerprints: Vec<u64>,
    /// The letters beyond ASCII of documents that have any, by id.
    doc_foreign: BTreeMap<u32, Vec<char>>,
}

/// One document read on its own: its terms with their field bits, its
/// letters beyond ASCII, and what results show of it.
pub struct Analysis {
    terms: Vec<(Raw, u8)>,
    foreign: BTreeSet<char>,
    shown: Shown,
}

/// One source read on its own, as document 0.
fn analyze(src: Source) -> Analysis {
    let lang = src.lang;
    let Piece {
        mut docs,
        mut postings,
        foreign,
        ..
    } = Piece::default().add(0, src);
    let Postings { packed, long } = std::mem::take(&mut postings[lang as usize]);
    let terms = packed
        .into_iter()
        .map(|(k, p)| (unpack(k), p))
        .chain(long)
        .map(|(t, p)| ((lang, t), (p[0] & 7) as u8))
        .collect();
    Analysis {
        terms,
        foreign: foreign.into_keys().collect(),
        shown: docs.pop().expect("one document").1,
    }
}

/// Post `i` of `site` (without its comments) read as an index document.
pub fn analyze_post(site: &Site, i: usize) -> Analysis {
    analyze(
        post_sources(site, &site.posts[i])
            .into_iter()
            .next()
            .expect("a post is its first document"),
    )
}

/// A hash of everything a source gives its document.
fn fingerprint(src: &Source) -> u64 {
    let mut h = Digest::new();
    h.str(src.kind.name())
        .n(src.date.is_some() as u64)
        .n(src.lang.into());
    if let Some(d) = src.date {
        h.n(d.timestamp() as u64)
            .n(d.timestamp_subsec_nanos().into())
            .n(d.offset().local_minus_utc() as u64);
    }
    h.str(&src.path)
        .str(&src.title)
        .n(src.title_indexed as u64)
        .n(src.meta.len() as u64);
    for m in &src.meta {
        h.str(m);
    }
    for &(_, digest) in &src.body {
        h.n(digest);
    }
    h.done()
}

/// Every document of `site` in id order.
fn sorted_sources(site: &Site) -> Vec<Source<'_>> {
    let mut sources = sources(site);
    sources.par_sort_by(|a, b| (a.date, &a.path).cmp(&(b.date, &b.path)));
    sources
}

impl Index {
    /// An empty index that keeps nothing: [`Index::update`] on it always
    /// asks for a new build.
    pub fn placeholder() -> Index {
        Index::new(Vec::new(), Vec::new(), Vec::new())
    }

    /// Brings the index up to date with `site` (the same site linked
    /// again after a change), reading again only the documents whose
    /// source changed. False when it cannot (documents came, went or
    /// moved, too many changed, or the index keeps no postings): build it
    /// again then.
    pub fn update(&mut self, site: &Site) -> bool {
        let Some(kept) = self.kept.as_deref() else {
            return false;
        };
        let after = sorted_sources(site);
        if after.len() != self.docs.len()
            || after.iter().zip(&self.docs).any(|(a, d)| a.path != d.path)
        {
            return false;
        }
        let changed: Vec<(u32, Source)> = after
            .into_par_iter()
            .enumerate()
            .filter(|(id, src)| fingerprint(src) != kept.fingerprints[*id])
            .map(|(id, src)| (id as u32, src))
            .collect();
        // Each changed document's old terms are found in the postings: a
        // pass over every term, worth it for a few documents only.
        if changed.len() > 256 {
            return false;
        }
        let ids: Vec<u32> = changed.iter().map(|c| c.0).collect();
        let mut old_terms: HashMap<u32, Vec<(Raw, u8)>> = HashMap::new();
        for (t, p) in &kept.words.raw {
            for &id in &ids {
                if let Ok(at) = p.binary_search_by_key(&id, |x| x >> 3) {
                    old_terms
                        .entry(id)
                        .or_default()
                        .push((t.clone(), (p[at] & 7) as u8));
                }
            }
        }
        let mut replaced = Vec::with_capacity(changed.len());
        let mut fingerprints = Vec::with_capacity(changed.len());
        for (id, src) in changed {
            fingerprints.push((id, fingerprint(&src)));
            let before = Analysis {
                terms: old_terms.remove(&id).unwrap_or_default(),
                foreign: kept
                    .doc_foreign
                    .get(&id)
                    .map(|v| v.iter().copied().collect())
                    .unwrap_or_default(),
                shown: self.docs[id as usize].clone(),
            };
            replaced.push((id, before, analyze(src)));
        }
        let done = self.replace(replaced);
        if let Some(kept) = self.kept.as_deref_mut() {
            for (id, f) in fingerprints {
                kept.fingerprints[id as usize] = f;
            }
        }
        done
    }

    /// Replaces a post's document, read `before` and `after` a change of
    /// its text (its path and date, so its id, unchanged). False when the
    /// index keeps no postings or does not hold the document.
    pub fn replace_post(&mut self, before: Analysis, after: Analysis) -> bool {
        let Some(&id) = self
            .kept
            .as_ref()
            .and_then(|k| k.ids.get(&after.shown.path))
        else {
            return false;
        };
        before.shown.path == after.shown.path && self.replace(vec![(id, before, after)])
    }

    /// Replaces documents by id, updating only the terms they gained or
    /// lost: the index is then what a clean build of the site gives.
    fn replace(&mut self, changed: Vec<(u32, Analysis, Analysis)>) -> bool {
        let Some(kept) = self.kept.as_deref_mut() else {
            return false;
        };
        if changed.is_empty() {
            return true;
        }
        let mut touched: BTreeSet<Raw> = BTreeSet::new();
        for (id, before, after) in &changed {
            let id = *id;
            // Only terms gained, lost or moved between fields: an edit
            // leaves most of a document's terms as they were.
            let mut gone: HashMap<&Raw, u8> =
                before.terms.iter().map(|(t, bits)| (t, *bits)).collect();
            let mut came = Vec::new();
            for (t, bits) in &after.terms {
                if gone.get(t) == Some(bits) {
                    gone.remove(t);
                } else {
                    came.push((t, bits));
                }
            }
            for t in gone.into_keys() {
                if let Some(p) = kept.words.raw.get_mut(t) {
                    if let Ok(at) = p.binary_search_by_key(&id, |x| x >> 3) {
                        p.remove(at);
                    }
                }
                touched.insert(t.clone());
            }
            for (t, bits) in came {
                let p = kept.words.raw.entry(t.clone()).or_default();
                let posting = id << 3 | *bits as u32;
                match p.binary_search_by_key(&id, |x| x >> 3) {
                    Ok(at) => p[at] = posting,
                    Err(at) => p.insert(at, posting),
                }
                touched.insert(t.clone());
            }
            for c in &before.foreign {
                if let Some(n) = kept.foreign.get_mut(c) {
                    *n -= 1;
                    if *n == 0 {
                        kept.foreign.remove(c);
                    }
                }
            }
            for &c in &after.foreign {
                *kept.foreign.entry(c).or_default() += 1;
            }
        }
        kept.words.refresh(touched.into_iter());
        let term_shards = term_shards(
            kept.words
                .entries
                .iter()
                .map(|(t, e)| (t.as_str(), e.as_str())),
        );
        let fold = fold_table(kept.foreign.keys().copied());
        let kept = self.kept.take();
        let mut docs = std::mem::take(&mut self.docs);
        let mut doc_hashes = std::mem::take(&mut self.doc_hashes);
        let mut shards = BTreeSet::new();
        for (id, _, after) in changed {
            docs[id as usize] = after.shown;
            shards.insert(id as usize / super::DOCS_PER_SHARD);
        }
        for shard in shards {
            doc_hashes[shard] = super::doc_shard_hash(&docs, shard);
        }
        *self = Index::with_doc_hashes(docs, term_shards, fold, doc_hashes);
        self.kept = kept;
        true
    }
}

/// What one rayon fold piece gathers from the documents it is given, in
/// id order: what they show and their postings.
#[derive(Default)]
struct Piece {
    docs: Vec<(u32, Shown)>,
    /// Postings by language id: a word is stemmed in its document's
    /// language.
    postings: Vec<Postings>,
    /// The language id of the document being added.
    lang: u8,
    /// Documents using each letter beyond ASCII.
    foreign: BTreeMap<char, u32>,
    /// Those letters in the document being added.
    doc_foreign: BTreeSet<char>,
    /// Each document's such letters, for those that have any.
    doc_foreign_list: Vec<(u32, Vec<char>)>,
    splitter: Splitter,
}

impl Piece {
    /// Adds document `id`.
    fn add(mut self, id: u32, src: Source) -> Piece {
        self.lang = src.lang;
        if self.postings.len() <= src.lang as usize {
            self.postings
                .resize_with(src.lang as usize + 1, Postings::default);
        }
        if src.title_indexed {
            self.feed(id, &src.title, TITLE);
            self.end(id, TITLE);
        }
        for m in &src.meta {
            self.feed(id, m, META);
            self.end(id, META);
        }
        let max = match src.kind {
            Kind::Comment => COMMENT_EXCERPT,
            _ => EXCERPT,
        };
        // The excerpt's text runs past its cut by more than the longest
        // e-mail address, so an address at the cut is whole when it is
        // taken out.
        let mut start = String::new();
        let gathered = max + ADDRESS_MAX;
        for (part, _) in &src.body {
            html_text(part, |piece| {
                self.feed(id, piece, BODY);
                push_collapsed(piece, &mut start, gathered);
            });
            self.end(id, BODY);
            push_collapsed(" ", &mut start, gathered);
        }
        let letters = std::mem::take(&mut self.doc_foreign);
        for &c in &letters {
            *self.foreign.entry(c).or_default() += 1;
        }
        if !letters.is_empty() {
            self.doc_foreign_list
                .push((id, letters.into_iter().collect()));
        }
        self.docs.push((
            id,
            Shown {
                title: crate::email::redact(&src.title),
                path: src.path,
                kind: src.kind,
                date: src.date.map(|d| d.date_naive().to_string()),
                excerpt: excerpt(&crate::email::redact(&start), max),
            },
        ));
        self
    }

    /// Feeds a piece of text of field `bit` of document `id`.
    fn feed(&mut self, id: u32, text: &str, bit: u8) {
        let Piece {
            postings,
            doc_foreign,
            splitter,
            lang,
            ..
        } = self;
        let postings = &mut postings[*lang as usize];
        splitter.feed(text, &mut |t| postings.add(t, id, bit), &mut |c| {
            doc_foreign.insert(c);
        });
    }

    /// Ends the text of field `bit` of document `id`.
    fn end(&mut self, id: u32, bit: u8) {
        let Piece {
            postings,
            splitter,
            lang,
            ..
        } = self;
        let postings = &mut postings[*lang as usize];
        splitter.finish(&mut |t| postings.add(t, id, bit));
    }

    /// Joins two pieces, `self` holding the smaller ids.
    fn merge(mut self, other: Piece) -> Piece {
        self.docs.extend(other.docs);
        if self.postings.len() < other.postings.len() {
            self.postings
                .resize_with(other.postings.len(), Postings::default);
        }
        for (mine, theirs) in self.postings.iter_mut().zip(other.postings) {
            for (term, p) in theirs.packed {
                mine.packed.entry(term).or_default().extend(p);
            }
            for (term, p) in theirs.long {
                mine.long.entry(term).or_default().extend(p);
            }
        }
        for (c, n) in other.foreign {
            *self.foreign.entry(c).or_default() += n;
        }
        self.doc_foreign_list.extend(other.doc_foreign_list);
        self
    }
}

/// Postings of the terms met so far: per term, `id << 3 | field bits` of
/// each document holding it, in id order.
#[derive(Default)]
struct Postings {
    /// Terms of up to `PACKED` letters, by their packed form.
    packed: FxMap<u128, Vec<u32>>,
    /// Longer terms.
    long: FxMap<String, Vec<u32>>,
}

impl Postings {
    /// Records that `term` is in field `bit` of document `id`; documents
    /// come in id order, so a repeat is always the last posting.
    fn add(&mut self, term: Term, id: u32, bit: u8) {
        let posting = id << 3 | bit as u32;
        let add = |p: &mut Vec<u32>| match p.last_mut() {
            Some(last) if *last >> 3 == id => *last |= bit as u32,
            _ => p.push(posting),
        };
        match term {
            Term::Packed(key) => add(self.packed.entry(key).or_default()),
            Term::Long(t) => match self.long.get_mut(t) {
                Some(p) => add(p),
                None => {
                    self.long.insert(t.to_owned(), vec![posting]);
                }
            },
        }
    }
}

/// A post and its visible comments.
fn post_sources<'a>(site: &'a Site, p: &'a Post) -> Vec<Source<'a>> {
    let root = p.path.trim_start_matches('/');
    let mut meta: Vec<&str> = Vec::new();
    meta.extend(p.tags.iter().map(|&t| site.tags.terms[t].name.as_str()));
    meta.extend(
        p.categories
            .iter()
            .map(|&t| site.categories.terms[t].name.as_str()),
    );
    for &a in &p.authors {
        meta.push(&site.members[a].name);
        meta.push(&site.members[a].handle);
    }
    // Comments are read in their post's language.
    let lang = lang_id(p.lang.as_deref().unwrap_or(&site.config.language));
    let mut out = Vec::with_capacity(1 + p.visible_comments().len());
    out.push(Source {
        kind: Kind::Post,
        date: Some(p.date),
        lang,
        path: root.to_owned(),
        title: p.title.clone(),
        title_indexed: true,
        meta,
        body: vec![(&p.body.html, p.body.digest)],
    });
    for c in p.visible_comments() {
        let author = c
            .member
            .map_or(c.author.as_str(), |m| &site.members[m].name);
        out.push(Source {
            kind: Kind::Comment,
            date: Some(c.date),
            lang,
            path: format!("{root}#{}", crate::render::views::comment_anchor(&c.id)),
            title: format!("{author} on {}", p.title),
            title_indexed: false,
            meta: vec![author],
            body: vec![(&c.body, c.body.digest())],
        });
    }
    out
}

/// Every document of the site, in no particular order.
fn sources(site: &Site) -> Vec<Source<'_>> {
    // Posts and their comments are most of a site: made in parallel.
    let mut out: Vec<Source> = site
        .posts
        .par_iter()
        .flat_map_iter(|p| post_sources(site, p))
        .collect();
    let root = |p: &str| p.trim_start_matches('/').to_owned();
    let lang_of = |own: &Option<String>| lang_id(own.as_deref().unwrap_or(&site.config.language));
    for p in &site.pages {
        out.push(Source {
            kind: Kind::Page,
            date: p.date,
            lang: lang_of(&p.lang),
            path: root(&p.path),
            title: p.title.clone(),
            title_indexed: true,
            meta: Vec::new(),
            body: vec![(&p.body.html, p.body.digest)],
        });
    }
    for m in &site.members {
        let mut meta = vec![m.handle.as_str()];
        meta.extend(m.role.as_deref());
        meta.extend(m.location.as_deref());
        out.push(Source {
            kind: Kind::Member,
            date: None,
            lang: lang_of(&m.lang),
            path: root(&m.path),
            title: m.name.clone(),
            title_indexed: true,
            meta,
            body: vec![(&m.bio.html, m.bio.digest)],
        });
    }
    for t in &site.threads {
        fn name<'s>(site: &'s Site, p: &'s Participant) -> &'s str {
            p.member
                .map_or(p.name.as_str(), |m| site.members[m].name.as_str())
        }
        let mut meta: Vec<&str> = t
            .tags
            .iter()
            .map(|&i| site.tags.terms[i].name.as_str())
            .collect();
        meta.extend(t.started_by.as_ref().map(|p| name(site, p)));
        meta.extend(t.origin.as_ref().map(|o| o.name.as_str()));
        for e in &t.entries {
            let n = name(site, &e.by);
            if !meta.contains(&n) {
                meta.push(n);
            }
        }
        // Entries' text is hashed here: threads are few.
        let mut body = vec![(t.intro.html.as_str(), t.intro.digest)];
        body.extend(
            t.entries
                .iter()
                .map(|e| (e.text.as_str(), crate::digest::of(&e.text))),
        );
        out.push(Source {
            kind: Kind::Thread,
            date: Some(t.date),
            lang: lang_of(&t.lang),
            path: root(&t.path),
            title: t.title.clone(),
            title_indexed: true,
            meta,
            body,
        });
    }
    out
}

/// Non-ASCII letters of the index with their foldings, sorted.
fn fold_table(foreign: impl Iterator<Item = char>) -> Vec<(char, String)> {
    foreign
        .map(|c| {
            let mut s = String::new();
            super::terms::fold_char(c, &mut s);
            (c, s)
        })
        .collect()
}

/// Cuts the sorted `(term, entry)` list into shards keyed by prefix: a
/// prefix whose terms pass [`TERM_SHARD_TARGET`] is split by its next
/// letter (a term equal to the prefix keeps a shard of its own). A term
/// lives in the shard of the longest key it starts with, so a shard's
/// content depends only on the terms under its prefix.
fn plan_shards(entries: &[(&str, &str)]) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    if !entries.is_empty() {
        split(entries, 0..entries.len(), 0, &mut out);
    }
    out
}

fn split(
    entries: &[(&str, &str)],
    range: Range<usize>,
    depth: usize,
    out: &mut Vec<(String, Range<usize>)>,
) {
    let key: String = entries[range.start].0.chars().take(depth).collect();
    let size: usize = 2 + entries[range.clone()]
        .iter()
        .map(|e| e.1.len() + 1)
        .sum::<usize>();
    if size <= TERM_SHARD_TARGET || depth >= MAX_TERM || range.len() == 1 {
        out.push((key, range));
        return;
    }
    let mut i = range.start;
    if entries[i].0.chars().count() == depth {
        out.push((key, i..i + 1));
        i += 1;
    }
    while i < range.end {
        let letter = entries[i].0.chars().nth(depth);
        let end = (i..range.end)
            .find(|&j| entries[j].0.chars().nth(depth) != letter)
            .unwrap_or(range.end);
        split(entries, i..end, depth + 1, out);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(terms: &[(&str, usize)]) -> Vec<(String, String)> {
        terms
            .iter()
            .map(|&(t, n)| (t.to_owned(), "x".repeat(n)))
            .collect()
    }

    fn keys(entries: &[(String, String)]) -> Vec<(String, Vec<String>)> {
        let refs: Vec<(&str, &str)> = entries
            .iter()
            .map(|(t, e)| (t.as_str(), e.as_str()))
            .collect();
        plan_shards(&refs)
            .into_iter()
            .map(|(k, r)| (k, entries[r].iter().map(|e| e.0.clone()).collect()))
            .collect()
    }

    #[test]
    fn a_small_index_is_one_shard() {
        let e = fake(&[("alpha", 10), ("beta", 10)]);
        assert_eq!(
            keys(&e),
            [("".to_owned(), vec!["alpha".into(), "beta".into()])]
        );
    }

    #[test]
    fn big_prefixes_split_and_every_term_is_under_its_longest_key() {
        let big = TERM_SHARD_TARGET / 2;
        let e = fake(&[
            ("co", 10),
            ("com", big),
            ("comment", big),
            ("con", 10),
            ("q", 10),
        ]);
        let plan = keys(&e);
        let names: Vec<&str> = plan.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["co", "com", "comm", "con", "q"]);
        for (key, terms) in &plan {
            for t in terms {
                let longest = names
                    .iter()
                    .filter(|k| t.starts_with(*k))
                    .max_by_key(|k| k.len())
                    .unwrap();
                assert_eq!(longest, key, "{t}");
            }
        }
    }
}
