//! The keys of the index: each stem with the documents of every word that
//! stems to it, and each word that is not its own stem with the stems it
//! leads to, so that `search.js` looks a query word up as it is typed and
//! finds its stem without a stemmer of its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::encode::id_set;
use super::index::{BODY, META, TITLE};
use super::stem::{stem, LANGS};

/// A word of the text in a language: `(language id, term)`.
pub type Raw = (u8, String);

/// The union of postings lists (`id << 3 | field bits`, by id): a
/// document in several lists gets the fields of all.
pub fn union<'a>(parts: impl Iterator<Item = &'a [u32]>) -> Vec<u32> {
    let mut all: Vec<u32> = parts.flatten().copied().collect();
    all.sort_unstable_by_key(|p| p >> 3);
    all.dedup_by(|cur, prev| {
        let same = *cur >> 3 == *prev >> 3;
        if same {
            *prev |= *cur;
        }
        same
    });
    all
}

/// One key's JSON member: `"key":["<title set>","<meta set>","<body
/// set>"]`, with a fourth string of other stems (space-separated) when the
/// key is also a word stemming elsewhere, or `"key":"<stems>"` for a word
/// that is no stem at all.
pub fn entry(key: &str, postings: &[u32], also: &[String]) -> String {
    // Keys are runs of letters and digits: nothing to escape.
    if postings.is_empty() {
        return format!("\"{key}\":\"{}\"", also.join(" "));
    }
    let set = |bit: u8| {
        let ids: Vec<u32> = postings
            .iter()
            .filter(|&&p| p & bit as u32 != 0)
            .map(|p| p >> 3)
            .collect();
        id_set(&ids)
    };
    let more = if also.is_empty() {
        String::new()
    } else {
        format!(",\"{}\"", also.join(" "))
    };
    format!(
        "\"{key}\":[\"{}\",\"{}\",\"{}\"{more}]",
        set(TITLE),
        set(META),
        set(BODY)
    )
}

/// The sorted `(key, entry)` list of the words of a site.
pub fn entries(raw: &[(Raw, Vec<u32>)]) -> Vec<(String, String)> {
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
            (key.to_owned(), entry(key, &postings, &also))
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
    pub raw: BTreeMap<Raw, Vec<u32>>,
    /// The words stemming to each stem.
    stems: HashMap<String, BTreeSet<Raw>>,
    /// Each key's entry.
    pub entries: BTreeMap<String, String>,
}

impl Kept {
    /// Keeps the words `raw` and their keys' `entries`.
    pub fn new(raw: Vec<(Raw, Vec<u32>)>, entries: Vec<(String, String)>) -> Kept {
        let mut stems: HashMap<String, BTreeSet<Raw>> = HashMap::new();
        for (w, _) in &raw {
            stems
                .entry(stem(w.0, &w.1).into_owned())
                .or_default()
                .insert(w.clone());
        }
        Kept {
            raw: raw.into_iter().collect(),
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
                    .insert(key.clone(), entry(&key, &postings, &also));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::stem::lang_id;

    #[test]
    fn words_lead_to_their_stems_and_stems_hold_all_their_documents() {
        let en = lang_id("en");
        let raw = vec![
            ((en, "garden".to_owned()), vec![1 << 3 | BODY as u32]),
            (
                (en, "gardens".to_owned()),
                vec![1 << 3 | TITLE as u32, 2 << 3 | BODY as u32],
            ),
        ];
        let got = entries(&raw);
        let keys: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(keys, ["garden", "gardens"]);
        let both = union([&raw[0].1[..], &raw[1].1[..]].into_iter());
        assert_eq!(both, vec![1 << 3 | 5, 2 << 3 | 1]);
        assert_eq!(got[0].1, entry("garden", &both, &[]));
        assert_eq!(got[1].1, "\"gardens\":\"garden\"");
    }

    #[test]
    fn a_kept_index_refreshed_equals_a_new_one() {
        let en = lang_id("en");
        let mut raw = vec![
            ((en, "garden".to_owned()), vec![1 << 3 | 1]),
            ((en, "gardens".to_owned()), vec![2 << 3 | 1]),
        ];
        let mut kept = Kept::new(raw.clone(), entries(&raw));
        kept.raw.remove(&(en, "gardens".to_owned()));
        kept.raw
            .insert((en, "gardening".to_owned()), vec![3 << 3 | 1]);
        kept.refresh([(en, "gardens".to_owned()), (en, "gardening".to_owned())].into_iter());
        raw.pop();
        raw.push(((en, "gardening".to_owned()), vec![3 << 3 | 1]));
        let fresh: BTreeMap<String, String> = entries(&raw).into_iter().collect();
        assert_eq!(kept.entries, fresh);
    }
}
