//! Post summaries: what listings show of a post (`PostSummary` in
//! `docs/templates.md`), kept compact for the whole render and made into
//! a template view each time a page shows one.
//!
//! A post's summary is shown on its home page, month, terms, authors'
//! pages and beside related posts. Kept as JSON values, the summaries of
//! 100,000 posts took 530 MB, more than any other part of the build at
//! its peak: a map per post, per author and per term, each key its own
//! string. A [`PostSummary`] holds only the strings it shows and shares
//! each member's and term's reference with every post naming it; making
//! its view costs what copying the kept value did, since the view's map
//! is copied from one whose keys are already in place.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::views::{date, member_ref, reading_time, term_refs};
use crate::model::{CommentMode, PostIdx, Site, Taxonomy};

/// The keys of a summary view, in the order its fields are written.
const KEYS: [&str; 16] = [
    "title",
    "slug",
    "url",
    "permalink",
    "date",
    "updated",
    "authors",
    "tags",
    "categories",
    "summary",
    "has_more",
    "word_count",
    "reading_time",
    "comment_count",
    "comments_mode",
    "draft",
];

/// What a listing shows of one post, ready to become its view
/// ([`PostSummary::view`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostSummary {
    title: Box<str>,
    slug: Box<str>,
    url: Box<str>,
    permalink: Box<str>,
    date: Box<str>,
    updated: Option<Box<str>>,
    /// Member and term references, shared by the posts that name them.
    authors: Box<[Arc<Value>]>,
    tags: Box<[Arc<Value>]>,
    categories: Box<[Arc<Value>]>,
    summary: Box<str>,
    has_more: bool,
    word_count: usize,
    reading_time: usize,
    comment_count: usize,
    comments_mode: CommentMode,
    draft: bool,
}

/// The references to members and terms made so far, each made once, when
/// a post first names it.
struct Refs {
    members: Vec<OnceLock<Arc<Value>>>,
    tags: Vec<OnceLock<Arc<Value>>>,
    categories: Vec<OnceLock<Arc<Value>>>,
}

impl Refs {
    fn new(site: &Site) -> Self {
        let slots = |n: usize| (0..n).map(|_| OnceLock::new()).collect();
        Refs {
            members: slots(site.members.len()),
            tags: slots(site.tags.terms.len()),
            categories: slots(site.categories.terms.len()),
        }
    }

    fn member(&self, site: &Site, m: usize) -> Arc<Value> {
        let made = || Arc::new(serde_json::to_value(member_ref(site, m)).expect("refs serialize"));
        Arc::clone(self.members[m].get_or_init(made))
    }

    fn terms(
        site: &Site,
        slots: &[OnceLock<Arc<Value>>],
        tax: &Taxonomy,
        terms: &[usize],
    ) -> Box<[Arc<Value>]> {
        terms
            .iter()
            .map(|&t| {
                let made = || {
                    let refs = term_refs(&site.config, tax, &[t]);
                    Arc::new(serde_json::to_value(&refs[0]).expect("refs serialize"))
                };
                Arc::clone(slots[t].get_or_init(made))
            })
            .collect()
    }
}

/// Every post's summary, in parallel.
pub fn summaries(site: &Site) -> Vec<PostSummary> {
    summaries_where(site, |_| true)
}

/// The summaries of the posts `wanted` picks, in parallel; an empty
/// summary stands in for each of the others.
pub fn summaries_where(site: &Site, wanted: impl Fn(PostIdx) -> bool + Sync) -> Vec<PostSummary> {
    let refs = Refs::new(site);
    (0..site.posts.len())
        .into_par_iter()
        .map(|i| match wanted(i) {
            true => PostSummary::with_refs(site, i, &refs),
            false => PostSummary::default(),
        })
        .collect()
}

/// A view's map with every key in place, each holding null, and the
/// place in [`KEYS`] of each of its keys in the map's own order (sorted,
/// unless serde_json keeps insertion order).
fn empty_view() -> &'static (Map<String, Value>, [usize; KEYS.len()]) {
    static EMPTY: OnceLock<(Map<String, Value>, [usize; KEYS.len()])> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let map: Map<String, Value> = KEYS.iter().map(|k| (k.to_string(), Value::Null)).collect();
        let mut order = [0; KEYS.len()];
        for (slot, key) in order.iter_mut().zip(map.keys()) {
            *slot = KEYS.iter().position(|k| k == key).expect("a key of KEYS");
        }
        (map, order)
    })
}

impl PostSummary {
    /// The summary of post `idx`.
    pub fn new(site: &Site, idx: PostIdx) -> Self {
        PostSummary::with_refs(site, idx, &Refs::new(site))
    }

    fn with_refs(site: &Site, idx: PostIdx, refs: &Refs) -> Self {
        let p = &site.posts[idx];
        let c = &site.config;
        PostSummary {
            title: p.title.as_str().into(),
            slug: p.slug.as_str().into(),
            url: c.url(&p.path).into(),
            permalink: c.permalink(&p.path).into(),
            date: date(&p.date).into(),
            updated: p.updated.as_ref().map(|d| date(d).into()),
            authors: p.authors.iter().map(|&a| refs.member(site, a)).collect(),
            tags: Refs::terms(site, &refs.tags, &site.tags, &p.tags),
            categories: Refs::terms(site, &refs.categories, &site.categories, &p.categories),
            summary: p.body.summary.as_str().into(),
            has_more: p.body.has_more,
            word_count: p.body.word_count,
            reading_time: reading_time(p.body.word_count, p.body.cjk_chars),
            comment_count: p.visible_comments().len(),
            comments_mode: p.comment_mode,
            draft: p.draft,
        }
    }

