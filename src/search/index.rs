//! Building the index: every document's terms counted by field, merged
//! into postings, weighted, encoded, and cut into term shards by prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::filters::{Filters, Ids};
use super::html::{self, Event};
use super::keys::{self, Raw};
use super::postings::{
    List, Norms, Posting, PostingList, Postings, BODY, FIELDS, HEADING, META, TITLE,
};
use super::shards;
use super::sources::{fingerprint, keys, units, Key, Source, Unit};
use super::terms::{unpack, Splitter};
use super::text::{excerpt, push_collapsed};
use super::update::Kept;
use super::{doc_shard_starts, shard_range, text_max, Index, Shown, TermShard};
use crate::model::Site;
use crate::spill::{Spill, Stored};

/// A term shard is split by one more letter of prefix once its JSON
/// would pass this many bytes.
pub const TERM_SHARD_TARGET: usize = 16 * 1024;

/// Longest e-mail address (RFC 5321's path limit), in bytes.
const ADDRESS_MAX: usize = 256;

/// Builds the index of `site`.
pub fn build(site: &Site) -> Index {
    build_with(site, false, None)
}

/// [`build`], with each document shard's file kept in `spill` rather than
/// in memory until it is written.
pub fn build_spilling(site: &Site, spill: &Arc<Spill>) -> Index {
    build_with(site, false, Some(spill))
}

/// Builds the index of `site` keeping its postings, so that watch mode can
/// update it after an edit ([`Index::replace_post`]).
pub fn build_for_updates(site: &Site) -> Index {
    build_with(site, true, None)
}

fn build_with(site: &Site, keep: bool, spill: Option<&Arc<Spill>>) -> Index {
    let all = units(site);
    let mut keys = keys(&all);
    // Ids follow dates (undated documents first, ties by path), so a
    // newer document has a larger id, results of a query cluster in few
    // document shards, and a new post usually only appends.
    keys.par_sort_by(|a, b| (a.date, &a.path).cmp(&(b.date, &b.path)));
    if !keep {
        return build_packed(site, &all, keys, spill);
    }
    let (units, dates, fingerprints) = (
        all.par_iter()
            .map(|u| (u.path().to_owned(), (u.fingerprint(site), u.documents())))
            .collect(),
        keys.iter().map(|k| k.date).collect(),
        keys.par_iter()
            .map(|k| fingerprint(&k.clone().source(site, &all)))
            .collect(),
    );
    let Piece {
        mut docs,
        postings,
        foreign,
        doc_foreign_list,
        ..
    } = keys
        .into_par_iter()
        .enumerate()
        .fold(Piece::default, |piece, (id, key)| {
            piece.add(id as u32, key.source(site, &all))
        })
        .reduce(Piece::default, Piece::merge);
    docs.sort_by_key(|d| d.0);
    let norms = Norms::new(docs.iter().map(|d| d.2).collect());
    let docs: Vec<Shown> = docs.into_iter().map(|d| d.1).collect();
    // Kept words hold plain postings: decoded once, here, for both the
    // keys and what watch mode keeps.
    let raw: Vec<(Raw, Vec<Posting>)> = words(postings)
        .into_iter()
        .map(|(w, p)| (w, p.to_vec()))
        .collect();
    let (entries, term_shards) = terms(&raw, &norms);
    let fold = fold_table(foreign.keys().copied());
    let kept = Kept {
        ids: docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i as u32))
            .collect(),
        words: keys::Kept::new(raw, entries, norms),
        foreign,
        units,
        dates,
        fingerprints,
        doc_foreign: doc_foreign_list.into_iter().collect(),
    };
    let mut index = Index::new(docs, term_shards, fold, keep);
    index.kept = Some(Box::new(kept));
    index
}

/// The index of a clean build, which is never updated: documents are read
/// a document shard at a time, and each shard's rows become its file as
/// soon as they are read, so the rows of every document are never held at
/// once, during the build or after.
fn build_packed(site: &Site, all: &[Unit], keys: Vec<Key>, spill: Option<&Arc<Spill>>) -> Index {
    let count = keys.len();
    // A shard's documents are known from their kinds, before any is read.
    let starts = doc_shard_starts(keys.iter().map(Key::is_comment));
    let mut keys = keys.into_iter();
    let shards: Vec<(usize, Vec<Key>)> = (0..starts.len())
        .map(|n| {
            let ids = shard_range(&starts, n, count);
            (ids.start, keys.by_ref().take(ids.len()).collect())
        })
        .collect();
    let Piece {
        postings,
        foreign,
        mut files,
        packed_lengths: mut lengths,
        filed,
        ..
    } = shards
        .into_par_iter()
        .enumerate()
        .fold(Piece::default, |mut piece, (n, (first, shard))| {
            for (i, key) in shard.into_iter().enumerate() {
                piece = piece.add((first + i) as u32, key.source(site, all));
            }
            piece.pack(n, spill)
        })
        .reduce(Piece::default, Piece::merge);
    // Pieces are merged in id order, so these only check it.
    lengths.sort_by_key(|l| l.0);
    files.sort_by_key(|f| f.0);
    let norms = Norms::new(lengths.into_iter().map(|l| l.1).collect());
    let (_, term_shards) = terms(&words(postings), &norms);
    let fold = fold_table(foreign.keys().copied());
    let files = files
        .into_iter()
        .map(|(_, hash, file)| (hash, file))
        .collect();
    Index::with_doc_files(
        count,
        starts,
        files,
        term_shards,
        fold,
        Filters::of(filed, false),
    )
}

