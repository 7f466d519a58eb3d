//! People: who a name refers to, and who talks with whom.

use crate::model::*;
use crate::parse::ParsedMember;
use crate::slug::term_key;

/// Members by handle, and by every name they are known under.
pub struct People {
    pub by_handle: rustc_hash::FxHashMap<String, MemberIdx>,
    /// Looked up for every comment on every relink: hashed with Fx.
    by_name: rustc_hash::FxHashMap<String, MemberIdx>,
    /// A hash of every member's names, avatar and place in the list.
    key: u64,
}

impl People {
    pub fn new(members: &[&ParsedMember]) -> Self {
        let mut by_handle = rustc_hash::FxHashMap::default();
        by_handle.reserve(members.len());
        let mut by_name = rustc_hash::FxHashMap::default();
        by_name.reserve(members.len() * 4);
        let mut key = crate::digest::Digest::new();
        for (i, m) in members.iter().enumerate() {
            key.str(&m.handle).str(&m.name).n(m.aka.len() as u64);
            for a in &m.aka {
                key.str(a);
            }
            match &m.avatar {
                Some(a) => key.n(1).str(a),
                None => key.n(0),
            };
            by_handle.insert(m.handle.clone(), i);
            let names = [&m.handle, &m.name].into_iter().chain(m.aka.iter());
            for n in names {
                // The first member to claim a name keeps it.
                by_name.entry(name_key(n)).or_insert(i);
            }
        }
        People {
            by_handle,
            by_name,
            key: key.done(),
        }
    }

    /// A hash of everything a comment's author is looked up and shown by
    /// (each member's handle, names and avatar, in order): equal keys,
    /// equal linked comments, from the same file.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The member a display name refers to, case-insensitively.
    pub fn find(&self, name: &str) -> Option<MemberIdx> {
        self.by_name.get(&name_key(name)).copied()
    }

    /// A participant from a handle or a plain name.
    pub fn participant(&self, name: &str) -> Participant {
        let member = self
            .by_handle
            .get(name)
            .copied()
            .or_else(|| self.find(name));
        Participant {
            name: name.to_owned(),
            member,
        }
    }
}

fn name_key(name: &str) -> String {
    term_key(name.trim().trim_start_matches('@'))
}

/// For each member, the members they talk with most: replies in either
/// direction (comments and thread entries) and co-authored posts, counted
/// once per reply or post, most first (ties by handle), at most `top`.
pub fn talks_with(site: &Site, top: usize) -> Vec<Vec<(MemberIdx, usize)>> {
    let mut counts: Vec<rustc_hash::FxHashMap<MemberIdx, usize>> =
        vec![Default::default(); site.members.len()];
    let mut pair = |a: MemberIdx, b: MemberIdx| {
        if a != b {
            *counts[a].entry(b).or_default() += 1;
            *counts[b].entry(a).or_default() += 1;
        }
    };
    for p in &site.posts {
        for (i, &a) in p.authors.iter().enumerate() {
            for &b in &p.authors[i + 1..] {
                pair(a, b);
            }
        }
        let comments = p.visible_comments();
        for c in comments {
            if let (Some(a), Some(parent)) = (c.member, c.parent) {
                if let Some(b) = comments[parent].member {
                    pair(a, b);
                }
            }
        }
    }
    for t in &site.threads {
        for e in &t.entries {
            if let (Some(a), Some(parent)) = (e.by.member, e.parent) {
                if let Some(b) = t.entries[parent].by.member {
                    pair(a, b);
                }
            }
        }
    }
    counts
        .into_iter()
        .map(|c| {
            let mut v: Vec<(MemberIdx, usize)> = c.into_iter().collect();
            v.sort_by(|x, y| {
                y.1.cmp(&x.1)
                    .then_with(|| site.members[x.0].handle.cmp(&site.members[y.0].handle))
            });
            v.truncate(top);
            v
        })
        .collect()
}
