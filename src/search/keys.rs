//! The keys of the index: each stem with the documents of every word that
//! stems to it, and each word that is not its own stem with the stems it
//! leads to, so that `search.js` looks a query word up as it is typed and
//! finds its stem without a stemmer of its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::encode::{id_set, BASE64};
use super::postings::{id_of, sum, Norms, Posting};
use super::stem::{stem, LANGS};

/// A word of the text in a language: `(language id, term)`.
pub type Raw = (u8, String);

/// The union of postings lists (by id): a document in several lists
/// gets the counts of all added.
pub fn union<'a>(parts: impl Iterator<Item = &'a [Posting]>) -> Vec<Posting> {
    let mut all: Vec<Posting> = parts.flatten().copied().collect();
    all.sort_unstable_by_key(|&p| id_of(p));
    all.dedup_by(|cur, prev| {
        let same = id_of(*cur) == id_of(*prev);
        if same {
            *prev = sum(*prev, *cur);
        }
        same
    });
    all
}

/// One key's JSON member: `"key":["<ids>","<weights>"]`, the documents
/// holding it and the BM25 weight of each, one base64 digit a document,
/// with a third string of other stems (space-separated) when the key is
/// also a word stemming elsewhere; or `"key":"<stems>"` for a word that
/// is no stem at all.
pub fn entry(key: &str, postings: &[Posting], also: &[String], norms: &Norms) -> String {
    // Keys are runs of letters and digits: nothing to escape.
    if postings.is_empty() {
        return format!("\"{key}\":\"{}\"", also.join(" "));
    }
    let ids: Vec<u32> = postings.iter().map(|&p| id_of(p)).collect();
    let weights: String = postings
        .iter()
        .map(|&p| BASE64[norms.level(p) as usize] as char)
        .collect();
    let more = if also.is_empty() {
        String::new()
    } else {
        format!(",\"{}\"", also.join(" "))
    };
    format!("\"{key}\":[\"{}\",\"{weights}\"{more}]", id_set(&ids))
}

/// The sorted `(key, entry)` list of the words of a site.
pub fn entries(raw: &[(Raw, Vec<Posting>)], norms: &Norms) -> Vec<(String, String)> {
    let stems: Vec<String> = raw
        .par_iter()
        .map(|((l, t), _)| stem(*l, t).into_owned())
        .collect();
    // Per key: the words stemming to it, and the other stems of the key
    // read as a word.
    let mut keys: HashMap<&str, (Vec<usize>, BTreeSet<&str>)> = HashMap::new();
    for (i, ((_, t), _)) in raw.iter().enumerate() {
        keys.entry(&stems[i]).or_default().0.push(i);
        if stems[i] != *t {
            keys.entry(t).or_default().1.insert(&stems[i]);
        }
    }
    let mut out: Vec<(String, String)> = keys
        .into_par_iter()
        .map(|(key, (words, also))| {
            let postings = match words.as_slice() {
                [one] => raw[*one].1.clone(),
                _ => union(words.iter().map(|&i| raw[i].1.as_slice())),
            };
            let also: Vec<String> = also.into_iter().map(str::to_owned).collect();
            (key.to_owned(), entry(key, &postings, &also, norms))
        })
        .collect();
    out.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The words of a site kept for updates in place: their postings, and
/// the keys' entries they make.
#[derive(Debug, Default)]
pub struct Kept {
    /// Postings of each word.
    pub raw: BTreeMap<Raw, Vec<Posting>>,
    /// Field lengths the weights are computed with.
    pub norms: Norms,
    /// The words stemming to each stem.
    stems: HashMap<String, BTreeSet<Raw>>,
    /// Each key's entry.
    pub entries: BTreeMap<String, String>,
}

impl Kept {
    /// Keeps the words `raw` and their keys' `entries`.
    pub fn new(
        raw: Vec<(Raw, Vec<Posting>)>,
        entries: Vec<(String, String)>,
        norms: Norms,
    ) -> Kept {
        let mut stems: HashMap<String, BTreeSet<Raw>> = HashMap::new();
        for (w, _) in &raw {
            stems
                .entry(stem(w.0, &w.1).into_owned())
                .or_default()
                .insert(w.clone());
        }
        Kept {
            raw: raw.into_iter().collect(),
            norms,
            stems,
            entries: entries.into_iter().collect(),
        }
    }

    /// Brings the keys of the words `touched` (whose postings changed in
    /// `raw`) up to date.
    pub fn refresh(&mut self, touched: impl Iterator<Item = Raw>) {
        let mut keys = BTreeSet::new();
        for w in touched {
            let s = stem(w.0, &w.1).into_owned();
            let members = self.stems.entry(s.clone()).or_default();
            if self.raw.get(&w).is_some_and(|p| !p.is_empty()) {
                members.insert(w.clone());
            } else {
                self.raw.remove(&w);
                members.remove(&w);
            }
            keys.insert(s);
            keys.insert(w.1);
        }
        for key in keys {
            let words = self.stems.get(&key);
            let postings = union(
                words
                    .into_iter()
                    .flatten()
                    .filter_map(|w| self.raw.get(w).map(Vec::as_slice)),
            );
            let also: BTreeSet<String> = (0..LANGS as u8)
                .filter(|&l| self.raw.contains_key(&(l, key.clone())))
                .map(|l| stem(l, &key).into_owned())
                .filter(|s| *s != key)
                .collect();
            if postings.is_empty() && also.is_empty() {
                self.entries.remove(&key);
                self.stems.remove(&key);
            } else {
                let also: Vec<String> = also.into_iter().collect();
                self.entries
                    .insert(key.clone(), entry(&key, &postings, &also, &self.norms));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::postings::{one, BODY, TITLE};
    use crate::search::stem::lang_id;

    fn norms() -> Norms {
        Norms::new(vec![[1, 0, 0, 10]; 4])
    }

    #[test]
    fn words_lead_to_their_stems_and_stems_hold_all_their_documents() {
        let en = lang_id("en");
        let raw = vec![
            ((en, "garden".to_owned()), vec![one(1, BODY)]),
            (
                (en, "gardens".to_owned()),
                vec![one(1, TITLE), one(2, BODY)],
            ),
        ];
        let got = entries(&raw, &norms());
        let keys: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(keys, ["garden", "gardens"]);
        let both = union([&raw[0].1[..], &raw[1].1[..]].into_iter());
        assert_eq!(both, vec![sum(one(1, BODY), one(1, TITLE)), one(2, BODY)]);
        assert_eq!(got[0].1, entry("garden", &both, &[], &norms()));
        assert_eq!(got[1].1, "\"gardens\":\"garden\"");
    }

    #[test]
    fn a_kept_index_refreshed_equals_a_new_one() {
        let en = lang_id("en");
        let mut raw = vec![
            ((en, "garden".to_owned()), vec![one(1, BODY)]),
            ((en, "gardens".to_owned()), vec![one(2, BODY)]),
        ];
        let mut kept = Kept::new(raw.clone(), entries(&raw, &norms()), norms());
        kept.raw.remove(&(en, "gardens".to_owned()));
        kept.raw
            .insert((en, "gardening".to_owned()), vec![one(3, BODY)]);
        kept.refresh([(en, "gardens".to_owned()), (en, "gardening".to_owned())].into_iter());
        raw.pop();
        raw.push(((en, "gardening".to_owned()), vec![one(3, BODY)]));
        let fresh: BTreeMap<String, String> = entries(&raw, &norms()).into_iter().collect();
        assert_eq!(kept.entries, fresh);
    }
}
