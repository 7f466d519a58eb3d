//! `sitemap.xml`: every content page, with when it last changed.
//!
//! The sitemaps.org protocol allows 50,000 URLs in one file. A site with
//! more gets a sitemap index instead: `sitemap.xml` lists `sitemap-1.xml`,
//! `sitemap-2.xml`, ..., each holding the next 50,000 URLs.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::xml::XmlWriter;
use crate::config::Config;
use crate::date::Date;
use crate::model::Site;

/// Most URLs one sitemap file may list.
pub const MAX_URLS: usize = 50_000;

/// What a URL must not hold as is (RFC 3986): space, `"`, `<`, `>`, `\`,
/// `^`, `` ` ``, `{`, `|`, `}`, controls, and anything past ASCII.
const NOT_IN_URLS: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// One URL of the sitemap: its root path and when it last changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// Root path (`/posts/x/`).
    pub path: Cow<'a, str>,
    /// Last change, when known.
    pub lastmod: Option<Date>,
}

/// Every URL the sitemap lists, in order.
pub fn entries(site: &Site) -> Vec<Entry<'_>> {
    let mut out = Vec::with_capacity(
        8 + site.posts.len()
            + site.pages.len()
            + site.threads.len()
            + site.members.len()
            + site.tags.terms.len()
            + site.categories.terms.len(),
    );
    out.push(borrowed(
        "/",
        site.posts.first().map(|p| p.updated.unwrap_or(p.date)),
    ));
    for p in &site.posts {
        out.push(borrowed(&p.path, Some(p.updated.unwrap_or(p.date))));
    }
    for p in &site.pages {
        out.push(borrowed(&p.path, p.date));
    }
    for t in &site.threads {
        out.push(borrowed(&t.path, Some(t.date)));
    }
    for m in &site.members {
        out.push(borrowed(&m.path, None));
    }
    for tax in [&site.tags, &site.categories] {
        out.push(Entry {
            path: Cow::Owned(tax.path()),
            lastmod: None,
        });
        for t in &tax.terms {
            out.push(borrowed(
                &t.path,
                t.posts.first().map(|&p| site.posts[p].date),
            ));
        }
    }
    for path in ["/archive/", "/members/", "/threads/"] {
        out.push(borrowed(path, None));
    }
    out
}

fn borrowed(path: &str, lastmod: Option<Date>) -> Entry<'_> {
    Entry {
        path: Cow::Borrowed(path),
        lastmod,
    }
}

/// How many `sitemap-<n>.xml` files `entries` need: none when they fit
/// in `sitemap.xml` itself.
pub fn part_count(entries: usize) -> usize {
    if entries <= MAX_URLS {
        0
    } else {
        entries.div_ceil(MAX_URLS)
    }
}

/// Root path of sitemap part `n` (1-based).
pub fn part_path(n: usize) -> String {
    format!("/sitemap-{n}.xml")
}

/// The entries of part `n` (1-based).
pub fn part<'e, 'a>(entries: &'e [Entry<'a>], n: usize) -> &'e [Entry<'a>] {
    let start = ((n - 1) * MAX_URLS).min(entries.len());
    &entries[start..(start + MAX_URLS).min(entries.len())]
}

/// `sitemap.xml`: all the URLs, or an index of the parts when they are
/// more than one file may hold.
pub fn render(config: &Config, entries: &[Entry<'_>]) -> String {
    let parts = part_count(entries.len());
    if parts == 0 {
        return urlset(config, entries);
    }
    let mut x = XmlWriter::new("UTF-8", 256 + parts * 128);
    x.open("sitemapindex", &[("xmlns", NAMESPACE)]).layout("\n");
    for n in 1..=parts {
        let lastmod = part(entries, n).iter().filter_map(|e| e.lastmod).max();
        x.layout("  ")
            .open("sitemap", &[])
            .element("loc", &[], &loc(config, &part_path(n)));
        if let Some(d) = lastmod {
            x.element("lastmod", &[], &d.to_rfc3339());
        }
        x.close().layout("\n");
    }
    x.close().layout("\n");
    x.finish()
}

/// `sitemap-<n>.xml`: the URLs of part `n`.
pub fn render_part(config: &Config, entries: &[Entry<'_>], n: usize) -> String {
    urlset(config, part(entries, n))
}

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// `/robots.txt`: everything may be crawled, and the sitemap is here.
/// (Crawlers read it at the host's root only; a site in a subfolder
/// has it there to copy.)
pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.permalink("/sitemap.xml")
    )
}

