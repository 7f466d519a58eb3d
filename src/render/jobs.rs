//! The list of everything a build writes, and where each piece goes.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{Config, JsonFeeds};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::AssetFile;
use crate::model::*;
use crate::search::{self, Index};
use crate::url::OutputPath;

pub use super::paging::{member_pages, page_path, page_slice, paginator, term_pages, Pager};

/// Which feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// `/feed.xml`: the newest posts.
    Site,
    /// `/tags/<slug>/feed.xml` and `/categories/<slug>/feed.xml`.
    Term(TaxonomyKind, TermIdx),
    /// `/comments/feed.xml`: the newest comments site-wide.
    Comments,
    /// `<post>/comments.xml`: one post's comments.
    PostComments(PostIdx),
    /// `/members/<handle>/feed.xml`: everything a member wrote.
    Member(MemberIdx),
    /// `/threads/<slug>/feed.xml`: a thread's entries.
    Thread(ThreadIdx),
}

impl FeedKind {
    /// Whether a JSON Feed is written beside the Atom one: for the site's
    /// feeds, and for every list's only when `feeds.json` is `all` (a
    /// file per tag, member and thread that feed readers, which all read
    /// Atom, do not need twice); never for one post's comments.
    pub fn has_json(self, config: &Config) -> bool {
        match self {
            FeedKind::Site | FeedKind::Comments => true,
            FeedKind::PostComments(_) => false,
            FeedKind::Term(..) | FeedKind::Member(_) | FeedKind::Thread(_) => {
                config.feeds.json == JsonFeeds::All
            }
        }
    }

    /// Whether this feed is written at all: one post's comments only with
    /// `feeds.post_comments`, and only when it has some.
    pub fn is_written(self, site: &Site) -> bool {
        match self {
            FeedKind::PostComments(i) => {
                site.config.feeds.post_comments && !site.posts[i].visible_comments().is_empty()
            }
            _ => true,
        }
    }
}

/// One output file to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Home page `page` (1-based).
    Home {
        /// Page number.
        page: usize,
    },
    /// A post page.
    Post(PostIdx),
    /// A standalone page.
    Page(usize),
    /// `/tags/` or `/categories/`.
    TaxonomyIndex(TaxonomyKind),
    /// One page of a term's archive.
    Term {
        /// Which taxonomy.
        kind: TaxonomyKind,
        /// Which term.
        term: TermIdx,
        /// Page number, 1-based.
        page: usize,
    },
    /// `/archive/`.
    Archive,
    /// `/<yyyy>/`, by index into `site.archive`.
    Year(usize),
    /// One page of `/<yyyy>/<mm>/`, by year and month index.
    Month {
        /// Index into `site.archive`.
        year: usize,
        /// Index into that year's months.
        month: usize,
        /// Page number, 1-based.
        page: usize,
    },
    /// `/members/` (by name) or `/members/by-activity/`.
    Members {
        /// Sorted by activity rather than name.
        by_activity: bool,
    },
    /// One page of a member's profile.
    Member {
        /// Which member.
        member: MemberIdx,
        /// Page number, 1-based.
        page: usize,
    },
    /// One page of `/threads/`.
    Threads {
        /// Page number, 1-based.
        page: usize,
    },
    /// One page of a thread.
    Thread {
        /// Which thread.
        thread: ThreadIdx,
        /// Page number, 1-based.
        page: usize,
    },
    /// `/404.html`.
    NotFound,
    /// An Atom feed.
    Feed(FeedKind),
    /// The JSON Feed beside an Atom feed.
    JsonFeed(FeedKind),
    /// `/robots.txt`, naming the sitemap.
    Robots,
    /// `/sitemap.xml`: the sitemap, or the index of its parts.
    Sitemap,
    /// `/sitemap-<n>.xml`: part `n` (1-based) of a sitemap too long for
    /// one file.
    SitemapPart(usize),
    /// A redirect page to a root path.
    Redirect {
        /// Root path to send the reader to.
        to: String,
    },
    /// A static file, by index into the assets.
    Asset(usize),
    /// `/search/`: the search page.
    Search,
    /// A file of the search index.
    SearchIndex(SearchFile),
}

