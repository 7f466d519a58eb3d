//! Term shards: the sorted `(key, entry)` list cut into files by prefix,
//! and, after an edit, cut again by rewriting only the prefixes whose
//! entries changed (watch mode: an index has a thousand shards or more,
//! a body edit touches a few).

use std::collections::BTreeMap;
use std::ops::{Bound, Range};

use rayon::prelude::*;

use super::terms::MAX_TERM;
use super::TermShard;
use crate::digest::Digest;

/// Writes one shard: its JSON, hash and sizes.
fn write(key: String, entries: &[(&str, &str)]) -> TermShard {
    let payload: usize = entries.iter().map(|e| e.1.len() + 1).sum();
    let mut json = String::with_capacity(payload + 1);
    json.push('{');
    for (i, (_, e)) in entries.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(e);
    }
    json.push('}');
    TermShard {
        hash: Digest::new().str(&key).str(&json).done(),
        key,
        json,
        count: entries.len(),
        payload,
    }
}

/// The term shards of the sorted `(term, entry)` list, a shard split
/// once its JSON would pass `target` bytes.
pub(super) fn write_all<'a>(
    entries: impl Iterator<Item = (&'a str, &'a str)>,
    target: usize,
) -> Vec<TermShard> {
    let entries: Vec<(&str, &str)> = entries.collect();
    plan(&entries, target)
        .into_par_iter()
        .map(|(key, range)| write(key, &entries[range]))
        .collect()
}

/// Cuts the sorted `(term, entry)` list into shards keyed by prefix: a
/// prefix whose terms pass `target` bytes is split by its next letter (a
/// term equal to the prefix keeps a shard of its own). A term lives in
/// the shard of the longest key it starts with, so a shard's content
/// depends only on the terms under its prefix.
pub(super) fn plan(entries: &[(&str, &str)], target: usize) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    if !entries.is_empty() {
        split(entries, 0..entries.len(), 0, target, &mut out);
    }
    out
}

fn split(
    entries: &[(&str, &str)],
    range: Range<usize>,
    depth: usize,
    target: usize,
    out: &mut Vec<(String, Range<usize>)>,
) {
    let key: String = entries[range.start].0.chars().take(depth).collect();
    let size: usize = 2 + entries[range.clone()]
        .iter()
        .map(|e| e.1.len() + 1)
        .sum::<usize>();
    if is_leaf_for(size, depth, range.len(), target) {
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
        split(entries, i..end, depth + 1, target, out);
        i = end;
    }
}

/// Whether a prefix of `size` bytes in JSON, `depth` letters and `count`
/// terms is one shard rather than split.
fn is_leaf_for(size: usize, depth: usize, count: usize, target: usize) -> bool {
    size <= target || depth >= MAX_TERM || count == 1
}

/// The shards of `entries` after the entries of the keys in `touched`
/// were added, changed or removed, given the shards `old` of the entries
/// before; `touched` holds each such key with the length of its entry
/// before (`None` when it had none). Only prefixes holding a touched key
/// are planned and written again: a prefix's shards depend only on the
/// entries under it, so the others are moved over as they were.
pub(super) fn replan(
    old: Vec<TermShard>,
    entries: &BTreeMap<String, String>,
    touched: &BTreeMap<String, Option<usize>>,
    target: usize,
) -> Vec<TermShard> {
    if touched.is_empty() {
        return old;
    }
    let keys: Vec<String> = old.iter().map(|s| s.key.clone()).collect();
    let mut replan = Replan {
        keys,
        old: old.into_iter().map(Some).collect(),
        entries,
        touched,
        target,
        out: Vec::new(),
    };
    replan.node("", 0, true);
    replan.out
}

/// What the old plan did with a prefix.
#[derive(PartialEq, Eq)]
enum Was {
    /// It had no terms, or its parent was one shard (so it says nothing).
    Unknown,
    /// One shard.
    Leaf,
    /// Split by its next letter.
    Split,
}

struct Replan<'a> {
    /// The old shards' keys, sorted.
    keys: Vec<String>,
    /// The old shards, taken as they are moved over.
    old: Vec<Option<TermShard>>,
    entries: &'a BTreeMap<String, String>,
    touched: &'a BTreeMap<String, Option<usize>>,
    target: usize,
    out: Vec<TermShard>,
}

