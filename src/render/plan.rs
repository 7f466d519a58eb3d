//! Planning: every file a build writes, the job that renders it and the
//! checked path it goes to.

use std::path::Path;

use super::claims::{self, Claimed};
use super::jobs::{member_pages, term_pages, FeedKind, Job, SearchFile};
use crate::error::Diagnostics;
use crate::load::AssetFile;
use crate::model::*;
use crate::search::{self, Index};
use crate::url::OutputPath;

/// One file of a plan: what renders it and where it goes.
pub type PlannedFile = (Job, OutputPath);

/// Every file a build writes, with paths checked: each stays in the output
/// folder and no two are one file on any file system.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Each file's job and output path: pages first, static files last.
    pub files: Vec<PlannedFile>,
    /// The URL each file was planned at, in the order of `files` (a static
    /// file's relative path for a static file): how the next plan in
    /// watch mode knows which files it had already checked.
    pub(super) urls: Vec<String>,
    /// What `files` claim, for checking the next plan's new paths alone.
    pub(super) claimed: Claimed,
    /// How many files of the plan this one was made from (in watch mode)
    /// it no longer has; `None` when it was made from none.
    pub(super) dropped: Option<usize>,
}

/// Lists every output of `site` and its search `index`, checking that
/// paths are safe and that no two outputs claim the same one.
pub fn plan(site: &Site, assets: &[AssetFile], index: &Index) -> Result<Plan, Diagnostics> {
    plan_again(site, assets, index, None)
}

/// [`plan`], given the `last` plan of the same site in watch mode: when
/// every file has the job and URL it had (a retitled post), `last` is
/// reused whole; when some files came or went (a tag added), only the
/// paths of the new ones are checked. Checking every path again is most
/// of planning's time.
pub fn plan_again(
    site: &Site,
    assets: &[AssetFile],
    index: &Index,
    last: Option<&Plan>,
) -> Result<Plan, Diagnostics> {
    let planned = planned_urls(site, assets, index);
    if let Some(last) = last {
        if same_plan(last, &planned, assets) {
            return Ok(Plan {
                dropped: Some(0),
                ..last.clone()
            });
        }
        if let Some(plan) = claims::claim_changes(&planned, assets, last) {
            return Ok(plan);
        }
    }
    claims::claim_paths(planned, assets)
}

/// The search index's files of `plan` replaced by those of `index` (its
/// shards came or went), in place: in watch mode, planning every file
/// again for that was most of an edit's time on a million-message list.
/// `None`, and `plan` as it was, when it has no search files or a new
/// path clashes: plan again in full then.
pub fn plan_search_again(plan: &mut Plan, index: &Index) -> Option<claims::Replaced> {
    let is_search = |(job, _): &PlannedFile| matches!(job, Job::SearchIndex(_));
    let start = plan.files.iter().position(is_search)?;
    let len = plan.files[start..]
        .iter()
        .take_while(|f| is_search(f))
        .count();
    let now = search_files(index)
        .map(|(f, url)| (Job::SearchIndex(f), url))
        .collect();
    claims::replace_run(plan, start..start + len, now)
}

impl Plan {
    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the plan writes nothing.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether this plan, made from the last one in watch mode, still has
    /// every file that one had: a link that led somewhere still does.
    pub fn drops_nothing(&self) -> bool {
        self.dropped == Some(0)
    }
}

/// Whether `planned` and `assets` are the jobs and URLs of the `last`
/// plan, in the same order: then its paths, which passed every check,
/// are theirs.
fn same_plan(last: &Plan, planned: &[(Job, String, &Path)], assets: &[AssetFile]) -> bool {
    if last.files.len() != planned.len() + assets.len() {
        return false;
    }
    let (pages, statics) = last.files.split_at(planned.len());
    let (page_urls, static_urls) = last.urls.split_at(planned.len());
    let same_pages = pages
        .iter()
        .zip(page_urls)
        .zip(planned)
        .all(|(((job, _), url), (j, u, _))| job == j && url == u);
    same_pages
        && statics
            .iter()
            .zip(static_urls)
            .zip(assets)
            .enumerate()
            .all(|(i, (((job, _), url), a))| *job == Job::Asset(i) && *url == a.rel)
}

