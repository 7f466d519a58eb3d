//! The static search index that `search.js` reads: built from the site
//! model after linking, written by render jobs as independent files.
//!
//! Layout (all below `/search/`, format in `docs/search.md`):
//! - `index.json`: the manifest: document count, shard sizes, a version
//!   hash the script puts on every shard URL so caches never mix builds;
//! - `t-<prefix>.json`: term shards, `{stem: [ids, BM25 weights], word:
//!   "stems"}` for every key under a prefix (see `keys.rs`,
//!   `postings.rs`); the script fetches only the shards its words need;
//! - `d-<n>.json`: display data (title, path, kind, date, text, heading
//!   anchors) of the documents of shard `n`: every [`WINDOW`] documents
//!   cut into the fewest equal shards within [`DOC_SHARD_BUDGET`],
//!   fetched only for results shown (snippets and
//!   quoted phrases are found in the text);
//! - `fold.json`: how the index folded Latin letters with marks, so the
//!   script folds a query the same way;
//! - `filters.json`: the documents of each kind, tag, author and year,
//!   for filters and their counts.
//!
//! A shard's bytes depend only on its own terms or documents (and their
//! ids): editing a document's text changes its document shard, the term
//! shards of words it gained or lost, and the manifest. Ids follow dates,
//! so adding the newest post shifts no id; adding or removing an older
//! document shifts the ids after it.

mod encode;
mod filters;
mod html;
mod index;
mod keys;
mod postings;
mod shards;
mod sources;
pub mod stem;
pub mod terms;
pub mod text;
mod update;

pub use encode::{decode_id_set, id_set};
pub use index::{build, build_for_updates, build_spilling, TERM_SHARD_TARGET};
pub use update::{analyze_post, analyze_thread, Analysis};

use crate::digest::Digest;
use crate::spill::Stored;
use rayon::prelude::*;
use std::fmt::Write;

/// Longest text kept of a post, page, thread or member, in bytes: what
/// snippets and quoted phrases are found in.
const TEXT: usize = 2000;
/// Longest text kept of a comment: they are many and mostly short.
const COMMENT_TEXT: usize = 600;
/// What a row may take besides its text, counted for every row: its
/// title, path, kind, date, heading anchors and JSON punctuation.
const ROW_EXTRA: usize = 200;

/// The bytes a document shard may hold, each row counted at the most its
/// kind can take ([`row_cost`]): 8 posts, 22 comments or a mix. Small, so
/// the ten results a query shows cost little however scattered their ids
/// are (at most about 17 KB a shard), yet not so small that a clean build
/// spends its time creating files no one opens. Counting each row at its
/// kind's most, not its actual length, keeps every boundary where it was
/// when a document's text changes: an edit rewrites only its own shard.
pub const DOC_SHARD_BUDGET: usize = 8 * (TEXT + ROW_EXTRA);

/// Documents `WINDOW × w` to `WINDOW × (w + 1) − 1` are cut into the
/// fewest shards of equal length (to one document) that each fit
/// [`DOC_SHARD_BUDGET`], so the script finds a document's shard from one
/// number a window (the manifest's `shards`), not one a shard.
pub const WINDOW: usize = 128;

// A window's number of shards is one base64 digit of the manifest, a
// letter (digits are left for runs): shards of 8 documents always fit.
const _: () = assert!(WINDOW.div_ceil(8) < 52 && 8 * (TEXT + ROW_EXTRA) <= DOC_SHARD_BUDGET);

/// The most text kept of a document of kind `kind`, in bytes.
fn text_max(kind: Kind) -> usize {
    match kind {
        Kind::Comment => COMMENT_TEXT,
        _ => TEXT,
    }
}

/// What a row of a comment (or not) is counted as against
/// [`DOC_SHARD_BUDGET`]: the most its kind's row can take.
fn row_cost(comment: bool) -> usize {
    (if comment { COMMENT_TEXT } else { TEXT }) + ROW_EXTRA
}

/// The first id of each document shard of the documents whose kinds
/// `comments` gives, in id order (true for a comment): each [`WINDOW`]
/// of documents (the last one shorter) cut into `k` shards, shard `j`
/// starting at `j × length / k` of it, with `k` the least that keeps every
/// shard within [`DOC_SHARD_BUDGET`].
fn doc_shard_starts(comments: impl IntoIterator<Item = bool>) -> Vec<usize> {
    let costs: Vec<usize> = comments.into_iter().map(row_cost).collect();
    let mut starts = Vec::new();
    for first in (0..costs.len()).step_by(WINDOW) {
        let window = &costs[first..(first + WINDOW).min(costs.len())];
        let len = window.len();
        let fits = |k: usize| {
            (0..k).all(|j| {
                window[j * len / k..(j + 1) * len / k].iter().sum::<usize>() <= DOC_SHARD_BUDGET
            })
        };
        let k = (1..=len)
            .find(|&k| fits(k))
            .expect("one document a shard fits");
        starts.extend((0..k).map(|j| first + j * len / k));
    }
    starts
}

