//! Updating a built index in place after an edit (watch mode): only the
//! documents whose source changed are read again, and only the keys of
//! the words they gained, lost or count differently are encoded again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::index::{fold_table, Piece, TERM_SHARD_TARGET};
use super::keys::{self, Raw};
use super::postings::{counts, id_of, Postings, FIELDS};
use super::shards;
use super::sources::{fingerprint, units, Source, Unit};
use super::stem::stem;
use super::terms::unpack;
use super::{shard_of, shard_range, Index, Kind, Shown};
use crate::date::Date;
use crate::model::{Site, Thread};

/// What an index keeps to be updated in place: every term's postings and
/// entry, how many documents use each letter beyond ASCII, and document
/// ids by path.
#[derive(Debug)]
pub struct Kept {
    pub(super) words: keys::Kept,
    pub(super) foreign: BTreeMap<char, u32>,
    pub(super) ids: HashMap<String, u32>,
    /// Each unit's [`Unit::fingerprint`] and number of documents, by
    /// its path.
    pub(super) units: HashMap<String, (u64, usize)>,
    /// Each document's date, by id: ids follow dates.
    pub(super) dates: Vec<Option<Date>>,
    /// [`fingerprint`] of each document's source, by id: of a changed
    /// unit, only the documents that changed are read again.
    pub(super) fingerprints: Vec<u64>,
    /// The letters beyond ASCII of documents that have any, by id.
    pub(super) doc_foreign: BTreeMap<u32, Vec<char>>,
}

/// One document read on its own: its terms with their counts by field,
/// its field lengths, its letters beyond ASCII, and what results show
/// of it.
pub struct Analysis {
    terms: Vec<(Raw, u32)>,
    lengths: [u32; FIELDS],
    foreign: BTreeSet<char>,
    shown: Shown,
    /// The path and fingerprint of the unit it was read from, and the
    /// document's own fingerprint, when known.
    unit: Option<(String, u64, u64)>,
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
        .map(|(t, p)| ((lang, t), counts(p.decode().next().expect("a posting"))))
        .collect();
    let (_, shown, lengths) = docs.pop().expect("one document");
    Analysis {
        terms,
        lengths,
        foreign: foreign.into_keys().collect(),
        shown,
        unit: None,
    }
}

/// Post `i` of `site` (without its comments) read as an index document.
pub fn analyze_post(site: &Site, i: usize) -> Analysis {
    analyze_own(site, Unit::Post(&site.posts[i]))
}

/// `thread`, one of `site`'s (or what it becomes after an edit), read as
/// an index document.
pub fn analyze_thread(site: &Site, thread: &Thread) -> Analysis {
    analyze_own(site, Unit::Thread(thread))
}

/// The own document of `unit` read as an index document (a post's
/// comments are not read: they are documents of their own).
fn analyze_own(site: &Site, unit: Unit<'_>) -> Analysis {
    let src = unit.own_source(site);
    let doc = fingerprint(&src);
    let mut analysis = analyze(src);
    analysis.unit = Some((unit.path().to_owned(), unit.fingerprint(site), doc));
    analysis
}

impl Index {
    /// An empty index that keeps nothing: [`Index::update`] on it always
    /// asks for a new build.
    pub fn placeholder() -> Index {
        Index::new(Vec::new(), Vec::new(), Vec::new(), false)
    }

