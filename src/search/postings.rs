//! Postings while the index is built: per term, each document holding it
//! with how often it occurs in each field; and the BM25 weight of a
//! posting, the one number per posting the index keeps.
//!
//! Ranking is BM25 per field, the fields weighted and summed:
//! `Σ w_f · tf_f·(k1+1) / (tf_f + k1·(1 − b_f + b_f·len_f/avg_f))`, so how
//! often a word occurs in a document and how long the document is count,
//! and a title word counts more than a word of the text. The script
//! multiplies it by the word's rarity (idf), which it knows from the
//! number of documents in the key's set.

use std::borrow::Cow;

use super::terms::Term;
use rustc_hash::FxHashMap as FxMap;

/// Field index of a document's title.
pub const TITLE: usize = 0;
/// Field index of tags, categories, authors (a member's handle, role and
/// location; a thread's participants).
pub const META: usize = 1;
/// Field index of the text of headings in the body.
pub const HEADING: usize = 2;
/// Field index of the rest of the text.
pub const BODY: usize = 3;
/// How many fields there are.
pub const FIELDS: usize = 4;

/// BM25's term frequency saturation.
const K1: f32 = 1.2;
/// Weight of each field.
const WEIGHT: [f32; FIELDS] = [4.0, 2.0, 2.0, 1.0];
/// BM25's length normalization of each field: none for meta, whose
/// length says nothing about how much a document is about a word.
const B: [f32; FIELDS] = [0.5, 0.0, 0.5, 0.75];

/// A posting: `id << 32`, then the count of the term in each field, a
/// saturating byte each, [`TITLE`] highest.
pub type Posting = u64;

/// The document id of a posting.
pub fn id_of(p: Posting) -> u32 {
    (p >> 32) as u32
}

/// The field counts of a posting, as one number.
pub fn counts(p: Posting) -> u32 {
    p as u32
}

fn shift(field: usize) -> u32 {
    8 * (FIELDS - 1 - field) as u32
}

/// How often the term occurs in `field`.
pub fn tf(p: Posting, field: usize) -> u8 {
    (p >> shift(field)) as u8
}

/// `a` and `b` of one document with their counts added (saturating).
pub fn sum(a: Posting, b: Posting) -> Posting {
    let mut out = a & !0xffff_ffff;
    for f in 0..FIELDS {
        out |= (tf(a, f).saturating_add(tf(b, f)) as u64) << shift(f);
    }
    out
}

/// `p` with one more occurrence in `field` (saturating).
pub fn bump(p: Posting, field: usize) -> Posting {
    if tf(p, field) == u8::MAX {
        p
    } else {
        p + (1 << shift(field))
    }
}

/// One occurrence in `field` of document `id`.
pub fn one(id: u32, field: usize) -> Posting {
    (id as u64) << 32 | 1 << shift(field)
}

/// Postings of the terms met so far, each in id order.
#[derive(Default)]
pub struct Postings {
    /// Terms of up to `PACKED` letters, by their packed form.
    pub packed: FxMap<u128, List>,
    /// Longer terms.
    pub long: FxMap<String, List>,
}

impl Postings {
    /// Counts one occurrence of `term` in `field` of document `id`;
    /// documents come in id order.
    pub fn add(&mut self, term: Term, id: u32, field: usize) {
        match term {
            Term::Packed(key) => self.packed.entry(key).or_default().add(id, field),
            Term::Long(t) => match self.long.get_mut(t) {
                Some(list) => list.add(id, field),
                None => {
                    let mut list = List::default();
                    list.add(id, field);
                    self.long.insert(t.to_owned(), list);
                }
            },
        }
    }
}

/// One term's postings in id order, about two bytes each rather than a
/// [`Posting`]'s eight: the postings of a site's every word are the index
/// build's largest data (4.5 million at 10,000 posts).
///
/// Each posting but the last is written as a varint of its id's distance
/// from the previous one's (from 0 for the first), shifted left by
/// [`FIELDS`] bits that say which fields have it, then one count byte for
/// each of those fields, [`TITLE`] first. The last posting is still being
/// counted, so it is kept whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    bytes: Vec<u8>,
    /// The id of the last posting written into `bytes` (0 when none is).
    written: u32,
    /// The last posting, or 0 before the first (a posting always counts
    /// at least one occurrence, so it is never 0).
    last: Posting,
    /// How many postings there are.
    len: u32,
}

