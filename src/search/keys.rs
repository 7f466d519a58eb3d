//! The keys of the index: each stem with the documents of every word that
//! stems to it, and each word that is not its own stem with the stems it
//! leads to, so that `search.js` looks a query word up as it is typed and
//! finds its stem without a stemmer of its own.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use super::encode::{id_set, BASE64};
use super::postings::{id_of, sum, tf, Norms, Posting, PostingList, BODY, FIELDS};
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
/// holding it and the BM25 weight of each, one base64 digit a document
/// (for a key of [`MANY_DOCUMENTS`] or more, [`flags`] instead), with a
/// third string of other stems (space-separated) when the key is also a
/// word stemming elsewhere; or `"key":"<stems>"` for a word that is no
/// stem at all.
pub fn entry(key: &str, postings: &[Posting], also: &[String], norms: &Norms) -> String {
    // Keys are runs of letters and digits: nothing to escape.
    if postings.is_empty() {
        return format!("\"{key}\":\"{}\"", also.join(" "));
    }
    let ids: Vec<u32> = postings.iter().map(|&p| id_of(p)).collect();
    let weights: String = if postings.len() >= MANY_DOCUMENTS {
        flags(postings)
    } else {
        postings
            .iter()
            .map(|&p| BASE64[norms.level(p) as usize] as char)
            .collect()
    };
    let more = if also.is_empty() {
        String::new()
    } else {
        format!(",\"{}\"", also.join(" "))
    };
    format!("\"{key}\":[\"{}\",\"{weights}\"{more}]", id_set(&ids))
}

/// From how many documents a key's weights are [`flags`]: a digit a
/// document would make a common word (`the`, `build` on a million-message
/// list: 100 KB of weights) most of what a first search fetches. Unit
/// tests lower it, so that their small sites have keys of both kinds.
pub const MANY_DOCUMENTS: usize = if cfg!(test) { 3 } else { 2048 };

/// The weights of a key held by many documents: `!`, then a bit a
/// document (six a base64 digit, low bit first), set when the word is in
/// its title, headings, tags or authors. The script weighs a set bit as a
/// word in the title and a clear one as a word once in the text. For a
/// word that common, its rarity (idf) is low and the rarer words of a
/// query decide the order; where a word is matters more than how often.
fn flags(postings: &[Posting]) -> String {
    let mut out = String::with_capacity(1 + postings.len().div_ceil(6));
    out.push('!');
    for six in postings.chunks(6) {
        let bits = six
            .iter()
            .enumerate()
            .filter(|(_, &p)| beyond_text(p))
            .fold(0, |bits, (i, _)| bits | 1 << i);
        out.push(BASE64[bits] as char);
    }
    out
}

/// Whether the word of posting `p` is in its document's title, headings,
/// tags or authors: its flag.
fn beyond_text(p: Posting) -> bool {
    (0..FIELDS).any(|f| f != BODY && tf(p, f) > 0)
}

/// The sorted `(key, entry)` list of the words of a site.
pub fn entries<L: PostingList + Sync>(raw: &[(Raw, L)], norms: &Norms) -> Vec<(String, String)> {
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
                [one] => raw[*one].1.postings(),
                _ => {
                    let parts: Vec<_> = words.iter().map(|&i| raw[i].1.postings()).collect();
                    Cow::Owned(union(parts.iter().map(|p| &**p)))
                }
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
    /// `raw`) up to date; returns the keys whose entries changed, each
    /// with its entry's length before (`None` when it had none). `only`:
    /// the one document whose postings changed, when there is one; its
    /// keys' entries are then edited rather than encoded again.
    pub fn refresh(
        &mut self,
        touched: impl Iterator<Item = Raw>,
        only: Option<&Only>,
    ) -> BTreeMap<String, Option<usize>> {
        let mut keys = BTreeSet::new();
        let mut changed = BTreeMap::new();
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
            let words: Vec<&[Posting]> = self
                .stems
                .get(&key)
                .into_iter()
                .flatten()
                .filter_map(|w| self.raw.get(w).map(Vec::as_slice))
                .collect();
            let mut probe = (0, key);
            let mut also = BTreeSet::new();
            for l in 0..LANGS as u8 {
                probe.0 = l;
                if self.raw.contains_key(&probe) {
                    also.insert(stem(l, &probe.1).into_owned());
                }
            }
            let key = probe.1;
            also.remove(&key);
            let also: Vec<String> = also.into_iter().collect();
            let old = self.entries.get(&key).map(String::as_str);
            let edited = match (only, old) {
                (Some(only), Some(old)) => edit(old, &key, &words, &also, only, &self.norms),
                _ => None,
            };
            let before = match edited {
                Some(Edited::Same) => continue,
                Some(Edited::Now(entry)) => self.entries.insert(key.clone(), entry),
                None if words.is_empty() && also.is_empty() => {
                    self.stems.remove(&key);
                    self.entries.remove(&key)
                }
                None => {
                    let postings = match words.as_slice() {
                        [one] => one.to_vec(),
                        _ => union(words.iter().copied()),
                    };
                    let entry = entry(&key, &postings, &also, &self.norms);
                    match self.entries.get_mut(&key) {
                        Some(e) if *e == entry => continue,
                        Some(e) => Some(std::mem::replace(e, entry)),
                        None => self.entries.insert(key.clone(), entry),
                    }
                }
            };
            if before.is_some() || self.entries.contains_key(&key) {
                changed.insert(key, before.map(|e| e.len()));
            }
        }
        changed
    }
}