fn urlset(config: &Config, entries: &[Entry<'_>]) -> String {
    let mut x = XmlWriter::new("UTF-8", 256 + entries.len() * 160);
    x.open("urlset", &[("xmlns", NAMESPACE)]).layout("\n");
    for e in entries {
        x.layout("  ")
            .open("url", &[])
            .element("loc", &[], &loc(config, &e.path));
        if let Some(d) = e.lastmod {
            x.element("lastmod", &[], &d.to_rfc3339());
        }
        x.close().layout("\n");
    }
    x.close().layout("\n");
    x.finish()
}

/// The absolute URL of a root path as a sitemap gives it: characters a URL
/// cannot hold percent-encoded (the writer then escapes `&`), a `%` that
/// starts no escape written `%25`.
fn loc(config: &Config, path: &str) -> String {
    let path = path.trim_start_matches('/');
    let mut encoded = String::with_capacity(path.len());
    let bytes = path.as_bytes();
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        let at = path.len() - rest.len() + i;
        encoded.extend(utf8_percent_encode(&rest[..i], NOT_IN_URLS));
        let escape = bytes.len() > at + 2
            && bytes[at + 1].is_ascii_hexdigit()
            && bytes[at + 2].is_ascii_hexdigit();
        encoded.push_str(if escape { "%" } else { "%25" });
        rest = &rest[i + 1..];
    }
    encoded.extend(utf8_percent_encode(rest, NOT_IN_URLS));
    config.permalink(&format!("/{encoded}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const NS: &str = NAMESPACE;

    fn config() -> Config {
        Config::parse(
            Path::new("salon.yaml"),
            "title: T\nbase_url: https://example.org/sub/\n",
        )
        .unwrap()
    }

    fn many(n: usize) -> Vec<Entry<'static>> {
        (0..n)
            .map(|i| Entry {
                path: Cow::Owned(format!("/p/{i}/")),
                lastmod: crate::date::parse_date(&format!("2020-01-01T00:00:{:02}Z", i % 60)),
            })
            .collect()
    }

    fn locs(xml: &str, parent: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name((NS, parent)))
            .map(|n| {
                n.children()
                    .find(|c| c.has_tag_name((NS, "loc")))
                    .and_then(|c| c.text())
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn up_to_fifty_thousand_urls_fit_one_sitemap() {
        let entries = many(MAX_URLS);
        assert_eq!(part_count(entries.len()), 0);
        let xml = render(&config(), &entries);
        let urls = locs(&xml, "url");
        assert_eq!(urls.len(), MAX_URLS);
        assert_eq!(urls[0], "https://example.org/sub/p/0/");
    }

    #[test]
    fn more_become_an_index_of_parts_of_at_most_fifty_thousand() {
        let entries = many(MAX_URLS * 2 + 1);
        assert_eq!(part_count(entries.len()), 3);
        let config = config();
        let index = render(&config, &entries);
        let doc = roxmltree::Document::parse(&index).unwrap();
        assert!(doc.root_element().has_tag_name((NS, "sitemapindex")));
        assert_eq!(
            locs(&index, "sitemap"),
            [1, 2, 3].map(|n| format!("https://example.org/sub/sitemap-{n}.xml"))
        );
        assert!(index.contains("<lastmod>2020-01-01T00:00:59+00:00</lastmod>"));
        let mut all = Vec::new();
        for n in 1..=3 {
            let urls = locs(&render_part(&config, &entries, n), "url");
            assert!(urls.len() <= MAX_URLS);
            all.extend(urls);
        }
        assert_eq!(all.len(), entries.len());
        assert_eq!(
            all[MAX_URLS],
            format!("https://example.org/sub/p/{MAX_URLS}/")
        );
        assert_eq!(all.last().unwrap(), "https://example.org/sub/p/100000/");
    }

    #[test]
    fn locs_are_percent_encoded_where_urls_need_it() {
        let c = config();
        assert_eq!(loc(&c, "/posts/x/"), "https://example.org/sub/posts/x/");
        assert_eq!(
            loc(&c, "/a&b\"<c>/caf%C3%A9/100%/é/"),
            "https://example.org/sub/a&b%22%3Cc%3E/caf%C3%A9/100%25/%C3%A9/"
        );
    }
}
