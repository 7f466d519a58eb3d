//! Threading messages into conversations: Jamie Zawinski's algorithm
//! (<https://www.jwz.org/doc/threading.html>), as mail readers use it.
//!
//! 1. Every Message-ID named anywhere (a message's own, or in its
//!    `References` and `In-Reply-To`) gets a container; references link
//!    containers parent to child, never into a loop, and a message's own
//!    last reference is its parent, overriding what others presumed.
//! 2. The root set is the containers with no parent.
//! 3. Empty containers (ids referenced but not in the mbox) are pruned:
//!    dropped when childless, else replaced by their children (at the root
//!    only when that leaves a single root).
//! 4. Roots are grouped by normalized subject, so replies whose headers
//!    were lost (`In-Reply-To` and `References` stripped by a gateway) still
//!    join their conversation: a reply goes under the root that is not one.
//!    Unlike JWZ, two roots that are both not replies stay apart, since a
//!    list has many "Meeting notes" that are different conversations.
//! 5. Siblings are sorted by date.
//!
//! Kept by hand rather than taken from a crate: step 4 departs from JWZ
//! on purpose (subject groups keep unrelated roots apart), and threading
//! must stay linear on a chain a hundred thousand replies deep (tested
//! below); a general threading crate would need both changed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::date::Date;

/// What threading needs of a message, all at once (see [`Threader`] to
/// thread a stream).
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// Its Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// `References` then `In-Reply-To`, oldest first.
    pub references: Vec<String>,
    /// The subject as normalized by [`normalize_subject`].
    pub subject_key: String,
    /// The subject said it is a reply (`Re:`), or the headers did.
    pub is_reply: bool,
    /// When it was sent.
    pub date: Option<Date>,
}

/// One conversation: message indices in reading order (parents before
/// replies, siblings by date), each with the index of its parent.
pub type Tree = Vec<(usize, Option<usize>)>;

/// A container of step 1: compact, since an archive has a million.
#[derive(Debug, Default, Clone)]
struct Container {
    message: Option<u32>,
    parent: Option<u32>,
    children: Vec<u32>,
}

/// What threading keeps of a message once its ids are linked: the
/// Message-ID and `References` are not held, only the containers they
/// made.
#[derive(Debug, Clone, Copy)]
struct Kept {
    /// The interned subject key; 0 is the empty one.
    subject: u32,
    is_reply: bool,
    date: Option<Date>,
}

/// JWZ threading fed one message at a time, in mbox order: step 1 is
/// done as each message arrives, so an archive's `References` never
/// need to be held together. Ids are interned as their 64-bit XXH3, the
/// hash that already names and de-duplicates messages ([`super::mail::message_key`]),
/// and containers are named by `u32`: a few dozen bytes per id, however
/// long the ids.
#[derive(Debug, Clone, Default)]
pub struct Threader {
    containers: Vec<Container>,
    ids: HashMap<u64, u32, BuildHasherDefault<HashHasher>>,
    kept: Vec<Kept>,
    subjects: HashMap<Box<str>, u32>,
}

fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

/// The hasher of a table whose keys are hashes already: hashing them
/// again would cost a million SipHash rounds for nothing.
#[derive(Debug, Default, Clone, Copy)]
struct HashHasher(u64);

impl Hasher for HashHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; this keeps any other input correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Threader {
    /// A threader for about `messages` messages.
    pub fn with_capacity(messages: usize) -> Self {
        Threader {
            containers: Vec::with_capacity(messages),
            ids: HashMap::with_capacity_and_hasher(messages, Default::default()),
            kept: Vec::with_capacity(messages),
            subjects: HashMap::new(),
        }
    }

