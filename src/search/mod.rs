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
//!   anchors) of documents `n * DOCS_PER_SHARD ..`, fetched only for
//!   results shown (snippets and quoted phrases are found in the text);
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

/// Documents per display shard: few, so the ten results a query shows
/// cost little however scattered their ids are (a row holds the
/// document's text, up to 2 KB: about 60 KB for ten), yet not so few
/// that a clean build spends its time creating files no one opens.
pub const DOCS_PER_SHARD: usize = 8;

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

/// A hash of what document shard `n` of `docs` shows.
fn doc_shard_hash(docs: &[Shown], n: usize) -> u64 {
    rows_hash(&docs[shard_range(n, docs.len())])
}

/// The ids of document shard `n` of `count` documents.
fn shard_range(n: usize, count: usize) -> std::ops::Range<usize> {
    n * DOCS_PER_SHARD..((n + 1) * DOCS_PER_SHARD).min(count)
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
        let (doc_hashes, filters) = rayon::join(
            || {
                (0..docs.len().div_ceil(DOCS_PER_SHARD))
                    .into_par_iter()
                    .map(|n| doc_shard_hash(&docs, n))
                    .collect()
            },
            || filters::Filters::new(&docs, keep),
        );
        Index::with_doc_hashes(docs, term_shards, fold, doc_hashes, filters)
    }

    /// An index whose document shards' hashes and filters are known.
    fn with_doc_hashes(
        docs: Vec<Shown>,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
        doc_hashes: Vec<u64>,
        filters: filters::Filters,
    ) -> Index {
        Index::of(
            Documents::Rows(docs),
            term_shards,
            fold,
            doc_hashes,
            filters,
        )
    }

    /// An index that holds only its document shards' files (`shards`, of
    /// `count` documents), not their rows: it cannot be updated in place.
    fn with_doc_files(
        count: usize,
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
            doc_hashes,
            filters,
        )
    }

    fn of(
        docs: Documents,
        term_shards: Vec<TermShard>,
        fold: Vec<(char, String)>,
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
            doc_hashes,
            filters,
            kept: None,
        };
        let mut h = Digest::new();
        let term_hashes = index.term_shards.iter().map(|s| &s.hash);
        for &x in term_hashes.chain(&index.doc_hashes) {
            h.n(x);
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
        self.doc_count().div_ceil(DOCS_PER_SHARD)
    }

    /// Whether the fold table has entries (else no `fold.json` is written).
    pub fn has_fold(&self) -> bool {
        !self.fold.is_empty()
    }

    /// Document shard `n`: `[[title, path, kind, date|null, text(,
    /// [[offset, anchor], ...])], ...]`, the headings only when there are.
    pub fn doc_shard_json(&self, n: usize) -> String {
        match &self.docs {
            Documents::Rows(rows) => rows_json(&rows[shard_range(n, rows.len())]),
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
            "{{\"version\":\"{:016x}\",\"documents\":{},\"per_shard\":{},\"min_term\":{},\"max_term\":{},\"fold\":{fold},\"filters\":{},\"terms\":{{{terms}}}}}\n",
            self.version,
            self.doc_count(),
            DOCS_PER_SHARD,
            terms::MIN_TERM,
            terms::MAX_TERM,
            self.filters.json.len(),
        )
    }
}
