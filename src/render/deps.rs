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

use std::collections::HashMap;

use crate::digest::Digest;
use rayon::prelude::*;
use serde_json::Value;

use super::jobs::{FeedKind, Job};
use crate::load::AssetFile;
use crate::model::*;
use crate::url::OutputPath;

/// A hash being built from typed fields.
struct Sig(Digest);

impl Sig {
    fn new() -> Self {
        Sig(Digest::new())
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.0.str(s);
        self
    }
    fn n(&mut self, n: u64) -> &mut Self {
        self.0.n(n);
        self
    }
    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.n(1).str(s),
            None => self.n(0),
        }
    }
    /// A date as its instant and offset: what its RFC 3339 text says,
    /// without formatting it.
    fn date(&mut self, d: Option<&crate::date::Date>) -> &mut Self {
        match d {
            Some(d) => self
                .n(1)
                .n(d.timestamp() as u64)
                .n(d.timestamp_subsec_nanos().into())
                .n(d.offset().local_minus_utc() as u64),
            None => self.n(0),
        }
    }
    fn json(&mut self, v: &Value) -> &mut Self {
        let text = serde_json::to_vec(v).expect("hashing cannot fail");
        self.0.bytes(&text);
        self
    }
    fn done(&self) -> u64 {
        self.0.done()
    }
}

/// Hashes of what other pages show of each entity, and of each entity's
/// own page content.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    /// Hash of each post's summary view.
    pub post: Vec<u64>,
    /// Each post's content, toc, extra data and backlinks.
    pub post_content: Vec<u64>,
    /// Each post's visible comments, as its page and the feeds show them.
    pub post_comments: Vec<u64>,
    /// Each member's directory entry.
    pub member: Vec<u64>,
    /// Each member's page, but for the cards of their posts.
    pub member_page: Vec<u64>,
    /// Each member's feed (Atom and JSON Feed alike): computed once, as it
    /// reads everything they wrote.
    pub member_feed: Vec<u64>,
    /// Each thread's index entry.
    pub thread: Vec<u64>,
    /// Each thread's page, but for the cards of its related posts.
    pub thread_page: Vec<u64>,
    /// The home page's overview of tags, members and threads.
    pub home: u64,
}

/// Name, URL and avatar of a member as shown beside what they wrote.
fn member_ref(h: &mut Sig, site: &Site, m: MemberIdx) {
    let m = &site.members[m];
    h.str(&m.handle)
        .str(&m.name)
        .str(&m.path)
        .opt(m.avatar.as_deref());
}

/// Title, URL, kind and date of a page that links here.
fn doc_ref(h: &mut Sig, site: &Site, d: Doc) {
    match d {
        Doc::Post(i) => h
            .n(1)
            .str(&site.posts[i].title)
            .str(&site.posts[i].path)
            .date(Some(&site.posts[i].date)),
        Doc::Thread(i) => h
            .n(2)
            .str(&site.threads[i].title)
            .str(&site.threads[i].path)
            .date(Some(&site.threads[i].date)),
        Doc::Page(i) => h
            .n(3)
            .str(&site.pages[i].title)
            .str(&site.pages[i].path)
            .date(site.pages[i].date.as_ref()),
        Doc::Member(i) => h.n(4).str(&site.members[i].name).str(&site.members[i].path),
    };
}

/// The card of post `i`: what listings show of it.
pub fn post_card(summary: &Value) -> u64 {
    Sig::new().json(summary).done()
}

/// A hash of everything [`super::views::post_summary`] reads of post `i`
/// (keep the two in step): equal keys give equal summaries, so watch mode
/// keeps a post's summary and card across a relink when its key stays.
pub fn summary_key(site: &Site, i: PostIdx) -> u64 {
    let p = &site.posts[i];
    let mut h = Sig::new();
    h.str(&p.title)
        .str(&p.slug)
        .str(&p.path)
        .date(Some(&p.date))
        .date(p.updated.as_ref())
        .str(&p.body.summary)
        .n(p.body.has_more.into())
        .n(p.body.word_count as u64)
        .n(p.body.cjk_chars as u64)
        .n(p.visible_comments().len() as u64)
        .n(p.comment_mode as u64)
        .n(p.draft.into())
        .opt(p.lang.as_deref());
    for &a in &p.authors {
        let m = &site.members[a];
        h.str(&m.handle).str(&m.name).str(&m.path);
    }
    for (tax, terms) in [(&site.tags, &p.tags), (&site.categories, &p.categories)] {
        h.n(terms.len() as u64);
        for &t in terms {
            let t = &tax.terms[t];
            h.str(&t.name).str(&t.slug).str(&t.path);
        }
    }
    h.done()
}