    /// Brings the index up to date with `site` (the same site linked
    /// again after a change), reading again only the documents whose
    /// source changed. False when it cannot (documents came, went or
    /// moved, too many changed, or the index keeps no postings): build it
    /// again then.
    pub fn update(&mut self, site: &Site) -> bool {
        let (Some(kept), Some(rows)) = (self.kept.as_deref(), self.rows()) else {
            return false;
        };
        // Units are fingerprinted without making their documents: only
        // the changed ones are made and read.
        let units = units(site);
        if units.len() != kept.units.len() {
            return false;
        }
        let changed: Vec<(Unit, u64)> = units
            .into_par_iter()
            .filter_map(|u| {
                let f = u.fingerprint(site);
                (kept.units.get(u.path()).map(|k| k.0) != Some(f)).then_some((u, f))
            })
            .collect();
        let mut sources: Vec<(u32, Source)> = Vec::new();
        for &(unit, _) in &changed {
            let docs = unit.sources(site);
            if kept.units.get(unit.path()).map(|k| k.1) != Some(docs.len()) {
                return false;
            }
            for src in docs {
                let Some(&id) = kept.ids.get(&src.path) else {
                    return false;
                };
                sources.push((id, src));
            }
        }
        // Ids follow (date, path): each changed document must still sort
        // between its neighbours.
        let dates: HashMap<u32, Option<Date>> =
            sources.iter().map(|(id, s)| (*id, s.date)).collect();
        let key = |id: usize| {
            let date = dates.get(&(id as u32)).unwrap_or(&kept.dates[id]);
            (*date, &rows[id].path)
        };
        let in_place = |id: usize| {
            (id == 0 || key(id - 1) < key(id)) && (id + 1 == rows.len() || key(id) < key(id + 1))
        };
        if !sources.iter().all(|(id, _)| in_place(*id as usize)) {
            return false;
        }
        let dates: Vec<(u32, Option<Date>)> = dates.into_iter().collect();
        let mut docs = Vec::with_capacity(sources.len());
        for (id, src) in sources {
            let f = fingerprint(&src);
            if f != kept.fingerprints[id as usize] {
                docs.push((id, f, src));
            }
        }
        let units: Vec<(String, u64, usize)> = changed
            .iter()
            .map(|&(u, f)| (u.path().to_owned(), f, u.documents()))
            .collect();
        // Each changed document's old terms are found in the postings: a
        // pass over every term, worth it for a few documents only.
        if docs.len() > 256 {
            return false;
        }
        let ids: Vec<u32> = docs.iter().map(|c| c.0).collect();
        let mut old_terms: HashMap<u32, Vec<(Raw, u32)>> = kept
            .words
            .raw
            .par_iter()
            .fold(HashMap::new, |mut found: HashMap<u32, Vec<_>>, (t, p)| {
                for &id in &ids {
                    if let Ok(at) = p.binary_search_by_key(&id, |&x| id_of(x)) {
                        found
                            .entry(id)
                            .or_default()
                            .push((t.clone(), counts(p[at])));
                    }
                }
                found
            })
            .reduce(HashMap::new, |mut a, b| {
                for (id, terms) in b {
                    a.entry(id).or_default().extend(terms);
                }
                a
            });
        let mut replaced = Vec::with_capacity(docs.len());
        let mut fingerprints = Vec::with_capacity(docs.len());
        for (id, f, src) in docs {
            let before = Analysis {
                terms: old_terms.remove(&id).unwrap_or_default(),
                lengths: kept.words.norms.lengths[id as usize],
                foreign: kept
                    .doc_foreign
                    .get(&id)
                    .map(|v| v.iter().copied().collect())
                    .unwrap_or_default(),
                shown: rows[id as usize].clone(),
                unit: None,
            };
            fingerprints.push((id, f));
            replaced.push((id, before, analyze(src)));
        }
        if !self.replace(replaced) {
            return false;
        }
        let kept = self.kept.as_deref_mut().expect("replaced in place");
        for (path, f, n) in units {
            kept.units.insert(path, (f, n));
        }
        for (id, date) in dates {
            kept.dates[id as usize] = date;
        }
        for (id, f) in fingerprints {
            kept.fingerprints[id as usize] = f;
        }
        true
    }

    /// Replaces a post's or a thread's document, read `before` and
    /// `after` a change of its text (its path and date, so its id,
    /// unchanged). False when the
    /// index keeps no postings or does not hold the document.
    pub fn replace_post(&mut self, before: Analysis, after: Analysis) -> bool {
        let Some(&id) = self
            .kept
            .as_ref()
            .and_then(|k| k.ids.get(&after.shown.path))
        else {
            return false;
        };
        let unit = after.unit.clone();
        if before.shown.path != after.shown.path || !self.replace(vec![(id, before, after)]) {
            return false;
        }
        // The next link finds the post as it is now.
        if let (Some((path, f, doc)), Some(kept)) = (unit, self.kept.as_deref_mut()) {
            if let Some(known) = kept.units.get_mut(&path) {
                known.0 = f;
            }
            kept.fingerprints[id as usize] = doc;
        }
        true
    }