/// Which file of the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFile {
    /// `/search/index.json`.
    Manifest,
    /// `/search/fold.json`.
    Fold,
    /// `/search/filters.json`.
    Filters,
    /// A term shard, by index into the index's term shards.
    Terms(usize),
    /// A document shard, by number.
    Docs(usize),
}

impl Job {
    /// The name shown in `--timings`: the template, or what writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Home { .. } => "index.html",
            Job::Post(_) => "post.html",
            Job::Page(_) => "page.html",
            Job::TaxonomyIndex(_) => "taxonomy.html",
            Job::Term { .. } => "term.html",
            Job::Archive => "archive.html",
            Job::Year(_) => "archive_year.html",
            Job::Month { .. } => "archive_month.html",
            Job::Members { .. } => "members.html",
            Job::Member { .. } => "member.html",
            Job::Threads { .. } => "threads.html",
            Job::Thread { .. } => "thread.html",
            Job::NotFound => "404.html",
            Job::Feed(_) => "(atom feeds)",
            Job::JsonFeed(_) => "(json feeds)",
            Job::Robots => "(robots.txt)",
            Job::Sitemap | Job::SitemapPart(_) => "(sitemap)",
            Job::Redirect { .. } => "(redirects)",
            Job::Asset(_) => "(static files)",
            Job::Search => "search.html",
            Job::SearchIndex(_) => "(search index)",
        }
    }

    /// The root URL path this job is served at (before the base path).
    pub fn url_path(&self, site: &Site) -> String {
        match self {
            Job::Home { page } => page_path("/", *page),
            Job::Post(i) => site.posts[*i].path.clone(),
            Job::Page(i) => site.pages[*i].path.clone(),
            Job::TaxonomyIndex(kind) => format!("/{}/", kind.key()),
            Job::Term { kind, term, page } => {
                page_path(&site.taxonomy(*kind).terms[*term].path, *page)
            }
            Job::Archive => "/archive/".into(),
            Job::Year(y) => format!("/{}/", site.archive[*y].year),
            Job::Month { year, month, page } => page_path(
                &format!(
                    "/{}/{:02}/",
                    site.archive[*year].year, site.archive[*year].months[*month].month
                ),
                *page,
            ),
            Job::Members { by_activity: false } => "/members/".into(),
            Job::Members { by_activity: true } => "/members/by-activity/".into(),
            Job::Member { member, page } => page_path(&site.members[*member].path, *page),
            Job::Threads { page } => page_path("/threads/", *page),
            Job::Thread { thread, page } => page_path(&site.threads[*thread].path, *page),
            Job::NotFound => "/404.html".into(),
            Job::Feed(kind) => super::feed::atom_path(site, *kind),
            Job::JsonFeed(kind) => super::feed::json_path(site, *kind),
            Job::Robots => "/robots.txt".into(),
            Job::Sitemap => "/sitemap.xml".into(),
            Job::SitemapPart(n) => super::sitemap::part_path(*n),
            Job::Search => search::PAGE_PATH.into(),
            Job::Redirect { .. } | Job::Asset(_) | Job::SearchIndex(_) => {
                unreachable!("path given when planned")
            }
        }
    }
}

/// Lists every output of `site` and its search `index`, checking that
/// paths are safe and that no two outputs claim the same one.
pub fn plan(
    site: &Site,
    assets: &[AssetFile],
    index: &Index,
) -> Result<Vec<(Job, OutputPath)>, Diagnostics> {
    plan_again(site, assets, index, None).map(|(files, _)| files)
}

/// One file of a plan: what renders it and where it goes.
pub type PlannedFile = (Job, OutputPath);

/// The URL each file of a plan was planned at, in the plan's order (a
/// static file's relative path for a static file).
pub type PlanUrls = Vec<String>;