impl List {
    /// Counts one occurrence in `field` of document `id`, which is the
    /// last document counted or a later one.
    pub fn add(&mut self, id: u32, field: usize) {
        if self.last != 0 && id_of(self.last) == id {
            self.last = bump(self.last, field);
        } else {
            self.push(one(id, field));
        }
    }

    /// Appends posting `p`, whose document comes after every other's.
    fn push(&mut self, p: Posting) {
        if self.last != 0 {
            self.write(self.last);
        }
        self.last = p;
        self.len += 1;
    }

    /// Writes `p` into `bytes`.
    fn write(&mut self, p: Posting) {
        let id = id_of(p);
        let mut mask = 0;
        for f in 0..FIELDS {
            if tf(p, f) > 0 {
                mask |= 1 << f;
            }
        }
        push_varint(
            &mut self.bytes,
            ((id - self.written) as u64) << FIELDS | mask,
        );
        for f in 0..FIELDS {
            if mask & 1 << f != 0 {
                self.bytes.push(tf(p, f));
            }
        }
        self.written = id;
    }

    /// Appends `other`, whose documents all come after this list's.
    pub fn append(&mut self, other: List) {
        if self.last == 0 {
            *self = other;
            return;
        }
        if other.last == 0 {
            return;
        }
        self.write(self.last);
        // Only the first posting of `other` is counted from 0: it is
        // written again from this list's last id, the rest copied as is.
        if !other.bytes.is_empty() {
            let first = other.decode().next().expect("a written posting");
            self.write(first);
            self.bytes
                .extend_from_slice(&other.bytes[posting_size(&other.bytes)..]);
            self.written = other.written;
        }
        self.last = other.last;
        self.len += other.len;
    }

    /// How many postings there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// The postings, in id order.
    pub fn decode(&self) -> impl Iterator<Item = Posting> + '_ {
        let mut at = 0;
        let mut id = 0u32;
        let written = std::iter::from_fn(move || {
            let (head, n) = read_varint(self.bytes.get(at..)?)?;
            at += n;
            id += (head >> FIELDS) as u32;
            let mut p = (id as u64) << 32;
            for f in 0..FIELDS {
                if head & 1 << f != 0 {
                    p |= (self.bytes[at] as u64) << shift(f);
                    at += 1;
                }
            }
            Some(p)
        });
        written.chain((self.last != 0).then_some(self.last))
    }

    /// The postings, in id order.
    pub fn to_vec(&self) -> Vec<Posting> {
        let mut all = Vec::with_capacity(self.len());
        all.extend(self.decode());
        all
    }
}

/// A term's postings in id order, however they are held.
pub trait PostingList {
    /// The postings, lent when they are held as such.
    fn postings(&self) -> Cow<'_, [Posting]>;
}

impl PostingList for Vec<Posting> {
    fn postings(&self) -> Cow<'_, [Posting]> {
        Cow::Borrowed(self)
    }
}

impl PostingList for List {
    fn postings(&self) -> Cow<'_, [Posting]> {
        Cow::Owned(self.to_vec())
    }
}

/// Appends `n` as a varint: seven bits a byte, low bits first, the high
/// bit set on every byte but the last.
fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint at the start of `bytes` and its length in bytes.
fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut n = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        n |= ((b & 0x7f) as u64) << (7 * i);
        if b < 0x80 {
            return Some((n, i + 1));
        }
    }
    None
}

/// The length in bytes of the written posting at the start of `bytes`.
fn posting_size(bytes: &[u8]) -> usize {
    let (head, n) = read_varint(bytes).expect("a written posting");
    n + (head & ((1 << FIELDS) - 1)).count_ones() as usize
}

/// The lengths (in terms) of each document's fields, and their averages,
/// which BM25 weighs lengths against.
#[derive(Debug, Clone, Default)]
pub struct Norms {
    /// Each document's field lengths, by id.
    pub lengths: Vec<[u32; FIELDS]>,
    /// The average of each field, rounded to a whole number (at least 1):
    /// one edit rarely moves it, so watch mode rarely rebuilds.
    pub average: [u32; FIELDS],
    /// The total of each field.
    pub(super) total: [u64; FIELDS],
}

impl Norms {
    /// Norms of documents with these field lengths, by id.
    pub fn new(lengths: Vec<[u32; FIELDS]>) -> Norms {
        let total = totals(&lengths);
        Norms {
            average: rounded(total, lengths.len()),
            lengths,
            total,
        }
    }

    /// Document `id` has these field lengths now (the averages stay).
    pub fn set(&mut self, id: u32, now: [u32; FIELDS]) {
        let was = std::mem::replace(&mut self.lengths[id as usize], now);
        for f in 0..FIELDS {
            self.total[f] = self.total[f] + now[f] as u64 - was[f] as u64;
        }
    }

