//! What a page says about itself in its `<head>`: the `meta` variable
//! every template receives (see `docs/templates.md`). Its title,
//! description and kind for link previews (Open Graph, Twitter cards),
//! its picture, dates, authors and tags, whether robots may index it, the
//! feeds that follow it, and its JSON-LD ([`super::structured`]) as text
//! ready to stand inside `<script type="application/ld+json">`.
//!
//! Everything here is read from the model, never from rendered HTML, so
//! it costs little beside the page itself.

use serde::Serialize;

use super::feed;
use super::jobs::{FeedKind, Job};
use super::structured::{self as ld, absolute};
use crate::config::Config;
use crate::model::*;
use crate::search::text::plain_excerpt;

/// How long a description may be, in bytes, before it is cut at a word.
const DESCRIPTION_MAX: usize = 200;

/// The `meta` template variable.
#[derive(Serialize, Default)]
pub struct Meta {
    /// The page's own title, without the site's name.
    pub title: String,
    /// What the page holds, in a sentence or two of plain text.
    pub description: String,
    /// `og:type`: `article`, `profile` or `website`.
    pub og_type: &'static str,
    /// The page's absolute URL; none for the 404 page, which has no
    /// address of its own.
    pub url: Option<String>,
    /// The absolute URL of the picture previews show.
    pub image: Option<String>,
    /// `summary_large_image` when the page has a picture of its own,
    /// else `summary`.
    pub twitter_card: &'static str,
    /// When it was published (RFC 3339).
    pub published: Option<String>,
    /// When it last changed (RFC 3339).
    pub modified: Option<String>,
    /// Absolute URLs of its authors' member pages.
    pub authors: Vec<String>,
    /// Its tag names.
    pub tags: Vec<String>,
    /// A member page's handle (`profile:username`).
    pub username: Option<String>,
    /// Whether robots should leave it out of their index.
    pub noindex: bool,
    /// The feeds that follow this page and the site, for `<link
    /// rel="alternate">`: `{type, title, href}`.
    pub feeds: Vec<FeedLink>,
    /// The JSON-LD, escaped for a `<script>` element; empty for none.
    pub json_ld: String,
}

/// One autodiscovery link.
#[derive(Serialize)]
pub struct FeedLink {
    /// `application/atom+xml` or `application/feed+json`.
    #[serde(rename = "type")]
    pub media_type: &'static str,
    /// What a feed reader shows.
    pub title: String,
    /// The feed's URL (with the base path).
    pub href: String,
}

/// Both formats of feed `kind`, titled `title`.
fn feed_links(site: &Site, kind: FeedKind, title: &str, out: &mut Vec<FeedLink>) {
    let c = &site.config;
    out.push(FeedLink {
        media_type: "application/atom+xml",
        title: title.to_owned(),
        href: c.url(&feed::atom_path(site, kind)),
    });
    if !kind.has_json(c) {
        return;
    }
    out.push(FeedLink {
        media_type: "application/feed+json",
        title: format!("{title} (JSON Feed)"),
        href: c.url(&feed::json_path(site, kind)),
    });
}

/// The description of a page: `text` when it says something, else the
/// site's.
fn or_site(config: &Config, text: String) -> String {
    if text.is_empty() {
        config.description.trim().to_owned()
    } else {
        text
    }
}