    /// Messages added so far.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether no message was added.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Adds the next message (its index is [`Self::len`] before the
    /// call): links its references (step 1) and keeps only its subject
    /// key, whether it is a reply, and its date.
    pub fn add(
        &mut self,
        message_id: Option<&str>,
        references: &[String],
        subject_key: &str,
        is_reply: bool,
        date: Option<Date>,
    ) {
        let i = u32::try_from(self.kept.len()).expect("fewer than 4 billion messages");
        let subject = if subject_key.is_empty() {
            0
        } else {
            let next =
                u32::try_from(self.subjects.len() + 1).expect("fewer subjects than messages");
            *self.subjects.entry(subject_key.into()).or_insert(next)
        };
        self.kept.push(Kept {
            subject,
            is_reply,
            date,
        });
        // A message without an id, or a second copy of one, gets a
        // container no reference can name.
        let c = match message_id {
            Some(id) => {
                let c = self.container(id);
                if self.containers[c as usize].message.is_some() {
                    self.new_container()
                } else {
                    c
                }
            }
            None => self.new_container(),
        };
        self.containers[c as usize].message = Some(i);
        let mut previous: Option<u32> = None;
        for r in references {
            let rc = self.container(r);
            if let Some(p) = previous {
                if self.containers[rc as usize].parent.is_none() && !self.is_ancestor(rc, p) {
                    self.link(p, rc);
                }
            }
            previous = Some(rc);
        }
        match previous {
            Some(p) if !self.is_ancestor(c, p) => self.link(p, c),
            Some(_) => {}
            None => self.unlink(c),
        }
    }

    /// Steps 2 to 5: the conversations, oldest first.
    pub fn finish(mut self) -> Vec<Tree> {
        // Ids are not needed past step 1.
        self.ids = HashMap::default();
        self.subjects = HashMap::new();
        let roots: Vec<u32> = (0..self.containers.len() as u32)
            .filter(|&c| self.get(c).parent.is_none())
            .collect();
        let mut pruned = Vec::new();
        for r in roots {
            pruned.extend(self.prune(r));
        }
        let roots = group_by_subject(&mut self, pruned);
        let mut trees: Vec<Tree> = roots
            .into_iter()
            .map(|r| walk(&self, r))
            .filter(|tree: &Tree| !tree.is_empty())
            .collect();
        trees.sort_by_key(|tree| first_date(&self.kept, tree));
        trees
    }

    fn get(&self, c: u32) -> &Container {
        &self.containers[c as usize]
    }

    fn get_mut(&mut self, c: u32) -> &mut Container {
        &mut self.containers[c as usize]
    }

    fn container(&mut self, id: &str) -> u32 {
        let next = u32::try_from(self.containers.len()).expect("fewer than 4 billion ids");
        let c = *self.ids.entry(id_hash(id)).or_insert(next);
        if c == next {
            self.containers.push(Container::default());
        }
        c
    }

    fn new_container(&mut self) -> u32 {
        self.containers.push(Container::default());
        u32::try_from(self.containers.len() - 1).expect("fewer than 4 billion ids")
    }

    /// Whether `a` is `b` or one of its ancestors.
    fn is_ancestor(&self, a: u32, b: u32) -> bool {
        // Without children, `a` is no one's ancestor: the usual case (a
        // message comes before its replies) costs no walk up a chain that
        // can be thousands of messages long.
        if self.get(a).children.is_empty() {
            return a == b;
        }
        let mut cur = Some(b);
        while let Some(c) = cur {
            if c == a {
                return true;
            }
            cur = self.get(c).parent;
        }
        false
    }

    fn unlink(&mut self, child: u32) {
        if let Some(p) = self.get_mut(child).parent.take() {
            self.get_mut(p).children.retain(|&c| c != child);
        }
    }

    fn link(&mut self, parent: u32, child: u32) {
        self.unlink(child);
        self.get_mut(child).parent = Some(parent);
        self.get_mut(parent).children.push(child);
    }