    /// The averages once the documents of `changed` have these lengths
    /// (from the totals, not a pass over every document).
    pub fn averages_with(&self, changed: &[(u32, [u32; FIELDS])]) -> [u32; FIELDS] {
        let mut total = self.total;
        for (id, now) in changed {
            let was = self.lengths[*id as usize];
            for f in 0..FIELDS {
                total[f] = total[f] + now[f] as u64 - was[f] as u64;
            }
        }
        rounded(total, self.lengths.len())
    }

    /// The weight of a posting, quantized to 1–63 (a base64 digit): a
    /// step is 2^(1/8), about 9 %, from 0.14 to 29.
    pub fn level(&self, p: Posting) -> u8 {
        let len = &self.lengths[id_of(p) as usize];
        let mut score = 0.0;
        for f in 0..FIELDS {
            let tf = tf(p, f) as f32;
            if tf > 0.0 {
                let norm = 1.0 - B[f] + B[f] * len[f] as f32 / self.average[f] as f32;
                score += WEIGHT[f] * tf * (K1 + 1.0) / (tf + K1 * norm);
            }
        }
        (8.0 * (8.0 * score).log2()).round().clamp(1.0, 63.0) as u8
    }
}

/// The total of each field over `lengths`.
fn totals(lengths: &[[u32; FIELDS]]) -> [u64; FIELDS] {
    let mut total = [0u64; FIELDS];
    for l in lengths {
        for f in 0..FIELDS {
            total[f] += l[f] as u64;
        }
    }
    total
}

/// The average of each field of `n` documents, rounded, at least 1.
fn rounded(total: [u64; FIELDS], n: usize) -> [u32; FIELDS] {
    let n = n.max(1) as u64;
    total.map(|t| ((t + n / 2) / n).max(1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_per_field_and_saturate() {
        let mut p = one(7, BODY);
        for _ in 0..300 {
            p = bump(p, BODY);
        }
        assert_eq!(sum(p, p), p);
        p = sum(p, one(7, TITLE));
        assert_eq!(
            (id_of(p), tf(p, BODY), tf(p, TITLE), tf(p, META)),
            (7, 255, 1, 0)
        );
    }

    /// The postings of `hits` (document, field) counted the plain way.
    fn counted(hits: &[(u32, usize)]) -> Vec<Posting> {
        let mut all: Vec<Posting> = Vec::new();
        for &(id, field) in hits {
            match all.last_mut() {
                Some(last) if id_of(*last) == id => *last = bump(*last, field),
                _ => all.push(one(id, field)),
            }
        }
        all
    }

    proptest::proptest! {
        #[test]
        fn a_list_gives_back_what_it_counted_however_it_is_split_and_joined(
            steps in proptest::collection::vec((0u32..3, 0u32..70_000, 0usize..FIELDS, 1usize..300), 0..40),
            cut in 0usize..40,
        ) {
            // Documents in id order, some far apart (varints of several
            // bytes), some counted past a byte's 255.
            let mut hits = Vec::new();
            let mut id = 0;
            for (i, &(near, far, field, times)) in steps.iter().enumerate() {
                id += if i % 3 == 0 { far } else { near };
                hits.extend(std::iter::repeat_n((id, field), times));
            }
            let cut = hits.partition_point(|&(id, _)| id < hits.get(cut).map_or(u32::MAX, |h| h.0));
            let (mut head, mut tail) = (List::default(), List::default());
            hits[..cut].iter().for_each(|&(id, f)| head.add(id, f));
            hits[cut..].iter().for_each(|&(id, f)| tail.add(id, f));
            head.append(tail);
            let expected = counted(&hits);
            proptest::prop_assert_eq!(head.len(), expected.len());
            proptest::prop_assert_eq!(head.to_vec(), expected);
        }
    }

    #[test]
    fn frequency_and_length_count_and_a_title_beats_the_text() {
        // Document 0 is short, 1 long; both have a one-word title.
        let norms = Norms::new(vec![[1, 0, 0, 20], [1, 0, 0, 400]]);
        let mut five = one(0, BODY);
        for _ in 0..4 {
            five = sum(five, one(0, BODY));
        }
        let once_long = one(1, BODY);
        let once_short = one(0, BODY);
        assert!(norms.level(five) > norms.level(once_short));
        assert!(norms.level(once_short) > norms.level(once_long));
        assert!(norms.level(one(1, TITLE)) > norms.level(five));
    }
}
