//! What each output depends on, as one hash per job.
//!
//! A job's signature hashes everything its rendering reads: the template
//! (with what it includes or extends), its own entity, and a *card* of
//! every other entity it shows (a post's card is the hash of its summary
//! view, which is all a listing shows of it). Two builds that give a job
//! the same signature render it to the same bytes, so watch mode renders
//! again only the jobs whose signature changed. The random-edit test in
//! `tests/integration/incremental.rs` checks that this list of reads is
//! complete: any read missing here shows up as a difference from a clean
//! build.

//!
//! Here: the signature of each job; `cards.rs`: what each page shows of
//! other entities (post, member and thread cards); `templates.rs`: which
//! templates a template reads.

mod cards;
mod earlier;
mod templates;

use std::collections::HashMap;

use crate::digest::Digest;
use rayon::prelude::*;
use serde_json::Value;

use super::jobs::{FeedKind, Job};
use crate::load::AssetFile;
use crate::model::*;
use crate::url::OutputPath;

pub use cards::{post_card, post_content, post_line, summary_key, Cards};
pub use earlier::Earlier;
pub use templates::template_signatures;

/// A hash being built from typed fields.
pub(super) struct Sig(Digest);

impl Sig {
    pub(super) fn new() -> Self {
        Sig(Digest::new())
    }
    pub(super) fn str(&mut self, s: &str) -> &mut Self {
        self.0.str(s);
        self
    }
    pub(super) fn n(&mut self, n: u64) -> &mut Self {
        self.0.n(n);
        self
    }
    pub(super) fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.n(1).str(s),
            None => self.n(0),
        }
    }
    /// A date as its instant and offset: what its RFC 3339 text says,
    /// without formatting it.
    pub(super) fn date(&mut self, d: Option<&crate::date::Date>) -> &mut Self {
        match d {
            Some(d) => self
                .n(1)
                .n(d.timestamp() as u64)
                .n(d.timestamp_subsec_nanos().into())
                .n(d.offset().local_minus_utc() as u64),
            None => self.n(0),
        }
    }
    pub(super) fn json(&mut self, v: &Value) -> &mut Self {
        let text = serde_json::to_vec(v).expect("hashing cannot fail");
        self.0.bytes(&text);
        self
    }
    pub(super) fn done(&self) -> u64 {
        self.0.done()
    }
}

/// What a signature needs besides the site.
pub struct Inputs<'a> {
    /// The linked site.
    pub site: &'a Site,
    /// Its cards.
    pub cards: &'a Cards,
    /// Template signatures by name.
    pub templates: &'a HashMap<String, u64>,
    /// Static files.
    pub assets: &'a [AssetFile],
    /// A hash of the configuration and build options.
    pub config: u64,
    /// The search index.
    pub index: &'a crate::search::Index,
}

/// The signature of every job, in parallel.
pub fn signatures(inputs: &Inputs<'_>, jobs: &[(Job, OutputPath)]) -> Vec<u64> {
    jobs.par_iter()
        .map(|(job, path)| signature(inputs, job, path))
        .collect()
}

