//! Updating a built index in place after an edit (watch mode): only the
//! documents whose source changed are read again, and only the keys of
//! the words they gained, lost or count differently are encoded again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::index::{fold_table, term_shards, Piece};
use super::keys::{self, Raw};
use super::postings::{averages, counts, id_of, Postings, FIELDS};
use super::sources::{fingerprint, post_sources, sorted_sources, Source};
use super::terms::unpack;
use super::{Index, Shown};
use crate::model::Site;

/// What an index keeps to be updated in place: every term's postings and
/// entry, how many documents use each letter beyond ASCII, and document
/// ids by path.
#[derive(Debug)]
pub struct Kept {
    pub(super) words: keys::Kept,
    pub(super) foreign: BTreeMap<char, u32>,
    pub(super) ids: HashMap<String, u32>,
    /// [`fingerprint`] of each document's source, by id.
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
        .map(|(t, p)| ((lang, t), counts(p[0])))
        .collect();
    let (_, shown, lengths) = docs.pop().expect("one document");
    Analysis {
        terms,
        lengths,
        foreign: foreign.into_keys().collect(),
        shown,
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
        let mut old_terms: HashMap<u32, Vec<(Raw, u32)>> = HashMap::new();
        for (t, p) in &kept.words.raw {
            for &id in &ids {
                if let Ok(at) = p.binary_search_by_key(&id, |&x| id_of(x)) {
                    old_terms
                        .entry(id)
                        .or_default()
                        .push((t.clone(), counts(p[at])));
                }
            }
        }
        let mut replaced = Vec::with_capacity(changed.len());
        let mut fingerprints = Vec::with_capacity(changed.len());
        for (id, src) in changed {
            fingerprints.push((id, fingerprint(&src)));
            let before = Analysis {
                terms: old_terms.remove(&id).unwrap_or_default(),
                lengths: kept.words.norms.lengths[id as usize],
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
        // Every weight depends on the average field lengths: when an edit
        // moves one, the whole index changes, so it is built again.
        let mut lengths = kept.words.norms.lengths.clone();
        for (id, _, after) in &changed {
            lengths[*id as usize] = after.lengths;
        }
        if averages(&lengths) != kept.words.norms.average {
            return false;
        }
        kept.words.norms.lengths = lengths;
        let mut touched: BTreeSet<Raw> = BTreeSet::new();
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