    /// Replaces documents by id, updating only the terms they gained or
    /// lost: the index is then what a clean build of the site gives.
    fn replace(&mut self, changed: Vec<(u32, Analysis, Analysis)>) -> bool {
        // Only an index that keeps its rows can change one.
        if self.rows().is_none() {
            return false;
        }
        let Index {
            kept: Some(kept),
            term_shards,
            ..
        } = self
        else {
            return false;
        };
        if changed.is_empty() {
            return true;
        }
        // Document shards are cut by kind: a document that became or
        // stopped being a comment moves the boundaries after it.
        let comment = |a: &Analysis| a.shown.kind == Kind::Comment;
        if changed.iter().any(|(_, b, a)| comment(b) != comment(a)) {
            return false;
        }
        // Every weight depends on the average field lengths: when an edit
        // moves one, the whole index changes, so it is built again.
        let lengths: Vec<(u32, [u32; FIELDS])> = changed
            .iter()
            .map(|(id, _, after)| (*id, after.lengths))
            .collect();
        if kept.words.norms.averages_with(&lengths) != kept.words.norms.average {
            return false;
        }
        for (id, now) in lengths {
            kept.words.norms.set(id, now);
        }
        let mut touched: BTreeSet<Raw> = BTreeSet::new();
        // The documents whose postings changed: when there is one, its
        // keys' entries are edited in place (a title edit also changes
        // what its comments show, not their terms).
        let mut posted = BTreeSet::new();
        for (id, before, after) in &changed {
            let id = *id;
            // Only terms gained, lost or counted differently: an edit
            // leaves most of a document's terms as they were, unless its
            // length changed, which weighs all of them again.
            let same_length = before.lengths == after.lengths;
            let mut gone: HashMap<&Raw, u32> = before.terms.iter().map(|(t, n)| (t, *n)).collect();
            let mut came = Vec::new();
            for (t, n) in &after.terms {
                if gone.remove(t) != Some(*n) || !same_length {
                    came.push((t, n));
                }
            }
            if !gone.is_empty() || !came.is_empty() {
                posted.insert(id);
            }
            for t in gone.into_keys() {
                if let Some(p) = kept.words.raw.get_mut(t) {
                    if let Ok(at) = p.binary_search_by_key(&id, |&x| id_of(x)) {
                        p.remove(at);
                    }
                }
                touched.insert(t.clone());
            }
            for (t, n) in came {
                let p = kept.words.raw.entry(t.clone()).or_default();
                let posting = (id as u64) << 32 | *n as u64;
                match p.binary_search_by_key(&id, |&x| id_of(x)) {
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
        let only = match posted.len() {
            1 => changed
                .iter()
                .find(|(id, _, _)| posted.contains(id))
                .map(|(id, before, _)| keys::Only {
                    id: *id,
                    had: before
                        .terms
                        .iter()
                        .map(|((l, t), _)| stem(*l, t).into_owned())
                        .collect(),
                }),
            _ => None,
        };
        let keys = kept.words.refresh(touched.into_iter(), only.as_ref());
        let term_shards = shards::replan(
            std::mem::take(term_shards),
            &kept.words.entries,
            &keys,
            TERM_SHARD_TARGET,
        );
        let fold = fold_table(kept.foreign.keys().copied());
        let kept = self.kept.take();
        let mut docs = match std::mem::replace(&mut self.docs, super::Documents::Rows(Vec::new())) {
            super::Documents::Rows(rows) => rows,
            super::Documents::Files { .. } => unreachable!("checked on entry"),
        };
        let starts = std::mem::take(&mut self.starts);
        let mut doc_hashes = std::mem::take(&mut self.doc_hashes);
        let mut filters = std::mem::take(&mut self.filters);
        let mut doc_shards = BTreeSet::new();
        for (id, _, after) in changed {
            let before = std::mem::replace(&mut docs[id as usize], after.shown);
            filters.replace(id, &before, &docs[id as usize]);
            doc_shards.insert(shard_of(&starts, id as usize));
        }
        for shard in doc_shards {
            doc_hashes[shard] = super::rows_hash(&docs[shard_range(&starts, shard, docs.len())]);
        }
        *self = Index::with_doc_hashes(docs, term_shards, fold, starts, doc_hashes, filters);
        self.kept = kept;
        true
    }
}