/// The signature of one job (see the module docs).
pub fn signature(inputs: &Inputs<'_>, job: &Job, path: &OutputPath) -> u64 {
    let Inputs {
        site,
        cards,
        templates,
        assets,
        config,
        index,
    } = inputs;
    let site = *site;
    let mut h = Sig::new();
    h.n(*config).str(path.as_str()).str(job.kind());
    h.n(templates.get(job.kind()).copied().unwrap_or(0));
    let per = site.config.paginate;
    let range = |n: usize, page: usize| {
        let start = ((page - 1) * per).min(n);
        start..(start + per).min(n)
    };
    let posts = |h: &mut Sig, idx: &[PostIdx]| {
        h.n(idx.len() as u64);
        for &i in idx {
            h.n(cards.post[i]);
        }
    };
    match job {
        Job::Home { page } => {
            let n = site.posts.len();
            h.n(n as u64);
            if *page == 1 {
                h.n(cards.home);
            }
            posts(&mut h, &range(n, *page).collect::<Vec<_>>());
        }
        Job::Post(i) => {
            let i = *i;
            h.n(cards.post[i])
                .n(cards.post_content[i])
                .n(cards.post_comments[i]);
            for n in [
                i.checked_sub(1),
                Some(i + 1).filter(|&n| n < site.posts.len()),
            ] {
                match n {
                    Some(n) => h.n(1).str(&site.posts[n].title).str(&site.posts[n].path),
                    None => h.n(0),
                };
            }
            posts(&mut h, &site.posts[i].related);
            // The JSON-LD shows each author as a Person with their picture;
            // the author card after the post shows their directory card.
            for &a in &site.posts[i].authors {
                h.opt(site.members[a].avatar.as_deref()).n(cards.member[a]);
            }
        }
        Job::Page(i) => {
            let p = &site.pages[*i];
            h.str(&p.title)
                .str(&p.slug)
                .date(p.date.as_ref())
                .n(p.body.digest)
                .json(&p.extra)
                .opt(p.lang.as_deref());
            for t in &p.body.toc {
                h.n(t.level.into()).str(&t.id).str(&t.title);
            }
        }
        Job::TaxonomyIndex(kind) => {
            for t in &site.taxonomy(*kind).terms {
                h.str(&t.name).str(&t.slug).n(t.posts.len() as u64);
            }
        }
        Job::Term { kind, term, page } => {
            let t = &site.taxonomy(*kind).terms[*term];
            h.str(&t.name).str(&t.slug).n(t.posts.len() as u64);
            match &t.description {
                Some(d) => h.n(1).n(d.body.digest).opt(d.summary.as_deref()),
                None => h.n(0),
            };
            h.n(super::jobs::term_pages(&site.config, t) as u64);
            posts(&mut h, &t.posts[range(t.posts.len(), *page)]);
            let threads = super::jobs::page_slice(&t.threads, site.config.paginate_threads, *page);
            for &th in threads {
                h.n(cards.thread[th]);
            }
        }
        Job::Archive | Job::Year(_) => {
            // Each month's count, and the lines of the posts listed.
            let years = match job {
                Job::Year(y) => *y..*y + 1,
                _ => 0..site.archive.len(),
            };
            let mut budget = site.config.archive_titles;
            for y in &site.archive[years] {
                h.n(y.year as u64);
                for m in &y.months {
                    h.n(m.month.into()).n(m.posts.len() as u64);
                    if super::archive::archive_lists(&mut budget, m) {
                        for &i in &m.posts {
                            h.n(cards.post_line[i]);
                        }
                    }
                }
            }
        }
        Job::Month { year, month, page } => {
            h.n(site.archive[*year].year as u64);
            let month = &site.archive[*year].months[*month];
            h.n(month.month.into()).n(month.posts.len() as u64);
            posts(&mut h, &month.posts[range(month.posts.len(), *page)]);
        }
        Job::Members { .. } => {
            for &c in &cards.member {
                h.n(c);
            }
        }
        Job::Member { member, page } => {
            // Each page: the profile, and its own slice of what they wrote
            // (a retitled post re-renders the one page listing it, not
            // all of a prolific member's pages). The page count follows
            // from the counts in the member's card.
            let m = &site.members[*member];
            let per_entry = site.config.paginate_entries;
            let slice = |n: usize| range(n, *page);
            h.n(cards.member[*member]).n(cards.member_page[*member]);
            posts(&mut h, &m.posts[slice(m.posts.len())]);
            let (comments, entries) = (
                super::jobs::page_slice(&m.comments, per_entry, *page),
                super::jobs::page_slice(&m.entries, per_entry, *page),
            );
            cards::member_comments(&mut h, site, &cards.comment, comments);
            cards::member_entries(&mut h, site, entries);
        }
        Job::Threads { page } => {
            let per = site.config.paginate_threads;
            h.n(cards.thread.len() as u64);
            for &c in super::jobs::page_slice(&cards.thread, per, *page) {
                h.n(c);
            }
        }
        Job::Thread { thread, page } => {
            h.n(cards.thread[*thread])
                .n(cards.thread_page[*thread])
                .n(cards.thread_texts[*thread]
                    .get(page - 1)
                    .copied()
                    .unwrap_or(0));
            posts(&mut h, &site.threads[*thread].related);
        }
        Job::NotFound => {}
        Job::Feed(kind) | Job::JsonFeed(kind) => feed(&mut h, site, cards, kind),
        Job::Robots => {}
        Job::Sitemap | Job::SitemapPart(_) => {
            let entries = super::sitemap::entries(site);
            let listed = match job {
                Job::SitemapPart(n) => super::sitemap::part(&entries, *n),
                _ => &entries,
            };
            h.n(listed.len() as u64);
            for e in listed {
                h.str(&e.path).date(e.lastmod.as_ref());
            }
        }
        Job::Search => {
            h.n(index.doc_count() as u64);
        }
        Job::SearchIndex(file) => search_file(&mut h, index, *file),
        Job::Redirect { to } => {
            h.str(to);
        }
        Job::Asset(i) => {
            h.n(xxhash_rust::xxh3::xxh3_64(&assets[*i].bytes));
        }
    }
    h.done()
}

/// What a file of the search index holds.
fn search_file(h: &mut Sig, index: &crate::search::Index, file: super::SearchFile) {
    use super::SearchFile;
    match file {
        SearchFile::Manifest => {
            h.n(index.version());
        }
        SearchFile::Fold => {
            h.str(&index.fold_json());
        }
        SearchFile::Filters => {
            h.str(&index.filters_json());
        }
        SearchFile::Terms(i) => {
            h.n(index.term_shard_hash(i));
        }
        SearchFile::Docs(n) => {
            h.n(index.doc_shard_hash(n));
        }
    }
}

fn feed(h: &mut Sig, site: &Site, cards: &Cards, kind: &FeedKind) {
    let limit = site.config.feed_limit;
    match *kind {
        FeedKind::Site => {
            for i in 0..site.posts.len().min(limit) {
                h.n(cards.post[i]).n(cards.post_content[i]);
            }
        }
        FeedKind::Term(k, t) => {
            let term = &site.taxonomy(k).terms[t];
            h.str(&term.name);
            for &i in &term.posts[..term.posts.len().min(limit)] {
                h.n(cards.post[i]).opt(site.posts[i].lang.as_deref());
            }
        }
        FeedKind::Comments => {
            for (i, p) in site.posts.iter().enumerate() {
                if !p.visible_comments().is_empty() {
                    h.n(i as u64)
                        .str(&p.title)
                        .str(&p.path)
                        .n(cards.post_comments[i]);
                }
            }
        }
        FeedKind::PostComments(i) => {
            h.n(cards.post[i]).n(cards.post_comments[i]);
        }
        FeedKind::Thread(i) => {
            h.n(cards.thread[i]).n(cards.thread_page[i]);
            for &page in &cards.thread_texts[i] {
                h.n(page);
            }
        }
        FeedKind::Member(i) => {
            h.n(cards.member_feed[i]);
        }
    }
}