/// The manifest's `shards`: how many shards each [`WINDOW`] of documents
/// is cut into, one base64 digit a window (`I` is 8), in order; a run of
/// `n` windows of the same number is written as the digit, `*` and `n`
/// in decimal when that is shorter (`Q*80`).
fn shards_table(starts: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for size in starts
        .chunk_by(|a, b| a / WINDOW == b / WINDOW)
        .map(<[usize]>::len)
    {
        match runs.last_mut() {
            Some((s, n)) if *s == size => *n += 1,
            _ => runs.push((size, 1)),
        }
    }
    let mut out = String::new();
    for (size, n) in runs {
        let digit = encode::BASE64[size] as char;
        let run = format!("*{n}");
        if run.len() + 1 < n {
            out.push(digit);
            out.push_str(&run);
        } else {
            out.extend(std::iter::repeat_n(digit, n));
        }
    }
    out
}

/// Root path of the search page.
pub const PAGE_PATH: &str = "/search/";
/// Root path of the manifest.
pub const MANIFEST_PATH: &str = "/search/index.json";
/// Root path of the fold table.
pub const FOLD_PATH: &str = "/search/fold.json";
/// Root path of the documents of each kind, tag, author and year.
pub const FILTERS_PATH: &str = "/search/filters.json";

/// Root path of the term shard for `key`: a character other than
/// `[a-z0-9]` is written `_<hex code point>_`, so every file name is
/// plain ASCII (`мо` → `t-_43c__43e_.json`), as `search.js` writes it.
pub fn term_shard_path(key: &str) -> String {
    let mut name = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else {
            let _ = write!(name, "_{:x}_", c as u32);
        }
    }
    format!("/search/t-{name}.json")
}

/// Root path of document shard `n`.
pub fn doc_shard_path(n: usize) -> String {
    format!("/search/d-{n}.json")
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A post.
    Post,
    /// A curated thread.
    Thread,
    /// A standalone page.
    Page,
    /// A member's profile.
    Member,
    /// A comment under a post.
    Comment,
}

impl Kind {
    /// Every kind, in the order filters list them.
    pub const ALL: [Kind; 5] = [
        Kind::Post,
        Kind::Thread,
        Kind::Page,
        Kind::Member,
        Kind::Comment,
    ];

    /// The name in the index: `post`, `thread`, ...
    pub fn name(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Thread => "thread",
            Kind::Page => "page",
            Kind::Member => "member",
            Kind::Comment => "comment",
        }
    }
}

/// What a result shows of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Title; for a comment, "\<author\> on \<post title\>".
    pub title: String,
    /// Root path without its leading `/` (`posts/x/`, `posts/x/#comment-1`):
    /// the script puts the site's base path in front.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// `YYYY-MM-DD`, when dated.
    pub date: Option<String>,
    /// Its text, whitespace collapsed, cut at a word after about 2 KB
    /// (600 bytes for a comment).
    pub text: String,
    /// Where each heading with an anchor starts in `text` (in UTF-16
    /// code units, as the script counts), and its anchor.
    pub headings: Vec<(u32, String)>,
    /// Its tags, for the tag filter (not shown).
    pub tags: Vec<String>,
    /// Its authors' names, for the author filter (not shown).
    pub authors: Vec<String>,
}

/// One term shard: its prefix key and its JSON.
#[derive(Debug, Clone)]
pub struct TermShard {
    /// Every term of the shard starts with it; `""` for a one-shard index.
    pub key: String,
    /// The shard file's text.
    pub json: String,
    /// A hash of `key` and `json`.
    hash: u64,
    /// How many terms it holds.
    count: usize,
    /// Its terms' entries' bytes, each counted with its comma.
    payload: usize,
}

/// The ids of document shard `n` of `count` documents whose shards
/// start at `starts`.
fn shard_range(starts: &[usize], n: usize, count: usize) -> std::ops::Range<usize> {
    starts[n]..starts.get(n + 1).copied().unwrap_or(count)
}

/// The document shard holding document `id`, of shards starting at
/// `starts`.
fn shard_of(starts: &[usize], id: usize) -> usize {
    starts.partition_point(|&s| s <= id) - 1
}

/// A hash of what the documents of one shard show.
fn rows_hash(rows: &[Shown]) -> u64 {
    let mut h = Digest::new();
    for d in rows {
        h.str(&d.title)
            .str(&d.path)
            .str(&d.text)
            .str(d.kind.name())
            .str(d.date.as_deref().unwrap_or("-"))
            .n(d.headings.len() as u64);
        for (at, id) in &d.headings {
            h.n((*at).into()).str(id);
        }
    }
    h.done()
}