/// The one document whose postings changed, and the keys its words led
/// to before.
pub struct Only {
    /// Its id.
    pub id: u32,
    /// The stems of the words it had.
    pub had: HashSet<String>,
}

/// A key's entry after an edit of one document.
enum Edited {
    /// As it was.
    Same,
    /// This entry now.
    Now(String),
}

/// The entry of `key` (its words' postings `words`, its other stems
/// `also`) after only document `id`'s postings changed, made from its
/// entry `old`: the other documents' ids and weights are as they were
/// (the averages the weights use did not move), so only `id`'s weight
/// is computed, put in, changed or taken out, instead of every
/// document's. `None` when it must be encoded anew.
fn edit(
    old: &str,
    key: &str,
    words: &[&[Posting]],
    also: &[String],
    only: &Only,
    norms: &Norms,
) -> Option<Edited> {
    let rest = old.strip_prefix('"')?.strip_prefix(key)?;
    let (ids, rest) = rest.strip_prefix("\":[\"")?.split_once("\",\"")?;
    let (weights, rest) = rest.split_once('"')?;
    let old_also = match rest {
        "]" => "",
        _ => rest.strip_prefix(",\"")?.strip_suffix("\"]")?,
    };
    if old_also != also.join(" ") || words.is_empty() {
        return None;
    }
    let id = only.id;
    let mut mine = None;
    for w in words {
        if let Ok(at) = w.binary_search_by_key(&id, |&p| id_of(p)) {
            mine = Some(mine.map_or(w[at], |m| sum(m, w[at])));
        }
    }
    let was = only.had.contains(key);
    if mine.is_none() && !was {
        return Some(Edited::Same);
    }
    let rank = distinct_below(words, id);
    let more = match also {
        [] => String::new(),
        _ => format!(",\"{}\"", also.join(" ")),
    };
    if let Some(bits) = weights.strip_prefix('!') {
        // A flagged key the document stays in: its length changed (most
        // edits), its flag seldom did. One coming or going is encoded
        // anew.
        let (Some(p), true) = (mine, was) else {
            return None;
        };
        let mut bits = bits.as_bytes().to_vec();
        let digit = bits.get_mut(rank / 6)?;
        let old = BASE64.iter().position(|b| b == digit)?;
        let bit = 1 << (rank % 6);
        let now = if beyond_text(p) {
            old | bit
        } else {
            old & !bit
        };
        if now == old {
            return Some(Edited::Same);
        }
        *digit = BASE64[now];
        let bits = String::from_utf8(bits).ok()?;
        return Some(Edited::Now(format!(
            "\"{key}\":[\"{ids}\",\"!{bits}\"{more}]"
        )));
    }
    let weight = mine.map(|p| BASE64[norms.level(p) as usize]);
    let mut weights = weights.as_bytes().to_vec();
    let new_ids = match weight {
        Some(w) if was && weights.get(rank) == Some(&w) => return Some(Edited::Same),
        Some(w) if was => {
            *weights.get_mut(rank)? = w;
            ids.to_owned()
        }
        Some(w) => {
            weights.insert(rank, w);
            union_ids(words)
        }
        None if rank < weights.len() => {
            weights.remove(rank);
            union_ids(words)
        }
        None => return None,
    };
    if weights.len() >= MANY_DOCUMENTS {
        return None;
    }
    let weights = String::from_utf8(weights).ok()?;
    Some(Edited::Now(format!(
        "\"{key}\":[\"{new_ids}\",\"{weights}\"{more}]"
    )))
}

