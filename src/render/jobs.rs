//! The list of everything a build writes, and where each piece goes.

use rustc_hash::FxHashSet;

use crate::config::{Config, JsonFeeds};
use crate::error::Diagnostics;
use crate::model::*;
use crate::search;
use crate::url::OutputPath;

pub use super::paging::{
    member_pages, page_path, page_range, page_slice, paginator, term_pages, Pager,
};

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