/// The document shard file of `rows`: `[[title, path, kind, date|null,
/// text(, [[offset, anchor], ...])], ...]`, the headings only when there
/// are.
fn rows_json(rows: &[Shown]) -> String {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|d| {
            let mut row = serde_json::json!([d.title, d.path, d.kind.name(), d.date, d.text]);
            if !d.headings.is_empty() {
                row.as_array_mut()
                    .expect("an array")
                    .push(serde_json::json!(d.headings));
            }
            row
        })
        .collect();
    serde_json::to_string(&rows).expect("strings serialize")
}

/// What an index holds of its documents: every row, for an index that
/// watch mode updates in place; else only each document shard's file, so
/// a clean build never holds every document's text as rows (at 100,000
/// posts and their comments the rows took twice the files' bytes).
#[derive(Debug)]
enum Documents {
    /// Every document's row, by id.
    Rows(Vec<Shown>),
    /// The file of each document shard, and how many documents there are.
    Files { count: usize, shards: Vec<Stored> },
}

/// The whole index of a build.
#[derive(Debug)]
pub struct Index {
    docs: Documents,
    term_shards: Vec<TermShard>,
    fold: Vec<(char, String)>,
    /// `fold.json`, written once.
    fold_json: String,
    version: u64,
    /// The first id of each document shard ([`doc_shard_starts`]).
    starts: Vec<usize>,
    /// A hash of each document shard's documents.
    doc_hashes: Vec<u64>,
    filters: filters::Filters,
    /// Postings kept for updates in place (watch mode only).
    kept: Option<Box<update::Kept>>,
}

impl Index {
    /// An index of `docs` (by id); `keep` keeps what updates in place need.
    fn new(
        docs: Vec<Shown>,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
        keep: bool,
    ) -> Index {
        let starts = doc_shard_starts(docs.iter().map(|d| d.kind == Kind::Comment));
        let (doc_hashes, filters) = rayon::join(
            || {
                (0..starts.len())
                    .into_par_iter()
                    .map(|n| rows_hash(&docs[shard_range(&starts, n, docs.len())]))
                    .collect()
            },
            || filters::Filters::new(&docs, keep),
        );
        Index::with_doc_hashes(docs, term_shards, fold, starts, doc_hashes, filters)
    }

    /// An index whose document shards (starting at `starts`), their
    /// hashes and filters are known.
    fn with_doc_hashes(
        docs: Vec<Shown>,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
        starts: Vec<usize>,
        doc_hashes: Vec<u64>,
        filters: filters::Filters,
    ) -> Index {
        Index::of(
            Documents::Rows(docs),
            term_shards,
            fold,
            starts,
            doc_hashes,
            filters,
        )
    }

    /// An index that holds only its document shards' files (`shards`, of
    /// `count` documents, starting at `starts`), not their rows: it cannot
    /// be updated in place.
    fn with_doc_files(
        count: usize,
        starts: Vec<usize>,
        shards: Vec<(u64, Stored)>,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
        filters: filters::Filters,
    ) -> Index {
        let (doc_hashes, shards) = shards.into_iter().unzip();
        Index::of(
            Documents::Files { count, shards },
            term_shards,
            fold,
            starts,
            doc_hashes,
            filters,
        )
    }

    fn of(
        docs: Documents,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
        starts: Vec<usize>,
        doc_hashes: Vec<u64>,
        filters: filters::Filters,
    ) -> Index {
        let map: serde_json::Map<String, serde_json::Value> = fold
            .iter()
            .map(|(c, s)| (c.to_string(), s.as_str().into()))
            .collect();
        let fold_json = serde_json::to_string(&map).expect("strings serialize");
        let mut index = Index {
            docs,
            term_shards,
            fold,
            fold_json,
            version: 0,
            starts,
            doc_hashes,
            filters,
            kept: None,
        };
        let mut h = Digest::new();
        let term_hashes = index.term_shards.iter().map(|s| &s.hash);
        for &x in term_hashes.chain(&index.doc_hashes) {
            h.n(x);
        }
        for &start in &index.starts {
            h.n(start as u64);
        }
        index.version = h.str(&index.fold_json).done();
        index
    }

    /// The rows of the documents, by id, when the index keeps them (it
    /// was built for updates in place).
    fn rows(&self) -> Option<&[Shown]> {
        match &self.docs {
            Documents::Rows(rows) => Some(rows),
            Documents::Files { .. } => None,
        }
    }

    /// A hash of term shard `i`'s file.
    pub fn term_shard_hash(&self, i: usize) -> u64 {
        self.term_shards[i].hash
    }

    /// A hash of document shard `n`'s file.
    pub fn doc_shard_hash(&self, n: usize) -> u64 {
        self.doc_hashes[n]
    }