/// How many documents of the union of `words` come before document `id`.
fn distinct_below(words: &[&[Posting]], id: u32) -> usize {
    let below: Vec<&[Posting]> = words
        .iter()
        .map(|w| &w[..w.partition_point(|&p| id_of(p) < id)])
        .collect();
    match below.as_slice() {
        [one] => one.len(),
        [a, b] => {
            // Both in id order: count the union by walking them together.
            let (mut i, mut j, mut n) = (0, 0, 0);
            while i < a.len() && j < b.len() {
                let (x, y) = (id_of(a[i]), id_of(b[j]));
                i += usize::from(x <= y);
                j += usize::from(y <= x);
                n += 1;
            }
            n + (a.len() - i) + (b.len() - j)
        }
        _ => {
            let mut ids: Vec<u32> = below
                .iter()
                .flat_map(|w| w.iter().map(|&p| id_of(p)))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        }
    }
}

/// The id set of the union of `words`.
fn union_ids(words: &[&[Posting]]) -> String {
    let ids: Vec<u32> = match words {
        [one] => one.iter().map(|&p| id_of(p)).collect(),
        _ => union(words.iter().copied())
            .into_iter()
            .map(id_of)
            .collect(),
    };
    id_set(&ids)
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
        kept.refresh(
            [(en, "gardens".to_owned()), (en, "gardening".to_owned())].into_iter(),
            None,
        );
        raw.pop();
        raw.push(((en, "gardening".to_owned()), vec![one(3, BODY)]));
        let fresh: BTreeMap<String, String> = entries(&raw, &norms()).into_iter().collect();
        assert_eq!(kept.entries, fresh);
    }

    /// Postings of `words` (indexes into WORDS) in document `id`, by word.
    fn doc_postings(id: u32, counts: &[(usize, u8, bool)]) -> BTreeMap<usize, Posting> {
        let mut out = BTreeMap::new();
        for &(w, n, title) in counts {
            let field = if title { TITLE } else { BODY };
            let p = (0..n).fold(one(id, field), |p, _| sum(p, one(id, field)));
            out.entry(w).and_modify(|q| *q = sum(*q, p)).or_insert(p);
        }
        out
    }

    const WORDS: [&str; 6] = [
        "garden",
        "gardens",
        "gardening",
        "seed",
        "seeds",
        "gardenss",
    ];

    proptest::proptest! {
        #[test]
        fn one_documents_keys_edited_equal_keys_encoded_anew(
            docs in proptest::collection::vec(
                proptest::collection::vec((0usize..6, 0u8..3, proptest::bool::ANY), 0..5),
                1..7,
            ),
            pick in 0usize..7,
            now in proptest::collection::vec((0usize..6, 0u8..3, proptest::bool::ANY), 0..5),
            length in 1u32..40,
        ) {
            let en = lang_id("en");
            let id = (pick % docs.len()) as u32;
            let raw_of = |docs: &[BTreeMap<usize, Posting>]| -> Vec<(Raw, Vec<Posting>)> {
                (0..WORDS.len())
                    .map(|w| ((en, WORDS[w].to_owned()), docs.iter().filter_map(|d| d.get(&w).copied()).collect::<Vec<_>>()))
                    .filter(|(_, p)| !p.is_empty())
                    .collect()
            };
            let mut postings: Vec<_> = docs.iter().enumerate().map(|(i, c)| doc_postings(i as u32, c)).collect();
            let mut lengths = vec![[1, 0, 0, 20]; docs.len()];
            let before = Norms::new(lengths.clone());
            let raw = raw_of(&postings);
            let mut kept = Kept::new(raw.clone(), entries(&raw, &before), before.clone());
            postings[id as usize] = doc_postings(id, &now);
            lengths[id as usize][BODY] = length;
            // Watch mode builds anew when an average moves: weights use
            // the averages as they were.
            let after = Norms {
                average: before.average,
                ..Norms::new(lengths)
            };
            let raw = raw_of(&postings);
            kept.norms = after.clone();
            for (w, word) in WORDS.iter().enumerate() {
                let list = kept.raw.entry((en, word.to_string())).or_default();
                list.retain(|&p| id_of(p) != id);
                if let Some(&p) = postings[id as usize].get(&w) {
                    let at = list.partition_point(|&q| id_of(q) < id);
                    list.insert(at, p);
                }
            }
            let had = docs[id as usize]
                .iter()
                .map(|&(w, _, _)| stem(en, WORDS[w]).into_owned())
                .collect();
            let touched = WORDS.iter().map(|w| (en, w.to_string()));
            kept.refresh(touched, Some(&Only { id, had }));
            let fresh: BTreeMap<String, String> = entries(&raw, &after).into_iter().collect();
            proptest::prop_assert_eq!(&kept.entries, &fresh);
        }
    }
}