    /// Step 3 for the tree under `root`: what replaces it among the
    /// roots. Children are pruned before their parent, in an order taken
    /// with a stack of its own: chains of references can be as deep as a
    /// conversation is long.
    fn prune(&mut self, root: u32) -> Vec<u32> {
        let mut order = Vec::new();
        let mut stack = vec![root];
        while let Some(c) = stack.pop() {
            order.push(c);
            stack.extend(self.get(c).children.iter().copied());
        }
        let mut replaced: HashMap<u32, Vec<u32>> = HashMap::new();
        for &c in order.iter().rev() {
            let children = std::mem::take(&mut self.get_mut(c).children);
            let kept: Vec<u32> = children
                .into_iter()
                .flat_map(|child| replaced.remove(&child).unwrap_or_default())
                .collect();
            for &k in &kept {
                self.get_mut(k).parent = Some(c);
            }
            self.get_mut(c).children = kept;
            replaced.insert(c, self.replacement(c, c == root));
        }
        replaced.remove(&root).unwrap_or_default()
    }

    /// What replaces `c`, its children already pruned: itself when it
    /// holds a message or is a root with several children, else its
    /// children (none when childless).
    fn replacement(&mut self, c: u32, is_root: bool) -> Vec<u32> {
        if self.get(c).message.is_some() {
            return vec![c];
        }
        let children = &self.get(c).children;
        if children.is_empty() {
            return Vec::new();
        }
        if !is_root || children.len() == 1 {
            let promoted = std::mem::take(&mut self.get_mut(c).children);
            for &k in &promoted {
                self.get_mut(k).parent = None;
            }
            return promoted;
        }
        vec![c]
    }
}

/// Threads `heads` into conversations, oldest conversation first.
pub fn thread(heads: &[Head]) -> Vec<Tree> {
    let mut t = Threader::with_capacity(heads.len());
    for h in heads {
        t.add(
            h.message_id.as_deref(),
            &h.references,
            &h.subject_key,
            h.is_reply,
            h.date,
        );
    }
    t.finish()
}

/// The message of a container, or of its first child for an empty root.
fn message_of(t: &Threader, c: u32) -> Option<u32> {
    let mut c = c;
    loop {
        let container = t.get(c);
        if container.message.is_some() {
            return container.message;
        }
        c = *container.children.first()?;
    }
}

/// Step 4: roots that share a subject become one conversation.
fn group_by_subject(t: &mut Threader, roots: Vec<u32>) -> Vec<u32> {
    let mut table: HashMap<u32, u32> = HashMap::new();
    let preference = |t: &Threader, c: u32| -> u8 {
        match t.get(c).message {
            None => 0,
            Some(m) if !t.kept[m as usize].is_reply => 1,
            Some(_) => 2,
        }
    };
    let key_of = |t: &Threader, r: u32| message_of(t, r).map(|m| t.kept[m as usize].subject);
    for &r in &roots {
        let Some(key) = key_of(t, r) else { continue };
        if key == 0 {
            continue;
        }
        match table.get(&key) {
            Some(&old) if preference(t, old) <= preference(t, r) => {}
            _ => {
                table.insert(key, r);
            }
        }
    }
    let mut out = Vec::new();
    for r in roots {
        let Some(key) = key_of(t, r) else { continue };
        let Some(&keep) = table.get(&key).filter(|&&k| k != r && key != 0) else {
            out.push(r);
            continue;
        };
        let r_reply = t.get(r).message.map(|m| t.kept[m as usize].is_reply);
        match (t.get(keep).message, r_reply) {
            (None, None) => {
                let children = std::mem::take(&mut t.get_mut(r).children);
                for k in children {
                    t.get_mut(k).parent = None;
                    t.link(keep, k);
                }
            }
            (None, Some(_)) => t.link(keep, r),
            (Some(k), Some(true)) if !t.kept[k as usize].is_reply => t.link(keep, r),
            (Some(_), Some(true)) => {
                // Two replies to a message not in the mbox: siblings under
                // an empty root, which takes the kept one's place.
                let root = t.new_container();
                t.link(root, keep);
                t.link(root, r);
                table.insert(key, root);
                // `keep`, now under `root`, leaves `out` below; the order
                // of `out` is not kept (conversations sort by date).
                out.push(root);
            }
            _ => out.push(r),
        }
    }
    // A root that found a parent after it was listed is no root.
    let mut seen = std::collections::HashSet::new();
    out.retain(|&c| t.get(c).parent.is_none() && seen.insert(c));
    out
}