    /// A hash of the whole index, as the manifest shows it.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether it holds every document's row, as an index built for
    /// updates in place does; a clean build's holds only the files.
    pub fn keeps_rows(&self) -> bool {
        self.rows().is_some()
    }

    /// How many documents the index holds.
    pub fn doc_count(&self) -> usize {
        match &self.docs {
            Documents::Rows(rows) => rows.len(),
            Documents::Files { count, .. } => *count,
        }
    }

    /// Term shards, sorted by key.
    pub fn term_shards(&self) -> &[TermShard] {
        &self.term_shards
    }

    /// How many document shards there are.
    pub fn doc_shards(&self) -> usize {
        self.starts.len()
    }

    /// The ids of the documents of document shard `n`.
    pub fn doc_shard_ids(&self, n: usize) -> std::ops::Range<usize> {
        shard_range(&self.starts, n, self.doc_count())
    }

    /// Whether the fold table has entries (else no `fold.json` is written).
    pub fn has_fold(&self) -> bool {
        !self.fold.is_empty()
    }

    /// Document shard `n`: `[[title, path, kind, date|null, text(,
    /// [[offset, anchor], ...])], ...]`, the headings only when there are.
    pub fn doc_shard_json(&self, n: usize) -> String {
        match &self.docs {
            Documents::Rows(rows) => rows_json(&rows[self.doc_shard_ids(n)]),
            Documents::Files { shards, .. } => shards[n].text(),
        }
    }

    /// `fold.json`: `{"é":"e", ...}`.
    pub fn fold_json(&self) -> String {
        self.fold_json.clone()
    }

    /// `filters.json`: the ids of the documents of each kind, tag,
    /// author and year, as id sets: `{"kind":{"post":"<set>"},"tag":{…},
    /// "author":{…},"year":{"2024":"<set>"}}`; values with no document are
    /// left out. The script loads it only to filter or count.
    pub fn filters_json(&self) -> String {
        self.filters.json.clone()
    }

    /// `index.json`, the manifest.
    pub fn manifest_json(&self) -> String {
        let mut terms = String::new();
        for (i, s) in self.term_shards.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let key = serde_json::to_string(&s.key).expect("strings serialize");
            let _ = write!(terms, "{sep}{key}:{}", s.json.len());
        }
        let fold = if self.has_fold() {
            self.fold_json.len()
        } else {
            0
        };
        format!(
            "{{\"version\":\"{:016x}\",\"documents\":{},\"window\":{},\"shards\":\"{}\",\"min_term\":{},\"max_term\":{},\"fold\":{fold},\"filters\":{},\"terms\":{{{terms}}}}}\n",
            self.version,
            self.doc_count(),
            WINDOW,
            shards_table(&self.starts),
            terms::MIN_TERM,
            terms::MAX_TERM,
            self.filters.json.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_cut_into_the_fewest_equal_shards_that_fit() {
        // 20 posts: two shards of 10 would pass 8 posts' worth.
        assert_eq!(doc_shard_starts([false; 20]), [0, 6, 13]);
        // 50 comments: 16, 17 and 17, as two of 25 would not fit.
        assert_eq!(doc_shard_starts([true; 50]), [0, 16, 33]);
        // A full window of posts is 16 shards of 8; of comments, 6.
        let posts = doc_shard_starts([false; WINDOW + 3]);
        assert_eq!(posts.len(), 17);
        assert!(posts.windows(2).all(|w| w[1] - w[0] == 8));
        assert_eq!(doc_shard_starts([true; WINDOW]).len(), 6);
        // Seven posts and three comments pass the budget by 200 bytes:
        // two halves.
        let mixed: Vec<bool> = [false; 7].into_iter().chain([true; 3]).collect();
        assert_eq!(doc_shard_starts(mixed), [0, 5]);
        assert!(doc_shard_starts([]).is_empty());
    }

    #[test]
    fn the_table_gives_each_windows_shards_and_writes_runs_short() {
        let starts = doc_shard_starts([false; WINDOW * 40 + 3]);
        assert_eq!(shards_table(&starts), "Q*40B");
        // Three of a kind are written out: `G*3` is no shorter.
        let comments = doc_shard_starts([true; WINDOW * 3 + 20]);
        assert_eq!(shards_table(&comments), "GGGB");
        assert_eq!(shards_table(&[]), "");
    }

    #[test]
    fn a_shard_holds_the_ids_the_table_gives() {
        let starts = [0, 8, 30, 31];
        assert_eq!(shard_of(&starts, 0), 0);
        assert_eq!(shard_of(&starts, 7), 0);
        assert_eq!(shard_of(&starts, 8), 1);
        assert_eq!(shard_of(&starts, 30), 2);
        assert_eq!(shard_of(&starts, 40), 3);
        assert_eq!(shard_range(&starts, 3, 45), 31..45);
    }
}
