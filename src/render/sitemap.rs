//! `sitemap.xml`: every content page, with when it last changed.

use std::fmt::Write;

use crate::date::Date;
use crate::markdown::escape;
use crate::model::Site;

/// Renders the sitemap of `site`.
pub fn render(site: &Site) -> String {
    let c = &site.config;
    let mut x = String::with_capacity(256 + site.posts.len() * 160);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut url = |path: &str, lastmod: Option<Date>| {
        let _ = write!(x, "  <url><loc>{}</loc>", escape(&c.permalink(path)));
        if let Some(d) = lastmod {
            let _ = write!(x, "<lastmod>{}</lastmod>", d.to_rfc3339());
        }
        x.push_str("</url>\n");
    };
    url("/", site.posts.first().map(|p| p.updated.unwrap_or(p.date)));
    for p in &site.posts {
        url(&p.path, Some(p.updated.unwrap_or(p.date)));
    }
    for p in &site.pages {
        url(&p.path, p.date);
    }
    for t in &site.threads {
        url(&t.path, Some(t.date));
    }
    for m in &site.members {
        url(&m.path, None);
    }
    for tax in [&site.tags, &site.categories] {
        url(&tax.path(), None);
        for t in &tax.terms {
            url(&t.path, t.posts.first().map(|&p| site.posts[p].date));
        }
    }
    for path in ["/archive/", "/members/", "/threads/"] {
        url(path, None);
    }
    x.push_str("</urlset>\n");
    x
}