/// Step 5 and the reading order: pre-order, siblings by date, empty
/// containers skipped (their children answer nothing in the mbox). A
/// stack of its own, not recursion: a conversation can be thousands of
/// replies deep.
fn walk(t: &Threader, root: u32) -> Tree {
    let mut out = Vec::new();
    let mut stack = vec![(root, None)];
    while let Some((c, parent)) = stack.pop() {
        let own = t.get(c).message.map(|m| m as usize);
        if let Some(m) = own {
            out.push((m, parent));
        }
        let mut children = t.get(c).children.clone();
        children.sort_by_key(|&k| {
            let m = message_of(t, k);
            let date = m.and_then(|m| t.kept[m as usize].date);
            (date.is_none(), date, m)
        });
        stack.extend(children.into_iter().rev().map(|k| (k, own.or(parent))));
    }
    out
}

fn first_date(kept: &[Kept], tree: &Tree) -> (bool, Option<Date>, usize) {
    let date = tree.iter().filter_map(|&(m, _)| kept[m].date).min();
    (date.is_none(), date, tree.first().map_or(0, |&(m, _)| m))
}

/// Prefixes a subject loses for comparing: `Re:`, `RE:`, `Re[2]:`, `AW:`,
/// `SV:`, `Fwd:`, `Fw:`, `WG:`, `[list-name]`, however often repeated.
/// Returns the rest (a suffix of `subject`) and whether a reply prefix
/// was among them.
pub fn strip_prefixes(subject: &str) -> (&str, bool) {
    const REPLY: [&str; 6] = ["re", "aw", "sv", "vs", "antw", "ref"];
    const FORWARD: [&str; 4] = ["fwd", "fw", "wg", "tr"];
    // Only the start is trimmed, so the rest is a suffix of `subject`.
    let mut s = subject.trim_start();
    let mut reply = false;
    loop {
        if let Some(rest) = s.strip_prefix('[') {
            if let Some(end) = rest.find(']') {
                let inner = &rest[..end];
                // `[salon:slug#id]` at the start is no list name.
                if !inner.contains(':') {
                    s = rest[end + 1..].trim_start();
                    continue;
                }
            }
        }
        let word_len = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
        let word = s[..word_len].to_lowercase();
        let mut after = &s[word_len..];
        // `Re[2]:` and `Re(2):` count the replies.
        for (open, close) in [('[', ']'), ('(', ')')] {
            if let Some(inner) = after.strip_prefix(open) {
                if let Some(end) = inner.find(close) {
                    if inner[..end].bytes().all(|b| b.is_ascii_digit()) {
                        after = &inner[end + 1..];
                    }
                }
            }
        }
        let after_colon = after.trim_start_matches(' ').strip_prefix([':', '：']);
        match after_colon {
            Some(rest) if REPLY.contains(&word.as_str()) => {
                reply = true;
                s = rest.trim_start();
            }
            Some(rest) if FORWARD.contains(&word.as_str()) => s = rest.trim_start(),
            _ => break,
        }
    }
    (s, reply)
}