/// The content card of post `i`: what only its own page shows.
pub fn post_content(site: &Site, i: PostIdx) -> u64 {
    let p = &site.posts[i];
    let mut h = Sig::new();
    h.n(p.body.digest).json(&p.extra).opt(p.lang.as_deref());
    h.n(p.syndication.len() as u64);
    for url in &p.syndication {
        h.str(url);
    }
    for t in &p.body.toc {
        h.n(t.level.into()).str(&t.id).str(&t.title);
    }
    h.n(p.backlinks.len() as u64);
    for &d in &p.backlinks {
        doc_ref(&mut h, site, d);
    }
    h.done()
}

/// The comments card of post `i`.
pub fn post_comments(site: &Site, i: PostIdx) -> u64 {
    let mut h = Sig::new();
    for c in site.posts[i].visible_comments() {
        comment(&mut h, site, c);
    }
    let reactions = site.posts[i].visible_reactions();
    h.n(reactions.len() as u64);
    for r in reactions {
        h.str(&r.id)
            .str(r.kind.key())
            .str(&r.author)
            .opt(r.url.as_deref())
            .opt(r.source_url.as_deref())
            .date(Some(&r.date));
        match r.member {
            Some(m) => member_ref(h.n(1), site, m),
            None => {
                h.n(0);
            }
        }
    }
    h.done()
}

/// A comment as a post page, a feed or a quoting thread shows it.
fn comment(h: &mut Sig, site: &Site, c: &Comment) {
    h.str(&c.id)
        .n(c.parent.map_or(0, |p| p as u64 + 1))
        .str(&c.author)
        .opt(c.url.as_deref())
        .date(Some(&c.date))
        .n(c.body.digest())
        .opt(c.source.map(|s| s.key()))
        .opt(c.source_url.as_deref());
    match c.member {
        Some(m) => member_ref(h.n(1), site, m),
        None => {
            h.n(0);
        }
    }
}

impl Cards {
    /// Computes every card of `site`, in parallel; `known` gives post
    /// cards already computed (from an earlier link), by post.
    pub fn new(site: &Site, summaries: &[Value], known: &[Option<u64>]) -> Self {
        let posts: Vec<(u64, u64, u64)> = (0..site.posts.len())
            .into_par_iter()
            .map(|i| {
                (
                    known
                        .get(i)
                        .copied()
                        .flatten()
                        .unwrap_or_else(|| post_card(&summaries[i])),
                    post_content(site, i),
                    post_comments(site, i),
                )
            })
            .collect();
        let post_cards: Vec<u64> = posts.iter().map(|c| c.0).collect();
        Cards {
            member_feed: (0..site.members.len())
                .into_par_iter()
                .map(|i| member_feed(site, &post_cards, i))
                .collect(),
            post: post_cards,
            post_content: posts.iter().map(|c| c.1).collect(),
            post_comments: posts.iter().map(|c| c.2).collect(),
            member: site
                .members
                .par_iter()
                .map(|m| {
                    Sig::new()
                        .json(&super::views::member_summary(site, m))
                        .done()
                })
                .collect(),
            member_page: (0..site.members.len())
                .into_par_iter()
                .map(|i| member_page(site, i))
                .collect(),
            thread: site
                .threads
                .par_iter()
                .map(|t| {
                    Sig::new()
                        .json(&super::views::thread_summary(site, t))
                        .done()
                })
                .collect(),
            thread_page: (0..site.threads.len())
                .into_par_iter()
                .map(|i| thread_page(site, i))
                .collect(),
            home: Sig::new().json(&super::views::home_overview(site)).done(),
        }
    }