/// The words' postings by language, each in id order.
fn words(postings: Vec<Postings>) -> Vec<(Raw, List)> {
    postings
        .into_iter()
        .enumerate()
        .flat_map(|(lang, Postings { packed, long })| {
            packed
                .into_iter()
                .map(|(k, p)| (unpack(k), p))
                .chain(long)
                .map(move |(t, p)| ((lang as u8, t), p))
        })
        .collect()
}

/// The keys' entries of the words `raw` and the term shards those make.
fn terms<L: PostingList + Sync>(
    raw: &[(Raw, L)],
    norms: &Norms,
) -> (Vec<(String, String)>, Vec<TermShard>) {
    let entries = keys::entries(raw, norms);
    let term_shards = shards::write_all(
        entries.iter().map(|(t, e)| (t.as_str(), e.as_str())),
        TERM_SHARD_TARGET,
    );
    (entries, term_shards)
}

/// What one rayon fold piece gathers from the documents it is given, in
/// id order: what they show, their field lengths and their postings.
#[derive(Default)]
pub(super) struct Piece {
    pub docs: Vec<(u32, Shown, [u32; FIELDS])>,
    /// Postings by language id: a word is stemmed in its document's
    /// language.
    pub postings: Vec<Postings>,
    /// The language id of the document being added.
    lang: u8,
    /// The field lengths of the document being added, in terms.
    lengths: [u32; FIELDS],
    /// Documents using each letter beyond ASCII.
    pub foreign: BTreeMap<char, u32>,
    /// Those letters in the document being added.
    doc_foreign: BTreeSet<char>,
    /// Each document's such letters, for those that have any.
    pub doc_foreign_list: Vec<(u32, Vec<char>)>,
    splitter: Splitter,
    /// The document shards packed so far ([`Piece::pack`]): number, hash
    /// and file.
    pub files: Vec<(usize, u64, Stored)>,
    /// The field lengths of the documents packed, by id.
    pub packed_lengths: Vec<(u32, [u32; FIELDS])>,
    /// The filters' ids of the documents packed.
    pub filed: Ids,
}

/// A document's text as snippets show it: whitespace collapsed, and the
/// byte offset in it of each heading with an anchor.
struct Text {
    text: String,
    headings: Vec<(usize, String)>,
}

impl Text {
    /// The text redacted of e-mail addresses and cut at a word before
    /// `max` bytes, with its headings' offsets in UTF-16 code units (how
    /// the script counts).
    fn done(self, max: usize) -> (String, Vec<(u32, String)>) {
        // Redacted piece by piece between headings, so offsets stay right
        // (an address never spans a heading's start).
        let mut text = String::with_capacity(self.text.len());
        let mut starts = Vec::with_capacity(self.headings.len());
        let mut at = 0;
        for (start, _) in &self.headings {
            text.push_str(&crate::email::redact(&self.text[at..*start]));
            starts.push(text.len());
            at = *start;
        }
        text.push_str(&crate::email::redact(&self.text[at..]));
        let text = excerpt(&text, max);
        let kept = text.trim_end_matches('…').len();
        let headings = starts
            .into_iter()
            .zip(self.headings)
            .filter(|(start, _)| *start < kept)
            .map(|(start, (_, id))| (text[..start].encode_utf16().count() as u32, id))
            .collect();
        (text, headings)
    }
}