/// Every output of `site` but its static files, with its root URL and
/// the source that asks for it.
fn planned_urls<'a>(
    site: &'a Site,
    assets: &[AssetFile],
    index: &Index,
) -> Vec<(Job, String, &'a Path)> {
    // Sources are borrowed: this runs on every relink of watch mode.
    let mut planned: Vec<(Job, String, &Path)> = Vec::new();
    let generated = Path::new("(generated)");
    let mut add = |job: Job, source: &'a Path| {
        let path = job.url_path(site);
        planned.push((job, path, source));
    };
    let config = &site.config;
    let add_feed = |kind: FeedKind, source: &'a Path, add: &mut dyn FnMut(Job, &'a Path)| {
        if !kind.is_written(site) {
            return;
        }
        add(Job::Feed(kind), source);
        if kind.has_json(config) {
            add(Job::JsonFeed(kind), source);
        }
    };
    let per = site.config.paginate;
    let pages = |n: usize| n.div_ceil(per).max(1);
    for page in 1..=pages(site.posts.len()) {
        add(Job::Home { page }, generated);
    }
    for (i, p) in site.posts.iter().enumerate() {
        add(Job::Post(i), &p.source);
        add_feed(FeedKind::PostComments(i), &p.source, &mut add);
    }
    for (i, p) in site.pages.iter().enumerate() {
        add(Job::Page(i), &p.source);
    }
    for tax in [&site.tags, &site.categories] {
        add(Job::TaxonomyIndex(tax.kind), generated);
        for (t, term) in tax.terms.iter().enumerate() {
            for page in 1..=term_pages(&site.config, term) {
                add(
                    Job::Term {
                        kind: tax.kind,
                        term: t,
                        page,
                    },
                    generated,
                );
            }
            add_feed(FeedKind::Term(tax.kind, t), generated, &mut add);
        }
    }
    add(Job::Archive, generated);
    for (y, year) in site.archive.iter().enumerate() {
        add(Job::Year(y), generated);
        for (m, month) in year.months.iter().enumerate() {
            for page in 1..=pages(month.posts.len()) {
                add(
                    Job::Month {
                        year: y,
                        month: m,
                        page,
                    },
                    generated,
                );
            }
        }
    }
    add(Job::Members { by_activity: false }, generated);
    add(Job::Members { by_activity: true }, generated);
    for (i, m) in site.members.iter().enumerate() {
        for page in 1..=member_pages(&site.config, m) {
            add(Job::Member { member: i, page }, &m.source);
        }
        add_feed(FeedKind::Member(i), &m.source, &mut add);
    }
    for page in 1..=site
        .threads
        .len()
        .div_ceil(site.config.paginate_threads)
        .max(1)
    {
        add(Job::Threads { page }, generated);
    }
    for (i, t) in site.threads.iter().enumerate() {
        for page in 1..=t.page_count() {
            add(Job::Thread { thread: i, page }, &t.source);
        }
        add_feed(FeedKind::Thread(i), &t.source, &mut add);
    }
    add(Job::NotFound, generated);
    add_feed(FeedKind::Site, generated, &mut add);
    add_feed(FeedKind::Comments, generated, &mut add);
    add(Job::Sitemap, generated);
    // A site's own `static/robots.txt` wins.
    if !assets.iter().any(|a| a.rel == "robots.txt") {
        add(Job::Robots, generated);
    }
    for n in 1..=super::sitemap::part_count(super::sitemap::entries(site).len()) {
        add(Job::SitemapPart(n), generated);
    }
    add(Job::Search, generated);
    planned.extend(search_files(index).map(|(f, path)| (Job::SearchIndex(f), path, generated)));

    let mut redirects: Vec<(Job, String, &Path)> = Vec::new();
    // `/page/1/` of every listing sends readers to the listing itself; of
    // a thread, a profile or a month only when it has a page 2 (most have
    // one page, and a redirect each would double their files).
    let mut paged: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (job, path, _) in &planned {
        if let Job::Month { page: 2, .. }
        | Job::Member { page: 2, .. }
        | Job::Thread { page: 2, .. }
        | Job::Threads { page: 2 } = job
        {
            paged.insert(path.trim_end_matches("page/2/").to_owned());
        }
    }
    for (job, path, _) in &planned {
        let first = match job {
            Job::Home { page: 1 } | Job::Term { page: 1, .. } => true,
            Job::Month { page: 1, .. }
            | Job::Member { page: 1, .. }
            | Job::Thread { page: 1, .. }
            | Job::Threads { page: 1 } => paged.contains(path),
            _ => false,
        };
        if first {
            redirects.push((
                Job::Redirect { to: path.clone() },
                format!("{path}page/1/"),
                generated,
            ));
        }
    }
    let aliased = site
        .posts
        .iter()
        .map(|p| (&p.aliases, &p.path, &p.source))
        .chain(site.pages.iter().map(|p| (&p.aliases, &p.path, &p.source)));
    for (aliases, target, source) in aliased {
        for alias in aliases {
            // Old URLs often come percent-encoded (`/caf%C3%A9/`); servers
            // decode a request before looking for the file.
            let decoded = percent_encoding::percent_decode_str(alias)
                .decode_utf8()
                .map_or_else(|_| alias.clone(), |d| d.into_owned());
            let alias = &decoded;
            let from = if alias.starts_with('/') {
                alias.clone()
            } else {
                format!("/{alias}")
            };
            redirects.push((Job::Redirect { to: target.clone() }, from, source.as_path()));
        }
    }
    planned.extend(redirects);
    planned
}

/// The files of the search index with their root paths.
fn search_files(index: &Index) -> impl Iterator<Item = (SearchFile, String)> + '_ {
    let manifest = (SearchFile::Manifest, search::MANIFEST_PATH.to_owned());
    let fold = index
        .has_fold()
        .then(|| (SearchFile::Fold, search::FOLD_PATH.to_owned()));
    let terms = index
        .term_shards()
        .iter()
        .enumerate()
        .map(|(i, s)| (SearchFile::Terms(i), search::term_shard_path(&s.key)));
    let docs = (0..index.doc_shards()).map(|n| (SearchFile::Docs(n), search::doc_shard_path(n)));
    std::iter::once(manifest)
        .chain(fold)
        .chain([(SearchFile::Filters, search::FILTERS_PATH.to_owned())])
        .chain(terms)
        .chain(docs)
}