    /// Recomputes the cards of post `i` after its body changed.
    pub fn update_post(&mut self, site: &Site, i: PostIdx, summary: &Value) {
        self.post[i] = post_card(summary);
        self.post_content[i] = post_content(site, i);
        self.post_comments[i] = post_comments(site, i);
        // The authors' feeds list the post by its card.
        for &m in &site.posts[i].authors {
            self.member_feed[m] = member_feed(site, &self.post, m);
        }
    }
}

/// Each template's hash, together with those of the templates it extends,
/// includes or imports, by name.
pub fn template_signatures(templates: &[(String, String)]) -> HashMap<String, u64> {
    let text: HashMap<&str, &str> = templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut out = HashMap::new();
    for name in text.keys() {
        let mut seen: Vec<&str> = vec![name];
        let mut i = 0;
        while i < seen.len() {
            for used in referenced_templates(text.get(seen[i]).copied().unwrap_or("")) {
                if let Some((&k, _)) = text.get_key_value(used) {
                    if !seen.contains(&k) {
                        seen.push(k);
                    }
                }
            }
            i += 1;
        }
        seen.sort_unstable();
        let mut h = Sig::new();
        for n in seen {
            h.str(n).str(text[n]);
        }
        out.insert((*name).to_owned(), h.done());
    }
    out
}