impl Piece {
    /// Adds document `id`.
    pub fn add(mut self, id: u32, src: Source) -> Piece {
        self.lang = src.lang;
        if self.postings.len() <= src.lang as usize {
            self.postings
                .resize_with(src.lang as usize + 1, Postings::default);
        }
        self.lengths = [0; FIELDS];
        if src.title_indexed {
            self.feed(id, &src.title, TITLE);
            self.end(id, TITLE);
        }
        for m in &src.meta {
            self.feed(id, m, META);
            self.end(id, META);
        }
        let max = text_max(src.kind);
        // The text runs past its cut by more than the longest e-mail
        // address, so an address at the cut is whole when it is taken out.
        let gathered = max + ADDRESS_MAX;
        // Sized once: growing it a piece at a time cost a copy per doubling.
        let mut text = Text {
            text: String::with_capacity(gathered + 8),
            headings: Vec::new(),
        };
        for (part, _) in &src.body {
            let mut field = BODY;
            html::read(part, |event| match event {
                Event::Text(piece) => {
                    self.feed(id, piece, field);
                    push_collapsed(piece, &mut text.text, gathered);
                }
                Event::Break => {
                    self.feed(id, " ", field);
                    push_collapsed(" ", &mut text.text, gathered);
                }
                Event::Heading(anchor) => {
                    self.end(id, field);
                    field = HEADING;
                    push_collapsed(" ", &mut text.text, gathered);
                    if let Some(anchor) = anchor.filter(|_| text.text.len() < max) {
                        text.headings.push((text.text.len(), anchor));
                    }
                }
                Event::HeadingEnd => {
                    self.end(id, field);
                    field = BODY;
                    push_collapsed(" ", &mut text.text, gathered);
                }
            });
            self.end(id, field);
            push_collapsed(" ", &mut text.text, gathered);
        }
        let letters = std::mem::take(&mut self.doc_foreign);
        for &c in &letters {
            *self.foreign.entry(c).or_default() += 1;
        }
        if !letters.is_empty() {
            self.doc_foreign_list
                .push((id, letters.into_iter().collect()));
        }
        let (text, headings) = text.done(max);
        self.docs.push((
            id,
            Shown {
                title: crate::email::redact(&src.title),
                path: src.path,
                kind: src.kind,
                date: src.date.map(|d| d.date_naive().to_string()),
                text,
                headings,
                tags: src.tags.iter().map(|t| t.to_string()).collect(),
                authors: src
                    .authors
                    .iter()
                    .map(|a| crate::email::redact_name(a))
                    .collect(),
            },
            self.lengths,
        ));
        self
    }

    /// Feeds a piece of text of field `field` of document `id`.
    fn feed(&mut self, id: u32, text: &str, field: usize) {
        let Piece {
            postings,
            doc_foreign,
            splitter,
            lang,
            lengths,
            ..
        } = self;
        let postings = &mut postings[*lang as usize];
        let length = &mut lengths[field];
        splitter.feed(
            text,
            &mut |t| {
                *length += 1;
                postings.add(t, id, field)
            },
            &mut |c| {
                doc_foreign.insert(c);
            },
        );
    }

    /// Ends the text of field `field` of document `id`.
    fn end(&mut self, id: u32, field: usize) {
        let Piece {
            postings,
            splitter,
            lang,
            lengths,
            ..
        } = self;
        let postings = &mut postings[*lang as usize];
        let length = &mut lengths[field];
        splitter.finish(&mut |t| {
            *length += 1;
            postings.add(t, id, field)
        });
    }

    /// Turns the rows added since the last shard, which are document
    /// shard `n`, into its file and hash, keeping only their field lengths
    /// and filter values.
    fn pack(mut self, n: usize, spill: Option<&Arc<Spill>>) -> Piece {
        let mut rows = Vec::with_capacity(self.docs.len());
        for (id, shown, lengths) in self.docs.drain(..) {
            self.packed_lengths.push((id, lengths));
            self.filed.add(id, &shown);
            rows.push(shown);
        }
        let file = Stored::new(super::rows_json(&rows), spill);
        self.files.push((n, super::rows_hash(&rows), file));
        self
    }

    /// Joins two pieces, `self` holding the smaller ids.
    pub fn merge(mut self, other: Piece) -> Piece {
        self.docs.extend(other.docs);
        self.files.extend(other.files);
        self.packed_lengths.extend(other.packed_lengths);
        self.filed.append(other.filed);
        if self.postings.len() < other.postings.len() {
            self.postings
                .resize_with(other.postings.len(), Postings::default);
        }
        for (mine, theirs) in self.postings.iter_mut().zip(other.postings) {
            for (term, p) in theirs.packed {
                mine.packed.entry(term).or_default().append(p);
            }
            for (term, p) in theirs.long {
                mine.long.entry(term).or_default().append(p);
            }
        }
        for (c, n) in other.foreign {
            *self.foreign.entry(c).or_default() += n;
        }
        self.doc_foreign_list.extend(other.doc_foreign_list);
        self
    }
}

/// Non-ASCII letters of the index with their foldings, sorted.
pub(super) fn fold_table(foreign: impl Iterator<Item = char>) -> Vec<(char, String)> {
    foreign
        .map(|c| {
            let mut s = String::new();
            super::terms::fold_char(c, &mut s);
            (c, s)
        })
        .collect()
}