impl Replan<'_> {
    /// Plans prefix `p` (`depth` letters); `known` when the old plan split
    /// its parent, so its old shards are those whose key starts with `p`.
    fn node(&mut self, p: &str, depth: usize, known: bool) {
        let old = match known {
            true => prefix_range(&self.keys, p),
            false => 0..0,
        };
        let was = if old.is_empty() {
            Was::Unknown
        } else if old.len() == 1 && self.keys[old.start] == p {
            Was::Leaf
        } else {
            Was::Split
        };
        if was != Was::Unknown && under(self.touched, p).next().is_none() {
            self.move_old(old);
            return;
        }
        let (count, payload) = match was {
            Was::Unknown => {
                under(self.entries, p).fold((0, 0), |(n, b), (_, e)| (n + 1, b + e.len() + 1))
            }
            Was::Leaf | Was::Split => {
                let shards = || self.old[old.clone()].iter().flatten();
                let mut count = shards().map(|s| s.count).sum::<usize>();
                let mut payload = shards().map(|s| s.payload).sum::<usize>();
                for (k, before) in under(self.touched, p) {
                    if let Some(n) = before {
                        count -= 1;
                        payload -= n + 1;
                    }
                    if let Some(e) = self.entries.get(k) {
                        count += 1;
                        payload += e.len() + 1;
                    }
                }
                (count, payload)
            }
        };
        if count == 0 {
            return;
        }
        if is_leaf_for(2 + payload, depth, count, self.target) {
            let list: Vec<(&str, &str)> = under(self.entries, p)
                .map(|(k, e)| (k, e.as_str()))
                .collect();
            self.out.push(write(p.to_owned(), &list));
            return;
        }
        let known = was == Was::Split;
        if let Some((k, e)) = self.entries.get_key_value(p) {
            if known && !self.touched.contains_key(p) {
                // Untouched, so the old plan had it too, first under `p`.
                self.move_old(old.start..old.start + 1);
            } else {
                self.out.push(write(k.clone(), &[(k, e)]));
            }
        }
        // Each letter that follows `p`, found by jumping past the terms of
        // the one before: a split prefix can hold most of the index.
        let mut from = p.to_owned();
        while let Some((k, _)) = self
            .entries
            .range::<str, _>((Bound::Excluded(from.as_str()), Bound::Unbounded))
            .next()
            .filter(|(k, _)| k.starts_with(p))
        {
            let letter = k[p.len()..].chars().next().expect("longer than its prefix");
            let child = format!("{p}{letter}");
            self.node(&child, depth + 1, known);
            // Past every term starting with `child`: none holds U+10FFFF
            // (not a letter), but the loop makes sure.
            from = format!("{child}{}", char::MAX);
            while let Some((k, _)) = self
                .entries
                .range::<str, _>((Bound::Excluded(from.as_str()), Bound::Unbounded))
                .next()
                .filter(|(k, _)| k.starts_with(&child))
            {
                from = k.clone();
            }
        }
    }

    fn move_old(&mut self, range: Range<usize>) {
        let shards = self.old[range].iter_mut();
        self.out
            .extend(shards.map(|s| s.take().expect("each old shard moves once")));
    }
}

/// The range of sorted `keys` that start with `p`.
fn prefix_range(keys: &[String], p: &str) -> Range<usize> {
    let start = keys.partition_point(|k| k.as_str() < p);
    start..start + keys[start..].partition_point(|k| k.starts_with(p))
}

/// The items of `map` whose key starts with `p`, in order.
fn under<'m, V>(
    map: &'m BTreeMap<String, V>,
    p: &'m str,
) -> impl Iterator<Item = (&'m str, &'m V)> {
    map.range::<str, _>((Bound::Included(p), Bound::Unbounded))
        .take_while(move |(k, _)| k.starts_with(p))
        .map(|(k, v)| (k.as_str(), v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TARGET: usize = 16 * 1024;

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
        plan(&refs, TARGET)
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
        let big = TARGET / 2;
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

    fn shards_of(entries: &BTreeMap<String, String>, target: usize) -> Vec<TermShard> {
        write_all(
            entries.iter().map(|(k, e)| (k.as_str(), e.as_str())),
            target,
        )
    }

    fn summary(shards: &[TermShard]) -> Vec<(String, String, u64, usize, usize)> {
        shards
            .iter()
            .map(|s| (s.key.clone(), s.json.clone(), s.hash, s.count, s.payload))
            .collect()
    }

    /// Terms of one to four letters from a small alphabet (one beyond
    /// ASCII), so prefixes are shared and split at every depth.
    fn term() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[abcé]{1,4}").unwrap()
    }

    proptest! {
        #[test]
        fn shards_planned_again_equal_shards_planned_anew(
            before in proptest::collection::btree_map(term(), 1usize..40, 0..60),
            edits in proptest::collection::vec((term(), proptest::option::of(1usize..40)), 0..12),
            target in 20usize..200,
        ) {
            let entry = |k: &str, n: usize| format!("\"{k}\":{}", "x".repeat(n));
            let old: BTreeMap<String, String> =
                before.iter().map(|(k, &n)| (k.clone(), entry(k, n))).collect();
            let mut new = old.clone();
            let mut touched = BTreeMap::new();
            for (k, n) in edits {
                touched.entry(k.clone()).or_insert_with(|| old.get(&k).map(String::len));
                match n {
                    Some(n) => new.insert(k.clone(), entry(&k, n)),
                    None => new.remove(&k),
                };
            }
            let again = replan(shards_of(&old, target), &new, &touched, target);
            prop_assert_eq!(summary(&again), summary(&shards_of(&new, target)));
        }
    }

    #[test]
    fn untouched_shards_are_moved_not_written() {
        let mut entries: BTreeMap<String, String> = ["aa", "ab", "ba", "bb", "ca", "cb"]
            .iter()
            .map(|k| (k.to_string(), format!("\"{k}\":{}", "x".repeat(30))))
            .collect();
        let old = shards_of(&entries, 60);
        assert!(old.len() > 3, "{:?}", summary(&old));
        let at = |shards: &[TermShard], key: &str| {
            let s = shards.iter().find(|s| s.key == key).unwrap();
            s.json.as_ptr()
        };
        let kept = at(&old, "aa");
        entries.insert("bb".into(), "\"bb\":1".into());
        let touched = BTreeMap::from([("bb".to_owned(), Some(36))]);
        let again = replan(old, &entries, &touched, 60);
        assert_eq!(at(&again, "aa"), kept);
        assert_eq!(summary(&again), summary(&shards_of(&entries, 60)));
    }
}