/// Names in `{% extends "x" %}`, `{% include "x" %}` and `{% import "x" %}`.
fn referenced_templates(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for tag in text.split("{%").skip(1) {
        let tag = tag.split("%}").next().unwrap_or("");
        let tag = tag.trim_start_matches('-').trim_start();
        if !["extends", "include", "import"]
            .iter()
            .any(|k| tag.starts_with(k))
        {
            continue;
        }
        // Every quoted name: `include ["a.html", "b.html"]` lists several.
        let mut rest = tag;
        while let Some(start) = rest.find(['"', '\'']) {
            let quote = rest.as_bytes()[start] as char;
            let after = &rest[start + 1..];
            let Some(end) = after.find(quote) else { break };
            out.push(&after[..end]);
            rest = &after[end + 1..];
        }
    }
    out
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
            posts(&mut h, &t.posts[range(t.posts.len(), *page)]);
            for &th in &t.threads {
                h.n(cards.thread[th]);
            }
        }
        Job::Archive => {
            for y in &site.archive {
                h.n(y.year as u64);
                for m in &y.months {
                    // The archive lists every post's title by month.
                    h.n(m.month.into());
                    posts(&mut h, &m.posts);
                }
            }
        }
        Job::Year(y) => {
            let year = &site.archive[*y];
            h.n(year.year as u64);
            for m in &year.months {
                h.n(m.month.into());
                posts(&mut h, &m.posts);
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
        Job::Member { member, .. } => {
            // The page's slices are cut from lists the cards hash whole.
            h.n(cards.member[*member]).n(cards.member_page[*member]);
            posts(&mut h, &site.members[*member].posts);
        }
        Job::Threads { page } => {
            let per = site.config.paginate_threads;
            h.n(cards.thread.len() as u64);
            for &c in super::jobs::page_slice(&cards.thread, per, *page) {
                h.n(c);
            }
        }
        Job::Thread { thread, .. } => {
            h.n(cards.thread[*thread]).n(cards.thread_page[*thread]);
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
            h.n(index.docs().len() as u64);
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

/// A member's page but for their posts: bio, links, backlinks, who they
/// talk with, their comments and thread entries.
fn member_page(site: &Site, i: MemberIdx) -> u64 {
    let m = &site.members[i];
    let mut sig = Sig::new();
    let h = &mut sig;
    h.n(m.bio.digest)
        .opt(m.lang.as_deref())
        .json(&m.extra)
        .json(&serde_json::to_value(&m.links).expect("links"));
    for a in &m.aka {
        h.str(a);
    }
    for &d in &m.backlinks {
        doc_ref(h, site, d);
    }
    for &(o, n) in &m.talks_with {
        member_ref(h, site, o);
        h.n(n as u64);
    }
    for &(p, c) in &m.comments {
        let post = &site.posts[p];
        let c = &post.comments[c];
        h.str(&post.title)
            .str(&post.path)
            .str(&c.id)
            .date(Some(&c.date))
            .n(c.body.digest());
    }
    for &(t, e) in &m.entries {
        let thread = &site.threads[t];
        let page = thread.entry_pages.get(e).copied().unwrap_or(1);
        let e = &thread.entries[e];
        h.str(&thread.title)
            .str(&thread.path)
            .n(page.into())
            .str(&e.id)
            .date(e.date.as_ref())
            .str(&e.text);
    }
    sig.done()
}

fn participant(h: &mut Sig, site: &Site, p: &Participant) {
    h.str(&p.name);
    match p.member {
        Some(m) => member_ref(h.n(1), site, m),
        None => {
            h.n(0);
        }
    }
}

/// A thread's page but for its related posts.
fn thread_page(site: &Site, i: ThreadIdx) -> u64 {
    let t = &site.threads[i];
    let mut sig = Sig::new();
    let h = &mut sig;
    h.n(t.intro.digest).opt(t.lang.as_deref());
    match &t.origin {
        Some(o) => h.n(1).str(&o.name).opt(o.url.as_deref()),
        None => h.n(0),
    };
    match &t.started_by {
        Some(p) => participant(h.n(1), site, p),
        None => {
            h.n(0);
        }
    }
    for &d in &t.backlinks {
        doc_ref(h, site, d);
    }
    for e in &t.entries {
        h.str(&e.id)
            .n(e.parent.map_or(0, |p| p as u64 + 1))
            .date(e.date.as_ref())
            .str(&e.text)
            .opt(e.url.as_deref());
        participant(h, site, &e.by);
        if let Some((p, c)) = e.quote {
            let post = &site.posts[p];
            let c = &post.comments[c];
            h.n(1).str(&post.title).str(&post.path);
            comment(h, site, c);
        }
    }
    sig.done()
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
        }
        FeedKind::Member(i) => {
            h.n(cards.member_feed[i]);
        }
    }
}

/// Everything member `i` wrote, as their feed lists it: the newest are
/// chosen among all of it, so all of it counts.
/// `post_cards` holds each post's summary card.
fn member_feed(site: &Site, post_cards: &[u64], i: MemberIdx) -> u64 {
    let mut sig = Sig::new();
    let h = &mut sig;
    let m = &site.members[i];
    h.str(&m.name).str(&m.path).n(m.posts.len() as u64);
    for &p in &m.posts {
        h.n(post_cards[p]).opt(site.posts[p].lang.as_deref());
    }
    h.n(m.comments.len() as u64);
    for &(p, c) in &m.comments {
        let post = &site.posts[p];
        h.str(&post.title).str(&post.path);
        comment(h, site, &post.comments[c]);
    }
    h.n(m.entries.len() as u64);
    for &(t, e) in &m.entries {
        let thread = &site.threads[t];
        let e = &thread.entries[e];
        h.str(&thread.title)
            .str(&thread.path)
            .date(Some(&thread.date))
            .opt(thread.lang.as_deref())
            .str(&e.id)
            .date(e.date.as_ref())
            .str(&e.text);
        participant(h, site, &e.by);
    }
    sig.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_extended_included_and_imported_templates() {
        let t = r#"{% extends "base.html" %}{% import 'macros.html' as m %}
            {%- include ["a.html", "b.html"] ignore missing -%}{% if x %}"no.html"{% endif %}"#;
        assert_eq!(
            referenced_templates(t),
            vec!["base.html", "macros.html", "a.html", "b.html"]
        );
    }

    #[test]
    fn a_template_signature_follows_what_it_extends() {
        let mut files = vec![
            ("base.html".to_owned(), "B1".to_owned()),
            (
                "post.html".to_owned(),
                "{% extends \"base.html\" %}".to_owned(),
            ),
            ("member.html".to_owned(), "alone".to_owned()),
        ];
        let before = template_signatures(&files);
        files[0].1 = "B2".into();
        let after = template_signatures(&files);
        assert_ne!(before["post.html"], after["post.html"]);
        assert_eq!(before["member.html"], after["member.html"]);
    }
}