/// [`plan`], given the `last` plan of the same site in watch mode and its
/// URLs: when every file has the job and URL it had (a retitled post, a
/// tag added that changes no page count), `last`'s paths, checked then,
/// are reused: checking them again is most of planning's time.
pub fn plan_again(
    site: &Site,
    assets: &[AssetFile],
    index: &Index,
    last: Option<(&[PlannedFile], &[String])>,
) -> Result<(Vec<(Job, OutputPath)>, PlanUrls), Diagnostics> {
    let planned = planned_urls(site, assets, index);
    match last {
        Some((files, urls)) if same_plan(files, urls, &planned, assets) => {
            let urls = planned
                .into_iter()
                .map(|(_, url, _)| url)
                .chain(assets.iter().map(|a| a.rel.clone()))
                .collect();
            Ok((files.to_vec(), urls))
        }
        _ => claim_paths(planned, assets),
    }
}

/// Whether `planned` and `assets` are the jobs and URLs of the `last`
/// plan, in the same order: then its paths, which passed every check,
/// are theirs.
fn same_plan(
    last: &[(Job, OutputPath)],
    last_urls: &[String],
    planned: &[(Job, String, &Path)],
    assets: &[AssetFile],
) -> bool {
    if last.len() != last_urls.len() || last.len() != planned.len() + assets.len() {
        return false;
    }
    let (pages, statics) = last.split_at(planned.len());
    let (page_urls, static_urls) = last_urls.split_at(planned.len());
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

/// Turns each planned URL and static file into its output path, checking
/// that every path stays in the output folder and that no two outputs
/// claim one path; with the URLs, for [`plan_again`].
fn claim_paths<'a>(
    planned: Vec<(Job, String, &'a Path)>,
    assets: &[AssetFile],
) -> Result<(Vec<(Job, OutputPath)>, PlanUrls), Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut urls: PlanUrls = Vec::with_capacity(planned.len() + assets.len());
    let mut out: Vec<(Job, OutputPath)> = Vec::with_capacity(planned.len() + assets.len());
    // The source of each output in `out`.
    let mut sources: Vec<Cow<'a, Path>> = Vec::with_capacity(out.capacity());
    // Keyed by the folded path: `Hello/` and `hello/` are one folder on
    // macOS and Windows, and a site must deploy anywhere. The value is the
    // output's place in `out`.
    let mut owner: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(out.capacity(), Default::default());
    // Two sources that clash clash on every file they both write (a
    // member's page and feeds): one error per pair.
    let mut clashing: std::collections::HashSet<(PathBuf, PathBuf)> = Default::default();
    let mut claim = |job: Job,
                     path: Result<OutputPath, String>,
                     source: Cow<'a, Path>,
                     diags: &mut Diagnostics| {
        match path {
            Err(msg) => diags.push(
                Diagnostic::error(&source, None, format!("cannot write {msg}")).with_help(
                    "paths must stay inside the output folder: no `..`, `\\` or drive letters",
                ),
            ),
            Ok(p) if crate::write::is_reserved_path(p.as_str()) => diags.push(
                Diagnostic::error(
                    &source,
                    None,
                    format!("`{p}` is a name Salon keeps for itself in the output folder"),
                )
                .with_help("names starting with `.salon` are the build's own bookkeeping: rename the file, slug or alias"),
            ),
            Ok(p) => match owner.entry(crate::url::folded(p.as_str()).into_owned()) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    let first = *first.get();
                    let (first_path, first_source) = (&out[first].1, &sources[first]);
                    if !clashing.insert((source.to_path_buf(), first_source.to_path_buf())) {
                        return;
                    }
                    let how = if *first_path == p {
                        String::new()
                    } else {
                        format!(
                            " as `{first_path}`, which differs only in case or Unicode form (one file on macOS and Windows)"
                        )
                    };
                    diags.push(
                        Diagnostic::error(
                            &source,
                            None,
                            format!(
                                "`{p}` would be written twice: {} also produces it{how}",
                                first_source.display()
                            ),
                        )
                        .with_help("change a slug, an alias or the permalink pattern"),
                    );
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(out.len());
                    out.push((job, p));
                    sources.push(source);
                }
            },
        }
    };
    for (job, url, source) in planned {
        claim(
            job,
            OutputPath::from_url(&url),
            Cow::Borrowed(source),
            &mut diags,
        );
        urls.push(url);
    }
    for (i, a) in assets.iter().enumerate() {
        claim(
            Job::Asset(i),
            OutputPath::from_relative(&a.rel),
            Cow::Owned(Path::new("static").join(&a.rel)),
            &mut diags,
        );
        urls.push(a.rel.clone());
    }
    for (file, folder, inside) in files_named_as_folders(&owner) {
        let ((_, path), source) = (&out[folder], &sources[folder]);
        let ((_, folder_path), folder_source) = (&out[inside], &sources[inside]);
        diags.push(
            Diagnostic::error(
                folder_source,
                None,
                format!(
                    "`{folder_path}` needs a folder named `{file}`, but {} writes a file of that name (`{path}`)",
                    source.display()
                ),
            )
            .with_help("change the slug, alias or permalink: it names a file the site already writes"),
        );
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((out, urls))
    }
}

