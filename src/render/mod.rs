//! Rendering: the site model in, output files out, every page in parallel.
//!
//! The build first lists every output as a [`Job`] (cheap: indices only),
//! checks that no two jobs claim the same output path, then renders the jobs
//! with rayon. Each rendered file goes straight to a sink (the writer's
//! stager) so rendered pages never pile up in memory. A job knows its
//! inputs, so watch mode can later re-render a subset.

mod archive;
mod channels;
mod claims;
pub mod deps;
mod feed;
mod jobs;
mod ld_json;
mod memo;
pub mod meta;
mod paging;
mod partial;
mod people;
mod plan;
pub mod post_card;
mod redirect;
mod sitemap;
pub mod structured;
mod summary;
mod thread_view;
pub mod views;
mod xml;

pub use claims::Replaced;
pub use jobs::{check_links, FeedKind, Job, SearchFile};
pub use memo::Fragments;
pub use plan::{plan, plan_again, plan_search_again, Plan, PlannedFile};
pub use summary::{summaries, summaries_where, PostSummary};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Map, Value};

/// A template's variables, before they become a context.
type Vars = Map<String, Value>;
use tera::{Context, Tera};

use crate::error::Error;
use crate::load::AssetFile;
use crate::model::{Site, ThreadLayout};
use crate::search::Index;
use crate::url::OutputPath;

/// What a worker's page buffer starts at: more than nine pages in ten of
/// the 10,000-post bench site need (its median page is 23 KB, p90 43 KB).
const PAGE_CAPACITY: usize = 64 * 1024;

/// Compiles the theme's templates.
pub fn templates(files: &[(String, String)]) -> Result<Tera, Error> {
    let mut tera = Tera::default();
    // Tera's default escaper also escapes `/`, which makes every URL in
    // the output unreadable (`&#x2F;posts&#x2F;`); `/` is safe in HTML.
    tera.set_escape_fn(crate::entities::escape);
    crate::i18n::register(&mut tera);
    tera.add_raw_templates(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| Error::template(&template_in_error(&e, files), &e))?;
    let cards = post_card::PostCard::new(tera.clone());
    tera.register_function("post_card", cards);
    let partials = partial::Partial::new(tera.clone());
    tera.register_function("partial", partials);
    Ok(tera)
}

/// The template named in a Tera parse error, for the report.
fn template_in_error(e: &tera::Error, files: &[(String, String)]) -> String {
    let text = e.to_string();
    files
        .iter()
        .map(|(n, _)| n)
        .find(|n| text.contains(n.as_str()))
        .cloned()
        .unwrap_or_else(|| "templates".into())
}

/// What rendering needs besides the site: compiled templates, assets and
/// views computed once.
pub struct Renderer<'a> {
    site: &'a Site,
    tera: &'a Tera,
    assets: &'a [AssetFile],
    index: &'a Index,
    /// Every post's summary, shared by all listings.
    summaries: &'a [PostSummary],
    /// The home page's community overview, the same on every page of it:
    /// made when a home page is first rendered, as it reads every message
    /// (a million, on a big list) and a rebuild in watch mode rarely
    /// renders the home page.
    home: std::sync::OnceLock<Value>,
    /// The post cards and partials rendered so far (see [`memo`]).
    fragments: Arc<memo::Fragments>,
    /// Each thread's layout, made when one of its pages first renders:
    /// the page and its structured data read it, and so does every other
    /// page of a long thread. Boxed, as watch mode makes a renderer per
    /// rebuild and most threads of an archive are not rendered then.
    thread_layouts: Vec<std::sync::OnceLock<Box<ThreadLayout>>>,
    /// The summaries of threads of more than one page, which every page
    /// of theirs and every listing of them shows (see `thread_summary`).
    thread_summaries: Vec<std::sync::OnceLock<Box<Value>>>,
}