/// The key subjects are compared by: prefixes stripped, whitespace
/// collapsed, lowercased.
pub fn normalize_subject(subject: &str) -> String {
    strip_prefixes(subject)
        .0
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;

    fn head(id: &str, refs: &[&str], subject: &str, day: u32) -> Head {
        let (_, is_reply) = strip_prefixes(subject);
        Head {
            message_id: Some(id.into()).filter(|s: &String| !s.is_empty()),
            references: refs.iter().map(|s| s.to_string()).collect(),
            subject_key: normalize_subject(subject),
            is_reply: is_reply || !refs.is_empty(),
            date: parse_date(&format!("2024-01-{day:02}")),
        }
    }

    #[test]
    fn subjects_lose_their_prefixes() {
        assert_eq!(
            strip_prefixes("Re: AW: [Community] Fwd: RE[2]: Sv: Hello"),
            ("Hello", true)
        );
        assert_eq!(strip_prefixes("Fwd: WG: Hello"), ("Hello", false));
        assert_eq!(strip_prefixes("Regarding: x"), ("Regarding: x", false));
        assert_eq!(strip_prefixes("Reply all"), ("Reply all", false));
        assert_eq!(normalize_subject("  [list]  Big   News "), "big news");
        assert_eq!(strip_prefixes("Re: [salon:x#1] y").0, "[salon:x#1] y");
    }

    #[test]
    fn references_nest_and_missing_parents_are_pruned() {
        // d answers c, which is not in the mbox; c answered b.
        let heads = vec![
            head("a", &[], "Topic", 1),
            head("b", &["a"], "Re: Topic", 2),
            head("d", &["a", "b", "c"], "Re: Topic", 4),
            head("e", &["a"], "Re: Topic", 3),
        ];
        let trees = thread(&heads);
        assert_eq!(
            trees,
            vec![vec![(0, None), (1, Some(0)), (2, Some(1)), (3, Some(0))]]
        );
    }

    #[test]
    fn in_reply_to_and_subject_stand_in_for_references() {
        let heads = vec![
            head("a", &[], "Topic", 1),
            head("b", &["a"], "Re: Topic", 2),
            // No headers at all: joins by subject, under the root.
            head("c", &[], "RE: [list] topic", 3),
            head("x", &[], "Other", 1),
            // Not a reply: same subject, another conversation.
            head("y", &[], "Topic", 5),
        ];
        let trees = thread(&heads);
        assert_eq!(
            trees,
            vec![
                vec![(0, None), (1, Some(0)), (2, Some(0))],
                vec![(3, None)],
                vec![(4, None)],
            ]
        );
    }

    #[test]
    fn replies_to_a_missing_root_share_a_conversation() {
        let heads = vec![
            head("b", &["gone"], "Re: Topic", 2),
            head("c", &["gone"], "Re: Topic", 3),
            head("d", &["elsewhere"], "Re: topic", 4),
        ];
        let trees = thread(&heads);
        assert_eq!(trees, vec![vec![(0, None), (1, None), (2, None)]]);
    }

    #[test]
    fn a_chain_of_a_hundred_thousand_replies_threads_without_recursion() {
        let n = 100_000;
        let mut heads: Vec<Head> = (0..n)
            .map(|i| {
                let refs: Vec<String> = (i > 0).then(|| format!("{}", i - 1)).into_iter().collect();
                let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
                head(&i.to_string(), &refs, "Re: long", 1)
            })
            .collect();
        // And one message under 100,000 ids that are not in the mbox.
        let missing: Vec<String> = (0..n).map(|i| format!("gone-{i}")).collect();
        heads.push(Head {
            message_id: Some("last".into()),
            references: missing,
            subject_key: "other".into(),
            is_reply: true,
            date: None,
        });
        let trees = thread(&heads);
        assert_eq!(trees.len(), 2, "the chain and the lone reply");
        let chain = trees.iter().find(|t| t.len() == n).expect("the chain");
        assert!(chain
            .iter()
            .enumerate()
            .all(|(i, &(m, p))| m == i && p == i.checked_sub(1)));
    }

    #[test]
    fn loops_duplicates_and_missing_ids_do_not_break_it() {
        let heads = vec![
            head("a", &["b"], "x", 1),
            head("b", &["a"], "x", 2),
            head("a", &[], "dup", 3),
            head("", &[], "none", 4),
            head("c", &["c"], "self", 5),
        ];
        let trees = thread(&heads);
        let all: usize = trees.iter().map(Vec::len).sum();
        assert_eq!(all, 5, "{trees:?}");
    }
}