/// Outputs whose path is a folder of another output (a page with slug
/// `feed.xml` needs `feed.xml/index.html` beside the feed `feed.xml`):
/// `(folded folder, the file's place, the place of an output inside it)`,
/// places in `owner`'s values.
fn files_named_as_folders(owner: &FxHashMap<String, usize>) -> Vec<(&str, usize, usize)> {
    let mut clashes = Vec::new();
    for (key, &inside) in owner {
        let mut end = key.len();
        while let Some(i) = key[..end].rfind('/') {
            let folder = &key[..i];
            if let Some(&file) = owner.get(folder) {
                clashes.push((folder, file, inside, key.as_str()));
            }
            end = i;
        }
    }
    // One error per folder, naming the first path inside it.
    clashes.sort_by(|a, b| (a.0, a.3).cmp(&(b.0, b.3)));
    clashes.dedup_by(|a, b| a.0 == b.0);
    clashes
        .into_iter()
        .map(|(f, file, inside, _)| (f, file, inside))
        .collect()
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

/// Reports every markdown link to a root path of the site (`/posts/x/`)
/// that no output file answers.
pub fn check_links(site: &Site, planned: &[(Job, OutputPath)]) -> Diagnostics {
    let outputs: FxHashSet<&OutputPath> = planned.iter().map(|(_, p)| p).collect();
    let mut diags = Diagnostics::new();
    let docs = site
        .posts
        .iter()
        .map(|p| (&p.source, &p.body.refs))
        .chain(site.pages.iter().map(|p| (&p.source, &p.body.refs)))
        .chain(site.members.iter().map(|m| (&m.source, &m.bio.refs)))
        .chain(site.threads.iter().flat_map(|t| {
            std::iter::once((&t.source, &t.intro.refs))
                .chain(t.entries.iter().map(move |e| (&t.source, &e.refs)))
        }));
    for (source, refs) in docs {
        for r in refs {
            let crate::markdown::RefKind::Link(link) = &r.kind else {
                continue;
            };
            let path = link.split(['#', '?']).next().unwrap_or(link);
            let exists = OutputPath::from_url(path).is_ok_and(|p| outputs.contains(&p));
            let waiting = (!exists)
                .then(|| site.scheduled.iter().find(|s| same_path(&s.path, path)))
                .flatten();
            if let Some(post) = waiting {
                diags.push(r.warning(
                    source,
                    format!(
                        "the link to `{link}`: {}",
                        crate::link::scheduled_note(&post.slug, post)
                    ),
                ));
            } else if !exists {
                diags.push(
                    r.error(
                        source,
                        format!("the link to `{link}` leads nowhere: the site has no such page"),
                    )
                    .with_help(
                        "link to a page the site builds, or use a wikilink like [[post-slug]]",
                    ),
                );
            }
        }
    }
    diags
}

/// Whether root paths `a` and `b` name the same page (a trailing slash
/// aside).
fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}