/// The `meta` variable of a page job at `url_path`; `layout` gives a
/// thread's layout, which a thread's page shares with its structured data.
pub fn page_meta<'a>(
    site: &Site,
    job: &Job,
    url_path: &str,
    layout: &dyn Fn(ThreadIdx) -> &'a ThreadLayout,
) -> Meta {
    let c = &site.config;
    let mut m = Meta {
        og_type: "website",
        url: Some(c.permalink(url_path)),
        ..Meta::default()
    };
    let mut nodes = ld::Graph::new();
    let mut own_image = None;
    let name = c.title.as_str();
    // What Salon writes here is in the site's interface language.
    let lang = c.i18n.interface_language(&c.language);
    let tr = |key: &str, count: Option<usize>, args: &[(&str, &str)]| -> String {
        c.i18n.say(lang, key, count.map(|n| n as u64), args)
    };
    let paged = |title: &str, page: usize| match page {
        1 => title.to_owned(),
        n => title.to_owned() + &tr("term_page_number", None, &[("number", &n.to_string())]),
    };
    let page_label = |page: usize| tr("page_number", None, &[("number", &page.to_string())]);
    // A year or a month of the archive: `trail` follows "Archive".
    let archive_page = |m: &mut Meta,
                        nodes: &mut ld::Graph,
                        when: &str,
                        posts: usize,
                        trail: &[(&str, String)]| {
        m.title = tr("meta_posts_of", None, &[("when", when)]);
        let posts = tr("posts_count", Some(posts), &[]);
        m.description = tr(
            "meta_written_in",
            None,
            &[("posts", &posts), ("name", name), ("when", when)],
        );
        ld::web_page(
            nodes,
            c,
            "CollectionPage",
            &m.title,
            url_path,
            &m.description,
        );
        let archive = tr("archive", None, &[]);
        let mut crumbs = vec![(archive.as_str(), "/archive/")];
        crumbs.extend(trail.iter().map(|(n, p)| (*n, p.as_str())));
        ld::breadcrumbs(nodes, c, &crumbs);
    };
    match job {
        Job::Home { page } => {
            m.title = paged(name, *page);
            if *page == 1 {
                m.description = c.description.trim().to_owned();
                ld::website(&mut nodes, c);
            } else {
                m.description = tr(
                    "meta_home_page",
                    None,
                    &[("page", &page.to_string()), ("name", name)],
                );
                ld::web_page(
                    &mut nodes,
                    c,
                    "CollectionPage",
                    &m.title,
                    url_path,
                    &m.description,
                );
                ld::breadcrumbs(&mut nodes, c, &[(&page_label(*page), url_path)]);
            }
        }
        Job::Post(i) => {
            let p = &site.posts[*i];
            m.title = p.title.clone();
            m.description = or_site(c, plain_excerpt(&p.body.summary, DESCRIPTION_MAX));
            m.og_type = "article";
            own_image = p
                .body
                .image
                .as_deref()
                .and_then(|a| absolute(c, a, &p.path));
            m.published = Some(p.date.to_rfc3339());
            m.modified = Some(p.updated.unwrap_or(p.date).to_rfc3339());
            m.authors = p
                .authors
                .iter()
                .map(|&a| c.permalink(&site.members[a].path))
                .collect();
            m.tags = p
                .tags
                .iter()
                .map(|&t| site.tags.terms[t].name.clone())
                .collect();
            let post_feed = FeedKind::PostComments(*i);
            if post_feed.is_written(site) {
                let title = tr("comments_on", None, &[("title", &p.title)]);
                feed_links(site, post_feed, &title, &mut m.feeds);
            }
            let image = own_image.clone().or_else(|| site_image(c));
            ld::blog_posting(&mut nodes, site, *i, image.as_deref(), &m.description);
            let mut trail: Vec<(&str, &str)> = Vec::new();
            if let Some(&k) = p.categories.first() {
                let k = &site.categories.terms[k];
                trail.push((&k.name, &k.path));
            }
            trail.push((&p.title, &p.path));
            ld::breadcrumbs(&mut nodes, c, &trail);
        }
        Job::Page(i) => {
            let p = &site.pages[*i];
            m.title = p.title.clone();
            m.description = or_site(c, plain_excerpt(&p.body.html, DESCRIPTION_MAX));
            own_image = p
                .body
                .image
                .as_deref()
                .and_then(|a| absolute(c, a, &p.path));
            m.published = p.date.map(|d| d.to_rfc3339());
            ld::web_page(&mut nodes, c, "WebPage", &p.title, &p.path, &m.description);
            ld::breadcrumbs(&mut nodes, c, &[(&p.title, &p.path)]);
        }
        Job::TaxonomyIndex(kind) => {
            let tax = site.taxonomy(*kind);
            let kind_key = tax.kind.key();
            m.title = tr(kind_key, None, &[]);
            m.description = tr(
                &format!("meta_all_{kind_key}"),
                Some(tax.terms.len()),
                &[("name", name)],
            );
            let path = tax.path();
            ld::web_page(
                &mut nodes,
                c,
                "CollectionPage",
                &m.title,
                &path,
                &m.description,
            );
            ld::breadcrumbs(&mut nodes, c, &[(&m.title, &path)]);
        }
        Job::Term { kind, term, page } => {
            let tax = site.taxonomy(*kind);
            let t = &tax.terms[*term];
            let what = match kind {
                TaxonomyKind::Tags => tr("posts_tagged", None, &[("term", &t.name)]),
                TaxonomyKind::Categories => tr("posts_in_category", None, &[("term", &t.name)]),
            };
            m.title = paged(&what, *page);
            let posts = tr("posts_count", Some(t.posts.len()), &[]);
            // A tag's own description says it best, when it has one.
            m.description = match &t.description {
                Some(d) => d
                    .summary
                    .clone()
                    .unwrap_or_else(|| crate::search::text::plain_excerpt(&d.body.html, 200)),
                None => tr(
                    "meta_term",
                    None,
                    &[("title", &m.title), ("name", name), ("posts", &posts)],
                ),
            };
            feed_links(
                site,
                FeedKind::Term(*kind, *term),
                &format!("{name}: {}", t.name),
                &mut m.feeds,
            );
            ld::web_page(
                &mut nodes,
                c,
                "CollectionPage",
                &m.title,
                url_path,
                &m.description,
            );
            let index = tax.path();
            let numbered = page_label(*page);
            let kind_title = tr(tax.kind.key(), None, &[]);
            let mut trail = vec![(kind_title.as_str(), index.as_str()), (&t.name, &t.path)];
            if *page > 1 {
                trail.push((&numbered, url_path));
            }
            ld::breadcrumbs(&mut nodes, c, &trail);
        }
        Job::Archive => {
            m.title = tr("archive", None, &[]);
            m.description = tr("meta_archive", None, &[("name", name)]);
            ld::web_page(
                &mut nodes,
                c,
                "CollectionPage",
                &m.title,
                url_path,
                &m.description,
            );
            ld::breadcrumbs(&mut nodes, c, &[(&m.title, "/archive/")]);
        }
        Job::Year(y) => {
            let year = &site.archive[*y];
            let when = year.year.to_string();
            let trail = [(when.as_str(), format!("/{when}/"))];
            archive_page(&mut m, &mut nodes, &when, year.count(), &trail);
        }
        Job::Month {
            year: y, month: mo, ..
        } => {
            let year = &site.archive[*y];
            let month = &year.months[*mo];
            let y_name = year.year.to_string();
            let when = tr(
                "month_year",
                None,
                &[
                    ("month", &c.i18n.month(lang, month.month, false)),
                    ("year", &y_name),
                ],
            );
            let trail = [
                (y_name.as_str(), format!("/{y_name}/")),
                (when.as_str(), url_path.to_owned()),
            ];
            archive_page(&mut m, &mut nodes, &when, month.posts.len(), &trail);
        }
        Job::Members { by_activity } => {
            let members = tr("members", None, &[]);
            m.title = match by_activity {
                true => tr("meta_members_by_activity", None, &[]),
                false => members.clone(),
            };
            let counted = tr("members_count", Some(site.members.len()), &[]);
            let description = match by_activity {
                true => "meta_members_most_active_first",
                false => "meta_members_by_name",
            };
            m.description = tr(description, None, &[("members", &counted), ("name", name)]);
            ld::web_page(
                &mut nodes,
                c,
                "CollectionPage",
                &m.title,
                url_path,
                &m.description,
            );
            let by = tr("meta_by_activity", None, &[]);
            let mut trail = vec![(members.as_str(), "/members/")];
            if *by_activity {
                trail.push((&by, url_path));
            }
            ld::breadcrumbs(&mut nodes, c, &trail);
        }
        Job::Member { member: i, page } => {
            let member = &site.members[*i];
            m.title = paged(&member.name, *page);
            let bio = plain_excerpt(&member.bio.html, DESCRIPTION_MAX);
            m.description = if !bio.is_empty() {
                bio
            } else {
                let role = member
                    .role
                    .as_ref()
                    .map_or_else(String::new, |r| format!(", {r}"));
                tr(
                    "meta_member",
                    None,
                    &[
                        ("member", &member.name),
                        ("role", &role),
                        ("name", name),
                        ("posts", &tr("posts_count", Some(member.posts.len()), &[])),
                        (
                            "comments",
                            &tr("comments_count", Some(member.comments.len()), &[]),
                        ),
                        (
                            "messages",
                            &tr("messages_count", Some(member.entries.len()), &[]),
                        ),
                    ],
                )
            };
            m.og_type = "profile";
            m.username = Some(member.handle.clone());
            own_image = member.avatar.as_deref().and_then(|a| ld::avatar(c, a));
            feed_links(
                site,
                FeedKind::Member(*i),
                &format!("{name}: {}", member.name),
                &mut m.feeds,
            );
            ld::profile(&mut nodes, site, *i, &m.description);
            ld::breadcrumbs(
                &mut nodes,
                c,
                &[
                    (&tr("members", None, &[]), "/members/"),
                    (&member.name, &member.path),
                ],
            );
        }
        Job::Threads { .. } => {
            m.title = tr("threads", None, &[]);
            m.description = tr("meta_threads", None, &[("name", name)]);
            ld::web_page(
                &mut nodes,
                c,
                "CollectionPage",
                &m.title,
                url_path,
                &m.description,
            );
            ld::breadcrumbs(&mut nodes, c, &[(&m.title, "/threads/")]);
        }
        Job::Thread { thread: i, page } => {
            let t = &site.threads[*i];
            m.title = paged(&t.title, *page);
            let first = t
                .entries
                .first()
                .map(|e| plain_excerpt(&e.text, DESCRIPTION_MAX))
                .unwrap_or_default();
            m.description = if first.is_empty() {
                or_site(c, plain_excerpt(&t.intro.html, DESCRIPTION_MAX))
            } else {
                first
            };
            m.og_type = "article";
            m.published = Some(t.date.to_rfc3339());
            let latest = t.entries.iter().filter_map(|e| e.date).max();
            m.modified = Some(latest.map_or(t.date, |d| d.max(t.date)).to_rfc3339());
            m.authors = t
                .started_by
                .as_ref()
                .and_then(|p| p.member)
                .map(|a| c.permalink(&site.members[a].path))
                .into_iter()
                .collect();
            m.tags = t
                .tags
                .iter()
                .map(|&k| site.tags.terms[k].name.clone())
                .collect();
            feed_links(
                site,
                FeedKind::Thread(*i),
                &format!("{name}: ‘{}’", t.title),
                &mut m.feeds,
            );
            ld::discussion(&mut nodes, site, *i, (layout(*i), *page), &m.description);
            ld::breadcrumbs(
                &mut nodes,
                c,
                &[
                    (&tr("threads", None, &[]), "/threads/"),
                    (&t.title, &t.path),
                ],
            );
        }
        Job::NotFound => {
            m.title = tr("not_found_title", None, &[]);
            m.description = tr("meta_not_found", None, &[("name", name)]);
            m.noindex = true;
            m.url = None;
        }
        Job::Search => {
            m.title = tr("search", None, &[]);
            m.description = tr("meta_search", None, &[("name", name)]);
            ld::web_page(
                &mut nodes,
                c,
                "SearchResultsPage",
                &m.title,
                url_path,
                &m.description,
            );
            ld::breadcrumbs(&mut nodes, c, &[(&m.title, url_path)]);
        }
        Job::Feed(_)
        | Job::JsonFeed(_)
        | Job::Robots
        | Job::Sitemap
        | Job::SitemapPart(_)
        | Job::Redirect { .. }
        | Job::Asset(_)
        | Job::SearchIndex(_) => unreachable!("not a page"),
    }
    m.twitter_card = if own_image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    m.image = own_image.or_else(|| site_image(c));
    feed_links(site, FeedKind::Site, name, &mut m.feeds);
    feed_links(
        site,
        FeedKind::Comments,
        &format!("{name}: comments"),
        &mut m.feeds,
    );
    m.json_ld = nodes.finish();
    m
}

/// The site's own picture (`image:` in `salon.yaml`), absolute.
fn site_image(config: &Config) -> Option<String> {
    config
        .image
        .as_deref()
        .and_then(|i| absolute(config, i, "/"))
}