    /// The summary view templates see: `{title, slug, url, permalink,
    /// date, updated, authors, tags, categories, summary, has_more,
    /// word_count, reading_time, comment_count, comments_mode, draft}`.
    pub fn view(&self) -> Value {
        let text = |s: &str| Value::String(s.to_owned());
        let refs = |r: &[Arc<Value>]| Value::Array(r.iter().map(|v| (**v).clone()).collect());
        let mut values: [Value; KEYS.len()] = [
            text(&self.title),
            text(&self.slug),
            text(&self.url),
            text(&self.permalink),
            text(&self.date),
            self.updated.as_deref().map_or(Value::Null, text),
            refs(&self.authors),
            refs(&self.tags),
            refs(&self.categories),
            text(&self.summary),
            Value::Bool(self.has_more),
            Value::from(self.word_count),
            Value::from(self.reading_time),
            Value::from(self.comment_count),
            serde_json::to_value(self.comments_mode).expect("a mode serializes"),
            Value::Bool(self.draft),
        ];
        let (empty, order) = empty_view();
        let mut view = empty.clone();
        for (slot, &k) in view.values_mut().zip(order) {
            *slot = std::mem::take(&mut values[k]);
        }
        Value::Object(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::views::{MemberRef, TermRef};
    use serde::Serialize;

    /// The summary view as a derived serialization makes it: what
    /// [`PostSummary::view`] must give, key order included (the tests'
    /// serde_json keeps insertion order).
    #[derive(Serialize)]
    struct Expected<'a> {
        title: &'a str,
        slug: &'a str,
        url: String,
        permalink: String,
        date: String,
        updated: Option<String>,
        authors: Vec<MemberRef<'a>>,
        tags: Vec<TermRef<'a>>,
        categories: Vec<TermRef<'a>>,
        summary: &'a str,
        has_more: bool,
        word_count: usize,
        reading_time: usize,
        comment_count: usize,
        comments_mode: CommentMode,
        draft: bool,
    }

    fn expected(site: &Site, i: PostIdx) -> String {
        let p = &site.posts[i];
        let c = &site.config;
        let view = serde_json::to_value(Expected {
            title: &p.title,
            slug: &p.slug,
            url: c.url(&p.path),
            permalink: c.permalink(&p.path),
            date: date(&p.date),
            updated: p.updated.as_ref().map(date),
            authors: p.authors.iter().map(|&a| member_ref(site, a)).collect(),
            tags: term_refs(c, &site.tags, &p.tags),
            categories: term_refs(c, &site.categories, &p.categories),
            summary: &p.body.summary,
            has_more: p.body.has_more,
            word_count: p.body.word_count,
            reading_time: reading_time(p.body.word_count, p.body.cjk_chars),
            comment_count: p.visible_comments().len(),
            comments_mode: p.comment_mode,
            draft: p.draft,
        })
        .unwrap();
        serde_json::to_string(&view).unwrap()
    }

    fn site() -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "salon.yaml",
            "title: T\nbase_url: https://example.org/club/\n",
        );
        write("content/members/ana.md", "---\nname: Ana \"A\" Lima\n---\n");
        write("content/members/bo.md", "---\nname: Bo\n---\n");
        write(
            "content/posts/first.md",
            "---\ntitle: First <one>\ndate: 2024-01-02\nupdated: 2024-02-03T10:00:00+02:00\n\
             authors: [ana, bo]\ntags: [Rust, Static Sites]\ncategories: [Notes]\n\
             comments: closed\n---\nSome *words* here.\n\n<!-- more -->\n\nMore.\n",
        );
        write(
            "content/posts/second.md",
            "---\ntitle: Second\ndate: 2024-03-04\nauthors: [bo]\ntags: [Rust]\n---\n\
             日本語の文章です。\n",
        );
        write(
            "content/posts/third.md",
            "---\ntitle: Third\ndate: 2024-05-06\ndraft: true\ncomments: hidden\n---\nx\n",
        );
        write(
            "content/comments/first.yaml",
            "- id: c1\n  author: Cy\n  date: 2024-01-03T10:00:00Z\n  body: Hi\n",
        );
        let mut opts = crate::BuildOptions::new(root);
        opts.drafts = true;
        let loaded = crate::build::load_site(&opts).unwrap();
        (dir, loaded.site)
    }

    #[test]
    fn a_view_is_the_summary_as_serialized_key_for_key_in_order() {
        let (_dir, site) = site();
        assert_eq!(site.posts.len(), 3);
        let all = summaries(&site);
        for (i, s) in all.iter().enumerate() {
            assert_eq!(
                serde_json::to_string(&s.view()).unwrap(),
                expected(&site, i)
            );
            assert_eq!(s, &PostSummary::new(&site, i));
        }
        let with_comment = all.iter().find(|s| s.slug.as_ref() == "first").unwrap();
        assert_eq!(with_comment.view()["comment_count"], 1);
        assert_eq!(with_comment.view()["authors"][0]["name"], "Ana \"A\" Lima");
    }

    #[test]
    fn the_posts_not_wanted_get_an_empty_summary_and_refs_are_shared() {
        let (_dir, site) = site();
        let some = summaries_where(&site, |i| i != 1);
        assert_eq!(some[1], PostSummary::default());
        assert_eq!(some[0], PostSummary::new(&site, 0));
        let all = summaries(&site);
        let bo = |s: &PostSummary| {
            s.authors
                .iter()
                .find(|a| a["handle"] == "bo")
                .map(Arc::clone)
                .unwrap()
        };
        let with_bo: Vec<_> = all.iter().filter(|s| !s.authors.is_empty()).collect();
        assert_eq!(with_bo.len(), 2);
        assert!(Arc::ptr_eq(&bo(with_bo[0]), &bo(with_bo[1])));
    }
}