/// Time spent per template, for `--timings`.
#[derive(Debug, Default, Clone)]
pub struct TemplateTimes(pub HashMap<&'static str, (usize, Duration)>);

impl TemplateTimes {
    fn add(&mut self, kind: &'static str, d: Duration) {
        let slot = self.0.entry(kind).or_default();
        slot.0 += 1;
        slot.1 += d;
    }
}

impl<'a> Renderer<'a> {
    /// Prepares rendering `site`, whose [`summaries`] are given, and its
    /// search `index`, with the post cards and partials in `fragments`
    /// (made for the same templates and configuration: a build starts an
    /// empty one, watch mode keeps one from rebuild to rebuild; see
    /// [`memo`] for why they stay true).
    pub fn new(
        site: &'a Site,
        tera: &'a Tera,
        assets: &'a [AssetFile],
        summaries: &'a [PostSummary],
        index: &'a Index,
        fragments: Arc<Fragments>,
    ) -> Self {
        Renderer {
            site,
            tera,
            assets,
            index,
            fragments,
            summaries,
            home: std::sync::OnceLock::new(),
            thread_layouts: site.threads.iter().map(|_| Default::default()).collect(),
            thread_summaries: site.threads.iter().map(|_| Default::default()).collect(),
        }
    }

    /// Thread `i`'s layout, made once.
    fn thread_layout(&self, i: usize) -> &ThreadLayout {
        self.thread_layouts[i].get_or_init(|| Box::new(self.site.threads[i].layout()))
    }

    /// Thread `i`'s summary, as every listing of it and its own pages show
    /// it: made once for a thread of more than one page (it reads every
    /// entry), afresh for the others, which are many and short.
    fn thread_summary(&self, i: usize) -> Value {
        let t = &self.site.threads[i];
        match t.page_count() {
            1 => views::thread_summary(self.site, t),
            _ => self.thread_summaries[i]
                .get_or_init(|| Box::new(views::thread_summary(self.site, t)))
                .as_ref()
                .clone(),
        }
    }

    /// Renders `jobs` in parallel, handing each file to `sink`. Returns the
    /// time spent per template, or the first error.
    pub fn render_all<F>(&self, jobs: &[(Job, OutputPath)], sink: F) -> Result<TemplateTimes, Error>
    where
        F: Fn(&OutputPath, &[u8]) -> Result<(), Error> + Sync,
    {
        let times = Mutex::new(TemplateTimes::default());
        // One buffer per worker, reused page after page: a page is tens of
        // KB, and a fresh buffer would be allocated and grown for each.
        let buffer = || Vec::with_capacity(PAGE_CAPACITY);
        jobs.par_iter()
            .try_for_each_init(buffer, |page, (job, path)| {
                let start = Instant::now();
                let file = self.file_bytes(job);
                let bytes = match &file {
                    Some(bytes) => bytes.as_ref(),
                    None => {
                        page.clear();
                        self.render_page(job, path, page)?;
                        page.as_slice()
                    }
                };
                let rendered = start.elapsed();
                sink(path, bytes)?;
                let staged = start.elapsed() - rendered;
                let mut t = times.lock().expect("timings lock");
                t.add(job.kind(), rendered);
                t.add("(staging writes)", staged);
                Ok::<(), Error>(())
            })?;
        Ok(times.into_inner().expect("timings lock"))
    }

    /// Renders one job to bytes.
    pub fn render(&self, job: &Job, path: &OutputPath) -> Result<Vec<u8>, Error> {
        if let Some(bytes) = self.file_bytes(job) {
            return Ok(bytes.into_owned());
        }
        let mut page = Vec::with_capacity(PAGE_CAPACITY);
        self.render_page(job, path, &mut page)?;
        Ok(page)
    }

    /// The bytes of a job that no template renders (an asset, a feed, a
    /// search file, ...), an asset's lent rather than copied; `None` for a
    /// page.
    fn file_bytes(&self, job: &Job) -> Option<std::borrow::Cow<'_, [u8]>> {
        let site = self.site;
        let config = &site.config;
        let text = match job {
            Job::Asset(i) => return Some(self.assets[*i].bytes.as_slice().into()),
            Job::Redirect { to } => redirect::page(config, to),
            Job::Feed(f) => feed::render(site, f, feed::Format::Atom),
            Job::JsonFeed(f) => feed::render(site, f, feed::Format::Json),
            Job::Robots => sitemap::robots(config),
            Job::Sitemap => sitemap::render(config, &sitemap::entries(site)),
            Job::SitemapPart(n) => sitemap::render_part(config, &sitemap::entries(site), *n),
            Job::SearchIndex(f) => self.search_file(*f),
            _ => return None,
        };
        Some(text.into_bytes().into())
    }

    /// Renders a job of a template, appending the page to `out`.
    fn render_page(&self, job: &Job, path: &OutputPath, out: &mut Vec<u8>) -> Result<(), Error> {
        let site = self.site;
        let config = &site.config;
        // Variables are built as JSON and moved into the context: inserting
        // into a tera::Context would deep-copy every value (a post's whole
        // content) once more.
        let mut vars = Vars::new();
        let url_path = job.url_path(site);
        vars.insert("page_url".into(), Value::String(config.url(&url_path)));
        vars.insert(
            "canonical".into(),
            Value::String(config.permalink(&url_path)),
        );
        let template = self.fill(job, &mut vars);
        let layout = |i| self.thread_layout(i);
        vars.insert(
            "meta".into(),
            serde_json::to_value(meta::page_meta(site, job, &url_path, &layout))
                .expect("meta serializes"),
        );
        // A document's own `lang:` wins over the site's `language`.
        let own = match job {
            Job::Post(i) => site.posts[*i].lang.as_deref(),
            Job::Page(i) => site.pages[*i].lang.as_deref(),
            Job::Member { member, .. } => site.members[*member].lang.as_deref(),
            Job::Thread { thread, .. } => site.threads[*thread].lang.as_deref(),
            _ => None,
        };
        let lang = own.unwrap_or(&config.language);
        vars.insert("lang".into(), Value::String(lang.to_owned()));
        vars.insert("dir".into(), Value::String(crate::lang::dir(lang).into()));
        // The interface speaks the page's language where a table does.
        let ui = config.i18n.interface_language(lang);
        vars.insert("ui_lang".into(), Value::String(ui.to_owned()));
        let mut ctx = Context::from_value(Value::Object(vars)).expect("an object is a context");
        // The `site` global, serialized once, is shared by every page's
        // context (not copied into each).
        ctx.set_shared(Arc::clone(self.fragments.site()));
        memo::with_fragments(&self.fragments, || {
            crate::i18n::with_language(&config.i18n, ui, || {
                // Straight to bytes: the page goes to a file, and
                // `Tera::render` would check all of it is UTF-8 first.
                self.tera.render_to(template, &ctx, &mut *out)
            })
        })
        .map_err(|e| Error::template(&format!("{template} (rendering {path})"), &e))
    }

    /// The text of a search index file.
    fn search_file(&self, file: SearchFile) -> String {
        match file {
            SearchFile::Manifest => self.index.manifest_json(),
            SearchFile::Fold => self.index.fold_json(),
            SearchFile::Filters => self.index.filters_json(),
            SearchFile::Terms(i) => self.index.term_shards()[i].json.clone(),
            SearchFile::Docs(n) => self.index.doc_shard_json(n),
        }
    }

    fn posts(&self, idx: &[usize]) -> Value {
        Value::Array(idx.iter().map(|&i| self.summaries[i].view()).collect())
    }

    /// The index lines of posts `idx` (see [`deps::post_line`]).
    fn lines(&self, idx: &[usize]) -> Value {
        Value::Array(
            idx.iter()
                .map(|&i| deps::post_line(self.summaries[i].view()))
                .collect(),
        )
    }

    /// Puts the job's variables in `vars` and names its template.
    fn fill(&self, job: &Job, vars: &mut Vars) -> &'static str {
        let mut put = |key: &str, value: Value| {
            vars.insert(key.to_owned(), value);
        };
        let site = self.site;
        match job {
            Job::Home { page } => {
                let pager = jobs::Pager::new(site.posts.len(), site.config.paginate, *page, "/");
                let all: Vec<usize> = (pager.range()).collect();
                put("posts", self.posts(&all));
                put("paginator", pager.view(&site.config));
                // The overview belongs to the front page; on later pages it
                // is empty, so that a new comment or tag count does not
                // touch every page of a long home listing.
                for (k, v) in self
                    .home
                    .get_or_init(|| views::home_overview(site))
                    .as_object()
                    .expect("home is an object")
                {
                    put(
                        k,
                        if *page == 1 {
                            v.clone()
                        } else {
                            Value::Array(Vec::new())
                        },
                    );
                }
                "index.html"
            }
            Job::Post(i) => {
                put("post", views::post_full(site, *i, self.summaries));
                "post.html"
            }
            Job::Page(i) => {
                put("page", views::page(site, &site.pages[*i]));
                "page.html"
            }
            Job::TaxonomyIndex(kind) => {
                let tax = site.taxonomy(*kind);
                put("taxonomy", views::taxonomy(site, tax));
                let terms = views::cloud(site, tax, None);
                // Most used first; equally used terms stay in name order.
                let mut by_use = terms.clone();
                by_use.sort_by_key(|t| std::cmp::Reverse(t["count"].as_u64().unwrap_or(0)));
                put("terms_by_use", Value::Array(by_use));
                put("terms", Value::Array(terms));
                "taxonomy.html"
            }
            Job::Term { kind, term, page } => {
                let tax = site.taxonomy(*kind);
                let t = &tax.terms[*term];
                let c = &site.config;
                put("taxonomy", views::taxonomy(site, tax));
                put("term", views::term(site, t));
                put(
                    "posts",
                    self.posts(jobs::page_slice(&t.posts, c.paginate, *page)),
                );
                let pages = jobs::term_pages(c, t);
                let paginator =
                    jobs::paginator(c, &t.path, *page, pages, t.posts.len(), c.paginate);
                put("paginator", paginator);
                let threads: Vec<Value> = jobs::page_slice(&t.threads, c.paginate_threads, *page)
                    .iter()
                    .map(|&i| self.thread_summary(i))
                    .collect();
                put("threads", Value::Array(threads));
                "term.html"
            }
            Job::Archive => {
                put("years", archive::archive_years(site, |idx| self.lines(idx)));
                "archive.html"
            }
            Job::Year(y) => {
                let mut budget = site.config.archive_titles;
                let year = archive::archive_year(site, *y, |idx| self.lines(idx), &mut budget);
                put("year", year);
                "archive_year.html"
            }
            Job::Month { year, month, page } => {
                let y = &site.archive[*year];
                let m = &y.months[*month];
                let base = format!("/{}/{:02}/", y.year, m.month);
                let pager = jobs::Pager::new(m.posts.len(), site.config.paginate, *page, &base);
                put("month", archive::month_view(site, y.year, m));
                put("posts", self.posts(&m.posts[pager.range()]));
                put("paginator", pager.view(&site.config));
                "archive_month.html"
            }
            Job::Members { by_activity } => {
                let mut members: Vec<Value> = site
                    .members
                    .iter()
                    .map(|m| views::member_summary(site, m))
                    .collect();
                members.sort_by_cached_key(|m| m["name"].as_str().unwrap_or("").to_lowercase());
                if *by_activity {
                    // Stable: equally active members stay in name order.
                    members.sort_by_key(|m| std::cmp::Reverse(m["activity"].as_u64().unwrap_or(0)));
                }
                put("members", Value::Array(members));
                put(
                    "order",
                    Value::from(if *by_activity { "activity" } else { "name" }),
                );
                put("by_name_url", Value::from(site.config.url("/members/")));
                put(
                    "by_activity_url",
                    Value::from(site.config.url("/members/by-activity/")),
                );
                "members.html"
            }
            Job::Member { member, page } => {
                let m = &site.members[*member];
                let config = &site.config;
                let per = config.paginate_entries;
                put("member", views::member_full(site, m));
                put(
                    "posts",
                    self.posts(jobs::page_slice(&m.posts, config.paginate, *page)),
                );
                put(
                    "comments",
                    views::member_comments(site, jobs::page_slice(&m.comments, per, *page)),
                );
                put(
                    "entries",
                    views::member_entries(site, jobs::page_slice(&m.entries, per, *page)),
                );
                put(
                    "counts",
                    serde_json::json!({
                        "posts": m.posts.len(),
                        "comments": m.comments.len(),
                        "entries": m.entries.len(),
                    }),
                );
                let pages = jobs::member_pages(config, m);
                let total = m.posts.len() + m.comments.len() + m.entries.len();
                put(
                    "paginator",
                    jobs::paginator(config, &m.path, *page, pages, total, per),
                );
                "member.html"
            }
            Job::Threads { page } => {
                let per = site.config.paginate_threads;
                let threads: Vec<Value> = jobs::page_range(site.threads.len(), per, *page)
                    .map(|i| self.thread_summary(i))
                    .collect();
                put("threads", Value::Array(threads));
                let pager = jobs::Pager::new(site.threads.len(), per, *page, "/threads/");
                put("paginator", pager.view(&site.config));
                "threads.html"
            }
            Job::Thread { thread, page } => {
                let t = &site.threads[*thread];
                let summary = self.thread_summary(*thread);
                let layout = (self.thread_layout(*thread), *page);
                put(
                    "thread",
                    views::thread_full(site, t, layout, summary, self.summaries),
                );
                put(
                    "paginator",
                    jobs::paginator(
                        &site.config,
                        &t.path,
                        *page,
                        t.page_count(),
                        t.entries.len(),
                        site.config.paginate_entries,
                    ),
                );
                "thread.html"
            }
            Job::NotFound => "404.html",
            Job::Search => {
                put(
                    "search",
                    views::search(&site.config, self.index.doc_count()),
                );
                "search.html"
            }
            Job::Asset(_)
            | Job::Redirect { .. }
            | Job::Feed(_)
            | Job::JsonFeed(_)
            | Job::Robots
            | Job::Sitemap
            | Job::SitemapPart(_)
            | Job::SearchIndex(_) => {
                unreachable!("rendered without a template")
            }
        }
    }
}
