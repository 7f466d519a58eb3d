//! `filters.json`: the ids of the documents of each kind, tag, author and
//! year. Written once per index; an index kept for watch mode also keeps
//! each value's ids and encoded set, so an edit that moves a document
//! between values encodes only those values again, and one that moves
//! none (a body edit) leaves the file as it was.

use std::collections::BTreeMap;

use super::encode::id_set;
use super::Shown;

/// The groups, in the order `Shown` fields are read.
const GROUPS: [&str; 4] = ["kind", "tag", "author", "year"];

/// Each value's ids, ascending, and their [`id_set`].
type Group = BTreeMap<String, (Vec<u32>, String)>;

/// The ids of the documents of each value, by group, as documents are
/// filed in id order: all a build keeps of a document for its filters.
#[derive(Debug, Default)]
pub(super) struct Ids([BTreeMap<String, Vec<u32>>; 4]);

impl Ids {
    /// Files document `id`, whose id is above every one filed so far.
    pub fn add(&mut self, id: u32, d: &Shown) {
        for (group, values) in self.0.iter_mut().zip(values(d)) {
            for v in values {
                match group.get_mut(v) {
                    Some(ids) => ids.push(id),
                    None => {
                        group.insert(v.to_owned(), vec![id]);
                    }
                }
            }
        }
    }

    /// Files the documents of `later`, whose ids are all above these.
    pub fn append(&mut self, later: Ids) {
        for (group, more) in self.0.iter_mut().zip(later.0) {
            for (v, ids) in more {
                group.entry(v).or_default().extend(ids);
            }
        }
    }
}

/// `filters.json` and, for updates, what it is made of.
#[derive(Debug, Default)]
pub(super) struct Filters {
    /// The file's text.
    pub json: String,
    /// Each group's values (kept for updates only).
    groups: Option<Box<[Group; 4]>>,
}

/// The values document `d` files under, by group; a value listed twice
/// counts once.
fn values(d: &Shown) -> [Vec<&str>; 4] {
    fn distinct(list: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(list.len());
        for v in list {
            if !out.contains(&v.as_str()) {
                out.push(v);
            }
        }
        out
    }
    [
        vec![d.kind.name()],
        distinct(&d.tags),
        distinct(&d.authors),
        d.date.iter().map(|date| &date[..4]).collect(),
    ]
}

impl Filters {
    /// The filters of `docs` (by id); `keep` keeps their parts for
    /// [`Filters::replace`].
    pub fn new(docs: &[Shown], keep: bool) -> Filters {
        let mut ids = Ids::default();
        for (id, d) in docs.iter().enumerate() {
            ids.add(id as u32, d);
        }
        Filters::of(ids, keep)
    }

    /// The filters of the documents filed in `ids`; `keep` keeps their
    /// parts for [`Filters::replace`].
    pub fn of(ids: Ids, keep: bool) -> Filters {
        let groups: Box<[Group; 4]> = Box::new(ids.0.map(|group| {
            group
                .into_iter()
                .map(|(v, ids)| {
                    let set = id_set(&ids);
                    (v, (ids, set))
                })
                .collect()
        }));
        let json = to_json(&groups);
        Filters {
            json,
            groups: keep.then_some(groups),
        }
    }

    /// Files document `id` under the values of `after` instead of those
    /// of `before`. False when the filters keep no parts.
    pub fn replace(&mut self, id: u32, before: &Shown, after: &Shown) -> bool {
        let Some(groups) = self.groups.as_deref_mut() else {
            return false;
        };
        let (old, new) = (values(before), values(after));
        if old == new {
            return true;
        }
        for ((group, old), new) in groups.iter_mut().zip(old).zip(new) {
            for v in old.iter().filter(|v| !new.contains(v)) {
                if let Some((ids, set)) = group.get_mut(*v) {
                    if let Ok(at) = ids.binary_search(&id) {
                        ids.remove(at);
                    }
                    if ids.is_empty() {
                        group.remove(*v);
                    } else {
                        *set = id_set(ids);
                    }
                }
            }
            for v in new.iter().filter(|v| !old.contains(v)) {
                let (ids, set) = group.entry((*v).to_owned()).or_default();
                if let Err(at) = ids.binary_search(&id) {
                    ids.insert(at, id);
                }
                *set = id_set(ids);
            }
        }
        self.json = to_json(groups);
        true
    }
}

/// `{"author":{…},"kind":{"post":"<set>"},"tag":{…},"year":{"2024":"<set>"}}`,
/// values with no document left out. Sorted maps, so the bytes do not
/// hang on whether a dependency turns on serde_json's `preserve_order`
/// (a test build's dev-dependencies do).
fn to_json(groups: &[Group; 4]) -> String {
    let out: BTreeMap<&str, BTreeMap<&str, &str>> = GROUPS
        .into_iter()
        .zip(groups)
        .map(|(name, group)| {
            let sets = group
                .iter()
                .map(|(v, (_, set))| (v.as_str(), set.as_str()))
                .collect();
            (name, sets)
        })
        .collect();
    serde_json::to_string(&out).expect("strings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Kind;

    fn doc(kind: Kind, date: Option<&str>, tags: &[&str], authors: &[&str]) -> Shown {
        Shown {
            title: "t".into(),
            path: "p/".into(),
            kind,
            date: date.map(str::to_owned),
            text: String::new(),
            headings: Vec::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn filters_updated_in_place_equal_filters_made_anew() {
        let mut docs = vec![
            doc(Kind::Member, None, &[], &[]),
            doc(Kind::Post, Some("2023-01-02"), &["a", "b"], &["Ann"]),
            doc(Kind::Comment, Some("2024-03-04"), &[], &["Bo", "Bo"]),
            doc(Kind::Post, Some("2024-05-06"), &["b"], &["Ann", "Bo"]),
        ];
        let mut filters = Filters::new(&docs, true);
        let edits = [
            (1, doc(Kind::Post, Some("2023-01-02"), &["c"], &["Ann"])),
            (3, doc(Kind::Post, Some("2025-05-06"), &["b", "c"], &["Cy"])),
            (2, doc(Kind::Comment, Some("2024-03-04"), &[], &["Bo"])),
            (1, doc(Kind::Post, Some("2023-01-02"), &["a", "a"], &[])),
        ];
        for (id, after) in edits {
            let before = std::mem::replace(&mut docs[id], after);
            assert!(filters.replace(id as u32, &before, &docs[id]));
            assert_eq!(filters.json, Filters::new(&docs, false).json);
        }
        let json: serde_json::Value = serde_json::from_str(&filters.json).unwrap();
        assert!(json["author"].get("Bo").is_some());
        assert!(json["year"].get("2025").is_some());
        assert!(json["author"].get("Ann").is_none(), "no document left");
    }
}
